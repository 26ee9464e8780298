//! Processing one entity: placeholders → envelope validation → kind validation →
//! reading Location targets (children) → relations. Any error fails the run and the
//! last good version is kept by the caller.

use super::kinds::KindValidators;
use super::placeholders;
use super::reader::{resolve_target, split_location_ref, Reader};
use backend_plugin_api::catalog::DeferredEntity;
use plugin_catalog_common::dto::SerializedError;
use plugin_catalog_common::relations::derive_relations;
use plugin_catalog_common::validation::validate_envelope;
use plugin_catalog_common::{ANNOTATION_LOCATION, ANNOTATION_ORIGIN_LOCATION};
use serde_json::{Map, Value};

/// The outcome of processing one entity.
#[derive(Debug, Default)]
pub struct Output {
    /// The processed entity (placeholders resolved).
    pub entity: Value,
    /// `(source, type, target)` relations in both directions.
    pub relations: Vec<(String, String, String)>,
    /// Entities emitted (Location targets).
    pub children: Vec<DeferredEntity>,
    /// Problems; non-empty means the run failed.
    pub errors: Vec<SerializedError>,
    /// Problems reading Location targets: the entity itself is fine and stored, the
    /// errors go to its `status.items`, and children are only added, never removed.
    pub read_errors: Vec<SerializedError>,
}

fn err(name: &str, message: impl Into<String>) -> SerializedError {
    SerializedError {
        name: name.into(),
        message: message.into(),
    }
}

/// Processes entities.
pub struct Processor {
    reader: Reader,
    kinds: KindValidators,
}

impl Processor {
    /// A processor reading with `reader` and validating with `kinds`.
    pub fn new(reader: Reader, kinds: KindValidators) -> Self {
        Self { reader, kinds }
    }

    /// The reader.
    pub fn reader(&self) -> &Reader {
        &self.reader
    }

    /// Validate without reading anything (envelope, kind, relation refs).
    pub fn validate(&self, entity: &Value) -> Vec<SerializedError> {
        let mut errors: Vec<SerializedError> = validate_envelope(entity)
            .into_iter()
            .map(|e| err("InputError", e.message))
            .collect();
        if errors.is_empty() {
            errors.extend(
                self.kinds
                    .validate(entity)
                    .into_iter()
                    .map(|e| err("InputError", e.message)),
            );
        }
        if errors.is_empty() {
            errors.extend(
                derive_relations(entity)
                    .1
                    .into_iter()
                    .map(|e| err("InputError", e.message)),
            );
        }
        errors
    }

    /// Process an unprocessed entity.
    pub async fn process(&self, unprocessed: &Value) -> Output {
        let mut entity = unprocessed.clone();
        let location = annotation(&entity, ANNOTATION_LOCATION);
        let origin = annotation(&entity, ANNOTATION_ORIGIN_LOCATION);
        let loc = location.as_deref().and_then(split_location_ref);
        let mut out = Output::default();
        for (name, message) in placeholders::resolve(&mut entity, loc, &self.reader).await {
            out.errors.push(err(&name, message));
        }
        if !out.errors.is_empty() {
            out.entity = entity;
            return out;
        }
        out.errors = self.validate(&entity);
        if !out.errors.is_empty() {
            out.entity = entity;
            return out;
        }
        if entity
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.eq_ignore_ascii_case("location"))
        {
            self.read_location_targets(
                &entity,
                loc,
                origin.as_deref().or(location.as_deref()),
                &mut out,
            )
            .await;
        }
        let (rels, _) = derive_relations(&entity);
        out.relations = rels
            .into_iter()
            .map(|r| {
                (
                    r.source.to_string(),
                    r.relation_type.to_string(),
                    r.target.to_string(),
                )
            })
            .collect();
        out.entity = entity;
        out
    }

    async fn read_location_targets(
        &self,
        entity: &Value,
        own: Option<(&str, &str)>,
        origin: Option<&str>,
        out: &mut Output,
    ) {
        let spec = entity.get("spec").cloned().unwrap_or(Value::Null);
        let ltype = spec
            .get("type")
            .and_then(Value::as_str)
            .map(String::from)
            .or_else(|| own.map(|o| o.0.to_string()));
        let Some(ltype) = ltype else {
            out.read_errors.push(err(
                "InputError",
                "Location entity has no spec.type and no managed-by-location",
            ));
            return;
        };
        let optional = spec.get("presence").and_then(Value::as_str) == Some("optional");
        let mut targets: Vec<String> = Vec::new();
        if let Some(t) = spec.get("target").and_then(Value::as_str) {
            targets.push(t.to_string());
        }
        if let Some(ts) = spec.get("targets").and_then(Value::as_array) {
            targets.extend(ts.iter().filter_map(Value::as_str).map(String::from));
        }
        for t in targets {
            let resolved = match own {
                Some((bt, base)) if bt == ltype => resolve_target(bt, base, &t),
                _ => resolve_target(&ltype, &t, &t),
            };
            let target = match resolved {
                Ok(r) => r,
                Err(e) => {
                    out.read_errors
                        .push(err("InputError", format!("Location target {t}: {e}")));
                    continue;
                }
            };
            let bytes = match self.reader.read(&ltype, &target).await {
                Ok(b) => b,
                Err(e) if e.name == "NotFoundError" && optional => continue,
                Err(e) => {
                    out.read_errors.push(err(e.name, e.message));
                    continue;
                }
            };
            let key = format!("{ltype}:{target}");
            let origin = origin.unwrap_or(&key).to_string();
            match parse_entities(&bytes) {
                Ok(docs) => {
                    for (i, mut doc) in docs.into_iter().enumerate() {
                        if !doc.is_object() {
                            out.read_errors.push(err(
                                "InputError",
                                format!(
                                    "{key}: document {i} is not an object (expected an entity)"
                                ),
                            ));
                            continue;
                        }
                        set_annotation(&mut doc, ANNOTATION_LOCATION, &key);
                        set_annotation(&mut doc, ANNOTATION_ORIGIN_LOCATION, &origin);
                        out.children.push(DeferredEntity {
                            entity: doc,
                            location_key: Some(key.clone()),
                        });
                    }
                }
                Err(e) => out
                    .read_errors
                    .push(err("InputError", format!("{key}: YAML error: {e}"))),
            }
        }
    }
}

/// Parse a (multi-document) YAML file into JSON values; empty documents are skipped.
pub fn parse_entities(bytes: &[u8]) -> Result<Vec<Value>, String> {
    use serde::Deserialize;
    let mut out = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_slice(bytes) {
        let v = Value::deserialize(doc).map_err(|e| e.to_string())?;
        if !v.is_null() {
            out.push(v);
        }
    }
    Ok(out)
}

/// An annotation of an entity JSON.
pub fn annotation(entity: &Value, key: &str) -> Option<String> {
    entity
        .get("metadata")?
        .get("annotations")?
        .get(key)?
        .as_str()
        .map(String::from)
}

/// Set an annotation on an entity JSON (creating `metadata.annotations`).
pub fn set_annotation(entity: &mut Value, key: &str, value: &str) {
    let Some(meta) = entity.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let ann = meta
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(a) = ann.as_object_mut() {
        a.insert(key.to_string(), Value::String(value.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_parse_multi_document_yaml() {
        let docs = parse_entities(b"---\na: 1\n---\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert!(parse_entities(b"a: [").is_err());
    }
}
