//! Butler resources as catalog entities.
//!
//! * TenantCluster `ns/name` → `resource:default/<name>` of type `kubernetes-cluster` (Butler
//!   cluster names are unique across namespaces: each gets a tenant namespace named after it),
//!   owned by `group:default/<team>`, annotated `butler.butlerlabs.dev/cluster: ns/name`,
//!   labelled with provider, Kubernetes version and phase, linked to its API endpoint.
//! * Team `t` → `group:default/t` of type `team` with the members (Butler User names, matched
//!   by email). The demo catalog's role groups (`<team>-admins`, `<team>-operators`) line up
//!   with it: the permission framework reads them as roles in `group:default/<team>`.
//! * User `u` → `user:default/u` with `profile.email`/`displayName`/`picture` and `memberOf`
//!   its teams. The cluster is the one source of these entities (the demo org file lists
//!   groups, not these people); a User of the same name from another source is reported as
//!   a conflict by the catalog and keeps its first source.

use crate::cache::Caches;
use kube::ResourceExt;
use plugin_butler_common::{Team, TenantCluster, User};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Annotation linking an entity to its TenantCluster.
pub const ANNOTATION_CLUSTER: &str = "butler.butlerlabs.dev/cluster";
/// Annotation linking a Group to its Team.
pub const ANNOTATION_TEAM: &str = "butler.butlerlabs.dev/team";
/// Annotation linking a User entity to its Butler User.
pub const ANNOTATION_USER: &str = "butler.butlerlabs.dev/user";
/// Location key of cluster and team entities.
pub const LOCATION_KEY: &str = "butler:kubernetes";

/// Every entity the caches describe, by entity ref (all emitted with [`LOCATION_KEY`]).
/// `base_url` is the portal's public URL (for links to the Butler pages).
pub fn all(caches: &Caches, base_url: &str) -> BTreeMap<String, Value> {
    let users = caches.users.all();
    let teams = caches.teams.all();
    let mut out = BTreeMap::new();
    let user_name_by_email = |email: &str| -> Option<String> {
        users
            .iter()
            .find(|u| u.spec.email.eq_ignore_ascii_case(email))
            .map(|u| u.name_any())
    };
    for c in caches.clusters.all() {
        if let Some(e) = cluster_entity(&c, base_url) {
            out.insert(
                format!("resource:default/{}", c.name_any().to_lowercase()),
                e,
            );
        }
    }
    for t in &teams {
        out.insert(
            format!("group:default/{}", t.name_any().to_lowercase()),
            team_entity(t, &user_name_by_email),
        );
    }
    for u in &users {
        let member_of: Vec<String> = teams
            .iter()
            .filter(|t| t.role_of(&u.spec.email).is_some())
            .map(|t| t.name_any())
            .collect();
        out.insert(
            format!("user:default/{}", u.name_any().to_lowercase()),
            user_entity(u, member_of),
        );
    }
    out
}

fn label_value(s: &str) -> Option<String> {
    let v: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(63)
        .collect();
    let v = v
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string();
    (!v.is_empty()).then_some(v)
}

fn tag(s: &str) -> Option<String> {
    let v: String = s
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(63)
        .collect();
    let v = v.trim_matches('-').to_string();
    (!v.is_empty()).then_some(v)
}

/// The provider of a cluster: its `butler.butlerlabs.dev/provider` label, else the name of its
/// ProviderConfig.
pub fn provider_of(c: &TenantCluster) -> Option<String> {
    c.labels()
        .get("butler.butlerlabs.dev/provider")
        .cloned()
        .or_else(|| c.spec.provider_config_ref.as_ref().map(|r| r.name.clone()))
}

/// TenantCluster → Resource (`None` without a name).
pub fn cluster_entity(c: &TenantCluster, base_url: &str) -> Option<Value> {
    let name = c.metadata.name.clone()?;
    let ns = c.namespace().unwrap_or_default();
    let phase = c.phase();
    let version = c
        .status
        .as_ref()
        .and_then(|s| s.observed_state.as_ref())
        .and_then(|o| o.kubernetes_version.clone())
        .unwrap_or_else(|| c.spec.kubernetes_version.clone());
    let provider = provider_of(c);
    let mut labels = Map::new();
    if let Some(p) = provider.as_deref().and_then(label_value) {
        labels.insert("butler.butlerlabs.dev/provider".into(), p.into());
    }
    if let Some(v) = label_value(&version) {
        labels.insert("butler.butlerlabs.dev/kubernetes-version".into(), v.into());
    }
    labels.insert(
        "butler.butlerlabs.dev/phase".into(),
        phase.as_str().to_lowercase().into(),
    );
    let mut tags: Vec<String> = ["butler", "kubernetes"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    tags.extend(provider.as_deref().and_then(tag));
    let mut links = vec![json!({
        "url": format!("{}/butler/clusters/{ns}/{name}", base_url.trim_end_matches('/')),
        "title": "Butler cluster page",
        "icon": "dashboard",
    })];
    if let Some(ep) = c
        .status
        .as_ref()
        .and_then(|s| s.control_plane_endpoint.as_deref())
        .filter(|e| !e.is_empty())
    {
        let url = if ep.starts_with("http") {
            ep.to_string()
        } else {
            format!("https://{ep}")
        };
        links.push(json!({"url": url, "title": "API server"}));
    }
    let workers = c
        .status
        .as_ref()
        .and_then(|s| s.worker_nodes_ready)
        .map(|r| format!(", {r}/{} workers ready", c.spec.workers.replicas))
        .unwrap_or_default();
    let mut spec = json!({"type": "kubernetes-cluster"});
    if let Some(team) = c.team() {
        spec["owner"] = format!("group:default/{}", team.to_lowercase()).into();
    } else {
        spec["owner"] = "group:default/platform-admins".into();
    }
    Some(json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Resource",
        "metadata": {
            "name": name,
            "namespace": "default",
            "title": name,
            "description": format!(
                "Butler tenant cluster {ns}/{name}: Kubernetes {version}{}, {}{workers}.",
                provider.as_deref().map(|p| format!(" on {p}")).unwrap_or_default(),
                phase.as_str()
            ),
            "annotations": {
                ANNOTATION_CLUSTER: format!("{ns}/{name}"),
                "backstage.io/managed-by-location": format!("{LOCATION_KEY}/{ns}/{name}"),
                "backstage.io/managed-by-origin-location": format!("{LOCATION_KEY}/{ns}/{name}"),
            },
            "labels": labels,
            "tags": tags,
            "links": links,
        },
        "spec": spec,
    }))
}

/// Team → Group.
pub fn team_entity(t: &Team, user_name_by_email: &dyn Fn(&str) -> Option<String>) -> Value {
    let name = t.name_any();
    let mut members: Vec<String> = t
        .spec
        .access
        .users
        .iter()
        .filter_map(|m| user_name_by_email(&m.name))
        .collect();
    members.sort();
    members.dedup();
    let display = t.spec.display_name.clone().unwrap_or_else(|| name.clone());
    let mut metadata = json!({
        "name": name,
        "namespace": "default",
        "title": display,
        "annotations": {
            ANNOTATION_TEAM: name,
            "backstage.io/managed-by-location": format!("{LOCATION_KEY}/teams/{name}"),
            "backstage.io/managed-by-origin-location": format!("{LOCATION_KEY}/teams/{name}"),
        },
        "tags": ["butler"],
    });
    if let Some(d) = &t.spec.description {
        metadata["description"] = d.clone().into();
    }
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Group",
        "metadata": metadata,
        "spec": {
            "type": "team",
            "profile": {"displayName": display},
            "children": [],
            "members": members,
        },
    })
}

/// User → User.
pub fn user_entity(u: &User, member_of: Vec<String>) -> Value {
    let name = u.name_any();
    let mut profile = json!({"email": u.spec.email});
    if let Some(d) = &u.spec.display_name {
        profile["displayName"] = d.clone().into();
    }
    if let Some(a) = &u.spec.avatar {
        profile["picture"] = a.clone().into();
    }
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "User",
        "metadata": {
            "name": name,
            "namespace": "default",
            "annotations": {
                ANNOTATION_USER: name,
                "backstage.io/managed-by-location": format!("{LOCATION_KEY}/users/{name}"),
                "backstage.io/managed-by-origin-location": format!("{LOCATION_KEY}/users/{name}"),
            },
        },
        "spec": {"profile": profile, "memberOf": member_of},
    })
}
