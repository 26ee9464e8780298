//! Calls to `/api/scaffolder` and the few catalog reads the gallery and pickers need, all
//! through the shell's [`ApiClient`] (bearer token, 401 handling, error decoding).

use frontend_plugin_api::{ApiClient, ApiError};
use plugin_scaffolder_common::{
    CreateTaskRequest, CreateTaskResponse, SerializedTask, TaskEvent, TaskList,
    TemplateParameterSchema,
};
use serde_json::Value;

/// Percent-encode a query or path component.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Fields the gallery shows.
const TEMPLATE_FIELDS: &str = "kind,metadata.name,metadata.namespace,metadata.title,metadata.description,metadata.tags,spec.type,spec.owner";

/// Every Template entity (the gallery).
pub async fn templates(api: ApiClient) -> Result<Vec<Value>, ApiError> {
    api.get_json(&format!(
        "/api/catalog/entities?filter=kind=template&fields={TEMPLATE_FIELDS}&order=asc:metadata.title"
    ))
    .await
}

/// `GET /v2/templates/:ns/template/:name/parameter-schema`.
pub async fn parameter_schema(
    api: ApiClient,
    namespace: String,
    name: String,
) -> Result<TemplateParameterSchema, ApiError> {
    api.get_json(&format!(
        "/api/scaffolder/v2/templates/{}/template/{}/parameter-schema",
        encode(&namespace),
        encode(&name)
    ))
    .await
}

/// `POST /v2/tasks`.
pub async fn create_task(
    api: ApiClient,
    req: CreateTaskRequest,
) -> Result<CreateTaskResponse, ApiError> {
    api.post_json("/api/scaffolder/v2/tasks", &req).await
}

/// `GET /v2/tasks/:id`.
pub async fn task(api: ApiClient, id: String) -> Result<SerializedTask, ApiError> {
    api.get_json(&format!("/api/scaffolder/v2/tasks/{}", encode(&id)))
        .await
}

/// `GET /v2/tasks[?createdBy=]`.
pub async fn tasks(api: ApiClient, created_by: Option<String>) -> Result<TaskList, ApiError> {
    let q = match created_by {
        Some(c) => format!("?createdBy={}&limit=200", encode(&c)),
        None => "?limit=200".to_string(),
    };
    api.get_json(&format!("/api/scaffolder/v2/tasks{q}")).await
}

/// `GET /v2/tasks/:id/events?after=` (long-poll: answers at once when events exist, else
/// within 30 s).
pub async fn events(api: ApiClient, id: String, after: i64) -> Result<Vec<TaskEvent>, ApiError> {
    api.get_json(&format!(
        "/api/scaffolder/v2/tasks/{}/events?after={after}",
        encode(&id)
    ))
    .await
}

/// `POST /v2/tasks/:id/cancel`.
pub async fn cancel(api: ApiClient, id: String) -> Result<Value, ApiError> {
    api.post_json(
        &format!("/api/scaffolder/v2/tasks/{}/cancel", encode(&id)),
        &serde_json::json!({}),
    )
    .await
}

/// `POST /v2/tasks/:id/retry`.
pub async fn retry(api: ApiClient, id: String) -> Result<CreateTaskResponse, ApiError> {
    api.post_json(
        &format!("/api/scaffolder/v2/tasks/{}/retry", encode(&id)),
        &serde_json::json!({}),
    )
    .await
}

/// Catalog entities for a picker (`query` from [`crate::form::picker_query`]).
pub async fn picker_entities(api: ApiClient, query: String) -> Result<Vec<Value>, ApiError> {
    api.get_json(&format!(
        "/api/catalog/entities?{query}&fields=kind,metadata.name,metadata.namespace,metadata.title,spec.profile.displayName&limit=500"
    ))
    .await
}

/// Tags used in the catalog (`EntityTagsPicker` suggestions).
pub async fn tags(api: ApiClient) -> Result<Vec<String>, ApiError> {
    let v: Value = api
        .get_json("/api/catalog/entity-facets?facet=metadata.tags")
        .await?;
    Ok(v["facets"]["metadata.tags"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["value"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}
