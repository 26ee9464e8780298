//! [`ApiError`]: one error type for every handler, rendered as Backstage's error body.
//!
//! `IntoResponse` writes `{error:{name,message}, response:{statusCode}}` and stores the
//! body in a response extension; [`error_body_layer`] (applied by the host and by test
//! harnesses) adds `request:{method,url}` and turns any other non-JSON 4xx/5xx under
//! `/api` (axum rejections, 405, 413, timeouts) into the same shape.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use portal_types::{ErrorBody, ErrorRequest};

/// A request failed. Each variant maps to a Backstage error name and status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `InputError`: the caller sent something invalid.
    #[error("{0}")]
    Input(String),
    /// 401 `AuthenticationError`.
    #[error("{0}")]
    Authentication(String),
    /// 403 `NotAllowedError`.
    #[error("{0}")]
    NotAllowed(String),
    /// 404 `NotFoundError`.
    #[error("{0}")]
    NotFound(String),
    /// 409 `ConflictError`.
    #[error("{0}")]
    Conflict(String),
    /// 413 `PayloadTooLargeError`.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 429 `TooManyRequestsError`.
    #[error("{0}")]
    TooManyRequests(String),
    /// 503 `ServiceUnavailableError`.
    #[error("{0}")]
    ServiceUnavailable(String),
    /// 500: the message is logged, the caller sees a generic message.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// Shorthand for [`ApiError::Input`].
    pub fn input(msg: impl Into<String>) -> Self {
        Self::Input(msg.into())
    }
    /// Shorthand for [`ApiError::NotFound`].
    pub fn not_found(msg: impl Into<String>) -> Self {
        Self::NotFound(msg.into())
    }
    /// Shorthand for [`ApiError::Conflict`].
    pub fn conflict(msg: impl Into<String>) -> Self {
        Self::Conflict(msg.into())
    }
    /// Shorthand for [`ApiError::Internal`].
    pub fn internal(msg: impl std::fmt::Display) -> Self {
        Self::Internal(msg.to_string())
    }

    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Input(_) => StatusCode::BAD_REQUEST,
            Self::Authentication(_) => StatusCode::UNAUTHORIZED,
            Self::NotAllowed(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Backstage error class name.
    pub fn name(&self) -> &'static str {
        name_for_status(self.status())
    }
}

/// The Backstage error name for a status code.
pub fn name_for_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "InputError",
        401 => "AuthenticationError",
        403 => "NotAllowedError",
        404 => "NotFoundError",
        405 => "MethodNotAllowedError",
        408 | 504 => "TimeoutError",
        409 => "ConflictError",
        413 => "PayloadTooLargeError",
        429 => "TooManyRequestsError",
        503 => "ServiceUnavailableError",
        _ => "Error",
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(format!("database: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            Self::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                "An internal error occurred; see the server log".to_string()
            }
            other => other.to_string(),
        };
        error_response(status, self.name(), message)
    }
}

/// Build an error response with the Backstage body (without `request`, which
/// [`error_body_layer`] adds).
pub fn error_response(status: StatusCode, name: &str, message: String) -> Response {
    let body = ErrorBody::new(status.as_u16(), name, message);
    let mut resp = (status, axum::Json(&body)).into_response();
    resp.extensions_mut().insert(body);
    resp
}

/// Middleware: complete error bodies with the request and normalise non-JSON API errors.
pub async fn error_body_layer(req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let url = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let is_api = req.uri().path().starts_with("/api/") || req.uri().path() == "/api";
    let resp = next.run(req).await;
    let status = resp.status();
    if let Some(mut body) = resp.extensions().get::<ErrorBody>().cloned() {
        body.request = Some(ErrorRequest { method, url });
        return rebuild(resp, &body);
    }
    if is_api && (status.is_client_error() || status.is_server_error()) {
        // Plain-text or empty bodies (axum rejections, 405, 413, timeouts) become
        // Backstage bodies; JSON and deliberate HTML pages (sign-in errors) stay as they are.
        let plain = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| v.starts_with("text/plain"));
        if plain {
            let (parts, raw) = resp.into_parts();
            let text = axum::body::to_bytes(raw, 64 * 1024)
                .await
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&text).trim().to_string();
            let message = if text.is_empty() {
                status.canonical_reason().unwrap_or("Error").to_string()
            } else {
                text
            };
            let mut body = ErrorBody::new(status.as_u16(), name_for_status(status), message);
            body.request = Some(ErrorRequest { method, url });
            return rebuild(Response::from_parts(parts, Body::empty()), &body);
        }
    }
    resp
}

fn rebuild(resp: Response, body: &ErrorBody) -> Response {
    let (mut parts, _) = resp.into_parts();
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{routing::get, Router};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn body_json(resp: Response) -> serde_json::Value {
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    fn app() -> Router {
        Router::new()
            .route(
                "/api/x/bad",
                get(|| async { Err::<(), _>(ApiError::input("bad filter")) }),
            )
            .route(
                "/api/x/text",
                get(|| async { (StatusCode::BAD_REQUEST, "plain text") }),
            )
            .route(
                "/api/x/html",
                get(|| async {
                    (
                        StatusCode::UNAUTHORIZED,
                        axum::response::Html("<h1>Sign-in failed</h1>"),
                    )
                }),
            )
            .layer(axum::middleware::from_fn(error_body_layer))
    }

    #[tokio::test]
    async fn should_render_backstage_error_body_with_request() {
        let resp = app()
            .oneshot(
                Request::get("/api/x/bad?filter=")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        assert_eq!(
            body_json(resp).await,
            serde_json::json!({
                "error": {"name": "InputError", "message": "bad filter"},
                "request": {"method": "GET", "url": "/api/x/bad?filter="},
                "response": {"statusCode": 400}
            })
        );
    }

    #[tokio::test]
    async fn should_normalise_plain_text_errors() {
        let resp = app()
            .oneshot(Request::get("/api/x/text").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let json = body_json(resp).await;
        assert_eq!(json["error"]["name"], "InputError");
        assert_eq!(json["error"]["message"], "plain text");
        assert_eq!(json["response"]["statusCode"], 400);
    }

    #[tokio::test]
    async fn should_keep_html_error_pages() {
        let resp = app()
            .oneshot(Request::get("/api/x/html").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&bytes[..], b"<h1>Sign-in failed</h1>");
    }

    #[tokio::test]
    async fn should_hide_internal_details() {
        let resp = ApiError::internal("secret stack").into_response();
        assert_eq!(resp.status(), 500);
        let json = body_json(resp).await;
        assert!(!json.to_string().contains("secret"));
    }
}
