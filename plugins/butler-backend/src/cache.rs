//! Watch-based caches of the Butler kinds the portal reads constantly: TenantCluster, Team,
//! User and IdentityProvider.
//!
//! Each cache runs a `kube::runtime::watcher` (list + watch, resumed and re-listed by the
//! runtime, with exponential back-off while the API server is unreachable) over untyped
//! [`DynamicObject`]s and converts every object on its own: a malformed object (one that does
//! not match the typed CRD) is skipped with a logged reason instead of failing the whole list,
//! so one bad resource never stops the watch. The caches run as the portal's own identity;
//! they feed the catalog and the identity integration, never user requests.

use futures_util::StreamExt;
use kube::api::{ApiResource, DynamicObject};
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use kube::{Api, Resource, ResourceExt};
use plugin_butler_common::{IdentityProvider, Team, TenantCluster, User};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// One kind's objects by `namespace/name` (cluster-scoped: `name`).
pub struct Cache<K> {
    items: RwLock<BTreeMap<String, Arc<K>>>,
    ready: AtomicBool,
    changes: watch::Sender<u64>,
}

impl<K> Cache<K> {
    fn new(changes: watch::Sender<u64>) -> Self {
        Self {
            items: RwLock::new(BTreeMap::new()),
            ready: AtomicBool::new(false),
            changes,
        }
    }

    /// Every object.
    pub fn all(&self) -> Vec<Arc<K>> {
        self.items
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// The object with key `namespace/name` (or `name`).
    pub fn get(&self, key: &str) -> Option<Arc<K>> {
        self.items
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    /// Whether the initial list completed.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    fn bump(&self) {
        self.changes.send_modify(|g| *g += 1);
    }
}

/// The key of an object: `namespace/name`, or `name` when cluster-scoped.
pub fn key_of(meta: &kube::api::ObjectMeta) -> String {
    match &meta.namespace {
        Some(ns) if !ns.is_empty() => format!("{ns}/{}", meta.name.as_deref().unwrap_or("")),
        _ => meta.name.clone().unwrap_or_default(),
    }
}

/// The four caches and their shared change counter.
pub struct Caches {
    /// TenantClusters (namespaced).
    pub clusters: Cache<TenantCluster>,
    /// Teams (cluster-scoped).
    pub teams: Cache<Team>,
    /// Users (cluster-scoped).
    pub users: Cache<User>,
    /// IdentityProviders (cluster-scoped).
    pub identity_providers: Cache<IdentityProvider>,
    changes: watch::Sender<u64>,
}

impl Caches {
    /// Empty caches (not ready).
    pub fn new() -> Arc<Self> {
        let (tx, _) = watch::channel(0u64);
        Arc::new(Self {
            clusters: Cache::new(tx.clone()),
            teams: Cache::new(tx.clone()),
            users: Cache::new(tx.clone()),
            identity_providers: Cache::new(tx.clone()),
            changes: tx,
        })
    }

    /// A receiver that sees a new value after every change to any cache.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Whether every cache completed its initial list.
    pub fn all_ready(&self) -> bool {
        self.clusters.is_ready()
            && self.teams.is_ready()
            && self.users.is_ready()
            && self.identity_providers.is_ready()
    }

    /// Start the four watches with `client` (stopped by `shutdown`).
    pub fn start(self: &Arc<Self>, client: kube::Client, shutdown: CancellationToken) {
        spawn_watch(self.clone(), client.clone(), shutdown.clone(), |c| {
            &c.clusters
        });
        spawn_watch(self.clone(), client.clone(), shutdown.clone(), |c| &c.teams);
        spawn_watch(self.clone(), client.clone(), shutdown.clone(), |c| &c.users);
        spawn_watch(self.clone(), client, shutdown, |c| &c.identity_providers);
    }

    /// The User whose email is `email` (case-insensitive).
    pub fn user_by_email(&self, email: &str) -> Option<Arc<User>> {
        self.users
            .all()
            .into_iter()
            .find(|u| u.spec.email.eq_ignore_ascii_case(email))
    }

    /// Teams `email` is a direct member of, with the role.
    pub fn teams_of(&self, email: &str) -> Vec<(String, plugin_butler_common::TeamRole)> {
        self.teams
            .all()
            .iter()
            .filter_map(|t| t.role_of(email).map(|r| (t.name_any(), r)))
            .collect()
    }
}

fn spawn_watch<K>(
    caches: Arc<Caches>,
    client: kube::Client,
    shutdown: CancellationToken,
    pick: fn(&Caches) -> &Cache<K>,
) where
    K: Resource<DynamicType = ()> + DeserializeOwned + Send + Sync + 'static,
{
    let ar = ApiResource::erase::<K>(&());
    let kind = ar.kind.clone();
    let api: Api<DynamicObject> = Api::all_with(client, &ar);
    tokio::spawn(async move {
        let stream = watcher::watcher(api, watcher::Config::default()).default_backoff();
        futures_util::pin_mut!(stream);
        let mut buffer: Option<BTreeMap<String, Arc<K>>> = None;
        let mut last_error: Option<String> = None;
        loop {
            let next = tokio::select! {
                _ = shutdown.cancelled() => break,
                n = stream.next() => n,
            };
            let Some(event) = next else { break };
            let cache = pick(&caches);
            match event {
                Ok(Event::Init) => buffer = Some(BTreeMap::new()),
                Ok(Event::InitApply(obj)) => {
                    if let Some((k, v)) = convert::<K>(&kind, obj) {
                        buffer
                            .get_or_insert_with(BTreeMap::new)
                            .insert(k, Arc::new(v));
                    }
                }
                Ok(Event::InitDone) => {
                    let items = buffer.take().unwrap_or_default();
                    tracing::debug!(kind = %kind, count = items.len(), "watch cache listed");
                    *cache.items.write().unwrap_or_else(|e| e.into_inner()) = items;
                    cache.ready.store(true, Ordering::SeqCst);
                    if last_error.take().is_some() {
                        tracing::info!(kind = %kind, "watch recovered");
                    }
                    cache.bump();
                }
                Ok(Event::Apply(obj)) => {
                    if let Some((k, v)) = convert::<K>(&kind, obj) {
                        cache
                            .items
                            .write()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(k, Arc::new(v));
                        cache.bump();
                    }
                }
                Ok(Event::Delete(obj)) => {
                    let k = key_of(&obj.metadata);
                    let removed = cache
                        .items
                        .write()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(&k);
                    if removed.is_some() {
                        cache.bump();
                    }
                }
                Err(e) => {
                    let msg = e.to_string();
                    if last_error.as_deref() != Some(msg.as_str()) {
                        tracing::warn!(kind = %kind, error = %msg, "watch failed; retrying with back-off");
                        last_error = Some(msg);
                    }
                }
            }
        }
    });
}

/// Convert an untyped object, or log why it is skipped.
fn convert<K: DeserializeOwned>(kind: &str, obj: DynamicObject) -> Option<(String, K)> {
    let key = key_of(&obj.metadata);
    let value = match serde_json::to_value(&obj) {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(kind, object = %key, error = %e, "skipping malformed object");
            return None;
        }
    };
    match serde_path_to_error::deserialize::<_, K>(value) {
        Ok(v) => Some((key, v)),
        Err(e) => {
            tracing::warn!(kind, object = %key, field = %e.path(), error = %e.inner(), "skipping malformed object");
            None
        }
    }
}
