//! Routes of the home plugin.

use crate::HomeConfig;
use axum::{extract::State, routing::get, Json, Router};
use backend_plugin_api::{ApiError, Database, PluginContext};
use plugin_home_common::PortalInfo;
use sqlx::Row;
use std::sync::Arc;

/// Shared state of the home routes.
#[derive(Clone)]
pub struct HomeState {
    info: Arc<PortalInfo>,
    db: Database,
}

impl HomeState {
    pub(crate) fn new(ctx: &PluginContext, cfg: HomeConfig) -> Self {
        Self {
            info: Arc::new(PortalInfo {
                title: cfg.title.unwrap_or_else(|| "Butler Portal".into()),
                version: ctx.host().version.clone(),
                demo: ctx.host().demo,
                database: ctx.database().engine().as_str().into(),
                started_at: chrono::Utc::now().to_rfc3339(),
            }),
            db: ctx.database().clone(),
        }
    }
}

/// The plugin router.
pub fn router(state: HomeState) -> Router {
    Router::new()
        .route("/info", get(info))
        .route("/visits", get(visits).post(record_visit))
        .with_state(state)
}

async fn info(State(s): State<HomeState>) -> Json<PortalInfo> {
    Json((*s.info).clone())
}

#[derive(serde::Serialize)]
struct Visits {
    count: i64,
}

async fn visits(State(s): State<HomeState>) -> Result<Json<Visits>, ApiError> {
    let row = sqlx::query("SELECT COUNT(*) FROM home_visits")
        .fetch_one(s.db.pool())
        .await?;
    Ok(Json(Visits {
        count: row.try_get(0)?,
    }))
}

async fn record_visit(State(s): State<HomeState>) -> Result<Json<Visits>, ApiError> {
    sqlx::query("INSERT INTO home_visits (visited_at) VALUES ($1)")
        .bind(chrono::Utc::now().to_rfc3339())
        .execute(s.db.pool())
        .await?;
    visits(State(s)).await
}
