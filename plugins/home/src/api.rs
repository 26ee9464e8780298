//! Calls to the backend used by the home page.

use frontend_plugin_api::{ApiClient, ApiError};
use portal_types::{InstalledPlugin, Readiness};
use serde::Deserialize;

/// Body of `GET /api/home/info`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HomeInfo {
    /// Portal title.
    pub title: String,
    /// Portal version.
    pub version: String,
    /// Whether the portal runs with demo data.
    #[serde(default)]
    pub demo: bool,
    /// Database engine.
    #[serde(default)]
    pub database: Option<String>,
}

/// `GET /readyz`; a 503 still carries the readiness report.
pub async fn readiness(api: ApiClient) -> Result<Readiness, ApiError> {
    api.get_json_allowing("/readyz", &[503]).await
}

/// `GET /api/plugins`.
pub async fn installed_plugins(api: ApiClient) -> Result<Vec<InstalledPlugin>, ApiError> {
    api.get_json("/api/plugins").await
}

/// `GET /api/home/info`.
pub async fn info(api: ApiClient) -> Result<HomeInfo, ApiError> {
    api.get_json("/api/home/info").await
}
