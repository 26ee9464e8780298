//! A bordered content card with an optional title.

use leptos::prelude::*;

/// A card. Extra attributes (`attr:data-testid=…`) land on the outer element.
#[component]
pub fn Card(
    /// Optional card title.
    #[prop(optional, into)]
    title: Option<String>,
    /// Card body.
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card">
            {title.map(|t| view! { <h2 class="card-title">{t}</h2> })}
            <div class="card-body">{children()}</div>
        </section>
    }
}
