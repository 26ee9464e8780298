//! Cloud workspaces (Chambers): `Workspace` and `WorkspaceTemplate`.

use crate::common::{Condition, LocalObjectReference, Quantity};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Desired state of a cloud development workspace.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "butler.butlerlabs.dev",
    version = "v1alpha1",
    kind = "Workspace",
    plural = "workspaces",
    shortname = "ws",
    category = "butler",
    namespaced,
    status = "WorkspaceStatus",
    derive = "PartialEq",
    doc = "A cloud development workspace running in a tenant cluster.",
    printcolumn(
        name = "Cluster",
        type_ = "string",
        json_path = ".spec.clusterRef.name"
    ),
    printcolumn(name = "Owner", type_ = "string", json_path = ".spec.owner"),
    printcolumn(
        name = "Image",
        type_ = "string",
        json_path = ".spec.image",
        priority = 1
    ),
    printcolumn(name = "Phase", type_ = "string", json_path = ".status.phase"),
    printcolumn(name = "SSH", type_ = "string", json_path = ".status.sshEndpoint"),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceSpec {
    /// Tenant cluster (same namespace) the workspace runs in.
    pub cluster_ref: LocalObjectReference,
    /// Owner's email.
    pub owner: String,
    /// Container image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Single repository to clone into `/workspace/src`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<WorkspaceRepository>,
    /// Several repositories, cloned into `/workspace/<name>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repositories: Vec<WorkspaceRepository>,
    /// Copy environment variables from a workload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_from: Option<EnvFromWorkload>,
    /// CPU and memory limits.
    #[serde(default)]
    pub resources: WorkspaceResources,
    /// Dotfiles repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dotfiles: Option<Dotfiles>,
    /// Disconnect after this long without activity.
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout: String,
    /// Stop this long after the last disconnect.
    #[serde(default = "default_auto_stop_after")]
    pub auto_stop_after: String,
    /// Persistent volume size.
    #[serde(default = "default_storage_size")]
    pub storage_size: Quantity,
    /// Authorized SSH keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssh_public_keys: Vec<String>,
    /// Editor configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editor_config: Option<EditorConfig>,
}

fn default_idle_timeout() -> String {
    "4h".into()
}
fn default_auto_stop_after() -> String {
    "8h".into()
}
fn default_storage_size() -> Quantity {
    Quantity::new("10Gi")
}
fn default_branch() -> String {
    "main".into()
}
fn default_env_namespace() -> String {
    "default".into()
}
fn default_cpu() -> Quantity {
    Quantity::new("2")
}
fn default_memory() -> Quantity {
    Quantity::new("4Gi")
}

/// A Git repository to clone.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceRepository {
    /// Clone URL.
    pub url: String,
    /// Directory name (defaults to the repository name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Branch.
    #[serde(default = "default_branch")]
    pub branch: String,
    /// Secret with Git credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
}

impl WorkspaceRepository {
    /// A repository on the default branch.
    pub fn new(url: &str) -> Self {
        WorkspaceRepository {
            url: url.to_string(),
            name: None,
            branch: default_branch(),
            secret_ref: None,
        }
    }
}

/// A workload to copy environment variables from.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct EnvFromWorkload {
    /// Workload kind.
    pub kind: WorkloadKind,
    /// Workload name.
    pub name: String,
    /// Workload namespace.
    #[serde(default = "default_env_namespace")]
    pub namespace: String,
    /// Container (defaults to the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
}

/// Workload kinds for `envFrom`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum WorkloadKind {
    /// apps/v1 Deployment.
    #[default]
    Deployment,
    /// apps/v1 StatefulSet.
    StatefulSet,
}

/// Workspace limits.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct WorkspaceResources {
    /// CPU limit.
    #[serde(default = "default_cpu")]
    pub cpu: Quantity,
    /// Memory limit.
    #[serde(default = "default_memory")]
    pub memory: Quantity,
}

impl Default for WorkspaceResources {
    fn default() -> Self {
        WorkspaceResources {
            cpu: default_cpu(),
            memory: default_memory(),
        }
    }
}

/// Dotfiles repository.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dotfiles {
    /// Clone URL.
    pub url: String,
    /// Install command (autodetected when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_command: Option<String>,
}

/// Editor configuration.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EditorConfig {
    /// Repository with a Neovim configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neovim_config_repo: Option<String>,
    /// Inline `init.lua`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neovim_init_lua: Option<String>,
    /// Base64 tar.gz of a Neovim configuration directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neovim_config_archive: Option<String>,
}

/// Observed state of a workspace.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceStatus {
    /// Lifecycle phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<WorkspacePhase>,
    /// Conditions (`PVCReady`, `PodReady`, `RepositoryCloned`, `DotfilesInstalled`, `SSHReady`, `Ready`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// Pod in the tenant cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_name: Option<String>,
    /// PVC in the tenant cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pvc_name: Option<String>,
    /// SSH Service in the tenant cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    /// `host:port` to SSH to (user `dev`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_endpoint: Option<String>,
    /// A client is connected.
    #[serde(default)]
    pub connected: bool,
    /// RFC 3339 time of the last activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_activity_time: Option<String>,
    /// RFC 3339 time of the last disconnect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_disconnect_time: Option<String>,
    /// Human-readable message (failure reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Workspace phases.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum WorkspacePhase {
    /// Accepted.
    #[default]
    Pending,
    /// Volume and pod being created.
    Creating,
    /// Usable.
    Running,
    /// Restarting after a stop.
    Starting,
    /// Stopped (volume kept).
    Stopped,
    /// Failed; see `message`.
    Failed,
}

impl WorkspacePhase {
    /// The phase name as written in `status.phase`.
    pub fn as_str(&self) -> &'static str {
        match self {
            WorkspacePhase::Pending => "Pending",
            WorkspacePhase::Creating => "Creating",
            WorkspacePhase::Running => "Running",
            WorkspacePhase::Starting => "Starting",
            WorkspacePhase::Stopped => "Stopped",
            WorkspacePhase::Failed => "Failed",
        }
    }
}

/// A reusable workspace preset.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "butler.butlerlabs.dev",
    version = "v1alpha1",
    kind = "WorkspaceTemplate",
    plural = "workspacetemplates",
    shortname = "wst",
    category = "butler",
    namespaced,
    derive = "PartialEq",
    doc = "A reusable preset for new workspaces.",
    printcolumn(
        name = "Display Name",
        type_ = "string",
        json_path = ".spec.displayName"
    ),
    printcolumn(name = "Category", type_ = "string", json_path = ".spec.category"),
    printcolumn(name = "Scope", type_ = "string", json_path = ".spec.scope"),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceTemplateSpec {
    /// Name shown in the UI.
    pub display_name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Icon name or URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Category.
    #[serde(default)]
    pub category: TemplateCategory,
    /// Visibility.
    #[serde(default)]
    pub scope: TemplateScope,
    /// Workspace settings the template fills in.
    #[serde(default)]
    pub template: WorkspaceTemplateBody,
}

/// Template categories.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TemplateCategory {
    /// Backend services.
    Backend,
    /// Frontend.
    Frontend,
    /// Data.
    Data,
    /// DevOps.
    Devops,
    /// Other.
    #[default]
    Custom,
}

/// Template visibility.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TemplateScope {
    /// Every team (lives in `butler-system`).
    Cluster,
    /// One team (lives in the team's namespace).
    #[default]
    Team,
}

/// The workspace settings of a template.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceTemplateBody {
    /// Container image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Single repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<WorkspaceRepository>,
    /// Several repositories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repositories: Vec<WorkspaceRepository>,
    /// Copy environment from a workload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_from: Option<EnvFromWorkload>,
    /// Dotfiles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dotfiles: Option<Dotfiles>,
    /// Limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<WorkspaceResources>,
    /// Volume size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_size: Option<Quantity>,
}

impl Workspace {
    /// The phase, `Pending` when the controller has not reported yet.
    pub fn phase(&self) -> WorkspacePhase {
        self.status
            .as_ref()
            .and_then(|s| s.phase)
            .unwrap_or_default()
    }
}
