//! `/profile`: who you are, what you own and which roles you have.

use frontend_plugin_api::{use_api, use_identity};
use leptos::prelude::*;
use portal_ui::{
    Badge, Card, DataTable, EmptyState, ErrorPanel, KeyValue, Loading, PageHeader, Tone,
};

use crate::api::{self, Me};
use crate::model::{entity_link, role_label};

/// A catalog link for an entity ref (plain text when it does not parse).
#[component]
pub fn EntityLink(
    /// The ref.
    #[prop(into)]
    entity_ref: String,
) -> impl IntoView {
    match entity_link(&entity_ref) {
        Some((href, label)) => {
            view! { <a class="entity-link" href=href data-testid="entity-link">{label}</a> }
                .into_any()
        }
        None => view! { <code>{entity_ref}</code> }.into_any(),
    }
}

/// The profile page.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let api = use_api();
    let me = LocalResource::new(move || api::me(api.clone()));
    view! {
        <div class="page profile-page" data-testid="profile-page">
            <PageHeader title="Your profile" subtitle="Your identity in the portal, what you own and what you may do." />
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(me) => view! { <ProfileBody me=me /> }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e title="Could not load your profile" /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn ProfileBody(me: Me) -> impl IntoView {
    let identity = use_identity();
    let session = identity.get_untracked();
    let catalog_profile = me.profile.clone().unwrap_or_default();
    let display_name = catalog_profile
        .display_name
        .clone()
        .or_else(|| session.as_ref().and_then(|s| s.display_name.clone()))
        .unwrap_or_else(|| "—".into());
    let email = catalog_profile
        .email
        .clone()
        .or_else(|| session.as_ref().and_then(|s| s.email.clone()))
        .unwrap_or_else(|| "—".into());
    let provider = session
        .as_ref()
        .map(|s| s.provider.clone())
        .unwrap_or_else(|| "—".into());
    let in_catalog = me.profile.is_some();
    let user_ref = me.user_entity_ref.clone();
    let ownership = me.ownership_entity_refs.clone();
    let roles = me.roles.clone();
    let initials = session
        .as_ref()
        .map(|s| s.initials())
        .unwrap_or_else(|| "?".into());
    view! {
        <div class="profile-hero card">
            <span class="avatar avatar-lg" aria-hidden="true">{initials}</span>
            <div>
                <h2 class="profile-name" data-testid="profile-display-name">{display_name.clone()}</h2>
                <div class="muted" data-testid="profile-user-ref">{user_ref.clone()}</div>
            </div>
            {roles.platform_admin.then(|| view! { <Badge tone=Tone::Info>"Platform admin"</Badge> })}
        </div>
        <div class="grid grid-2">
            <Card title="Identity" attr:data-testid="profile-identity">
                <KeyValue items=vec![
                    ("User", view! { <EntityLink entity_ref=user_ref.clone() /> }.into_any()),
                    ("Display name", view! { <span>{display_name}</span> }.into_any()),
                    ("Email", view! { <span data-testid="profile-email">{email}</span> }.into_any()),
                    ("Signed in with", view! { <code>{provider}</code> }.into_any()),
                ] />
                {(!in_catalog).then(|| view! {
                    <p class="muted small" data-testid="profile-not-in-catalog">
                        "There is no User entity for you in the catalog, so you belong to no team."
                    </p>
                })}
            </Card>
            <Card title="Roles" attr:data-testid="profile-roles">
                <KeyValue items=vec![(
                    "Platform admin",
                    if roles.platform_admin {
                        view! { <Badge tone=Tone::Success>"Yes"</Badge> }.into_any()
                    } else {
                        view! { <Badge>"No"</Badge> }.into_any()
                    },
                )] />
                {if roles.teams.is_empty() {
                    view! { <p class="muted small">"No team roles: you can read everything and change only what is open to every user."</p> }.into_any()
                } else {
                    view! {
                        <DataTable headers=vec!["Team", "Role"]>
                            {roles.teams.clone().into_iter().map(|(team, role)| {
                                let tone = match role.as_str() { "admin" => Tone::Info, "operator" => Tone::Success, _ => Tone::Neutral };
                                view! {
                                    <tr>
                                        <td><EntityLink entity_ref=team /></td>
                                        <td><Badge tone=tone>{role_label(&role)}</Badge></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </DataTable>
                    }.into_any()
                }}
            </Card>
        </div>
        <Card title="Ownership" attr:data-testid="profile-ownership">
            <p class="muted small">"Entities owned by any of these references count as yours."</p>
            {if ownership.is_empty() {
                view! { <EmptyState title="No ownership references" icon="user" /> }.into_any()
            } else {
                view! {
                    <ul class="ref-list" data-testid="ownership-refs">
                        {ownership.into_iter().map(|r| view! { <li><EntityLink entity_ref=r /></li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </Card>
    }
}
