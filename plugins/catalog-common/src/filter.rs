//! The `filter=` query parameter (`parseEntityFilterParams.ts`): each `filter=` is a set
//! and sets are OR'ed; comma-separated conditions are AND'ed; `key` alone means "exists";
//! a key repeated within one set ORs its values. Keys and values match case-insensitively
//! (both are lowercased here).

use serde::{Deserialize, Serialize};

/// One condition: `key` exists (no values) or `key` equals any of `values`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterCondition {
    /// Lowercased dotted key, e.g. `spec.type`.
    pub key: String,
    /// Lowercased accepted values; `None` = the key exists.
    pub values: Option<Vec<String>>,
}

/// Conditions that must all hold.
pub type FilterSet = Vec<FilterCondition>;

/// Sets of which at least one must hold. An empty list means "no filter".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EntityFilter {
    /// The OR'ed sets.
    pub any_of: Vec<FilterSet>,
}

impl EntityFilter {
    /// Whether there is no filter at all.
    pub fn is_empty(&self) -> bool {
        self.any_of.is_empty()
    }
}

/// Parse one `filter=` value into a set of AND'ed conditions.
pub fn parse_filter_string(s: &str) -> Result<FilterSet, String> {
    let mut set: FilterSet = Vec::new();
    for raw in s.split(',') {
        let statement = raw.trim();
        if statement.is_empty() {
            return Err(format!(
                "Invalid filter, '{s}' contains an empty statement (expected a string on the form a=b or a= or a)"
            ));
        }
        let (key, value) = match statement.find('=') {
            Some(i) => (statement[..i].trim(), Some(statement[i + 1..].trim())),
            None => (statement, None),
        };
        if key.is_empty() {
            return Err(format!(
                "Invalid filter, '{statement}' is not a valid statement (expected a string on the form a=b or a= or a)"
            ));
        }
        let key = key.to_lowercase();
        let cond = match set.iter_mut().position(|c| c.key == key) {
            Some(i) => &mut set[i],
            None => {
                set.push(FilterCondition { key, values: None });
                set.last_mut().expect("just pushed")
            }
        };
        if let Some(v) = value {
            cond.values
                .get_or_insert_with(Vec::new)
                .push(v.to_lowercase());
        }
    }
    Ok(set)
}

/// Parse every `filter=` parameter.
pub fn parse_entity_filter<S: AsRef<str>>(params: &[S]) -> Result<EntityFilter, String> {
    let mut any_of = Vec::new();
    for p in params {
        any_of.push(parse_filter_string(p.as_ref())?);
    }
    Ok(EntityFilter { any_of })
}

/// Whether search rows (lowercase `(key, value)` pairs) satisfy `filter`.
pub fn matches_rows(filter: &EntityFilter, rows: &[(String, Option<String>)]) -> bool {
    if filter.is_empty() {
        return true;
    }
    filter.any_of.iter().any(|set| {
        set.iter().all(|c| {
            rows.iter().any(|(k, v)| {
                *k == c.key
                    && match &c.values {
                        None => true,
                        Some(vals) => v.as_ref().is_some_and(|v| vals.contains(v)),
                    }
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(key: &str, values: Option<&[&str]>) -> FilterCondition {
        FilterCondition {
            key: key.into(),
            values: values.map(|v| v.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn should_parse_sets_conditions_and_repeated_keys() {
        let f =
            parse_entity_filter(&["Kind=Component,spec.type=service,Kind=API", "metadata.tags"])
                .unwrap();
        assert_eq!(
            f.any_of,
            vec![
                vec![
                    cond("kind", Some(&["component", "api"])),
                    cond("spec.type", Some(&["service"]))
                ],
                vec![cond("metadata.tags", None)],
            ]
        );
        let f = parse_entity_filter(&["a= , b = X "]).unwrap();
        assert_eq!(
            f.any_of[0],
            vec![cond("a", Some(&[""])), cond("b", Some(&["x"]))]
        );
        let f = parse_entity_filter(&["relations.ownedBy=group:default/Team-A"]).unwrap();
        assert_eq!(
            f.any_of[0][0].values.as_ref().unwrap()[0],
            "group:default/team-a"
        );
    }

    #[test]
    fn should_reject_empty_statements() {
        assert!(parse_entity_filter(&[""]).is_err());
        assert!(parse_entity_filter(&["a=b,,c"]).is_err());
        assert!(parse_entity_filter(&["=x"])
            .unwrap_err()
            .contains("not a valid statement"));
        assert!(parse_entity_filter::<&str>(&[]).unwrap().is_empty());
    }

    #[test]
    fn should_match_rows() {
        let rows = vec![
            ("kind".to_string(), Some("component".to_string())),
            ("metadata.tags".to_string(), Some("java".to_string())),
        ];
        let f = parse_entity_filter(&["kind=api", "kind=component,metadata.tags"]).unwrap();
        assert!(matches_rows(&f, &rows));
        let f = parse_entity_filter(&["kind=component,spec.type"]).unwrap();
        assert!(!matches_rows(&f, &rows));
    }
}
