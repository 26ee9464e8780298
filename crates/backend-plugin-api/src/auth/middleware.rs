//! Deny-by-default authentication middleware.
//!
//! Every request under a plugin's `/api/<id>` mount, `/api/plugins`, and every claimed
//! root path needs valid `Authorization: Bearer` credentials (identity JWT or API token,
//! verified by the installed [`CredentialVerifier`](super::CredentialVerifier)),
//! unless a plugin declared the route anonymous. `/healthz`, `/readyz`, unknown `/api`
//! paths (404) and the SPA's static files are public.

use super::{path_matches, AnonymousRoute, AuthExtensionPoint};
use crate::error::error_response;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// What the middleware needs.
#[derive(Clone)]
pub struct AuthnState {
    /// Where the verifier lives.
    pub auth: Arc<AuthExtensionPoint>,
    /// Declared anonymous routes.
    pub anonymous: Arc<Vec<AnonymousRoute>>,
    /// Protected prefixes: `/api/<id>` for every plugin, plus `/api/plugins`.
    pub protected_prefixes: Arc<Vec<String>>,
    /// Claimed root path patterns.
    pub root_paths: Arc<Vec<String>>,
}

impl AuthnState {
    fn is_protected(&self, path: &str) -> bool {
        self.protected_prefixes
            .iter()
            .any(|p| path == p || path.starts_with(&format!("{p}/")))
            || self.root_paths.iter().any(|r| path_matches(r, path))
    }
}

/// The middleware.
pub async fn authenticate(state: AuthnState, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let protected = state.is_protected(&path);
    let anonymous_ok = state
        .anonymous
        .iter()
        .any(|r| r.matches(req.method(), &path));
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    if let Some(token) = bearer {
        match state.auth.verifier() {
            Some(verifier) => match verifier.verify(&token).await {
                Ok(identity) => {
                    req.extensions_mut().insert(identity);
                }
                Err(e) if protected && !anonymous_ok => {
                    return unauthorized(&format!("invalid credentials: {e}"));
                }
                Err(_) => {}
            },
            None if protected && !anonymous_ok => {
                return unauthorized("no authentication provider is installed");
            }
            None => {}
        }
    } else if protected && !anonymous_ok {
        return unauthorized(
            "missing credentials: sign in, or send `Authorization: Bearer <token>`",
        );
    }
    next.run(req).await
}

fn unauthorized(message: &str) -> Response {
    let mut resp = error_response(
        StatusCode::UNAUTHORIZED,
        "AuthenticationError",
        message.to_string(),
    );
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer realm=\"butler-portal\""),
    );
    resp
}
