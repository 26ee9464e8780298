//! Serving the single-page app: files from `dist/`, `index.html` for client routes.

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::routing::get_service;
use axum::Router;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// A service serving `dist` with an `index.html` fallback, or an explanatory page when
/// the app has not been built.
pub fn service(dist: &Path) -> Router {
    let index = dist.join("index.html");
    if !index.is_file() {
        return Router::new().fallback(|| async {
            Response::builder()
                .status(StatusCode::SERVICE_UNAVAILABLE)
                .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                .body(Body::from(
                    "<!doctype html><title>Butler Portal</title><h1>Butler Portal</h1>\
                     <p>The web app has not been built. Run <code>cargo xtask run</code>, \
                     or pass <code>--dist-dir</code>.</p>",
                ))
                .unwrap_or_default()
        });
    }
    let serve = ServeDir::new(dist)
        .precompressed_gzip()
        .precompressed_br()
        .fallback(ServeFile::new(index));
    Router::new()
        .fallback_service(get_service(serve))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            cache_control,
        ))
}

fn cache_control<B>(resp: &Response<B>) -> Option<HeaderValue> {
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    Some(HeaderValue::from_static(if is_html {
        "no-cache"
    } else {
        "public, max-age=3600"
    }))
}
