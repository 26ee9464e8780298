//! The [`BackendPlugin`] trait and its register-phase [`Registrar`].

use crate::auth::AnonymousRoute;
use crate::{extension::Extensions, PluginContext};
use async_trait::async_trait;
use axum::http::Method;
use axum::Router;
use std::sync::Arc;

/// A backend plugin. See the crate docs for the lifecycle.
#[async_trait]
pub trait BackendPlugin: Send + Sync + 'static {
    /// The plugin id: `^[a-z][a-z0-9]*(-[a-z0-9]+)*$`. The router is mounted at `/api/<id>`
    /// and the configuration section is `<id>` (or `plugins.<id>`).
    fn id(&self) -> &'static str;

    /// The plugin's version, shown by `GET /api/plugins`. Implement as
    /// `env!("CARGO_PKG_VERSION")`.
    fn version(&self) -> &'static str;

    /// Register phase (synchronous, runs for every plugin before any `init`): declare root
    /// paths, or obtain typed extension points to contribute to other plugins.
    fn register(&self, _reg: &mut Registrar) {}

    /// The plugin's embedded migrations, applied before `init` with an isolated history.
    fn migrations(&self) -> Option<crate::Migrations> {
        None
    }

    /// Initialise the plugin and return its router (state already applied).
    async fn init(&self, ctx: PluginContext) -> Result<Router, PluginError>;
}

/// Why a plugin failed to start.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// Its configuration section is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A database operation failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

/// What a plugin may do during the register phase.
pub struct Registrar {
    plugin_id: &'static str,
    extensions: Arc<Extensions>,
    root_paths: Vec<String>,
    anonymous: Vec<AnonymousRoute>,
}

impl Registrar {
    pub(crate) fn new(plugin_id: &'static str, extensions: Arc<Extensions>) -> Self {
        Self {
            plugin_id,
            extensions,
            root_paths: Vec::new(),
            anonymous: Vec::new(),
        }
    }

    /// The id of the plugin being registered.
    pub fn plugin_id(&self) -> &'static str {
        self.plugin_id
    }

    /// A typed extension point, created on first use. Owners read it in `init` through
    /// [`PluginContext::extension`]; contributors add to it here. Registration order does
    /// not matter.
    pub fn extension<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        self.extensions.get_or_default::<T>()
    }

    /// Claim a path at the host root (outside `/api/<id>`), e.g. `/.well-known/terraform.json`.
    /// The host rejects collisions between plugins at start-up. The plugin's router must
    /// route the same path; the host mounts it at the root for that path.
    pub fn claim_root_path(&mut self, path: impl Into<String>) {
        self.root_paths.push(path.into());
    }

    /// Declare a route that may be called without credentials. Everything else is
    /// refused with 401 before it reaches the plugin (deny by default). `pattern` is
    /// relative to `/api/<id>` unless it is one of this plugin's claimed root paths (or
    /// under one); `{param}` matches a segment, a trailing `/*` any rest. Use only for
    /// sign-in endpoints and protocol endpoints that check their own tokens.
    pub fn allow_anonymous(&mut self, method: Option<Method>, pattern: &str) {
        let absolute = self.root_paths.iter().any(|root| {
            let root = root.trim_end_matches("/*");
            pattern == root || pattern.starts_with(&format!("{}/", root.trim_end_matches('/')))
        });
        let pattern = if absolute {
            pattern.to_string()
        } else {
            format!("/api/{}{}", self.plugin_id, pattern)
        };
        self.anonymous.push(AnonymousRoute { method, pattern });
    }

    pub(crate) fn into_parts(self) -> (Vec<String>, Vec<AnonymousRoute>) {
        (self.root_paths, self.anonymous)
    }
}
