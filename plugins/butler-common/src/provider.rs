//! `ProviderConfig`: credentials and defaults for an infrastructure provider.

use crate::common::{free_form_object, LocalObjectReference, SecretKeyReference};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Desired state of a provider configuration.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "butler.butlerlabs.dev",
    version = "v1alpha1",
    kind = "ProviderConfig",
    plural = "providerconfigs",
    shortname = "pc",
    category = "butler",
    namespaced,
    status = "ProviderConfigStatus",
    derive = "PartialEq",
    doc = "Credentials and defaults for an infrastructure provider.",
    printcolumn(name = "Provider", type_ = "string", json_path = ".spec.provider"),
    printcolumn(name = "Scope", type_ = "string", json_path = ".spec.scope.type"),
    printcolumn(name = "Ready", type_ = "boolean", json_path = ".status.ready"),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct ProviderConfigSpec {
    /// Provider kind.
    pub provider: ProviderType,
    /// Secret with the provider credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_ref: Option<SecretKeyReference>,
    /// Harvester settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harvester: Option<HarvesterConfig>,
    /// Nutanix settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nutanix: Option<NutanixConfig>,
    /// Proxmox settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxmox: Option<ProxmoxConfig>,
    /// Azure settings (free form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "free_form_object")]
    pub azure: Option<serde_json::Value>,
    /// AWS settings (free form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "free_form_object")]
    pub aws: Option<serde_json::Value>,
    /// GCP settings (free form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "free_form_object")]
    pub gcp: Option<serde_json::Value>,
    /// Who may use this provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<ProviderScope>,
}

/// Infrastructure providers.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProviderType {
    /// SUSE Harvester.
    #[default]
    Harvester,
    /// Nutanix AHV.
    Nutanix,
    /// Proxmox VE.
    Proxmox,
    /// Microsoft Azure.
    Azure,
    /// Amazon Web Services.
    Aws,
    /// Google Cloud.
    Gcp,
}

impl ProviderType {
    /// The name as written in `spec.provider`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ProviderType::Harvester => "harvester",
            ProviderType::Nutanix => "nutanix",
            ProviderType::Proxmox => "proxmox",
            ProviderType::Azure => "azure",
            ProviderType::Aws => "aws",
            ProviderType::Gcp => "gcp",
        }
    }
}

/// Harvester defaults.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HarvesterConfig {
    /// Harvester API endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Namespace for VMs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// VM network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_name: Option<String>,
    /// VM image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_name: Option<String>,
}

/// Nutanix defaults.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NutanixConfig {
    /// Prism Central endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Port (9440).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// Skip TLS verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
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
}

/// Proxmox defaults.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProxmoxConfig {
    /// Proxmox API endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Skip TLS verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Nodes VMs may be placed on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
    /// Storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
}

/// Who may use a provider.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderScope {
    /// Scope type.
    #[serde(rename = "type", default)]
    pub type_: ProviderScopeType,
    /// Team, for team scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_ref: Option<LocalObjectReference>,
}

/// Provider scopes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProviderScopeType {
    /// Every team.
    #[default]
    Platform,
    /// One team.
    Team,
}

/// Observed state of a provider configuration.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderConfigStatus {
    /// Credentials were validated against the provider.
    #[serde(default)]
    pub validated: bool,
    /// Usable.
    #[serde(default)]
    pub ready: bool,
    /// Last validation message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
