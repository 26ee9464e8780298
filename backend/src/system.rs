//! `/healthz`, `/readyz` and `/api/plugins`.

use crate::server::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use backend_plugin_api::readiness::CheckStatus;
use portal_types::{Health, InstalledPlugin, Readiness, ReadinessCheck};

/// Liveness: the process answers.
pub async fn healthz(State(s): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: s.version.into(),
    })
}

/// Readiness: database reachable, every plugin's migrations applied, and the checks plugins
/// contributed (a `degraded` check keeps 200 with overall status `degraded`).
pub async fn readyz(State(s): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let mut checks = Vec::new();
    let db_ok = match s.database.ping().await {
        Ok(()) => {
            checks.push(check("database", "ok", None));
            true
        }
        Err(e) => {
            checks.push(check("database", "failed", Some(e.to_string())));
            false
        }
    };
    let mut migrations_ok = db_ok;
    if db_ok {
        let mut pending = Vec::new();
        for (id, m) in s.migrations.iter() {
            match s.database.is_migrated(id, m).await {
                Ok(true) => {}
                Ok(false) => pending.push(id.to_string()),
                Err(e) => pending.push(format!("{id} ({e})")),
            }
        }
        migrations_ok = pending.is_empty();
        checks.push(if migrations_ok {
            check("migrations", "ok", None)
        } else {
            check(
                "migrations",
                "failed",
                Some(format!("pending: {}", pending.join(", "))),
            )
        });
    }
    let mut degraded = false;
    let mut plugin_failed = false;
    for (name, r) in s.readiness.run().await {
        degraded |= r.status == CheckStatus::Degraded;
        plugin_failed |= r.status == CheckStatus::Failed;
        checks.push(check(&name, r.status.as_str(), r.message));
    }
    let ok = db_ok && migrations_ok && !plugin_failed;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Readiness {
            status: if !ok {
                "failed"
            } else if degraded {
                "degraded"
            } else {
                "ok"
            }
            .into(),
            version: s.version.into(),
            database: s.database.engine().as_str().into(),
            checks,
        }),
    )
}

fn check(name: &str, status: &str, message: Option<String>) -> ReadinessCheck {
    ReadinessCheck {
        name: name.into(),
        status: status.into(),
        message,
    }
}

/// Installed plugins in registration order.
pub async fn plugins(State(s): State<AppState>) -> Json<Vec<InstalledPlugin>> {
    Json(s.plugins.as_ref().clone())
}
