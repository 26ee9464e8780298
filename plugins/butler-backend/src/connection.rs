//! [`Connection`]: the portal's link to the management cluster and the per-user clients.
//!
//! * The **portal identity** (the configured credentials) is used only for the status probe and
//!   the watch caches.
//! * **User requests** always go through [`Connection::client_for`], a client that sends
//!   `Impersonate-User` (the user's email: the catalog User entity's `spec.profile.email`, else
//!   the Butler User resource of the same name, else the user entity ref itself) and one
//!   `Impersonate-Group` per Butler team the email belongs to and per catalog group of the
//!   caller. The API server's RBAC then decides; the portal never acts for a user with its own
//!   authority. (On a real cluster the portal's service account needs the `impersonate` verb
//!   on users and groups, and nothing else beyond read access to the Butler kinds.)

use crate::cache::Caches;
use backend_plugin_api::auth::Identity;
use backend_plugin_api::directory::UserDirectoryExtensionPoint;
use backend_plugin_api::kubernetes::{KubernetesAccess, KubernetesError, KubernetesStatus};
use backend_plugin_api::{async_trait, ApiError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// Most impersonating clients kept (cleared when exceeded).
const CLIENT_CACHE_LIMIT: usize = 512;

/// The connection, its status and the caches.
pub struct Connection {
    base: Option<kube::Config>,
    service: Option<kube::Client>,
    status: RwLock<KubernetesStatus>,
    clients: Mutex<HashMap<(String, Vec<String>), kube::Client>>,
    /// Watch caches of the Butler kinds.
    pub caches: Arc<Caches>,
    directory: Arc<UserDirectoryExtensionPoint>,
}

impl Connection {
    /// A connection with client configuration `base` (`None`: not configured, `reason`).
    pub fn new(
        base: Option<kube::Config>,
        demo: bool,
        reason: Option<String>,
        directory: Arc<UserDirectoryExtensionPoint>,
    ) -> Result<Arc<Self>, String> {
        let mut base = base;
        if let Some(b) = base.as_mut() {
            b.connect_timeout = Some(Duration::from_secs(5));
            b.read_timeout = b.read_timeout.or(Some(Duration::from_secs(295)));
        }
        let service = match &base {
            Some(b) => Some(kube::Client::try_from(b.clone()).map_err(|e| e.to_string())?),
            None => None,
        };
        let server = base
            .as_ref()
            .map(|b| b.cluster_url.to_string().trim_end_matches('/').to_string())
            .unwrap_or_default();
        Ok(Arc::new(Self {
            status: RwLock::new(KubernetesStatus {
                connected: false,
                server,
                version: None,
                demo,
                message: Some(reason.unwrap_or_else(|| "not probed yet".into())),
            }),
            base,
            service,
            clients: Mutex::new(HashMap::new()),
            caches: Caches::new(),
            directory,
        }))
    }

    /// Whether a client configuration exists.
    pub fn is_configured(&self) -> bool {
        self.base.is_some()
    }

    /// The portal's own client (probe and caches only; never for user requests).
    pub(crate) fn service_client(&self) -> Option<kube::Client> {
        self.service.clone()
    }

    /// Ask the API server for its version and whether the portal's credentials may list
    /// TenantClusters in all namespaces (what the watch caches need); update the status.
    pub async fn probe(&self) -> KubernetesStatus {
        let Some(client) = self.service.clone() else {
            return self.status();
        };
        let result = tokio::time::timeout(Duration::from_secs(5), async {
            let info = client.apiserver_version().await.map_err(describe)?;
            let api: kube::Api<plugin_butler_common::TenantCluster> =
                kube::Api::all(client.clone());
            api.list_metadata(&kube::api::ListParams::default().limit(1))
                .await
                .map_err(describe)?;
            Ok::<_, String>(info.git_version)
        })
        .await
        .unwrap_or_else(|_| Err("the API server did not answer within 5 s".into()));
        let mut st = self.status.write().unwrap_or_else(|e| e.into_inner());
        let was = st.connected;
        match result {
            Ok(v) => {
                st.connected = true;
                st.version = Some(v);
                st.message = None;
                if !was {
                    tracing::info!(server = %st.server, version = ?st.version, "Kubernetes API connected");
                }
            }
            Err(m) => {
                if was || st.message.as_deref() != Some(m.as_str()) {
                    tracing::warn!(server = %st.server, error = %m, "Kubernetes API unavailable");
                }
                st.connected = false;
                st.message = Some(m);
            }
        }
        st.clone()
    }

    /// The Kubernetes user and groups for `identity` (see the module docs).
    pub async fn impersonation(&self, identity: &Identity) -> (String, Vec<String>) {
        // Right after start the caches may still be listing: wait briefly for them.
        for _ in 0..40 {
            if self.caches.users.is_ready() && self.caches.teams.is_ready() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let user_ref = identity.user_entity_ref.as_str();
        let name = user_ref
            .split_once('/')
            .map(|(_, n)| n)
            .unwrap_or(user_ref)
            .to_string();
        let mut email = None;
        if let Some(dir) = self.directory.get() {
            if let Some(u) = dir.find_by_ref(user_ref).await {
                email = u.email;
            }
        }
        if email.is_none() {
            email = self
                .caches
                .users
                .get(&name)
                .map(|u| u.spec.email.clone())
                .filter(|e| !e.is_empty());
        }
        let user = email.unwrap_or_else(|| user_ref.to_string());
        let mut groups: Vec<String> = self
            .caches
            .teams_of(&user)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        for r in &identity.ownership_entity_refs {
            if let Some(g) = r.strip_prefix("group:") {
                let g = g.split_once('/').map(|(_, n)| n).unwrap_or(g);
                groups.push(g.to_string());
            }
        }
        groups.sort();
        groups.dedup();
        (user, groups)
    }

    fn ensure_connected(&self) -> Result<(), KubernetesError> {
        let st = self.status();
        if self.base.is_none() {
            return Err(KubernetesError::NotConfigured(
                st.message.unwrap_or_default(),
            ));
        }
        if !st.connected {
            return Err(KubernetesError::Unavailable(format!(
                "{} ({})",
                st.message.unwrap_or_else(|| "not connected".into()),
                st.server
            )));
        }
        Ok(())
    }
}

#[async_trait]
impl KubernetesAccess for Connection {
    async fn client_for(&self, identity: &Identity) -> Result<kube::Client, KubernetesError> {
        self.ensure_connected()?;
        let Some(base) = &self.base else {
            return Err(KubernetesError::NotConfigured("no configuration".into()));
        };
        let key = self.impersonation(identity).await;
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = clients.get(&key) {
            return Ok(c.clone());
        }
        let mut config = base.clone();
        config.auth_info.impersonate = Some(key.0.clone());
        config.auth_info.impersonate_groups = Some(key.1.clone());
        let client = kube::Client::try_from(config)
            .map_err(|e| KubernetesError::Unavailable(format!("cannot build a client: {e}")))?;
        if clients.len() >= CLIENT_CACHE_LIMIT {
            clients.clear();
        }
        clients.insert(key, client.clone());
        Ok(client)
    }

    async fn impersonation_of(
        &self,
        identity: &Identity,
    ) -> Result<(String, Vec<String>), KubernetesError> {
        Ok(self.impersonation(identity).await)
    }

    fn status(&self) -> KubernetesStatus {
        self.status
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// A short, human description of a client error.
pub fn describe(e: kube::Error) -> String {
    match e {
        kube::Error::Api(s) if s.code == 401 => {
            "the API server refused the portal's credentials (401 Unauthorized)".into()
        }
        kube::Error::Api(s) if s.code == 403 => {
            format!("the portal's credentials are not allowed: {}", s.message)
        }
        kube::Error::Api(s) => format!("{} ({})", s.message, s.code),
        kube::Error::HyperError(e) => format!("cannot reach the API server: {}", chain(&e)),
        kube::Error::Service(e) => format!("cannot reach the API server: {}", chain(&*e)),
        other => chain(&other),
    }
}

/// An error and its sources, `: `-separated, without repeats.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
}

/// Map a client error of a user request to the portal's error.
pub fn api_error(e: kube::Error) -> ApiError {
    match e {
        kube::Error::Api(s) if s.code == 404 => ApiError::NotFound(s.message),
        kube::Error::Api(s) if s.code == 403 && s.message.contains("impersonate") => {
            ApiError::ServiceUnavailable(format!(
                "the portal may not impersonate users on this cluster: {}",
                s.message
            ))
        }
        kube::Error::Api(s) if s.code == 403 => ApiError::NotAllowed(s.message),
        kube::Error::Api(s) if s.code == 401 => ApiError::ServiceUnavailable(
            "the Kubernetes API server refused the portal's credentials".into(),
        ),
        kube::Error::Api(s) if s.code == 409 => ApiError::Conflict(s.message),
        kube::Error::Api(s) if s.code == 400 || s.code == 422 => ApiError::Input(s.message),
        other => ApiError::ServiceUnavailable(format!(
            "the Kubernetes API server is unavailable: {}",
            describe(other)
        )),
    }
}
