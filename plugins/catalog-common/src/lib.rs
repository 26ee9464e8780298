//! The Software Catalog model shared by `plugin-catalog-backend` and the catalog UI.
//!
//! Pure logic that compiles for `wasm32-unknown-unknown`:
//! * [`validation`]: Backstage's entity envelope rules (`apiVersion`, `kind`, names,
//!   namespaces, labels, annotations, tags, links), each error with its field path;
//! * [`kinds`]: the built-in kinds and their required `spec` fields;
//! * [`relations`]: relation derivation in both directions;
//! * [`filter`]: the `filter=` query parameter parser;
//! * [`search`]: flattening an entity into `(key, value)` search rows;
//! * [`fields`]: `fields=` projection;
//! * [`dto`]: the REST wire types (query response, facets, locations …).

#![forbid(unsafe_code)]

pub mod dto;
pub mod fields;
pub mod filter;
pub mod kinds;
pub mod relations;
pub mod search;
pub mod validation;

/// The plugin id (`/api/catalog`).
pub const PLUGIN_ID: &str = "catalog";

/// Annotation: the location that emitted the entity (`type:target`).
pub const ANNOTATION_LOCATION: &str = "backstage.io/managed-by-location";
/// Annotation: the root location the entity descends from (`type:target`).
pub const ANNOTATION_ORIGIN_LOCATION: &str = "backstage.io/managed-by-origin-location";
/// Annotation: set to `"true"` on entities no longer emitted by any parent.
pub const ANNOTATION_ORPHAN: &str = "backstage.io/orphan";
/// Annotation: a source location (`url:…`), informative.
pub const ANNOTATION_SOURCE_LOCATION: &str = "backstage.io/source-location";
/// The `status.items[].type` of processing errors.
pub const STATUS_PROCESSING_ERROR: &str = "backstage.io/catalog-processing";

pub use portal_types::{Entity, EntityMeta, EntityRef, EntityRelation};
