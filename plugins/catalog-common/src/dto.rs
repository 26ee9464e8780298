//! REST wire types of `/api/catalog`, exactly as Backstage's catalog-client expects.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// `GET /entities/by-query` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryEntitiesResponse {
    /// The page (possibly projected with `fields`).
    pub items: Vec<Value>,
    /// Matches over all pages.
    pub total_items: u64,
    /// Cursors.
    pub page_info: PageInfo,
}

/// Cursors of a page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// Cursor of the next page, absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Cursor of the previous page, absent on the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_cursor: Option<String>,
}

/// One facet value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    /// The value as written in the entity.
    pub value: String,
    /// How many entities carry it.
    pub count: u64,
}

/// `GET /entity-facets` response.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FacetsResponse {
    /// Per requested facet.
    pub facets: BTreeMap<String, Vec<FacetValue>>,
}

/// A registered location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Id (uuid).
    pub id: String,
    /// `url` or `file`.
    #[serde(rename = "type")]
    pub location_type: String,
    /// URL or path.
    pub target: String,
}

/// An item of `GET /locations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationEntry {
    /// The location.
    pub data: Location,
}

/// A location to add or analyze.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationSpec {
    /// `url` or `file`; defaults to `url`.
    #[serde(rename = "type", default = "default_location_type")]
    pub location_type: String,
    /// URL or path.
    pub target: String,
    /// `required` (default) or `optional`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence: Option<String>,
}

fn default_location_type() -> String {
    "url".into()
}

/// `POST /locations` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddLocationResponse {
    /// The (would-be) location.
    pub location: Location,
    /// Entities read from it (dry run) or `[]`.
    pub entities: Vec<Value>,
    /// Dry run: whether it is already registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
}

/// `POST /entities/by-refs` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitiesByRefsRequest {
    /// Refs, in the order the answer must follow.
    pub entity_refs: Vec<String>,
    /// Optional projection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

/// `POST /entities/by-refs` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitiesByRefsResponse {
    /// One item (or null) per requested ref.
    pub items: Vec<Option<Value>>,
}

/// `GET …/ancestry` item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AncestryItem {
    /// The entity.
    pub entity: Value,
    /// Refs of its parents.
    pub parent_entity_refs: Vec<String>,
}

/// `GET …/ancestry` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AncestryResponse {
    /// The entity asked about.
    pub root_entity_ref: String,
    /// It and its ancestors.
    pub items: Vec<AncestryItem>,
}

/// `POST /refresh` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    /// The entity to refresh.
    pub entity_ref: String,
    /// Ignored (Backstage compatibility).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_token: Option<String>,
}

/// `POST /validate-entity` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidateEntityRequest {
    /// The entity to check.
    pub entity: Value,
    /// Its location ref, e.g. `url:https://…`.
    pub location: String,
}

/// A serialized error (`{name, message}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SerializedError {
    /// Error class name, e.g. `InputError`.
    pub name: String,
    /// Message.
    pub message: String,
}

/// `POST /validate-entity` 400 body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidateEntityErrors {
    /// Every problem.
    pub errors: Vec<SerializedError>,
}

/// `POST /analyze-location` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeLocationRequest {
    /// What to analyze.
    pub location: LocationSpec,
    /// File name to look for (default `catalog-info.yaml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog_filename: Option<String>,
}

/// An existing entity file found by analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeLocationExistingEntity {
    /// Where it was found.
    pub location: LocationSpec,
    /// Whether that location is already registered.
    pub is_registered: bool,
    /// The entity.
    pub entity: Value,
}

/// `POST /analyze-location` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeLocationResponse {
    /// Entities already described at the location.
    pub existing_entity_files: Vec<AnalyzeLocationExistingEntity>,
    /// Suggested entities (none here).
    pub generate_entities: Vec<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_use_backstage_field_names() {
        let r = QueryEntitiesResponse {
            items: vec![],
            total_items: 3,
            page_info: PageInfo {
                next_cursor: Some("c".into()),
                prev_cursor: None,
            },
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"items": [], "totalItems": 3, "pageInfo": {"nextCursor": "c"}})
        );
        let l: LocationSpec = serde_json::from_value(json!({"target": "https://x"})).unwrap();
        assert_eq!(l.location_type, "url");
        let e = LocationEntry {
            data: Location {
                id: "1".into(),
                location_type: "file".into(),
                target: "t".into(),
            },
        };
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"data": {"id": "1", "type": "file", "target": "t"}})
        );
    }
}
