//! [`ButlerRoles`]: Team roles and `User.spec.isPlatformAdmin` as permission roles.
//!
//! The caller's Butler User is the one named like the user entity (`user:default/alice` →
//! User `alice`), else the one whose email's local part is that name. Direct team membership
//! (by email) and membership of a team's identity-provider groups (matched against the
//! caller's catalog group names) give `(group:default/<team>, role)`. Read from the watch
//! caches, so a change to a Team takes effect as soon as the watch delivers it.

use crate::cache::Caches;
use backend_plugin_api::auth::Identity;
use backend_plugin_api::permission::{Role, RoleProvider, Roles};
use kube::ResourceExt;
use plugin_butler_common::{TeamRole, User};
use std::sync::Arc;

/// Role provider over the watch caches (empty until the plugin has started).
pub struct ButlerRoles {
    pub(crate) caches: Arc<tokio::sync::OnceCell<Arc<Caches>>>,
}

fn role(r: TeamRole) -> Role {
    match r {
        TeamRole::Viewer => Role::Viewer,
        TeamRole::Operator => Role::Operator,
        TeamRole::Admin => Role::Admin,
    }
}

/// The Butler User behind `identity`, if any.
pub fn user_of(caches: &Caches, identity: &Identity) -> Option<Arc<User>> {
    let r = identity.user_entity_ref.as_str();
    let name = r.split_once('/').map(|(_, n)| n).unwrap_or(r);
    let name = name.strip_prefix("user:").unwrap_or(name);
    caches.users.get(name).or_else(|| {
        caches.users.all().into_iter().find(|u| {
            u.spec
                .email
                .split_once('@')
                .is_some_and(|(local, _)| local.eq_ignore_ascii_case(name))
        })
    })
}

/// The roles `caches` give `identity`.
pub fn roles_of(caches: &Caches, identity: &Identity) -> Roles {
    let mut roles = Roles::default();
    let user = user_of(caches, identity).filter(|u| !u.spec.disabled);
    if let Some(u) = &user {
        roles.platform_admin = u.spec.is_platform_admin;
    }
    let groups: Vec<&str> = identity
        .ownership_entity_refs
        .iter()
        .filter_map(|r| r.strip_prefix("group:"))
        .map(|g| g.split_once('/').map(|(_, n)| n).unwrap_or(g))
        .collect();
    for t in caches.teams.all() {
        let mut best = user.as_ref().and_then(|u| t.role_of(&u.spec.email));
        for g in &t.spec.access.groups {
            if groups.iter().any(|n| n.eq_ignore_ascii_case(&g.name)) {
                best = best.max(Some(g.role));
            }
        }
        if let Some(r) = best {
            roles.teams.push((
                format!("group:default/{}", t.name_any().to_lowercase()),
                role(r),
            ));
        }
    }
    roles
}

impl RoleProvider for ButlerRoles {
    fn roles(&self, identity: &Identity) -> Roles {
        match self.caches.get() {
            Some(c) => roles_of(c, identity),
            None => Roles::default(),
        }
    }
}
