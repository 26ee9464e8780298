//! The sign-in page the shell shows instead of the app while nobody is signed in.

use frontend_plugin_api::use_api;
use leptos::prelude::*;
use portal_ui::{Icon, Spinner};

use crate::api::{self, Provider};

/// Lists the configured providers as buttons (`sign-in-<id>`): guest ("Enter as Guest",
/// with an explanation of guest mode) and OpenID Connect ("Sign in with <title>").
/// `message` is shown above the buttons (e.g. "Your session has expired"), `error` as an
/// alert; `busy` is the id of the provider being signed in with (its button spins).
#[component]
pub fn SignInPage(
    /// Called with the chosen provider.
    #[prop(into)]
    on_select: Callback<Provider>,
    /// Informational message (session expired, signed out).
    #[prop(into)]
    message: Signal<Option<String>>,
    /// Error of the last attempt.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Provider currently signing in.
    #[prop(into)]
    busy: Signal<Option<String>>,
) -> impl IntoView {
    let api = use_api();
    let providers = LocalResource::new(move || api::providers(api.clone()));
    let button = move |p: Provider| {
        let id = p.id.clone();
        let is_busy = {
            let id = id.clone();
            move || busy.get().as_deref() == Some(id.as_str())
        };
        let guest = p.kind == "guest";
        let label = if guest {
            "Enter as Guest".to_string()
        } else {
            format!("Sign in with {}", p.title)
        };
        let class = if guest {
            "button sign-in-button"
        } else {
            "button button-primary sign-in-button"
        };
        let icon = if guest {
            "user"
        } else {
            "M15 3h4a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-4M10 17l5-5-5-5M15 12H3"
        };
        let provider = p.clone();
        view! {
            <button
                type="button"
                class=class
                data-testid=format!("sign-in-{id}")
                data-provider-type=p.kind.clone()
                disabled=move || busy.get().is_some()
                on:click=move |_| on_select.run(provider.clone())
            >
                {move || if is_busy() { view! { <Spinner /> }.into_any() } else { view! { <Icon name=icon /> }.into_any() }}
                <span>{label.clone()}</span>
            </button>
        }
    };
    view! {
        <div class="sign-in-screen" data-testid="sign-in-page">
            <div class="sign-in-card" role="main">
                <div class="sign-in-brand">
                    <span class="brand-mark" aria-hidden="true">"B"</span>
                    <span class="brand-name">"Butler Portal"</span>
                </div>
                <h1 class="sign-in-title">"Sign in"</h1>
                <p class="muted sign-in-lead">"Your developer portal: software catalog, templates and platform resources."</p>
                {move || message.get().map(|m| view! {
                    <div class="callout callout-info" role="status" data-testid="sign-in-message">
                        <Icon name="info" />
                        <span>{m}</span>
                    </div>
                })}
                {move || error.get().map(|e| view! {
                    <div class="callout callout-danger" role="alert" data-testid="sign-in-error">
                        <Icon name="alert" />
                        <span>{e}</span>
                    </div>
                })}
                <Suspense fallback=|| view! { <div class="sign-in-loading"><Spinner /><span class="muted">"Loading sign-in options…"</span></div> }>
                    {move || Suspend::new(async move {
                        match providers.await {
                            Ok(list) if list.is_empty() => view! {
                                <div class="callout callout-warning" role="alert" data-testid="sign-in-no-providers">
                                    <Icon name="alert" />
                                    <span>
                                        "No sign-in provider is configured. An administrator must set "
                                        <code>"auth.providers"</code> " in the portal configuration."
                                    </span>
                                </div>
                            }.into_any(),
                            Ok(list) => {
                                let has_guest = list.iter().any(|p| p.kind == "guest");
                                let (guest, others): (Vec<Provider>, Vec<Provider>) =
                                    list.into_iter().partition(|p| p.kind == "guest");
                                let divider = (!others.is_empty() && has_guest)
                                    .then(|| view! { <div class="sign-in-divider"><span>"or"</span></div> });
                                view! {
                                    <div class="sign-in-providers" data-testid="sign-in-providers">
                                        {others.into_iter().map(button).collect_view()}
                                        {divider}
                                        {guest.into_iter().map(button).collect_view()}
                                    </div>
                                    {has_guest.then(|| view! {
                                        <p class="sign-in-guest-note muted" data-testid="guest-explanation">
                                            <strong>"Guest mode"</strong>
                                            " signs you in as the local development user "
                                            <code>"user:development/guest"</code>
                                            ". What it may change depends on the teams that user entity belongs to in the catalog (in the demo: payments operators); without one it can only browse. Guest sign-in is meant for development and demos and is turned off in production."
                                        </p>
                                    })}
                                }.into_any()
                            }
                            Err(e) => view! {
                                <div class="callout callout-danger" role="alert" data-testid="sign-in-error">
                                    <Icon name="alert" />
                                    <span>{format!("Could not load the sign-in options: {}", e.message)}</span>
                                </div>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </div>
    }
}
