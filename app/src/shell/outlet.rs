//! Renders the plugin page owning the current location (longest path prefix, `/` exact),
//! inside an extension boundary; the 404 page when none does.

use frontend_plugin_api::{provide_page_base, use_plugin_registry, PageExtension};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use portal_ui::ExtensionBoundary;

use super::not_found::NotFound;

/// The page area. Re-renders only when the owning page changes, so a page keeps its
/// state while navigating below its own path.
#[component]
pub fn PageOutlet() -> impl IntoView {
    let registry = use_plugin_registry();
    let location = use_location();
    let index = {
        let registry = registry.clone();
        Memo::new(move |_| registry.page_index_for(&location.pathname.get()))
    };
    move || match index.get() {
        Some(i) => {
            let (plugin, page) = registry.pages().nth(i).expect("page index in range");
            view! { <PageHost plugin=plugin page=page.clone() /> }.into_any()
        }
        None => {
            set_title("Page not found");
            view! { <NotFound /> }.into_any()
        }
    }
}

#[component]
fn PageHost(plugin: &'static str, page: PageExtension) -> impl IntoView {
    provide_page_base(page.path);
    set_title(page.title);
    view! {
        <ExtensionBoundary plugin=plugin extension=format!("page:{plugin}")>
            {(page.view)()}
        </ExtensionBoundary>
    }
}

fn set_title(title: &str) {
    document().set_title(&format!("{title} · Butler Portal"));
}
