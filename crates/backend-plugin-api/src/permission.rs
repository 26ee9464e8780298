//! The permission framework: plugins declare [`Permission`]s, one central
//! [`PermissionPolicy`] decides ALLOW / DENY / CONDITIONAL, and
//! [`PermissionService::authorize`] applies token scopes, the policy and resource facts.
//!
//! The default policy ([`DefaultPolicy`]):
//! * platform admins (member of a group named `platform-admins`, or flagged by a role
//!   provider) may do everything;
//! * every signed-in user may read;
//! * `create`/`update`/`delete` need the `operator` or `admin` role of some team
//!   (`<team>-operators`, `<team>-admins` groups), or — for resource-scoped permissions —
//!   ownership of the resource (a CONDITIONAL `IS_ENTITY_OWNER` decision);
//! * permissions marked `open` (e.g. starting a scaffolder task) are allowed to every
//!   signed-in user.

use crate::auth::Identity;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::{Arc, RwLock};

/// What a permission is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Read.
    Read,
    /// Create.
    Create,
    /// Update.
    Update,
    /// Delete.
    Delete,
}

impl Action {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// A permission a plugin declares, e.g. `catalog.location.create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Permission {
    /// Dotted name.
    pub name: Cow<'static, str>,
    /// Action attribute.
    pub action: Action,
    /// Resource type for resource-scoped permissions (e.g. `catalog-entity`).
    #[serde(rename = "resourceType", skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<Cow<'static, str>>,
    /// Whether every signed-in user may use it under the default policy.
    #[serde(skip)]
    pub open: bool,
}

impl Permission {
    /// A basic permission.
    pub const fn basic(name: &'static str, action: Action) -> Self {
        Self {
            name: Cow::Borrowed(name),
            action,
            resource_type: None,
            open: false,
        }
    }

    /// A resource-scoped permission.
    pub const fn resource(name: &'static str, action: Action, resource_type: &'static str) -> Self {
        Self {
            name: Cow::Borrowed(name),
            action,
            resource_type: Some(Cow::Borrowed(resource_type)),
            open: false,
        }
    }

    /// Mark as allowed to every signed-in user by the default policy.
    pub const fn open(mut self) -> Self {
        self.open = true;
        self
    }
}

/// A condition of a CONDITIONAL decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Condition {
    /// A rule.
    Rule {
        /// Rule name, e.g. `IS_ENTITY_OWNER`.
        rule: String,
        /// Resource type.
        #[serde(rename = "resourceType")]
        resource_type: String,
        /// Rule parameters, e.g. `{claims: [...]}`.
        params: serde_json::Value,
    },
    /// All must hold.
    AllOf {
        /// Conditions.
        #[serde(rename = "allOf")]
        all_of: Vec<Condition>,
    },
    /// One must hold.
    AnyOf {
        /// Conditions.
        #[serde(rename = "anyOf")]
        any_of: Vec<Condition>,
    },
    /// Must not hold.
    Not {
        /// Condition.
        not: Box<Condition>,
    },
}

/// A policy decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Denied.
    Deny,
    /// Allowed if the condition holds for the resource.
    Conditional(Condition),
}

/// Facts about a resource used to resolve CONDITIONAL decisions.
#[derive(Debug, Clone, Default)]
pub struct ResourceFacts {
    /// Owner refs of the resource (e.g. the entity's `ownedBy` targets).
    pub owners: Vec<String>,
}

/// A team role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read-only member.
    Viewer,
    /// May operate the team's resources.
    Operator,
    /// Team administrator.
    Admin,
}

/// The roles of a caller.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Roles {
    /// Platform administrator.
    #[serde(rename = "platformAdmin")]
    pub platform_admin: bool,
    /// `(team group ref, role)` pairs.
    pub teams: Vec<(String, Role)>,
}

impl Roles {
    /// The highest role held in any team.
    pub fn highest(&self) -> Option<Role> {
        self.teams.iter().map(|(_, r)| *r).max()
    }
}

/// Supplies roles beyond group naming (e.g. Butler Team resources).
pub trait RoleProvider: Send + Sync + 'static {
    /// Extra roles for `identity`.
    fn roles(&self, identity: &Identity) -> Roles;
}

/// Derive roles from group membership: `group:<ns>/platform-admins` → platform admin;
/// `group:<ns>/<team>-admins` / `-operators` / `-viewers` → that role in `group:<ns>/<team>`;
/// membership of any other group → viewer of it.
pub fn roles_from_groups(ownership_refs: &[String]) -> Roles {
    let mut roles = Roles::default();
    for r in ownership_refs {
        let Some(rest) = r.strip_prefix("group:") else {
            continue;
        };
        let (ns, name) = rest.split_once('/').unwrap_or(("default", rest));
        if name == "platform-admins" {
            roles.platform_admin = true;
            continue;
        }
        let (team, role) = if let Some(t) = name.strip_suffix("-admins") {
            (t, Role::Admin)
        } else if let Some(t) = name.strip_suffix("-operators") {
            (t, Role::Operator)
        } else if let Some(t) = name.strip_suffix("-viewers") {
            (t, Role::Viewer)
        } else {
            (name, Role::Viewer)
        };
        roles.teams.push((format!("group:{ns}/{team}"), role));
    }
    roles
}

/// Supplies [`ResourceFacts`] for resources of one type (the catalog does this for
/// `catalog-entity`), so CONDITIONAL decisions can be resolved centrally.
#[async_trait::async_trait]
pub trait ResourceFactsProvider: Send + Sync + 'static {
    /// Facts about the resource, or `None` when it does not exist.
    async fn facts(&self, resource_ref: &str) -> Option<ResourceFacts>;
}

/// Decides permissions.
pub trait PermissionPolicy: Send + Sync + 'static {
    /// Decide `permission` for `identity` with `roles`.
    fn decide(&self, identity: &Identity, roles: &Roles, permission: &Permission) -> Decision;
}

/// The default policy (see the module docs).
#[derive(Debug, Default)]
pub struct DefaultPolicy;

impl PermissionPolicy for DefaultPolicy {
    fn decide(&self, identity: &Identity, roles: &Roles, permission: &Permission) -> Decision {
        if roles.platform_admin || permission.action == Action::Read || permission.open {
            return Decision::Allow;
        }
        if roles.highest() >= Some(Role::Operator) {
            return Decision::Allow;
        }
        match &permission.resource_type {
            Some(rt) => Decision::Conditional(Condition::Rule {
                rule: "IS_ENTITY_OWNER".into(),
                resource_type: rt.to_string(),
                params: serde_json::json!({ "claims": identity.ownership_entity_refs }),
            }),
            None => Decision::Deny,
        }
    }
}

/// The central permission service (an extension point: plugins register their
/// permissions; the permission plugin may replace the policy and add role providers).
pub struct PermissionService {
    enabled: RwLock<bool>,
    policy: RwLock<Arc<dyn PermissionPolicy>>,
    role_providers: RwLock<Vec<Arc<dyn RoleProvider>>>,
    permissions: RwLock<Vec<Permission>>,
    audit: RwLock<Option<AuditSink>>,
    resources: RwLock<Vec<(String, Arc<dyn ResourceFactsProvider>)>>,
}

/// Receives `(user ref, permission name)` for every denial (the auth plugin records them).
pub type AuditSink = Arc<dyn Fn(String, String) + Send + Sync>;

impl Default for PermissionService {
    fn default() -> Self {
        Self {
            enabled: RwLock::new(true),
            policy: RwLock::new(Arc::new(DefaultPolicy)),
            role_providers: RwLock::new(Vec::new()),
            permissions: RwLock::new(Vec::new()),
            audit: RwLock::new(None),
            resources: RwLock::new(Vec::new()),
        }
    }
}

fn read<T: Clone>(l: &RwLock<T>) -> T {
    l.read().unwrap_or_else(|e| e.into_inner()).clone()
}

impl PermissionService {
    /// Declare permissions (usually in `register`).
    pub fn declare(&self, permissions: &[Permission]) {
        let mut all = self.permissions.write().unwrap_or_else(|e| e.into_inner());
        for p in permissions {
            if !all.iter().any(|q| q.name == p.name) {
                all.push(p.clone());
            }
        }
    }

    /// Every declared permission.
    pub fn declared(&self) -> Vec<Permission> {
        read(&self.permissions)
    }

    /// Look up a declared permission by name.
    pub fn find(&self, name: &str) -> Option<Permission> {
        read(&self.permissions).into_iter().find(|p| p.name == name)
    }

    /// `permission.enabled: false` allows everything (scopes still apply).
    pub fn set_enabled(&self, enabled: bool) {
        *self.enabled.write().unwrap_or_else(|e| e.into_inner()) = enabled;
    }

    /// Register the facts provider of a resource type.
    pub fn add_resource_provider(
        &self,
        resource_type: &str,
        provider: Arc<dyn ResourceFactsProvider>,
    ) {
        self.resources
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push((resource_type.to_string(), provider));
    }

    /// Facts for `resource_ref` of `resource_type`, when a provider knows it.
    pub async fn resource_facts(
        &self,
        resource_type: &str,
        resource_ref: &str,
    ) -> Option<ResourceFacts> {
        let provider = read(&self.resources)
            .into_iter()
            .find(|(t, _)| t == resource_type)
            .map(|(_, p)| p)?;
        provider.facts(resource_ref).await
    }

    /// Install the sink that records denials.
    pub fn set_audit_sink(&self, sink: AuditSink) {
        *self.audit.write().unwrap_or_else(|e| e.into_inner()) = Some(sink);
    }

    /// Replace the policy.
    pub fn set_policy(&self, policy: Arc<dyn PermissionPolicy>) {
        *self.policy.write().unwrap_or_else(|e| e.into_inner()) = policy;
    }

    /// Add a role provider.
    pub fn add_role_provider(&self, provider: Arc<dyn RoleProvider>) {
        self.role_providers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(provider);
    }

    /// The caller's roles (groups plus role providers).
    pub fn roles(&self, identity: &Identity) -> Roles {
        let mut roles = roles_from_groups(&identity.ownership_entity_refs);
        for p in read(&self.role_providers) {
            let extra = p.roles(identity);
            roles.platform_admin |= extra.platform_admin;
            roles.teams.extend(extra.teams);
        }
        roles
    }

    /// The raw decision (scopes, then policy), as `POST /api/permission/authorize` returns it.
    pub fn decide(&self, identity: &Identity, permission: &Permission) -> Decision {
        if !identity.scope_allows(&permission.name, permission.action.as_str()) {
            return Decision::Deny;
        }
        if !*self.enabled.read().unwrap_or_else(|e| e.into_inner()) {
            return Decision::Allow;
        }
        let roles = self.roles(identity);
        read(&self.policy).decide(identity, &roles, permission)
    }

    /// A final ALLOW/DENY, resolving conditions against `facts`.
    pub fn is_allowed(
        &self,
        identity: &Identity,
        permission: &Permission,
        facts: Option<&ResourceFacts>,
    ) -> bool {
        match self.decide(identity, permission) {
            Decision::Allow => true,
            Decision::Deny => false,
            Decision::Conditional(c) => facts.is_some_and(|f| evaluate(&c, f)),
        }
    }

    /// Like [`Self::is_allowed`], but a 403 `NotAllowedError` naming the permission.
    pub fn authorize(
        &self,
        identity: &Identity,
        permission: &Permission,
        facts: Option<&ResourceFacts>,
    ) -> Result<(), crate::ApiError> {
        if self.is_allowed(identity, permission, facts) {
            Ok(())
        } else {
            tracing::info!(
                target: "audit",
                event = "permission.denied",
                user = %identity.user_entity_ref,
                permission = %permission.name,
                "permission denied"
            );
            if let Some(sink) = read(&self.audit) {
                sink(
                    identity.user_entity_ref.clone(),
                    permission.name.to_string(),
                );
            }
            Err(crate::ApiError::NotAllowed(format!(
                "{} may not {} ({})",
                identity.user_entity_ref,
                permission.action.as_str(),
                permission.name
            )))
        }
    }
}

/// Evaluate a condition against resource facts.
pub fn evaluate(condition: &Condition, facts: &ResourceFacts) -> bool {
    match condition {
        Condition::Rule { rule, params, .. } if rule == "IS_ENTITY_OWNER" => {
            let claims: Vec<String> = params
                .get("claims")
                .and_then(|c| serde_json::from_value(c.clone()).ok())
                .unwrap_or_default();
            facts
                .owners
                .iter()
                .any(|o| claims.iter().any(|c| c.eq_ignore_ascii_case(o)))
        }
        Condition::Rule { .. } => false,
        Condition::AllOf { all_of } => all_of.iter().all(|c| evaluate(c, facts)),
        Condition::AnyOf { any_of } => any_of.iter().any(|c| evaluate(c, facts)),
        Condition::Not { not } => !evaluate(not, facts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Principal;

    const CREATE_LOCATION: Permission =
        Permission::basic("catalog.location.create", Action::Create);
    const DELETE_ENTITY: Permission =
        Permission::resource("catalog.entity.delete", Action::Delete, "catalog-entity");
    const READ_ENTITY: Permission =
        Permission::resource("catalog.entity.read", Action::Read, "catalog-entity");

    fn user(groups: &[&str]) -> Identity {
        let mut refs = vec!["user:default/jane".to_string()];
        refs.extend(groups.iter().map(|g| g.to_string()));
        Identity {
            user_entity_ref: "user:default/jane".into(),
            ownership_entity_refs: refs,
            principal: Principal::User,
        }
    }

    #[test]
    fn should_derive_roles_from_group_names() {
        let r = roles_from_groups(&[
            "group:default/payments-operators".into(),
            "group:default/web".into(),
        ]);
        assert!(!r.platform_admin);
        assert_eq!(r.highest(), Some(Role::Operator));
        assert!(roles_from_groups(&["group:default/platform-admins".into()]).platform_admin);
    }

    #[test]
    fn should_let_operators_write_and_viewers_only_read() {
        let svc = PermissionService::default();
        let viewer = user(&["group:default/web"]);
        let operator = user(&["group:default/web-operators"]);
        assert!(svc.is_allowed(&viewer, &READ_ENTITY, None));
        assert!(!svc.is_allowed(&viewer, &CREATE_LOCATION, None));
        assert!(svc.is_allowed(&operator, &CREATE_LOCATION, None));
        assert!(svc.authorize(&viewer, &CREATE_LOCATION, None).is_err());
    }

    #[test]
    fn should_resolve_ownership_conditions() {
        let svc = PermissionService::default();
        let viewer = user(&["group:default/web"]);
        let owned = ResourceFacts {
            owners: vec!["group:default/web".into()],
        };
        let other = ResourceFacts {
            owners: vec!["group:default/payments".into()],
        };
        assert!(matches!(
            svc.decide(&viewer, &DELETE_ENTITY),
            Decision::Conditional(_)
        ));
        assert!(svc.is_allowed(&viewer, &DELETE_ENTITY, Some(&owned)));
        assert!(!svc.is_allowed(&viewer, &DELETE_ENTITY, Some(&other)));
        assert!(!svc.is_allowed(&viewer, &DELETE_ENTITY, None));
    }

    #[test]
    fn should_restrict_api_tokens_to_their_scopes() {
        let svc = PermissionService::default();
        let mut admin = user(&["group:default/platform-admins"]);
        admin.principal = Principal::ApiToken {
            id: "t".into(),
            name: "ci".into(),
            scopes: vec!["catalog:read".into()],
        };
        assert!(svc.is_allowed(&admin, &READ_ENTITY, None));
        assert!(!svc.is_allowed(&admin, &CREATE_LOCATION, None));
    }

    #[test]
    fn should_allow_everything_when_disabled_except_scopes() {
        let svc = PermissionService::default();
        svc.set_enabled(false);
        assert!(svc.is_allowed(&user(&[]), &CREATE_LOCATION, None));
    }
}
