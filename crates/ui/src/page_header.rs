//! The heading block at the top of every page.

use leptos::prelude::*;

/// Page title (`data-testid="page-heading"`), optional subtitle and actions on the right.
#[component]
pub fn PageHeader(
    /// Page title.
    #[prop(into)]
    title: String,
    /// One line under the title.
    #[prop(optional, into)]
    subtitle: Option<String>,
    /// Actions (buttons, links) shown on the right.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <header class="page-header">
            <div class="page-header-text">
                <h1 class="page-title" data-testid="page-heading">{title}</h1>
                {subtitle.map(|s| view! { <p class="page-subtitle">{s}</p> })}
            </div>
            <div class="page-header-actions">{children.map(|c| c())}</div>
        </header>
    }
}
