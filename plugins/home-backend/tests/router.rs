//! Router tests of the home plugin on both engines.

use plugin_home_backend::HomeBackendPlugin;
use std::sync::Arc;
use test_utils::{both_engines, test_token, TestBackend};

both_engines!(should_serve_info_and_count_visits, |db| async move {
    let engine = db.database().engine().as_str();
    let be = TestBackend::start(
        db,
        vec![Arc::new(HomeBackendPlugin)],
        serde_json::json!({"home": {"title": "Acme Portal"}}),
    )
    .await;
    assert_eq!(be.get("/api/home/info").await.status, 401);
    let t = test_token("user:default/jane", &[]);
    let info = be.get_as("/api/home/info", &t).await;
    assert_eq!(info.status, 200);
    assert_eq!(info.json()["title"], "Acme Portal");
    assert_eq!(info.json()["database"], engine);

    assert_eq!(be.get_as("/api/home/visits", &t).await.json()["count"], 0);
    be.post_json_as("/api/home/visits", &serde_json::json!({}), &t)
        .await;
    let after = be
        .post_json_as("/api/home/visits", &serde_json::json!({}), &t)
        .await;
    assert_eq!(after.json()["count"], 2);
});
