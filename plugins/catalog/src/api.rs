//! Calls to `/api/catalog` (Backstage's catalog REST API), all through the shell's
//! [`ApiClient`] so authentication and error decoding are shared.

use frontend_plugin_api::{ApiClient, ApiError};
use plugin_catalog_common::dto::{
    AddLocationResponse, EntitiesByRefsRequest, EntitiesByRefsResponse, FacetsResponse, Location,
    LocationSpec, QueryEntitiesResponse, RefreshRequest,
};
use portal_types::{Entity, EntityRef};
use serde_json::Value;

use crate::query::{encode, join_params, CatalogQuery};

/// Fields fetched for related entities (tables and graph labels).
pub const RELATED_FIELDS: &[&str] = &[
    "kind",
    "metadata.name",
    "metadata.namespace",
    "metadata.title",
    "metadata.description",
    "spec.type",
    "spec.lifecycle",
    "spec.owner",
    "spec.profile.displayName",
    "spec.profile.email",
];

/// One page of the index.
pub async fn query_entities(
    api: ApiClient,
    q: CatalogQuery,
) -> Result<QueryEntitiesResponse, ApiError> {
    api.get_json(&q.entities_path()).await
}

/// `GET /entity-facets` with an already built path.
pub async fn facets(api: ApiClient, path: String) -> Result<FacetsResponse, ApiError> {
    api.get_json(&path).await
}

/// `GET /entities/by-name/:kind/:namespace/:name`.
pub async fn entity_by_name(api: ApiClient, r: EntityRef) -> Result<Entity, ApiError> {
    api.get_json(&format!(
        "/api/catalog/entities/by-name/{}/{}/{}",
        encode(&r.kind),
        encode(&r.namespace),
        encode(&r.name)
    ))
    .await
}

/// `POST /entities/by-refs` with the related-entity projection; `None` for unknown refs.
pub async fn entities_by_refs(
    api: ApiClient,
    refs: Vec<String>,
) -> Result<Vec<Option<Value>>, ApiError> {
    if refs.is_empty() {
        return Ok(vec![]);
    }
    let body = EntitiesByRefsRequest {
        entity_refs: refs,
        fields: Some(RELATED_FIELDS.iter().map(|s| s.to_string()).collect()),
    };
    let resp: EntitiesByRefsResponse = api
        .post_json("/api/catalog/entities/by-refs", &body)
        .await?;
    Ok(resp.items)
}

/// `POST /refresh`.
pub async fn refresh(api: ApiClient, entity_ref: String) -> Result<(), ApiError> {
    let body = RefreshRequest {
        entity_ref,
        authorization_token: None,
    };
    let _: Value = api.post_json("/api/catalog/refresh", &body).await?;
    Ok(())
}

/// `GET /locations/by-entity/:kind/:namespace/:name`.
pub async fn location_by_entity(api: ApiClient, r: EntityRef) -> Result<Location, ApiError> {
    api.get_json(&format!(
        "/api/catalog/locations/by-entity/{}/{}/{}",
        encode(&r.kind),
        encode(&r.namespace),
        encode(&r.name)
    ))
    .await
}

/// The entities that came from the location `location_ref` (`type:target`), via the
/// origin-location annotation, as Backstage's unregister dialog lists them.
pub async fn entities_of_location(
    api: ApiClient,
    location_ref: String,
) -> Result<Vec<Value>, ApiError> {
    let parts = [
        (
            "filter",
            format!("metadata.annotations.backstage.io/managed-by-origin-location={location_ref}"),
        ),
        (
            "fields",
            "kind,metadata.name,metadata.namespace".to_string(),
        ),
        ("limit", "100".to_string()),
    ];
    let resp: QueryEntitiesResponse = api
        .get_json(&format!(
            "/api/catalog/entities/by-query?{}",
            join_params(&parts)
        ))
        .await?;
    Ok(resp.items)
}

/// `DELETE /locations/:id`.
pub async fn delete_location(api: ApiClient, id: String) -> Result<(), ApiError> {
    api.delete(&format!("/api/catalog/locations/{}", encode(&id)))
        .await
}

/// `DELETE /entities/by-uid/:uid`.
pub async fn delete_entity(api: ApiClient, uid: String) -> Result<(), ApiError> {
    api.delete(&format!("/api/catalog/entities/by-uid/{}", encode(&uid)))
        .await
}

/// `POST /locations[?dryRun=true]`.
pub async fn add_location(
    api: ApiClient,
    spec: LocationSpec,
    dry_run: bool,
) -> Result<AddLocationResponse, ApiError> {
    let path = if dry_run {
        "/api/catalog/locations?dryRun=true"
    } else {
        "/api/catalog/locations"
    };
    api.post_json(path, &spec).await
}
