//! Permissions on the catalog, on both engines: viewers read but cannot register
//! locations; operators can; owners may refresh/delete their own entities only; platform
//! admins may do everything; the catalog resolves users for sign-in.

mod common;

use backend_plugin_api::directory::UserDirectoryExtensionPoint;
use common::{start_with_org, wait_entity};
use serde_json::json;
use test_utils::{both_engines, test_token};

both_engines!(should_enforce_catalog_permissions, |db| async move {
    let dir = tempfile::tempdir().unwrap();
    let (be, _) = start_with_org(db, dir.path(), json!({})).await;
    let viewer = test_token("user:default/vic", &["group:default/search-team"]);
    let operator = test_token("user:default/olga", &["group:default/payments-operators"]);
    let owner_b = test_token("user:default/alice", &["group:default/team-b"]);
    let admin = test_token("user:default/ada", &["group:default/platform-admins"]);

    // Everyone signed in reads.
    assert_eq!(
        be.get_as("/api/catalog/entities?filter=kind=component", &viewer)
            .await
            .status,
        200
    );
    assert_eq!(be.get("/api/catalog/entities").await.status, 401);

    // A viewer cannot register a location; an operator can.
    let target = dir.path().join("org.yaml");
    let body = json!({"type": "file", "target": target.to_str().unwrap()});
    let denied = be
        .post_json_as("/api/catalog/locations", &body, &viewer)
        .await;
    assert_eq!(denied.status, 403, "{:?}", denied.json());
    assert_eq!(denied.json()["error"]["name"], "NotAllowedError");
    let dry = be
        .post_json_as("/api/catalog/locations?dryRun=true", &body, &viewer)
        .await;
    assert_eq!(dry.status, 403);
    let created = be
        .post_json_as("/api/catalog/locations", &body, &operator)
        .await;
    assert_eq!(created.status, 201, "{:?}", created.json());
    let location_id = created.json()["location"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        be.delete_as(&format!("/api/catalog/locations/{location_id}"), &viewer)
            .await
            .status,
        403
    );
    assert_eq!(
        be.delete_as(&format!("/api/catalog/locations/{location_id}"), &operator)
            .await
            .status,
        204
    );

    // Ownership: team-b's member may refresh svc-c (owned by team-b), not svc-a (team-a).
    let refresh = |r: &str| json!({"entityRef": r});
    assert_eq!(
        be.post_json_as(
            "/api/catalog/refresh",
            &refresh("component:default/svc-c"),
            &owner_b
        )
        .await
        .status,
        200
    );
    assert_eq!(
        be.post_json_as(
            "/api/catalog/refresh",
            &refresh("component:default/svc-a"),
            &owner_b
        )
        .await
        .status,
        403
    );
    assert_eq!(
        be.post_json_as(
            "/api/catalog/refresh",
            &refresh("component:default/svc-a"),
            &viewer
        )
        .await
        .status,
        403
    );
    assert_eq!(
        be.post_json_as(
            "/api/catalog/refresh",
            &refresh("component:default/svc-a"),
            &admin
        )
        .await
        .status,
        200
    );
    let svc_a = wait_entity(&be, "component", "svc-a").await;
    let uid = svc_a["metadata"]["uid"].as_str().unwrap();
    assert_eq!(
        be.delete_as(&format!("/api/catalog/entities/by-uid/{uid}"), &owner_b)
            .await
            .status,
        403
    );
});

#[tokio::test]
async fn should_find_users_by_email_and_ref() {
    let dir = tempfile::tempdir().unwrap();
    let (be, _) = start_with_org(test_utils::TestDb::sqlite().await, dir.path(), json!({})).await;
    let dir_ext = be.extension::<UserDirectoryExtensionPoint>();
    let directory = dir_ext.get().expect("catalog installs the user directory");
    let alice = directory
        .find_by_email("Alice@Example.com")
        .await
        .expect("alice by email");
    assert_eq!(alice.entity_ref, "user:default/alice");
    // memberOf comes from the user's spec and from team-a's `members` (both directions).
    let mut groups = alice.member_of.clone();
    groups.sort();
    assert_eq!(groups, vec!["group:default/team-a", "group:default/team-b"]);
    assert!(directory.find_by_ref("user:default/alice").await.is_some());
    assert!(directory
        .find_by_email("nobody@example.com")
        .await
        .is_none());
    assert!(directory
        .find_by_ref("group:default/team-a")
        .await
        .is_none());
}
