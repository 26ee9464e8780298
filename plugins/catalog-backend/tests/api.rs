//! REST API: filters, fields, ordering, pagination, cursors, facets, by-refs, locations,
//! validation, and the error body of every kind of bad input.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use test_utils::both_engines;

fn get_names(v: &Value) -> BTreeSet<String> {
    names(v).into_iter().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

both_engines!(should_filter_project_and_order_entities, |db| async move {
    let dir = tempfile::tempdir().unwrap();
    let (be, _) = start_with_org(db, dir.path(), json!({})).await;
    wait_for(
        &be,
        "/api/catalog/entities?filter=relations.ownedby=group:default/team-b",
        |r| r.json().as_array().unwrap().len() == 2,
    )
    .await;
    let q = |path: &str| {
        let be = &be;
        let path = path.to_string();
        async move {
            let r = be.aget(&format!("/api/catalog/entities{path}")).await;
            assert_eq!(
                r.status,
                200,
                "{path}: {}",
                String::from_utf8_lossy(&r.body)
            );
            r.json()
        }
    };
    assert_eq!(
        get_names(&q("?filter=kind=component").await),
        set(&["svc-a", "svc-b", "svc-c"])
    );
    // Case-insensitive keys and values; AND within a set; OR across sets; repeated key ORs.
    assert_eq!(
        get_names(&q("?filter=Kind=COMPONENT,spec.type=website").await),
        set(&["svc-b"])
    );
    assert_eq!(
        get_names(&q("?filter=kind=api&filter=kind=resource").await),
        set(&["api-a", "db"])
    );
    assert_eq!(
        get_names(&q("?filter=kind=api,kind=resource").await),
        set(&["api-a", "db"])
    );
    // Existence, arrays of strings both ways, relations, annotations.
    assert_eq!(
        get_names(&q("?filter=metadata.tags").await),
        set(&["svc-a", "svc-b", "team-a"])
    );
    assert_eq!(
        get_names(&q("?filter=metadata.tags.rust").await),
        set(&["svc-a"])
    );
    assert_eq!(
        get_names(&q("?filter=metadata.tags=java").await),
        set(&["svc-a", "svc-b"])
    );
    assert_eq!(
        get_names(&q("?filter=relations.ownedBy=group:default/team-b").await),
        set(&["svc-b", "svc-c"])
    );
    assert_eq!(
        get_names(&q("?filter=spec.profile.email=ALICE@example.com").await),
        set(&["alice"])
    );
    assert_eq!(
        q("?filter=metadata.namespace=default")
            .await
            .as_array()
            .unwrap()
            .len(),
        11
    );
    assert_eq!(q("?filter=kind=nothing").await, json!([]));
    // Fields projection.
    let p = q(
        "?filter=kind=component&fields=metadata.name,kind&fields=spec.type&order=asc:metadata.name",
    )
    .await;
    assert_eq!(
        p[0],
        json!({"kind": "Component", "metadata": {"name": "svc-a"}, "spec": {"type": "service"}})
    );
    // Ordering.
    let desc = q("?filter=kind=component&order=desc:metadata.name").await;
    assert_eq!(names(&desc), vec!["svc-c", "svc-b", "svc-a"]);
    let by_type = q("?filter=kind=component&order=asc:spec.type&order=desc:metadata.name").await;
    assert_eq!(names(&by_type), vec!["svc-c", "svc-a", "svc-b"]);
    // Offset + limit.
    let page = q("?filter=kind=component&order=asc:metadata.name&offset=1&limit=1").await;
    assert_eq!(names(&page), vec!["svc-b"]);
});

both_engines!(should_paginate_to_the_end, |db| async move {
    let dir = tempfile::tempdir().unwrap();
    let (be, _) = start_with_org(db, dir.path(), json!({})).await;
    // GET /entities with Link headers.
    let mut url = "/api/catalog/entities?limit=3&order=asc:metadata.name".to_string();
    let mut seen = Vec::new();
    for _ in 0..10 {
        let r = be.aget(&url).await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        seen.extend(names(&r.json()));
        match r.headers.get("link") {
            Some(l) => {
                let l = l.to_str().unwrap();
                assert!(l.ends_with("; rel=\"next\""), "{l}");
                assert!(l.contains("after="), "{l}");
                url = l[1..l.find('>').unwrap()].to_string();
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 11);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);

    // by-query: forward to the end, then back with prevCursor.
    let first = be
        .aget("/api/catalog/entities/by-query?limit=4&orderField=metadata.name,asc")
        .await
        .json();
    assert_eq!(first["totalItems"], 11);
    assert!(first["pageInfo"].get("prevCursor").is_none());
    let mut pages = vec![names(&first["items"])];
    let mut cur = first["pageInfo"]["nextCursor"]
        .as_str()
        .unwrap()
        .to_string();
    let mut last = first.clone();
    while !cur.is_empty() {
        let r = be
            .aget(&format!(
                "/api/catalog/entities/by-query?cursor={}",
                urlencode(&cur)
            ))
            .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        last = r.json();
        assert_eq!(last["totalItems"], 11);
        pages.push(names(&last["items"]));
        cur = last["pageInfo"]["nextCursor"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    }
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![4, 4, 3]
    );
    let all: Vec<String> = pages.concat();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    let prev = last["pageInfo"]["prevCursor"].as_str().unwrap();
    let back = be
        .aget(&format!(
            "/api/catalog/entities/by-query?cursor={}",
            urlencode(prev)
        ))
        .await
        .json();
    assert_eq!(names(&back["items"]), pages[1]);
    let prev = back["pageInfo"]["prevCursor"].as_str().unwrap();
    let back = be
        .aget(&format!(
            "/api/catalog/entities/by-query?cursor={}",
            urlencode(prev)
        ))
        .await
        .json();
    assert_eq!(names(&back["items"]), pages[0]);
    assert!(back["pageInfo"].get("prevCursor").is_none(), "{back}");
    assert!(back["pageInfo"]["nextCursor"].is_string());

    // Descending order, filter, fields, full text, default limit.
    let d = be
        .aget("/api/catalog/entities/by-query?filter=kind=component&orderField=metadata.name,desc&fields=metadata.name")
        .await
        .json();
    assert_eq!(names(&d["items"]), vec!["svc-c", "svc-b", "svc-a"]);
    assert_eq!(d["items"][0], json!({"metadata": {"name": "svc-c"}}));
    let ft = be.aget("/api/catalog/entities/by-query?fullTextFilterTerm=ALPHA&fullTextFilterFields=metadata.title").await.json();
    assert_eq!(names(&ft["items"]), vec!["svc-a"]);
    assert_eq!(ft["totalItems"], 1);
    let ft = be
        .aget("/api/catalog/entities/by-query?fullTextFilterTerm=svc")
        .await
        .json();
    assert_eq!(ft["totalItems"], 3);
    let all = be.aget("/api/catalog/entities/by-query").await.json();
    assert_eq!(all["items"].as_array().unwrap().len(), 11);
    assert!(all["pageInfo"].get("nextCursor").is_none());
});

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

both_engines!(
    should_serve_refs_facets_uid_and_locations,
    |db| async move {
        let dir = tempfile::tempdir().unwrap();
        let (be, _) = start_with_org(db, dir.path(), json!({})).await;
        let r = be
        .apost("/api/catalog/entities/by-refs", &json!({"entityRefs": ["component:default/svc-b", "component:nope", "Group:team-a"], "fields": ["metadata.name"]}))
        .await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.json(),
            json!({"items": [{"metadata": {"name": "svc-b"}}, null, {"metadata": {"name": "team-a"}}]})
        );
        let r = be
            .apost(
                "/api/catalog/entities/by-refs?filter=kind=group",
                &json!({"entityRefs": ["component:default/svc-b", "group:default/team-a"]}),
            )
            .await;
        let items = r.json()["items"].clone();
        assert!(items[0].is_null());
        assert_eq!(items[1]["kind"], "Group");

        let f = be
            .aget("/api/catalog/entity-facets?facet=kind&facet=spec.type&filter=kind=component")
            .await
            .json();
        assert_eq!(
            f["facets"]["kind"],
            json!([{"value": "Component", "count": 3}])
        );
        let types: BTreeSet<(String, u64)> = f["facets"]["spec.type"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["value"].as_str().unwrap().to_string(),
                    v["count"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            types,
            [("service".to_string(), 2), ("Website".to_string(), 1)]
                .into_iter()
                .collect()
        );
        let tags = be
            .aget("/api/catalog/entity-facets?facet=metadata.tags")
            .await
            .json();
        assert!(tags["facets"]["metadata.tags"]
            .as_array()
            .unwrap()
            .contains(&json!({"value": "java", "count": 2})));

        let svc = wait_entity(&be, "component", "svc-a").await;
        let uid = svc["metadata"]["uid"].as_str().unwrap();
        let byuid = be
            .aget(&format!("/api/catalog/entities/by-uid/{uid}"))
            .await;
        assert_eq!(byuid.status, 200);
        assert_eq!(byuid.json()["metadata"]["name"], "svc-a");

        // Dry run: entities that would be created, nothing stored.
        let extra = tempfile::tempdir().unwrap();
        write(extra.path(), "x.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: dry}\nspec: {type: service, lifecycle: production, owner: team-a}\n");
        let target = extra.path().join("x.yaml").to_str().unwrap().to_string();
        let r = be
            .apost(
                "/api/catalog/locations?dryRun=true",
                &json!({"type": "file", "target": target}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        let body = r.json();
        assert_eq!(body["exists"], false);
        assert_eq!(names(&body["entities"]), vec!["dry"]);
        assert_eq!(
            be.aget("/api/catalog/locations")
                .await
                .json()
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            be.aget("/api/catalog/entities/by-name/component/default/dry")
                .await
                .status,
            404
        );
        // Dry run of a broken location: 400.
        let r = be
            .apost(
                "/api/catalog/locations?dryRun=true",
                &json!({"type": "file", "target": "/nonexistent/x.yaml"}),
            )
            .await;
        assert_eq!(r.status, 400);
        // Real add, then list.
        let r = be
            .apost(
                "/api/catalog/locations",
                &json!({"type": "file", "target": target}),
            )
            .await;
        assert_eq!(r.status, 201);
        wait_entity(&be, "component", "dry").await;
        assert_eq!(
            be.aget("/api/catalog/locations")
                .await
                .json()
                .as_array()
                .unwrap()
                .len(),
            2
        );
        // Analyze.
        let r = be
            .apost(
                "/api/catalog/analyze-location",
                &json!({"location": {"type": "file", "target": target}}),
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["existingEntityFiles"][0]["isRegistered"], true);
        assert_eq!(r.json()["generateEntities"], json!([]));
        // Validate.
        let ok = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "v"},
                    "spec": {"type": "service", "lifecycle": "production", "owner": "x"}});
        let r = be
            .apost(
                "/api/catalog/validate-entity",
                &json!({"entity": ok, "location": "url:https://x/c.yaml"}),
            )
            .await;
        assert_eq!(r.status, 200);
        let bad = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "-v", "tags": ["Bad"]}, "spec": {}});
        let r = be
            .apost(
                "/api/catalog/validate-entity",
                &json!({"entity": bad, "location": "url:https://x/c.yaml"}),
            )
            .await;
        assert_eq!(r.status, 400);
        let errs = r.json()["errors"].as_array().unwrap().clone();
        assert!(errs.len() >= 2);
        assert!(errs
            .iter()
            .all(|e| e["name"].is_string() && e["message"].is_string()));
        // OpenAPI document.
        let doc = be.aget("/api/catalog/openapi.json").await.json();
        assert_eq!(doc["openapi"], "3.0.3");
        assert!(doc["paths"]["/entities/by-query"]["get"].is_object());
    }
);

both_engines!(
    should_reject_bad_input_with_backstage_errors,
    |db| async move {
        let (be, _) = start(db, json!({"processingIntervalSeconds": 3600})).await;
        let cases = [
            "/api/catalog/entities?filter=",
            "/api/catalog/entities?filter=kind=a,,b",
            "/api/catalog/entities?filter==x",
            "/api/catalog/entities?limit=0",
            "/api/catalog/entities?limit=abc",
            "/api/catalog/entities?offset=-1",
            "/api/catalog/entities?after=",
            "/api/catalog/entities?after=notbase64!!",
            "/api/catalog/entities?order=sideways:metadata.name",
            "/api/catalog/entities/by-query?cursor=e30%3D",
            "/api/catalog/entities/by-query?limit=-5",
            "/api/catalog/entities/by-query?orderField=metadata.name,up",
            "/api/catalog/entity-facets",
            "/api/catalog/entity-facets?facet=kind&filter=",
        ];
        for path in cases {
            let r = be.aget(path).await;
            assert_eq!(
                r.status,
                400,
                "{path}: {}",
                String::from_utf8_lossy(&r.body)
            );
            let b = r.json();
            assert_eq!(b["error"]["name"], "InputError", "{path}");
            assert!(!b["error"]["message"].as_str().unwrap().is_empty());
            assert_eq!(b["response"]["statusCode"], 400);
            assert_eq!(b["request"]["method"], "GET");
        }
        let posts = [
            ("/api/catalog/entities/by-refs", json!({"nope": 1})),
            (
                "/api/catalog/entities/by-refs",
                json!({"entityRefs": ["nokind"]}),
            ),
            (
                "/api/catalog/locations",
                json!({"type": "ftp", "target": "x"}),
            ),
            (
                "/api/catalog/locations",
                json!({"type": "url", "target": "not a url"}),
            ),
            ("/api/catalog/locations", json!({"type": "url"})),
            ("/api/catalog/refresh", json!({})),
            ("/api/catalog/refresh", json!({"entityRef": "nokind"})),
            ("/api/catalog/validate-entity", json!({"entity": {}})),
            (
                "/api/catalog/validate-entity",
                json!({"entity": {}, "location": "nocolon"}),
            ),
            ("/api/catalog/analyze-location", json!({})),
        ];
        for (path, body) in posts {
            let r = be.apost(path, &body).await;
            assert_eq!(
                r.status,
                400,
                "{path} {body}: {}",
                String::from_utf8_lossy(&r.body)
            );
            assert_eq!(r.json()["error"]["name"], "InputError");
        }
        let r = be
            .send(
                axum::http::Request::post("/api/catalog/entities/by-refs")
                    .header("authorization", TOKEN)
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from("{not json"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, 400);
        for path in [
            "/api/catalog/entities/by-name/component/default/nope",
            "/api/catalog/entities/by-name/component/default/nope/ancestry",
            "/api/catalog/entities/by-uid/nope",
            "/api/catalog/locations/nope",
            "/api/catalog/locations/by-entity/component/default/nope",
        ] {
            let r = be.aget(path).await;
            assert_eq!(r.status, 404, "{path}");
            assert_eq!(r.json()["error"]["name"], "NotFoundError");
        }
        assert_eq!(be.adel("/api/catalog/locations/nope").await.status, 404);
    }
);
