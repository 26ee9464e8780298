//! Test harness: the real catalog and the scaffolder on one database, served over
//! loopback HTTP so the scaffolder reads templates and registers locations through the
//! catalog's REST API exactly as in production.
#![allow(dead_code)]

use plugin_catalog_backend::CatalogBackendPlugin;
use plugin_scaffolder_backend::ScaffolderBackendPlugin;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use test_utils::{test_token, TestBackend, TestDb, TestResponse};

pub const TEMPLATES: &str = r#"
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: svc
  title: Service
  description: A service skeleton
  tags: [rust]
spec:
  type: service
  owner: group:default/team-a
  parameters:
    - title: Basics
      required: [name, owner]
      properties:
        name: {type: string, pattern: '^[a-z0-9-]+$', ui:autofocus: true}
        owner: {type: string, ui:field: OwnerPicker}
        skipLog: {type: boolean, default: false}
    - title: Extra
      properties:
        replicas: {type: integer, minimum: 1, maximum: 5, default: 2}
    - title: Admins only
      backstage:permissions: {tags: [admin]}
      properties:
        secretKnob: {type: string}
  steps:
    - id: fetch
      name: Fetch skeleton
      action: fetch:template
      input:
        url: ./skeleton
        values: {name: '${{ parameters.name }}', owner: '${{ parameters.owner }}', replicas: '${{ parameters.replicas }}'}
    - id: log
      if: '${{ not parameters.skipLog }}'
      action: debug:log
      input: {message: 'hello ${{ parameters.name }} x${{ parameters.replicas }} token=${{ secrets.apiKey }}', listWorkspace: true}
    - id: each
      each: ['a', 'b']
      action: debug:log
      input: {message: 'item ${{ each.value }}'}
    - id: publish
      action: publish:file
      input: {path: '${{ parameters.name }}'}
    - id: register
      action: catalog:register
      input: {repoContentsUrl: '${{ steps.publish.output.repoContentsUrl }}', catalogInfoPath: /catalog-info.yaml}
  output:
    links:
      - {title: Open in catalog, icon: catalog, entityRef: '${{ steps.register.output.entityRef }}'}
    text:
      - {title: Where, content: '${{ steps.publish.output.path }}'}
      - {title: Leak, content: 'key=${{ secrets.apiKey }}'}
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: create-workspace
  title: Create Development Workspace
spec:
  type: workspace
  parameters:
    - title: Workspace Details
      properties:
        name: {type: string}
        image: {type: string, default: 'ubuntu:22.04'}
  steps:
    - id: create
      name: Create Workspace
      action: butler:workspace:create
      input: {name: '${{ parameters.name }}', image: '${{ parameters.image }}'}
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: slow
spec:
  type: demo
  parameters: {properties: {seconds: {type: number, default: 30}}}
  steps:
    - {id: wait, action: debug:wait, input: {seconds: '${{ parameters.seconds }}'}}
    - {id: after, action: debug:log, input: {message: never}}
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: broken
spec:
  type: demo
  steps:
    - {id: bad, action: debug:log, input: {message: '${{ parameters.x | nosuchfilter }}'}}
"#;

pub struct Harness {
    pub be: Arc<TestBackend>,
    pub dir: tempfile::TempDir,
    pub base: String,
}

pub fn user() -> String {
    // An operator of team-a: the catalog lets operators register locations.
    test_token(
        "user:default/jane",
        &["group:default/team-a", "group:default/team-a-operators"],
    )
}
pub fn other() -> String {
    test_token("user:default/bob", &["group:default/team-b"])
}
pub fn operator() -> String {
    test_token("user:default/olga", &["group:default/web-operators"])
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

impl Harness {
    pub async fn start(db: TestDb) -> Self {
        Self::start_with(db, json!({})).await
    }

    pub async fn start_with(db: TestDb, extra: Value) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let tdir = dir.path().join("templates");
        write(&tdir.join("templates.yaml"), TEMPLATES);
        write(
            &tdir.join("skeleton/catalog-info.yaml"),
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${{ values.name }}\nspec:\n  type: service\n  lifecycle: experimental\n  owner: ${{ values.owner }}\n",
        );
        write(
            &tdir.join("skeleton/src/${{ values.name }}.rs"),
            "// replicas: ${{ values.replicas }}\n",
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut scaffolder = json!({
            "catalogBaseUrl": format!("{base}/api/catalog"),
            "workDir": dir.path().join("work"),
            "publishDir": dir.path().join("published"),
        });
        if let Some(o) = extra.as_object() {
            for (k, v) in o {
                scaffolder[k] = v.clone();
            }
        }
        let config = json!({
            "catalog": {
                "locations": [{"type": "file", "target": tdir.join("templates.yaml")}],
                "processingIntervalSeconds": 1
            },
            "scaffolder": scaffolder,
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
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        let h = Self { be, dir, base };
        h.wait_for_entity("template:default/svc").await;
        h.wait_for_entity("template:default/slow").await;
        h
    }

    pub fn published(&self) -> PathBuf {
        self.dir.path().join("published")
    }

    pub async fn wait_for_entity(&self, r: &str) -> Value {
        let (kind, rest) = r.split_once(':').unwrap();
        let (ns, name) = rest.split_once('/').unwrap();
        let t0 = Instant::now();
        loop {
            let resp = self
                .be
                .get_as(
                    &format!("/api/catalog/entities/by-name/{kind}/{ns}/{name}"),
                    &user(),
                )
                .await;
            if resp.status == 200 {
                return resp.json();
            }
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "{r} never appeared in the catalog"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn create(&self, template: &str, values: Value, token: &str) -> TestResponse {
        self.be
            .post_json_as(
                "/api/scaffolder/v2/tasks",
                &json!({"templateRef": template, "values": values}),
                token,
            )
            .await
    }

    pub async fn create_ok(&self, template: &str, values: Value, token: &str) -> String {
        let r = self.create(template, values, token).await;
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        r.json()["id"].as_str().unwrap().to_string()
    }

    pub async fn task(&self, id: &str) -> Value {
        self.be
            .get_as(&format!("/api/scaffolder/v2/tasks/{id}"), &user())
            .await
            .json()
    }

    pub async fn wait_status(&self, id: &str, statuses: &[&str]) -> Value {
        let t0 = Instant::now();
        loop {
            let t = self.task(id).await;
            if statuses.contains(&t["status"].as_str().unwrap_or_default()) {
                return t;
            }
            assert!(t0.elapsed() < Duration::from_secs(20), "task stuck: {t}");
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }

    pub async fn events(&self, id: &str) -> Vec<Value> {
        let r = self
            .be
            .get_as(
                &format!("/api/scaffolder/v2/tasks/{id}/events?after=0"),
                &user(),
            )
            .await;
        assert_eq!(r.status, 200);
        r.json().as_array().unwrap().clone()
    }

    pub fn messages(events: &[Value]) -> Vec<String> {
        events
            .iter()
            .map(|e| {
                e["body"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    }
}
