//! HTTP handlers of `/api/catalog`, grouped by resource.

pub mod entities;
pub mod locations;
pub mod misc;

use crate::processing::Engine;
use backend_plugin_api::{ApiError, PermissionService};
use serde_json::Value;
use std::sync::Arc;

/// State shared by every handler.
#[derive(Clone)]
pub struct CatalogState {
    /// The engine.
    pub engine: Arc<Engine>,
    /// The central permission service.
    pub permissions: Arc<PermissionService>,
}

/// Query parameters in order, with repeats (`filter=a&filter=b`).
#[derive(Debug, Default, Clone)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// Parse a raw query string.
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// Every value of `key`.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The last value of `key`.
    pub fn one(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    /// A positive integer (`limit`).
    pub fn limit(&self, key: &str) -> Result<Option<u64>, ApiError> {
        match self.one(key) {
            None => Ok(None),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if n > 0 => Ok(Some(n as u64)),
                Ok(_) => Err(ApiError::input(format!(
                    "Invalid {key}, must be a positive integer but got '{v}'"
                ))),
                Err(_) => Err(ApiError::input(format!(
                    "Invalid {key}, not an integer: '{v}'"
                ))),
            },
        }
    }

    /// A non-negative integer (`offset`).
    pub fn offset(&self, key: &str) -> Result<Option<u64>, ApiError> {
        match self.one(key) {
            None => Ok(None),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if n >= 0 => Ok(Some(n as u64)),
                Ok(_) => Err(ApiError::input(format!(
                    "Invalid {key}, must be zero or more but got '{v}'"
                ))),
                Err(_) => Err(ApiError::input(format!(
                    "Invalid {key}, not an integer: '{v}'"
                ))),
            },
        }
    }
}

/// Parse a stored final entity.
pub fn parse_entity(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or(Value::Null)
}
