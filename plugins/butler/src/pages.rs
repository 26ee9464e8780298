//! The clusters page and the header badge.

use crate::api::{self, Cluster, Status};
use frontend_plugin_api::{use_api, ApiError};
use leptos::prelude::*;
use portal_ui::{
    Badge, Card, DataTable, EmptyState, ErrorPanel, KeyValue, Loading, PageHeader, Tone,
};

/// The tone of a TenantCluster phase.
pub fn phase_tone(phase: &str) -> Tone {
    match phase {
        "Ready" => Tone::Success,
        "Failed" => Tone::Danger,
        "Deleting" | "Updating" => Tone::Warning,
        "Pending" | "Provisioning" | "Installing" => Tone::Info,
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
    view! {
        <tr data-testid="cluster-row" data-cluster=format!("{}/{}", c.namespace, c.name)>
            <td><a href=href>{c.name.clone()}</a></td>
            <td>{c.team.clone().unwrap_or_else(|| c.namespace.clone())}</td>
            <td>{c.provider.clone().unwrap_or_default()}</td>
            <td><code>{c.kubernetes_version.clone()}</code></td>
            <td>{workers}</td>
            <td><PhaseChip phase=c.phase.clone() /></td>
            <td class="muted">{c.control_plane_endpoint.clone().unwrap_or_default()}</td>
        </tr>
    }
}

/// `/butler`: connection and visible clusters.
#[component]
pub fn ClustersPage() -> impl IntoView {
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
                                <p class="muted" data-testid="impersonated-as">{format!("As {}", list.impersonated_as)}</p>
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
