//! Wasm-safe types shared by the Butler Portal backend host, backend plugins and the
//! Leptos single-page app.
//!
//! Everything here compiles for `wasm32-unknown-unknown`: only `serde` types and pure
//! functions, no I/O.

#![forbid(unsafe_code)]

mod entity;
mod error;
mod plugin_id;
mod system;

pub use entity::{Entity, EntityMeta, EntityRef, EntityRefError, EntityRelation};
pub use error::{ErrorBody, ErrorDetails, ErrorRequest, ErrorResponse};
pub use plugin_id::{is_valid_plugin_id, PLUGIN_ID_PATTERN};
pub use system::{Health, InstalledPlugin, Readiness, ReadinessCheck};
