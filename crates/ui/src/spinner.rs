//! Loading indicators.

use leptos::prelude::*;

/// An inline spinner.
#[component]
pub fn Spinner() -> impl IntoView {
    view! { <span class="spinner" role="progressbar" aria-label="Loading"></span> }
}

/// A centered loading state with a label.
#[component]
pub fn Loading(
    /// Text next to the spinner.
    #[prop(into, default = "Loading…".into())]
    label: String,
) -> impl IntoView {
    view! {
        <div class="loading" data-testid="loading">
            <Spinner />
            <span>{label}</span>
        </div>
    }
}
