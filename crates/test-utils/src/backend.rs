//! [`TestBackend`]: plugins started exactly as the host starts them.

use crate::TestDb;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use backend_plugin_api::{BackendPlugin, HostInfo, PluginContext, PluginRegistry};
use http_body_util::BodyExt;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// A backend with some plugins on a test database.
pub struct TestBackend {
    router: Router,
    db: TestDb,
    shutdown: CancellationToken,
}

/// A collected response.
#[derive(Debug)]
pub struct TestResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: axum::http::HeaderMap,
    /// Raw body.
    pub body: Vec<u8>,
}

impl TestResponse {
    /// The body as JSON (panics with the body text when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body))
        })
    }
}

impl TestBackend {
    /// Start `plugins` on `db` with the given config (a JSON object of sections).
    pub async fn start(
        db: TestDb,
        plugins: Vec<Arc<dyn BackendPlugin>>,
        config: serde_json::Value,
    ) -> Self {
        let mut registry = PluginRegistry::new();
        for p in plugins {
            registry.add_arc(p);
        }
        let built = registry
            .build()
            .unwrap_or_else(|e| panic!("registry errors: {e:?}"));
        let shutdown = CancellationToken::new();
        let host = Arc::new(HostInfo {
            version: "0.0.0-test".into(),
            base_url: "http://localhost".into(),
            demo: false,
            data_dir: std::env::temp_dir(),
            resources_dir: std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."),
        });
        let mut router = Router::new();
        for p in &built.plugins {
            if let Some(m) = p.migrations() {
                db.database().migrate(p.id(), &m).await.expect("migrations apply");
            }
            let ctx = PluginContext::new(
                p.id(),
                config.get(p.id()).cloned().unwrap_or_default(),
                db.database().clone(),
                reqwest::Client::new(),
                shutdown.clone(),
                built.extensions.clone(),
                host.clone(),
            );
            let r = p.init(ctx).await.expect("plugin init");
            router = router.nest(&format!("/api/{}", p.id()), r);
        }
        let router = router.layer(axum::middleware::from_fn(
            backend_plugin_api::error::error_body_layer,
        ));
        Self {
            router,
            db,
            shutdown,
        }
    }

    /// The router.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The database.
    pub fn db(&self) -> &TestDb {
        &self.db
    }

    /// Send a request and collect the response.
    pub async fn send(&self, req: Request<Body>) -> TestResponse {
        let resp = self.router.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> TestResponse {
        self.send(
            Request::post(path)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> TestResponse {
        self.send(Request::delete(path).body(Body::empty()).unwrap()).await
    }
}

impl Drop for TestBackend {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
