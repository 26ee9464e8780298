//! Routes of `/api/catalog` (Backstage's catalog REST API), each with its permission.

use crate::handlers::{entities, locations, misc, CatalogState};
use crate::permissions::{
    guard, ENTITY_DELETE, ENTITY_READ, ENTITY_REFRESH, ENTITY_VALIDATE, LOCATION_ANALYZE,
    LOCATION_CREATE, LOCATION_DELETE, LOCATION_READ,
};
use axum::routing::{delete, get, post};
use axum::{Json, Router};

/// The plugin router.
pub fn router(state: CatalogState) -> Router {
    let p = state.permissions.clone();
    Router::new()
        .route("/entities", guard(&p, ENTITY_READ, get(entities::list)))
        .route(
            "/entities/by-query",
            guard(&p, ENTITY_READ, get(entities::by_query)),
        )
        .route(
            "/entities/by-refs",
            guard(&p, ENTITY_READ, post(entities::by_refs)),
        )
        .route(
            "/entities/by-uid/{uid}",
            guard(&p, ENTITY_READ, get(entities::get_by_uid)).merge(guard(
                &p,
                ENTITY_DELETE,
                delete(entities::delete_by_uid),
            )),
        )
        .route(
            "/entities/by-name/{kind}/{namespace}/{name}",
            guard(&p, ENTITY_READ, get(entities::by_name)),
        )
        .route(
            "/entities/by-name/{kind}/{namespace}/{name}/ancestry",
            guard(&p, ENTITY_READ, get(entities::ancestry)),
        )
        .route(
            "/entity-facets",
            guard(&p, ENTITY_READ, get(entities::facets)),
        )
        .route("/refresh", guard(&p, ENTITY_REFRESH, post(misc::refresh)))
        .route(
            "/validate-entity",
            guard(&p, ENTITY_VALIDATE, post(misc::validate)),
        )
        .route(
            "/analyze-location",
            guard(&p, LOCATION_ANALYZE, post(misc::analyze)),
        )
        .route(
            "/locations",
            guard(&p, LOCATION_READ, get(locations::list)).merge(guard(
                &p,
                LOCATION_CREATE,
                post(locations::add),
            )),
        )
        .route(
            "/locations/{id}",
            guard(&p, LOCATION_READ, get(locations::get)).merge(guard(
                &p,
                LOCATION_DELETE,
                delete(locations::delete),
            )),
        )
        .route(
            "/locations/by-entity/{kind}/{namespace}/{name}",
            guard(&p, LOCATION_READ, get(locations::by_entity)),
        )
        .route(
            "/openapi.json",
            get(|| async { Json(crate::openapi::document()) }),
        )
        .with_state(state)
}
