//! Catalog extension points: entity providers and custom kinds.
//!
//! Other plugins obtain [`CatalogProcessingExtensionPoint`] in their register phase with
//! `reg.extension::<CatalogProcessingExtensionPoint>()` and add providers or kinds; the
//! catalog plugin reads it in `init` and connects every provider.
//!
//! ```no_run
//! use backend_plugin_api::catalog::*;
//! use std::sync::Arc;
//!
//! struct Clusters;
//!
//! #[backend_plugin_api::async_trait]
//! impl EntityProvider for Clusters {
//!     fn name(&self) -> &str { "butler-clusters" }
//!     async fn connect(&self, connection: EntityProviderConnection) {
//!         let _ = connection.apply_mutation(Mutation::Full { entities: vec![] }).await;
//!     }
//! }
//!
//! fn register(reg: &backend_plugin_api::Registrar) {
//!     reg.extension::<CatalogProcessingExtensionPoint>().add_entity_provider(Arc::new(Clusters));
//! }
//! ```

use async_trait::async_trait;
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// An entity a provider emits, with the key that owns it (`locationKey`): two different
/// keys emitting the same entity ref conflict, and the first keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeferredEntity {
    /// The unprocessed entity (`apiVersion`, `kind`, `metadata`, `spec` …).
    pub entity: Value,
    /// The owning key, e.g. `url:https://…`; `None` lets any emitter overwrite it.
    pub location_key: Option<String>,
}

impl DeferredEntity {
    /// Wrap an entity (JSON value) without a location key.
    pub fn new(entity: Value) -> Self {
        Self {
            entity,
            location_key: None,
        }
    }

    /// Wrap a typed entity.
    pub fn from_entity(entity: &portal_types::Entity, location_key: Option<String>) -> Self {
        Self {
            entity: serde_json::to_value(entity).unwrap_or(Value::Null),
            location_key,
        }
    }

    /// Set the location key.
    pub fn with_location_key(mut self, key: impl Into<String>) -> Self {
        self.location_key = Some(key.into());
        self
    }
}

/// An entity a provider no longer emits (delta removal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedEntity {
    /// The ref, e.g. `resource:default/cluster-a`.
    pub entity_ref: String,
    /// The key it was emitted with.
    pub location_key: Option<String>,
}

impl RemovedEntity {
    /// A removal by ref.
    pub fn new(entity_ref: impl Into<String>) -> Self {
        Self {
            entity_ref: entity_ref.into(),
            location_key: None,
        }
    }
}

/// Backstage's `applyMutation` payload.
#[derive(Debug, Clone, PartialEq)]
pub enum Mutation {
    /// The provider's complete set: anything it emitted before and not now is deleted.
    Full {
        /// Every entity of the provider.
        entities: Vec<DeferredEntity>,
    },
    /// Incremental change.
    Delta {
        /// Added or changed entities.
        added: Vec<DeferredEntity>,
        /// Removed entities.
        removed: Vec<RemovedEntity>,
    },
}

/// Why a mutation was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CatalogMutationError(pub String);

/// The catalog side of a provider connection (implemented by the catalog plugin).
#[async_trait]
pub trait MutationSink: Send + Sync {
    /// Apply `mutation` on behalf of provider `provider`.
    async fn apply_mutation(
        &self,
        provider: &str,
        mutation: Mutation,
    ) -> Result<(), CatalogMutationError>;
    /// Schedule the entities with these refs (or location keys) for processing now.
    async fn refresh(&self, provider: &str, keys: Vec<String>) -> Result<(), CatalogMutationError>;
}

/// What a provider receives in [`EntityProvider::connect`]. Cheap to clone; keep it and
/// call [`apply_mutation`](Self::apply_mutation) whenever the source changes. Deltas are
/// processed promptly (well under a second for small changes).
#[derive(Clone)]
pub struct EntityProviderConnection {
    provider: String,
    sink: Arc<dyn MutationSink>,
}

impl EntityProviderConnection {
    /// Build a connection (used by the catalog plugin).
    pub fn new(provider: impl Into<String>, sink: Arc<dyn MutationSink>) -> Self {
        Self {
            provider: provider.into(),
            sink,
        }
    }

    /// The provider name this connection belongs to.
    pub fn provider_name(&self) -> &str {
        &self.provider
    }

    /// Replace (full) or change (delta) the provider's entities.
    pub async fn apply_mutation(&self, mutation: Mutation) -> Result<(), CatalogMutationError> {
        self.sink.apply_mutation(&self.provider, mutation).await
    }

    /// Ask for immediate reprocessing of entities by ref.
    pub async fn refresh(&self, entity_refs: Vec<String>) -> Result<(), CatalogMutationError> {
        self.sink.refresh(&self.provider, entity_refs).await
    }
}

/// A source of entities (Backstage's `EntityProvider`).
#[async_trait]
pub trait EntityProvider: Send + Sync + 'static {
    /// A unique name, e.g. `butler-clusters`.
    fn name(&self) -> &str;
    /// Called once when the catalog starts. Long-running watchers should be spawned from
    /// here (stop them on the host's shutdown token).
    async fn connect(&self, connection: EntityProviderConnection);
}

/// A custom kind: entities of `kind` with one of `api_versions` have their `spec`
/// validated against `json_schema` (JSON Schema, draft 7 / 2019-09 / 2020-12).
#[derive(Debug, Clone, PartialEq)]
pub struct KindDefinition {
    /// Accepted `apiVersion`s, e.g. `["butler.butlerlabs.dev/v1alpha1"]`.
    pub api_versions: Vec<String>,
    /// The kind, e.g. `TenantCluster` (matched case-insensitively).
    pub kind: String,
    /// Schema of `spec`.
    pub json_schema: Value,
}

/// The catalog's extension point.
#[derive(Default)]
pub struct CatalogProcessingExtensionPoint {
    providers: Mutex<Vec<Arc<dyn EntityProvider>>>,
    kinds: Mutex<Vec<KindDefinition>>,
}

impl CatalogProcessingExtensionPoint {
    /// Add an entity provider.
    pub fn add_entity_provider(&self, provider: Arc<dyn EntityProvider>) {
        self.providers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(provider);
    }

    /// Add a custom kind.
    pub fn add_kind(&self, kind: KindDefinition) {
        self.kinds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(kind);
    }

    /// Every provider added so far.
    pub fn entity_providers(&self) -> Vec<Arc<dyn EntityProvider>> {
        self.providers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Every custom kind added so far.
    pub fn kinds(&self) -> Vec<KindDefinition> {
        self.kinds.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
