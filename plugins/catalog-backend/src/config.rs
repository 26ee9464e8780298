//! The `catalog` configuration section.

use serde::Deserialize;

/// `catalog:` in `app-config.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CatalogConfig {
    /// Static locations; `file` targets are relative to the portal's root directory.
    #[serde(default)]
    pub locations: Vec<ConfigLocation>,
    /// Base processing interval in seconds (each run adds up to 25 % jitter). Default 120.
    #[serde(default = "default_interval")]
    pub processing_interval_seconds: f64,
    /// What happens to entities no parent emits any more.
    #[serde(default)]
    pub orphan_strategy: OrphanStrategy,
    /// Largest file or URL body read, in bytes. Default 5 MiB.
    #[serde(default = "default_max_size")]
    pub max_file_size_bytes: u64,
    /// Timeout of one URL read, in seconds. Default 10.
    #[serde(default = "default_timeout")]
    pub read_timeout_seconds: u64,
    /// Reject location writes through the API (403), as Backstage's `catalog.readonly`.
    #[serde(default)]
    pub readonly: bool,
}

impl Default for CatalogConfig {
    fn default() -> Self {
        Self {
            locations: Vec::new(),
            processing_interval_seconds: default_interval(),
            orphan_strategy: OrphanStrategy::Keep,
            max_file_size_bytes: default_max_size(),
            read_timeout_seconds: default_timeout(),
            readonly: false,
        }
    }
}

fn default_interval() -> f64 {
    120.0
}
fn default_max_size() -> u64 {
    5 * 1024 * 1024
}
fn default_timeout() -> u64 {
    10
}

/// One `catalog.locations[]` item.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigLocation {
    /// `file` or `url`.
    #[serde(rename = "type")]
    pub location_type: String,
    /// Path or URL.
    pub target: String,
}

/// `catalog.orphanStrategy`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrphanStrategy {
    /// Keep orphans, annotated `backstage.io/orphan: "true"` (default).
    #[default]
    Keep,
    /// Delete orphans.
    Delete,
}
