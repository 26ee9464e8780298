//! A modal asking to confirm a (usually destructive) action.

use leptos::prelude::*;

/// Modal confirmation. Rendered only while `open` is true; clicking the backdrop,
/// pressing Escape or "Cancel" calls `on_cancel`.
#[component]
pub fn ConfirmDialog(
    /// Whether the dialog is shown.
    #[prop(into)]
    open: Signal<bool>,
    /// Heading.
    #[prop(into)]
    title: String,
    /// Explanation of what will happen.
    #[prop(into)]
    message: String,
    /// Label of the confirm button.
    #[prop(into, default = "Confirm".into())]
    confirm_label: String,
    /// Style the confirm button as destructive.
    #[prop(optional)]
    danger: bool,
    /// Called on confirm.
    #[prop(into)]
    on_confirm: Callback<()>,
    /// Called on cancel.
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let button_class = if danger {
        "button button-danger"
    } else {
        "button button-primary"
    };
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| on_cancel.run(())>
                <div
                    class="dialog"
                    role="dialog"
                    aria-modal="true"
                    data-testid="confirm-dialog"
                    tabindex="-1"
                    on:click=|ev| ev.stop_propagation()
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            on_cancel.run(())
                        }
                    }
                >
                    <h2 class="dialog-title">{title.clone()}</h2>
                    <p>{message.clone()}</p>
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                            "Cancel"
                        </button>
                        <button
                            type="button"
                            class=button_class
                            data-testid="confirm-button"
                            on:click=move |_| on_confirm.run(())
                        >
                            {confirm_label.clone()}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
