//! HTTP routing: parses Kubernetes API paths (`/api/v1/namespaces/<ns>/<plural>/<name>/<sub>`,
//! `/apis/<group>/<version>/…`), authorizes, and dispatches to the store, watch, table and exec
//! code.

use crate::discovery;
use crate::error::{ApiError, ApiResult};
use crate::openapi;
use crate::patch::{self, PatchType};
use crate::rbac::{Attributes, Identity};
use crate::resources::ResourceType;
use crate::schema;
use crate::selectors::{builtin_field_allowed, FieldSelector, LabelSelector};
use crate::store::{Subresource, WatchStart};
use crate::table::{self, IncludeObject};
use crate::watch::{self, WatchParams};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// The emulator's router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/version",
            get(|| async { json_response(StatusCode::OK, &discovery::version()) }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/livez", get(|| async { "ok" }))
        .route("/readyz", get(|| async { "ok" }))
        .route(
            "/api/v1/namespaces/{ns}/pods/{pod}/exec",
            any(crate::exec::handler),
        )
        .fallback(handle)
        .with_state(state)
}

/// A JSON response.
pub fn json_response(code: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    (
        code,
        [(http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// A parsed resource path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    /// Group (`""` for core).
    pub group: String,
    /// Version.
    pub version: String,
    /// Namespace from the path, if any.
    pub namespace: Option<String>,
    /// Plural.
    pub plural: String,
    /// Name, if any.
    pub name: Option<String>,
    /// Subresource, if any.
    pub sub: Option<String>,
}

/// Parse `/api/v1/…` and `/apis/<g>/<v>/…` resource paths.
pub fn parse_path(path: &str) -> Option<ResourcePath> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] if !rest.is_empty() => ("", *v, rest),
        ["apis", g, v, rest @ ..] if !rest.is_empty() => (*g, *v, rest),
        _ => return None,
    };
    let s = |i: usize| rest.get(i).map(|x| x.to_string());
    let namespaced = rest[0] == "namespaces"
        && rest.len() >= 3
        && !(rest.len() == 3 && group.is_empty() && matches!(rest[2], "status" | "finalize"));
    let p = if namespaced {
        if rest.len() > 5 {
            return None;
        }
        ResourcePath {
            group: group.into(),
            version: version.into(),
            namespace: s(1),
            plural: rest[2].into(),
            name: s(3),
            sub: s(4),
        }
    } else {
        if rest.len() > 3 {
            return None;
        }
        ResourcePath {
            group: group.into(),
            version: version.into(),
            namespace: None,
            plural: rest[0].into(),
            name: s(1),
            sub: s(2),
        }
    };
    Some(p)
}

fn q<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn truthy(v: Option<&str>) -> bool {
    matches!(v, Some("1") | Some("true") | Some("True"))
}

fn wants_table(headers: &HeaderMap) -> bool {
    headers
        .get_all(http::header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|a| a.contains("as=Table"))
}

fn wants_partial_metadata(headers: &HeaderMap) -> bool {
    headers
        .get_all(http::header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|a| a.contains("as=PartialObjectMetadata"))
}

pub(crate) fn parse_body(headers: &HeaderMap, body: &[u8]) -> ApiResult<Value> {
    let ct = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    if ct.contains("yaml") {
        serde_yaml_ng::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))
    } else if ct.contains("protobuf") {
        crate::protobuf::decode_body(body)
    } else if ct.contains("cbor") {
        Err(ApiError::unsupported_media_type(ct))
    } else {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("error decoding JSON body: {e}")))
    }
}

async fn handle(
    State(app): State<AppState>,
    method: Method,
    uri: Uri,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    match path.trim_end_matches('/') {
        "/api" => {
            return json_response(
                StatusCode::OK,
                &discovery::core_versions(&app.addr.to_string()),
            )
        }
        "/apis" => {
            return json_response(
                StatusCode::OK,
                &discovery::group_list(&app.store.registry()),
            )
        }
        "/openapi/v3" => {
            return json_response(
                StatusCode::OK,
                &openapi::index(&app.store.registry(), app.store.resource_version()),
            )
        }
        _ => {}
    }
    if let Some(gv) = path.strip_prefix("/openapi/v3/") {
        let parts: Vec<&str> = gv.trim_matches('/').split('/').collect();
        let doc = match parts.as_slice() {
            ["api", v] => openapi::group_version(&app.store.registry(), "", v),
            ["apis", g, v] => openapi::group_version(&app.store.registry(), g, v),
            _ => None,
        };
        return doc
            .map(|d| json_response(StatusCode::OK, &d))
            .unwrap_or_else(|| ApiError::no_route(path).into_response());
    }
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["api", v] => {
            return discovery::resource_list(&app.store.registry(), "", v)
                .map(|d| json_response(StatusCode::OK, &d))
                .unwrap_or_else(|| ApiError::no_route(path).into_response())
        }
        ["apis", g] => {
            return discovery::group(&app.store.registry(), g)
                .map(|d| json_response(StatusCode::OK, &d))
                .unwrap_or_else(|| ApiError::no_route(path).into_response())
        }
        ["apis", g, v] => {
            return discovery::resource_list(&app.store.registry(), g, v)
                .map(|d| json_response(StatusCode::OK, &d))
                .unwrap_or_else(|| ApiError::no_route(path).into_response())
        }
        _ => {}
    }
    let Some(rp) = parse_path(path) else {
        return ApiError::no_route(path).into_response();
    };
    let Some(rt) = app.store.resolve(&rp.group, &rp.version, &rp.plural) else {
        return ApiError::no_route(path).into_response();
    };
    let id = app.config.rbac.identity(&headers);
    match serve(&app, &rt, &rp, &method, &query, &headers, &body, &id).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn verb_of(
    method: &Method,
    rp: &ResourcePath,
    query: &[(String, String)],
) -> ApiResult<&'static str> {
    let named = rp.name.is_some();
    Ok(match *method {
        Method::GET if named => "get",
        Method::GET if truthy(q(query, "watch")) => "watch",
        Method::GET => "list",
        Method::POST if !named => "create",
        Method::PUT if named => "update",
        Method::PATCH if named => "patch",
        Method::DELETE if named => "delete",
        Method::DELETE => "deletecollection",
        _ => {
            return Err(ApiError::method_not_allowed(format!(
                "the server does not allow this method on the requested resource ({method})"
            )))
        }
    })
}

#[allow(clippy::too_many_arguments)]
async fn serve(
    app: &AppState,
    rt: &Arc<ResourceType>,
    rp: &ResourcePath,
    method: &Method,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &[u8],
    id: &Identity,
) -> ApiResult<Response> {
    let verb = verb_of(method, rp, query)?;
    if rt.create_only && verb != "create" {
        return Err(ApiError::method_not_allowed(
            "the server does not allow this method on the requested resource",
        ));
    }
    let sub = match rp.sub.as_deref() {
        None => Subresource::Main,
        Some("status") if rt.status_subresource => Subresource::Status,
        Some("log") if rt.group.is_empty() && rt.plural == "pods" && verb == "get" => {
            let ns = rp.namespace.clone().unwrap_or_default();
            let name = rp.name.clone().unwrap_or_default();
            let attrs = Attributes {
                verb: "get".into(),
                group: String::new(),
                resource: "pods".into(),
                subresource: "log".into(),
                namespace: ns.clone(),
                name: name.clone(),
            };
            app.config.rbac.check(&app.store, id, &attrs)?;
            let pod = app.store.get(rt, &ns, &name)?;
            return Ok(pod_log(&pod, query));
        }
        Some(s) => return Err(ApiError::no_route(&format!("{}/{s}", rp.plural))),
    };
    if rp.namespace.is_some() && !rt.namespaced {
        return Err(ApiError::no_route(&rp.plural));
    }
    let ns = rp.namespace.clone().unwrap_or_default();
    if rt.namespaced && rp.name.is_some() && ns.is_empty() {
        return Err(ApiError::no_route(&rp.plural));
    }
    let attrs = Attributes {
        verb: verb.into(),
        group: rt.group.clone(),
        resource: rt.plural.clone(),
        subresource: rp.sub.clone().unwrap_or_default(),
        namespace: ns.clone(),
        name: rp.name.clone().unwrap_or_default(),
    };
    if rt.create_only {
        return crate::review::self_subject_access_review(app, id, body, headers);
    }
    app.config.rbac.check(&app.store, id, &attrs)?;
    let dry_run = q(query, "dryRun") == Some("All");
    let store = &app.store;
    let name = rp.name.as_deref().unwrap_or_default();
    let ns_opt = if rt.namespaced && !ns.is_empty() {
        Some(ns.as_str())
    } else {
        None
    };
    let labels = || LabelSelector::parse(q(query, "labelSelector").unwrap_or_default());
    let fields = || {
        FieldSelector::parse(q(query, "fieldSelector").unwrap_or_default(), |p| {
            matches!(p, "metadata.name" | "metadata.namespace")
                || (!rt.custom && builtin_field_allowed(&rt.plural, p))
                || rt.selectable_fields.iter().any(|f| f == p)
        })
    };
    match verb {
        "get" => {
            let obj = store.get(rt, &ns, name)?;
            if wants_table(headers) {
                let inc = IncludeObject::parse(q(query, "includeObject"));
                let rv = obj["metadata"]["resourceVersion"].clone();
                return Ok(json_response(
                    StatusCode::OK,
                    &table::table(rt, &[obj], inc, json!({"resourceVersion": rv})),
                ));
            }
            if wants_partial_metadata(headers) {
                return Ok(json_response(
                    StatusCode::OK,
                    &table::partial_metadata(&obj),
                ));
            }
            Ok(json_response(StatusCode::OK, &obj))
        }
        "list" => {
            let limit = q(query, "limit")
                .and_then(|l| l.parse::<usize>().ok())
                .filter(|l| *l > 0);
            let page = store.list(
                rt,
                ns_opt,
                &labels()?,
                &fields()?,
                limit,
                q(query, "continue"),
            )?;
            let mut meta = json!({"resourceVersion": page.resource_version.to_string()});
            if let Some(c) = &page.continue_token {
                meta["continue"] = json!(c);
            }
            if let Some(r) = page.remaining {
                meta["remainingItemCount"] = json!(r);
            }
            if wants_table(headers) {
                let inc = IncludeObject::parse(q(query, "includeObject"));
                return Ok(json_response(
                    StatusCode::OK,
                    &table::table(rt, &page.items, inc, meta),
                ));
            }
            if wants_partial_metadata(headers) {
                let items: Vec<Value> = page.items.iter().map(table::partial_metadata).collect();
                return Ok(json_response(
                    StatusCode::OK,
                    &json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "items": items}),
                ));
            }
            Ok(json_response(
                StatusCode::OK,
                &json!({"kind": rt.list_kind(), "apiVersion": rt.api_version(), "metadata": meta, "items": page.items}),
            ))
        }
        "watch" => {
            let send_initial = q(query, "sendInitialEvents").map(|v| v == "true");
            let start = match (
                q(query, "resourceVersion").filter(|s| !s.is_empty()),
                send_initial,
            ) {
                (_, Some(true)) | (None, _) | (Some("0"), None) => WatchStart::InitialState,
                (Some(rv), _) => WatchStart::After(rv.parse().map_err(|_| {
                    ApiError::bad_request(format!("invalid resource version: {rv}"))
                })?),
            };
            let params = WatchParams {
                labels: labels()?,
                fields: fields()?,
                namespace: ns_opt.map(String::from),
                bookmarks: truthy(q(query, "allowWatchBookmarks")),
                initial_events_end: send_initial == Some(true),
                timeout: q(query, "timeoutSeconds")
                    .and_then(|t| t.parse::<u64>().ok())
                    .map(Duration::from_secs)
                    .unwrap_or(app.config.watch_timeout),
                bookmark_interval: app.config.bookmark_interval,
                table: wants_table(headers)
                    .then(|| IncludeObject::parse(q(query, "includeObject"))),
            };
            let resp_body = match store.watch(rt, ns_opt, start) {
                Ok(ws) => watch::body(rt.clone(), ws, params, app.cancel.clone()),
                Err(e) => watch::error_body(&e),
            };
            Ok(Response::builder()
                .status(StatusCode::OK)
                .header(http::header::CONTENT_TYPE, "application/json")
                .header(http::header::CACHE_CONTROL, "no-cache, private")
                .body(resp_body)
                .expect("response"))
        }
        "create" => {
            let obj = parse_body(headers, body)?;
            strict_check(rt, query, &obj)?;
            let created = store.create(rt, &ns, obj, dry_run)?;
            Ok(json_response(StatusCode::CREATED, &created))
        }
        "update" => {
            let obj = parse_body(headers, body)?;
            strict_check(rt, query, &obj)?;
            let updated = store.update(rt, &ns, name, obj, sub, dry_run)?;
            Ok(json_response(StatusCode::OK, &updated))
        }
        "patch" => {
            let ct = headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let pt = PatchType::from_content_type(ct)?;
            let p = patch::parse_body(pt, body)?;
            let res = store.modify(rt, &ns, name, sub, dry_run, |cur| {
                let new = patch::apply(pt, &cur, &p)?;
                strict_check(rt, query, &new)?;
                Ok(new)
            });
            match res {
                Err(e) if e.code == 404 && pt == PatchType::Apply && sub == Subresource::Main => {
                    let mut obj = p.clone();
                    obj["metadata"]["name"] = json!(name);
                    let created = store.create(rt, &ns, obj, dry_run)?;
                    Ok(json_response(StatusCode::CREATED, &created))
                }
                Err(e) => Err(e),
                Ok(v) => Ok(json_response(StatusCode::OK, &v)),
            }
        }
        "delete" => {
            let opts: Value = if body.is_empty() {
                json!({})
            } else {
                serde_json::from_slice(body).unwrap_or(json!({}))
            };
            let pre = opts["preconditions"]["resourceVersion"].as_str();
            let dry = dry_run
                || opts["dryRun"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == "All"));
            let deleted = store.delete(rt, &ns, name, pre, dry)?;
            Ok(json_response(StatusCode::OK, &deleted))
        }
        "deletecollection" => {
            let items = store.delete_collection(rt, ns_opt, &labels()?, &fields()?, dry_run)?;
            Ok(json_response(
                StatusCode::OK,
                &json!({"kind": rt.list_kind(), "apiVersion": rt.api_version(), "metadata": {"resourceVersion": store.resource_version().to_string()}, "items": items}),
            ))
        }
        _ => Err(ApiError::method_not_allowed("unsupported verb")),
    }
}

/// `pods/<name>/log`: the pod's `kube-emulator.butlerlabs.dev/log` annotation, or a generated
/// start-up line per container (`tailLines` honoured).
fn pod_log(pod: &Value, query: &[(String, String)]) -> Response {
    let text = match pod["metadata"]["annotations"]["kube-emulator.butlerlabs.dev/log"].as_str() {
        Some(t) => t.to_string(),
        None => {
            let started = pod["status"]["startTime"].as_str().unwrap_or_default();
            let container = q(query, "container")
                .map(String::from)
                .or_else(|| {
                    pod["spec"]["containers"][0]["name"]
                        .as_str()
                        .map(String::from)
                })
                .unwrap_or_default();
            format!(
                "{started} INFO starting {container} ({})\n{started} INFO {container} is ready (kube-emulator: no real container runs here)\n",
                pod["spec"]["containers"][0]["image"].as_str().unwrap_or("unknown image")
            )
        }
    };
    let lines: Vec<&str> = text.lines().collect();
    let tail = q(query, "tailLines")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(lines.len());
    let mut out = lines[lines.len().saturating_sub(tail)..].join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    (
        StatusCode::OK,
        [(http::header::CONTENT_TYPE, "text/plain")],
        out,
    )
        .into_response()
}

/// `fieldValidation=Strict`: unknown fields of a custom resource are a 400, as on a real server.
fn strict_check(rt: &ResourceType, query: &[(String, String)], obj: &Value) -> ApiResult<()> {
    if q(query, "fieldValidation") != Some("Strict") {
        return Ok(());
    }
    if let Some(s) = &rt.schema {
        let unknown = schema::unknown_fields(s, obj);
        if !unknown.is_empty() {
            let msgs: Vec<String> = unknown
                .iter()
                .map(|f| format!("unknown field \"{}\"", f.trim_start_matches('.')))
                .collect();
            return Err(ApiError::bad_request(format!(
                "strict decoding error: {}",
                msgs.join(", ")
            )));
        }
    }
    Ok(())
}

/// An empty body helper for handlers that only return a status.
pub fn empty(code: StatusCode) -> Response {
    Response::builder()
        .status(code)
        .body(Body::empty())
        .expect("response")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let p = parse_path("/api/v1/namespaces/foo").unwrap();
        assert_eq!(
            (p.plural.as_str(), p.name.as_deref(), p.namespace),
            ("namespaces", Some("foo"), None)
        );
        let p = parse_path("/api/v1/namespaces/foo/status").unwrap();
        assert_eq!(
            (p.plural.as_str(), p.name.as_deref(), p.sub.as_deref()),
            ("namespaces", Some("foo"), Some("status"))
        );
        let p = parse_path("/api/v1/namespaces/foo/pods").unwrap();
        assert_eq!(
            (p.plural.as_str(), p.namespace.as_deref(), p.name),
            ("pods", Some("foo"), None)
        );
        let p =
            parse_path("/apis/butler.butlerlabs.dev/v1alpha1/namespaces/t/tenantclusters/c/status")
                .unwrap();
        assert_eq!(
            (p.group.as_str(), p.name.as_deref(), p.sub.as_deref()),
            ("butler.butlerlabs.dev", Some("c"), Some("status"))
        );
        let p = parse_path("/apis/butler.butlerlabs.dev/v1alpha1/teams/payments").unwrap();
        assert_eq!(
            (p.plural.as_str(), p.name.as_deref(), p.namespace),
            ("teams", Some("payments"), None)
        );
        assert!(parse_path("/apis/x").is_none());
    }
}
