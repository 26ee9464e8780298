//! [`seed_demo`]: a realistic Butler management cluster for demos.
//!
//! * Teams `platform`, `payments`, `search` (namespaces of the same names) with members and roles,
//!   and groups named like the demo catalog's (`platform-admins`, `payments-admins`,
//!   `payments-operators`, `search-team`) plus the IdP group `payments-oncall`;
//!   users `alice` (the platform admin), `bob`, `carol`, `dave`, `erin`, `frank`, `grace`,
//!   `heidi` (`<name>@acme.example`) — the people of the demo catalog (`demo/catalog/org.yaml`).
//! * Five TenantClusters across providers: `payments/payments-prod` (Harvester, Ready),
//!   `search/search-prod` (Proxmox, Ready), `payments/payments-staging` (Nutanix, Installing,
//!   paused), `search/search-dev` (Harvester, Provisioning — the controller finishes it),
//!   `platform/platform-tools` (AWS, Failed, paused), with their worker Nodes.
//! * Twelve AddonDefinitions, TenantAddons, ManagementAddons, ProviderConfigs with credential
//!   Secrets, an OIDC IdentityProvider, WorkspaceTemplates and four Workspaces (running,
//!   stopped, disconnected, creating).
//! * Management nodes and system pods (`butler-system`, `kube-system`), including a
//!   `butler-toolbox` pod to exec into.

use crate::controller::cluster::{node_object, tenant_namespace};
use crate::controller::ANNOTATION_PAUSED;
use crate::store::{now_rfc3339, Store, Subresource};
use base64::Engine;
use plugin_butler_common::{
    ANNOTATION_CONNECT, LABEL_ADDON_DEFINITION, LABEL_CLUSTER, LABEL_SOURCE, LABEL_TEAM,
    LABEL_TENANT, LABEL_WORKSPACE_OWNER,
};
use serde_json::{json, Value};

const G: &str = "butler.butlerlabs.dev";
const AV: &str = "butler.butlerlabs.dev/v1alpha1";

/// The demo people: (user name, display name, team, role, platform admin).
pub const PEOPLE: &[(&str, &str, &str, &str, bool)] = &[
    ("alice", "Alice Admin", "platform", "admin", true),
    ("bob", "Bob Builder", "platform", "operator", false),
    ("carol", "Carol Payments", "payments", "admin", false),
    ("dave", "Dave Operator", "payments", "operator", false),
    ("erin", "Erin Oncall", "payments", "viewer", false),
    ("frank", "Frank Finder", "search", "admin", false),
    ("grace", "Grace Indexer", "search", "operator", false),
    ("heidi", "Heidi Ranker", "search", "viewer", false),
];

/// Email of a demo user.
pub fn email(user: &str) -> String {
    format!("{user}@acme.example")
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

struct Seeder<'a> {
    store: &'a Store,
}

impl Seeder<'_> {
    /// Create (status written through the status subresource when the kind has one).
    fn put(&self, group: &str, mut obj: Value) -> anyhow::Result<Value> {
        let kind = obj["kind"].as_str().unwrap_or_default().to_string();
        let rt = self
            .store
            .resolve_kind(group, &kind)
            .ok_or_else(|| anyhow::anyhow!("unknown kind {kind}"))?;
        let ns = obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let status = obj.as_object_mut().and_then(|o| o.remove("status"));
        if !rt.status_subresource || !rt.custom {
            if let Some(st) = &status {
                obj["status"] = st.clone();
            }
        }
        let created = self
            .store
            .create(&rt, &ns, obj, false)
            .map_err(|e| anyhow::anyhow!("seeding {kind}: {e}"))?;
        match status {
            Some(st) if rt.custom && rt.status_subresource => {
                let name = created["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                self.store
                    .modify(&rt, &ns, &name, Subresource::Status, false, |mut cur| {
                        cur["status"] = st;
                        Ok(cur)
                    })
                    .map_err(|e| anyhow::anyhow!("seeding {kind} status: {e}"))
            }
            _ => Ok(created),
        }
    }

    fn namespace(&self, name: &str, labels: Value) -> anyhow::Result<()> {
        self.put("", json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}))?;
        Ok(())
    }

    fn pod(
        &self,
        ns: &str,
        name: &str,
        image: &str,
        node: &str,
        labels: Value,
    ) -> anyhow::Result<()> {
        let now = now_rfc3339();
        let container = name.rsplitn(3, '-').last().unwrap_or(name);
        self.put("", json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"nodeName": node, "containers": [{"name": container, "image": image}]},
            "status": {"phase": "Running", "podIP": format!("10.244.0.{}", 10 + crate::controller::stable_hash(name) % 200), "hostIP": "10.0.0.11", "startTime": now,
                       "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now}],
                       "containerStatuses": [{"name": container, "image": image, "ready": true, "started": true, "restartCount": 0, "state": {"running": {"startedAt": now}}}]}
        }))?;
        Ok(())
    }
}

fn condition(t: &str, ok: bool, reason: &str, msg: &str) -> Value {
    json!({"type": t, "status": if ok { "True" } else { "False" }, "reason": reason, "message": msg, "lastTransitionTime": now_rfc3339()})
}

/// Fill `store` with the demo management cluster (the Butler CRDs must be installed).
pub fn seed_demo(store: &Store) -> anyhow::Result<()> {
    let s = Seeder { store };
    // Namespaces and the management cluster itself.
    for ns in [
        "default",
        "kube-system",
        "butler-system",
        "butler-tenants",
        "flux-system",
        "cert-manager",
        "monitoring",
    ] {
        s.namespace(ns, json!({}))?;
    }
    for t in ["platform", "payments", "search"] {
        s.namespace(t, json!({LABEL_TEAM: t}))?;
    }
    for i in 0..3 {
        let mut n = node_object(
            &json!({"metadata": {"name": "mgmt", "namespace": ""}, "spec": {"kubernetesVersion": "v1.32.2", "workers": {"machineTemplate": {"cpu": 8, "memory": "32Gi"}}}}),
            i,
            true,
            "harvester",
        );
        let name = format!("mgmt-cp-{i}");
        n["metadata"]["name"] = json!(name);
        n["metadata"]["labels"] = json!({"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "node-role.kubernetes.io/control-plane": "", "topology.kubernetes.io/zone": format!("dc1-zone-{}", i + 1)});
        n["spec"]["providerID"] = json!(format!("harvester://butler-mgmt/{name}"));
        n["status"]["addresses"] = json!([{"type": "InternalIP", "address": format!("10.0.0.{}", 11 + i)}, {"type": "Hostname", "address": name}]);
        s.put("", n)?;
    }
    for (ns, name, image, node) in [
        (
            "butler-system",
            "butler-controller-manager-7c9d8b6f4-x2kqp",
            "ghcr.io/butlerdotdev/butler-controller:v0.9.2",
            "mgmt-cp-0",
        ),
        (
            "butler-system",
            "butler-server-5f7b9c8d6-m4zrt",
            "ghcr.io/butlerdotdev/butler-server:v0.9.2",
            "mgmt-cp-1",
        ),
        (
            "butler-system",
            "butler-toolbox-6d5f8b7c9-q8wnl",
            "ghcr.io/butlerdotdev/toolbox:latest",
            "mgmt-cp-2",
        ),
        (
            "butler-system",
            "steward-controller-84b6c7d9f-9hcvx",
            "ghcr.io/butlerdotdev/steward:v0.4.1",
            "mgmt-cp-0",
        ),
        (
            "kube-system",
            "coredns-668d6bf9bc-5kt7n",
            "registry.k8s.io/coredns/coredns:v1.11.3",
            "mgmt-cp-0",
        ),
        (
            "kube-system",
            "coredns-668d6bf9bc-jw8zr",
            "registry.k8s.io/coredns/coredns:v1.11.3",
            "mgmt-cp-1",
        ),
        (
            "kube-system",
            "cilium-operator-6f7b5c4d8-vbn2k",
            "quay.io/cilium/operator-generic:v1.16.5",
            "mgmt-cp-2",
        ),
        (
            "flux-system",
            "source-controller-7d9c6b5f8-lp4xs",
            "ghcr.io/fluxcd/source-controller:v1.4.1",
            "mgmt-cp-1",
        ),
        (
            "cert-manager",
            "cert-manager-5c8d7f6b9-zq2mt",
            "quay.io/jetstack/cert-manager-controller:v1.16.2",
            "mgmt-cp-2",
        ),
        (
            "monitoring",
            "prometheus-kube-prometheus-stack-0",
            "quay.io/prometheus/prometheus:v3.0.1",
            "mgmt-cp-0",
        ),
    ] {
        let app = name.rsplitn(3, '-').last().unwrap_or(name);
        s.pod(
            ns,
            name,
            image,
            node,
            json!({"app.kubernetes.io/name": app}),
        )?;
    }
    s.put("", json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "butler-config", "namespace": "butler-system"},
        "data": {"tenantNamespace": "butler-tenants", "defaultKubernetesVersion": "v1.32.2", "workspaceImage": "ghcr.io/butlerdotdev/workspace-base:latest"}}))?;
    s.put("", json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "butler-server", "namespace": "butler-system"},
        "spec": {"type": "ClusterIP", "clusterIP": "10.96.12.40", "ports": [{"name": "http", "port": 8080, "targetPort": 8080, "protocol": "TCP"}], "selector": {"app.kubernetes.io/name": "butler-server"}}}))?;

    // Identity.
    for (user, display, _team, _role, admin) in PEOPLE {
        let mut spec = json!({"email": email(user), "displayName": display, "disabled": false, "authType": "sso", "ssoProvider": "acme-sso", "isPlatformAdmin": admin});
        if *admin {
            spec["platformRole"] = json!("admin");
        }
        if ["carol", "grace"].contains(user) {
            spec["sshKeys"] = json!([{"name": "laptop", "publicKey": format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{} {user}@laptop", &"Gq3bJ0pJwZ3c3tQ1nRkF0h3mYyq2n6oZ8i0QHk2d4mXz"[..(40 - user.len())]), "fingerprint": format!("SHA256:{}", b64(user).trim_end_matches('=')), "addedAt": "2026-01-12T09:30:00Z"}]);
        }
        s.put(G, json!({"apiVersion": AV, "kind": "User", "metadata": {"name": user}, "spec": spec, "status": {"phase": "Active"}}))?;
    }
    for (team, display, desc) in [
        (
            "platform",
            "Platform",
            "Runs the Butler platform and shared tooling.",
        ),
        (
            "payments",
            "Payments",
            "Card processing, ledgers and payouts.",
        ),
        ("search", "Search", "Catalog and product search."),
    ] {
        let users: Vec<Value> = PEOPLE
            .iter()
            .filter(|p| p.2 == team)
            .map(|p| json!({"name": email(p.0), "role": p.3}))
            .collect();
        // Groups named like the demo catalog's (demo/catalog/org.yaml), so a catalog group
        // member (e.g. the demo guest, in `payments-operators`) gets the same team role here.
        let groups = match team {
            "platform" => json!([{"name": "platform-admins", "role": "admin"}]),
            "payments" => json!([
                {"name": "payments-oncall", "role": "operator", "identityProvider": "acme-sso"},
                {"name": "payments-admins", "role": "admin"},
                {"name": "payments-operators", "role": "operator"}
            ]),
            _ => json!([{"name": "search-team", "role": "operator"}]),
        };
        let access = json!({"users": users, "groups": groups});
        s.put(G, json!({"apiVersion": AV, "kind": "Team", "metadata": {"name": team},
            "spec": {"displayName": display, "description": desc, "access": access, "resourceLimits": {"maxClusters": 5, "maxNodesPerCluster": 10}},
            "status": {"phase": "Ready", "namespace": team, "memberCount": users.len()}}))?;
    }
    s.put("", json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "acme-sso-oidc-secret", "namespace": "butler-system"}, "type": "Opaque", "data": {"client-secret": b64("demo-client-secret")}}))?;
    s.put(G, json!({"apiVersion": AV, "kind": "IdentityProvider", "metadata": {"name": "acme-sso"},
        "spec": {"type": "oidc", "displayName": "ACME SSO", "oidc": {"issuerURL": "https://login.acme.example/realms/acme", "clientID": "butler-portal",
                 "clientSecretRef": {"name": "acme-sso-oidc-secret", "namespace": "butler-system", "key": "client-secret"}, "scopes": ["openid", "email", "profile", "groups"],
                 "groupsClaim": "groups", "emailClaim": "email", "insecureSkipVerify": false},
                 "platformRoleGroups": [{"name": "platform-admins", "role": "admin"}]},
        "status": {"phase": "Pending", "message": "not validated (demo cluster)"}}))?;

    // Providers.
    for (name, provider, extra) in [
        (
            "harvester-dc1",
            "harvester",
            json!({"harvester": {"endpoint": "https://harvester.dc1.acme.example", "namespace": "butler-vms", "networkName": "vlan-120", "imageName": "rocky-9-cloud"}}),
        ),
        (
            "nutanix-dc2",
            "nutanix",
            json!({"nutanix": {"endpoint": "https://prism.dc2.acme.example", "port": 9440, "insecure": false, "clusterUUID": "0005f2c1-8a4e-4d1b-9c3e-6b7a8d9e0f12"}}),
        ),
        (
            "proxmox-lab",
            "proxmox",
            json!({"proxmox": {"endpoint": "https://pve.lab.acme.example:8006", "insecure": true, "nodes": ["pve1", "pve2", "pve3"], "storage": "ceph-vm"}}),
        ),
        (
            "aws-us-east-1",
            "aws",
            json!({"aws": {"region": "us-east-1", "vpcID": "vpc-0a1b2c3d4e5f67890"}}),
        ),
    ] {
        s.put("", json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": format!("{name}-credentials"), "namespace": "butler-system"}, "type": "Opaque", "data": {"credentials": b64("demo")}}))?;
        let mut spec = json!({"provider": provider, "credentialsRef": {"name": format!("{name}-credentials"), "namespace": "butler-system", "key": "credentials"}, "scope": {"type": "platform"}});
        crate::patch::merge(&mut spec, &extra);
        s.put(G, json!({"apiVersion": AV, "kind": "ProviderConfig", "metadata": {"name": name, "namespace": "butler-system"}, "spec": spec,
            "status": {"validated": true, "ready": true, "message": format!("{provider} credentials validated (emulated)")}}))?;
    }

    // Addon catalog.
    for (name, display, category, repo, chart, version, platform, ns) in [
        (
            "cilium",
            "Cilium",
            "cni",
            "https://helm.cilium.io",
            "cilium",
            "1.16.5",
            true,
            "kube-system",
        ),
        (
            "metallb",
            "MetalLB",
            "loadbalancer",
            "https://metallb.github.io/metallb",
            "metallb",
            "0.14.9",
            true,
            "metallb-system",
        ),
        (
            "longhorn",
            "Longhorn",
            "storage",
            "https://charts.longhorn.io",
            "longhorn",
            "1.7.2",
            true,
            "longhorn-system",
        ),
        (
            "cert-manager",
            "cert-manager",
            "certmanager",
            "https://charts.jetstack.io",
            "cert-manager",
            "v1.16.2",
            false,
            "cert-manager",
        ),
        (
            "ingress-nginx",
            "Ingress NGINX",
            "ingress",
            "https://kubernetes.github.io/ingress-nginx",
            "ingress-nginx",
            "4.11.3",
            false,
            "ingress-nginx",
        ),
        (
            "kube-prometheus-stack",
            "Prometheus & Grafana",
            "observability",
            "https://prometheus-community.github.io/helm-charts",
            "kube-prometheus-stack",
            "67.4.0",
            false,
            "monitoring",
        ),
        (
            "velero",
            "Velero",
            "backup",
            "https://vmware-tanzu.github.io/helm-charts",
            "velero",
            "8.1.0",
            false,
            "velero",
        ),
        (
            "fluxcd",
            "Flux",
            "gitops",
            "https://fluxcd-community.github.io/helm-charts",
            "flux2",
            "2.14.0",
            false,
            "flux-system",
        ),
        (
            "argocd",
            "Argo CD",
            "gitops",
            "https://argoproj.github.io/argo-helm",
            "argo-cd",
            "7.7.11",
            false,
            "argocd",
        ),
        (
            "external-dns",
            "ExternalDNS",
            "dns",
            "https://kubernetes-sigs.github.io/external-dns",
            "external-dns",
            "1.15.0",
            false,
            "external-dns",
        ),
        (
            "cloudnative-pg",
            "CloudNativePG",
            "database",
            "https://cloudnative-pg.github.io/charts",
            "cloudnative-pg",
            "0.23.0",
            false,
            "cnpg-system",
        ),
        (
            "istio",
            "Istio",
            "service-mesh",
            "https://istio-release.storage.googleapis.com/charts",
            "istiod",
            "1.24.2",
            false,
            "istio-system",
        ),
    ] {
        s.put(G, json!({"apiVersion": AV, "kind": "AddonDefinition", "metadata": {"name": name, "labels": {LABEL_SOURCE: "builtin"}},
            "spec": {"displayName": display, "description": format!("{display} for Butler tenant clusters."), "category": category, "icon": name,
                     "chart": {"repository": repo, "name": chart, "defaultVersion": version, "availableVersions": [version]},
                     "defaults": {"namespace": ns, "releaseName": name}, "platform": platform,
                     "tier": if platform { "infrastructure" } else { "apps" },
                     "links": {"documentation": format!("https://artifacthub.io/packages/helm/{chart}/{chart}")}}}))?;
    }
    for (name, version) in [
        ("cert-manager", "v1.16.2"),
        ("kube-prometheus-stack", "67.4.0"),
    ] {
        s.put(G, json!({"apiVersion": AV, "kind": "ManagementAddon", "metadata": {"name": name}, "spec": {"addon": name, "version": version, "paused": false},
            "status": {"phase": "Installed", "installedVersion": version, "message": format!("{version} installed"),
                       "helmRelease": {"name": name, "namespace": if name == "cert-manager" { "cert-manager" } else { "monitoring" }, "version": version, "revision": 1, "status": "deployed"}}}))?;
    }

    // Tenant clusters.
    struct Tc {
        ns: &'static str,
        name: &'static str,
        provider: &'static str,
        pc: &'static str,
        version: &'static str,
        workers: usize,
        os: &'static str,
        phase: &'static str,
        paused: bool,
        lb: &'static str,
        workspaces: bool,
    }
    let clusters = [
        Tc {
            ns: "payments",
            name: "payments-prod",
            provider: "harvester",
            pc: "harvester-dc1",
            version: "v1.32.2",
            workers: 3,
            os: "rocky",
            phase: "Ready",
            paused: false,
            lb: "10.40.12.100",
            workspaces: true,
        },
        Tc {
            ns: "search",
            name: "search-prod",
            provider: "proxmox",
            pc: "proxmox-lab",
            version: "v1.32.2",
            workers: 4,
            os: "talos",
            phase: "Ready",
            paused: false,
            lb: "10.40.14.100",
            workspaces: true,
        },
        Tc {
            ns: "payments",
            name: "payments-staging",
            provider: "nutanix",
            pc: "nutanix-dc2",
            version: "v1.33.1",
            workers: 2,
            os: "flatcar",
            phase: "Installing",
            paused: true,
            lb: "10.40.13.100",
            workspaces: false,
        },
        Tc {
            ns: "search",
            name: "search-dev",
            provider: "harvester",
            pc: "harvester-dc1",
            version: "v1.33.1",
            workers: 1,
            os: "rocky",
            phase: "Provisioning",
            paused: false,
            lb: "10.40.15.100",
            workspaces: true,
        },
        Tc {
            ns: "platform",
            name: "platform-tools",
            provider: "aws",
            pc: "aws-us-east-1",
            version: "v1.31.4",
            workers: 2,
            os: "bottlerocket",
            phase: "Failed",
            paused: true,
            lb: "10.40.16.100",
            workspaces: false,
        },
    ];
    for c in &clusters {
        let team = c.ns;
        let (prefix, _) = c.lb.rsplit_once('.').unwrap_or(("10.40.0", ""));
        let mut annotations = json!({});
        if c.paused {
            annotations[ANNOTATION_PAUSED] = json!("true");
        }
        let mut spec = json!({
            "kubernetesVersion": c.version, "teamRef": {"name": team}, "providerConfigRef": {"name": c.pc, "namespace": "butler-system"},
            "controlPlane": {"replicas": if c.phase == "Ready" { 3 } else { 1 }, "resources": {"cpu": "2", "memory": "4Gi"}},
            "workers": {"replicas": c.workers, "machineTemplate": {"cpu": 4, "memory": "8Gi", "diskSize": "50Gi", "os": {"type": c.os}}},
            "networking": {"podCIDR": "10.244.0.0/16", "serviceCIDR": "10.96.0.0/12", "loadBalancerPool": {"start": c.lb, "end": format!("{prefix}.120")}},
            "managementPolicy": {"mode": "Active"},
            "addons": {"cni": {"provider": "cilium", "version": "1.16.5"}, "loadBalancer": {"provider": "metallb", "version": "0.14.9"}, "storage": {"provider": "longhorn", "version": "1.7.2"}},
            "workspaces": {"enabled": c.workspaces, "defaultImage": "ghcr.io/butlerdotdev/workspace-base:latest"}
        });
        if c.name == "payments-prod" {
            spec["addons"]["gitops"] = json!({"provider": "fluxcd", "version": "2.4.0", "repository": {"url": "https://github.com/acme/payments-gitops", "branch": "main", "path": "clusters/payments-prod"}});
        }
        let ready = c.phase == "Ready";
        let tns = tenant_namespace(c.name);
        let node_names: Vec<String> = (0..c.workers)
            .map(|i| format!("{}-worker-{i}", c.name))
            .collect();
        let addons_status = if ready { "Healthy" } else { "Installing" };
        let mut status = json!({
            "phase": c.phase, "tenantNamespace": tns, "workerNodesDesired": c.workers,
            "workerNodesReady": if ready { c.workers } else { 0 },
        });
        match c.phase {
            "Ready" | "Installing" => {
                status["controlPlaneEndpoint"] = json!(format!("https://{}:6443", c.lb));
                status["observedState"] = json!({"kubernetesVersion": c.version, "workers": {"desired": c.workers, "ready": if ready { c.workers } else { 0 }, "nodes": node_names},
                    "addons": [{"name": "cilium", "version": "1.16.5", "status": addons_status, "managedBy": "platform"},
                               {"name": "metallb", "version": "0.14.9", "status": addons_status, "managedBy": "platform"},
                               {"name": "longhorn", "version": "1.7.2", "status": addons_status, "managedBy": "platform"}]});
                status["conditions"] = json!([
                    condition(
                        "InfrastructureReady",
                        true,
                        "Provisioned",
                        "machines are running"
                    ),
                    condition(
                        "ControlPlaneReady",
                        true,
                        "Available",
                        "hosted control plane is available"
                    ),
                    condition(
                        "Ready",
                        ready,
                        if ready {
                            "ClusterReady"
                        } else {
                            "InstallingAddons"
                        },
                        if ready {
                            "Cluster is ready"
                        } else {
                            "installing platform addons"
                        }
                    )
                ]);
            }
            "Failed" => {
                status["conditions"] = json!([
                    condition(
                        "InfrastructureReady",
                        false,
                        "ProviderQuotaExceeded",
                        "AWS vCPU quota exceeded in us-east-1 (requested 8, available 2)"
                    ),
                    condition(
                        "Ready",
                        false,
                        "ProvisioningFailed",
                        "infrastructure could not be provisioned"
                    )
                ]);
            }
            _ => {
                status["conditions"] = json!([
                    condition(
                        "InfrastructureReady",
                        false,
                        "Provisioning",
                        "creating worker machines"
                    ),
                    condition(
                        "Ready",
                        false,
                        "Provisioning",
                        "provisioning infrastructure"
                    )
                ]);
            }
        }
        let tc = s.put(G, json!({"apiVersion": AV, "kind": "TenantCluster",
            "metadata": {"name": c.name, "namespace": c.ns, "labels": {LABEL_TEAM: team, "butler.butlerlabs.dev/provider": c.provider, "env": c.name.rsplit('-').next().unwrap_or("dev")}, "annotations": annotations},
            "spec": spec, "status": status}))?;
        if matches!(c.phase, "Ready" | "Installing") {
            s.namespace(
                &tns,
                json!({plugin_butler_common::LABEL_NODE_CLUSTER: c.name}),
            )?;
            for i in 0..c.workers {
                s.put("", node_object(&tc, i, ready, c.provider))?;
            }
        }
    }

    // Tenant addons.
    for (ns, cluster, addon, version, phase) in [
        (
            "payments",
            "payments-prod",
            "cert-manager",
            "v1.16.2",
            "Installed",
        ),
        (
            "payments",
            "payments-prod",
            "ingress-nginx",
            "4.11.3",
            "Installed",
        ),
        (
            "payments",
            "payments-prod",
            "kube-prometheus-stack",
            "67.4.0",
            "Installing",
        ),
        (
            "payments",
            "payments-staging",
            "cert-manager",
            "v1.16.2",
            "Pending",
        ),
        (
            "search",
            "search-prod",
            "cloudnative-pg",
            "0.23.0",
            "Installed",
        ),
        (
            "search",
            "search-prod",
            "external-dns",
            "1.15.0",
            "Installed",
        ),
    ] {
        let mut st = json!({"phase": phase});
        if phase == "Installed" {
            st["installedVersion"] = json!(version);
            st["message"] = json!(format!("{version} installed"));
            st["helmRelease"] = json!({"name": addon, "namespace": addon, "version": version, "revision": 1, "status": "deployed"});
        }
        s.put(G, json!({"apiVersion": AV, "kind": "TenantAddon",
            "metadata": {"name": format!("{addon}-{cluster}"), "namespace": ns, "labels": {LABEL_CLUSTER: cluster, LABEL_ADDON_DEFINITION: addon}},
            "spec": {"clusterRef": {"name": cluster}, "addon": addon, "version": version}, "status": st}))?;
    }

    // Workspace templates and workspaces.
    for (ns, name, display, category, scope, image, repo) in [
        (
            "butler-system",
            "go-backend",
            "Go backend",
            "backend",
            "cluster",
            "golang:1.24",
            "https://github.com/acme/payments-api",
        ),
        (
            "butler-system",
            "node-frontend",
            "Node frontend",
            "frontend",
            "cluster",
            "node:22",
            "https://github.com/acme/storefront",
        ),
        (
            "search",
            "python-data",
            "Python data",
            "data",
            "team",
            "python:3.13",
            "https://github.com/acme/search-ranking",
        ),
    ] {
        s.put(G, json!({"apiVersion": AV, "kind": "WorkspaceTemplate", "metadata": {"name": name, "namespace": ns},
            "spec": {"displayName": display, "description": format!("{display} workspace"), "icon": category, "category": category, "scope": scope,
                     "template": {"image": image, "repository": {"url": repo, "branch": "main"}, "resources": {"cpu": "2", "memory": "4Gi"}, "storageSize": "10Gi"}}}))?;
    }
    let key_of =
        |user: &str| format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoKeyFor{user} {user}@laptop");
    for (ns, cluster, name, user, image, phase, connected) in [
        (
            "payments",
            "payments-prod",
            "carol-payments-api",
            "carol",
            "golang:1.24",
            "Running",
            true,
        ),
        (
            "payments",
            "payments-prod",
            "dave-ledger",
            "dave",
            "golang:1.24",
            "Stopped",
            false,
        ),
        (
            "search",
            "search-prod",
            "grace-indexer",
            "grace",
            "python:3.13",
            "Running",
            false,
        ),
        (
            "search",
            "search-prod",
            "heidi-ranker",
            "heidi",
            "python:3.13",
            "Creating",
            false,
        ),
    ] {
        let tns = tenant_namespace(cluster);
        let mut annotations = json!({});
        if connected {
            annotations[ANNOTATION_CONNECT] = json!("true");
            annotations[plugin_butler_common::ANNOTATION_CONNECT_TIME] = json!(now_rfc3339());
        }
        let mut st =
            json!({"phase": phase, "connected": connected, "pvcName": format!("ws-{name}")});
        let ip = format!(
            "{}.{}",
            if ns == "payments" {
                "10.40.12"
            } else {
                "10.40.14"
            },
            101 + crate::controller::stable_hash(name) % 20
        );
        match phase {
            "Running" => {
                st["podName"] = json!(format!("ws-{name}"));
                st["lastActivityTime"] = json!(now_rfc3339());
                st["conditions"] = json!([
                    "PVCReady",
                    "PodReady",
                    "RepositoryCloned",
                    "SSHReady",
                    "Ready"
                ]
                .iter()
                .map(|t| condition(t, true, "Ready", ""))
                .collect::<Vec<_>>());
                if connected {
                    st["serviceName"] = json!(format!("ws-{name}-ssh"));
                    st["sshEndpoint"] = json!(format!("{ip}:2222"));
                } else {
                    st["lastDisconnectTime"] = json!(now_rfc3339());
                }
            }
            "Stopped" => {
                st["lastDisconnectTime"] = json!("2026-01-20T18:00:00Z");
                st["message"] = json!("stopped after being idle");
                st["conditions"] = json!([condition("Ready", false, "Stopped", "auto-stopped")]);
            }
            _ => {}
        }
        s.put(G, json!({"apiVersion": AV, "kind": "Workspace",
            "metadata": {"name": name, "namespace": ns, "annotations": annotations, "finalizers": [plugin_butler_common::FINALIZER_WORKSPACE],
                         "labels": {LABEL_TENANT: cluster, LABEL_WORKSPACE_OWNER: plugin_butler_common::owner_label_value(&email(user))}},
            "spec": {"clusterRef": {"name": cluster}, "owner": email(user), "image": image,
                     "repository": {"url": format!("https://github.com/acme/{}", name.split_once('-').map(|x| x.1).unwrap_or(name)), "branch": "main"},
                     "resources": {"cpu": "2", "memory": "4Gi"}, "sshPublicKeys": [key_of(user)], "storageSize": "10Gi"},
            "status": st}))?;
        let _ = tns;
    }
    Ok(())
}
