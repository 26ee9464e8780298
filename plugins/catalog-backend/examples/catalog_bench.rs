//! Catalog benchmark: generate N entities (groups, systems, resources, APIs, components
//! with owners, systems, dependsOn and providesApis), ingest them through the real path
//! (an entity provider's mutations → processing loop → stitching), wait until all are
//! queryable, then time queries through the real axum router and print ONE JSON object.
//!
//! ```text
//! cargo run --release -p plugin-catalog-backend --example catalog_bench -- \
//!     --engine sqlite|postgres --count 10000 [--database-url postgres://…]
//! ```
//! It never fails on timing.

use axum::body::Body;
use axum::http::Request;
use backend_plugin_api::auth::{Identity, Principal};
use backend_plugin_api::catalog::{
    CatalogProcessingExtensionPoint, DeferredEntity, EntityProvider, EntityProviderConnection,
    Mutation,
};
use backend_plugin_api::{
    async_trait, BackendPlugin, Database, HostInfo, PluginContext, PluginError, PluginRegistry,
    Registrar,
};
use clap::Parser;
use http_body_util::BodyExt;
use plugin_catalog_backend::CatalogBackendPlugin;
use serde_json::{json, Value};
use sqlx::Row;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower::ServiceExt;

#[derive(Parser)]
struct Args {
    /// sqlite or postgres.
    #[arg(long, default_value = "sqlite")]
    engine: String,
    /// Number of entities.
    #[arg(long, default_value_t = 10_000)]
    count: usize,
    /// Keep the PostgreSQL database (its name is printed to stderr) for inspection.
    #[arg(long)]
    keep_database: bool,
    /// PostgreSQL server URL (a fresh database is created on it); defaults to
    /// TEST_DATABASE_URL or DATABASE_URL.
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(Default)]
struct BenchProvider(Mutex<Option<EntityProviderConnection>>);

#[async_trait]
impl EntityProvider for BenchProvider {
    fn name(&self) -> &str {
        "bench"
    }
    async fn connect(&self, connection: EntityProviderConnection) {
        *self.0.lock().unwrap() = Some(connection);
    }
}

struct BenchPlugin(Arc<BenchProvider>);

#[async_trait]
impl BackendPlugin for BenchPlugin {
    fn id(&self) -> &'static str {
        "bench"
    }
    fn version(&self) -> &'static str {
        "0"
    }
    fn register(&self, reg: &mut Registrar) {
        reg.extension::<CatalogProcessingExtensionPoint>()
            .add_entity_provider(self.0.clone());
    }
    async fn init(&self, _ctx: PluginContext) -> Result<axum::Router, PluginError> {
        Ok(axum::Router::new())
    }
}

fn entity(kind: &str, name: &str, spec: Value) -> DeferredEntity {
    DeferredEntity::new(json!({"apiVersion": "backstage.io/v1alpha1", "kind": kind,
        "metadata": {"name": name, "description": format!("Benchmark {kind} {name}"), "tags": ["bench", "gen"]},
        "spec": spec}))
}

/// The i-th generated entity, and the name of every 100th component for by-name lookups.
fn generate(i: usize, n: usize) -> DeferredEntity {
    let groups = (n / 100).max(10);
    let systems = (n / 50).max(10);
    let resources = n * 16 / 100;
    let apis = n * 20 / 100;
    let g = |k: usize| format!("group-{}", k % groups);
    if i < groups {
        return entity("Group", &g(i), json!({"type": "team", "children": []}));
    }
    let i = i - groups;
    if i < systems {
        return entity("System", &format!("system-{i}"), json!({"owner": g(i)}));
    }
    let i = i - systems;
    if i < resources {
        return entity(
            "Resource",
            &format!("resource-{i}"),
            json!({"type": (["database", "bucket", "queue"][i % 3]), "owner": g(i), "system": format!("system-{}", i % systems)}),
        );
    }
    let i = i - resources;
    if i < apis {
        return entity(
            "API",
            &format!("api-{i}"),
            json!({"type": (["openapi", "grpc"][i % 2]), "lifecycle": "production",
            "owner": g(i), "system": format!("system-{}", i % systems), "definition": "openapi: 3.0.0"}),
        );
    }
    let i = i - apis;
    entity(
        "Component",
        &format!("component-{i}"),
        json!({
        "type": (["service", "website", "library", "tool"][i % 4]),
        "lifecycle": (["production", "experimental"][i % 2]),
        "owner": g(i), "system": format!("system-{}", i % systems),
        "dependsOn": [format!("resource:resource-{}", i % resources.max(1))],
        "providesApis": [format!("api-{}", i % apis.max(1))]}),
    )
}

fn components(n: usize) -> usize {
    let groups = (n / 100).max(10);
    let systems = (n / 50).max(10);
    n.saturating_sub(groups + systems + n * 16 / 100 + n * 20 / 100)
}

fn rss() -> (f64, f64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (kb("VmRSS:"), kb("VmHWM:"))
}

/// User + system CPU seconds of this process so far (the machine is shared: CPU time is
/// less noisy than wall time).
fn cpu_s() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the `(comm)`: state is field 3, utime 14, stime 15.
    let rest = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

async fn get(router: &axum::Router, path: &str) -> (u16, Vec<u8>) {
    let resp = router
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (
        status,
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

async fn time(router: &axum::Router, path: &str) -> f64 {
    let t = Instant::now();
    let (status, body) = get(router, path).await;
    if status != 200 {
        eprintln!("{path}: HTTP {status} {}", String::from_utf8_lossy(&body));
    }
    t.elapsed().as_secs_f64() * 1000.0
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    (v[i] * 1000.0).round() / 1000.0
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let n = args.count;
    let dir = tempfile::tempdir().unwrap();
    let (db, admin_and_name) = match args.engine.as_str() {
        "sqlite" => (
            Database::connect(&Database::sqlite_file_url(&dir.path().join("bench.db")))
                .await
                .unwrap(),
            None,
        ),
        "postgres" => {
            let base = args
                .database_url
                .clone()
                .or_else(|| std::env::var("TEST_DATABASE_URL").ok())
                .or_else(|| std::env::var("DATABASE_URL").ok())
                .expect("--database-url (or TEST_DATABASE_URL) is required for postgres");
            let admin = Database::connect(&base).await.unwrap();
            let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(admin.pool())
                .await
                .unwrap();
            let url = match base.rsplit_once('/') {
                Some((b, _)) if b.contains("://") && b.len() > b.find("://").unwrap() + 3 => {
                    format!("{b}/{name}")
                }
                _ => format!("{base}/{name}"),
            };
            (Database::connect(&url).await.unwrap(), Some((admin, name)))
        }
        other => panic!("unknown engine {other}"),
    };
    let provider = Arc::new(BenchProvider::default());
    let mut registry = PluginRegistry::new();
    registry.add(BenchPlugin(provider.clone()));
    registry.add(CatalogBackendPlugin);
    let built = registry.build().unwrap_or_else(|e| panic!("{e:?}"));
    let shutdown = tokio_util::sync::CancellationToken::new();
    let host = Arc::new(HostInfo {
        version: "bench".into(),
        base_url: "http://localhost".into(),
        demo: false,
        data_dir: dir.path().to_path_buf(),
        resources_dir: dir.path().to_path_buf(),
    });
    let mut router = axum::Router::new();
    for p in &built.plugins {
        if let Some(m) = p.migrations() {
            db.migrate(p.id(), &m).await.unwrap();
        }
        let ctx = PluginContext::new(
            p.id(),
            json!({"processingIntervalSeconds": 3600}),
            db.clone(),
            reqwest::Client::new(),
            shutdown.clone(),
            built.extensions.clone(),
            host.clone(),
        );
        router = router.nest(&format!("/api/{}", p.id()), p.init(ctx).await.unwrap());
    }
    // Requests run as a signed-in user (the host's authentication layer is not part of
    // this router).
    let router = router.layer(axum::middleware::from_fn(
        |mut req: Request<Body>, next: axum::middleware::Next| async move {
            req.extensions_mut().insert(Identity {
                user_entity_ref: "user:default/bench".into(),
                ownership_entity_refs: vec!["user:default/bench".into()],
                principal: Principal::User,
            });
            next.run(req).await
        },
    ));
    let conn = loop {
        if let Some(c) = provider.0.lock().unwrap().clone() {
            break c;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };

    // Ingest through provider deltas (chunks keep memory flat), wait until all are queryable
    // and stitching has settled.
    let t0 = Instant::now();
    let cpu0 = cpu_s();
    let mut i = 0;
    while i < n {
        let end = (i + 5000).min(n);
        let added = (i..end).map(|k| generate(k, n)).collect();
        conn.apply_mutation(Mutation::Delta {
            added,
            removed: vec![],
        })
        .await
        .unwrap();
        i = end;
    }
    let count_sql = "SELECT COUNT(*), COALESCE(MAX(stitched_at), 0) FROM catalog_final_entities";
    let mut last_change = (0_i64, 0_i64, Instant::now());
    loop {
        let row = sqlx::query(count_sql).fetch_one(db.pool()).await.unwrap();
        let (c, m): (i64, i64) = (row.get(0), row.get(1));
        if (c, m) != (last_change.0, last_change.1) {
            last_change = (c, m, Instant::now());
        }
        if c as usize >= n && last_change.2.elapsed() > Duration::from_millis(5000) {
            break;
        }
        if t0.elapsed() > Duration::from_secs(1800) {
            eprintln!("gave up waiting: {c} of {n} entities");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let visible_ms = last_change.2.duration_since(t0).as_secs_f64() * 1000.0;
    let ingest_cpu_s = cpu_s() - cpu0;

    let comps = components(n).max(1);
    let mut by_name = Vec::new();
    for k in 0..1000 {
        let name = format!("component-{}", (k * 7919) % comps);
        by_name.push(
            time(
                &router,
                &format!("/api/catalog/entities/by-name/component/default/{name}"),
            )
            .await,
        );
    }
    let mut by_query = Vec::new();
    for _ in 0..100 {
        by_query.push(
            time(
                &router,
                "/api/catalog/entities/by-query?filter=kind=component&limit=100",
            )
            .await,
        );
    }
    let mut facets = Vec::new();
    for _ in 0..5 {
        facets.push(time(&router, "/api/catalog/entity-facets?facet=spec.type").await);
    }
    let mut filtered = Vec::new();
    for k in 0..5 {
        filtered.push(time(&router, &format!("/api/catalog/entities?filter=kind=component,relations.ownedby=group:default/group-{k}")).await);
    }
    let (rss_now, rss_peak) = rss();
    let out = json!({
        "engine": args.engine,
        "count": n,
        "ingest_ms": round(visible_ms),
        "ingest_cpu_s": round(ingest_cpu_s),
        "by_name_p50_ms": pct(&mut by_name.clone(), 0.5),
        "by_name_p99_ms": pct(&mut by_name, 0.99),
        "by_query_p50_ms": pct(&mut by_query.clone(), 0.5),
        "by_query_p99_ms": pct(&mut by_query, 0.99),
        "facets_ms": pct(&mut facets, 0.5),
        "entities_filtered_ms": pct(&mut filtered, 0.5),
        "rss_mb": round(rss_now),
        "rss_peak_mb": round(rss_peak),
    });
    println!("{out}");
    shutdown.cancel();
    if let (true, Some((_, name))) = (args.keep_database, &admin_and_name) {
        eprintln!("kept database {name}");
        return;
    }
    if let Some((admin, name)) = admin_and_name {
        db.pool().close().await;
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(admin.pool())
            .await;
    }
}
