//! Router tests of the home plugin on both engines.

use plugin_home_backend::HomeBackendPlugin;
use std::sync::Arc;
use test_utils::{both_engines, TestBackend};

both_engines!(should_serve_info_and_count_visits, |db| async move {
    let engine = db.database().engine().as_str();
    let be = TestBackend::start(
        db,
        vec![Arc::new(HomeBackendPlugin)],
        serde_json::json!({"home": {"title": "Acme Portal"}}),
    )
    .await;
    let info = be.get("/api/home/info").await;
    assert_eq!(info.status, 200);
    assert_eq!(info.json()["title"], "Acme Portal");
    assert_eq!(info.json()["database"], engine);

    assert_eq!(be.get("/api/home/visits").await.json()["count"], 0);
    be.post_json("/api/home/visits", &serde_json::json!({})).await;
    let after = be.post_json("/api/home/visits", &serde_json::json!({})).await;
    assert_eq!(after.json()["count"], 2);
});
