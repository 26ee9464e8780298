//! PATCH bodies: JSON merge patch (RFC 7386), strategic merge patch (handled as a merge patch with
//! the `$patch`/`$setElementOrder`/`$retainKeys`/`$deleteFromPrimitiveList` directives understood
//! or dropped, lists of named objects merged by `name`), JSON patch (RFC 6902) and server-side
//! apply (`application/apply-patch+yaml`, handled as a merge patch that may create).

use crate::error::{ApiError, ApiResult};
use serde_json::{Map, Value};

/// The patch flavours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// `application/merge-patch+json`.
    Merge,
    /// `application/strategic-merge-patch+json`.
    Strategic,
    /// `application/json-patch+json`.
    Json,
    /// `application/apply-patch+yaml` (server-side apply).
    Apply,
}

impl PatchType {
    /// From the request `Content-Type`.
    pub fn from_content_type(ct: &str) -> ApiResult<Self> {
        let base = ct.split(';').next().unwrap_or_default().trim();
        match base {
            "application/merge-patch+json" => Ok(PatchType::Merge),
            "application/strategic-merge-patch+json" => Ok(PatchType::Strategic),
            "application/json-patch+json" => Ok(PatchType::Json),
            "application/apply-patch+yaml" | "application/apply-patch+cbor" => Ok(PatchType::Apply),
            _ => Err(ApiError::unsupported_media_type(ct)),
        }
    }
}

/// Parse a patch body.
pub fn parse_body(pt: PatchType, body: &[u8]) -> ApiResult<Value> {
    let v: Result<Value, String> = match pt {
        PatchType::Apply => serde_yaml_ng::from_slice(body).map_err(|e| e.to_string()),
        _ => serde_json::from_slice(body).map_err(|e| e.to_string()),
    };
    v.map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))
}

/// Apply a parsed patch to `target`.
pub fn apply(pt: PatchType, target: &Value, patch: &Value) -> ApiResult<Value> {
    match pt {
        PatchType::Merge | PatchType::Apply => {
            let mut t = target.clone();
            merge(&mut t, patch);
            Ok(t)
        }
        PatchType::Strategic => {
            let mut t = target.clone();
            strategic(&mut t, patch);
            Ok(t)
        }
        PatchType::Json => {
            let ops: json_patch::Patch = serde_json::from_value(patch.clone())
                .map_err(|e| ApiError::bad_request(format!("the server rejected our request due to an error in our request: invalid JSON patch: {e}")))?;
            let mut t = target.clone();
            json_patch::patch(&mut t, &ops).map_err(|e| ApiError::invalid_patch(&e.to_string()))?;
            Ok(t)
        }
    }
}

/// RFC 7386 JSON merge patch.
pub fn merge(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let t = target.as_object_mut().expect("object");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

fn strategic(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if p.get("$patch").and_then(|v| v.as_str()) == Some("replace") {
        let mut clean = patch.clone();
        strip_directives(&mut clean);
        *target = clean;
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let t = target.as_object_mut().expect("object");
    for (k, v) in p {
        if k.starts_with('$') {
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(cur)), Some(del)) = (t.get_mut(field), v.as_array()) {
                cur.retain(|x| !del.contains(x));
            }
            continue;
        }
        if v.is_null() || v.get("$patch").and_then(|x| x.as_str()) == Some("delete") {
            t.remove(k);
            continue;
        }
        match (t.get_mut(k), v) {
            (Some(Value::Array(cur)), Value::Array(new))
                if is_named_list(cur) && is_named_list(new) =>
            {
                for item in new {
                    let name = &item["name"];
                    let deleting = item.get("$patch").and_then(|x| x.as_str()) == Some("delete");
                    match cur.iter().position(|c| &c["name"] == name) {
                        Some(i) if deleting => {
                            cur.remove(i);
                        }
                        Some(i) => strategic(&mut cur[i], item),
                        None if deleting => {}
                        None => {
                            let mut clean = item.clone();
                            strip_directives(&mut clean);
                            cur.push(clean);
                        }
                    }
                }
            }
            (Some(cur), _) => strategic(cur, v),
            (None, _) => {
                let mut clean = v.clone();
                strip_directives(&mut clean);
                t.insert(k.clone(), clean);
            }
        }
    }
}

fn is_named_list(a: &[Value]) -> bool {
    !a.is_empty()
        && a.iter()
            .all(|x| x.get("name").is_some_and(|n| n.is_string()))
}

fn strip_directives(v: &mut Value) {
    match v {
        Value::Object(o) => {
            o.retain(|k, _| !k.starts_with('$'));
            o.values_mut().for_each(strip_directives);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_directives),
        _ => {}
    }
}

impl ApiError {
    /// 422 for a JSON patch that does not apply (failed `test`, missing path).
    pub fn invalid_patch(msg: &str) -> Self {
        let mut e = ApiError::bad_request(format!(
            "the server rejected our request due to an error in our request: {msg}"
        ));
        e.code = 422;
        e.reason = "Invalid";
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_replaces_lists_and_removes_nulls() {
        let t = json!({"a": {"b": 1, "c": 2}, "l": [1, 2]});
        let out = apply(
            PatchType::Merge,
            &t,
            &json!({"a": {"b": null, "d": 3}, "l": [3]}),
        )
        .unwrap();
        assert_eq!(out, json!({"a": {"c": 2, "d": 3}, "l": [3]}));
    }

    #[test]
    fn strategic_merges_named_lists() {
        let t = json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}});
        let p = json!({"$setElementOrder/containers": [{"name": "a"}], "spec": {"containers": [{"name": "a", "image": "z"}, {"name": "b", "$patch": "delete"}]}});
        let out = apply(PatchType::Strategic, &t, &p).unwrap();
        assert_eq!(
            out,
            json!({"spec": {"containers": [{"name": "a", "image": "z"}]}})
        );
    }

    #[test]
    fn json_patch_ops_and_failures() {
        let t = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"n": 1}});
        let p = json!([{"op": "add", "path": "/metadata/labels/b", "value": "2"}, {"op": "replace", "path": "/spec/n", "value": 5}, {"op": "remove", "path": "/metadata/labels/a"}]);
        let out = apply(PatchType::Json, &t, &p).unwrap();
        assert_eq!(
            out,
            json!({"metadata": {"labels": {"b": "2"}}, "spec": {"n": 5}})
        );
        let err = apply(
            PatchType::Json,
            &t,
            &json!([{"op": "test", "path": "/spec/n", "value": 2}]),
        )
        .unwrap_err();
        assert_eq!(err.code, 422);
        assert_eq!(
            PatchType::from_content_type("text/plain").unwrap_err().code,
            415
        );
    }
}
