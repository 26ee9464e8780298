//! Frontend of the `home` plugin: the Butler Portal landing page at `/`.
//!
//! Shows the portal version and readiness (`GET /readyz`, also when it answers 503),
//! the database engine, the readiness checks, and the installed backend plugins
//! (`GET /api/plugins`).

#![forbid(unsafe_code)]

mod api;
mod pages;

use frontend_plugin_api::{Extension, FrontendPlugin, NavItemExtension, PageExtension};
use leptos::prelude::*;

/// The home plugin.
pub struct HomePlugin;

impl FrontendPlugin for HomePlugin {
    fn id(&self) -> &'static str {
        "home"
    }

    fn extensions(&self) -> Vec<Extension> {
        vec![
            Extension::Page(PageExtension {
                path: "/",
                title: "Home",
                view: || view! { <pages::HomePage /> }.into_any(),
            }),
            Extension::NavItem(NavItemExtension {
                title: "Home",
                icon: "home",
                to: "/",
            }),
        ]
    }
}
