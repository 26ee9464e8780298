//! Entity references as people read them, and the catalog URLs they link to.

use portal_types::{Entity, EntityRef};

/// The mount path of the catalog page.
pub const BASE: &str = "/catalog";

/// The entity page of `r`: `/catalog/<namespace>/<kind>/<name>` (Backstage's URL shape).
pub fn entity_path(r: &EntityRef) -> String {
    format!("{BASE}/{}/{}/{}", r.namespace, r.kind, r.name)
}

/// Parse a ref as written in an entity (`team-a`, `group:team-a`, `default/x`), with the
/// kind and namespace to assume when missing.
pub fn parse_ref(
    s: &str,
    default_kind: Option<&str>,
    default_namespace: &str,
) -> Option<EntityRef> {
    EntityRef::parse(s, default_kind, Some(default_namespace)).ok()
}

/// Backstage's `humanizeEntityRef`: `group:default/team-a` → `team-a` when the kind is the
/// expected `default_kind`, `group:team-a` otherwise; a non-default namespace is kept.
pub fn humanize(r: &EntityRef, default_kind: Option<&str>) -> String {
    let ns = if r.namespace == "default" {
        String::new()
    } else {
        format!("{}/", r.namespace)
    };
    let kind = match default_kind {
        Some(k) if k.eq_ignore_ascii_case(&r.kind) => String::new(),
        _ => format!("{}:", r.kind),
    };
    format!("{kind}{ns}{}", r.name)
}

/// The display name of an entity: title, then profile display name, then name.
pub fn display_name(e: &Entity) -> String {
    e.metadata
        .title
        .clone()
        .or_else(|| {
            e.spec
                .as_ref()?
                .get("profile")?
                .get("displayName")?
                .as_str()
                .map(String::from)
        })
        .unwrap_or_else(|| e.metadata.name.clone())
}

/// The canonical display of a kind (`api` → `API`, `component` → `Component`).
pub fn kind_label(kind: &str) -> String {
    match kind.to_ascii_lowercase().as_str() {
        "api" => "API".into(),
        k => {
            let mut c = k.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        }
    }
}

/// A relation type as a phrase: `ownedBy` → `owned by`, `providesApi` → `provides API`.
pub fn relation_label(t: &str) -> String {
    let mut out = String::new();
    for (i, c) in t.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out.replace("api", "API")
}

/// A location ref shortened for display: `file:/a/b/c/d.yaml` → `file:…/c/d.yaml`,
/// URLs keep their host: `url:https://github.com/o/r/blob/main/x.yaml` →
/// `url:https://github.com/…/main/x.yaml`. Short refs are returned unchanged.
pub fn shorten_location(loc: &str) -> String {
    if loc.chars().count() <= 36 {
        return loc.to_string();
    }
    let (prefix, rest) = match loc.find("://") {
        Some(i) => {
            let host_end = loc[i + 3..]
                .find('/')
                .map(|j| i + 3 + j)
                .unwrap_or(loc.len());
            (&loc[..host_end], &loc[host_end..])
        }
        None => match loc.find(':') {
            Some(i) => (&loc[..=i], &loc[i + 1..]),
            None => ("", loc),
        },
    };
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    if parts.len() <= 2 {
        return loc.to_string();
    }
    let sep = if prefix.ends_with(':') { "" } else { "/" };
    format!("{prefix}{sep}…/{}", parts[parts.len() - 2..].join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_shorten_long_locations() {
        assert_eq!(shorten_location("file:/a.yaml"), "file:/a.yaml");
        assert_eq!(
            shorten_location("file:/work/main/demo/catalog/components.yaml"),
            "file:…/catalog/components.yaml"
        );
        assert_eq!(
            shorten_location("url:https://github.com/acme/repo/blob/main/catalog-info.yaml"),
            "url:https://github.com/…/main/catalog-info.yaml"
        );
    }

    #[test]
    fn should_humanize_refs() {
        let r = EntityRef::parse("group:default/team-a", None, None).unwrap();
        assert_eq!(humanize(&r, Some("Group")), "team-a");
        assert_eq!(humanize(&r, None), "group:team-a");
        let r = EntityRef::parse("user:ops/jane", None, None).unwrap();
        assert_eq!(humanize(&r, Some("user")), "ops/jane");
        assert_eq!(entity_path(&r), "/catalog/ops/user/jane");
    }

    #[test]
    fn should_parse_refs_with_entity_defaults() {
        let r = parse_ref("team-a", Some("group"), "ops").unwrap();
        assert_eq!(r.to_string(), "group:ops/team-a");
        assert!(parse_ref("", Some("group"), "default").is_none());
    }

    #[test]
    fn should_label_kinds_and_relations() {
        assert_eq!(kind_label("api"), "API");
        assert_eq!(kind_label("component"), "Component");
        assert_eq!(relation_label("ownedBy"), "owned by");
        assert_eq!(relation_label("apiProvidedBy"), "API provided by");
        assert_eq!(relation_label("providesApi"), "provides API");
    }

    #[test]
    fn should_prefer_titles_for_display() {
        let mut e: Entity = serde_json::from_value(serde_json::json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "User",
            "metadata": {"name": "jdoe"}, "spec": {"profile": {"displayName": "Jane Doe"}}
        }))
        .unwrap();
        assert_eq!(display_name(&e), "Jane Doe");
        e.metadata.title = Some("J".into());
        assert_eq!(display_name(&e), "J");
    }
}
