//! Toast notifications: [`provide_toasts`] once in the shell, [`Toaster`] renders them,
//! [`use_toasts`] anywhere pushes one.

use std::time::Duration;

use leptos::prelude::*;

use crate::badge::Tone;
use crate::icon::Icon;

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    /// Unique id.
    pub id: u64,
    /// Color.
    pub tone: Tone,
    /// Text.
    pub message: String,
}

/// Handle to the toast list (cheap to copy).
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

impl Toasts {
    fn new() -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            next: StoredValue::new(1),
        }
    }

    /// Show `message`; it disappears after a few seconds (errors stay longer).
    pub fn push(&self, tone: Tone, message: impl Into<String>) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.items.update(|v| {
            v.push(Toast {
                id,
                tone,
                message: message.into(),
            })
        });
        let secs = if tone == Tone::Danger { 8 } else { 4 };
        let this = *self;
        set_timeout(move || this.dismiss(id), Duration::from_secs(secs));
    }

    /// A success toast.
    pub fn success(&self, message: impl Into<String>) {
        self.push(Tone::Success, message);
    }

    /// An error toast.
    pub fn error(&self, message: impl Into<String>) {
        self.push(Tone::Danger, message);
    }

    /// An informational toast.
    pub fn info(&self, message: impl Into<String>) {
        self.push(Tone::Info, message);
    }

    /// Remove toast `id`.
    pub fn dismiss(&self, id: u64) {
        if !self.items.is_disposed() {
            self.items.update(|v| v.retain(|t| t.id != id));
        }
    }
}

/// Create the toast list and provide it as context.
pub fn provide_toasts() -> Toasts {
    let toasts = Toasts::new();
    provide_context(toasts);
    toasts
}

/// The shell's toast list (a detached one when called outside the shell).
pub fn use_toasts() -> Toasts {
    use_context::<Toasts>().unwrap_or_else(Toasts::new)
}

/// Renders the toasts of [`use_toasts`] in the bottom-right corner.
#[component]
pub fn Toaster() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toaster" aria-live="polite" data-testid="toaster">
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div class=format!("toast toast-{:?}", toast.tone).to_lowercase() role="status">
                    <span class="toast-message">{toast.message.clone()}</span>
                    <button
                        type="button"
                        class="icon-button"
                        aria-label="Dismiss"
                        on:click=move |_| toasts.dismiss(toast.id)
                    >
                        <Icon name="close" size=14 />
                    </button>
                </div>
            </For>
        </div>
    }
}
