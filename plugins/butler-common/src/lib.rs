//! Typed Butler custom resources (group `butler.butlerlabs.dev`, version `v1alpha1`).
//!
//! Each kind derives [`kube::CustomResource`], so `TenantCluster::crd()` yields its
//! CustomResourceDefinition and `kube::Api<TenantCluster>` works against a real or emulated API
//! server. Field names, enums and defaults follow the Butler API (`butler-api/api/v1alpha1`).
//!
//! This crate builds for `wasm32-unknown-unknown` (it depends on `kube` with only the `derive`
//! feature), so the frontend can share these types.
//!
//! [`all_crds`] lists every CustomResourceDefinition; `cargo run -p plugin-butler-common
//! --example write_crds -- deploy/crds` writes them as YAML.

// `printcolumn(type_ = "string", …)` repeated in `#[kube(...)]` trips this lint.
#![allow(clippy::duplicated_attributes)]

pub mod addons;
pub mod common;
pub mod identity;
pub mod provider;
pub mod tenant_cluster;
pub mod workspace;

pub use addons::*;
pub use common::*;
pub use identity::*;
pub use provider::*;
pub use tenant_cluster::*;
pub use workspace::*;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// The CustomResourceDefinitions of every Butler kind, in a stable order.
pub fn all_crds() -> Vec<CustomResourceDefinition> {
    vec![
        TenantCluster::crd(),
        TenantAddon::crd(),
        AddonDefinition::crd(),
        ManagementAddon::crd(),
        ProviderConfig::crd(),
        Team::crd(),
        User::crd(),
        IdentityProvider::crd(),
        Workspace::crd(),
        WorkspaceTemplate::crd(),
    ]
}

/// File name for a CRD in `deploy/crds/`: `<group>_<plural>.yaml`, as controller-gen names them.
pub fn crd_file_name(crd: &CustomResourceDefinition) -> String {
    format!("{}_{}.yaml", crd.spec.group, crd.spec.names.plural)
}
