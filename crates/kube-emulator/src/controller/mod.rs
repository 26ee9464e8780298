//! The simulated Butler controller: a task that reconciles the store every half `pace`, moving
//! objects one phase per `pace`:
//!
//! * TenantCluster: Pending → Provisioning (tenant namespace) → Installing (worker Nodes, not
//!   ready; platform addons installing) → Ready (nodes ready, addons healthy, endpoint, admin
//!   kubeconfig Secret); spec changes (workers, version) go through Updating; deletion through
//!   Deleting (finalizer `butler.butlerlabs.dev/tenantcluster`). `status.observedState.addons`
//!   lists platform addons and TenantAddons.
//! * TenantAddon / ManagementAddon: Pending → Installing → Installed; version or values changes →
//!   Upgrading → Installed (Helm revision + 1); deletion → Deleting / Uninstalling → gone.
//! * Workspace: Pending → Creating → Running (Pod `ws-<name>` and LoadBalancer Service in the
//!   cluster's tenant namespace, `sshEndpoint`); the `connect` annotation toggles `connected`;
//!   after `autoStopAfter` × `time_scale` disconnected it is Stopped; `connect: "true"` on a
//!   stopped workspace → Starting → Running; spec changes while Running → Starting → Running.
//! * Team: a namespace named after the team, status with member and cluster counts. User:
//!   Active/Disabled and team list. ProviderConfig: validated and ready.
//! * Pods (a tiny kubelet): Pending → Running with ready containers.
//!
//! Objects annotated `kube-emulator.butlerlabs.dev/paused: "true"` are left alone, so demo
//! data can stay in any phase.

mod addons;
pub mod cluster;
mod identity;
mod pods;
mod workspace;

use crate::error::ApiResult;
use crate::resources::ResourceType;
use crate::store::{now_rfc3339, Store, Subresource};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Annotation that makes the controller skip an object.
pub const ANNOTATION_PAUSED: &str = "kube-emulator.butlerlabs.dev/paused";
/// The Butler API group.
pub const GROUP: &str = "butler.butlerlabs.dev";

/// Controller settings.
#[derive(Debug, Clone)]
pub struct ControllerConfig {
    /// Time spent in each transitional phase.
    pub pace: Duration,
    /// Factor applied to durations from specs (`autoStopAfter`, `idleTimeout`): `1.0` is real
    /// time, `0.001` turns 8h into under 30 s.
    pub time_scale: f64,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        ControllerConfig {
            pace: Duration::from_secs(3),
            time_scale: 1.0 / 60.0,
        }
    }
}

/// The controller task.
pub struct Controller {
    store: Arc<Store>,
    cfg: ControllerConfig,
    /// Base URL of the emulator (written into generated kubeconfigs).
    url: String,
    /// Last phase transition per object key.
    last: Mutex<HashMap<String, Instant>>,
    /// Last reconciled `metadata.generation` per object key.
    generations: Mutex<HashMap<String, i64>>,
}

/// Key for the controller's per-object memory.
pub(crate) fn key(kind: &str, obj: &Value) -> String {
    format!(
        "{kind}/{}/{}",
        obj["metadata"]["namespace"].as_str().unwrap_or_default(),
        obj["metadata"]["name"].as_str().unwrap_or_default()
    )
}

pub(crate) fn name_of(obj: &Value) -> String {
    obj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub(crate) fn ns_of(obj: &Value) -> String {
    obj["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub(crate) fn paused(obj: &Value) -> bool {
    obj["metadata"]["annotations"][ANNOTATION_PAUSED].as_str() == Some("true")
}

pub(crate) fn deleting(obj: &Value) -> bool {
    obj["metadata"]["deletionTimestamp"].is_string()
}

pub(crate) fn has_finalizer(obj: &Value, f: &str) -> bool {
    obj["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x == f))
}

/// Parse Go-style durations (`8h`, `30m`, `4h30m`, `90s`, `720h`).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let mut total = 0f64;
    let mut num = String::new();
    let mut any = false;
    let mut chars = s.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let n: f64 = num.parse().ok()?;
        num.clear();
        let unit = if c == 'm' && chars.peek() == Some(&'s') {
            chars.next();
            0.001
        } else {
            match c {
                'h' => 3600.0,
                'm' => 60.0,
                's' => 1.0,
                _ => return None,
            }
        };
        total += n * unit;
        any = true;
    }
    if !num.is_empty() || !any {
        return None;
    }
    Some(Duration::from_secs_f64(total))
}

impl Controller {
    /// A controller over `store`; `url` is the emulator's base URL.
    pub fn new(store: Arc<Store>, cfg: ControllerConfig, url: String) -> Self {
        Controller {
            store,
            cfg,
            url,
            last: Mutex::default(),
            generations: Mutex::default(),
        }
    }

    /// Reconcile until cancelled.
    pub async fn run(self, cancel: CancellationToken) {
        let period = (self.cfg.pace / 2).max(Duration::from_millis(5));
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tick.tick() => self.reconcile_all(),
            }
        }
    }

    /// One pass over everything (also usable synchronously in tests).
    pub fn reconcile_all(&self) {
        self.reconcile_teams();
        self.reconcile_users();
        self.reconcile_providers();
        self.reconcile_clusters();
        self.reconcile_tenant_addons();
        self.reconcile_management_addons();
        self.reconcile_workspaces();
        self.reconcile_pods();
    }

    pub(crate) fn rt(&self, group: &str, kind: &str) -> Option<Arc<ResourceType>> {
        self.store.resolve_kind(group, kind)
    }

    /// Whether `pace` has passed since the object's last transition (first sight starts the clock).
    pub(crate) fn due(&self, key: &str) -> bool {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let t = last.entry(key.to_string()).or_insert_with(Instant::now);
        t.elapsed() >= self.cfg.pace
    }

    /// Record a transition now.
    pub(crate) fn mark(&self, key: &str) {
        self.last
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), Instant::now());
    }

    pub(crate) fn forget(&self, key: &str) {
        self.last
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
        self.generations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    /// The generation last reconciled (recorded on first sight).
    pub(crate) fn seen_generation(&self, key: &str, current: i64) -> i64 {
        *self
            .generations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key.to_string())
            .or_insert(current)
    }

    pub(crate) fn set_generation(&self, key: &str, g: i64) {
        self.generations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), g);
    }

    /// Scale a spec duration.
    pub(crate) fn scaled(&self, d: Duration) -> Duration {
        d.mul_f64(self.cfg.time_scale.max(0.0))
    }

    /// Merge `patch` into the object's status (no write when nothing changes).
    pub(crate) fn patch_status(
        &self,
        rt: &ResourceType,
        obj: &Value,
        patch: Value,
    ) -> ApiResult<Value> {
        let sub = if rt.status_subresource {
            Subresource::Status
        } else {
            Subresource::Main
        };
        self.store
            .modify(rt, &ns_of(obj), &name_of(obj), sub, false, |mut cur| {
                let mut st = cur.get("status").cloned().unwrap_or(json!({}));
                crate::patch::merge(&mut st, &patch);
                cur["status"] = st;
                cur["metadata"]
                    .as_object_mut()
                    .map(|m| m.remove("resourceVersion"));
                Ok(cur)
            })
    }

    /// Merge `patch` into the whole object through the main endpoint.
    pub(crate) fn patch_main(
        &self,
        rt: &ResourceType,
        obj: &Value,
        patch: Value,
    ) -> ApiResult<Value> {
        self.store.modify(
            rt,
            &ns_of(obj),
            &name_of(obj),
            Subresource::Main,
            false,
            |mut cur| {
                crate::patch::merge(&mut cur, &patch);
                cur["metadata"]
                    .as_object_mut()
                    .map(|m| m.remove("resourceVersion"));
                Ok(cur)
            },
        )
    }

    pub(crate) fn add_finalizer(&self, rt: &ResourceType, obj: &Value, f: &str) {
        if has_finalizer(obj, f) || deleting(obj) {
            return;
        }
        let mut fs = obj["metadata"]["finalizers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        fs.push(json!(f));
        let _ = self.patch_main(rt, obj, json!({"metadata": {"finalizers": fs}}));
    }

    pub(crate) fn remove_finalizer(&self, rt: &ResourceType, obj: &Value, f: &str) {
        let fs: Vec<Value> = obj["metadata"]["finalizers"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|x| x != f)
            .collect();
        let _ = self.patch_main(rt, obj, json!({"metadata": {"finalizers": fs}}));
    }

    /// Create an object if it does not exist (errors are ignored: the next pass retries).
    pub(crate) fn ensure(&self, group: &str, kind: &str, ns: &str, obj: Value) -> Option<Value> {
        let rt = self.rt(group, kind)?;
        let name = obj["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        match self.store.get(&rt, ns, &name) {
            Ok(v) => Some(v),
            Err(_) => self.store.create(&rt, ns, obj, false).ok(),
        }
    }

    /// Create or replace an object's content (keeping server metadata).
    pub(crate) fn upsert(&self, group: &str, kind: &str, ns: &str, obj: Value) {
        let Some(rt) = self.rt(group, kind) else {
            return;
        };
        let name = obj["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        match self.store.get(&rt, ns, &name) {
            Err(_) => {
                if let Ok(created) = self.store.create(&rt, ns, obj.clone(), false) {
                    if rt.status_subresource && obj.get("status").is_some() {
                        let _ = self.patch_status(&rt, &created, obj["status"].clone());
                    }
                }
            }
            Ok(cur) => {
                let mut patch = obj.clone();
                patch.as_object_mut().map(|o| o.remove("status"));
                let _ = self.patch_main(&rt, &cur, patch);
                if let Some(st) = obj.get("status") {
                    let _ = self.patch_status(&rt, &cur, st.clone());
                }
            }
        }
    }

    pub(crate) fn delete(&self, group: &str, kind: &str, ns: &str, name: &str) {
        if let Some(rt) = self.rt(group, kind) {
            let _ = self.store.delete(&rt, ns, name, None, false);
        }
    }

    /// Record a core/v1 Event about `obj`.
    pub(crate) fn event(&self, obj: &Value, type_: &str, reason: &str, message: &str) {
        let ns = {
            let n = ns_of(obj);
            if n.is_empty() {
                "default".to_string()
            } else {
                n
            }
        };
        let now = now_rfc3339();
        let name = format!("{}.{:x}", name_of(obj), rand_u64());
        let ev = json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": {
                "apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": obj["metadata"]["name"],
                "namespace": obj["metadata"]["namespace"], "uid": obj["metadata"]["uid"],
                "resourceVersion": obj["metadata"]["resourceVersion"]
            },
            "reason": reason, "message": message, "type": type_,
            "source": {"component": "butler-controller"},
            "reportingComponent": "butler-controller", "reportingInstance": "butler-controller-0",
            "firstTimestamp": now, "lastTimestamp": now, "count": 1
        });
        if let Some(rt) = self.rt("", "Event") {
            let _ = self.store.create(&rt, &ns, ev, false);
        }
    }
}

pub(crate) fn rand_u64() -> u64 {
    let u = uuid::Uuid::new_v4();
    u64::from_le_bytes(u.as_bytes()[..8].try_into().unwrap_or([0; 8]))
}

/// A small deterministic hash (FNV-1a) for stable fake IPs.
pub fn stable_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("8h"), Some(Duration::from_secs(8 * 3600)));
        assert_eq!(
            parse_duration("4h30m"),
            Some(Duration::from_secs(4 * 3600 + 1800))
        );
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("8"), None);
        assert_eq!(parse_duration("x"), None);
    }
}
