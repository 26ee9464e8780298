//! The built-in kinds (`catalog-model/src/schema/kinds/*.schema.json`) and their
//! `spec` rules.

use crate::validation::ValidationError;
use serde_json::Value;

/// What a spec field must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// A non-empty string.
    String,
    /// An array of strings.
    StringArray,
    /// An object.
    Object,
    /// Anything (e.g. Template `parameters`).
    Any,
}

/// One spec field of a built-in kind.
#[derive(Debug, Clone, Copy)]
pub struct SpecField {
    /// Field name in `spec`.
    pub name: &'static str,
    /// Whether it must be present.
    pub required: bool,
    /// Its shape.
    pub ty: FieldType,
}

/// A built-in kind.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinKind {
    /// The kind, e.g. `Component`.
    pub kind: &'static str,
    /// Accepted `apiVersion`s.
    pub api_versions: &'static [&'static str],
    /// Its spec fields.
    pub fields: &'static [SpecField],
}

const fn f(name: &'static str, required: bool, ty: FieldType) -> SpecField {
    SpecField { name, required, ty }
}

use FieldType::{Any, Object, String as S, StringArray as A};

const BACKSTAGE: &[&str] = &["backstage.io/v1alpha1", "backstage.io/v1beta1"];

/// Every built-in kind.
pub const BUILTIN_KINDS: &[BuiltinKind] = &[
    BuiltinKind {
        kind: "Component",
        api_versions: BACKSTAGE,
        fields: &[
            f("type", true, S),
            f("lifecycle", true, S),
            f("owner", true, S),
            f("system", false, S),
            f("subcomponentOf", false, S),
            f("providesApis", false, A),
            f("consumesApis", false, A),
            f("dependsOn", false, A),
            f("dependencyOf", false, A),
        ],
    },
    BuiltinKind {
        kind: "API",
        api_versions: BACKSTAGE,
        fields: &[
            f("type", true, S),
            f("lifecycle", true, S),
            f("owner", true, S),
            f("definition", true, S),
            f("system", false, S),
        ],
    },
    BuiltinKind {
        kind: "Resource",
        api_versions: BACKSTAGE,
        fields: &[
            f("type", true, S),
            f("owner", true, S),
            f("system", false, S),
            f("dependsOn", false, A),
            f("dependencyOf", false, A),
        ],
    },
    BuiltinKind {
        kind: "System",
        api_versions: BACKSTAGE,
        fields: &[
            f("owner", true, S),
            f("domain", false, S),
            f("type", false, S),
        ],
    },
    BuiltinKind {
        kind: "Domain",
        api_versions: BACKSTAGE,
        fields: &[
            f("owner", true, S),
            f("subdomainOf", false, S),
            f("type", false, S),
        ],
    },
    BuiltinKind {
        kind: "Group",
        api_versions: BACKSTAGE,
        fields: &[
            f("type", true, S),
            f("children", true, A),
            f("parent", false, S),
            f("members", false, A),
            f("profile", false, Object),
        ],
    },
    BuiltinKind {
        kind: "User",
        api_versions: BACKSTAGE,
        fields: &[f("memberOf", true, A), f("profile", false, Object)],
    },
    BuiltinKind {
        kind: "Location",
        api_versions: BACKSTAGE,
        fields: &[
            f("type", false, S),
            f("target", false, S),
            f("targets", false, A),
            f("presence", false, S),
        ],
    },
    BuiltinKind {
        kind: "Template",
        api_versions: &["scaffolder.backstage.io/v1beta3"],
        fields: &[
            f("type", true, S),
            f("steps", true, Any),
            f("parameters", false, Any),
            f("owner", false, S),
            f("output", false, Object),
        ],
    },
];

/// The built-in kind matching `api_version` and `kind` (kind compared case-insensitively).
pub fn builtin_kind(api_version: &str, kind: &str) -> Option<&'static BuiltinKind> {
    BUILTIN_KINDS
        .iter()
        .find(|k| k.kind.eq_ignore_ascii_case(kind) && k.api_versions.contains(&api_version))
}

/// Validate the `spec` of a built-in kind; every problem is collected.
pub fn validate_builtin_spec(def: &BuiltinKind, spec: Option<&Value>) -> Vec<ValidationError> {
    let mut errs = Vec::new();
    let empty = serde_json::Map::new();
    let spec = match spec {
        None => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => {
            errs.push(ValidationError::new("spec", "\"spec\" must be an object"));
            return errs;
        }
    };
    for field in def.fields {
        let path = format!("spec.{}", field.name);
        match spec.get(field.name) {
            None | Some(Value::Null) if field.required => errs.push(ValidationError::new(
                path.clone(),
                format!("{} entity: \"{path}\" is required", def.kind),
            )),
            None | Some(Value::Null) => {}
            Some(v) => {
                let ok = match field.ty {
                    FieldType::String => v.as_str().is_some_and(|s| !s.is_empty()),
                    FieldType::StringArray => v.as_array().is_some_and(|a| {
                        a.iter().all(|i| i.as_str().is_some_and(|s| !s.is_empty()))
                    }),
                    FieldType::Object => v.is_object(),
                    FieldType::Any => true,
                };
                if !ok {
                    let want = match field.ty {
                        FieldType::String => "a non-empty string",
                        FieldType::StringArray => "an array of non-empty strings",
                        FieldType::Object => "an object",
                        FieldType::Any => "a value",
                    };
                    errs.push(ValidationError::new(
                        path.clone(),
                        format!("{} entity: \"{path}\" must be {want}", def.kind),
                    ));
                }
            }
        }
    }
    if def.kind == "Location" {
        if let Some(p) = spec.get("presence").and_then(Value::as_str) {
            if p != "required" && p != "optional" {
                errs.push(ValidationError::new(
                    "spec.presence",
                    "Location entity: \"spec.presence\" must be \"required\" or \"optional\"",
                ));
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_find_builtin_kinds_case_insensitively() {
        assert!(builtin_kind("backstage.io/v1alpha1", "component").is_some());
        assert!(builtin_kind("backstage.io/v1beta1", "API").is_some());
        assert!(builtin_kind("scaffolder.backstage.io/v1beta3", "Template").is_some());
        assert!(builtin_kind("backstage.io/v1alpha1", "Template").is_none());
        assert!(builtin_kind("other.io/v1", "Component").is_none());
    }

    #[test]
    fn should_require_spec_fields() {
        let def = builtin_kind("backstage.io/v1alpha1", "Component").unwrap();
        let errs = validate_builtin_spec(def, Some(&json!({"type": "service", "dependsOn": [1]})));
        let paths: Vec<_> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["spec.lifecycle", "spec.owner", "spec.dependsOn"]);
        let ok = json!({"type": "service", "lifecycle": "production", "owner": "team-a"});
        assert!(validate_builtin_spec(def, Some(&ok)).is_empty());
        let group = builtin_kind("backstage.io/v1alpha1", "Group").unwrap();
        assert!(
            validate_builtin_spec(group, Some(&json!({"type": "team", "children": []}))).is_empty()
        );
        assert_eq!(validate_builtin_spec(group, None).len(), 2);
        let loc = builtin_kind("backstage.io/v1alpha1", "Location").unwrap();
        assert_eq!(
            validate_builtin_spec(loc, Some(&json!({"presence": "maybe"}))).len(),
            1
        );
    }
}
