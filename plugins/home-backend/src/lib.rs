//! Backend of the `home` plugin: `GET /api/home/info` returns [`PortalInfo`] for the
//! landing page, and `POST /api/home/visits` / `GET /api/home/visits` keep a tiny
//! per-plugin table that proves the migration path end to end on both engines.

mod router;

use backend_plugin_api::{async_trait, BackendPlugin, Migrations, PluginContext, PluginError};
pub use plugin_home_common::PortalInfo;

/// The home backend plugin.
pub struct HomeBackendPlugin;

/// Configuration section `home`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomeConfig {
    /// Title shown on the landing page; defaults to `Butler Portal`.
    pub title: Option<String>,
}

#[async_trait]
impl BackendPlugin for HomeBackendPlugin {
    fn id(&self) -> &'static str {
        plugin_home_common::PLUGIN_ID
    }

    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    fn migrations(&self) -> Option<Migrations> {
        Some(Migrations {
            sqlite: sqlx::migrate!("../../migrations/home/sqlite"),
            postgres: sqlx::migrate!("../../migrations/home/postgres"),
        })
    }

    async fn init(&self, ctx: PluginContext) -> Result<axum::Router, PluginError> {
        let cfg: HomeConfig = ctx.config()?;
        Ok(router::router(router::HomeState::new(&ctx, cfg)))
    }
}
