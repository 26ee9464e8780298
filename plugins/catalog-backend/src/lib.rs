//! Backend of the Software Catalog (`/api/catalog`), wire-compatible with Backstage's
//! catalog-backend.
//!
//! * Locations from `catalog.locations`, `--demo` (`demo/catalog/all.yaml`) and
//!   `POST /locations` become generated `Location` entities; Location entities expand to
//!   children; `$text`/`$json`/`$yaml` placeholders are resolved.
//! * Other plugins add entity providers and custom kinds through
//!   [`backend_plugin_api::catalog::CatalogProcessingExtensionPoint`].
//! * The processing loop (interval + jitter, woken at once by mutations and refreshes)
//!   validates, derives relations and stitches final entities plus a flattened search
//!   table; see [`processing`].
//! * Reads go through [`store::entities`] (filters, keyset cursors, facets).

pub mod config;
pub mod cursor;
pub mod directory;
pub mod handlers;
pub mod openapi;
pub mod permissions;
pub mod processing;
pub mod router;
pub mod store;

use backend_plugin_api::catalog::{CatalogProcessingExtensionPoint, EntityProviderConnection};
use backend_plugin_api::directory::UserDirectoryExtensionPoint;
use backend_plugin_api::{
    async_trait, BackendPlugin, Migrations, PermissionService, PluginContext, PluginError,
};
pub use config::CatalogConfig;
use processing::kinds::KindValidators;
use processing::processor::Processor;
use processing::reader::Reader;
use processing::{Engine, EngineSink};
use std::sync::Arc;
use std::time::Duration;

/// The demo catalog, relative to the portal root directory.
pub const DEMO_LOCATION: &str = "demo/catalog/all.yaml";

/// The catalog backend plugin.
pub struct CatalogBackendPlugin;

#[async_trait]
impl BackendPlugin for CatalogBackendPlugin {
    fn id(&self) -> &'static str {
        plugin_catalog_common::PLUGIN_ID
    }

    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    fn migrations(&self) -> Option<Migrations> {
        Some(Migrations {
            sqlite: sqlx::migrate!("../../migrations/catalog/sqlite"),
            postgres: sqlx::migrate!("../../migrations/catalog/postgres"),
        })
    }

    async fn init(&self, ctx: PluginContext) -> Result<axum::Router, PluginError> {
        let cfg: CatalogConfig = ctx.config()?;
        let ext = ctx.extension::<CatalogProcessingExtensionPoint>();
        let kinds = KindValidators::new(ext.kinds()).map_err(PluginError::Config)?;
        let reader = Reader::new(
            ctx.http().clone(),
            cfg.max_file_size_bytes,
            Duration::from_secs(cfg.read_timeout_seconds.max(1)),
        );
        let mut locations: Vec<(String, String)> = cfg
            .locations
            .iter()
            .map(|l| (l.location_type.clone(), l.target.clone()))
            .collect();
        for l in &cfg.locations {
            if l.location_type != "file" && l.location_type != "url" {
                return Err(PluginError::Config(format!(
                    "catalog.locations: unsupported type '{}' (expected file or url)",
                    l.location_type
                )));
            }
        }
        if ctx.host().demo {
            locations.push(("file".into(), DEMO_LOCATION.into()));
        }
        let engine = Engine::new(
            ctx.database().clone(),
            Processor::new(reader, kinds),
            cfg,
            ctx.host().resources_dir.clone(),
        );
        engine
            .sync_config_locations(&locations)
            .await
            .map_err(|e| PluginError::Other(format!("catalog locations: {e}")))?;
        tokio::spawn(engine.clone().run(ctx.shutdown()));
        for provider in ext.entity_providers() {
            let conn = EntityProviderConnection::new(
                provider.name(),
                Arc::new(EngineSink(engine.clone())),
            );
            tokio::spawn(async move { provider.connect(conn).await });
        }
        let permissions = ctx.extension::<PermissionService>();
        permissions.declare(&permissions::all());
        let directory = Arc::new(directory::CatalogDirectory::new(ctx.database().clone()));
        permissions.add_resource_provider(permissions::RESOURCE_ENTITY, directory.clone());
        ctx.extension::<UserDirectoryExtensionPoint>()
            .set(directory);
        Ok(router::router(handlers::CatalogState {
            engine,
            permissions,
        }))
    }
}
