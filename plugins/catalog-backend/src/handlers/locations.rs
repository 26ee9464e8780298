//! `/locations…`.

use super::{parse_entity, CatalogState, Params};
use crate::store::entities;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use backend_plugin_api::ApiError;
use plugin_catalog_common::dto::{AddLocationResponse, Location, LocationEntry, LocationSpec};
use plugin_catalog_common::EntityRef;

/// `POST /locations[?dryRun=true]`.
pub async fn add(
    State(s): State<CatalogState>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<(StatusCode, Json<AddLocationResponse>), ApiError> {
    let p = Params::parse(raw.as_deref());
    let dry_run = match p.one("dryRun").as_deref() {
        None | Some("false") => false,
        Some("true") | Some("") => true,
        Some(other) => {
            return Err(ApiError::input(format!(
                "Invalid dryRun '{other}', expected true or false"
            )))
        }
    };
    let spec: LocationSpec = serde_json::from_slice(&body)
        .map_err(|e| ApiError::input(format!("Invalid location body: {e}")))?;
    if dry_run {
        let (location, entities, exists) = s.engine.dry_run(&spec).await?;
        return Ok((
            StatusCode::CREATED,
            Json(AddLocationResponse {
                location,
                entities,
                exists: Some(exists),
            }),
        ));
    }
    if s.engine.config().readonly {
        return Err(ApiError::NotAllowed(
            "This operation not allowed in readonly mode".into(),
        ));
    }
    let location = s.engine.add_location(&spec).await?;
    Ok((
        StatusCode::CREATED,
        Json(AddLocationResponse {
            location,
            entities: vec![],
            exists: None,
        }),
    ))
}

/// `GET /locations`.
pub async fn list(State(s): State<CatalogState>) -> Result<Json<Vec<LocationEntry>>, ApiError> {
    let all = s.engine.list_locations().await?;
    Ok(Json(
        all.into_iter().map(|data| LocationEntry { data }).collect(),
    ))
}

/// `GET /locations/{id}`.
pub async fn get(
    State(s): State<CatalogState>,
    Path(id): Path<String>,
) -> Result<Json<Location>, ApiError> {
    match s.engine.get_location(&id).await? {
        Some((l, _)) => Ok(Json(l)),
        None => Err(ApiError::not_found(format!(
            "Found no location with ID {id}"
        ))),
    }
}

/// `DELETE /locations/{id}`.
pub async fn delete(
    State(s): State<CatalogState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if s.engine.config().readonly {
        return Err(ApiError::NotAllowed(
            "This operation not allowed in readonly mode".into(),
        ));
    }
    s.engine.delete_location(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /locations/by-entity/{kind}/{namespace}/{name}`.
pub async fn by_entity(
    State(s): State<CatalogState>,
    Path((kind, namespace, name)): Path<(String, String, String)>,
) -> Result<Json<Location>, ApiError> {
    let r = EntityRef::new(&kind, &namespace, &name).to_string();
    let Some(j) = entities::by_ref(s.engine.db(), &r).await? else {
        return Err(ApiError::not_found(format!("No entity {r}")));
    };
    match s.engine.location_of_entity(&parse_entity(&j)).await? {
        Some(l) => Ok(Json(l)),
        None => Err(ApiError::not_found(format!(
            "Found no location for entity {r}"
        ))),
    }
}
