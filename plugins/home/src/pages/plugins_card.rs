//! Installed backend plugins.

use frontend_plugin_api::ApiError;
use leptos::prelude::*;
use portal_types::InstalledPlugin;
use portal_ui::{Badge, Card, DataTable, EmptyState, ErrorPanel, Loading};

/// Table of `GET /api/plugins`.
#[component]
pub fn PluginsCard(
    plugins: LocalResource<Result<Vec<InstalledPlugin>, ApiError>>,
) -> impl IntoView {
    view! {
        <Card title="Installed plugins">
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match plugins.await {
                        Ok(list) if list.is_empty() => view! {
                            <EmptyState title="No backend plugins installed" icon="plugin" />
                        }
                        .into_any(),
                        Ok(list) => view! {
                            <DataTable
                                headers=vec!["Plugin", "Version", "API base"]
                                attr:data-testid="installed-plugins"
                            >
                                    {list
                                        .into_iter()
                                        .map(|p| view! {
                                            <tr data-testid=format!("plugin-{}", p.id)>
                                                <td><strong>{p.id.clone()}</strong></td>
                                                <td><Badge>{p.version}</Badge></td>
                                                <td><code>{format!("/api/{}", p.id)}</code></td>
                                            </tr>
                                        })
                                        .collect_view()}
                            </DataTable>
                        }
                        .into_any(),
                        Err(e) => view! { <ErrorPanel error=e title="Could not load plugins" /> }.into_any(),
                    }
                })}
            </Suspense>
        </Card>
    }
}
