//! The landing page.

use frontend_plugin_api::use_api;
use leptos::prelude::*;
use portal_ui::{Badge, PageHeader, Tone};

use super::plugins_card::PluginsCard;
use super::status_card::{ChecksCard, StatusCard};
use crate::api;

/// `/`: welcome, portal status, readiness checks and installed plugins.
#[component]
pub fn HomePage() -> impl IntoView {
    let api = use_api();
    let readiness = {
        let api = api.clone();
        LocalResource::new(move || api::readiness(api.clone()))
    };
    let plugins = {
        let api = api.clone();
        LocalResource::new(move || api::installed_plugins(api.clone()))
    };
    let info = LocalResource::new(move || api::info(api.clone()));
    let demo = move || {
        info.get()
            .and_then(|r| r.ok())
            .filter(|i| i.demo)
            .map(|_| view! { <Badge tone=Tone::Info>"Demo mode"</Badge> })
    };
    view! {
        <div class="page home-page">
            <PageHeader
                title="Welcome to Butler Portal"
                subtitle="Your developer portal: software catalog, templates and platform resources in one place."
            >
                {demo}
            </PageHeader>
            <div class="grid grid-2">
                <StatusCard readiness=readiness />
                <ChecksCard readiness=readiness />
            </div>
            <PluginsCard plugins=plugins />
        </div>
    }
}
