//! Watch streams: newline-delimited JSON `{"type": …, "object": …}` events with selector
//! filtering (objects moving in or out of a selector become ADDED / DELETED, as on a real
//! server), periodic BOOKMARKs, the `k8s.io/initial-events-end` bookmark for streaming lists,
//! `timeoutSeconds`, and an in-stream `ERROR` with a 410 Expired Status when a watcher falls
//! too far behind.

use crate::error::ApiError;
use crate::resources::ResourceType;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::store::{EventType, WatchEvent, WatchStream};
use crate::table::{self, IncludeObject};
use axum::body::{Body, Bytes};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

/// Options of one watch request.
#[derive(Debug, Clone)]
pub struct WatchParams {
    /// Label selector.
    pub labels: LabelSelector,
    /// Field selector.
    pub fields: FieldSelector,
    /// Namespace filter (`None`: all namespaces).
    pub namespace: Option<String>,
    /// `allowWatchBookmarks`.
    pub bookmarks: bool,
    /// Send the `initial-events-end` bookmark after the initial state (`sendInitialEvents=true`).
    pub initial_events_end: bool,
    /// `timeoutSeconds` (or the server default).
    pub timeout: Duration,
    /// Interval between bookmarks.
    pub bookmark_interval: Duration,
    /// Render objects as one-row Tables (kubectl `get -w`).
    pub table: Option<IncludeObject>,
}

fn present(rt: &ResourceType, mut obj: Value) -> Value {
    obj["apiVersion"] = json!(rt.api_version());
    obj["kind"] = json!(rt.kind);
    obj
}

/// The (type, object) to send for an event, or `None` when it is filtered out.
fn translate(rt: &ResourceType, p: &WatchParams, ev: &WatchEvent) -> Option<(&'static str, Value)> {
    if ev.gr.group != rt.group || ev.gr.plural != rt.plural {
        return None;
    }
    if let Some(ns) = &p.namespace {
        if rt.namespaced && &ev.namespace != ns {
            return None;
        }
    }
    let matches = |o: &Value| p.labels.matches(o) && p.fields.matches(o);
    let now = matches(&ev.object);
    let t = match ev.type_ {
        EventType::Added => now.then_some("ADDED"),
        EventType::Deleted => now.then_some("DELETED"),
        EventType::Modified => {
            let before = ev.old.as_ref().is_some_and(matches);
            match (before, now) {
                (true, true) => Some("MODIFIED"),
                (false, true) => Some("ADDED"),
                (true, false) => Some("DELETED"),
                (false, false) => None,
            }
        }
    }?;
    Some((t, present(rt, ev.object.clone())))
}

fn line(v: &Value) -> Bytes {
    let mut b = serde_json::to_vec(v).unwrap_or_default();
    b.push(b'\n');
    Bytes::from(b)
}

fn event_line(rt: &ResourceType, p: &WatchParams, t: &str, obj: Value) -> Bytes {
    let obj = match p.table {
        Some(inc) => {
            let rv = obj["metadata"]["resourceVersion"].clone();
            table::table(rt, &[obj], inc, json!({"resourceVersion": rv}))
        }
        None => obj,
    };
    line(&json!({"type": t, "object": obj}))
}

fn bookmark(rt: &ResourceType, rv: u64, initial_end: bool) -> Bytes {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    line(
        &json!({"type": "BOOKMARK", "object": {"kind": rt.kind, "apiVersion": rt.api_version(), "metadata": meta}}),
    )
}

/// The response body of a watch.
pub fn body(
    rt: Arc<ResourceType>,
    ws: WatchStream,
    p: WatchParams,
    cancel: CancellationToken,
) -> Body {
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    tokio::spawn(run(rt, ws, p, tx, cancel));
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::convert::Infallible>(b), rx))
    });
    Body::from_stream(stream)
}

async fn run(
    rt: Arc<ResourceType>,
    ws: WatchStream,
    p: WatchParams,
    tx: mpsc::Sender<Bytes>,
    cancel: CancellationToken,
) {
    let WatchStream {
        backlog,
        mut live,
        start_rv,
    } = ws;
    let mut last_rv = start_rv;
    for ev in &backlog {
        if let Some((t, obj)) = translate(&rt, &p, ev) {
            if tx.send(event_line(&rt, &p, t, obj)).await.is_err() {
                return;
            }
        }
    }
    if p.initial_events_end && tx.send(bookmark(&rt, start_rv, true)).await.is_err() {
        return;
    }
    let deadline = tokio::time::sleep(p.timeout);
    tokio::pin!(deadline);
    let mut tick = tokio::time::interval(p.bookmark_interval);
    tick.tick().await;
    loop {
        tokio::select! {
            _ = &mut deadline => break,
            _ = cancel.cancelled() => break,
            _ = tx.closed() => break,
            _ = tick.tick(), if p.bookmarks => {
                if tx.send(bookmark(&rt, last_rv, false)).await.is_err() { break; }
            }
            r = live.recv() => match r {
                Ok(ev) => {
                    last_rv = last_rv.max(ev.rv);
                    if let Some((t, obj)) = translate(&rt, &p, &ev) {
                        if tx.send(event_line(&rt, &p, t, obj)).await.is_err() { break; }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let st = ApiError::expired("the watcher fell too far behind; re-list and watch again").to_status();
                    let _ = tx.send(line(&json!({"type": "ERROR", "object": st}))).await;
                    break;
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    }
}

/// A watch response that is just an in-stream error (e.g. 410 for a too-old resourceVersion).
pub fn error_body(err: &ApiError) -> Body {
    Body::from(line(&json!({"type": "ERROR", "object": err.to_status()})))
}
