//! `/settings`: tabs for API tokens (`/settings/tokens`, the default) and, for platform
//! admins, the audit log (`/settings/audit`).

use frontend_plugin_api::{use_api, use_subpath};
use leptos::prelude::*;
use portal_ui::{PageHeader, TabItem, Tabs};

use crate::api;
use crate::audit::AuditTab;
use crate::tokens::TokensTab;

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let api = use_api();
    let sub = use_subpath();
    let me = LocalResource::new(move || api::me(api.clone()));
    let is_admin = move || {
        me.get()
            .and_then(|r| r.ok())
            .is_some_and(|m| m.roles.platform_admin)
    };
    let active = Signal::derive(move || {
        if sub.get().starts_with("/audit") {
            "audit".to_string()
        } else {
            "tokens".to_string()
        }
    });
    view! {
        <div class="page settings-page">
            <PageHeader title="Settings" subtitle="Personal API tokens and, for platform admins, the audit log." />
            {move || {
                let mut items = vec![TabItem::link("tokens", "API tokens", "/settings/tokens")];
                if is_admin() {
                    items.push(TabItem::link("audit", "Audit log", "/settings/audit"));
                }
                view! { <Tabs items=items active=active /> }
            }}
            <div class="tab-body">
                {move || if active.get() == "audit" {
                    view! { <AuditTab /> }.into_any()
                } else {
                    view! { <TokensTab /> }.into_any()
                }}
            </div>
        </div>
    }
}
