//! Addons: `AddonDefinition` (catalog entry), `TenantAddon` (installed in a tenant cluster) and
//! `ManagementAddon` (installed in the management cluster).

use crate::common::{free_form_object, HelmReleaseStatus, LocalObjectReference};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Desired state of an addon installed into a tenant cluster.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "butler.butlerlabs.dev",
    version = "v1alpha1",
    kind = "TenantAddon",
    plural = "tenantaddons",
    shortname = "ta",
    category = "butler",
    namespaced,
    status = "TenantAddonStatus",
    derive = "PartialEq",
    doc = "An addon (Helm chart) installed into a tenant cluster.",
    printcolumn(
        name = "Cluster",
        type_ = "string",
        json_path = ".spec.clusterRef.name"
    ),
    printcolumn(name = "Addon", type_ = "string", json_path = ".spec.addon"),
    printcolumn(name = "Version", type_ = "string", json_path = ".spec.version"),
    printcolumn(
        name = "Installed",
        type_ = "string",
        json_path = ".status.installedVersion"
    ),
    printcolumn(name = "Phase", type_ = "string", json_path = ".status.phase"),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct TenantAddonSpec {
    /// Target cluster (same namespace).
    pub cluster_ref: LocalObjectReference,
    /// AddonDefinition name (catalog addon); absent for a raw Helm chart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addon: Option<String>,
    /// Chart version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Raw Helm chart when `addon` is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm: Option<HelmChartSpec>,
    /// Helm values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "free_form_object")]
    pub values: Option<serde_json::Value>,
    /// Addons that must be installed first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

/// A raw Helm chart.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartSpec {
    /// Chart repository URL.
    pub repository: String,
    /// Chart name.
    pub chart: String,
    /// Release name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    /// Target namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Create the namespace when missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_namespace: Option<bool>,
}

/// Observed state of a tenant addon.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantAddonStatus {
    /// Lifecycle phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<AddonPhase>,
    /// Version currently installed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed_version: Option<String>,
    /// Helm release details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm_release: Option<HelmReleaseStatus>,
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Lifecycle phases of a tenant or management addon.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum AddonPhase {
    /// Waiting.
    #[default]
    Pending,
    /// Installing.
    Installing,
    /// Installed and healthy.
    Installed,
    /// Changing version or values.
    Upgrading,
    /// Installed with problems.
    Degraded,
    /// Failed.
    Failed,
    /// Being removed (tenant addons).
    Deleting,
    /// Being removed (management addons).
    Uninstalling,
}

/// An entry of the addon catalog (cluster-scoped).
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "butler.butlerlabs.dev",
    version = "v1alpha1",
    kind = "AddonDefinition",
    plural = "addondefinitions",
    shortname = "addondef",
    category = "butler",
    derive = "PartialEq",
    doc = "An addon of the Butler catalog: a Helm chart with defaults.",
    printcolumn(
        name = "Display Name",
        type_ = "string",
        json_path = ".spec.displayName"
    ),
    printcolumn(name = "Category", type_ = "string", json_path = ".spec.category"),
    printcolumn(
        name = "Default Version",
        type_ = "string",
        json_path = ".spec.chart.defaultVersion"
    ),
    printcolumn(name = "Platform", type_ = "boolean", json_path = ".spec.platform"),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct AddonDefinitionSpec {
    /// Name shown in the catalog.
    pub display_name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Category.
    #[serde(default)]
    pub category: AddonCategory,
    /// Icon URL or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// The Helm chart.
    pub chart: ChartSpec,
    /// Install defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<AddonDefaults>,
    /// Platform addons are installed by Butler itself and not offered to teams.
    #[serde(default)]
    pub platform: bool,
    /// Tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<AddonTier>,
    /// Addons that must be installed first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<AddonLinks>,
}

/// Addon catalog categories.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AddonCategory {
    /// Container network.
    Cni,
    /// Load balancer.
    Loadbalancer,
    /// Storage.
    Storage,
    /// cert-manager and friends.
    Certmanager,
    /// Ingress.
    Ingress,
    /// Observability.
    Observability,
    /// Backup.
    Backup,
    /// GitOps.
    Gitops,
    /// Security.
    Security,
    /// DNS.
    Dns,
    /// Databases.
    Database,
    /// Messaging.
    Messaging,
    /// Service mesh.
    ServiceMesh,
    /// Anything else.
    #[default]
    Other,
}

/// A Helm chart in the catalog.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChartSpec {
    /// Repository URL.
    pub repository: String,
    /// Chart name.
    pub name: String,
    /// Version installed when none is given.
    pub default_version: String,
    /// Versions offered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub available_versions: Vec<String>,
}

/// Install defaults of a catalog addon.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddonDefaults {
    /// Target namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Release name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    /// Default Helm values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "free_form_object")]
    pub values: Option<serde_json::Value>,
}

/// Addon tiers.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AddonTier {
    /// Cluster infrastructure.
    #[default]
    Infrastructure,
    /// Applications.
    Apps,
}

/// Links of a catalog addon.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct AddonLinks {
    /// Documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    /// Source code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
}

/// Desired state of an addon installed into the management cluster (cluster-scoped).
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "butler.butlerlabs.dev",
    version = "v1alpha1",
    kind = "ManagementAddon",
    plural = "managementaddons",
    shortname = "ma",
    category = "butler",
    status = "ManagementAddonStatus",
    derive = "PartialEq",
    doc = "An addon installed into the management cluster.",
    printcolumn(name = "Addon", type_ = "string", json_path = ".spec.addon"),
    printcolumn(name = "Version", type_ = "string", json_path = ".spec.version"),
    printcolumn(name = "Phase", type_ = "string", json_path = ".status.phase"),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct ManagementAddonSpec {
    /// AddonDefinition name.
    pub addon: String,
    /// Chart version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Helm values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "free_form_object")]
    pub values: Option<serde_json::Value>,
    /// Stop reconciling.
    #[serde(default)]
    pub paused: bool,
}

/// Observed state of a management addon.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManagementAddonStatus {
    /// Lifecycle phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<AddonPhase>,
    /// Version currently installed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed_version: Option<String>,
    /// Helm release details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm_release: Option<HelmReleaseStatus>,
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
