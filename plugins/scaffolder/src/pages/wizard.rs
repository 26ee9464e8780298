//! `/create/templates/:namespace/:name`: the parameter wizard and the review step.

use std::collections::HashSet;

use frontend_plugin_api::{use_api, ApiError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use plugin_scaffolder_common::conditional::resolve;
use plugin_scaffolder_common::schema::{
    apply_defaults, secret_fields, take_secrets, validate, FieldError,
};
use plugin_scaffolder_common::{CreateTaskRequest, TemplateParameterSchema};
use portal_ui::{Card, ErrorPanel, Loading, PageHeader, Spinner};
use serde_json::{Map, Value};

use crate::components::form::{FormState, SchemaFields};
use crate::form::{display_value, get_path, review_rows};
use crate::pattern::JsRegex;
use crate::{api, task_path, BASE};

/// The wizard page.
#[component]
pub fn Wizard(namespace: String, name: String) -> impl IntoView {
    let api = use_api();
    let (ns2, name2) = (namespace.clone(), name.clone());
    let schema = {
        let api = api.clone();
        LocalResource::new(move || api::parameter_schema(api.clone(), ns2.clone(), name2.clone()))
    };
    let template_ref = format!("template:{namespace}/{name}");
    view! {
        <div class="page scaffolder-wizard">
            {move || match schema.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! {
                    <PageHeader title="Template unavailable">
                        <a class="button" href=BASE>"Back to the templates"</a>
                    </PageHeader>
                    <ErrorPanel error=e title="This template cannot be used" />
                }
                .into_any(),
                Some(Ok(s)) => view! { <WizardForm schema=s template_ref=template_ref.clone() /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn WizardForm(schema: TemplateParameterSchema, template_ref: String) -> impl IntoView {
    let api = use_api();
    let navigate = use_navigate();
    let pages = schema.steps.clone();
    let page_count = pages.len();
    let mut initial = Map::new();
    for p in &pages {
        apply_defaults(&p.schema, &mut initial);
    }
    let values = RwSignal::new(Value::Object(initial));
    let step = RwSignal::new(0usize);
    let show_all = RwSignal::new(false);
    let touched = RwSignal::new(HashSet::<String>::new());
    let submitting = RwSignal::new(false);
    let submit_error = RwSignal::new(None::<ApiError>);
    let page_schemas: Vec<Value> = pages.iter().map(|p| p.schema.clone()).collect();
    let schemas_for_errors = page_schemas.clone();
    let errors = Memo::new(move |_| {
        let i = step.get();
        match schemas_for_errors.get(i) {
            Some(s) => values.with(|v| validate(&resolve(s, v), v, &JsRegex)),
            None => Vec::<FieldError>::new(),
        }
    });
    let state = FormState {
        values,
        errors: errors.into(),
        touched,
        show_all,
    };
    let secrets: Vec<String> = page_schemas.iter().flat_map(secret_fields).collect();
    let next = move |_| {
        show_all.set(true);
        if errors.with_untracked(Vec::is_empty) {
            show_all.set(false);
            step.update(|s| *s += 1);
        }
    };
    let back = move |_| {
        show_all.set(false);
        step.update(|s| *s = s.saturating_sub(1));
    };
    let template_ref2 = template_ref.clone();
    let secret_pages = page_schemas.clone();
    let create = move |_| {
        submitting.set(true);
        submit_error.set(None);
        let mut params = values
            .get_untracked()
            .as_object()
            .cloned()
            .unwrap_or_default();
        let mut secrets = Map::new();
        for page in &secret_pages {
            secrets.extend(take_secrets(page, &mut params));
        }
        let req = CreateTaskRequest {
            template_ref: template_ref2.clone(),
            values: params,
            secrets: (!secrets.is_empty()).then_some(secrets),
        };
        let api = api.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::create_task(api, req).await {
                Ok(r) => navigate(&task_path(&r.id), Default::default()),
                Err(e) => {
                    submit_error.try_set(Some(e));
                    submitting.try_set(false);
                }
            }
        });
    };
    let titles: Vec<String> = pages
        .iter()
        .map(|p| p.title.clone())
        .chain(std::iter::once("Review".to_string()))
        .collect();
    let title = schema.title.clone();
    let description = schema.description.clone().unwrap_or_default();
    view! {
        <PageHeader title=title subtitle=description>
            <a class="button" href=BASE>"Cancel"</a>
        </PageHeader>
        <ol class="stepper" data-testid="wizard-stepper">
            {titles.into_iter().enumerate().map(|(i, t)| view! {
                <li
                    class="stepper-item"
                    class:stepper-done=move || { step.get() > i }
                    class:stepper-current=move || step.get() == i
                >
                    <span class="stepper-index">{i + 1}</span>
                    <span class="stepper-title">{t}</span>
                </li>
            }).collect_view()}
        </ol>
        {move || {
            let i = step.get();
            if i < page_count {
                let p = pages[i].clone();
                view! {
                    <Card>
                        <form class="wizard-form" data-testid=format!("wizard-page-{i}") on:submit=move |ev| { ev.prevent_default(); next(()) }>
                            <h2 class="wizard-page-title">{p.title.clone()}</h2>
                            {p.description.clone().map(|d| view! { <p class="muted">{d}</p> })}
                            <SchemaFields schema=p.schema.clone() path=vec![] state=state />
                            <div class="wizard-actions">
                                <button type="button" class="button" disabled=i == 0 on:click=back data-testid="wizard-back">"Back"</button>
                                <button type="submit" class="button button-primary" data-testid="wizard-next">
                                    {if i + 1 == page_count { "Review" } else { "Next" }}
                                </button>
                            </div>
                        </form>
                    </Card>
                }
                .into_any()
            } else {
                let rows = review_rows(&values.get());
                let secrets = secrets.clone();
                let create = create.clone();
                let page_schemas = page_schemas.clone();
                view! {
                    <Card title="Review">
                        <div data-testid="wizard-review">
                            {if rows.is_empty() {
                                view! { <p class="muted">"This template takes no parameters."</p> }.into_any()
                            } else {
                                view! {
                                    <dl class="kv review-list">
                                        {rows.into_iter().map(move |(k, v)| {
                                            let shown = if secrets.contains(&k) { "••••••".to_string() } else { display_value(&v) };
                                            let label = label_for(&page_schemas, &k);
                                            view! {
                                                <div class="kv-row">
                                                    <dt>{label}</dt>
                                                    <dd data-testid=format!("review-{k}")>{shown}</dd>
                                                </div>
                                            }
                                        }).collect_view()}
                                    </dl>
                                }.into_any()
                            }}
                            {move || submit_error.get().map(|e| view! { <ErrorPanel error=e title="The task could not be started" /> })}
                            <div class="wizard-actions">
                                <button type="button" class="button" on:click=back data-testid="wizard-back">"Back"</button>
                                <button type="button" class="button button-primary" disabled=move || submitting.get() on:click=create data-testid="wizard-create">
                                    {move || submitting.get().then(|| view! { <Spinner /> })}
                                    "Create"
                                </button>
                            </div>
                        </div>
                    </Card>
                }
                .into_any()
            }
        }}
    }
}

/// The title of a (dotted) property from whichever page declares it.
fn label_for(pages: &[Value], dotted: &str) -> String {
    let path: Vec<String> = dotted
        .split('.')
        .flat_map(|p| ["properties".to_string(), p.to_string()])
        .collect();
    for p in pages {
        if let Some(s) = get_path(p, &path) {
            return crate::form::field_label(dotted.rsplit('.').next().unwrap_or(dotted), s);
        }
    }
    dotted.to_string()
}
