//! `scaffolder.backstage.io/v1beta3` Templates: validation (every problem listed, with
//! its JSON pointer), parameter pages and the steps a task runs.

use crate::dto::{ParameterStep, TaskStep, TemplateParameterSchema};
use serde_json::{Map, Value};

/// The only template `apiVersion` the scaffolder runs.
pub const API_VERSION: &str = "scaffolder.backstage.io/v1beta3";

/// Step ids: letters, digits, `-`, `_` (they appear in `steps.<id>.output`).
pub fn is_valid_step_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn is_obj(v: &Value) -> bool {
    v.is_object()
}

/// Validate a Template entity against the v1beta3 schema. Each error reads
/// `<json pointer> <problem>`, e.g. `/spec/steps/1 must have required property 'action'`.
pub fn validate_template(entity: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    if !is_obj(entity) {
        return vec!["/ must be object".into()];
    }
    match entity.get("apiVersion").and_then(Value::as_str) {
        Some(API_VERSION) => {}
        Some(other) => errs.push(format!(
            "/apiVersion must be equal to '{API_VERSION}' (got '{other}')"
        )),
        None => errs.push("/ must have required property 'apiVersion'".into()),
    }
    match entity.get("kind").and_then(Value::as_str) {
        Some(k) if k.eq_ignore_ascii_case("template") => {}
        Some(other) => errs.push(format!("/kind must be equal to 'Template' (got '{other}')")),
        None => errs.push("/ must have required property 'kind'".into()),
    }
    match entity.get("metadata").and_then(|m| m.get("name")) {
        Some(Value::String(n)) if !n.is_empty() => {}
        Some(_) => errs.push("/metadata/name must be a non-empty string".into()),
        None => errs.push("/metadata must have required property 'name'".into()),
    }
    let Some(spec) = entity.get("spec") else {
        errs.push("/ must have required property 'spec'".into());
        return errs;
    };
    if !is_obj(spec) {
        errs.push("/spec must be object".into());
        return errs;
    }
    match spec.get("type") {
        Some(Value::String(t)) if !t.is_empty() => {}
        Some(_) => errs.push("/spec/type must be a non-empty string".into()),
        None => errs.push("/spec must have required property 'type'".into()),
    }
    if let Some(o) = spec.get("owner") {
        if !o.is_string() {
            errs.push("/spec/owner must be string".into());
        }
    }
    match spec.get("parameters") {
        None | Some(Value::Null) => {}
        Some(p @ Value::Object(_)) => check_page(p, "/spec/parameters", &mut errs),
        Some(Value::Array(pages)) => {
            for (i, p) in pages.iter().enumerate() {
                check_page(p, &format!("/spec/parameters/{i}"), &mut errs);
            }
        }
        Some(_) => errs.push("/spec/parameters must be object or array".into()),
    }
    match spec.get("steps") {
        None => errs.push("/spec must have required property 'steps'".into()),
        Some(Value::Array(steps)) => {
            let mut ids: Vec<String> = Vec::new();
            for (i, s) in steps.iter().enumerate() {
                let at = format!("/spec/steps/{i}");
                if !is_obj(s) {
                    errs.push(format!("{at} must be object"));
                    continue;
                }
                match s.get("action") {
                    Some(Value::String(a)) if !a.trim().is_empty() => {}
                    Some(_) => errs.push(format!("{at}/action must be a non-empty string")),
                    None => errs.push(format!("{at} must have required property 'action'")),
                }
                match s.get("id") {
                    None => {}
                    Some(Value::String(id)) if is_valid_step_id(id) => {
                        if ids.contains(id) {
                            errs.push(format!("{at}/id '{id}' is used by more than one step"));
                        }
                        ids.push(id.clone());
                    }
                    Some(_) => errs.push(format!(
                        "{at}/id must be a string of letters, digits, '-' and '_'"
                    )),
                }
                if let Some(n) = s.get("name") {
                    if !n.is_string() {
                        errs.push(format!("{at}/name must be string"));
                    }
                }
                if let Some(inp) = s.get("input") {
                    if !is_obj(inp) && !inp.is_null() {
                        errs.push(format!("{at}/input must be object"));
                    }
                }
                if let Some(c) = s.get("if") {
                    if !c.is_string() && !c.is_boolean() {
                        errs.push(format!("{at}/if must be string or boolean"));
                    }
                }
                if let Some(e) = s.get("each") {
                    if !e.is_string() && !e.is_array() {
                        errs.push(format!("{at}/each must be string or array"));
                    }
                }
            }
        }
        Some(_) => errs.push("/spec/steps must be array".into()),
    }
    if let Some(out) = spec.get("output") {
        if !is_obj(out) && !out.is_null() {
            errs.push("/spec/output must be object".into());
        } else if let Some(links) = out.get("links") {
            match links {
                Value::Array(ls) => {
                    for (i, l) in ls.iter().enumerate() {
                        if !is_obj(l) {
                            errs.push(format!("/spec/output/links/{i} must be object"));
                        }
                    }
                }
                _ => errs.push("/spec/output/links must be array".into()),
            }
        }
    }
    errs
}

fn check_page(p: &Value, at: &str, errs: &mut Vec<String>) {
    let Some(o) = p.as_object() else {
        errs.push(format!("{at} must be object"));
        return;
    };
    if let Some(props) = o.get("properties") {
        if !is_obj(props) {
            errs.push(format!("{at}/properties must be object"));
        }
    }
    if let Some(req) = o.get("required") {
        match req {
            Value::Array(r) if r.iter().all(Value::is_string) => {}
            _ => errs.push(format!("{at}/required must be array of strings")),
        }
    }
}

/// The wizard pages of a template `spec.parameters` (an object is one page).
pub fn parameter_pages(spec: &Value) -> Vec<Value> {
    match spec.get("parameters") {
        Some(Value::Array(pages)) => pages.iter().filter(|p| p.is_object()).cloned().collect(),
        Some(p @ Value::Object(_)) => vec![p.clone()],
        _ => vec![],
    }
}

/// The `backstage:permissions.tags` of a page or step.
pub fn permission_tags(v: &Value) -> Vec<String> {
    v.get("backstage:permissions")
        .and_then(|p| p.get("tags"))
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// `GET …/parameter-schema` for a template entity; `page_visible` filters pages that
/// carry `backstage:permissions` tags.
pub fn parameter_schema(
    entity: &Value,
    page_visible: &dyn Fn(&[String]) -> bool,
) -> TemplateParameterSchema {
    let meta = &entity["metadata"];
    let spec = &entity["spec"];
    let steps = parameter_pages(spec)
        .into_iter()
        .filter(|p| {
            let tags = permission_tags(p);
            tags.is_empty() || page_visible(&tags)
        })
        .map(|p| ParameterStep {
            title: p
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or("Please enter the following information")
                .to_string(),
            description: p
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            schema: p,
        })
        .collect();
    TemplateParameterSchema {
        title: meta
            .get("title")
            .or_else(|| meta.get("name"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        description: meta
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        ui_options: spec.get("presentation").cloned(),
        steps,
    }
}

/// The steps of a template as a task runs them: ids default to `step-<n>` (1-based),
/// names to the action id.
pub fn task_steps(spec: &Value) -> Vec<TaskStep> {
    spec.get("steps")
        .and_then(Value::as_array)
        .map(|steps| {
            steps
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let mut extra: Map<String, Value> = s.as_object().cloned().unwrap_or_default();
                    let take = |extra: &mut Map<String, Value>, k: &str| extra.remove(k);
                    let action = take(&mut extra, "action")
                        .and_then(|v| v.as_str().map(|s| s.trim().to_string()))
                        .unwrap_or_default();
                    let id = take(&mut extra, "id")
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_else(|| format!("step-{}", i + 1));
                    let name = take(&mut extra, "name")
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_else(|| action.clone());
                    TaskStep {
                        id,
                        name,
                        action,
                        input: take(&mut extra, "input"),
                        if_: take(&mut extra, "if"),
                        each: take(&mut extra, "each"),
                        extra,
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template() -> Value {
        json!({
            "apiVersion": API_VERSION, "kind": "Template",
            "metadata": {"name": "svc", "title": "Service"},
            "spec": {
                "type": "service",
                "parameters": [
                    {"title": "Basics", "properties": {"name": {"type": "string"}}},
                    {"title": "Secret", "backstage:permissions": {"tags": ["admin"]}, "properties": {}}
                ],
                "steps": [{"action": "debug:log", "input": {"message": "hi"}}, {"id": "b", "name": "B", "action": "fs:delete"}]
            }
        })
    }

    #[test]
    fn should_accept_a_valid_template() {
        assert_eq!(validate_template(&template()), Vec::<String>::new());
    }

    #[test]
    fn should_list_every_schema_error() {
        let bad = json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Template", "metadata": {"name": "x"},
            "spec": {"parameters": "nope", "steps": [{"id": "a b"}, {"id": "c", "action": "x", "input": 3}], "output": {"links": {}}}
        });
        let errs = validate_template(&bad);
        assert!(
            errs.iter()
                .any(|e| e.starts_with("/apiVersion must be equal")),
            "{errs:?}"
        );
        assert!(errs.contains(&"/spec must have required property 'type'".to_string()));
        assert!(errs.contains(&"/spec/parameters must be object or array".to_string()));
        assert!(errs.contains(&"/spec/steps/0 must have required property 'action'".to_string()));
        assert!(errs.iter().any(|e| e.starts_with("/spec/steps/0/id")));
        assert!(errs.contains(&"/spec/steps/1/input must be object".to_string()));
        assert!(errs.contains(&"/spec/output/links must be array".to_string()));
    }

    #[test]
    fn should_build_parameter_schema_filtered_by_tags() {
        let all = parameter_schema(&template(), &|_| true);
        assert_eq!(all.title, "Service");
        assert_eq!(all.steps.len(), 2);
        let some = parameter_schema(&template(), &|tags| !tags.contains(&"admin".to_string()));
        assert_eq!(some.steps.len(), 1);
        assert_eq!(some.steps[0].title, "Basics");
    }

    #[test]
    fn should_default_step_ids_and_names() {
        let steps = task_steps(&template()["spec"]);
        assert_eq!(steps[0].id, "step-1");
        assert_eq!(steps[0].name, "debug:log");
        assert_eq!(steps[1].id, "b");
        assert_eq!(steps[1].name, "B");
    }
}
