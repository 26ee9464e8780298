//! Portal version, health and database engine; readiness checks.

use frontend_plugin_api::ApiError;
use leptos::prelude::*;
use portal_types::Readiness;
use portal_ui::{Card, DataTable, EmptyState, ErrorPanel, KeyValue, Loading, StatusChip};

/// Version, overall status and database engine from `/readyz`.
#[component]
pub fn StatusCard(readiness: LocalResource<Result<Readiness, ApiError>>) -> impl IntoView {
    view! {
        <Card title="Portal" attr:data-testid="portal-status">
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match readiness.await {
                        Ok(r) => view! {
                            <KeyValue items=vec![
                                ("Status", view! { <StatusChip status=r.status.clone() attr:data-testid="health-status" /> }.into_any()),
                                ("Version", view! { <code data-testid="portal-version">{r.version.clone()}</code> }.into_any()),
                                ("Database", view! { <span data-testid="database-engine">{database_label(&r.database)}</span> }.into_any()),
                            ] />
                        }
                        .into_any(),
                        Err(e) => view! { <ErrorPanel error=e title="Health unavailable" /> }.into_any(),
                    }
                })}
            </Suspense>
        </Card>
    }
}

/// The individual readiness checks.
#[component]
pub fn ChecksCard(readiness: LocalResource<Result<Readiness, ApiError>>) -> impl IntoView {
    view! {
        <Card title="Readiness checks" attr:data-testid="readiness-checks">
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match readiness.await {
                        Ok(r) if r.checks.is_empty() => view! {
                            <EmptyState title="No checks reported" icon="activity" />
                        }
                        .into_any(),
                        Ok(r) => view! {
                            <DataTable headers=vec!["Check", "Status", "Detail"]>
                                {r.checks
                                    .into_iter()
                                    .map(|c| view! {
                                        <tr>
                                            <td>{c.name}</td>
                                            <td><StatusChip status=c.status /></td>
                                            <td class="muted">{c.message.unwrap_or_default()}</td>
                                        </tr>
                                    })
                                    .collect_view()}
                            </DataTable>
                        }
                        .into_any(),
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </Card>
    }
}

fn database_label(engine: &str) -> String {
    match engine {
        "sqlite" => "SQLite".into(),
        "postgres" | "postgresql" => "PostgreSQL".into(),
        other => other.to_string(),
    }
}
