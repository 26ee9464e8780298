//! Workspace reconciliation (the Chambers lifecycle).

use super::cluster::tenant_namespace;
use super::{
    deleting, has_finalizer, key, name_of, ns_of, parse_duration, paused, stable_hash, Controller,
    GROUP,
};
use crate::store::now_rfc3339;
use plugin_butler_common::{ANNOTATION_CONNECT, ANNOTATION_CONNECT_TIME, FINALIZER_WORKSPACE};
use serde_json::{json, Value};
use std::time::Duration;

fn since(ts: &Value) -> Option<Duration> {
    let t = chrono::DateTime::parse_from_rfc3339(ts.as_str()?).ok()?;
    (chrono::Utc::now() - t.with_timezone(&chrono::Utc))
        .to_std()
        .ok()
}

impl Controller {
    pub(crate) fn reconcile_workspaces(&self) {
        let Some(rt) = self.rt(GROUP, "Workspace") else {
            return;
        };
        let clusters = self.store.all_of(GROUP, "tenantclusters");
        for ws in self.store.all_of(GROUP, &rt.plural) {
            if paused(&ws) {
                continue;
            }
            let k = key("ws", &ws);
            let name = name_of(&ws);
            let phase = ws["status"]["phase"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let cluster_name = ws["spec"]["clusterRef"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let tns = tenant_namespace(&cluster_name);
            if deleting(&ws) {
                if has_finalizer(&ws, FINALIZER_WORKSPACE) {
                    self.stop_pod(&tns, &name);
                    self.remove_finalizer(&rt, &ws, FINALIZER_WORKSPACE);
                    self.forget(&k);
                }
                continue;
            }
            self.add_finalizer(&rt, &ws, FINALIZER_WORKSPACE);
            let cluster = clusters
                .iter()
                .find(|c| ns_of(c) == ns_of(&ws) && name_of(c) == cluster_name);
            let connect =
                ws["metadata"]["annotations"][ANNOTATION_CONNECT].as_str() == Some("true");
            let now = now_rfc3339();
            let generation = ws["metadata"]["generation"].as_i64().unwrap_or(1);
            match phase.as_str() {
                "" => {
                    let _ = self.patch_status(&rt, &ws, json!({"phase": "Pending", "connected": false, "message": "waiting for the cluster"}));
                    self.set_generation(&k, generation);
                    self.mark(&k);
                }
                "Pending" | "Failed" => {
                    let failure = match cluster {
                        None => Some((
                            "ClusterNotFound",
                            format!("TenantCluster {cluster_name} not found"),
                        )),
                        Some(c) if c["spec"]["workspaces"]["enabled"].as_bool() != Some(true) => {
                            Some((
                                "WorkspacesDisabled",
                                format!("workspaces are not enabled on {cluster_name}"),
                            ))
                        }
                        Some(_)
                            if ws["spec"]["sshPublicKeys"]
                                .as_array()
                                .is_none_or(|a| a.is_empty()) =>
                        {
                            Some((
                                "SSHKeysRequired",
                                "at least one SSH public key is required".to_string(),
                            ))
                        }
                        Some(c) => {
                            let max = c["spec"]["workspaces"]["maxWorkspaces"]
                                .as_i64()
                                .unwrap_or(20) as usize;
                            let count = self
                                .store
                                .all_of(GROUP, &rt.plural)
                                .iter()
                                .filter(|w| {
                                    ns_of(w) == ns_of(&ws)
                                        && w["spec"]["clusterRef"]["name"]
                                            == ws["spec"]["clusterRef"]["name"]
                                        && w["status"]["phase"] != "Failed"
                                        && name_of(w) != name
                                })
                                .count();
                            (count >= max).then(|| {
                                (
                                    "QuotaExceeded",
                                    format!("the cluster allows {max} workspaces"),
                                )
                            })
                        }
                    };
                    match failure {
                        Some((reason, msg)) => {
                            let _ = self.patch_status(&rt, &ws, json!({"phase": "Failed", "message": msg,
                                "conditions": [{"type": "Ready", "status": "False", "reason": reason, "message": msg, "lastTransitionTime": now}]}));
                        }
                        None if cluster.is_some_and(|c| c["status"]["phase"] == "Ready")
                            && (phase == "Failed" || self.due(&k)) =>
                        {
                            let _ = self.patch_status(&rt, &ws, json!({"phase": "Creating", "message": "creating volume and pod", "pvcName": format!("ws-{name}"),
                                "conditions": [{"type": "PVCReady", "status": "True", "reason": "Bound", "message": "volume bound", "lastTransitionTime": now},
                                               {"type": "Ready", "status": "False", "reason": "Creating", "message": "starting the workspace pod", "lastTransitionTime": now}]}));
                            self.event(
                                &ws,
                                "Normal",
                                "Creating",
                                "Creating workspace volume and pod",
                            );
                            self.mark(&k);
                        }
                        None if phase == "Failed" => {
                            let _ = self.patch_status(
                                &rt,
                                &ws,
                                json!({"phase": "Pending", "message": "waiting for the cluster"}),
                            );
                        }
                        None => {}
                    }
                }
                "Creating" | "Starting" if self.due(&k) => {
                    let endpoint = self.start_pod(&ws, cluster, &tns);
                    let conditions: Vec<Value> = ["PVCReady", "PodReady", "RepositoryCloned", "DotfilesInstalled", "SSHReady", "Ready"]
                        .iter()
                        .map(|t| json!({"type": t, "status": "True", "reason": "Ready", "message": "", "lastTransitionTime": now}))
                        .collect();
                    let mut st = json!({"phase": "Running", "podName": format!("ws-{name}"), "pvcName": format!("ws-{name}"), "message": "workspace is running",
                        "lastActivityTime": now, "conditions": conditions});
                    if connect {
                        st["connected"] = json!(true);
                        st["serviceName"] = json!(format!("ws-{name}-ssh"));
                        st["sshEndpoint"] = json!(endpoint);
                    }
                    let _ = self.patch_status(&rt, &ws, st);
                    self.set_generation(&k, generation);
                    self.event(&ws, "Normal", "Running", "Workspace is running");
                    self.mark(&k);
                }
                "Running" => {
                    self.ensure_pod(&ws, &tns);
                    if self.seen_generation(&k, generation) != generation {
                        let _ = self.patch_status(
                            &rt,
                            &ws,
                            json!({"phase": "Starting", "message": "restarting with the new spec"}),
                        );
                        self.set_generation(&k, generation);
                        self.mark(&k);
                        continue;
                    }
                    let connected = ws["status"]["connected"].as_bool() == Some(true);
                    if connect && !connected {
                        let endpoint = self.start_pod(&ws, cluster, &tns);
                        let _ = self.patch_status(&rt, &ws, json!({"connected": true, "serviceName": format!("ws-{name}-ssh"), "sshEndpoint": endpoint, "lastActivityTime": now}));
                        if ws["metadata"]["annotations"][ANNOTATION_CONNECT_TIME].is_null() {
                            let _ = self.patch_main(&rt, &ws, json!({"metadata": {"annotations": {ANNOTATION_CONNECT_TIME: now}}}));
                        }
                    } else if !connect && connected {
                        self.delete("", "Service", &tns, &format!("ws-{name}-ssh"));
                        let _ = self.patch_status(&rt, &ws, json!({"connected": false, "serviceName": null, "sshEndpoint": null, "lastDisconnectTime": now}));
                    } else if connected {
                        // Idle timeout drops the connection.
                        let idle =
                            parse_duration(ws["spec"]["idleTimeout"].as_str().unwrap_or("4h"))
                                .unwrap_or(Duration::from_secs(4 * 3600));
                        if since(&ws["metadata"]["annotations"][ANNOTATION_CONNECT_TIME])
                            .is_some_and(|d| d >= self.scaled(idle))
                        {
                            let _ = self.patch_main(&rt, &ws, json!({"metadata": {"annotations": {ANNOTATION_CONNECT: null, ANNOTATION_CONNECT_TIME: null}}}));
                        }
                    } else {
                        let auto_stop =
                            parse_duration(ws["spec"]["autoStopAfter"].as_str().unwrap_or("8h"))
                                .unwrap_or(Duration::from_secs(8 * 3600));
                        let idle_since = if ws["status"]["lastDisconnectTime"].is_string() {
                            &ws["status"]["lastDisconnectTime"]
                        } else {
                            &ws["metadata"]["creationTimestamp"]
                        };
                        if since(idle_since).is_some_and(|d| d >= self.scaled(auto_stop)) {
                            self.stop_pod(&tns, &name);
                            let _ = self.patch_status(&rt, &ws, json!({"phase": "Stopped", "podName": null, "serviceName": null, "sshEndpoint": null, "connected": false,
                                "message": "stopped after being idle", "conditions": [{"type": "Ready", "status": "False", "reason": "Stopped", "message": "auto-stopped", "lastTransitionTime": now}]}));
                            self.event(
                                &ws,
                                "Normal",
                                "Stopped",
                                "Workspace auto-stopped after being disconnected",
                            );
                        }
                    }
                }
                "Stopped" if connect => {
                    let _ = self.patch_status(
                        &rt,
                        &ws,
                        json!({"phase": "Starting", "message": "starting"}),
                    );
                    self.mark(&k);
                }
                _ => {}
            }
        }
    }

    /// Pod (and, for connections, LoadBalancer Service) of a workspace; returns `host:2222`.
    fn start_pod(&self, ws: &Value, cluster: Option<&Value>, tns: &str) -> String {
        let name = name_of(ws);
        let cluster_name = ws["spec"]["clusterRef"]["name"]
            .as_str()
            .unwrap_or_default();
        self.ensure_pod(ws, tns);
        let base = cluster
            .and_then(|c| c["spec"]["networking"]["loadBalancerPool"]["start"].as_str())
            .and_then(|s| {
                s.rsplit_once('.')
                    .map(|(p, last)| (p.to_string(), last.parse::<u64>().unwrap_or(100)))
            });
        let ip = match base {
            Some((prefix, start)) => format!("{prefix}.{}", start + 1 + stable_hash(&name) % 20),
            None => format!(
                "10.40.{}.{}",
                stable_hash(cluster_name) % 250,
                100 + stable_hash(&name) % 100
            ),
        };
        let svc = json!({
            "metadata": {"name": format!("ws-{name}-ssh"), "namespace": tns, "labels": {"butler.butlerlabs.dev/workspace": name}},
            "spec": {"type": "LoadBalancer", "clusterIP": format!("10.96.{}.{}", stable_hash(&name) % 250, 10 + stable_hash(tns) % 240),
                     "ports": [{"name": "ssh", "port": 2222, "targetPort": 2222, "protocol": "TCP", "nodePort": 30000 + stable_hash(&name) % 2000}],
                     "selector": {"butler.butlerlabs.dev/workspace": name}},
            "status": {"loadBalancer": {"ingress": [{"ip": ip}]}}
        });
        self.upsert("", "Service", tns, svc);
        format!("{ip}:2222")
    }

    fn ensure_pod(&self, ws: &Value, tns: &str) {
        let name = name_of(ws);
        let cluster_name = ws["spec"]["clusterRef"]["name"]
            .as_str()
            .unwrap_or_default();
        self.ensure("", "Namespace", "", json!({"metadata": {"name": tns}}));
        let image = ws["spec"]["image"].as_str().unwrap_or("ubuntu:24.04");
        self.ensure("", "Pod", tns, json!({
            "metadata": {"name": format!("ws-{name}"), "namespace": tns, "labels": {"app.kubernetes.io/name": "workspace", "butler.butlerlabs.dev/workspace": name, "butler.butlerlabs.dev/tenant": cluster_name}},
            "spec": {"containers": [{"name": "workspace", "image": image, "ports": [{"containerPort": 2222, "name": "ssh"}]}]}
        }));
    }

    fn stop_pod(&self, tns: &str, name: &str) {
        self.delete("", "Pod", tns, &format!("ws-{name}"));
        self.delete("", "Service", tns, &format!("ws-{name}-ssh"));
    }
}
