//! Pure helpers of the auth pages (unit tested natively): time formatting, token status,
//! entity links, scope and expiry choices, form validation.

use chrono::{DateTime, Utc};
use portal_types::EntityRef;

use crate::api::ApiToken;

/// Scopes offered as checkboxes in the create dialog: `(scope, label, hint)`.
pub const SCOPE_OPTIONS: &[(&str, &str, &str)] = &[
    (
        "*:read",
        "Read everything",
        "Read access to every plugin's API",
    ),
    (
        "catalog:read",
        "Catalog: read",
        "List and read catalog entities",
    ),
    (
        "catalog:write",
        "Catalog: write",
        "Register, refresh and delete entities",
    ),
    (
        "*:write",
        "Write everything",
        "Write access to every plugin's API",
    ),
    ("*", "Full access", "Everything you can do yourself"),
];

/// Expiry choices: `(days, label)`, `None` = never.
pub const EXPIRY_OPTIONS: &[(Option<i64>, &str)] = &[
    (Some(7), "7 days"),
    (Some(30), "30 days"),
    (Some(90), "90 days"),
    (Some(365), "1 year"),
    (None, "Never"),
];

/// Parse an RFC 3339 timestamp.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// `2026-11-25 16:15 UTC`, or the input unchanged when it does not parse.
pub fn format_time(s: &str) -> String {
    parse_time(s)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| s.to_string())
}

/// `2026-11-25`, or the input unchanged when it does not parse.
pub fn format_date(s: &str) -> String {
    parse_time(s)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| s.to_string())
}

/// An optional date, `never_label` when absent.
pub fn format_opt_date(s: &Option<String>, never_label: &str) -> String {
    s.as_deref()
        .map(format_date)
        .unwrap_or_else(|| never_label.to_string())
}

/// An optional time, `never_label` when absent.
pub fn format_opt_time(s: &Option<String>, never_label: &str) -> String {
    s.as_deref()
        .map(format_time)
        .unwrap_or_else(|| never_label.to_string())
}

/// Lifecycle of an API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    /// Usable.
    Active,
    /// Past its expiry.
    Expired,
    /// Revoked by the user.
    Revoked,
}

impl TokenStatus {
    /// Lowercase word (also the status chip text).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Expired => "expired",
            TokenStatus::Revoked => "revoked",
        }
    }
}

/// The status of `token` at `now_ms` (milliseconds since the epoch).
pub fn token_status(token: &ApiToken, now_ms: i64) -> TokenStatus {
    if token.revoked_at.is_some() {
        return TokenStatus::Revoked;
    }
    match token.expires_at.as_deref().and_then(parse_time) {
        Some(exp) if exp.timestamp_millis() <= now_ms => TokenStatus::Expired,
        _ => TokenStatus::Active,
    }
}

/// The catalog page of an entity ref: `group:default/payments` →
/// (`/catalog/default/group/payments`, `group:default/payments`). `None` when the ref
/// does not parse.
pub fn entity_link(entity_ref: &str) -> Option<(String, String)> {
    let r = EntityRef::parse(entity_ref, None, None).ok()?;
    Some((
        format!("/catalog/{}/{}/{}", r.namespace, r.kind, r.name),
        format!("{}:{}/{}", r.kind, r.namespace, r.name),
    ))
}

/// Validate the create dialog: a trimmed name of 1–100 characters and at least one scope.
pub fn validate_new_token(name: &str, scopes: &[String]) -> Result<(), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the token a name, e.g. \"CI pipeline\".".into());
    }
    if name.chars().count() > 100 {
        return Err("The name must be at most 100 characters.".into());
    }
    if scopes.is_empty() {
        return Err("Pick at least one scope.".into());
    }
    Ok(())
}

/// The label of a team role.
pub fn role_label(role: &str) -> &'static str {
    match role {
        "admin" => "Admin",
        "operator" => "Operator",
        _ => "Viewer",
    }
}

/// `auth.token.create` → `Token created`; unknown events unchanged.
pub fn event_label(event: &str) -> String {
    match event {
        "auth.sign_in" => "Signed in".into(),
        "auth.sign_out" => "Signed out".into(),
        "auth.token.create" => "API token created".into(),
        "auth.token.revoke" => "API token revoked".into(),
        "permission.denied" => "Permission denied".into(),
        other => other.to_string(),
    }
}

/// Details of an audit entry as `key=value` pairs.
pub fn details_text(details: &serde_json::Value) -> String {
    match details {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join("  "),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(expires: Option<&str>, revoked: Option<&str>) -> ApiToken {
        ApiToken {
            id: "1".into(),
            name: "ci".into(),
            prefix: "bpt_x".into(),
            scopes: vec![],
            created_at: "2026-11-25T10:00:00+00:00".into(),
            expires_at: expires.map(str::to_string),
            last_used_at: None,
            revoked_at: revoked.map(str::to_string),
        }
    }

    #[test]
    fn should_format_times() {
        assert_eq!(
            format_time("2026-11-25T16:15:09+00:00"),
            "2026-11-25 16:15 UTC"
        );
        assert_eq!(
            format_time("2026-11-25T18:15:09+02:00"),
            "2026-11-25 16:15 UTC"
        );
        assert_eq!(format_time("garbage"), "garbage");
        assert_eq!(format_opt_time(&None, "Never"), "Never");
        assert_eq!(format_date("2026-11-25T23:15:09-02:00"), "2026-11-26");
        assert_eq!(
            format_opt_date(&Some("2026-11-25T16:15:09Z".into()), "Never"),
            "2026-11-25"
        );
    }

    #[test]
    fn should_derive_token_status() {
        let now = parse_time("2026-11-25T12:00:00Z")
            .unwrap()
            .timestamp_millis();
        assert_eq!(token_status(&token(None, None), now), TokenStatus::Active);
        assert_eq!(
            token_status(&token(Some("2026-12-01T00:00:00Z"), None), now),
            TokenStatus::Active
        );
        assert_eq!(
            token_status(&token(Some("2026-11-25T11:59:59Z"), None), now),
            TokenStatus::Expired
        );
        assert_eq!(
            token_status(&token(Some("2026-11-25T11:59:59Z"), Some("x")), now),
            TokenStatus::Revoked
        );
        assert_eq!(TokenStatus::Revoked.as_str(), "revoked");
    }

    #[test]
    fn should_link_entity_refs_to_catalog_pages() {
        assert_eq!(
            entity_link("group:default/Payments"),
            Some((
                "/catalog/default/group/payments".into(),
                "group:default/payments".into()
            ))
        );
        assert_eq!(
            entity_link("user:development/guest").unwrap().0,
            "/catalog/development/user/guest"
        );
        assert_eq!(entity_link("no-kind"), None);
    }

    #[test]
    fn should_validate_the_create_form() {
        let scopes = vec!["*:read".to_string()];
        assert!(validate_new_token(" ci ", &scopes).is_ok());
        assert!(validate_new_token("  ", &scopes).is_err());
        assert!(validate_new_token(&"x".repeat(101), &scopes).is_err());
        assert!(validate_new_token("ci", &[]).is_err());
    }

    #[test]
    fn should_label_roles_events_and_details() {
        assert_eq!(role_label("operator"), "Operator");
        assert_eq!(role_label("viewer"), "Viewer");
        assert_eq!(event_label("auth.token.create"), "API token created");
        assert_eq!(event_label("custom"), "custom");
        assert_eq!(
            details_text(&serde_json::json!({"provider": "guest", "n": 2})),
            "n=2  provider=guest"
        );
        assert_eq!(details_text(&serde_json::Value::Null), "");
    }
}
