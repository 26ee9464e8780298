//! The frontend plugin contract of the Butler Portal single-page app.
//!
//! A frontend plugin is a value implementing [`FrontendPlugin`]: an id plus a list of
//! [`Extension`]s (pages, sidebar items, entity tabs and entity cards). The app shell
//! (`app/src/plugins.rs`) lists every plugin once; [`PluginRegistry::build`] validates the
//! list (ids, duplicates, filters) and returns every problem at once.
//!
//! Plugins talk to their backend through [`ApiClient`] (reads with `LocalResource`,
//! writes with `Action`); every failure is one [`ApiError`]. Get the shell's client with
//! [`use_api`]; it carries the bearer token ([`ApiClient::set_token`]) and calls the
//! handler registered with [`ApiClient::on_unauthorized`] on every 401.
//!
//! A page owns every path below its mount path: read the rest with [`use_subpath`]
//! (e.g. `/catalog/default/component/x` → `/default/component/x` on page `/catalog`).
//! Entity pages list other plugins' tabs and cards through [`use_plugin_registry`].
//!
//! The signed-in user is [`use_identity`]; [`use_permission`] asks the permission backend
//! whether an action is allowed (batched and cached), so pages can hide or disable it.
//!
//! Everything except the HTTP calls is plain Rust and unit tested natively
//! (`cargo test -p frontend-plugin-api`).

#![forbid(unsafe_code)]

mod api;
mod extension;
mod filter;
mod identity;
mod permission;
mod registry;
mod routing;

pub use api::{provide_api_client, use_api, ApiClient, ApiError};
pub use extension::{
    EntityCardExtension, EntityContentExtension, Extension, HeaderItemExtension, NavItemExtension,
    PageExtension,
};
pub use filter::{EntityFilter, FilterError};
pub use identity::{provide_identity, use_identity, SignedInUser};
pub use permission::{
    clear_permission_cache, use_permission, Lookup, PermissionBatcher, PermissionQuery, MAX_BATCH,
};
pub use registry::{
    provide_plugin_registry, use_plugin_registry, PluginRegistry, RegisteredPlugin, RegistryError,
};
pub use routing::{page_matches, provide_page_base, use_page_base, use_subpath, PageBase};

/// A frontend plugin: an id (matching `^[a-z][a-z0-9]*(-[a-z0-9]+)*$`) and its extensions.
///
/// Registration order (in `app/src/plugins.rs`) is sidebar order.
pub trait FrontendPlugin: 'static {
    /// The plugin id, usually the same as its backend plugin's id (e.g. `catalog`).
    fn id(&self) -> &'static str;
    /// Everything the plugin contributes to the shell.
    fn extensions(&self) -> Vec<Extension>;
}
