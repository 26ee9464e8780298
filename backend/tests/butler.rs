//! The host with the butler plugin: `--demo` starts the in-process demo cluster (status,
//! catalog, IdentityProvider sign-in button), and an unreachable API server leaves the portal
//! up with `/readyz` degraded (200) and 503 from the Kubernetes-backed routes.

use butler_portal::cli::{Cli, LogFormat};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

fn cli(root: &Path, demo: bool) -> Cli {
    Cli {
        port: Some(0),
        data_dir: root.join("data"),
        demo,
        log_format: LogFormat::Text,
        config: vec![],
        dist_dir: Some(root.join("dist")),
        root: Some(root.to_path_buf()),
    }
}

async fn get(url: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = reqwest::Client::new().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn guest_token(base: &str) -> String {
    let body: Value = reqwest::Client::new()
        .get(format!("{base}/api/auth/guest/refresh"))
        .header("x-requested-with", "XMLHttpRequest")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["backstageIdentity"]["token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn check<'a>(ready: &'a Value, name: &str) -> &'a Value {
    ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {ready}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_run_the_demo_cluster_in_process() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::write(dir.path().join("app-config.yaml"), "app:\n  title: T\n").unwrap();
    let started = butler_portal::start(cli(dir.path(), true), Instant::now())
        .await
        .expect("portal starts");
    let base = format!("http://127.0.0.1:{}", started.addr.port());

    let (s, ready) = get(&format!("{base}/readyz"), None).await;
    assert_eq!(s, 200, "{ready}");
    assert_eq!(ready["status"], "ok");
    assert_eq!(check(&ready, "kubernetes")["status"], "ok");

    let token = guest_token(&base).await;
    let (s, st) = get(&format!("{base}/api/butler/status"), Some(&token)).await;
    assert_eq!(s, 200);
    assert_eq!(st["connected"], true, "{st}");
    assert_eq!(st["demo"], true);
    assert!(st["server"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));

    // The demo IdentityProvider becomes a sign-in provider; the clusters reach the catalog.
    let t0 = Instant::now();
    loop {
        let (_, p) = get(&format!("{base}/api/auth/providers"), None).await;
        let (_, e) = get(
            &format!("{base}/api/catalog/entities/by-name/resource/default/payments-prod"),
            Some(&token),
        )
        .await;
        let sso = p["providers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == "acme-sso" && x["title"] == "ACME SSO");
        if sso && e["spec"]["owner"] == "group:default/payments" {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "{p} {e}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    started.shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(10), started.handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_stay_up_with_an_unreachable_api_server() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::write(
        dir.path().join("app-config.yaml"),
        format!("app:\n  title: T\nbutler:\n  kubernetes:\n    url: http://127.0.0.1:{port}\n"),
    )
    .unwrap();
    let started = butler_portal::start(cli(dir.path(), false), Instant::now())
        .await
        .expect("portal starts without its API server");
    let base = format!("http://127.0.0.1:{}", started.addr.port());
    let (s, ready) = get(&format!("{base}/readyz"), None).await;
    assert_eq!(s, 200, "{ready}");
    assert_eq!(ready["status"], "degraded");
    let k = check(&ready, "kubernetes");
    assert_eq!(k["status"], "degraded");
    assert!(
        k["message"].as_str().unwrap().contains("cannot reach"),
        "{k}"
    );

    let token = guest_token(&base).await;
    let (s, body) = get(&format!("{base}/api/butler/clusters"), Some(&token)).await;
    assert_eq!(s, 503, "{body}");
    assert_eq!(body["error"]["name"], "ServiceUnavailableError");
    let (s, _) = get(&format!("{base}/api/catalog/entities"), Some(&token)).await;
    assert_eq!(s, 200);
    started.shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(10), started.handle).await;
}
