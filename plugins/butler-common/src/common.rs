//! Types shared by several Butler kinds: references, conditions, schema helpers.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The API group of every Butler kind.
pub const GROUP: &str = "butler.butlerlabs.dev";
/// The API version of every Butler kind.
pub const VERSION: &str = "v1alpha1";
/// `apiVersion` of every Butler kind.
pub const API_VERSION: &str = "butler.butlerlabs.dev/v1alpha1";

/// Label on TenantAddons (and other per-cluster objects) naming their TenantCluster.
pub const LABEL_CLUSTER: &str = "butler.butlerlabs.dev/cluster";
/// Label on TenantAddons naming their AddonDefinition.
pub const LABEL_ADDON_DEFINITION: &str = "butler.butlerlabs.dev/addon-definition";
/// Label on AddonDefinitions saying where they come from (`builtin`, …).
pub const LABEL_SOURCE: &str = "butler.butlerlabs.dev/source";
/// Label on Workspaces naming their tenant cluster.
pub const LABEL_TENANT: &str = "butler.butlerlabs.dev/tenant";
/// Label on Workspaces naming their owner (`@` and everything after replaced by `_`… see [`owner_label_value`]).
pub const LABEL_WORKSPACE_OWNER: &str = "butler.butlerlabs.dev/workspace-owner";
/// Label on Nodes (in the emulator's management cluster) naming the tenant cluster they belong to.
pub const LABEL_NODE_CLUSTER: &str = "butler.butlerlabs.dev/tenant-cluster";
/// Label on namespaces created for a Team.
pub const LABEL_TEAM: &str = "butler.butlerlabs.dev/team";
/// Annotation set to `"true"` to ask for a workspace connection (start when stopped).
pub const ANNOTATION_CONNECT: &str = "butler.butlerlabs.dev/connect";
/// Annotation holding the time of the last connect request.
pub const ANNOTATION_CONNECT_TIME: &str = "butler.butlerlabs.dev/connect-time";
/// Finalizer the controller puts on Workspaces.
pub const FINALIZER_WORKSPACE: &str = "butler.butlerlabs.dev/workspace";
/// Annotation on TenantClusters naming `<namespace>/<name>` for catalog entities.
pub const ANNOTATION_CATALOG_CLUSTER: &str = "butler.butlerlabs.dev/cluster";

/// Value of the [`LABEL_WORKSPACE_OWNER`] label for an owner email: label values may not contain
/// `@`, so it becomes `_`.
pub fn owner_label_value(email: &str) -> String {
    email.replace('@', "_")
}

/// A reference to a cluster-scoped or same-namespace object by name.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct LocalObjectReference {
    /// Name of the referenced object.
    pub name: String,
}

/// A reference to an object by name and optional namespace.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct NamespacedObjectReference {
    /// Name of the referenced object.
    pub name: String,
    /// Namespace of the referenced object (defaults to the referrer's namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A reference to one key of a Secret.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct SecretKeyReference {
    /// Secret name.
    pub name: String,
    /// Secret namespace (defaults to the Butler system namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Key inside the Secret's data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// A standard Kubernetes condition (`metav1.Condition`).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Condition type, e.g. `Ready`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// Machine-readable reason in CamelCase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// RFC 3339 time the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<String>,
    /// The `metadata.generation` the condition was computed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

impl Condition {
    /// A condition with `status: "True"` / `"False"`.
    pub fn new(type_: &str, ok: bool, reason: &str, message: &str, time: &str) -> Self {
        Condition {
            type_: type_.to_string(),
            status: if ok { "True" } else { "False" }.to_string(),
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            last_transition_time: Some(time.to_string()),
            observed_generation: None,
        }
    }
}

/// Helm release information reported by addon controllers.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct HelmReleaseStatus {
    /// Release name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Release namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Chart version deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Helm revision number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    /// Helm status (`deployed`, `failed`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// Schema for free-form objects (Helm values, templates): any JSON object is kept as is.
pub fn free_form_object(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": true
    })
}

/// Schema for an integer-or-string quantity such as `2`, `"500m"` or `"4Gi"`.
pub fn int_or_string(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "x-kubernetes-int-or-string": true
    })
}

/// A resource quantity (`2`, `"500m"`, `"4Gi"`): accepts a JSON number or string, stored as text.
#[derive(Serialize, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[serde(transparent)]
pub struct Quantity(pub String);

impl Quantity {
    /// Quantity from text.
    pub fn new(s: impl Into<String>) -> Self {
        Quantity(s.into())
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Quantity {
    fn from(s: &str) -> Self {
        Quantity(s.to_string())
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Quantity(s)),
            serde_json::Value::Number(n) => Ok(Quantity(n.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "expected a quantity (number or string), got {other}"
            ))),
        }
    }
}

impl JsonSchema for Quantity {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Quantity".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        int_or_string(generator)
    }
}

/// CPU and memory of a machine or container.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct ResourceSpec {
    /// CPU cores (`2`, `"500m"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Quantity>,
    /// Memory (`"4Gi"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
}
