//! Backstage-style templating with minijinja: `${{ … }}` variable delimiters, `{% %}`
//! blocks, silent (chainable) undefined, Backstage's filters (`parseRepoUrl`,
//! `parseEntityRef`, `pick`, `projectSlug`, `dump`) and a few JavaScript string
//! methods (`toUpperCase()` …) templates copied from Backstage use.
//!
//! A string that is exactly one `${{ expr }}` keeps the expression's JSON type
//! ([`Templater::render_value`]); a string that renders to `""` drops its key, as in
//! Backstage. Every render is bounded by fuel, a recursion limit and an output size
//! limit, so a template cannot hang or exhaust the server.

use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Kwargs, Serde, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State, UndefinedBehavior, Value as JValue};
use serde_json::{Map, Value};

/// Fuel per render (roughly instructions; see minijinja's `set_fuel`).
pub const FUEL: u64 = 200_000;
/// Largest rendered string.
pub const MAX_OUTPUT: usize = 4 * 1024 * 1024;

/// A templating failure (shown in the task log with the step).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

impl From<Error> for TemplateError {
    fn from(e: Error) -> Self {
        let mut msg = match e.kind() {
            ErrorKind::OutOfFuel => {
                "template evaluation exceeded its budget (too much work: an endless or very large loop?)"
                    .to_string()
            }
            _ => e.to_string(),
        };
        if let Some(d) = e.detail() {
            if !msg.contains(d) {
                msg.push_str(": ");
                msg.push_str(d);
            }
        }
        TemplateError(msg)
    }
}

/// The template engine (cheap to share; build once).
pub struct Templater {
    env: Environment<'static>,
    /// Delimiters `${{`/`}}` or `{{`/`}}` (fetch:template with `cookiecutterCompat`).
    pub delimiters: (&'static str, &'static str),
}

impl Default for Templater {
    fn default() -> Self {
        Self::new(false, false)
    }
}

impl Templater {
    /// A templater; `trim_blocks`/`lstrip_blocks` as Jinja's options.
    pub fn new(trim_blocks: bool, lstrip_blocks: bool) -> Self {
        let mut env = Environment::new();
        let syntax = SyntaxConfig::builder()
            .variable_delimiters("${{", "}}")
            .trim_blocks(trim_blocks)
            .lstrip_blocks(lstrip_blocks)
            .keep_trailing_newline(true)
            .build()
            .unwrap_or_default();
        env.set_syntax(syntax);
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(64);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.add_filter("parseRepoUrl", parse_repo_url);
        env.add_filter("parseEntityRef", parse_entity_ref);
        env.add_filter("pick", pick);
        env.add_filter("projectSlug", project_slug);
        env.add_filter("dump", dump);
        env.set_unknown_method_callback(js_methods);
        Self {
            env,
            delimiters: ("${{", "}}"),
        }
    }

    /// Render a string template to text.
    pub fn render_string(&self, source: &str, ctx: &JValue) -> Result<String, TemplateError> {
        if !source.contains("${{") && !source.contains("{%") && !source.contains("{#") {
            return Ok(source.to_string());
        }
        let out = self.env.render_str(source, ctx.clone())?;
        if out.len() > MAX_OUTPUT {
            return Err(TemplateError(format!(
                "rendered text is larger than {MAX_OUTPUT} bytes"
            )));
        }
        Ok(out)
    }

    /// Evaluate one expression (without delimiters) to a JSON value; `None` when it is
    /// undefined.
    pub fn eval_expression(
        &self,
        expr: &str,
        ctx: &JValue,
    ) -> Result<Option<Value>, TemplateError> {
        let compiled = self.env.compile_expression(expr)?;
        let v = compiled.eval(ctx.clone())?;
        if v.is_undefined() {
            return Ok(None);
        }
        Ok(Some(to_json(&v)?))
    }

    /// Template every string of `input` (recursively): a string that is exactly one
    /// `${{ expr }}` becomes the expression's value with its type; other strings are
    /// rendered as text; strings rendering to `""` (and undefined expressions) drop out.
    pub fn render_value(
        &self,
        input: &Value,
        ctx: &JValue,
    ) -> Result<Option<Value>, TemplateError> {
        Ok(match input {
            Value::String(s) => {
                if let Some(expr) = single_expression(s) {
                    self.eval_expression(expr, ctx)?
                } else {
                    let out = self.render_string(s, ctx)?;
                    if out.is_empty() {
                        None
                    } else {
                        Some(Value::String(out))
                    }
                }
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.render_value(i, ctx)?.unwrap_or(Value::Null));
                }
                Some(Value::Array(out))
            }
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    if let Some(r) = self.render_value(v, ctx)? {
                        out.insert(k.clone(), r);
                    }
                }
                Some(Value::Object(out))
            }
            other => Some(other.clone()),
        })
    }

    /// Evaluate a step's `if:` (a bool, or a string rendered then judged truthy as in
    /// Backstage: `false`, `""`, `0`, `null`, `undefined` are false).
    pub fn eval_condition(&self, cond: &Value, ctx: &JValue) -> Result<bool, TemplateError> {
        match cond {
            Value::Bool(b) => Ok(*b),
            Value::String(_) => Ok(match self.render_value(cond, ctx)? {
                None | Some(Value::Null) | Some(Value::Bool(false)) => false,
                Some(Value::String(s)) => !(s.is_empty() || s == "false"),
                Some(Value::Number(n)) => n.as_f64() != Some(0.0),
                Some(_) => true,
            }),
            Value::Null => Ok(false),
            _ => Ok(true),
        }
    }
}

/// Build a template context value from JSON.
pub fn context(v: &Value) -> JValue {
    JValue::from(Serde(v))
}

/// Convert a template value to JSON.
pub fn to_json(v: &JValue) -> Result<Value, TemplateError> {
    serde_json::to_value(v).map_err(|e| TemplateError(format!("cannot convert value: {e}")))
}

/// `Some(inner)` when `s` is exactly one `${{ … }}` expression.
pub fn single_expression(s: &str) -> Option<&str> {
    let t = s.trim();
    let inner = t.strip_prefix("${{")?.strip_suffix("}}")?;
    if inner.contains("${{") || inner.contains("}}") || inner.contains("{%") {
        return None;
    }
    Some(inner.trim())
}

fn to_jv(v: &Value) -> JValue {
    JValue::from(Serde(v))
}

fn from_jv(v: &JValue) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `parseRepoUrl`: `github.com?owner=o&repo=r` → `{host, owner, repo, organization?,
/// workspace?, project?}`.
fn parse_repo_url(url: &str) -> Result<JValue, Error> {
    let (host, query) = url.split_once('?').unwrap_or((url, ""));
    if host.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("Invalid repo URL passed to parser, missing host: {url}"),
        ));
    }
    let mut out = Map::new();
    out.insert("host".into(), Value::String(host.to_string()));
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if ["owner", "repo", "organization", "workspace", "project"].contains(&k) {
            out.insert(k.to_string(), Value::String(percent_decode(v)));
        }
    }
    if !out.contains_key("repo") {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("Invalid repo URL passed to parser, missing repo: {url}"),
        ));
    }
    Ok(to_jv(&Value::Object(out)))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `parseEntityRef(ref, {defaultKind, defaultNamespace})` → `{kind, namespace, name}`.
fn parse_entity_ref(value: &str, opts: Option<JValue>, kwargs: Kwargs) -> Result<JValue, Error> {
    let opt = |k: &str| -> Option<String> {
        if let Ok(Some(v)) = kwargs.get::<Option<String>>(k) {
            return Some(v);
        }
        opts.as_ref()
            .and_then(|o| o.get_attr(k).ok())
            .and_then(|v| v.as_str().map(str::to_string))
    };
    let kind = opt("defaultKind");
    let ns = opt("defaultNamespace");
    let _ = kwargs.assert_all_used();
    let r = portal_types::EntityRef::parse(value, kind.as_deref(), ns.as_deref())
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.0))?;
    Ok(to_jv(&serde_json::json!({
        "kind": r.kind, "namespace": r.namespace, "name": r.name
    })))
}

/// `pick(obj, 'a.b')`.
fn pick(value: &JValue, path: &str) -> JValue {
    let mut cur = from_jv(value);
    for part in path.split('.') {
        cur = match cur {
            Value::Object(mut m) => m.remove(part).unwrap_or(Value::Null),
            Value::Array(a) => part
                .parse::<usize>()
                .ok()
                .and_then(|i| a.get(i).cloned())
                .unwrap_or(Value::Null),
            _ => Value::Null,
        };
    }
    if cur.is_null() {
        JValue::UNDEFINED
    } else {
        to_jv(&cur)
    }
}

/// `projectSlug`: `github.com?owner=o&repo=r` → `o/r`.
fn project_slug(url: &str) -> Result<String, Error> {
    let parsed = from_jv(&parse_repo_url(url)?);
    let owner = parsed
        .get("owner")
        .or_else(|| parsed.get("organization"))
        .or_else(|| parsed.get("workspace"))
        .or_else(|| parsed.get("project"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let repo = parsed["repo"].as_str().unwrap_or_default();
    Ok(format!("{owner}/{repo}"))
}

/// `dump`: JSON text of a value (Nunjucks' `dump`).
fn dump(value: &JValue, indent: Option<usize>) -> Result<String, Error> {
    let v = from_jv(value);
    let out = match indent {
        Some(_) => serde_json::to_string_pretty(&v),
        None => serde_json::to_string(&v),
    };
    out.map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
}

/// JavaScript string/array methods Backstage templates use.
fn js_methods(
    _state: &mut State,
    value: &JValue,
    method: &str,
    args: &[JValue],
) -> Result<JValue, Error> {
    let unknown = || Err(Error::from(ErrorKind::UnknownMethod));
    let arg_str = |i: usize| {
        args.get(i)
            .and_then(|a| a.as_str())
            .unwrap_or_default()
            .to_string()
    };
    if let Some(s) = value.as_str() {
        let s = s.to_string();
        return Ok(match method {
            "toUpperCase" => JValue::from(s.to_uppercase()),
            "toLowerCase" => JValue::from(s.to_lowercase()),
            "trim" => JValue::from(s.trim()),
            "startsWith" => JValue::from(s.starts_with(&arg_str(0))),
            "endsWith" => JValue::from(s.ends_with(&arg_str(0))),
            "includes" => JValue::from(s.contains(&arg_str(0))),
            "replace" => JValue::from(s.replacen(&arg_str(0), &arg_str(1), 1)),
            "replaceAll" => JValue::from(s.replace(&arg_str(0), &arg_str(1))),
            "split" => {
                let sep = arg_str(0);
                let parts: Vec<JValue> = if sep.is_empty() {
                    s.chars().map(|c| JValue::from(c.to_string())).collect()
                } else {
                    s.split(sep.as_str()).map(JValue::from).collect()
                };
                JValue::from(parts)
            }
            _ => return unknown(),
        });
    }
    if value.kind() == ValueKind::Seq {
        let items: Vec<JValue> = value.try_iter()?.collect();
        return Ok(match method {
            "includes" => JValue::from(args.first().is_some_and(|a| items.contains(a))),
            "join" => {
                let sep = if args.is_empty() {
                    ",".to_string()
                } else {
                    arg_str(0)
                };
                JValue::from(
                    items
                        .iter()
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(&sep),
                )
            }
            _ => return unknown(),
        });
    }
    unknown()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> JValue {
        context(&json!({
            "parameters": {"name": "svc", "count": 3, "enabled": true, "tags": ["a", "b"],
                            "repoUrl": "github.com?owner=acme&repo=web", "owner": "group:default/team-a"},
            "steps": {"fetch": {"output": {"path": "/x"}}},
            "user": {"ref": "user:default/jane"}
        }))
    }

    #[test]
    fn should_keep_types_of_single_expressions() {
        let t = Templater::default();
        let input = json!({
            "n": "${{ parameters.count }}", "b": "${{parameters.enabled}}", "arr": "${{ parameters.tags }}",
            "text": "name-${{ parameters.name }}", "missing": "${{ parameters.nope }}", "empty": "",
            "nested": {"p": "${{ steps.fetch.output.path }}"}, "lit": 5
        });
        let out = t.render_value(&input, &ctx()).unwrap().unwrap();
        assert_eq!(
            out,
            json!({"n": 3, "b": true, "arr": ["a", "b"], "text": "name-svc", "nested": {"p": "/x"}, "lit": 5})
        );
    }

    #[test]
    fn should_apply_backstage_filters() {
        let t = Templater::default();
        let r = |s: &str| t.render_value(&json!(s), &ctx()).unwrap();
        assert_eq!(
            r("${{ parameters.repoUrl | parseRepoUrl }}"),
            Some(json!({"host": "github.com", "owner": "acme", "repo": "web"}))
        );
        assert_eq!(
            r("${{ parameters.repoUrl | projectSlug }}"),
            Some(json!("acme/web"))
        );
        assert_eq!(
            r("${{ (parameters.owner | parseEntityRef).name }}"),
            Some(json!("team-a"))
        );
        assert_eq!(
            r("${{ ('jane' | parseEntityRef({'defaultKind': 'user', 'defaultNamespace': 'x'})).namespace }}"),
            Some(json!("x"))
        );
        assert_eq!(r("${{ parameters | pick('name') }}"), Some(json!("svc")));
        assert_eq!(
            r("v=${{ parameters.tags | dump }}"),
            Some(json!("v=[\"a\",\"b\"]"))
        );
        assert_eq!(
            r("${{ parameters.name.toUpperCase() }}"),
            Some(json!("SVC"))
        );
        assert_eq!(
            r("{% if parameters.enabled %}on{% endif %}"),
            Some(json!("on"))
        );
    }

    #[test]
    fn should_evaluate_conditions() {
        let t = Templater::default();
        assert!(t
            .eval_condition(&json!("${{ parameters.enabled }}"), &ctx())
            .unwrap());
        assert!(!t
            .eval_condition(&json!("${{ parameters.nope }}"), &ctx())
            .unwrap());
        assert!(!t
            .eval_condition(&json!("${{ parameters.count == 4 }}"), &ctx())
            .unwrap());
        assert!(!t.eval_condition(&json!(false), &ctx()).unwrap());
    }

    #[test]
    fn should_stop_runaway_templates() {
        let t = Templater::default();
        let start = std::time::Instant::now();
        let err = t
            .render_value(
                &json!("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"),
                &ctx(),
            )
            .unwrap_err();
        assert!(err.0.contains("budget"), "{err}");
        let err = t
            .render_value(
                &json!("{% macro f(n) %}${{ f(n) }}{% endmacro %}${{ f(1) }}"),
                &ctx(),
            )
            .unwrap_err();
        assert!(!err.0.is_empty());
        assert!(t
            .render_value(&json!("${{ 'x' * 100000000000 }}"), &ctx())
            .is_err());
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn should_report_syntax_errors() {
        let t = Templater::default();
        let err = t
            .render_value(&json!("${{ parameters.name | }}"), &ctx())
            .unwrap_err();
        assert!(err.0.contains("syntax error"), "{err}");
        let err = t
            .render_value(&json!("${{ 'x' | nosuchfilter }}"), &ctx())
            .unwrap_err();
        assert!(err.0.contains("nosuchfilter"), "{err}");
    }
}
