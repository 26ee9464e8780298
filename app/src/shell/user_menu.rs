//! The signed-in user in the header: avatar initials and name, with a menu (Profile,
//! API tokens, Sign out).

use leptos::prelude::*;
use portal_ui::Icon;

use super::session::use_session;

/// The user menu button and its dropdown.
#[component]
pub fn UserMenu() -> impl IntoView {
    let session = use_session();
    let open = RwSignal::new(false);
    let user = session.user;
    let label = move || user.with(|u| u.as_ref().map(|u| u.label()).unwrap_or_default());
    let initials = move || user.with(|u| u.as_ref().map(|u| u.initials()).unwrap_or_default());
    let user_ref = move || {
        user.with(|u| {
            u.as_ref()
                .map(|u| u.user_entity_ref.clone())
                .unwrap_or_default()
        })
    };
    let email = move || user.with(|u| u.as_ref().and_then(|u| u.email.clone()));
    let close = move |_| open.set(false);
    view! {
        <div class="user-menu-wrap">
            <button
                type="button"
                class="user-menu-button"
                data-testid="user-menu"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                title=user_ref
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="avatar" aria-hidden="true">{initials}</span>
                <span class="user-name" data-testid="user-name">{label}</span>
                <Icon name="M6 9l6 6 6-6" size=14 />
            </button>
            <Show when=move || open.get()>
                <div class="menu-overlay" on:click=close></div>
                <div
                    class="menu"
                    role="menu"
                    data-testid="user-menu-items"
                    on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }
                >
                    <div class="menu-header">
                        <strong>{label}</strong>
                        <span class="muted small" data-testid="user-ref">{user_ref}</span>
                        {move || email().map(|e| view! { <span class="muted small">{e}</span> })}
                    </div>
                    <a class="menu-item" role="menuitem" href="/profile" data-testid="menu-profile" on:click=close>
                        <Icon name="user" size=16 />
                        <span>"Profile"</span>
                    </a>
                    <a class="menu-item" role="menuitem" href="/settings/tokens" data-testid="menu-tokens" on:click=close>
                        <Icon name="settings" size=16 />
                        <span>"API tokens"</span>
                    </a>
                    <div class="menu-separator"></div>
                    <button
                        type="button"
                        class="menu-item"
                        role="menuitem"
                        data-testid="sign-out"
                        on:click=move |_| {
                            open.set(false);
                            session.sign_out();
                        }
                    >
                        <Icon name="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9" size=16 />
                        <span>"Sign out"</span>
                    </button>
                </div>
            </Show>
        </div>
    }
}
