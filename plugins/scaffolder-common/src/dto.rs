//! Backstage's scaffolder wire format (`/api/scaffolder/v2/...`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The state of a task or of one of its steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    /// Waiting for a worker.
    Open,
    /// Running.
    Processing,
    /// Finished successfully.
    Completed,
    /// Finished with an error.
    Failed,
    /// Stopped by a user.
    Cancelled,
    /// A step whose `if:` was false (steps only).
    Skipped,
}

impl TaskStatus {
    /// Lowercase wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Processing => "processing",
            TaskStatus::Completed => "completed",
            TaskStatus::Failed => "failed",
            TaskStatus::Cancelled => "cancelled",
            TaskStatus::Skipped => "skipped",
        }
    }

    /// Parse a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => TaskStatus::Open,
            "processing" => TaskStatus::Processing,
            "completed" => TaskStatus::Completed,
            "failed" => TaskStatus::Failed,
            "cancelled" => TaskStatus::Cancelled,
            "skipped" => TaskStatus::Skipped,
            _ => return None,
        })
    }

    /// Whether nothing more will happen (completed, failed, cancelled, skipped).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskStatus::Completed
                | TaskStatus::Failed
                | TaskStatus::Cancelled
                | TaskStatus::Skipped
        )
    }
}

/// `POST /v2/tasks` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTaskRequest {
    /// `template:<ns>/<name>`.
    pub template_ref: String,
    /// Parameter values (the wizard's form data).
    #[serde(default)]
    pub values: Map<String, Value>,
    /// Secrets (`${{ secrets.x }}`): kept in memory for the task's run, never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Map<String, Value>>,
}

/// `POST /v2/tasks` (201) and `/retry` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTaskResponse {
    /// Task id.
    pub id: String,
}

/// A step of a stored task spec.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskStep {
    /// Step id (`step-<n>` when the template has none).
    pub id: String,
    /// Display name (the action id when the template has none).
    pub name: String,
    /// Action id.
    pub action: String,
    /// Action input (templated at run time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Value>,
    /// Condition (`bool` or `${{ }}` string).
    #[serde(default, rename = "if", skip_serializing_if = "Option::is_none")]
    pub if_: Option<Value>,
    /// Iterate the step over an array or object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<Value>,
    /// Anything else the template said about the step (`backstage:permissions` …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `templateInfo` of a task spec.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInfo {
    /// `template:<ns>/<name>`.
    pub entity_ref: String,
    /// Where files next to the template are read from (`file:/…/dir/` or a URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// `{metadata}` of the template entity.
    #[serde(default)]
    pub entity: Value,
}

/// `user` of a task spec.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskUser {
    /// The user's catalog entity, when the catalog knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<Value>,
    /// `user:<ns>/<name>`.
    #[serde(rename = "ref")]
    pub user_ref: String,
}

/// The stored, secret-free description of what a task runs (Backstage's `TaskSpecV1beta3`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskSpec {
    /// `scaffolder.backstage.io/v1beta3`.
    pub api_version: String,
    /// Steps in order.
    pub steps: Vec<TaskStep>,
    /// Templated output (`links`, `text`, anything else).
    #[serde(default)]
    pub output: Value,
    /// Parameter values.
    #[serde(default)]
    pub parameters: Map<String, Value>,
    /// Who started it.
    #[serde(default)]
    pub user: TaskUser,
    /// Which template it came from.
    #[serde(default)]
    pub template_info: TemplateInfo,
}

/// One task as the API returns it (Backstage's `SerializedTask`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SerializedTask {
    /// Task id.
    pub id: String,
    /// What it runs.
    pub spec: TaskSpec,
    /// Current state.
    pub status: TaskStatus,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, updated while processing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_heartbeat_at: Option<String>,
    /// `user:<ns>/<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Per-step status and the task output, see [`TaskState`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<TaskState>,
}

/// Run state of a task (our `state` field: Backstage keeps checkpoints there).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskState {
    /// Status per step id.
    #[serde(default)]
    pub steps: Map<String, Value>,
    /// The rendered task output once completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
}

/// `GET /v2/tasks` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskList {
    /// The page.
    pub tasks: Vec<SerializedTask>,
    /// Matching tasks in total.
    pub total_tasks: i64,
}

/// Kind of a task event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventType {
    /// A log line or a step status change.
    Log,
    /// The task finished (any final status); the stream ends after it.
    Completion,
    /// The task was cancelled.
    Cancelled,
    /// The task was recovered after a restart.
    Recovered,
}

impl EventType {
    /// Wire name (also the SSE `event:` name).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Log => "log",
            EventType::Completion => "completion",
            EventType::Cancelled => "cancelled",
            EventType::Recovered => "recovered",
        }
    }

    /// Parse a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "log" => EventType::Log,
            "completion" => EventType::Completion,
            "cancelled" => EventType::Cancelled,
            "recovered" => EventType::Recovered,
            _ => return None,
        })
    }
}

/// Body of a task event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventBody {
    /// Human-readable message.
    pub message: String,
    /// The step it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
    /// New status of the step (log events) or the task (completion events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    /// Task output (completion events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// Error details of a failed completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
}

/// One task event (`/eventstream` and `/events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskEvent {
    /// Monotonic id; pass as `after` to resume.
    pub id: i64,
    /// Task id.
    pub task_id: String,
    /// Kind.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// RFC 3339.
    pub created_at: String,
    /// Payload.
    pub body: EventBody,
}

/// An example in an action's documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionExampleDto {
    /// What it shows.
    pub description: String,
    /// A YAML snippet of steps.
    pub example: String,
}

/// Input and output JSON Schemas of an action.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionSchemas {
    /// Input schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Value>,
    /// Output schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
}

/// One entry of `GET /v2/actions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionInfo {
    /// e.g. `fetch:template`.
    pub id: String,
    /// What it does.
    #[serde(default)]
    pub description: String,
    /// Usage examples.
    #[serde(default)]
    pub examples: Vec<ActionExampleDto>,
    /// Schemas.
    #[serde(default)]
    pub schema: ActionSchemas,
}

/// One wizard page of `GET /v2/templates/:ns/:kind/:name/parameter-schema`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterStep {
    /// Page title.
    pub title: String,
    /// Page description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The page's JSON Schema (with `ui:*` hints).
    pub schema: Value,
}

/// `GET /v2/templates/:ns/:kind/:name/parameter-schema` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateParameterSchema {
    /// Template title.
    pub title: String,
    /// Template description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `spec.presentation` (button labels …).
    #[serde(
        default,
        rename = "ui:options",
        skip_serializing_if = "Option::is_none"
    )]
    pub ui_options: Option<Value>,
    /// Wizard pages, already filtered by permissions.
    pub steps: Vec<ParameterStep>,
}

/// An output link of a task (`output.links[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputLink {
    /// Link text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// External URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A catalog entity to open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_ref: Option<String>,
    /// Icon name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

/// A file of a dry run (base64 content).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DryRunFile {
    /// Path relative to the workspace (`/` separators).
    pub path: String,
    /// Executable bit.
    #[serde(default)]
    pub executable: bool,
    /// Base64 content.
    pub base64_content: String,
}

/// `POST /v2/dry-run` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DryRunRequest {
    /// A full Template entity (or just its `spec` wrapped as one).
    pub template: Value,
    /// Parameter values.
    #[serde(default)]
    pub values: Map<String, Value>,
    /// Secrets.
    #[serde(default)]
    pub secrets: Option<Map<String, Value>>,
    /// Files the template's `fetch:*` actions read (relative to the template).
    #[serde(default)]
    pub directory_contents: Vec<DryRunFile>,
}

/// A log line of a dry run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DryRunLog {
    /// The event body.
    pub body: EventBody,
}

/// `POST /v2/dry-run` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DryRunResponse {
    /// Every log event.
    pub log: Vec<DryRunLog>,
    /// The workspace after the run.
    pub directory_contents: Vec<DryRunFile>,
    /// Rendered output.
    pub output: Value,
    /// The steps as run.
    pub steps: Vec<TaskStep>,
}

/// Parse `output.links` of a task output.
pub fn output_links(output: &Value) -> Vec<OutputLink> {
    output
        .get("links")
        .and_then(Value::as_array)
        .map(|links| {
            links
                .iter()
                .filter_map(|l| serde_json::from_value::<OutputLink>(l.clone()).ok())
                .filter(|l| l.url.is_some() || l.entity_ref.is_some())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_serialize_events_in_backstage_shape() {
        let e = TaskEvent {
            id: 3,
            task_id: "t".into(),
            event_type: EventType::Log,
            created_at: "2024-01-01T00:00:00Z".into(),
            body: EventBody {
                message: "hi".into(),
                step_id: Some("s".into()),
                status: Some(TaskStatus::Processing),
                ..Default::default()
            },
        };
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"id":3,"taskId":"t","type":"log","createdAt":"2024-01-01T00:00:00Z",
                   "body":{"message":"hi","stepId":"s","status":"processing"}})
        );
    }

    #[test]
    fn should_read_output_links() {
        let links = output_links(
            &json!({"links":[{"title":"Open","entityRef":"component:default/x"},{"title":"none"}]}),
        );
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].entity_ref.as_deref(), Some("component:default/x"));
    }
}
