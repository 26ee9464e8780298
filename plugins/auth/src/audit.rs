//! `/settings/audit`: the audit log (platform admins only).

use frontend_plugin_api::use_api;
use leptos::prelude::*;
use portal_ui::{Badge, Card, DataTable, EmptyState, ErrorPanel, Loading, Tone};

use crate::api;
use crate::model::{details_text, event_label, format_time};

/// The newest audit entries.
#[component]
pub fn AuditTab() -> impl IntoView {
    let api = use_api();
    let entries = LocalResource::new(move || api::audit(api.clone()));
    view! {
        <div class="settings-section" data-testid="audit-log">
            <div class="section-toolbar">
                <p class="muted">"The newest 200 security events: sign-ins, sign-outs, API tokens and denied permissions."</p>
            </div>
            <Card>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(list) if list.is_empty() => view! { <EmptyState title="No audit events yet" icon="activity" /> }.into_any(),
                        Ok(list) => view! {
                            <DataTable headers=vec!["When", "Actor", "Event", "Details"] attr:data-testid="audit-table">
                                {list.into_iter().map(|e| {
                                    let tone = if e.event == "permission.denied" { Tone::Warning } else { Tone::Neutral };
                                    view! {
                                        <tr>
                                            <td class="nowrap">{format_time(&e.at)}</td>
                                            <td><code>{e.actor.clone()}</code></td>
                                            <td><Badge tone=tone>{event_label(&e.event)}</Badge></td>
                                            <td class="muted small mono">{details_text(&e.details)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </DataTable>
                        }.into_any(),
                        Err(e) if e.status == 403 => view! {
                            <EmptyState title="Platform admins only" message="The audit log is visible to members of a platform-admins group." icon="alert" />
                        }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e title="Could not load the audit log" /> }.into_any(),
                    }
                })}
            </Suspense>
            </Card>
        </div>
    }
}
