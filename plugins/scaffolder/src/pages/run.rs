//! `/create/tasks/:id`: per-step status, live logs, output links, cancel and retry.
//!
//! Events arrive by long-polling `GET /v2/tasks/:id/events?after=<last id>` (the browser's
//! `EventSource` cannot send the bearer token; the server answers at once when events
//! exist and otherwise holds the request until one arrives).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use frontend_plugin_api::{use_api, use_identity, ApiError};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use plugin_scaffolder_common::{output_links, SerializedTask, TaskStatus};
use portal_types::EntityRef;
use portal_ui::{use_toasts, Badge, Card, ErrorPanel, Loading, PageHeader, Spinner};

use crate::components::{short_time, status_tone};
use crate::run::RunState;
use crate::{api, wizard_path, BASE};

/// The run page.
#[component]
pub fn RunPage(id: String) -> impl IntoView {
    let api = use_api();
    let id2 = id.clone();
    let task = {
        let api = api.clone();
        LocalResource::new(move || api::task(api.clone(), id2.clone()))
    };
    view! {
        <div class="page scaffolder-run">
            {move || match task.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! {
                    <PageHeader title="Task">
                        <a class="button" href=format!("{BASE}/tasks")>"All tasks"</a>
                    </PageHeader>
                    <ErrorPanel error=e title="This task cannot be shown" />
                }
                .into_any(),
                Some(Ok(t)) => view! { <Run task=t /> }.into_any(),
            }}
        </div>
    }
}

fn template_title(t: &SerializedTask) -> String {
    let meta = &t.spec.template_info.entity["metadata"];
    meta["title"]
        .as_str()
        .or(meta["name"].as_str())
        .unwrap_or(&t.spec.template_info.entity_ref)
        .to_string()
}

/// Poll events until the run finishes or the page goes away.
fn follow(
    api: frontend_plugin_api::ApiClient,
    id: String,
    state: RwSignal<RunState>,
    alive: Arc<AtomicBool>,
    poll_error: RwSignal<Option<ApiError>>,
) {
    spawn_local(async move {
        let mut failures = 0u32;
        while alive.load(Ordering::Relaxed) {
            let after = state.with_untracked(|s| s.last_event);
            match api::events(api.clone(), id.clone(), after).await {
                Ok(events) => {
                    failures = 0;
                    poll_error.try_set(None);
                    if !alive.load(Ordering::Relaxed) {
                        return;
                    }
                    if !events.is_empty() {
                        state.try_update(|s| s.apply(&events));
                    }
                    if !state.with_untracked(RunState::is_live) {
                        return;
                    }
                }
                Err(e) => {
                    failures += 1;
                    if e.is_unauthorized() || e.is_not_found() || failures > 5 {
                        poll_error.try_set(Some(e));
                        return;
                    }
                    gloo_sleep(1000 * failures).await;
                }
            }
        }
    });
}

async fn gloo_sleep(ms: u32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

#[component]
fn Run(task: SerializedTask) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let identity = use_identity();
    let id = task.id.clone();
    let state = RwSignal::new(RunState::from_task(&task));
    let poll_error = RwSignal::new(None::<ApiError>);
    let alive = Arc::new(AtomicBool::new(true));
    {
        let alive = alive.clone();
        on_cleanup(move || alive.store(false, Ordering::Relaxed));
    }
    follow(api.clone(), id.clone(), state, alive.clone(), poll_error);

    let log_ref = NodeRef::<html::Pre>::new();
    Effect::new(move |_| {
        let n = state.with(|s| s.log.len());
        if let Some(el) = log_ref.get() {
            let _ = n;
            el.set_scroll_top(el.scroll_height());
        }
    });

    let busy = RwSignal::new(false);
    let cancel = {
        let api = api.clone();
        let id = id.clone();
        move |_| {
            busy.set(true);
            let api = api.clone();
            let id = id.clone();
            spawn_local(async move {
                match api::cancel(api, id).await {
                    Ok(_) => toasts.success("Cancellation requested"),
                    Err(e) => toasts.error(format!("Cancel failed: {}", e.message)),
                }
                busy.try_set(false);
            });
        }
    };
    let retry = {
        let api = api.clone();
        let id = id.clone();
        let alive = alive.clone();
        move |_| {
            busy.set(true);
            let api = api.clone();
            let id = id.clone();
            let alive = alive.clone();
            spawn_local(async move {
                match api::retry(api.clone(), id.clone()).await {
                    Ok(_) => {
                        toasts.success("Task restarted");
                        state.try_update(|s| s.finished = false);
                        follow(api, id, state, alive, poll_error);
                    }
                    Err(e) => toasts.error(format!("Retry failed: {}", e.message)),
                }
                busy.try_set(false);
            });
        }
    };
    let title = template_title(&task);
    let created_by = task.created_by.clone().unwrap_or_default();
    let mine = {
        let created_by = created_by.clone();
        move || {
            identity
                .get()
                .is_some_and(|u| u.user_entity_ref == created_by)
        }
    };
    let template =
        EntityRef::parse(&task.spec.template_info.entity_ref, Some("template"), None).ok();
    let again = template.map(|r| wizard_path(&r.namespace, &r.name));
    let status = move || state.with(|s| s.status.unwrap_or(TaskStatus::Open));
    view! {
        <PageHeader title=format!("Run of {title}") subtitle=format!("Task {} · started {} by {}", task.id, short_time(&task.created_at), created_by)>
            <a class="button" href=format!("{BASE}/tasks")>"All tasks"</a>
            {again.map(|href| view! { <a class="button" href=href>"Start over"</a> })}
            <Show when=move || state.with(RunState::is_live)>
                <button type="button" class="button button-danger-outline" disabled=move || busy.get() on:click=cancel.clone() data-testid="run-cancel">"Cancel"</button>
            </Show>
            <Show when=move || matches!(status(), TaskStatus::Failed | TaskStatus::Cancelled)>
                <button type="button" class="button" disabled=move || busy.get() on:click=retry.clone() data-testid="run-retry">"Retry"</button>
            </Show>
        </PageHeader>
        <div class="run-layout">
            <aside class="run-side">
                <Card title="Steps">
                    <div class="run-status" data-testid="run-status" data-status=move || status().as_str()>
                        {move || view! { <Badge tone=status_tone(status())>{status().as_str()}</Badge> }}
                        {move || state.with(RunState::is_live).then(|| view! { <Spinner /> })}
                        {move || (!mine()).then(|| view! { <span class="muted">" (someone else's task)"</span> })}
                    </div>
                    <ol class="run-steps">
                        {move || state.with(|s| s.steps.clone()).into_iter().map(|st| {
                            let tone = status_tone(st.status);
                            view! {
                                <li class="run-step" data-testid=format!("run-step-{}", st.id) data-status=st.status.as_str()>
                                    <span class=format!("run-step-dot run-step-{}", st.status.as_str())></span>
                                    <span class="run-step-name">{st.name.clone()}</span>
                                    <Badge tone=tone>{st.status.as_str()}</Badge>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                </Card>
                <Outputs state=state />
            </aside>
            <section class="run-main">
                <Card title="Log">
                    {move || poll_error.get().map(|e| view! { <ErrorPanel error=e title="Live updates stopped" /> })}
                    {move || state.with(|s| s.error.clone()).map(|e| view! {
                        <div class="callout callout-danger" data-testid="run-error">{e}</div>
                    })}
                    <pre class="run-log" node_ref=log_ref data-testid="run-log">
                        {move || state.with(|s| s.log.iter().map(|(step, m)| {
                            let cls = if step.is_some() { "log-line" } else { "log-line log-line-task" };
                            view! { <div class=cls>{step.clone().map(|s| view! { <span class="log-step">{format!("[{s}] ")}</span> })}{m.clone()}</div> }
                        }).collect_view())}
                    </pre>
                </Card>
            </section>
        </div>
    }
}

#[component]
fn Outputs(state: RwSignal<RunState>) -> impl IntoView {
    move || {
        let output = state.with(|s| s.output.clone())?;
        let links = output_links(&output);
        let texts: Vec<(String, String)> = output["text"]
            .as_array()
            .map(|t| {
                t.iter()
                    .map(|x| {
                        (
                            x["title"].as_str().unwrap_or("Output").to_string(),
                            x["content"]
                                .as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| x["content"].to_string()),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        if links.is_empty() && texts.is_empty() {
            return None;
        }
        Some(view! {
            <Card title="Output">
                <ul class="run-outputs" data-testid="run-outputs">
                    {links.into_iter().map(|l| {
                        let (href, label) = match (&l.entity_ref, &l.url) {
                            (Some(r), _) => match EntityRef::parse(r, None, None) {
                                Ok(e) => (format!("/catalog/{}/{}/{}", e.namespace, e.kind, e.name), l.title.clone().unwrap_or_else(|| r.clone())),
                                Err(_) => (String::new(), r.clone()),
                            },
                            (None, Some(u)) => (u.clone(), l.title.clone().unwrap_or_else(|| u.clone())),
                            _ => (String::new(), String::new()),
                        };
                        let external = l.url.is_some() && l.entity_ref.is_none();
                        view! {
                            <li>
                                <a class="button button-primary output-link" href=href target=external.then_some("_blank") rel=external.then_some("noopener") data-testid="output-link">{label}</a>
                            </li>
                        }
                    }).collect_view()}
                    {texts.into_iter().map(|(t, c)| view! { <li class="output-text"><span class="field-label">{t}</span><code>{c}</code></li> }).collect_view()}
                </ul>
            </Card>
        })
    }
}
