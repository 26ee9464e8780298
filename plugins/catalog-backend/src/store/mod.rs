//! Database access of the catalog: SQL helpers, reads ([`entities`]) and processing
//! state writes ([`state`]). All SQL uses `$n` placeholders valid on SQLite and
//! PostgreSQL.

pub mod entities;
pub mod state;

use sha2::{Digest, Sha256};

/// Rows per multi-row statement / `IN (…)` list.
pub const CHUNK: usize = 100;

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
