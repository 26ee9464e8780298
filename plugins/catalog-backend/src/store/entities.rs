//! Reading final entities: filters through `catalog_search` (or the indexed
//! kind/namespace/name columns), ordering, keyset pagination, counts and facets.

use super::CHUNK;
use backend_plugin_api::Database;
use plugin_catalog_common::filter::{EntityFilter, FilterCondition};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::HashMap;

/// One ordering field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderField {
    /// Dotted field, e.g. `metadata.name`.
    pub field: String,
    /// Descending?
    pub desc: bool,
}

/// Full-text filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FullText {
    /// Term (matched as a lowercase substring).
    pub term: String,
    /// Fields searched.
    pub fields: Vec<String>,
}

/// What to select.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityQuery {
    /// Filter.
    pub filter: EntityFilter,
    /// Ordering (the entity ref is always the final tie-breaker).
    pub order: Vec<OrderField>,
    /// Full-text filter.
    pub full_text: Option<FullText>,
}

/// A row of a page: ref, final entity JSON and the sort values (sort fields then ref).
#[derive(Debug, Clone)]
pub struct PageRow {
    /// Entity ref.
    pub entity_ref: String,
    /// Final entity JSON.
    pub json: String,
    /// Sort values (order fields, then the ref).
    pub sort_values: Vec<String>,
}

struct Sql {
    params: Vec<String>,
}

impl Sql {
    fn bind(&mut self, v: impl Into<String>) -> String {
        self.params.push(v.into());
        format!("${}", self.params.len())
    }

    fn condition(&mut self, c: &FilterCondition) -> String {
        let column = match c.key.as_str() {
            "kind" => Some("f.kind"),
            "metadata.namespace" => Some("f.namespace"),
            "metadata.name" => Some("f.name"),
            _ => None,
        };
        match (column, &c.values) {
            (Some(_), None) => "1 = 1".into(),
            (Some(col), Some(values)) => {
                let ph: Vec<String> = values.iter().map(|v| self.bind(v.clone())).collect();
                format!("{col} IN ({})", ph.join(", "))
            }
            (None, None) => {
                let k = self.bind(c.key.clone());
                format!("f.id IN (SELECT s.entity FROM catalog_search s WHERE s.key = {k})")
            }
            (None, Some(values)) => {
                let k = self.bind(c.key.clone());
                let ph: Vec<String> = values.iter().map(|v| self.bind(v.clone())).collect();
                format!(
                    "f.id IN (SELECT s.entity FROM catalog_search s WHERE s.key = {k} AND s.value IN ({}))",
                    ph.join(", ")
                )
            }
        }
    }

    fn filter(&mut self, f: &EntityFilter) -> Option<String> {
        if f.is_empty() {
            return None;
        }
        let sets: Vec<String> = f
            .any_of
            .iter()
            .map(|set| {
                let conds: Vec<String> = set.iter().map(|c| self.condition(c)).collect();
                if conds.is_empty() {
                    "1 = 1".to_string()
                } else {
                    format!("({})", conds.join(" AND "))
                }
            })
            .collect();
        Some(format!("({})", sets.join(" OR ")))
    }

    fn full_text(&mut self, ft: &FullText) -> String {
        let escaped = ft
            .term
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let term = self.bind(format!("%{escaped}%"));
        let keys: Vec<String> = ft
            .fields
            .iter()
            .map(|k| self.bind(k.to_lowercase()))
            .collect();
        format!(
            "f.id IN (SELECT s.entity FROM catalog_search s WHERE s.key IN ({}) AND s.value LIKE {term} ESCAPE '\\')",
            keys.join(", ")
        )
    }

    fn sort_expr(&mut self, field: &str) -> String {
        match field.to_lowercase().as_str() {
            "kind" => "f.kind".into(),
            "metadata.name" => "f.name".into(),
            "metadata.namespace" => "f.namespace".into(),
            other => {
                let k = self.bind(other.to_string());
                format!(
                    "COALESCE((SELECT MIN(s.value) FROM catalog_search s WHERE s.entity = f.id AND s.key = {k}), '')"
                )
            }
        }
    }

    fn where_clause(&mut self, q: &EntityQuery) -> String {
        let mut conds = Vec::new();
        if let Some(f) = self.filter(&q.filter) {
            conds.push(f);
        }
        if let Some(ft) = &q.full_text {
            if !ft.term.trim().is_empty() && !ft.fields.is_empty() {
                conds.push(self.full_text(ft));
            }
        }
        if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        }
    }
}

/// Count the entities matching `q`.
pub async fn count(db: &Database, q: &EntityQuery) -> Result<u64, sqlx::Error> {
    let mut sql = Sql { params: vec![] };
    let w = sql.where_clause(q);
    let text = format!("SELECT COUNT(*) FROM catalog_final_entities f{w}");
    let mut query = sqlx::query(&text);
    for p in &sql.params {
        query = query.bind(p);
    }
    let n: i64 = query.fetch_one(db.pool()).await?.try_get(0)?;
    Ok(n as u64)
}

/// Page boundary for keyset pagination: the sort values of the last (or, going
/// backwards, first) item seen.
#[derive(Debug, Clone)]
pub struct Boundary {
    /// Sort values (order fields then ref).
    pub values: Vec<String>,
    /// Going backwards (previous page)?
    pub backward: bool,
}

/// Fetch a page. With a backward boundary, rows come in reverse order (callers reverse).
pub async fn page(
    db: &Database,
    q: &EntityQuery,
    boundary: Option<&Boundary>,
    offset: Option<u64>,
    limit: Option<u64>,
) -> Result<Vec<PageRow>, sqlx::Error> {
    let mut sql = Sql { params: vec![] };
    let mut exprs: Vec<(String, bool)> = q
        .order
        .iter()
        .map(|o| (sql.sort_expr(&o.field), o.desc))
        .collect();
    exprs.push(("f.entity_ref".into(), false));
    let backward = boundary.is_some_and(|b| b.backward);
    let select_cols: Vec<String> = exprs
        .iter()
        .enumerate()
        .map(|(i, (e, _))| format!("{e} AS s{i}"))
        .collect();
    let mut w = sql.where_clause(q);
    if let Some(b) = boundary {
        if b.values.len() == exprs.len() {
            let mut ors = Vec::new();
            for i in 0..exprs.len() {
                let mut ands = Vec::new();
                for (j, (e, _)) in exprs.iter().enumerate().take(i) {
                    let p = sql.bind(b.values[j].clone());
                    ands.push(format!("{e} = {p}"));
                }
                let (e, desc) = &exprs[i];
                let forward_gt = !*desc;
                let op = if forward_gt != backward { ">" } else { "<" };
                let p = sql.bind(b.values[i].clone());
                ands.push(format!("{e} {op} {p}"));
                ors.push(format!("({})", ands.join(" AND ")));
            }
            let keyset = format!("({})", ors.join(" OR "));
            w = if w.is_empty() {
                format!(" WHERE {keyset}")
            } else {
                format!("{w} AND {keyset}")
            };
        }
    }
    let order: Vec<String> = exprs
        .iter()
        .map(|(e, desc)| {
            let asc = *desc == backward;
            format!("{e} {}", if asc { "ASC" } else { "DESC" })
        })
        .collect();
    let mut text = format!(
        "SELECT f.entity_ref, f.final_entity, {} FROM catalog_final_entities f{w} ORDER BY {}",
        select_cols.join(", "),
        order.join(", ")
    );
    if let Some(l) = limit {
        text.push_str(&format!(" LIMIT {l}"));
    } else if offset.is_some() {
        text.push_str(" LIMIT -1");
    }
    if let Some(o) = offset {
        if o > 0 {
            text.push_str(&format!(" OFFSET {o}"));
        }
    }
    if limit.is_none() && offset.is_some() && db.engine() == backend_plugin_api::Engine::Postgres {
        text = text.replace(" LIMIT -1", " LIMIT ALL");
    }
    let mut query = sqlx::query(&text);
    for p in &sql.params {
        query = query.bind(p);
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            let mut sort_values = Vec::with_capacity(exprs.len());
            for i in 0..exprs.len() {
                sort_values.push(r.try_get::<String, _>(2 + i)?);
            }
            Ok(PageRow {
                entity_ref: r.try_get(0)?,
                json: r.try_get(1)?,
                sort_values,
            })
        })
        .collect()
}

/// Final entities by ref (missing refs are absent from the map). With a filter, entities
/// not matching it are absent too.
pub async fn by_refs(
    db: &Database,
    refs: &[String],
    filter: &EntityFilter,
) -> Result<HashMap<String, String>, sqlx::Error> {
    let mut out = HashMap::new();
    for chunk in refs.chunks(CHUNK) {
        let mut sql = Sql { params: vec![] };
        let ph: Vec<String> = chunk.iter().map(|r| sql.bind(r.clone())).collect();
        let mut text = format!(
            "SELECT f.entity_ref, f.final_entity FROM catalog_final_entities f WHERE f.entity_ref IN ({})",
            ph.join(", ")
        );
        if let Some(f) = sql.filter(filter) {
            text.push_str(&format!(" AND {f}"));
        }
        let mut query = sqlx::query(&text);
        for p in &sql.params {
            query = query.bind(p);
        }
        for row in query.fetch_all(db.pool()).await? {
            out.insert(row.try_get(0)?, row.try_get(1)?);
        }
    }
    Ok(out)
}

/// One final entity by ref.
pub async fn by_ref(db: &Database, entity_ref: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT final_entity FROM catalog_final_entities WHERE entity_ref = $1")
        .bind(entity_ref)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| r.try_get(0)).transpose()
}

/// One final entity by uid.
pub async fn by_uid(db: &Database, uid: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT final_entity FROM catalog_final_entities WHERE entity_id = $1")
        .bind(uid)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| r.try_get(0)).transpose()
}

/// Facet counts: `(value as written, count)` for `facet`, over entities matching `filter`.
/// Values differing only in case are counted together.
pub async fn facet(
    db: &Database,
    facet: &str,
    filter: &EntityFilter,
) -> Result<Vec<(String, u64)>, sqlx::Error> {
    let mut sql = Sql { params: vec![] };
    let k = sql.bind(facet.to_lowercase());
    let mut text = format!(
        "SELECT s.value, MIN(COALESCE(s.original_value, s.value)), COUNT(*) FROM catalog_search s WHERE s.key = {k} AND s.value IS NOT NULL"
    );
    if let Some(f) = sql.filter(filter) {
        text.push_str(&format!(
            " AND s.entity IN (SELECT f.id FROM catalog_final_entities f WHERE {f})"
        ));
    }
    text.push_str(" GROUP BY s.value ORDER BY s.value");
    let mut query = sqlx::query(&text);
    for p in &sql.params {
        query = query.bind(p);
    }
    let rows = query.fetch_all(db.pool()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let value: String = r.try_get(0)?;
        let orig: Option<String> = r.try_get(1)?;
        let n: i64 = r.try_get(2)?;
        out.push((orig.unwrap_or(value), n as u64));
    }
    Ok(out)
}
