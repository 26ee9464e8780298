//! The catalog index state: what the URL query holds and how it maps to Backstage's
//! `GET /entities/by-query` and `GET /entity-facets` parameters. Pure, unit tested.

use std::collections::BTreeMap;

/// Rows per page.
pub const PAGE_SIZE: u64 = 25;

/// The kinds offered by the kind selector, in display order.
pub const KINDS: &[&str] = &[
    "Component",
    "API",
    "System",
    "Domain",
    "Resource",
    "Group",
    "User",
    "Location",
    "Template",
];

/// The kind shown when the URL names none.
pub const DEFAULT_KIND: &str = "component";

/// One facet filter of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterDef {
    /// URL query key and `data-testid` suffix (`filter-<key>`).
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// The facet requested from `/entity-facets` (its values are shown as written).
    pub facet: &'static str,
    /// The key used in `filter=` (matching is case-insensitive).
    pub field: &'static str,
}

/// The facet filters, in display order.
pub const FILTERS: &[FilterDef] = &[
    FilterDef {
        key: "type",
        label: "Type",
        facet: "spec.type",
        field: "spec.type",
    },
    FilterDef {
        key: "owner",
        label: "Owner",
        facet: "relations.ownedBy",
        field: "relations.ownedby",
    },
    FilterDef {
        key: "lifecycle",
        label: "Lifecycle",
        facet: "spec.lifecycle",
        field: "spec.lifecycle",
    },
    FilterDef {
        key: "namespace",
        label: "Namespace",
        facet: "metadata.namespace",
        field: "metadata.namespace",
    },
    FilterDef {
        key: "tag",
        label: "Tag",
        facet: "metadata.tags",
        field: "metadata.tags",
    },
];

/// Fields fetched for the list (`fields=` projection).
pub const LIST_FIELDS: &str = "kind,metadata.name,metadata.namespace,metadata.title,metadata.description,metadata.tags,spec.type,spec.lifecycle,spec.owner,spec.profile.displayName";

/// A sortable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortField {
    /// `metadata.name`.
    #[default]
    Name,
    /// `spec.type`.
    Type,
    /// `spec.owner`.
    Owner,
    /// `spec.lifecycle`.
    Lifecycle,
}

impl SortField {
    /// Every column, in table order.
    pub const ALL: [SortField; 4] = [Self::Name, Self::Owner, Self::Type, Self::Lifecycle];

    /// URL value.
    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Type => "type",
            Self::Owner => "owner",
            Self::Lifecycle => "lifecycle",
        }
    }

    /// Column heading.
    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::Type => "Type",
            Self::Owner => "Owner",
            Self::Lifecycle => "Lifecycle",
        }
    }

    /// The `orderField` path.
    pub fn field(self) -> &'static str {
        match self {
            Self::Name => "metadata.name",
            Self::Type => "spec.type",
            Self::Owner => "spec.owner",
            Self::Lifecycle => "spec.lifecycle",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == s)
    }
}

/// Everything the index shows, as held in the URL query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatalogQuery {
    /// Lowercase kind (`component`); empty means [`DEFAULT_KIND`].
    pub kind: String,
    /// Facet filters by [`FilterDef::key`]; values as shown by the facet.
    pub filters: BTreeMap<String, String>,
    /// Full-text search term.
    pub text: String,
    /// Sort column.
    pub sort: SortField,
    /// Descending order.
    pub desc: bool,
    /// Opaque cursor of the current page (none = first page).
    pub cursor: Option<String>,
    /// Index of the first row of the current page (display only).
    pub start: u64,
}

impl CatalogQuery {
    /// Read the state from URL query parameters (`get(key)` returns the decoded value).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let kind = non_empty("kind")
            .map(|k| k.to_ascii_lowercase())
            .unwrap_or_else(|| DEFAULT_KIND.to_string());
        let filters = FILTERS
            .iter()
            .filter_map(|f| non_empty(f.key).map(|v| (f.key.to_string(), v)))
            .collect();
        Self {
            kind,
            filters,
            text: get("q").unwrap_or_default(),
            sort: non_empty("sort")
                .and_then(|s| SortField::parse(&s))
                .unwrap_or_default(),
            desc: non_empty("dir").as_deref() == Some("desc"),
            cursor: non_empty("cursor"),
            start: non_empty("start").and_then(|s| s.parse().ok()).unwrap_or(0),
        }
    }

    /// The kind, defaulted.
    pub fn kind(&self) -> &str {
        if self.kind.is_empty() {
            DEFAULT_KIND
        } else {
            &self.kind
        }
    }

    /// The URL search string (`?kind=component&type=service…`), stable order, default
    /// values left out.
    pub fn to_search(&self) -> String {
        let mut parts: Vec<(&str, String)> = vec![("kind", self.kind().to_string())];
        for f in FILTERS {
            if let Some(v) = self.filters.get(f.key) {
                parts.push((f.key, v.clone()));
            }
        }
        if !self.text.trim().is_empty() {
            parts.push(("q", self.text.trim().to_string()));
        }
        if self.sort != SortField::Name {
            parts.push(("sort", self.sort.key().to_string()));
        }
        if self.desc {
            parts.push(("dir", "desc".into()));
        }
        if let Some(c) = &self.cursor {
            parts.push(("cursor", c.clone()));
            parts.push(("start", self.start.to_string()));
        }
        format!("?{}", join_params(&parts))
    }

    /// The conditions of the `filter=` parameter (`kind=component,spec.type=service`).
    pub fn api_filter(&self) -> String {
        let mut conds = vec![format!("kind={}", self.kind())];
        for f in FILTERS {
            if let Some(v) = self.filters.get(f.key) {
                conds.push(format!("{}={}", f.field, v));
            }
        }
        conds.join(",")
    }

    /// The path of the `GET /entities/by-query` request for this page.
    pub fn entities_path(&self) -> String {
        let mut parts: Vec<(&str, String)> = vec![];
        if let Some(c) = &self.cursor {
            // With a cursor the server ignores filter, order and search (they are encoded
            // in the cursor), as Backstage's catalog-client does.
            parts.push(("cursor", c.clone()));
        } else {
            parts.push(("filter", self.api_filter()));
            let dir = if self.desc { "desc" } else { "asc" };
            parts.push(("orderField", format!("{},{dir}", self.sort.field())));
            if !self.text.trim().is_empty() {
                parts.push(("fullTextFilterTerm", self.text.trim().to_string()));
            }
        }
        parts.push(("limit", PAGE_SIZE.to_string()));
        parts.push(("fields", LIST_FIELDS.to_string()));
        format!("/api/catalog/entities/by-query?{}", join_params(&parts))
    }

    /// The path of the `GET /entity-facets` request for the filter dropdowns: every
    /// facet, counted within the selected kind.
    pub fn facets_path(&self) -> String {
        let mut parts: Vec<(&str, String)> = FILTERS
            .iter()
            .map(|f| ("facet", f.facet.to_string()))
            .collect();
        parts.push(("filter", format!("kind={}", self.kind())));
        format!("/api/catalog/entity-facets?{}", join_params(&parts))
    }

    /// The same query on another kind (filters that belong to a kind are reset).
    pub fn with_kind(&self, kind: &str) -> Self {
        Self {
            kind: kind.to_ascii_lowercase(),
            filters: BTreeMap::new(),
            text: self.text.clone(),
            ..Self::default()
        }
    }

    /// Set (or clear, with an empty value) filter `key`; back to the first page.
    pub fn with_filter(&self, key: &str, value: &str) -> Self {
        let mut q = self.first_page();
        if value.is_empty() {
            q.filters.remove(key);
        } else {
            q.filters.insert(key.to_string(), value.to_string());
        }
        q
    }

    /// Set the search term; back to the first page.
    pub fn with_text(&self, text: &str) -> Self {
        let mut q = self.first_page();
        q.text = text.to_string();
        q
    }

    /// Sort by `field`; clicking the current column flips the direction.
    pub fn with_sort(&self, field: SortField) -> Self {
        let mut q = self.first_page();
        if q.sort == field {
            q.desc = !q.desc;
        } else {
            q.sort = field;
            q.desc = false;
        }
        q
    }

    /// The next page, given the response's `nextCursor`.
    pub fn next_page(&self, cursor: &str) -> Self {
        Self {
            cursor: Some(cursor.to_string()),
            start: self.start + PAGE_SIZE,
            ..self.clone()
        }
    }

    /// The previous page, given the response's `prevCursor`.
    pub fn prev_page(&self, cursor: &str) -> Self {
        let start = self.start.saturating_sub(PAGE_SIZE);
        Self {
            cursor: (start > 0).then(|| cursor.to_string()),
            start,
            ..self.clone()
        }
    }

    /// Same query, first page.
    pub fn first_page(&self) -> Self {
        Self {
            cursor: None,
            start: 0,
            ..self.clone()
        }
    }

    /// Whether any facet filter or search term narrows the list.
    pub fn is_narrowed(&self) -> bool {
        !self.filters.is_empty() || !self.text.trim().is_empty()
    }
}

/// "1–25 of 1234" for a page of `count` rows starting at `start`.
pub fn range_label(start: u64, count: u64, total: u64) -> String {
    if count == 0 {
        return format!("0 of {total}");
    }
    format!(
        "{}–{} of {}",
        start + 1,
        start + count,
        total.max(start + count)
    )
}

/// The path of the `GET /entity-facets?facet=kind` request for the kind counts.
pub fn kind_facets_path() -> &'static str {
    "/api/catalog/entity-facets?facet=kind"
}

/// `a=1&b=2`, values percent-encoded.
pub fn join_params(parts: &[(&str, String)]) -> String {
    parts
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encode like JavaScript's `encodeURIComponent`.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(search: &str) -> CatalogQuery {
        let pairs: Vec<(String, String)> = search
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), decode(v))
            })
            .collect();
        CatalogQuery::from_params(|k| pairs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone()))
    }

    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn should_default_to_components_sorted_by_name() {
        let q = parse("");
        assert_eq!(q.kind(), "component");
        assert_eq!(q.to_search(), "?kind=component");
        assert_eq!(
            q.entities_path(),
            format!(
                "/api/catalog/entities/by-query?filter=kind%3Dcomponent&orderField=metadata.name%2Casc&limit=25&fields={}",
                encode(LIST_FIELDS)
            )
        );
    }

    #[test]
    fn should_round_trip_through_the_url() {
        let q = CatalogQuery::default()
            .with_kind("API")
            .with_filter("owner", "group:default/team-a")
            .with_filter("tag", "java")
            .with_text(" pay ")
            .with_sort(SortField::Owner)
            .with_sort(SortField::Owner);
        assert_eq!(q.kind, "api");
        assert!(q.desc);
        let s = q.to_search();
        assert_eq!(
            s,
            "?kind=api&owner=group%3Adefault%2Fteam-a&tag=java&q=pay&sort=owner&dir=desc"
        );
        let back = parse(&s);
        assert_eq!(back.filters, q.filters);
        assert_eq!((back.sort, back.desc), (SortField::Owner, true));
        assert_eq!(back.text, "pay");
    }

    #[test]
    fn should_build_filter_order_and_search_parameters() {
        let q = parse("?kind=Component&type=service&owner=group:default/team-a&lifecycle=production&namespace=default&tag=java&q=auth&sort=lifecycle");
        assert_eq!(
            q.api_filter(),
            "kind=component,spec.type=service,relations.ownedby=group:default/team-a,spec.lifecycle=production,metadata.namespace=default,metadata.tags=java"
        );
        let p = q.entities_path();
        assert!(p.contains("orderField=spec.lifecycle%2Casc"), "{p}");
        assert!(p.contains("fullTextFilterTerm=auth"), "{p}");
        assert_eq!(
            q.facets_path(),
            "/api/catalog/entity-facets?facet=spec.type&facet=relations.ownedBy&facet=spec.lifecycle&facet=metadata.namespace&facet=metadata.tags&filter=kind%3Dcomponent"
        );
    }

    #[test]
    fn should_page_with_cursors_only() {
        let q = parse("?kind=component&type=service");
        let next = q.next_page("abc=");
        assert_eq!(next.start, 25);
        let p = next.entities_path();
        assert!(
            p.starts_with("/api/catalog/entities/by-query?cursor=abc%3D&limit=25"),
            "{p}"
        );
        assert!(!p.contains("filter="), "{p}");
        let back = parse(&next.to_search());
        assert_eq!(back.cursor.as_deref(), Some("abc="));
        assert_eq!(back.start, 25);
        // back to the first page drops the cursor
        let prev = back.prev_page("xyz");
        assert_eq!((prev.cursor, prev.start), (None, 0));
        // changing a filter resets paging
        let f = back.with_filter("type", "");
        assert_eq!((f.cursor.clone(), f.start), (None, 0));
        assert!(f.filters.is_empty());
        assert!(!f.is_narrowed());
    }

    #[test]
    fn should_label_ranges() {
        assert_eq!(range_label(0, 25, 1234), "1–25 of 1234");
        assert_eq!(range_label(25, 3, 28), "26–28 of 28");
        assert_eq!(range_label(0, 0, 0), "0 of 0");
    }

    #[test]
    fn should_encode_like_encode_uri_component() {
        assert_eq!(encode("a b/c:d,e=f&g"), "a%20b%2Fc%3Ad%2Ce%3Df%26g");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode("A-z_0.~*'()!"), "A-z_0.~*'()!");
    }
}
