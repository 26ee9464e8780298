//! The `kube` crate client against the emulator: CRUD, selectors, pagination, watch (resume,
//! bookmarks, 410), status subresource, patches, conflicts, finalizers, impersonation.

mod common;

use futures_util::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::runtime::watcher;
use kube_emulator::{Emulator, EmulatorConfig};
use plugin_butler_common::*;
use serde_json::json;
use std::time::Duration;

fn cluster(name: &str, team: &str, env: &str) -> TenantCluster {
    let mut tc = TenantCluster::new(
        name,
        TenantClusterSpec {
            kubernetes_version: "v1.32.2".into(),
            team_ref: Some(LocalObjectReference { name: team.into() }),
            workers: WorkersSpec {
                replicas: 2,
                machine_template: None,
            },
            ..Default::default()
        },
    );
    tc.metadata.labels = Some([("env".to_string(), env.to_string())].into());
    tc
}

async fn namespace(client: &kube::Client, name: &str) {
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
}

fn code(e: kube::Error) -> u16 {
    match e {
        kube::Error::Api(s) => s.code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn crud_selectors_and_pagination() {
    let emu = common::emulator().await;
    let client = common::client(&emu, None);
    namespace(&client, "payments").await;
    let api: Api<TenantCluster> = Api::namespaced(client.clone(), "payments");
    for (n, env) in [("a", "prod"), ("b", "dev"), ("c", "prod"), ("d", "staging")] {
        api.create(&PostParams::default(), &cluster(n, "payments", env))
            .await
            .unwrap();
    }
    let got = api.get("a").await.unwrap();
    assert_eq!(got.spec.kubernetes_version, "v1.32.2");
    assert_eq!(got.metadata.generation, Some(1));
    assert!(got.metadata.uid.is_some() && got.metadata.creation_timestamp.is_some());

    // duplicate → 409 AlreadyExists; missing → 404; missing namespace → 404
    assert_eq!(
        code(
            api.create(&PostParams::default(), &cluster("a", "payments", "x"))
                .await
                .unwrap_err()
        ),
        409
    );
    assert_eq!(code(api.get("zzz").await.unwrap_err()), 404);
    let other: Api<TenantCluster> = Api::namespaced(client.clone(), "nowhere");
    assert_eq!(
        code(
            other
                .create(&PostParams::default(), &cluster("a", "p", "x"))
                .await
                .unwrap_err()
        ),
        404
    );

    let names = |l: kube::core::ObjectList<TenantCluster>| {
        l.items
            .into_iter()
            .map(|t| t.metadata.name.unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            api.list(&ListParams::default().labels("env=prod"))
                .await
                .unwrap()
        ),
        ["a", "c"]
    );
    assert_eq!(
        names(
            api.list(&ListParams::default().labels("env in (dev,staging)"))
                .await
                .unwrap()
        ),
        ["b", "d"]
    );
    assert_eq!(
        names(
            api.list(&ListParams::default().labels("env!=prod"))
                .await
                .unwrap()
        ),
        ["b", "d"]
    );
    assert_eq!(
        names(
            api.list(&ListParams::default().labels("!env"))
                .await
                .unwrap()
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        names(
            api.list(&ListParams::default().fields("metadata.name=c"))
                .await
                .unwrap()
        ),
        ["c"]
    );
    let bad = api
        .list(&ListParams::default().fields("spec.kubernetesVersion=v1"))
        .await
        .unwrap_err();
    assert_eq!(code(bad), 400);

    let p1 = api.list(&ListParams::default().limit(3)).await.unwrap();
    assert_eq!(p1.items.len(), 3);
    assert_eq!(p1.metadata.remaining_item_count, Some(1));
    let token = p1.metadata.continue_.clone().unwrap();
    let p2 = api
        .list(&ListParams::default().limit(3).continue_token(&token))
        .await
        .unwrap();
    assert_eq!(names(p2.clone()), ["d"]);
    assert!(p2.metadata.continue_.is_none());

    // all namespaces
    let all: Api<TenantCluster> = Api::all(client.clone());
    assert_eq!(
        all.list(&ListParams::default()).await.unwrap().items.len(),
        4
    );

    // 422 on an invalid enum
    let mut bad = cluster("bad", "payments", "x");
    bad.spec.management_policy = None;
    let mut v = serde_json::to_value(&bad).unwrap();
    v["spec"]["workers"]["machineTemplate"] = json!({"os": {"type": "windows"}});
    let dynamic: Api<kube::api::DynamicObject> = Api::namespaced_with(
        client.clone(),
        "payments",
        &kube::api::ApiResource::erase::<TenantCluster>(&()),
    );
    let obj: kube::api::DynamicObject = serde_json::from_value(v).unwrap();
    assert_eq!(
        code(
            dynamic
                .create(&PostParams::default(), &obj)
                .await
                .unwrap_err()
        ),
        422
    );

    // delete
    api.delete("d", &DeleteParams::default()).await.unwrap();
    assert_eq!(code(api.get("d").await.unwrap_err()), 404);
    emu.shutdown().await;
}

#[tokio::test]
async fn patches_status_and_conflicts() {
    let emu = common::emulator().await;
    let client = common::client(&emu, None);
    namespace(&client, "web").await;
    let api: Api<TenantCluster> = Api::namespaced(client.clone(), "web");
    let created = api
        .create(&PostParams::default(), &cluster("site", "web", "prod"))
        .await
        .unwrap();

    let patched = api
        .patch(
            "site",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"workers": {"replicas": 4}}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.spec.workers.replicas, 4);
    assert_eq!(patched.metadata.generation, Some(2));

    // status only through /status
    let st = api
        .patch_status(
            "site",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"phase": "Ready", "workerNodesReady": 4}})),
        )
        .await
        .unwrap();
    assert_eq!(st.phase(), ClusterPhase::Ready);
    assert_eq!(
        st.metadata.generation,
        Some(2),
        "status does not bump generation"
    );
    let ignored = api
        .patch(
            "site",
            &PatchParams::default(),
            &Patch::Merge(
                json!({"status": {"phase": "Failed"}, "metadata": {"labels": {"x": "y"}}}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        ignored.phase(),
        ClusterPhase::Ready,
        "main endpoint ignores status"
    );

    // optimistic concurrency: replacing with the first resourceVersion is a 409 Conflict
    let mut stale = created.clone();
    stale.spec.workers.replicas = 9;
    let err = api
        .replace("site", &PostParams::default(), &stale)
        .await
        .unwrap_err();
    assert_eq!(code(err), 409);
    let mut fresh = api.get("site").await.unwrap();
    fresh.spec.workers.replicas = 9;
    let replaced = api
        .replace("site", &PostParams::default(), &fresh)
        .await
        .unwrap();
    assert_eq!(replaced.spec.workers.replicas, 9);
    assert_ne!(
        replaced.metadata.resource_version,
        fresh.metadata.resource_version
    );

    // JSON patch, with a failing test op → 422
    let jp: json_patch::Patch = serde_json::from_value(
        json!([{"op": "replace", "path": "/spec/kubernetesVersion", "value": "v1.33.0"}]),
    )
    .unwrap();
    let j = api
        .patch("site", &PatchParams::default(), &Patch::<()>::Json(jp))
        .await
        .unwrap();
    assert_eq!(j.spec.kubernetes_version, "v1.33.0");
    let failing: json_patch::Patch = serde_json::from_value(
        json!([{"op": "test", "path": "/spec/kubernetesVersion", "value": "v0"}]),
    )
    .unwrap();
    assert_eq!(
        code(
            api.patch("site", &PatchParams::default(), &Patch::<()>::Json(failing))
                .await
                .unwrap_err()
        ),
        422
    );

    // server-side apply creates and updates
    let ssa = PatchParams::apply("test").force();
    let applied = api
        .patch("ssa", &ssa, &Patch::Apply(json!({"apiVersion": API_VERSION, "kind": "TenantCluster", "metadata": {"name": "ssa"}, "spec": {"kubernetesVersion": "v1.31.0", "workers": {"replicas": 1}}})))
        .await
        .unwrap();
    assert_eq!(applied.spec.kubernetes_version, "v1.31.0");

    // finalizers: delete marks, removing the last finalizer deletes
    api.patch(
        "site",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": ["example.com/hold"]}})),
    )
    .await
    .unwrap();
    api.delete("site", &DeleteParams::default()).await.unwrap();
    let marked = api.get("site").await.unwrap();
    assert!(marked.metadata.deletion_timestamp.is_some());
    api.patch(
        "site",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    assert_eq!(code(api.get("site").await.unwrap_err()), 404);
    emu.shutdown().await;
}

#[tokio::test]
async fn watch_resume_and_expiry() {
    let emu = Emulator::start(EmulatorConfig {
        controller: None,
        history_limit: 20,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = common::client(&emu, None);
    namespace(&client, "ops").await;
    let api: Api<TenantCluster> = Api::namespaced(client.clone(), "ops");
    api.create(&PostParams::default(), &cluster("one", "ops", "prod"))
        .await
        .unwrap();
    let list = api.list(&ListParams::default()).await.unwrap();
    let rv = list.metadata.resource_version.clone().unwrap();

    let mut stream = api
        .watch(&WatchParams::default().labels("env=prod"), &rv)
        .await
        .unwrap()
        .boxed();
    api.create(&PostParams::default(), &cluster("two", "ops", "prod"))
        .await
        .unwrap();
    api.create(&PostParams::default(), &cluster("skip", "ops", "dev"))
        .await
        .unwrap();
    api.patch(
        "two",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"workers": {"replicas": 3}}})),
    )
    .await
    .unwrap();
    // moving out of the selector is a DELETED for this watcher
    api.patch(
        "one",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"env": "old"}}})),
    )
    .await
    .unwrap();
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let ev = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seen.push(match ev {
            WatchEvent::Added(t) => format!("ADDED {}", t.metadata.name.unwrap()),
            WatchEvent::Modified(t) => format!("MODIFIED {}", t.metadata.name.unwrap()),
            WatchEvent::Deleted(t) => format!("DELETED {}", t.metadata.name.unwrap()),
            other => format!("{other:?}"),
        });
    }
    assert_eq!(seen, ["ADDED two", "MODIFIED two", "DELETED one"]);

    // resume from the list's resourceVersion replays history
    let mut replay = api
        .watch(&WatchParams::default(), &rv)
        .await
        .unwrap()
        .boxed();
    let first = tokio::time::timeout(Duration::from_secs(5), replay.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(matches!(first, WatchEvent::Added(ref t) if t.metadata.name.as_deref() == Some("two")));

    // push the first resourceVersion out of the 20-event history → 410 Expired
    for i in 0..30 {
        api.create(
            &PostParams::default(),
            &cluster(&format!("bulk-{i}"), "ops", "bulk"),
        )
        .await
        .unwrap();
    }
    let mut old = api
        .watch(&WatchParams::default(), &rv)
        .await
        .unwrap()
        .boxed();
    match tokio::time::timeout(Duration::from_secs(5), old.try_next())
        .await
        .unwrap()
    {
        Ok(Some(WatchEvent::Error(s))) => {
            assert_eq!(s.code, 410);
            assert_eq!(s.reason, "Expired");
        }
        Err(kube::Error::Api(s)) => assert_eq!(s.code, 410),
        other => panic!("expected 410, got {other:?}"),
    }

    // bookmarks
    let emu2 = Emulator::start(EmulatorConfig {
        controller: None,
        bookmark_interval: Duration::from_millis(50),
        ..Default::default()
    })
    .await
    .unwrap();
    let api2: Api<Team> = Api::all(common::client(&emu2, None));
    let mut bm = api2
        .watch(&WatchParams::default(), "0")
        .await
        .unwrap()
        .boxed();
    let ev = tokio::time::timeout(Duration::from_secs(5), bm.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(matches!(ev, WatchEvent::Bookmark(_)), "{ev:?}");
    emu.shutdown().await;
    emu2.shutdown().await;
}

#[tokio::test]
async fn runtime_watcher_sees_changes() {
    let emu = common::emulator().await;
    let client = common::client(&emu, None);
    let api: Api<Team> = Api::all(client.clone());
    let mut events = watcher(api.clone(), watcher::Config::default()).boxed();
    // initial list: Init, InitDone
    let mut got_init_done = false;
    while !got_init_done {
        let ev = tokio::time::timeout(Duration::from_secs(5), events.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        got_init_done = matches!(ev, watcher::Event::InitDone);
    }
    let team = Team::new(
        "web",
        TeamSpec {
            display_name: Some("Web".into()),
            ..Default::default()
        },
    );
    api.create(&PostParams::default(), &team).await.unwrap();
    let ev = tokio::time::timeout(Duration::from_secs(5), events.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(
        matches!(ev, watcher::Event::Apply(ref t) if t.metadata.name.as_deref() == Some("web")),
        "{ev:?}"
    );

    // streaming lists (sendInitialEvents + initial-events-end bookmark)
    let mut streaming = watcher(api, watcher::Config::default().streaming_lists()).boxed();
    let mut saw_web = false;
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(5), streaming.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        match ev {
            watcher::Event::InitApply(t) => saw_web |= t.metadata.name.as_deref() == Some("web"),
            watcher::Event::InitDone => break,
            _ => {}
        }
    }
    assert!(saw_web);
    emu.shutdown().await;
}

#[tokio::test]
async fn impersonation_and_team_rbac() {
    let emu = common::emulator().await;
    let admin = common::client(&emu, None);
    namespace(&admin, "payments").await;
    namespace(&admin, "search").await;
    let teams: Api<Team> = Api::all(admin.clone());
    let team: Team = serde_json::from_value(json!({
        "apiVersion": API_VERSION, "kind": "Team", "metadata": {"name": "payments"},
        "spec": {"access": {"users": [{"name": "carol@acme.example", "role": "admin"}, {"name": "erin@acme.example", "role": "viewer"}],
                            "groups": [{"name": "payments-oncall", "role": "operator"}]}}
    }))
    .unwrap();
    teams.create(&PostParams::default(), &team).await.unwrap();

    let carol = common::client(&emu, Some(("carol@acme.example", &[])));
    let erin = common::client(&emu, Some(("erin@acme.example", &[])));
    let oncall = common::client(&emu, Some(("zed@acme.example", &["payments-oncall"])));
    let nobody = common::client(&emu, Some(("mallory@evil.example", &[])));

    let mk = |c: &kube::Client, ns: &str| Api::<TenantCluster>::namespaced(c.clone(), ns);
    mk(&carol, "payments")
        .create(&PostParams::default(), &cluster("p1", "payments", "prod"))
        .await
        .unwrap();
    mk(&oncall, "payments")
        .create(&PostParams::default(), &cluster("p2", "payments", "prod"))
        .await
        .unwrap();
    assert_eq!(
        mk(&erin, "payments")
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    let denied = mk(&erin, "payments")
        .create(&PostParams::default(), &cluster("p3", "payments", "prod"))
        .await
        .unwrap_err();
    match denied {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 403);
            assert!(
                s.message.contains(
                    "User \"erin@acme.example\" cannot create resource \"tenantclusters\""
                ),
                "{}",
                s.message
            );
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(
        code(
            mk(&carol, "search")
                .list(&ListParams::default())
                .await
                .unwrap_err()
        ),
        403
    );
    assert_eq!(
        code(
            mk(&nobody, "payments")
                .list(&ListParams::default())
                .await
                .unwrap_err()
        ),
        403
    );
    // everyone may read the team catalogue
    assert_eq!(
        Api::<Team>::all(nobody.clone())
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(
        code(
            Api::<Team>::all(nobody)
                .delete("payments", &DeleteParams::default())
                .await
                .unwrap_err()
        ),
        403
    );
    emu.shutdown().await;
}
