//! `/api/butler` routes: `GET /status`, `GET /clusters`, `GET /clusters/{ns}/{name}`.

use crate::cache::key_of;
use crate::connection::{api_error, Connection};
use crate::entities::provider_of;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use backend_plugin_api::kubernetes::{KubernetesAccess, KubernetesStatus};
use backend_plugin_api::{ApiError, Caller};
use kube::api::{ApiResource, DynamicObject, ListParams};
use kube::{Api, ResourceExt};
use plugin_butler_common::TenantCluster;
use serde::Serialize;
use std::sync::Arc;

/// Router state.
#[derive(Clone)]
pub struct RouteState {
    /// The connection.
    pub connection: Arc<Connection>,
}

/// A TenantCluster as the cluster list shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSummary {
    /// Namespace (the team's).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Owning team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Lifecycle phase.
    pub phase: String,
    /// Infrastructure provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Desired Kubernetes version.
    pub kubernetes_version: String,
    /// Desired workers.
    pub workers_desired: i32,
    /// Ready workers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workers_ready: Option<i32>,
    /// API endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_plane_endpoint: Option<String>,
    /// Creation time (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// The catalog entity ref.
    pub entity_ref: String,
}

/// `GET /clusters` body.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterList {
    /// Clusters visible to the caller.
    pub items: Vec<ClusterSummary>,
    /// The Kubernetes user the request impersonated.
    #[serde(rename = "impersonatedAs")]
    pub impersonated_as: String,
    /// The Kubernetes groups it impersonated.
    #[serde(rename = "impersonatedGroups")]
    pub impersonated_groups: Vec<String>,
}

impl ClusterSummary {
    /// Summarise a cluster.
    pub fn of(c: &TenantCluster) -> Self {
        let status = c.status.as_ref();
        Self {
            namespace: c.namespace().unwrap_or_default(),
            name: c.name_any(),
            team: c.team().map(str::to_string),
            phase: c.phase().as_str().to_string(),
            provider: provider_of(c),
            kubernetes_version: c.spec.kubernetes_version.clone(),
            workers_desired: c.spec.workers.replicas,
            workers_ready: status.and_then(|s| s.worker_nodes_ready),
            control_plane_endpoint: status.and_then(|s| s.control_plane_endpoint.clone()),
            created_at: c
                .metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.0.to_string()),
            entity_ref: format!("resource:default/{}", c.name_any().to_lowercase()),
        }
    }
}

/// The router.
pub fn router(state: RouteState) -> Router {
    Router::new()
        .route("/status", get(status))
        .route("/clusters", get(list_clusters))
        .route("/clusters/{namespace}/{name}", get(get_cluster))
        .with_state(state)
}

async fn status(State(s): State<RouteState>, _caller: Caller) -> Json<KubernetesStatus> {
    Json(s.connection.status())
}

fn cluster_api(client: kube::Client, namespace: Option<&str>) -> Api<DynamicObject> {
    let ar = ApiResource::erase::<TenantCluster>(&());
    match namespace {
        Some(ns) => Api::namespaced_with(client, ns, &ar),
        None => Api::all_with(client, &ar),
    }
}

fn typed(obj: DynamicObject) -> Option<TenantCluster> {
    let key = key_of(&obj.metadata);
    serde_json::to_value(&obj)
        .ok()
        .and_then(|v| serde_json::from_value::<TenantCluster>(v).ok())
        .or_else(|| {
            tracing::warn!(object = %key, "skipping malformed TenantCluster");
            None
        })
}

async fn list_in(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Result<Vec<TenantCluster>, kube::Error> {
    let list = cluster_api(client.clone(), namespace)
        .list(&ListParams::default())
        .await?;
    Ok(list.items.into_iter().filter_map(typed).collect())
}

fn forbidden(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 403 && !s.message.contains("impersonate"))
}

/// The TenantClusters the caller may see: a cluster-wide list when its RBAC allows it, else
/// one list per namespace of the caller's teams (what it is allowed to read there).
async fn list_clusters(
    State(s): State<RouteState>,
    Caller(me): Caller,
) -> Result<Json<ClusterList>, ApiError> {
    let client = s.connection.client_for(&me).await?;
    let (user, groups) = s.connection.impersonation(&me).await;
    let mut items = match list_in(&client, None).await {
        Ok(items) => items,
        Err(e) if forbidden(&e) => {
            let mut namespaces: Vec<String> = Vec::new();
            for t in s.connection.caches.teams.all() {
                let member = t.role_of(&user).is_some()
                    || groups.iter().any(|g| g == &t.name_any())
                    || t.spec
                        .access
                        .groups
                        .iter()
                        .any(|tg| groups.iter().any(|g| g == &tg.name));
                if member {
                    namespaces.push(
                        t.status
                            .as_ref()
                            .and_then(|st| st.namespace.clone())
                            .unwrap_or_else(|| t.name_any()),
                    );
                }
            }
            namespaces.sort();
            namespaces.dedup();
            let mut items = Vec::new();
            for ns in namespaces {
                match list_in(&client, Some(&ns)).await {
                    Ok(mut more) => items.append(&mut more),
                    Err(e) if forbidden(&e) => {}
                    Err(e) => return Err(api_error(e)),
                }
            }
            items
        }
        Err(e) => return Err(api_error(e)),
    };
    items.sort_by_key(|c| (c.namespace().unwrap_or_default(), c.name_any()));
    Ok(Json(ClusterList {
        items: items.iter().map(ClusterSummary::of).collect(),
        impersonated_as: user,
        impersonated_groups: groups,
    }))
}

async fn get_cluster(
    State(s): State<RouteState>,
    Caller(me): Caller,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let client = s.connection.client_for(&me).await?;
    let obj = cluster_api(client, Some(&namespace))
        .get(&name)
        .await
        .map_err(api_error)?;
    let cluster = typed(obj.clone()).ok_or_else(|| {
        ApiError::ServiceUnavailable(format!(
            "TenantCluster {namespace}/{name} is malformed and cannot be shown"
        ))
    })?;
    Ok(Json(serde_json::json!({
        "summary": ClusterSummary::of(&cluster),
        "resource": obj,
    })))
}
