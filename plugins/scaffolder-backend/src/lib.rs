//! Backend of the Scaffolder (`/api/scaffolder`), wire-compatible with Backstage's
//! scaffolder-backend task API.
//!
//! * Templates are catalog entities (kind `Template`, `scaffolder.backstage.io/v1beta3`),
//!   read from the catalog's REST API with the caller's own token ([`catalog`]).
//! * Templating: minijinja with `${{ }}` delimiters and Backstage's filters ([`templating`]).
//! * Actions: built-ins ([`actions`]) plus whatever other plugins add through
//!   [`backend_plugin_api::scaffolder::ScaffolderActionsExtensionPoint`].
//! * Tasks: stored per engine ([`store`]), run by [`engine`] with per-task workspaces under
//!   the data directory, live events over SSE and long-poll ([`router`]).
//!
//! Configuration (`scaffolder:` section): see [`engine::ScaffolderConfig`].

pub mod actions;
pub mod catalog;
pub mod engine;
pub mod openapi;
pub mod router;
pub mod store;
pub mod templating;

use backend_plugin_api::scaffolder::ScaffolderActionsExtensionPoint;
use backend_plugin_api::{
    async_trait, BackendPlugin, Migrations, PermissionService, PluginContext, PluginError,
    Registrar,
};
use std::sync::Arc;

pub use engine::{Scaffolder, ScaffolderConfig};

/// The scaffolder backend plugin.
pub struct ScaffolderBackendPlugin;

#[async_trait]
impl BackendPlugin for ScaffolderBackendPlugin {
    fn id(&self) -> &'static str {
        plugin_scaffolder_common::PLUGIN_ID
    }

    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    fn register(&self, reg: &mut Registrar) {
        reg.extension::<PermissionService>()
            .declare(&engine::perms::all());
        // Create the extension point so contributors and we share one instance.
        let _ = reg.extension::<ScaffolderActionsExtensionPoint>();
    }

    fn migrations(&self) -> Option<Migrations> {
        Some(Migrations {
            sqlite: sqlx::migrate!("../../migrations/scaffolder/sqlite"),
            postgres: sqlx::migrate!("../../migrations/scaffolder/postgres"),
        })
    }

    async fn init(&self, ctx: PluginContext) -> Result<axum::Router, PluginError> {
        let cfg: ScaffolderConfig = ctx.config()?;
        let base_url = ctx.host().base_url.trim_end_matches('/').to_string();
        let catalog_base = cfg
            .catalog_base_url
            .clone()
            .unwrap_or_else(|| format!("{base_url}/api/catalog"));
        let catalog = catalog::CatalogClient::new(ctx.http().clone(), catalog_base);
        let data_dir = ctx.host().data_dir.clone();
        let work_root = cfg
            .work_dir
            .clone()
            .unwrap_or_else(|| engine::default_work_dir(&data_dir));
        let publish_root = cfg
            .publish_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("scaffolder").join("published"));
        std::fs::create_dir_all(&work_root).map_err(|e| {
            PluginError::Config(format!(
                "scaffolder.workDir: cannot create {}: {e}",
                work_root.display()
            ))
        })?;
        let mut all = actions::builtin_actions(catalog.clone(), publish_root);
        all.extend(ctx.extension::<ScaffolderActionsExtensionPoint>().actions());
        let permissions = ctx.extension::<PermissionService>();
        permissions.declare(&engine::perms::all());
        let svc = Arc::new(Scaffolder::new(
            ctx.database().clone(),
            all,
            permissions,
            catalog,
            cfg,
            work_root,
            base_url,
            ctx.shutdown(),
        ));
        svc.recover().await?;
        tokio::spawn(svc.clone().reap_stale());
        Ok(router::router(svc))
    }
}
