//! Entity filters such as `kind=resource,spec.type=kubernetes-cluster`.
//!
//! A filter is an AND of comma-separated `key=value` conditions. Keys are dot paths into
//! the entity JSON (`kind`, `metadata.name`, `metadata.labels.team`, `spec.type`, …);
//! keys and values compare case-insensitively. A condition on an array field (e.g.
//! `metadata.tags=java`) matches when any element matches. An empty filter matches
//! every entity.

use std::fmt;

use portal_types::Entity;
use serde_json::Value;

/// A parsed entity filter. Build it with [`EntityFilter::new`] (never panics; a malformed
/// filter matches nothing and is reported by the plugin registry) or
/// [`EntityFilter::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityFilter {
    source: String,
    parsed: Result<Vec<Condition>, FilterError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Condition {
    path: Vec<String>,
    value: String,
}

/// Why a filter string is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FilterError {}

impl EntityFilter {
    /// Parse `source`, keeping a parse error inside the filter (see [`Self::error`]).
    pub fn new(source: &str) -> Self {
        Self {
            source: source.to_string(),
            parsed: parse_conditions(source),
        }
    }

    /// Parse `source`, failing on malformed input.
    pub fn parse(source: &str) -> Result<Self, FilterError> {
        let filter = Self::new(source);
        match &filter.parsed {
            Ok(_) => Ok(filter),
            Err(e) => Err(e.clone()),
        }
    }

    /// A filter matching every entity.
    pub fn all() -> Self {
        Self::new("")
    }

    /// The filter as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The parse error, if the filter is malformed.
    pub fn error(&self) -> Option<&FilterError> {
        self.parsed.as_ref().err()
    }

    /// Whether `entity` satisfies every condition. A malformed filter matches nothing.
    pub fn matches(&self, entity: &Entity) -> bool {
        let Ok(conditions) = &self.parsed else {
            return false;
        };
        if conditions.is_empty() {
            return true;
        }
        let Ok(json) = serde_json::to_value(entity) else {
            return false;
        };
        conditions.iter().all(|c| c.matches(&json))
    }
}

impl Default for EntityFilter {
    fn default() -> Self {
        Self::all()
    }
}

impl From<&str> for EntityFilter {
    fn from(source: &str) -> Self {
        Self::new(source)
    }
}

impl fmt::Display for EntityFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

fn parse_conditions(source: &str) -> Result<Vec<Condition>, FilterError> {
    let mut out = Vec::new();
    for part in source.split(',') {
        let part = part.trim();
        if part.is_empty() {
            if source.trim().is_empty() {
                continue;
            }
            return Err(FilterError(format!(
                "entity filter \"{source}\" has an empty condition"
            )));
        }
        let Some((key, value)) = part.split_once('=') else {
            return Err(FilterError(format!(
                "entity filter condition \"{part}\" is not of the form key=value"
            )));
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(FilterError(format!(
                "entity filter condition \"{part}\" has an invalid key"
            )));
        }
        if value.is_empty() {
            return Err(FilterError(format!(
                "entity filter condition \"{part}\" has an empty value"
            )));
        }
        out.push(Condition {
            path: key.split('.').map(str::to_string).collect(),
            value: value.to_string(),
        });
    }
    Ok(out)
}

impl Condition {
    fn matches(&self, root: &Value) -> bool {
        let mut current = root;
        for segment in &self.path {
            let Value::Object(map) = current else {
                return false;
            };
            let found = map.get(segment.as_str()).or_else(|| {
                map.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(segment))
                    .map(|(_, v)| v)
            });
            match found {
                Some(v) => current = v,
                None => return false,
            }
        }
        self.value_matches(current)
    }

    fn value_matches(&self, v: &Value) -> bool {
        match v {
            Value::String(s) => s.eq_ignore_ascii_case(&self.value),
            Value::Bool(b) => b.to_string().eq_ignore_ascii_case(&self.value),
            Value::Number(n) => n.to_string() == self.value,
            Value::Array(items) => items.iter().any(|i| self.value_matches(i)),
            Value::Null | Value::Object(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(v: Value) -> Entity {
        serde_json::from_value(v).unwrap()
    }

    fn cluster() -> Entity {
        entity(serde_json::json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Resource",
            "metadata": {"name": "prod-1", "labels": {"team": "Platform"}, "tags": ["k8s", "prod"]},
            "spec": {"type": "kubernetes-cluster", "replicas": 3, "managed": true}
        }))
    }

    #[test]
    fn should_match_and_of_conditions_case_insensitively() {
        let f = EntityFilter::parse("kind=resource,spec.type=kubernetes-cluster").unwrap();
        assert!(f.matches(&cluster()));
        let f = EntityFilter::parse(" KIND = Resource , Spec.Type=Kubernetes-Cluster ").unwrap();
        assert!(f.matches(&cluster()));
    }

    #[test]
    fn should_not_match_when_any_condition_fails() {
        let f = EntityFilter::parse("kind=resource,spec.type=database").unwrap();
        assert!(!f.matches(&cluster()));
        let f = EntityFilter::parse("kind=component").unwrap();
        assert!(!f.matches(&cluster()));
        let f = EntityFilter::parse("spec.missing=x").unwrap();
        assert!(!f.matches(&cluster()));
    }

    #[test]
    fn should_match_nested_arrays_numbers_and_bools() {
        for src in [
            "metadata.labels.team=platform",
            "metadata.tags=prod",
            "spec.replicas=3",
            "spec.managed=true",
            "metadata.name=PROD-1",
        ] {
            assert!(
                EntityFilter::parse(src).unwrap().matches(&cluster()),
                "{src}"
            );
        }
        assert!(!EntityFilter::parse("metadata.tags=dev")
            .unwrap()
            .matches(&cluster()));
    }

    #[test]
    fn should_match_everything_when_empty() {
        assert!(EntityFilter::all().matches(&cluster()));
        assert!(EntityFilter::parse("  ").unwrap().matches(&cluster()));
    }

    #[test]
    fn should_reject_malformed_filters() {
        for src in [
            "kind",
            "kind=",
            "=x",
            "kind=a,,spec.type=b",
            "spec..type=x",
            "a=b,",
        ] {
            assert!(EntityFilter::parse(src).is_err(), "{src}");
            let f = EntityFilter::new(src);
            assert!(f.error().is_some(), "{src}");
            assert!(!f.matches(&cluster()), "{src}");
        }
    }
}
