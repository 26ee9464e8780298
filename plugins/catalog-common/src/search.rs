//! Flatten an entity into search rows, as Backstage's `buildEntitySearch.ts` does.
//!
//! * Objects are walked with dotted keys; keys and values are lowercased.
//! * Arrays of primitives emit `path=item` for each item, and string items also emit
//!   `path.item=true` (so `metadata.tags=java` and `metadata.tags.java` both match).
//! * `relations`, `status` and `attachments` are skipped; each relation becomes
//!   `relations.<type>=<targetRef>`.
//! * `metadata.name`, `metadata.namespace` (also `default` when absent) and
//!   `metadata.uid` are always present.
//! * Keys or values longer than 200 characters are dropped (values become null).

use serde_json::Value;

/// Longest key stored.
pub const MAX_KEY_LENGTH: usize = 200;
/// Longest value stored.
pub const MAX_VALUE_LENGTH: usize = 200;

const SPECIAL_KEYS: &[&str] = &[
    "attachments",
    "relations",
    "status",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "metadata.etag",
];

/// One search row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRow {
    /// Lowercased dotted key.
    pub key: String,
    /// Lowercased value (`None` for null or too long).
    pub value: Option<String>,
    /// The value as written (`None` for null or too long); used for facets.
    pub original_value: Option<String>,
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn visit(path: &str, v: &Value, out: &mut Vec<(String, Option<String>)>) {
    if SPECIAL_KEYS.contains(&path) {
        return;
    }
    match v {
        Value::Null | Value::String(_) | Value::Bool(_) | Value::Number(_) => {
            out.push((path.to_string(), scalar(v)))
        }
        Value::Array(items) => {
            for item in items {
                visit(path, item, out);
                if let Value::String(s) = item {
                    let key = format!("{path}.{s}");
                    let lower = key.to_lowercase();
                    if !out.iter().any(|(k, _)| k.to_lowercase() == lower) {
                        out.push((key, Some("true".into())));
                    }
                }
            }
        }
        Value::Object(map) => {
            for (k, child) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                visit(&p, child, out);
            }
        }
    }
}

/// Flatten a final entity into search rows.
pub fn build_entity_search(entity: &Value) -> Vec<SearchRow> {
    let mut raw: Vec<(String, Option<String>)> = Vec::new();
    visit("", entity, &mut raw);
    let meta = entity.get("metadata");
    let get = |k: &str| meta.and_then(|m| m.get(k)).and_then(scalar);
    raw.push(("metadata.name".into(), get("name")));
    let ns = get("namespace");
    let has_ns = ns.is_some();
    raw.push(("metadata.namespace".into(), ns));
    raw.push(("metadata.uid".into(), get("uid")));
    if !has_ns {
        raw.push(("metadata.namespace".into(), Some("default".into())));
    }
    if let Some(Value::Array(rels)) = entity.get("relations") {
        for r in rels {
            if let (Some(t), Some(target)) = (
                r.get("type").and_then(Value::as_str),
                r.get("targetRef").and_then(Value::as_str),
            ) {
                raw.push((format!("relations.{t}"), Some(target.to_string())));
            }
        }
    }
    let mut rows = Vec::with_capacity(raw.len());
    for (k, v) in raw {
        let key = k.to_lowercase();
        if key.len() > MAX_KEY_LENGTH {
            continue;
        }
        let row = match v {
            Some(orig) if orig.len() <= MAX_VALUE_LENGTH => SearchRow {
                key,
                value: Some(orig.to_lowercase()),
                original_value: Some(orig),
            },
            _ => SearchRow {
                key,
                value: None,
                original_value: None,
            },
        };
        if !rows.contains(&row) {
            rows.push(row);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn has(rows: &[SearchRow], k: &str, v: Option<&str>) -> bool {
        rows.iter().any(|r| r.key == k && r.value.as_deref() == v)
    }

    #[test]
    fn should_flatten_like_backstage() {
        let e = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "Svc", "uid": "u1", "etag": "e", "tags": ["Java", "rust"],
                         "annotations": {"backstage.io/orphan": "true"}, "n": 3, "b": false, "x": null},
            "spec": {"type": "Service", "deep": {"a": ["x", 1]}},
            "relations": [{"type": "ownedBy", "targetRef": "group:default/team-a"}],
            "status": {"items": [{"type": "x"}]}});
        let rows = build_entity_search(&e);
        assert!(has(&rows, "kind", Some("component")));
        assert!(has(&rows, "apiversion", Some("backstage.io/v1alpha1")));
        assert!(has(&rows, "metadata.name", Some("svc")));
        assert!(has(&rows, "metadata.namespace", None));
        assert!(has(&rows, "metadata.namespace", Some("default")));
        assert!(has(&rows, "metadata.uid", Some("u1")));
        assert!(!rows.iter().any(|r| r.key == "metadata.etag"));
        assert!(has(&rows, "metadata.tags", Some("java")));
        assert!(has(&rows, "metadata.tags.java", Some("true")));
        assert!(has(&rows, "metadata.tags.rust", Some("true")));
        assert!(has(
            &rows,
            "metadata.annotations.backstage.io/orphan",
            Some("true")
        ));
        assert!(has(&rows, "metadata.n", Some("3")));
        assert!(has(&rows, "metadata.b", Some("false")));
        assert!(has(&rows, "metadata.x", None));
        assert!(has(&rows, "spec.type", Some("service")));
        assert!(has(&rows, "spec.deep.a", Some("1")));
        assert!(has(&rows, "spec.deep.a.x", Some("true")));
        assert!(has(
            &rows,
            "relations.ownedby",
            Some("group:default/team-a")
        ));
        assert!(!rows.iter().any(|r| r.key.starts_with("status")));
        let st = rows.iter().find(|r| r.key == "spec.type").unwrap();
        assert_eq!(st.original_value.as_deref(), Some("Service"));
    }

    #[test]
    fn should_drop_overlong_values() {
        let e = json!({"kind": "X", "metadata": {"name": "a", "namespace": "ns", "description": "d".repeat(300)}});
        let rows = build_entity_search(&e);
        assert!(has(&rows, "metadata.description", None));
        assert!(!has(&rows, "metadata.namespace", Some("default")));
    }
}
