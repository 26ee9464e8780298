//! `/catalog/register`: register an existing `catalog-info.yaml` by URL or file path.

use frontend_plugin_api::{use_api, ApiError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use plugin_catalog_common::dto::{AddLocationResponse, LocationSpec};
use plugin_catalog_common::relations::derive_relations;
use portal_types::EntityRef;
use portal_ui::{use_toasts, Badge, Card, DataTable, ErrorPanel, PageHeader, Spinner, Tone};
use serde_json::Value;

use crate::api;
use crate::components::str_at;
use crate::refs::{entity_path, humanize, kind_label, relation_label, BASE};

/// `url` for `http(s)://…`, else `file`.
pub fn location_type(target: &str) -> &'static str {
    let t = target.trim().to_ascii_lowercase();
    if t.starts_with("http://") || t.starts_with("https://") {
        "url"
    } else {
        "file"
    }
}

/// The ref of an entity read from a location.
fn entity_ref_of(v: &Value) -> Option<EntityRef> {
    Some(EntityRef::new(
        str_at(v, "kind")?,
        str_at(v, "metadata.namespace").unwrap_or("default"),
        str_at(v, "metadata.name")?,
    ))
}

/// The outgoing relations an entity will have, from its spec (`ownedBy team-a`, …).
fn outgoing_relations(v: &Value) -> Vec<(String, EntityRef)> {
    let Some(me) = entity_ref_of(v) else {
        return vec![];
    };
    let (rels, _) = derive_relations(v);
    rels.into_iter()
        .filter(|r| r.source == me)
        .map(|r| (r.relation_type.to_string(), r.target))
        .collect()
}

#[derive(Clone)]
enum Stage {
    Idle,
    Analyzing,
    Preview(LocationSpec, AddLocationResponse),
    Importing(LocationSpec, AddLocationResponse),
    Done(AddLocationResponse, Vec<EntityRef>),
    Failed(ApiError),
}

/// The register page.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let target = RwSignal::new(String::new());
    let stage = RwSignal::new(Stage::Idle);

    let analyze = {
        let api = api.clone();
        move || {
            let t = target.get_untracked().trim().to_string();
            if t.is_empty() {
                return;
            }
            let spec = LocationSpec {
                location_type: location_type(&t).into(),
                target: t,
                presence: None,
            };
            stage.set(Stage::Analyzing);
            let api = api.clone();
            spawn_local(async move {
                let next = match api::add_location(api, spec.clone(), true).await {
                    Ok(resp) => Stage::Preview(spec, resp),
                    Err(e) => Stage::Failed(e),
                };
                stage.try_set(next);
            });
        }
    };
    let analyze2 = analyze.clone();
    let import = move |_| {
        let Stage::Preview(spec, preview) = stage.get_untracked() else {
            return;
        };
        stage.set(Stage::Importing(spec.clone(), preview.clone()));
        let api = api.clone();
        spawn_local(async move {
            match api::add_location(api, spec, false).await {
                Ok(resp) => {
                    // the real POST may answer before processing: link what the dry run read
                    let mut refs: Vec<EntityRef> =
                        resp.entities.iter().filter_map(entity_ref_of).collect();
                    if refs.is_empty() {
                        refs = preview.entities.iter().filter_map(entity_ref_of).collect();
                    }
                    toasts.success(format!("Registered {}", resp.location.target));
                    stage.try_set(Stage::Done(resp, refs));
                }
                Err(e) => {
                    toasts.error(format!("Import failed: {}", e.message));
                    stage.try_set(Stage::Failed(e));
                }
            }
        });
    };
    let busy = move || matches!(stage.get(), Stage::Analyzing | Stage::Importing(..));
    let kind_hint = move || {
        let t = target.get();
        (!t.trim().is_empty()).then(|| {
            let ty = location_type(&t);
            view! { <span class="muted">"Location type: "<code>{ty}</code></span> }
        })
    };
    view! {
        <div class="page register-page">
            <PageHeader
                title="Register an existing component"
                subtitle="Point the catalog at a catalog-info.yaml. Its entities are imported and kept in sync."
            >
                <a class="button" href=BASE>"Back to the catalog"</a>
            </PageHeader>
            <Card title="1. Select a location">
                <form
                    class="register-form"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        analyze2()
                    }
                >
                    <label class="field field-wide">
                        <span class="field-label">"URL or file path of a catalog-info.yaml"</span>
                        <input
                            class="input"
                            type="text"
                            placeholder="https://github.com/acme/repo/blob/main/catalog-info.yaml or /path/to/catalog-info.yaml"
                            data-testid="register-target"
                            prop:value=move || target.get()
                            on:input=move |ev| {
                                target.set(event_target_value(&ev));
                                if matches!(stage.get_untracked(), Stage::Preview(..) | Stage::Failed(_) | Stage::Done(..)) {
                                    stage.set(Stage::Idle);
                                }
                            }
                        />
                    </label>
                    <div class="register-actions">
                        {kind_hint}
                        <button
                            type="submit"
                            class="button button-primary"
                            data-testid="register-analyze"
                            disabled=move || busy() || target.with(|t| t.trim().is_empty())
                        >
                            {move || matches!(stage.get(), Stage::Analyzing).then(|| view! { <Spinner /> })}
                            "Analyze"
                        </button>
                    </div>
                </form>
            </Card>
            {move || match stage.get() {
                Stage::Idle | Stage::Analyzing => ().into_any(),
                Stage::Failed(e) => view! {
                    <div data-testid="register-error">
                        <ErrorPanel error=e title="This location cannot be registered" />
                    </div>
                }
                .into_any(),
                Stage::Preview(spec, resp) | Stage::Importing(spec, resp) => {
                    let importing = matches!(stage.get_untracked(), Stage::Importing(..));
                    let exists = resp.exists.unwrap_or(false);
                    let count = resp.entities.len();
                    let on_import = import.clone();
                    view! {
                        <div data-testid="register-preview">
                            <Card title="2. Review">
                                <p>
                                    "Location "<code>{format!("{}:{}", spec.location_type, spec.target)}</code>" provides "
                                    <strong>{format!("{count} entit{}", if count == 1 { "y" } else { "ies" })}</strong>"."
                                    {exists.then(|| view! { " "<Badge tone=Tone::Warning>"already registered"</Badge> })}
                                </p>
                                <PreviewTable entities=resp.entities.clone() />
                                <div class="register-actions">
                                    <span class="muted">
                                        {if exists {
                                            "Importing again refreshes the existing location."
                                        } else {
                                            "Import adds the location; the catalog then reads it periodically."
                                        }}
                                    </span>
                                    <button
                                        type="button"
                                        class="button button-primary"
                                        data-testid="register-import"
                                        disabled=importing
                                        on:click=on_import
                                    >
                                        {importing.then(|| view! { <Spinner /> })}
                                        "Import"
                                    </button>
                                </div>
                            </Card>
                        </div>
                    }
                    .into_any()
                }
                Stage::Done(resp, refs) => view! {
                    <div data-testid="register-result">
                        <Card title="3. Imported">
                            <p>
                                "Location "<code>{format!("{}:{}", resp.location.location_type, resp.location.target)}</code>
                                " was registered. These entities are now in the catalog:"
                            </p>
                            <ul class="link-list">
                                {refs.into_iter().map(|r| {
                                    let label = format!("{} {}", kind_label(&r.kind), humanize(&r, Some(&r.kind)));
                                    view! { <li><a href=entity_path(&r) data-testid="register-entity-link">{label}</a></li> }
                                }).collect_view()}
                            </ul>
                            <div class="register-actions">
                                <span></span>
                                <button type="button" class="button" on:click=move |_| {
                                    target.set(String::new());
                                    stage.set(Stage::Idle);
                                }>"Register another"</button>
                            </div>
                        </Card>
                    </div>
                }
                .into_any(),
            }}
        </div>
    }
}

#[component]
fn PreviewTable(entities: Vec<Value>) -> impl IntoView {
    let rows = entities
        .into_iter()
        .map(|v| {
            let r = entity_ref_of(&v);
            let name = r
                .as_ref()
                .map(|r| humanize(r, Some(&r.kind)))
                .unwrap_or_default();
            let kind = str_at(&v, "kind").map(kind_label).unwrap_or_default();
            let rels = outgoing_relations(&v);
            view! {
                <tr data-testid="register-entity">
                    <td><Badge tone=Tone::Info>{kind}</Badge></td>
                    <td><strong>{name}</strong></td>
                    <td>
                        <div class="relation-chips">
                            {rels.into_iter().map(|(t, target)| view! {
                                <span class="relation-chip">
                                    <span class="muted">{relation_label(&t)}" "</span>
                                    {humanize(&target, None)}
                                </span>
                            }).collect_view()}
                        </div>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="preview-table">
            <DataTable headers=vec!["Kind", "Name", "Relations"]>{rows}</DataTable>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_choose_the_location_type() {
        assert_eq!(
            location_type("https://github.com/a/b/catalog-info.yaml"),
            "url"
        );
        assert_eq!(location_type(" HTTP://x"), "url");
        assert_eq!(location_type("/work/demo/catalog-info.yaml"), "file");
        assert_eq!(location_type("./demo/x.yaml"), "file");
    }

    #[test]
    fn should_list_outgoing_relations_from_the_spec() {
        let v = serde_json::json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "x"},
            "spec": {"type": "service", "lifecycle": "production", "owner": "team-a", "providesApis": ["x-api"]}
        });
        let rels: Vec<String> = outgoing_relations(&v)
            .into_iter()
            .map(|(t, r)| format!("{t} {r}"))
            .collect();
        assert!(
            rels.contains(&"ownedBy group:default/team-a".to_string()),
            "{rels:?}"
        );
        assert!(
            rels.contains(&"providesApi api:default/x-api".to_string()),
            "{rels:?}"
        );
    }
}
