//! API tokens: create (secret shown once), list, revoke. Only a signed-in user (not an
//! API token) may manage tokens, and only their own.

use crate::store::now;
use crate::AuthState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use backend_plugin_api::auth::{Identity, Principal};
use backend_plugin_api::{ApiError, ApiJson, Caller};
use portal_types::is_valid_plugin_id;
use serde::Deserialize;
use serde_json::{json, Value};

/// Body of `POST /tokens`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateToken {
    name: String,
    #[serde(default)]
    scopes: Vec<String>,
    /// Days until expiry (1–365); absent or null = never.
    #[serde(default)]
    expires_in_days: Option<i64>,
}

fn require_user(id: &Identity) -> Result<(), ApiError> {
    match id.principal {
        Principal::User => Ok(()),
        Principal::ApiToken { .. } => Err(ApiError::NotAllowed(
            "API tokens cannot manage API tokens; sign in".into(),
        )),
    }
}

/// Validate a scope: `*`, or `<plugin id|*>:<read|write>`.
pub fn valid_scope(scope: &str) -> bool {
    if scope == "*" {
        return true;
    }
    match scope.split_once(':') {
        Some((plugin, level)) => {
            (plugin == "*" || is_valid_plugin_id(plugin)) && matches!(level, "read" | "write")
        }
        None => false,
    }
}

/// `POST /tokens`.
pub async fn create(
    State(s): State<AuthState>,
    Caller(id): Caller,
    ApiJson(body): ApiJson<CreateToken>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    require_user(&id)?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::input("name must be 1 to 100 characters"));
    }
    if body.scopes.is_empty() {
        return Err(ApiError::input(
            "at least one scope is required, e.g. `catalog:read`, `*:read` or `*`",
        ));
    }
    if let Some(bad) = body.scopes.iter().find(|s| !valid_scope(s)) {
        return Err(ApiError::input(format!(
            "invalid scope `{bad}`: use `*`, `<plugin>:read`, `<plugin>:write`, `*:read` or `*:write`"
        )));
    }
    let expires_at = match body.expires_in_days {
        None => None,
        Some(d) if (1..=365).contains(&d) => Some(now() + d * 86_400),
        Some(_) => return Err(ApiError::input("expiresInDays must be between 1 and 365")),
    };
    let (info, secret) = s
        .service
        .store
        .create_token(
            name,
            &id.user_entity_ref,
            &id.ownership_entity_refs,
            &body.scopes,
            expires_at,
        )
        .await?;
    s.service
        .store
        .audit(
            &id.user_entity_ref,
            "auth.token.create",
            json!({"tokenId": info.id, "name": info.name, "scopes": info.scopes}),
        )
        .await;
    Ok((
        StatusCode::CREATED,
        Json(json!({"token": info, "secret": secret})),
    ))
}

/// `GET /tokens`: the caller's tokens.
pub async fn list(State(s): State<AuthState>, Caller(id): Caller) -> Result<Json<Value>, ApiError> {
    require_user(&id)?;
    Ok(Json(
        json!({"items": s.service.store.list_tokens(&id.user_entity_ref).await?}),
    ))
}

/// `DELETE /tokens/{id}`.
pub async fn revoke(
    State(s): State<AuthState>,
    Caller(id): Caller,
    Path(token_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require_user(&id)?;
    if !s
        .service
        .store
        .revoke_token(&id.user_entity_ref, &token_id)
        .await?
    {
        return Err(ApiError::not_found(format!("no active token `{token_id}`")));
    }
    s.service
        .store
        .audit(
            &id.user_entity_ref,
            "auth.token.revoke",
            json!({"tokenId": token_id}),
        )
        .await;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::valid_scope;

    #[test]
    fn should_validate_scopes() {
        for ok in ["*", "catalog:read", "*:write", "auth-backend:read"] {
            assert!(valid_scope(ok), "{ok}");
        }
        for bad in ["", "catalog", "catalog:admin", "Catalog:read", ":read"] {
            assert!(!valid_scope(bad), "{bad}");
        }
    }
}
