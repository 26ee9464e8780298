//! Configuration: `app-config.yaml`, then `app-config.local.yaml`, then each `--config
//! FILE`, deep-merged (later wins), with `${ENV_VAR}` substitution in strings (`$${` is a
//! literal `${`). Unknown keys are errors that name the file and key.
//!
//! Plugin sections live at the top level under the plugin id (`catalog:`, as in Backstage)
//! or under `plugins.<id>`; both are merged. Each plugin validates its own section.

use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// A configuration problem, worded for the person who wrote the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file named by `--config` does not exist or cannot be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// File.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// YAML syntax error.
    #[error("config file {path} is not valid YAML: {message}")]
    Yaml {
        /// File.
        path: PathBuf,
        /// Parser message with line and column.
        message: String,
    },
    /// Unknown key.
    #[error("config file {path}: unknown configuration key `{key}` (known: {known})")]
    UnknownKey {
        /// File.
        path: PathBuf,
        /// Dotted key.
        key: String,
        /// The keys allowed there.
        known: String,
    },
    /// A referenced environment variable is not set.
    #[error("config file {path}: environment variable `{var}` (used at `{key}`) is not set")]
    MissingEnv {
        /// File.
        path: PathBuf,
        /// Variable.
        var: String,
        /// Dotted key.
        key: String,
    },
    /// A value has the wrong type or is out of range.
    #[error("invalid configuration at `{key}`: {message}")]
    Invalid {
        /// Dotted key.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// Host configuration (the `app` and `backend` sections).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HostConfig {
    /// `app:`.
    #[serde(default)]
    pub app: AppSection,
    /// `backend:`.
    #[serde(default)]
    pub backend: BackendSection,
}

/// `app:` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AppSection {
    /// Portal title.
    #[serde(default = "default_title")]
    pub title: String,
    /// Public URL of the app.
    #[serde(default)]
    pub base_url: Option<String>,
}

impl Default for AppSection {
    fn default() -> Self {
        Self {
            title: default_title(),
            base_url: None,
        }
    }
}

fn default_title() -> String {
    "Butler Portal".into()
}

/// `backend:` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BackendSection {
    /// Public URL of the backend (defaults to `http://localhost:<port>`).
    #[serde(default)]
    pub base_url: Option<String>,
    /// Where to listen.
    #[serde(default)]
    pub listen: ListenSection,
    /// Database.
    #[serde(default)]
    pub database: DatabaseSection,
    /// Per-request timeout in seconds (streaming and WebSocket requests are exempt).
    #[serde(default = "default_timeout")]
    pub request_timeout_seconds: u64,
    /// Maximum request body size in bytes.
    #[serde(default = "default_body_limit")]
    pub body_limit_bytes: usize,
}

impl Default for BackendSection {
    fn default() -> Self {
        Self {
            base_url: None,
            listen: ListenSection::default(),
            database: DatabaseSection::default(),
            request_timeout_seconds: default_timeout(),
            body_limit_bytes: default_body_limit(),
        }
    }
}

fn default_timeout() -> u64 {
    30
}

fn default_body_limit() -> usize {
    10 * 1024 * 1024
}

/// `backend.listen`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListenSection {
    /// Interface address.
    #[serde(default = "default_host")]
    pub host: String,
    /// Port.
    #[serde(default = "default_port")]
    pub port: u16,
}

impl Default for ListenSection {
    fn default() -> Self {
        Self {
            host: default_host(),
            port: default_port(),
        }
    }
}

fn default_host() -> String {
    "0.0.0.0".into()
}

fn default_port() -> u16 {
    7007
}

/// `backend.database`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DatabaseSection {
    /// `sqlite://…` or `postgres://…`; default `<data-dir>/portal.db`. `DATABASE_URL`
    /// overrides it.
    #[serde(default)]
    pub url: Option<String>,
}

/// The merged configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Host sections.
    pub host: HostConfig,
    /// Merged tree (for plugins).
    pub tree: Value,
    /// Files that were read, in order.
    pub files: Vec<PathBuf>,
}

const HOST_KEYS: &[&str] = &["app", "backend", "plugins"];

impl Config {
    /// Load from `root` plus `extra` files; `plugin_ids` are the allowed plugin sections.
    pub fn load(
        root: &Path,
        extra: &[PathBuf],
        plugin_ids: &[&str],
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut files: Vec<(PathBuf, bool)> = vec![
            (root.join("app-config.yaml"), false),
            (root.join("app-config.local.yaml"), false),
        ];
        files.extend(extra.iter().map(|p| (p.clone(), true)));
        let mut tree = Value::Object(Map::new());
        let mut read = Vec::new();
        for (path, required) in files {
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => return Err(ConfigError::Read { path, source }),
            };
            let mut value = parse_file(&path, &text)?;
            substitute_env(&path, &mut value, "", env)?;
            check_keys(&path, &value, plugin_ids)?;
            merge(&mut tree, value);
            read.push(path);
        }
        let host_part = Value::Object(
            ["app", "backend"]
                .iter()
                .filter_map(|k| tree.get(*k).map(|v| (k.to_string(), v.clone())))
                .collect(),
        );
        let host: HostConfig =
            serde_path_to_error::deserialize(&host_part).map_err(|e| ConfigError::Invalid {
                key: e.path().to_string(),
                message: e.inner().to_string(),
            })?;
        Ok(Self {
            host,
            tree,
            files: read,
        })
    }

    /// The section of plugin `id`: top-level `<id>` merged with `plugins.<id>`.
    pub fn plugin_section(&self, id: &str) -> Value {
        let mut out = self.tree.get(id).cloned().unwrap_or(Value::Null);
        if let Some(v) = self.tree.get("plugins").and_then(|p| p.get(id)) {
            if out.is_null() {
                out = v.clone();
            } else {
                merge(&mut out, v.clone());
            }
        }
        out
    }
}

fn parse_file(path: &Path, text: &str) -> Result<Value, ConfigError> {
    if text.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let value: Value = serde_yaml_ng::from_str(text).map_err(|e| ConfigError::Yaml {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    match value {
        Value::Object(_) => Ok(value),
        Value::Null => Ok(Value::Object(Map::new())),
        _ => Err(ConfigError::Yaml {
            path: path.to_path_buf(),
            message: "the top level must be a mapping of keys".into(),
        }),
    }
}

fn check_keys(path: &Path, value: &Value, plugin_ids: &[&str]) -> Result<(), ConfigError> {
    let known = || {
        HOST_KEYS
            .iter()
            .chain(plugin_ids.iter())
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(obj) = value.as_object() else {
        return Ok(());
    };
    for key in obj.keys() {
        if !HOST_KEYS.contains(&key.as_str()) && !plugin_ids.contains(&key.as_str()) {
            return Err(ConfigError::UnknownKey {
                path: path.to_path_buf(),
                key: key.clone(),
                known: known(),
            });
        }
    }
    if let Some(plugins) = obj.get("plugins").and_then(Value::as_object) {
        for key in plugins.keys() {
            if !plugin_ids.contains(&key.as_str()) {
                return Err(ConfigError::UnknownKey {
                    path: path.to_path_buf(),
                    key: format!("plugins.{key}"),
                    known: plugin_ids.join(", "),
                });
            }
        }
    }
    // The host sections are checked for unknown nested keys by serde on the merged tree;
    // check them per file as well so the message names the file.
    let host_only = Value::Object(
        ["app", "backend"]
            .iter()
            .filter_map(|k| obj.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect(),
    );
    if let Err(e) = serde_path_to_error::deserialize::<_, HostConfig>(&host_only) {
        let msg = e.inner().to_string();
        if msg.starts_with("unknown field") {
            return Err(ConfigError::UnknownKey {
                path: path.to_path_buf(),
                key: e.path().to_string(),
                known: msg
                    .split_once("expected ")
                    .map(|x| x.1.to_string())
                    .unwrap_or(msg),
            });
        }
    }
    Ok(())
}

fn substitute_env(
    path: &Path,
    value: &mut Value,
    key: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    match value {
        Value::String(s) if s.contains("${") => {
            *s = expand(s, &|var| {
                env(var).ok_or_else(|| ConfigError::MissingEnv {
                    path: path.to_path_buf(),
                    var: var.to_string(),
                    key: key.to_string(),
                })
            })?;
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                substitute_env(path, item, &format!("{key}[{i}]"), env)?;
            }
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let child = if key.is_empty() {
                    k.clone()
                } else {
                    format!("{key}.{k}")
                };
                substitute_env(path, v, &child, env)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn expand(
    s: &str,
    lookup: &dyn Fn(&str) -> Result<String, ConfigError>,
) -> Result<String, ConfigError> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("$${") {
            out.push_str("${");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("${") {
            match after.find('}') {
                Some(end) => {
                    out.push_str(&lookup(after[..end].trim())?);
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str(tail);
                    rest = "";
                }
            }
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Deep merge: objects merge key by key, anything else is replaced.
pub fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(var: &str) -> Option<String> {
        (var == "DB_PASSWORD").then(|| "s3cret".to_string())
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn should_merge_layers_in_order_and_substitute_env() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "app-config.yaml",
            "app:\n  title: A\nbackend:\n  listen:\n    port: 1\nhome:\n  title: x\n",
        );
        write(dir.path(), "app-config.local.yaml", "app:\n  title: B\n");
        let defaults = Config::load(dir.path(), &[], &["home"], &env);
        assert_eq!(defaults.unwrap().host.backend.request_timeout_seconds, 30);
        let extra = write(
            dir.path(),
            "extra.yaml",
            "backend:\n  database:\n    url: postgres://u:${DB_PASSWORD}@h/db\nplugins:\n  home:\n    title: y\n",
        );
        let cfg = Config::load(dir.path(), &[extra], &["home"], &env).unwrap();
        assert_eq!(cfg.host.app.title, "B");
        assert_eq!(cfg.host.backend.listen.port, 1);
        assert_eq!(
            cfg.host.backend.database.url.as_deref(),
            Some("postgres://u:s3cret@h/db")
        );
        assert_eq!(cfg.plugin_section("home")["title"], "y");
        assert_eq!(cfg.files.len(), 3);
        assert_eq!(cfg.host.backend.body_limit_bytes, 10 * 1024 * 1024);
        assert_eq!(cfg.host.backend.request_timeout_seconds, 30);
    }

    #[test]
    fn should_name_unknown_keys_and_files() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "app-config.yaml", "nope: 1\n");
        let err = Config::load(dir.path(), &[], &["home"], &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown configuration key `nope`"), "{err}");
        assert!(err.contains("app-config.yaml"), "{err}");

        write(
            dir.path(),
            "app-config.yaml",
            "backend:\n  listen:\n    prot: 1\n",
        );
        let err = Config::load(dir.path(), &[], &[], &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("backend.listen.prot"), "{err}");
    }

    #[test]
    fn should_report_yaml_errors_missing_env_and_bad_types() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "app-config.yaml", "app: [unclosed\n");
        let err = Config::load(dir.path(), &[], &[], &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not valid YAML"), "{err}");

        write(dir.path(), "app-config.yaml", "app:\n  title: ${NOPE}\n");
        let err = Config::load(dir.path(), &[], &[], &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`NOPE`") && err.contains("app.title"), "{err}");

        write(
            dir.path(),
            "app-config.yaml",
            "backend:\n  listen:\n    port: 99999\n",
        );
        let err = Config::load(dir.path(), &[], &[], &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("backend.listen.port"), "{err}");

        let missing = dir.path().join("missing.yaml");
        let err = Config::load(dir.path(), &[missing], &[], &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot read config file"), "{err}");
    }

    #[test]
    fn should_keep_escaped_dollar_braces() {
        assert_eq!(
            expand("a $${{ b }} $c", &|_| unreachable!()).unwrap(),
            "a ${{ b }} $c"
        );
    }
}
