//! The processing engine: provider mutations → `catalog_refresh_state`, the processing
//! loop (interval + jitter, woken immediately by new locations, refreshes and provider
//! deltas), orphan handling and stitching.

pub mod kinds;
pub mod locations;
pub mod placeholders;
pub mod processor;
pub mod reader;
pub mod stitcher;
pub mod timing;

use crate::config::{CatalogConfig, OrphanStrategy};
use crate::store::state::{self, Incoming, Parent, StateRow};
use crate::store::{now_ms, sha256_hex};
use backend_plugin_api::catalog::{CatalogMutationError, DeferredEntity, Mutation, MutationSink};
use backend_plugin_api::Database;
use plugin_catalog_common::dto::SerializedError;
use plugin_catalog_common::EntityRef;
use processor::Processor;
use serde_json::Value;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Entities processed per batch.
const BATCH: usize = 500;

/// During a long processing drain, stitch what is pending at least this often.
const STITCH_FLUSH_SECS: u64 = 30;

/// SQLite page cache of the writer connection, in KiB (other connections keep the
/// default 2 MiB).
const WRITER_CACHE_KIB: usize = 16 * 1024;

/// WAL pages between automatic checkpoints of the writer connection (SQLite).
const WRITER_CHECKPOINT_PAGES: usize = 16 * 1024;

/// The catalog's writer: every write runs under this lock on ONE long-lived connection.
/// SQLite discards a connection's page cache whenever another connection wrote, so
/// cycling through the pool would start every batch with a cold cache; a single writer
/// keeps its (larger) cache warm across batches.
pub(crate) struct Writer<'a>(tokio::sync::MutexGuard<'a, Option<PoolConnection<Any>>>);

impl std::ops::Deref for Writer<'_> {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        self.0.as_deref().expect("writer connection")
    }
}

impl std::ops::DerefMut for Writer<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.0.as_deref_mut().expect("writer connection")
    }
}

/// The catalog engine shared by the router, the loop and entity providers.
pub struct Engine {
    db: Database,
    processor: Processor,
    cfg: CatalogConfig,
    root_dir: PathBuf,
    writer: tokio::sync::Mutex<Option<PoolConnection<Any>>>,
    wake: Notify,
    pending_stitch: Mutex<HashSet<String>>,
}

fn db_err(e: sqlx::Error) -> CatalogMutationError {
    CatalogMutationError(format!("database: {e}"))
}

/// Build the `Incoming` row of a deferred entity (needs `kind` and `metadata.name`).
pub fn incoming(d: &DeferredEntity) -> Result<Incoming, String> {
    let kind = d
        .entity
        .get("kind")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let meta = d.entity.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let ns = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str)
        .unwrap_or("default");
    let (Some(kind), Some(name)) = (kind, name) else {
        return Err(format!(
            "entity has no kind or metadata.name: {}",
            serde_json::to_string(&d.entity)
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect::<String>()
        ));
    };
    let json = serde_json::to_string(&d.entity).map_err(|e| e.to_string())?;
    let hash =
        sha256_hex(format!("{json}\u{0}{}", d.location_key.as_deref().unwrap_or("")).as_bytes());
    Ok(Incoming {
        entity_ref: EntityRef::new(kind, ns, name).to_string(),
        json,
        hash,
        location_key: d.location_key.clone(),
    })
}

impl Engine {
    /// A new engine.
    pub fn new(
        db: Database,
        processor: Processor,
        cfg: CatalogConfig,
        root_dir: PathBuf,
    ) -> Arc<Self> {
        Arc::new(Self {
            db,
            processor,
            cfg,
            root_dir,
            writer: tokio::sync::Mutex::new(None),
            wake: Notify::new(),
            pending_stitch: Mutex::new(HashSet::new()),
        })
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// The processor.
    pub fn processor(&self) -> &Processor {
        &self.processor
    }

    /// The configuration.
    pub fn config(&self) -> &CatalogConfig {
        &self.cfg
    }

    /// The portal root directory (config `file` targets are relative to it).
    pub fn root_dir(&self) -> &PathBuf {
        &self.root_dir
    }

    /// Wake the loop now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Lock the writer connection (connecting, or reconnecting when it broke).
    ///
    /// Every write to the catalog tables goes through it: besides keeping the cache warm,
    /// a write on another connection would wait for the writer's transaction with
    /// SQLite's 5 s busy timeout (a bulk stitch is one long transaction), while waiting
    /// for this lock has no timeout.
    pub(crate) async fn writer(&self) -> Result<Writer<'_>, sqlx::Error> {
        let mut slot = self.writer.lock().await;
        if let Some(c) = slot.as_mut() {
            if sqlx::Connection::ping(&mut **c).await.is_err() {
                *slot = None;
            }
        }
        if slot.is_none() {
            let mut c = self.db.pool().acquire().await?;
            if self.db.engine() == backend_plugin_api::Engine::Sqlite {
                sqlx::query(&format!("PRAGMA cache_size = -{WRITER_CACHE_KIB}"))
                    .execute(&mut *c)
                    .await?;
                // Checkpoint (copy the WAL into the database, with two fsyncs) every
                // WRITER_CHECKPOINT_PAGES pages instead of every 1000: bulk writes commit
                // several MiB at a time, and a page rewritten by consecutive commits is
                // then copied once.
                sqlx::query(&format!(
                    "PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_PAGES}"
                ))
                .execute(&mut *c)
                .await?;
                // A bulk stitch interrupted by a stop leaves the search index dropped.
                stitcher::ensure_search_index(&mut c).await?;
            }
            *slot = Some(c);
        }
        Ok(Writer(slot))
    }

    /// Give the writer connection back to the pool (on shutdown).
    async fn release_writer(&self) {
        self.writer.lock().await.take();
    }

    fn defer_stitch(&self, refs: impl IntoIterator<Item = String>) {
        self.pending_stitch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(refs);
    }

    /// Apply a provider mutation.
    pub async fn mutate(
        &self,
        provider: &str,
        mutation: Mutation,
    ) -> Result<(), CatalogMutationError> {
        let now = now_ms();
        let _sp = timing::span("m.mutate");
        let mut w = self.writer().await.map_err(db_err)?;
        let mut tx = crate::store::begin_write(&mut w).await.map_err(db_err)?;
        let (added, removed_refs, full) = match mutation {
            Mutation::Full { entities } => (entities, Vec::new(), true),
            Mutation::Delta { added, removed } => (
                added,
                removed
                    .into_iter()
                    .map(|r| r.entity_ref)
                    .collect::<Vec<_>>(),
                false,
            ),
        };
        let mut items = Vec::with_capacity(added.len());
        for d in &added {
            match incoming(d) {
                Ok(i) => items.push(i),
                Err(e) => {
                    tracing::warn!(provider, error = %e, "provider emitted an invalid entity; skipped")
                }
            }
        }
        let results = state::upsert_unprocessed(&mut tx, &items, now)
            .await
            .map_err(db_err)?;
        let mut accepted: Vec<String> = Vec::new();
        for (it, r) in items.iter().zip(results) {
            match r {
                None => accepted.push(it.entity_ref.clone()),
                Some(conflict) => tracing::warn!(provider, "{conflict}"),
            }
        }
        let gone: Vec<String> = if full {
            state::replace_refs(&mut tx, Parent::Provider(provider), &accepted)
                .await
                .map_err(db_err)?
        } else {
            let have = state::existing_refs(&mut tx, Parent::Provider(provider), &accepted)
                .await
                .map_err(db_err)?;
            let mut new: Vec<&String> = accepted.iter().filter(|r| !have.contains(*r)).collect();
            new.sort();
            new.dedup();
            state::add_refs(&mut tx, Parent::Provider(provider), &new)
                .await
                .map_err(db_err)?;
            let mut parsed = Vec::new();
            for r in removed_refs {
                match EntityRef::parse(&r, None, None) {
                    Ok(p) => parsed.push(p.to_string()),
                    Err(e) => tracing::warn!(provider, error = %e, "invalid removal ref; skipped"),
                }
            }
            state::remove_refs(&mut tx, Parent::Provider(provider), &parsed)
                .await
                .map_err(db_err)?;
            parsed
        };
        // Only delete what nothing else emits any more.
        let mut roots = Vec::new();
        for g in gone {
            let still = sqlx::query(
                "SELECT 1 FROM catalog_refresh_refs WHERE target_entity_ref = $1 LIMIT 1",
            )
            .bind(&g)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            if still.is_none() {
                roots.push(g);
            }
        }
        let affected = state::delete_subtrees(&mut tx, &roots)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        self.defer_stitch(affected);
        self.wake();
        Ok(())
    }

    /// Schedule entities (by ref) for processing now, and wake the loop.
    pub async fn schedule(&self, refs: &[String]) -> Result<u64, sqlx::Error> {
        let n = state::schedule_now(&mut *self.writer().await?, refs).await?;
        self.wake();
        Ok(n)
    }

    /// Run the processing loop until `shutdown`.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        self.run_until(&shutdown).await;
        self.release_writer().await;
    }

    async fn run_until(&self, shutdown: &CancellationToken) {
        loop {
            if shutdown.is_cancelled() {
                return;
            }
            let worked = tokio::select! {
                r = self.process_all() => r,
                _ = shutdown.cancelled() => return,
            };
            match worked {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "catalog processing failed"),
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(1000)) => {}
                _ = shutdown.cancelled() => return,
            }
        }
    }

    fn next_update(&self, now: i64) -> i64 {
        let base = (self.cfg.processing_interval_seconds.max(0.1) * 1000.0) as i64;
        let jitter = (uuid::Uuid::new_v4().as_u128() % 1000) as i64;
        now + base + base * jitter / 4000
    }

    /// Process everything due, stitch, handle orphans. Returns the number of entities
    /// processed.
    pub async fn process_all(&self) -> Result<usize, sqlx::Error> {
        let mut total = 0;
        let mut last_flush = std::time::Instant::now();
        loop {
            let now = now_ms();
            let rows = {
                let mut w = self.writer().await?;
                let _sp = timing::span("w.claim");
                state::claim_due(&mut w, now, self.next_update(now), BATCH).await?
            };
            if rows.is_empty() {
                break;
            }
            total += rows.len();
            let t0 = std::time::Instant::now();
            let sp = timing::span("p.process");
            let mut outputs = Vec::with_capacity(rows.len());
            for row in &rows {
                let out = match serde_json::from_str::<Value>(&row.unprocessed) {
                    Ok(v) => self.processor.process(&v).await,
                    Err(e) => processor::Output {
                        errors: vec![SerializedError {
                            name: "InputError".into(),
                            message: e.to_string(),
                        }],
                        ..Default::default()
                    },
                };
                outputs.push(out);
            }
            drop(sp);
            let t1 = std::time::Instant::now();
            let stitch = match self.write_batch(&rows, outputs, now).await {
                Ok(s) => s,
                Err(e) => {
                    // The batch was claimed (next run set to the processing interval):
                    // make it due again so it is retried on the next round, not an
                    // interval later.
                    let refs: Vec<String> = rows.iter().map(|r| r.entity_ref.clone()).collect();
                    if let Ok(mut w) = self.writer().await {
                        let _ = state::schedule_now(&mut w, &refs).await;
                    }
                    return Err(e);
                }
            };
            self.defer_stitch(stitch);
            if std::env::var("CATALOG_TIMING").is_ok() {
                eprintln!(
                    "batch {} process {:?} write {:?}",
                    rows.len(),
                    t1 - t0,
                    t1.elapsed()
                );
            }
            // Stitch once the queue is drained, so an entity touched by many others in
            // a bulk ingest is stitched once; very long drains still show progress (every
            // STITCH_FLUSH_SECS: an entity stitched early is stitched again when later
            // entities add relations to it).
            if last_flush.elapsed() > Duration::from_secs(STITCH_FLUSH_SECS) {
                timing::report("write phases");
                self.flush_stitch().await?;
                last_flush = std::time::Instant::now();
            }
        }
        timing::report("write phases");
        self.flush_stitch().await?;
        if self.cfg.orphan_strategy == OrphanStrategy::Delete {
            self.delete_orphans().await?;
        }
        Ok(total)
    }

    async fn flush_stitch(&self) -> Result<(), sqlx::Error> {
        let mut pending: Vec<String> = {
            let mut p = self
                .pending_stitch
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            p.drain().collect()
        };
        if pending.is_empty() {
            return Ok(());
        }
        pending.sort();
        let t = std::time::Instant::now();
        let mut w = self.writer().await?;
        stitcher::stitch(&self.db, &mut w, &pending).await?;
        if timing::enabled() {
            eprintln!("stitch {} {:?}", pending.len(), t.elapsed());
            timing::report("  stitch phases");
        }
        Ok(())
    }

    async fn delete_orphans(&self) -> Result<(), sqlx::Error> {
        let mut w = self.writer().await?;
        let mut tx = crate::store::begin_write(&mut w).await?;
        let orphans = state::orphan_refs(&mut tx).await?;
        if orphans.is_empty() {
            return Ok(());
        }
        let affected = state::delete_subtrees(&mut tx, &orphans).await?;
        tx.commit().await?;
        stitcher::stitch(&self.db, &mut w, &affected.into_iter().collect::<Vec<_>>()).await?;
        Ok(())
    }

    async fn write_batch(
        &self,
        rows: &[StateRow],
        outputs: Vec<processor::Output>,
        now: i64,
    ) -> Result<Vec<String>, sqlx::Error> {
        // `now` stamps discovery of children.
        let mut w = self.writer().await?;
        let mut tx = crate::store::begin_write(&mut w).await?;
        let mut stitch_now = Vec::new();
        let mut later: HashSet<String> = HashSet::new();
        // What the batch needs from the database, read in bulk up front.
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let refs: Vec<&str> = rows.iter().map(|r| r.entity_ref.as_str()).collect();
        let sp = timing::span("w.read");
        let mut current = state::unprocessed_hashes(&mut tx, &ids).await?;
        let with_children = state::parents_with_refs(&mut tx, &refs).await?;
        let mut old_relations = state::relations_of(&mut tx, &ids).await?;
        drop(sp);
        // Entities whose unprocessed version a child upsert of this batch changed.
        let mut touched: HashSet<String> = HashSet::new();
        let mut relation_changes: Vec<(i64, Vec<&state::Relation>)> = Vec::new();
        let mut processed: Vec<(i64, String, String, String)> = Vec::new();
        let no_relations = HashSet::new();
        for (row, out) in rows.iter().zip(outputs.iter()) {
            // A newer unprocessed version arrived meanwhile: it is due again, skip.
            if touched.contains(&row.entity_ref) {
                let fresh = state::unprocessed_hashes(&mut tx, &[row.id]).await?;
                current.extend(fresh);
            }
            match current.get(&row.id) {
                Some(h) if *h == row.unprocessed_hash => {}
                _ => continue,
            }
            if !out.errors.is_empty() {
                let errors = serde_json::to_string(&out.errors).unwrap_or_default();
                sqlx::query("UPDATE catalog_refresh_state SET errors = $1 WHERE entity_id = $2")
                    .bind(&errors)
                    .bind(&row.entity_id)
                    .execute(&mut *tx)
                    .await?;
                if row.errors.as_deref() != Some(errors.as_str()) {
                    stitch_now.push(row.entity_ref.clone());
                }
                continue;
            }
            let children_json: Vec<(&Value, &Option<String>)> = out
                .children
                .iter()
                .map(|c| (&c.entity, &c.location_key))
                .collect();
            let entity_json = serde_json::to_string(&out.entity).unwrap_or_default();
            let rest = serde_json::to_string(&(&out.relations, &children_json, &out.read_errors))
                .unwrap_or_default();
            let result_hash = sha256_hex(format!("{entity_json}\u{0}{rest}").as_bytes());
            let clean = matches!(row.errors.as_deref(), None | Some("[]"));
            if row.result_hash.as_deref() == Some(result_hash.as_str())
                && clean
                && row.processed.is_some()
            {
                continue;
            }
            let mut errors: Vec<SerializedError> = out.read_errors.clone();
            if !out.children.is_empty() || with_children.contains(&row.entity_ref) {
                let mut items = Vec::new();
                for c in &out.children {
                    match incoming(c) {
                        Ok(i) => items.push(i),
                        Err(e) => errors.push(SerializedError {
                            name: "InputError".into(),
                            message: e,
                        }),
                    }
                }
                let results = state::upsert_unprocessed(&mut tx, &items, now).await?;
                let mut accepted = Vec::new();
                for (it, r) in items.iter().zip(results) {
                    match r {
                        None => accepted.push(it.entity_ref.clone()),
                        Some(c) => {
                            tracing::warn!(parent = %row.entity_ref, "{c}");
                            errors.push(SerializedError {
                                name: "ConflictError".into(),
                                message: c,
                            });
                        }
                    }
                }
                touched.extend(accepted.iter().cloned());
                if out.read_errors.is_empty() {
                    let removed =
                        state::replace_refs(&mut tx, Parent::Entity(&row.entity_ref), &accepted)
                            .await?;
                    later.extend(removed);
                } else {
                    let have =
                        state::existing_refs(&mut tx, Parent::Entity(&row.entity_ref), &accepted)
                            .await?;
                    let mut new: Vec<&String> =
                        accepted.iter().filter(|r| !have.contains(*r)).collect();
                    new.sort();
                    new.dedup();
                    state::add_refs(&mut tx, Parent::Entity(&row.entity_ref), &new).await?;
                }
            }
            let old = old_relations
                .remove(&row.id)
                .unwrap_or_else(|| no_relations.clone());
            let new: HashSet<&state::Relation> = out.relations.iter().collect();
            let same = old.len() == new.len() && new.iter().all(|r| old.contains(*r));
            if !same {
                let new_owned: HashSet<state::Relation> = out.relations.iter().cloned().collect();
                let affected = state::changed_relation_refs(&old, &new_owned);
                later.extend(affected.into_iter().filter(|r| *r != row.entity_ref));
                relation_changes.push((row.id, new.into_iter().collect()));
            }
            processed.push((
                row.id,
                entity_json,
                result_hash,
                serde_json::to_string(&errors).unwrap_or_default(),
            ));
            stitch_now.push(row.entity_ref.clone());
        }
        let sp = timing::span("w.relations");
        state::set_relations(&mut tx, &relation_changes).await?;
        drop(sp);
        let sp = timing::span("w.processed");
        state::set_processed(&mut tx, &processed).await?;
        drop(sp);
        let sp = timing::span("w.commit");
        tx.commit().await?;
        drop(sp);
        self.defer_stitch(later);
        Ok(stitch_now)
    }

    /// Delete an entity by uid (it comes back if a parent still emits it). Returns
    /// whether it existed.
    pub async fn delete_by_uid(&self, uid: &str) -> Result<bool, sqlx::Error> {
        let mut w = self.writer().await?;
        let mut tx = crate::store::begin_write(&mut w).await?;
        let row = sqlx::query("SELECT entity_ref FROM catalog_refresh_state WHERE entity_id = $1")
            .bind(uid)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let r: String = sqlx::Row::try_get(&row, 0)?;
        let affected = state::delete_entities(&mut tx, std::slice::from_ref(&r)).await?;
        tx.commit().await?;
        self.defer_stitch(affected);
        self.wake();
        Ok(true)
    }
}

/// Connects providers to an [`Engine`].
pub struct EngineSink(pub Arc<Engine>);

#[async_trait::async_trait]
impl MutationSink for EngineSink {
    async fn apply_mutation(
        &self,
        provider: &str,
        mutation: Mutation,
    ) -> Result<(), CatalogMutationError> {
        self.0.mutate(provider, mutation).await
    }

    async fn refresh(
        &self,
        _provider: &str,
        keys: Vec<String>,
    ) -> Result<(), CatalogMutationError> {
        let refs: Vec<String> = keys
            .iter()
            .filter_map(|k| EntityRef::parse(k, None, None).ok())
            .map(|r| r.to_string())
            .collect();
        self.0.schedule(&refs).await.map_err(db_err)?;
        Ok(())
    }
}
