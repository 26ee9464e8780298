//! Processing state: `catalog_refresh_state` (unprocessed/processed entities, errors,
//! schedule), `catalog_refresh_refs` (who emits whom) and `catalog_relations`.

use super::{in_ints, in_strings, is_postgres, json_rows, placeholders, to_json, Col, CHUNK};

/// Rows per bulk (JSON-parameter) statement.
pub const BULK: usize = 1000;
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};

/// One row of `catalog_refresh_state`.
#[derive(Debug, Clone)]
pub struct StateRow {
    /// Internal key (of the final row and search rows too).
    pub id: i64,
    /// Stable id (becomes `metadata.uid`).
    pub entity_id: String,
    /// Canonical lowercase ref.
    pub entity_ref: String,
    /// The entity as emitted (JSON).
    pub unprocessed: String,
    /// The last successfully processed entity (JSON).
    pub processed: Option<String>,
    /// Hash of the last processing output.
    pub result_hash: Option<String>,
    /// JSON array of `{name, message}` from the last processing.
    pub errors: Option<String>,
    /// Location key of the emitter.
    pub location_key: Option<String>,
    /// Hash of the unprocessed entity when read (guards against stale writes).
    pub unprocessed_hash: String,
}

const STATE_COLS: &str =
    "entity_id, entity_ref, unprocessed_entity, processed_entity, result_hash, errors, location_key, unprocessed_hash, id";

fn state_row(r: &sqlx::any::AnyRow) -> Result<StateRow, sqlx::Error> {
    Ok(StateRow {
        entity_id: r.try_get(0)?,
        entity_ref: r.try_get(1)?,
        unprocessed: r.try_get(2)?,
        processed: r.try_get(3)?,
        result_hash: r.try_get(4)?,
        errors: r.try_get(5)?,
        location_key: r.try_get(6)?,
        unprocessed_hash: r.try_get(7)?,
        id: r.try_get(8)?,
    })
}

/// Claim rows due for processing (`next_update_at <= now`), oldest first: their next
/// run is set to `next` right away, so a refresh or a new unprocessed version arriving
/// while they are processed schedules them again instead of being overwritten.
pub async fn claim_due(
    conn: &mut AnyConnection,
    now: i64,
    next: i64,
    limit: usize,
) -> Result<Vec<StateRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {STATE_COLS} FROM catalog_refresh_state WHERE next_update_at <= $1 \
         ORDER BY next_update_at LIMIT {limit}"
    );
    let mut tx = super::begin_write(conn).await?;
    let rows: Vec<StateRow> = sqlx::query(&sql)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(state_row)
        .collect::<Result<_, _>>()?;
    if !rows.is_empty() {
        let sql = format!(
            "UPDATE catalog_refresh_state SET next_update_at = $1 WHERE next_update_at <= $2 AND {}",
            in_ints(is_postgres(&tx), "id", 3)
        );
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        sqlx::query(&sql)
            .bind(next)
            .bind(now)
            .bind(to_json(&ids))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(rows)
}

/// Rows by ref (any order).
pub async fn rows_by_refs(
    conn: &mut AnyConnection,
    refs: &[String],
) -> Result<Vec<StateRow>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in refs.chunks(CHUNK) {
        let sql = format!(
            "SELECT {STATE_COLS} FROM catalog_refresh_state WHERE entity_ref IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q.bind(r);
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push(state_row(&row)?);
        }
    }
    Ok(out)
}

/// An entity to insert or update as unprocessed.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// Canonical ref.
    pub entity_ref: String,
    /// Entity JSON.
    pub json: String,
    /// Hash of `json` + location key.
    pub hash: String,
    /// Emitter's location key.
    pub location_key: Option<String>,
}

/// A refresh-state row to insert: id, ref, location key, unprocessed JSON, parent, next
/// update time, created time.
type NewStateRow<'a> = (String, &'a str, &'a str, &'a str, Option<&'a str>, i64, i64);
/// Insert new entities and update changed ones (scheduling them now). An existing entity
/// with a different non-empty location key is a conflict: it is left alone and a
/// message is returned for it. Returns, per input, `None` (accepted) or the conflict.
pub async fn upsert_unprocessed(
    conn: &mut AnyConnection,
    items: &[Incoming],
    now: i64,
) -> Result<Vec<Option<String>>, sqlx::Error> {
    let mut result = vec![None; items.len()];
    // Deduplicate within the batch: the first emitter wins.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        if let Some(&first) = seen.get(it.entity_ref.as_str()) {
            if items[first].location_key != it.location_key {
                result[i] = Some(conflict_msg(it, items[first].location_key.as_deref()));
            } else {
                result[i] = Some(String::new());
            }
        } else {
            seen.insert(&it.entity_ref, i);
        }
    }
    let pg = is_postgres(conn);
    let refs: Vec<&str> = seen.keys().copied().collect();
    let mut existing: HashMap<String, (Option<String>, String)> = HashMap::new();
    let sql = format!(
        "SELECT entity_ref, location_key, unprocessed_hash FROM catalog_refresh_state WHERE {}",
        in_strings(pg, "entity_ref", 1)
    );
    for chunk in refs.chunks(BULK) {
        for row in sqlx::query(&sql)
            .bind(to_json(chunk))
            .fetch_all(&mut *conn)
            .await?
        {
            existing.insert(row.try_get(0)?, (row.try_get(1)?, row.try_get(2)?));
        }
    }
    let mut inserts: Vec<NewStateRow<'_>> = Vec::new();
    let mut updates: Vec<(&str, &str, Option<&str>, &str)> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        if result[i].is_some() {
            continue;
        }
        match existing.get(&it.entity_ref) {
            None => inserts.push((
                uuid::Uuid::new_v4().to_string(),
                &it.entity_ref,
                &it.json,
                &it.hash,
                it.location_key.as_deref(),
                0,
                now,
            )),
            Some((key, hash)) => {
                if key.is_some() && *key != it.location_key {
                    result[i] = Some(conflict_msg(it, key.as_deref()));
                    continue;
                }
                if *hash != it.hash {
                    updates.push((
                        &it.json,
                        &it.hash,
                        it.location_key.as_deref(),
                        &it.entity_ref,
                    ));
                }
            }
        }
    }
    if !updates.is_empty() {
        let sql = format!(
            "UPDATE catalog_refresh_state SET unprocessed_entity = u.c0, unprocessed_hash = u.c1, \
             location_key = u.c2, next_update_at = 0, last_discovery_at = $2 \
             FROM ({}) AS u WHERE catalog_refresh_state.entity_ref = u.c3",
            json_rows(pg, 1, &[Col::Text, Col::Text, Col::Text, Col::Text])
        );
        for chunk in updates.chunks(BULK) {
            sqlx::query(&sql)
                .bind(to_json(chunk))
                .bind(now)
                .execute(&mut *conn)
                .await?;
        }
    }
    if !inserts.is_empty() {
        let sql = format!(
            "INSERT INTO catalog_refresh_state (entity_id, entity_ref, unprocessed_entity, unprocessed_hash, \
             location_key, next_update_at, last_discovery_at) {}",
            json_rows(
                pg,
                1,
                &[Col::Text, Col::Text, Col::Text, Col::Text, Col::Text, Col::Int, Col::Int]
            )
        );
        for chunk in inserts.chunks(BULK) {
            sqlx::query(&sql)
                .bind(to_json(chunk))
                .execute(&mut *conn)
                .await?;
        }
    }
    // Duplicates of an accepted item within the batch are accepted too.
    for r in result.iter_mut() {
        if r.as_deref() == Some("") {
            *r = None;
        }
    }
    Ok(result)
}

fn conflict_msg(it: &Incoming, existing: Option<&str>) -> String {
    format!(
        "Detected conflicting entityRef {} already referenced by {} and now also {}",
        it.entity_ref,
        existing.unwrap_or("another location"),
        it.location_key.as_deref().unwrap_or("an unkeyed emitter")
    )
}

/// Set who emits which refs: replace the refs of a parent entity (`Parent::Entity`) or of
/// a provider (`Parent::Provider`). Returns the refs no longer emitted.
pub async fn replace_refs(
    conn: &mut AnyConnection,
    parent: Parent<'_>,
    targets: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    let (col, val) = parent.column();
    let rows = sqlx::query(&format!(
        "SELECT target_entity_ref FROM catalog_refresh_refs WHERE {col} = $1"
    ))
    .bind(val)
    .fetch_all(&mut *conn)
    .await?;
    let old: HashSet<String> = rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let new: HashSet<&String> = targets.iter().collect();
    let removed: Vec<String> = old.iter().filter(|r| !new.contains(r)).cloned().collect();
    remove_refs(conn, parent, &removed).await?;
    let added: Vec<&String> = {
        let mut v: Vec<&String> = new.into_iter().filter(|r| !old.contains(*r)).collect();
        v.sort();
        v
    };
    add_refs(conn, parent, &added).await?;
    Ok(removed)
}

/// Add refs (no check for duplicates; callers pass refs not yet present).
pub async fn add_refs(
    conn: &mut AnyConnection,
    parent: Parent<'_>,
    targets: &[&String],
) -> Result<(), sqlx::Error> {
    if targets.is_empty() {
        return Ok(());
    }
    let (col, val) = parent.column();
    let sql = format!(
        "INSERT INTO catalog_refresh_refs ({col}, target_entity_ref) {}",
        json_rows(is_postgres(conn), 1, &[Col::Text, Col::Text])
    );
    for chunk in targets.chunks(BULK) {
        let rows: Vec<(&str, &str)> = chunk.iter().map(|t| (val, t.as_str())).collect();
        sqlx::query(&sql)
            .bind(to_json(&rows))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The rows of `catalog_refresh_refs` (id, target) of `parent` with one of `targets`.
/// Looked up by target only (few parents each) and filtered here: a provider emits
/// every entity, so a lookup by parent would visit all of them.
async fn refs_to(
    conn: &mut AnyConnection,
    parent: Parent<'_>,
    targets: &[String],
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let (col, val) = parent.column();
    let sql = format!(
        "SELECT id, {col}, target_entity_ref FROM catalog_refresh_refs WHERE {}",
        in_strings(is_postgres(conn), "target_entity_ref", 1)
    );
    let mut out = Vec::new();
    for chunk in targets.chunks(BULK) {
        for row in sqlx::query(&sql)
            .bind(to_json(chunk))
            .fetch_all(&mut *conn)
            .await?
        {
            let p: Option<String> = row.try_get(1)?;
            if p.as_deref() == Some(val) {
                out.push((row.try_get(0)?, row.try_get(2)?));
            }
        }
    }
    Ok(out)
}

/// Remove specific refs of a parent.
pub async fn remove_refs(
    conn: &mut AnyConnection,
    parent: Parent<'_>,
    targets: &[String],
) -> Result<(), sqlx::Error> {
    if targets.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = refs_to(conn, parent, targets)
        .await?
        .into_iter()
        .map(|r| r.0)
        .collect();
    let sql = format!(
        "DELETE FROM catalog_refresh_refs WHERE {}",
        in_ints(is_postgres(conn), "id", 1)
    );
    for chunk in ids.chunks(BULK) {
        sqlx::query(&sql)
            .bind(to_json(chunk))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Which refs of `targets` are already emitted by `parent`.
pub async fn existing_refs(
    conn: &mut AnyConnection,
    parent: Parent<'_>,
    targets: &[String],
) -> Result<HashSet<String>, sqlx::Error> {
    if targets.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(refs_to(conn, parent, targets)
        .await?
        .into_iter()
        .map(|r| r.1)
        .collect())
}

/// The emitter of refs.
#[derive(Debug, Clone, Copy)]
pub enum Parent<'a> {
    /// An entity provider, by name.
    Provider(&'a str),
    /// A parent entity, by ref.
    Entity(&'a str),
}

impl Parent<'_> {
    fn column(&self) -> (&'static str, &str) {
        match self {
            Parent::Provider(p) => ("source_key", p),
            Parent::Entity(e) => ("source_entity_ref", e),
        }
    }
}

/// A relation row: `(source ref, type, target ref)`.
pub type Relation = (String, String, String);

/// The current `unprocessed_hash` of entities, by id (absent: deleted).
pub async fn unprocessed_hashes(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, String>, sqlx::Error> {
    let sql = format!(
        "SELECT id, unprocessed_hash FROM catalog_refresh_state WHERE {}",
        in_ints(is_postgres(conn), "id", 1)
    );
    let mut out = HashMap::new();
    for chunk in ids.chunks(BULK) {
        for row in sqlx::query(&sql)
            .bind(to_json(chunk))
            .fetch_all(&mut *conn)
            .await?
        {
            out.insert(row.try_get(0)?, row.try_get(1)?);
        }
    }
    Ok(out)
}

/// Which of `parents` (entity refs) emit at least one ref.
pub async fn parents_with_refs(
    conn: &mut AnyConnection,
    parents: &[&str],
) -> Result<HashSet<String>, sqlx::Error> {
    let sql = format!(
        "SELECT DISTINCT source_entity_ref FROM catalog_refresh_refs WHERE {}",
        in_strings(is_postgres(conn), "source_entity_ref", 1)
    );
    let mut out = HashSet::new();
    for chunk in parents.chunks(BULK) {
        for row in sqlx::query(&sql)
            .bind(to_json(chunk))
            .fetch_all(&mut *conn)
            .await?
        {
            out.insert(row.try_get(0)?);
        }
    }
    Ok(out)
}

/// The relations originating from each of `ids` (entities without any are absent).
pub async fn relations_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, HashSet<Relation>>, sqlx::Error> {
    let sql = format!(
        "SELECT originating_entity, source_entity_ref, type, target_entity_ref FROM catalog_relations \
         WHERE {}",
        in_ints(is_postgres(conn), "originating_entity", 1)
    );
    let mut out: HashMap<i64, HashSet<Relation>> = HashMap::new();
    for chunk in ids.chunks(BULK) {
        for row in sqlx::query(&sql)
            .bind(to_json(chunk))
            .fetch_all(&mut *conn)
            .await?
        {
            out.entry(row.try_get(0)?).or_default().insert((
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get(3)?,
            ));
        }
    }
    Ok(out)
}

/// The refs whose relations differ between `old` and `new` (sources and targets of the
/// rows in only one of them).
pub fn changed_relation_refs(old: &HashSet<Relation>, new: &HashSet<Relation>) -> HashSet<String> {
    let mut affected: HashSet<String> = HashSet::new();
    for r in old.symmetric_difference(new) {
        affected.insert(r.0.clone());
        affected.insert(r.2.clone());
    }
    affected
}

/// Replace the relations originating from each entity (by id) of `changes` with the
/// given rows.
pub async fn set_relations(
    conn: &mut AnyConnection,
    changes: &[(i64, Vec<&Relation>)],
) -> Result<(), sqlx::Error> {
    if changes.is_empty() {
        return Ok(());
    }
    let pg = is_postgres(conn);
    let sql = format!(
        "DELETE FROM catalog_relations WHERE {}",
        in_ints(pg, "originating_entity", 1)
    );
    for chunk in changes.chunks(BULK) {
        let ids: Vec<i64> = chunk.iter().map(|c| c.0).collect();
        sqlx::query(&sql)
            .bind(to_json(&ids))
            .execute(&mut *conn)
            .await?;
    }
    let mut rows: Vec<(i64, &str, &str, &str)> = changes
        .iter()
        .flat_map(|(id, rels)| {
            rels.iter()
                .map(move |(s, t, d)| (*id, s.as_str(), t.as_str(), d.as_str()))
        })
        .collect();
    rows.sort_unstable();
    let sql = format!(
        "INSERT INTO catalog_relations (originating_entity, source_entity_ref, type, target_entity_ref) {}",
        json_rows(pg, 1, &[Col::Int, Col::Text, Col::Text, Col::Text])
    );
    for chunk in rows.chunks(BULK * 4) {
        sqlx::query(&sql)
            .bind(to_json(chunk))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Record processing results: `(id, processed entity JSON, result hash, errors JSON)`.
pub async fn set_processed(
    conn: &mut AnyConnection,
    rows: &[(i64, String, String, String)],
) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE catalog_refresh_state SET processed_entity = u.c1, result_hash = u.c2, errors = u.c3 \
         FROM ({}) AS u WHERE catalog_refresh_state.id = u.c0",
        json_rows(is_postgres(conn), 1, &[Col::Int, Col::Text, Col::Text, Col::Text])
    );
    for chunk in rows.chunks(BULK / 2) {
        sqlx::query(&sql)
            .bind(to_json(chunk))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Delete entities and every descendant no other parent emits. Returns the refs of
/// surviving entities whose relations changed (to restitch).
pub async fn delete_subtrees(
    conn: &mut AnyConnection,
    roots: &[String],
) -> Result<HashSet<String>, sqlx::Error> {
    let mut doomed: HashSet<String> = roots.iter().cloned().collect();
    let mut frontier: Vec<String> = roots.to_vec();
    while !frontier.is_empty() {
        let mut children = Vec::new();
        for chunk in frontier.chunks(CHUNK) {
            let ph = placeholders(1, chunk.len());
            let sql = format!("SELECT target_entity_ref FROM catalog_refresh_refs WHERE source_entity_ref IN ({ph})");
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q.bind(r);
            }
            for row in q.fetch_all(&mut *conn).await? {
                children.push(row.try_get::<String, _>(0)?);
            }
            let sql = format!("DELETE FROM catalog_refresh_refs WHERE source_entity_ref IN ({ph})");
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q.bind(r);
            }
            q.execute(&mut *conn).await?;
        }
        let mut next = Vec::new();
        for c in children {
            if doomed.contains(&c) {
                continue;
            }
            let still = sqlx::query(
                "SELECT 1 FROM catalog_refresh_refs WHERE target_entity_ref = $1 LIMIT 1",
            )
            .bind(&c)
            .fetch_optional(&mut *conn)
            .await?;
            if still.is_none() {
                doomed.insert(c.clone());
                next.push(c);
            }
        }
        frontier = next;
    }
    delete_entities(conn, &doomed.into_iter().collect::<Vec<_>>()).await
}

/// Delete entities (state, refs to them, relations they originate, final rows, search
/// rows). Returns surviving refs whose relations changed.
pub async fn delete_entities(
    conn: &mut AnyConnection,
    refs: &[String],
) -> Result<HashSet<String>, sqlx::Error> {
    let pg = is_postgres(conn);
    let mut affected = HashSet::new();
    let doomed: HashSet<&String> = refs.iter().collect();
    for chunk in refs.chunks(BULK) {
        let refs_json = to_json(chunk);
        let sql = format!(
            "SELECT id FROM catalog_refresh_state WHERE {}",
            in_strings(pg, "entity_ref", 1)
        );
        let mut ids: Vec<i64> = Vec::new();
        for r in sqlx::query(&sql)
            .bind(&refs_json)
            .fetch_all(&mut *conn)
            .await?
        {
            ids.push(r.try_get(0)?);
        }
        if !ids.is_empty() {
            let ids = to_json(&ids);
            let sql = format!(
                "SELECT DISTINCT source_entity_ref FROM catalog_relations WHERE {}",
                in_ints(pg, "originating_entity", 1)
            );
            for row in sqlx::query(&sql).bind(&ids).fetch_all(&mut *conn).await? {
                let s: String = row.try_get(0)?;
                if !doomed.contains(&s) {
                    affected.insert(s);
                }
            }
            for (table, col) in [
                ("catalog_relations", "originating_entity"),
                ("catalog_search", "entity"),
                ("catalog_final_entities", "id"),
                ("catalog_refresh_state", "id"),
            ] {
                let sql = format!("DELETE FROM {table} WHERE {}", in_ints(pg, col, 1));
                sqlx::query(&sql).bind(&ids).execute(&mut *conn).await?;
            }
        }
        for col in ["target_entity_ref", "source_entity_ref"] {
            let sql = format!(
                "DELETE FROM catalog_refresh_refs WHERE {}",
                in_strings(pg, col, 1)
            );
            sqlx::query(&sql)
                .bind(&refs_json)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(affected)
}

/// Refs of entities that nothing emits any more (orphans).
pub async fn orphan_refs(conn: &mut AnyConnection) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT r.entity_ref FROM catalog_refresh_state r WHERE NOT EXISTS \
         (SELECT 1 FROM catalog_refresh_refs x WHERE x.target_entity_ref = r.entity_ref)",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| r.try_get(0)).collect()
}

/// The refs emitting `entity_ref` (its parents).
pub async fn parents_of(
    conn: &mut AnyConnection,
    entity_ref: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT source_entity_ref FROM catalog_refresh_refs WHERE target_entity_ref = $1 \
         AND source_entity_ref IS NOT NULL ORDER BY source_entity_ref",
    )
    .bind(entity_ref)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| r.try_get(0)).collect()
}

/// Schedule entities for processing now. Returns how many rows matched.
pub async fn schedule_now(conn: &mut AnyConnection, refs: &[String]) -> Result<u64, sqlx::Error> {
    let mut n = 0;
    for chunk in refs.chunks(CHUNK) {
        let sql = format!(
            "UPDATE catalog_refresh_state SET next_update_at = 0 WHERE entity_ref IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q.bind(r);
        }
        n += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(n)
}
