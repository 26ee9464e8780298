//! The `butler` backend plugin (mounted at `/api/butler`): the portal's Kubernetes layer for
//! the Butler management cluster.
//!
//! * **Connection** ([`config`]): an explicit `butler.kubernetes` section (`url`/`token`/
//!   `caData`/`insecureSkipTlsVerify`, or `kubeconfig`/`context`), else — in `--demo` mode —
//!   the in-process [`kube_emulator`] (seeded demo management cluster, controller on, free
//!   loopback port), else `$KUBECONFIG`/`~/.kube/config`, else the in-cluster service account.
//! * **Per-user authority** ([`connection`]): every call made on behalf of a user goes through
//!   a client that impersonates that user (`Impersonate-User: <email>`, `Impersonate-Group:
//!   <teams and groups>`), so Kubernetes RBAC decides what the user may see and do. The
//!   portal's own credentials are used only for the status probe, the watch caches and reading
//!   IdentityProvider client secrets — never for a user's request. Other plugins get the same
//!   impersonating clients through
//!   [`KubernetesExtensionPoint::client_for`](backend_plugin_api::kubernetes::KubernetesExtensionPoint::client_for).
//! * **Watch caches** ([`cache`]) of TenantCluster, Team, User and IdentityProvider; malformed
//!   objects are skipped with a logged reason.
//! * **Catalog** ([`provider`], [`entities`]): TenantCluster → Resource (`kubernetes-cluster`),
//!   Team → Group (`team`), User → User; a full mutation at start, deltas on every change.
//! * **Identity** ([`identity`], [`roles`]): IdentityProviders become OIDC sign-in providers at
//!   run time; Team roles and `isPlatformAdmin` feed the permission policy.
//! * **Readiness**: `/readyz` has a `kubernetes` check — `degraded` (not failed) while the API
//!   server is unreachable or refuses the portal's credentials; the portal stays up and the
//!   Kubernetes-backed endpoints answer 503 `ServiceUnavailableError` saying why.
//!
//! Routes: `GET /status` → `{connected, server, version, demo, message?}`; `GET /clusters`
//! (the TenantClusters the caller may read); `GET /clusters/{namespace}/{name}`.

pub mod cache;
pub mod config;
pub mod connection;
pub mod entities;
pub mod identity;
pub mod provider;
pub mod roles;
pub mod routes;

use backend_plugin_api::catalog::CatalogProcessingExtensionPoint;
use backend_plugin_api::directory::UserDirectoryExtensionPoint;
use backend_plugin_api::kubernetes::{KubernetesAccess, KubernetesExtensionPoint};
use backend_plugin_api::readiness::{CheckResult, ReadinessCheck, ReadinessExtensionPoint};
use backend_plugin_api::signin::SignInProvidersExtensionPoint;
use backend_plugin_api::{
    async_trait, BackendPlugin, PermissionService, PluginContext, PluginError, Registrar,
};
use cache::Caches;
use connection::Connection;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, OnceCell};
use tokio_util::sync::CancellationToken;

/// What the plugin's background parts share once `init` ran.
pub(crate) struct Shared {
    pub(crate) connection: Arc<Connection>,
    pub(crate) shutdown: CancellationToken,
    pub(crate) base_url: String,
}

/// The Butler backend plugin.
#[derive(Default)]
pub struct ButlerBackendPlugin {
    shared: Arc<OnceCell<Arc<Shared>>>,
    caches: Arc<OnceCell<Arc<Caches>>>,
    ready: Arc<Notify>,
}

struct KubeReadiness {
    shared: Arc<OnceCell<Arc<Shared>>>,
}

#[async_trait]
impl ReadinessCheck for KubeReadiness {
    fn name(&self) -> &str {
        "kubernetes"
    }

    async fn check(&self) -> CheckResult {
        let Some(shared) = self.shared.get() else {
            return CheckResult::degraded("the butler plugin has not started");
        };
        let c = &shared.connection;
        let st = c.status();
        if !c.is_configured() {
            // Running without Kubernetes is a deliberate configuration, not an impairment.
            return CheckResult {
                message: Some(format!(
                    "not configured: {}",
                    st.message.unwrap_or_default()
                )),
                ..CheckResult::ok()
            };
        }
        if st.connected {
            CheckResult {
                message: Some(format!(
                    "{}{} {}",
                    st.server,
                    if st.demo { " (demo cluster)" } else { "" },
                    st.version.unwrap_or_default()
                )),
                ..CheckResult::ok()
            }
        } else {
            CheckResult::degraded(format!(
                "{}: {}",
                st.server,
                st.message.unwrap_or_else(|| "not connected".into())
            ))
        }
    }
}

#[async_trait]
impl BackendPlugin for ButlerBackendPlugin {
    fn id(&self) -> &'static str {
        "butler"
    }

    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    fn register(&self, reg: &mut Registrar) {
        reg.extension::<CatalogProcessingExtensionPoint>()
            .add_entity_provider(Arc::new(provider::ButlerEntityProvider {
                shared: self.shared.clone(),
                ready: self.ready.clone(),
            }));
        reg.extension::<PermissionService>()
            .add_role_provider(Arc::new(roles::ButlerRoles {
                caches: self.caches.clone(),
            }));
        reg.extension::<ReadinessExtensionPoint>()
            .add_check(Arc::new(KubeReadiness {
                shared: self.shared.clone(),
            }));
    }

    async fn init(&self, ctx: PluginContext) -> Result<axum::Router, PluginError> {
        let cfg: config::ButlerConfig = ctx.config()?;
        let demo_mode = ctx.host().demo;
        let shutdown = ctx.shutdown();
        let directory = ctx.extension::<UserDirectoryExtensionPoint>();
        let (base, demo, reason) = match config::resolve(&cfg, demo_mode).await? {
            config::Source::Config(c, origin) => {
                tracing::info!(source = %origin, server = %c.cluster_url, "Kubernetes configuration");
                (Some(*c), false, None)
            }
            config::Source::Emulator => {
                let emu = kube_emulator::Emulator::start(kube_emulator::EmulatorConfig::demo(0))
                    .await
                    .map_err(|e| PluginError::Other(format!("demo cluster: {e}")))?;
                let url = emu.url();
                tracing::info!(server = %url, "demo cluster (kube-emulator) started; try: kubectl --server {url} get tenantclusters -A");
                let stop = shutdown.clone();
                tokio::spawn(async move {
                    stop.cancelled().await;
                    emu.shutdown().await;
                });
                let config = kube::Config::new(
                    url.parse()
                        .map_err(|e| PluginError::Other(format!("demo cluster URL: {e}")))?,
                );
                (Some(config), true, None)
            }
            config::Source::None(reason) => {
                tracing::info!(%reason, "Kubernetes is not configured; Butler features are off");
                (None, false, Some(reason))
            }
        };
        let connection = Connection::new(base, demo, reason, directory)
            .map_err(|e| PluginError::Config(format!("butler.kubernetes: {e}")))?;
        if let Some(client) = connection.service_client() {
            connection.probe().await;
            let c = connection.clone();
            let stop = shutdown.clone();
            tokio::spawn(async move {
                loop {
                    let every = if c.status().connected { 10 } else { 3 };
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(every)) => {}
                    }
                    c.probe().await;
                }
            });
            connection.caches.start(client.clone(), shutdown.clone());
            identity::spawn_sync(
                connection.caches.clone(),
                client,
                ctx.extension::<SignInProvidersExtensionPoint>(),
                shutdown.clone(),
            );
        }
        ctx.extension::<KubernetesExtensionPoint>()
            .set(connection.clone() as Arc<dyn KubernetesAccess>);
        let _ = self.caches.set(connection.caches.clone());
        let _ = self.shared.set(Arc::new(Shared {
            connection: connection.clone(),
            shutdown,
            base_url: ctx.host().base_url.clone(),
        }));
        self.ready.notify_waiters();
        Ok(routes::router(routes::RouteState { connection }))
    }
}
