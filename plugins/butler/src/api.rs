//! Calls to `/api/butler`.

use frontend_plugin_api::{ApiClient, ApiError};
use serde::Deserialize;

/// `GET /api/butler/status`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Status {
    /// The API server answered the last probe.
    pub connected: bool,
    /// API server URL (empty when not configured).
    pub server: String,
    /// API server version.
    #[serde(default)]
    pub version: Option<String>,
    /// The in-process demo cluster.
    pub demo: bool,
    /// Why it is not connected.
    #[serde(default)]
    pub message: Option<String>,
}

/// One row of `GET /api/butler/clusters`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Owning team.
    #[serde(default)]
    pub team: Option<String>,
    /// Phase.
    pub phase: String,
    /// Provider.
    #[serde(default)]
    pub provider: Option<String>,
    /// Kubernetes version.
    pub kubernetes_version: String,
    /// Desired workers.
    pub workers_desired: i32,
    /// Ready workers.
    #[serde(default)]
    pub workers_ready: Option<i32>,
    /// API endpoint.
    #[serde(default)]
    pub control_plane_endpoint: Option<String>,
    /// Catalog entity ref.
    pub entity_ref: String,
}

/// `GET /api/butler/clusters`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterList {
    /// Visible clusters.
    pub items: Vec<Cluster>,
    /// Kubernetes user the portal impersonated.
    pub impersonated_as: String,
    /// Kubernetes groups the portal impersonated.
    #[serde(default)]
    pub impersonated_groups: Vec<String>,
}

/// `GET /api/butler/clusters/{namespace}/{name}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ClusterDetail {
    /// The summary row.
    pub summary: Cluster,
    /// The TenantCluster resource as the API server returned it.
    pub resource: serde_json::Value,
}

/// The connection status.
pub async fn status(api: ApiClient) -> Result<Status, ApiError> {
    api.get_json("/api/butler/status").await
}

/// One cluster (as the signed-in user).
pub async fn cluster(
    api: ApiClient,
    namespace: String,
    name: String,
) -> Result<ClusterDetail, ApiError> {
    api.get_json(&format!("/api/butler/clusters/{namespace}/{name}"))
        .await
}

/// The clusters the signed-in user may read.
pub async fn clusters(api: ApiClient) -> Result<ClusterList, ApiError> {
    api.get_json("/api/butler/clusters").await
}
