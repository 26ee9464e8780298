//! Calls to `/api/auth` and their response types.
//!
//! The cookie-authenticated session calls ([`refresh`], [`logout`]) go straight through
//! `fetch` with `X-Requested-With: XMLHttpRequest` (CSRF protection) and without the
//! bearer token, so a failure never triggers the shell's 401 handler.

use frontend_plugin_api::{ApiClient, ApiError, SignedInUser};
use gloo_net::http::Request;
use serde::{Deserialize, Serialize};

/// A sign-in provider from `GET /api/auth/providers`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Provider {
    /// Provider id (`guest`, or the OIDC provider's config key).
    pub id: String,
    /// `guest` or `oidc`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Human title.
    pub title: String,
}

#[derive(Deserialize)]
struct ProvidersResponse {
    providers: Vec<Provider>,
}

/// The profile part of a refresh response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Avatar URL.
    #[serde(default)]
    pub picture: Option<String>,
}

/// The identity inside `backstageIdentity`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityClaims {
    /// `user:<ns>/<name>`.
    pub user_entity_ref: String,
    /// The user and their groups.
    #[serde(default)]
    pub ownership_entity_refs: Vec<String>,
}

/// `backstageIdentity`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackstageIdentity {
    /// The bearer token.
    pub token: String,
    /// Token lifetime in seconds.
    pub expires_in_seconds: i64,
    /// Who.
    pub identity: IdentityClaims,
}

/// `GET /api/auth/{provider}/refresh`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshResponse {
    /// Profile from the provider.
    #[serde(default)]
    pub profile: Option<Profile>,
    /// The token and identity.
    pub backstage_identity: BackstageIdentity,
}

impl RefreshResponse {
    /// The signed-in user for provider `provider`.
    pub fn user(&self, provider: &str) -> SignedInUser {
        let profile = self.profile.clone().unwrap_or_default();
        SignedInUser {
            provider: provider.to_string(),
            user_entity_ref: self.backstage_identity.identity.user_entity_ref.clone(),
            ownership_entity_refs: self
                .backstage_identity
                .identity
                .ownership_entity_refs
                .clone(),
            display_name: profile.display_name,
            email: profile.email,
            picture: profile.picture,
        }
    }
}

/// Team roles and platform admin flag of `GET /api/auth/me`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Roles {
    /// Platform admin.
    #[serde(default)]
    pub platform_admin: bool,
    /// `(group ref, role)` pairs.
    #[serde(default)]
    pub teams: Vec<(String, String)>,
}

/// `GET /api/auth/me`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    /// The user.
    pub user_entity_ref: String,
    /// The user and their groups.
    #[serde(default)]
    pub ownership_entity_refs: Vec<String>,
    /// Roles.
    #[serde(default)]
    pub roles: Roles,
    /// The catalog profile, when the user exists in the catalog.
    #[serde(default)]
    pub profile: Option<Profile>,
}

/// An API token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// First characters of the secret.
    pub prefix: String,
    /// Scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Expiry (RFC 3339), `None` = never.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Last use.
    #[serde(default)]
    pub last_used_at: Option<String>,
    /// Revocation time.
    #[serde(default)]
    pub revoked_at: Option<String>,
}

#[derive(Deserialize)]
struct Items<T> {
    items: Vec<T>,
}

/// Body of `POST /api/auth/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateToken {
    /// Name.
    pub name: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// 1–365 days, `None` = never expires.
    pub expires_in_days: Option<i64>,
}

/// Response of `POST /api/auth/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CreatedToken {
    /// The token.
    pub token: ApiToken,
    /// The secret, shown once.
    pub secret: String,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuditEntry {
    /// Id.
    #[serde(default)]
    pub id: serde_json::Value,
    /// When (RFC 3339).
    #[serde(default)]
    pub at: String,
    /// Who.
    #[serde(default)]
    pub actor: String,
    /// What.
    #[serde(default)]
    pub event: String,
    /// Details.
    #[serde(default)]
    pub details: serde_json::Value,
}

/// `GET /api/auth/providers`.
pub async fn providers(api: ApiClient) -> Result<Vec<Provider>, ApiError> {
    api.get_json::<ProvidersResponse>("/api/auth/providers")
        .await
        .map(|r| r.providers)
}

async fn session_call(method: &str, url: &str) -> Result<(u16, String), ApiError> {
    let builder = match method {
        "POST" => Request::post(url),
        _ => Request::get(url),
    };
    let resp = builder
        .header("X-Requested-With", "XMLHttpRequest")
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| ApiError::network(e.to_string()))?;
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    if resp.ok() {
        Ok((status, text))
    } else {
        Err(ApiError::from_response(status, &resp.status_text(), &text))
    }
}

/// `GET /api/auth/{provider}/refresh`: a fresh token from the session cookie (the guest
/// provider signs in when there is no session).
pub async fn refresh(api: &ApiClient, provider: &str) -> Result<RefreshResponse, ApiError> {
    let (status, text) =
        session_call("GET", &api.url(&format!("/api/auth/{provider}/refresh"))).await?;
    serde_json::from_str(&text)
        .map_err(|e| ApiError::decode(status, format!("unexpected refresh response: {e}")))
}

/// `POST /api/auth/{provider}/logout`.
pub async fn logout(api: &ApiClient, provider: &str) -> Result<(), ApiError> {
    session_call("POST", &api.url(&format!("/api/auth/{provider}/logout")))
        .await
        .map(|_| ())
}

/// The URL starting a redirect sign-in with `provider` that comes back to `return_to`.
pub fn start_url(api: &ApiClient, provider: &str, return_to: &str) -> String {
    api.url(&format!(
        "/api/auth/{provider}/start?redirectUrl={}&flow=redirect",
        String::from(js_sys::encode_uri_component(return_to))
    ))
}

/// `GET /api/auth/me`.
pub async fn me(api: ApiClient) -> Result<Me, ApiError> {
    api.get_json("/api/auth/me").await
}

/// `GET /api/auth/tokens`.
pub async fn tokens(api: ApiClient) -> Result<Vec<ApiToken>, ApiError> {
    api.get_json::<Items<ApiToken>>("/api/auth/tokens")
        .await
        .map(|r| r.items)
}

/// `POST /api/auth/tokens`.
pub async fn create_token(api: ApiClient, body: CreateToken) -> Result<CreatedToken, ApiError> {
    api.post_json("/api/auth/tokens", &body).await
}

/// `DELETE /api/auth/tokens/{id}`.
pub async fn revoke_token(api: ApiClient, id: String) -> Result<(), ApiError> {
    api.delete(&format!("/api/auth/tokens/{id}")).await
}

/// `GET /api/auth/audit`.
pub async fn audit(api: ApiClient) -> Result<Vec<AuditEntry>, ApiError> {
    api.get_json::<Items<AuditEntry>>("/api/auth/audit")
        .await
        .map(|r| r.items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_decode_refresh_and_build_the_user() {
        let body = r#"{"profile":{"displayName":"Alice Admin","email":"alice@x"},"providerInfo":{},
          "backstageIdentity":{"token":"t","expiresInSeconds":3600,"identity":{"type":"user",
          "userEntityRef":"user:default/alice","ownershipEntityRefs":["user:default/alice","group:default/platform-admins"]}}}"#;
        let r: RefreshResponse = serde_json::from_str(body).unwrap();
        assert_eq!(r.backstage_identity.expires_in_seconds, 3600);
        let u = r.user("e2e");
        assert_eq!(u.provider, "e2e");
        assert_eq!(u.label(), "Alice Admin");
        assert_eq!(u.ownership_entity_refs.len(), 2);
    }

    #[test]
    fn should_decode_me_tokens_and_audit() {
        let me: Me = serde_json::from_str(
            r#"{"userEntityRef":"user:development/guest","ownershipEntityRefs":[],
            "roles":{"platformAdmin":false,"teams":[["group:default/payments","operator"]]},
            "profile":null,"apiToken":null}"#,
        )
        .unwrap();
        assert_eq!(me.roles.teams[0].1, "operator");
        let t: Items<ApiToken> = serde_json::from_str(
            r#"{"items":[{"id":"1","name":"ci","prefix":"bpt_abcd","scopes":["*:read"],
            "userEntityRef":"user:default/a","createdAt":"2026-11-25T10:00:00+00:00",
            "expiresAt":null,"lastUsedAt":null,"revokedAt":null}]}"#,
        )
        .unwrap();
        assert_eq!(t.items[0].prefix, "bpt_abcd");
        let a: Items<AuditEntry> = serde_json::from_str(
            r#"{"items":[{"id":3,"at":"2026-11-25T10:00:00Z","actor":"user:default/a","event":"auth.sign_in","details":{"provider":"guest"}}]}"#,
        )
        .unwrap();
        assert_eq!(a.items[0].event, "auth.sign_in");
        let body = serde_json::to_value(CreateToken {
            name: "ci".into(),
            scopes: vec!["*".into()],
            expires_in_days: Some(30),
        })
        .unwrap();
        assert_eq!(body["expiresInDays"], 30);
    }
}
