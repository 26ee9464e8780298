//! Scaffolder benchmark: the real catalog and scaffolder on a fresh database, served on
//! loopback HTTP, driven through the REST API like a client would. Prints ONE JSON object:
//!
//! * `create_to_first_event_ms`: `POST /v2/tasks` sent → first SSE event received
//!   (`/v2/tasks/:id/eventstream` opened as soon as the id is known);
//! * `ten_step_debug_log_ms`: a 10-step `debug:log` template, POST → `completion` event;
//! * `events_per_s`: a task logging 2000 lines (`each:`), live through SSE, and the same
//!   stream replayed after completion.
//!
//! ```text
//! cargo run --release -p plugin-scaffolder-backend --example scaffolder_bench -- [--engine sqlite|postgres] [--runs 20]
//! ```
//! `--nagle` serves without `TCP_NODELAY` (as the host does today) to show the difference.
//! PostgreSQL uses `TEST_DATABASE_URL` (a fresh database is created on that server).
//! It never fails on timing.

use plugin_catalog_backend::CatalogBackendPlugin;
use plugin_scaffolder_backend::ScaffolderBackendPlugin;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use test_utils::{test_token, TestBackend, TestDb};

const TEMPLATES: &str = r#"
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: one}
spec:
  type: bench
  steps:
    - {id: log, action: debug:log, input: {message: hello}}
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: ten}
spec:
  type: bench
  steps:
    - {id: s1, action: debug:log, input: {message: 'step 1'}}
    - {id: s2, action: debug:log, input: {message: 'step 2'}}
    - {id: s3, action: debug:log, input: {message: 'step 3'}}
    - {id: s4, action: debug:log, input: {message: 'step 4'}}
    - {id: s5, action: debug:log, input: {message: 'step 5'}}
    - {id: s6, action: debug:log, input: {message: 'step 6'}}
    - {id: s7, action: debug:log, input: {message: 'step 7'}}
    - {id: s8, action: debug:log, input: {message: 'step 8'}}
    - {id: s9, action: debug:log, input: {message: 'step 9'}}
    - {id: s10, action: debug:log, input: {message: 'step 10'}}
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: chatty}
spec:
  type: bench
  steps:
    - {id: many, action: debug:log, each: '${{ range(1000) | list }}', input: {message: 'line ${{ each.value }}'}}
"#;

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn create(&self, template: &str) -> String {
        let r = self
            .http
            .post(format!("{}/api/scaffolder/v2/tasks", self.base))
            .bearer_auth(&self.token)
            .json(&json!({"templateRef": format!("template:default/{template}"), "values": {}}))
            .send()
            .await
            .expect("create");
        assert_eq!(
            r.status().as_u16(),
            201,
            "{}",
            r.text().await.unwrap_or_default()
        );
        r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Read the SSE stream; returns (time to first event, time to end, events).
    async fn stream(&self, id: &str, t0: Instant) -> (Duration, Duration, usize) {
        let mut resp = self
            .http
            .get(format!(
                "{}/api/scaffolder/v2/tasks/{id}/eventstream",
                self.base
            ))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("eventstream");
        let mut first = None;
        let mut events = 0;
        let mut buf = String::new();
        while let Some(chunk) = resp.chunk().await.expect("chunk") {
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(i) = buf.find("\n\n") {
                let block: String = buf.drain(..i + 2).collect();
                if block.lines().any(|l| l.starts_with("data:")) {
                    events += 1;
                    first.get_or_insert_with(|| t0.elapsed());
                }
            }
        }
        (first.unwrap_or_default(), t0.elapsed(), events)
    }
}

fn stats(mut v: Vec<f64>) -> Value {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    let r = |x: f64| (x * 100.0).round() / 100.0;
    json!({"p50": r(at(0.5)), "p95": r(at(0.95)), "max": r(at(1.0)), "runs": v.len()})
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |k: &str| {
        args.iter()
            .position(|a| a == k)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let engine = arg("--engine").unwrap_or_else(|| "sqlite".into());
    let runs: usize = arg("--runs").and_then(|r| r.parse().ok()).unwrap_or(20);
    let db = match engine.as_str() {
        "postgres" => TestDb::postgres()
            .await
            .expect("set TEST_DATABASE_URL for --engine postgres"),
        _ => TestDb::sqlite().await,
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("templates.yaml"), TEMPLATES).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = json!({
        "catalog": {"locations": [{"type": "file", "target": dir.path().join("templates.yaml")}], "processingIntervalSeconds": 1},
        "scaffolder": {"catalogBaseUrl": format!("{base}/api/catalog"), "workDir": dir.path().join("work"), "concurrency": 8},
    });
    let be = Arc::new(
        TestBackend::start(
            db,
            vec![
                Arc::new(CatalogBackendPlugin),
                Arc::new(ScaffolderBackendPlugin),
            ],
            config,
        )
        .await,
    );
    let router = be.router();
    let nodelay = !args.iter().any(|a| a == "--nagle");
    tokio::spawn(async move {
        use axum::serve::ListenerExt;
        // Small SSE frames: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms.
        let listener = listener.tap_io(move |tcp| {
            let _ = tcp.set_nodelay(nodelay);
        });
        axum::serve(listener, router).await.unwrap()
    });
    let c = Client {
        http: reqwest::Client::new(),
        base: base.clone(),
        token: test_token("user:default/bench", &["group:default/bench-operators"]),
    };
    // Wait for the catalog to hold the templates.
    let t0 = Instant::now();
    for name in ["one", "ten", "chatty"] {
        loop {
            let r = c
                .http
                .get(format!(
                    "{base}/api/catalog/entities/by-name/template/default/{name}"
                ))
                .bearer_auth(&c.token)
                .send()
                .await
                .unwrap();
            if r.status().is_success() {
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "templates never appeared"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // Warm-up.
    let id = c.create("one").await;
    c.stream(&id, Instant::now()).await;

    let mut first = Vec::new();
    for _ in 0..runs {
        let t0 = Instant::now();
        let id = c.create("one").await;
        let (f, _, _) = c.stream(&id, t0).await;
        first.push(f.as_secs_f64() * 1000.0);
    }
    let mut ten = Vec::new();
    for _ in 0..runs.clamp(1, 10) {
        let t0 = Instant::now();
        let id = c.create("ten").await;
        let (_, end, _) = c.stream(&id, t0).await;
        ten.push(end.as_secs_f64() * 1000.0);
    }
    let t0 = Instant::now();
    let id = c.create("chatty").await;
    let (_, live, live_events) = c.stream(&id, t0).await;
    let t1 = Instant::now();
    let (_, replay, replay_events) = c.stream(&id, t1).await;
    let out = json!({
        "bench": "scaffolder",
        "engine": engine,
        "tcp_nodelay": nodelay,
        "create_to_first_event_ms": stats(first),
        "ten_step_debug_log_ms": stats(ten),
        "events_per_s": {
            "live": (live_events as f64 / live.as_secs_f64()).round(),
            "live_events": live_events,
            "replay": (replay_events as f64 / replay.as_secs_f64()).round(),
            "replay_events": replay_events,
        },
    });
    println!("{out}");
}
