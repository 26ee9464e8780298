//! Shown where a list has nothing to show.

use leptos::prelude::*;

use crate::icon::Icon;

/// Empty state: icon, title, message and optional actions.
#[component]
pub fn EmptyState(
    /// Title.
    #[prop(into)]
    title: String,
    /// Explanation.
    #[prop(optional, into)]
    message: Option<String>,
    /// Icon name.
    #[prop(into, default = "inbox".into())]
    icon: String,
    /// Actions.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state" data-testid="empty-state">
            <Icon name=icon size=32 />
            <h3>{title}</h3>
            {message.map(|m| view! { <p>{m}</p> })}
            {children.map(|c| c())}
        </div>
    }
}
