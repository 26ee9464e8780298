//! OpenID Connect providers (authorization code + PKCE, nonce, state) with the
//! `openidconnect` crate. Discovery is lazy and cached, so the portal starts even when an
//! identity provider is down; the sign-in attempt then fails with a clear message.

use crate::config::OidcConfig;
use backend_plugin_api::signin::SignInProvidersExtensionPoint;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// What the callback learned about the person.
#[derive(Debug, Clone)]
pub struct OidcProfile {
    /// `email` claim.
    pub email: Option<String>,
    /// `name` claim.
    pub name: Option<String>,
    /// `picture` claim.
    pub picture: Option<String>,
    /// `sub` claim.
    pub subject: String,
}

/// Everything needed to finish a sign-in, kept in a short-lived cookie.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PendingLogin {
    /// CSRF state.
    pub state: String,
    /// Nonce.
    pub nonce: String,
    /// PKCE verifier.
    pub verifier: String,
    /// Where to go afterwards (same-origin path).
    pub redirect: String,
    /// `redirect` or `popup`.
    pub flow: String,
}

/// The configured OIDC providers, plus those other plugins contribute at run time through
/// [`SignInProvidersExtensionPoint`] (configured ids win).
#[derive(Default)]
pub struct OidcProviders {
    configs: RwLock<BTreeMap<String, OidcConfig>>,
    contributed: Option<Arc<SignInProvidersExtensionPoint>>,
    /// Discovery results by provider id, with the metadata URL they came from.
    metadata: RwLock<BTreeMap<String, (String, CoreProviderMetadata)>>,
    http: Option<reqwest_client::Client>,
    base_url: String,
}

mod reqwest_client {
    pub use openidconnect::reqwest::Client;
}

impl OidcProviders {
    /// Providers from config; `base_url` is the backend's public URL.
    pub fn new(configs: BTreeMap<String, OidcConfig>, base_url: String) -> Arc<Self> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .ok();
        Arc::new(Self {
            configs: RwLock::new(configs),
            contributed: None,
            metadata: RwLock::new(BTreeMap::new()),
            http,
            base_url,
        })
    }

    /// Like [`Self::new`], also offering the providers contributed through `contributed`.
    pub fn with_contributed(
        configs: BTreeMap<String, OidcConfig>,
        base_url: String,
        contributed: Arc<SignInProvidersExtensionPoint>,
    ) -> Arc<Self> {
        let mut me = Arc::into_inner(Self::new(configs, base_url)).unwrap_or_default();
        me.contributed = Some(contributed);
        Arc::new(me)
    }

    fn contributed(&self) -> Vec<(String, OidcConfig)> {
        let Some(ext) = &self.contributed else {
            return Vec::new();
        };
        ext.oidc_providers()
            .into_iter()
            .map(|p| {
                (
                    p.id,
                    OidcConfig {
                        title: p.title,
                        metadata_url: p.metadata_url,
                        client_id: p.client_id,
                        client_secret: p.client_secret,
                        scope: p.scope,
                        prompt: None,
                        sign_in: None,
                    },
                )
            })
            .collect()
    }

    /// Add or replace a provider at run time (e.g. from IdentityProvider resources).
    pub fn upsert(&self, id: &str, config: OidcConfig) {
        self.metadata
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
        self.configs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_string(), config);
    }

    /// `(id, config)` pairs: configured, then contributed.
    pub fn providers(&self) -> Vec<(String, OidcConfig)> {
        let mut out: Vec<(String, OidcConfig)> = self
            .configs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (id, c) in self.contributed() {
            if !out.iter().any(|(k, _)| *k == id) {
                out.push((id, c));
            }
        }
        out
    }

    /// The config of provider `id`.
    pub fn get(&self, id: &str) -> Option<OidcConfig> {
        let configured = self
            .configs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned();
        configured.or_else(|| {
            self.contributed()
                .into_iter()
                .find(|(k, _)| k == id)
                .map(|(_, c)| c)
        })
    }

    fn redirect_uri(&self, id: &str) -> String {
        format!(
            "{}/api/auth/{id}/handler/frame",
            self.base_url.trim_end_matches('/')
        )
    }

    async fn metadata(&self, id: &str, cfg: &OidcConfig) -> Result<CoreProviderMetadata, String> {
        if let Some((url, m)) = self
            .metadata
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
        {
            if *url == cfg.metadata_url {
                return Ok(m.clone());
            }
        }
        let http = self.http.as_ref().ok_or("HTTP client unavailable")?;
        let issuer = IssuerUrl::new(
            cfg.metadata_url
                .trim_end_matches("/.well-known/openid-configuration")
                .to_string(),
        )
        .map_err(|e| format!("invalid metadataUrl: {e}"))?;
        let meta = CoreProviderMetadata::discover_async(issuer, http)
            .await
            .map_err(|e| format!("discovery at {} failed: {e}", cfg.metadata_url))?;
        self.metadata
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_string(), (cfg.metadata_url.clone(), meta.clone()));
        Ok(meta)
    }

    /// The authorization URL to send the browser to, and the pending login.
    pub async fn start(
        &self,
        id: &str,
        redirect: String,
        flow: String,
    ) -> Result<(String, PendingLogin), String> {
        let cfg = self
            .get(id)
            .ok_or_else(|| format!("unknown provider `{id}`"))?;
        let meta = self.metadata(id, &cfg).await?;
        let client = CoreClient::from_provider_metadata(
            meta,
            ClientId::new(cfg.client_id.clone()),
            Some(ClientSecret::new(cfg.client_secret.clone())),
        )
        .set_redirect_uri(RedirectUrl::new(self.redirect_uri(id)).map_err(|e| e.to_string())?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for s in cfg
            .scope
            .as_deref()
            .unwrap_or("profile email")
            .split_whitespace()
        {
            if s != "openid" {
                req = req.add_scope(Scope::new(s.to_string()));
            }
        }
        if let Some(p) = &cfg.prompt {
            req = req.add_extra_param("prompt", p.clone());
        }
        let (url, state, nonce) = req.url();
        Ok((
            url.to_string(),
            PendingLogin {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                redirect,
                flow,
            },
        ))
    }

    /// Exchange the code and validate the ID token (signature, issuer, audience, nonce).
    pub async fn finish(
        &self,
        id: &str,
        code: &str,
        pending: &PendingLogin,
    ) -> Result<OidcProfile, String> {
        let cfg = self
            .get(id)
            .ok_or_else(|| format!("unknown provider `{id}`"))?;
        let meta = self.metadata(id, &cfg).await?;
        let http = self.http.as_ref().ok_or("HTTP client unavailable")?;
        let client = CoreClient::from_provider_metadata(
            meta,
            ClientId::new(cfg.client_id.clone()),
            Some(ClientSecret::new(cfg.client_secret.clone())),
        )
        .set_redirect_uri(RedirectUrl::new(self.redirect_uri(id)).map_err(|e| e.to_string())?);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| format!("provider has no token endpoint: {e}"))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(http)
            .await
            .map_err(|e| format!("code exchange failed: {e}"))?;
        let id_token = tokens
            .id_token()
            .ok_or("the provider returned no ID token")?;
        let claims = id_token
            .claims(
                &client.id_token_verifier(),
                &Nonce::new(pending.nonce.clone()),
            )
            .map_err(|e| format!("ID token rejected: {e}"))?;
        Ok(OidcProfile {
            email: claims.email().map(|e| e.as_str().to_string()),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string()),
            picture: claims
                .picture()
                .and_then(|p| p.get(None))
                .map(|p| p.as_str().to_string()),
            subject: claims.subject().as_str().to_string(),
        })
    }
}
