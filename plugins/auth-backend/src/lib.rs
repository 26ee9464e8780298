//! The `auth` plugin: sign-in providers (guest, OpenID Connect), sessions and ES256
//! identity tokens (JWKS at `/api/auth/.well-known/jwks.json`), API tokens, and the audit
//! log. It installs the host's credential verifier, so every other plugin's routes are
//! protected by it (deny by default).
//!
//! Routes under `/api/auth`: `GET /providers`, `GET /{provider}/start`,
//! `GET /{provider}/handler/frame`, `GET /{provider}/refresh`, `POST /{provider}/logout`,
//! `GET /.well-known/jwks.json`, `GET /v1/userinfo`, `GET /me`, `GET|POST /tokens`,
//! `DELETE /tokens/{id}`, `GET /audit`.

pub mod config;
mod handlers;
pub mod keys;
pub mod oidc;
mod ratelimit;
mod resolver;
mod router;
pub mod service;
pub mod store;

use axum::http::Method;
use backend_plugin_api::auth::AuthExtensionPoint;
use backend_plugin_api::directory::UserDirectoryExtensionPoint;
use backend_plugin_api::{
    async_trait, BackendPlugin, Migrations, PermissionService, PluginContext, PluginError,
    Registrar,
};
use std::sync::{Arc, OnceLock};

/// State shared by the handlers.
#[derive(Clone)]
pub struct AuthState {
    service: Arc<service::AuthService>,
    oidc: Arc<oidc::OidcProviders>,
    permissions: Arc<PermissionService>,
}

/// The auth plugin.
#[derive(Default)]
pub struct AuthBackendPlugin {
    oidc: OnceLock<Arc<oidc::OidcProviders>>,
}

impl AuthBackendPlugin {
    /// The OIDC provider set (available after init), for run-time providers.
    pub fn oidc(&self) -> Option<Arc<oidc::OidcProviders>> {
        self.oidc.get().cloned()
    }
}

#[async_trait]
impl BackendPlugin for AuthBackendPlugin {
    fn id(&self) -> &'static str {
        "auth"
    }

    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    fn register(&self, reg: &mut Registrar) {
        for (method, path) in [
            (Method::GET, "/providers"),
            (Method::GET, "/{provider}/start"),
            (Method::GET, "/{provider}/handler/frame"),
            (Method::GET, "/{provider}/refresh"),
            (Method::POST, "/{provider}/logout"),
            (Method::GET, "/.well-known/jwks.json"),
        ] {
            reg.allow_anonymous(Some(method), path);
        }
    }

    fn migrations(&self) -> Option<Migrations> {
        Some(Migrations {
            sqlite: sqlx::migrate!("../../migrations/auth/sqlite"),
            postgres: sqlx::migrate!("../../migrations/auth/postgres"),
        })
    }

    async fn init(&self, ctx: PluginContext) -> Result<axum::Router, PluginError> {
        let cfg: config::AuthConfig = ctx.config()?;
        let base = ctx.host().base_url.trim_end_matches('/').to_string();
        let token_ttl = cfg
            .session
            .token_ttl_seconds
            .unwrap_or(3600)
            .clamp(60, 86_400);
        let rotation = cfg.session.key_rotation_hours.unwrap_or(24).max(1) * 3600;
        let keys = keys::KeyStore::new(
            ctx.database().clone(),
            format!("{base}/api/auth"),
            token_ttl,
            rotation,
        );
        keys.load().await?;
        let oidc = oidc::OidcProviders::with_contributed(
            cfg.providers.oidc.clone(),
            base.clone(),
            ctx.extension::<backend_plugin_api::signin::SignInProvidersExtensionPoint>(),
        );
        let _ = self.oidc.set(oidc.clone());
        let rate = cfg.rate_limit_per_minute.unwrap_or(60);
        let service = Arc::new(service::AuthService::new(
            cfg,
            store::Store::new(ctx.database().clone()),
            keys,
            ctx.extension::<UserDirectoryExtensionPoint>(),
            base.starts_with("https://"),
        ));
        service.sync_revocations().await;
        ctx.extension::<AuthExtensionPoint>()
            .set_verifier(service.clone());
        let sync = service.clone();
        let shutdown = ctx.shutdown();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tick.tick() => sync.sync_revocations().await,
                }
            }
        });
        let audit_store = service.store.clone();
        let permissions = ctx.extension::<PermissionService>();
        permissions.set_audit_sink(Arc::new(move |who: String, what: String| {
            let store = audit_store.clone();
            tokio::spawn(async move {
                store
                    .audit(
                        &who,
                        "permission.denied",
                        serde_json::json!({"permission": what}),
                    )
                    .await;
            });
        }));
        Ok(router::router(
            AuthState {
                service,
                oidc,
                permissions,
            },
            ratelimit::RateLimit::per_minute(rate),
        ))
    }
}
