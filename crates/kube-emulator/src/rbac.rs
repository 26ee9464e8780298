//! Impersonation and a deliberately small authorization model.
//!
//! The caller is whoever the request impersonates (`Impersonate-User`, `Impersonate-Group`
//! headers); a request without them acts as [`RbacConfig::default_user`] (an administrator by
//! default — the emulator has no authentication, it only listens on loopback). Rules, in order:
//!
//! 1. Users in `admin_users`, members of `admin_groups`, and (with `butler_teams`) users whose
//!    `User` CR has `spec.isPlatformAdmin: true` may do everything.
//! 2. Explicit [`Grant`]s: a subject (user or group) may read (`get`, `list`, `watch`) or read and
//!    write (also `create`, `update`, `patch`, `delete`, `deletecollection`, `pods/exec`) the
//!    listed resources (all when empty) in the listed namespaces (all namespaces and cluster-scoped
//!    resources when empty).
//! 3. With `butler_teams` (the default), Team CRs grant access to the team's namespace (named
//!    after the team): `viewer` reads, `operator` and `admin` read and write; members are matched
//!    by email (`spec.access.users[].name`) or group (`spec.access.groups[].name`). Every
//!    impersonated identity may also read the cluster-scoped Butler catalogue kinds (teams, users,
//!    addondefinitions, identityproviders), the namespaces and nodes.
//!
//! Everything else is 403 Forbidden with the real API server's message.

use crate::error::ApiError;
use crate::store::Store;
use serde_json::Value;
use std::collections::BTreeSet;

/// Who a request acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// User name (an email for Butler users).
    pub user: String,
    /// Groups.
    pub groups: Vec<String>,
    /// True when it came from impersonation headers.
    pub impersonated: bool,
}

/// A subject of a grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A user name.
    User(String),
    /// A group name.
    Group(String),
}

/// An explicit permission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Who.
    pub subject: Subject,
    /// Namespaces (empty: all, including cluster-scoped resources).
    pub namespaces: Vec<String>,
    /// Resources as `plural` or `plural.group` (empty: all).
    pub resources: Vec<String>,
    /// Write verbs too.
    pub write: bool,
}

/// Authorization settings.
#[derive(Debug, Clone)]
pub struct RbacConfig {
    /// Identity of requests without impersonation headers.
    pub default_user: String,
    /// Groups of the default identity.
    pub default_groups: Vec<String>,
    /// Users allowed everything.
    pub admin_users: BTreeSet<String>,
    /// Groups allowed everything.
    pub admin_groups: BTreeSet<String>,
    /// Explicit grants.
    pub grants: Vec<Grant>,
    /// Derive permissions from Butler Team and User CRs.
    pub butler_teams: bool,
}

impl Default for RbacConfig {
    fn default() -> Self {
        RbacConfig {
            default_user: "kubernetes-admin".into(),
            default_groups: vec!["system:masters".into(), "system:authenticated".into()],
            admin_users: BTreeSet::new(),
            admin_groups: ["system:masters".to_string()].into_iter().collect(),
            grants: Vec::new(),
            butler_teams: true,
        }
    }
}

/// What a request wants to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attributes {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`.
    pub verb: String,
    /// API group.
    pub group: String,
    /// Plural resource.
    pub resource: String,
    /// Subresource (`status`, `exec`) or empty.
    pub subresource: String,
    /// Namespace (empty for cluster-scoped or all namespaces).
    pub namespace: String,
    /// Object name, if any.
    pub name: String,
}

fn is_read(verb: &str) -> bool {
    matches!(verb, "get" | "list" | "watch")
}

const BUTLER_GROUP: &str = "butler.butlerlabs.dev";

impl RbacConfig {
    /// The identity of a request from its headers.
    pub fn identity(&self, headers: &http::HeaderMap) -> Identity {
        match headers
            .get("impersonate-user")
            .and_then(|v| v.to_str().ok())
        {
            Some(u) => Identity {
                user: u.to_string(),
                groups: headers
                    .get_all("impersonate-group")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .map(String::from)
                    .chain(std::iter::once("system:authenticated".to_string()))
                    .collect(),
                impersonated: true,
            },
            None => Identity {
                user: self.default_user.clone(),
                groups: self.default_groups.clone(),
                impersonated: false,
            },
        }
    }

    /// Whether `id` may do `attrs`.
    pub fn allowed(&self, store: &Store, id: &Identity, attrs: &Attributes) -> bool {
        if self.admin_users.contains(&id.user)
            || id.groups.iter().any(|g| self.admin_groups.contains(g))
        {
            return true;
        }
        let write_needed = !is_read(&attrs.verb) || attrs.subresource == "exec";
        let qualified = if attrs.group.is_empty() {
            attrs.resource.clone()
        } else {
            format!("{}.{}", attrs.resource, attrs.group)
        };
        let subject_matches = |s: &Subject| match s {
            Subject::User(u) => u == &id.user,
            Subject::Group(g) => id.groups.contains(g),
        };
        for g in &self.grants {
            if subject_matches(&g.subject)
                && (g.namespaces.is_empty()
                    || (!attrs.namespace.is_empty() && g.namespaces.contains(&attrs.namespace)))
                && (g.resources.is_empty()
                    || g.resources.contains(&attrs.resource)
                    || g.resources.contains(&qualified))
                && (g.write || !write_needed)
            {
                return true;
            }
        }
        if !self.butler_teams {
            return false;
        }
        let users = store.all_of(BUTLER_GROUP, "users");
        let me = users.iter().find(|u| {
            u["spec"]["email"]
                .as_str()
                .is_some_and(|e| e.eq_ignore_ascii_case(&id.user))
                || u["metadata"]["name"].as_str() == Some(id.user.as_str())
        });
        if let Some(u) = me {
            if u["spec"]["disabled"].as_bool() == Some(true) {
                return false;
            }
            if u["spec"]["isPlatformAdmin"].as_bool() == Some(true) {
                return true;
            }
        }
        if is_read(&attrs.verb) {
            let catalogue = (attrs.group == BUTLER_GROUP
                && matches!(
                    attrs.resource.as_str(),
                    "teams" | "users" | "addondefinitions" | "identityproviders"
                ))
                || (attrs.group.is_empty()
                    && matches!(attrs.resource.as_str(), "namespaces" | "nodes"));
            if catalogue {
                return true;
            }
        }
        if attrs.namespace.is_empty() {
            return false;
        }
        let team = store
            .all_of(BUTLER_GROUP, "teams")
            .into_iter()
            .find(|t| t["metadata"]["name"].as_str() == Some(attrs.namespace.as_str()));
        let Some(team) = team else { return false };
        match team_role(&team, id) {
            Some(role) => role != "viewer" || !write_needed,
            None => false,
        }
    }

    /// `Ok` or a 403 Forbidden Status.
    pub fn check(&self, store: &Store, id: &Identity, attrs: &Attributes) -> Result<(), ApiError> {
        if self.allowed(store, id, attrs) {
            return Ok(());
        }
        let res = if attrs.group.is_empty() {
            attrs.resource.clone()
        } else {
            format!("{}.{}", attrs.resource, attrs.group)
        };
        let target = if attrs.name.is_empty() {
            res
        } else {
            format!("{res} \"{}\"", attrs.name)
        };
        let resource = if attrs.subresource.is_empty() {
            format!("resource \"{}\"", attrs.resource)
        } else {
            format!("resource \"{}/{}\"", attrs.resource, attrs.subresource)
        };
        let scope = if attrs.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{}\"", attrs.namespace)
        };
        Err(ApiError::forbidden(format!(
            "{target} is forbidden: User \"{}\" cannot {} {resource} in API group \"{}\" {scope}",
            id.user, attrs.verb, attrs.group
        )))
    }
}

/// The strongest role `id` has in a Team CR (`admin` > `operator` > `viewer`).
pub fn team_role(team: &Value, id: &Identity) -> Option<&'static str> {
    let rank = |r: &str| match r {
        "admin" => 3,
        "operator" => 2,
        "viewer" => 1,
        _ => 0,
    };
    let mut best = 0;
    for u in team["spec"]["access"]["users"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if u["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(&id.user))
        {
            best = best.max(rank(u["role"].as_str().unwrap_or("viewer")));
        }
    }
    for g in team["spec"]["access"]["groups"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if g["name"]
            .as_str()
            .is_some_and(|n| id.groups.iter().any(|x| x == n))
        {
            best = best.max(rank(g["role"].as_str().unwrap_or("viewer")));
        }
    }
    match best {
        3 => Some("admin"),
        2 => Some("operator"),
        1 => Some("viewer"),
        _ => None,
    }
}
