//! Routes of `/api/scaffolder` (Backstage's `/v2/...` task API).

use crate::engine::{perms, CreateError, Scaffolder};
use crate::store;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use backend_plugin_api::{ApiError, ApiJson, ApiQuery, Caller};
use plugin_scaffolder_common::schema::FieldError;
use plugin_scaffolder_common::{
    template, ActionExampleDto, ActionInfo, ActionSchemas, CreateTaskRequest, CreateTaskResponse,
    DryRunRequest, EventType, SerializedTask, TaskEvent, TaskList,
};
use serde::Deserialize;
use serde_json::json;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// Shared state of the routes.
pub type AppState = Arc<Scaffolder>;

/// The plugin router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/v2/templates/{namespace}/{kind}/{name}/parameter-schema",
            get(parameter_schema),
        )
        .route("/v2/actions", get(list_actions))
        .route("/v2/tasks", get(list_tasks).post(create_task))
        .route("/v2/tasks/{id}", get(get_task))
        .route("/v2/tasks/{id}/cancel", post(cancel_task))
        .route("/v2/tasks/{id}/retry", post(retry_task))
        .route("/v2/tasks/{id}/eventstream", get(event_stream))
        .route("/v2/tasks/{id}/events", get(events_long_poll))
        .route("/v2/dry-run", post(dry_run))
        .route(
            "/openapi.json",
            get(|| async { Json(crate::openapi::document()) }),
        )
        .with_state(state)
}

/// The caller's bearer token (forwarded to the catalog so it applies the caller's rights).
fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn validation_response(errors: Vec<FieldError>) -> Response {
    let summary: Vec<String> = errors.iter().map(|e| e.stack.clone()).collect();
    let message = format!("Invalid parameter values: {}", summary.join("; "));
    (
        StatusCode::BAD_REQUEST,
        Json(json!({
            "errors": errors,
            "error": {"name": "InputError", "message": message},
            "response": {"statusCode": 400}
        })),
    )
        .into_response()
}

fn create_error(e: CreateError) -> Response {
    match e {
        CreateError::Api(e) => e.into_response(),
        CreateError::Invalid(errors) => validation_response(errors),
    }
}

async fn parameter_schema(
    State(s): State<AppState>,
    Caller(user): Caller,
    headers: HeaderMap,
    Path((namespace, kind, name)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let token = bearer(&headers);
    let entity = s
        .fetch_template(&namespace, &kind, &name, token.as_deref())
        .await?;
    let errs = template::validate_template(&entity);
    if !errs.is_empty() {
        return Err(ApiError::input(format!(
            "Template template:{namespace}/{name} is invalid: {}",
            errs.join("; ")
        )));
    }
    let schema = template::parameter_schema(&entity, &|tags| {
        s.tags_allowed(&user, &perms::TEMPLATE_PARAMETER_READ, tags)
    });
    Ok(Json(schema).into_response())
}

async fn list_actions(State(s): State<AppState>, Caller(_user): Caller) -> Json<Vec<ActionInfo>> {
    let schema_of = |v: serde_json::Value| (!v.is_null()).then_some(v);
    Json(
        s.actions
            .values()
            .map(|a| ActionInfo {
                id: a.id().to_string(),
                description: a.description().to_string(),
                examples: a
                    .examples()
                    .into_iter()
                    .map(|e| ActionExampleDto {
                        description: e.description,
                        example: e.example,
                    })
                    .collect(),
                schema: ActionSchemas {
                    input: schema_of(a.input_schema()),
                    output: schema_of(a.output_schema()),
                },
            })
            .collect(),
    )
}

async fn create_task(
    State(s): State<AppState>,
    Caller(user): Caller,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CreateTaskRequest>,
) -> Response {
    let token = bearer(&headers);
    match s
        .create_task(
            &user,
            token.as_deref(),
            &req.template_ref,
            req.values,
            req.secrets,
        )
        .await
    {
        Ok(id) => (StatusCode::CREATED, Json(CreateTaskResponse { id })).into_response(),
        Err(e) => create_error(e),
    }
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(rename = "createdBy", default)]
    created_by: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    offset: Option<i64>,
    #[serde(default)]
    order: Option<String>,
}

fn split_list(v: Option<String>) -> Vec<String> {
    v.map(|s| {
        s.split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

async fn list_tasks(
    State(s): State<AppState>,
    Caller(user): Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<TaskList>, ApiError> {
    s.permissions.authorize(&user, &perms::TASK_READ, None)?;
    let created_by: Vec<String> = split_list(q.created_by)
        .into_iter()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let statuses = split_list(q.status);
    for st in &statuses {
        if plugin_scaffolder_common::TaskStatus::parse(st).is_none() {
            return Err(ApiError::input(format!(
                "Invalid status '{st}' (expected open, processing, completed, failed or cancelled)"
            )));
        }
    }
    let ascending = match q.order.as_deref() {
        None => false,
        Some(o) => {
            let o = o.to_ascii_lowercase();
            if o.starts_with("asc") {
                true
            } else if o.starts_with("desc") {
                false
            } else {
                return Err(ApiError::input(format!(
                    "Invalid order '{o}' (expected asc:createdAt or desc:createdAt)"
                )));
            }
        }
    };
    let (tasks, total) = store::list_tasks(
        &s.db,
        &created_by,
        &statuses,
        q.limit.unwrap_or(100),
        q.offset.unwrap_or(0),
        ascending,
    )
    .await?;
    Ok(Json(TaskList {
        tasks,
        total_tasks: total,
    }))
}

async fn load_task(
    s: &Scaffolder,
    user: &backend_plugin_api::Identity,
    id: &str,
) -> Result<SerializedTask, ApiError> {
    s.permissions.authorize(user, &perms::TASK_READ, None)?;
    store::get_task(&s.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Task with id {id} does not exist")))
}

async fn get_task(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
) -> Result<Json<SerializedTask>, ApiError> {
    Ok(Json(load_task(&s, &user, &id).await?))
}

async fn cancel_task(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let status = s.cancel(&user, &id).await?;
    Ok(Json(json!({"status": status})))
}

async fn retry_task(
    State(s): State<AppState>,
    Caller(user): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<CreateTaskResponse>), ApiError> {
    let token = bearer(&headers);
    let id = s.retry(&user, token.as_deref(), &id).await?;
    Ok((StatusCode::CREATED, Json(CreateTaskResponse { id })))
}

#[derive(Debug, Deserialize)]
struct AfterQuery {
    #[serde(default)]
    after: Option<i64>,
}

fn sse_event(e: &TaskEvent) -> Event {
    Event::default()
        .event(e.event_type.as_str())
        .id(e.id.to_string())
        .data(serde_json::to_string(e).unwrap_or_default())
}

struct StreamState {
    s: AppState,
    id: String,
    after: i64,
    rx: tokio::sync::broadcast::Receiver<String>,
    queue: std::collections::VecDeque<TaskEvent>,
    done: bool,
}

async fn event_stream(
    State(s): State<AppState>,
    Caller(user): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<AfterQuery>,
) -> Result<Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>>, ApiError> {
    load_task(&s, &user, &id).await?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    let rx = s.events.subscribe();
    let state = StreamState {
        s: s.clone(),
        id,
        after: resume.or(q.after).unwrap_or(0),
        rx,
        queue: Default::default(),
        done: false,
    };
    let stream = futures_util::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(e) = st.queue.pop_front() {
                st.after = e.id;
                if e.event_type == EventType::Completion && st.queue.is_empty() {
                    // Close after a completion unless more events follow (a retry).
                    let more = store::events_after(&st.s.db, &st.id, st.after, 1)
                        .await
                        .map(|v| !v.is_empty())
                        .unwrap_or(false);
                    st.done = !more;
                }
                return Some((Ok(sse_event(&e)), st));
            }
            if st.done {
                return None;
            }
            match store::events_after(&st.s.db, &st.id, st.after, 500).await {
                Ok(events) if !events.is_empty() => {
                    st.queue.extend(events);
                    continue;
                }
                Ok(_) => {}
                Err(_) => return None,
            }
            // Wait for a notification for this task (or poll, for other replicas' runs).
            let deadline = tokio::time::sleep(Duration::from_secs(2));
            tokio::pin!(deadline);
            loop {
                tokio::select! {
                    _ = &mut deadline => break,
                    r = st.rx.recv() => match r {
                        Ok(tid) if tid == st.id => break,
                        Ok(_) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                        Err(_) => return None,
                    }
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

async fn events_long_poll(
    State(s): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<AfterQuery>,
) -> Result<Json<Vec<TaskEvent>>, ApiError> {
    load_task(&s, &user, &id).await?;
    let after = q.after.unwrap_or(0);
    let mut rx = s.events.subscribe();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let events = store::events_after(&s.db, &id, after, 1000).await?;
        if !events.is_empty() {
            return Ok(Json(events));
        }
        let wait = tokio::time::sleep_until(
            deadline.min(tokio::time::Instant::now() + Duration::from_secs(2)),
        );
        tokio::select! {
            _ = wait => {}
            _ = rx.recv() => {}
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(Json(vec![]));
        }
    }
}

async fn dry_run(
    State(s): State<AppState>,
    Caller(user): Caller,
    headers: HeaderMap,
    ApiJson(req): ApiJson<DryRunRequest>,
) -> Response {
    let token = bearer(&headers);
    match s.dry_run(&user, token.as_deref(), req).await {
        Ok(r) => Json(r).into_response(),
        Err(e) => create_error(e),
    }
}
