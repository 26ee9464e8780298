//! The `Table` format (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) that kubectl asks
//! for: columns from a CRD's `additionalPrinterColumns` (or Name/Age), and kubectl's familiar
//! columns for the built-in kinds.

use crate::resources::ResourceType;
use crate::selectors::field_text;
use serde_json::{json, Value};

/// What to embed in each row (`includeObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeObject {
    /// Nothing.
    None,
    /// `PartialObjectMetadata` (the default).
    Metadata,
    /// The whole object.
    Object,
}

impl IncludeObject {
    /// From the `includeObject` query parameter.
    pub fn parse(s: Option<&str>) -> Self {
        match s {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        }
    }
}

/// kubectl's human-readable durations (`45s`, `3m20s`, `5h`, `2d3h`, `400d`, `2y`).
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    let s = secs.max(0);
    let m = s / 60;
    let h = m / 60;
    let d = h / 24;
    if s < 120 {
        format!("{s}s")
    } else if m < 10 {
        if s % 60 == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{}s", s % 60)
        }
    } else if m < 180 {
        format!("{m}m")
    } else if h < 8 {
        if m % 60 == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{}m", m % 60)
        }
    } else if h < 48 {
        format!("{h}h")
    } else if h < 24 * 8 {
        if h % 24 == 0 {
            format!("{d}d")
        } else {
            format!("{d}d{}h", h % 24)
        }
    } else if h < 24 * 365 * 2 {
        format!("{d}d")
    } else if h < 24 * 365 * 8 {
        let (y, dy) = (d / 365, d % 365);
        if dy == 0 {
            format!("{y}y")
        } else {
            format!("{y}y{dy}d")
        }
    } else {
        format!("{}y", d / 365)
    }
}

/// Age of an RFC 3339 timestamp, or `<unknown>`.
pub fn age(ts: &Value) -> String {
    ts.as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| human_duration((chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds()))
        .unwrap_or_else(|| "<unknown>".into())
}

fn col(name: &str, type_: &str, priority: i64) -> Value {
    let mut c = json!({"name": name, "type": type_, "format": "", "description": name, "priority": priority});
    if name == "Name" {
        c["format"] = json!("name");
        c["description"] = json!("Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.");
    }
    c
}

/// Column definitions for a resource type.
pub fn columns(rt: &ResourceType) -> Vec<Value> {
    let c = |cols: &[(&str, &str, i64)]| cols.iter().map(|(n, t, p)| col(n, t, *p)).collect();
    if rt.custom {
        let mut out = vec![col("Name", "string", 0)];
        if rt.printer_columns.is_empty() {
            out.push(col("Age", "date", 0));
        }
        for pc in &rt.printer_columns {
            out.push(json!({
                "name": pc["name"], "type": pc["type"], "format": pc["format"].as_str().unwrap_or(""),
                "description": pc["description"].as_str().unwrap_or(""), "priority": pc["priority"].as_i64().unwrap_or(0)
            }));
        }
        return out;
    }
    match (rt.group.as_str(), rt.plural.as_str()) {
        ("", "namespaces") => c(&[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Age", "string", 0),
        ]),
        ("", "nodes") => c(&[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Roles", "string", 0),
            ("Age", "string", 0),
            ("Version", "string", 0),
            ("Internal-IP", "string", 1),
            ("External-IP", "string", 1),
            ("OS-Image", "string", 1),
            ("Kernel-Version", "string", 1),
            ("Container-Runtime", "string", 1),
        ]),
        ("", "pods") => c(&[
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Status", "string", 0),
            ("Restarts", "string", 0),
            ("Age", "string", 0),
            ("IP", "string", 1),
            ("Node", "string", 1),
        ]),
        ("", "services") => c(&[
            ("Name", "string", 0),
            ("Type", "string", 0),
            ("Cluster-IP", "string", 0),
            ("External-IP", "string", 0),
            ("Port(s)", "string", 0),
            ("Age", "string", 0),
            ("Selector", "string", 1),
        ]),
        ("", "secrets") => c(&[
            ("Name", "string", 0),
            ("Type", "string", 0),
            ("Data", "string", 0),
            ("Age", "string", 0),
        ]),
        ("", "configmaps") => c(&[
            ("Name", "string", 0),
            ("Data", "string", 0),
            ("Age", "string", 0),
        ]),
        ("", "serviceaccounts") => c(&[
            ("Name", "string", 0),
            ("Secrets", "string", 0),
            ("Age", "string", 0),
        ]),
        ("", "events") => c(&[
            ("Last Seen", "string", 0),
            ("Type", "string", 0),
            ("Reason", "string", 0),
            ("Object", "string", 0),
            ("Message", "string", 0),
        ]),
        ("apiextensions.k8s.io", "customresourcedefinitions") => {
            c(&[("Name", "string", 0), ("Created At", "date", 0)])
        }
        _ => c(&[("Name", "string", 0), ("Age", "string", 0)]),
    }
}

/// Evaluate a printer-column JSON path (`.a.b`, `.a[0].b`, `{.a.b}`).
pub fn json_path<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let p = path.trim().trim_start_matches('{').trim_end_matches('}');
    let mut cur = obj;
    for seg in p
        .trim_start_matches('.')
        .split('.')
        .filter(|s| !s.is_empty())
    {
        let (name, idx) = match seg.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        if !name.is_empty() {
            cur = cur.get(name)?;
        }
        if let Some(i) = idx {
            cur = cur.get(i)?;
        }
    }
    Some(cur)
}

fn count(v: &Value) -> usize {
    v.as_object().map(|o| o.len()).unwrap_or(0)
}

fn or_none(s: String) -> String {
    if s.is_empty() {
        "<none>".into()
    } else {
        s
    }
}

/// Cells of one row.
pub fn cells(rt: &ResourceType, obj: &Value) -> Vec<Value> {
    let name = obj["metadata"]["name"].clone();
    let created = &obj["metadata"]["creationTimestamp"];
    if rt.custom {
        let mut out = vec![name];
        if rt.printer_columns.is_empty() {
            out.push(json!(age(created)));
        }
        for pc in &rt.printer_columns {
            let v = json_path(obj, pc["jsonPath"].as_str().unwrap_or_default())
                .cloned()
                .unwrap_or(Value::Null);
            out.push(match pc["type"].as_str() {
                Some("date") if !v.is_null() => json!(age(&v)),
                _ => v,
            });
        }
        return out;
    }
    let t = |p: &str| field_text(obj, p);
    match (rt.group.as_str(), rt.plural.as_str()) {
        ("", "namespaces") => vec![name, json!(t("status.phase")), json!(age(created))],
        ("", "nodes") => {
            let ready = obj["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| c["type"] == "Ready")
                .map(|c| {
                    if c["status"] == "True" {
                        "Ready"
                    } else {
                        "NotReady"
                    }
                })
                .unwrap_or("Unknown");
            let mut status = ready.to_string();
            if obj["spec"]["unschedulable"].as_bool() == Some(true) {
                status.push_str(",SchedulingDisabled");
            }
            let roles: Vec<&str> = obj["metadata"]["labels"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
                .collect();
            let addr = |ty: &str| {
                obj["status"]["addresses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|a| a["type"] == ty)
                    .and_then(|a| a["address"].as_str())
                    .unwrap_or("<none>")
                    .to_string()
            };
            vec![
                name,
                json!(status),
                json!(or_none(roles.join(","))),
                json!(age(created)),
                json!(t("status.nodeInfo.kubeletVersion")),
                json!(addr("InternalIP")),
                json!(addr("ExternalIP")),
                json!(or_none(t("status.nodeInfo.osImage"))),
                json!(or_none(t("status.nodeInfo.kernelVersion"))),
                json!(or_none(t("status.nodeInfo.containerRuntimeVersion"))),
            ]
        }
        ("", "pods") => {
            let total = obj["spec"]["containers"]
                .as_array()
                .map(|a| a.len())
                .unwrap_or(0);
            let statuses = obj["status"]["containerStatuses"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let ready = statuses
                .iter()
                .filter(|s| s["ready"].as_bool() == Some(true))
                .count();
            let restarts: i64 = statuses
                .iter()
                .filter_map(|s| s["restartCount"].as_i64())
                .sum();
            let mut status = t("status.reason");
            if status.is_empty() {
                status = t("status.phase");
            }
            if obj["metadata"]["deletionTimestamp"].is_string() {
                status = "Terminating".into();
            }
            vec![
                name,
                json!(format!("{ready}/{total}")),
                json!(status),
                json!(restarts.to_string()),
                json!(age(created)),
                json!(or_none(t("status.podIP"))),
                json!(or_none(t("spec.nodeName"))),
            ]
        }
        ("", "services") => {
            let ty = obj["spec"]["type"]
                .as_str()
                .unwrap_or("ClusterIP")
                .to_string();
            let ingress: Vec<String> = obj["status"]["loadBalancer"]["ingress"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| {
                    i["ip"]
                        .as_str()
                        .or(i["hostname"].as_str())
                        .map(String::from)
                })
                .collect();
            let external = if !ingress.is_empty() {
                ingress.join(",")
            } else if ty == "LoadBalancer" {
                "<pending>".into()
            } else {
                "<none>".into()
            };
            let ports: Vec<String> = obj["spec"]["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    let proto = p["protocol"].as_str().unwrap_or("TCP");
                    match p["nodePort"].as_i64() {
                        Some(np) => format!("{}:{np}/{proto}", p["port"]),
                        None => format!("{}/{proto}", p["port"]),
                    }
                })
                .collect();
            let selector: Vec<String> = obj["spec"]["selector"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect();
            vec![
                name,
                json!(ty),
                json!(or_none(t("spec.clusterIP"))),
                json!(external),
                json!(or_none(ports.join(","))),
                json!(age(created)),
                json!(or_none(selector.join(","))),
            ]
        }
        ("", "secrets") => vec![
            name,
            json!(t("type")),
            json!(count(&obj["data"]).to_string()),
            json!(age(created)),
        ],
        ("", "configmaps") => vec![
            name,
            json!((count(&obj["data"]) + count(&obj["binaryData"])).to_string()),
            json!(age(created)),
        ],
        ("", "serviceaccounts") => vec![
            name,
            json!(obj["secrets"]
                .as_array()
                .map(|a| a.len())
                .unwrap_or(0)
                .to_string()),
            json!(age(created)),
        ],
        ("", "events") => {
            let last = [&obj["lastTimestamp"], &obj["eventTime"], created]
                .into_iter()
                .find(|v| v.is_string())
                .cloned()
                .unwrap_or(Value::Null);
            let o = format!(
                "{}/{}",
                t("involvedObject.kind").to_lowercase(),
                t("involvedObject.name")
            );
            vec![
                json!(age(&last)),
                json!(t("type")),
                json!(t("reason")),
                json!(o),
                json!(t("message")),
            ]
        }
        ("apiextensions.k8s.io", "customresourcedefinitions") => vec![name, created.clone()],
        _ => vec![name, json!(age(created))],
    }
}

fn row_object(obj: &Value, include: IncludeObject) -> Option<Value> {
    match include {
        IncludeObject::None => None,
        IncludeObject::Object => Some(obj.clone()),
        IncludeObject::Metadata => Some(partial_metadata(obj)),
    }
}

/// `PartialObjectMetadata` for an object.
pub fn partial_metadata(obj: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]})
}

/// A `Table` of objects.
pub fn table(rt: &ResourceType, objs: &[Value], include: IncludeObject, list_meta: Value) -> Value {
    let rows: Vec<Value> = objs
        .iter()
        .map(|o| {
            let mut r = json!({"cells": cells(rt, o)});
            if let Some(obj) = row_object(o, include) {
                r["object"] = obj;
            }
            r
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": columns(rt),
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_like_kubectl() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(119), "119s");
        assert_eq!(human_duration(200), "3m20s");
        assert_eq!(human_duration(3600 * 5 + 60 * 7), "5h7m");
        assert_eq!(human_duration(3600 * 30), "30h");
        assert_eq!(human_duration(3600 * 24 * 3 + 3600 * 2), "3d2h");
        assert_eq!(human_duration(3600 * 24 * 400), "400d");
        assert_eq!(human_duration(3600 * 24 * 365 * 3), "3y");
    }

    #[test]
    fn json_paths() {
        let o = json!({"spec": {"a": [{"b": 1}]}});
        assert_eq!(json_path(&o, ".spec.a[0].b"), Some(&json!(1)));
        assert_eq!(json_path(&o, "{.spec.a}").map(|v| v.is_array()), Some(true));
        assert_eq!(json_path(&o, ".status.phase"), None);
    }
}
