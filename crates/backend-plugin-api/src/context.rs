//! The plugin-scoped [`PluginContext`].

use crate::{extension::Extensions, Database, PluginError};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Facts about the host a plugin may need.
#[derive(Debug, Clone)]
pub struct HostInfo {
    /// Portal version.
    pub version: String,
    /// Public base URL, e.g. `http://localhost:7007`.
    pub base_url: String,
    /// `--demo`: plugins seed demo data.
    pub demo: bool,
    /// `--data-dir`.
    pub data_dir: PathBuf,
    /// Directory holding the repository's bundled files (demo catalog, templates), if known.
    pub resources_dir: PathBuf,
}

/// Everything a plugin receives at `init`, scoped to that plugin.
#[derive(Clone)]
pub struct PluginContext {
    id: &'static str,
    config: Value,
    database: Database,
    http: reqwest::Client,
    span: tracing::Span,
    shutdown: CancellationToken,
    extensions: Arc<Extensions>,
    host: Arc<HostInfo>,
}

impl PluginContext {
    /// Assemble a context (used by the host and by test harnesses).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: &'static str,
        config: Value,
        database: Database,
        http: reqwest::Client,
        shutdown: CancellationToken,
        extensions: Arc<Extensions>,
        host: Arc<HostInfo>,
    ) -> Self {
        Self {
            id,
            config,
            database,
            http,
            span: tracing::info_span!("plugin", plugin = id),
            shutdown,
            extensions,
            host,
        }
    }

    /// The plugin id.
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The raw configuration section (`Value::Null` when absent).
    pub fn raw_config(&self) -> &Value {
        &self.config
    }

    /// The configuration section deserialized into `T`. Use `#[serde(deny_unknown_fields)]`
    /// on `T`: the error names the full key path, e.g. `catalog.locations[0].tpye`.
    pub fn config<T: DeserializeOwned + Default>(&self) -> Result<T, PluginError> {
        if self.config.is_null() {
            return Ok(T::default());
        }
        serde_path_to_error::deserialize(&self.config).map_err(|e| {
            let path = e.path().to_string();
            let at = if path == "." || path.is_empty() {
                self.id.to_string()
            } else {
                format!("{}.{}", self.id, path)
            };
            PluginError::Config(format!("{at}: {}", e.inner()))
        })
    }

    /// The shared database (migrations of this plugin already applied).
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// An HTTP client for outbound calls.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// A tracing span carrying `plugin=<id>`.
    pub fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// Cancelled when the host shuts down; background tasks must stop on it.
    pub fn shutdown(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// A typed extension point (see [`Extensions`]).
    pub fn extension<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        self.extensions.get_or_default::<T>()
    }

    /// Host facts: version, base URL, demo mode, data directory.
    pub fn host(&self) -> &HostInfo {
        &self.host
    }
}
