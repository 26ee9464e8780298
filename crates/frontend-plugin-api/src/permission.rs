//! Permission checks for the UI: [`use_permission`] asks `POST /api/permission/authorize`
//! whether the signed-in user may do something, so plugins can hide or disable actions.
//!
//! Checks are batched and cached: every query made while rendering one tick is sent in
//! one request (at most [`MAX_BATCH`] items each), answers are cached per bearer token
//! (a new sign-in starts with an empty cache), and a query already in flight is not sent
//! again. The batching bookkeeping ([`PermissionBatcher`]) is plain Rust and unit tested
//! natively; the server always enforces permissions on its own.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{use_api, ApiClient};

/// Most items sent in one authorize request (the server accepts 500).
pub const MAX_BATCH: usize = 100;

/// One question: may the user perform `action` (`read`, `create`, `update`, `delete`) of
/// permission `name` (e.g. `catalog.entity.delete`), optionally on `resource_ref`?
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PermissionQuery {
    /// Dotted permission name.
    pub name: String,
    /// Action attribute.
    pub action: String,
    /// Resource (entity ref) for resource permissions.
    pub resource_ref: Option<String>,
}

impl PermissionQuery {
    /// A query.
    pub fn new(
        name: impl Into<String>,
        action: impl Into<String>,
        resource_ref: Option<String>,
    ) -> Self {
        Self {
            name: name.into(),
            action: action.into(),
            resource_ref,
        }
    }

    /// The request item for this query with id `id`.
    pub fn to_item(&self, id: &str) -> Value {
        let mut item = json!({
            "id": id,
            "permission": {
                "type": if self.resource_ref.is_some() { "resource" } else { "basic" },
                "name": self.name,
                "attributes": {"action": self.action},
            },
        });
        if let Some(r) = &self.resource_ref {
            item["resourceRef"] = Value::String(r.clone());
        }
        item
    }
}

/// What [`PermissionBatcher::request`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// The answer is cached.
    Cached(bool),
    /// Newly queued; `schedule` is true when no flush is pending yet (start one).
    Queued {
        /// Whether the caller must schedule a flush.
        schedule: bool,
    },
    /// Already queued or in flight.
    Waiting,
}

/// The pure bookkeeping behind [`use_permission`]: cache, queue and in-flight set, for
/// one bearer token.
#[derive(Debug, Default)]
pub struct PermissionBatcher {
    token: Option<String>,
    cache: HashMap<PermissionQuery, bool>,
    queued: Vec<PermissionQuery>,
    in_flight: HashSet<PermissionQuery>,
}

#[derive(Deserialize)]
struct AuthorizeResponse {
    items: Vec<AuthorizeResult>,
}

#[derive(Deserialize)]
struct AuthorizeResult {
    id: String,
    result: String,
}

impl PermissionBatcher {
    /// Forget everything when the token differs from the one the cache was built for.
    /// Returns whether the cache was cleared.
    pub fn set_token(&mut self, token: Option<String>) -> bool {
        if self.token == token {
            return false;
        }
        *self = Self {
            token,
            ..Self::default()
        };
        true
    }

    /// Look `q` up, queueing it when unknown.
    pub fn request(&mut self, q: &PermissionQuery) -> Lookup {
        if let Some(v) = self.cache.get(q) {
            return Lookup::Cached(*v);
        }
        if self.in_flight.contains(q) || self.queued.contains(q) {
            return Lookup::Waiting;
        }
        let schedule = self.queued.is_empty();
        self.queued.push(q.clone());
        Lookup::Queued { schedule }
    }

    /// Take the queued queries (marking them in flight), in chunks of at most
    /// [`MAX_BATCH`].
    pub fn take_batches(&mut self) -> Vec<Vec<PermissionQuery>> {
        let queued = std::mem::take(&mut self.queued);
        self.in_flight.extend(queued.iter().cloned());
        queued.chunks(MAX_BATCH).map(<[_]>::to_vec).collect()
    }

    /// The request body for `batch` (item ids are the positions).
    pub fn request_body(batch: &[PermissionQuery]) -> Value {
        let items: Vec<Value> = batch
            .iter()
            .enumerate()
            .map(|(i, q)| q.to_item(&i.to_string()))
            .collect();
        json!({ "items": items })
    }

    /// Record the response to `batch`, sent with `token`: `ALLOW` and `CONDITIONAL` (the
    /// action is allowed for some resources; only possible without a resource ref) count
    /// as allowed, anything else as denied. Returns the answers; a response for another
    /// token (the user changed meanwhile) is returned but not cached.
    pub fn complete(
        &mut self,
        token: &Option<String>,
        batch: &[PermissionQuery],
        response: &Value,
    ) -> Vec<(PermissionQuery, bool)> {
        for q in batch {
            self.in_flight.remove(q);
        }
        let Ok(resp) = AuthorizeResponse::deserialize(response) else {
            return Vec::new();
        };
        let answers: Vec<(PermissionQuery, bool)> = resp
            .items
            .iter()
            .filter_map(|item| {
                let q = batch.get(item.id.parse::<usize>().ok()?)?;
                Some((
                    q.clone(),
                    matches!(item.result.as_str(), "ALLOW" | "CONDITIONAL"),
                ))
            })
            .collect();
        if *token == self.token {
            self.cache.extend(answers.iter().cloned());
        }
        answers
    }

    /// A request for `batch` failed: forget that it is in flight (a later check retries).
    pub fn fail(&mut self, batch: &[PermissionQuery]) {
        for q in batch {
            self.in_flight.remove(q);
        }
    }
}

struct State {
    batcher: PermissionBatcher,
    results: ArcRwSignal<HashMap<PermissionQuery, bool>>,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let state = s.get_or_insert_with(|| State {
            batcher: PermissionBatcher::default(),
            results: ArcRwSignal::new(HashMap::new()),
        });
        f(state)
    })
}

/// Whether the signed-in user may perform `action` of permission `name` (on
/// `resource_ref` when given): `None` while the answer is loading or when the check
/// failed, then `Some(allowed)`. Checks made in the same tick share one request.
///
/// ```ignore
/// let can_delete = use_permission("catalog.entity.delete", "delete", Some(entity_ref));
/// view! { <button disabled=move || can_delete.get() != Some(true)>"Delete"</button> }
/// ```
pub fn use_permission(
    name: impl Into<String>,
    action: impl Into<String>,
    resource_ref: Option<String>,
) -> Signal<Option<bool>> {
    let query = PermissionQuery::new(name, action, resource_ref);
    let api = use_api();
    let (results, lookup) = with_state(|s| {
        if s.batcher.set_token(api.token()) {
            s.results.set(HashMap::new());
        }
        (s.results.clone(), s.batcher.request(&query))
    });
    if let Lookup::Queued { schedule: true } = lookup {
        leptos::task::spawn_local(flush(api));
    }
    Signal::derive(move || results.with(|r| r.get(&query).copied()))
}

/// Forget every cached answer (e.g. after the user's roles changed).
pub fn clear_permission_cache() {
    with_state(|s| {
        let token = s.batcher.token.clone();
        s.batcher = PermissionBatcher::default();
        s.batcher.token = token;
        s.results.set(HashMap::new());
    });
}

async fn flush(api: ApiClient) {
    let (token, batches) = with_state(|s| (s.batcher.token.clone(), s.batcher.take_batches()));
    for batch in batches {
        let body = PermissionBatcher::request_body(&batch);
        let resp: Result<Value, _> = api.post_json("/api/permission/authorize", &body).await;
        with_state(|s| match resp {
            Ok(v) => {
                let answers = s.batcher.complete(&token, &batch, &v);
                if token == s.batcher.token {
                    s.results.update(|r| r.extend(answers));
                }
            }
            Err(e) => {
                leptos::logging::warn!("permission check failed: {e}");
                s.batcher.fail(&batch);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(name: &str, r: Option<&str>) -> PermissionQuery {
        PermissionQuery::new(name, "delete", r.map(str::to_string))
    }

    #[test]
    fn should_build_basic_and_resource_items() {
        let basic = q("catalog.location.create", None).to_item("0");
        assert_eq!(basic["permission"]["type"], "basic");
        assert_eq!(basic["permission"]["attributes"]["action"], "delete");
        assert!(basic.get("resourceRef").is_none());
        let res = q("catalog.entity.delete", Some("component:default/x")).to_item("1");
        assert_eq!(res["id"], "1");
        assert_eq!(res["permission"]["type"], "resource");
        assert_eq!(res["resourceRef"], "component:default/x");
    }

    #[test]
    fn should_batch_concurrent_queries_into_one_request() {
        let mut b = PermissionBatcher::default();
        b.set_token(Some("t".into()));
        let (a, c) = (q("a", None), q("c", Some("component:default/x")));
        assert_eq!(b.request(&a), Lookup::Queued { schedule: true });
        assert_eq!(b.request(&c), Lookup::Queued { schedule: false });
        assert_eq!(b.request(&a), Lookup::Waiting);
        let batches = b.take_batches();
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0], vec![a.clone(), c.clone()]);
        // in flight: not queued again
        assert_eq!(b.request(&a), Lookup::Waiting);
        assert!(b.take_batches().is_empty());
        let body = PermissionBatcher::request_body(&batches[0]);
        assert_eq!(body["items"].as_array().map(Vec::len), Some(2));
        let resp =
            json!({"items": [{"id": "1", "result": "DENY"}, {"id": "0", "result": "ALLOW"}]});
        let answers = b.complete(&Some("t".into()), &batches[0], &resp);
        assert_eq!(answers, vec![(c.clone(), false), (a.clone(), true)]);
        assert_eq!(b.request(&a), Lookup::Cached(true));
        assert_eq!(b.request(&c), Lookup::Cached(false));
    }

    #[test]
    fn should_chunk_large_batches() {
        let mut b = PermissionBatcher::default();
        for i in 0..(MAX_BATCH + 5) {
            b.request(&q(&format!("p{i}"), None));
        }
        let batches = b.take_batches();
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![MAX_BATCH, 5]
        );
    }

    #[test]
    fn should_treat_conditional_as_allowed_and_ignore_garbage() {
        let mut b = PermissionBatcher::default();
        let a = q("a", None);
        b.request(&a);
        let batch = b.take_batches().remove(0);
        let resp = json!({"items": [{"id": "0", "result": "CONDITIONAL"}, {"id": "9", "result": "ALLOW"}]});
        assert_eq!(b.complete(&None, &batch, &resp), vec![(a.clone(), true)]);
        let mut b = PermissionBatcher::default();
        b.request(&a);
        let batch = b.take_batches().remove(0);
        assert!(b.complete(&None, &batch, &json!({"nope": 1})).is_empty());
        assert_eq!(b.request(&a), Lookup::Queued { schedule: true });
    }

    #[test]
    fn should_retry_after_failure_and_reset_on_token_change() {
        let mut b = PermissionBatcher::default();
        let a = q("a", None);
        b.request(&a);
        let batch = b.take_batches().remove(0);
        b.fail(&batch);
        assert_eq!(b.request(&a), Lookup::Queued { schedule: true });
        let batch = b.take_batches().remove(0);
        b.complete(
            &None,
            &batch,
            &json!({"items": [{"id": "0", "result": "ALLOW"}]}),
        );
        assert_eq!(b.request(&a), Lookup::Cached(true));
        assert!(!b.set_token(None));
        assert!(b.set_token(Some("other".into())));
        assert_eq!(b.request(&a), Lookup::Queued { schedule: true });
        // a late answer for the previous token is not cached
        let batch = b.take_batches().remove(0);
        b.complete(
            &None,
            &batch,
            &json!({"items": [{"id": "0", "result": "ALLOW"}]}),
        );
        assert_eq!(b.request(&a), Lookup::Queued { schedule: true });
    }
}
