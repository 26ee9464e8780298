//! Host integration tests: the real server on a loopback port, on both engines, plus the
//! binary's behaviour on bad input (one clear message, non-zero exit, no panic).

use butler_portal::cli::{Cli, LogFormat};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn cli(root: &Path, database_url: Option<String>) -> Cli {
    if let Some(url) = &database_url {
        std::fs::write(
            root.join("app-config.local.yaml"),
            format!("backend:\n  database:\n    url: {url}\n"),
        )
        .unwrap();
    }
    Cli {
        port: Some(0),
        data_dir: root.join("data"),
        demo: false,
        log_format: LogFormat::Text,
        config: vec![],
        dist_dir: Some(root.join("dist")),
        root: Some(root.to_path_buf()),
    }
}

async fn get(url: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let resp = reqwest::get(url).await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, resp.text().await.unwrap(), headers)
}

async fn exercise(database_url: Option<String>, engine: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::write(
        dir.path().join("dist/index.html"),
        "<!doctype html><title>spa-index</title>",
    )
    .unwrap();
    std::fs::write(dir.path().join("dist/app.js"), "console.log('x')").unwrap();
    std::fs::write(dir.path().join("app-config.yaml"), "app:\n  title: T\n").unwrap();
    let started = butler_portal::start(cli(dir.path(), database_url), Instant::now())
        .await
        .expect("portal starts");
    let base = format!("http://127.0.0.1:{}", started.addr.port());

    let (s, body, _) = get(&format!("{base}/healthz")).await;
    assert_eq!(s, 200);
    assert!(body.contains("\"status\":\"ok\""));

    let (s, body, _) = get(&format!("{base}/readyz")).await;
    assert_eq!(s, 200, "{body}");
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["database"], engine);
    assert!(ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["status"] == "ok"));

    // Deny by default: the plugin list needs credentials.
    let (s, body, headers) = get(&format!("{base}/api/plugins")).await;
    assert_eq!(s, 401, "{body}");
    assert!(headers.contains_key("www-authenticate"));
    let token = guest_token(&base).await;
    let client = reqwest::Client::new();
    let resp = client
        .get(format!("{base}/api/plugins"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let plugins: serde_json::Value = resp.json().await.unwrap();
    let ids: Vec<&str> = plugins
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[0], "home");
    assert!(
        ids.contains(&"auth") && ids.contains(&"permission"),
        "{ids:?}"
    );

    let (s, body, headers) = get(&format!("{base}/api/nope?x=1")).await;
    assert_eq!(s, 404);
    assert!(headers.contains_key("x-request-id"));
    let err: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(err["error"]["name"], "NotFoundError");
    assert_eq!(
        err["request"],
        serde_json::json!({"method": "GET", "url": "/api/nope?x=1"})
    );
    assert_eq!(err["response"]["statusCode"], 404);

    let (s, body, _) = get(&format!("{base}/some/client/route")).await;
    assert_eq!(s, 200);
    assert!(body.contains("spa-index"));
    let (s, body, _) = get(&format!("{base}/app.js")).await;
    assert_eq!((s, body.as_str()), (200, "console.log('x')"));

    // Body limit: 10 MiB default; 11 MiB is refused with a Backstage body.
    let big = vec![b'x'; 11 * 1024 * 1024];
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/home/visits"))
        .bearer_auth(&token)
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);

    // Compression is negotiated (reqwest does not decode without its gzip feature).
    let resp = reqwest::Client::new()
        .get(format!("{base}/readyz"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-encoding"], "gzip");

    started.shutdown.cancel();
    tokio::time::timeout(std::time::Duration::from_secs(10), started.handle)
        .await
        .expect("graceful shutdown completes")
        .unwrap();
}

#[tokio::test]
async fn should_serve_system_routes_spa_and_errors_on_sqlite() {
    exercise(None, "sqlite").await;
}

#[tokio::test]
async fn should_serve_system_routes_spa_and_errors_on_postgres() {
    let Some(db) = test_utils::TestDb::postgres().await else {
        return;
    };
    let _ = db;
    let base = std::env::var("TEST_DATABASE_URL").unwrap();
    exercise(Some(base), "postgres").await;
}

async fn guest_token(base: &str) -> String {
    let body: serde_json::Value = reqwest::Client::new()
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

fn run_bin(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_butler-portal"))
        .args(args)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("PORTAL_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_clear_failure(code: i32, stderr: &str, needle: &str) {
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains(needle), "expected `{needle}` in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");
}

#[test]
fn should_exit_with_one_clear_message_on_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    std::fs::write(d.join("app-config.yaml"), "bogus: 1\n").unwrap();
    let (code, err) = run_bin(d, &["--port", "0"]);
    assert_clear_failure(code, &err, "unknown configuration key `bogus`");

    std::fs::write(d.join("app-config.yaml"), "app: {title: [\n").unwrap();
    let (code, err) = run_bin(d, &["--port", "0"]);
    assert_clear_failure(code, &err, "is not valid YAML");

    std::fs::write(d.join("app-config.yaml"), "").unwrap();
    std::fs::write(
        d.join("db.yaml"),
        "backend:\n  database:\n    url: postgres://nobody:pw@127.0.0.1:1/none\n",
    )
    .unwrap();
    let (code, err) = run_bin(d, &["--port", "0", "--config", "db.yaml"]);
    assert_clear_failure(code, &err, "cannot connect to database");
    assert!(!err.contains(":pw@"), "password leaked: {err}");

    let taken = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, err) = run_bin(d, &["--port", &port]);
    assert_clear_failure(code, &err, "already in use");

    let (code, err) = run_bin(d, &["--port", "0", "--config", "missing.yaml"]);
    assert_clear_failure(code, &err, "cannot read config file");
}
