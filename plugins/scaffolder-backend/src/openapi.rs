//! The OpenAPI 3 document of `/api/scaffolder` (hand-maintained; served at
//! `/api/scaffolder/openapi.json`).

use serde_json::{json, Value};

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn body(desc: &str, schema: Value) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": schema}}})
}

fn errors(mut ok: serde_json::Map<String, Value>) -> Value {
    for (code, name) in [
        ("400", "InputError"),
        ("401", "AuthenticationError"),
        ("403", "NotAllowedError"),
        ("404", "NotFoundError"),
    ] {
        ok.entry(code.to_string())
            .or_insert_with(|| body(name, r("Error")));
    }
    Value::Object(ok)
}

fn resp(code: &str, desc: &str, schema: Value) -> Value {
    let mut m = serde_json::Map::new();
    m.insert(code.into(), body(desc, schema));
    errors(m)
}

fn path_param(name: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})
}

fn query(name: &str, desc: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": desc, "schema": {"type": "string"}})
}

/// The document.
pub fn document() -> Value {
    let id = path_param("id");
    let after = query("after", "Only events with a greater id");
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Butler Portal Scaffolder API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Backstage-compatible scaffolder task API (`/api/scaffolder`). Every call needs `Authorization: Bearer <token>`."
        },
        "servers": [{"url": "/api/scaffolder"}],
        "paths": {
            "/v2/templates/{namespace}/{kind}/{name}/parameter-schema": {"get": {
                "summary": "The wizard pages of a template, filtered by permissions",
                "parameters": [path_param("namespace"), path_param("kind"), path_param("name")],
                "responses": resp("200", "Parameter schema", r("TemplateParameterSchema"))
            }},
            "/v2/actions": {"get": {
                "summary": "Every installed action with its input/output schemas and examples",
                "responses": resp("200", "Actions", json!({"type": "array", "items": r("Action")}))
            }},
            "/v2/tasks": {
                "post": {
                    "summary": "Start a task from a template; values are validated against every page",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": r("CreateTask")}}},
                    "responses": errors(serde_json::Map::from_iter([
                        ("201".to_string(), body("Created", json!({"type": "object", "properties": {"id": {"type": "string"}}}))),
                        ("400".to_string(), body("Invalid template, unknown action, or values violating the schema (`errors[]`)", r("ValidationErrors"))),
                    ]))
                },
                "get": {
                    "summary": "List tasks",
                    "parameters": [query("createdBy", "User ref(s), comma-separated"), query("status", "Status(es), comma-separated"),
                                   query("limit", "Page size (default 100)"), query("offset", "Offset"), query("order", "asc:createdAt or desc:createdAt")],
                    "responses": resp("200", "Tasks", json!({"type": "object", "properties": {
                        "tasks": {"type": "array", "items": r("Task")}, "totalTasks": {"type": "integer"}}}))
                }
            },
            "/v2/tasks/{id}": {"get": {"summary": "One task (no secrets)", "parameters": [id.clone()], "responses": resp("200", "Task", r("Task"))}},
            "/v2/tasks/{id}/cancel": {"post": {"summary": "Cancel (creator, or scaffolder.task.cancel)", "parameters": [id.clone()],
                "responses": resp("200", "New status", json!({"type": "object", "properties": {"status": {"type": "string"}}}))}},
            "/v2/tasks/{id}/retry": {"post": {"summary": "Run a failed or cancelled task again (same id)", "parameters": [id.clone()],
                "responses": resp("201", "Restarted", json!({"type": "object", "properties": {"id": {"type": "string"}}}))}},
            "/v2/tasks/{id}/eventstream": {"get": {
                "summary": "Server-sent events: `event: log|completion|cancelled`, `data: <TaskEvent>`; closes after `completion`. Resumes after `after` or `Last-Event-ID`.",
                "parameters": [id.clone(), after.clone()],
                "responses": {"200": {"description": "SSE stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}}}
            }},
            "/v2/tasks/{id}/events": {"get": {
                "summary": "Long-poll: events after `after`, or `[]` after 30 s",
                "parameters": [id, after],
                "responses": resp("200", "Events", json!({"type": "array", "items": r("TaskEvent")}))
            }},
            "/v2/dry-run": {"post": {
                "summary": "Run a template in a throw-away workspace (actions without dry-run support are skipped)",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["template"], "properties": {
                    "template": {"type": "object"}, "values": {"type": "object"}, "secrets": {"type": "object"},
                    "directoryContents": {"type": "array", "items": r("File")}}}}}},
                "responses": resp("200", "Result", json!({"type": "object", "properties": {
                    "log": {"type": "array", "items": {"type": "object", "properties": {"body": r("EventBody")}}},
                    "directoryContents": {"type": "array", "items": r("File")},
                    "output": {"type": "object"}, "steps": {"type": "array", "items": {"type": "object"}}}}))
            }}
        },
        "components": {"schemas": {
            "Error": {"type": "object", "properties": {
                "error": {"type": "object", "properties": {"name": {"type": "string"}, "message": {"type": "string"}}},
                "request": {"type": "object"}, "response": {"type": "object", "properties": {"statusCode": {"type": "integer"}}}}},
            "ValidationErrors": {"type": "object", "properties": {
                "errors": {"type": "array", "items": {"type": "object", "properties": {
                    "path": {"type": "array", "items": {}}, "property": {"type": "string"}, "message": {"type": "string"},
                    "name": {"type": "string"}, "argument": {}, "stack": {"type": "string"}}}},
                "error": {"type": "object"}}},
            "CreateTask": {"type": "object", "required": ["templateRef"], "properties": {
                "templateRef": {"type": "string", "example": "template:default/rust-service"},
                "values": {"type": "object"}, "secrets": {"type": "object", "description": "Kept in memory only, masked in logs"}}},
            "Task": {"type": "object", "properties": {
                "id": {"type": "string"}, "spec": {"type": "object"},
                "status": {"type": "string", "enum": ["open", "processing", "completed", "failed", "cancelled"]},
                "createdAt": {"type": "string"}, "lastHeartbeatAt": {"type": "string"}, "createdBy": {"type": "string"},
                "state": {"type": "object"}}},
            "EventBody": {"type": "object", "properties": {
                "message": {"type": "string"}, "stepId": {"type": "string"},
                "status": {"type": "string", "enum": ["open", "processing", "completed", "failed", "cancelled", "skipped"]},
                "output": {"type": "object"}, "error": {"type": "object"}}},
            "TaskEvent": {"type": "object", "properties": {
                "id": {"type": "integer"}, "taskId": {"type": "string"},
                "type": {"type": "string", "enum": ["log", "completion", "cancelled", "recovered"]},
                "createdAt": {"type": "string"}, "body": r("EventBody")}},
            "Action": {"type": "object", "properties": {
                "id": {"type": "string"}, "description": {"type": "string"},
                "examples": {"type": "array", "items": {"type": "object", "properties": {"description": {"type": "string"}, "example": {"type": "string"}}}},
                "schema": {"type": "object", "properties": {"input": {"type": "object"}, "output": {"type": "object"}}}}},
            "TemplateParameterSchema": {"type": "object", "properties": {
                "title": {"type": "string"}, "description": {"type": "string"},
                "steps": {"type": "array", "items": {"type": "object", "properties": {
                    "title": {"type": "string"}, "description": {"type": "string"}, "schema": {"type": "object"}}}}}},
            "File": {"type": "object", "properties": {"path": {"type": "string"}, "executable": {"type": "boolean"}, "base64Content": {"type": "string"}}}
        }}
    })
}
