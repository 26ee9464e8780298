//! `publish:file`: copy the workspace (or a part of it) to a new directory under the
//! scaffolder's publish root (by default `<data dir>/scaffolder/published`), the local
//! stand-in for publishing to a Git host.

use super::{example, list_files, workspace_path};
use backend_plugin_api::async_trait;
use backend_plugin_api::scaffolder::{
    resolve_safe_child_path, ActionContext, ActionError, ActionExample, TemplateAction,
};
use serde_json::{json, Value};
use std::path::PathBuf;

/// `publish:file`.
pub struct PublishFileAction {
    /// Directory everything is published under.
    pub root: PathBuf,
}

#[async_trait]
impl TemplateAction for PublishFileAction {
    fn id(&self) -> &str {
        "publish:file"
    }
    fn description(&self) -> &str {
        "Publishes the workspace to a new local directory under the portal's data directory."
    }
    fn input_schema(&self) -> Value {
        json!({
            "type": "object", "required": ["path"],
            "properties": {
                "path": {"type": "string", "description": "Directory to create, relative to the publish root."},
                "sourcePath": {"type": "string", "description": "Workspace sub-directory to publish (default: all)."}
            }
        })
    }
    fn output_schema(&self) -> Value {
        json!({"type": "object", "properties": {
            "path": {"type": "string"}, "repoContentsUrl": {"type": "string"}, "remoteUrl": {"type": "string"}
        }})
    }
    fn examples(&self) -> Vec<ActionExample> {
        vec![example("Publish to services/<name>", "\nsteps:\n  - id: publish\n    action: publish:file\n    input:\n      path: services/${{ parameters.name }}\n")]
    }
    async fn handler(&self, ctx: ActionContext) -> Result<Value, ActionError> {
        let rel = ctx.input_str("path").unwrap_or_default();
        std::fs::create_dir_all(&self.root)?;
        let dest = resolve_safe_child_path(&self.root, rel)?;
        if dest == self.root || dest.exists() {
            return Err(ActionError::new(format!(
                "{rel} already exists in the publish directory; choose another name"
            )));
        }
        let source = workspace_path(&ctx, ctx.input_str("sourcePath"))?;
        let files = list_files(&source)?;
        for f in &files {
            let from = resolve_safe_child_path(&source, f)?;
            let to = dest.join(f);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::copy(&from, &to)?;
        }
        std::fs::create_dir_all(&dest)?;
        let abs = dest.canonicalize().unwrap_or(dest);
        ctx.logger.info(format!(
            "Published {} file(s) to {}",
            files.len(),
            abs.display()
        ));
        let url = format!("file:{}", abs.display());
        Ok(json!({"path": abs.display().to_string(), "repoContentsUrl": url, "remoteUrl": url}))
    }
}
