//! The catalog's permissions and the route guard that enforces them.
//!
//! Every route names its permission in [`crate::router`]. Basic permissions are decided
//! by the guard; resource permissions (`catalog.entity.refresh`, `catalog.entity.delete`)
//! pass the guard when the policy's answer is CONDITIONAL and the handler resolves the
//! condition against the entity's owners ([`entity_facts`]).

use axum::extract::{Request, State};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use backend_plugin_api::auth::Identity;
use backend_plugin_api::permission::{Decision, ResourceFacts};
use backend_plugin_api::{Action, ApiError, Permission, PermissionService};
use serde_json::Value;
use std::sync::Arc;

/// The resource type of catalog entities.
pub const RESOURCE_ENTITY: &str = "catalog-entity";

/// Read entities (every signed-in user under the default policy; token scope `catalog:read`).
pub const ENTITY_READ: Permission =
    Permission::resource("catalog.entity.read", Action::Read, RESOURCE_ENTITY);
/// Refresh an entity (operators, or owners of the entity).
pub const ENTITY_REFRESH: Permission =
    Permission::resource("catalog.entity.refresh", Action::Update, RESOURCE_ENTITY);
/// Delete an entity (operators, or owners of the entity).
pub const ENTITY_DELETE: Permission =
    Permission::resource("catalog.entity.delete", Action::Delete, RESOURCE_ENTITY);
/// Validate an entity (no side effects).
pub const ENTITY_VALIDATE: Permission = Permission::basic("catalog.entity.validate", Action::Read);
/// Read locations.
pub const LOCATION_READ: Permission = Permission::basic("catalog.location.read", Action::Read);
/// Register a location (also its dry run).
pub const LOCATION_CREATE: Permission =
    Permission::basic("catalog.location.create", Action::Create);
/// Unregister a location.
pub const LOCATION_DELETE: Permission =
    Permission::basic("catalog.location.delete", Action::Delete);
/// Analyze a location (reads it, writes nothing).
pub const LOCATION_ANALYZE: Permission =
    Permission::basic("catalog.location.analyze", Action::Read);

/// Every catalog permission.
pub fn all() -> Vec<Permission> {
    vec![
        ENTITY_READ,
        ENTITY_REFRESH,
        ENTITY_DELETE,
        ENTITY_VALIDATE,
        LOCATION_READ,
        LOCATION_CREATE,
        LOCATION_DELETE,
        LOCATION_ANALYZE,
    ]
}

/// Guard `route` with `permission`: callers the policy (or their token scopes) deny get
/// a 403 `NotAllowedError` before the handler runs.
pub fn guard<S: Clone + Send + Sync + 'static>(
    svc: &Arc<PermissionService>,
    permission: Permission,
    route: MethodRouter<S>,
) -> MethodRouter<S> {
    route.layer(from_fn_with_state((svc.clone(), permission), check))
}

async fn check(
    State((svc, permission)): State<(Arc<PermissionService>, Permission)>,
    req: Request,
    next: Next,
) -> Response {
    let Some(identity) = req.extensions().get::<Identity>().cloned() else {
        return ApiError::Authentication("sign-in required".into()).into_response();
    };
    match svc.decide(&identity, &permission) {
        Decision::Allow | Decision::Conditional(_) => next.run(req).await,
        Decision::Deny => match svc.authorize(&identity, &permission, None) {
            Ok(()) => next.run(req).await,
            Err(e) => e.into_response(),
        },
    }
}

/// Owners of an entity (`ownedBy` relation targets, plus `spec.owner` resolved the way
/// relations are) for resolving ownership conditions.
pub fn entity_facts(entity: &Value) -> ResourceFacts {
    let mut owners: Vec<String> = entity["relations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "ownedBy")
        .filter_map(|r| r["targetRef"].as_str().map(str::to_ascii_lowercase))
        .collect();
    owners.dedup();
    ResourceFacts { owners }
}
