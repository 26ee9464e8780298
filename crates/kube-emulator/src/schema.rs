//! Structural-schema handling for custom resources, as the API server does it: drop `null`s the
//! schema does not allow, apply `default`s, prune unknown fields, then validate types, `enum`,
//! `required` and numeric bounds (422 Invalid with one cause per field).

use crate::error::{ApiError, ApiResult};
use crate::resources::ResourceType;
use serde_json::{Map, Value};

/// Default, prune and validate `obj` (a whole custom resource) against its `openAPIV3Schema`.
pub fn admit(rt: &ResourceType, schema: &Value, obj: &mut Value) -> ApiResult<()> {
    let mut causes = Vec::new();
    if let (Some(o), Some(props)) = (obj.as_object_mut(), schema["properties"].as_object()) {
        for (k, sub) in props {
            if matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                continue;
            }
            apply_field(o, k, sub, k, &mut causes);
        }
        if !preserves(schema) {
            o.retain(|k, _| {
                matches!(k.as_str(), "apiVersion" | "kind" | "metadata") || props.contains_key(k)
            });
        }
    }
    if causes.is_empty() {
        Ok(())
    } else {
        let name = obj["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        Err(ApiError::invalid(&rt.kind, &rt.group, &name, causes))
    }
}

/// Paths of fields the schema does not know (for `fieldValidation=Strict`).
pub fn unknown_fields(schema: &Value, obj: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(o), Some(props)) = (obj.as_object(), schema["properties"].as_object()) {
        for (k, v) in o {
            if matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                continue;
            }
            match props.get(k) {
                Some(sub) => collect_unknown(sub, v, k, &mut out),
                None if !preserves(schema) => out.push(format!(".{k}")),
                None => {}
            }
        }
    }
    out
}

fn collect_unknown(schema: &Value, v: &Value, path: &str, out: &mut Vec<String>) {
    if preserves(schema) || schema.get("x-kubernetes-int-or-string").is_some() {
        return;
    }
    match v {
        Value::Object(o) => {
            if let Some(props) = schema["properties"].as_object() {
                for (k, val) in o {
                    match props.get(k) {
                        Some(sub) => collect_unknown(sub, val, &format!("{path}.{k}"), out),
                        None => out.push(format!(".{path}.{k}")),
                    }
                }
            } else if let Some(ap) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                for (k, val) in o {
                    collect_unknown(ap, val, &format!("{path}.{k}"), out);
                }
            }
        }
        Value::Array(a) => {
            if let Some(items) = schema.get("items") {
                for (i, val) in a.iter().enumerate() {
                    collect_unknown(items, val, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

fn preserves(schema: &Value) -> bool {
    schema["x-kubernetes-preserve-unknown-fields"].as_bool() == Some(true)
}

fn apply_field(
    parent: &mut Map<String, Value>,
    key: &str,
    schema: &Value,
    path: &str,
    causes: &mut Vec<(String, String)>,
) {
    let nullable = schema["nullable"].as_bool() == Some(true);
    if parent.get(key).is_some_and(|v| v.is_null()) && !nullable {
        parent.remove(key);
    }
    if !parent.contains_key(key) {
        if let Some(d) = schema.get("default") {
            parent.insert(key.to_string(), d.clone());
        }
    }
    if let Some(v) = parent.get_mut(key) {
        walk(v, schema, path, causes);
    }
}

fn walk(v: &mut Value, schema: &Value, path: &str, causes: &mut Vec<(String, String)>) {
    if v.is_null() {
        return;
    }
    let int_or_string = schema["x-kubernetes-int-or-string"].as_bool() == Some(true);
    if int_or_string {
        if !(v.is_string() || v.is_i64() || v.is_u64()) {
            causes.push((
                path.into(),
                format!(
                    "Invalid value: {}: must be an integer or a string",
                    short(v)
                ),
            ));
        }
        return;
    }
    if let Some(t) = schema["type"].as_str() {
        let ok = match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            _ => true,
        };
        if !ok {
            causes.push((
                path.into(),
                format!(
                    "Invalid value: \"{}\": {path} in body must be of type {t}: \"{}\"",
                    short(v),
                    type_name(v)
                ),
            ));
            return;
        }
    }
    if let Some(e) = schema["enum"].as_array() {
        if !e.contains(v) {
            let allowed: Vec<String> = e.iter().map(|x| x.to_string()).collect();
            causes.push((
                path.into(),
                format!(
                    "Unsupported value: {}: supported values: {}",
                    v,
                    allowed.join(", ")
                ),
            ));
        }
    }
    if let Some(n) = v.as_f64() {
        if let Some(min) = schema["minimum"].as_f64() {
            if n < min {
                causes.push((path.into(), format!("Invalid value: {n}: {path} in body should be greater than or equal to {min}")));
            }
        }
        if let Some(max) = schema["maximum"].as_f64() {
            if n > max {
                causes.push((
                    path.into(),
                    format!(
                        "Invalid value: {n}: {path} in body should be less than or equal to {max}"
                    ),
                ));
            }
        }
    }
    match v {
        Value::Object(o) => {
            if let Some(props) = schema["properties"].as_object() {
                for (k, sub) in props {
                    apply_field(o, k, sub, &format!("{path}.{k}"), causes);
                }
                if !preserves(schema) {
                    o.retain(|k, _| props.contains_key(k));
                }
            } else if let Some(ap) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                let keys: Vec<String> = o.keys().cloned().collect();
                for k in keys {
                    apply_field(o, &k, ap, &format!("{path}.{k}"), causes);
                }
            }
            for r in schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str())
            {
                if !o.contains_key(r) {
                    causes.push((format!("{path}.{r}"), "Required value".into()));
                }
            }
        }
        Value::Array(a) => {
            if let Some(items) = schema.get("items") {
                for (i, item) in a.iter_mut().enumerate() {
                    let p = format!("{path}[{i}]");
                    if item.is_null() && items["nullable"].as_bool() != Some(true) {
                        causes.push((p, "Invalid value: \"null\": must not be null".into()));
                        continue;
                    }
                    walk(item, items, &p, causes);
                }
            }
        }
        _ => {}
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.len() > 40 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(40).map(|(i, _)| i).unwrap_or(s.len())]
        )
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rt() -> ResourceType {
        crate::resources::from_crd(
            &serde_json::to_value(plugin_butler_common::all_crds()[0].clone()).unwrap(),
        )
        .remove(0)
    }

    #[test]
    fn defaults_prune_and_validate() {
        let rt = rt();
        let schema = rt.schema.clone().unwrap();
        let mut obj = json!({
            "apiVersion": "butler.butlerlabs.dev/v1alpha1", "kind": "TenantCluster",
            "metadata": {"name": "x"},
            "spec": {"kubernetesVersion": "v1.32.2", "workers": {"replicas": 2}, "bogus": 1, "workspaces": {"enabled": true}},
            "extra": true
        });
        let mut unknown = unknown_fields(&schema, &obj);
        unknown.sort();
        assert_eq!(
            unknown,
            vec![".extra".to_string(), ".spec.bogus".to_string()]
        );
        admit(&rt, &schema, &mut obj).unwrap();
        assert!(obj["spec"].get("bogus").is_none());
        assert!(obj.get("extra").is_none());
        assert_eq!(obj["spec"]["workspaces"]["maxWorkspaces"], 20);
        assert_eq!(obj["spec"]["workspaces"]["resourceQuota"]["maxCPU"], "16");

        let mut bad = json!({"metadata": {"name": "x"}, "spec": {"workers": {"replicas": 0, "machineTemplate": {"os": {"type": "windows"}, "cpu": "four"}}}});
        let err = admit(&rt, &schema, &mut bad).unwrap_err();
        assert_eq!(err.code, 422);
        let fields: Vec<&str> = err.details.as_ref().unwrap()["causes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&"spec.kubernetesVersion"), "{fields:?}");
        assert!(fields.contains(&"spec.workers.replicas"), "{fields:?}");
        assert!(
            fields.contains(&"spec.workers.machineTemplate.os.type"),
            "{fields:?}"
        );
        assert!(
            fields.contains(&"spec.workers.machineTemplate.cpu"),
            "{fields:?}"
        );
    }
}
