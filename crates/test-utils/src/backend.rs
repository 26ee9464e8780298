//! [`TestBackend`]: plugins started exactly as the host starts them.

use crate::TestDb;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use backend_plugin_api::auth::{
    authenticate, AuthExtensionPoint, AuthFailure, AuthnState, CredentialVerifier, Identity,
    Principal,
};
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
    extensions: Arc<backend_plugin_api::Extensions>,
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
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
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
        let mut root = Router::new();
        for p in &built.plugins {
            if let Some(m) = p.migrations() {
                db.database()
                    .migrate(p.id(), &m)
                    .await
                    .expect("migrations apply");
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
            for (path, owner) in &built.root_paths {
                if *owner == p.id() {
                    root = match path.strip_suffix("/*") {
                        Some(prefix) => root
                            .route_service(prefix, r.clone())
                            .route_service(&format!("{prefix}/{{*rest}}"), r.clone()),
                        None => root.route_service(path, r.clone()),
                    };
                }
            }
            router = router.nest(&format!("/api/{}", p.id()), r);
        }
        let router = router.merge(root);
        let auth = built.extensions.get_or_default::<AuthExtensionPoint>();
        if auth.verifier().is_none() {
            auth.set_verifier(Arc::new(TestVerifier));
        }
        let mut protected: Vec<String> = built
            .plugins
            .iter()
            .map(|p| format!("/api/{}", p.id()))
            .collect();
        protected.push("/api/plugins".into());
        let authn = AuthnState {
            auth: built.extensions.get_or_default::<AuthExtensionPoint>(),
            anonymous: Arc::new(built.anonymous.clone()),
            protected_prefixes: Arc::new(protected),
            root_paths: Arc::new(built.root_paths.iter().map(|(p, _)| p.clone()).collect()),
        };
        let router = router
            .layer(axum::middleware::from_fn(move |req, next| {
                authenticate(authn.clone(), req, next)
            }))
            .layer(axum::middleware::from_fn(
                backend_plugin_api::error::error_body_layer,
            ));
        Self {
            router,
            db,
            shutdown,
            extensions: built.extensions.clone(),
        }
    }

    /// The router.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// A shared extension point of this backend.
    pub fn extension<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        self.extensions.get_or_default::<T>()
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

    /// `GET path` without credentials.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// `GET path` with `Authorization: Bearer <token>`.
    pub async fn get_as(&self, path: &str, token: &str) -> TestResponse {
        self.send(
            Request::get(path)
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// `POST path` with a JSON body and a bearer token.
    pub async fn post_json_as(
        &self,
        path: &str,
        body: &serde_json::Value,
        token: &str,
    ) -> TestResponse {
        self.send(
            Request::post(path)
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// `DELETE path` with a bearer token.
    pub async fn delete_as(&self, path: &str, token: &str) -> TestResponse {
        self.send(
            Request::delete(path)
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
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
        self.send(Request::delete(path).body(Body::empty()).unwrap())
            .await
    }
}

/// A test token for [`TestVerifier`]: `test:<user ref>[,<group ref>…]`.
pub fn test_token(user_ref: &str, groups: &[&str]) -> String {
    let mut t = format!("test:{user_ref}");
    for g in groups {
        t.push(',');
        t.push_str(g);
    }
    t
}

/// Installed by [`TestBackend`] when no auth plugin is part of the test: accepts
/// [`test_token`]s so plugin tests can act as any user. Never used outside tests.
struct TestVerifier;

#[backend_plugin_api::async_trait]
impl CredentialVerifier for TestVerifier {
    async fn verify(&self, bearer: &str) -> Result<Identity, AuthFailure> {
        let rest = bearer
            .strip_prefix("test:")
            .ok_or_else(|| AuthFailure("not a test token".into()))?;
        let refs: Vec<String> = rest.split(',').map(str::to_string).collect();
        Ok(Identity {
            user_entity_ref: refs[0].clone(),
            ownership_entity_refs: refs,
            principal: Principal::User,
        })
    }
}

impl Drop for TestBackend {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
