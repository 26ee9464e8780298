//! Routes under `/api/auth`.

use crate::handlers::{misc, session, tokens};
use crate::ratelimit::RateLimit;
use crate::AuthState;
use axum::middleware;
use axum::routing::{delete, get, post};
use axum::Router;

/// The router.
pub fn router(state: AuthState, limit: RateLimit) -> Router {
    let limited = Router::new()
        .route("/{provider}/start", get(session::start))
        .route("/{provider}/handler/frame", get(session::handler_frame))
        .route("/{provider}/refresh", get(session::refresh))
        .route("/{provider}/logout", post(session::logout))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", delete(tokens::revoke))
        .layer(middleware::from_fn(move |req, next| {
            crate::ratelimit::enforce(limit.clone(), req, next)
        }));
    Router::new()
        .route("/providers", get(misc::providers))
        .route("/.well-known/jwks.json", get(misc::jwks))
        .route("/v1/userinfo", get(misc::userinfo))
        .route("/me", get(misc::me))
        .route("/audit", get(misc::audit))
        .merge(limited)
        .with_state(state)
}
