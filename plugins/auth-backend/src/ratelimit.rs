//! Per-client rate limiting for sign-in and token endpoints.

use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use backend_plugin_api::error::error_response;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

/// A keyed limiter (by client address).
#[derive(Clone)]
pub struct RateLimit(Arc<DefaultKeyedRateLimiter<IpAddr>>);

impl RateLimit {
    /// `per_minute` requests per minute per address, with that burst.
    pub fn per_minute(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self(Arc::new(RateLimiter::keyed(Quota::per_minute(n))))
    }
}

/// Middleware: 429 when the caller's address exceeded its quota.
pub async fn enforce(limit: RateLimit, req: Request, next: Next) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if limit.0.check_key(&ip).is_err() {
        let mut resp = error_response(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequestsError",
            "too many sign-in or token requests; try again in a minute".into(),
        );
        resp.headers_mut()
            .insert("retry-after", axum::http::HeaderValue::from_static("60"));
        return resp;
    }
    next.run(req).await
}
