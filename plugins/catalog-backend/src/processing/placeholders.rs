//! `$text`, `$json` and `$yaml` placeholders (Backstage's `PlaceholderProcessor`): an
//! object with exactly one of these keys is replaced by the referenced file's content,
//! read relative to the entity's `managed-by-location`.

use super::reader::{resolve_target, Reader};
use serde_json::Value;

/// Path segment inside a JSON value.
#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

fn collect(v: &Value, path: &mut Vec<Seg>, out: &mut Vec<(Vec<Seg>, String, String)>) {
    match v {
        Value::Object(m) => {
            if m.len() == 1 {
                let (k, val) = m.iter().next().expect("one entry");
                if matches!(k.as_str(), "$text" | "$json" | "$yaml") {
                    if let Value::String(s) = val {
                        out.push((path.clone(), k.clone(), s.clone()));
                        return;
                    }
                }
            }
            for (k, child) in m {
                path.push(Seg::Key(k.clone()));
                collect(child, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                path.push(Seg::Index(i));
                collect(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn slot<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Seg::Key(k) => cur.as_object_mut()?.get_mut(k)?,
            Seg::Index(i) => cur.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(cur)
}

/// Resolve every placeholder of `entity` in place. `location` is `(type, target)` of the
/// entity's `managed-by-location`. Returns error messages (the entity keeps the
/// unresolved placeholder where reading failed).
pub async fn resolve(
    entity: &mut Value,
    location: Option<(&str, &str)>,
    reader: &Reader,
) -> Vec<(String, String)> {
    let mut found = Vec::new();
    collect(entity, &mut Vec::new(), &mut found);
    let mut errors = Vec::new();
    for (path, kind, target) in found {
        let Some((lt, lbase)) = location else {
            errors.push((
                "InputError".to_string(),
                format!("Placeholder {kind} could not be resolved: the entity has no location"),
            ));
            continue;
        };
        let resolved = match resolve_target(lt, lbase, &target) {
            Ok(r) => r,
            Err(e) => {
                errors.push((
                    "InputError".into(),
                    format!("Placeholder {kind} {target}: {e}"),
                ));
                continue;
            }
        };
        let bytes = match reader.read(lt, &resolved).await {
            Ok(b) => b,
            Err(e) => {
                errors.push((
                    e.name.to_string(),
                    format!(
                        "Placeholder {kind} could not read {resolved}: {}",
                        e.message
                    ),
                ));
                continue;
            }
        };
        let value = match kind.as_str() {
            "$text" => Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned())),
            "$json" => serde_json::from_slice::<Value>(&bytes).map_err(|e| e.to_string()),
            _ => serde_yaml_ng::from_slice::<Value>(&bytes).map_err(|e| e.to_string()),
        };
        match value {
            Ok(v) => {
                if let Some(s) = slot(entity, &path) {
                    *s = v;
                }
            }
            Err(e) => errors.push((
                "InputError".into(),
                format!("Placeholder {kind} failed to parse {resolved}: {e}"),
            )),
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    #[tokio::test]
    async fn should_resolve_text_json_yaml() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "hello").unwrap();
        std::fs::write(dir.path().join("b.json"), "{\"x\": 1}").unwrap();
        std::fs::write(dir.path().join("c.yaml"), "y: [1, 2]").unwrap();
        let base = dir.path().join("catalog-info.yaml");
        let mut e = json!({"spec": {"definition": {"$text": "./a.txt"}, "j": {"$json": "b.json"},
            "list": [{"$yaml": "./c.yaml"}], "keep": {"$other": "x"}, "missing": {"$text": "nope.txt"}}});
        let reader = Reader::new(reqwest::Client::new(), 1000, Duration::from_secs(1));
        let errs = resolve(&mut e, Some(("file", base.to_str().unwrap())), &reader).await;
        assert_eq!(e["spec"]["definition"], "hello");
        assert_eq!(e["spec"]["j"], json!({"x": 1}));
        assert_eq!(e["spec"]["list"][0], json!({"y": [1, 2]}));
        assert_eq!(e["spec"]["keep"], json!({"$other": "x"}));
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].0, "NotFoundError");
    }
}
