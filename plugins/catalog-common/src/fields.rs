//! `fields=` projection: keep only the listed dotted paths of an entity.

use serde_json::{Map, Value};

/// Split `fields` parameters (`a.b,c` and repeated) into trimmed, non-empty paths.
pub fn parse_fields<S: AsRef<str>>(params: &[S]) -> Vec<String> {
    params
        .iter()
        .flat_map(|p| p.as_ref().split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Project `entity` onto `fields` (dotted paths). Empty `fields` keeps everything.
pub fn project(entity: &Value, fields: &[String]) -> Value {
    if fields.is_empty() {
        return entity.clone();
    }
    let mut out = Value::Object(Map::new());
    for f in fields {
        let parts: Vec<&str> = f.split('.').collect();
        if let Some(v) = get_path(entity, &parts) {
            set_path(&mut out, &parts, v.clone());
        }
    }
    out
}

fn get_path<'a>(v: &'a Value, parts: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for p in parts {
        cur = cur.as_object()?.get(*p)?;
    }
    Some(cur)
}

fn set_path(out: &mut Value, parts: &[&str], v: Value) {
    let mut cur = out;
    for (i, p) in parts.iter().enumerate() {
        let Some(obj) = cur.as_object_mut() else {
            return;
        };
        if i == parts.len() - 1 {
            obj.insert((*p).to_string(), v);
            return;
        }
        cur = obj
            .entry((*p).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_project_paths() {
        let e = json!({"kind": "Component", "metadata": {"name": "a", "tags": ["x"], "uid": "1"}, "spec": {"type": "s"}});
        let f = parse_fields(&["kind,metadata.name", " metadata.tags ", "nope.x"]);
        assert_eq!(
            project(&e, &f),
            json!({"kind": "Component", "metadata": {"name": "a", "tags": ["x"]}})
        );
        assert_eq!(project(&e, &[]), e);
    }
}
