//! Relation derivation (Backstage's `BuiltinKindsEntityProcessor`): every spec reference
//! produces a relation in both directions, with default target kinds and the entity's
//! own namespace as the default namespace.

use crate::validation::ValidationError;
use portal_types::EntityRef;
use serde_json::Value;

/// Relation type names (`kinds/relations.ts`).
pub mod types {
    /// entity → owner.
    pub const OWNED_BY: &str = "ownedBy";
    /// owner → entity.
    pub const OWNER_OF: &str = "ownerOf";
    /// part → whole.
    pub const PART_OF: &str = "partOf";
    /// whole → part.
    pub const HAS_PART: &str = "hasPart";
    /// component → API.
    pub const PROVIDES_API: &str = "providesApi";
    /// API → component.
    pub const API_PROVIDED_BY: &str = "apiProvidedBy";
    /// component → API.
    pub const CONSUMES_API: &str = "consumesApi";
    /// API → component.
    pub const API_CONSUMED_BY: &str = "apiConsumedBy";
    /// dependent → dependency.
    pub const DEPENDS_ON: &str = "dependsOn";
    /// dependency → dependent.
    pub const DEPENDENCY_OF: &str = "dependencyOf";
    /// child group → parent group.
    pub const CHILD_OF: &str = "childOf";
    /// parent group → child group.
    pub const PARENT_OF: &str = "parentOf";
    /// user → group.
    pub const MEMBER_OF: &str = "memberOf";
    /// group → user.
    pub const HAS_MEMBER: &str = "hasMember";
}
use types::*;

/// A directed relation between two entities.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Relation {
    /// Source ref.
    pub source: EntityRef,
    /// Relation type, e.g. `ownedBy`.
    pub relation_type: &'static str,
    /// Target ref.
    pub target: EntityRef,
}

/// (spec field, is array, default target kind, forward type, reverse type) per kind.
type Rule = (
    &'static str,
    bool,
    Option<&'static str>,
    &'static str,
    &'static str,
);

fn rules(kind: &str) -> &'static [Rule] {
    match kind.to_ascii_lowercase().as_str() {
        "component" => &[
            ("owner", false, Some("Group"), OWNED_BY, OWNER_OF),
            ("system", false, Some("System"), PART_OF, HAS_PART),
            (
                "subcomponentOf",
                false,
                Some("Component"),
                PART_OF,
                HAS_PART,
            ),
            (
                "providesApis",
                true,
                Some("API"),
                PROVIDES_API,
                API_PROVIDED_BY,
            ),
            (
                "consumesApis",
                true,
                Some("API"),
                CONSUMES_API,
                API_CONSUMED_BY,
            ),
            ("dependsOn", true, None, DEPENDS_ON, DEPENDENCY_OF),
            ("dependencyOf", true, None, DEPENDENCY_OF, DEPENDS_ON),
        ],
        "api" => &[
            ("owner", false, Some("Group"), OWNED_BY, OWNER_OF),
            ("system", false, Some("System"), PART_OF, HAS_PART),
        ],
        "resource" => &[
            ("owner", false, Some("Group"), OWNED_BY, OWNER_OF),
            ("system", false, Some("System"), PART_OF, HAS_PART),
            ("dependsOn", true, None, DEPENDS_ON, DEPENDENCY_OF),
            ("dependencyOf", true, None, DEPENDENCY_OF, DEPENDS_ON),
        ],
        "system" => &[
            ("owner", false, Some("Group"), OWNED_BY, OWNER_OF),
            ("domain", false, Some("Domain"), PART_OF, HAS_PART),
        ],
        "domain" => &[
            ("owner", false, Some("Group"), OWNED_BY, OWNER_OF),
            ("subdomainOf", false, Some("Domain"), PART_OF, HAS_PART),
        ],
        "group" => &[
            ("parent", false, Some("Group"), CHILD_OF, PARENT_OF),
            ("children", true, Some("Group"), PARENT_OF, CHILD_OF),
            ("members", true, Some("User"), HAS_MEMBER, MEMBER_OF),
        ],
        "user" => &[("memberOf", true, Some("Group"), MEMBER_OF, HAS_MEMBER)],
        "template" => &[("owner", false, Some("Group"), OWNED_BY, OWNER_OF)],
        _ => &[],
    }
}

/// Derive the relations of `entity` (both directions). Unparseable refs are returned as
/// errors with their field path; the other relations are still produced.
pub fn derive_relations(entity: &Value) -> (Vec<Relation>, Vec<ValidationError>) {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    let kind = entity
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let meta = entity.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let ns = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str)
        .unwrap_or("default");
    let me = EntityRef::new(kind, ns, name);
    let Some(spec) = entity.get("spec").and_then(Value::as_object) else {
        return (out, errs);
    };
    for (field, is_array, default_kind, fwd, rev) in rules(kind) {
        let targets: Vec<&str> = match spec.get(*field) {
            Some(Value::String(s)) if !is_array => vec![s.as_str()],
            Some(Value::Array(a)) if *is_array => a.iter().filter_map(Value::as_str).collect(),
            _ => continue,
        };
        for (i, t) in targets.into_iter().enumerate() {
            let path = if *is_array {
                format!("spec.{field}[{i}]")
            } else {
                format!("spec.{field}")
            };
            match EntityRef::parse(t, *default_kind, Some(ns)) {
                Ok(target) => {
                    out.push(Relation {
                        source: me.clone(),
                        relation_type: fwd,
                        target: target.clone(),
                    });
                    out.push(Relation {
                        source: target,
                        relation_type: rev,
                        target: me.clone(),
                    });
                }
                Err(e) => errs.push(ValidationError::new(
                    path.clone(),
                    format!("\"{path}\": {e}"),
                )),
            }
        }
    }
    (out, errs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(e: &Value) -> Vec<String> {
        derive_relations(e)
            .0
            .into_iter()
            .map(|r| format!("{} {} {}", r.source, r.relation_type, r.target))
            .collect()
    }

    #[test]
    fn should_derive_both_directions_with_defaults() {
        let e = json!({"kind": "Component", "metadata": {"name": "svc", "namespace": "ns1"},
            "spec": {"owner": "team-a", "system": "default/sys", "providesApis": ["api-1"],
                     "consumesApis": ["other/api-2"], "dependsOn": ["resource:db"]}});
        assert_eq!(
            pairs(&e),
            vec![
                "component:ns1/svc ownedBy group:ns1/team-a",
                "group:ns1/team-a ownerOf component:ns1/svc",
                "component:ns1/svc partOf system:default/sys",
                "system:default/sys hasPart component:ns1/svc",
                "component:ns1/svc providesApi api:ns1/api-1",
                "api:ns1/api-1 apiProvidedBy component:ns1/svc",
                "component:ns1/svc consumesApi api:other/api-2",
                "api:other/api-2 apiConsumedBy component:ns1/svc",
                "component:ns1/svc dependsOn resource:ns1/db",
                "resource:ns1/db dependencyOf component:ns1/svc",
            ]
        );
    }

    #[test]
    fn should_derive_group_and_user_relations() {
        let g = json!({"kind": "Group", "metadata": {"name": "g"},
            "spec": {"type": "team", "parent": "org", "children": ["sub"], "members": ["alice"]}});
        assert_eq!(
            pairs(&g),
            vec![
                "group:default/g childOf group:default/org",
                "group:default/org parentOf group:default/g",
                "group:default/g parentOf group:default/sub",
                "group:default/sub childOf group:default/g",
                "group:default/g hasMember user:default/alice",
                "user:default/alice memberOf group:default/g",
            ]
        );
        let u = json!({"kind": "User", "metadata": {"name": "alice"}, "spec": {"memberOf": ["g"]}});
        assert_eq!(
            pairs(&u),
            vec![
                "user:default/alice memberOf group:default/g",
                "group:default/g hasMember user:default/alice"
            ]
        );
        let d = json!({"kind": "Domain", "metadata": {"name": "d"}, "spec": {"owner": "user:bob", "subdomainOf": "top"}});
        assert_eq!(pairs(&d)[0], "domain:default/d ownedBy user:default/bob");
        assert_eq!(pairs(&d)[2], "domain:default/d partOf domain:default/top");
    }

    #[test]
    fn should_report_dependency_without_kind() {
        let e = json!({"kind": "Resource", "metadata": {"name": "r"}, "spec": {"owner": "g", "dependsOn": ["db"]}});
        let (rels, errs) = derive_relations(&e);
        assert_eq!(rels.len(), 2);
        assert_eq!(errs[0].path, "spec.dependsOn[0]");
    }
}
