//! The sidebar: one entry per plugin nav item, in registration order.

use frontend_plugin_api::{page_matches, use_plugin_registry};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use portal_ui::Icon;

/// The sidebar navigation.
#[component]
pub fn Sidebar() -> impl IntoView {
    let registry = use_plugin_registry();
    let location = use_location();
    let items = registry
        .nav_items()
        .map(|(plugin, item)| {
            let to = item.to;
            let active = move || page_matches(to, &location.pathname.get());
            view! {
                <a
                    class="nav-item"
                    class:active=active
                    aria-current=move || active().then_some("page")
                    href=to
                    data-testid=format!("nav-{plugin}")
                >
                    <Icon name=item.icon size=20 />
                    <span>{item.title}</span>
                </a>
            }
        })
        .collect_view();
    view! {
        <nav class="sidebar" data-testid="sidebar" aria-label="Main">
            {items}
        </nav>
    }
}
