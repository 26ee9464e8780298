//! `fs:delete` and `fs:rename` inside the workspace.

use super::{example, glob_match, list_files};
use backend_plugin_api::async_trait;
use backend_plugin_api::scaffolder::{
    resolve_safe_child_path, ActionContext, ActionError, ActionExample, TemplateAction,
};
use serde_json::{json, Value};

/// `fs:delete`.
pub struct FsDeleteAction;

/// `fs:rename`.
pub struct FsRenameAction;

#[async_trait]
impl TemplateAction for FsDeleteAction {
    fn id(&self) -> &str {
        "fs:delete"
    }
    fn description(&self) -> &str {
        "Deletes files or directories (paths or globs) from the workspace."
    }
    fn input_schema(&self) -> Value {
        json!({
            "type": "object", "required": ["files"],
            "properties": {"files": {"type": "array", "items": {"type": "string"}, "description": "Workspace paths or globs."}}
        })
    }
    fn examples(&self) -> Vec<ActionExample> {
        vec![example("Delete the docs", "\nsteps:\n  - id: clean\n    action: fs:delete\n    input:\n      files:\n        - docs\n        - '**/*.tmp'\n")]
    }
    fn supports_dry_run(&self) -> bool {
        true
    }
    async fn handler(&self, ctx: ActionContext) -> Result<Value, ActionError> {
        let patterns: Vec<String> = ctx.input["files"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let mut deleted = 0;
        for p in patterns {
            if p.contains('*') || p.contains('?') {
                if p.starts_with('/') || p.split('/').any(|s| s == "..") {
                    return Err(ActionError::new(format!(
                        "Relative path is not allowed to refer to a directory outside its parent: {p}"
                    )));
                }
                for f in list_files(&ctx.workspace)? {
                    if glob_match(&p, &f) {
                        std::fs::remove_file(resolve_safe_child_path(&ctx.workspace, &f)?)?;
                        deleted += 1;
                    }
                }
                continue;
            }
            let path = resolve_safe_child_path(&ctx.workspace, &p)?;
            if path == ctx.workspace {
                return Err(ActionError::new("refusing to delete the workspace itself"));
            }
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => std::fs::remove_dir_all(&path)?,
                Ok(_) => std::fs::remove_file(&path)?,
                Err(_) => {
                    ctx.logger.info(format!("{p} does not exist"));
                    continue;
                }
            }
            deleted += 1;
        }
        ctx.logger.info(format!("Deleted {deleted} path(s)"));
        Ok(json!({}))
    }
}

#[async_trait]
impl TemplateAction for FsRenameAction {
    fn id(&self) -> &str {
        "fs:rename"
    }
    fn description(&self) -> &str {
        "Renames (moves) files or directories inside the workspace."
    }
    fn input_schema(&self) -> Value {
        json!({
            "type": "object", "required": ["files"],
            "properties": {"files": {"type": "array", "items": {
                "type": "object", "required": ["from", "to"],
                "properties": {"from": {"type": "string"}, "to": {"type": "string"}, "overwrite": {"type": "boolean"}}
            }}}
        })
    }
    fn examples(&self) -> Vec<ActionExample> {
        vec![example("Rename a file", "\nsteps:\n  - id: rename\n    action: fs:rename\n    input:\n      files:\n        - from: README.tmpl.md\n          to: README.md\n")]
    }
    fn supports_dry_run(&self) -> bool {
        true
    }
    async fn handler(&self, ctx: ActionContext) -> Result<Value, ActionError> {
        for f in ctx.input["files"].as_array().cloned().unwrap_or_default() {
            let from_s = f["from"].as_str().unwrap_or_default();
            let to_s = f["to"].as_str().unwrap_or_default();
            let from = resolve_safe_child_path(&ctx.workspace, from_s)?;
            let to = resolve_safe_child_path(&ctx.workspace, to_s)?;
            if from == ctx.workspace || to == ctx.workspace {
                return Err(ActionError::new("cannot rename the workspace itself"));
            }
            if std::fs::symlink_metadata(&from).is_err() {
                return Err(ActionError::new(format!("{from_s} does not exist")));
            }
            if to.exists() && !f["overwrite"].as_bool().unwrap_or(false) {
                return Err(ActionError::new(format!(
                    "{to_s} already exists (set overwrite: true)"
                )));
            }
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::rename(&from, &to)?;
            ctx.logger.info(format!("Renamed {from_s} to {to_s}"));
        }
        Ok(json!({}))
    }
}
