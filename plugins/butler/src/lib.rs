//! Frontend of the `butler` plugin.
//!
//! * `/butler`: the Kubernetes connection (server, version, demo or not) and the tenant
//!   clusters the signed-in user may read — the backend lists them impersonating the user —
//!   with phase chips and links to their catalog entities.
//! * A header item: a "Demo cluster" badge while the portal runs against the in-process
//!   demo cluster (`--demo`), or "Kubernetes unavailable" when the API server cannot be
//!   reached (the tooltip says why).

#![forbid(unsafe_code)]

mod api;
mod pages;

use frontend_plugin_api::{
    Extension, FrontendPlugin, HeaderItemExtension, NavItemExtension, PageExtension,
};
use leptos::prelude::*;

/// The Butler plugin.
pub struct ButlerPlugin;

impl FrontendPlugin for ButlerPlugin {
    fn id(&self) -> &'static str {
        "butler"
    }

    fn extensions(&self) -> Vec<Extension> {
        vec![
            Extension::Page(PageExtension {
                path: "/butler",
                title: "Clusters",
                view: || view! { <pages::ClustersPage /> }.into_any(),
            }),
            Extension::NavItem(NavItemExtension {
                title: "Clusters",
                icon: "cluster",
                to: "/butler",
            }),
            Extension::HeaderItem(HeaderItemExtension {
                id: "cluster-badge",
                view: || view! { <pages::ClusterBadge /> }.into_any(),
            }),
        ]
    }
}
