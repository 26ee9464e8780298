//! A horizontal tab bar (links or buttons).

use leptos::prelude::*;

/// One tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabItem {
    /// Identifier compared with the active tab.
    pub id: String,
    /// Label.
    pub label: String,
    /// When set, the tab is a link (routed by the shell's router); else a button.
    pub href: Option<String>,
}

impl TabItem {
    /// A link tab.
    pub fn link(id: impl Into<String>, label: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            href: Some(href.into()),
        }
    }

    /// A button tab (selection handled by `on_select`).
    pub fn button(id: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            href: None,
        }
    }
}

/// A tab bar. `active` is the id of the selected tab.
#[component]
pub fn Tabs(
    /// The tabs.
    items: Vec<TabItem>,
    /// Id of the selected tab.
    #[prop(into)]
    active: Signal<String>,
    /// Called with the id of a clicked button tab.
    #[prop(optional, into)]
    on_select: Option<Callback<String>>,
) -> impl IntoView {
    view! {
        <nav class="tabs" role="tablist">
            {items
                .into_iter()
                .map(|t| {
                    let id = t.id.clone();
                    let selected = move || active.get() == id;
                    let testid = format!("tab-{}", t.id);
                    match t.href {
                        Some(href) => view! {
                            <a
                                class="tab"
                                class:active=selected.clone()
                                role="tab"
                                aria-selected=move || selected().to_string()
                                href=href
                                data-testid=testid
                            >
                                {t.label}
                            </a>
                        }
                        .into_any(),
                        None => {
                            let id = t.id.clone();
                            view! {
                                <button
                                    type="button"
                                    class="tab"
                                    class:active=selected.clone()
                                    role="tab"
                                    aria-selected=move || selected().to_string()
                                    data-testid=testid
                                    on:click=move |_| {
                                        if let Some(cb) = on_select {
                                            cb.run(id.clone());
                                        }
                                    }
                                >
                                    {t.label}
                                </button>
                            }
                            .into_any()
                        }
                    }
                })
                .collect_view()}
        </nav>
    }
}
