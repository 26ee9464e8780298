//! A small JSON → YAML emitter (block style), enough to show entities as people write
//! them: maps, sequences, multi-line strings as literal blocks, quoting only when a plain
//! scalar would be read back differently. `serde_json` maps are sorted, so well-known
//! entity keys are put first in their conventional order (`apiVersion`, `kind`,
//! `metadata`, `name` …), the rest alphabetically.

use serde_json::Value;

/// Render `value` as a YAML document (ends with a newline).
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => emit_map(m, 0, &mut out),
        Value::Array(a) if !a.is_empty() => emit_seq(a, 0, &mut out),
        v => {
            out.push_str(&inline(v));
            out.push('\n');
        }
    }
    out
}

fn pad(indent: usize, out: &mut String) {
    for _ in 0..indent {
        out.push(' ');
    }
}

/// Keys emitted first, in this order.
const KEY_ORDER: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "spec",
    "relations",
    "status",
    "name",
    "namespace",
    "title",
    "description",
    "type",
    "lifecycle",
    "owner",
    "system",
    "uid",
    "etag",
    "labels",
    "annotations",
    "tags",
    "links",
    "url",
    "targetRef",
];

fn ordered(m: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let rank = |k: &str| {
        KEY_ORDER
            .iter()
            .position(|x| *x == k)
            .unwrap_or(KEY_ORDER.len())
    };
    let mut v: Vec<_> = m.iter().collect();
    v.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then(a.0.cmp(b.0)));
    v
}

fn emit_map(m: &serde_json::Map<String, Value>, indent: usize, out: &mut String) {
    for (k, v) in ordered(m) {
        pad(indent, out);
        out.push_str(&scalar_str(k));
        out.push(':');
        emit_value_after_key(v, indent, out);
    }
}

fn emit_seq(a: &[Value], indent: usize, out: &mut String) {
    for v in a {
        pad(indent, out);
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() => {
                // first key on the dash line, the rest aligned under it
                let mut first = true;
                for (k, v) in ordered(m) {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        pad(indent + 2, out);
                    }
                    out.push_str(&scalar_str(k));
                    out.push(':');
                    emit_value_after_key(v, indent + 2, out);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                emit_seq(inner, indent + 2, out);
            }
            Value::String(s) if is_block(s) => {
                out.push(' ');
                emit_block(s, indent + 2, out);
            }
            v => {
                out.push(' ');
                out.push_str(&inline(v));
                out.push('\n');
            }
        }
    }
}

/// After `key:` — nested blocks go on the next lines, scalars on the same line.
fn emit_value_after_key(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            emit_map(m, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            emit_seq(a, indent, out);
        }
        Value::String(s) if is_block(s) => {
            out.push(' ');
            emit_block(s, indent + 2, out);
        }
        v => {
            out.push(' ');
            out.push_str(&inline(v));
            out.push('\n');
        }
    }
}

fn is_block(s: &str) -> bool {
    s.contains('\n')
        && !s.contains('\r')
        && !s.contains('\t')
        && !s.starts_with(' ')
        && s.trim_end_matches('\n').lines().all(|l| !l.ends_with(' '))
}

/// A literal block scalar (`|`, `|-` without final newline, `|+` with several).
fn emit_block(s: &str, indent: usize, out: &mut String) {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    out.push_str(match trailing {
        0 => "|-",
        1 => "|",
        _ => "|+",
    });
    out.push('\n');
    let body = s.trim_end_matches('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            pad(indent, out);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..trailing {
        out.push('\n');
    }
}

fn inline(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar_str(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// A string as a plain scalar when that reads back as the same string, else quoted.
fn scalar_str(s: &str) -> String {
    if needs_quotes(s) {
        quote(s)
    } else {
        s.to_string()
    }
}

fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | ".nan"
    ) || lower.trim_start_matches(['+', '-']) == ".inf"
    {
        return true;
    }
    if looks_numeric(s) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-x`, `:x` and `?x` are plain in YAML 1.2 but not every reader agrees
        return true;
    }
    s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.chars().any(|c| c.is_control())
}

fn looks_numeric(s: &str) -> bool {
    let t = s.trim_start_matches(['+', '-']);
    if t.is_empty() {
        return false;
    }
    if t.starts_with("0x") || t.starts_with("0o") {
        return true;
    }
    let mut digits = 0;
    for c in t.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' | 'e' | 'E' | '_' | '+' | '-' | ':' => {}
            _ => return false,
        }
    }
    digits > 0
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_emit_an_entity_as_block_yaml() {
        let v = json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {
                "name": "payments",
                "tags": ["java", "web"],
                "annotations": {"backstage.io/managed-by-location": "url:https://x/y.yaml"},
                "links": [{"url": "https://x", "title": "Docs: main"}],
                "labels": {}
            },
            "spec": {"type": "service", "owner": "team-a", "replicas": 3, "public": true, "x": null},
            "relations": []
        });
        let expected = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  labels: {}
  annotations:
    backstage.io/managed-by-location: url:https://x/y.yaml
  tags:
  - java
  - web
  links:
  - title: \"Docs: main\"
    url: https://x
spec:
  type: service
  owner: team-a
  public: true
  replicas: 3
  x: null
relations: []
";
        assert_eq!(to_yaml(&v), expected);
    }

    #[test]
    fn should_quote_ambiguous_scalars() {
        for s in [
            "", "true", "No", "null", "1.0", "-12", "0x1F", "1e3", "12:30", "a: b", "x #y", "*ref",
            "- a", " lead", "trail:", "{}", "'q'", "@x",
        ] {
            assert!(scalar_str(s).starts_with('"'), "{s:?} should be quoted");
        }
        for s in [
            "service",
            "team-a",
            "v1.2.3",
            "https://x.y/z",
            "group:default/a",
            "a-1",
            "hello world",
        ] {
            assert_eq!(scalar_str(s), s, "{s:?} should be plain");
        }
        assert_eq!(quote("a\"b\\c\td"), r#""a\"b\\c\td""#);
    }

    #[test]
    fn should_use_literal_blocks_for_multiline_strings() {
        let v = json!({"definition": "openapi: 3.0.0\ninfo:\n  title: X\n", "d": "a\nb", "l": ["x\n\ny\n"]});
        let expected = "\
d: |-
  a
  b
definition: |
  openapi: 3.0.0
  info:
    title: X
l:
- |
  x

  y
";
        assert_eq!(to_yaml(&v), expected);
        // strings a literal block cannot hold are quoted
        assert_eq!(to_yaml(&json!({"t": "a \nb"})), "t: \"a \\nb\"\n");
    }

    #[test]
    fn should_emit_nested_sequences_and_scalars() {
        assert_eq!(
            to_yaml(&json!([[1, 2], {"a": [3]}])),
            "-\n  - 1\n  - 2\n- a:\n  - 3\n"
        );
        assert_eq!(to_yaml(&json!("x")), "x\n");
        assert_eq!(to_yaml(&json!({})), "{}\n");
    }
}
