//! The catalog entity provider `butler-kubernetes`: a full mutation once the watch caches
//! have listed, then a delta for every change (debounced by 50 ms), computed by diffing the
//! entities the caches describe now against those last sent.

use crate::entities::{self, LOCATION_KEY};
use crate::Shared;
use backend_plugin_api::async_trait;
use backend_plugin_api::catalog::{
    DeferredEntity, EntityProvider, EntityProviderConnection, Mutation, RemovedEntity,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The provider (registered in the plugin's register phase; started by the catalog).
pub struct ButlerEntityProvider {
    pub(crate) shared: Arc<tokio::sync::OnceCell<Arc<Shared>>>,
    pub(crate) ready: Arc<tokio::sync::Notify>,
}

fn deferred(entity: &Value) -> DeferredEntity {
    DeferredEntity::new(entity.clone()).with_location_key(LOCATION_KEY)
}

#[async_trait]
impl EntityProvider for ButlerEntityProvider {
    fn name(&self) -> &str {
        "butler-kubernetes"
    }

    async fn connect(&self, connection: EntityProviderConnection) {
        // The plugin's init may run after the catalog's.
        let shared = loop {
            if let Some(s) = self.shared.get() {
                break s.clone();
            }
            let notified = self.ready.notified();
            if let Some(s) = self.shared.get() {
                break s.clone();
            }
            notified.await;
        };
        let shutdown = shared.shutdown.clone();
        let caches = shared.connection.caches.clone();
        let mut changes = caches.subscribe();
        let mut sent: Option<BTreeMap<String, Value>> = None;
        loop {
            if caches.all_ready() {
                let t0 = Instant::now();
                let now = entities::all(&caches, &shared.base_url);
                let result = match &sent {
                    None => {
                        let entities = now.values().map(deferred).collect();
                        connection
                            .apply_mutation(Mutation::Full { entities })
                            .await
                            .map(|_| (now.len(), 0))
                    }
                    Some(before) => {
                        let added: Vec<DeferredEntity> = now
                            .iter()
                            .filter(|(r, e)| before.get(*r) != Some(*e))
                            .map(|(_, e)| deferred(e))
                            .collect();
                        let removed: Vec<RemovedEntity> = before
                            .iter()
                            .filter(|(r, _)| !now.contains_key(*r))
                            .map(|(r, _)| RemovedEntity {
                                entity_ref: r.clone(),
                                location_key: Some(LOCATION_KEY.to_string()),
                            })
                            .collect();
                        let counts = (added.len(), removed.len());
                        if counts == (0, 0) {
                            Ok(counts)
                        } else {
                            connection
                                .apply_mutation(Mutation::Delta { added, removed })
                                .await
                                .map(|_| counts)
                        }
                    }
                };
                match result {
                    Ok((a, r)) => {
                        if a + r > 0 {
                            tracing::debug!(
                                full = sent.is_none(),
                                upserted = a,
                                removed = r,
                                ms = t0.elapsed().as_millis() as u64,
                                "butler entities sent to the catalog"
                            );
                        }
                        sent = Some(now);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "catalog rejected butler entities; retrying");
                        tokio::select! {
                            _ = shutdown.cancelled() => return,
                            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                        }
                        continue;
                    }
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                r = changes.changed() => if r.is_err() { return },
            }
            // Coalesce bursts (a re-list applies many objects at once).
            tokio::time::sleep(Duration::from_millis(50)).await;
            changes.borrow_and_update();
        }
    }
}
