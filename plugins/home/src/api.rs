//! Calls to the backend used by the home page.

use frontend_plugin_api::{ApiClient, ApiError};
use plugin_home_common::PortalInfo;
use portal_types::{InstalledPlugin, Readiness};

/// `GET /readyz`; a 503 still carries the readiness report.
pub async fn readiness(api: ApiClient) -> Result<Readiness, ApiError> {
    api.get_json_allowing("/readyz", &[503]).await
}

/// `GET /api/plugins`.
pub async fn installed_plugins(api: ApiClient) -> Result<Vec<InstalledPlugin>, ApiError> {
    api.get_json("/api/plugins").await
}

/// `GET /api/home/info`.
pub async fn info(api: ApiClient) -> Result<PortalInfo, ApiError> {
    api.get_json("/api/home/info").await
}
