//! Typed HTTP client for the portal backend, and the one error type of the frontend.

use std::fmt;
use std::sync::{Arc, RwLock};

use gloo_net::http::{Request, RequestBuilder};
use leptos::prelude::{provide_context, use_context};
use portal_types::ErrorBody;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Every failure of an API call: transport errors (status 0), HTTP errors (decoded from
/// Backstage's error body when present) and undecodable responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status, `0` when no response arrived.
    pub status: u16,
    /// Backstage error class (`NotFoundError`, `InputError`, …) or a generic name.
    pub name: String,
    /// Human readable message.
    pub message: String,
}

impl ApiError {
    /// A transport-level failure (no response).
    pub fn network(message: impl Into<String>) -> Self {
        Self {
            status: 0,
            name: "NetworkError".into(),
            message: message.into(),
        }
    }

    /// A response body that does not decode.
    pub fn decode(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            name: "ResponseError".into(),
            message: message.into(),
        }
    }

    /// Build the error for a non-success response: Backstage's
    /// `{error:{name,message}, response:{statusCode}}` body when it decodes, else the
    /// short plain-text body, else the status text.
    pub fn from_response(status: u16, status_text: &str, body: &str) -> Self {
        if let Ok(b) = serde_json::from_str::<ErrorBody>(body) {
            return Self {
                status,
                name: b.error.name,
                message: b.error.message,
            };
        }
        let body = body.trim();
        let message = if !body.is_empty() && body.len() <= 200 && !body.starts_with('<') {
            body.to_string()
        } else if !status_text.is_empty() {
            status_text.to_string()
        } else {
            format!("request failed with status {status}")
        };
        Self {
            status,
            name: default_name(status).into(),
            message,
        }
    }

    /// 404.
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    /// 401.
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }
}

fn default_name(status: u16) -> &'static str {
    match status {
        400 => "InputError",
        401 => "AuthenticationError",
        403 => "NotAllowedError",
        404 => "NotFoundError",
        409 => "ConflictError",
        503 => "ServiceUnavailableError",
        _ => "ResponseError",
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.status == 0 {
            write!(f, "{}: {}", self.name, self.message)
        } else {
            write!(f, "{} ({}): {}", self.name, self.status, self.message)
        }
    }
}

impl std::error::Error for ApiError {}

type Handler = Arc<dyn Fn() + Send + Sync>;

struct Inner {
    base_url: String,
    token: RwLock<Option<String>>,
    on_unauthorized: RwLock<Option<Handler>>,
}

/// Typed JSON client for the portal backend. Cheap to clone (shared state): the bearer
/// token set with [`ApiClient::set_token`] is sent by every clone, and the handler set
/// with [`ApiClient::on_unauthorized`] runs on every 401.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

impl Default for ApiClient {
    fn default() -> Self {
        Self::new("")
    }
}

impl ApiClient {
    /// A client for `base_url` (`""` = same origin). Paths passed to the methods are
    /// appended verbatim, e.g. `/api/catalog/entities`.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            inner: Arc::new(Inner {
                base_url: base_url.into().trim_end_matches('/').to_string(),
                token: RwLock::new(None),
                on_unauthorized: RwLock::new(None),
            }),
        }
    }

    /// Set or clear the bearer token sent as `Authorization: Bearer <token>`.
    pub fn set_token(&self, token: Option<String>) {
        if let Ok(mut t) = self.inner.token.write() {
            *t = token;
        }
    }

    /// The current bearer token.
    pub fn token(&self) -> Option<String> {
        self.inner.token.read().ok().and_then(|t| t.clone())
    }

    /// Register the handler called whenever a response is 401 (e.g. to show sign-in).
    pub fn on_unauthorized(&self, handler: impl Fn() + Send + Sync + 'static) {
        if let Ok(mut h) = self.inner.on_unauthorized.write() {
            *h = Some(Arc::new(handler));
        }
    }

    /// The absolute or origin-relative URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.inner.base_url, path)
    }

    /// `GET path`, decoding a JSON body.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        self.get_json_allowing(path, &[]).await
    }

    /// `GET path`, decoding the JSON body also for the listed non-2xx statuses (e.g.
    /// `/readyz` answers 503 with a `Readiness` body).
    pub async fn get_json_allowing<T: DeserializeOwned>(
        &self,
        path: &str,
        also_ok: &[u16],
    ) -> Result<T, ApiError> {
        let (status, body) = self
            .send(Request::get(&self.url(path)), None, also_ok)
            .await?;
        decode_json(status, &body)
    }

    /// `POST path` with a JSON body, decoding a JSON response (`()` accepts an empty one).
    pub async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let json = encode(body)?;
        let (status, text) = self
            .send(Request::post(&self.url(path)), Some(json), &[])
            .await?;
        decode_json(status, &text)
    }

    /// `PUT path` with a JSON body, decoding a JSON response (`()` accepts an empty one).
    pub async fn put_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let json = encode(body)?;
        let (status, text) = self
            .send(Request::put(&self.url(path)), Some(json), &[])
            .await?;
        decode_json(status, &text)
    }

    /// `DELETE path`, ignoring any response body.
    pub async fn delete(&self, path: &str) -> Result<(), ApiError> {
        self.send(Request::delete(&self.url(path)), None, &[])
            .await
            .map(|_| ())
    }

    async fn send(
        &self,
        mut req: RequestBuilder,
        json: Option<String>,
        also_ok: &[u16],
    ) -> Result<(u16, String), ApiError> {
        req = req.header("Accept", "application/json");
        if let Some(token) = self.token() {
            req = req.header("Authorization", &format!("Bearer {token}"));
        }
        let request = match json {
            Some(body) => req
                .header("Content-Type", "application/json")
                .body(body)
                .map_err(|e| ApiError::network(e.to_string()))?,
            None => req.build().map_err(|e| ApiError::network(e.to_string()))?,
        };
        let resp = request
            .send()
            .await
            .map_err(|e| ApiError::network(e.to_string()))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if resp.ok() || also_ok.contains(&status) {
            return Ok((status, text));
        }
        if status == 401 {
            let handler = self
                .inner
                .on_unauthorized
                .read()
                .ok()
                .and_then(|h| h.clone());
            if let Some(handler) = handler {
                handler();
            }
        }
        Err(ApiError::from_response(status, &resp.status_text(), &text))
    }
}

fn encode<B: Serialize>(body: &B) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(|e| ApiError::decode(0, format!("cannot encode: {e}")))
}

fn decode_json<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, ApiError> {
    let body = if body.trim().is_empty() { "null" } else { body };
    serde_json::from_str(body)
        .map_err(|e| ApiError::decode(status, format!("unexpected response: {e}")))
}

/// Provide `client` to the component tree (the shell does this once).
pub fn provide_api_client(client: ApiClient) {
    provide_context(client);
}

/// The shell's [`ApiClient`], or a same-origin client outside the shell.
pub fn use_api() -> ApiClient {
    use_context::<ApiClient>().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_decode_backstage_error_bodies() {
        let body = r#"{"error":{"name":"NotFoundError","message":"no entity x"},
            "request":{"method":"GET","url":"/api/x"},"response":{"statusCode":404}}"#;
        let e = ApiError::from_response(404, "Not Found", body);
        assert_eq!(e.name, "NotFoundError");
        assert_eq!(e.message, "no entity x");
        assert!(e.is_not_found());
        assert_eq!(e.to_string(), "NotFoundError (404): no entity x");
    }

    #[test]
    fn should_fall_back_to_text_then_status_text() {
        let e = ApiError::from_response(502, "Bad Gateway", "upstream down");
        assert_eq!(
            (e.name.as_str(), e.message.as_str()),
            ("ResponseError", "upstream down")
        );
        let e = ApiError::from_response(500, "Internal Server Error", "<html>…</html>");
        assert_eq!(e.message, "Internal Server Error");
        let e = ApiError::from_response(401, "", "");
        assert!(e.is_unauthorized());
        assert_eq!(e.message, "request failed with status 401");
        assert_eq!(
            ApiError::network("offline").to_string(),
            "NetworkError: offline"
        );
    }

    #[test]
    fn should_decode_empty_bodies_as_unit() {
        let () = decode_json::<()>(204, "").unwrap();
        assert!(decode_json::<u32>(200, "nope").is_err());
    }

    #[test]
    fn should_share_token_between_clones() {
        let a = ApiClient::new("http://x/");
        let b = a.clone();
        a.set_token(Some("t".into()));
        assert_eq!(b.token().as_deref(), Some("t"));
        assert_eq!(b.url("/api/y"), "http://x/api/y");
        b.set_token(None);
        assert_eq!(a.token(), None);
    }
}
