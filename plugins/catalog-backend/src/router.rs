//! Routes of `/api/catalog` (Backstage's catalog REST API).

use crate::handlers::{entities, locations, misc, CatalogState};
use axum::routing::{get, post};
use axum::{Json, Router};

/// The plugin router.
pub fn router(state: CatalogState) -> Router {
    Router::new()
        .route("/entities", get(entities::list))
        .route("/entities/by-query", get(entities::by_query))
        .route("/entities/by-refs", post(entities::by_refs))
        .route(
            "/entities/by-uid/{uid}",
            get(entities::get_by_uid).delete(entities::delete_by_uid),
        )
        .route(
            "/entities/by-name/{kind}/{namespace}/{name}",
            get(entities::by_name),
        )
        .route(
            "/entities/by-name/{kind}/{namespace}/{name}/ancestry",
            get(entities::ancestry),
        )
        .route("/entity-facets", get(entities::facets))
        .route("/refresh", post(misc::refresh))
        .route("/validate-entity", post(misc::validate))
        .route("/analyze-location", post(misc::analyze))
        .route("/locations", get(locations::list).post(locations::add))
        .route(
            "/locations/{id}",
            get(locations::get).delete(locations::delete),
        )
        .route(
            "/locations/by-entity/{kind}/{namespace}/{name}",
            get(locations::by_entity),
        )
        .route(
            "/openapi.json",
            get(|| async { Json(crate::openapi::document()) }),
        )
        .with_state(state)
}
