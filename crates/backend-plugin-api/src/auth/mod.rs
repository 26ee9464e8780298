//! Authentication contract: who is calling ([`Identity`]), how bearer credentials are
//! verified ([`CredentialVerifier`], installed by the auth plugin through
//! [`AuthExtensionPoint`]), and which routes may be called anonymously
//! ([`Registrar::allow_anonymous`](crate::Registrar::allow_anonymous)).
//!
//! Deny by default: the host rejects every `/api/…` request and every claimed root path
//! without valid credentials (401), except the routes a plugin explicitly declared
//! anonymous at register time. Handlers read the caller with the [`Caller`] extractor.

mod middleware;

pub use middleware::{authenticate, AuthnState};

use crate::ApiError;
use async_trait::async_trait;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;
use std::sync::{Arc, RwLock};

/// How the caller authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A signed-in user with a session identity token.
    User,
    /// An API token created by `user_entity_ref`, limited to its scopes.
    ApiToken {
        /// Token id.
        id: String,
        /// Token name.
        name: String,
        /// Scopes such as `catalog:read`, `catalog:write`, `*:read`, `*`.
        scopes: Vec<String>,
    },
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// e.g. `user:default/jdoe`.
    pub user_entity_ref: String,
    /// The user plus every group it belongs to (lowercase refs).
    pub ownership_entity_refs: Vec<String>,
    /// How it authenticated.
    pub principal: Principal,
}

impl Identity {
    /// Whether this identity may use `permission_name` with `action` given its token
    /// scopes (users are unrestricted here; the policy decides).
    pub fn scope_allows(&self, permission_name: &str, action: &str) -> bool {
        match &self.principal {
            Principal::User => true,
            Principal::ApiToken { scopes, .. } => scopes
                .iter()
                .any(|s| scope_matches(s, permission_name, action)),
        }
    }
}

/// `scope` = `*` | `<plugin|*>:<read|write>`. `read` covers the `read` action; `write`
/// covers every action.
pub fn scope_matches(scope: &str, permission_name: &str, action: &str) -> bool {
    if scope == "*" {
        return true;
    }
    let Some((plugin, level)) = scope.split_once(':') else {
        return false;
    };
    let plugin_ok = plugin == "*"
        || permission_name == plugin
        || permission_name.starts_with(&format!("{plugin}."));
    let level_ok = match level {
        "write" => true,
        "read" => action == "read",
        _ => false,
    };
    plugin_ok && level_ok
}

/// Why credentials were rejected.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct AuthFailure(pub String);

/// Verifies `Authorization: Bearer` credentials.
#[async_trait]
pub trait CredentialVerifier: Send + Sync + 'static {
    /// Resolve a bearer credential (identity JWT or API token) to an identity.
    async fn verify(&self, bearer: &str) -> Result<Identity, AuthFailure>;
}

/// Extension point through which the auth plugin installs the [`CredentialVerifier`].
/// Without one, every protected request is refused.
#[derive(Default)]
pub struct AuthExtensionPoint {
    verifier: RwLock<Option<Arc<dyn CredentialVerifier>>>,
}

impl AuthExtensionPoint {
    /// Install the verifier (the auth plugin does this once).
    pub fn set_verifier(&self, verifier: Arc<dyn CredentialVerifier>) {
        *self.verifier.write().unwrap_or_else(|e| e.into_inner()) = Some(verifier);
    }

    /// The installed verifier.
    pub fn verifier(&self) -> Option<Arc<dyn CredentialVerifier>> {
        self.verifier
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// A route that may be called without credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnonymousRoute {
    /// Method, or any.
    pub method: Option<Method>,
    /// Absolute path pattern: `/api/auth/{provider}/start`; `{x}` matches one segment,
    /// a trailing `/*` matches any rest.
    pub pattern: String,
}

impl AnonymousRoute {
    /// Whether `method path` matches.
    pub fn matches(&self, method: &Method, path: &str) -> bool {
        if self.method.as_ref().is_some_and(|m| m != method) {
            return false;
        }
        path_matches(&self.pattern, path)
    }
}

/// Match a path against a pattern with `{param}` segments and an optional trailing `/*`.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let (pattern, wildcard) = match pattern.strip_suffix("/*") {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let mut pat = pattern.split('/');
    let mut segs = path.split('/');
    loop {
        match (pat.next(), segs.next()) {
            (None, None) => return true,
            (None, Some(_)) => return wildcard,
            (Some(_), None) => return false,
            (Some(p), Some(s)) => {
                let param = p.starts_with('{') && p.ends_with('}');
                if !(param && !s.is_empty() || p == s) {
                    return false;
                }
            }
        }
    }
}

/// Extractor for the authenticated caller; 401 when the request carries none.
#[derive(Debug, Clone)]
pub struct Caller(pub Identity);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Identity>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| ApiError::Authentication("sign-in required".into()))
    }
}

/// Extractor for an optional caller (anonymous routes that behave differently when
/// signed in).
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Identity>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeCaller(parts.extensions.get::<Identity>().cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_match_path_patterns() {
        assert!(path_matches("/api/auth/{p}/start", "/api/auth/guest/start"));
        assert!(!path_matches(
            "/api/auth/{p}/start",
            "/api/auth/guest/start/x"
        ));
        assert!(!path_matches("/api/auth/{p}/start", "/api/auth//start"));
        assert!(path_matches("/v1/modules/*", "/v1/modules/a/b/c"));
        assert!(path_matches("/v1/modules/*", "/v1/modules"));
        assert!(!path_matches("/healthz", "/healthz2"));
    }

    #[test]
    fn should_apply_token_scopes() {
        assert!(scope_matches("*", "catalog.entity.delete", "delete"));
        assert!(scope_matches("catalog:read", "catalog.entity.read", "read"));
        assert!(!scope_matches(
            "catalog:read",
            "catalog.location.create",
            "create"
        ));
        assert!(scope_matches(
            "catalog:write",
            "catalog.location.create",
            "create"
        ));
        assert!(!scope_matches(
            "catalog:write",
            "scaffolder.task.create",
            "create"
        ));
        assert!(scope_matches("*:read", "scaffolder.task.read", "read"));
        assert!(!scope_matches(
            "catalogx:read",
            "catalog.entity.read",
            "read"
        ));
        assert!(!scope_matches("bogus", "catalog.entity.read", "read"));
    }
}
