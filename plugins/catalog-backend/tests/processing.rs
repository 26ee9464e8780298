//! Processing: locations → entities, relations both ways, placeholders, errors keeping the
//! last good version, conflicts, orphans, location deletion, providers, custom kinds.

mod common;

use backend_plugin_api::catalog::{DeferredEntity, Mutation, RemovedEntity};
use common::*;
use serde_json::json;
use std::time::{Duration, Instant};
use test_utils::both_engines;

both_engines!(
    should_load_locations_with_relations_both_ways,
    |db| async move {
        let dir = tempfile::tempdir().unwrap();
        let (be, _) = start_with_org(db, dir.path(), json!({})).await;
        let svc = wait_for(
            &be,
            "/api/catalog/entities/by-name/component/default/svc-a",
            |r| {
                relations(&r.json()).contains(&"apiConsumedBy component:default/svc-b".to_string())
                    || r.json()["kind"] == "Component"
            },
        )
        .await
        .json();
        let rels = relations(&svc);
        for want in [
            "ownedBy group:default/team-a",
            "partOf system:default/sys",
            "providesApi api:default/api-a",
            "dependsOn resource:default/db",
        ] {
            assert!(
                rels.contains(&want.to_string()),
                "{want} missing in {rels:?}"
            );
        }
        assert!(svc["metadata"]["uid"]
            .as_str()
            .is_some_and(|u| !u.is_empty()));
        assert!(svc["metadata"]["etag"]
            .as_str()
            .is_some_and(|u| !u.is_empty()));
        let loc = format!("file:{}", dir.path().join("sub/software.yaml").display());
        assert_eq!(
            svc["metadata"]["annotations"]["backstage.io/managed-by-location"],
            loc.as_str()
        );
        let origin = format!("file:{}", dir.path().join("all.yaml").display());
        assert_eq!(
            svc["metadata"]["annotations"]["backstage.io/managed-by-origin-location"],
            origin.as_str()
        );

        // Reverse relations are stitched into the targets.
        let team = wait_for(
            &be,
            "/api/catalog/entities/by-name/group/default/team-a",
            |r| {
                let rels = relations(&r.json());
                [
                    "ownerOf component:default/svc-a",
                    "ownerOf api:default/api-a",
                    "hasMember user:default/alice",
                    "ownerOf system:default/sys",
                ]
                .iter()
                .all(|w| rels.contains(&w.to_string()))
            },
        )
        .await
        .json();
        assert_eq!(team["kind"], "Group");
        let alice = wait_for(
            &be,
            "/api/catalog/entities/by-name/user/default/alice",
            |r| {
                let rels = relations(&r.json());
                rels.contains(&"memberOf group:default/team-a".to_string())
                    && rels.contains(&"memberOf group:default/team-b".to_string())
            },
        )
        .await
        .json();
        assert_eq!(alice["spec"]["profile"]["email"], "alice@example.com");
        let api = wait_for(
            &be,
            "/api/catalog/entities/by-name/api/default/api-a",
            |r| {
                let rels = relations(&r.json());
                rels.contains(&"apiProvidedBy component:default/svc-a".to_string())
                    && rels.contains(&"apiConsumedBy component:default/svc-b".to_string())
            },
        )
        .await
        .json();
        assert_eq!(api["spec"]["definition"], "openapi: 3.0.0\n");
        // Resource db is referenced but also exists: dependencyOf.
        wait_for(
            &be,
            "/api/catalog/entities/by-name/resource/default/db",
            |r| relations(&r.json()).contains(&"dependencyOf component:default/svc-a".to_string()),
        )
        .await;

        // Ancestry: svc-a ← root location ← generated location.
        let anc = be
            .aget("/api/catalog/entities/by-name/component/default/svc-a/ancestry")
            .await
            .json();
        assert_eq!(anc["rootEntityRef"], "component:default/svc-a");
        let items = anc["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "{anc}");
        assert_eq!(
            items[0]["parentEntityRefs"],
            json!(["location:default/root"])
        );
        assert_eq!(items[2]["entity"]["kind"], "Location");

        // Locations: the config location is listed and cannot be deleted.
        let locs = be.aget("/api/catalog/locations").await.json();
        let locs = locs.as_array().unwrap();
        assert_eq!(locs.len(), 1);
        assert_eq!(locs[0]["data"]["type"], "file");
        let id = locs[0]["data"]["id"].as_str().unwrap().to_string();
        let by_entity = be
            .aget("/api/catalog/locations/by-entity/component/default/svc-a")
            .await;
        assert_eq!(by_entity.status, 200);
        assert_eq!(by_entity.json()["id"], id.as_str());
        assert_eq!(
            be.aget(&format!("/api/catalog/locations/{id}"))
                .await
                .json()["target"],
            locs[0]["data"]["target"]
        );
        let del = be.adel(&format!("/api/catalog/locations/{id}")).await;
        assert_eq!(del.status, 403);
        assert_eq!(del.json()["error"]["name"], "NotAllowedError");
    }
);

both_engines!(
    should_keep_last_good_version_and_record_errors,
    |db| async move {
        let dir = tempfile::tempdir().unwrap();
        let (be, _) = start_with_org(db, dir.path(), json!({})).await;
        let before = wait_entity(&be, "component", "svc-c").await;
        assert!(before.get("status").is_none());
        // Break svc-c (missing lifecycle), keep the rest of the file valid.
        let text = std::fs::read_to_string(dir.path().join("sub/software.yaml")).unwrap();
        let broken = text.replace(
            "spec: {type: service, lifecycle: production, owner: team-b}",
            "spec: {type: service, owner: team-b, newField: 1}",
        );
        assert_ne!(text, broken);
        write(dir.path(), "sub/software.yaml", &broken);
        let r = be
            .apost(
                "/api/catalog/refresh",
                &json!({"entityRef": "component:default/svc-c"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let after = wait_for(
            &be,
            "/api/catalog/entities/by-name/component/default/svc-c",
            |r| {
                r.json()["status"]["items"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty())
            },
        )
        .await
        .json();
        let item = &after["status"]["items"][0];
        assert_eq!(item["type"], "backstage.io/catalog-processing");
        assert_eq!(item["level"], "error");
        assert_eq!(item["error"]["name"], "InputError");
        assert!(
            item["error"]["message"]
                .as_str()
                .unwrap()
                .contains("spec.lifecycle"),
            "{item}"
        );
        // The last good version is kept.
        assert_eq!(after["spec"]["lifecycle"], "production");
        assert!(after["spec"].get("newField").is_none());
        // Fix it again: the error goes away and the new content shows.
        write(
            dir.path(),
            "sub/software.yaml",
            &text.replace("owner: team-b}", "owner: team-a}"),
        );
        let r = be
            .apost(
                "/api/catalog/refresh",
                &json!({"entityRef": "component:default/svc-c"}),
            )
            .await;
        assert_eq!(r.status, 200);
        let fixed = wait_for(
            &be,
            "/api/catalog/entities/by-name/component/default/svc-c",
            |r| r.json()["spec"]["owner"] == "team-a",
        )
        .await
        .json();
        assert!(fixed.get("status").is_none(), "{fixed}");
        assert_ne!(fixed["metadata"]["etag"], before["metadata"]["etag"]);
        assert_eq!(fixed["metadata"]["uid"], before["metadata"]["uid"]);
        // Unknown entity refresh: 404.
        let r = be
            .apost(
                "/api/catalog/refresh",
                &json!({"entityRef": "component:default/nope"}),
            )
            .await;
        assert_eq!(r.status, 404);
    }
);

both_engines!(
    should_report_conflicts_and_keep_first_owner,
    |db| async move {
        let dir = tempfile::tempdir().unwrap();
        let (be, _) = start_with_org(db, dir.path(), json!({})).await;
        write(dir.path(), "other.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc-a}\nspec: {type: library, lifecycle: production, owner: team-b}\n");
        let target = dir.path().join("other.yaml").to_str().unwrap().to_string();
        let r = be
            .apost(
                "/api/catalog/locations",
                &json!({"type": "file", "target": target}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        // The generated location entity of the second location records the conflict.
        let loc = wait_for(
            &be,
            "/api/catalog/entities?filter=kind=location,spec.target="
                .to_string()
                .as_str(),
            |_| true,
        )
        .await;
        assert_eq!(loc.status, 200);
        let t0 = Instant::now();
        loop {
            let all = be
                .aget("/api/catalog/entities?filter=kind=location")
                .await
                .json();
            let with_err = all.as_array().unwrap().iter().find(|e| {
                e["status"]["items"]
                    .as_array()
                    .is_some_and(|i| i.iter().any(|x| x["error"]["name"] == "ConflictError"))
            });
            if let Some(e) = with_err {
                assert_eq!(e["spec"]["target"], target.as_str());
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "no conflict recorded: {all}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let svc = be
            .aget("/api/catalog/entities/by-name/component/default/svc-a")
            .await
            .json();
        assert_eq!(svc["spec"]["type"], "service");
    }
);

both_engines!(
    should_mark_orphans_and_delete_with_location,
    |db| async move {
        let dir = tempfile::tempdir().unwrap();
        let (be, _) = start(db, json!({"processingIntervalSeconds": 3600})).await;
        write(dir.path(), "cat.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: g1}\nspec: {type: team, children: []}\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: g2}\nspec: {type: team, children: []}\n");
        let target = dir.path().join("cat.yaml").to_str().unwrap().to_string();
        let r = be
            .apost(
                "/api/catalog/locations",
                &json!({"type": "file", "target": target}),
            )
            .await;
        assert_eq!(r.status, 201);
        let body = r.json();
        assert_eq!(body["location"]["type"], "file");
        assert_eq!(body["entities"], json!([]));
        let id = body["location"]["id"].as_str().unwrap().to_string();
        wait_entity(&be, "group", "g2").await;
        // Duplicate registration: 409.
        let dup = be
            .apost(
                "/api/catalog/locations",
                &json!({"type": "file", "target": target}),
            )
            .await;
        assert_eq!(dup.status, 409);
        assert_eq!(dup.json()["error"]["name"], "ConflictError");
        // g2 disappears from the file: orphan (kept).
        write(dir.path(), "cat.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: g1}\nspec: {type: team, children: []}\n");
        be.apost(
            "/api/catalog/refresh",
            &json!({"entityRef": "group:default/g1"}),
        )
        .await;
        wait_for(&be, "/api/catalog/entities/by-name/group/default/g2", |r| {
            r.json()["metadata"]["annotations"]["backstage.io/orphan"] == "true"
        })
        .await;
        let orphans = be
            .aget("/api/catalog/entities?filter=metadata.annotations.backstage.io/orphan=true")
            .await
            .json();
        assert_eq!(names(&orphans), vec!["g2"]);
        // Deleting the location deletes its entities (orphans stay until deleted by uid).
        let del = be.adel(&format!("/api/catalog/locations/{id}")).await;
        assert_eq!(del.status, 204);
        wait_for(&be, "/api/catalog/entities/by-name/group/default/g1", |r| {
            r.status == 404
        })
        .await;
        assert_eq!(
            be.aget(&format!("/api/catalog/locations/{id}"))
                .await
                .status,
            404
        );
        let g2 = be
            .aget("/api/catalog/entities/by-name/group/default/g2")
            .await
            .json();
        let uid = g2["metadata"]["uid"].as_str().unwrap().to_string();
        assert_eq!(
            be.adel(&format!("/api/catalog/entities/by-uid/{uid}"))
                .await
                .status,
            204
        );
        assert_eq!(
            be.aget(&format!("/api/catalog/entities/by-uid/{uid}"))
                .await
                .status,
            404
        );
        assert_eq!(
            be.adel(&format!("/api/catalog/entities/by-uid/{uid}"))
                .await
                .status,
            404
        );
    }
);

both_engines!(
    should_delete_orphans_with_delete_strategy,
    |db| async move {
        let dir = tempfile::tempdir().unwrap();
        let (be, _) = start_with_org(db, dir.path(), json!({"orphanStrategy": "delete"})).await;
        let text = std::fs::read_to_string(dir.path().join("org.yaml")).unwrap();
        let cut = text
            .split("---\napiVersion: backstage.io/v1alpha1\nkind: User")
            .next()
            .unwrap()
            .to_string();
        write(dir.path(), "org.yaml", &cut);
        be.apost(
            "/api/catalog/refresh",
            &json!({"entityRef": "group:default/team-a"}),
        )
        .await;
        wait_for(
            &be,
            "/api/catalog/entities/by-name/user/default/alice",
            |r| r.status == 404,
        )
        .await;
        // Relations pointing at the deleted user disappear from the group's reverse side.
        wait_for(
            &be,
            "/api/catalog/entities/by-name/group/default/team-b",
            |r| {
                !relations(&r.json())
                    .iter()
                    .any(|x| x.starts_with("hasMember"))
            },
        )
        .await;
    }
);

both_engines!(should_apply_provider_mutations_promptly, |db| async move {
    let (be, provider) = start(db, json!({"processingIntervalSeconds": 3600})).await;
    let conn = provider.connection().await;
    let comp = |name: &str, owner: &str| {
        DeferredEntity::new(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": name}, "spec": {"type": "service", "lifecycle": "production", "owner": owner}}),
        )
    };
    conn.apply_mutation(Mutation::Full {
        entities: vec![comp("p1", "team-x"), comp("p2", "team-x")],
    })
    .await
    .unwrap();
    let t0 = Instant::now();
    wait_entity(&be, "component", "p2").await;
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t0.elapsed()
    );
    // Delta: add p3, remove p1.
    let t0 = Instant::now();
    conn.apply_mutation(Mutation::Delta {
        added: vec![comp("p3", "team-y")],
        removed: vec![RemovedEntity::new("component:default/p1")],
    })
    .await
    .unwrap();
    wait_entity(&be, "component", "p3").await;
    wait_for(
        &be,
        "/api/catalog/entities/by-name/component/default/p1",
        |r| r.status == 404,
    )
    .await;
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t0.elapsed()
    );
    // Change p2 through a delta: the new owner shows, with its relation.
    conn.apply_mutation(Mutation::Delta {
        added: vec![comp("p2", "team-z")],
        removed: vec![],
    })
    .await
    .unwrap();
    wait_for(
        &be,
        "/api/catalog/entities/by-name/component/default/p2",
        |r| relations(&r.json()) == vec!["ownedBy group:default/team-z".to_string()],
    )
    .await;
    // Full mutation replaces everything of the provider.
    conn.apply_mutation(Mutation::Full {
        entities: vec![comp("p9", "team-x")],
    })
    .await
    .unwrap();
    wait_entity(&be, "component", "p9").await;
    wait_for(&be, "/api/catalog/entities?filter=kind=component", |r| {
        names(&r.json()) == vec!["p9"]
    })
    .await;
});

both_engines!(
    should_validate_custom_kinds_with_json_schema,
    |db| async move {
        let (be, provider) = start(db, json!({"processingIntervalSeconds": 3600})).await;
        let conn = provider.connection().await;
        let cluster = |name: &str, spec: serde_json::Value| {
            DeferredEntity::new(
                json!({"apiVersion": "butler.butlerlabs.dev/v1alpha1", "kind": "TenantCluster",
            "metadata": {"name": name}, "spec": spec}),
            )
            .with_location_key("butler:clusters")
        };
        conn.apply_mutation(Mutation::Full {
        entities: vec![
            cluster("good", json!({"owner": "team-a", "kubernetesVersion": "1.31", "workers": 3})),
            cluster("bad", json!({"owner": "team-a", "workers": 0})),
            DeferredEntity::new(json!({"apiVersion": "unknown.io/v1", "kind": "Mystery", "metadata": {"name": "m"}})),
        ],
    })
    .await
    .unwrap();
        let good = wait_entity(&be, "tenantcluster", "good").await;
        assert_eq!(good["spec"]["workers"], 3);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            be.aget("/api/catalog/entities/by-name/tenantcluster/default/bad")
                .await
                .status,
            404
        );
        assert_eq!(
            be.aget("/api/catalog/entities/by-name/mystery/default/m")
                .await
                .status,
            404
        );
        // A good entity turning bad keeps its last good version and shows the schema error.
        conn.apply_mutation(Mutation::Delta {
            added: vec![cluster(
                "good",
                json!({"owner": "team-a", "kubernetesVersion": 131}),
            )],
            removed: vec![],
        })
        .await
        .unwrap();
        let e = wait_for(
            &be,
            "/api/catalog/entities/by-name/tenantcluster/default/good",
            |r| {
                r.json()["status"]["items"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty())
            },
        )
        .await
        .json();
        assert_eq!(e["spec"]["kubernetesVersion"], "1.31");
        assert!(
            e["status"]["items"][0]["message"]
                .as_str()
                .unwrap()
                .contains("spec.kubernetesVersion"),
            "{e}"
        );
        // validate-entity knows the custom kind too.
        let r = be
        .apost("/api/catalog/validate-entity", &json!({"location": "url:https://x/y.yaml", "entity":
            {"apiVersion": "butler.butlerlabs.dev/v1alpha1", "kind": "TenantCluster", "metadata": {"name": "x"}, "spec": {"owner": "a"}}}))
        .await;
        assert_eq!(r.status, 400);
        assert!(r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("kubernetesVersion"));
    }
);

both_engines!(should_record_unreachable_url_locations, |db| async move {
    let (be, _) = start(
        db,
        json!({"processingIntervalSeconds": 3600, "readTimeoutSeconds": 2,
        "locations": [{"type": "url", "target": "http://127.0.0.1:9/catalog-info.yaml"}]}),
    )
    .await;
    let t0 = Instant::now();
    loop {
        let all = be
            .aget("/api/catalog/entities?filter=kind=location")
            .await
            .json();
        if let Some(e) = all.as_array().unwrap().first() {
            if let Some(items) = e["status"]["items"].as_array() {
                assert!(
                    items[0]["error"]["message"]
                        .as_str()
                        .unwrap()
                        .contains("127.0.0.1:9"),
                    "{e}"
                );
                break;
            }
        }
        assert!(
            t0.elapsed() < Duration::from_secs(15),
            "no error recorded: {all}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
});
