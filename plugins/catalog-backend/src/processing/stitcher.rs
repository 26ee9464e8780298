//! Stitching: merge a processed entity with every relation whose source it is (emitted by
//! itself or by others), its processing errors (`status.items`) and orphan state into
//! `catalog_final_entities`, and flatten it into `catalog_search`. Entities whose final
//! hash did not change are not rewritten; for the others only the search rows that
//! differ from those of the stored final entity are deleted and inserted.

use super::timing;
use crate::store::{in_ints, in_strings, is_postgres, json_rows, now_ms, sha256_hex, to_json, Col};
use backend_plugin_api::Database;
use plugin_catalog_common::dto::SerializedError;
use plugin_catalog_common::search::build_entity_search;
use plugin_catalog_common::{EntityRef, ANNOTATION_ORPHAN, STATUS_PROCESSING_ERROR};
use serde_json::{json, Map, Value};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeSet, HashMap, HashSet};

struct Candidate {
    id: i64,
    entity_id: String,
    entity_ref: String,
    processed: String,
    errors: Option<String>,
    parents: i64,
    /// The current final row: hash and entity JSON.
    old: Option<(String, String)>,
}

/// A search row as stored: key, lowercased value, value as written when different.
type SearchRow = (String, Option<String>, Option<String>);

/// The search rows of a final entity, as stored.
fn search_rows(entity: &Value) -> Vec<SearchRow> {
    build_entity_search(entity)
        .into_iter()
        .map(|r| {
            // The value as written is only kept when it differs from the lowercased one.
            let original = r.original_value.filter(|o| r.value.as_ref() != Some(o));
            (r.key, r.value, original)
        })
        .collect()
}

/// Entities stitched per transaction.
const STITCH_CHUNK: usize = 1000;

/// Search rows per insert/delete statement.
const SEARCH_ROWS: usize = 5000;

/// Stitch the entities with these refs, writing on `writer`. Returns how many final rows
/// changed.
///
/// Chunks are pipelined: while one is written (a transaction on `writer`), the next one
/// is read and built on another connection of `db`'s pool. Chunks are disjoint and
/// stitching only writes the final and search rows of the chunk's own entities, so the
/// reads do not depend on the concurrent write.
pub async fn stitch(
    db: &Database,
    writer: &mut AnyConnection,
    refs: &[String],
) -> Result<usize, sqlx::Error> {
    if !bulk_mode(writer, refs.len()).await? {
        let mut sink = Sink {
            table: "catalog_search",
            deferred: None,
        };
        return stitch_chunks(db, writer, refs, &mut sink).await;
    }
    let _sp = timing::span("s.bulk");
    if is_postgres(writer) {
        stitch_bulk_postgres(db, writer, refs).await
    } else {
        stitch_bulk_sqlite(db, writer, refs).await
    }
}

/// Bulk stitch on PostgreSQL, in one transaction.
async fn stitch_bulk_postgres(
    db: &Database,
    writer: &mut AnyConnection,
    refs: &[String],
) -> Result<usize, sqlx::Error> {
    let mut tx = crate::store::begin_write(&mut *writer).await?;
    // Fill a copy without indexes, index it, and swap it in: DROP INDEX would lock
    // readers out for the whole stitch, DROP TABLE only for the swap.
    for sql in [
        format!("DROP TABLE IF EXISTS {BULK_TABLE}"),
        format!("CREATE TABLE {BULK_TABLE} (LIKE catalog_search)"),
        format!("INSERT INTO {BULK_TABLE} SELECT * FROM catalog_search"),
    ] {
        sqlx::query(&sql)
            .persistent(false)
            .execute(&mut *tx)
            .await?;
    }
    let mut sink = Sink {
        table: BULK_TABLE,
        deferred: Some(Vec::new()),
    };
    let changed = stitch_chunks(db, &mut tx, refs, &mut sink).await?;
    let removed = sink.deferred.take().unwrap_or_default();
    if !removed.is_empty() {
        let sql = format!(
            "DELETE FROM {BULK_TABLE} s USING ({}) AS u WHERE s.entity = u.c0 AND s.key = u.c1 \
             AND s.value IS NOT DISTINCT FROM u.c2 AND s.original_value IS NOT DISTINCT FROM u.c3",
            json_rows(true, 1, &[Col::Int, Col::Text, Col::Text, Col::Text])
        );
        sqlx::query(&sql)
            .bind(to_json(&removed))
            .execute(&mut *tx)
            .await?;
    }
    let _sp = timing::span("s.create_index");
    for sql in [
        // The new table has no statistics yet.
        format!("ANALYZE {BULK_TABLE}"),
        "ANALYZE catalog_final_entities".to_string(),
        "SET LOCAL maintenance_work_mem = '128MB'".to_string(),
        format!("CREATE INDEX {BULK_TABLE}_kv ON {BULK_TABLE} {SEARCH_KEY_VALUE_COLUMNS}"),
        format!("CREATE INDEX {BULK_TABLE}_entity ON {BULK_TABLE} (entity)"),
        "DROP TABLE catalog_search".to_string(),
        format!("ALTER TABLE {BULK_TABLE} RENAME TO catalog_search"),
        format!("ALTER INDEX {BULK_TABLE}_kv RENAME TO {SEARCH_KEY_VALUE_INDEX}"),
        format!("ALTER INDEX {BULK_TABLE}_entity RENAME TO catalog_search_entity_idx"),
    ] {
        sqlx::query(&sql)
            .persistent(false)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    // Index-only scans (counts, facets) need the visibility map of the new rows;
    // autovacuum would set it within minutes. VACUUM cannot run in a transaction
    // and does not block reads or writes.
    let pool = db.pool().clone();
    tokio::spawn(async move {
        for table in ["catalog_final_entities", "catalog_search"] {
            if let Err(e) = sqlx::query(&format!("VACUUM {table}"))
                .persistent(false)
                .execute(&pool)
                .await
            {
                tracing::debug!(error = %e, "VACUUM {table} after a bulk stitch failed");
            }
        }
    });
    Ok(changed)
}

/// Bulk stitch on SQLite: drop the (key, value) search index, stitch chunk by chunk, and
/// create the index again. The chunks keep their own short transactions: one long
/// transaction would hold SQLite's single write lock past the busy timeout of other
/// plugins' writers. Meanwhile queries filtering on search keys scan the table. Should
/// the process stop in between, [`ensure_search_index`] (run when the writer connects)
/// creates the index again.
async fn stitch_bulk_sqlite(
    db: &Database,
    writer: &mut AnyConnection,
    refs: &[String],
) -> Result<usize, sqlx::Error> {
    let mut tx = crate::store::begin_write(&mut *writer).await?;
    sqlx::query(&format!("DROP INDEX IF EXISTS {SEARCH_KEY_VALUE_INDEX}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let mut sink = Sink {
        table: "catalog_search",
        deferred: None,
    };
    let result = stitch_chunks(db, writer, refs, &mut sink).await;
    let _sp = timing::span("s.create_index");
    let created = ensure_search_index(writer).await;
    let changed = result?;
    created?;
    Ok(changed)
}

/// Create the (key, value) search index when it is missing (SQLite: a bulk stitch drops
/// it for a while).
pub async fn ensure_search_index(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    if is_postgres(conn) {
        return Ok(());
    }
    let mut tx = crate::store::begin_write(&mut *conn).await?;
    sqlx::query(&format!(
        "CREATE INDEX IF NOT EXISTS {SEARCH_KEY_VALUE_INDEX} ON catalog_search {SEARCH_KEY_VALUE_COLUMNS}"
    ))
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// The (key, value) index of `catalog_search`, as created by the migrations.
const SEARCH_KEY_VALUE_INDEX: &str = "catalog_search_key_value_idx";
const SEARCH_KEY_VALUE_COLUMNS: &str = "(key, value, original_value, entity)";

/// The search table a bulk stitch on PostgreSQL fills before swapping it in.
const BULK_TABLE: &str = "catalog_search_bulk";

/// A search row with its entity.
type SearchKey = (i64, String, Option<String>, Option<String>);

/// Where [`apply`] writes search rows.
struct Sink {
    /// The search table.
    table: &'static str,
    /// When set, removed rows are collected here (and deleted by the caller) instead of
    /// deleted chunk by chunk (the bulk table has no index to find them).
    deferred: Option<Vec<SearchKey>>,
}

/// Stitches at least this large may be bulk stitches (`CATALOG_BULK_MIN` overrides it,
/// for tests).
const BULK_MIN: usize = 5000;

/// Whether to stitch in bulk mode: when stitching at least as many entities as there are
/// final rows (a first ingest, or a large share of the catalog), the whole stitch is one
/// transaction that builds the search indexes once at the end instead of inserting each
/// row into large B-trees at random places. On SQLite the (key, value) index is dropped
/// and created again ([`stitch_bulk_sqlite`]); on PostgreSQL a copy of the search table
/// is filled, indexed and swapped in, in one transaction.
async fn bulk_mode(conn: &mut AnyConnection, n: usize) -> Result<bool, sqlx::Error> {
    static MIN: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let min = *MIN.get_or_init(|| {
        std::env::var("CATALOG_BULK_MIN")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(BULK_MIN)
    });
    if n < min.max(1) {
        return Ok(false);
    }
    let existing: i64 = sqlx::query("SELECT COUNT(*) FROM catalog_final_entities")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    Ok(existing as usize <= n)
}

/// Stitch chunk by chunk (each chunk in its own transaction, or savepoint when `writer`
/// is in a transaction already).
async fn stitch_chunks(
    db: &Database,
    writer: &mut AnyConnection,
    refs: &[String],
    sink: &mut Sink,
) -> Result<usize, sqlx::Error> {
    let chunks: Vec<Vec<String>> = refs.chunks(STITCH_CHUNK).map(<[_]>::to_vec).collect();
    let mut changed_total = 0;
    if chunks.len() <= 1 {
        for chunk in &chunks {
            let p = prepare(writer, chunk).await?;
            changed_total += apply(writer, p, sink).await?;
        }
        return Ok(changed_total);
    }
    let mut reader = db.pool().acquire().await?;
    let mut next = Some(prepare(&mut reader, &chunks[0]).await?);
    let mut reader = Some(reader);
    for i in 0..chunks.len() {
        let Some(current) = next.take() else { break };
        let upcoming = match (chunks.get(i + 1).cloned(), reader.take()) {
            (Some(chunk), Some(mut r)) => Some(tokio::spawn(async move {
                let p = prepare(&mut r, &chunk).await;
                (r, p)
            })),
            _ => None,
        };
        changed_total += apply(writer, current, sink).await?;
        if let Some(task) = upcoming {
            let (r, p) = task
                .await
                .map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?;
            reader = Some(r);
            next = Some(p?);
        }
    }
    Ok(changed_total)
}

/// The writes of one chunk.
#[derive(Default)]
struct Prepared {
    changed: usize,
    /// New final rows: (id, entity_id, ref, kind, namespace, name, hash, JSON, stitched_at).
    inserts: Vec<NewRow>,
    /// Changed final rows: (id, hash, JSON, stitched_at).
    updates: Vec<(i64, String, String, i64)>,
    search_added: Vec<SearchKey>,
    search_removed: Vec<SearchKey>,
}

type NewRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
);

/// Read and build one chunk.
async fn prepare(conn: &mut AnyConnection, refs: &[String]) -> Result<Prepared, sqlx::Error> {
    let pg = is_postgres(conn);

    let sp = timing::span("s.cands");
    let sql = format!(
        "SELECT r.id, r.entity_id, r.entity_ref, r.processed_entity, r.errors, \
         (SELECT COUNT(*) FROM catalog_refresh_refs x WHERE x.target_entity_ref = r.entity_ref), \
         f.hash, f.final_entity \
         FROM catalog_refresh_state r LEFT JOIN catalog_final_entities f ON f.id = r.id \
         WHERE {} AND r.processed_entity IS NOT NULL",
        in_strings(pg, "r.entity_ref", 1)
    );
    let mut cands = Vec::new();
    for row in sqlx::query(&sql)
        .bind(to_json(refs))
        .fetch_all(&mut *conn)
        .await?
    {
        let hash: Option<String> = row.try_get(6)?;
        let old_final: Option<String> = row.try_get(7)?;
        cands.push(Candidate {
            id: row.try_get(0)?,
            entity_id: row.try_get(1)?,
            entity_ref: row.try_get(2)?,
            processed: row.try_get(3)?,
            errors: row.try_get(4)?,
            parents: row.try_get(5)?,
            old: hash.zip(old_final),
        });
    }
    drop(sp);
    if cands.is_empty() {
        return Ok(Prepared::default());
    }
    let sp = timing::span("s.rels");
    let sql = format!(
        "SELECT source_entity_ref, type, target_entity_ref FROM catalog_relations WHERE {}",
        in_strings(pg, "source_entity_ref", 1)
    );
    let cand_refs: Vec<&str> = cands.iter().map(|c| c.entity_ref.as_str()).collect();
    let mut rels: HashMap<String, BTreeSet<(String, String)>> = HashMap::new();
    for row in sqlx::query(&sql)
        .bind(to_json(&cand_refs))
        .fetch_all(&mut *conn)
        .await?
    {
        let s: String = row.try_get(0)?;
        rels.entry(s)
            .or_default()
            .insert((row.try_get(1)?, row.try_get(2)?));
    }
    drop(sp);

    let sp = timing::span("s.build");
    let now = now_ms();
    let mut p = Prepared::default();
    for c in cands {
        let Ok(mut entity) = serde_json::from_str::<Value>(&c.processed) else {
            continue;
        };
        let errors: Vec<SerializedError> = c
            .errors
            .as_deref()
            .and_then(|e| serde_json::from_str(e).ok())
            .unwrap_or_default();
        let relations = rels.remove(&c.entity_ref).unwrap_or_default();
        build_final(
            &mut entity,
            &c.entity_id,
            relations,
            &errors,
            c.parents == 0,
        );
        let text = serde_json::to_string(&entity).unwrap_or_default();
        let hash = sha256_hex(text.as_bytes());
        if c.old.as_ref().map(|o| &o.0) == Some(&hash) {
            continue;
        }
        if let Some(m) = entity.get_mut("metadata").and_then(Value::as_object_mut) {
            m.insert("etag".into(), Value::String(hash[..32].to_string()));
        }
        p.changed += 1;
        let rows = search_rows(&entity);
        let json = serde_json::to_string(&entity).unwrap_or_default();
        match c.old {
            // Search rows are a function of the final entity: diff against the rows of
            // the stored one, so a restitch that only adds a relation writes one row.
            Some((_, old_json)) => {
                let old: HashSet<SearchRow> = serde_json::from_str::<Value>(&old_json)
                    .map(|v| search_rows(&v).into_iter().collect())
                    .unwrap_or_default();
                let new: HashSet<&SearchRow> = rows.iter().collect();
                for r in &old {
                    if !new.contains(r) {
                        p.search_removed
                            .push((c.id, r.0.clone(), r.1.clone(), r.2.clone()));
                    }
                }
                for r in rows {
                    if !old.contains(&r) {
                        p.search_added.push((c.id, r.0, r.1, r.2));
                    }
                }
                p.updates.push((c.id, hash, json, now));
            }
            None => {
                let (k, ns, n) = EntityRef::parse(&c.entity_ref, None, None)
                    .ok()
                    .map(|p| (p.kind, p.namespace, p.name))
                    .unwrap_or_default();
                p.search_added
                    .extend(rows.into_iter().map(|r| (c.id, r.0, r.1, r.2)));
                p.inserts
                    .push((c.id, c.entity_id, c.entity_ref, k, ns, n, hash, json, now));
            }
        }
    }
    // Writing in index order keeps the index pages touched together.
    p.search_added
        .sort_by(|a, b| (&a.1, &a.2).cmp(&(&b.1, &b.2)));
    drop(sp);
    Ok(p)
}

/// Write one chunk in a transaction. Returns how many final rows changed.
async fn apply(
    conn: &mut AnyConnection,
    p: Prepared,
    sink: &mut Sink,
) -> Result<usize, sqlx::Error> {
    if p.changed == 0 {
        return Ok(0);
    }
    let pg = is_postgres(conn);
    let Prepared {
        changed,
        inserts,
        updates,
        search_added,
        search_removed,
    } = p;
    let table = sink.table;
    let mut tx = crate::store::begin_write(&mut *conn).await?;
    if let Some(deferred) = sink.deferred.as_mut() {
        deferred.extend(search_removed);
    } else if !search_removed.is_empty() {
        let _sp = timing::span("s.del_search");
        let rows = json_rows(pg, 1, &[Col::Int, Col::Text, Col::Text, Col::Text]);
        let sql = if pg {
            // The `= ANY` on the entities makes the planner probe the entity index
            // instead of hash-joining the whole table.
            format!(
                "DELETE FROM {table} s USING ({rows}) AS u WHERE {} AND s.entity = u.c0 \
                 AND s.key = u.c1 AND s.value IS NOT DISTINCT FROM u.c2 \
                 AND s.original_value IS NOT DISTINCT FROM u.c3",
                in_ints(pg, "s.entity", 2)
            )
        } else {
            format!(
                "DELETE FROM {table} WHERE rowid IN (SELECT s.rowid FROM ({rows}) AS u \
                 JOIN {table} s ON s.entity = u.c0 AND s.key = u.c1 \
                 AND s.value IS u.c2 AND s.original_value IS u.c3)"
            )
        };
        for chunk in search_removed.chunks(SEARCH_ROWS) {
            let mut q = sqlx::query(&sql).bind(to_json(chunk));
            if pg {
                let mut ids: Vec<i64> = chunk.iter().map(|r| r.0).collect();
                ids.dedup();
                q = q.bind(to_json(&ids));
            }
            q.execute(&mut *tx).await?;
        }
    }
    if !updates.is_empty() {
        let _sp = timing::span("s.upd_final");
        let sql = format!(
            "UPDATE catalog_final_entities SET hash = u.c1, final_entity = u.c2, stitched_at = u.c3 \
             FROM ({}) AS u WHERE catalog_final_entities.id = u.c0",
            json_rows(pg, 1, &[Col::Int, Col::Text, Col::Text, Col::Int])
        );
        for chunk in updates.chunks(STITCH_CHUNK / 2) {
            sqlx::query(&sql)
                .bind(to_json(chunk))
                .execute(&mut *tx)
                .await?;
        }
    }
    if !inserts.is_empty() {
        let _sp = timing::span("s.ins_final");
        let sql = format!(
            "INSERT INTO catalog_final_entities (id, entity_id, entity_ref, kind, namespace, name, hash, final_entity, stitched_at) {}",
            json_rows(
                pg,
                1,
                &[Col::Int, Col::Text, Col::Text, Col::Text, Col::Text, Col::Text, Col::Text, Col::Text, Col::Int]
            )
        );
        for chunk in inserts.chunks(STITCH_CHUNK / 2) {
            sqlx::query(&sql)
                .bind(to_json(chunk))
                .execute(&mut *tx)
                .await?;
        }
    }
    if !search_added.is_empty() {
        let _sp = timing::span("s.ins_search");
        let sql = format!(
            "INSERT INTO {table} (entity, key, value, original_value) {}",
            json_rows(pg, 1, &[Col::Int, Col::Text, Col::Text, Col::Text])
        );
        for chunk in search_added.chunks(SEARCH_ROWS) {
            sqlx::query(&sql)
                .bind(to_json(chunk))
                .execute(&mut *tx)
                .await?;
        }
    }
    let _sp = timing::span("s.commit");
    tx.commit().await?;
    Ok(changed)
}

/// Turn a processed entity into its final form.
fn build_final(
    entity: &mut Value,
    entity_id: &str,
    relations: BTreeSet<(String, String)>,
    errors: &[SerializedError],
    orphan: bool,
) {
    let Some(obj) = entity.as_object_mut() else {
        return;
    };
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("uid".into(), Value::String(entity_id.to_string()));
        meta.remove("etag");
        meta.insert("generation".into(), json!(1));
        if orphan {
            let ann = meta
                .entry("annotations")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(a) = ann.as_object_mut() {
                a.insert(ANNOTATION_ORPHAN.into(), Value::String("true".into()));
            }
        }
    }
    obj.insert(
        "relations".into(),
        Value::Array(
            relations
                .into_iter()
                .map(|(t, target)| json!({"type": t, "targetRef": target}))
                .collect(),
        ),
    );
    if !errors.is_empty() {
        let items: Vec<Value> = errors
            .iter()
            .map(|e| {
                json!({"type": STATUS_PROCESSING_ERROR, "level": "error",
                       "message": format!("{}: {}", e.name, e.message),
                       "error": {"name": e.name, "message": e.message}})
            })
            .collect();
        let status = obj
            .entry("status")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(s) = status.as_object_mut() {
            let mut all: Vec<Value> = s
                .get("items")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter(|i| {
                            i.get("type").and_then(Value::as_str) != Some(STATUS_PROCESSING_ERROR)
                        })
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            all.extend(items);
            s.insert("items".into(), Value::Array(all));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_build_final_entity() {
        let mut e = json!({"kind": "Component", "metadata": {"name": "a", "etag": "old"}, "status": {"items": [{"type": "other"}]}});
        let rels: BTreeSet<_> = [("ownedBy".to_string(), "group:default/g".to_string())].into();
        let errs = [SerializedError {
            name: "InputError".into(),
            message: "bad".into(),
        }];
        build_final(&mut e, "id-1", rels, &errs, true);
        assert_eq!(e["metadata"]["uid"], "id-1");
        assert!(e["metadata"].get("etag").is_none());
        assert_eq!(e["metadata"]["annotations"][ANNOTATION_ORPHAN], "true");
        assert_eq!(
            e["relations"],
            json!([{"type": "ownedBy", "targetRef": "group:default/g"}])
        );
        let items = e["status"]["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1]["error"]["name"], "InputError");
        assert_eq!(items[1]["message"], "InputError: bad");
    }
}
