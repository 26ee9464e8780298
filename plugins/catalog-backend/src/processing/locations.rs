//! Registered locations (`catalog_locations`) and the built-in provider that turns each
//! into a generated `Location` entity (`location:default/generated-<hash>`).

use super::processor::set_annotation;
use super::reader::normalize;
use super::Engine;
use crate::store::{sha256_hex, state};
use backend_plugin_api::catalog::{DeferredEntity, Mutation, RemovedEntity};
use backend_plugin_api::ApiError;
use plugin_catalog_common::dto::{Location, LocationSpec};
use plugin_catalog_common::{EntityRef, ANNOTATION_LOCATION, ANNOTATION_ORIGIN_LOCATION};
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::VecDeque;

/// The provider name of registered locations.
pub const LOCATIONS_PROVIDER: &str = "catalog-locations";

/// `source` of a location from configuration (cannot be deleted through the API).
pub const SOURCE_CONFIG: &str = "config";
/// `source` of a location added through the API.
pub const SOURCE_API: &str = "api";

/// The generated Location entity of a location.
pub fn location_entity(location_type: &str, target: &str, presence: Option<&str>) -> Value {
    let key = format!("{location_type}:{target}");
    let name = format!("generated-{}", &sha256_hex(key.as_bytes())[..40]);
    let mut e = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"type": location_type, "target": target, "presence": presence.unwrap_or("required")},
    });
    set_annotation(&mut e, ANNOTATION_LOCATION, &key);
    set_annotation(&mut e, ANNOTATION_ORIGIN_LOCATION, &key);
    e
}

/// The ref of the generated Location entity.
pub fn location_entity_ref(location_type: &str, target: &str) -> String {
    let e = location_entity(location_type, target, None);
    EntityRef::new(
        "Location",
        "default",
        e["metadata"]["name"].as_str().unwrap_or_default(),
    )
    .to_string()
}

fn deferred(l: &Location) -> DeferredEntity {
    DeferredEntity {
        entity: location_entity(&l.location_type, &l.target, None),
        location_key: Some(format!("{}:{}", l.location_type, l.target)),
    }
}

fn row_location(r: &sqlx::any::AnyRow) -> Result<(Location, String), sqlx::Error> {
    Ok((
        Location {
            id: r.try_get(0)?,
            location_type: r.try_get(1)?,
            target: r.try_get(2)?,
        },
        r.try_get(3)?,
    ))
}

impl Engine {
    /// Make `file` targets absolute (relative to the root directory) and normalised.
    pub fn normalize_spec(&self, location_type: &str, target: &str) -> String {
        if location_type == "file" {
            let p = std::path::Path::new(target);
            let abs = if p.is_absolute() {
                p.to_path_buf()
            } else {
                self.root_dir().join(p)
            };
            normalize(&abs).to_string_lossy().into_owned()
        } else {
            target.to_string()
        }
    }

    /// Replace the configuration locations with `config` (type, target) and publish every
    /// location to the catalog (full mutation).
    pub async fn sync_config_locations(&self, config: &[(String, String)]) -> Result<(), ApiError> {
        let wanted: Vec<(String, String)> = config
            .iter()
            .map(|(t, target)| (t.clone(), self.normalize_spec(t, target)))
            .collect();
        {
            // Writes go through the engine's writer (see `Engine::writer`); it is
            // released before `mutate` takes it again.
            let mut w = self.writer().await?;
            let mut tx = crate::store::begin_write(&mut w).await?;
            let existing = self.list_locations_with_source().await?;
            for (l, source) in &existing {
                let keep = wanted
                    .iter()
                    .any(|(t, g)| *t == l.location_type && *g == l.target);
                if source == SOURCE_CONFIG && !keep {
                    sqlx::query("DELETE FROM catalog_locations WHERE id = $1")
                        .bind(&l.id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            for (t, g) in &wanted {
                if !existing
                    .iter()
                    .any(|(l, _)| l.location_type == *t && l.target == *g)
                {
                    sqlx::query(
                        "INSERT INTO catalog_locations (id, type, target, source, created_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(uuid::Uuid::new_v4().to_string())
                    .bind(t)
                    .bind(g)
                    .bind(SOURCE_CONFIG)
                    .bind(chrono::Utc::now().to_rfc3339())
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
        }
        let all = self.list_locations().await?;
        self.mutate(
            LOCATIONS_PROVIDER,
            Mutation::Full {
                entities: all.iter().map(deferred).collect(),
            },
        )
        .await
        .map_err(|e| ApiError::internal(e.0))
    }

    async fn list_locations_with_source(&self) -> Result<Vec<(Location, String)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, type, target, source FROM catalog_locations ORDER BY created_at, id",
        )
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(row_location).collect()
    }

    /// Every registered location.
    pub async fn list_locations(&self) -> Result<Vec<Location>, sqlx::Error> {
        Ok(self
            .list_locations_with_source()
            .await?
            .into_iter()
            .map(|l| l.0)
            .collect())
    }

    /// A location by id.
    pub async fn get_location(&self, id: &str) -> Result<Option<(Location, String)>, sqlx::Error> {
        let row =
            sqlx::query("SELECT id, type, target, source FROM catalog_locations WHERE id = $1")
                .bind(id)
                .fetch_optional(self.db().pool())
                .await?;
        row.as_ref().map(row_location).transpose()
    }

    /// A location by `type` and `target`.
    pub async fn find_location(
        &self,
        location_type: &str,
        target: &str,
    ) -> Result<Option<Location>, sqlx::Error> {
        let row = sqlx::query("SELECT id, type, target, source FROM catalog_locations WHERE type = $1 AND target = $2")
            .bind(location_type)
            .bind(target)
            .fetch_optional(self.db().pool())
            .await?;
        Ok(row.as_ref().map(row_location).transpose()?.map(|l| l.0))
    }

    fn check_spec(&self, spec: &LocationSpec) -> Result<(String, String), ApiError> {
        if spec.location_type != "url" && spec.location_type != "file" {
            return Err(ApiError::input(format!(
                "Invalid location type '{}'; supported types are url and file",
                spec.location_type
            )));
        }
        if spec.target.trim().is_empty() {
            return Err(ApiError::input("Location target must not be empty"));
        }
        if spec.location_type == "url" && url::Url::parse(&spec.target).is_err() {
            return Err(ApiError::input(format!(
                "Invalid location target URL '{}'",
                spec.target
            )));
        }
        Ok((
            spec.location_type.clone(),
            self.normalize_spec(&spec.location_type, &spec.target),
        ))
    }

    /// Register a location (processed immediately).
    pub async fn add_location(&self, spec: &LocationSpec) -> Result<Location, ApiError> {
        let (t, target) = self.check_spec(spec)?;
        if self.find_location(&t, &target).await?.is_some() {
            return Err(ApiError::conflict(format!(
                "Location {t}:{target} already exists"
            )));
        }
        let loc = Location {
            id: uuid::Uuid::new_v4().to_string(),
            location_type: t,
            target,
        };
        sqlx::query("INSERT INTO catalog_locations (id, type, target, source, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&loc.id)
            .bind(&loc.location_type)
            .bind(&loc.target)
            .bind(SOURCE_API)
            .bind(chrono::Utc::now().to_rfc3339())
            .execute(&mut *self.writer().await?)
            .await
            .map_err(|e| {
                if e.to_string().to_lowercase().contains("unique") {
                    ApiError::conflict(format!("Location {}:{} already exists", loc.location_type, loc.target))
                } else {
                    ApiError::from(e)
                }
            })?;
        self.mutate(
            LOCATIONS_PROVIDER,
            Mutation::Delta {
                added: vec![deferred(&loc)],
                removed: vec![],
            },
        )
        .await
        .map_err(|e| ApiError::internal(e.0))?;
        Ok(loc)
    }

    /// Delete a location and (through the provider) every entity it produced.
    pub async fn delete_location(&self, id: &str) -> Result<(), ApiError> {
        let Some((loc, source)) = self.get_location(id).await? else {
            return Err(ApiError::not_found(format!(
                "Found no location with ID {id}"
            )));
        };
        if source == SOURCE_CONFIG {
            return Err(ApiError::NotAllowed(format!(
                "Location {id} comes from the static configuration and cannot be deleted"
            )));
        }
        sqlx::query("DELETE FROM catalog_locations WHERE id = $1")
            .bind(id)
            .execute(&mut *self.writer().await?)
            .await?;
        let r = location_entity_ref(&loc.location_type, &loc.target);
        self.mutate(
            LOCATIONS_PROVIDER,
            Mutation::Delta {
                added: vec![],
                removed: vec![RemovedEntity::new(r)],
            },
        )
        .await
        .map_err(|e| ApiError::internal(e.0))
    }

    /// Process a location in memory (dry run): every entity it would produce, or an
    /// `InputError` listing the problems.
    pub async fn dry_run(
        &self,
        spec: &LocationSpec,
    ) -> Result<(Location, Vec<Value>, bool), ApiError> {
        let (t, target) = self.check_spec(spec)?;
        let existing = self.find_location(&t, &target).await?;
        let loc = Location {
            id: existing
                .as_ref()
                .map(|l| l.id.clone())
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            location_type: t.clone(),
            target: target.clone(),
        };
        let root = location_entity(&t, &target, spec.presence.as_deref());
        let mut queue: VecDeque<(Value, usize)> = VecDeque::from([(root, 0)]);
        let mut entities = Vec::new();
        let mut errors = Vec::new();
        while let Some((e, depth)) = queue.pop_front() {
            let out = self.processor().process(&e).await;
            for err in out.errors.iter().chain(&out.read_errors) {
                errors.push(format!("{}: {}", err.name, err.message));
            }
            if depth > 0 {
                entities.push(out.entity);
            }
            if depth < 10 && entities.len() < 10_000 {
                queue.extend(out.children.into_iter().map(|c| (c.entity, depth + 1)));
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::input(format!(
                "Location {t}:{target} could not be processed: {}",
                errors.join("; ")
            )));
        }
        Ok((loc, entities, existing.is_some()))
    }

    /// The location an entity originates from (its `managed-by-origin-location`).
    pub async fn location_of_entity(
        &self,
        entity: &Value,
    ) -> Result<Option<Location>, sqlx::Error> {
        let ann = entity
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(ANNOTATION_ORIGIN_LOCATION))
            .and_then(Value::as_str);
        let Some((t, target)) = ann.and_then(super::reader::split_location_ref) else {
            return Ok(None);
        };
        self.find_location(t, target).await
    }

    /// The ancestors of an entity: `(ref, parent refs)` from the entity upwards.
    pub async fn ancestry(
        &self,
        entity_ref: &str,
    ) -> Result<Vec<(String, Vec<String>)>, sqlx::Error> {
        let mut conn = self.db().pool().acquire().await?;
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut queue = VecDeque::from([entity_ref.to_string()]);
        while let Some(r) = queue.pop_front() {
            if !seen.insert(r.clone()) {
                continue;
            }
            let parents = state::parents_of(&mut conn, &r).await?;
            queue.extend(parents.iter().cloned());
            out.push((r, parents));
        }
        Ok(out)
    }

    /// Refresh an entity and its nearest Location ancestor. `false` if unknown.
    pub async fn refresh_entity(&self, entity_ref: &str) -> Result<bool, sqlx::Error> {
        let chain = self.ancestry(entity_ref).await?;
        let mut refs = vec![entity_ref.to_string()];
        if let Some((loc, _)) = chain
            .iter()
            .skip(1)
            .find(|(r, _)| r.starts_with("location:"))
        {
            refs.push(loc.clone());
        }
        Ok(self.schedule(&refs).await? > 0)
    }
}
