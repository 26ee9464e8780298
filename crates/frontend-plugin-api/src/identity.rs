//! The signed-in user, as the shell knows it: provided once by the shell, read by
//! plugins with [`use_identity`] (e.g. to show "owned by me" filters).

use leptos::prelude::*;

/// Who is signed in (from the auth refresh response).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignedInUser {
    /// Sign-in provider id (`guest`, `oidc`, …).
    pub provider: String,
    /// The user's entity ref, e.g. `user:default/alice`.
    pub user_entity_ref: String,
    /// The user's ref plus the groups they belong to.
    pub ownership_entity_refs: Vec<String>,
    /// Display name from the identity provider, when known.
    pub display_name: Option<String>,
    /// Email, when known.
    pub email: Option<String>,
    /// Avatar URL, when known.
    pub picture: Option<String>,
}

impl SignedInUser {
    /// The display name, else the name part of the entity ref.
    pub fn label(&self) -> String {
        match &self.display_name {
            Some(n) if !n.trim().is_empty() => n.trim().to_string(),
            _ => self
                .user_entity_ref
                .rsplit(['/', ':'])
                .next()
                .unwrap_or_default()
                .to_string(),
        }
    }

    /// Up to two initials of [`Self::label`] for an avatar: first and last word
    /// (`Alice Admin` → `AA`), one letter for one word (`guest` → `G`); words not starting
    /// with a letter or digit (`(E2E)`) are skipped.
    pub fn initials(&self) -> String {
        let label = self.label();
        let firsts: Vec<char> = label
            .split(|c: char| c.is_whitespace() || c == '-' || c == '.' || c == '_')
            .filter_map(|w| w.chars().next())
            .filter(|c| c.is_alphanumeric())
            .collect();
        let initials: String = match firsts.as_slice() {
            [] => "?".into(),
            [one] => one.to_string(),
            [first, .., last] => [*first, *last].iter().collect(),
        };
        initials.to_uppercase()
    }
}

/// The identity signal the shell provides.
#[derive(Clone, Copy)]
struct IdentityContext(Signal<Option<SignedInUser>>);

/// Provide the signed-in user (called by the shell).
pub fn provide_identity(user: Signal<Option<SignedInUser>>) {
    provide_context(IdentityContext(user));
}

/// The signed-in user (`None` outside the shell or while signed out).
pub fn use_identity() -> Signal<Option<SignedInUser>> {
    use_context::<IdentityContext>()
        .map(|c| c.0)
        .unwrap_or_else(|| Signal::stored(None))
}

#[cfg(test)]
mod tests {
    use super::SignedInUser;

    fn user(name: Option<&str>, r: &str) -> SignedInUser {
        SignedInUser {
            user_entity_ref: r.into(),
            display_name: name.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn should_label_and_abbreviate_users() {
        let a = user(Some("Alice Admin"), "user:default/alice");
        assert_eq!(
            (a.label().as_str(), a.initials().as_str()),
            ("Alice Admin", "AA")
        );
        let g = user(None, "user:development/guest");
        assert_eq!((g.label().as_str(), g.initials().as_str()), ("guest", "G"));
        let e = user(Some("Alice (E2E)"), "user:default/alice");
        assert_eq!(e.initials(), "A");
        let m = user(Some("Mary Ann van Dyke"), "user:default/m");
        assert_eq!(m.initials(), "MD");
        assert_eq!(user(Some("  "), "").initials(), "?");
    }
}
