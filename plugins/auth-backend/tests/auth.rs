//! Router tests of the auth plugin on both engines: guest sign-in, identity tokens,
//! CSRF, sign-out, API tokens, rate limits, production lock-down.

use axum::body::Body;
use axum::http::Request;
use plugin_auth_backend::keys::{Claims, KeyStore};
use plugin_auth_backend::AuthBackendPlugin;
use serde_json::{json, Value};
use std::sync::Arc;
use test_utils::{both_engines, TestBackend, TestResponse};

async fn backend(db: test_utils::TestDb, config: Value) -> TestBackend {
    TestBackend::start(
        db,
        vec![Arc::new(AuthBackendPlugin::default())],
        json!({ "auth": config }),
    )
    .await
}

async fn refresh(be: &TestBackend, cookie: Option<&str>) -> TestResponse {
    let mut req =
        Request::get("/api/auth/guest/refresh").header("x-requested-with", "XMLHttpRequest");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    be.send(req.body(Body::empty()).unwrap()).await
}

fn cookie_of(resp: &TestResponse) -> String {
    let set = resp.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(set.contains("Path=/api/auth/guest"), "{set}");
    set.split(';').next().unwrap().to_string()
}

fn token_of(resp: &TestResponse) -> String {
    resp.json()["backstageIdentity"]["token"]
        .as_str()
        .unwrap()
        .to_string()
}

both_engines!(
    should_sign_in_as_guest_and_issue_verifiable_tokens,
    |db| async move {
        let be = backend(db, json!({})).await;
        let providers = be.get("/api/auth/providers").await;
        assert_eq!(providers.status, 200);
        assert_eq!(providers.json()["providers"][0]["id"], "guest");

        // CSRF: the cookie endpoint needs X-Requested-With.
        let no_header = be.get("/api/auth/guest/refresh").await;
        assert_eq!(no_header.status, 401);

        let signed_in = refresh(&be, None).await;
        assert_eq!(signed_in.status, 200, "{:?}", signed_in.json());
        let body = signed_in.json();
        assert_eq!(
            body["backstageIdentity"]["identity"]["userEntityRef"],
            "user:development/guest"
        );
        assert_eq!(body["backstageIdentity"]["identity"]["type"], "user");
        assert_eq!(body["backstageIdentity"]["expiresInSeconds"], 3600);
        let token = token_of(&signed_in);
        let cookie = cookie_of(&signed_in);

        let me = be.get_as("/api/auth/v1/userinfo", &token).await;
        assert_eq!(me.status, 200);
        assert_eq!(me.json()["claims"]["sub"], "user:development/guest");
        assert_eq!(me.json()["claims"]["ent"][0], "user:development/guest");

        let jwks = be.get("/api/auth/.well-known/jwks.json").await.json();
        assert_eq!(jwks["keys"][0]["alg"], "ES256");
        assert_eq!(jwks["keys"][0]["crv"], "P-256");

        // The cookie refreshes the same session.
        let again = refresh(&be, Some(&cookie)).await;
        assert_eq!(again.status, 200);
        assert!(
            be.get_as("/api/auth/v1/userinfo", &token_of(&again))
                .await
                .status
                == 200
        );

        // Anonymous and garbage credentials are refused.
        assert_eq!(be.get("/api/auth/v1/userinfo").await.status, 401);
        assert_eq!(
            be.get_as("/api/auth/v1/userinfo", "garbage").await.status,
            401
        );
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        parts[1] = parts[1].chars().rev().collect();
        assert_eq!(
            be.get_as("/api/auth/v1/userinfo", &parts.join("."))
                .await
                .status,
            401
        );

        // Sign-out revokes the session: the cookie and the token stop working.
        let out = be
            .send(
                Request::post("/api/auth/guest/logout")
                    .header("x-requested-with", "XMLHttpRequest")
                    .header("cookie", &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(out.status, 204);
        let denied = be.get_as("/api/auth/v1/userinfo", &token).await;
        assert_eq!(denied.status, 401);
        assert!(denied.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("signed out"));
    }
);

both_engines!(
    should_reject_expired_and_wrong_audience_tokens,
    |db| async move {
        let be = backend(db, json!({})).await;
        let token = token_of(&refresh(&be, None).await);
        let keys = KeyStore::new(
            be.db().database().clone(),
            "http://localhost/api/auth".into(),
            3600,
            86_400,
        );
        keys.load().await.unwrap();
        let now = chrono::Utc::now().timestamp();
        let good = Claims {
            sub: "user:default/mallory".into(),
            ent: vec!["group:default/platform-admins".into()],
            iss: "http://localhost/api/auth".into(),
            aud: "backstage".into(),
            iat: now,
            exp: now + 600,
            sid: "none".into(),
        };
        let forged_ok = keys.sign(&good).unwrap();
        assert_eq!(
            be.get_as("/api/auth/v1/userinfo", &forged_ok).await.status,
            200,
            "control"
        );
        for bad in [
            Claims {
                aud: "someone-else".into(),
                ..good.clone()
            },
            Claims {
                exp: now - 120,
                iat: now - 4000,
                ..good.clone()
            },
            Claims {
                iss: "https://evil.example/api/auth".into(),
                ..good.clone()
            },
        ] {
            let t = keys.sign(&bad).unwrap();
            assert_eq!(
                be.get_as("/api/auth/v1/userinfo", &t).await.status,
                401,
                "{bad:?}"
            );
        }
        assert_eq!(be.get_as("/api/auth/v1/userinfo", &token).await.status, 200);
    }
);

both_engines!(should_manage_api_tokens, |db| async move {
    let be = backend(db, json!({})).await;
    let session = token_of(&refresh(&be, None).await);

    let bad = be
        .post_json_as(
            "/api/auth/tokens",
            &json!({"name": "ci", "scopes": ["catalog:admin"]}),
            &session,
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("catalog:admin"));
    let bad = be
        .post_json_as(
            "/api/auth/tokens",
            &json!({"name": "ci", "scopes": ["*"], "expiresInDays": 9999}),
            &session,
        )
        .await;
    assert_eq!(bad.status, 400);

    let created = be
        .post_json_as(
            "/api/auth/tokens",
            &json!({"name": "ci", "scopes": ["*:read"], "expiresInDays": 30}),
            &session,
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.json());
    let secret = created.json()["secret"].as_str().unwrap().to_string();
    let id = created.json()["token"]["id"].as_str().unwrap().to_string();
    assert!(secret.starts_with("bpt_"));

    let listed = be.get_as("/api/auth/tokens", &session).await.json();
    let text = listed.to_string();
    assert!(!text.contains(&secret), "secret must never be listed");
    assert_eq!(listed["items"][0]["prefix"], secret[..12]);
    assert_eq!(listed["items"][0]["lastUsedAt"], Value::Null);

    // Stored only as a hash.
    let row: (String,) = sqlx::query_as("SELECT token_hash FROM api_tokens")
        .fetch_one(be.db().database().pool())
        .await
        .unwrap();
    assert_ne!(row.0, secret);
    assert_eq!(row.0.len(), 64);

    let me = be.get_as("/api/auth/me", &secret).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["apiToken"]["name"], "ci");
    let used = be.get_as("/api/auth/tokens", &session).await.json();
    assert_ne!(used["items"][0]["lastUsedAt"], Value::Null);

    // A token cannot mint tokens.
    let nested = be
        .post_json_as(
            "/api/auth/tokens",
            &json!({"name": "x", "scopes": ["*"]}),
            &secret,
        )
        .await;
    assert_eq!(nested.status, 403);

    assert_eq!(
        be.delete_as(&format!("/api/auth/tokens/{id}"), &session)
            .await
            .status,
        204
    );
    assert_eq!(be.get_as("/api/auth/me", &secret).await.status, 401);
    assert_eq!(
        be.delete_as(&format!("/api/auth/tokens/{id}"), &session)
            .await
            .status,
        404
    );

    // Expired tokens are refused.
    let created = be
        .post_json_as(
            "/api/auth/tokens",
            &json!({"name": "old", "scopes": ["*"], "expiresInDays": 1}),
            &session,
        )
        .await;
    let secret = created.json()["secret"].as_str().unwrap().to_string();
    sqlx::query("UPDATE api_tokens SET expires_at = 1")
        .execute(be.db().database().pool())
        .await
        .unwrap();
    assert_eq!(be.get_as("/api/auth/me", &secret).await.status, 401);

    let audit: Vec<(String,)> = sqlx::query_as("SELECT event FROM audit_log ORDER BY id")
        .fetch_all(be.db().database().pool())
        .await
        .unwrap();
    let events: Vec<&str> = audit.iter().map(|e| e.0.as_str()).collect();
    assert!(events.contains(&"auth.sign_in"));
    assert!(events.contains(&"auth.token.create"));
    assert!(events.contains(&"auth.token.revoke"));
});

both_engines!(
    should_rate_limit_and_lock_guest_in_production,
    |db| async move {
        let be = backend(db, json!({"rateLimitPerMinute": 3})).await;
        for _ in 0..3 {
            assert_eq!(refresh(&be, None).await.status, 200);
        }
        let limited = refresh(&be, None).await;
        assert_eq!(limited.status, 429);
        assert_eq!(limited.json()["error"]["name"], "TooManyRequestsError");
    }
);

#[tokio::test]
async fn should_refuse_guest_in_production_unless_allowed() {
    let be = backend(
        test_utils::TestDb::sqlite().await,
        json!({"environment": "production"}),
    )
    .await;
    assert_eq!(refresh(&be, None).await.status, 403);
    assert_eq!(
        be.get("/api/auth/providers").await.json()["providers"],
        json!([])
    );

    let be = backend(
        test_utils::TestDb::sqlite().await,
        json!({"environment": "production", "providers": {"guest": {"dangerouslyAllowOutsideDevelopment": true}}}),
    )
    .await;
    assert_eq!(refresh(&be, None).await.status, 200);
}

#[tokio::test]
async fn should_answer_a_browser_with_a_page_when_the_provider_is_unreachable() {
    // Nothing listens on port 9 of loopback: discovery fails at once.
    let be = backend(
        test_utils::TestDb::sqlite().await,
        json!({"providers": {"oidc": {"corp": {
            "title": "Corp SSO",
            "metadataUrl": "http://127.0.0.1:9/.well-known/openid-configuration",
            "clientId": "portal", "clientSecret": "s"
        }}}}),
    )
    .await;
    let resp = be.get("/api/auth/corp/start?redirectUrl=/catalog").await;
    assert_eq!(resp.status, 503);
    let ct = resp.headers["content-type"].to_str().unwrap();
    assert!(ct.starts_with("text/html"), "{ct}");
    let page = String::from_utf8_lossy(&resp.body);
    assert!(
        page.contains("Sign-in with Corp SSO is unavailable right now"),
        "{page}"
    );
    assert!(page.contains("discovery at http://127.0.0.1:9/"), "{page}");
    assert!(page.contains("href=\"/\""), "{page}");
    assert!(resp.headers.get("set-cookie").is_none());
    // A popup gets the same JSON error as before (the opener shows it).
    let popup = be.get("/api/auth/corp/start?flow=popup").await;
    assert_eq!(popup.status, 503);
    assert!(popup.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("discovery"));
}
