//! Kind validation: built-in kinds from `catalog-common`, custom kinds registered through
//! the extension point validated with JSON Schema.

use backend_plugin_api::catalog::KindDefinition;
use plugin_catalog_common::kinds::{builtin_kind, validate_builtin_spec};
use plugin_catalog_common::validation::ValidationError;
use serde_json::Value;

/// The kinds the catalog accepts.
pub struct KindValidators {
    custom: Vec<(KindDefinition, jsonschema::Validator)>,
}

impl KindValidators {
    /// Compile the custom kinds' schemas. A schema that does not compile is an error
    /// naming the kind.
    pub fn new(custom: Vec<KindDefinition>) -> Result<Self, String> {
        let mut out = Vec::new();
        for k in custom {
            let v = jsonschema::validator_for(&k.json_schema)
                .map_err(|e| format!("custom kind {}: invalid JSON schema: {e}", k.kind))?;
            out.push((k, v));
        }
        Ok(Self { custom: out })
    }

    /// Validate the kind-specific part of an (envelope-valid) entity.
    pub fn validate(&self, entity: &Value) -> Vec<ValidationError> {
        let api_version = entity
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let kind = entity
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let spec = entity.get("spec");
        if let Some(def) = builtin_kind(api_version, kind) {
            return validate_builtin_spec(def, spec);
        }
        if let Some((def, validator)) = self.custom.iter().find(|(d, _)| {
            d.kind.eq_ignore_ascii_case(kind) && d.api_versions.iter().any(|a| a == api_version)
        }) {
            let empty = Value::Object(Default::default());
            let spec = spec.unwrap_or(&empty);
            return validator
                .iter_errors(spec)
                .map(|e| {
                    let ptr = e.instance_path.to_string();
                    let path = if ptr.is_empty() {
                        "spec".to_string()
                    } else {
                        format!("spec{}", ptr.replace('/', "."))
                    };
                    ValidationError::new(
                        path.clone(),
                        format!("{} entity: \"{path}\" {e}", def.kind),
                    )
                })
                .collect();
        }
        vec![ValidationError::new(
            "kind",
            format!("Unsupported kind \"{kind}\" with apiVersion \"{api_version}\"; no processor recognized the entity"),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_validate_custom_kinds_with_json_schema() {
        let v = KindValidators::new(vec![KindDefinition {
            api_versions: vec!["butler.io/v1".into()],
            kind: "Cluster".into(),
            json_schema: json!({"type": "object", "required": ["region"],
                "properties": {"region": {"type": "string"}, "nodes": {"type": "integer"}}}),
        }])
        .unwrap();
        let ok = json!({"apiVersion": "butler.io/v1", "kind": "cluster", "metadata": {"name": "a"}, "spec": {"region": "eu"}});
        assert!(v.validate(&ok).is_empty());
        let bad = json!({"apiVersion": "butler.io/v1", "kind": "Cluster", "metadata": {"name": "a"}, "spec": {"nodes": "x"}});
        let errs = v.validate(&bad);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs.iter().any(|e| e.path == "spec.nodes"));
        let unknown = json!({"apiVersion": "x.io/v1", "kind": "Thing", "metadata": {"name": "a"}});
        assert!(v.validate(&unknown)[0].message.contains("Unsupported kind"));
        assert!(KindValidators::new(vec![KindDefinition {
            api_versions: vec![],
            kind: "Bad".into(),
            json_schema: json!({"type": 5}),
        }])
        .is_err());
    }
}
