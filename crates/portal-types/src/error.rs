//! Backstage's error body: `{error:{name,message}, request:{method,url}, response:{statusCode}}`.

use serde::{Deserialize, Serialize};

/// The JSON body of every error response, byte-compatible with Backstage's
/// `serializeError` output so Backstage clients map errors unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetails,
    /// The request that failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request: Option<ErrorRequest>,
    /// The response status.
    pub response: ErrorResponse,
}

/// The `error` part of [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetails {
    /// Backstage error class name, e.g. `InputError`, `NotFoundError`.
    pub name: String,
    /// Human readable message.
    pub message: String,
    /// Optional machine-readable code.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub code: Option<String>,
}

/// The `request` part of [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorRequest {
    /// HTTP method.
    pub method: String,
    /// Request URL (path and query).
    pub url: String,
}

/// The `response` part of [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// HTTP status code.
    #[serde(rename = "statusCode")]
    pub status_code: u16,
}

impl ErrorBody {
    /// Build an error body.
    pub fn new(status_code: u16, name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetails {
                name: name.into(),
                message: message.into(),
                code: None,
            },
            request: None,
            response: ErrorResponse { status_code },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_serialize_like_backstage() {
        let mut body = ErrorBody::new(404, "NotFoundError", "no such thing");
        body.request = Some(ErrorRequest {
            method: "GET".into(),
            url: "/api/nope".into(),
        });
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "error": {"name": "NotFoundError", "message": "no such thing"},
                "request": {"method": "GET", "url": "/api/nope"},
                "response": {"statusCode": 404}
            })
        );
    }
}
