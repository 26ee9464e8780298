//! Identity kinds: `Team`, `User` and `IdentityProvider` (all cluster-scoped).

use crate::common::{free_form_object, LocalObjectReference, SecretKeyReference};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Desired state of a team.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "butler.butlerlabs.dev",
    version = "v1alpha1",
    kind = "Team",
    plural = "teams",
    category = "butler",
    status = "TeamStatus",
    derive = "PartialEq",
    doc = "A team: members with roles, owning tenant clusters.",
    printcolumn(
        name = "Display Name",
        type_ = "string",
        json_path = ".spec.displayName"
    ),
    printcolumn(name = "Members", type_ = "integer", json_path = ".status.memberCount"),
    printcolumn(
        name = "Clusters",
        type_ = "integer",
        json_path = ".status.clusterCount"
    ),
    printcolumn(name = "Phase", type_ = "string", json_path = ".status.phase"),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct TeamSpec {
    /// Name shown in the UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Members and groups with their roles.
    #[serde(default)]
    pub access: TeamAccess,
    /// Limits for the team's clusters (free form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "free_form_object")]
    pub resource_limits: Option<serde_json::Value>,
    /// Default provider for the team's clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_config_ref: Option<LocalObjectReference>,
    /// Defaults for new clusters (free form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "free_form_object")]
    pub cluster_defaults: Option<serde_json::Value>,
}

/// Team members and groups.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct TeamAccess {
    /// Users by email.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<TeamMember>,
    /// Identity-provider groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<TeamGroup>,
}

/// A team member.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct TeamMember {
    /// The member's email.
    pub name: String,
    /// Role in the team.
    #[serde(default)]
    pub role: TeamRole,
}

/// A group whose members belong to the team.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamGroup {
    /// Group name as the identity provider reports it.
    pub name: String,
    /// Role in the team.
    #[serde(default)]
    pub role: TeamRole,
    /// IdentityProvider the group comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_provider: Option<String>,
}

/// Roles within a team: viewer reads, operator changes clusters and workspaces, admin also
/// manages members.
#[derive(
    Serialize,
    Deserialize,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum TeamRole {
    /// Read-only.
    #[default]
    Viewer,
    /// Read and change clusters, addons and workspaces.
    Operator,
    /// Everything, including members.
    Admin,
}

impl TeamRole {
    /// The role as written in the CR.
    pub fn as_str(&self) -> &'static str {
        match self {
            TeamRole::Viewer => "viewer",
            TeamRole::Operator => "operator",
            TeamRole::Admin => "admin",
        }
    }
}

/// Observed state of a team.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamStatus {
    /// Lifecycle phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<TeamPhase>,
    /// The team's namespace (= team name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Number of tenant clusters owned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_count: Option<i32>,
    /// Number of direct members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_count: Option<i32>,
}

/// Team phases.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum TeamPhase {
    /// Not reconciled yet.
    #[default]
    Pending,
    /// Namespace and RBAC in place.
    Ready,
    /// Being deleted.
    Terminating,
    /// Failed.
    Failed,
}

impl Team {
    /// The role of `email` in this team through direct membership (case-insensitive).
    pub fn role_of(&self, email: &str) -> Option<TeamRole> {
        self.spec
            .access
            .users
            .iter()
            .filter(|m| m.name.eq_ignore_ascii_case(email))
            .map(|m| m.role)
            .max()
    }
}

/// Desired state of a user.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "butler.butlerlabs.dev",
    version = "v1alpha1",
    kind = "User",
    plural = "users",
    category = "butler",
    status = "UserStatus",
    derive = "PartialEq",
    doc = "A Butler user.",
    printcolumn(name = "Email", type_ = "string", json_path = ".spec.email"),
    printcolumn(
        name = "Display Name",
        type_ = "string",
        json_path = ".spec.displayName"
    ),
    printcolumn(name = "Admin", type_ = "boolean", json_path = ".spec.isPlatformAdmin"),
    printcolumn(name = "Phase", type_ = "string", json_path = ".status.phase"),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct UserSpec {
    /// Email (the identity used by Teams).
    pub email: String,
    /// Name shown in the UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Disabled users may not sign in.
    #[serde(default)]
    pub disabled: bool,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// How the user signs in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<AuthType>,
    /// IdentityProvider for SSO users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_provider: Option<String>,
    /// Platform administrators may do everything.
    #[serde(default)]
    pub is_platform_admin: bool,
    /// Platform role name (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_role: Option<String>,
    /// SSH public keys for workspaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssh_keys: Vec<SshKey>,
}

/// How a user signs in.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuthType {
    /// Single sign-on through an IdentityProvider.
    #[default]
    Sso,
    /// Built-in account.
    Internal,
}

/// An SSH public key.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SshKey {
    /// Label.
    pub name: String,
    /// `ssh-ed25519 AAAA… comment`.
    pub public_key: String,
    /// `SHA256:…` fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// RFC 3339 time the key was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_at: Option<String>,
}

/// Observed state of a user.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserStatus {
    /// Lifecycle phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<UserPhase>,
    /// RFC 3339 time of the last sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_time: Option<String>,
    /// Teams the user belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<String>,
}

/// User phases.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum UserPhase {
    /// Invited, never signed in.
    #[default]
    Pending,
    /// Active.
    Active,
    /// Disabled by an admin.
    Disabled,
    /// Locked.
    Locked,
}

/// Desired state of an identity provider (cluster-scoped).
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "butler.butlerlabs.dev",
    version = "v1alpha1",
    kind = "IdentityProvider",
    plural = "identityproviders",
    shortname = "idp",
    category = "butler",
    status = "IdentityProviderStatus",
    derive = "PartialEq",
    doc = "An OIDC identity provider users sign in with.",
    printcolumn(name = "Type", type_ = "string", json_path = ".spec.type"),
    printcolumn(name = "Issuer", type_ = "string", json_path = ".spec.oidc.issuerURL"),
    printcolumn(name = "Phase", type_ = "string", json_path = ".status.phase"),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct IdentityProviderSpec {
    /// Provider type.
    #[serde(rename = "type", default)]
    pub type_: IdentityProviderType,
    /// Name on the sign-in page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// OIDC settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<OidcConfig>,
    /// Groups granting platform roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platform_role_groups: Vec<PlatformRoleGroup>,
}

/// Identity provider types.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IdentityProviderType {
    /// OpenID Connect.
    #[default]
    Oidc,
}

/// OIDC settings.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OidcConfig {
    /// Issuer URL.
    #[serde(rename = "issuerURL")]
    pub issuer_url: String,
    /// Client id.
    #[serde(rename = "clientID")]
    pub client_id: String,
    /// Secret holding the client secret.
    pub client_secret_ref: SecretKeyReference,
    /// Redirect URL registered at the provider.
    #[serde(
        rename = "redirectURL",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub redirect_url: Option<String>,
    /// Scopes to request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// Claim with the user's groups.
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// Claim with the user's email.
    #[serde(default = "default_email_claim")]
    pub email_claim: String,
    /// Restrict sign-in to one hosted domain (Google).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted_domain: Option<String>,
    /// Skip TLS verification of the issuer.
    #[serde(default)]
    pub insecure_skip_verify: bool,
}

impl Default for OidcConfig {
    fn default() -> Self {
        OidcConfig {
            issuer_url: String::new(),
            client_id: String::new(),
            client_secret_ref: SecretKeyReference::default(),
            redirect_url: None,
            scopes: Vec::new(),
            groups_claim: default_groups_claim(),
            email_claim: default_email_claim(),
            hosted_domain: None,
            insecure_skip_verify: false,
        }
    }
}

fn default_groups_claim() -> String {
    "groups".into()
}
fn default_email_claim() -> String {
    "email".into()
}

/// A group granting a platform role.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct PlatformRoleGroup {
    /// Group name.
    pub name: String,
    /// Platform role (`admin`, …).
    pub role: String,
}

/// Observed state of an identity provider.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdentityProviderStatus {
    /// Lifecycle phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<IdentityProviderPhase>,
    /// Message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// RFC 3339 time of the last successful discovery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_validated_time: Option<String>,
    /// Endpoints from OIDC discovery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovered_endpoints: Option<DiscoveredEndpoints>,
}

/// Identity provider phases.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum IdentityProviderPhase {
    /// Not validated yet.
    #[default]
    Pending,
    /// Discovery succeeded.
    Ready,
    /// Discovery failed.
    Failed,
}

/// Endpoints from OIDC discovery.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveredEndpoints {
    /// Authorization endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// Token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// UserInfo endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_info_endpoint: Option<String>,
    /// JWKS URI.
    #[serde(rename = "jwksURI", default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
}
