//! The `auth` configuration section.

use serde::Deserialize;
use std::collections::BTreeMap;

/// `auth:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AuthConfig {
    /// `development` (default) or `production`. Guest sign-in is refused in production
    /// unless `providers.guest.dangerouslyAllowOutsideDevelopment` is set.
    #[serde(default)]
    pub environment: Option<String>,
    /// Sign-in providers.
    #[serde(default)]
    pub providers: Providers,
    /// Session settings.
    #[serde(default)]
    pub session: SessionConfig,
    /// Requests per minute per client address on sign-in and token endpoints.
    #[serde(default)]
    pub rate_limit_per_minute: Option<u32>,
}

impl AuthConfig {
    /// Whether this is a production deployment.
    pub fn is_production(&self) -> bool {
        self.environment.as_deref() == Some("production")
    }
}

/// `auth.providers`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Providers {
    /// Guest provider; enabled when present (and by default in development).
    #[serde(default)]
    pub guest: Option<GuestConfig>,
    /// OpenID Connect providers by id (e.g. `oidc`, `keycloak`).
    #[serde(default)]
    pub oidc: BTreeMap<String, OidcConfig>,
}

/// `auth.providers.guest`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GuestConfig {
    /// Sign in as this user (default `user:development/guest`).
    #[serde(default)]
    pub user_entity_ref: Option<String>,
    /// Allow guest sign-in when `auth.environment` is `production`.
    #[serde(default)]
    pub dangerously_allow_outside_development: bool,
}

/// One OpenID Connect provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OidcConfig {
    /// Button label.
    #[serde(default)]
    pub title: Option<String>,
    /// Issuer URL (discovery at `<issuer>/.well-known/openid-configuration`).
    pub metadata_url: String,
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
    /// Scopes beyond `openid` (default `profile email`).
    #[serde(default)]
    pub scope: Option<String>,
    /// `prompt` parameter.
    #[serde(default)]
    pub prompt: Option<String>,
    /// Sign-in resolvers, tried in order: `emailMatchingUserEntityProfileEmail`,
    /// `emailLocalPartMatchingUserEntityName`.
    #[serde(default)]
    pub sign_in: Option<SignInConfig>,
}

/// `signIn:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignInConfig {
    /// Resolvers.
    #[serde(default)]
    pub resolvers: Vec<ResolverConfig>,
}

/// One resolver.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResolverConfig {
    /// Resolver name.
    pub resolver: String,
}

/// `auth.session`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SessionConfig {
    /// Identity token lifetime (default 3600 s).
    #[serde(default)]
    pub token_ttl_seconds: Option<i64>,
    /// Session (refresh cookie) lifetime (default 7 days).
    #[serde(default)]
    pub session_ttl_hours: Option<i64>,
    /// Signing key rotation interval (default 24 h).
    #[serde(default)]
    pub key_rotation_hours: Option<i64>,
}
