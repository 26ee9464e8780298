//! `/refresh`, `/validate-entity` and `/analyze-location`.

use super::CatalogState;
use crate::processing::processor::{parse_entities, set_annotation};
use crate::processing::reader::split_location_ref;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use backend_plugin_api::{ApiError, Caller};
use plugin_catalog_common::dto::{
    AnalyzeLocationExistingEntity, AnalyzeLocationRequest, AnalyzeLocationResponse, RefreshRequest,
    ValidateEntityErrors, ValidateEntityRequest,
};
use plugin_catalog_common::{EntityRef, ANNOTATION_LOCATION, ANNOTATION_ORIGIN_LOCATION};

fn body<T: serde::de::DeserializeOwned>(b: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(b).map_err(|e| ApiError::input(format!("Invalid request body: {e}")))
}

/// `POST /refresh` `{entityRef}` (operators, or owners of the entity).
pub async fn refresh(
    State(s): State<CatalogState>,
    Caller(caller): Caller,
    b: Bytes,
) -> Result<StatusCode, ApiError> {
    let req: RefreshRequest = body(&b)?;
    let r = EntityRef::parse(&req.entity_ref, None, None)
        .map_err(|e| ApiError::input(format!("Invalid entityRef: {e}")))?
        .to_string();
    let Some(json) = crate::store::entities::by_ref(s.engine.db(), &r).await? else {
        return Err(ApiError::not_found(format!("No entity {r}")));
    };
    let facts = crate::permissions::entity_facts(&super::parse_entity(&json));
    s.permissions
        .authorize(&caller, &crate::permissions::ENTITY_REFRESH, Some(&facts))?;
    if s.engine.refresh_entity(&r).await? {
        Ok(StatusCode::OK)
    } else {
        Err(ApiError::not_found(format!("No entity {r}")))
    }
}

/// `POST /validate-entity` `{entity, location}`.
pub async fn validate(State(s): State<CatalogState>, b: Bytes) -> Result<Response, ApiError> {
    let req: ValidateEntityRequest = body(&b)?;
    if split_location_ref(&req.location).is_none() {
        return Err(ApiError::input(format!(
            "Invalid location '{}', expected a location ref such as url:https://…",
            req.location
        )));
    }
    let mut entity = req.entity;
    if !entity.is_object() {
        return Ok((
            StatusCode::BAD_REQUEST,
            Json(ValidateEntityErrors {
                errors: vec![plugin_catalog_common::dto::SerializedError {
                    name: "InputError".into(),
                    message: "Entity must be an object".into(),
                }],
            }),
        )
            .into_response());
    }
    set_annotation(&mut entity, ANNOTATION_LOCATION, &req.location);
    set_annotation(&mut entity, ANNOTATION_ORIGIN_LOCATION, &req.location);
    let errors = s.engine.processor().validate(&entity);
    if errors.is_empty() {
        Ok(StatusCode::OK.into_response())
    } else {
        Ok((
            StatusCode::BAD_REQUEST,
            Json(ValidateEntityErrors { errors }),
        )
            .into_response())
    }
}

/// `POST /analyze-location` `{location:{type,target}, catalogFilename?}`.
pub async fn analyze(
    State(s): State<CatalogState>,
    b: Bytes,
) -> Result<Json<AnalyzeLocationResponse>, ApiError> {
    let req: AnalyzeLocationRequest = body(&b)?;
    let t = req.location.location_type.clone();
    let mut target = s.engine.normalize_spec(&t, &req.location.target);
    let filename = req
        .catalog_filename
        .unwrap_or_else(|| "catalog-info.yaml".into());
    if !(target.ends_with(".yaml") || target.ends_with(".yml")) {
        target = format!("{}/{filename}", target.trim_end_matches('/'));
    }
    let mut existing = Vec::new();
    if let Ok(bytes) = s.engine.processor().reader().read(&t, &target).await {
        let registered = s.engine.find_location(&t, &target).await?.is_some();
        for entity in parse_entities(&bytes).unwrap_or_default() {
            existing.push(AnalyzeLocationExistingEntity {
                location: plugin_catalog_common::dto::LocationSpec {
                    location_type: t.clone(),
                    target: target.clone(),
                    presence: None,
                },
                is_registered: registered,
                entity,
            });
        }
    }
    Ok(Json(AnalyzeLocationResponse {
        existing_entity_files: existing,
        generate_entities: vec![],
    }))
}
