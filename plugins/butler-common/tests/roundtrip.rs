//! Round-trip tests: realistic samples (the YAML in `deploy/samples/`) deserialize into the typed
//! CRDs and serialize back to exactly the same JSON; defaults and enums follow the Butler API.

use plugin_butler_common::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

const SAMPLES: &[(&str, &str)] = &[
    (
        "identity.yaml",
        include_str!("../../../deploy/samples/identity.yaml"),
    ),
    (
        "clusters.yaml",
        include_str!("../../../deploy/samples/clusters.yaml"),
    ),
    (
        "workspaces.yaml",
        include_str!("../../../deploy/samples/workspaces.yaml"),
    ),
];

fn docs() -> Vec<Value> {
    let mut out = Vec::new();
    for (file, text) in SAMPLES {
        for doc in serde_yaml_ng::Deserializer::from_str(text) {
            let v = Value::deserialize_from(doc).unwrap_or_else(|e| panic!("{file}: {e}"));
            out.push(v);
        }
    }
    out
}

trait DeserializeFrom {
    fn deserialize_from(d: serde_yaml_ng::Deserializer<'_>) -> Result<Value, serde_yaml_ng::Error>;
}
impl DeserializeFrom for Value {
    fn deserialize_from(d: serde_yaml_ng::Deserializer<'_>) -> Result<Value, serde_yaml_ng::Error> {
        serde::Deserialize::deserialize(d)
    }
}

fn roundtrip<T: DeserializeOwned + Serialize>(v: &Value) {
    let typed: T = serde_json::from_value(v.clone())
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", v["metadata"]["name"]));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(&back, v, "round trip changed {}", v["metadata"]["name"]);
}

#[test]
fn every_sample_round_trips() {
    let mut kinds = Vec::new();
    for v in docs() {
        let kind = v["kind"].as_str().unwrap().to_string();
        match kind.as_str() {
            "TenantCluster" => roundtrip::<TenantCluster>(&v),
            "TenantAddon" => roundtrip::<TenantAddon>(&v),
            "AddonDefinition" => roundtrip::<AddonDefinition>(&v),
            "ManagementAddon" => roundtrip::<ManagementAddon>(&v),
            "ProviderConfig" => roundtrip::<ProviderConfig>(&v),
            "Team" => roundtrip::<Team>(&v),
            "User" => roundtrip::<User>(&v),
            "IdentityProvider" => roundtrip::<IdentityProvider>(&v),
            "Workspace" => roundtrip::<Workspace>(&v),
            "WorkspaceTemplate" => roundtrip::<WorkspaceTemplate>(&v),
            other => panic!("unexpected kind {other}"),
        }
        kinds.push(kind);
    }
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds.len(), 10, "samples cover every kind: {kinds:?}");
}

#[test]
fn status_round_trips_with_enums() {
    let v = json!({
        "apiVersion": "butler.butlerlabs.dev/v1alpha1",
        "kind": "TenantCluster",
        "metadata": {"name": "web-staging", "namespace": "butler-tenants"},
        "spec": {"kubernetesVersion": "v1.31.4", "teamRef": {"name": "web"}, "workers": {"replicas": 2}},
        "status": {
            "phase": "Ready",
            "conditions": [{"type": "Ready", "status": "True", "reason": "ClusterReady",
                            "message": "all components healthy", "lastTransitionTime": "2026-02-01T10:00:00Z"}],
            "tenantNamespace": "tc-web-staging",
            "controlPlaneEndpoint": "https://10.40.13.10:6443",
            "kubeconfigSecretRef": {"name": "web-staging-admin-kubeconfig", "namespace": "tc-web-staging"},
            "observedState": {
                "kubernetesVersion": "v1.31.4",
                "workers": {"desired": 2, "ready": 2, "nodes": ["web-staging-worker-0", "web-staging-worker-1"]},
                "addons": [
                    {"name": "cilium", "version": "1.16.5", "status": "Healthy", "managedBy": "platform"},
                    {"name": "cert-manager", "version": "v1.16.2", "status": "Installing", "managedBy": "butler"}
                ]
            },
            "workerNodesReady": 2,
            "workerNodesDesired": 2
        }
    });
    roundtrip::<TenantCluster>(&v);
    let tc: TenantCluster = serde_json::from_value(v).unwrap();
    assert_eq!(tc.phase(), ClusterPhase::Ready);
    assert_eq!(tc.team(), Some("web"));
    let addons = &tc.status.unwrap().observed_state.unwrap().addons;
    assert_eq!(addons[1].managed_by, Some(ManagedBy::Butler));

    let ws = json!({
        "apiVersion": "butler.butlerlabs.dev/v1alpha1", "kind": "Workspace",
        "metadata": {"name": "w", "namespace": "n"},
        "spec": {"clusterRef": {"name": "c"}, "owner": "a@b.c", "resources": {"cpu": "2", "memory": "4Gi"},
                 "idleTimeout": "4h", "autoStopAfter": "8h", "storageSize": "10Gi"},
        "status": {"phase": "Running", "podName": "ws-w", "sshEndpoint": "10.0.0.5:2222", "connected": true}
    });
    roundtrip::<Workspace>(&ws);
}

#[test]
fn defaults_follow_the_butler_api() {
    let ws: Workspace = serde_json::from_value(json!({
        "apiVersion": "butler.butlerlabs.dev/v1alpha1", "kind": "Workspace",
        "metadata": {"name": "w", "namespace": "n"},
        "spec": {"clusterRef": {"name": "c"}, "owner": "a@b.c",
                 "repositories": [{"url": "https://example.com/r"}],
                 "envFrom": {"kind": "StatefulSet", "name": "db"}}
    }))
    .unwrap();
    assert_eq!(ws.spec.resources.cpu.0, "2");
    assert_eq!(ws.spec.resources.memory.0, "4Gi");
    assert_eq!(ws.spec.idle_timeout, "4h");
    assert_eq!(ws.spec.auto_stop_after, "8h");
    assert_eq!(ws.spec.storage_size.0, "10Gi");
    assert_eq!(ws.spec.repositories[0].branch, "main");
    assert_eq!(ws.spec.env_from.as_ref().unwrap().namespace, "default");
    assert_eq!(ws.phase(), WorkspacePhase::Pending);

    let tc: TenantClusterSpec = serde_json::from_value(json!({
        "kubernetesVersion": "v1.32.2", "workers": {"replicas": 1, "machineTemplate": {"cpu": 4, "memory": 8}},
        "workspaces": {}
    }))
    .unwrap();
    let w = tc.workspaces.unwrap();
    assert!(!w.enabled);
    assert_eq!(w.max_workspaces, 20);
    assert_eq!(w.resource_quota.max_cpu.0, "16");
    assert_eq!(w.resource_quota.max_memory.0, "32Gi");
    assert_eq!(w.resource_quota.max_storage.0, "500Gi");
    assert_eq!(w.auto_delete_after, "720h");
    // numbers are accepted for quantities
    assert_eq!(tc.workers.machine_template.unwrap().memory.unwrap().0, "8");

    let idp: OidcConfig = serde_json::from_value(json!({
        "issuerURL": "https://i", "clientID": "c", "clientSecretRef": {"name": "s"}
    }))
    .unwrap();
    assert_eq!(idp.groups_claim, "groups");
    assert_eq!(idp.email_claim, "email");
}

#[test]
fn unknown_enum_values_are_rejected() {
    let bad = json!({"kubernetesVersion": "v1", "workers": {"replicas": 1, "machineTemplate": {"os": {"type": "windows"}}}});
    assert!(serde_json::from_value::<TenantClusterSpec>(bad).is_err());
    let bad_role = json!({"access": {"users": [{"name": "x@y", "role": "owner"}]}});
    assert!(serde_json::from_value::<TeamSpec>(bad_role).is_err());
    let cat: AddonCategory = serde_json::from_value(json!("service-mesh")).unwrap();
    assert_eq!(cat, AddonCategory::ServiceMesh);
}

#[test]
fn team_roles() {
    let team: Team =
        serde_json::from_value(docs().into_iter().find(|d| d["kind"] == "Team").unwrap()).unwrap();
    assert_eq!(team.role_of("CAROL@acme.example"), Some(TeamRole::Admin));
    assert_eq!(team.role_of("dave@acme.example"), Some(TeamRole::Operator));
    assert_eq!(team.role_of("mallory@acme.example"), None);
    assert!(TeamRole::Admin > TeamRole::Operator && TeamRole::Operator > TeamRole::Viewer);
}

#[test]
fn crds_have_scope_status_and_columns() {
    let crds = all_crds();
    assert_eq!(crds.len(), 10);
    let cluster_scoped = [
        "addondefinitions",
        "managementaddons",
        "teams",
        "users",
        "identityproviders",
    ];
    for crd in &crds {
        let plural = crd.spec.names.plural.as_str();
        assert_eq!(crd.spec.group, GROUP);
        let expected = if cluster_scoped.contains(&plural) {
            "Cluster"
        } else {
            "Namespaced"
        };
        assert_eq!(crd.spec.scope, expected, "{plural}");
        let v = &crd.spec.versions[0];
        assert_eq!(v.name, VERSION);
        assert!(v.served && v.storage);
        let has_status = v
            .subresources
            .as_ref()
            .and_then(|s| s.status.as_ref())
            .is_some();
        assert_eq!(
            has_status,
            !["addondefinitions", "workspacetemplates"].contains(&plural),
            "{plural}"
        );
        let cols = v
            .additional_printer_columns
            .as_ref()
            .expect("printer columns");
        assert_eq!(cols.last().unwrap().name, "Age");
    }
    let ws = crds
        .iter()
        .find(|c| c.spec.names.plural == "workspaces")
        .unwrap();
    assert_eq!(
        ws.spec.names.short_names.as_deref(),
        Some(&["ws".to_string()][..])
    );
}

#[test]
fn generated_crd_files_are_up_to_date() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/crds");
    for crd in all_crds() {
        let path = dir.join(crd_file_name(&crd));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run `cargo xtask crds`", path.display()));
        let on_disk: Value = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(
            on_disk,
            serde_json::to_value(&crd).unwrap(),
            "{} is stale; run `cargo xtask crds`",
            path.display()
        );
    }
}
