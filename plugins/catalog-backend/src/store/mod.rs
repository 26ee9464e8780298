//! Database access of the catalog: SQL helpers, reads ([`entities`]) and processing
//! state writes ([`state`]). All SQL uses `$n` placeholders valid on SQLite and
//! PostgreSQL.

pub mod entities;
pub mod state;

use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

/// Rows per multi-row statement / `IN (…)` list.
pub const CHUNK: usize = 100;

/// Begin a write transaction (or a savepoint when `conn` is in one already).
///
/// On SQLite this is `BEGIN IMMEDIATE`: the write lock is taken up front (waiting up to
/// the busy timeout while another connection writes). A deferred `BEGIN` reads from a
/// snapshot, and when another connection (any plugin sharing the file) commits between
/// the transaction's first read and its first write, that write fails at once with
/// SQLITE_BUSY_SNAPSHOT ("database is locked", code 517) instead of waiting.
pub async fn begin_write(
    conn: &mut AnyConnection,
) -> Result<sqlx::Transaction<'_, sqlx::Any>, sqlx::Error> {
    use sqlx::Connection;
    if is_postgres(conn) || conn.is_in_transaction() {
        conn.begin().await
    } else {
        conn.begin_with("BEGIN IMMEDIATE").await
    }
}

/// Whether a connection speaks PostgreSQL (otherwise SQLite).
pub fn is_postgres(conn: &AnyConnection) -> bool {
    conn.backend_name() == "PostgreSQL"
}

// Bulk statements bind ONE text parameter holding a JSON array and unpack it in SQL:
// the SQL text is the same for any number of rows (sqlx keeps one prepared statement),
// there is no per-value bind overhead, and no parameter-count limit applies.

/// `{col} IN (the strings of the JSON array bound as $n)`. On PostgreSQL this is
/// `= ANY(ARRAY(…))`, which the planner turns into index probes; an `IN (SELECT …)`
/// over a set-returning function becomes a hash join over the whole table.
pub fn in_strings(pg: bool, col: &str, n: usize) -> String {
    if pg {
        format!("{col} = ANY(ARRAY(SELECT jsonb_array_elements_text(${n}::jsonb)))")
    } else {
        format!("{col} IN (SELECT value FROM json_each(${n}))")
    }
}

/// `{col} IN (the integers of the JSON array bound as $n)` (see [`in_strings`]).
pub fn in_ints(pg: bool, col: &str, n: usize) -> String {
    if pg {
        format!("{col} = ANY(ARRAY(SELECT jsonb_array_elements_text(${n}::jsonb)::bigint))")
    } else {
        format!("{col} IN (SELECT value FROM json_each(${n}))")
    }
}

/// A column of [`json_rows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    /// Text (or NULL).
    Text,
    /// 64-bit integer.
    Int,
}

/// `SELECT c0, c1, … FROM …`: the rows of the JSON array of arrays bound as `$n` (column
/// i is element i of each inner array; JSON null is SQL NULL), aliased `j`. Usable as
/// `INSERT INTO t (…) {json_rows}` or `UPDATE … FROM ({json_rows}) …`.
pub fn json_rows(pg: bool, n: usize, cols: &[Col]) -> String {
    let exprs: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| match (pg, c) {
            (true, Col::Text) => format!("j ->> {i} AS c{i}"),
            (true, Col::Int) => format!("(j ->> {i})::bigint AS c{i}"),
            (false, _) => format!("json_extract(j.value, '$[{i}]') AS c{i}"),
        })
        .collect();
    if pg {
        format!(
            "SELECT {} FROM jsonb_array_elements(${n}::jsonb) AS j",
            exprs.join(", ")
        )
    } else {
        format!("SELECT {} FROM json_each(${n}) AS j", exprs.join(", "))
    }
}

/// A JSON array text of `items` (for the `json_*` helpers).
pub fn to_json<T: serde::Serialize + ?Sized>(items: &T) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// `$start, $start+1, …` (n placeholders) joined by commas.
pub fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2), ($3, $4) …` for `rows` rows of `cols` columns.
pub fn value_rows(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", placeholders(r * cols + 1, cols)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_build_placeholders() {
        assert_eq!(placeholders(3, 2), "$3, $4");
        assert_eq!(value_rows(2, 2), "($1, $2), ($3, $4)");
    }
}
