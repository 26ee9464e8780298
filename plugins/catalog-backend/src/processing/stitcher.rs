//! Stitching: merge a processed entity with every relation whose source it is (emitted by
//! itself or by others), its processing errors (`status.items`) and orphan state into
//! `catalog_final_entities`, and flatten it into `catalog_search`. Entities whose final
//! hash did not change are not rewritten.

use crate::store::{now_ms, placeholders, sha256_hex, value_rows, CHUNK};
use backend_plugin_api::Database;
use plugin_catalog_common::dto::SerializedError;
use plugin_catalog_common::search::build_entity_search;
use plugin_catalog_common::{EntityRef, ANNOTATION_ORPHAN, STATUS_PROCESSING_ERROR};
use serde_json::{json, Map, Value};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

struct Candidate {
    entity_id: String,
    entity_ref: String,
    processed: String,
    errors: Option<String>,
    parents: i64,
}

/// Stitch the entities with these refs. Returns how many final rows changed.
pub async fn stitch(db: &Database, refs: &[String]) -> Result<usize, sqlx::Error> {
    let mut changed_total = 0;
    for chunk in refs.chunks(CHUNK) {
        changed_total += stitch_chunk(db, chunk).await?;
    }
    Ok(changed_total)
}

async fn stitch_chunk(db: &Database, refs: &[String]) -> Result<usize, sqlx::Error> {
    let pool = db.pool();

    let ph = placeholders(1, refs.len());
    let sql = format!(
        "SELECT r.entity_id, r.entity_ref, r.processed_entity, r.errors, \
         (SELECT COUNT(*) FROM catalog_refresh_refs x WHERE x.target_entity_ref = r.entity_ref) \
         FROM catalog_refresh_state r WHERE r.entity_ref IN ({ph}) AND r.processed_entity IS NOT NULL"
    );
    let mut q = sqlx::query(&sql);
    for r in refs {
        q = q.bind(r);
    }
    let mut cands = Vec::new();
    for row in q.fetch_all(pool).await? {
        cands.push(Candidate {
            entity_id: row.try_get(0)?,
            entity_ref: row.try_get(1)?,
            processed: row.try_get(2)?,
            errors: row.try_get(3)?,
            parents: row.try_get(4)?,
        });
    }
    if cands.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "SELECT source_entity_ref, type, target_entity_ref FROM catalog_relations WHERE source_entity_ref IN ({})",
        placeholders(1, cands.len())
    );
    let mut q = sqlx::query(&sql);
    for c in &cands {
        q = q.bind(&c.entity_ref);
    }
    let mut rels: HashMap<String, BTreeSet<(String, String)>> = HashMap::new();
    for row in q.fetch_all(pool).await? {
        let s: String = row.try_get(0)?;
        rels.entry(s)
            .or_default()
            .insert((row.try_get(1)?, row.try_get(2)?));
    }
    let sql = format!(
        "SELECT entity_id, hash FROM catalog_final_entities WHERE entity_id IN ({})",
        placeholders(1, cands.len())
    );
    let mut q = sqlx::query(&sql);
    for c in &cands {
        q = q.bind(&c.entity_id);
    }
    let mut hashes: HashMap<String, String> = HashMap::new();
    for row in q.fetch_all(pool).await? {
        hashes.insert(row.try_get(0)?, row.try_get(1)?);
    }

    let mut finals = Vec::new();
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
        if hashes.get(&c.entity_id) == Some(&hash) {
            continue;
        }
        if let Some(m) = entity.get_mut("metadata").and_then(Value::as_object_mut) {
            m.insert("etag".into(), Value::String(hash[..32].to_string()));
        }
        let parsed = EntityRef::parse(&c.entity_ref, None, None).ok();
        finals.push((c.entity_id, c.entity_ref, parsed, hash, entity));
    }
    if finals.is_empty() {
        return Ok(0);
    }
    let now = now_ms();
    let mut tx = pool.begin().await?;

    let idph = placeholders(1, finals.len());
    for table in ["catalog_search", "catalog_final_entities"] {
        let sql = format!("DELETE FROM {table} WHERE entity_id IN ({idph})");
        let mut q = sqlx::query(&sql);
        for f in &finals {
            q = q.bind(&f.0);
        }
        q.execute(&mut *tx).await?;
    }
    for chunk in finals.chunks(CHUNK / 2) {
        let sql = format!(
            "INSERT INTO catalog_final_entities (entity_id, entity_ref, kind, namespace, name, hash, final_entity, stitched_at) VALUES {}",
            value_rows(chunk.len(), 8)
        );
        let mut q = sqlx::query(&sql);
        for (id, r, parsed, hash, entity) in chunk {
            let (k, ns, n) = parsed
                .as_ref()
                .map(|p| (p.kind.clone(), p.namespace.clone(), p.name.clone()))
                .unwrap_or_default();
            q = q
                .bind(id)
                .bind(r)
                .bind(k)
                .bind(ns)
                .bind(n)
                .bind(hash)
                .bind(serde_json::to_string(entity).unwrap_or_default())
                .bind(now);
        }
        q.execute(&mut *tx).await?;
    }
    let mut rows: Vec<(&str, String, Option<String>, Option<String>)> = Vec::new();
    for (id, _, _, _, entity) in &finals {
        for r in build_entity_search(entity) {
            rows.push((id, r.key, r.value, r.original_value));
        }
    }
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO catalog_search (entity_id, key, value, original_value) VALUES {}",
            value_rows(chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for (id, k, v, o) in chunk {
            q = q.bind(*id).bind(k).bind(v.clone()).bind(o.clone());
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(finals.len())
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
