//! `debug:log` and `debug:wait`.

use super::{example, list_files};
use backend_plugin_api::async_trait;
use backend_plugin_api::scaffolder::{ActionContext, ActionError, ActionExample, TemplateAction};
use serde_json::{json, Value};
use std::time::Duration;

/// `debug:log`.
pub struct DebugLogAction;

/// `debug:wait`.
pub struct DebugWaitAction;

/// Longest `debug:wait`.
pub const MAX_WAIT: Duration = Duration::from_secs(600);

#[async_trait]
impl TemplateAction for DebugLogAction {
    fn id(&self) -> &str {
        "debug:log"
    }
    fn description(&self) -> &str {
        "Writes a message (and optionally the workspace listing) to the task log."
    }
    fn input_schema(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "message": {"type": "string", "description": "Message to log."},
                "listWorkspace": {"type": ["boolean", "string"], "enum": [true, false, "with-filenames", "with-contents"],
                                  "description": "Also log the workspace files (with-contents: and their contents)."}
            }
        })
    }
    fn examples(&self) -> Vec<ActionExample> {
        vec![example("Log a greeting", "\nsteps:\n  - id: log\n    action: debug:log\n    input:\n      message: Hello ${{ parameters.name }}\n")]
    }
    fn supports_dry_run(&self) -> bool {
        true
    }
    async fn handler(&self, ctx: ActionContext) -> Result<Value, ActionError> {
        if let Some(m) = ctx.input.get("message") {
            ctx.logger.info(match m {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        }
        let list = ctx.input.get("listWorkspace");
        let with_contents = list == Some(&json!("with-contents"));
        if matches!(list, Some(Value::Bool(true)) | Some(Value::String(_))) {
            let files = list_files(&ctx.workspace)?;
            ctx.logger
                .info(format!("Workspace ({} files):", files.len()));
            for f in files {
                if with_contents {
                    let text = std::fs::read(ctx.workspace.join(&f))
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default();
                    ctx.logger.info(format!("  {f}:\n{text}"));
                } else {
                    ctx.logger.info(format!("  {f}"));
                }
            }
        }
        Ok(json!({}))
    }
}

#[async_trait]
impl TemplateAction for DebugWaitAction {
    fn id(&self) -> &str {
        "debug:wait"
    }
    fn description(&self) -> &str {
        "Waits for a while (at most 10 minutes); cancelling the task stops the wait."
    }
    fn input_schema(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "minutes": {"type": "number", "minimum": 0},
                "seconds": {"type": "number", "minimum": 0},
                "milliseconds": {"type": "number", "minimum": 0}
            }
        })
    }
    fn examples(&self) -> Vec<ActionExample> {
        vec![example(
            "Wait five seconds",
            "\nsteps:\n  - id: wait\n    action: debug:wait\n    input:\n      seconds: 5\n",
        )]
    }
    fn supports_dry_run(&self) -> bool {
        true
    }
    async fn handler(&self, ctx: ActionContext) -> Result<Value, ActionError> {
        let n = |k: &str| {
            ctx.input
                .get(k)
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
                .max(0.0)
        };
        let ms = n("minutes") * 60_000.0 + n("seconds") * 1000.0 + n("milliseconds");
        let wait = Duration::from_millis(ms.min(MAX_WAIT.as_millis() as f64) as u64);
        if ms > MAX_WAIT.as_millis() as f64 {
            return Err(ActionError::new("debug:wait is limited to 10 minutes"));
        }
        ctx.logger.info(format!("Waiting {} ms", wait.as_millis()));
        tokio::select! {
            _ = tokio::time::sleep(wait) => Ok(json!({})),
            _ = ctx.cancel.cancelled() => Err(ActionError::new("wait cancelled")),
        }
    }
}
