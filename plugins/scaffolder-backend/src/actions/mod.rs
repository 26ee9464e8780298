//! Built-in actions: `fetch:plain`, `fetch:template`, `catalog:register`,
//! `catalog:write`, `debug:log`, `debug:wait`, `fs:delete`, `fs:rename`, `publish:file`.
//!
//! Every path an action takes from its input goes through
//! [`resolve_safe_child_path`]: `../`, absolute paths and symlinks leading out of the
//! workspace (or, for sources, out of the template's directory) are rejected.

mod catalog;
mod debug;
mod fetch;
mod fs;
mod publish;

use crate::catalog::CatalogClient;
use backend_plugin_api::scaffolder::{
    resolve_safe_child_path, ActionContext, ActionError, ActionExample, TemplateAction,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use catalog::{CatalogRegisterAction, CatalogWriteAction};
pub use debug::{DebugLogAction, DebugWaitAction};
pub use fetch::{FetchPlainAction, FetchTemplateAction};
pub use fs::{FsDeleteAction, FsRenameAction};
pub use publish::PublishFileAction;

/// Every built-in action.
pub fn builtin_actions(
    catalog: CatalogClient,
    publish_root: PathBuf,
) -> Vec<Arc<dyn TemplateAction>> {
    vec![
        Arc::new(FetchPlainAction),
        Arc::new(FetchTemplateAction),
        Arc::new(CatalogRegisterAction { catalog }),
        Arc::new(CatalogWriteAction),
        Arc::new(DebugLogAction),
        Arc::new(DebugWaitAction),
        Arc::new(FsDeleteAction),
        Arc::new(FsRenameAction),
        Arc::new(PublishFileAction { root: publish_root }),
    ]
}

pub(crate) fn example(description: &str, yaml: &str) -> ActionExample {
    ActionExample {
        description: description.into(),
        example: yaml.trim_start_matches('\n').into(),
    }
}

/// The directory holding the template's files (`file:` base URLs only).
pub(crate) fn template_dir(ctx: &ActionContext) -> Result<PathBuf, ActionError> {
    let base = ctx
        .template_base_url
        .as_deref()
        .ok_or_else(|| ActionError::new("the template has no base location to fetch files from"))?;
    match base.strip_prefix("file:") {
        Some(path) => Ok(PathBuf::from(path.trim_start_matches("//"))),
        None => Err(ActionError::new(format!(
            "fetching from {base} is not supported: only templates registered from file locations can fetch the files next to them"
        ))),
    }
}

/// Resolve the `url` input of a fetch action to a directory or file next to the template.
pub(crate) fn resolve_source(ctx: &ActionContext, url: &str) -> Result<PathBuf, ActionError> {
    if url.contains("://") {
        return Err(ActionError::new(format!(
            "fetching remote URLs ({url}) is not supported; use a path relative to the template"
        )));
    }
    let dir = template_dir(ctx)?;
    resolve_safe_child_path(&dir, url)
}

/// Resolve an optional workspace-relative path input (`targetPath` …).
pub(crate) fn workspace_path(
    ctx: &ActionContext,
    rel: Option<&str>,
) -> Result<PathBuf, ActionError> {
    resolve_safe_child_path(&ctx.workspace, rel.unwrap_or("."))
}

/// Match a workspace-relative path (with `/` separators) against a glob: `*` (no `/`),
/// `**` (anything, including `/`), `?`, and a trailing `/` matching directories' contents.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_start_matches("./");
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = path.chars().collect();
    fn rec(p: &[char], s: &[char]) -> bool {
        if p.is_empty() {
            return s.is_empty();
        }
        match p[0] {
            '*' if p.get(1) == Some(&'*') => {
                let rest = if p.get(2) == Some(&'/') {
                    &p[3..]
                } else {
                    &p[2..]
                };
                (0..=s.len()).any(|i| rec(rest, &s[i..]))
                    || (p.get(2) == Some(&'/') && rec(&p[2..], s))
            }
            '*' => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != '/')
                .any(|i| rec(&p[1..], &s[i..])),
            '?' => !s.is_empty() && s[0] != '/' && rec(&p[1..], &s[1..]),
            c => !s.is_empty() && s[0] == c && rec(&p[1..], &s[1..]),
        }
    }
    rec(&p, &s) || (pattern.ends_with('/') && path.starts_with(pattern))
}

/// Every file (not directory) under `root`, as `/`-separated relative paths, sorted.
/// Symlinks are reported as files and never followed.
pub fn list_files(root: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let ft = entry.file_type()?;
            let path = entry.path();
            if ft.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(rel);
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn should_match_globs() {
        assert!(glob_match("*.md", "README.md"));
        assert!(!glob_match("*.md", "docs/README.md"));
        assert!(glob_match("**/*.md", "docs/a/README.md"));
        assert!(glob_match("**/*.md", "README.md"));
        assert!(glob_match("static/**", "static/a/b.png"));
        assert!(glob_match("static/", "static/a.png"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "a/c"));
        assert!(glob_match("./x.txt", "x.txt"));
    }
}
