//! The top bar: product name, theme toggle and the signed-in user's menu.

use frontend_plugin_api::use_plugin_registry;
use leptos::prelude::*;
use portal_ui::{ExtensionBoundary, Icon};

use super::theme::{use_theme, Theme};
use super::user_menu::UserMenu;

/// The header.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/" aria-label="Butler Portal home">
                <span class="brand-mark" aria-hidden="true">"B"</span>
                <span class="brand-name">"Butler Portal"</span>
            </a>
            <div class="topbar-spacer"></div>
            <div class="topbar-actions">
                <HeaderItems />
                <ThemeToggle />
                <div class="identity-slot" data-testid="identity-slot">
                    <UserMenu />
                </div>
            </div>
        </header>
    }
}

/// Plugins' header items (e.g. the Butler "Demo cluster" badge), in registration order.
#[component]
fn HeaderItems() -> impl IntoView {
    use_plugin_registry()
        .header_items()
        .map(|(plugin, item)| {
            let view = item.view;
            view! {
                <ExtensionBoundary plugin=plugin extension=format!("header-item:{plugin}/{}", item.id)>
                    {view()}
                </ExtensionBoundary>
            }
        })
        .collect_view()
}

/// The light/dark switch (also shown on the sign-in page).
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let theme = use_theme();
    let is_dark = move || theme.0.get() == Theme::Dark;
    view! {
        <button
            type="button"
            class="icon-button"
            data-testid="theme-toggle"
            title=move || if is_dark() { "Switch to light theme" } else { "Switch to dark theme" }
            aria-label=move || if is_dark() { "Switch to light theme" } else { "Switch to dark theme" }
            on:click=move |_| theme.toggle()
        >
            {move || if is_dark() { view! { <Icon name="sun" /> } } else { view! { <Icon name="moon" /> } }}
        </button>
    }
}
