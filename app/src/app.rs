//! The root component: builds the plugin registry, provides the shell contexts, and shows
//! either the sign-in page (nobody signed in; for every route, the URL is kept so the
//! requested page opens after sign-in) or the app: header, sidebar and the page outlet.

use std::sync::Arc;

use frontend_plugin_api::{
    provide_api_client, provide_identity, provide_plugin_registry, ApiClient, PluginRegistry,
    RegistryError,
};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use plugin_auth::SignInPage;
use portal_ui::{provide_toasts, Spinner, Toaster};

use crate::plugins::plugins;
use crate::shell::{provide_theme, Header, PageOutlet, Phase, Session, Sidebar, ThemeToggle};

/// The app.
#[component]
pub fn App() -> impl IntoView {
    provide_theme();
    provide_toasts();
    let api = ApiClient::new("");
    provide_api_client(api.clone());

    match PluginRegistry::build(plugins()) {
        Ok(registry) => {
            provide_plugin_registry(Arc::new(registry));
            let session = Session::start(api);
            provide_context(session);
            provide_identity(session.user.into());
            let phase = Memo::new(move |_| session.phase.get());
            view! {
                <Router>
                    {move || match phase.get() {
                        Phase::Checking => view! {
                            <div class="boot" data-testid="session-checking">
                                <Spinner />
                                <span class="muted">"Signing you in…"</span>
                            </div>
                        }
                        .into_any(),
                        Phase::SignedOut => view! {
                            <div class="sign-in-theme"><ThemeToggle /></div>
                            <SignInPage
                                on_select=move |p| session.sign_in(p)
                                message=session.message
                                error=session.error
                                busy=session.busy
                            />
                        }
                        .into_any(),
                        Phase::SignedIn => view! { <Shell /> }.into_any(),
                    }}
                    <Toaster />
                </Router>
            }
            .into_any()
        }
        Err(errors) => view! { <RegistryErrors errors=errors /> }.into_any(),
    }
}

/// The signed-in layout.
#[component]
fn Shell() -> impl IntoView {
    view! {
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
        </div>
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
