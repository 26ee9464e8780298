//! `TenantCluster`: a Kubernetes cluster Butler provisions for a team.

use crate::common::{
    free_form_object, Condition, LocalObjectReference, NamespacedObjectReference, Quantity,
    ResourceSpec,
};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Desired state of a tenant cluster.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "butler.butlerlabs.dev",
    version = "v1alpha1",
    kind = "TenantCluster",
    plural = "tenantclusters",
    shortname = "tc",
    category = "butler",
    namespaced,
    status = "TenantClusterStatus",
    derive = "PartialEq",
    doc = "A Kubernetes cluster Butler provisions for a team.",
    printcolumn(name = "Team", type_ = "string", json_path = ".spec.teamRef.name"),
    printcolumn(
        name = "Version",
        type_ = "string",
        json_path = ".spec.kubernetesVersion"
    ),
    printcolumn(
        name = "Workers",
        type_ = "integer",
        json_path = ".spec.workers.replicas"
    ),
    printcolumn(
        name = "Ready",
        type_ = "integer",
        json_path = ".status.workerNodesReady"
    ),
    printcolumn(name = "Phase", type_ = "string", json_path = ".status.phase"),
    printcolumn(
        name = "Endpoint",
        type_ = "string",
        json_path = ".status.controlPlaneEndpoint",
        priority = 1
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct TenantClusterSpec {
    /// Kubernetes version, `vX.Y.Z`.
    pub kubernetes_version: String,
    /// Owning team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_ref: Option<LocalObjectReference>,
    /// Infrastructure provider configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_config_ref: Option<NamespacedObjectReference>,
    /// Hosted control plane settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane: Option<ControlPlaneSpec>,
    /// Worker machines.
    pub workers: WorkersSpec,
    /// Pod/service networks and load balancer addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networking: Option<NetworkingSpec>,
    /// How Butler manages the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_policy: Option<ManagementPolicy>,
    /// Platform addons (CNI, load balancer, …) and GitOps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addons: Option<ClusterAddonsSpec>,
    /// Per-provider overrides of the ProviderConfig defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure_override: Option<InfrastructureOverride>,
    /// Cloud workspaces (Chambers) settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspaces: Option<ClusterWorkspacesSpec>,
}

/// Hosted control plane settings.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct ControlPlaneSpec {
    /// Number of API server replicas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Resources per replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceSpec>,
}

/// Worker machines.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkersSpec {
    /// Number of worker nodes (at least 1).
    #[schemars(range(min = 1))]
    pub replicas: i32,
    /// Shape of each worker machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_template: Option<MachineTemplate>,
}

impl Default for WorkersSpec {
    fn default() -> Self {
        WorkersSpec {
            replicas: 1,
            machine_template: None,
        }
    }
}

/// Shape of a worker machine.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MachineTemplate {
    /// CPU cores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<i32>,
    /// Memory, e.g. `8Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
    /// Disk size, e.g. `50Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_size: Option<Quantity>,
    /// Operating system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<OsSpec>,
}

/// Operating system of worker machines.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct OsSpec {
    /// OS family.
    #[serde(rename = "type")]
    pub type_: OsType,
}

/// Worker operating systems Butler supports.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OsType {
    /// Rocky Linux.
    #[default]
    Rocky,
    /// Flatcar Container Linux.
    Flatcar,
    /// Talos Linux.
    Talos,
    /// Kairos.
    Kairos,
    /// Bottlerocket.
    Bottlerocket,
}

/// Cluster networking.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkingSpec {
    /// Pod network CIDR.
    #[serde(rename = "podCIDR", default, skip_serializing_if = "Option::is_none")]
    pub pod_cidr: Option<String>,
    /// Service network CIDR.
    #[serde(
        rename = "serviceCIDR",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub service_cidr: Option<String>,
    /// Address range for LoadBalancer services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_pool: Option<LoadBalancerPool>,
    /// Number of addresses to allocate when no explicit pool is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lb_pool_size: Option<i32>,
}

/// An inclusive IP address range.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct LoadBalancerPool {
    /// First address.
    pub start: String,
    /// Last address.
    pub end: String,
}

/// How Butler manages a cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct ManagementPolicy {
    /// Management mode.
    #[serde(default)]
    pub mode: ManagementMode,
}

/// Management modes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum ManagementMode {
    /// Butler reconciles everything.
    #[default]
    Active,
    /// Butler only reports.
    Observe,
    /// A GitOps tool owns the cluster's configuration.
    GitOps,
}

/// Platform addons of a cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterAddonsSpec {
    /// CNI addon (`cilium`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cni: Option<AddonChoice>,
    /// Load balancer addon (`metallb`, `kube-vip`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<AddonChoice>,
    /// Storage addon (`longhorn`, `linstor`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<AddonChoice>,
    /// cert-manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_manager: Option<AddonChoice>,
    /// Ingress controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<AddonChoice>,
    /// GitOps engine bootstrap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitops: Option<GitOpsSpec>,
}

/// One platform addon selection.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct AddonChoice {
    /// Addon provider (`cilium`, `metallb`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Version to install.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Extra Helm values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "free_form_object")]
    pub values: Option<serde_json::Value>,
}

/// GitOps engine bootstrap settings.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct GitOpsSpec {
    /// Engine.
    pub provider: GitOpsProvider,
    /// Engine version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Repository the engine syncs from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<GitRepository>,
}

/// GitOps engines.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GitOpsProvider {
    /// Flux CD.
    #[default]
    Fluxcd,
    /// Argo CD.
    Argocd,
}

/// A Git repository location.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct GitRepository {
    /// Clone URL.
    pub url: String,
    /// Branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Path inside the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Per-provider overrides.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct InfrastructureOverride {
    /// Harvester overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harvester: Option<HarvesterOverride>,
    /// Nutanix overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nutanix: Option<NutanixOverride>,
    /// Proxmox overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxmox: Option<ProxmoxOverride>,
    /// GCP overrides (free form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "free_form_object")]
    pub gcp: Option<serde_json::Value>,
}

/// Harvester placement.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HarvesterOverride {
    /// Harvester namespace for the VMs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// VM network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_name: Option<String>,
    /// VM image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_name: Option<String>,
}

/// Nutanix placement.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct NutanixOverride {
    /// Prism Element cluster.
    #[serde(
        rename = "clusterUUID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cluster_uuid: Option<String>,
    /// Subnet.
    #[serde(
        rename = "subnetUUID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub subnet_uuid: Option<String>,
    /// Image.
    #[serde(rename = "imageUUID", default, skip_serializing_if = "Option::is_none")]
    pub image_uuid: Option<String>,
    /// Storage container.
    #[serde(
        rename = "storageContainerUUID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub storage_container_uuid: Option<String>,
}

/// Proxmox placement.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct ProxmoxOverride {
    /// Proxmox node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// VM template id.
    #[serde(
        rename = "templateID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub template_id: Option<i64>,
}

/// Cloud workspaces settings of a cluster.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterWorkspacesSpec {
    /// Whether workspaces may be created on this cluster.
    #[serde(default)]
    pub enabled: bool,
    /// Image used when a workspace names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_image: Option<String>,
    /// Maximum number of workspaces.
    #[serde(default = "default_max_workspaces")]
    pub max_workspaces: i32,
    /// Quota for all workspaces together.
    #[serde(default)]
    pub resource_quota: WorkspaceResourceQuota,
    /// Delete workspaces unused for this long.
    #[serde(default = "default_auto_delete_after")]
    pub auto_delete_after: String,
}

impl Default for ClusterWorkspacesSpec {
    fn default() -> Self {
        ClusterWorkspacesSpec {
            enabled: false,
            default_image: None,
            max_workspaces: default_max_workspaces(),
            resource_quota: WorkspaceResourceQuota::default(),
            auto_delete_after: default_auto_delete_after(),
        }
    }
}

fn default_max_workspaces() -> i32 {
    20
}
fn default_auto_delete_after() -> String {
    "720h".into()
}

/// Quota for all workspaces of a cluster.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct WorkspaceResourceQuota {
    /// CPU.
    #[serde(rename = "maxCPU", default = "default_max_cpu")]
    pub max_cpu: Quantity,
    /// Memory.
    #[serde(rename = "maxMemory", default = "default_max_memory")]
    pub max_memory: Quantity,
    /// Storage.
    #[serde(rename = "maxStorage", default = "default_max_storage")]
    pub max_storage: Quantity,
}

impl Default for WorkspaceResourceQuota {
    fn default() -> Self {
        WorkspaceResourceQuota {
            max_cpu: default_max_cpu(),
            max_memory: default_max_memory(),
            max_storage: default_max_storage(),
        }
    }
}

fn default_max_cpu() -> Quantity {
    Quantity::new("16")
}
fn default_max_memory() -> Quantity {
    Quantity::new("32Gi")
}
fn default_max_storage() -> Quantity {
    Quantity::new("500Gi")
}

/// Observed state of a tenant cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantClusterStatus {
    /// Lifecycle phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<ClusterPhase>,
    /// Conditions (`Ready`, `ControlPlaneReady`, `InfrastructureReady`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// Namespace holding the cluster's control plane and secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_namespace: Option<String>,
    /// API server endpoint, `https://host:port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_endpoint: Option<String>,
    /// Secret with the admin kubeconfig.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubeconfig_secret_ref: Option<NamespacedObjectReference>,
    /// What the controller observed in the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_state: Option<ObservedState>,
    /// Ready worker nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_nodes_ready: Option<i32>,
    /// Desired worker nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_nodes_desired: Option<i32>,
    /// Generation the status was computed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// Lifecycle phases of a tenant cluster.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum ClusterPhase {
    /// Accepted, not started.
    #[default]
    Pending,
    /// Machines and control plane being created.
    Provisioning,
    /// Platform addons being installed.
    Installing,
    /// Usable.
    Ready,
    /// Applying a spec change.
    Updating,
    /// Being torn down.
    Deleting,
    /// Failed; see conditions.
    Failed,
}

impl ClusterPhase {
    /// The phase name as written in `status.phase`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ClusterPhase::Pending => "Pending",
            ClusterPhase::Provisioning => "Provisioning",
            ClusterPhase::Installing => "Installing",
            ClusterPhase::Ready => "Ready",
            ClusterPhase::Updating => "Updating",
            ClusterPhase::Deleting => "Deleting",
            ClusterPhase::Failed => "Failed",
        }
    }
}

/// What the controller observed inside the tenant cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObservedState {
    /// Running Kubernetes version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    /// Worker counts and names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<ObservedWorkers>,
    /// Installed addons.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addons: Vec<ObservedAddon>,
}

/// Worker counts.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct ObservedWorkers {
    /// Desired workers.
    #[serde(default)]
    pub desired: i32,
    /// Ready workers.
    #[serde(default)]
    pub ready: i32,
    /// Node names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
}

/// An addon observed in a tenant cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObservedAddon {
    /// Addon name.
    pub name: String,
    /// Installed version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Health.
    #[serde(default)]
    pub status: ObservedAddonStatus,
    /// Who manages it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<ManagedBy>,
}

/// Health of an observed addon.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum ObservedAddonStatus {
    /// Not yet installed.
    #[default]
    Pending,
    /// Installing.
    Installing,
    /// Running and healthy.
    Healthy,
    /// Running with problems.
    Degraded,
    /// Failed.
    Failed,
}

/// Who manages an installed addon.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ManagedBy {
    /// Part of the platform (installed from `spec.addons`).
    #[default]
    Platform,
    /// Installed through a TenantAddon.
    Butler,
    /// Managed by a GitOps engine.
    Gitops,
}

impl TenantCluster {
    /// The team that owns this cluster, if any.
    pub fn team(&self) -> Option<&str> {
        self.spec.team_ref.as_ref().map(|r| r.name.as_str())
    }

    /// The phase, `Pending` when the controller has not reported yet.
    pub fn phase(&self) -> ClusterPhase {
        self.status
            .as_ref()
            .and_then(|s| s.phase)
            .unwrap_or_default()
    }
}
