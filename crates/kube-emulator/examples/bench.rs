//! Emulator performance figures: listing 5,000 objects and fanning watch events out to 50
//! watchers. `cargo run --release -p kube-emulator --example bench`

use kube_emulator::{Emulator, EmulatorConfig};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let emu = Emulator::start(EmulatorConfig {
        controller: None,
        history_limit: 50_000,
        ..Default::default()
    })
    .await?;
    let store = emu.store();
    let ns_rt = store.resolve("", "v1", "namespaces").unwrap();
    store
        .create(&ns_rt, "", json!({"metadata": {"name": "bench"}}), false)
        .map_err(anyhow::Error::msg)?;
    let cm = store.resolve("", "v1", "configmaps").unwrap();
    let t = Instant::now();
    for i in 0..5000 {
        let obj = json!({"metadata": {"name": format!("cm-{i:05}"), "labels": {"app": "bench", "shard": (i % 10).to_string()}}, "data": {"key": "value", "index": i.to_string()}});
        store
            .create(&cm, "bench", obj, false)
            .map_err(anyhow::Error::msg)?;
    }
    let mut figures = serde_json::Map::new();
    figures.insert("store_5000_creates_ms".into(), json!(ms(t.elapsed())));
    println!("store: 5000 creates in {:?}", t.elapsed());

    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/namespaces/bench/configmaps", emu.url());
    for (label, key, accept, query) in [
        (
            "list 5000 (JSON)",
            "list_5000_json_ms",
            "application/json",
            "",
        ),
        (
            "list 5000 (Table)",
            "list_5000_table_ms",
            "application/json;as=Table;v=v1;g=meta.k8s.io",
            "",
        ),
        (
            "list 500 (label selector shard=3)",
            "list_500_selector_ms",
            "application/json",
            "?labelSelector=shard%3D3",
        ),
        (
            "list page of 500 (limit)",
            "list_page_500_ms",
            "application/json",
            "?limit=500",
        ),
    ] {
        let n = 20;
        let t = Instant::now();
        let mut bytes = 0;
        for _ in 0..n {
            let body = http
                .get(format!("{url}{query}"))
                .header("accept", accept)
                .send()
                .await?
                .bytes()
                .await?;
            bytes = body.len();
        }
        println!(
            "{label}: {:?} per request ({} KiB)",
            t.elapsed() / n,
            bytes / 1024
        );
        figures.insert(key.into(), json!(ms(t.elapsed() / n)));
    }

    // 50 watchers on TenantClusters, 500 changes.
    let watchers = 50;
    let changes = 500usize;
    let ns = "bench";
    let watch_url = format!("{}/apis/butler.butlerlabs.dev/v1alpha1/namespaces/{ns}/tenantclusters?watch=1&resourceVersion={}", emu.url(), store.resource_version());
    let mut handles = Vec::new();
    for _ in 0..watchers {
        let mut resp = http.get(&watch_url).send().await?;
        handles.push(tokio::spawn(async move {
            let mut lines = 0usize;
            while lines < changes {
                match tokio::time::timeout(Duration::from_secs(30), resp.chunk()).await {
                    Ok(Ok(Some(chunk))) => lines += chunk.iter().filter(|b| **b == b'\n').count(),
                    _ => break,
                }
            }
            (lines, Instant::now())
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let tc = store
        .resolve("butler.butlerlabs.dev", "v1alpha1", "tenantclusters")
        .unwrap();
    let t = Instant::now();
    for i in 0..changes {
        let obj = json!({"metadata": {"name": format!("tc-{i:04}")}, "spec": {"kubernetesVersion": "v1.32.2", "workers": {"replicas": 1}}});
        store
            .create(&tc, ns, obj, false)
            .map_err(anyhow::Error::msg)?;
    }
    let produced = t.elapsed();
    let mut delivered = 0;
    let mut last = t;
    for h in handles {
        let (lines, at) = h.await?;
        delivered += lines;
        last = last.max(at);
    }
    println!(
        "watch fan-out: {changes} events × {watchers} watchers = {delivered} delivered; produced in {produced:?}, all delivered after {:?} ({:.0} events/s delivered)",
        last - t,
        delivered as f64 / (last - t).as_secs_f64()
    );
    figures.insert("watch_watchers".into(), json!(watchers));
    figures.insert("watch_events".into(), json!(changes));
    figures.insert("watch_delivered".into(), json!(delivered));
    figures.insert("watch_all_delivered_ms".into(), json!(ms(last - t)));
    figures.insert(
        "watch_events_per_s".into(),
        json!((delivered as f64 / (last - t).as_secs_f64()).round()),
    );
    println!("{}", serde_json::Value::Object(figures));
    emu.shutdown().await;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}
