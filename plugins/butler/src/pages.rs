//! The clusters page and the header badge.

use crate::api::{self, Cluster, ClusterDetail, Status};
use frontend_plugin_api::{use_api, use_subpath, ApiError};
use leptos::prelude::*;
use portal_ui::{
    Badge, Card, DataTable, EmptyState, ErrorPanel, KeyValue, Loading, PageHeader, Tone,
};

/// The tone of a TenantCluster phase.
pub fn phase_tone(phase: &str) -> Tone {
    match phase.to_ascii_lowercase().as_str() {
        "ready" | "installed" | "healthy" | "running" => Tone::Success,
        "failed" => Tone::Danger,
        "deleting" | "updating" | "degraded" => Tone::Warning,
        "pending" | "provisioning" | "installing" => Tone::Info,
        _ => Tone::Neutral,
    }
}

/// A phase in a colored pill.
#[component]
pub fn PhaseChip(#[prop(into)] phase: String) -> impl IntoView {
    let tone = phase_tone(&phase);
    let data = phase.clone();
    view! {
        <span data-testid="cluster-phase" data-phase=data>
            <Badge tone=tone>{phase}</Badge>
        </span>
    }
}

/// Header badge: "Demo cluster" in demo mode, "Kubernetes unavailable" when disconnected.
#[component]
pub fn ClusterBadge() -> impl IntoView {
    let api = use_api();
    let status = LocalResource::new(move || api::status(api.clone()));
    move || {
        status.get().and_then(|r| r.ok()).and_then(|s: Status| {
            if s.demo {
                Some(
                    view! {
                        <a
                            href="/butler"
                            class="cluster-badge" style="text-decoration:none"
                            data-testid="demo-cluster-badge"
                            title=format!(
                                "Connected to the in-process demo management cluster at {} (kube-emulator, seeded demo data)",
                                s.server
                            )
                        >
                            <Badge tone=Tone::Warning>"Demo cluster"</Badge>
                        </a>
                    }
                    .into_any(),
                )
            } else if !s.connected && !s.server.is_empty() {
                Some(
                    view! {
                        <a
                            href="/butler"
                            class="cluster-badge" style="text-decoration:none"
                            data-testid="kubernetes-unavailable-badge"
                            title=s.message.unwrap_or_default()
                        >
                            <Badge tone=Tone::Danger>"Kubernetes unavailable"</Badge>
                        </a>
                    }
                    .into_any(),
                )
            } else {
                None
            }
        })
    }
}

fn connection_view(s: Status) -> AnyView {
    let state = if s.connected {
        view! { <Badge tone=Tone::Success>"connected"</Badge> }.into_any()
    } else if s.server.is_empty() {
        view! { <Badge>"not configured"</Badge> }.into_any()
    } else {
        view! { <Badge tone=Tone::Danger>"unavailable"</Badge> }.into_any()
    };
    let mut items = vec![
        ("Status", state),
        (
            "API server",
            view! { <code data-testid="butler-server">{if s.server.is_empty() { "—".to_string() } else { s.server.clone() }}</code> }
                .into_any(),
        ),
    ];
    if let Some(v) = s.version.clone() {
        items.push(("Version", view! { <code>{v}</code> }.into_any()));
    }
    if s.demo {
        items.push((
            "Mode",
            view! { <Badge tone=Tone::Warning>"Demo cluster (in-process emulator)"</Badge> }
                .into_any(),
        ));
    }
    if let Some(m) = s.message.clone() {
        items.push((
            "Detail",
            view! { <span class="muted">{m}</span> }.into_any(),
        ));
    }
    view! { <KeyValue items=items /> }.into_any()
}

fn cluster_row(c: Cluster) -> impl IntoView {
    let entity = c.entity_ref.clone();
    let (_, name) = entity.split_once('/').unwrap_or(("", &entity));
    let href = format!("/catalog/default/resource/{name}");
    let workers = match c.workers_ready {
        Some(r) => format!("{r}/{}", c.workers_desired),
        None => format!("–/{}", c.workers_desired),
    };
    let detail = format!("/butler/clusters/{}/{}", c.namespace, c.name);
    view! {
        <tr data-testid="cluster-row" data-cluster=format!("{}/{}", c.namespace, c.name)>
            <td><a href=detail>{c.name.clone()}</a>" "<a class="muted" href=href title="Catalog entity">"(catalog)"</a></td>
            <td>{c.team.clone().unwrap_or_else(|| c.namespace.clone())}</td>
            <td>{c.provider.clone().unwrap_or_default()}</td>
            <td><code>{c.kubernetes_version.clone()}</code></td>
            <td>{workers}</td>
            <td><PhaseChip phase=c.phase.clone() /></td>
            <td class="muted">{c.control_plane_endpoint.clone().unwrap_or_default()}</td>
        </tr>
    }
}

/// `/butler` (connection and visible clusters) and `/butler/clusters/{namespace}/{name}`.
#[component]
pub fn ClustersPage() -> impl IntoView {
    let subpath = use_subpath();
    move || {
        let path = subpath.get();
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            ["clusters", ns, name] => {
                view! { <ClusterPage namespace=ns.to_string() name=name.to_string() /> }.into_any()
            }
            _ => view! { <ClusterList /> }.into_any(),
        }
    }
}

/// One cluster: summary, conditions and installed addons.
#[component]
fn ClusterPage(namespace: String, name: String) -> impl IntoView {
    let api = use_api();
    let (ns, n) = (namespace.clone(), name.clone());
    let detail = LocalResource::new(move || api::cluster(api.clone(), ns.clone(), n.clone()));
    view! {
        <div class="page butler-page">
            <PageHeader title=name.clone() subtitle=format!("Tenant cluster {namespace}/{name}")>
                <a class="button" href="/butler">"All clusters"</a>
            </PageHeader>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(d) => detail_view(d),
                        Err(e) => view! { <ErrorPanel error=e title="Cluster unavailable" /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

fn text(v: &serde_json::Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_default()
}

fn detail_view(d: ClusterDetail) -> AnyView {
    let c = d.summary;
    let (_, entity) = c.entity_ref.split_once('/').unwrap_or(("", &c.entity_ref));
    let entity_href = format!("/catalog/default/resource/{entity}");
    let status = &d.resource["status"];
    let conditions: Vec<serde_json::Value> =
        status["conditions"].as_array().cloned().unwrap_or_default();
    let addons: Vec<serde_json::Value> = status["observedState"]["addons"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let workers = match c.workers_ready {
        Some(r) => format!("{r}/{}", c.workers_desired),
        None => format!("–/{}", c.workers_desired),
    };
    let summary = vec![
        (
            "Phase",
            view! { <PhaseChip phase=c.phase.clone() /> }.into_any(),
        ),
        (
            "Team",
            view! { <span>{c.team.clone().unwrap_or_default()}</span> }.into_any(),
        ),
        (
            "Provider",
            view! { <span>{c.provider.clone().unwrap_or_default()}</span> }.into_any(),
        ),
        (
            "Kubernetes",
            view! { <code>{c.kubernetes_version.clone()}</code> }.into_any(),
        ),
        ("Workers ready", view! { <span>{workers}</span> }.into_any()),
        (
            "API endpoint",
            view! { <code>{c.control_plane_endpoint.clone().unwrap_or_default()}</code> }
                .into_any(),
        ),
        (
            "Catalog",
            view! { <a href=entity_href>{c.entity_ref.clone()}</a> }.into_any(),
        ),
    ];
    view! {
        <div data-testid="cluster-detail">
            <Card title="Summary"><KeyValue items=summary /></Card>
            <Card title="Conditions">
                {if conditions.is_empty() {
                    view! { <EmptyState title="No conditions reported" icon="activity" /> }.into_any()
                } else {
                    view! {
                        <DataTable headers=vec!["Type", "Status", "Reason", "Message"]>
                            {conditions.iter().map(|k| view! {
                                <tr>
                                    <td>{text(&k["type"])}</td>
                                    <td>{text(&k["status"])}</td>
                                    <td>{text(&k["reason"])}</td>
                                    <td class="muted">{text(&k["message"])}</td>
                                </tr>
                            }).collect_view()}
                        </DataTable>
                    }.into_any()
                }}
            </Card>
        </div>
        <Card title="Addons">
            {if addons.is_empty() {
                view! { <EmptyState title="No addons observed yet" icon="activity" /> }.into_any()
            } else {
                view! {
                    <DataTable headers=vec!["Addon", "Version", "Status", "Managed by"]>
                        {addons.iter().map(|a| view! {
                            <tr>
                                <td>{text(&a["name"])}</td>
                                <td><code>{text(&a["version"])}</code></td>
                                <td><PhaseChip phase=text(&a["status"]) /></td>
                                <td class="muted">{text(&a["managedBy"])}</td>
                            </tr>
                        }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </Card>
    }
    .into_any()
}

/// The connection card and the visible clusters.
#[component]
fn ClusterList() -> impl IntoView {
    let api = use_api();
    let status = {
        let api = api.clone();
        LocalResource::new(move || api::status(api.clone()))
    };
    let clusters = LocalResource::new(move || api::clusters(api.clone()));
    view! {
        <div class="page butler-page">
            <PageHeader
                title="Clusters"
                subtitle="Butler tenant clusters you may see. The portal asks Kubernetes as you, so this is exactly what your teams' roles allow."
            />
            <Card title="Kubernetes connection">
                <Suspense fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match status.await {
                            Ok(s) => connection_view(s),
                            Err(e) => view! { <ErrorPanel error=e title="Status unavailable" /> }.into_any(),
                        }
                    })}
                </Suspense>
            </Card>
            <Card title="Tenant clusters">
                <Suspense fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match clusters.await {
                            Ok(list) if list.items.is_empty() => view! {
                                <EmptyState
                                    title="No clusters visible"
                                    icon="cluster"
                                    message=format!("Kubernetes shows no TenantClusters to {}. Ask a team admin to add you to a Butler team.", list.impersonated_as)
                                />
                            }
                            .into_any(),
                            Ok(list) => view! {
                                <p class="muted" data-testid="impersonated-as">{
                                    if list.impersonated_groups.is_empty() {
                                        format!("As {}", list.impersonated_as)
                                    } else {
                                        format!("As {} (groups: {})", list.impersonated_as, list.impersonated_groups.join(", "))
                                    }
                                }</p>
                                <DataTable headers=vec!["Name", "Team", "Provider", "Kubernetes", "Workers", "Phase", "Endpoint"]>
                                    {list.items.into_iter().map(cluster_row).collect_view()}
                                </DataTable>
                            }
                            .into_any(),
                            Err(e) => error_view(e),
                        }
                    })}
                </Suspense>
            </Card>
        </div>
    }
}

fn error_view(e: ApiError) -> AnyView {
    view! { <ErrorPanel error=e title="Clusters unavailable" /> }.into_any()
}
