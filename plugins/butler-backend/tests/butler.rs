//! The butler plugin against an in-process kube-emulator (seeded demo management cluster,
//! fast controller), on both database engines: status, impersonated cluster listing, the
//! catalog provider (create/delete → entity within 2 s), Team roles as permission roles,
//! IdentityProviders as sign-in providers, and an unreachable API server.

use backend_plugin_api::auth::{Identity, Principal};
use backend_plugin_api::permission::{PermissionService, Role};
use backend_plugin_api::readiness::{CheckStatus, ReadinessExtensionPoint};
use backend_plugin_api::signin::SignInProvidersExtensionPoint;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube_emulator::{Emulator, EmulatorConfig};
use plugin_butler_backend::ButlerBackendPlugin;
use plugin_butler_common::{Team, TenantCluster};
use plugin_catalog_backend::CatalogBackendPlugin;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use test_utils::{both_engines, test_token, TestBackend, TestDb};

async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig {
        seed_demo: true,
        ..EmulatorConfig::for_tests()
    })
    .await
    .expect("emulator starts")
}

async fn backend(db: TestDb, url: &str) -> TestBackend {
    TestBackend::start(
        db,
        vec![
            Arc::new(CatalogBackendPlugin),
            Arc::new(ButlerBackendPlugin::default()),
        ],
        json!({
            "catalog": {"processingIntervalSeconds": 3600},
            "butler": {"kubernetes": {"url": url}},
        }),
    )
    .await
}

/// An admin client (no impersonation: the emulator's default identity).
fn admin(emu: &Emulator) -> kube::Client {
    kube::Client::try_from(kube::Config::new(emu.url().parse().unwrap())).unwrap()
}

fn identity(user: &str, groups: &[&str]) -> Identity {
    let mut refs = vec![user.to_string()];
    refs.extend(groups.iter().map(|g| g.to_string()));
    Identity {
        user_entity_ref: user.into(),
        ownership_entity_refs: refs,
        principal: Principal::User,
    }
}

/// Poll `f` every 20 ms until it is true or `limit` passes; returns the time taken.
async fn within<F, Fut>(limit: Duration, what: &str, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let t0 = Instant::now();
    loop {
        if f().await {
            return t0.elapsed();
        }
        assert!(t0.elapsed() < limit, "timed out after {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}/{}",
                c["namespace"].as_str().unwrap(),
                c["name"].as_str().unwrap()
            )
        })
        .collect()
}

both_engines!(
    should_report_status_and_list_clusters_as_the_caller,
    |db| async move {
        let emu = emulator().await;
        let be = backend(db, &emu.url()).await;
        let anyone = test_token("user:default/nobody", &[]);

        let st = be.get_as("/api/butler/status", &anyone).await;
        assert_eq!(st.status, 200);
        let st = st.json();
        assert_eq!(st["connected"], true, "{st}");
        assert_eq!(st["server"], emu.url());
        assert_eq!(st["demo"], false);
        assert!(st["version"].as_str().unwrap().starts_with('v'), "{st}");
        assert_eq!(be.get("/api/butler/status").await.status, 401);

        // erin is a viewer of team payments: only the payments clusters, as erin@acme.example.
        let erin = test_token("user:default/erin", &[]);
        let r = be.get_as("/api/butler/clusters", &erin).await;
        assert_eq!(r.status, 200, "{:?}", r.json());
        let body = r.json();
        assert_eq!(body["impersonatedAs"], "erin@acme.example");
        assert_eq!(
            names(&body),
            ["payments/payments-prod", "payments/payments-staging"]
        );
        let item = &body["items"][0];
        assert_eq!(item["team"], "payments");
        assert_eq!(item["phase"], "Ready");
        assert_eq!(item["entityRef"], "resource:default/payments-prod");

        // heidi (search viewer) sees search's clusters, not payments'.
        let heidi = test_token("user:default/heidi", &[]);
        let body = be.get_as("/api/butler/clusters", &heidi).await.json();
        assert_eq!(names(&body), ["search/search-dev", "search/search-prod"]);

        // alice is a platform admin: everything. Someone unknown: nothing.
        let alice = test_token("user:default/alice", &[]);
        assert_eq!(
            names(&be.get_as("/api/butler/clusters", &alice).await.json()).len(),
            5
        );
        let body = be.get_as("/api/butler/clusters", &anyone).await.json();
        assert_eq!(names(&body), Vec::<String>::new());

        // Membership through an identity-provider group (payments-oncall → payments operator).
        let oncall = test_token("user:default/olga", &["group:default/payments-oncall"]);
        let body = be.get_as("/api/butler/clusters", &oncall).await.json();
        assert_eq!(names(&body).len(), 2, "{body}");
        // The demo guest is in the catalog group payments-operators, which the seeded Team lists.
        let guest = test_token(
            "user:development/guest",
            &["group:default/payments-operators"],
        );
        let body = be.get_as("/api/butler/clusters", &guest).await.json();
        assert_eq!(body["impersonatedAs"], "user:development/guest");
        assert_eq!(names(&body).len(), 2, "{body}");

        // One cluster: allowed for the team, 403 for others, 404 when missing.
        let r = be
            .get_as("/api/butler/clusters/payments/payments-prod", &erin)
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["resource"]["spec"]["teamRef"]["name"], "payments");
        assert_eq!(r.json()["summary"]["provider"], "harvester");
        let r = be
            .get_as("/api/butler/clusters/search/search-prod", &erin)
            .await;
        assert_eq!(r.status, 403, "{:?}", r.json());
        assert_eq!(r.json()["error"]["name"], "NotAllowedError");
        let r = be.get_as("/api/butler/clusters/payments/nope", &erin).await;
        assert_eq!(r.status, 404);

        // Readiness: connected → ok.
        let checks = be.extension::<ReadinessExtensionPoint>().run().await;
        let (_, k) = checks.iter().find(|(n, _)| n == "kubernetes").unwrap();
        assert_eq!(k.status, CheckStatus::Ok, "{k:?}");
        emu.shutdown().await;
    }
);

async fn entity(be: &TestBackend, path: &str) -> Option<Value> {
    let token = test_token("user:default/nobody", &[]);
    let r = be
        .get_as(&format!("/api/catalog/entities/by-name/{path}"), &token)
        .await;
    (r.status == 200).then(|| r.json())
}

both_engines!(
    should_publish_clusters_teams_and_users_to_the_catalog,
    |db| async move {
        let emu = emulator().await;
        let be = backend(db, &emu.url()).await;

        within(Duration::from_secs(10), "initial full mutation", || async {
            entity(&be, "resource/default/payments-prod")
                .await
                .is_some()
        })
        .await;
        let c = entity(&be, "resource/default/payments-prod").await.unwrap();
        assert_eq!(c["spec"]["type"], "kubernetes-cluster");
        assert_eq!(c["spec"]["owner"], "group:default/payments");
        assert_eq!(
            c["metadata"]["annotations"]["butler.butlerlabs.dev/cluster"],
            "payments/payments-prod"
        );
        assert_eq!(
            c["metadata"]["labels"]["butler.butlerlabs.dev/provider"],
            "harvester"
        );
        assert_eq!(
            c["metadata"]["labels"]["butler.butlerlabs.dev/phase"],
            "ready"
        );
        within(Duration::from_secs(5), "group and user", || async {
            entity(&be, "group/default/payments").await.is_some()
                && entity(&be, "user/default/carol").await.is_some()
        })
        .await;
        let g = entity(&be, "group/default/payments").await.unwrap();
        assert_eq!(g["spec"]["type"], "team");
        assert_eq!(g["spec"]["members"], json!(["carol", "dave", "erin"]));
        let u = entity(&be, "user/default/carol").await.unwrap();
        assert_eq!(u["spec"]["profile"]["email"], "carol@acme.example");
        assert_eq!(u["spec"]["memberOf"], json!(["payments"]));

        // A malformed TenantCluster (after the CRD's schema was loosened, as a different
        // Butler version might) is skipped: it neither reaches the catalog nor stops the
        // watch, and the cluster list leaves it out.
        let crd_ar = ApiResource {
            group: "apiextensions.k8s.io".into(),
            version: "v1".into(),
            api_version: "apiextensions.k8s.io/v1".into(),
            kind: "CustomResourceDefinition".into(),
            plural: "customresourcedefinitions".into(),
        };
        let crds: Api<DynamicObject> = Api::all_with(admin(&emu), &crd_ar);
        let mut crd = crds
            .get("tenantclusters.butler.butlerlabs.dev")
            .await
            .unwrap();
        crd.data["spec"]["versions"][0]["schema"]["openAPIV3Schema"] =
            json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
        crds.replace(
            "tenantclusters.butler.butlerlabs.dev",
            &PostParams::default(),
            &crd,
        )
        .await
        .unwrap();
        let raw: Api<DynamicObject> = Api::namespaced_with(
            admin(&emu),
            "payments",
            &ApiResource::erase::<TenantCluster>(&()),
        );
        let broken: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "butler.butlerlabs.dev/v1alpha1", "kind": "TenantCluster",
            "metadata": {"name": "payments-broken", "namespace": "payments"},
            "spec": {"kubernetesVersion": 7, "workers": {"replicas": "three"}}
        }))
        .unwrap();
        raw.create(&PostParams::default(), &broken).await.unwrap();
        let carol = test_token("user:default/carol", &[]);
        let list = be.get_as("/api/butler/clusters", &carol).await;
        assert_eq!(list.status, 200);
        assert_eq!(
            list.json()["items"].as_array().unwrap().len(),
            2,
            "{:?}",
            list.json()
        );

        // A new TenantCluster shows within 2 s; its deletion removes the entity within 2 s.
        let api: Api<TenantCluster> = Api::namespaced(admin(&emu), "payments");
        let tc: TenantCluster = serde_json::from_value(json!({
        "apiVersion": "butler.butlerlabs.dev/v1alpha1", "kind": "TenantCluster",
        "metadata": {"name": "payments-canary", "namespace": "payments"},
        "spec": {"kubernetesVersion": "v1.33.1", "teamRef": {"name": "payments"}, "workers": {"replicas": 1}}
    }))
    .unwrap();
        api.create(&PostParams::default(), &tc).await.unwrap();
        let appeared = within(
            Duration::from_secs(2),
            "created cluster in the catalog",
            || async {
                entity(&be, "resource/default/payments-canary")
                    .await
                    .is_some()
            },
        )
        .await;
        api.delete("payments-canary", &DeleteParams::default())
            .await
            .unwrap();
        let removed = within(Duration::from_secs(2), "deleted cluster gone", || async {
            entity(&be, "resource/default/payments-canary")
                .await
                .is_none()
        })
        .await;
        assert!(entity(&be, "resource/default/payments-broken")
            .await
            .is_none());
        println!(
            "{}",
            json!({"catalog_create_ms": appeared.as_millis() as u64, "catalog_delete_ms": removed.as_millis() as u64})
        );
        emu.shutdown().await;
    }
);

both_engines!(
    should_feed_team_roles_and_sign_in_providers,
    |db| async move {
        let emu = emulator().await;
        let be = backend(db, &emu.url()).await;
        let perms = be.extension::<PermissionService>();

        // The User and Team caches list independently: wait for both.
        within(Duration::from_secs(5), "caches listed", || async {
            perms
                .roles(&identity("user:default/alice", &[]))
                .platform_admin
                && !perms
                    .roles(&identity("user:default/carol", &[]))
                    .teams
                    .is_empty()
        })
        .await;
        let carol = perms.roles(&identity("user:default/carol", &[]));
        assert!(!carol.platform_admin);
        assert_eq!(
            carol.teams,
            vec![("group:default/payments".to_string(), Role::Admin)]
        );
        let bob = identity("user:default/bob", &[]);
        assert_eq!(
            perms.roles(&bob).teams,
            vec![("group:default/platform".to_string(), Role::Operator)]
        );

        // Adding bob to payments as operator changes what he may do within seconds.
        let teams: Api<Team> = Api::all(admin(&emu));
        let mut users =
            serde_json::to_value(&teams.get("payments").await.unwrap().spec.access.users).unwrap();
        users
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "bob@acme.example", "role": "operator"}));
        teams
            .patch(
                "payments",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"access": {"users": users}}})),
            )
            .await
            .unwrap();
        within(
            Duration::from_secs(2),
            "team change in the roles",
            || async {
                perms
                    .roles(&bob)
                    .teams
                    .contains(&("group:default/payments".to_string(), Role::Operator))
            },
        )
        .await;

        // The seeded IdentityProvider is a sign-in provider with the secret from its Secret.
        let signin = be.extension::<SignInProvidersExtensionPoint>();
        within(Duration::from_secs(5), "acme-sso provider", || async {
            signin.oidc_provider("acme-sso").is_some()
        })
        .await;
        let p = signin.oidc_provider("acme-sso").unwrap();
        assert_eq!(p.client_secret, "demo-client-secret");
        assert_eq!(p.client_id, "butler-portal");
        assert_eq!(p.title.as_deref(), Some("ACME SSO"));
        assert_eq!(p.scope.as_deref(), Some("email profile groups"));
        emu.shutdown().await;
    }
);

both_engines!(
    should_degrade_when_the_api_server_is_unreachable,
    |db| async move {
        // A port nobody listens on.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let url = format!("http://127.0.0.1:{port}");
        let be = backend(db, &url).await;
        let token = test_token("user:default/erin", &[]);
        let st = be.get_as("/api/butler/status", &token).await.json();
        assert_eq!(st["connected"], false);
        assert!(
            st["message"].as_str().unwrap().contains("cannot reach"),
            "{st}"
        );
        for path in ["/api/butler/clusters", "/api/butler/clusters/payments/x"] {
            let r = be.get_as(path, &token).await;
            assert_eq!(r.status, 503, "{path}");
            assert_eq!(r.json()["error"]["name"], "ServiceUnavailableError");
            assert!(
                r.json()["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("unavailable"),
                "{:?}",
                r.json()
            );
        }
        let checks = be.extension::<ReadinessExtensionPoint>().run().await;
        let (_, k) = checks.iter().find(|(n, _)| n == "kubernetes").unwrap();
        assert_eq!(k.status, CheckStatus::Degraded);
        // The rest of the portal stays up.
        assert_eq!(be.get_as("/api/catalog/entities", &token).await.status, 200);
    }
);

both_engines!(
    should_degrade_when_the_portal_is_not_authorized,
    |db| async move {
        // The portal's own identity may not list TenantClusters (no admin group, no grants).
        let emu = Emulator::start(EmulatorConfig {
            seed_demo: true,
            rbac: kube_emulator::RbacConfig {
                default_user: "system:serviceaccount:butler:portal".into(),
                default_groups: vec![],
                admin_groups: Default::default(),
                ..Default::default()
            },
            ..EmulatorConfig::for_tests()
        })
        .await
        .unwrap();
        let be = backend(db, &emu.url()).await;
        let token = test_token("user:default/alice", &[]);
        let st = be.get_as("/api/butler/status", &token).await.json();
        assert_eq!(st["connected"], false, "{st}");
        assert!(
            st["message"].as_str().unwrap().contains("not allowed"),
            "{st}"
        );
        let r = be.get_as("/api/butler/clusters", &token).await;
        assert_eq!(r.status, 503);
        assert_eq!(r.json()["error"]["name"], "ServiceUnavailableError");
        let checks = be.extension::<ReadinessExtensionPoint>().run().await;
        let (_, k) = checks.iter().find(|(n, _)| n == "kubernetes").unwrap();
        assert_eq!(k.status, CheckStatus::Degraded);
        emu.shutdown().await;
    }
);
