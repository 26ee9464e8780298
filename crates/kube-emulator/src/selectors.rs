//! Label selectors (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`) and field
//! selectors (`path=value`, `path==value`, `path!=value`).

use crate::error::{ApiError, ApiResult};
use serde_json::Value;

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelReq {
    /// `key=value` / `key==value` / `key in (…)`.
    In(String, Vec<String>),
    /// `key!=value` / `key notin (…)` (also true when the key is absent).
    NotIn(String, Vec<String>),
    /// `key`.
    Exists(String),
    /// `!key`.
    NotExists(String),
}

/// A parsed label selector (all requirements must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(pub Vec<LabelReq>);

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 317
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

fn valid_value(v: &str) -> bool {
    v.len() <= 63
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Split on commas that are not inside parentheses.
fn split_top(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                cur.push(c)
            }
            ')' => {
                depth -= 1;
                cur.push(c)
            }
            ',' if depth == 0 => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn parse_set(rest: &str, sel: &str) -> ApiResult<Vec<String>> {
    let rest = rest.trim();
    let inner = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "unable to parse requirement: found '{rest}', expected: '(' in {sel:?}"
            ))
        })?;
    let vals: Vec<String> = inner
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if let Some(bad) = vals.iter().find(|v| !valid_value(v)) {
        return Err(ApiError::bad_request(format!(
            "invalid label value: {bad:?}"
        )));
    }
    Ok(vals)
}

impl LabelSelector {
    /// Parse the `labelSelector` query parameter.
    pub fn parse(sel: &str) -> ApiResult<Self> {
        let mut reqs = Vec::new();
        if sel.trim().is_empty() {
            return Ok(LabelSelector(reqs));
        }
        for part in split_top(sel) {
            let p = part.trim();
            let bad = || {
                ApiError::bad_request(format!(
                    "unable to parse requirement: {p:?} in label selector {sel:?}"
                ))
            };
            let req = if let Some(k) = p.strip_prefix('!') {
                LabelReq::NotExists(k.trim().to_string())
            } else if let Some((k, v)) = p.split_once("!=") {
                LabelReq::NotIn(k.trim().into(), vec![v.trim().into()])
            } else if let Some((k, v)) = p.split_once("==") {
                LabelReq::In(k.trim().into(), vec![v.trim().into()])
            } else if let Some((k, v)) = p.split_once('=') {
                LabelReq::In(k.trim().into(), vec![v.trim().into()])
            } else if let Some(idx) = p.find(" notin ") {
                LabelReq::NotIn(p[..idx].trim().into(), parse_set(&p[idx + 7..], sel)?)
            } else if let Some(idx) = p.find(" in ") {
                LabelReq::In(p[..idx].trim().into(), parse_set(&p[idx + 4..], sel)?)
            } else if p.contains(['(', ')', ' ', '<', '>']) {
                return Err(bad());
            } else {
                LabelReq::Exists(p.to_string())
            };
            let (key, vals) = match &req {
                LabelReq::In(k, v) | LabelReq::NotIn(k, v) => (k, v.clone()),
                LabelReq::Exists(k) | LabelReq::NotExists(k) => (k, vec![]),
            };
            if !valid_key(key) || vals.iter().any(|v| !valid_value(v)) {
                return Err(bad());
            }
            reqs.push(req);
        }
        Ok(LabelSelector(reqs))
    }

    /// Whether an object's `metadata.labels` satisfy the selector.
    pub fn matches(&self, obj: &Value) -> bool {
        let labels = &obj["metadata"]["labels"];
        let get = |k: &str| labels.get(k).and_then(|v| v.as_str());
        self.0.iter().all(|r| match r {
            LabelReq::In(k, vs) => get(k).is_some_and(|v| vs.iter().any(|x| x == v)),
            LabelReq::NotIn(k, vs) => get(k).is_none_or(|v| !vs.iter().any(|x| x == v)),
            LabelReq::Exists(k) => get(k).is_some(),
            LabelReq::NotExists(k) => get(k).is_none(),
        })
    }

    /// True when the selector has no requirements.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One requirement of a field selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldReq {
    /// Dotted path, e.g. `metadata.name`.
    pub path: String,
    /// Expected value.
    pub value: String,
    /// `!=` instead of `=`.
    pub negate: bool,
}

/// A parsed field selector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector(pub Vec<FieldReq>);

impl FieldSelector {
    /// Parse the `fieldSelector` query parameter; `allowed` decides which paths are supported
    /// (400 `field label not supported` otherwise, like the real server).
    pub fn parse(sel: &str, allowed: impl Fn(&str) -> bool) -> ApiResult<Self> {
        let mut reqs = Vec::new();
        if sel.trim().is_empty() {
            return Ok(FieldSelector(reqs));
        }
        for part in sel.split(',') {
            let p = part.trim();
            let (path, value, negate) = if let Some((k, v)) = p.split_once("!=") {
                (k, v, true)
            } else if let Some((k, v)) = p.split_once("==") {
                (k, v, false)
            } else if let Some((k, v)) = p.split_once('=') {
                (k, v, false)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{sel}'; can't understand '{p}'"
                )));
            };
            let path = path.trim();
            if !allowed(path) {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {path}"
                )));
            }
            reqs.push(FieldReq {
                path: path.to_string(),
                value: value.trim().to_string(),
                negate,
            });
        }
        Ok(FieldSelector(reqs))
    }

    /// Whether the object satisfies every requirement (missing fields compare as `""`).
    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|r| {
            let actual = field_text(obj, &r.path);
            (actual == r.value) != r.negate
        })
    }

    /// The value required for `metadata.name`, if the selector pins it.
    pub fn pinned_name(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|r| r.path == "metadata.name" && !r.negate)
            .map(|r| r.value.as_str())
    }
}

/// The text of a dotted field path (`""` when missing; numbers and booleans as text).
pub fn field_text(obj: &Value, path: &str) -> String {
    let mut cur = obj;
    for seg in path.split('.') {
        match cur.get(seg) {
            Some(v) => cur = v,
            None => return String::new(),
        }
    }
    match cur {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Field paths the real API server supports for built-in kinds (besides `metadata.name` and
/// `metadata.namespace`, which every kind supports).
pub fn builtin_field_allowed(plural: &str, path: &str) -> bool {
    match plural {
        "pods" => matches!(
            path,
            "spec.nodeName"
                | "spec.restartPolicy"
                | "spec.schedulerName"
                | "spec.serviceAccountName"
                | "spec.hostNetwork"
                | "status.phase"
                | "status.podIP"
                | "status.nominatedNodeName"
        ),
        "nodes" => path == "spec.unschedulable",
        "namespaces" => path == "status.phase",
        "secrets" => path == "type",
        "events" => {
            path.starts_with("involvedObject.")
                || matches!(path, "reason" | "reportingComponent" | "source" | "type")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(labels: Value) -> Value {
        json!({"metadata": {"name": "n", "namespace": "ns", "labels": labels}})
    }

    #[test]
    fn label_selector_operators() {
        let o = obj(json!({"env": "prod", "team": "payments"}));
        let m = |s: &str| LabelSelector::parse(s).unwrap().matches(&o);
        assert!(m("env=prod"));
        assert!(m("env==prod,team=payments"));
        assert!(!m("env!=prod"));
        assert!(m("tier!=web"));
        assert!(m("env in (prod, staging)"));
        assert!(!m("env notin (prod)"));
        assert!(m("team"));
        assert!(!m("!team"));
        assert!(m("!tier"));
        assert!(m(""));
        assert!(LabelSelector::parse("env in prod").is_err());
        assert!(LabelSelector::parse("a b").is_err());
    }

    #[test]
    fn field_selector() {
        let o = obj(json!({}));
        let all = |_: &str| true;
        assert!(FieldSelector::parse("metadata.name=n", all)
            .unwrap()
            .matches(&o));
        assert!(FieldSelector::parse("metadata.namespace!=x", all)
            .unwrap()
            .matches(&o));
        assert!(!FieldSelector::parse("metadata.name==m", all)
            .unwrap()
            .matches(&o));
        let err = FieldSelector::parse("spec.foo=1", |p| p.starts_with("metadata.")).unwrap_err();
        assert_eq!(err.code, 400);
    }
}
