//! Frontend of the `scaffolder` plugin ("Create"), mounted at `/create`:
//!
//! * `/create` — the template gallery: cards from the catalog's Template entities, search,
//!   type and tag filters.
//! * `/create/templates/:namespace/:name` — the wizard generated from the template's JSON
//!   Schema parameter pages (`GET /api/scaffolder/v2/templates/…/parameter-schema`) with
//!   inline validation (the same validator as the server, [`plugin_scaffolder_common::schema`]),
//!   catalog-backed pickers and a review step.
//! * `/create/tasks/:id` — the run page: per-step status, live logs (long-polling
//!   `/v2/tasks/:id/events`, which carries the bearer token that `EventSource` cannot),
//!   output links, cancel and retry.
//! * `/create/tasks` — task list (mine / all).
//!
//! Pure logic (routes, value paths, picker queries, step status from events) is in plain
//! modules with native unit tests: `cargo test -p plugin-scaffolder`.

#![forbid(unsafe_code)]

pub mod api;
mod components;
pub mod form;
mod pages;
pub mod pattern;
pub mod run;

use frontend_plugin_api::{
    use_subpath, Extension, FrontendPlugin, NavItemExtension, PageExtension,
};
use leptos::prelude::*;

/// Mount path of the plugin's page.
pub const BASE: &str = "/create";

/// The scaffolder plugin.
pub struct ScaffolderPlugin;

impl FrontendPlugin for ScaffolderPlugin {
    fn id(&self) -> &'static str {
        plugin_scaffolder_common::PLUGIN_ID
    }

    fn extensions(&self) -> Vec<Extension> {
        vec![
            Extension::Page(PageExtension {
                path: BASE,
                title: "Create",
                view: || view! { <ScaffolderPage /> }.into_any(),
            }),
            Extension::NavItem(NavItemExtension {
                title: "Create",
                icon: "templates",
                to: BASE,
            }),
        ]
    }
}

/// What a path below `/create` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/`: the gallery.
    Gallery,
    /// `/templates/:namespace/:name`.
    Wizard(String, String),
    /// `/tasks`.
    Tasks,
    /// `/tasks/:id`.
    Task(String),
    /// Anything else.
    NotFound,
}

/// Parse a sub-path of `/create`.
pub fn parse_route(subpath: &str) -> Route {
    let segs: Vec<&str> = subpath.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        [] => Route::Gallery,
        ["templates", ns, name] => Route::Wizard(ns.to_string(), name.to_string()),
        ["tasks"] => Route::Tasks,
        ["tasks", id] => Route::Task(id.to_string()),
        _ => Route::NotFound,
    }
}

/// Path of a template's wizard.
pub fn wizard_path(namespace: &str, name: &str) -> String {
    format!("{BASE}/templates/{namespace}/{name}")
}

/// Path of a task's run page.
pub fn task_path(id: &str) -> String {
    format!("{BASE}/tasks/{id}")
}

#[component]
fn ScaffolderPage() -> impl IntoView {
    let sub = use_subpath();
    let route = Memo::new(move |_| parse_route(&sub.get()));
    move || {
        match route.get() {
        Route::Gallery => view! { <pages::gallery::Gallery /> }.into_any(),
        Route::Wizard(ns, name) => view! { <pages::wizard::Wizard namespace=ns name=name /> }.into_any(),
        Route::Tasks => view! { <pages::tasks::TaskListPage /> }.into_any(),
        Route::Task(id) => view! { <pages::run::RunPage id=id /> }.into_any(),
        Route::NotFound => view! {
            <div class="page">
                <portal_ui::EmptyState
                    title="Page not found"
                    message="Scaffolder pages are /create, /create/templates/:namespace/:name, /create/tasks and /create/tasks/:id."
                    icon="templates"
                >
                    <a class="button" href=BASE>"Back to the templates"</a>
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
    fn should_parse_routes() {
        assert_eq!(parse_route("/"), Route::Gallery);
        assert_eq!(parse_route(""), Route::Gallery);
        assert_eq!(
            parse_route("/templates/default/svc"),
            Route::Wizard("default".into(), "svc".into())
        );
        assert_eq!(parse_route("/tasks"), Route::Tasks);
        assert_eq!(parse_route("/tasks/abc/"), Route::Task("abc".into()));
        assert_eq!(parse_route("/templates/x"), Route::NotFound);
        assert_eq!(
            wizard_path("default", "svc"),
            "/create/templates/default/svc"
        );
    }

    #[test]
    fn should_declare_a_page_and_a_nav_item() {
        let reg =
            frontend_plugin_api::PluginRegistry::build(vec![Box::new(ScaffolderPlugin)]).unwrap();
        assert_eq!(reg.pages().count(), 1);
        assert_eq!(reg.nav_items().next().unwrap().1.to, "/create");
    }
}
