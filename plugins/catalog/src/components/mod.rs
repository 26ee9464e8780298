//! Reusable pieces of the catalog UI.

pub mod entity_ref_link;
pub mod related_table;
pub mod relations_graph;

use serde_json::Value;

/// A string at a dotted path of a JSON value.
pub fn str_at<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    let mut cur = v;
    for p in path.split('.') {
        cur = cur.get(p)?;
    }
    cur.as_str().filter(|s| !s.is_empty())
}

/// The string items of an array at a dotted path.
pub fn strs_at(v: &Value, path: &str) -> Vec<String> {
    let mut cur = v;
    for p in path.split('.') {
        match cur.get(p) {
            Some(x) => cur = x,
            None => return vec![],
        }
    }
    cur.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Badge tone of a lifecycle value.
pub fn lifecycle_tone(lifecycle: &str) -> portal_ui::Tone {
    use portal_ui::Tone;
    match lifecycle.to_ascii_lowercase().as_str() {
        "production" | "stable" => Tone::Success,
        "experimental" | "beta" => Tone::Warning,
        "deprecated" | "retired" => Tone::Danger,
        _ => Tone::Neutral,
    }
}
