//! `fetch:plain` and `fetch:template`: copy files next to the template into the
//! workspace, the latter templating contents and paths (`${{ values.x }}`).

use super::{example, glob_match, list_files, resolve_source, workspace_path};
use crate::templating::{context, Templater};
use backend_plugin_api::async_trait;
use backend_plugin_api::scaffolder::{
    resolve_safe_child_path, ActionContext, ActionError, ActionExample, TemplateAction,
};
use serde_json::{json, Value};
use std::path::Path;

/// `fetch:plain`.
pub struct FetchPlainAction;

/// `fetch:template`.
pub struct FetchTemplateAction;

struct CopyOptions<'a> {
    templater: Option<&'a Templater>,
    ctx: Value,
    copy_without_templating: Vec<String>,
    template_extension: Option<String>,
    replace: bool,
}

fn copy(
    action_ctx: &ActionContext,
    source: &Path,
    target_rel: Option<&str>,
    opts: &CopyOptions,
) -> Result<usize, ActionError> {
    let target = workspace_path(action_ctx, target_rel)?;
    let meta = std::fs::metadata(source).map_err(|_| {
        ActionError::new(format!(
            "{} does not exist next to the template",
            source
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        ))
    })?;
    let (root, files) = if meta.is_file() {
        let parent = source.parent().unwrap_or(source).to_path_buf();
        let name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (parent, vec![name])
    } else {
        (source.to_path_buf(), list_files(source)?)
    };
    let jctx = context(&opts.ctx);
    let mut written = 0;
    for rel in files {
        // Refuse symlinks in the template tree that lead outside it.
        let src = resolve_safe_child_path(&root, &rel)?;
        let mut out_rel = rel.clone();
        let mut render_contents = opts.templater.is_some();
        if let Some(ext) = &opts.template_extension {
            match out_rel.strip_suffix(ext.as_str()) {
                Some(stripped) => out_rel = stripped.to_string(),
                None => render_contents = false,
            }
        }
        if opts
            .copy_without_templating
            .iter()
            .any(|g| glob_match(g, &rel))
        {
            render_contents = false;
        }
        if let Some(t) = opts.templater {
            let rendered = t
                .render_string(&out_rel, &jctx)
                .map_err(|e| ActionError::new(format!("cannot template path {rel}: {e}")))?;
            if rendered.split('/').any(str::is_empty) && !rendered.is_empty() {
                // A segment rendered empty: Backstage skips such files.
                continue;
            }
            if rendered.is_empty() {
                continue;
            }
            out_rel = rendered;
        }
        let dest = resolve_safe_child_path(&target, &out_rel)?;
        if !dest.starts_with(&action_ctx.workspace) {
            return Err(ActionError::new(format!(
                "{out_rel} is outside the workspace"
            )));
        }
        if dest.exists() && !opts.replace {
            action_ctx.logger.info(format!(
                "Skipping {out_rel}: it already exists (set replace: true to overwrite)"
            ));
            continue;
        }
        let bytes = std::fs::read(&src)?;
        let contents = match (render_contents, opts.templater, std::str::from_utf8(&bytes)) {
            (true, Some(t), Ok(text)) => t
                .render_string(text, &jctx)
                .map_err(|e| ActionError::new(format!("cannot template {rel}: {e}")))?
                .into_bytes(),
            _ => bytes,
        };
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // Never write through a symlink that already sits at the destination.
        if std::fs::symlink_metadata(&dest).is_ok_and(|m| m.file_type().is_symlink()) {
            std::fs::remove_file(&dest)?;
        }
        std::fs::write(&dest, contents)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(m) = std::fs::metadata(&src) {
                if m.permissions().mode() & 0o111 != 0 {
                    let _ = std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o755));
                }
            }
        }
        written += 1;
    }
    Ok(written)
}

#[async_trait]
impl TemplateAction for FetchPlainAction {
    fn id(&self) -> &str {
        "fetch:plain"
    }
    fn description(&self) -> &str {
        "Copies files or a directory next to the template into the workspace, unchanged."
    }
    fn input_schema(&self) -> Value {
        json!({
            "type": "object", "required": ["url"],
            "properties": {
                "url": {"type": "string", "title": "Fetch URL", "description": "Path relative to the template (e.g. ./skeleton)."},
                "targetPath": {"type": "string", "title": "Target path", "description": "Workspace directory to copy into (default: the workspace root)."}
            }
        })
    }
    fn examples(&self) -> Vec<ActionExample> {
        vec![example("Copy ./static into docs/", "\nsteps:\n  - id: fetch\n    action: fetch:plain\n    input:\n      url: ./static\n      targetPath: docs\n")]
    }
    fn supports_dry_run(&self) -> bool {
        true
    }
    async fn handler(&self, ctx: ActionContext) -> Result<Value, ActionError> {
        let url = ctx.input_str("url").unwrap_or_default().to_string();
        let source = resolve_source(&ctx, &url)?;
        let opts = CopyOptions {
            templater: None,
            ctx: Value::Null,
            copy_without_templating: vec![],
            template_extension: None,
            replace: true,
        };
        let n = copy(&ctx, &source, ctx.input_str("targetPath"), &opts)?;
        ctx.logger.info(format!("Fetched {n} file(s) from {url}"));
        Ok(json!({}))
    }
}

#[async_trait]
impl TemplateAction for FetchTemplateAction {
    fn id(&self) -> &str {
        "fetch:template"
    }
    fn description(&self) -> &str {
        "Copies a skeleton next to the template into the workspace, templating file contents and paths with ${{ values.x }}."
    }
    fn input_schema(&self) -> Value {
        json!({
            "type": "object", "required": ["url"],
            "properties": {
                "url": {"type": "string", "description": "Path relative to the template (e.g. ./skeleton)."},
                "targetPath": {"type": "string", "description": "Workspace directory to write into (default: the root)."},
                "values": {"type": "object", "description": "Values available as ${{ values.x }}."},
                "copyWithoutTemplating": {"type": "array", "items": {"type": "string"}, "description": "Globs of files copied without templating their contents."},
                "templateFileExtension": {"type": ["boolean", "string"], "description": "Only template files with this extension (true = .njk), stripping it."},
                "replace": {"type": "boolean", "description": "Overwrite existing files."},
                "trimBlocks": {"type": "boolean"},
                "lstripBlocks": {"type": "boolean"}
            }
        })
    }
    fn examples(&self) -> Vec<ActionExample> {
        vec![example(
            "Template ./skeleton with the parameters",
            "\nsteps:\n  - id: fetch\n    action: fetch:template\n    input:\n      url: ./skeleton\n      values:\n        name: ${{ parameters.name }}\n      copyWithoutTemplating:\n        - static/**\n",
        )]
    }
    fn supports_dry_run(&self) -> bool {
        true
    }
    async fn handler(&self, ctx: ActionContext) -> Result<Value, ActionError> {
        let url = ctx.input_str("url").unwrap_or_default().to_string();
        let source = resolve_source(&ctx, &url)?;
        let flag = |k: &str| ctx.input.get(k).and_then(Value::as_bool).unwrap_or(false);
        let templater = Templater::new(flag("trimBlocks"), flag("lstripBlocks"));
        let template_extension = match ctx.input.get("templateFileExtension") {
            Some(Value::Bool(true)) => Some(".njk".to_string()),
            Some(Value::String(s)) if !s.is_empty() => Some(if s.starts_with('.') {
                s.clone()
            } else {
                format!(".{s}")
            }),
            _ => None,
        };
        let opts = CopyOptions {
            templater: Some(&templater),
            ctx: json!({"values": ctx.input.get("values").cloned().unwrap_or(json!({}))}),
            copy_without_templating: ctx
                .input
                .get("copyWithoutTemplating")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            template_extension,
            replace: flag("replace"),
        };
        let n = copy(&ctx, &source, ctx.input_str("targetPath"), &opts)?;
        ctx.logger.info(format!("Templated {n} file(s) from {url}"));
        Ok(json!({}))
    }
}
