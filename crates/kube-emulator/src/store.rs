//! In-memory object storage with a global `resourceVersion` counter, optimistic concurrency,
//! finalizers, and a bounded event history that watches resume from.
//!
//! Every write goes through one mutex, so resource versions are strictly increasing and the event
//! stream is totally ordered. Objects are kept as JSON (`serde_json::Value`).

use crate::error::{qualified, ApiError, ApiResult};
use crate::resources::{GroupResource, Registry, ResourceType};
use crate::schema;
use crate::selectors::{FieldSelector, LabelSelector};
use base64::Engine;
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

/// Storage key of one object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjKey {
    /// API group.
    pub group: String,
    /// Plural resource name.
    pub plural: String,
    /// Namespace (`""` for cluster-scoped).
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjKey {
    /// Key of an object of `rt`.
    pub fn new(rt: &ResourceType, namespace: &str, name: &str) -> Self {
        ObjKey {
            group: rt.group.clone(),
            plural: rt.plural.clone(),
            namespace: if rt.namespaced {
                namespace.to_string()
            } else {
                String::new()
            },
            name: name.to_string(),
        }
    }
}

/// Watch event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Created (or synthetic initial state).
    Added,
    /// Changed.
    Modified,
    /// Removed.
    Deleted,
}

impl EventType {
    /// `ADDED`, `MODIFIED` or `DELETED`.
    pub fn as_str(&self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// A change to one object.
#[derive(Debug, Clone)]
pub struct WatchEvent {
    /// Resource version of the change.
    pub rv: u64,
    /// Event type.
    pub type_: EventType,
    /// Which resource.
    pub gr: GroupResource,
    /// Namespace (`""` for cluster-scoped).
    pub namespace: String,
    /// The object after the change (before it, for deletions).
    pub object: Value,
    /// The object before a modification.
    pub old: Option<Value>,
}

/// Which part of an object an update writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subresource {
    /// Everything except `status` (when the kind has a status subresource).
    Main,
    /// Only `status`.
    Status,
}

/// A page of a list.
#[derive(Debug, Clone)]
pub struct ListPage {
    /// Matching objects.
    pub items: Vec<Value>,
    /// The store's resource version when listed.
    pub resource_version: u64,
    /// Token for the next page.
    pub continue_token: Option<String>,
    /// Matching objects after this page.
    pub remaining: Option<u64>,
}

/// Where a watch starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchStart {
    /// Synthetic `ADDED` events for every current object, then live events.
    InitialState,
    /// Events after this resource version (410 Expired when it is older than the history).
    After(u64),
}

/// A started watch: the events to send first, then the live receiver.
pub struct WatchStream {
    /// Backlog (initial state or history replay).
    pub backlog: Vec<Arc<WatchEvent>>,
    /// Live events.
    pub live: broadcast::Receiver<Arc<WatchEvent>>,
    /// The store's resource version when the watch started.
    pub start_rv: u64,
}

struct Inner {
    rv: u64,
    objects: BTreeMap<ObjKey, Value>,
    history: VecDeque<Arc<WatchEvent>>,
    history_limit: usize,
    /// Highest resource version dropped from the history.
    compacted: u64,
    registry: Registry,
}

/// The object store.
pub struct Store {
    inner: Mutex<Inner>,
    events: broadcast::Sender<Arc<WatchEvent>>,
}

/// RFC 3339 time with seconds precision, as the API server writes timestamps.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let bytes = uuid::Uuid::new_v4();
    bytes.as_bytes()[..5]
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// The parts of an object that count as its "spec" for `generation` (everything but metadata and status).
fn spec_part(v: &Value) -> Value {
    let mut c = v.clone();
    if let Some(o) = c.as_object_mut() {
        o.remove("metadata");
        o.remove("status");
        o.remove("apiVersion");
        o.remove("kind");
    }
    c
}

/// Drop empty metadata collections, as Go's `omitempty` does on a real server.
fn normalize_meta(obj: &mut Value) {
    if let Some(m) = obj["metadata"].as_object_mut() {
        for f in ["labels", "annotations", "finalizers", "ownerReferences"] {
            let empty = match m.get(f) {
                Some(Value::Object(o)) => o.is_empty(),
                Some(Value::Array(a)) => a.is_empty(),
                Some(Value::Null) => true,
                _ => false,
            };
            if empty {
                m.remove(f);
            }
        }
    }
}

fn rv_of(v: &Value) -> Option<&str> {
    v["metadata"]["resourceVersion"]
        .as_str()
        .filter(|s| !s.is_empty())
}

impl Store {
    /// An empty store (built-in kinds only) keeping `history_limit` events for watch resumption.
    pub fn new(history_limit: usize) -> Arc<Self> {
        let (events, _) = broadcast::channel(16_384);
        Arc::new(Store {
            inner: Mutex::new(Inner {
                rv: 1,
                objects: BTreeMap::new(),
                history: VecDeque::new(),
                history_limit: history_limit.max(1),
                compacted: 0,
                registry: Registry::new(),
            }),
            events,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A snapshot of the registry.
    pub fn registry(&self) -> Registry {
        self.lock().registry.clone()
    }

    /// Resolve a resource type.
    pub fn resolve(&self, group: &str, version: &str, plural: &str) -> Option<Arc<ResourceType>> {
        self.lock().registry.get(group, version, plural)
    }

    /// Resolve by kind (any served version), e.g. for the controller and seed.
    pub fn resolve_kind(&self, group: &str, kind: &str) -> Option<Arc<ResourceType>> {
        self.lock()
            .registry
            .all()
            .find(|t| t.group == group && t.kind == kind)
            .cloned()
    }

    /// The current resource version.
    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    /// Subscribe to every future event (used by the controller).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<WatchEvent>> {
        self.events.subscribe()
    }

    fn emit(&self, inner: &mut Inner, ev: WatchEvent) {
        let ev = Arc::new(ev);
        inner.history.push_back(ev.clone());
        while inner.history.len() > inner.history_limit {
            if let Some(old) = inner.history.pop_front() {
                inner.compacted = old.rv;
            }
        }
        let _ = self.events.send(ev);
    }

    fn present(rt: &ResourceType, mut obj: Value) -> Value {
        obj["apiVersion"] = json!(rt.api_version());
        obj["kind"] = json!(rt.kind);
        obj
    }

    /// Get one object.
    pub fn get(&self, rt: &ResourceType, ns: &str, name: &str) -> ApiResult<Value> {
        let inner = self.lock();
        inner
            .objects
            .get(&ObjKey::new(rt, ns, name))
            .cloned()
            .map(|o| Self::present(rt, o))
            .ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))
    }

    /// List objects of `rt` (in `ns`, or all namespaces) matching the selectors, paginated.
    pub fn list(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        labels: &LabelSelector,
        fields: &FieldSelector,
        limit: Option<usize>,
        continue_token: Option<&str>,
    ) -> ApiResult<ListPage> {
        let inner = self.lock();
        let (start_after, token_rv) = match continue_token.filter(|t| !t.is_empty()) {
            Some(t) => decode_continue(t)?,
            None => (None, None),
        };
        let lo = ObjKey {
            group: rt.group.clone(),
            plural: rt.plural.clone(),
            namespace: ns.unwrap_or("").to_string(),
            name: String::new(),
        };
        let mut items = Vec::new();
        let mut remaining = 0u64;
        let mut last_key: Option<String> = None;
        let mut more = false;
        for (k, v) in inner.objects.range(lo..) {
            if k.group != rt.group || k.plural != rt.plural {
                break;
            }
            if let Some(n) = ns {
                if rt.namespaced && k.namespace != n {
                    break;
                }
            }
            let pos = format!("{}/{}", k.namespace, k.name);
            if let Some(s) = &start_after {
                if &pos <= s {
                    continue;
                }
            }
            if !labels.matches(v) || !fields.matches(v) {
                continue;
            }
            if limit.is_some_and(|l| items.len() >= l) {
                more = true;
                remaining += 1;
                continue;
            }
            last_key = Some(pos);
            items.push(Self::present(rt, v.clone()));
        }
        let rv = token_rv.unwrap_or(inner.rv);
        Ok(ListPage {
            items,
            resource_version: inner.rv,
            continue_token: if more {
                last_key.map(|k| encode_continue(&k, rv))
            } else {
                None
            },
            remaining: if more { Some(remaining) } else { None },
        })
    }

    /// Every object of a kind (any namespace), for the controller.
    pub fn all_of(&self, group: &str, plural: &str) -> Vec<Value> {
        let inner = self.lock();
        let lo = ObjKey {
            group: group.into(),
            plural: plural.into(),
            namespace: String::new(),
            name: String::new(),
        };
        inner
            .objects
            .range(lo..)
            .take_while(|(k, _)| k.group == group && k.plural == plural)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Number of stored objects.
    pub fn len(&self) -> usize {
        self.lock().objects.len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Create an object.
    pub fn create(
        &self,
        rt: &ResourceType,
        ns: &str,
        mut obj: Value,
        dry_run: bool,
    ) -> ApiResult<Value> {
        if !obj.is_object() {
            return Err(ApiError::bad_request(
                "the request body must be a JSON object",
            ));
        }
        check_type_meta(rt, &obj)?;
        obj["apiVersion"] = json!(rt.api_version());
        obj["kind"] = json!(rt.kind);
        if !obj["metadata"].is_object() {
            obj["metadata"] = json!({});
        }
        let mut inner = self.lock();
        let name = match obj["metadata"]["name"].as_str().filter(|s| !s.is_empty()) {
            Some(n) => n.to_string(),
            None => match obj["metadata"]["generateName"].as_str() {
                Some(prefix) => {
                    let mut n;
                    loop {
                        n = format!("{prefix}{}", random_suffix());
                        if !inner.objects.contains_key(&ObjKey::new(rt, ns, &n)) {
                            break;
                        }
                    }
                    n
                }
                None => {
                    return Err(ApiError::invalid(
                        &rt.kind,
                        &rt.group,
                        "",
                        vec![(
                            "metadata.name".into(),
                            "Required value: name or generateName is required".into(),
                        )],
                    ))
                }
            },
        };
        if !valid_name(&name) {
            return Err(ApiError::invalid(&rt.kind, &rt.group, &name, vec![(
                "metadata.name".into(),
                format!("Invalid value: {name:?}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"),
            )]));
        }
        obj["metadata"]["name"] = json!(name);
        if rt.namespaced {
            match obj["metadata"]["namespace"].as_str() {
                Some(n) if !n.is_empty() && n != ns => {
                    return Err(ApiError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ))
                }
                _ => obj["metadata"]["namespace"] = json!(ns),
            }
            let ns_key = ObjKey {
                group: String::new(),
                plural: "namespaces".into(),
                namespace: String::new(),
                name: ns.to_string(),
            };
            match inner.objects.get(&ns_key) {
                None => return Err(ApiError::not_found("", "namespaces", ns)),
                Some(n) if n["metadata"]["deletionTimestamp"].is_string() => {
                    return Err(ApiError::forbidden(format!(
                        "{} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                        qualified(&rt.group, &rt.plural)
                    )))
                }
                _ => {}
            }
        } else if let Some(m) = obj["metadata"].as_object_mut() {
            m.remove("namespace");
        }
        let key = ObjKey::new(rt, ns, &name);
        if inner.objects.contains_key(&key) {
            return Err(ApiError::already_exists(&rt.group, &rt.plural, &name));
        }
        if rt.custom && rt.status_subresource {
            if let Some(o) = obj.as_object_mut() {
                o.remove("status");
            }
        }
        if let Some(s) = &rt.schema {
            schema::admit(rt, s, &mut obj)?;
        }
        special_create(rt, &mut obj, &inner.registry)?;
        normalize_meta(&mut obj);
        let meta = obj["metadata"].as_object_mut().expect("metadata object");
        meta.remove("managedFields");
        meta.remove("deletionTimestamp");
        meta.remove("deletionGracePeriodSeconds");
        meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        meta.insert("creationTimestamp".into(), json!(now_rfc3339()));
        if rt.tracks_generation() {
            meta.insert("generation".into(), json!(1));
        } else {
            meta.remove("generation");
        }
        if dry_run {
            return Ok(obj);
        }
        inner.rv += 1;
        let rv = inner.rv;
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        if rt.group == "apiextensions.k8s.io" && rt.plural == "customresourcedefinitions" {
            inner.registry.register_crd(&obj);
        }
        inner.objects.insert(key, obj.clone());
        let ev = WatchEvent {
            rv,
            type_: EventType::Added,
            gr: rt.gr(),
            namespace: if rt.namespaced {
                ns.to_string()
            } else {
                String::new()
            },
            object: obj.clone(),
            old: None,
        };
        self.emit(&mut inner, ev);
        Ok(obj)
    }

    /// Replace an object (PUT), honouring `metadata.resourceVersion` as a precondition.
    pub fn update(
        &self,
        rt: &ResourceType,
        ns: &str,
        name: &str,
        obj: Value,
        sub: Subresource,
        dry_run: bool,
    ) -> ApiResult<Value> {
        let mut inner = self.lock();
        self.update_locked(&mut inner, rt, ns, name, obj, sub, dry_run)
    }

    /// Read-modify-write under the store lock: `f` gets the current object and returns the new
    /// one (used by PATCH and the controller). The new object's `resourceVersion` is checked.
    pub fn modify(
        &self,
        rt: &ResourceType,
        ns: &str,
        name: &str,
        sub: Subresource,
        dry_run: bool,
        f: impl FnOnce(Value) -> ApiResult<Value>,
    ) -> ApiResult<Value> {
        let mut inner = self.lock();
        let current = inner
            .objects
            .get(&ObjKey::new(rt, ns, name))
            .cloned()
            .ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))?;
        let new = f(Self::present(rt, current))?;
        self.update_locked(&mut inner, rt, ns, name, new, sub, dry_run)
    }

    #[allow(clippy::too_many_arguments)]
    fn update_locked(
        &self,
        inner: &mut Inner,
        rt: &ResourceType,
        ns: &str,
        name: &str,
        mut obj: Value,
        sub: Subresource,
        dry_run: bool,
    ) -> ApiResult<Value> {
        if !obj.is_object() {
            return Err(ApiError::bad_request(
                "the request body must be a JSON object",
            ));
        }
        check_type_meta(rt, &obj)?;
        let key = ObjKey::new(rt, ns, name);
        let old = inner
            .objects
            .get(&key)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))?;
        if let Some(n) = obj["metadata"]["name"].as_str() {
            if n != name {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({n}) does not match the name on the URL ({name})"
                )));
            }
        }
        if rt.namespaced {
            if let Some(n) = obj["metadata"]["namespace"].as_str() {
                if !n.is_empty() && n != ns {
                    return Err(ApiError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
            }
        }
        if let Some(want) = rv_of(&obj) {
            if Some(want) != rv_of(&old) {
                return Err(ApiError::conflict(&rt.group, &rt.plural, name));
            }
        }
        let mut new = match sub {
            Subresource::Status => {
                let mut n = old.clone();
                match obj.get("status") {
                    Some(s) => n["status"] = s.clone(),
                    None => {
                        n.as_object_mut().map(|o| o.remove("status"));
                    }
                }
                n
            }
            Subresource::Main => {
                if rt.status_subresource {
                    match old.get("status") {
                        Some(s) => obj["status"] = s.clone(),
                        None => {
                            obj.as_object_mut().map(|o| o.remove("status"));
                        }
                    }
                }
                obj
            }
        };
        new["apiVersion"] = json!(rt.api_version());
        new["kind"] = json!(rt.kind);
        if !new["metadata"].is_object() {
            new["metadata"] = json!({});
        }
        // Immutable and server-owned metadata.
        for f in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "name",
            "namespace",
        ] {
            match old["metadata"].get(f) {
                Some(v) => new["metadata"][f] = v.clone(),
                None => {
                    new["metadata"].as_object_mut().map(|m| m.remove(f));
                }
            }
        }
        new["metadata"]
            .as_object_mut()
            .map(|m| m.remove("managedFields"));
        // A finalizer may not be added once deletion started.
        if old["metadata"]["deletionTimestamp"].is_string() {
            let old_f = old["metadata"]["finalizers"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let new_f = new["metadata"]["finalizers"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if new_f.iter().any(|f| !old_f.contains(f)) {
                return Err(ApiError::forbidden(format!(
                    "{} \"{name}\" is forbidden: no new finalizers can be added if the object is being deleted",
                    qualified(&rt.group, &rt.plural)
                )));
            }
        }
        if let Some(s) = &rt.schema {
            schema::admit(rt, s, &mut new)?;
        }
        special_update(rt, &old, &mut new)?;
        normalize_meta(&mut new);
        if rt.tracks_generation() && spec_part(&new) != spec_part(&old) {
            let g = old["metadata"]["generation"].as_i64().unwrap_or(1);
            new["metadata"]["generation"] = json!(g + 1);
        }
        new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"].clone();
        let finalizers_done = new["metadata"]["deletionTimestamp"].is_string()
            && new["metadata"]["finalizers"]
                .as_array()
                .is_none_or(|a| a.is_empty());
        if new == old && !finalizers_done {
            return Ok(Self::present(rt, old));
        }
        if dry_run {
            return Ok(new);
        }
        inner.rv += 1;
        let rv = inner.rv;
        new["metadata"]["resourceVersion"] = json!(rv.to_string());
        let namespace = key.namespace.clone();
        if finalizers_done {
            inner.objects.remove(&key);
            self.after_delete(inner, rt, &new);
            let ev = WatchEvent {
                rv,
                type_: EventType::Deleted,
                gr: rt.gr(),
                namespace,
                object: new.clone(),
                old: Some(old),
            };
            self.emit(inner, ev);
            return Ok(new);
        }
        if rt.group == "apiextensions.k8s.io" && rt.plural == "customresourcedefinitions" {
            inner.registry.register_crd(&new);
        }
        inner.objects.insert(key, new.clone());
        let ev = WatchEvent {
            rv,
            type_: EventType::Modified,
            gr: rt.gr(),
            namespace,
            object: new.clone(),
            old: Some(old),
        };
        self.emit(inner, ev);
        Ok(new)
    }

    /// Delete an object. With finalizers it only gets a `deletionTimestamp`; the last finalizer's
    /// removal deletes it. `precondition_rv` must match when given (409 otherwise).
    pub fn delete(
        &self,
        rt: &ResourceType,
        ns: &str,
        name: &str,
        precondition_rv: Option<&str>,
        dry_run: bool,
    ) -> ApiResult<Value> {
        let mut inner = self.lock();
        self.delete_locked(&mut inner, rt, ns, name, precondition_rv, dry_run)
    }

    fn delete_locked(
        &self,
        inner: &mut Inner,
        rt: &ResourceType,
        ns: &str,
        name: &str,
        precondition_rv: Option<&str>,
        dry_run: bool,
    ) -> ApiResult<Value> {
        let key = ObjKey::new(rt, ns, name);
        let old = inner
            .objects
            .get(&key)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))?;
        if let Some(want) = precondition_rv.filter(|s| !s.is_empty()) {
            if Some(want) != rv_of(&old) {
                return Err(ApiError::conflict(&rt.group, &rt.plural, name));
            }
        }
        let has_finalizers = old["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|a| !a.is_empty());
        if dry_run {
            return Ok(Self::present(rt, old));
        }
        if has_finalizers {
            if old["metadata"]["deletionTimestamp"].is_string() {
                return Ok(Self::present(rt, old));
            }
            let mut new = old.clone();
            new["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
            new["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            if rt.plural == "namespaces" && rt.group.is_empty() {
                new["status"]["phase"] = json!("Terminating");
            }
            inner.rv += 1;
            let rv = inner.rv;
            new["metadata"]["resourceVersion"] = json!(rv.to_string());
            inner.objects.insert(key.clone(), new.clone());
            let ev = WatchEvent {
                rv,
                type_: EventType::Modified,
                gr: rt.gr(),
                namespace: key.namespace,
                object: new.clone(),
                old: Some(old),
            };
            self.emit(inner, ev);
            return Ok(Self::present(rt, new));
        }
        inner.objects.remove(&key);
        inner.rv += 1;
        let rv = inner.rv;
        let mut gone = old.clone();
        gone["metadata"]["resourceVersion"] = json!(rv.to_string());
        self.after_delete(inner, rt, &gone);
        let ev = WatchEvent {
            rv,
            type_: EventType::Deleted,
            gr: rt.gr(),
            namespace: key.namespace,
            object: gone.clone(),
            old: None,
        };
        self.emit(inner, ev);
        Ok(Self::present(rt, gone))
    }

    /// Cascade: a namespace takes its contents along; a CRD takes its custom resources.
    fn after_delete(&self, inner: &mut Inner, rt: &ResourceType, obj: &Value) {
        let name = obj["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let victims: Vec<ObjKey> = if rt.group.is_empty() && rt.plural == "namespaces" {
            inner
                .objects
                .keys()
                .filter(|k| k.namespace == name)
                .cloned()
                .collect()
        } else if rt.group == "apiextensions.k8s.io" && rt.plural == "customresourcedefinitions" {
            let group = obj["spec"]["group"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let plural = obj["spec"]["names"]["plural"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            inner.registry.unregister_crd(&name);
            inner
                .objects
                .keys()
                .filter(|k| k.group == group && k.plural == plural)
                .cloned()
                .collect()
        } else {
            vec![]
        };
        for k in victims {
            if let Some(mut v) = inner.objects.remove(&k) {
                inner.rv += 1;
                let rv = inner.rv;
                v["metadata"]["resourceVersion"] = json!(rv.to_string());
                let ev = WatchEvent {
                    rv,
                    type_: EventType::Deleted,
                    gr: GroupResource {
                        group: k.group.clone(),
                        plural: k.plural.clone(),
                    },
                    namespace: k.namespace.clone(),
                    object: v,
                    old: None,
                };
                self.emit(inner, ev);
            }
        }
    }

    /// Delete every matching object; returns the deleted (or finalizing) objects.
    pub fn delete_collection(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        labels: &LabelSelector,
        fields: &FieldSelector,
        dry_run: bool,
    ) -> ApiResult<Vec<Value>> {
        let page = self.list(rt, ns, labels, fields, None, None)?;
        let mut inner = self.lock();
        let mut out = Vec::new();
        for item in page.items {
            let n = item["metadata"]["name"].as_str().unwrap_or_default();
            let i_ns = item["metadata"]["namespace"].as_str().unwrap_or_default();
            if let Ok(v) = self.delete_locked(&mut inner, rt, i_ns, n, None, dry_run) {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// Start a watch on `rt` (optionally one namespace).
    pub fn watch(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        start: WatchStart,
    ) -> ApiResult<WatchStream> {
        let inner = self.lock();
        let live = self.events.subscribe();
        let in_scope = |k_ns: &str| ns.is_none_or(|n| !rt.namespaced || k_ns == n);
        let backlog = match start {
            WatchStart::InitialState => {
                let lo = ObjKey {
                    group: rt.group.clone(),
                    plural: rt.plural.clone(),
                    namespace: String::new(),
                    name: String::new(),
                };
                inner
                    .objects
                    .range(lo..)
                    .take_while(|(k, _)| k.group == rt.group && k.plural == rt.plural)
                    .filter(|(k, _)| in_scope(&k.namespace))
                    .map(|(k, v)| {
                        Arc::new(WatchEvent {
                            rv: v["metadata"]["resourceVersion"]
                                .as_str()
                                .and_then(|s| s.parse().ok())
                                .unwrap_or(0),
                            type_: EventType::Added,
                            gr: rt.gr(),
                            namespace: k.namespace.clone(),
                            object: v.clone(),
                            old: None,
                        })
                    })
                    .collect()
            }
            WatchStart::After(rv) => {
                if rv < inner.compacted {
                    return Err(ApiError::expired(format!(
                        "too old resource version: {rv} ({})",
                        inner.compacted + 1
                    )));
                }
                inner
                    .history
                    .iter()
                    .filter(|e| {
                        e.rv > rv
                            && e.gr.group == rt.group
                            && e.gr.plural == rt.plural
                            && in_scope(&e.namespace)
                    })
                    .cloned()
                    .collect()
            }
        };
        Ok(WatchStream {
            backlog,
            live,
            start_rv: inner.rv,
        })
    }
}

fn check_type_meta(rt: &ResourceType, obj: &Value) -> ApiResult<()> {
    if let Some(av) = obj["apiVersion"].as_str() {
        if av != rt.api_version() && !(rt.custom && av.split('/').next() == Some(rt.group.as_str()))
        {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({av}) does not match the expected API version ({})",
                rt.api_version()
            )));
        }
    }
    if let Some(k) = obj["kind"].as_str() {
        if k != rt.kind {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({k}) does not match the expected kind ({})",
                rt.kind
            )));
        }
    }
    Ok(())
}

/// Kind-specific defaults and checks on create.
fn special_create(rt: &ResourceType, obj: &mut Value, registry: &Registry) -> ApiResult<()> {
    match (rt.group.as_str(), rt.plural.as_str()) {
        ("", "namespaces") => {
            if obj["status"]["phase"].is_null() {
                obj["status"] = json!({"phase": "Active"});
            }
            let name = obj["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = json!(name);
        }
        ("", "secrets") if obj["type"].is_null() => {
            obj["type"] = json!("Opaque");
        }
        ("", "pods") if obj["status"]["phase"].is_null() => {
            obj["status"]["phase"] = json!("Pending");
        }
        ("apiextensions.k8s.io", "customresourcedefinitions") => {
            validate_crd(rt, obj, registry)?;
            set_crd_status(obj);
        }
        _ => {}
    }
    Ok(())
}

fn special_update(rt: &ResourceType, old: &Value, new: &mut Value) -> ApiResult<()> {
    if rt.group == "apiextensions.k8s.io" && rt.plural == "customresourcedefinitions" {
        let name = new["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        for f in ["group", "scope"] {
            if new["spec"][f] != old["spec"][f] {
                return Err(ApiError::invalid(
                    &rt.kind,
                    &rt.group,
                    &name,
                    vec![(
                        format!("spec.{f}"),
                        "Invalid value: field is immutable".into(),
                    )],
                ));
            }
        }
        if new["spec"]["names"]["plural"] != old["spec"]["names"]["plural"] {
            return Err(ApiError::invalid(
                &rt.kind,
                &rt.group,
                &name,
                vec![(
                    "spec.names.plural".into(),
                    "Invalid value: field is immutable".into(),
                )],
            ));
        }
        set_crd_status(new);
    }
    if rt.group.is_empty() && rt.plural == "namespaces" && new["status"]["phase"].is_null() {
        new["status"]["phase"] = old["status"]["phase"].clone();
    }
    Ok(())
}

fn validate_crd(rt: &ResourceType, obj: &Value, registry: &Registry) -> ApiResult<()> {
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let spec = &obj["spec"];
    let group = spec["group"].as_str().unwrap_or_default();
    let plural = spec["names"]["plural"].as_str().unwrap_or_default();
    let mut causes = Vec::new();
    if group.is_empty() || !group.contains('.') {
        causes.push((
            "spec.group".into(),
            format!("Invalid value: {group:?}: should be a domain with at least one dot"),
        ));
    }
    if plural.is_empty() {
        causes.push(("spec.names.plural".into(), "Required value".into()));
    }
    if spec["names"]["kind"]
        .as_str()
        .unwrap_or_default()
        .is_empty()
    {
        causes.push(("spec.names.kind".into(), "Required value".into()));
    }
    if !matches!(spec["scope"].as_str(), Some("Namespaced") | Some("Cluster")) {
        causes.push((
            "spec.scope".into(),
            "Unsupported value: must be Namespaced or Cluster".into(),
        ));
    }
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    if versions
        .iter()
        .filter(|v| v["storage"].as_bool() == Some(true))
        .count()
        != 1
    {
        causes.push((
            "spec.versions".into(),
            "Invalid value: must have exactly one version marked as storage version".into(),
        ));
    }
    if !plural.is_empty() && name != format!("{plural}.{group}") {
        causes.push((
            "metadata.name".into(),
            format!("Invalid value: {name:?}: must be spec.names.plural+\".\"+spec.group"),
        ));
    }
    if registry
        .all()
        .any(|t| !t.custom && t.group == group && t.plural == plural)
    {
        causes.push((
            "spec.names.plural".into(),
            "Invalid value: conflicts with a built-in resource".into(),
        ));
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(&rt.kind, &rt.group, name, causes))
    }
}

fn set_crd_status(obj: &mut Value) {
    let now = now_rfc3339();
    let storage: Vec<Value> = obj["spec"]["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["storage"].as_bool() == Some(true))
        .map(|v| v["name"].clone())
        .collect();
    let mut names = obj["spec"]["names"].clone();
    if names["singular"].is_null() {
        names["singular"] = json!(names["kind"].as_str().unwrap_or_default().to_lowercase());
    }
    if names["listKind"].is_null() {
        names["listKind"] = json!(format!(
            "{}List",
            names["kind"].as_str().unwrap_or_default()
        ));
    }
    obj["status"] = json!({
        "acceptedNames": names,
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": now},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": now}
        ],
        "storedVersions": storage,
    });
}

fn encode_continue(after: &str, rv: u64) -> String {
    let raw = json!({"start": after, "rv": rv}).to_string();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn decode_continue(token: &str) -> ApiResult<(Option<String>, Option<u64>)> {
    let bad = || {
        ApiError::bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
    };
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&raw).map_err(|_| bad())?;
    Ok((v["start"].as_str().map(String::from), v["rv"].as_u64()))
}
