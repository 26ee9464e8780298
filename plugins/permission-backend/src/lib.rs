//! The `permission` plugin: `POST /api/permission/authorize` in Backstage's batch format,
//! answered by the central [`PermissionService`] (default policy: platform admins do
//! everything, everyone signed in reads, team operators/admins or owners write), and
//! `GET /api/permission/permissions` listing every declared permission.
//!
//! Config `permission.enabled: false` allows everything (API-token scopes still apply).

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use backend_plugin_api::permission::{Action, Condition, Decision, Permission};
use backend_plugin_api::{
    async_trait, ApiError, ApiJson, BackendPlugin, Caller, PermissionService, PluginContext,
    PluginError,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// The permission plugin.
pub struct PermissionBackendPlugin;

/// `permission:` config.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionConfig {
    /// When false every check is allowed (default true).
    pub enabled: Option<bool>,
}

#[async_trait]
impl BackendPlugin for PermissionBackendPlugin {
    fn id(&self) -> &'static str {
        "permission"
    }

    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    async fn init(&self, ctx: PluginContext) -> Result<Router, PluginError> {
        let cfg: PermissionConfig = ctx.config()?;
        let svc = ctx.extension::<PermissionService>();
        svc.set_enabled(cfg.enabled.unwrap_or(true));
        Ok(Router::new()
            .route("/authorize", post(authorize))
            .route("/permissions", get(list))
            .with_state(svc))
    }
}

#[derive(Debug, Deserialize)]
struct AuthorizeRequest {
    items: Vec<AuthorizeItem>,
}

#[derive(Debug, Deserialize)]
struct AuthorizeItem {
    id: String,
    permission: PermissionRef,
    #[serde(default, rename = "resourceRef")]
    resource_ref: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PermissionRef {
    name: String,
    #[serde(default)]
    attributes: Option<Value>,
    #[serde(default, rename = "resourceType")]
    resource_type: Option<String>,
}

fn action_of(attrs: &Option<Value>) -> Action {
    match attrs
        .as_ref()
        .and_then(|a| a.get("action"))
        .and_then(Value::as_str)
    {
        Some("create") => Action::Create,
        Some("update") => Action::Update,
        Some("delete") => Action::Delete,
        _ => Action::Read,
    }
}

async fn authorize(
    State(svc): State<Arc<PermissionService>>,
    Caller(id): Caller,
    ApiJson(req): ApiJson<AuthorizeRequest>,
) -> Result<Json<Value>, ApiError> {
    if req.items.len() > 500 {
        return Err(ApiError::input("at most 500 items per request"));
    }
    let mut out = Vec::with_capacity(req.items.len());
    for item in req.items {
        // Declared permissions win over what the caller claims about them.
        let permission = svc.find(&item.permission.name).unwrap_or(Permission {
            name: item.permission.name.clone().into(),
            action: action_of(&item.permission.attributes),
            resource_type: item.permission.resource_type.clone().map(Into::into),
            open: false,
        });
        let decision = svc.decide(&id, &permission);
        let result = match (
            decision,
            &item.resource_ref,
            permission.resource_type.as_deref(),
        ) {
            (Decision::Allow, _, _) => json!({"id": item.id, "result": "ALLOW"}),
            (Decision::Deny, _, _) => json!({"id": item.id, "result": "DENY"}),
            (Decision::Conditional(c), Some(r), Some(rt)) => {
                let facts = svc.resource_facts(rt, r).await;
                let ok = facts.is_some_and(|f| backend_plugin_api::permission::evaluate(&c, &f));
                json!({"id": item.id, "result": if ok { "ALLOW" } else { "DENY" }})
            }
            (Decision::Conditional(c), _, rt) => conditional(&item.id, &c, rt),
        };
        out.push(result);
    }
    Ok(Json(json!({ "items": out })))
}

fn conditional(id: &str, c: &Condition, resource_type: Option<&str>) -> Value {
    json!({
        "id": id,
        "result": "CONDITIONAL",
        "pluginId": resource_type.and_then(|t| t.split('-').next()).unwrap_or_default(),
        "resourceType": resource_type,
        "conditions": c,
    })
}

async fn list(State(svc): State<Arc<PermissionService>>, _caller: Caller) -> Json<Value> {
    Json(json!({ "permissions": svc.declared() }))
}
