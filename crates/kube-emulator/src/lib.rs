//! `kube-emulator`: an in-process Kubernetes API server on loopback, for tests and demos.
//!
//! It follows the real API conventions closely enough for `kubectl` and the `kube` crate:
//! discovery, CRUD with `resourceVersion` optimistic concurrency, label/field selectors,
//! `limit`/`continue`, watches (resume, bookmarks, 410 Expired), status subresources, merge /
//! strategic-merge / JSON patch, finalizers, `Status` error bodies, the `Table` format, CRDs
//! through `apiextensions.k8s.io/v1` (with schema defaulting, pruning and validation),
//! impersonation with a small RBAC model ([`rbac`]), and exec over WebSocket ([`exec`]).
//!
//! A simulated Butler controller ([`controller`]) moves TenantClusters, TenantAddons,
//! ManagementAddons and Workspaces through their phases, and [`seed::seed_demo`] fills the
//! store with a realistic management cluster.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use kube_emulator::{Emulator, EmulatorConfig};
//! // `EmulatorConfig::demo(6443)` for a fixed port; `EmulatorConfig::for_tests()` for a fast controller.
//! let emu = Emulator::start(EmulatorConfig::demo(0)).await?;
//! println!("kubectl --server {} get tenantclusters -A", emu.url());
//! let kubeconfig_yaml = emu.kubeconfig(); // context "emulator", plain HTTP
//! # let _ = kubeconfig_yaml;
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Standalone: `cargo run -p kube-emulator --example serve -- 6443 --demo`.
//! Figures: `cargo run --release -p kube-emulator --example bench`.
//!
//! Known simplifications: responses are JSON only (protobuf *requests* are decoded for
//! Namespace, ConfigMap, Secret, ServiceAccount and SelfSubjectAccessReview); discovery is the
//! legacy (non-aggregated) format; `continue` tokens resume after the last key rather than
//! serving a snapshot; built-in kinds are not schema-validated; deleting a namespace removes its
//! contents at once; there is no authentication (loopback only, identity from impersonation
//! headers); server-side apply is a merge patch without field ownership.
//!
//! **Exec runs commands on the host** (as the emulator's user), for pods that exist in the
//! store; it is meant for tests and demos on a developer machine, never for production.

pub mod controller;
pub mod discovery;
pub mod error;
pub mod exec;
pub mod openapi;
pub mod patch;
pub mod protobuf;
pub mod rbac;
pub mod resources;
pub mod review;
pub mod router;
pub mod schema;
pub mod seed;
pub mod selectors;
pub mod store;
pub mod table;
pub mod watch;

pub use controller::ControllerConfig;
pub use error::ApiError;
pub use exec::ExecConfig;
pub use rbac::{Grant, RbacConfig, Subject};
pub use store::Store;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Emulator settings.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Address to listen on (port 0 picks a free port). Defaults to `127.0.0.1:0`.
    pub listen: SocketAddr,
    /// Watch events kept for resumption; older resource versions get 410 Expired.
    pub history_limit: usize,
    /// Default watch duration when the client sets no `timeoutSeconds`.
    pub watch_timeout: Duration,
    /// Interval between BOOKMARK events (when the client allows them).
    pub bookmark_interval: Duration,
    /// Authorization model.
    pub rbac: RbacConfig,
    /// Exec settings.
    pub exec: ExecConfig,
    /// Run the simulated Butler controller (`None`: off).
    pub controller: Option<ControllerConfig>,
    /// Install the Butler CRDs at start.
    pub install_butler_crds: bool,
    /// Seed the demo management cluster ([`seed::seed_demo`]).
    pub seed_demo: bool,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            history_limit: 10_000,
            watch_timeout: Duration::from_secs(1800),
            bookmark_interval: Duration::from_secs(30),
            rbac: RbacConfig::default(),
            exec: ExecConfig::default(),
            controller: Some(ControllerConfig::default()),
            install_butler_crds: true,
            seed_demo: false,
        }
    }
}

impl EmulatorConfig {
    /// The demo management cluster on `127.0.0.1:<port>` (0: any free port): seeded, with the
    /// controller at its default pace (3 s per phase; spec durations × 1/60).
    pub fn demo(port: u16) -> Self {
        EmulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], port)),
            seed_demo: true,
            ..Default::default()
        }
    }

    /// For tests: any free port, a fast controller (30 ms per phase, spec durations × 1/10000).
    pub fn for_tests() -> Self {
        EmulatorConfig {
            controller: Some(ControllerConfig {
                pace: Duration::from_millis(30),
                time_scale: 0.0001,
            }),
            ..Default::default()
        }
    }
}

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub struct AppState {
    /// The object store.
    pub store: Arc<Store>,
    /// Configuration.
    pub config: Arc<EmulatorConfig>,
    /// Where the server listens.
    pub addr: SocketAddr,
    /// Cancelled on shutdown (ends watches and exec sessions).
    pub cancel: CancellationToken,
}

/// A running emulator.
pub struct Emulator {
    addr: SocketAddr,
    store: Arc<Store>,
    cancel: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Emulator {
    /// Bind, install the Butler CRDs, optionally seed, start the controller and serve.
    pub async fn start(config: EmulatorConfig) -> anyhow::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        Self::serve(listener, config).await
    }

    /// Like [`Emulator::start`] with an already bound listener.
    pub async fn serve(
        listener: tokio::net::TcpListener,
        config: EmulatorConfig,
    ) -> anyhow::Result<Emulator> {
        let addr = listener.local_addr()?;
        let store = Store::new(config.history_limit);
        if config.install_butler_crds {
            install_butler_crds(&store)?;
        }
        if config.seed_demo {
            seed::seed_demo(&store)?;
        }
        let cancel = CancellationToken::new();
        let mut tasks = Vec::new();
        if let Some(cc) = config.controller.clone() {
            let ctl = controller::Controller::new(store.clone(), cc, format!("http://{addr}"));
            let c = cancel.clone();
            tasks.push(tokio::spawn(async move { ctl.run(c).await }));
        }
        let state = AppState {
            store: store.clone(),
            config: Arc::new(config),
            addr,
            cancel: cancel.clone(),
        };
        let app = router::router(state);
        let c = cancel.clone();
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move { c.cancelled().await })
                .await;
        }));
        Ok(Emulator {
            addr,
            store,
            cancel,
            tasks,
        })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The store (for direct inspection or seeding in tests).
    pub fn store(&self) -> Arc<Store> {
        self.store.clone()
    }

    /// A kubeconfig document pointing at the emulator (context `emulator`).
    pub fn kubeconfig(&self) -> String {
        kubeconfig_yaml(&self.url())
    }

    /// Stop serving and stop the controller.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        for t in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
        }
    }
}

/// A kubeconfig for a plain-HTTP server URL (context, cluster and user named `emulator`).
pub fn kubeconfig_yaml(url: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: emulator\n  cluster:\n    server: {url}\ncontexts:\n- name: emulator\n  context:\n    cluster: emulator\n    user: emulator\ncurrent-context: emulator\nusers:\n- name: emulator\n  user: {{}}\n"
    )
}

/// Create (or leave in place) the Butler CustomResourceDefinitions.
pub fn install_butler_crds(store: &Store) -> anyhow::Result<()> {
    let rt = store
        .resolve("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        .ok_or_else(|| anyhow::anyhow!("CRD kind missing"))?;
    for crd in plugin_butler_common::all_crds() {
        let v = serde_json::to_value(&crd)?;
        match store.create(&rt, "", v, false) {
            Ok(_) => {}
            Err(e) if e.code == 409 => {}
            Err(e) => return Err(anyhow::anyhow!("installing {}: {e}", crd.spec.names.plural)),
        }
    }
    Ok(())
}
