//! The root component: builds the plugin registry, provides the shell contexts and lays
//! out header, sidebar and the page outlet.

use std::sync::Arc;

use frontend_plugin_api::{
    provide_api_client, provide_plugin_registry, ApiClient, PluginRegistry, RegistryError,
};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use portal_ui::{provide_toasts, Toaster};

use crate::plugins::plugins;
use crate::shell::{provide_theme, Header, PageOutlet, Sidebar};

/// The app.
#[component]
pub fn App() -> impl IntoView {
    provide_theme();
    let toasts = provide_toasts();
    let api = ApiClient::new("");
    api.on_unauthorized(move || toasts.error("Your session has expired. Please sign in again."));
    provide_api_client(api);

    match PluginRegistry::build(plugins()) {
        Ok(registry) => {
            provide_plugin_registry(Arc::new(registry));
            view! {
                <Router>
                    <div class="app">
                        <Header />
                        <div class="app-body">
                            <Sidebar />
                            <main class="content" id="content">
                                // One catch-all route: the outlet picks the plugin page. Routes
                                // is still needed, it completes navigations (pushState).
                                <Routes fallback=|| view! { <PageOutlet /> }>
                                    <Route path=path!("/*any") view=PageOutlet />
                                </Routes>
                            </main>
                        </div>
                        <Toaster />
                    </div>
                </Router>
            }
            .into_any()
        }
        Err(errors) => view! { <RegistryErrors errors=errors /> }.into_any(),
    }
}

/// Shown instead of the app when `app/src/plugins.rs` lists invalid plugins.
#[component]
fn RegistryErrors(errors: Vec<RegistryError>) -> impl IntoView {
    for e in &errors {
        leptos::logging::error!("plugin registry: {e}");
    }
    view! {
        <div class="fatal" role="alert" data-testid="registry-errors">
            <h1>"Butler Portal cannot start"</h1>
            <p>"The frontend plugin list is invalid:"</p>
            <ul>{errors.into_iter().map(|e| view! { <li>{e.to_string()}</li> }).collect_view()}</ul>
        </div>
    }
}
