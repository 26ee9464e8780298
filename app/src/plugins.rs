//! The one list of frontend plugins. Order here is sidebar order.
//! Adding a plugin: add its crate to `app/Cargo.toml` and one line below.

use frontend_plugin_api::FrontendPlugin;

/// Every installed frontend plugin, in registration order.
pub fn plugins() -> Vec<Box<dyn FrontendPlugin>> {
    vec![
        Box::new(plugin_home::HomePlugin),
        Box::new(plugin_catalog::CatalogPlugin),
        Box::new(plugin_scaffolder::ScaffolderPlugin),
        Box::new(plugin_butler::ButlerPlugin),
        Box::new(plugin_auth::AuthPlugin),
        Box::new(plugin_auth::ProfilePlugin),
    ]
}
