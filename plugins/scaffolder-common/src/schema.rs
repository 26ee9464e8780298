//! A JSON Schema subset validator for template parameter values, shared by the wizard
//! (inline errors) and the server (`POST /v2/tasks` → 400 `{errors}`), plus defaults and
//! the form hints the wizard renders from (`ui:field`, `ui:widget`, `ui:order` …).
//!
//! Supported keywords: `type`, `enum`, `const`, `required`, `properties`,
//! `additionalProperties`, `dependencies`, `items`, `minItems`, `maxItems`, `uniqueItems`,
//! `minLength`, `maxLength`, `pattern`, `format` (`email`, `uri`), `minimum`, `maximum`,
//! `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`, `allOf`, `anyOf`, `oneOf`, `not`,
//! `if`/`then`/`else`. Messages follow the npm `jsonschema` package Backstage uses
//! (`does not match pattern "…"`, `requires property "name"` …).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Matches ECMA-262 style patterns; each side supplies one.
pub trait PatternMatcher {
    /// Whether `value` matches `pattern`; `Err` when the pattern is invalid.
    fn is_match(&self, pattern: &str, value: &str) -> Result<bool, String>;
}

/// A matcher that accepts everything (when patterns cannot be checked).
pub struct NoPatterns;

impl PatternMatcher for NoPatterns {
    fn is_match(&self, _pattern: &str, _value: &str) -> Result<bool, String> {
        Ok(true)
    }
}

/// One validation error, shaped like the npm `jsonschema` `ValidationError`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    /// Path of the instance that failed (`["owner"]`, `["tags", 2]`).
    pub path: Vec<Value>,
    /// `instance.owner`.
    pub property: String,
    /// `does not match pattern "^[a-z]+$"`.
    pub message: String,
    /// Keyword that failed (`pattern`, `required`, `type` …).
    pub name: String,
    /// Keyword argument (the pattern, the missing property …).
    #[serde(default)]
    pub argument: Value,
    /// `instance.owner does not match pattern "^[a-z]+$"`.
    pub stack: String,
}

impl FieldError {
    /// The dotted path of the form field this error belongs to: for `required` the
    /// missing property, otherwise the failing instance (`""` for the root).
    pub fn field(&self) -> String {
        let mut parts: Vec<String> = self.path.iter().map(path_segment).collect();
        if self.name == "required" {
            if let Some(p) = self.argument.as_str() {
                parts.push(p.to_string());
            }
        }
        parts.join(".")
    }

    /// A message for display next to the field (`is required` for missing properties).
    pub fn display_message(&self) -> String {
        if self.name == "required" {
            "is required".to_string()
        } else {
            self.message.clone()
        }
    }
}

fn path_segment(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn property_of(path: &[Value]) -> String {
    let mut s = String::from("instance");
    for p in path {
        match p {
            Value::String(k) => {
                s.push('.');
                s.push_str(k);
            }
            other => {
                s.push('[');
                s.push_str(&other.to_string());
                s.push(']');
            }
        }
    }
    s
}

/// Validate `value` against `schema`; every problem is returned.
pub fn validate(schema: &Value, value: &Value, m: &dyn PatternMatcher) -> Vec<FieldError> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    check(schema, value, m, &mut path, &mut out, 0);
    out
}

fn push(out: &mut Vec<FieldError>, path: &[Value], name: &str, argument: Value, message: String) {
    let property = property_of(path);
    out.push(FieldError {
        path: path.to_vec(),
        stack: format!("{property} {message}"),
        property,
        message,
        name: name.to_string(),
        argument,
    });
}

/// The JSON type name of a value (`integer` for whole numbers).
pub fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) => {
            if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                "integer"
            } else {
                "number"
            }
        }
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(t: &str, v: &Value) -> bool {
    let actual = type_of(v);
    t == actual || (t == "number" && actual == "integer") || t == "any"
}

fn as_f64(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64)
}

fn fmt_num(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn check(
    schema: &Value,
    value: &Value,
    m: &dyn PatternMatcher,
    path: &mut Vec<Value>,
    out: &mut Vec<FieldError>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    let s = match schema {
        Value::Object(s) => s,
        Value::Bool(false) => {
            push(out, path, "not", Value::Null, "is not allowed".into());
            return;
        }
        _ => return,
    };
    // type
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(x) => vec![x.as_str()],
            Value::Array(xs) => xs.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !types.is_empty() && !types.iter().any(|t| type_matches(t, value)) {
            push(
                out,
                path,
                "type",
                t.clone(),
                format!("is not of a type(s) {}", types.join(",")),
            );
            return;
        }
    }
    if let Some(Value::Array(options)) = s.get("enum") {
        if !options.contains(value) {
            let list: Vec<String> = options
                .iter()
                .map(|o| match o {
                    Value::String(x) => x.clone(),
                    other => other.to_string(),
                })
                .collect();
            push(
                out,
                path,
                "enum",
                Value::Array(options.clone()),
                format!("is not one of enum values: {}", list.join(",")),
            );
        }
    }
    if let Some(c) = s.get("const") {
        if c != value {
            push(
                out,
                path,
                "const",
                c.clone(),
                format!("does not exactly match expected constant: {c}"),
            );
        }
    }
    match value {
        Value::String(text) => check_string(s, text, m, path, out),
        Value::Number(_) => check_number(s, value, path, out),
        Value::Array(items) => check_array(s, items, m, path, out, depth),
        Value::Object(obj) => check_object(s, obj, m, path, out, depth),
        _ => {}
    }
    if let Some(Value::Array(all)) = s.get("allOf") {
        for sub in all {
            check(sub, value, m, path, out, depth + 1);
        }
    }
    if let Some(Value::Array(any)) = s.get("anyOf") {
        if !any.is_empty()
            && !any
                .iter()
                .any(|sub| validate_at(sub, value, m, depth).is_empty())
        {
            push(
                out,
                path,
                "anyOf",
                Value::Null,
                "is not any of the allowed schemas".into(),
            );
        }
    }
    if let Some(Value::Array(one)) = s.get("oneOf") {
        let ok = one
            .iter()
            .filter(|sub| validate_at(sub, value, m, depth).is_empty())
            .count();
        if !one.is_empty() && ok != 1 {
            push(
                out,
                path,
                "oneOf",
                Value::Null,
                format!("is not exactly one of the allowed schemas ({ok} matched)"),
            );
        }
    }
    if let Some(not) = s.get("not") {
        if validate_at(not, value, m, depth).is_empty() {
            push(
                out,
                path,
                "not",
                Value::Null,
                "is of prohibited schema".into(),
            );
        }
    }
    if let Some(cond) = s.get("if") {
        let branch = if validate_at(cond, value, m, depth).is_empty() {
            s.get("then")
        } else {
            s.get("else")
        };
        if let Some(b) = branch {
            check(b, value, m, path, out, depth + 1);
        }
    }
}

fn validate_at(
    schema: &Value,
    value: &Value,
    m: &dyn PatternMatcher,
    depth: usize,
) -> Vec<FieldError> {
    let mut out = Vec::new();
    check(schema, value, m, &mut Vec::new(), &mut out, depth + 1);
    out
}

fn check_string(
    s: &Map<String, Value>,
    text: &str,
    m: &dyn PatternMatcher,
    path: &[Value],
    out: &mut Vec<FieldError>,
) {
    let len = text.chars().count() as f64;
    if let Some(min) = as_f64(s.get("minLength")) {
        if len < min {
            push(
                out,
                path,
                "minLength",
                s["minLength"].clone(),
                format!("does not meet minimum length of {}", fmt_num(min)),
            );
        }
    }
    if let Some(max) = as_f64(s.get("maxLength")) {
        if len > max {
            push(
                out,
                path,
                "maxLength",
                s["maxLength"].clone(),
                format!("does not meet maximum length of {}", fmt_num(max)),
            );
        }
    }
    if let Some(Value::String(p)) = s.get("pattern") {
        match m.is_match(p, text) {
            Ok(true) => {}
            Ok(false) => push(
                out,
                path,
                "pattern",
                Value::String(p.clone()),
                format!("does not match pattern {}", Value::String(p.clone())),
            ),
            Err(e) => push(
                out,
                path,
                "pattern",
                Value::String(p.clone()),
                format!("has an invalid pattern in its schema: {e}"),
            ),
        }
    }
    if let Some(Value::String(f)) = s.get("format") {
        let ok = match f.as_str() {
            "email" => {
                let mut it = text.splitn(2, '@');
                let (a, b) = (it.next().unwrap_or(""), it.next().unwrap_or(""));
                !a.is_empty()
                    && b.contains('.')
                    && !b.starts_with('.')
                    && !b.ends_with('.')
                    && !text.contains(char::is_whitespace)
            }
            "uri" | "url" => {
                text.split_once(':').is_some_and(|(scheme, rest)| {
                    !scheme.is_empty()
                        && scheme
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                        && !rest.is_empty()
                }) && !text.contains(char::is_whitespace)
            }
            _ => true,
        };
        if !ok {
            push(
                out,
                path,
                "format",
                Value::String(f.clone()),
                format!("does not conform to the \"{f}\" format"),
            );
        }
    }
}

fn check_number(s: &Map<String, Value>, value: &Value, path: &[Value], out: &mut Vec<FieldError>) {
    let Some(n) = value.as_f64() else { return };
    if let Some(min) = as_f64(s.get("minimum")) {
        if n < min {
            push(
                out,
                path,
                "minimum",
                s["minimum"].clone(),
                format!("must be greater than or equal to {}", fmt_num(min)),
            );
        }
    }
    if let Some(max) = as_f64(s.get("maximum")) {
        if n > max {
            push(
                out,
                path,
                "maximum",
                s["maximum"].clone(),
                format!("must be less than or equal to {}", fmt_num(max)),
            );
        }
    }
    if let Some(min) = as_f64(s.get("exclusiveMinimum")) {
        if n <= min {
            push(
                out,
                path,
                "exclusiveMinimum",
                s["exclusiveMinimum"].clone(),
                format!("must be greater than {}", fmt_num(min)),
            );
        }
    }
    if let Some(max) = as_f64(s.get("exclusiveMaximum")) {
        if n >= max {
            push(
                out,
                path,
                "exclusiveMaximum",
                s["exclusiveMaximum"].clone(),
                format!("must be less than {}", fmt_num(max)),
            );
        }
    }
    if let Some(k) = as_f64(s.get("multipleOf")) {
        if k > 0.0 && ((n / k) - (n / k).round()).abs() > 1e-9 {
            push(
                out,
                path,
                "multipleOf",
                s["multipleOf"].clone(),
                format!("is not a multiple of (divisible by) {}", fmt_num(k)),
            );
        }
    }
}

fn check_array(
    s: &Map<String, Value>,
    items: &[Value],
    m: &dyn PatternMatcher,
    path: &mut Vec<Value>,
    out: &mut Vec<FieldError>,
    depth: usize,
) {
    let len = items.len() as f64;
    if let Some(min) = as_f64(s.get("minItems")) {
        if len < min {
            push(
                out,
                path,
                "minItems",
                s["minItems"].clone(),
                format!("does not meet minimum length of {}", fmt_num(min)),
            );
        }
    }
    if let Some(max) = as_f64(s.get("maxItems")) {
        if len > max {
            push(
                out,
                path,
                "maxItems",
                s["maxItems"].clone(),
                format!("does not meet maximum length of {}", fmt_num(max)),
            );
        }
    }
    if s.get("uniqueItems") == Some(&Value::Bool(true)) {
        let dup = items
            .iter()
            .enumerate()
            .any(|(i, a)| items[..i].contains(a));
        if dup {
            push(
                out,
                path,
                "uniqueItems",
                Value::Bool(true),
                "contains duplicate item".into(),
            );
        }
    }
    match s.get("items") {
        Some(Value::Array(tuple)) => {
            for (i, (item, sub)) in items.iter().zip(tuple).enumerate() {
                path.push(Value::from(i));
                check(sub, item, m, path, out, depth + 1);
                path.pop();
            }
        }
        Some(sub @ Value::Object(_)) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Value::from(i));
                check(sub, item, m, path, out, depth + 1);
                path.pop();
            }
        }
        _ => {}
    }
}

fn check_object(
    s: &Map<String, Value>,
    obj: &Map<String, Value>,
    m: &dyn PatternMatcher,
    path: &mut Vec<Value>,
    out: &mut Vec<FieldError>,
    depth: usize,
) {
    if let Some(Value::Array(req)) = s.get("required") {
        for r in req.iter().filter_map(Value::as_str) {
            if obj.get(r).is_none_or(Value::is_null) {
                push(
                    out,
                    path,
                    "required",
                    Value::String(r.to_string()),
                    format!("requires property \"{r}\""),
                );
            }
        }
    }
    let props = s.get("properties").and_then(Value::as_object);
    if let Some(props) = props {
        for (k, sub) in props {
            if let Some(v) = obj.get(k) {
                if v.is_null() {
                    continue;
                }
                path.push(Value::String(k.clone()));
                check(sub, v, m, path, out, depth + 1);
                path.pop();
            }
        }
    }
    if let Some(extra) = s.get("additionalProperties") {
        for (k, v) in obj {
            if props.is_some_and(|p| p.contains_key(k)) {
                continue;
            }
            match extra {
                Value::Bool(false) => push(
                    out,
                    path,
                    "additionalProperties",
                    Value::String(k.clone()),
                    format!("is not allowed to have the additional property \"{k}\""),
                ),
                sub @ Value::Object(_) => {
                    path.push(Value::String(k.clone()));
                    check(sub, v, m, path, out, depth + 1);
                    path.pop();
                }
                _ => {}
            }
        }
    }
    if let Some(Value::Object(deps)) = s.get("dependencies") {
        for (k, dep) in deps {
            if obj.get(k).is_none_or(Value::is_null) {
                continue;
            }
            match dep {
                Value::Array(names) => {
                    for n in names.iter().filter_map(Value::as_str) {
                        if obj.get(n).is_none_or(Value::is_null) {
                            push(
                                out,
                                path,
                                "required",
                                Value::String(n.to_string()),
                                format!("requires property \"{n}\""),
                            );
                        }
                    }
                }
                sub @ Value::Object(_) => {
                    check(sub, &Value::Object(obj.clone()), m, path, out, depth + 1)
                }
                _ => {}
            }
        }
    }
}

/// Fill `default`s of `schema` into `values` (recursively for nested objects) where a
/// property is missing.
pub fn apply_defaults(schema: &Value, values: &mut Map<String, Value>) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (k, sub) in props {
        match values.get_mut(k) {
            None => {
                if let Some(d) = sub.get("default") {
                    values.insert(k.clone(), d.clone());
                } else if sub.get("type").and_then(Value::as_str) == Some("object")
                    && sub.get("properties").is_some()
                {
                    let mut nested = Map::new();
                    apply_defaults(sub, &mut nested);
                    if !nested.is_empty() {
                        values.insert(k.clone(), Value::Object(nested));
                    }
                }
            }
            Some(Value::Object(nested)) => apply_defaults(sub, nested),
            Some(_) => {}
        }
    }
}

/// Remove what a form leaves behind for "no value": `null`, `""` and (recursively)
/// objects that became empty, so `required` applies as rjsf applies it.
pub fn strip_empty(values: &mut Map<String, Value>) {
    values.retain(|_, v| {
        if let Value::Object(o) = v {
            strip_empty(o);
        }
        !matches!(v, Value::Null) && v != &Value::String(String::new())
    });
}

/// Property names of an object schema in display order: `ui:order` (with `*` standing
/// for "every other property"), else declaration order.
pub fn ordered_properties(schema: &Value) -> Vec<String> {
    let names: Vec<String> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let Some(order) = schema.get("ui:order").and_then(Value::as_array) else {
        return names;
    };
    let order: Vec<&str> = order.iter().filter_map(Value::as_str).collect();
    let rest: Vec<String> = names
        .iter()
        .filter(|n| !order.contains(&n.as_str()))
        .cloned()
        .collect();
    let mut out = Vec::new();
    let mut placed_rest = false;
    for o in &order {
        if *o == "*" {
            out.extend(rest.iter().cloned());
            placed_rest = true;
        } else if names.iter().any(|n| n == o) {
            out.push((*o).to_string());
        }
    }
    if !placed_rest {
        out.extend(rest);
    }
    out
}

/// How the wizard renders one property.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// Single-line text.
    Text,
    /// Masked input (`ui:widget: password`, `ui:field: Secret`).
    Password,
    /// Multi-line text (`ui:widget: textarea`).
    Textarea,
    /// A number (`type: number`).
    Number,
    /// A whole number (`type: integer`).
    Integer,
    /// A checkbox.
    Boolean,
    /// One of fixed options (`enum`, with `enumNames` labels): `(value, label)`.
    Select(Vec<(Value, String)>),
    /// Several of fixed options (`type: array` with `items.enum`).
    MultiSelect(Vec<(Value, String)>),
    /// A list of values of the item schema.
    Array(Value),
    /// A nested object (rendered as a fieldset).
    Object,
    /// `ui:field: EntityPicker` (also OwnedEntityPicker).
    EntityPicker,
    /// `ui:field: OwnerPicker` (also MyGroupsPicker).
    OwnerPicker,
    /// `ui:field: MultiEntityPicker`.
    MultiEntityPicker,
    /// `ui:field: EntityNamePicker`.
    EntityNamePicker,
    /// `ui:field: EntityTagsPicker`.
    EntityTagsPicker,
    /// An unknown `ui:field` (rendered as text with a note).
    Unknown(String),
}

fn options_of(enum_values: &[Value], names: Option<&Vec<Value>>) -> Vec<(Value, String)> {
    enum_values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let label = names
                .and_then(|n| n.get(i))
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
            (v.clone(), label)
        })
        .collect()
}

/// Decide the [`FieldKind`] of a property schema.
pub fn field_kind(schema: &Value) -> FieldKind {
    let field = schema.get("ui:field").and_then(Value::as_str);
    match field {
        Some("EntityPicker") | Some("OwnedEntityPicker") => return FieldKind::EntityPicker,
        Some("OwnerPicker") | Some("MyGroupsPicker") => return FieldKind::OwnerPicker,
        Some("MultiEntityPicker") => return FieldKind::MultiEntityPicker,
        Some("EntityNamePicker") => return FieldKind::EntityNamePicker,
        Some("EntityTagsPicker") => return FieldKind::EntityTagsPicker,
        Some("Secret") => return FieldKind::Password,
        Some(other) => return FieldKind::Unknown(other.to_string()),
        None => {}
    }
    let widget = schema.get("ui:widget").and_then(Value::as_str);
    let names = schema.get("enumNames").and_then(Value::as_array);
    if let Some(Value::Array(e)) = schema.get("enum") {
        return FieldKind::Select(options_of(e, names));
    }
    let ty = schema.get("type").and_then(|t| match t {
        Value::String(s) => Some(s.as_str()),
        Value::Array(a) => a.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    });
    match ty {
        Some("boolean") => FieldKind::Boolean,
        Some("number") => FieldKind::Number,
        Some("integer") => FieldKind::Integer,
        Some("object") => FieldKind::Object,
        Some("array") => {
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            if let Some(Value::Array(e)) = items.get("enum") {
                let names = items.get("enumNames").and_then(Value::as_array);
                FieldKind::MultiSelect(options_of(e, names))
            } else {
                FieldKind::Array(items)
            }
        }
        _ => match widget {
            Some("password") => FieldKind::Password,
            Some("textarea") => FieldKind::Textarea,
            _ => FieldKind::Text,
        },
    }
}

/// `ui:options` of a property schema (an empty object when absent).
pub fn ui_options(schema: &Value) -> Map<String, Value> {
    schema
        .get("ui:options")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Property names of `schema` (and nested objects, dotted) whose values are secrets in
/// the form (`ui:widget: password`, `ui:field: Secret`): the review step masks them.
pub fn secret_fields(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, sub) in props {
            if field_kind(sub) == FieldKind::Password {
                out.push(k.clone());
            } else if sub.get("properties").is_some() {
                out.extend(secret_fields(sub).into_iter().map(|n| format!("{k}.{n}")));
            }
        }
    }
    out
}

/// Move the values of `ui:field: Secret` properties (at any depth) out of `values` into the
/// returned secrets map, keyed by property name, leaving a mask of the same length in the
/// parameters — what Backstage's Secret field does: templates read `${{ secrets.<name> }}`,
/// and the task's stored parameters never hold the secret.
pub fn take_secrets(schema: &Value, values: &mut Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return out;
    };
    for (k, sub) in props {
        if sub.get("ui:field").and_then(Value::as_str) == Some("Secret") {
            if let Some(Value::String(secret)) = values.get(k).cloned() {
                values.insert(k.clone(), Value::String("*".repeat(secret.chars().count())));
                out.insert(k.clone(), Value::String(secret));
            }
        } else if let Some(Value::Object(nested)) = values.get_mut(k) {
            out.extend(take_secrets(sub, nested));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Re;
    impl PatternMatcher for Re {
        fn is_match(&self, pattern: &str, value: &str) -> Result<bool, String> {
            regex::Regex::new(pattern)
                .map(|r| r.is_match(value))
                .map_err(|e| e.to_string())
        }
    }

    #[test]
    fn secrets_leave_the_parameters() {
        let page = json!({"properties": {
            "token": {"type": "string", "ui:field": "Secret"},
            "name": {"type": "string"},
            "db": {"type": "object", "properties": {"password": {"type": "string", "ui:field": "Secret"}}}
        }});
        let mut values = json!({"token": "s3cr3t", "name": "svc", "db": {"password": "pw"}})
            .as_object()
            .cloned()
            .unwrap();
        let secrets = take_secrets(&page, &mut values);
        assert_eq!(
            Value::Object(secrets),
            json!({"token": "s3cr3t", "password": "pw"})
        );
        assert_eq!(
            Value::Object(values),
            json!({"token": "******", "name": "svc", "db": {"password": "**"}})
        );
    }

    fn page() -> Value {
        json!({
            "required": ["name", "owner"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9-]+$", "maxLength": 10},
                "owner": {"type": "string"},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 5},
                "lang": {"type": "string", "enum": ["rust", "go"]},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2, "uniqueItems": true}
            }
        })
    }

    #[test]
    fn should_accept_valid_values() {
        let v = json!({"name":"svc-a","owner":"group:default/x","replicas":3,"lang":"rust","tags":["a"]});
        assert!(validate(&page(), &v, &Re).is_empty());
    }

    #[test]
    fn should_report_each_field_with_backstage_messages() {
        let v = json!({"name":"Bad Name!","replicas":9,"lang":"java","tags":["a","a","b"]});
        let errs = validate(&page(), &v, &Re);
        let by_field: Vec<(String, String)> = errs
            .iter()
            .map(|e| (e.field(), e.message.clone()))
            .collect();
        assert!(by_field.contains(&("owner".into(), "requires property \"owner\"".into())));
        assert!(by_field.contains(&(
            "name".into(),
            "does not match pattern \"^[a-z0-9-]+$\"".into()
        )));
        assert!(by_field.contains(&("replicas".into(), "must be less than or equal to 5".into())));
        assert!(by_field.contains(&("lang".into(), "is not one of enum values: rust,go".into())));
        assert!(by_field
            .iter()
            .any(|(f, m)| f == "tags" && m.contains("duplicate")));
        assert!(by_field
            .iter()
            .any(|(f, m)| f == "tags" && m.contains("maximum length of 2")));
        let name = errs.iter().find(|e| e.name == "pattern").unwrap();
        assert_eq!(name.property, "instance.name");
        assert_eq!(
            name.stack,
            "instance.name does not match pattern \"^[a-z0-9-]+$\""
        );
    }

    #[test]
    fn should_check_types_and_integers() {
        let s = json!({"properties":{"n":{"type":"integer"},"x":{"type":"number"},"b":{"type":"boolean"}}});
        assert!(validate(&s, &json!({"n": 2, "x": 2.5, "b": true}), &Re).is_empty());
        let errs = validate(&s, &json!({"n": 2.5, "x": "a", "b": "yes"}), &Re);
        assert_eq!(errs.len(), 3);
        let n = errs.iter().find(|e| e.field() == "n").unwrap();
        assert_eq!(n.message, "is not of a type(s) integer");
    }

    #[test]
    fn should_validate_nested_objects_and_dependencies() {
        let s = json!({
            "properties": {"db": {"type": "object", "required": ["engine"], "properties": {"engine": {"enum": ["pg"]}}}},
            "dependencies": {"backup": ["schedule"]}
        });
        let errs = validate(&s, &json!({"db": {}, "backup": true}), &Re);
        let fields: Vec<String> = errs.iter().map(FieldError::field).collect();
        assert_eq!(fields, vec!["db.engine", "schedule"]);
    }

    #[test]
    fn should_apply_defaults_and_strip_empty() {
        let s = json!({"properties":{"image":{"type":"string","default":"ubuntu:22.04"},"name":{"type":"string"}}});
        let mut v = json!({"name": ""}).as_object().unwrap().clone();
        strip_empty(&mut v);
        apply_defaults(&s, &mut v);
        assert_eq!(Value::Object(v), json!({"image":"ubuntu:22.04"}));
    }

    #[test]
    fn should_order_properties_with_wildcard() {
        let s = json!({"properties":{"a":{},"b":{},"c":{}},"ui:order":["c","*","a"]});
        assert_eq!(ordered_properties(&s), vec!["c", "b", "a"]);
        let s = json!({"properties":{"a":{},"b":{}}});
        assert_eq!(ordered_properties(&s), vec!["a", "b"]);
    }

    #[test]
    fn should_pick_field_kinds() {
        assert_eq!(field_kind(&json!({"type":"string"})), FieldKind::Text);
        assert_eq!(
            field_kind(&json!({"type":"string","ui:widget":"password"})),
            FieldKind::Password
        );
        assert_eq!(
            field_kind(&json!({"type":"string","ui:widget":"textarea"})),
            FieldKind::Textarea
        );
        assert_eq!(
            field_kind(&json!({"type":"string","ui:field":"OwnerPicker"})),
            FieldKind::OwnerPicker
        );
        assert_eq!(
            field_kind(&json!({"type":"string","enum":["a","b"],"enumNames":["A","B"]})),
            FieldKind::Select(vec![(json!("a"), "A".into()), (json!("b"), "B".into())])
        );
        assert!(matches!(
            field_kind(&json!({"type":"array","items":{"type":"string","enum":["x"]}})),
            FieldKind::MultiSelect(_)
        ));
        assert!(matches!(
            field_kind(&json!({"type":"array","items":{"type":"string"}})),
            FieldKind::Array(_)
        ));
        assert_eq!(
            secret_fields(&json!({"properties":{"t":{"type":"string","ui:widget":"password"}}})),
            vec!["t"]
        );
    }
}
