//! [`SignInProvidersExtensionPoint`]: sign-in providers contributed at run time by other
//! plugins (e.g. Butler `IdentityProvider` resources), read by the auth plugin on every
//! providers list and sign-in, so they take effect without a restart.
//!
//! Each contributing source replaces its whole set with [`set_source`]
//! (`SignInProvidersExtensionPoint::set_source`); providers configured in `auth.providers`
//! take precedence over contributed ones with the same id.
//!
//! [`set_source`]: SignInProvidersExtensionPoint::set_source

use std::collections::BTreeMap;
use std::sync::RwLock;

/// An OpenID Connect provider contributed at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcSignInProvider {
    /// Provider id (the `/api/auth/<id>/start` path segment).
    pub id: String,
    /// Button label.
    pub title: Option<String>,
    /// Discovery URL (`<issuer>/.well-known/openid-configuration`) or the issuer URL.
    pub metadata_url: String,
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
    /// Scopes beyond `openid`, space separated (`None`: `profile email`).
    pub scope: Option<String>,
}

/// Run-time sign-in providers by contributing source.
#[derive(Default)]
pub struct SignInProvidersExtensionPoint {
    sources: RwLock<BTreeMap<String, Vec<OidcSignInProvider>>>,
}

impl SignInProvidersExtensionPoint {
    /// Replace every provider contributed by `source` (e.g. `butler`).
    pub fn set_source(&self, source: &str, providers: Vec<OidcSignInProvider>) {
        self.sources
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(source.to_string(), providers);
    }

    /// Every contributed OIDC provider (first source wins on duplicate ids).
    pub fn oidc_providers(&self) -> Vec<OidcSignInProvider> {
        let sources = self.sources.read().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<OidcSignInProvider> = Vec::new();
        for p in sources.values().flatten() {
            if !out.iter().any(|q| q.id == p.id) {
                out.push(p.clone());
            }
        }
        out
    }

    /// The contributed provider `id`.
    pub fn oidc_provider(&self, id: &str) -> Option<OidcSignInProvider> {
        self.oidc_providers().into_iter().find(|p| p.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: &str) -> OidcSignInProvider {
        OidcSignInProvider {
            id: id.into(),
            title: None,
            metadata_url: "https://idp.example".into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            scope: None,
        }
    }

    #[test]
    fn should_replace_a_source_set() {
        let ext = SignInProvidersExtensionPoint::default();
        ext.set_source("butler", vec![p("a"), p("b")]);
        ext.set_source("butler", vec![p("b")]);
        assert!(ext.oidc_provider("a").is_none());
        assert_eq!(ext.oidc_providers().len(), 1);
    }
}
