//! `/catalog`: the catalog index.

use std::time::Duration;

use frontend_plugin_api::use_api;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use plugin_catalog_common::dto::{FacetValue, FacetsResponse};
use portal_types::EntityRef;
use portal_ui::{Badge, EmptyState, ErrorPanel, Icon, Loading, PageHeader, Spinner};
use serde_json::Value;

use crate::api;
use crate::components::entity_ref_link::EntityRefLink;
use crate::components::{lifecycle_tone, str_at, strs_at};
use crate::query::{kind_facets_path, range_label, CatalogQuery, SortField, FILTERS, KINDS};
use crate::refs::{entity_path, humanize, kind_label, BASE};

/// Debounce of the search box.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);

/// The index page.
#[component]
pub fn CatalogIndex() -> impl IntoView {
    let api = use_api();
    let query_map = use_query_map();
    let q = Memo::new(move |_| query_map.with(|m| CatalogQuery::from_params(|k| m.get(k))));
    let navigate = use_navigate();
    let go = Callback::new(move |(nq, replace): (CatalogQuery, bool)| {
        navigate(
            &format!("{BASE}{}", nq.to_search()),
            NavigateOptions {
                replace,
                scroll: false,
                ..Default::default()
            },
        );
    });

    let kinds = {
        let api = api.clone();
        LocalResource::new(move || api::facets(api.clone(), kind_facets_path().to_string()))
    };
    let facets_path = Memo::new(move |_| q.with(|q| q.facets_path()));
    let facets = {
        let api = api.clone();
        LocalResource::new(move || api::facets(api.clone(), facets_path.get()))
    };
    let entities = LocalResource::new(move || api::query_entities(api.clone(), q.get()));

    view! {
        <div class="page catalog-index">
            <PageHeader
                title="Software Catalog"
                subtitle="Everything your organization builds and runs: components, APIs, systems, resources and the teams that own them."
            >
                <a class="button button-primary" href=format!("{BASE}/register") data-testid="register-link">
                    "Register existing component"
                </a>
            </PageHeader>
            <div class="catalog-layout">
                <aside class="catalog-filters card" data-testid="catalog-filters">
                    <KindSelect q=q kinds=kinds go=go />
                    {FILTERS
                        .iter()
                        .map(|f| view! { <FacetSelect def=*f q=q facets=facets go=go /> })
                        .collect_view()}
                    <Show when=move || q.with(|q| q.is_narrowed())>
                        <button
                            type="button"
                            class="button button-small"
                            data-testid="clear-filters"
                            on:click=move |_| {
                                let kind = q.with(|q| q.kind().to_string());
                                go.run((CatalogQuery::default().with_kind(&kind), false))
                            }
                        >
                            "Clear filters"
                        </button>
                    </Show>
                </aside>
                <section class="catalog-main">
                    <SearchBox q=q go=go />
                    <EntityList q=q entities=entities go=go />
                </section>
            </div>
        </div>
    }
}

/// Kind selector with counts from `facet=kind`.
#[component]
fn KindSelect(
    q: Memo<CatalogQuery>,
    kinds: LocalResource<Result<FacetsResponse, frontend_plugin_api::ApiError>>,
    go: Callback<(CatalogQuery, bool)>,
) -> impl IntoView {
    let count = move |kind: &str| -> Option<u64> {
        let resp = kinds.get()?.ok()?;
        let values = resp.facets.get("kind")?;
        Some(
            values
                .iter()
                .filter(|v| v.value.eq_ignore_ascii_case(kind))
                .map(|v| v.count)
                .sum(),
        )
    };
    view! {
        <label class="field">
            <span class="field-label">"Kind"</span>
            <select
                class="select"
                data-testid="kind-select"
                prop:value=move || q.with(|q| q.kind().to_string())
                on:change=move |ev| {
                    let kind = event_target_value(&ev);
                    go.run((q.with(|q| q.with_kind(&kind)), false));
                }
            >
                {KINDS
                    .iter()
                    .map(|k| {
                        let value = k.to_ascii_lowercase();
                        let v2 = value.clone();
                        view! {
                            <option value=value selected=move || q.with(|q| q.kind() == v2)>
                                {move || match count(k) {
                                    Some(n) => format!("{k} ({n})"),
                                    None => k.to_string(),
                                }}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// One facet filter dropdown (`filter-<key>`).
#[component]
fn FacetSelect(
    def: crate::query::FilterDef,
    q: Memo<CatalogQuery>,
    facets: LocalResource<Result<FacetsResponse, frontend_plugin_api::ApiError>>,
    go: Callback<(CatalogQuery, bool)>,
) -> impl IntoView {
    let selected = move || q.with(|q| q.filters.get(def.key).cloned().unwrap_or_default());
    let options = move || {
        let mut values: Vec<FacetValue> = facets
            .get()
            .and_then(|r| r.ok())
            .and_then(|r| r.facets.get(def.facet).cloned())
            .unwrap_or_default();
        values.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        let current = selected();
        if !current.is_empty()
            && !values
                .iter()
                .any(|v| v.value.eq_ignore_ascii_case(&current))
        {
            values.insert(
                0,
                FacetValue {
                    value: current.clone(),
                    count: 0,
                },
            );
        }
        values
            .into_iter()
            .map(|v| {
                let label = if def.key == "owner" {
                    EntityRef::parse(&v.value, Some("group"), None)
                        .map(|r| humanize(&r, Some("group")))
                        .unwrap_or_else(|_| v.value.clone())
                } else {
                    v.value.clone()
                };
                let text = if v.count > 0 {
                    format!("{label} ({})", v.count)
                } else {
                    label
                };
                let is_sel = v.value.eq_ignore_ascii_case(&current);
                view! { <option value=v.value selected=is_sel>{text}</option> }
            })
            .collect_view()
    };
    let disabled = move || {
        selected().is_empty()
            && facets
                .get()
                .and_then(|r| r.ok())
                .map(|r| r.facets.get(def.facet).is_none_or(|v| v.is_empty()))
                .unwrap_or(false)
    };
    view! {
        <label class="field">
            <span class="field-label">{def.label}</span>
            <select
                class="select"
                data-testid=format!("filter-{}", def.key)
                prop:disabled=disabled
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    go.run((q.with(|q| q.with_filter(def.key, &value)), false));
                }
            >
                <option value="" selected=move || selected().is_empty()>"All"</option>
                {options}
            </select>
        </label>
    }
}

/// The search box: debounced, written to the URL with `replace`.
#[component]
fn SearchBox(q: Memo<CatalogQuery>, go: Callback<(CatalogQuery, bool)>) -> impl IntoView {
    let text = RwSignal::new(q.get_untracked().text);
    // follow the URL (back/forward, clear filters)
    Effect::new(move |_| {
        let t = q.with(|q| q.text.clone());
        if t.trim() != text.get_untracked().trim() {
            text.set(t);
        }
    });
    let generation = StoredValue::new(0u64);
    let on_input = move |ev| {
        let value = event_target_value(&ev);
        text.set(value.clone());
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        set_timeout(
            move || {
                if generation.try_get_value() == Some(mine)
                    && q.with_untracked(|q| q.text.trim() != value.trim())
                {
                    go.run((q.with_untracked(|q| q.with_text(&value)), true));
                }
            },
            SEARCH_DEBOUNCE,
        );
    };
    view! {
        <div class="search-box">
            <Icon name="search" size=16 />
            <input
                type="search"
                class="input"
                placeholder="Search by name, title or description"
                aria-label="Search the catalog"
                data-testid="catalog-search"
                prop:value=move || text.get()
                on:input=on_input
            />
        </div>
    }
}

/// The table, with loading, empty and error states and pagination.
#[component]
fn EntityList(
    q: Memo<CatalogQuery>,
    entities: LocalResource<
        Result<plugin_catalog_common::dto::QueryEntitiesResponse, frontend_plugin_api::ApiError>,
    >,
    go: Callback<(CatalogQuery, bool)>,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    view! {
        <div class="card catalog-table-card" class:is-pending=move || pending.get()>
            <Transition fallback=|| view! { <Loading label="Loading entities…" /> } set_pending=pending>
                {move || Suspend::new(async move {
                    match entities.await {
                        Err(e) => view! {
                            <div class="card-body"><ErrorPanel error=e title="Could not load the catalog" /></div>
                        }
                        .into_any(),
                        Ok(resp) if resp.items.is_empty() => {
                            let query = q.get_untracked();
                            let narrowed = query.is_narrowed();
                            let kind = kind_label(query.kind());
                            view! {
                                <EmptyState
                                    title=format!("No {kind} entities found")
                                    message=if narrowed {
                                        "Nothing matches the current filters and search.".to_string()
                                    } else {
                                        format!("The catalog has no entities of kind {kind} yet.")
                                    }
                                    icon="catalog"
                                >
                                    {if narrowed {
                                        view! {
                                            <button type="button" class="button" on:click=move |_| {
                                                go.run((CatalogQuery::default().with_kind(&query.kind), false))
                                            }>"Clear filters"</button>
                                        }
                                        .into_any()
                                    } else {
                                        view! {
                                            <a class="button button-primary" href=format!("{BASE}/register")>
                                                "Register existing component"
                                            </a>
                                        }
                                        .into_any()
                                    }}
                                </EmptyState>
                            }
                            .into_any()
                        }
                        Ok(resp) => {
                            let query = q.get_untracked();
                            let label = range_label(query.start, resp.items.len() as u64, resp.total_items);
                            let next = resp.page_info.next_cursor.clone();
                            let prev = resp.page_info.prev_cursor.clone();
                            let (q_next, q_prev) = (query.clone(), query.clone());
                            view! {
                                <EntityTable q=query items=resp.items go=go />
                                <div class="pagination">
                                    <span class="muted" data-testid="pagination-label">{label}</span>
                                    <button
                                        type="button"
                                        class="button button-small"
                                        data-testid="pagination-prev"
                                        disabled=prev.is_none() && q_prev.start == 0
                                        on:click=move |_| {
                                            let p = prev.clone().unwrap_or_default();
                                            go.run((q_prev.prev_page(&p), false))
                                        }
                                    >
                                        "‹ Previous"
                                    </button>
                                    <button
                                        type="button"
                                        class="button button-small"
                                        data-testid="pagination-next"
                                        disabled=next.is_none()
                                        on:click=move |_| {
                                            if let Some(c) = &next {
                                                go.run((q_next.next_page(c), false))
                                            }
                                        }
                                    >
                                        "Next ›"
                                    </button>
                                </div>
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
            <Show when=move || pending.get()>
                <div class="pending-indicator"><Spinner /></div>
            </Show>
        </div>
    }
}

/// The rows of one page.
#[component]
fn EntityTable(
    q: CatalogQuery,
    items: Vec<Value>,
    go: Callback<(CatalogQuery, bool)>,
) -> impl IntoView {
    let headers = SortField::ALL
        .into_iter()
        .map(|f| {
            let active = q.sort == f;
            let arrow = match (active, q.desc) {
                (true, false) => "▲",
                (true, true) => "▼",
                _ => "",
            };
            let q2 = q.clone();
            let aria = match (active, q.desc) {
                (true, false) => "ascending",
                (true, true) => "descending",
                _ => "none",
            };
            view! {
                <th scope="col" aria-sort=aria>
                    <button
                        type="button"
                        class="sort-button"
                        class:active=active
                        data-testid=format!("sort-{}", f.key())
                        on:click=move |_| go.run((q2.with_sort(f), false))
                    >
                        {f.label()}
                        <span class="sort-arrow">{arrow}</span>
                    </button>
                </th>
            }
        })
        .collect_view();
    let rows = items
        .into_iter()
        .map(|v| view! { <EntityRow v=v /> })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table catalog-table" data-testid="catalog-table">
                <thead>
                    <tr>
                        {headers}
                        <th scope="col" class="col-desc">"Description"</th>
                        <th scope="col">"Tags"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn EntityRow(v: Value) -> impl IntoView {
    let kind = str_at(&v, "kind").unwrap_or("component").to_string();
    let name = str_at(&v, "metadata.name").unwrap_or("").to_string();
    let ns = str_at(&v, "metadata.namespace")
        .unwrap_or("default")
        .to_string();
    let title = str_at(&v, "metadata.title")
        .or(str_at(&v, "spec.profile.displayName"))
        .map(String::from);
    let href = entity_path(&EntityRef::new(&kind, &ns, &name));
    let owner = str_at(&v, "spec.owner").map(String::from);
    let typ = str_at(&v, "spec.type").map(String::from);
    let lifecycle = str_at(&v, "spec.lifecycle").map(String::from);
    let desc = str_at(&v, "metadata.description").map(String::from);
    let tags = strs_at(&v, "metadata.tags");
    let label = title.clone().unwrap_or_else(|| name.clone());
    let sub = (title.is_some() || ns != "default").then(|| {
        if ns == "default" {
            name.clone()
        } else {
            format!("{ns}/{name}")
        }
    });
    view! {
        <tr data-testid="catalog-row" data-name=name.clone()>
            <td>
                <div class="cell-name">
                    <a href=href class="entity-link">{label}</a>
                    {sub.map(|s| view! { <small class="muted">{s}</small> })}
                </div>
            </td>
            <td>
                {owner.map(|o| view! { <EntityRefLink entity_ref=o default_kind="group" default_namespace=ns.clone() /> })}
            </td>
            <td>{typ}</td>
            <td>{lifecycle.map(|l| view! { <Badge tone=lifecycle_tone(&l)>{l.clone()}</Badge> })}</td>
            <td class="muted cell-desc col-desc" title=desc.clone()>{desc.clone()}</td>
            <td>
                <div class="tag-list">
                    {tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}
                </div>
            </td>
        </tr>
    }
}
