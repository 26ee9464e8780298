//! Frontend of the `auth` plugin: the sign-in page, the profile page and the settings
//! pages for API tokens and the audit log.
//!
//! * [`SignInPage`] — rendered by the shell (not routed) while nobody is signed in: the
//!   configured providers (`GET /api/auth/providers`) as buttons, guest mode explained.
//! * [`ProfilePlugin`] (`/profile`) — user ref, display name, email, ownership refs as
//!   catalog links and roles (`GET /api/auth/me`).
//! * [`AuthPlugin`] (`/settings`, sidebar "Settings") — `/settings/tokens`: list, create
//!   (secret shown once, with a copy button) and revoke API tokens; `/settings/audit`:
//!   the audit log, as a tab for platform admins.
//! * [`api`] — typed calls, including the cookie-based session calls the shell uses
//!   ([`api::refresh`], [`api::logout`], [`api::start_url`]).
//!
//! Two plugins because a plugin owns one page (one path prefix). Pure helpers live in
//! `model` and are unit tested natively (`cargo test -p plugin-auth`).

#![forbid(unsafe_code)]

pub mod api;
mod audit;
mod model;
mod profile;
mod settings;
mod sign_in;
mod tokens;

use frontend_plugin_api::{Extension, FrontendPlugin, NavItemExtension, PageExtension};
use leptos::prelude::*;

pub use profile::EntityLink;
pub use sign_in::SignInPage;

/// `/settings` (API tokens, audit log) and the "Settings" sidebar entry.
pub struct AuthPlugin;

impl FrontendPlugin for AuthPlugin {
    fn id(&self) -> &'static str {
        "auth"
    }

    fn extensions(&self) -> Vec<Extension> {
        vec![
            Extension::Page(PageExtension {
                path: "/settings",
                title: "Settings",
                view: || view! { <settings::SettingsPage /> }.into_any(),
            }),
            Extension::NavItem(NavItemExtension {
                title: "Settings",
                icon: "settings",
                to: "/settings/tokens",
            }),
        ]
    }
}

/// `/profile` (reached from the user menu).
pub struct ProfilePlugin;

impl FrontendPlugin for ProfilePlugin {
    fn id(&self) -> &'static str {
        "profile"
    }

    fn extensions(&self) -> Vec<Extension> {
        vec![Extension::Page(PageExtension {
            path: "/profile",
            title: "Profile",
            view: || view! { <profile::ProfilePage /> }.into_any(),
        })]
    }
}
