//! Backstage's entity envelope validation (`KubernetesValidatorFunctions`,
//! `CommonValidatorFunctions`, `FieldFormatEntityPolicy`), collecting every problem with
//! the path of the offending field.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One validation problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationError {
    /// Dotted path of the field, e.g. `metadata.tags[1]`.
    pub path: String,
    /// Human-readable message (starts with the quoted path).
    pub message: String,
}

impl ValidationError {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The root keys an entity may have.
pub const ALLOWED_ROOT_KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "spec",
    "relations",
    "status",
];

fn is_dns_label(s: &str) -> bool {
    // ^[a-z0-9]+(-[a-z0-9]+)*$, 1..=63
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`, 1–63 characters.
pub fn is_valid_object_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A namespace is a DNS label: `^[a-z0-9]+(-[a-z0-9]+)*$`, 1–63 characters.
pub fn is_valid_namespace(s: &str) -> bool {
    is_dns_label(s)
}

/// `^[a-zA-Z][a-z0-9A-Z]*$`, 1–63 characters.
pub fn is_valid_kind(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphabetic()
        && b.iter().all(u8::is_ascii_alphanumeric)
}

fn prefix_and_or_suffix(s: &str, prefix: fn(&str) -> bool, suffix: fn(&str) -> bool) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [one] => suffix(one),
        [p, n] => prefix(p) && suffix(n),
        _ => false,
    }
}

/// `[<dns-subdomain>/]<[a-zA-Z0-9]{1,63}>`.
pub fn is_valid_api_version(s: &str) -> bool {
    prefix_and_or_suffix(s, is_dns_subdomain, |n| {
        !n.is_empty() && n.len() <= 63 && n.bytes().all(|c| c.is_ascii_alphanumeric())
    })
}

/// Label and annotation keys: `[<dns-subdomain>/]<object-name>`.
pub fn is_valid_label_key(s: &str) -> bool {
    prefix_and_or_suffix(s, is_dns_subdomain, is_valid_object_name)
}

/// Label values: empty or an object name.
pub fn is_valid_label_value(s: &str) -> bool {
    s.is_empty() || is_valid_object_name(s)
}

/// Tags: `^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$`, 1–63 characters.
pub fn is_valid_tag(s: &str) -> bool {
    let ok =
        |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b':' | b'+' | b'#');
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|c| ok(c) || c == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// A URL with a scheme (`scheme:rest`), as `new URL()` accepts.
pub fn is_valid_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let sb = scheme.as_bytes();
    !sb.is_empty()
        && sb[0].is_ascii_alphabetic()
        && sb
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        && !rest.is_empty()
        && !s.chars().any(char::is_whitespace)
        && (!rest.starts_with("//") || rest.len() > 2)
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// Validate the envelope of `entity` (not the kind-specific `spec`). Returns every problem.
pub fn validate_envelope(entity: &Value) -> Vec<ValidationError> {
    let mut errs = Vec::new();
    let Some(obj) = entity.as_object() else {
        errs.push(ValidationError::new("", "Entity must be an object"));
        return errs;
    };
    for key in obj.keys() {
        if !ALLOWED_ROOT_KEYS.contains(&key.as_str()) {
            errs.push(ValidationError::new(
                key.clone(),
                format!(
                    "Unknown field \"{key}\"; allowed root fields are {}",
                    ALLOWED_ROOT_KEYS.join(", ")
                ),
            ));
        }
    }
    match obj.get("apiVersion") {
        None => errs.push(ValidationError::new("apiVersion", "\"apiVersion\" is missing")),
        Some(Value::String(s)) if is_valid_api_version(s) => {}
        Some(v) => errs.push(ValidationError::new(
            "apiVersion",
            format!("\"apiVersion\" is not valid; expected a string that is a [<DNS subdomain>/]<[a-zA-Z0-9]{{1,63}}> but found {}", describe(v)),
        )),
    }
    match obj.get("kind") {
        None => errs.push(ValidationError::new("kind", "\"kind\" is missing")),
        Some(Value::String(s)) if is_valid_kind(s) => {}
        Some(v) => errs.push(ValidationError::new(
            "kind",
            format!("\"kind\" is not valid; expected a string that is a sequence of [a-zA-Z][a-z0-9A-Z], at most 63 characters in total but found {}", describe(v)),
        )),
    }
    if let Some(spec) = obj.get("spec") {
        if !spec.is_object() {
            errs.push(ValidationError::new("spec", "\"spec\" must be an object"));
        }
    }
    if let Some(rel) = obj.get("relations") {
        if !rel.is_array() {
            errs.push(ValidationError::new(
                "relations",
                "\"relations\" must be an array",
            ));
        }
    }
    if let Some(st) = obj.get("status") {
        if !st.is_object() {
            errs.push(ValidationError::new(
                "status",
                "\"status\" must be an object",
            ));
        }
    }
    match obj.get("metadata") {
        None => errs.push(ValidationError::new("metadata", "\"metadata\" is missing")),
        Some(Value::Object(m)) => validate_metadata(m, &mut errs),
        Some(_) => errs.push(ValidationError::new(
            "metadata",
            "\"metadata\" must be an object",
        )),
    }
    errs
}

fn validate_metadata(m: &serde_json::Map<String, Value>, errs: &mut Vec<ValidationError>) {
    match m.get("name") {
        None => errs.push(ValidationError::new("metadata.name", "\"metadata.name\" is missing")),
        Some(Value::String(s)) if is_valid_object_name(s) => {}
        Some(v) => errs.push(ValidationError::new(
            "metadata.name",
            format!("\"metadata.name\" is not valid; expected a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total but found {}", describe(v)),
        )),
    }
    match m.get("namespace") {
        None => {}
        Some(Value::String(s)) if is_valid_namespace(s) => {}
        Some(v) => errs.push(ValidationError::new(
            "metadata.namespace",
            format!("\"metadata.namespace\" is not valid; expected a string that is sequences of [a-z0-9] separated by [-], at most 63 characters in total but found {}", describe(v)),
        )),
    }
    for key in ["title", "description", "uid", "etag"] {
        if let Some(v) = m.get(key) {
            if !v.is_string() {
                errs.push(ValidationError::new(
                    format!("metadata.{key}"),
                    format!(
                        "\"metadata.{key}\" must be a string but found {}",
                        describe(v)
                    ),
                ));
            }
        }
    }
    if let Some(v) = m.get("labels") {
        validate_map(v, "labels", is_valid_label_value, "a string that is empty or sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total", errs);
    }
    if let Some(v) = m.get("annotations") {
        validate_map(v, "annotations", |_| true, "a string", errs);
    }
    if let Some(v) = m.get("tags") {
        match v {
            Value::Array(items) => {
                for (i, t) in items.iter().enumerate() {
                    let ok = t.as_str().is_some_and(is_valid_tag);
                    if !ok {
                        errs.push(ValidationError::new(
                            format!("metadata.tags[{i}]"),
                            format!("\"metadata.tags[{i}]\" is not valid; expected a string that is sequences of [a-z0-9+#] separated by [-], at most 63 characters in total but found {}", describe(t)),
                        ));
                    }
                }
            }
            other => errs.push(ValidationError::new(
                "metadata.tags",
                format!(
                    "\"metadata.tags\" must be an array but found {}",
                    describe(other)
                ),
            )),
        }
    }
    if let Some(v) = m.get("links") {
        match v {
            Value::Array(items) => {
                for (i, l) in items.iter().enumerate() {
                    validate_link(i, l, errs);
                }
            }
            other => errs.push(ValidationError::new(
                "metadata.links",
                format!(
                    "\"metadata.links\" must be an array but found {}",
                    describe(other)
                ),
            )),
        }
    }
}

fn validate_map(
    v: &Value,
    field: &str,
    value_ok: fn(&str) -> bool,
    value_expect: &str,
    errs: &mut Vec<ValidationError>,
) {
    let Value::Object(map) = v else {
        errs.push(ValidationError::new(
            format!("metadata.{field}"),
            format!(
                "\"metadata.{field}\" must be an object but found {}",
                describe(v)
            ),
        ));
        return;
    };
    for (k, val) in map {
        if !is_valid_label_key(k) {
            errs.push(ValidationError::new(
                format!("metadata.{field}.{k}"),
                format!("\"metadata.{field}\" key is not valid; expected a string that is a [<DNS subdomain>/]<object name> but found \"{k}\""),
            ));
        }
        if !val.as_str().is_some_and(value_ok) {
            errs.push(ValidationError::new(
                format!("metadata.{field}.{k}"),
                format!(
                    "\"metadata.{field}.{k}\" is not valid; expected {value_expect} but found {}",
                    describe(val)
                ),
            ));
        }
    }
}

fn validate_link(i: usize, l: &Value, errs: &mut Vec<ValidationError>) {
    let path = format!("metadata.links[{i}]");
    let Value::Object(link) = l else {
        errs.push(ValidationError::new(
            path.clone(),
            format!("\"{path}\" must be an object"),
        ));
        return;
    };
    match link.get("url") {
        Some(Value::String(u)) if is_valid_url(u) => {}
        Some(v) => errs.push(ValidationError::new(
            format!("{path}.url"),
            format!(
                "\"{path}.url\" is not valid; expected a valid URL but found {}",
                describe(v)
            ),
        )),
        None => errs.push(ValidationError::new(
            format!("{path}.url"),
            format!("\"{path}.url\" is missing"),
        )),
    }
    if let Some(t) = link.get("title") {
        if t.as_str().is_none_or(|s| s.trim().is_empty()) {
            errs.push(ValidationError::new(
                format!("{path}.title"),
                format!(
                    "\"{path}.title\" is not valid; expected a non-empty string but found {}",
                    describe(t)
                ),
            ));
        }
    }
    if let Some(t) = link.get("icon") {
        if !t.as_str().is_some_and(is_valid_object_name) {
            errs.push(ValidationError::new(
                format!("{path}.icon"),
                format!("\"{path}.icon\" is not valid; expected a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total but found {}", describe(t)),
            ));
        }
    }
    if let Some(t) = link.get("type") {
        if !t.is_string() {
            errs.push(ValidationError::new(
                format!("{path}.type"),
                format!("\"{path}.type\" must be a string"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok_entity() -> Value {
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
               "metadata": {"name": "my-svc_1.x", "namespace": "team-a",
                 "labels": {"a.io/x": "v", "empty": ""}, "annotations": {"x.io/any": "any value !"},
                 "tags": ["java", "c++", "a:b", "#x"],
                 "links": [{"url": "https://x.io", "title": "X", "icon": "dashboard"}]},
               "spec": {"type": "service"}})
    }

    #[test]
    fn should_accept_valid_envelope() {
        assert_eq!(validate_envelope(&ok_entity()), vec![]);
    }

    #[test]
    fn should_validate_formats() {
        assert!(is_valid_api_version("v1"));
        assert!(is_valid_api_version("backstage.io/v1beta1"));
        assert!(!is_valid_api_version("a/b/c"));
        assert!(!is_valid_api_version("Backstage.io/v1"));
        assert!(is_valid_kind("Component"));
        assert!(!is_valid_kind("1Comp"));
        assert!(!is_valid_kind("Comp-x"));
        assert!(is_valid_object_name("a"));
        assert!(!is_valid_object_name("-a"));
        assert!(!is_valid_object_name("a_"));
        assert!(!is_valid_object_name(&"a".repeat(64)));
        assert!(is_valid_object_name(&"a".repeat(63)));
        assert!(is_valid_namespace("a-b"));
        assert!(!is_valid_namespace("A"));
        assert!(!is_valid_namespace("a--b"));
        assert!(is_valid_label_key("backstage.io/x"));
        assert!(!is_valid_label_key("a/b/c"));
        assert!(!is_valid_tag("Java"));
        assert!(!is_valid_tag("a_b"));
        assert!(!is_valid_url("not a url"));
        assert!(is_valid_url("mailto:x@y"));
    }

    #[test]
    fn should_collect_every_error_with_its_path() {
        let e = json!({"apiVersion": "a/b/c", "kind": "1x", "extra": 1,
            "metadata": {"name": "-bad", "namespace": "UP", "labels": {"k": "bad value"},
                         "annotations": {"a/b/c": "x", "ok": 1}, "tags": ["OK", 3],
                         "links": [{"url": "nope", "title": "", "icon": "-x"}, 5]},
            "spec": []});
        let paths: Vec<String> = validate_envelope(&e).into_iter().map(|e| e.path).collect();
        for want in [
            "extra",
            "apiVersion",
            "kind",
            "spec",
            "metadata.name",
            "metadata.namespace",
            "metadata.labels.k",
            "metadata.annotations.a/b/c",
            "metadata.annotations.ok",
            "metadata.tags[0]",
            "metadata.tags[1]",
            "metadata.links[0].url",
            "metadata.links[0].title",
            "metadata.links[0].icon",
            "metadata.links[1]",
        ] {
            assert!(
                paths.iter().any(|p| p == want),
                "missing {want} in {paths:?}"
            );
        }
    }

    #[test]
    fn should_require_root_fields() {
        let errs = validate_envelope(&json!({"metadata": {}}));
        let paths: Vec<_> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["apiVersion", "kind", "metadata.name"]);
        assert_eq!(
            validate_envelope(&json!([]))[0].message,
            "Entity must be an object"
        );
    }
}
