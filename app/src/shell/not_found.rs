//! The 404 page for unknown client routes.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// "Page not found" with a link home.
#[component]
pub fn NotFound() -> impl IntoView {
    let location = use_location();
    view! {
        <div class="not-found" data-testid="not-found">
            <div class="not-found-code" aria-hidden="true">"404"</div>
            <h1 class="page-title" data-testid="page-heading">"Page not found"</h1>
            <p class="muted">
                "There is no page at " <code>{move || location.pathname.get()}</code> "."
            </p>
            <a class="button button-primary" href="/" data-testid="go-home">"Back to home"</a>
        </div>
    }
}
