//! Pure helpers of the wizard: nested value paths, number inputs, picker queries, option
//! labels and review formatting.

use crate::api::encode;
use serde_json::{Map, Value};

/// The value at `path` in an object tree.
pub fn get_path<'a>(root: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = root;
    for p in path {
        cur = cur.as_object()?.get(p)?;
    }
    Some(cur)
}

/// Set (`Some`) or remove (`None`) the value at `path`, creating objects on the way and
/// removing objects that became empty.
pub fn set_path(root: &mut Value, path: &[String], value: Option<Value>) {
    if !root.is_object() {
        *root = Value::Object(Map::new());
    }
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let Value::Object(map) = root else { return };
    if let Some((first, rest)) = parents.split_first() {
        let child = map
            .entry(first.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        let mut sub_path = rest.to_vec();
        sub_path.push(last.clone());
        set_path(child, &sub_path, value);
        if child.as_object().is_some_and(Map::is_empty) {
            map.remove(first);
        }
        return;
    }
    match value {
        Some(v) => {
            map.insert(last.clone(), v);
        }
        None => {
            map.remove(last);
        }
    }
}

/// Dotted form of a path (matches [`plugin_scaffolder_common::schema::FieldError::field`]).
pub fn dotted(path: &[String]) -> String {
    path.join(".")
}

/// What a number input holds: `None` when empty, a number when it parses (an integer for
/// whole numbers), else the raw text (so validation reports the type error).
pub fn number_from_input(text: &str) -> Option<Value> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(i) = t.parse::<i64>() {
        return Some(Value::from(i));
    }
    match t.parse::<f64>() {
        Ok(f) if f.is_finite() => serde_json::Number::from_f64(f).map(Value::Number),
        _ => Some(Value::String(t.to_string())),
    }
}

/// The catalog query (`filter=…` parameters) of an entity picker: `ui:options.catalogFilter`
/// (an object or a list of objects, values may be lists), else `allowedKinds`, else
/// `default_kinds`.
pub fn picker_query(options: &Map<String, Value>, default_kinds: &[&str]) -> String {
    let set = |o: &Map<String, Value>| -> String {
        let mut conds = Vec::new();
        for (k, v) in o {
            match v {
                Value::Array(vals) => {
                    conds.extend(vals.iter().map(|x| format!("{k}={}", scalar(x))))
                }
                Value::Bool(true) if k.starts_with("metadata.") || k.starts_with("spec.") => {
                    conds.push(k.clone())
                }
                other => conds.push(format!("{k}={}", scalar(other))),
            }
        }
        format!("filter={}", encode(&conds.join(",")))
    };
    match options.get("catalogFilter") {
        Some(Value::Object(o)) if !o.is_empty() => return set(o),
        Some(Value::Array(a)) if !a.is_empty() => {
            return a
                .iter()
                .filter_map(Value::as_object)
                .map(set)
                .collect::<Vec<_>>()
                .join("&")
        }
        _ => {}
    }
    let kinds: Vec<String> = match options.get("allowedKinds").and_then(Value::as_array) {
        Some(k) if !k.is_empty() => k
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => default_kinds.iter().map(|k| k.to_string()).collect(),
    };
    if kinds.is_empty() {
        return String::new();
    }
    let conds: Vec<String> = kinds.iter().map(|k| format!("kind={k}")).collect();
    format!("filter={}", encode(&conds.join(",")))
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `(ref, label)` of an entity for a picker: the full ref, and its title / display name /
/// name (with the kind when it is not the only kind offered).
pub fn entity_option(e: &Value) -> Option<(String, String)> {
    let kind = e["kind"].as_str()?;
    let name = e["metadata"]["name"].as_str()?;
    let ns = e["metadata"]["namespace"].as_str().unwrap_or("default");
    let r = portal_types::EntityRef::new(kind, ns, name).to_string();
    let label = e["metadata"]["title"]
        .as_str()
        .or_else(|| e["spec"]["profile"]["displayName"].as_str())
        .unwrap_or(name)
        .to_string();
    Some((r, label))
}

/// A value as the review step shows it.
pub fn display_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        Value::Array(a) => a.iter().map(display_value).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Flatten values into `(dotted path, value)` rows for the review step.
pub fn review_rows(values: &Value) -> Vec<(String, Value)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, x) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&p, x, out);
                }
            }
            other => out.push((prefix.to_string(), other.clone())),
        }
    }
    let mut out = Vec::new();
    if values.as_object().is_some_and(|m| !m.is_empty()) {
        walk("", values, &mut out);
    }
    out
}

/// The label of a property: its `title`, else its name with the first letter uppercased.
pub fn field_label(name: &str, schema: &Value) -> String {
    schema["title"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| {
            let mut c = name.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> Vec<String> {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn should_get_and_set_nested_values() {
        let mut v = json!({});
        set_path(&mut v, &p("db.engine"), Some(json!("pg")));
        set_path(&mut v, &p("name"), Some(json!("x")));
        assert_eq!(v, json!({"db": {"engine": "pg"}, "name": "x"}));
        assert_eq!(get_path(&v, &p("db.engine")), Some(&json!("pg")));
        set_path(&mut v, &p("db.engine"), None);
        assert_eq!(v, json!({"name": "x"}));
    }

    #[test]
    fn should_read_number_inputs() {
        assert_eq!(number_from_input(""), None);
        assert_eq!(number_from_input("42"), Some(json!(42)));
        assert_eq!(number_from_input("2.5"), Some(json!(2.5)));
        assert_eq!(number_from_input("abc"), Some(json!("abc")));
    }

    #[test]
    fn should_build_picker_queries() {
        let o = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(
            picker_query(&o(json!({})), &["Group"]),
            "filter=kind%3DGroup"
        );
        assert_eq!(
            picker_query(&o(json!({"allowedKinds": ["Group", "User"]})), &["Group"]),
            "filter=kind%3DGroup%2Ckind%3DUser"
        );
        assert_eq!(
            picker_query(&o(json!({"catalogFilter": {"kind": "System"}})), &[]),
            "filter=kind%3DSystem"
        );
        assert_eq!(
            picker_query(
                &o(json!({"catalogFilter": [{"kind": ["Component", "API"]}, {"kind": "Group"}]})),
                &[]
            ),
            "filter=kind%3DComponent%2Ckind%3DAPI&filter=kind%3DGroup"
        );
    }

    #[test]
    fn should_label_options_and_values() {
        let e = json!({"kind": "Group", "metadata": {"name": "team-a", "title": "Team A"}});
        assert_eq!(
            entity_option(&e),
            Some(("group:default/team-a".into(), "Team A".into()))
        );
        assert_eq!(display_value(&json!(["a", "b"])), "a, b");
        assert_eq!(display_value(&json!(true)), "Yes");
        assert_eq!(
            review_rows(&json!({"a": 1, "b": {"c": "x"}})),
            vec![("a".into(), json!(1)), ("b.c".into(), json!("x"))]
        );
        assert_eq!(field_label("owner", &json!({})), "Owner");
        assert_eq!(field_label("owner", &json!({"title": "Team"})), "Team");
    }
}
