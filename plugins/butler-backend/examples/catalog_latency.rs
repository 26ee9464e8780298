//! Bench: time from a TenantCluster change in Kubernetes to the matching catalog entity change
//! (create, update, delete), through the real pieces — kube-emulator, the butler plugin's
//! watch and entity provider, the catalog plugin's processing — on SQLite. Prints one JSON
//! line. `cargo run --release -p plugin-butler-backend --example catalog_latency [rounds]`
//! (also part of `cargo xtask bench butler`).

use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube_emulator::{Emulator, EmulatorConfig};
use plugin_butler_backend::ButlerBackendPlugin;
use plugin_butler_common::TenantCluster;
use plugin_catalog_backend::CatalogBackendPlugin;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use test_utils::{test_token, TestBackend, TestDb};

async fn entity(be: &TestBackend, name: &str) -> Option<Value> {
    let r = be
        .get_as(
            &format!("/api/catalog/entities/by-name/resource/default/{name}"),
            &test_token("user:default/bench", &[]),
        )
        .await;
    (r.status == 200).then(|| r.json())
}

async fn until<F, Fut>(mut f: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let t0 = Instant::now();
    while !f().await {
        if t0.elapsed() > Duration::from_secs(30) {
            return f64::NAN;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    t0.elapsed().as_secs_f64() * 1000.0
}

fn stats(mut v: Vec<f64>) -> Value {
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    let r = |x: f64| (x * 10.0).round() / 10.0;
    json!({"p50": r(at(0.5)), "p95": r(at(0.95)), "max": r(at(1.0)), "n": v.len()})
}

fn cluster(name: &str, version: &str) -> TenantCluster {
    serde_json::from_value(json!({
        "apiVersion": "butler.butlerlabs.dev/v1alpha1", "kind": "TenantCluster",
        "metadata": {"name": name, "namespace": "bench"},
        "spec": {"kubernetesVersion": version, "teamRef": {"name": "bench"}, "workers": {"replicas": 1}}
    }))
    .expect("valid cluster")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let emu = Emulator::start(EmulatorConfig {
        controller: None,
        ..EmulatorConfig::for_tests()
    })
    .await?;
    let admin = kube::Client::try_from(kube::Config::new(emu.url().parse()?))?;
    let ns: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(admin.clone());
    ns.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": "bench"}}))?,
    )
    .await?;
    let be = TestBackend::start(
        TestDb::sqlite().await,
        vec![
            Arc::new(CatalogBackendPlugin),
            Arc::new(ButlerBackendPlugin::default()),
        ],
        json!({"catalog": {"processingIntervalSeconds": 3600},
               "butler": {"kubernetes": {"url": emu.url()}}}),
    )
    .await;
    let api: Api<TenantCluster> = Api::namespaced(admin, "bench");
    // Warm up: the provider's first full mutation.
    api.create(&PostParams::default(), &cluster("warmup", "v1.32.0"))
        .await?;
    until(|| async { entity(&be, "warmup").await.is_some() }).await;

    let (mut create, mut update, mut delete) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..rounds {
        let name = format!("bench-{i}");
        api.create(&PostParams::default(), &cluster(&name, "v1.32.0"))
            .await?;
        create.push(until(|| async { entity(&be, &name).await.is_some() }).await);
        api.patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"kubernetesVersion": "v1.33.1"}})),
        )
        .await?;
        update.push(
            until(|| async {
                entity(&be, &name).await.is_some_and(|e| {
                    e["metadata"]["labels"]["butler.butlerlabs.dev/kubernetes-version"] == "v1.33.1"
                })
            })
            .await,
        );
        api.delete(&name, &DeleteParams::default()).await?;
        delete.push(until(|| async { entity(&be, &name).await.is_none() }).await);
    }
    // A burst: 200 clusters created back to back, until the last is in the catalog.
    let t0 = Instant::now();
    for i in 0..200 {
        api.create(
            &PostParams::default(),
            &cluster(&format!("burst-{i}"), "v1.32.0"),
        )
        .await?;
    }
    let created_ms = t0.elapsed().as_secs_f64() * 1000.0;
    until(|| async { entity(&be, "burst-199").await.is_some() }).await;
    let burst_ms = t0.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{}",
        json!({
            "cr_to_catalog_create_ms": stats(create),
            "cr_to_catalog_update_ms": stats(update),
            "cr_to_catalog_delete_ms": stats(delete),
            "burst_200_clusters": {"api_create_ms": created_ms.round(), "all_in_catalog_ms": burst_ms.round()},
        })
    );
    drop(be);
    emu.shutdown().await;
    Ok(())
}
