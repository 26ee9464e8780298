//! A minimal OpenAPI v3 surface (`/openapi/v3` and one document per group/version) so `kubectl`
//! can discover that every endpoint supports server-side field validation (`fieldValidation`
//! on PATCH operations with `x-kubernetes-group-version-kind`); no schemas are published.

use crate::resources::{Registry, ResourceType};
use serde_json::{json, Map, Value};

/// The `/openapi/v3` index.
pub fn index(reg: &Registry, hash: u64) -> Value {
    let mut paths = Map::new();
    for (g, vs) in reg.groups() {
        for v in vs {
            let key = if g.is_empty() {
                format!("api/{v}")
            } else {
                format!("apis/{g}/{v}")
            };
            paths.insert(
                key.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{key}?hash={hash:016X}")}),
            );
        }
    }
    json!({"paths": paths})
}

fn op(rt: &ResourceType, action: &str) -> Value {
    let params: Vec<Value> = ["dryRun", "fieldManager", "fieldValidation", "force"]
        .iter()
        .map(|n| json!({"name": n, "in": "query", "schema": {"type": "string"}, "uniqueItems": true}))
        .collect();
    json!({
        "operationId": format!("{action}{}", rt.kind),
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        "parameters": params,
        "responses": {"200": {"description": "OK"}}
    })
}

/// The document of one group/version, if served.
pub fn group_version(reg: &Registry, group: &str, version: &str) -> Option<Value> {
    let mut paths = Map::new();
    let mut any = false;
    for rt in reg
        .all()
        .filter(|t| t.group == group && t.version == version)
    {
        any = true;
        let base = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        let coll = if rt.namespaced {
            format!("{base}/namespaces/{{namespace}}/{}", rt.plural)
        } else {
            format!("{base}/{}", rt.plural)
        };
        paths.insert(
            coll.clone(),
            json!({"get": op(rt, "list"), "post": op(rt, "post")}),
        );
        if !rt.create_only {
            paths.insert(
                format!("{coll}/{{name}}"),
                json!({"get": op(rt, "get"), "put": op(rt, "put"), "patch": op(rt, "patch"), "delete": op(rt, "delete")}),
            );
        }
    }
    any.then(|| {
        json!({
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": "v1.32.0"},
            "paths": paths,
            "components": {"schemas": {}}
        })
    })
}
