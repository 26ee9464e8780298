//! Shared helpers of the catalog router tests.
#![allow(dead_code)]

use backend_plugin_api::catalog::{
    CatalogProcessingExtensionPoint, EntityProvider, EntityProviderConnection, KindDefinition,
};
use backend_plugin_api::{async_trait, BackendPlugin, PluginContext, PluginError, Registrar};
use plugin_catalog_backend::CatalogBackendPlugin;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use test_utils::{TestBackend, TestDb, TestResponse};

/// A provider whose connection the test drives.
#[derive(Default)]
pub struct TestProvider {
    pub conn: Mutex<Option<EntityProviderConnection>>,
}

#[async_trait]
impl EntityProvider for TestProvider {
    fn name(&self) -> &str {
        "test-provider"
    }
    async fn connect(&self, connection: EntityProviderConnection) {
        *self.conn.lock().unwrap() = Some(connection);
    }
}

impl TestProvider {
    pub async fn connection(&self) -> EntityProviderConnection {
        let t0 = Instant::now();
        loop {
            if let Some(c) = self.conn.lock().unwrap().clone() {
                return c;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "provider never connected"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A plugin contributing a provider and a custom kind to the catalog.
pub struct ContribPlugin(pub Arc<TestProvider>);

#[async_trait]
impl BackendPlugin for ContribPlugin {
    fn id(&self) -> &'static str {
        "contrib"
    }
    fn version(&self) -> &'static str {
        "0.0.0"
    }
    fn register(&self, reg: &mut Registrar) {
        let ext = reg.extension::<CatalogProcessingExtensionPoint>();
        ext.add_entity_provider(self.0.clone());
        ext.add_kind(KindDefinition {
            api_versions: vec!["butler.butlerlabs.dev/v1alpha1".into()],
            kind: "TenantCluster".into(),
            json_schema: json!({"type": "object", "required": ["owner", "kubernetesVersion"],
                "properties": {"owner": {"type": "string"}, "kubernetesVersion": {"type": "string"},
                               "workers": {"type": "integer", "minimum": 1}}}),
        });
    }
    async fn init(&self, _ctx: PluginContext) -> Result<axum::Router, PluginError> {
        Ok(axum::Router::new())
    }
}

/// Start the catalog (+ contrib plugin) with `catalog` config.
pub async fn start(db: TestDb, catalog: Value) -> (TestBackend, Arc<TestProvider>) {
    let provider = Arc::new(TestProvider::default());
    let be = TestBackend::start(
        db,
        vec![
            Arc::new(ContribPlugin(provider.clone())),
            Arc::new(CatalogBackendPlugin),
        ],
        json!({ "catalog": catalog }),
    )
    .await;
    (be, provider)
}

/// Poll `GET path` until `pred(response)` holds (10 s), returning the last response.
pub async fn wait_for(
    be: &TestBackend,
    path: &str,
    pred: impl Fn(&TestResponse) -> bool,
) -> TestResponse {
    let t0 = Instant::now();
    loop {
        let r = be.aget(path).await;
        if pred(&r) {
            return r;
        }
        if t0.elapsed() > Duration::from_secs(15) {
            panic!(
                "timed out waiting on {path}: {} {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            );
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Wait until an entity exists and return it.
pub async fn wait_entity(be: &TestBackend, kind: &str, name: &str) -> Value {
    wait_for(
        be,
        &format!("/api/catalog/entities/by-name/{kind}/default/{name}"),
        |r| r.status == 200,
    )
    .await
    .json()
}

/// Write a file (creating directories).
pub fn write(dir: &Path, name: &str, content: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// Relations of an entity as `type target` strings.
pub fn relations(e: &Value) -> Vec<String> {
    e["relations"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    format!(
                        "{} {}",
                        r["type"].as_str().unwrap(),
                        r["targetRef"].as_str().unwrap()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Names of a list of entities.
pub fn names(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

/// A small organisation in one directory: all.yaml → org.yaml, software.yaml, api.txt.
pub fn write_org(dir: &Path) {
    write(dir, "all.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: root}\nspec:\n  targets: [./org.yaml, ./sub/software.yaml]\n");
    write(
        dir,
        "org.yaml",
        r#"
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a, tags: [core]}
spec: {type: team, children: [], members: [alice]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {memberOf: [team-b], profile: {email: alice@example.com}}
"#,
    );
    write(
        dir,
        "sub/software.yaml",
        r#"
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: sys}
spec: {owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: svc-a, tags: [java, rust], title: Service Alpha}
spec: {type: service, lifecycle: production, owner: team-a, system: sys, providesApis: [api-a], dependsOn: [resource:db]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: svc-b, tags: [java]}
spec: {type: Website, lifecycle: experimental, owner: group:default/team-b, consumesApis: [api-a]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: svc-c}
spec: {type: service, lifecycle: production, owner: team-b}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: api-a}
spec: {type: openapi, lifecycle: production, owner: team-a, definition: {$text: ../api.txt}}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: db}
spec: {type: database, owner: team-a}
"#,
    );
    write(dir, "api.txt", "openapi: 3.0.0\n");
}

/// Start with the org loaded from a config location; waits until all 10 entities exist.
pub async fn start_with_org(
    db: TestDb,
    dir: &Path,
    extra: Value,
) -> (TestBackend, Arc<TestProvider>) {
    write_org(dir);
    let mut cfg = json!({"locations": [{"type": "file", "target": dir.join("all.yaml").to_str().unwrap()}],
                         "processingIntervalSeconds": 3600});
    if let (Some(c), Some(e)) = (cfg.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            c.insert(k.clone(), v.clone());
        }
    }
    let (be, p) = start(db, cfg).await;
    // 2 generated/declared locations + 3 org + 6 software
    wait_for(&be, "/api/catalog/entities", |r| {
        r.status == 200 && r.json().as_array().unwrap().len() == 11
    })
    .await;
    (be, p)
}

/// The bearer token sent by every test request (accepted by the test harness's verifier
/// when authentication is enforced, ignored otherwise).
pub const TOKEN: &str = "Bearer test:user:default/tester,group:default/catalog-operators";

/// Authenticated request helpers.
#[allow(async_fn_in_trait)]
pub trait Authed {
    /// `GET`.
    async fn aget(&self, path: &str) -> TestResponse;
    /// `POST` JSON.
    async fn apost(&self, path: &str, body: &Value) -> TestResponse;
    /// `DELETE`.
    async fn adel(&self, path: &str) -> TestResponse;
}

impl Authed for TestBackend {
    async fn aget(&self, path: &str) -> TestResponse {
        self.send(
            axum::http::Request::get(path)
                .header("authorization", TOKEN)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
    }
    async fn apost(&self, path: &str, body: &Value) -> TestResponse {
        self.send(
            axum::http::Request::post(path)
                .header("authorization", TOKEN)
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }
    async fn adel(&self, path: &str) -> TestResponse {
        self.send(
            axum::http::Request::delete(path)
                .header("authorization", TOKEN)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
    }
}
