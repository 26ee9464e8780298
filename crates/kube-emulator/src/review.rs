//! `SelfSubjectAccessReview` (what `kubectl auth can-i` asks), answered by the RBAC model.

use crate::error::ApiResult;
use crate::rbac::{Attributes, Identity};
use crate::router::json_response;
use crate::AppState;
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

/// Answer a `SelfSubjectAccessReview` for the requesting identity.
pub fn self_subject_access_review(
    app: &AppState,
    id: &Identity,
    body: &[u8],
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let mut review: Value = crate::router::parse_body(headers, body)?;
    let ra = &review["spec"]["resourceAttributes"];
    if !ra.is_object() {
        review["status"] = json!({"allowed": false, "reason": "only resourceAttributes are supported by the emulator"});
        return Ok(json_response(StatusCode::CREATED, &review));
    }
    let s = |k: &str| ra[k].as_str().unwrap_or_default().to_string();
    let attrs = Attributes {
        verb: s("verb"),
        group: s("group"),
        resource: s("resource"),
        subresource: s("subresource"),
        namespace: s("namespace"),
        name: s("name"),
    };
    let allowed = app.config.rbac.allowed(&app.store, id, &attrs);
    review["status"] = if allowed {
        json!({"allowed": true, "reason": "allowed by the kube-emulator RBAC model"})
    } else {
        json!({"allowed": false})
    };
    review["apiVersion"] = json!("authorization.k8s.io/v1");
    review["kind"] = json!("SelfSubjectAccessReview");
    Ok(json_response(StatusCode::CREATED, &review))
}
