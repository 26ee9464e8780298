//! The ONE list of backend plugins. Registration order is mount order.

use backend_plugin_api::PluginRegistry;

/// Every backend plugin of Butler Portal, in order.
pub fn default_plugins() -> PluginRegistry {
    let mut registry = PluginRegistry::new();
    registry.add(plugin_home_backend::HomeBackendPlugin);
    registry.add(plugin_catalog_backend::CatalogBackendPlugin);
    registry.add(plugin_auth_backend::AuthBackendPlugin::default());
    registry.add(plugin_permission_backend::PermissionBackendPlugin);
    registry.add(plugin_scaffolder_backend::ScaffolderBackendPlugin);
    registry.add(plugin_butler_backend::ButlerBackendPlugin::default());
    registry
}
