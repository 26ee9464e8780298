//! Frontend of the `catalog` plugin: the Software Catalog UI at `/catalog`.
//!
//! * `/catalog` — the index: kind selector with counts, facet filters (type, owner,
//!   lifecycle, namespace, tag), debounced full-text search, sortable columns and
//!   cursor pagination over `GET /api/catalog/entities/by-query`. The whole state lives in
//!   the URL query, so a filtered view survives reloads and can be shared.
//! * `/catalog/:namespace/:kind/:name[/tab]` — the entity page (Backstage's URL shape):
//!   header, Overview (about card, processing errors, relations graph, relation tables,
//!   other plugins' entity cards), API definition (kind API), YAML, and one tab per
//!   matching `EntityContent` extension of any plugin. Refresh and unregister actions.
//! * `/catalog/register` — register an existing `catalog-info.yaml` by URL or file path,
//!   with a dry-run preview.
//!
//! Pure logic (URL ↔ query state, the YAML emitter, the graph layout, API definition
//! summaries, ref humanizing) is in plain modules with native unit tests:
//! `cargo test -p plugin-catalog`. [`EntityRefLink`] is the shared ref-link component.

#![forbid(unsafe_code)]

mod api;
mod components;
pub mod graph;
pub mod openapi;
mod pages;
pub mod query;
pub mod refs;
pub mod yaml;

pub use components::entity_ref_link::EntityRefLink;

use frontend_plugin_api::{
    use_subpath, Extension, FrontendPlugin, NavItemExtension, PageExtension,
};
use leptos::prelude::*;
use portal_types::EntityRef;

/// The catalog plugin.
pub struct CatalogPlugin;

impl FrontendPlugin for CatalogPlugin {
    fn id(&self) -> &'static str {
        "catalog"
    }

    fn extensions(&self) -> Vec<Extension> {
        vec![
            Extension::Page(PageExtension {
                path: refs::BASE,
                title: "Catalog",
                view: || view! { <CatalogPage /> }.into_any(),
            }),
            Extension::NavItem(NavItemExtension {
                title: "Catalog",
                icon: "catalog",
                to: refs::BASE,
            }),
        ]
    }
}

/// What a path below `/catalog` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogRoute {
    /// `/`: the index.
    Index,
    /// `/register`.
    Register,
    /// `/:namespace/:kind/:name`.
    Entity(EntityRef),
    /// Anything else.
    NotFound,
}

/// Split a sub-path of `/catalog` into the route and the entity tab (`""` = overview).
pub fn parse_route(subpath: &str) -> (CatalogRoute, String) {
    let segs: Vec<&str> = subpath.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        [] => (CatalogRoute::Index, String::new()),
        ["register"] => (CatalogRoute::Register, String::new()),
        [ns, kind, name, rest @ ..] if rest.len() <= 1 => (
            CatalogRoute::Entity(EntityRef::new(kind, ns, name)),
            rest.first().map(|s| s.to_string()).unwrap_or_default(),
        ),
        _ => (CatalogRoute::NotFound, String::new()),
    }
}

/// The page mounted at `/catalog`: dispatches on the sub-path. The entity page stays
/// mounted while switching its tabs.
#[component]
fn CatalogPage() -> impl IntoView {
    let sub = use_subpath();
    let route = Memo::new(move |_| parse_route(&sub.get()).0);
    let tab = Memo::new(move |_| parse_route(&sub.get()).1);
    move || {
        match route.get() {
        CatalogRoute::Index => view! { <pages::index::CatalogIndex /> }.into_any(),
        CatalogRoute::Register => view! { <pages::register::RegisterPage /> }.into_any(),
        CatalogRoute::Entity(r) => {
            view! { <pages::entity::EntityPage entity_ref=r tab=tab /> }.into_any()
        }
        CatalogRoute::NotFound => view! {
            <div class="page">
                <portal_ui::EmptyState
                    title="Page not found"
                    message="Catalog pages are /catalog, /catalog/register and /catalog/:namespace/:kind/:name."
                    icon="catalog"
                >
                    <a class="button" href=refs::BASE>"Back to the catalog"</a>
                </portal_ui::EmptyState>
            </div>
        }
        .into_any(),
    }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_parse_catalog_routes() {
        assert_eq!(parse_route("/"), (CatalogRoute::Index, String::new()));
        assert_eq!(parse_route("/register").0, CatalogRoute::Register);
        let (r, tab) = parse_route("/default/Component/payments");
        assert_eq!(
            r,
            CatalogRoute::Entity(EntityRef::new("component", "default", "payments"))
        );
        assert_eq!(tab, "");
        assert_eq!(parse_route("/ops/api/pay/yaml/").1, "yaml");
        assert_eq!(parse_route("/a/b").0, CatalogRoute::NotFound);
        assert_eq!(parse_route("/a/b/c/d/e").0, CatalogRoute::NotFound);
    }

    #[test]
    fn should_declare_a_page_and_a_nav_item() {
        let reg =
            frontend_plugin_api::PluginRegistry::build(vec![Box::new(CatalogPlugin)]).unwrap();
        assert_eq!(reg.pages().count(), 1);
        assert_eq!(reg.nav_items().next().unwrap().1.to, "/catalog");
    }
}
