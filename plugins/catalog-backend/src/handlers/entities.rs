//! `/entities…` and `/entity-facets`.

use super::{parse_entity, CatalogState, Params};
use crate::cursor::Cursor;
use crate::store::entities::{self, EntityQuery, FullText, OrderField, PageRow};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use backend_plugin_api::{ApiError, Caller};
use plugin_catalog_common::dto::{
    AncestryItem, AncestryResponse, EntitiesByRefsRequest, EntitiesByRefsResponse, FacetValue,
    FacetsResponse, PageInfo, QueryEntitiesResponse,
};
use plugin_catalog_common::fields::{parse_fields, project};
use plugin_catalog_common::filter::{parse_entity_filter, EntityFilter};
use plugin_catalog_common::EntityRef;
use serde_json::Value;

fn filter(p: &Params) -> Result<EntityFilter, ApiError> {
    parse_entity_filter(&p.all("filter")).map_err(ApiError::Input)
}

fn check_field(f: &str, what: &str) -> Result<(), ApiError> {
    if f.trim().is_empty() {
        return Err(ApiError::input(format!(
            "Invalid {what}, field must not be empty"
        )));
    }
    Ok(())
}

/// `order=asc:metadata.name` (repeatable).
fn order_param(p: &Params) -> Result<Vec<OrderField>, ApiError> {
    let mut out = Vec::new();
    for o in p.all("order") {
        let (dir, field) = match o.split_once(':') {
            Some((d, f)) => (d.trim().to_lowercase(), f.trim().to_string()),
            None => ("asc".into(), o.trim().to_string()),
        };
        check_field(&field, "order")?;
        let desc = match dir.as_str() {
            "asc" => false,
            "desc" => true,
            _ => {
                return Err(ApiError::input(format!(
                    "Invalid order '{o}', expected asc:<field> or desc:<field>"
                )))
            }
        };
        out.push(OrderField { field, desc });
    }
    Ok(out)
}

/// `orderField=metadata.name,asc` (repeatable).
fn order_field_param(p: &Params) -> Result<Vec<OrderField>, ApiError> {
    let mut out = Vec::new();
    for o in p.all("orderField") {
        let (field, dir) = match o.split_once(',') {
            Some((f, d)) => (f.trim().to_string(), d.trim().to_lowercase()),
            None => (o.trim().to_string(), "asc".into()),
        };
        check_field(&field, "orderField")?;
        let desc = match dir.as_str() {
            "asc" => false,
            "desc" => true,
            _ => {
                return Err(ApiError::input(format!(
                    "Invalid orderField '{o}', order must be asc or desc"
                )))
            }
        };
        out.push(OrderField { field, desc });
    }
    Ok(out)
}

fn items(rows: &[PageRow], fields: &[String]) -> Vec<Value> {
    rows.iter()
        .map(|r| project(&parse_entity(&r.json), fields))
        .collect()
}

/// `GET /entities`: bare array, `Link: <…&after=…>; rel="next"` when more.
pub async fn list(
    State(s): State<CatalogState>,
    OriginalUri(uri): OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref());
    let fields = parse_fields(&p.all("fields"));
    let limit = p.limit("limit")?;
    let offset = p.offset("offset")?;
    let (query, boundary, total) = match p.one("after") {
        Some(after) => {
            let c = Cursor::decode(&after)?;
            let b = c.boundary();
            (c.query, Some(b), c.total)
        }
        None => (
            EntityQuery {
                filter: filter(&p)?,
                order: order_param(&p)?,
                full_text: None,
            },
            None,
            0,
        ),
    };
    let db = s.engine.db();
    let offset = if boundary.is_some() { None } else { offset };
    let mut rows =
        entities::page(db, &query, boundary.as_ref(), offset, limit.map(|l| l + 1)).await?;
    let mut link = None;
    if let Some(l) = limit {
        if rows.len() as u64 > l {
            rows.truncate(l as usize);
            let last = rows
                .last()
                .map(|r| r.sort_values.clone())
                .unwrap_or_default();
            let cursor = Cursor {
                query,
                values: last,
                backward: false,
                total,
                limit: Some(l),
            }
            .encode();
            let mut pairs: Vec<(String, String)> =
                p.0.iter()
                    .filter(|(k, _)| k != "offset" && k != "after")
                    .cloned()
                    .collect();
            pairs.push(("after".into(), cursor));
            let qs = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            link = Some(format!("<{}?{qs}>; rel=\"next\"", uri.path()));
        }
    }
    let mut resp = Json(items(&rows, &fields)).into_response();
    if let Some(l) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
        resp.headers_mut().insert(header::LINK, l);
    }
    Ok(resp)
}

/// `GET /entities/by-query`.
pub async fn by_query(
    State(s): State<CatalogState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<QueryEntitiesResponse>, ApiError> {
    let p = Params::parse(raw.as_deref());
    let fields = parse_fields(&p.all("fields"));
    let limit_param = p.limit("limit")?;
    let mut limit = limit_param.unwrap_or(20);
    let offset = p.offset("offset")?;
    let db = s.engine.db();
    let (query, boundary, total, from_cursor) = match p.one("cursor") {
        Some(c) => {
            let c = Cursor::decode(&c)?;
            let b = c.boundary();
            if limit_param.is_none() {
                limit = c.limit.unwrap_or(20);
            }
            (c.query, Some(b), c.total, true)
        }
        None => {
            let order = order_field_param(&p)?;
            let full_text = p
                .one("fullTextFilterTerm")
                .filter(|t| !t.trim().is_empty())
                .map(|term| {
                    let mut fields = parse_fields(&p.all("fullTextFilterFields"));
                    if fields.is_empty() {
                        fields = match order.first() {
                            Some(o) => vec![o.field.clone()],
                            None => vec!["metadata.name".into(), "metadata.title".into()],
                        };
                    }
                    FullText {
                        term: term.trim().to_string(),
                        fields,
                    }
                });
            let q = EntityQuery {
                filter: filter(&p)?,
                order,
                full_text,
            };
            let total = entities::count(db, &q).await?;
            (q, None, total, false)
        }
    };
    let backward = boundary.as_ref().is_some_and(|b| b.backward);
    let offset = if from_cursor { None } else { offset };
    let mut rows = entities::page(db, &query, boundary.as_ref(), offset, Some(limit + 1)).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    if backward {
        rows.reverse();
    }
    let cursor_at = |row: Option<&PageRow>, backward: bool| {
        row.map(|r| {
            Cursor {
                query: query.clone(),
                values: r.sort_values.clone(),
                backward,
                total,
                limit: Some(limit),
            }
            .encode()
        })
    };
    let (has_next, has_prev) = if backward {
        (true, more)
    } else {
        (more, from_cursor || offset.unwrap_or(0) > 0)
    };
    let page_info = PageInfo {
        next_cursor: if has_next {
            cursor_at(rows.last(), false)
        } else {
            None
        },
        prev_cursor: if has_prev {
            cursor_at(rows.first(), true)
        } else {
            None
        },
    };
    Ok(Json(QueryEntitiesResponse {
        items: items(&rows, &fields),
        total_items: total,
        page_info,
    }))
}

/// `GET /entities/by-uid/{uid}`.
pub async fn get_by_uid(
    State(s): State<CatalogState>,
    Path(uid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    match entities::by_uid(s.engine.db(), &uid).await? {
        Some(j) => Ok(Json(parse_entity(&j))),
        None => Err(ApiError::not_found(format!("No entity with uid {uid}"))),
    }
}

/// `DELETE /entities/by-uid/{uid}` (operators, or owners of the entity).
pub async fn delete_by_uid(
    State(s): State<CatalogState>,
    Caller(caller): Caller,
    Path(uid): Path<String>,
) -> Result<StatusCode, ApiError> {
    let Some(json) = entities::by_uid(s.engine.db(), &uid).await? else {
        return Err(ApiError::not_found(format!("No entity with uid {uid}")));
    };
    let facts = crate::permissions::entity_facts(&parse_entity(&json));
    s.permissions
        .authorize(&caller, &crate::permissions::ENTITY_DELETE, Some(&facts))?;
    if s.engine.delete_by_uid(&uid).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("No entity with uid {uid}")))
    }
}

/// `GET /entities/by-name/{kind}/{namespace}/{name}`.
pub async fn by_name(
    State(s): State<CatalogState>,
    Path((kind, namespace, name)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let r = EntityRef::new(&kind, &namespace, &name).to_string();
    match entities::by_ref(s.engine.db(), &r).await? {
        Some(j) => Ok(Json(parse_entity(&j))),
        None => Err(ApiError::not_found(format!(
            "No entity named '{name}' found, with kind '{kind}' in namespace '{namespace}'"
        ))),
    }
}

/// `GET /entities/by-name/{kind}/{namespace}/{name}/ancestry`.
pub async fn ancestry(
    State(s): State<CatalogState>,
    Path((kind, namespace, name)): Path<(String, String, String)>,
) -> Result<Json<AncestryResponse>, ApiError> {
    let root = EntityRef::new(&kind, &namespace, &name).to_string();
    if entities::by_ref(s.engine.db(), &root).await?.is_none() {
        return Err(ApiError::not_found(format!("No such entity {root}")));
    }
    let mut items = Vec::new();
    for (r, parents) in s.engine.ancestry(&root).await? {
        if let Some(j) = entities::by_ref(s.engine.db(), &r).await? {
            items.push(AncestryItem {
                entity: parse_entity(&j),
                parent_entity_refs: parents,
            });
        }
    }
    Ok(Json(AncestryResponse {
        root_entity_ref: root,
        items,
    }))
}

/// `POST /entities/by-refs`.
pub async fn by_refs(
    State(s): State<CatalogState>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Json<EntitiesByRefsResponse>, ApiError> {
    let p = Params::parse(raw.as_deref());
    let f = filter(&p)?;
    let req: EntitiesByRefsRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::input(format!("Invalid request body: {e}")))?;
    let mut refs = Vec::with_capacity(req.entity_refs.len());
    for r in &req.entity_refs {
        let parsed = EntityRef::parse(r, None, None)
            .map_err(|e| ApiError::input(format!("Invalid entity ref '{r}': {e}")))?;
        refs.push(parsed.to_string());
    }
    let mut fields = req.fields.unwrap_or_default();
    fields.extend(parse_fields(&p.all("fields")));
    let fields = parse_fields(&fields);
    let found = entities::by_refs(s.engine.db(), &refs, &f).await?;
    let items = refs
        .iter()
        .map(|r| found.get(r).map(|j| project(&parse_entity(j), &fields)))
        .collect();
    Ok(Json(EntitiesByRefsResponse { items }))
}

/// `GET /entity-facets?facet=…&filter=…`.
pub async fn facets(
    State(s): State<CatalogState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<FacetsResponse>, ApiError> {
    let p = Params::parse(raw.as_deref());
    let f = filter(&p)?;
    let facets = p.all("facet");
    if facets.is_empty() {
        return Err(ApiError::input("Missing facet parameter, e.g. facet=kind"));
    }
    let mut out = FacetsResponse::default();
    for facet in facets {
        if facet.trim().is_empty() {
            return Err(ApiError::input("Invalid facet, must not be empty"));
        }
        let values = entities::facet(s.engine.db(), facet.trim(), &f).await?;
        out.facets.insert(
            facet.clone(),
            values
                .into_iter()
                .map(|(value, count)| FacetValue { value, count })
                .collect(),
        );
    }
    Ok(Json(out))
}
