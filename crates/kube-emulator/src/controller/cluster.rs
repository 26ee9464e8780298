//! TenantCluster reconciliation: phases, worker Nodes, tenant namespace, kubeconfig Secret,
//! `observedState`.

use super::{deleting, has_finalizer, key, name_of, ns_of, paused, stable_hash, Controller, GROUP};
use crate::store::now_rfc3339;
use base64::Engine;
use plugin_butler_common::LABEL_NODE_CLUSTER;
use serde_json::{json, Value};

const FINALIZER: &str = "butler.butlerlabs.dev/tenantcluster";
/// Label on Nodes naming the namespace of their TenantCluster.
pub const LABEL_NODE_CLUSTER_NAMESPACE: &str = "butler.butlerlabs.dev/tenant-namespace";

fn os_image(os: &str) -> (&'static str, &'static str) {
    match os {
        "flatcar" => (
            "Flatcar Container Linux by Kinvolk 4081.2.1 (Oklo)",
            "6.6.60-flatcar",
        ),
        "talos" => ("Talos (v1.9.1)", "6.12.6-talos"),
        "kairos" => ("Ubuntu 24.04.1 LTS (Kairos)", "6.8.0-51-generic"),
        "bottlerocket" => ("Bottlerocket OS 1.29.0 (aws-k8s-1.32)", "6.1.119"),
        _ => (
            "Rocky Linux 9.5 (Blue Onyx)",
            "5.14.0-503.14.1.el9_5.x86_64",
        ),
    }
}

/// The tenant namespace of a cluster.
pub fn tenant_namespace(cluster: &str) -> String {
    format!("tc-{cluster}")
}

fn node_ip(cluster: &str, i: usize) -> String {
    let h = stable_hash(cluster);
    format!("10.{}.{}.{}", 20 + h % 200, (h >> 8) % 250, 10 + i)
}

/// The control-plane endpoint shown for a cluster.
pub fn endpoint(tc: &Value) -> String {
    let ip = tc["spec"]["networking"]["loadBalancerPool"]["start"]
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| {
            let h = stable_hash(&name_of(tc));
            format!("10.{}.{}.2", 20 + h % 200, (h >> 8) % 250)
        });
    format!("https://{ip}:6443")
}

impl Controller {
    pub(crate) fn reconcile_clusters(&self) {
        let Some(rt) = self.rt(GROUP, "TenantCluster") else {
            return;
        };
        let addons = self.store.all_of(GROUP, "tenantaddons");
        for tc in self.store.all_of(GROUP, &rt.plural) {
            if paused(&tc) {
                continue;
            }
            let k = key("tc", &tc);
            let name = name_of(&tc);
            let phase = tc["status"]["phase"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if deleting(&tc) {
                if !has_finalizer(&tc, FINALIZER) {
                    continue;
                }
                if phase != "Deleting" {
                    let _ = self.patch_status(&rt, &tc, json!({"phase": "Deleting"}));
                    self.event(&tc, "Normal", "Deleting", "Tearing down the cluster");
                    self.mark(&k);
                } else if self.due(&k) {
                    self.sync_nodes(&tc, 0, false);
                    self.delete("", "Namespace", "", &tenant_namespace(&name));
                    self.remove_finalizer(&rt, &tc, FINALIZER);
                    self.forget(&k);
                }
                continue;
            }
            self.add_finalizer(&rt, &tc, FINALIZER);
            let replicas = tc["spec"]["workers"]["replicas"]
                .as_i64()
                .unwrap_or(1)
                .max(0) as usize;
            let version = tc["spec"]["kubernetesVersion"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let tns = tenant_namespace(&name);
            let now = now_rfc3339();
            match phase.as_str() {
                "" => {
                    let _ = self.patch_status(&rt, &tc, json!({
                        "phase": "Pending", "tenantNamespace": tns, "workerNodesDesired": replicas, "workerNodesReady": 0,
                        "conditions": [{"type": "Ready", "status": "False", "reason": "Pending", "message": "waiting for the controller", "lastTransitionTime": now}]
                    }));
                    self.event(&tc, "Normal", "Accepted", "TenantCluster accepted");
                    self.mark(&k);
                }
                "Pending" if self.due(&k) => {
                    self.ensure(
                        "",
                        "Namespace",
                        "",
                        json!({"metadata": {"name": tns, "labels": {LABEL_NODE_CLUSTER: name}}}),
                    );
                    let _ = self.patch_status(&rt, &tc, json!({
                        "phase": "Provisioning",
                        "conditions": [
                            {"type": "InfrastructureReady", "status": "False", "reason": "Provisioning", "message": format!("creating {replicas} worker machines"), "lastTransitionTime": now},
                            {"type": "Ready", "status": "False", "reason": "Provisioning", "message": "provisioning infrastructure", "lastTransitionTime": now}
                        ]
                    }));
                    self.event(
                        &tc,
                        "Normal",
                        "Provisioning",
                        &format!("Creating control plane and {replicas} worker machines"),
                    );
                    self.mark(&k);
                }
                "Provisioning" if self.due(&k) => {
                    let nodes = self.sync_nodes(&tc, replicas, false);
                    let _ = self.patch_status(&rt, &tc, json!({
                        "phase": "Installing",
                        "controlPlaneEndpoint": endpoint(&tc),
                        "observedState": {"kubernetesVersion": version, "workers": {"desired": replicas, "ready": 0, "nodes": nodes},
                                          "addons": self.observed_addons(&tc, &addons, "Installing")},
                        "conditions": [
                            {"type": "InfrastructureReady", "status": "True", "reason": "Provisioned", "message": "machines are running", "lastTransitionTime": now},
                            {"type": "ControlPlaneReady", "status": "True", "reason": "Available", "message": "hosted control plane is available", "lastTransitionTime": now},
                            {"type": "Ready", "status": "False", "reason": "InstallingAddons", "message": "installing platform addons", "lastTransitionTime": now}
                        ]
                    }));
                    self.event(&tc, "Normal", "Installing", "Installing platform addons");
                    self.mark(&k);
                }
                "Installing" if self.due(&k) => {
                    self.go_ready(
                        &tc,
                        replicas,
                        &version,
                        &addons,
                        "Ready",
                        "Cluster is ready",
                    );
                    self.mark(&k);
                }
                "Ready" => {
                    let observed_workers = tc["status"]["observedState"]["workers"]["desired"]
                        .as_i64()
                        .unwrap_or(-1);
                    let observed_version = tc["status"]["observedState"]["kubernetesVersion"]
                        .as_str()
                        .unwrap_or_default();
                    if observed_workers != replicas as i64 || observed_version != version {
                        let _ = self.patch_status(
                            &rt,
                            &tc,
                            json!({"phase": "Updating", "workerNodesDesired": replicas}),
                        );
                        self.event(
                            &tc,
                            "Normal",
                            "Updating",
                            &format!("Updating to {replicas} workers, Kubernetes {version}"),
                        );
                        self.mark(&k);
                    } else {
                        // Keep observed addons and node count in step with TenantAddons.
                        let nodes = self.sync_nodes(&tc, replicas, true);
                        let _ = self.patch_status(&rt, &tc, json!({
                            "observedState": {"workers": {"nodes": nodes}, "addons": self.observed_addons(&tc, &addons, "Healthy")}
                        }));
                        self.ensure_kubeconfig(&tc);
                    }
                }
                "Updating" if self.due(&k) => {
                    self.go_ready(
                        &tc,
                        replicas,
                        &version,
                        &addons,
                        "Updated",
                        "Cluster update complete",
                    );
                    self.mark(&k);
                }
                _ => {}
            }
        }
    }

    fn go_ready(
        &self,
        tc: &Value,
        replicas: usize,
        version: &str,
        addons: &[Value],
        reason: &str,
        msg: &str,
    ) {
        let Some(rt) = self.rt(GROUP, "TenantCluster") else {
            return;
        };
        let now = now_rfc3339();
        let nodes = self.sync_nodes(tc, replicas, true);
        self.ensure_kubeconfig(tc);
        let name = name_of(tc);
        let _ = self.patch_status(&rt, tc, json!({
            "phase": "Ready",
            "controlPlaneEndpoint": endpoint(tc),
            "kubeconfigSecretRef": {"name": format!("{name}-admin-kubeconfig"), "namespace": tenant_namespace(&name)},
            "workerNodesReady": replicas, "workerNodesDesired": replicas,
            "observedGeneration": tc["metadata"]["generation"],
            "observedState": {"kubernetesVersion": version, "workers": {"desired": replicas, "ready": replicas, "nodes": nodes},
                              "addons": self.observed_addons(tc, addons, "Healthy")},
            "conditions": [
                {"type": "InfrastructureReady", "status": "True", "reason": "Provisioned", "message": "machines are running", "lastTransitionTime": now},
                {"type": "ControlPlaneReady", "status": "True", "reason": "Available", "message": "hosted control plane is available", "lastTransitionTime": now},
                {"type": "AddonsReady", "status": "True", "reason": "Healthy", "message": "platform addons are healthy", "lastTransitionTime": now},
                {"type": "Ready", "status": "True", "reason": reason, "message": msg, "lastTransitionTime": now}
            ]
        }));
        self.event(tc, "Normal", reason, msg);
    }

    /// Platform addons from `spec.addons` plus TenantAddons of this cluster.
    fn observed_addons(&self, tc: &Value, addons: &[Value], platform_status: &str) -> Value {
        let name = name_of(tc);
        let ns = ns_of(tc);
        let mut out = Vec::new();
        if let Some(spec) = tc["spec"]["addons"].as_object() {
            for (slot, choice) in spec {
                if slot == "gitops" {
                    if let Some(p) = choice["provider"].as_str() {
                        out.push(json!({"name": p, "version": choice["version"], "status": platform_status, "managedBy": "platform"}));
                    }
                    continue;
                }
                if let Some(p) = choice["provider"].as_str() {
                    out.push(json!({"name": p, "version": choice["version"], "status": platform_status, "managedBy": "platform"}));
                }
            }
        }
        for a in addons.iter().filter(|a| {
            ns_of(a) == ns && a["spec"]["clusterRef"]["name"].as_str() == Some(name.as_str())
        }) {
            let status = match a["status"]["phase"].as_str() {
                Some("Installed") => "Healthy",
                Some("Installing") | Some("Upgrading") => "Installing",
                Some("Degraded") => "Degraded",
                Some("Failed") => "Failed",
                _ => "Pending",
            };
            let addon_name = a["spec"]["addon"]
                .as_str()
                .or(a["spec"]["helm"]["chart"].as_str())
                .unwrap_or_default();
            let version = a["status"]["installedVersion"]
                .as_str()
                .or(a["spec"]["version"].as_str());
            out.push(json!({"name": addon_name, "version": version, "status": status, "managedBy": "butler"}));
        }
        // drop null versions so the status stays schema-clean
        for o in out.iter_mut() {
            if o["version"].is_null() {
                o.as_object_mut().map(|m| m.remove("version"));
            }
        }
        Value::Array(out)
    }

    /// Make the cluster's worker Nodes match `replicas` (and readiness); returns their names.
    pub(crate) fn sync_nodes(&self, tc: &Value, replicas: usize, ready: bool) -> Vec<String> {
        let Some(rt) = self.rt("", "Node") else {
            return vec![];
        };
        let name = name_of(tc);
        let ns = ns_of(tc);
        let existing: Vec<Value> = self
            .store
            .all_of("", "nodes")
            .into_iter()
            .filter(|n| {
                n["metadata"]["labels"][LABEL_NODE_CLUSTER].as_str() == Some(name.as_str())
                    && n["metadata"]["labels"][LABEL_NODE_CLUSTER_NAMESPACE].as_str()
                        == Some(ns.as_str())
            })
            .collect();
        let provider = self.provider_of(tc);
        let mut names = Vec::new();
        for i in 0..replicas {
            let node = format!("{name}-worker-{i}");
            names.push(node.clone());
            let status = if ready { "True" } else { "False" };
            let version = tc["spec"]["kubernetesVersion"]
                .as_str()
                .unwrap_or("v1.32.2");
            let existing_node = existing.iter().find(|n| name_of(n) == node);
            let same = existing_node.is_some_and(|n| {
                n["status"]["nodeInfo"]["kubeletVersion"].as_str() == Some(version)
                    && n["status"]["conditions"]
                        .as_array()
                        .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
                        .map(|c| c["status"].as_str() == Some(status))
                        .unwrap_or(false)
            });
            if same {
                continue;
            }
            let obj = node_object(tc, i, ready, &provider);
            self.upsert("", "Node", "", obj);
        }
        for n in existing.iter().filter(|n| !names.contains(&name_of(n))) {
            let _ = self.store.delete(&rt, "", &name_of(n), None, false);
        }
        names
    }

    pub(crate) fn provider_of(&self, tc: &Value) -> String {
        let Some(pc_ref) = tc["spec"]["providerConfigRef"]["name"].as_str() else {
            return "harvester".into();
        };
        let ns = tc["spec"]["providerConfigRef"]["namespace"]
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| ns_of(tc));
        self.store
            .all_of(GROUP, "providerconfigs")
            .into_iter()
            .find(|p| name_of(p) == pc_ref && ns_of(p) == ns)
            .and_then(|p| p["spec"]["provider"].as_str().map(String::from))
            .unwrap_or_else(|| "harvester".into())
    }

    /// The admin kubeconfig Secret (`<name>-admin-kubeconfig`, key `admin.conf`) in the tenant
    /// namespace. It points at the emulator itself, so demo "tenant" access works.
    fn ensure_kubeconfig(&self, tc: &Value) {
        let name = name_of(tc);
        let tns = tenant_namespace(&name);
        self.ensure(
            "",
            "Namespace",
            "",
            json!({"metadata": {"name": tns, "labels": {LABEL_NODE_CLUSTER: name}}}),
        );
        let kc = crate::kubeconfig_yaml(&self.url).replace("emulator", &name);
        let b64 = base64::engine::general_purpose::STANDARD.encode(kc);
        self.ensure("", "Secret", &tns, json!({
            "metadata": {"name": format!("{name}-admin-kubeconfig"), "namespace": tns, "labels": {LABEL_NODE_CLUSTER: name}},
            "type": "Opaque",
            "data": {"admin.conf": b64.clone(), "value": b64}
        }));
    }
}

/// Worker Node `i` of a TenantCluster.
pub fn node_object(tc: &Value, i: usize, ready: bool, provider: &str) -> Value {
    let name = name_of(tc);
    let ns = ns_of(tc);
    let node = format!("{name}-worker-{i}");
    let version = tc["spec"]["kubernetesVersion"]
        .as_str()
        .unwrap_or("v1.32.2");
    let os = tc["spec"]["workers"]["machineTemplate"]["os"]["type"]
        .as_str()
        .unwrap_or("rocky");
    let (image, kernel) = os_image(os);
    let cpu = tc["spec"]["workers"]["machineTemplate"]["cpu"]
        .as_i64()
        .unwrap_or(4)
        .to_string();
    let mem = match &tc["spec"]["workers"]["machineTemplate"]["memory"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => format!("{n}Gi"),
        _ => "8Gi".into(),
    };
    let now = now_rfc3339();
    let status = if ready { "True" } else { "False" };
    let reason = if ready {
        "KubeletReady"
    } else {
        "KubeletNotReady"
    };
    let message = if ready {
        "kubelet is posting ready status"
    } else {
        "container runtime network not ready: cni plugin not initialized"
    };
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": node, "labels": {
            "kubernetes.io/hostname": node, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "node-role.kubernetes.io/worker": "", LABEL_NODE_CLUSTER: name, LABEL_NODE_CLUSTER_NAMESPACE: ns,
            "node.kubernetes.io/instance-type": format!("{cpu}cpu-{mem}"), "topology.kubernetes.io/zone": format!("{provider}-zone-{}", i % 3 + 1)
        }},
        "spec": {"providerID": format!("{provider}://{ns}/{node}"), "podCIDR": format!("10.244.{i}.0/24")},
        "status": {
            "capacity": {"cpu": cpu, "memory": mem, "pods": "110", "ephemeral-storage": "50Gi"},
            "allocatable": {"cpu": cpu, "memory": mem, "pods": "110", "ephemeral-storage": "45Gi"},
            "conditions": [
                {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available", "lastHeartbeatTime": now, "lastTransitionTime": now},
                {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure", "lastHeartbeatTime": now, "lastTransitionTime": now},
                {"type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID", "message": "kubelet has sufficient PID available", "lastHeartbeatTime": now, "lastTransitionTime": now},
                {"type": "Ready", "status": status, "reason": reason, "message": message, "lastHeartbeatTime": now, "lastTransitionTime": now}
            ],
            "addresses": [{"type": "InternalIP", "address": node_ip(&format!("{ns}/{name}"), i)}, {"type": "Hostname", "address": node}],
            "nodeInfo": {"kubeletVersion": version, "kubeProxyVersion": version, "osImage": image, "kernelVersion": kernel,
                         "containerRuntimeVersion": "containerd://1.7.24", "architecture": "amd64", "operatingSystem": "linux",
                         "machineID": format!("{:016x}{:016x}", stable_hash(&node), stable_hash(&ns)), "systemUUID": uuid::Uuid::new_v4().to_string(), "bootID": uuid::Uuid::new_v4().to_string()}
        }
    })
}
