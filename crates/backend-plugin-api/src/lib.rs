//! The Butler Portal backend plugin contract.
//!
//! A plugin is a type implementing [`BackendPlugin`]: an id, an optional synchronous
//! [`BackendPlugin::register`] phase in which it declares or uses extension points, and an
//! async [`BackendPlugin::init`] that receives a plugin-scoped [`PluginContext`] and returns
//! an axum [`Router`](axum::Router). The host nests that router at `/api/<id>`.
//!
//! ```no_run
//! use backend_plugin_api::{async_trait, BackendPlugin, PluginContext, PluginError};
//! use axum::{routing::get, Router};
//!
//! struct HelloPlugin;
//!
//! #[async_trait]
//! impl BackendPlugin for HelloPlugin {
//!     fn id(&self) -> &'static str { "hello" }
//!     fn version(&self) -> &'static str { env!("CARGO_PKG_VERSION") }
//!     async fn init(&self, _ctx: PluginContext) -> Result<Router, PluginError> {
//!         Ok(Router::new().route("/greeting", get(|| async { "hello" })))
//!     }
//! }
//! ```
//!
//! Lifecycle: the host calls `register` on every plugin in registration order, then
//! applies each plugin's migrations, then calls `init` in registration order. Errors are
//! collected and reported together, never as panics.

#![forbid(unsafe_code)]

pub mod auth;
pub mod catalog;
mod context;
pub mod database;
pub mod directory;
pub mod error;
pub mod extension;
pub mod extract;
pub mod kubernetes;
pub mod permission;
mod plugin;
pub mod readiness;
mod registry;
pub mod scaffolder;
pub mod signin;

pub use async_trait::async_trait;
pub use auth::{Caller, Identity, MaybeCaller};
pub use context::{HostInfo, PluginContext};
pub use database::{Database, Engine, Migrations};
pub use error::ApiError;
pub use extension::Extensions;
pub use extract::{ApiJson, ApiQuery};
pub use permission::{Action, Permission, PermissionService};
pub use plugin::{BackendPlugin, PluginError, Registrar};
pub use registry::{BuiltRegistry, PluginRegistry, RegistryError};
