//! `/create/tasks`: the task list (mine / all).

use frontend_plugin_api::{use_api, use_identity};
use leptos::prelude::*;
use portal_ui::{Badge, EmptyState, ErrorPanel, Loading, PageHeader};

use crate::components::{short_time, status_tone};
use crate::{api, task_path, BASE};

/// The task list page.
#[component]
pub fn TaskListPage() -> impl IntoView {
    let api = use_api();
    let identity = use_identity();
    let mine = RwSignal::new(true);
    let tasks = LocalResource::new(move || {
        let who = if mine.get() {
            identity.get().map(|u| u.user_entity_ref)
        } else {
            None
        };
        api::tasks(api.clone(), who)
    });
    view! {
        <div class="page scaffolder-tasks">
            <PageHeader title="Tasks" subtitle="Runs of software templates.">
                <a class="button button-primary" href=BASE>"Create something"</a>
            </PageHeader>
            <div class="segmented" role="tablist">
                <button type="button" class="segment" class:segment-on=move || mine.get() data-testid="tasks-mine" on:click=move |_| mine.set(true)>"Mine"</button>
                <button type="button" class="segment" class:segment-on=move || !mine.get() data-testid="tasks-all" on:click=move |_| mine.set(false)>"All"</button>
            </div>
            {move || match tasks.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorPanel error=e title="Tasks could not be loaded" /> }.into_any(),
                Some(Ok(list)) if list.tasks.is_empty() => view! {
                    <EmptyState title="No tasks yet" message="Tasks appear here when a template runs." icon="templates" />
                }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="card table-wrap">
                        <table class="table" data-testid="tasks-table">
                            <thead><tr><th>"Task"</th><th>"Template"</th><th>"Status"</th><th>"Created by"</th><th>"Created"</th></tr></thead>
                            <tbody>
                                {list.tasks.into_iter().map(|t| {
                                    let meta = &t.spec.template_info.entity["metadata"];
                                    let template = meta["title"].as_str().or(meta["name"].as_str()).unwrap_or(&t.spec.template_info.entity_ref).to_string();
                                    let short: String = t.id.chars().take(8).collect();
                                    view! {
                                        <tr>
                                            <td><a class="mono" href=task_path(&t.id)>{short}</a></td>
                                            <td>{template}</td>
                                            <td><Badge tone=status_tone(t.status)>{t.status.as_str()}</Badge></td>
                                            <td>{t.created_by.clone().unwrap_or_default()}</td>
                                            <td class="nowrap">{short_time(&t.created_at)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </div>
    }
}
