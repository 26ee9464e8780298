//! `/healthz`, `/readyz` and `/api/plugins`.

use crate::server::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use portal_types::{Health, InstalledPlugin, Readiness, ReadinessCheck};

/// Liveness: the process answers.
pub async fn healthz(State(s): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: s.version.into(),
    })
}

/// Readiness: database reachable and every plugin's migrations applied.
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
    let ok = db_ok && migrations_ok;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Readiness {
            status: if ok { "ok" } else { "failed" }.into(),
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
