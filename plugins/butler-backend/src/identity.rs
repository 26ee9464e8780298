//! IdentityProvider resources → OIDC sign-in providers, without a restart.
//!
//! Whenever the IdentityProvider cache changes (and every 60 s, to pick up rotated
//! secrets), every `type: oidc` provider is turned into an
//! [`OidcSignInProvider`] with id = the resource name, title = `displayName`, issuer,
//! client id, scopes (without `openid`) and the client secret read from the referenced Secret
//! (`clientSecretRef`: namespace default `butler-system`, key default `client-secret`). The set
//! replaces the `butler` source of the [`SignInProvidersExtensionPoint`], which the auth plugin
//! consults on every providers list and sign-in. A provider whose secret cannot be read is left
//! out with a logged reason.

use crate::cache::Caches;
use backend_plugin_api::signin::{OidcSignInProvider, SignInProvidersExtensionPoint};
use k8s_openapi::api::core::v1::Secret;
use kube::{Api, ResourceExt};
use plugin_butler_common::IdentityProviderType;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Namespace of a `clientSecretRef` without one.
pub const DEFAULT_SECRET_NAMESPACE: &str = "butler-system";
/// Key of a `clientSecretRef` without one.
pub const DEFAULT_SECRET_KEY: &str = "client-secret";

/// Compute the providers once.
pub async fn providers(caches: &Caches, client: &kube::Client) -> Vec<OidcSignInProvider> {
    let mut out = Vec::new();
    for idp in caches.identity_providers.all() {
        let name = idp.name_any();
        if idp.spec.type_ != IdentityProviderType::Oidc {
            continue;
        }
        let Some(oidc) = &idp.spec.oidc else {
            tracing::warn!(identity_provider = %name, "IdentityProvider has no oidc section; skipped");
            continue;
        };
        let r = &oidc.client_secret_ref;
        let ns = r.namespace.as_deref().unwrap_or(DEFAULT_SECRET_NAMESPACE);
        let key = r.key.as_deref().unwrap_or(DEFAULT_SECRET_KEY);
        let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
        let secret = match secrets.get(&r.name).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(identity_provider = %name, secret = %format!("{ns}/{}", r.name), error = %crate::connection::describe(e), "cannot read the client secret; provider skipped");
                continue;
            }
        };
        let value = secret
            .data
            .as_ref()
            .and_then(|d| d.get(key))
            .map(|b| String::from_utf8_lossy(&b.0).trim().to_string())
            .or_else(|| {
                secret
                    .string_data
                    .as_ref()
                    .and_then(|d| d.get(key))
                    .cloned()
            });
        let Some(client_secret) = value.filter(|v| !v.is_empty()) else {
            tracing::warn!(identity_provider = %name, secret = %format!("{ns}/{}", r.name), key, "the secret has no such key; provider skipped");
            continue;
        };
        let scopes: Vec<&str> = oidc
            .scopes
            .iter()
            .map(String::as_str)
            .filter(|s| *s != "openid")
            .collect();
        out.push(OidcSignInProvider {
            id: name.clone(),
            title: idp.spec.display_name.clone(),
            metadata_url: oidc.issuer_url.clone(),
            client_id: oidc.client_id.clone(),
            client_secret,
            scope: (!scopes.is_empty()).then(|| scopes.join(" ")),
        });
    }
    out
}

/// Keep the `butler` source of `ext` in sync until `shutdown`.
pub fn spawn_sync(
    caches: Arc<Caches>,
    client: kube::Client,
    ext: Arc<SignInProvidersExtensionPoint>,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        let mut changes = caches.subscribe();
        let mut last: Option<Vec<OidcSignInProvider>> = None;
        let mut last_key: Option<Vec<(String, Option<String>)>> = None;
        let mut last_fetch = std::time::Instant::now();
        loop {
            let key: Vec<(String, Option<String>)> = caches
                .identity_providers
                .all()
                .iter()
                .map(|i| (i.name_any(), i.resource_version()))
                .collect();
            let stale = last_fetch.elapsed() >= Duration::from_secs(60);
            if caches.identity_providers.is_ready() && (last_key.as_ref() != Some(&key) || stale) {
                last_key = Some(key);
                last_fetch = std::time::Instant::now();
                let now = providers(&caches, &client).await;
                if last.as_ref() != Some(&now) {
                    tracing::info!(
                        providers = ?now.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
                        "sign-in providers from IdentityProvider resources"
                    );
                    ext.set_source("butler", now.clone());
                    last = Some(now);
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                r = changes.changed() => if r.is_err() { return },
                _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            changes.borrow_and_update();
        }
    });
}
