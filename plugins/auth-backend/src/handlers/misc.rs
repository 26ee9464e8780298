//! Providers list, JWKS, userinfo, profile and audit log.

use crate::AuthState;
use axum::extract::State;
use axum::Json;
use backend_plugin_api::{ApiError, Caller};
use serde_json::{json, Value};

/// `GET /providers`: the configured sign-in providers (anonymous; the sign-in page).
pub async fn providers(State(s): State<AuthState>) -> Json<Value> {
    let mut list = Vec::new();
    if s.service.guest_ref().is_some() {
        list.push(json!({"id": "guest", "type": "guest", "title": "Guest"}));
    }
    for (id, p) in s.oidc.providers() {
        list.push(json!({"id": id, "type": "oidc", "title": p.title.clone().unwrap_or_else(|| id.clone())}));
    }
    Json(json!({ "providers": list }))
}

/// `GET /.well-known/jwks.json`.
pub async fn jwks(State(s): State<AuthState>) -> Json<Value> {
    Json(s.service.keys.jwks())
}

/// `GET /v1/userinfo`: `{claims:{sub, ent}}`.
pub async fn userinfo(Caller(id): Caller) -> Json<Value> {
    Json(json!({"claims": {"sub": id.user_entity_ref, "ent": id.ownership_entity_refs}}))
}

/// `GET /me`: identity, roles and the profile from the catalog.
pub async fn me(State(s): State<AuthState>, Caller(id): Caller) -> Json<Value> {
    let roles = s.permissions.roles(&id);
    let (_, user) = s.service.ownership_of(&id.user_entity_ref).await;
    let token = match &id.principal {
        backend_plugin_api::auth::Principal::ApiToken { name, scopes, .. } => {
            json!({"name": name, "scopes": scopes})
        }
        _ => Value::Null,
    };
    Json(json!({
        "userEntityRef": id.user_entity_ref,
        "ownershipEntityRefs": id.ownership_entity_refs,
        "roles": roles,
        "profile": user.map(|u| json!({"displayName": u.display_name, "email": u.email, "picture": u.picture})),
        "apiToken": token,
    }))
}

/// `GET /audit`: newest 200 audit entries (platform admins only).
pub async fn audit(
    State(s): State<AuthState>,
    Caller(id): Caller,
) -> Result<Json<Value>, ApiError> {
    if !s.permissions.roles(&id).platform_admin {
        return Err(ApiError::NotAllowed(
            "the audit log is visible to platform admins only".into(),
        ));
    }
    Ok(Json(
        json!({"items": s.service.store.audit_entries(200).await?}),
    ))
}
