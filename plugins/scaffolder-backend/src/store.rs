//! Task and event storage (`scaffolder_tasks`, `scaffolder_task_events`), portable SQL
//! for SQLite and PostgreSQL. Secrets are never written here.

use backend_plugin_api::Database;
use plugin_scaffolder_common::{
    EventBody, EventType, SerializedTask, TaskEvent, TaskSpec, TaskState, TaskStatus,
};
use sqlx::Row;

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Store a new `open` task.
pub async fn insert_task(
    db: &Database,
    id: &str,
    spec: &TaskSpec,
    created_by: &str,
) -> Result<(), sqlx::Error> {
    let spec_json = serde_json::to_string(spec).unwrap_or_default();
    sqlx::query(
        "INSERT INTO scaffolder_tasks (id, spec, status, created_at, created_by, template_ref) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(spec_json)
    .bind(TaskStatus::Open.as_str())
    .bind(now())
    .bind(created_by)
    .bind(&spec.template_info.entity_ref)
    .execute(db.pool())
    .await?;
    Ok(())
}

const COLUMNS: &str = "id, spec, status, created_at, last_heartbeat_at, created_by, state";

fn row_task(r: &sqlx::any::AnyRow) -> Result<SerializedTask, sqlx::Error> {
    let spec: String = r.try_get(1)?;
    let status: String = r.try_get(2)?;
    let state: Option<String> = r.try_get(6)?;
    Ok(SerializedTask {
        id: r.try_get(0)?,
        spec: serde_json::from_str(&spec).unwrap_or_default(),
        status: TaskStatus::parse(&status).unwrap_or(TaskStatus::Failed),
        created_at: r.try_get(3)?,
        last_heartbeat_at: r.try_get(4)?,
        created_by: Some(r.try_get(5)?),
        state: state.and_then(|s| serde_json::from_str::<TaskState>(&s).ok()),
    })
}

/// One task.
pub async fn get_task(db: &Database, id: &str) -> Result<Option<SerializedTask>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM scaffolder_tasks WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(row_task).transpose()
}

/// A filtered page of tasks, newest first unless `ascending`.
pub async fn list_tasks(
    db: &Database,
    created_by: &[String],
    statuses: &[String],
    limit: i64,
    offset: i64,
    ascending: bool,
) -> Result<(Vec<SerializedTask>, i64), sqlx::Error> {
    let mut clauses = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    if !created_by.is_empty() {
        let start = binds.len();
        let marks: Vec<String> = (0..created_by.len())
            .map(|i| format!("${}", start + i + 1))
            .collect();
        clauses.push(format!("created_by IN ({})", marks.join(", ")));
        binds.extend(created_by.iter().cloned());
    }
    if !statuses.is_empty() {
        let start = binds.len();
        let marks: Vec<String> = (0..statuses.len())
            .map(|i| format!("${}", start + i + 1))
            .collect();
        clauses.push(format!("status IN ({})", marks.join(", ")));
        binds.extend(statuses.iter().cloned());
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    let count_sql = format!("SELECT COUNT(*) FROM scaffolder_tasks{filter}");
    let mut q = sqlx::query(&count_sql);
    for b in &binds {
        q = q.bind(b);
    }
    let total: i64 = q.fetch_one(db.pool()).await?.try_get(0)?;
    let dir = if ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT {COLUMNS} FROM scaffolder_tasks{filter} ORDER BY created_at {dir}, id {dir} LIMIT {} OFFSET {}",
        limit.clamp(1, 1000),
        offset.max(0)
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(db.pool()).await?;
    let tasks = rows.iter().map(row_task).collect::<Result<Vec<_>, _>>()?;
    Ok((tasks, total))
}

/// Move a task to `to` if its status is one of `from`; returns whether it moved.
pub async fn transition(
    db: &Database,
    id: &str,
    from: &[TaskStatus],
    to: TaskStatus,
) -> Result<bool, sqlx::Error> {
    let marks: Vec<String> = (0..from.len()).map(|i| format!("${}", i + 5)).collect();
    let sql = format!(
        "UPDATE scaffolder_tasks SET status = $1, last_heartbeat_at = $2, completed_at = $3 WHERE id = $4 AND status IN ({})",
        marks.join(", ")
    );
    let ts = now();
    let mut q = sqlx::query(&sql)
        .bind(to.as_str())
        .bind(ts.clone())
        .bind(if to.is_final() { Some(ts) } else { None })
        .bind(id);
    for f in from {
        q = q.bind(f.as_str());
    }
    let res = q.execute(db.pool()).await?;
    Ok(res.rows_affected() > 0)
}

/// Finish a run atomically: move the task from `from` to `status` and append its
/// `completion` event in one transaction, so a reader never sees one without the other.
/// Returns whether the task was in `from`.
pub async fn finish(
    db: &Database,
    id: &str,
    from: TaskStatus,
    status: TaskStatus,
    completion: &EventBody,
) -> Result<bool, sqlx::Error> {
    let ts = now();
    let mut tx = db.pool().begin().await?;
    let moved = sqlx::query(
        "UPDATE scaffolder_tasks SET status = $1, last_heartbeat_at = $2, completed_at = $3 WHERE id = $4 AND status = $5",
    )
    .bind(status.as_str())
    .bind(ts.clone())
    .bind(ts.clone())
    .bind(id)
    .bind(from.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    if moved {
        sqlx::query(
            "INSERT INTO scaffolder_task_events (task_id, event_type, body, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(EventType::Completion.as_str())
        .bind(serde_json::to_string(completion).unwrap_or_default())
        .bind(ts)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(moved)
}

/// Record that the worker is alive.
pub async fn heartbeat(db: &Database, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE scaffolder_tasks SET last_heartbeat_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Save the run state (per-step status, output).
pub async fn set_state(db: &Database, id: &str, state: &TaskState) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE scaffolder_tasks SET state = $1 WHERE id = $2")
        .bind(serde_json::to_string(state).unwrap_or_default())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Append an event; returns it with its id.
pub async fn append_event(
    db: &Database,
    task_id: &str,
    event_type: EventType,
    body: &EventBody,
) -> Result<TaskEvent, sqlx::Error> {
    let created_at = now();
    let row = sqlx::query(
        "INSERT INTO scaffolder_task_events (task_id, event_type, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(task_id)
    .bind(event_type.as_str())
    .bind(serde_json::to_string(body).unwrap_or_default())
    .bind(&created_at)
    .fetch_one(db.pool())
    .await?;
    Ok(TaskEvent {
        id: row.try_get(0)?,
        task_id: task_id.to_string(),
        event_type,
        created_at,
        body: body.clone(),
    })
}

/// Append several events in one transaction (fewer write transactions on SQLite, where
/// writers queue for one lock).
pub async fn append_events(
    db: &Database,
    task_id: &str,
    events: &[(EventType, EventBody)],
) -> Result<(), sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    for (event_type, body) in events {
        sqlx::query(
            "INSERT INTO scaffolder_task_events (task_id, event_type, body, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(task_id)
        .bind(event_type.as_str())
        .bind(serde_json::to_string(body).unwrap_or_default())
        .bind(now())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Events of a task with an id greater than `after`, oldest first.
pub async fn events_after(
    db: &Database,
    task_id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<TaskEvent>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT id, event_type, body, created_at FROM scaffolder_task_events WHERE task_id = $1 AND id > $2 ORDER BY id LIMIT {}",
        limit.clamp(1, 10_000)
    ))
    .bind(task_id)
    .bind(after)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let t: String = r.try_get(1)?;
            let body: String = r.try_get(2)?;
            Ok(TaskEvent {
                id: r.try_get(0)?,
                task_id: task_id.to_string(),
                event_type: EventType::parse(&t).unwrap_or(EventType::Log),
                body: serde_json::from_str(&body).unwrap_or_default(),
                created_at: r.try_get(3)?,
            })
        })
        .collect()
}

/// Ids of tasks in `status`.
pub async fn ids_with_status(
    db: &Database,
    status: TaskStatus,
) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query("SELECT id FROM scaffolder_tasks WHERE status = $1 ORDER BY created_at")
        .bind(status.as_str())
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| r.try_get(0)).collect()
}

/// Ids of `processing` tasks whose heartbeat is older than `before` (RFC 3339).
pub async fn stale_processing(db: &Database, before: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id FROM scaffolder_tasks WHERE status = $1 AND (last_heartbeat_at IS NULL OR last_heartbeat_at < $2)",
    )
    .bind(TaskStatus::Processing.as_str())
    .bind(before)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| r.try_get(0)).collect()
}
