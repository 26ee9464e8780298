//! The Backstage entity envelope and entity references.
//!
//! Validation rules and kind schemas live in `catalog-common`; this module holds only
//! the wire shape so every crate (including the frontend plugin API) can name an entity.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// A catalog entity: `{apiVersion, kind, metadata, spec?, relations?, status?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// e.g. `backstage.io/v1alpha1`.
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// e.g. `Component`.
    pub kind: String,
    /// Name, namespace, labels, annotations …
    pub metadata: EntityMeta,
    /// Kind-specific body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<Value>,
    /// Relations computed by the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relations: Option<Vec<EntityRelation>>,
    /// Processing status (errors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

/// `metadata` of an [`Entity`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EntityMeta {
    /// Entity name.
    pub name: String,
    /// Namespace; `default` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Server-assigned id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Server-assigned etag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Display title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<Value>>,
    /// Any other metadata field, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One relation: `{type, targetRef}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityRelation {
    /// e.g. `ownedBy`.
    #[serde(rename = "type")]
    pub relation_type: String,
    /// Canonical target ref, e.g. `group:default/team-a`.
    #[serde(rename = "targetRef")]
    pub target_ref: String,
}

impl Entity {
    /// The entity's namespace, `default` when unset.
    pub fn namespace(&self) -> &str {
        self.metadata.namespace.as_deref().unwrap_or("default")
    }

    /// The canonical lowercase ref `kind:namespace/name`.
    pub fn entity_ref(&self) -> EntityRef {
        EntityRef::new(&self.kind, self.namespace(), &self.metadata.name)
    }

    /// A string field of `spec`, if present.
    pub fn spec_str(&self, key: &str) -> Option<&str> {
        self.spec.as_ref()?.get(key)?.as_str()
    }
}

/// A parsed entity reference `kind:namespace/name` (stored lowercase).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntityRef {
    /// Kind, lowercase.
    pub kind: String,
    /// Namespace, lowercase.
    pub namespace: String,
    /// Name, lowercase.
    pub name: String,
}

/// Why a ref string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRefError(pub String);

impl fmt::Display for EntityRefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EntityRefError {}

impl EntityRef {
    /// Build a ref, lowercasing every part.
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        Self {
            kind: kind.to_ascii_lowercase(),
            namespace: namespace.to_ascii_lowercase(),
            name: name.to_ascii_lowercase(),
        }
    }

    /// Parse `[kind:][namespace/]name` as Backstage's `parseEntityRef` does: when `/`
    /// comes before `:`, no kind is parsed. Missing parts take the defaults.
    pub fn parse(
        s: &str,
        default_kind: Option<&str>,
        default_namespace: Option<&str>,
    ) -> Result<Self, EntityRefError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(EntityRefError("entity reference must not be empty".into()));
        }
        let colon = s.find(':');
        let slash = s.find('/');
        let (kind, rest) = match (colon, slash) {
            (Some(c), Some(sl)) if sl < c => (None, s),
            (Some(c), _) => (Some(&s[..c]), &s[c + 1..]),
            (None, _) => (None, s),
        };
        let (namespace, name) = match rest.find('/') {
            Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
            None => (None, rest),
        };
        let kind = match kind.or(default_kind) {
            Some(k) if !k.is_empty() => k,
            _ => {
                return Err(EntityRefError(format!(
                    "entity reference \"{s}\" had missing or empty kind (e.g. did not start with \"component:\" or similar)"
                )))
            }
        };
        let namespace = match namespace {
            Some("") => {
                return Err(EntityRefError(format!(
                    "entity reference \"{s}\" had empty namespace"
                )))
            }
            Some(ns) => ns,
            None => default_namespace.unwrap_or("default"),
        };
        if name.is_empty() {
            return Err(EntityRefError(format!(
                "entity reference \"{s}\" had missing or empty name"
            )));
        }
        if name.contains(':') || name.contains('/') {
            return Err(EntityRefError(format!(
                "entity reference \"{s}\" is not of the form [kind:][namespace/]name"
            )));
        }
        Ok(Self::new(kind, namespace, name))
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind, self.namespace, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_parse_refs_with_defaults() {
        let r = EntityRef::parse("Component:Default/Foo", None, None).unwrap();
        assert_eq!(r.to_string(), "component:default/foo");
        let r = EntityRef::parse("foo", Some("Group"), None).unwrap();
        assert_eq!(r.to_string(), "group:default/foo");
        let r = EntityRef::parse("ns/foo", Some("user"), Some("x")).unwrap();
        assert_eq!(r.to_string(), "user:ns/foo");
        let r = EntityRef::parse("foo", Some("user"), Some("x")).unwrap();
        assert_eq!(r.to_string(), "user:x/foo");
    }

    #[test]
    fn should_reject_refs_without_kind_or_name() {
        assert!(EntityRef::parse("foo", None, None).is_err());
        assert!(EntityRef::parse("component:", None, None).is_err());
        assert!(EntityRef::parse("", Some("a"), None).is_err());
        assert!(EntityRef::parse("a:/b", None, None).is_err());
    }

    #[test]
    fn should_round_trip_entity_json() {
        let v = serde_json::json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": "a", "custom": {"x": 1}},
            "spec": {"type": "service"}
        });
        let e: Entity = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(e.entity_ref().to_string(), "component:default/a");
        assert_eq!(serde_json::to_value(&e).unwrap(), v);
    }
}
