//! `/catalog/:namespace/:kind/:name[/tab]`: the entity page.

use std::time::Duration;

use frontend_plugin_api::{use_api, use_plugin_registry, ApiError, EntityContentExtension};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use plugin_catalog_common::dto::Location;
use plugin_catalog_common::{ANNOTATION_LOCATION, ANNOTATION_ORPHAN, STATUS_PROCESSING_ERROR};
use portal_types::{Entity, EntityRef};
use portal_ui::{
    use_toasts, Badge, Card, EmptyState, ErrorPanel, ExtensionBoundary, Icon, Loading, Spinner,
    Tone,
};
use serde_json::Value;

use crate::api;
use crate::components::entity_ref_link::EntityRefLink;
use crate::components::related_table::{related_map, RelatedMap, RelatedTable};
use crate::components::relations_graph::{entity_relations, RelationsGraph};
use crate::components::{lifecycle_tone, str_at};
use crate::openapi::summarize;
use crate::refs::{display_name, entity_path, humanize, kind_label, BASE};
use crate::yaml::to_yaml;

/// How often a missing entity is fetched again (it may still be processing after an import).
const NOT_FOUND_RETRIES: u32 = 5;

/// The entity page; `tab` is the sub-path after the entity (`""` = overview).
#[component]
pub fn EntityPage(entity_ref: EntityRef, tab: Memo<String>) -> impl IntoView {
    let api = use_api();
    let version = RwSignal::new(0u32);
    let attempts = StoredValue::new(0u32);
    let r = entity_ref.clone();
    let entity = LocalResource::new(move || {
        version.track();
        api::entity_by_name(api.clone(), r.clone())
    });
    let refetch = Callback::new(move |_: ()| version.update(|v| *v += 1));
    view! {
        <div class="page entity-page">
            <Transition fallback=|| view! { <Loading label="Loading entity…" /> }>
                {move || {
                    let entity_ref = entity_ref.clone();
                    Suspend::new(async move {
                        match entity.await {
                            Ok(e) => {
                                attempts.set_value(0);
                                view! { <EntityView entity=e tab=tab refetch=refetch /> }.into_any()
                            }
                            Err(e) if e.is_not_found() && attempts.get_value() < NOT_FOUND_RETRIES => {
                                // just registered entities appear after processing: retry a little
                                attempts.update_value(|a| *a += 1);
                                set_timeout(move || refetch.run(()), Duration::from_millis(1000));
                                view! { <Loading label="Waiting for the catalog…" /> }.into_any()
                            }
                            Err(e) if e.is_not_found() => view! {
                                <EmptyState
                                    title="Entity not found"
                                    message=format!(
                                        "There is no {} named \"{}\" in namespace \"{}\". It may have been unregistered, or it is still being processed.",
                                        kind_label(&entity_ref.kind),
                                        entity_ref.name,
                                        entity_ref.namespace,
                                    )
                                    icon="catalog"
                                >
                                    <div class="row-actions">
                                        <button type="button" class="button" on:click=move |_| {
                                            attempts.set_value(0);
                                            refetch.run(())
                                        }>"Retry"</button>
                                        <a class="button button-primary" href=BASE>"Back to the catalog"</a>
                                    </div>
                                </EmptyState>
                            }
                            .into_any(),
                            Err(e) => view! { <ErrorPanel error=e title="Could not load the entity" /> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </div>
    }
}

/// A tab of the entity page.
#[derive(Clone)]
struct TabDef {
    /// Sub-path (`""` for the overview) and test id suffix.
    path: String,
    label: String,
    /// Another plugin's tab.
    extension: Option<(&'static str, EntityContentExtension)>,
}

#[component]
fn EntityView(entity: Entity, tab: Memo<String>, refetch: Callback<()>) -> impl IntoView {
    let r = entity.entity_ref();
    let base = entity_path(&r);
    let registry = use_plugin_registry();
    let mut tabs = vec![TabDef {
        path: String::new(),
        label: "Overview".into(),
        extension: None,
    }];
    if entity.kind.eq_ignore_ascii_case("api") {
        tabs.push(TabDef {
            path: "api".into(),
            label: "Definition".into(),
            extension: None,
        });
    }
    for (plugin, ext) in registry.entity_contents(&entity) {
        tabs.push(TabDef {
            path: ext.path.trim_matches('/').to_string(),
            label: ext.title.to_string(),
            extension: Some((plugin, ext.clone())),
        });
    }
    tabs.push(TabDef {
        path: "yaml".into(),
        label: "YAML".into(),
        extension: None,
    });
    let tab_bar = tabs
        .iter()
        .map(|t| {
            let href = if t.path.is_empty() {
                base.clone()
            } else {
                format!("{base}/{}", t.path)
            };
            let id = if t.path.is_empty() {
                "overview".to_string()
            } else {
                t.path.clone()
            };
            let path = t.path.clone();
            let selected = move || tab.with(|cur| *cur == path);
            view! {
                <a
                    class="tab"
                    class:active=selected.clone()
                    role="tab"
                    aria-selected=move || selected().to_string()
                    href=href
                    data-testid=format!("entity-tab-{id}")
                >
                    {t.label.clone()}
                </a>
            }
        })
        .collect_view();
    let tabs = StoredValue::new(tabs);
    let entity = StoredValue::new(entity);
    let body = move || {
        let current = tab.get();
        let e = entity.get_value();
        match current.as_str() {
            "" => view! { <Overview entity=e /> }.into_any(),
            "api" if e.kind.eq_ignore_ascii_case("api") => view! { <ApiDefinition entity=e /> }.into_any(),
            "yaml" => view! { <YamlView entity=e /> }.into_any(),
            other => match tabs.with_value(|t| t.iter().find(|t| t.path == other).cloned()) {
                Some(TabDef {
                    extension: Some((plugin, ext)),
                    ..
                }) => view! {
                    <ExtensionBoundary plugin=plugin extension=format!("entity-content:{plugin}/{}", ext.id)>
                        {(ext.view)(e)}
                    </ExtensionBoundary>
                }
                .into_any(),
                _ => view! {
                    <EmptyState title="No such tab" message=format!("This entity has no \"{other}\" tab.") icon="info" />
                }
                .into_any(),
            },
        }
    };
    view! {
        <EntityHeader entity=entity.get_value() refetch=refetch />
        <nav class="tabs entity-tabs" role="tablist">{tab_bar}</nav>
        <div class="entity-tab-body">{body}</div>
    }
}

/// Title, kind, type, owner, lifecycle, tags; refresh and unregister actions.
#[component]
fn EntityHeader(entity: Entity, refetch: Callback<()>) -> impl IntoView {
    let r = entity.entity_ref();
    let title = display_name(&entity);
    let kind = kind_label(&entity.kind);
    let typ = entity.spec_str("type").map(String::from);
    let lifecycle = entity.spec_str("lifecycle").map(String::from);
    let owner = owner_ref(&entity);
    let tags = entity.metadata.tags.clone().unwrap_or_default();
    let ns = entity.namespace().to_string();
    let subtitle = (title != entity.metadata.name || ns != "default").then(|| humanize(&r, None));
    let kind_href = format!("{BASE}?kind={}", entity.kind.to_ascii_lowercase());
    view! {
        <header class="entity-header" data-testid="entity-header">
            <div class="entity-header-main">
                <nav class="breadcrumbs" aria-label="Breadcrumb">
                    <a href=BASE>"Catalog"</a>
                    <span class="muted">"/"</span>
                    <a href=kind_href>{kind.clone()}</a>
                </nav>
                <h1 class="page-title" data-testid="page-heading">{title}</h1>
                {subtitle.map(|s| view! { <p class="page-subtitle"><code>{s}</code></p> })}
                <div class="entity-facts">
                    <Badge tone=Tone::Info>{kind}</Badge>
                    {typ.map(|t| view! { <span class="fact"><span class="muted">"Type "</span><strong>{t}</strong></span> })}
                    {lifecycle.map(|l| view! { <Badge tone=lifecycle_tone(&l)>{l.clone()}</Badge> })}
                    {owner.map(|o| view! {
                        <span class="fact" data-testid="entity-owner">
                            <span class="muted">"Owner "</span>
                            <EntityRefLink entity_ref=o default_kind="group" />
                        </span>
                    })}
                    <span class="tag-list">
                        {tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}
                    </span>
                </div>
            </div>
            <EntityActions entity=entity refetch=refetch />
        </header>
    }
}

/// The owner as a full ref: the `ownedBy` relation, else `spec.owner`.
fn owner_ref(entity: &Entity) -> Option<String> {
    entity
        .relations
        .iter()
        .flatten()
        .find(|r| r.relation_type.eq_ignore_ascii_case("ownedBy"))
        .map(|r| r.target_ref.clone())
        .or_else(|| {
            let o = entity.spec_str("owner")?;
            EntityRef::parse(o, Some("group"), Some(entity.namespace()))
                .ok()
                .map(|r| r.to_string())
        })
}

/// What "Unregister" will do, shown in the confirmation dialog.
#[derive(Clone)]
enum UnregisterPlan {
    /// Delete the location and everything it emitted.
    Location {
        location: Location,
        entities: Vec<EntityRef>,
    },
    /// No location: delete just this entity (orphans).
    Entity { uid: String, orphan: bool },
}

#[component]
fn EntityActions(entity: Entity, refetch: Callback<()>) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let r = entity.entity_ref();
    let uid = entity.metadata.uid.clone().unwrap_or_default();
    let orphan = entity
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(ANNOTATION_ORPHAN))
        .is_some_and(|v| v == "true");
    let refreshing = RwSignal::new(false);
    let preparing = RwSignal::new(false);
    let deleting = RwSignal::new(false);
    let plan = RwSignal::new(None::<UnregisterPlan>);

    let on_refresh = {
        let api = api.clone();
        let r = r.clone();
        move |_| {
            refreshing.set(true);
            let (api, r) = (api.clone(), r.clone());
            spawn_local(async move {
                match api::refresh(api, r.to_string()).await {
                    Ok(()) => {
                        toasts.success(format!("Refresh scheduled for {}", humanize(&r, None)));
                        refetch.run(());
                    }
                    Err(e) => toasts.error(format!("Refresh failed: {}", e.message)),
                }
                refreshing.try_set(false);
            });
        }
    };
    let on_unregister = {
        let api = api.clone();
        let r = r.clone();
        let uid = uid.clone();
        move |_| {
            preparing.set(true);
            let (api, r, uid) = (api.clone(), r.clone(), uid.clone());
            spawn_local(async move {
                let next = match api::location_by_entity(api.clone(), r.clone()).await {
                    Ok(location) if !orphan => {
                        let loc_ref = format!("{}:{}", location.location_type, location.target);
                        let entities = match api::entities_of_location(api, loc_ref).await {
                            Ok(items) => items
                                .iter()
                                .filter_map(|v| {
                                    Some(EntityRef::new(
                                        str_at(v, "kind")?,
                                        str_at(v, "metadata.namespace").unwrap_or("default"),
                                        str_at(v, "metadata.name")?,
                                    ))
                                })
                                .collect(),
                            Err(_) => vec![r.clone()],
                        };
                        Ok(UnregisterPlan::Location { location, entities })
                    }
                    Ok(_) => Ok(UnregisterPlan::Entity { uid, orphan }),
                    Err(e) if e.is_not_found() => Ok(UnregisterPlan::Entity { uid, orphan }),
                    Err(e) => Err(e),
                };
                match next {
                    Ok(p) => {
                        plan.try_set(Some(p));
                    }
                    Err(e) => toasts.error(format!("Cannot unregister: {}", e.message)),
                }
                preparing.try_set(false);
            });
        }
    };
    let on_confirm = Callback::new(move |_: ()| {
        let Some(p) = plan.get_untracked() else {
            return;
        };
        deleting.set(true);
        let api = api.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = match &p {
                UnregisterPlan::Location { location, .. } => {
                    api::delete_location(api, location.id.clone()).await
                }
                UnregisterPlan::Entity { uid, .. } => api::delete_entity(api, uid.clone()).await,
            };
            deleting.try_set(false);
            match result {
                Ok(()) => {
                    let what = match &p {
                        UnregisterPlan::Location { location, .. } => {
                            format!("Unregistered location {}", location.target)
                        }
                        UnregisterPlan::Entity { .. } => "Entity removed from the catalog".into(),
                    };
                    toasts.success(what);
                    plan.try_set(None);
                    navigate(BASE, NavigateOptions::default());
                }
                Err(e) => {
                    plan.try_set(None);
                    toasts.error(format!("Unregister failed: {}", e.message));
                }
            }
        });
    });
    let on_cancel = Callback::new(move |_: ()| plan.set(None));
    view! {
        <div class="entity-actions">
            <button type="button" class="button" data-testid="entity-refresh" on:click=on_refresh disabled=move || refreshing.get()>
                {move || if refreshing.get() { view! { <Spinner /> }.into_any() } else { view! { <Icon name="activity" size=16 /> }.into_any() }}
                "Refresh"
            </button>
            <button type="button" class="button button-danger-outline" data-testid="entity-unregister" on:click=on_unregister disabled=move || preparing.get()>
                {move || preparing.get().then(|| view! { <Spinner /> })}
                "Unregister"
            </button>
        </div>
        {move || plan.get().map(|p| view! { <UnregisterDialog plan=p busy=deleting on_confirm=on_confirm on_cancel=on_cancel /> })}
    }
}

#[component]
fn UnregisterDialog(
    plan: UnregisterPlan,
    busy: RwSignal<bool>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let (title, body, confirm) = match plan {
        UnregisterPlan::Location { location, entities } => (
            "Unregister location",
            view! {
                <p>"This removes the location and every entity it provides from the catalog. The file itself is not touched."</p>
                <p class="dialog-location"><span class="muted">"Location "</span><code>{format!("{}:{}", location.location_type, location.target)}</code></p>
                <p><strong>{format!("{} entit{} will be removed:", entities.len(), if entities.len() == 1 { "y" } else { "ies" })}</strong></p>
                <ul class="dialog-list" data-testid="unregister-entities">
                    {entities.into_iter().map(|r| view! { <li><code>{r.to_string()}</code></li> }).collect_view()}
                </ul>
            }
            .into_any(),
            "Unregister",
        ),
        UnregisterPlan::Entity { orphan, .. } => (
            "Delete entity",
            view! {
                <p>
                    {if orphan {
                        "This entity is an orphan: no location provides it any more. Deleting removes it from the catalog."
                    } else {
                        "No registered location provides this entity. Deleting removes it from the catalog; if a provider still emits it, it will come back."
                    }}
                </p>
            }
            .into_any(),
            "Delete entity",
        ),
    };
    view! {
        <div class="dialog-backdrop" on:click=move |_| on_cancel.run(())>
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                data-testid="confirm-dialog"
                tabindex="-1"
                on:click=|ev| ev.stop_propagation()
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        on_cancel.run(())
                    }
                }
            >
                <h2 class="dialog-title">{title}</h2>
                {body}
                <div class="dialog-actions">
                    <button type="button" class="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                    <button
                        type="button"
                        class="button button-danger"
                        data-testid="confirm-button"
                        disabled=move || busy.get()
                        on:click=move |_| on_confirm.run(())
                    >
                        {move || busy.get().then(|| view! { <Spinner /> })}
                        {confirm}
                    </button>
                </div>
            </div>
        </div>
    }
}

/// Relation types listed as tables on the overview, with their titles.
const RELATION_TABLES: &[(&str, &str)] = &[
    ("hasPart", "Has part"),
    ("providesApi", "Provided APIs"),
    ("consumesApi", "Consumed APIs"),
    ("apiProvidedBy", "Providers"),
    ("apiConsumedBy", "Consumers"),
    ("dependsOn", "Depends on"),
    ("dependencyOf", "Dependency of"),
    ("parentOf", "Child groups"),
    ("hasMember", "Members"),
    ("memberOf", "Groups"),
    ("ownerOf", "Owned entities"),
];

#[component]
fn Overview(entity: Entity) -> impl IntoView {
    let api = use_api();
    let relations = entity_relations(&entity);
    let mut all_refs: Vec<String> = relations.iter().map(|(_, r)| r.to_string()).collect();
    all_refs.sort();
    all_refs.dedup();
    let related = LocalResource::new(move || api::entities_by_refs(api.clone(), all_refs.clone()));
    let related: Signal<RelatedMap> = Signal::derive(move || {
        related
            .get()
            .and_then(|r| r.ok())
            .map(related_map)
            .unwrap_or_default()
    });
    let tables = RELATION_TABLES
        .iter()
        .filter_map(|(t, title)| {
            let refs: Vec<EntityRef> = relations
                .iter()
                .filter(|(rt, _)| rt.eq_ignore_ascii_case(t))
                .map(|(_, r)| r.clone())
                .collect();
            (!refs.is_empty()).then(
                || view! { <RelatedTable title=*title relation=t refs=refs related=related /> },
            )
        })
        .collect_view();
    let registry = use_plugin_registry();
    let cards = registry
        .entity_cards(&entity)
        .map(|(plugin, c)| {
            let view = (c.view)(entity.clone());
            view! {
                <ExtensionBoundary plugin=plugin extension=format!("entity-card:{plugin}/{}", c.id)>
                    {view}
                </ExtensionBoundary>
            }
        })
        .collect_view();
    let has_relations = !relations.is_empty();
    view! {
        <ProcessingErrors entity=entity.clone() />
        <div class="entity-overview">
            <AboutCard entity=entity.clone() />
            <div data-testid="relations-card">
                <Card title="Relations">
                    {if has_relations {
                        view! { <RelationsGraph entity=entity.clone() /> }.into_any()
                    } else {
                        view! {
                            <div data-testid="relations-graph">
                                <EmptyState title="No relations" message="This entity does not refer to, and is not referred to by, any other entity." icon="activity" />
                            </div>
                        }
                        .into_any()
                    }}
                </Card>
            </div>
        </div>
        <div class="entity-cards">{cards}</div>
        <div class="entity-relations-tables">{tables}</div>
    }
}

/// `status.items` of type catalog-processing.
#[component]
fn ProcessingErrors(entity: Entity) -> impl IntoView {
    let items: Vec<(String, String)> = entity
        .status
        .as_ref()
        .and_then(|s| s.get("items"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|i| {
                    i.get("type").and_then(Value::as_str) == Some(STATUS_PROCESSING_ERROR)
                        || i.get("level").and_then(Value::as_str) == Some("error")
                })
                .map(|i| {
                    let name = i
                        .get("error")
                        .and_then(|e| e.get("name"))
                        .and_then(Value::as_str)
                        .unwrap_or("Error")
                        .to_string();
                    let msg = i
                        .get("message")
                        .and_then(Value::as_str)
                        .or_else(|| {
                            i.get("error")
                                .and_then(|e| e.get("message"))
                                .and_then(Value::as_str)
                        })
                        .unwrap_or("")
                        .to_string();
                    (name, msg)
                })
                .collect()
        })
        .unwrap_or_default();
    (!items.is_empty()).then(|| {
        view! {
            <div class="processing-errors" data-testid="processing-errors">
                {items
                    .into_iter()
                    .map(|(name, msg)| {
                        view! {
                            <ErrorPanel
                                error=ApiError { status: 0, name, message: msg }
                                title="This entity has processing errors"
                            />
                        }
                    })
                    .collect_view()}
            </div>
        }
    })
}

/// Link icons: Backstage's well-known names mapped to path data.
fn link_icon(icon: Option<&str>, url: &str) -> &'static str {
    const EXTERNAL: &str =
        "M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6M15 3h6v6M10 14 21 3";
    const DOCS: &str = "M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zM14 2v6h6M16 13H8M16 17H8M10 9H8";
    const CHAT: &str = "M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z";
    const DASHBOARD: &str = "M3 3h7v9H3zM14 3h7v5h-7zM14 12h7v9h-7zM3 16h7v5H3z";
    const CODE: &str = "M16 18l6-6-6-6M8 6l-6 6 6 6";
    const MAIL: &str =
        "M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM22 6l-10 7L2 6";
    let key = icon.unwrap_or("").to_ascii_lowercase();
    match key.as_str() {
        "docs" | "doc" | "book" | "documentation" => DOCS,
        "chat" | "slack" | "message" => CHAT,
        "dashboard" | "grafana" | "metrics" => DASHBOARD,
        "github" | "gitlab" | "code" | "source" | "repo" => CODE,
        "email" | "mail" => MAIL,
        _ if url.contains("github.com") || url.contains("gitlab") => CODE,
        _ if url.starts_with("mailto:") => MAIL,
        _ => EXTERNAL,
    }
}

#[component]
fn AboutCard(entity: Entity) -> impl IntoView {
    let ns = entity.namespace().to_string();
    let spec = entity.spec.clone().unwrap_or(Value::Null);
    let description = entity.metadata.description.clone();
    let mut rows: Vec<(&'static str, AnyView)> = Vec::new();
    if let Some(o) = owner_ref(&entity) {
        rows.push((
            "Owner",
            view! { <EntityRefLink entity_ref=o default_kind="group" /> }.into_any(),
        ));
    }
    let ref_row = |label: &'static str,
                   field: &str,
                   kind: &'static str,
                   rows: &mut Vec<(&'static str, AnyView)>| {
        if let Some(v) = str_at(&spec, field) {
            rows.push((
                label,
                view! { <EntityRefLink entity_ref=v.to_string() default_kind=kind default_namespace=ns.clone() /> }.into_any(),
            ));
        }
    };
    ref_row("System", "system", "system", &mut rows);
    ref_row("Domain", "domain", "domain", &mut rows);
    ref_row("Parent domain", "subdomainOf", "domain", &mut rows);
    ref_row("Parent", "subcomponentOf", "component", &mut rows);
    ref_row("Parent group", "parent", "group", &mut rows);
    for (label, field) in [("Type", "type"), ("Lifecycle", "lifecycle")] {
        if let Some(v) = str_at(&spec, field) {
            let v = v.to_string();
            let view = if field == "lifecycle" {
                view! { <Badge tone=lifecycle_tone(&v)>{v.clone()}</Badge> }.into_any()
            } else {
                view! { <span>{v}</span> }.into_any()
            };
            rows.push((label, view));
        }
    }
    if let Some(email) = str_at(&spec, "profile.email") {
        let href = format!("mailto:{email}");
        rows.push((
            "Email",
            view! { <a href=href>{email.to_string()}</a> }.into_any(),
        ));
    }
    if let Some(t) = str_at(&spec, "target") {
        rows.push(("Target", view! { <code>{t.to_string()}</code> }.into_any()));
    }
    let annotations = entity.metadata.annotations.clone().unwrap_or_default();
    if let Some(loc) = annotations.get(ANNOTATION_LOCATION) {
        let short = crate::refs::shorten_location(loc);
        rows.push((
            "Source",
            view! { <code class="about-source" title=loc.clone()>{short}</code> }.into_any(),
        ));
    }
    let tags = entity.metadata.tags.clone().unwrap_or_default();
    if !tags.is_empty() {
        rows.push((
            "Tags",
            view! { <div class="tag-list">{tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}</div> }.into_any(),
        ));
    }
    let links: Vec<(String, String, &'static str)> = entity
        .metadata
        .links
        .clone()
        .unwrap_or_default()
        .iter()
        .filter_map(|l| {
            let url = l.get("url")?.as_str()?.to_string();
            let title = l
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or(&url)
                .to_string();
            let icon = link_icon(l.get("icon").and_then(Value::as_str), &url);
            Some((url, title, icon))
        })
        .collect();
    let labels = entity.metadata.labels.clone().unwrap_or_default();
    let meta_count = labels.len() + annotations.len();
    let no_description = description.is_none();
    view! {
        <div data-testid="about-card">
            <Card title="About">
                <p class="about-description" class:muted=no_description>
                    {description.unwrap_or_else(|| "No description.".into())}
                </p>
                <portal_ui::KeyValue items=rows />
                {(!links.is_empty()).then(|| view! {
                    <div class="about-links" data-testid="entity-links">
                        <h3 class="section-title">"Links"</h3>
                        <ul class="link-list">
                            {links.into_iter().map(|(url, title, icon)| view! {
                                <li>
                                    <a href=url target="_blank" rel="noopener noreferrer">
                                        <Icon name=icon size=16 />
                                        <span>{title}</span>
                                    </a>
                                </li>
                            }).collect_view()}
                        </ul>
                    </div>
                })}
                {(meta_count > 0).then(|| view! {
                    <details class="about-meta">
                        <summary>{format!("Labels and annotations ({meta_count})")}</summary>
                        <dl class="meta-list">
                            {labels.into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd><span class="badge badge-neutral">"label"</span>" "{v}</dd></div> }).collect_view()}
                            {annotations.into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd class="break">{v}</dd></div> }).collect_view()}
                        </dl>
                    </details>
                })}
            </Card>
        </div>
    }
}

/// The API definition tab.
#[component]
fn ApiDefinition(entity: Entity) -> impl IntoView {
    let definition = entity
        .spec
        .as_ref()
        .and_then(|s| s.get("definition"))
        .map(|d| match d {
            Value::String(s) => s.clone(),
            other => serde_json::to_string_pretty(other).unwrap_or_default(),
        })
        .unwrap_or_default();
    let api_type = entity.spec_str("type").unwrap_or("").to_string();
    if definition.trim().is_empty() {
        return view! { <EmptyState title="No definition" message="This API has no spec.definition." icon="info" /> }.into_any();
    }
    let summary = summarize(&definition);
    let header = (!summary.is_empty()).then(|| {
        let ops: usize = summary.paths.iter().map(|p| p.operations.len()).sum();
        view! {
            <Card title=summary.title.clone().unwrap_or_else(|| "API".into())>
                <div class="api-summary" data-testid="api-summary">
                    <div class="entity-facts">
                        {summary.format.clone().map(|f| view! { <Badge tone=Tone::Info>{f}</Badge> })}
                        {summary.version.clone().map(|v| view! { <span class="fact"><span class="muted">"Version "</span><strong>{v}</strong></span> })}
                        <span class="fact muted">{format!("{} paths · {ops} operations", summary.paths.len())}</span>
                    </div>
                    {summary.description.clone().map(|d| view! { <p class="about-description">{d}</p> })}
                    {(!summary.servers.is_empty()).then(|| view! {
                        <p class="muted">"Servers: "{summary.servers.iter().map(|s| view! { <code class="server">{s.clone()}</code> }).collect_view()}</p>
                    })}
                    <ul class="api-paths" data-testid="api-paths">
                        {summary.paths.iter().map(|p| view! {
                            <li class="api-path">
                                <code class="api-path-name">{p.path.clone()}</code>
                                <div class="api-ops">
                                    {p.operations.iter().map(|o| view! {
                                        <div class="api-op">
                                            <span class=format!("method method-{}", o.method)>{o.method.to_ascii_uppercase()}</span>
                                            <span class="muted">{o.summary.clone()}</span>
                                        </div>
                                    }).collect_view()}
                                </div>
                            </li>
                        }).collect_view()}
                    </ul>
                </div>
            </Card>
        }
    });
    let lines = definition.lines().count();
    view! {
        <div class="api-definition">
            {header}
            <Card title=format!("Definition ({api_type}, {lines} lines)")>
                <pre class="code-block" data-testid="api-definition">{definition}</pre>
            </Card>
        </div>
    }
    .into_any()
}

/// The YAML tab.
#[component]
fn YamlView(entity: Entity) -> impl IntoView {
    let value = serde_json::to_value(&entity).unwrap_or(Value::Null);
    let text = to_yaml(&value);
    view! {
        <Card title="Entity YAML">
            <pre class="code-block" data-testid="entity-yaml">{text}</pre>
        </Card>
    }
}
