//! Host-level system endpoints: `/healthz`, `/readyz`, `/api/plugins`.

use serde::{Deserialize, Serialize};

/// One entry of `GET /api/plugins`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalledPlugin {
    /// Plugin id, e.g. `catalog`.
    pub id: String,
    /// The plugin crate's version.
    pub version: String,
}

/// Body of `GET /healthz` (liveness).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always `ok` when the process answers.
    pub status: String,
    /// Portal version.
    pub version: String,
}

/// Body of `GET /readyz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    /// `ok`, `degraded` (usable, some dependency impaired) or `failed`.
    pub status: String,
    /// Portal version.
    pub version: String,
    /// Database engine in use: `sqlite` or `postgres`.
    pub database: String,
    /// Individual checks.
    pub checks: Vec<ReadinessCheck>,
}

/// One check in [`Readiness`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadinessCheck {
    /// Check name, e.g. `database`.
    pub name: String,
    /// `ok`, `degraded` or `failed`.
    pub status: String,
    /// Detail for a human.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message: Option<String>,
}
