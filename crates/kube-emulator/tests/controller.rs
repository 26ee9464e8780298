//! The simulated Butler controller and the demo seed, driven through the `kube` client.

mod common;

use futures_util::TryStreamExt;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use kube::api::{Api, AttachParams, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::wait::await_condition;
use kube_emulator::{ControllerConfig, Emulator, EmulatorConfig};
use plugin_butler_common::*;
use serde_json::json;
use std::time::Duration;

async fn wait<K, F>(api: &Api<K>, name: &str, what: &str, cond: F) -> K
where
    K: kube::Resource
        + Clone
        + std::fmt::Debug
        + serde::de::DeserializeOwned
        + Send
        + Sync
        + 'static,
    F: Fn(&K) -> bool + Send + 'static,
{
    let c = await_condition(api.clone(), name, move |o: Option<&K>| o.is_some_and(&cond));
    match tokio::time::timeout(Duration::from_secs(10), c).await {
        Ok(Ok(Some(o))) => o,
        other => panic!(
            "timed out waiting for {name} to be {what}: {other:?} (now {:?})",
            api.get_opt(name).await
        ),
    }
}

#[tokio::test]
async fn cluster_lifecycle_nodes_and_addons() {
    let emu = common::emulator_with_controller().await;
    let client = common::client(&emu, None);
    let teams: Api<Team> = Api::all(client.clone());
    teams
        .create(
            &PostParams::default(),
            &Team::new("web", TeamSpec::default()),
        )
        .await
        .unwrap();
    // The team gets its namespace.
    let nss: Api<Namespace> = Api::all(client.clone());
    wait(&nss, "web", "created", |_| true).await;
    let team = wait(&teams, "web", "Ready", |t: &Team| {
        t.status.as_ref().and_then(|s| s.phase) == Some(TeamPhase::Ready)
    })
    .await;
    assert_eq!(team.status.unwrap().namespace.as_deref(), Some("web"));

    let tcs: Api<TenantCluster> = Api::namespaced(client.clone(), "web");
    let mut spec: TenantClusterSpec = serde_json::from_value(json!({
        "kubernetesVersion": "v1.32.2", "teamRef": {"name": "web"}, "workers": {"replicas": 2},
        "addons": {"cni": {"provider": "cilium", "version": "1.16.5"}}, "workspaces": {"enabled": true}
    }))
    .unwrap();
    tcs.create(
        &PostParams::default(),
        &TenantCluster::new("site", spec.clone()),
    )
    .await
    .unwrap();
    let mut phases = Vec::new();
    let watch_api = tcs.clone();
    let recorder = tokio::spawn(async move {
        let mut s = std::pin::pin!(kube::runtime::watcher(watch_api, Default::default()));
        let mut seen: Vec<ClusterPhase> = Vec::new();
        while let Ok(Some(ev)) = s.try_next().await {
            if let kube::runtime::watcher::Event::Apply(tc)
            | kube::runtime::watcher::Event::InitApply(tc) = ev
            {
                let p = tc.phase();
                if seen.last() != Some(&p) && tc.status.is_some() {
                    seen.push(p);
                }
                if p == ClusterPhase::Ready {
                    return seen;
                }
            }
        }
        seen
    });
    let tc = wait(&tcs, "site", "Ready", |t: &TenantCluster| {
        t.phase() == ClusterPhase::Ready
    })
    .await;
    phases.extend(
        tokio::time::timeout(Duration::from_secs(5), recorder)
            .await
            .unwrap()
            .unwrap(),
    );
    assert_eq!(
        phases,
        [
            ClusterPhase::Pending,
            ClusterPhase::Provisioning,
            ClusterPhase::Installing,
            ClusterPhase::Ready
        ]
    );
    let st = tc.status.clone().unwrap();
    assert_eq!(st.worker_nodes_ready, Some(2));
    assert_eq!(st.tenant_namespace.as_deref(), Some("tc-site"));
    assert!(st.control_plane_endpoint.unwrap().starts_with("https://"));
    let observed = st.observed_state.unwrap();
    assert_eq!(observed.addons[0].name, "cilium");
    assert_eq!(observed.addons[0].status, ObservedAddonStatus::Healthy);
    assert!(st
        .conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True"));
    let nodes: Api<Node> = Api::all(client.clone());
    let list = nodes
        .list(&ListParams::default().labels(&format!("{LABEL_NODE_CLUSTER}=site")))
        .await
        .unwrap();
    assert_eq!(list.items.len(), 2);

    // A TenantAddon installs, shows in observedState, upgrades on a version change.
    let addons: Api<TenantAddon> = Api::namespaced(client.clone(), "web");
    let addon: TenantAddon = serde_json::from_value(json!({
        "apiVersion": API_VERSION, "kind": "TenantAddon", "metadata": {"name": "cert-manager-site", "labels": {LABEL_CLUSTER: "site"}},
        "spec": {"clusterRef": {"name": "site"}, "addon": "cert-manager", "version": "v1.16.2"}
    }))
    .unwrap();
    addons.create(&PostParams::default(), &addon).await.unwrap();
    let installed = wait(
        &addons,
        "cert-manager-site",
        "Installed",
        |a: &TenantAddon| a.status.as_ref().and_then(|s| s.phase) == Some(AddonPhase::Installed),
    )
    .await;
    assert_eq!(
        installed
            .status
            .as_ref()
            .unwrap()
            .installed_version
            .as_deref(),
        Some("v1.16.2")
    );
    wait(&tcs, "site", "showing the addon", |t: &TenantCluster| {
        t.status
            .as_ref()
            .and_then(|s| s.observed_state.as_ref())
            .is_some_and(|o| {
                o.addons.iter().any(|a| {
                    a.name == "cert-manager"
                        && a.managed_by == Some(ManagedBy::Butler)
                        && a.status == ObservedAddonStatus::Healthy
                })
            })
    })
    .await;
    addons
        .patch(
            "cert-manager-site",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"version": "v1.17.0"}})),
        )
        .await
        .unwrap();
    let upgraded = wait(
        &addons,
        "cert-manager-site",
        "upgraded",
        |a: &TenantAddon| {
            a.status.as_ref().is_some_and(|s| {
                s.phase == Some(AddonPhase::Installed)
                    && s.installed_version.as_deref() == Some("v1.17.0")
            })
        },
    )
    .await;
    assert_eq!(
        upgraded.status.unwrap().helm_release.unwrap().revision,
        Some(2)
    );

    // Scaling goes through Updating and changes the nodes.
    spec.workers.replicas = 3;
    tcs.patch(
        "site",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"workers": {"replicas": 3}}})),
    )
    .await
    .unwrap();
    wait(&tcs, "site", "scaled", |t: &TenantCluster| {
        t.phase() == ClusterPhase::Ready
            && t.status.as_ref().and_then(|s| s.worker_nodes_ready) == Some(3)
    })
    .await;
    assert_eq!(
        nodes
            .list(&ListParams::default().labels(&format!("{LABEL_NODE_CLUSTER}=site")))
            .await
            .unwrap()
            .items
            .len(),
        3
    );

    // Deletion: uninstall addon, tear down the cluster, nodes and tenant namespace.
    addons
        .delete("cert-manager-site", &DeleteParams::default())
        .await
        .unwrap();
    tcs.delete("site", &DeleteParams::default()).await.unwrap();
    let gone = await_condition(tcs.clone(), "site", |o: Option<&TenantCluster>| o.is_none());
    tokio::time::timeout(Duration::from_secs(10), gone)
        .await
        .unwrap()
        .unwrap();
    assert!(nodes
        .list(&ListParams::default().labels(&format!("{LABEL_NODE_CLUSTER}=site")))
        .await
        .unwrap()
        .items
        .is_empty());
    let gone_ns = await_condition(nss.clone(), "tc-site", |o: Option<&Namespace>| o.is_none());
    tokio::time::timeout(Duration::from_secs(10), gone_ns)
        .await
        .unwrap()
        .unwrap();
    emu.shutdown().await;
}

#[tokio::test]
async fn workspace_lifecycle() {
    let emu = Emulator::start(EmulatorConfig {
        controller: Some(ControllerConfig {
            pace: Duration::from_millis(30),
            time_scale: 0.00002,
        }), // 8h → ~0.6 s
        ..Default::default()
    })
    .await
    .unwrap();
    let client = common::client(&emu, None);
    Api::<Team>::all(client.clone())
        .create(
            &PostParams::default(),
            &Team::new("web", TeamSpec::default()),
        )
        .await
        .unwrap();
    let nss: Api<Namespace> = Api::all(client.clone());
    wait(&nss, "web", "created", |_| true).await;
    let tcs: Api<TenantCluster> = Api::namespaced(client.clone(), "web");
    let spec: TenantClusterSpec = serde_json::from_value(json!({"kubernetesVersion": "v1.32.2", "workers": {"replicas": 1}, "workspaces": {"enabled": true}})).unwrap();
    tcs.create(&PostParams::default(), &TenantCluster::new("dev", spec))
        .await
        .unwrap();

    let wss: Api<Workspace> = Api::namespaced(client.clone(), "web");
    let mut ws: Workspace = serde_json::from_value(json!({
        "apiVersion": API_VERSION, "kind": "Workspace",
        "metadata": {"name": "alice-api", "annotations": {ANNOTATION_CONNECT: "true"}},
        "spec": {"clusterRef": {"name": "dev"}, "owner": "alice@acme.example", "image": "golang:1.24", "sshPublicKeys": ["ssh-ed25519 AAAA alice"]}
    }))
    .unwrap();
    wss.create(&PostParams::default(), &ws).await.unwrap();
    let running = wait(&wss, "alice-api", "Running", |w: &Workspace| {
        w.phase() == WorkspacePhase::Running && w.status.as_ref().is_some_and(|s| s.connected)
    })
    .await;
    let st = running.status.clone().unwrap();
    assert!(st.ssh_endpoint.unwrap().ends_with(":2222"));
    assert_eq!(st.pod_name.as_deref(), Some("ws-alice-api"));
    assert!(running
        .metadata
        .finalizers
        .unwrap()
        .contains(&FINALIZER_WORKSPACE.to_string()));
    let pods: Api<Pod> = Api::namespaced(client.clone(), "tc-dev");
    let pod = wait(&pods, "ws-alice-api", "Running", |p: &Pod| {
        p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
    })
    .await;
    assert_eq!(
        pod.spec.unwrap().containers[0].image.as_deref(),
        Some("golang:1.24")
    );

    // exec into the workspace pod with the kube client (v4/v5 channel protocol)
    let mut att = pods
        .exec(
            "ws-alice-api",
            ["sh", "-c", "echo from-$POD_NAME"],
            &AttachParams::default().stderr(false),
        )
        .await
        .unwrap();
    let mut out = String::new();
    let mut stdout = att.stdout().unwrap();
    tokio::io::AsyncReadExt::read_to_string(&mut stdout, &mut out)
        .await
        .unwrap();
    assert_eq!(out, "from-ws-alice-api\n");
    let status = att.take_status().unwrap().await.unwrap();
    assert_eq!(status.status.as_deref(), Some("Success"));

    // Disconnect → auto-stop after autoStopAfter (scaled) → Stopped, pod gone.
    wss.patch(
        "alice-api",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"annotations": {ANNOTATION_CONNECT: null}}})),
    )
    .await
    .unwrap();
    let stopped = wait(&wss, "alice-api", "Stopped", |w: &Workspace| {
        w.phase() == WorkspacePhase::Stopped
    })
    .await;
    assert!(stopped.status.unwrap().last_disconnect_time.is_some());
    let gone = await_condition(pods.clone(), "ws-alice-api", |o: Option<&Pod>| o.is_none());
    tokio::time::timeout(Duration::from_secs(5), gone)
        .await
        .unwrap()
        .unwrap();

    // Connect again → Starting → Running.
    wss.patch(
        "alice-api",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"annotations": {ANNOTATION_CONNECT: "true"}}})),
    )
    .await
    .unwrap();
    wait(&wss, "alice-api", "Running again", |w: &Workspace| {
        w.phase() == WorkspacePhase::Running && w.status.as_ref().is_some_and(|s| s.connected)
    })
    .await;

    // A workspace on a cluster without workspaces fails with a reason.
    ws.metadata.name = Some("bad".into());
    ws.spec.cluster_ref.name = "missing".into();
    wss.create(&PostParams::default(), &ws).await.unwrap();
    let failed = wait(&wss, "bad", "Failed", |w: &Workspace| {
        w.phase() == WorkspacePhase::Failed
    })
    .await;
    assert_eq!(
        failed.status.unwrap().conditions[0].reason.as_deref(),
        Some("ClusterNotFound")
    );

    // Deleting removes the finalizer and the pod.
    wss.delete("alice-api", &DeleteParams::default())
        .await
        .unwrap();
    let gone = await_condition(wss.clone(), "alice-api", |o: Option<&Workspace>| {
        o.is_none()
    });
    tokio::time::timeout(Duration::from_secs(5), gone)
        .await
        .unwrap()
        .unwrap();
    emu.shutdown().await;
}

#[tokio::test]
async fn seeded_demo_cluster() {
    let emu = Emulator::start(EmulatorConfig {
        seed_demo: true,
        controller: Some(ControllerConfig {
            pace: Duration::from_millis(30),
            time_scale: 0.0,
        }),
        ..Default::default()
    })
    .await
    .unwrap();
    let client = common::client(&emu, None);
    let teams = Api::<Team>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(
        teams
            .items
            .iter()
            .map(|t| t.metadata.name.clone().unwrap())
            .collect::<Vec<_>>(),
        ["payments", "platform", "search"]
    );
    let users = Api::<User>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(users.items.len(), 8);
    assert_eq!(
        users
            .items
            .iter()
            .filter(|u| u.spec.is_platform_admin)
            .count(),
        1
    );
    let all: Api<TenantCluster> = Api::all(client.clone());
    let clusters = all.list(&ListParams::default()).await.unwrap();
    assert_eq!(clusters.items.len(), 5);
    let phases: std::collections::HashSet<ClusterPhase> =
        clusters.items.iter().map(|c| c.phase()).collect();
    assert!(phases.len() >= 3, "{phases:?}");
    let providers: std::collections::BTreeSet<String> = clusters
        .items
        .iter()
        .map(|c| c.metadata.labels.as_ref().unwrap()["butler.butlerlabs.dev/provider"].clone())
        .collect();
    assert!(providers.len() >= 3, "{providers:?}");
    // the Provisioning cluster finishes on its own
    let search: Api<TenantCluster> = Api::namespaced(client.clone(), "search");
    wait(&search, "search-dev", "Ready", |t: &TenantCluster| {
        t.phase() == ClusterPhase::Ready
    })
    .await;
    assert!(
        Api::<AddonDefinition>::all(client.clone())
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len()
            >= 10
    );
    assert!(!Api::<TenantAddon>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .is_empty());
    assert!(
        Api::<WorkspaceTemplate>::all(client.clone())
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len()
            >= 2
    );
    let wss = Api::<Workspace>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(wss.items.len() >= 3);
    let nodes = Api::<Node>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(nodes.items.len() >= 10);
    // carol (payments admin) may change payments clusters but not search ones
    let carol = common::client(&emu, Some(("carol@acme.example", &[])));
    Api::<TenantCluster>::namespaced(carol.clone(), "payments")
        .patch(
            "payments-prod",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"owner": "carol"}}})),
        )
        .await
        .unwrap();
    assert!(Api::<TenantCluster>::namespaced(carol.clone(), "search")
        .list(&ListParams::default())
        .await
        .is_err());
    // alice is the platform admin
    let alice = common::client(&emu, Some(("alice@acme.example", &[])));
    assert_eq!(
        Api::<TenantCluster>::all(alice)
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        5
    );
    // there is a pod to exec into in butler-system
    let pods = Api::<Pod>::namespaced(client.clone(), "butler-system")
        .list(&ListParams::default().labels("app.kubernetes.io/name=butler-toolbox"))
        .await
        .unwrap();
    assert_eq!(pods.items.len(), 1);
    emu.shutdown().await;
}
