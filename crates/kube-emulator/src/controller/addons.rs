//! TenantAddon and ManagementAddon reconciliation (install / upgrade / uninstall).

use super::{deleting, has_finalizer, key, name_of, ns_of, paused, Controller, GROUP};
use serde_json::{json, Value};

const TENANT_FINALIZER: &str = "butler.butlerlabs.dev/tenantaddon";
const MANAGEMENT_FINALIZER: &str = "butler.butlerlabs.dev/managementaddon";

impl Controller {
    fn addon_definition(&self, name: &str) -> Option<Value> {
        self.store
            .all_of(GROUP, "addondefinitions")
            .into_iter()
            .find(|d| name_of(d) == name)
    }

    fn release(&self, addon: &Value, version: &str, revision: i64) -> Value {
        let def_name = addon["spec"]["addon"].as_str().unwrap_or_default();
        let def = self.addon_definition(def_name);
        let helm = &addon["spec"]["helm"];
        let release = helm["releaseName"]
            .as_str()
            .or(def
                .as_ref()
                .and_then(|d| d["spec"]["defaults"]["releaseName"].as_str()))
            .or(helm["chart"].as_str())
            .unwrap_or(def_name);
        let ns = helm["namespace"]
            .as_str()
            .or(def
                .as_ref()
                .and_then(|d| d["spec"]["defaults"]["namespace"].as_str()))
            .unwrap_or(release);
        json!({"name": release, "namespace": ns, "version": version, "revision": revision, "status": "deployed"})
    }

    fn desired_version(&self, addon: &Value) -> String {
        addon["spec"]["version"]
            .as_str()
            .map(String::from)
            .or_else(|| {
                addon["spec"]["addon"]
                    .as_str()
                    .and_then(|a| self.addon_definition(a))
                    .and_then(|d| {
                        d["spec"]["chart"]["defaultVersion"]
                            .as_str()
                            .map(String::from)
                    })
            })
            .unwrap_or_else(|| "latest".into())
    }

    pub(crate) fn reconcile_tenant_addons(&self) {
        let Some(rt) = self.rt(GROUP, "TenantAddon") else {
            return;
        };
        let clusters = self.store.all_of(GROUP, "tenantclusters");
        for a in self.store.all_of(GROUP, &rt.plural) {
            let cluster_ready = clusters.iter().any(|c| {
                ns_of(c) == ns_of(&a)
                    && a["spec"]["clusterRef"]["name"].as_str() == Some(name_of(c).as_str())
                    && c["status"]["phase"] == "Ready"
            });
            self.reconcile_addon(
                &rt,
                &a,
                "tenant",
                TENANT_FINALIZER,
                "Deleting",
                cluster_ready,
            );
        }
    }

    pub(crate) fn reconcile_management_addons(&self) {
        let Some(rt) = self.rt(GROUP, "ManagementAddon") else {
            return;
        };
        for a in self.store.all_of(GROUP, &rt.plural) {
            if a["spec"]["paused"].as_bool() == Some(true) {
                continue;
            }
            self.reconcile_addon(&rt, &a, "mgmt", MANAGEMENT_FINALIZER, "Uninstalling", true);
        }
    }

    fn reconcile_addon(
        &self,
        rt: &crate::resources::ResourceType,
        a: &Value,
        prefix: &str,
        finalizer: &str,
        deleting_phase: &str,
        can_install: bool,
    ) {
        if paused(a) {
            return;
        }
        let k = key(prefix, a);
        let phase = a["status"]["phase"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if deleting(a) {
            if !has_finalizer(a, finalizer) {
                return;
            }
            if phase != deleting_phase {
                let _ = self.patch_status(
                    rt,
                    a,
                    json!({"phase": deleting_phase, "message": "uninstalling the Helm release"}),
                );
                self.mark(&k);
            } else if self.due(&k) {
                self.remove_finalizer(rt, a, finalizer);
                self.forget(&k);
            }
            return;
        }
        self.add_finalizer(rt, a, finalizer);
        let generation = a["metadata"]["generation"].as_i64().unwrap_or(1);
        let version = self.desired_version(a);
        match phase.as_str() {
            "" => {
                let _ = self.patch_status(
                    rt,
                    a,
                    json!({"phase": "Pending", "message": "waiting to install"}),
                );
                self.set_generation(&k, generation);
                self.mark(&k);
            }
            "Pending" if can_install && self.due(&k) => {
                let _ = self.patch_status(
                    rt,
                    a,
                    json!({"phase": "Installing", "message": format!("installing {version}")}),
                );
                self.mark(&k);
            }
            "Installing" if self.due(&k) => {
                let _ = self.patch_status(rt, a, json!({
                    "phase": "Installed", "installedVersion": version, "message": format!("{version} installed"),
                    "helmRelease": self.release(a, &version, 1)
                }));
                self.set_generation(&k, generation);
                self.event(
                    a,
                    "Normal",
                    "Installed",
                    &format!("Helm release installed at {version}"),
                );
                self.mark(&k);
            }
            "Installed" | "Degraded" => {
                let installed = a["status"]["installedVersion"].as_str().unwrap_or_default();
                if installed != version || self.seen_generation(&k, generation) != generation {
                    let _ = self.patch_status(rt, a, json!({"phase": "Upgrading", "message": format!("upgrading {installed} → {version}")}));
                    self.set_generation(&k, generation);
                    self.mark(&k);
                }
            }
            "Upgrading" if self.due(&k) => {
                let rev = a["status"]["helmRelease"]["revision"].as_i64().unwrap_or(1) + 1;
                let _ = self.patch_status(rt, a, json!({
                    "phase": "Installed", "installedVersion": version, "message": format!("{version} installed (revision {rev})"),
                    "helmRelease": self.release(a, &version, rev)
                }));
                self.event(
                    a,
                    "Normal",
                    "Upgraded",
                    &format!("Helm release upgraded to {version} (revision {rev})"),
                );
                self.mark(&k);
            }
            _ => {}
        }
    }
}
