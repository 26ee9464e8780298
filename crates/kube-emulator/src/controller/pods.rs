//! A tiny kubelet: Pending pods become Running with ready containers on a node.

use super::{name_of, paused, Controller};
use crate::store::now_rfc3339;
use plugin_butler_common::LABEL_NODE_CLUSTER;
use serde_json::{json, Value};

impl Controller {
    pub(crate) fn reconcile_pods(&self) {
        let Some(rt) = self.rt("", "Pod") else { return };
        let pods: Vec<Value> = self
            .store
            .all_of("", "pods")
            .into_iter()
            .filter(|p| p["status"]["phase"] == "Pending" && !paused(p))
            .collect();
        if pods.is_empty() {
            return;
        }
        let node = self
            .store
            .all_of("", "nodes")
            .into_iter()
            .find(|n| n["metadata"]["labels"][LABEL_NODE_CLUSTER].is_null())
            .map(|n| name_of(&n))
            .unwrap_or_else(|| "emulator-node".into());
        for p in pods {
            let k = super::key("pod", &p);
            if !self.due(&k) {
                continue;
            }
            let now = now_rfc3339();
            let statuses: Vec<Value> = p["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| json!({"name": c["name"], "image": c["image"], "imageID": "", "ready": true, "started": true, "restartCount": 0,
                                 "state": {"running": {"startedAt": now}}, "containerID": format!("containerd://{:064x}", super::rand_u64())}))
                .collect();
            let ip = format!(
                "10.244.{}.{}",
                super::stable_hash(&name_of(&p)) % 250,
                2 + super::rand_u64() % 250
            );
            let node_name = p["spec"]["nodeName"]
                .as_str()
                .map(String::from)
                .unwrap_or_else(|| node.clone());
            if p["spec"]["nodeName"].is_null() {
                let _ = self.patch_main(&rt, &p, json!({"spec": {"nodeName": node_name}}));
            }
            let _ = self.patch_status(&rt, &p, json!({
                "phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}], "hostIP": "10.0.0.10", "startTime": now, "qosClass": "BestEffort",
                "conditions": [
                    {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
                    {"type": "Initialized", "status": "True", "lastTransitionTime": now},
                    {"type": "ContainersReady", "status": "True", "lastTransitionTime": now},
                    {"type": "Ready", "status": "True", "lastTransitionTime": now}
                ],
                "containerStatuses": statuses
            }));
            self.forget(&k);
        }
    }
}
