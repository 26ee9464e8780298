//! Conditional form fields: the schema a wizard page shows for the values entered so far.
//!
//! Backstage templates (react-jsonschema-form) make fields appear and disappear with
//! `dependencies` (property dependencies: `{"a": ["b"]}`; schema dependencies, also with a
//! `oneOf` whose branches are told apart by the value of the depending property) and with
//! `if`/`then`/`else` (also inside `allOf`). [`resolve`] folds every branch that applies to
//! `values` into one plain object schema — `properties` and `required` merged, the
//! conditional keywords removed — so the form renders the active fields and the inline
//! validation reports "is required" on the field itself, not "is not exactly one of the
//! allowed schemas" on the page. The server still validates against the original schema.

use serde_json::{Map, Value};

use crate::schema::{validate, NoPatterns};

/// Recursion limit for nested branches and objects.
const MAX_DEPTH: usize = 16;

/// Whether `schema` has conditional branches of its own (`dependencies`, `if`, or an `if`
/// inside `allOf`) — those [`resolve`] merges.
pub fn is_conditional(schema: &Value) -> bool {
    schema.get("dependencies").is_some()
        || schema.get("if").is_some()
        || schema["allOf"]
            .as_array()
            .is_some_and(|a| a.iter().any(|s| s.get("if").is_some()))
}

/// The object schema `schema` with every conditional branch that applies to `values` merged
/// in (recursively into nested objects). A schema without conditionals comes back unchanged.
pub fn resolve(schema: &Value, values: &Value) -> Value {
    resolve_at(schema, values, 0)
}

fn resolve_at(schema: &Value, values: &Value, depth: usize) -> Value {
    let Some(obj) = schema.as_object() else {
        return schema.clone();
    };
    if depth > MAX_DEPTH {
        return schema.clone();
    }
    let mut out = obj.clone();
    let empty = Map::new();
    let vals = values.as_object().unwrap_or(&empty);
    for key in ["dependencies", "if", "then", "else"] {
        out.remove(key);
    }
    // allOf entries that are conditionals get merged; the others stay for validation.
    if let Some(Value::Array(all)) = obj.get("allOf") {
        let (conds, rest): (Vec<&Value>, Vec<&Value>) =
            all.iter().partition(|s| s.get("if").is_some());
        if rest.is_empty() {
            out.remove("allOf");
        } else {
            out.insert(
                "allOf".into(),
                Value::Array(rest.into_iter().cloned().collect()),
            );
        }
        for c in conds {
            if let Some(branch) = if_branch(c, values) {
                merge(&mut out, &resolve_at(branch, values, depth + 1));
            }
        }
    }
    if let Some(branch) = if_branch(schema, values) {
        merge(&mut out, &resolve_at(branch, values, depth + 1));
    }
    if let Some(Value::Object(deps)) = obj.get("dependencies") {
        for (key, dep) in deps {
            if !vals.contains_key(key) {
                continue;
            }
            match dep {
                Value::Array(names) => {
                    let extra = Value::Object(Map::from_iter([(
                        "required".to_string(),
                        Value::Array(names.clone()),
                    )]));
                    merge(&mut out, &extra);
                }
                Value::Object(_) => {
                    let mut plain = dep.clone();
                    let one_of = plain.as_object_mut().and_then(|o| o.remove("oneOf"));
                    merge(&mut out, &resolve_at(&plain, values, depth + 1));
                    if let Some(Value::Array(branches)) = one_of {
                        if let Some(b) = branches.iter().find(|b| selects(b, key, &vals[key])) {
                            let mut b = b.clone();
                            // The discriminator is declared (and rendered) by the page itself.
                            if let Some(p) = b.get_mut("properties").and_then(Value::as_object_mut)
                            {
                                if obj["properties"].get(key).is_some() {
                                    p.remove(key);
                                }
                            }
                            merge(&mut out, &resolve_at(&b, values, depth + 1));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    // Nested objects resolve against their own values.
    if let Some(Value::Object(props)) = out.get_mut("properties") {
        for (name, sub) in props.iter_mut() {
            if is_conditional(sub) || sub.get("properties").is_some() {
                let v = vals.get(name).cloned().unwrap_or(Value::Null);
                *sub = resolve_at(sub, &v, depth + 1);
            }
        }
    }
    Value::Object(out)
}

/// `then` or `else` of an `if` schema, whichever applies to `values`.
fn if_branch<'a>(schema: &'a Value, values: &Value) -> Option<&'a Value> {
    let cond = schema.get("if")?;
    if validate(cond, values, &NoPatterns).is_empty() {
        schema.get("then")
    } else {
        schema.get("else")
    }
}

/// Whether a `oneOf` branch of the dependency on `key` is the one for `value`: its schema of
/// `key` accepts the value (branches without one for `key` never select themselves).
fn selects(branch: &Value, key: &str, value: &Value) -> bool {
    branch
        .get("properties")
        .and_then(|p| p.get(key))
        .is_some_and(|s| validate(s, value, &NoPatterns).is_empty())
}

/// Merge `extra`'s `properties` (new names appended, known names keep the page's schema)
/// and `required` (union) into `out`.
fn merge(out: &mut Map<String, Value>, extra: &Value) {
    if let Some(Value::Object(props)) = extra.get("properties") {
        let target = out
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(t) = target {
            for (k, v) in props {
                t.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    if let Some(Value::Array(req)) = extra.get("required") {
        let target = out
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(t) = target {
            for r in req {
                if !t.contains(r) {
                    t.push(r.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(schema: &Value) -> Vec<String> {
        let mut n: Vec<String> = schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        n.sort();
        n
    }

    fn oneof_page() -> Value {
        json!({
            "required": ["provider"],
            "properties": {"provider": {"type": "string", "enum": ["aws", "harvester"]}},
            "dependencies": {"provider": {"oneOf": [
                {"properties": {"provider": {"const": "aws"}, "region": {"type": "string"}}, "required": ["region"]},
                {"properties": {"provider": {"const": "harvester"}, "namespace": {"type": "string"}}}
            ]}}
        })
    }

    #[test]
    fn one_of_branch_follows_the_discriminator() {
        let page = oneof_page();
        let none = resolve(&page, &json!({}));
        assert_eq!(names(&none), ["provider"]);
        assert!(none.get("dependencies").is_none());
        let aws = resolve(&page, &json!({"provider": "aws"}));
        assert_eq!(names(&aws), ["provider", "region"]);
        assert_eq!(aws["required"], json!(["provider", "region"]));
        // The page's own schema of the discriminator stays (the enum, not the branch const).
        assert_eq!(
            aws["properties"]["provider"]["enum"],
            json!(["aws", "harvester"])
        );
        let hv = resolve(&page, &json!({"provider": "harvester"}));
        assert_eq!(names(&hv), ["namespace", "provider"]);
        assert_eq!(hv["required"], json!(["provider"]));
    }

    #[test]
    fn resolved_schema_reports_the_missing_field_itself() {
        let page = oneof_page();
        let values = json!({"provider": "aws"});
        let errs = validate(&resolve(&page, &values), &values, &NoPatterns);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field(), "region");
        // The original schema only knows that no branch matched.
        let raw = validate(&page, &values, &NoPatterns);
        assert_eq!(raw.len(), 1);
        assert_eq!(raw[0].name, "oneOf");
    }

    #[test]
    fn property_and_schema_dependencies() {
        let page = json!({
            "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
            "dependencies": {
                "a": ["b"],
                "b": {"properties": {"c": {"type": "boolean"}}, "required": ["c"]}
            }
        });
        assert!(resolve(&page, &json!({})).get("required").is_none());
        let r = resolve(&page, &json!({"a": "x"}));
        assert_eq!(r["required"], json!(["b"]));
        assert_eq!(names(&r), ["a", "b"]);
        let r = resolve(&page, &json!({"b": "y"}));
        assert_eq!(names(&r), ["a", "b", "c"]);
        assert_eq!(r["required"], json!(["c"]));
    }

    #[test]
    fn if_then_else_and_all_of() {
        let page = json!({
            "properties": {"public": {"type": "boolean"}},
            "if": {"properties": {"public": {"const": true}}, "required": ["public"]},
            "then": {"properties": {"domain": {"type": "string"}}, "required": ["domain"]},
            "else": {"properties": {"vpn": {"type": "string"}}},
            "allOf": [
                {"if": {"required": ["public"]}, "then": {"properties": {"audit": {"type": "boolean"}}}},
                {"required": ["public"]}
            ]
        });
        let r = resolve(&page, &json!({"public": true}));
        assert_eq!(names(&r), ["audit", "domain", "public"]);
        assert_eq!(r["required"], json!(["domain"]));
        assert_eq!(r["allOf"], json!([{"required": ["public"]}]));
        let r = resolve(&page, &json!({}));
        assert_eq!(names(&r), ["public", "vpn"]);
    }

    #[test]
    fn nested_objects_resolve_against_their_values() {
        let page = json!({"properties": {"db": {"type": "object", "properties": {
        "engine": {"enum": ["pg", "none"]}},
        "dependencies": {"engine": {"oneOf": [
            {"properties": {"engine": {"const": "pg"}, "size": {"type": "integer"}}},
            {"properties": {"engine": {"const": "none"}}}
        ]}}}}});
        let r = resolve(&page, &json!({"db": {"engine": "pg"}}));
        assert_eq!(names(&r["properties"]["db"]), ["engine", "size"]);
        let r = resolve(&page, &json!({"db": {"engine": "none"}}));
        assert_eq!(names(&r["properties"]["db"]), ["engine"]);
    }
}
