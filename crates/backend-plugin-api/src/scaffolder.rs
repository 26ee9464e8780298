//! Scaffolder extension point: plugins contribute template actions (Backstage's
//! `ScaffolderActionsExtensionPoint`, id `scaffolder.actions`).
//!
//! A plugin obtains the point in its register phase and adds [`TemplateAction`]s; the
//! scaffolder reads every action in `init` and lists them at `GET /api/scaffolder/v2/actions`.
//!
//! ```no_run
//! use backend_plugin_api::scaffolder::*;
//! use backend_plugin_api::async_trait;
//! use serde_json::{json, Value};
//! use std::sync::Arc;
//!
//! struct CreateWorkspace;
//!
//! #[async_trait]
//! impl TemplateAction for CreateWorkspace {
//!     fn id(&self) -> &str { "butler:workspace:create" }
//!     fn description(&self) -> &str { "Create a Chambers workspace" }
//!     fn input_schema(&self) -> Value {
//!         json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}})
//!     }
//!     async fn handler(&self, ctx: ActionContext) -> Result<Value, ActionError> {
//!         ctx.logger.info(format!("creating {}", ctx.input["name"]));
//!         Ok(json!({"workspaceName": ctx.input["name"]}))
//!     }
//! }
//!
//! fn register(reg: &backend_plugin_api::Registrar) {
//!     reg.extension::<ScaffolderActionsExtensionPoint>().add_action(Arc::new(CreateWorkspace));
//! }
//! ```

use crate::auth::Identity;
use async_trait::async_trait;
use serde_json::{Map, Value};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// A documented usage example of an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionExample {
    /// What it shows.
    pub description: String,
    /// A YAML snippet (`steps:` …).
    pub example: String,
}

/// Why an action failed. The message is shown in the task log (secrets are redacted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ActionError(pub String);

impl ActionError {
    /// An error with a message.
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}

impl From<std::io::Error> for ActionError {
    fn from(e: std::io::Error) -> Self {
        Self(e.to_string())
    }
}

/// Writes lines to the task log (as `log` events of the running step).
#[derive(Clone)]
pub struct ActionLogger {
    sink: Arc<dyn Fn(String) + Send + Sync>,
}

impl ActionLogger {
    /// A logger writing to `sink`.
    pub fn new(sink: Arc<dyn Fn(String) + Send + Sync>) -> Self {
        Self { sink }
    }

    /// A logger that drops everything.
    pub fn discard() -> Self {
        Self::new(Arc::new(|_| {}))
    }

    /// Log a line.
    pub fn info(&self, msg: impl Into<String>) {
        (self.sink)(msg.into())
    }

    /// Log a warning line (prefixed `warning:`).
    pub fn warn(&self, msg: impl Into<String>) {
        (self.sink)(format!("warning: {}", msg.into()))
    }
}

impl std::fmt::Debug for ActionLogger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActionLogger")
    }
}

/// Everything an action receives for one run.
#[derive(Debug, Clone)]
pub struct ActionContext {
    /// The task id.
    pub task_id: String,
    /// The step id.
    pub step_id: String,
    /// The templated input (already validated against [`TemplateAction::input_schema`]).
    pub input: Value,
    /// Secrets of the task (memory only; includes `backstageToken`, the caller's bearer
    /// token, for calls to other plugins on the user's behalf).
    pub secrets: Arc<Map<String, Value>>,
    /// The task's private working directory. Resolve every user-supplied path with
    /// [`resolve_safe_child_path`].
    pub workspace: PathBuf,
    /// The user who started the task.
    pub user: Identity,
    /// Writes to the task log.
    pub logger: ActionLogger,
    /// Cancelled when the task is cancelled or the server shuts down.
    pub cancel: CancellationToken,
    /// `template:<ns>/<name>` of the template.
    pub template_ref: String,
    /// Where files next to the template live (`file:/dir/` or a URL), for `fetch:*`.
    pub template_base_url: Option<String>,
    /// Dry runs must not change anything outside the workspace.
    pub dry_run: bool,
    /// The portal's public base URL (e.g. `http://localhost:7007`) for calls to other
    /// plugins' REST APIs.
    pub base_url: String,
}

impl ActionContext {
    /// The bearer token of the user who started the task (`secrets.backstageToken`).
    pub fn user_token(&self) -> Option<&str> {
        self.secrets.get("backstageToken").and_then(Value::as_str)
    }

    /// An input string field.
    pub fn input_str(&self, key: &str) -> Option<&str> {
        self.input.get(key).and_then(Value::as_str)
    }
}

/// A scaffolder action (`fetch:template`, `butler:workspace:create` …).
#[async_trait]
pub trait TemplateAction: Send + Sync + 'static {
    /// Unique id, e.g. `catalog:register`.
    fn id(&self) -> &str;
    /// What it does (shown in the action list).
    fn description(&self) -> &str {
        ""
    }
    /// JSON Schema of the input (templated step `input`).
    fn input_schema(&self) -> Value {
        Value::Null
    }
    /// JSON Schema of the output.
    fn output_schema(&self) -> Value {
        Value::Null
    }
    /// Usage examples.
    fn examples(&self) -> Vec<ActionExample> {
        Vec::new()
    }
    /// Whether it may run in `POST /v2/dry-run` (it must then not change anything
    /// outside the workspace when `ctx.dry_run`). Others are skipped in dry runs.
    fn supports_dry_run(&self) -> bool {
        false
    }
    /// Run. The returned object becomes `steps.<id>.output`.
    async fn handler(&self, ctx: ActionContext) -> Result<Value, ActionError>;
}

/// The extension point: other plugins add actions in their register phase.
#[derive(Default)]
pub struct ScaffolderActionsExtensionPoint {
    actions: Mutex<Vec<Arc<dyn TemplateAction>>>,
}

impl ScaffolderActionsExtensionPoint {
    /// Add an action (a later action with the same id replaces an earlier one).
    pub fn add_action(&self, action: Arc<dyn TemplateAction>) {
        let mut all = self.actions.lock().unwrap_or_else(|e| e.into_inner());
        all.retain(|a| a.id() != action.id());
        all.push(action);
    }

    /// Every action added so far.
    pub fn actions(&self) -> Vec<Arc<dyn TemplateAction>> {
        self.actions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Resolve `relative` inside `base` safely (Backstage's `resolveSafeChildPath`): absolute
/// paths, `..` escaping `base`, and symlinks (in the part of the path that exists)
/// pointing outside `base` are rejected.
pub fn resolve_safe_child_path(base: &Path, relative: &str) -> Result<PathBuf, ActionError> {
    let rel = Path::new(relative);
    if rel.is_absolute() || relative.starts_with('\\') || relative.contains('\0') {
        return Err(ActionError::new(format!(
            "Relative path is not allowed to refer to a directory outside its parent: {relative} (absolute paths are rejected)"
        )));
    }
    let mut out = PathBuf::new();
    for c in rel.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return Err(ActionError::new(format!(
                        "Relative path is not allowed to refer to a directory outside its parent: {relative}"
                    )));
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(ActionError::new(format!(
                    "Relative path is not allowed to refer to a directory outside its parent: {relative}"
                )))
            }
        }
    }
    let joined = base.join(&out);
    // Symlinks: canonicalize the deepest existing ancestor and check it stays inside.
    let base_real = base.canonicalize().unwrap_or_else(|_| base.to_path_buf());
    let mut probe = joined.clone();
    loop {
        if std::fs::symlink_metadata(&probe).is_ok() {
            let real = probe.canonicalize().map_err(|_| {
                ActionError::new(format!(
                    "Path {relative} is a broken symlink or cannot be resolved"
                ))
            })?;
            if !real.starts_with(&base_real) {
                return Err(ActionError::new(format!(
                    "Relative path is not allowed to refer to a directory outside its parent: {relative} (a symlink leads outside)"
                )));
            }
            break;
        }
        if !probe.pop() || !probe.starts_with(base) {
            break;
        }
    }
    Ok(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_resolve_child_paths_and_reject_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        assert_eq!(
            resolve_safe_child_path(base, "a/./b/../c.txt").unwrap(),
            base.join("a/c.txt")
        );
        assert!(resolve_safe_child_path(base, "../x").is_err());
        assert!(resolve_safe_child_path(base, "a/../../x").is_err());
        assert!(resolve_safe_child_path(base, "/etc/passwd").is_err());
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().unwrap();
            std::os::unix::fs::symlink(outside.path(), base.join("link")).unwrap();
            assert!(resolve_safe_child_path(base, "link/file").is_err());
            std::fs::create_dir(base.join("inner")).unwrap();
            std::os::unix::fs::symlink(base.join("inner"), base.join("ok")).unwrap();
            assert!(resolve_safe_child_path(base, "ok/file").is_ok());
        }
    }

    #[test]
    fn should_replace_actions_with_the_same_id() {
        struct A(&'static str);
        #[async_trait]
        impl TemplateAction for A {
            fn id(&self) -> &str {
                "x:y"
            }
            fn description(&self) -> &str {
                self.0
            }
            async fn handler(&self, _ctx: ActionContext) -> Result<Value, ActionError> {
                Ok(Value::Null)
            }
        }
        let ep = ScaffolderActionsExtensionPoint::default();
        ep.add_action(Arc::new(A("first")));
        ep.add_action(Arc::new(A("second")));
        let all = ep.actions();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].description(), "second");
    }
}
