//! Stitching: merge a processed entity with every relation whose source it is (emitted by
//! itself or by others), its processing errors (`status.items`) and orphan state into
//! `catalog_final_entities`, and flatten it into `catalog_search`. Entities whose final
//! hash did not change are not rewritten.

use crate::store::{json_ints, json_rows, json_strings, now_ms, sha256_hex, to_json, Col};
use backend_plugin_api::{Database, Engine};
use plugin_catalog_common::dto::SerializedError;
use plugin_catalog_common::search::build_entity_search;
use plugin_catalog_common::{EntityRef, ANNOTATION_ORPHAN, STATUS_PROCESSING_ERROR};
use serde_json::{json, Map, Value};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

struct Candidate {
    id: i64,
    entity_id: String,
    entity_ref: String,
    processed: String,
    errors: Option<String>,
    parents: i64,
}

/// Entities stitched per transaction.
const STITCH_CHUNK: usize = 500;

/// Stitch the entities with these refs. Returns how many final rows changed.
pub async fn stitch(db: &Database, refs: &[String]) -> Result<usize, sqlx::Error> {
    let mut changed_total = 0;
    for chunk in refs.chunks(STITCH_CHUNK) {
        changed_total += stitch_chunk(db, chunk).await?;
    }
    Ok(changed_total)
}

async fn stitch_chunk(db: &Database, refs: &[String]) -> Result<usize, sqlx::Error> {
    let pool = db.pool();
    let pg = db.engine() == Engine::Postgres;

    let sql = format!(
        "SELECT r.id, r.entity_id, r.entity_ref, r.processed_entity, r.errors, \
         (SELECT COUNT(*) FROM catalog_refresh_refs x WHERE x.target_entity_ref = r.entity_ref) \
         FROM catalog_refresh_state r WHERE r.entity_ref IN ({}) AND r.processed_entity IS NOT NULL",
        json_strings(pg, 1)
    );
    let mut cands = Vec::new();
    for row in sqlx::query(&sql)
        .bind(to_json(refs))
        .fetch_all(pool)
        .await?
    {
        cands.push(Candidate {
            id: row.try_get(0)?,
            entity_id: row.try_get(1)?,
            entity_ref: row.try_get(2)?,
            processed: row.try_get(3)?,
            errors: row.try_get(4)?,
            parents: row.try_get(5)?,
        });
    }
    if cands.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "SELECT source_entity_ref, type, target_entity_ref FROM catalog_relations WHERE source_entity_ref IN ({})",
        json_strings(pg, 1)
    );
    let cand_refs: Vec<&str> = cands.iter().map(|c| c.entity_ref.as_str()).collect();
    let mut rels: HashMap<String, BTreeSet<(String, String)>> = HashMap::new();
    for row in sqlx::query(&sql)
        .bind(to_json(&cand_refs))
        .fetch_all(pool)
        .await?
    {
        let s: String = row.try_get(0)?;
        rels.entry(s)
            .or_default()
            .insert((row.try_get(1)?, row.try_get(2)?));
    }
    let sql = format!(
        "SELECT id, hash FROM catalog_final_entities WHERE id IN ({})",
        json_ints(pg, 1)
    );
    let cand_ids: Vec<i64> = cands.iter().map(|c| c.id).collect();
    let mut hashes: HashMap<i64, String> = HashMap::new();
    for row in sqlx::query(&sql)
        .bind(to_json(&cand_ids))
        .fetch_all(pool)
        .await?
    {
        hashes.insert(row.try_get(0)?, row.try_get(1)?);
    }

    let now = now_ms();
    let mut finals: Vec<i64> = Vec::new();
    // (id, entity_id, ref, kind, namespace, name, hash, final JSON, stitched_at)
    type FinalRow = (
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
    let mut final_rows: Vec<FinalRow> = Vec::new();
    let mut search: Vec<(i64, String, Option<String>, Option<String>)> = Vec::new();
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
        if hashes.get(&c.id) == Some(&hash) {
            continue;
        }
        if let Some(m) = entity.get_mut("metadata").and_then(Value::as_object_mut) {
            m.insert("etag".into(), Value::String(hash[..32].to_string()));
        }
        let (k, ns, n) = EntityRef::parse(&c.entity_ref, None, None)
            .ok()
            .map(|p| (p.kind, p.namespace, p.name))
            .unwrap_or_default();
        for r in build_entity_search(&entity) {
            // The value as written is only kept when it differs from the lowercased one.
            let original = r.original_value.filter(|o| r.value.as_ref() != Some(o));
            search.push((c.id, r.key, r.value, original));
        }
        finals.push(c.id);
        final_rows.push((
            c.id,
            c.entity_id,
            c.entity_ref,
            k,
            ns,
            n,
            hash,
            serde_json::to_string(&entity).unwrap_or_default(),
            now,
        ));
    }
    if finals.is_empty() {
        return Ok(0);
    }
    // Inserting in index order keeps the index pages touched together.
    search.sort_by(|a, b| (&a.1, &a.2).cmp(&(&b.1, &b.2)));
    let ids = to_json(&finals);
    let mut tx = pool.begin().await?;
    let sql = format!(
        "DELETE FROM catalog_search WHERE entity IN ({})",
        json_ints(pg, 1)
    );
    sqlx::query(&sql).bind(&ids).execute(&mut *tx).await?;
    let sql = format!(
        "DELETE FROM catalog_final_entities WHERE id IN ({})",
        json_ints(pg, 1)
    );
    sqlx::query(&sql).bind(&ids).execute(&mut *tx).await?;
    let sql = format!(
        "INSERT INTO catalog_final_entities (id, entity_id, entity_ref, kind, namespace, name, hash, final_entity, stitched_at) {}",
        json_rows(
            pg,
            1,
            &[Col::Int, Col::Text, Col::Text, Col::Text, Col::Text, Col::Text, Col::Text, Col::Text, Col::Int]
        )
    );
    sqlx::query(&sql)
        .bind(to_json(&final_rows))
        .execute(&mut *tx)
        .await?;
    drop(final_rows);
    let sql = format!(
        "INSERT INTO catalog_search (entity, key, value, original_value) {}",
        json_rows(pg, 1, &[Col::Int, Col::Text, Col::Text, Col::Text])
    );
    for chunk in search.chunks(SEARCH_ROWS) {
        sqlx::query(&sql)
            .bind(to_json(chunk))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(finals.len())
}

/// Search rows per insert statement.
const SEARCH_ROWS: usize = 5000;

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
