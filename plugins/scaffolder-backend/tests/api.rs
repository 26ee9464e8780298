//! Router tests of the scaffolder on both engines, against the real catalog.

mod common;

use common::{operator, other, user, Harness};
use serde_json::{json, Value};
use test_utils::both_engines;

both_engines!(should_run_a_template_end_to_end, |db| async move {
    let h = Harness::start(db).await;
    let id = h
        .create_ok(
            "template:default/svc",
            json!({"name": "payments-api", "owner": "group:default/team-a"}),
            &user(),
        )
        .await;
    let t = h.wait_status(&id, &["completed", "failed"]).await;
    let events = h.events(&id).await;
    let msgs = Harness::messages(&events);
    assert_eq!(t["status"], "completed", "{msgs:#?}");
    assert_eq!(t["createdBy"], "user:default/jane");
    assert_eq!(
        t["spec"]["templateInfo"]["entityRef"],
        "template:default/svc"
    );
    assert_eq!(t["spec"]["parameters"]["replicas"], 2, "defaults applied");
    assert_eq!(t["spec"]["steps"][1]["id"], "log");
    assert_eq!(t["state"]["steps"]["fetch"]["status"], "completed");
    assert!(
        msgs.contains(&"Beginning step Fetch skeleton".to_string()),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter().any(|m| m == "hello payments-api x2 token="),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("src/payments-api.rs")),
        "listWorkspace: {msgs:#?}"
    );
    assert!(msgs.contains(&"item a".to_string()) && msgs.contains(&"item b".to_string()));
    // Published and templated.
    let out = h.published().join("payments-api");
    let info = std::fs::read_to_string(out.join("catalog-info.yaml")).unwrap();
    assert!(info.contains("name: payments-api"));
    assert_eq!(
        std::fs::read_to_string(out.join("src/payments-api.rs")).unwrap(),
        "// replicas: 2\n"
    );
    // Completion carries the output; the entity is registered in the catalog.
    let completion = events.iter().find(|e| e["type"] == "completion").unwrap();
    assert_eq!(completion["body"]["status"], "completed");
    let links = &completion["body"]["output"]["links"];
    assert_eq!(links[0]["entityRef"], "component:default/payments-api");
    assert_eq!(
        t["state"]["output"]["links"][0]["entityRef"],
        "component:default/payments-api"
    );
    let entity = h.wait_for_entity("component:default/payments-api").await;
    assert_eq!(entity["spec"]["owner"], "group:default/team-a");
    // The workspace is cleaned up.
    assert!(!h.dir.path().join("work").join(&id).exists());
    // SSE replays everything and closes after the completion.
    let sse =
        h.be.get_as(
            &format!("/api/scaffolder/v2/tasks/{id}/eventstream"),
            &user(),
        )
        .await;
    assert_eq!(sse.status, 200);
    assert_eq!(sse.headers["content-type"], "text/event-stream");
    let text = String::from_utf8(sse.body).unwrap();
    assert!(text.contains("event: log\n"), "{text}");
    assert!(text.trim_end().ends_with('}'), "{text}");
    let last = text.trim_end().rsplit("\n\n").next().unwrap();
    assert!(last.contains("event: completion"), "{last}");
    let data: Value =
        serde_json::from_str(last.lines().find_map(|l| l.strip_prefix("data: ")).unwrap()).unwrap();
    assert_eq!(data["taskId"], id.as_str());
    assert_eq!(data["type"], "completion");
    assert!(data["id"].is_i64() && data["createdAt"].is_string());
    // Resuming after the last event id gives nothing more and closes at once? (completion already seen)
    let after = events.last().unwrap()["id"].as_i64().unwrap();
    let lp =
        h.be.get_as(
            &format!("/api/scaffolder/v2/tasks/{id}/events?after={}", after - 1),
            &user(),
        )
        .await;
    assert_eq!(lp.json().as_array().unwrap().len(), 1);
});

both_engines!(should_reject_invalid_values_per_field, |db| async move {
    let h = Harness::start(db).await;
    let r = h
        .create(
            "template:default/svc",
            json!({"name": "Bad Name", "replicas": 9}),
            &user(),
        )
        .await;
    assert_eq!(r.status, 400);
    let body = r.json();
    assert_eq!(body["error"]["name"], "InputError");
    let errors = body["errors"].as_array().unwrap();
    let find = |name: &str, arg: &str| {
        errors.iter().any(|e| {
            e["name"] == name && (arg.is_empty() || e["argument"] == arg || e["property"] == arg)
        })
    };
    assert!(find("required", "owner"), "{body}");
    assert!(find("pattern", "instance.name"), "{body}");
    assert!(find("maximum", "instance.replicas"), "{body}");
    assert!(errors
        .iter()
        .all(|e| e["message"].is_string() && e["stack"].is_string()));
    // Unknown template, bad ref.
    assert_eq!(
        h.create("template:default/nope", json!({}), &user())
            .await
            .status,
        404
    );
    assert_eq!(
        h.create("component:default/svc", json!({}), &user())
            .await
            .status,
        400
    );
    // Unauthenticated.
    assert_eq!(
        h.be.post_json("/api/scaffolder/v2/tasks", &json!({}))
            .await
            .status,
        401
    );
});

both_engines!(should_refuse_unknown_actions_by_name, |db| async move {
    let h = Harness::start(db).await;
    h.wait_for_entity("template:default/create-workspace").await;
    // The form still renders.
    let schema =
        h.be.get_as(
            "/api/scaffolder/v2/templates/default/template/create-workspace/parameter-schema",
            &user(),
        )
        .await;
    assert_eq!(schema.status, 200);
    assert_eq!(schema.json()["title"], "Create Development Workspace");
    assert_eq!(schema.json()["steps"][0]["title"], "Workspace Details");
    let r = h
        .create(
            "template:default/create-workspace",
            json!({"name": "ws"}),
            &user(),
        )
        .await;
    assert_eq!(r.status, 400);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("unknown action `butler:workspace:create`"),
        "{msg}"
    );
});

both_engines!(should_serve_parameter_schema_and_actions, |db| async move {
    let h = Harness::start(db).await;
    let r =
        h.be.get_as(
            "/api/scaffolder/v2/templates/default/template/svc/parameter-schema",
            &user(),
        )
        .await;
    assert_eq!(r.status, 200);
    let s = r.json();
    assert_eq!(s["title"], "Service");
    assert_eq!(s["description"], "A service skeleton");
    let titles: Vec<&str> = s["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["Basics", "Extra", "Admins only"]);
    assert_eq!(
        s["steps"][0]["schema"]["properties"]["owner"]["ui:field"],
        "OwnerPicker"
    );
    assert_eq!(
        h.be.get_as(
            "/api/scaffolder/v2/templates/default/template/nope/parameter-schema",
            &user()
        )
        .await
        .status,
        404
    );
    assert_eq!(
        h.be.get_as(
            "/api/scaffolder/v2/templates/default/component/svc/parameter-schema",
            &user()
        )
        .await
        .status,
        400
    );
    let actions =
        h.be.get_as("/api/scaffolder/v2/actions", &user())
            .await
            .json();
    let ids: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    for id in [
        "fetch:plain",
        "fetch:template",
        "catalog:register",
        "catalog:write",
        "debug:log",
        "debug:wait",
        "fs:delete",
        "fs:rename",
        "publish:file",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let doc =
        h.be.get_as("/api/scaffolder/openapi.json", &user())
            .await
            .json();
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(doc["paths"]["/v2/tasks/{id}/eventstream"].is_object());
    let fetch = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "fetch:template")
        .unwrap();
    assert_eq!(fetch["schema"]["input"]["required"][0], "url");
    assert!(fetch["examples"][0]["example"]
        .as_str()
        .unwrap()
        .contains("fetch:template"));
});

both_engines!(should_cancel_and_retry_with_permissions, |db| async move {
    let h = Harness::start(db).await;
    let id = h
        .create_ok("template:default/slow", json!({}), &user())
        .await;
    h.wait_status(&id, &["processing"]).await;
    // Someone else (no operator role) may not cancel it.
    let denied =
        h.be.post_json_as(
            &format!("/api/scaffolder/v2/tasks/{id}/cancel"),
            &json!({}),
            &other(),
        )
        .await;
    assert_eq!(denied.status, 403);
    // Wait for the step to start, then cancel as the creator.
    let t0 = std::time::Instant::now();
    while !Harness::messages(&h.events(&id).await)
        .iter()
        .any(|m| m.starts_with("Waiting"))
    {
        assert!(t0.elapsed().as_secs() < 10);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let c =
        h.be.post_json_as(
            &format!("/api/scaffolder/v2/tasks/{id}/cancel"),
            &json!({}),
            &user(),
        )
        .await;
    assert_eq!(c.status, 200);
    assert_eq!(c.json()["status"], "cancelled");
    let t = h.wait_status(&id, &["cancelled"]).await;
    assert_eq!(t["state"]["steps"]["wait"]["status"], "cancelled");
    assert_eq!(t["state"]["steps"]["after"]["status"], "cancelled");
    let events = h.events(&id).await;
    assert!(events.iter().any(|e| e["type"] == "cancelled"));
    assert_eq!(events.last().unwrap()["type"], "completion");
    assert!(!Harness::messages(&events).contains(&"never".to_string()));
    // Retry (operator may control anyone's task); it runs again under the same id.
    let r =
        h.be.post_json_as(
            &format!("/api/scaffolder/v2/tasks/{id}/retry"),
            &json!({}),
            &operator(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["id"], id.as_str());
    h.wait_status(&id, &["processing"]).await;
    let c =
        h.be.post_json_as(
            &format!("/api/scaffolder/v2/tasks/{id}/cancel"),
            &json!({}),
            &operator(),
        )
        .await;
    assert_eq!(c.status, 200);
    h.wait_status(&id, &["cancelled"]).await;
    // Retrying a running or completed task is a conflict.
    let done = h
        .create_ok("template:default/slow", json!({"seconds": 0}), &user())
        .await;
    h.wait_status(&done, &["completed"]).await;
    assert_eq!(
        h.be.post_json_as(
            &format!("/api/scaffolder/v2/tasks/{done}/retry"),
            &json!({}),
            &user()
        )
        .await
        .status,
        409
    );
    assert_eq!(
        h.be.post_json_as("/api/scaffolder/v2/tasks/nope/cancel", &json!({}), &user())
            .await
            .status,
        404
    );
});

both_engines!(should_list_tasks_by_creator_and_status, |db| async move {
    let h = Harness::start(db).await;
    let a = h
        .create_ok("template:default/slow", json!({"seconds": 0}), &user())
        .await;
    let b = h
        .create_ok("template:default/slow", json!({"seconds": 0}), &other())
        .await;
    let c = h
        .create_ok("template:default/broken", json!({}), &user())
        .await;
    h.wait_status(&a, &["completed"]).await;
    h.wait_status(&b, &["completed"]).await;
    let failed = h.wait_status(&c, &["failed"]).await;
    assert_eq!(failed["state"]["steps"]["bad"]["status"], "failed");
    let events = h.events(&c).await;
    let msgs = Harness::messages(&events);
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("Step debug:log (bad) failed:") && m.contains("nosuchfilter")),
        "{msgs:#?}"
    );
    let completion = events.last().unwrap();
    assert_eq!(completion["body"]["status"], "failed");
    assert!(completion["body"]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("nosuchfilter"));

    let all =
        h.be.get_as("/api/scaffolder/v2/tasks", &user())
            .await
            .json();
    assert_eq!(all["totalTasks"], 3);
    let mine =
        h.be.get_as(
            "/api/scaffolder/v2/tasks?createdBy=user:default/jane",
            &user(),
        )
        .await
        .json();
    assert_eq!(mine["totalTasks"], 2);
    let mine_failed =
        h.be.get_as(
            "/api/scaffolder/v2/tasks?createdBy=user:default/jane&status=failed",
            &user(),
        )
        .await
        .json();
    assert_eq!(mine_failed["totalTasks"], 1);
    assert_eq!(mine_failed["tasks"][0]["id"], c.as_str());
    let page =
        h.be.get_as(
            "/api/scaffolder/v2/tasks?limit=1&offset=1&order=asc:createdAt",
            &user(),
        )
        .await
        .json();
    assert_eq!(page["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(page["totalTasks"], 3);
    assert_eq!(
        h.be.get_as("/api/scaffolder/v2/tasks?status=weird", &user())
            .await
            .status,
        400
    );
    assert_eq!(
        h.be.get_as("/api/scaffolder/v2/tasks/nope", &user())
            .await
            .status,
        404
    );
});

both_engines!(should_never_store_or_log_secrets, |db| async move {
    let h = Harness::start(db).await;
    let r = h
        .be
        .post_json_as(
            "/api/scaffolder/v2/tasks",
            &json!({"templateRef": "template:default/svc", "values": {"name": "sec-svc", "owner": "group:default/team-a"}, "secrets": {"apiKey": "s3cr3t-value"}}),
            &user(),
        )
        .await;
    assert_eq!(r.status, 201);
    let id = r.json()["id"].as_str().unwrap().to_string();
    h.wait_status(&id, &["completed", "failed"]).await;
    let msgs = Harness::messages(&h.events(&id).await);
    assert!(msgs.iter().any(|m| m.contains("token=***")), "{msgs:#?}");
    let t = h.task(&id).await;
    assert_eq!(t["state"]["output"]["text"][1]["content"], "key=***");
    // Nothing in the database contains the secret or the bearer token.
    use sqlx::Row;
    let pool = h.be.db().database().pool();
    for sql in [
        "SELECT spec FROM scaffolder_tasks",
        "SELECT COALESCE(state, '') FROM scaffolder_tasks",
        "SELECT body FROM scaffolder_task_events",
    ] {
        for row in sqlx::query(sql).fetch_all(pool).await.unwrap() {
            let text: String = row.try_get(0).unwrap();
            assert!(!text.contains("s3cr3t-value"), "{sql}: {text}");
            assert!(!text.contains("test:user:default/jane"), "{sql}: {text}");
            assert!(!text.contains("backstageToken"), "{sql}: {text}");
        }
    }
});

both_engines!(should_dry_run_and_reject_bad_input, |db| async move {
    use base64::Engine as _;
    let h = Harness::start(db).await;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let template = |steps: Value| {
        json!({
            "apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": {"name": "t"},
            "spec": {"type": "x", "parameters": {"properties": {"name": {"type": "string"}}}, "steps": steps,
                     "output": {"text": "${{ steps.w.output }}"}}
        })
    };
    let dry = |body: Value| {
        let h = &h;
        async move {
            h.be.post_json_as("/api/scaffolder/v2/dry-run", &body, &user())
                .await
        }
    };
    // A good run: fetch:template + catalog:write, then rename and delete.
    let r = dry(json!({
        "template": template(json!([
            {"id": "f", "action": "fetch:template", "input": {"url": "./sk", "values": {"name": "${{ parameters.name }}"}, "copyWithoutTemplating": ["raw/**"]}},
            {"id": "w", "action": "catalog:write", "input": {"entity": {"kind": "Component", "metadata": {"name": "${{ parameters.name }}"}}}},
            {"id": "mv", "action": "fs:rename", "input": {"files": [{"from": "README.md", "to": "docs/README.md"}]}},
            {"id": "rm", "action": "fs:delete", "input": {"files": ["**/*.tmp"]}},
            {"id": "pub", "action": "publish:file", "input": {"path": "nope"}}
        ])),
        "values": {"name": "demo"},
        "directoryContents": [
            {"path": "sk/README.md", "base64Content": b64("# ${{ values.name }}\n")},
            {"path": "sk/raw/keep.txt", "base64Content": b64("${{ values.name }}")},
            {"path": "sk/x.tmp", "base64Content": b64("tmp")}
        ]
    })).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let body = r.json();
    let files: Vec<(String, String)> = body["directoryContents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(f["base64Content"].as_str().unwrap())
                        .unwrap(),
                )
                .unwrap(),
            )
        })
        .collect();
    assert!(
        files.contains(&("docs/README.md".into(), "# demo\n".into())),
        "{files:?}"
    );
    assert!(
        files.contains(&("raw/keep.txt".into(), "${{ values.name }}".into())),
        "{files:?}"
    );
    assert!(files
        .iter()
        .any(|(p, c)| p == "catalog-info.yaml" && c.contains("name: demo")));
    assert!(!files.iter().any(|(p, _)| p.ends_with(".tmp")));
    let logs: Vec<String> = body["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["body"]["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        logs.iter()
            .any(|l| l.contains("Skipping publish:file in the dry run")),
        "{logs:#?}"
    );
    assert!(!h.published().join("nope").exists());

    // Path traversal in every file action is rejected.
    let traversal = [
        json!({"id": "w", "action": "fetch:template", "input": {"url": "./sk", "targetPath": "../../escape"}}),
        json!({"id": "w", "action": "fetch:template", "input": {"url": "../../../etc"}}),
        json!({"id": "w", "action": "fetch:plain", "input": {"url": "/etc"}}),
        json!({"id": "w", "action": "fetch:template", "input": {"url": "./sk", "values": {"name": "../../evil"}}}),
        json!({"id": "w", "action": "catalog:write", "input": {"filePath": "/tmp/evil.yaml", "entity": {}}}),
        json!({"id": "w", "action": "fs:delete", "input": {"files": ["../x"]}}),
        json!({"id": "w", "action": "fs:rename", "input": {"files": [{"from": "a", "to": "../b"}]}}),
    ];
    for step in traversal {
        let r = dry(json!({
            "template": template(json!([step.clone()])), "values": {"name": "x"},
            "directoryContents": [{"path": "sk/${{ values.name }}.txt", "base64Content": b64("x")}]
        }))
        .await;
        assert_eq!(r.status, 200);
        let logs = r.json()["log"].to_string();
        assert!(
            logs.contains("Run failed")
                && (logs.contains("outside its parent") || logs.contains("does not exist")),
            "{step}: {logs}"
        );
        assert!(logs.contains("outside its parent"), "{step}: {logs}");
    }

    // Invalid template: every schema error listed.
    let r = dry(json!({"template": {"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": {"name": "t"}, "spec": {"steps": [{"id": "a"}]}}})).await;
    assert_eq!(r.status, 400);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("/spec must have required property 'type'")
            && msg.contains("/spec/steps/0 must have required property 'action'"),
        "{msg}"
    );
    // Unknown action.
    let r = dry(
        json!({"template": template(json!([{"id": "a", "action": "butler:workspace:create"}]))}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("unknown action `butler:workspace:create`"));
    // Values violating the schema.
    let r = dry(json!({"template": template(json!([{"id": "a", "action": "debug:log"}])), "values": {"name": 5}})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["name"], "type");
    // Bad input to an action (schema of the action).
    let r = dry(json!({"template": template(json!([{"id": "a", "action": "fs:delete", "input": {"files": "x"}}]))})).await;
    assert!(r.json()["log"]
        .to_string()
        .contains("Invalid input passed to action fs:delete"));
});

both_engines!(should_truncate_oversized_logs, |db| async move {
    let h = Harness::start_with(db, json!({"maxLogBytes": 4096, "maxLogLineBytes": 1024})).await;
    let big = "x".repeat(5000);
    let steps: Vec<Value> = (0..10)
        .map(|i| json!({"id": format!("s{i}"), "action": "debug:log", "input": {"message": big}}))
        .collect();
    let r = h.be.post_json_as("/api/scaffolder/v2/dry-run", &json!({"template": {
        "apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": {"name": "t"},
        "spec": {"type": "x", "steps": steps}}}), &user()).await;
    assert_eq!(r.status, 200);
    let logs: Vec<String> = r.json()["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["body"]["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        logs.iter().any(|l| l.ends_with("[truncated 3976 bytes]")),
        "{:?}",
        logs.iter().map(|l| l.len()).collect::<Vec<_>>()
    );
    assert!(logs.iter().all(|l| l.len() < 1100));
    assert_eq!(
        logs.iter()
            .filter(|l| l.starts_with("[log truncated"))
            .count(),
        1
    );
    // Step status lines still arrive after the budget is spent.
    assert!(
        logs.contains(&"Finished step debug:log".to_string())
            || logs
                .iter()
                .filter(|l| l.starts_with("Finished step"))
                .count()
                == 10
    );
});

both_engines!(should_fail_interrupted_tasks_on_restart, |db| async move {
    use plugin_scaffolder_backend::{catalog::CatalogClient, engine, store, Scaffolder};
    let h = Harness::start(db).await;
    let database = h.be.db().database().clone();
    let spec = plugin_scaffolder_common::TaskSpec::default();
    store::insert_task(&database, "t-crashed", &spec, "user:default/jane")
        .await
        .unwrap();
    assert!(store::transition(
        &database,
        "t-crashed",
        &[plugin_scaffolder_common::TaskStatus::Open],
        plugin_scaffolder_common::TaskStatus::Processing
    )
    .await
    .unwrap());
    let svc = std::sync::Arc::new(Scaffolder::new(
        database,
        vec![],
        std::sync::Arc::new(backend_plugin_api::PermissionService::default()),
        CatalogClient::new(reqwest::Client::new(), format!("{}/api/catalog", h.base)),
        engine::ScaffolderConfig::default(),
        h.dir.path().join("work2"),
        h.base.clone(),
        tokio_util::sync::CancellationToken::new(),
    ));
    svc.recover().await.unwrap();
    let t = h.task("t-crashed").await;
    assert_eq!(t["status"], "failed");
    let events = h.events("t-crashed").await;
    assert!(Harness::messages(&events)[0].contains("marked failed on restart"));
    assert_eq!(events.last().unwrap()["type"], "completion");
});

both_engines!(should_cancel_a_queued_task, |db| async move {
    let h = Harness::start_with(db, json!({"concurrency": 1})).await;
    let running = h
        .create_ok("template:default/slow", json!({}), &user())
        .await;
    h.wait_status(&running, &["processing"]).await;
    let queued = h
        .create_ok("template:default/slow", json!({"seconds": 0}), &user())
        .await;
    assert_eq!(h.task(&queued).await["status"], "open");
    let c =
        h.be.post_json_as(
            &format!("/api/scaffolder/v2/tasks/{queued}/cancel"),
            &json!({}),
            &user(),
        )
        .await;
    assert_eq!(c.status, 200);
    let t = h.wait_status(&queued, &["cancelled"]).await;
    assert_eq!(t["status"], "cancelled");
    let events = h.events(&queued).await;
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, vec!["cancelled", "completion"]);
    // Cancelling a finished task changes nothing.
    let again =
        h.be.post_json_as(
            &format!("/api/scaffolder/v2/tasks/{queued}/cancel"),
            &json!({}),
            &user(),
        )
        .await;
    assert_eq!(again.json()["status"], "cancelled");
    assert_eq!(h.events(&queued).await.len(), 2);
    h.be.post_json_as(
        &format!("/api/scaffolder/v2/tasks/{running}/cancel"),
        &json!({}),
        &user(),
    )
    .await;
    h.wait_status(&running, &["cancelled"]).await;
});
