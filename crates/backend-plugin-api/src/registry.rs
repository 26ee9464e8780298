//! [`PluginRegistry`]: the ordered list of backend plugins of one host.

use crate::auth::AnonymousRoute;
use crate::{plugin::Registrar, BackendPlugin, Extensions};
use portal_types::{is_valid_plugin_id, PLUGIN_ID_PATTERN};
use std::collections::HashMap;
use std::sync::Arc;

/// A problem with the plugin list, found by [`PluginRegistry::build`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// The id does not match the pattern.
    #[error("invalid plugin id `{0}`: must match {PLUGIN_ID_PATTERN}")]
    InvalidId(String),
    /// Two plugins share an id.
    #[error("duplicate plugin id `{0}`")]
    DuplicateId(String),
    /// Two plugins claim the same root path.
    #[error("root path `{path}` claimed by both `{first}` and `{second}`")]
    RootPathCollision {
        /// The path.
        path: String,
        /// First claimant.
        first: String,
        /// Second claimant.
        second: String,
    },
    /// A root path is malformed or shadows a host route.
    #[error("plugin `{plugin}` cannot claim root path `{path}`: {reason}")]
    InvalidRootPath {
        /// The plugin.
        plugin: String,
        /// The path.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Plugins in registration order (= mount order = sidebar order).
#[derive(Default)]
pub struct PluginRegistry {
    plugins: Vec<Arc<dyn BackendPlugin>>,
}

/// The validated result of [`PluginRegistry::build`].
pub struct BuiltRegistry {
    /// Plugins in order.
    pub plugins: Vec<Arc<dyn BackendPlugin>>,
    /// Root paths claimed, with their plugin id.
    pub root_paths: Vec<(String, &'static str)>,
    /// Extension points populated during the register phase.
    pub extensions: Arc<Extensions>,
    /// Routes declared callable without credentials.
    pub anonymous: Vec<AnonymousRoute>,
}

const RESERVED_ROOTS: &[&str] = &["/api", "/healthz", "/readyz"];

impl PluginRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a plugin (chainable).
    pub fn add(&mut self, plugin: impl BackendPlugin) -> &mut Self {
        self.plugins.push(Arc::new(plugin));
        self
    }

    /// Add an already boxed plugin (chainable).
    pub fn add_arc(&mut self, plugin: Arc<dyn BackendPlugin>) -> &mut Self {
        self.plugins.push(plugin);
        self
    }

    /// Validate ids, run every plugin's register phase and check root-path claims.
    /// Returns every problem at once.
    pub fn build(self) -> Result<BuiltRegistry, Vec<RegistryError>> {
        let mut errors = Vec::new();
        let mut seen = HashMap::new();
        for p in &self.plugins {
            let id = p.id();
            if !is_valid_plugin_id(id) {
                errors.push(RegistryError::InvalidId(id.to_string()));
            }
            if seen.insert(id, ()).is_some() {
                errors.push(RegistryError::DuplicateId(id.to_string()));
            }
        }
        let extensions = Arc::new(Extensions::default());
        let mut root_paths: Vec<(String, &'static str)> = Vec::new();
        let mut anonymous = Vec::new();
        for p in &self.plugins {
            let mut reg = Registrar::new(p.id(), extensions.clone());
            p.register(&mut reg);
            let (paths, anon) = reg.into_parts();
            anonymous.extend(anon);
            for path in paths {
                if !path.starts_with('/') || path.contains("..") {
                    errors.push(RegistryError::InvalidRootPath {
                        plugin: p.id().into(),
                        path,
                        reason: "must be an absolute path without `..`".into(),
                    });
                    continue;
                }
                if RESERVED_ROOTS
                    .iter()
                    .any(|r| path == *r || path.starts_with(&format!("{r}/")))
                {
                    errors.push(RegistryError::InvalidRootPath {
                        plugin: p.id().into(),
                        path,
                        reason: "reserved by the host".into(),
                    });
                    continue;
                }
                if let Some((_, first)) = root_paths.iter().find(|(p2, _)| *p2 == path) {
                    errors.push(RegistryError::RootPathCollision {
                        path: path.clone(),
                        first: first.to_string(),
                        second: p.id().into(),
                    });
                    continue;
                }
                root_paths.push((path, p.id()));
            }
        }
        if errors.is_empty() {
            Ok(BuiltRegistry {
                plugins: self.plugins,
                root_paths,
                extensions,
                anonymous,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{async_trait, PluginContext, PluginError};

    struct P(&'static str, Vec<&'static str>);

    #[async_trait]
    impl BackendPlugin for P {
        fn id(&self) -> &'static str {
            self.0
        }
        fn version(&self) -> &'static str {
            "1.0.0"
        }
        fn register(&self, reg: &mut Registrar) {
            for p in &self.1 {
                reg.claim_root_path(*p);
            }
        }
        async fn init(&self, _ctx: PluginContext) -> Result<axum::Router, PluginError> {
            Ok(axum::Router::new())
        }
    }

    #[test]
    fn should_keep_registration_order() {
        let mut r = PluginRegistry::new();
        r.add(P("b", vec![]))
            .add(P("a", vec![]))
            .add(P("c-d", vec![]));
        let built = r.build().unwrap();
        let ids: Vec<_> = built.plugins.iter().map(|p| p.id()).collect();
        assert_eq!(ids, ["b", "a", "c-d"]);
    }

    #[test]
    fn should_report_every_error_at_once() {
        let mut r = PluginRegistry::new();
        r.add(P("Bad", vec![]))
            .add(P("ok", vec!["/.well-known/x"]))
            .add(P("ok", vec![]))
            .add(P("two", vec!["/.well-known/x", "/api/steal", "relative"]));
        let errors = r.build().err().unwrap();
        assert_eq!(
            errors,
            vec![
                RegistryError::InvalidId("Bad".into()),
                RegistryError::DuplicateId("ok".into()),
                RegistryError::RootPathCollision {
                    path: "/.well-known/x".into(),
                    first: "ok".into(),
                    second: "two".into()
                },
                RegistryError::InvalidRootPath {
                    plugin: "two".into(),
                    path: "/api/steal".into(),
                    reason: "reserved by the host".into()
                },
                RegistryError::InvalidRootPath {
                    plugin: "two".into(),
                    path: "relative".into(),
                    reason: "must be an absolute path without `..`".into()
                },
            ]
        );
    }
}
