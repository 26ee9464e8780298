//! Deny by default, proven over the whole route table: every route of every installed
//! plugin (from each plugin's OpenAPI document, plus probes under every mount) answers an
//! anonymous request with 401 — except the explicit allow-list below.

use butler_portal::cli::{Cli, LogFormat};
use std::collections::BTreeSet;
use std::time::Instant;

/// The only routes that may be called without credentials.
const ALLOWED_ANONYMOUS: &[(&str, &str)] = &[
    ("GET", "/api/auth/providers"),
    ("GET", "/api/auth/{provider}/start"),
    ("GET", "/api/auth/{provider}/handler/frame"),
    ("GET", "/api/auth/{provider}/refresh"),
    ("POST", "/api/auth/{provider}/logout"),
    ("GET", "/api/auth/.well-known/jwks.json"),
];

#[test]
fn should_declare_exactly_the_allow_listed_anonymous_routes() {
    let built = butler_portal::plugins::default_plugins()
        .build()
        .expect("valid registry");
    let declared: BTreeSet<(String, String)> = built
        .anonymous
        .iter()
        .map(|r| {
            (
                r.method
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or("*".into()),
                r.pattern.clone(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = ALLOWED_ANONYMOUS
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        declared, expected,
        "an anonymous route was added or removed: review it"
    );
}

fn allowed(method: &str, path: &str) -> bool {
    ALLOWED_ANONYMOUS
        .iter()
        .any(|(m, p)| *m == method && backend_plugin_api::auth::path_matches(p, path))
}

#[tokio::test]
async fn should_refuse_anonymous_requests_on_every_route() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app-config.yaml"), "").unwrap();
    let cli = Cli {
        port: Some(0),
        data_dir: dir.path().join("data"),
        demo: false,
        log_format: LogFormat::Text,
        config: vec![],
        dist_dir: Some(dir.path().join("dist")),
        root: Some(dir.path().to_path_buf()),
    };
    let started = butler_portal::start(cli, Instant::now()).await.unwrap();
    let base = format!("http://127.0.0.1:{}", started.addr.port());
    let client = reqwest::Client::new();
    let token: serde_json::Value = client
        .get(format!("{base}/api/auth/guest/refresh"))
        .header("x-requested-with", "XMLHttpRequest")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["backstageIdentity"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let plugins: Vec<serde_json::Value> = client
        .get(format!("{base}/api/plugins"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let mut paths: BTreeSet<String> = BTreeSet::new();
    paths.insert("/api/plugins".into());
    for p in &plugins {
        let id = p["id"].as_str().unwrap();
        for probe in ["", "/", "/openapi.json", "/does/not/exist", "/x/y/z"] {
            paths.insert(format!("/api/{id}{probe}"));
        }
        let doc = client
            .get(format!("{base}/api/{id}/openapi.json"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if doc.status().is_success() {
            let doc: serde_json::Value = doc.json().await.unwrap();
            for path in doc["paths"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
            {
                let concrete = path
                    .split('/')
                    .map(|seg| if seg.starts_with('{') { "x" } else { seg })
                    .collect::<Vec<_>>()
                    .join("/");
                let prefix = format!("/api/{id}");
                paths.insert(if concrete.starts_with(&prefix) {
                    concrete
                } else {
                    format!("{prefix}{concrete}")
                });
            }
        }
    }
    assert!(paths.len() > 20, "route table too small: {paths:?}");

    let mut checked = 0;
    for path in &paths {
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if allowed(method, path) {
                continue;
            }
            let resp = client
                .request(method.parse().unwrap(), format!("{base}{path}"))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), 401, "anonymous {method} {path}");
            checked += 1;
        }
    }
    println!(
        "{checked} anonymous requests refused across {} paths",
        paths.len()
    );

    // The public host routes stay public.
    for p in ["/healthz", "/readyz"] {
        let s = client
            .get(format!("{base}{p}"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(s.as_u16(), 200, "{p}");
    }
    started.shutdown.cancel();
}
