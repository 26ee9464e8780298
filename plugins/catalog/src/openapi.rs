//! A light structural reading of API definitions (OpenAPI / AsyncAPI, YAML or JSON):
//! title, version, description, servers and the list of paths (or channels) with their
//! operations. No YAML library: JSON is parsed with `serde_json`, YAML by indentation,
//! which is enough for the usual layout of these documents.

use serde_json::Value;

/// HTTP methods of an OpenAPI path item.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// AsyncAPI operations.
const ASYNC_OPS: &[&str] = &["publish", "subscribe", "send", "receive"];

/// One operation: method (or AsyncAPI action) and its summary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Operation {
    /// `get`, `post`, … or `publish`, `subscribe`.
    pub method: String,
    /// `summary` (or `operationId`) when present.
    pub summary: Option<String>,
}

/// A path (or channel) and its operations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PathItem {
    /// e.g. `/pets/{id}`.
    pub path: String,
    /// Its operations, in document order.
    pub operations: Vec<Operation>,
}

/// What the API tab shows above the raw definition.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiSummary {
    /// `openapi: 3.0.0` / `swagger: 2.0` / `asyncapi: 2.6.0` as `OpenAPI 3.0.0`.
    pub format: Option<String>,
    /// `info.title`.
    pub title: Option<String>,
    /// `info.version`.
    pub version: Option<String>,
    /// `info.description` (first paragraph).
    pub description: Option<String>,
    /// `servers[].url`.
    pub servers: Vec<String>,
    /// `paths` (OpenAPI) or `channels` (AsyncAPI).
    pub paths: Vec<PathItem>,
}

impl ApiSummary {
    /// Whether anything structural was found.
    pub fn is_empty(&self) -> bool {
        self.format.is_none() && self.title.is_none() && self.paths.is_empty()
    }
}

/// Summarize a definition given as text.
pub fn summarize(text: &str) -> ApiSummary {
    let t = text.trim_start();
    if t.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<Value>(t) {
            return from_json(&v);
        }
    }
    from_yaml(text)
}

fn from_json(v: &Value) -> ApiSummary {
    let s = |v: Option<&Value>| v.and_then(scalar_text);
    let format = ["openapi", "swagger", "asyncapi"]
        .iter()
        .find_map(|k| s(v.get(*k)).map(|ver| format_name(k, &ver)));
    let info = v.get("info");
    let (paths_key, ops) = if v.get("asyncapi").is_some() {
        ("channels", ASYNC_OPS)
    } else {
        ("paths", METHODS)
    };
    let paths = v
        .get(paths_key)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(p, item)| PathItem {
                    path: p.clone(),
                    operations: item
                        .as_object()
                        .map(|o| {
                            o.iter()
                                .filter(|(k, _)| ops.contains(&k.to_ascii_lowercase().as_str()))
                                .map(|(k, op)| Operation {
                                    method: k.to_ascii_lowercase(),
                                    summary: s(op.get("summary"))
                                        .or_else(|| s(op.get("operationId"))),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    ApiSummary {
        format,
        title: s(info.and_then(|i| i.get("title"))),
        version: s(info.and_then(|i| i.get("version"))),
        description: s(info.and_then(|i| i.get("description"))).map(|d| first_paragraph(&d)),
        servers: v
            .get("servers")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| s(x.get("url"))).collect())
            .unwrap_or_default(),
        paths,
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn format_name(key: &str, version: &str) -> String {
    let name = match key {
        "asyncapi" => "AsyncAPI",
        "swagger" => "Swagger",
        _ => "OpenAPI",
    };
    format!("{name} {version}")
}

fn first_paragraph(s: &str) -> String {
    s.trim()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// A YAML line: indentation, key, inline value.
struct Line<'a> {
    indent: usize,
    key: &'a str,
    value: &'a str,
    dash: bool,
}

fn parse_line(raw: &str) -> Option<Line<'_>> {
    let trimmed = raw.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return None;
    }
    let mut indent = raw.len() - trimmed.len();
    let mut body = trimmed;
    let mut dash = false;
    if let Some(rest) = body.strip_prefix("- ") {
        dash = true;
        indent += 2;
        body = rest.trim_start();
    }
    let (key, value) = split_key(body)?;
    Some(Line {
        indent,
        key,
        value,
        dash,
    })
}

/// `key: value` → (key, value) with quotes removed from the key.
fn split_key(body: &str) -> Option<(&str, &str)> {
    let (key, rest) = if let Some(q) = body.strip_prefix('"').or_else(|| body.strip_prefix('\'')) {
        let quote = body.as_bytes()[0] as char;
        let end = q.find(quote)?;
        let after = q[end + 1..].strip_prefix(':')?;
        (&q[..end], after)
    } else {
        let i = body
            .find(": ")
            .or_else(|| body.strip_suffix(':').map(|b| b.len()))?;
        (&body[..i], &body[i + 1..])
    };
    Some((key.trim(), rest.trim()))
}

fn unquote(v: &str) -> String {
    let v = strip_comment(v).trim();
    if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        v[1..v.len() - 1].to_string()
    } else {
        v.to_string()
    }
}

fn strip_comment(v: &str) -> &str {
    if v.starts_with('"') || v.starts_with('\'') {
        return v;
    }
    match v.find(" #") {
        Some(i) => &v[..i],
        None => v,
    }
}

fn inline_value(v: &str) -> Option<String> {
    let u = unquote(v);
    (!u.is_empty() && !u.starts_with('|') && !u.starts_with('>')).then_some(u)
}

fn from_yaml(text: &str) -> ApiSummary {
    let mut s = ApiSummary::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut section = "";
    let mut section_child: Option<usize> = None; // indent of direct children
    let mut path_child: Option<usize> = None; // indent of a path's children
    let mut op_child: Option<usize> = None; // indent of an operation's children
    let mut is_async = false;
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        i += 1;
        let Some(line) = parse_line(raw) else {
            continue;
        };
        if line.indent == 0 && !line.dash {
            section = match line.key {
                "info" | "paths" | "channels" | "servers" => line.key,
                _ => "",
            };
            section_child = None;
            path_child = None;
            op_child = None;
            if let k @ ("openapi" | "swagger" | "asyncapi") = line.key {
                is_async = k == "asyncapi";
                if let Some(v) = inline_value(line.value) {
                    s.format = Some(format_name(k, &v));
                }
            }
            continue;
        }
        let child = *section_child.get_or_insert(line.indent);
        match section {
            "info" if line.indent == child => match line.key {
                "title" => s.title = inline_value(line.value),
                "version" => s.version = inline_value(line.value),
                "description" => {
                    s.description = inline_value(line.value).or_else(|| {
                        // block scalar: the following more-indented lines
                        let mut buf = Vec::new();
                        while i < lines.len() {
                            let l = lines[i];
                            let ind = l.len() - l.trim_start().len();
                            if !l.trim().is_empty() && ind <= child {
                                break;
                            }
                            buf.push(l.trim());
                            i += 1;
                        }
                        let text = buf.join("\n");
                        let p = first_paragraph(&text).replace('\n', " ");
                        (!p.is_empty()).then_some(p)
                    })
                }
                _ => {}
            },
            "servers" if line.key == "url" => {
                if let Some(v) = inline_value(line.value) {
                    s.servers.push(v);
                }
            }
            "paths" | "channels" => {
                if line.indent == child {
                    s.paths.push(PathItem {
                        path: unquote(line.key),
                        operations: vec![],
                    });
                    path_child = None;
                    op_child = None;
                } else if line.indent > child {
                    let pc = *path_child.get_or_insert(line.indent);
                    let ops = if is_async || section == "channels" {
                        ASYNC_OPS
                    } else {
                        METHODS
                    };
                    let Some(item) = s.paths.last_mut() else {
                        continue;
                    };
                    if line.indent == pc {
                        op_child = None;
                        let m = line.key.to_ascii_lowercase();
                        if ops.contains(&m.as_str()) {
                            item.operations.push(Operation {
                                method: m,
                                summary: None,
                            });
                        }
                    } else if line.indent > pc {
                        let oc = *op_child.get_or_insert(line.indent);
                        if line.indent == oc {
                            if let Some(op) = item.operations.last_mut() {
                                if line.key == "summary"
                                    || (line.key == "operationId" && op.summary.is_none())
                                {
                                    if let Some(v) = inline_value(line.value) {
                                        op.summary = Some(v);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const PETSTORE: &str = r#"openapi: "3.0.0"
info:
  version: 1.0.0
  title: Swagger Petstore
  description: |
    A sample API.

    More text.
  license:
    name: MIT
servers:
  - url: http://petstore.swagger.io/v1
paths:
  /pets:
    get:
      summary: List all pets
      operationId: listPets
      parameters:
        - name: limit
          summary: not this one
    post:
      operationId: createPets
  "/pets/{petId}":
    parameters: []
    get:
      summary: Info for a specific pet # comment
components:
  schemas:
    Pet:
      type: object
"#;

    #[test]
    fn should_read_openapi_yaml() {
        let s = summarize(PETSTORE);
        assert_eq!(s.format.as_deref(), Some("OpenAPI 3.0.0"));
        assert_eq!(s.title.as_deref(), Some("Swagger Petstore"));
        assert_eq!(s.version.as_deref(), Some("1.0.0"));
        assert_eq!(s.description.as_deref(), Some("A sample API."));
        assert_eq!(s.servers, ["http://petstore.swagger.io/v1"]);
        assert_eq!(s.paths.len(), 2);
        assert_eq!(s.paths[0].path, "/pets");
        assert_eq!(
            s.paths[0].operations,
            [
                Operation {
                    method: "get".into(),
                    summary: Some("List all pets".into())
                },
                Operation {
                    method: "post".into(),
                    summary: Some("createPets".into())
                },
            ]
        );
        assert_eq!(s.paths[1].path, "/pets/{petId}");
        assert_eq!(
            s.paths[1].operations[0].summary.as_deref(),
            Some("Info for a specific pet")
        );
    }

    #[test]
    fn should_read_openapi_json() {
        let s = summarize(
            r#"{"openapi":"3.1.0","info":{"title":"T","version":"2"},"paths":{"/a":{"get":{"summary":"A"},"x-y":{}}}}"#,
        );
        assert_eq!(s.format.as_deref(), Some("OpenAPI 3.1.0"));
        assert_eq!(
            (s.title.as_deref(), s.version.as_deref()),
            (Some("T"), Some("2"))
        );
        assert_eq!(s.paths[0].operations.len(), 1);
    }

    #[test]
    fn should_read_asyncapi_channels() {
        let s = summarize("asyncapi: 2.6.0\ninfo:\n  title: Events\n  version: '1'\nchannels:\n  user/signedup:\n    subscribe:\n      summary: A user signed up\n");
        assert_eq!(s.format.as_deref(), Some("AsyncAPI 2.6.0"));
        assert_eq!(s.version.as_deref(), Some("1"));
        assert_eq!(s.paths[0].path, "user/signedup");
        assert_eq!(s.paths[0].operations[0].method, "subscribe");
    }

    #[test]
    fn should_find_nothing_in_other_formats() {
        assert!(summarize("type Query { pets: [Pet] }").is_empty());
        assert!(summarize("syntax = \"proto3\";").is_empty());
    }
}
