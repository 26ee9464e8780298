//! Opaque cursors: base64 of JSON holding the query and the keyset boundary.

use crate::store::entities::{Boundary, EntityQuery};
use backend_plugin_api::ApiError;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// A pagination cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The query the pages belong to. Serialized as `q`: catalog-client treats cursors
    /// holding a top-level `query` as predicate cursors (POST /entities/by-query).
    #[serde(rename = "q")]
    pub query: EntityQuery,
    /// Sort values of the boundary item.
    pub values: Vec<String>,
    /// Previous-page cursor?
    pub backward: bool,
    /// Total matches, computed on the first page.
    pub total: u64,
    /// Page size used when the request does not repeat `limit`.
    #[serde(default)]
    pub limit: Option<u64>,
}

impl Cursor {
    /// Encode as base64 JSON.
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::STANDARD
            .encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Decode; any problem is an `InputError`.
    pub fn decode(s: &str) -> Result<Self, ApiError> {
        if s.trim().is_empty() {
            return Err(ApiError::input("Invalid cursor, must not be empty"));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(s.trim()))
            .map_err(|e| ApiError::input(format!("Malformed cursor: not base64 ({e})")))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::input(format!("Malformed cursor: {e}")))
    }

    /// The keyset boundary.
    pub fn boundary(&self) -> Boundary {
        Boundary {
            values: self.values.clone(),
            backward: self.backward,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_round_trip_and_reject_garbage() {
        let c = Cursor {
            query: EntityQuery::default(),
            values: vec!["a".into()],
            backward: true,
            total: 3,
            limit: Some(2),
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode("!!!").is_err());
        assert!(Cursor::decode("e30=").is_err());
        assert!(Cursor::decode("").is_err());
    }
}
