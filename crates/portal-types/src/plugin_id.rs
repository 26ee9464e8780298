//! Plugin id syntax, shared by both hosts.

/// The pattern plugin ids must match (Backstage's rule).
pub const PLUGIN_ID_PATTERN: &str = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$";

/// Whether `id` matches [`PLUGIN_ID_PATTERN`]. Hand-rolled so the wasm bundle
/// does not need a regex engine.
pub fn is_valid_plugin_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    if bytes.is_empty() || !bytes[0].is_ascii_lowercase() {
        return false;
    }
    let mut prev_dash = false;
    for &b in &bytes[1..] {
        match b {
            b'a'..=b'z' | b'0'..=b'9' => prev_dash = false,
            b'-' if !prev_dash => prev_dash = true,
            _ => return false,
        }
    }
    !prev_dash
}

#[cfg(test)]
mod tests {
    use super::is_valid_plugin_id;

    #[test]
    fn should_accept_backstage_style_ids() {
        for id in ["catalog", "auth-backend", "a", "k8s", "a1-b2-c3"] {
            assert!(is_valid_plugin_id(id), "{id}");
        }
    }

    #[test]
    fn should_reject_bad_ids() {
        for id in ["", "Catalog", "1abc", "-a", "a-", "a--b", "a_b", "a b", "ä"] {
            assert!(!is_valid_plugin_id(id), "{id}");
        }
    }
}
