//! Router assembly: system routes, plugin mounts, `/api` 404, SPA, and the layers
//! (request ids, tracing, compression, body limit, timeouts, panic safety, error bodies).

use crate::config::BackendSection;
use crate::{spa, system};
use axum::extract::Request;
use axum::http::{header, HeaderName, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use backend_plugin_api::auth::{authenticate, AuthnState};
use backend_plugin_api::error::{error_body_layer, error_response};
use backend_plugin_api::{ApiError, Database, Migrations};
use portal_types::InstalledPlugin;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// State of the host's own routes.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub database: Database,
    /// Every plugin's migrations (for readiness).
    pub migrations: Arc<Vec<(&'static str, Migrations)>>,
    /// `GET /api/plugins`.
    pub plugins: Arc<Vec<InstalledPlugin>>,
    /// Portal version.
    pub version: &'static str,
    /// Readiness checks contributed by plugins.
    pub readiness: Arc<backend_plugin_api::readiness::ReadinessExtensionPoint>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Assemble the whole application router.
pub fn build_router(
    state: AppState,
    plugin_routers: Vec<(&'static str, &'static str, Router)>,
    root_paths: &[(String, &'static str)],
    dist: &Path,
    backend: &BackendSection,
    authn: AuthnState,
) -> Router {
    let mut api = Router::new();
    let mut root = Router::new();
    for (id, _, router) in plugin_routers {
        for (path, owner) in root_paths {
            if *owner == id {
                root = match path.strip_suffix("/*") {
                    Some(prefix) => root
                        .route_service(prefix, router.clone())
                        .route_service(&format!("{prefix}/{{*rest}}"), router.clone()),
                    None => root.route_service(path, router.clone()),
                };
            }
        }
        api = api.nest(&format!("/api/{id}"), router);
    }
    let timeout = Duration::from_secs(backend.request_timeout_seconds.max(1));
    let system = Router::new()
        .route("/healthz", get(system::healthz))
        .route("/readyz", get(system::readyz))
        .route("/api/plugins", get(system::plugins))
        .with_state(state);
    Router::new()
        .merge(system)
        .merge(api)
        .merge(root)
        .route("/api", get(api_not_found))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .fallback_service(spa::service(dist))
        .layer(middleware::from_fn(move |req, next| {
            timeout_unless_streaming(timeout, req, next)
        }))
        .layer(middleware::from_fn(move |req, next| {
            authenticate(authn.clone(), req, next)
        }))
        .layer(middleware::from_fn(error_body_layer))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("handler panicked").into_response()
        }))
        .layer(RequestBodyLimitLayer::new(backend.body_limit_bytes))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

async fn api_not_found(req: Request) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "NotFoundError",
        format!("No API route for {} {}", req.method(), req.uri().path()),
    )
}

/// Apply the request timeout, except to WebSocket upgrades and event streams.
async fn timeout_unless_streaming(timeout: Duration, req: Request, next: Next) -> Response {
    let streaming = req.headers().contains_key(header::UPGRADE)
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/event-stream"));
    if streaming {
        return next.run(req).await;
    }
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailableError",
            format!("request timed out after {}s", timeout.as_secs()),
        ),
    }
}
