//! A small client of the catalog's REST API (`/api/catalog`), called with the user's
//! own bearer token so the catalog applies that user's permissions. The scaffolder does
//! not depend on the catalog plugin's crate.

use backend_plugin_api::ApiError;
use serde_json::{json, Value};
use std::time::Duration;

/// Talks to `<base>/entities/…` and `<base>/locations`.
#[derive(Clone)]
pub struct CatalogClient {
    http: reqwest::Client,
    base: String,
}

/// Why a catalog call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// HTTP status (0 when the catalog could not be reached).
    pub status: u16,
    /// Message (the catalog's `error.message` when it sent one).
    pub message: String,
}

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.status == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "catalog answered {}: {}", self.status, self.message)
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        match e.status {
            401 => ApiError::Authentication(e.message),
            403 => ApiError::NotAllowed(e.message),
            404 => ApiError::NotFound(e.message),
            400 => ApiError::Input(e.message),
            409 => ApiError::Conflict(e.message),
            _ => ApiError::ServiceUnavailable(format!("catalog unavailable: {e}")),
        }
    }
}

fn seg(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl CatalogClient {
    /// A client for the catalog API at `base` (e.g. `http://localhost:7007/api/catalog`).
    pub fn new(http: reqwest::Client, base: impl Into<String>) -> Self {
        Self {
            http,
            base: base.into().trim_end_matches('/').to_string(),
        }
    }

    /// Send with up to three attempts on transient failures (unreachable, 500, 503):
    /// the catalog's SQLite writes can briefly fail under concurrent load.
    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        token: Option<&str>,
    ) -> Result<Value, CatalogError> {
        let mut attempt = 0;
        loop {
            let Some(this) = req.try_clone() else {
                return self.send_once(req, token).await;
            };
            match self.send_once(this, token).await {
                Err(e) if attempt < 2 && matches!(e.status, 0 | 500 | 502 | 503) => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(150 * attempt)).await;
                }
                other => return other,
            }
        }
    }

    async fn send_once(
        &self,
        req: reqwest::RequestBuilder,
        token: Option<&str>,
    ) -> Result<Value, CatalogError> {
        let req = match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let resp = req
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(|e| CatalogError {
                status: 0,
                message: format!("cannot reach the catalog: {e}"),
            })?;
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !(200..300).contains(&status) {
            let message = body["error"]["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| text.chars().take(300).collect());
            return Err(CatalogError { status, message });
        }
        Ok(body)
    }

    /// `GET /entities/by-name/:kind/:ns/:name`; `None` on 404.
    pub async fn entity_by_name(
        &self,
        kind: &str,
        namespace: &str,
        name: &str,
        token: Option<&str>,
    ) -> Result<Option<Value>, CatalogError> {
        let url = format!(
            "{}/entities/by-name/{}/{}/{}",
            self.base,
            seg(kind),
            seg(namespace),
            seg(name)
        );
        match self.send(self.http.get(url), token).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.status == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /locations[?dryRun=true]` with `{type, target}`.
    pub async fn add_location(
        &self,
        location_type: &str,
        target: &str,
        dry_run: bool,
        token: Option<&str>,
    ) -> Result<Value, CatalogError> {
        let url = format!(
            "{}/locations{}",
            self.base,
            if dry_run { "?dryRun=true" } else { "" }
        );
        self.send(
            self.http
                .post(url)
                .json(&json!({"type": location_type, "target": target})),
            token,
        )
        .await
    }
}
