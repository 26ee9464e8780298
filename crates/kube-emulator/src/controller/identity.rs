//! Teams (namespace per team, counts), Users (phase, teams) and ProviderConfigs (validated).

use super::{name_of, paused, Controller, GROUP};
use plugin_butler_common::LABEL_TEAM;
use serde_json::{json, Value};

impl Controller {
    pub(crate) fn reconcile_teams(&self) {
        let Some(rt) = self.rt(GROUP, "Team") else {
            return;
        };
        let teams = self.store.all_of(GROUP, &rt.plural);
        let clusters = self.store.all_of(GROUP, "tenantclusters");
        for t in &teams {
            if paused(t) {
                continue;
            }
            let name = name_of(t);
            if t["metadata"]["deletionTimestamp"].is_string() {
                continue;
            }
            self.ensure(
                "",
                "Namespace",
                "",
                json!({"metadata": {"name": name, "labels": {LABEL_TEAM: name}}}),
            );
            let members = t["spec"]["access"]["users"]
                .as_array()
                .map(|a| a.len())
                .unwrap_or(0);
            let cluster_count = clusters
                .iter()
                .filter(|c| c["spec"]["teamRef"]["name"].as_str() == Some(name.as_str()))
                .count();
            let _ = self.patch_status(&rt, t, json!({"phase": "Ready", "namespace": name, "memberCount": members, "clusterCount": cluster_count}));
        }
        // Namespaces of deleted teams go too.
        for ns in self.store.all_of("", "namespaces") {
            if let Some(team) = ns["metadata"]["labels"][LABEL_TEAM].as_str() {
                if !teams.iter().any(|t| name_of(t) == team)
                    && ns["metadata"]["deletionTimestamp"].is_null()
                {
                    self.delete("", "Namespace", "", &name_of(&ns));
                }
            }
        }
    }

    pub(crate) fn reconcile_users(&self) {
        let Some(rt) = self.rt(GROUP, "User") else {
            return;
        };
        let teams = self.store.all_of(GROUP, "teams");
        for u in self.store.all_of(GROUP, &rt.plural) {
            if paused(&u) {
                continue;
            }
            let email = u["spec"]["email"].as_str().unwrap_or_default();
            let member_of: Vec<String> = teams
                .iter()
                .filter(|t| {
                    t["spec"]["access"]["users"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|m| {
                            m["name"]
                                .as_str()
                                .is_some_and(|n| n.eq_ignore_ascii_case(email))
                        })
                })
                .map(name_of)
                .collect();
            let phase = if u["spec"]["disabled"].as_bool() == Some(true) {
                "Disabled"
            } else if u["status"]["phase"].as_str() == Some("Locked") {
                "Locked"
            } else {
                "Active"
            };
            let teams_v: Value = if member_of.is_empty() {
                Value::Null
            } else {
                json!(member_of)
            };
            let _ = self.patch_status(&rt, &u, json!({"phase": phase, "teams": teams_v}));
        }
    }

    pub(crate) fn reconcile_providers(&self) {
        let Some(rt) = self.rt(GROUP, "ProviderConfig") else {
            return;
        };
        for p in self.store.all_of(GROUP, &rt.plural) {
            if paused(&p) || p["status"]["validated"].as_bool() == Some(true) {
                continue;
            }
            let provider = p["spec"]["provider"].as_str().unwrap_or("provider");
            let _ = self.patch_status(&rt, &p, json!({"validated": true, "ready": true, "message": format!("{provider} credentials validated (emulated)")}));
        }
    }
}
