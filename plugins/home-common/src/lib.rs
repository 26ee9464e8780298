//! DTOs of the `home` plugin, shared by `plugin-home-backend` and the `plugin-home`
//! frontend. Compiles to `wasm32-unknown-unknown`.

use serde::{Deserialize, Serialize};

/// The plugin id.
pub const PLUGIN_ID: &str = "home";

/// `GET /api/home/info`: what the landing page shows about this portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalInfo {
    /// `app.title` from configuration.
    pub title: String,
    /// Portal version.
    pub version: String,
    /// Whether the portal runs with demo data.
    pub demo: bool,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// When this process started (RFC 3339).
    #[serde(rename = "startedAt")]
    pub started_at: String,
}
