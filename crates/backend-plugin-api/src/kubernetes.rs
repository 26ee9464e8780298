//! [`KubernetesExtensionPoint`]: the Butler management cluster's Kubernetes API, offered to
//! every backend plugin (Butler, Chambers, Herald …) by the `butler` plugin.
//!
//! **Every call made on behalf of a user runs with that user's authority.**
//! [`KubernetesExtensionPoint::client_for`] returns a [`kube::Client`] that sends Kubernetes
//! impersonation headers (`Impersonate-User: <the user's email>`, `Impersonate-Group: <each
//! team and group>`), so the API server's RBAC decides what the caller may see and do. There
//! is deliberately no accessor for an un-impersonated ("service") client here: plugins must not
//! act as a blanket admin for users.
//!
//! ```no_run
//! use backend_plugin_api::kubernetes::KubernetesExtensionPoint;
//! use backend_plugin_api::{ApiError, Caller, PluginContext};
//!
//! async fn list_namespaces(ctx: &PluginContext, Caller(me): Caller) -> Result<usize, ApiError> {
//!     let client = ctx.extension::<KubernetesExtensionPoint>().client_for(&me).await?;
//!     let api: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(client);
//!     # let _ = api;
//!     Ok(0)
//! }
//! ```

use crate::auth::Identity;
use crate::ApiError;
use async_trait::async_trait;
use serde::Serialize;
use std::sync::{Arc, RwLock};

/// The connection to the Kubernetes API server, as `GET /api/butler/status` reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KubernetesStatus {
    /// The API server answered the last probe.
    pub connected: bool,
    /// The API server URL (empty when not configured).
    pub server: String,
    /// `gitVersion` of the API server, when connected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The server is the in-process demo emulator.
    pub demo: bool,
    /// Why it is not connected (or other detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Why no client could be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KubernetesError {
    /// No Kubernetes API is configured.
    #[error("Kubernetes is not configured: {0}")]
    NotConfigured(String),
    /// The API server cannot be reached or refuses the portal's credentials.
    #[error("the Kubernetes API server is unavailable: {0}")]
    Unavailable(String),
    /// The caller cannot be mapped to a Kubernetes identity.
    #[error("{0}")]
    Identity(String),
}

impl From<KubernetesError> for ApiError {
    fn from(e: KubernetesError) -> Self {
        match e {
            KubernetesError::Identity(m) => ApiError::NotAllowed(m),
            other => ApiError::ServiceUnavailable(other.to_string()),
        }
    }
}

/// Implemented by the plugin owning the connection (the `butler` plugin).
#[async_trait]
pub trait KubernetesAccess: Send + Sync + 'static {
    /// A client acting as `identity` (impersonation).
    async fn client_for(&self, identity: &Identity) -> Result<kube::Client, KubernetesError>;
    /// The Kubernetes user name and groups `identity` is impersonated as.
    async fn impersonation_of(
        &self,
        identity: &Identity,
    ) -> Result<(String, Vec<String>), KubernetesError>;
    /// The current connection status.
    fn status(&self) -> KubernetesStatus;
}

/// Extension point holding the installed [`KubernetesAccess`].
#[derive(Default)]
pub struct KubernetesExtensionPoint {
    access: RwLock<Option<Arc<dyn KubernetesAccess>>>,
}

impl KubernetesExtensionPoint {
    /// Install the access (the `butler` plugin does this in `init`).
    pub fn set(&self, access: Arc<dyn KubernetesAccess>) {
        *self.access.write().unwrap_or_else(|e| e.into_inner()) = Some(access);
    }

    /// The installed access, if any.
    pub fn get(&self) -> Option<Arc<dyn KubernetesAccess>> {
        self.access
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A client acting as `identity`; `NotConfigured` when no plugin installed access.
    pub async fn client_for(&self, identity: &Identity) -> Result<kube::Client, KubernetesError> {
        match self.get() {
            Some(a) => a.client_for(identity).await,
            None => Err(KubernetesError::NotConfigured(
                "no plugin provides Kubernetes access (is the butler plugin installed?)".into(),
            )),
        }
    }

    /// The connection status (`connected: false` when nothing is installed).
    pub fn status(&self) -> KubernetesStatus {
        match self.get() {
            Some(a) => a.status(),
            None => KubernetesStatus {
                message: Some("Kubernetes is not configured".into()),
                ..Default::default()
            },
        }
    }
}
