//! The auth service: sign-in resolution, sessions, token issuing and verification.

use crate::config::AuthConfig;
use crate::keys::{KeyStore, TokenError};
use crate::store::{now, Store};
use backend_plugin_api::auth::{AuthFailure, CredentialVerifier, Identity, Principal};
use backend_plugin_api::directory::{DirectoryUser, UserDirectoryExtensionPoint};
use serde_json::json;
use std::collections::HashSet;
use std::sync::{Arc, RwLock};

/// Shared state of the auth plugin.
pub struct AuthService {
    /// Configuration.
    pub config: AuthConfig,
    /// Storage.
    pub store: Store,
    /// Signing keys.
    pub keys: KeyStore,
    /// Catalog users.
    pub directory: Arc<UserDirectoryExtensionPoint>,
    /// Whether the backend is served over https (Secure cookies).
    pub secure_cookies: bool,
    /// Session lifetime in seconds.
    pub session_ttl: i64,
    revoked: RwLock<HashSet<String>>,
}

/// The result of a sign-in or refresh, in Backstage's shape.
pub fn identity_response(
    profile: &serde_json::Value,
    token: &str,
    ttl: i64,
    user_ref: &str,
    ownership: &[String],
) -> serde_json::Value {
    json!({
        "profile": profile,
        "providerInfo": {},
        "backstageIdentity": {
            "token": token,
            "expiresInSeconds": ttl,
            "identity": {
                "type": "user",
                "userEntityRef": user_ref,
                "ownershipEntityRefs": ownership,
            }
        }
    })
}

impl AuthService {
    /// Build the service.
    pub fn new(
        config: AuthConfig,
        store: Store,
        keys: KeyStore,
        directory: Arc<UserDirectoryExtensionPoint>,
        secure_cookies: bool,
    ) -> Self {
        let session_ttl = config.session.session_ttl_hours.unwrap_or(24 * 7).max(1) * 3600;
        Self {
            config,
            store,
            keys,
            directory,
            secure_cookies,
            session_ttl,
            revoked: RwLock::new(HashSet::new()),
        }
    }

    /// The guest user ref, or `None` when guest sign-in is not allowed.
    pub fn guest_ref(&self) -> Option<String> {
        let guest = match &self.config.providers.guest {
            Some(g) => g.clone(),
            None if !self.config.is_production() => Default::default(),
            None => return None,
        };
        if self.config.is_production() && !guest.dangerously_allow_outside_development {
            return None;
        }
        Some(
            guest
                .user_entity_ref
                .unwrap_or_else(|| "user:development/guest".into())
                .to_ascii_lowercase(),
        )
    }

    /// Ownership refs: the user plus its catalog groups (when the catalog knows it).
    pub async fn ownership_of(&self, user_ref: &str) -> (Vec<String>, Option<DirectoryUser>) {
        let mut refs = vec![user_ref.to_string()];
        let found = match self.directory.get() {
            Some(dir) => dir.find_by_ref(user_ref).await,
            None => None,
        };
        if let Some(u) = &found {
            for g in &u.member_of {
                let g = g.to_ascii_lowercase();
                if !refs.contains(&g) {
                    refs.push(g);
                }
            }
        }
        (refs, found)
    }

    /// Start a session and issue a token. Returns `(response body, refresh secret)`.
    pub async fn sign_in(
        &self,
        provider: &str,
        user_ref: &str,
        profile: serde_json::Value,
    ) -> Result<(serde_json::Value, String), TokenError> {
        let (ownership, _) = self.ownership_of(user_ref).await;
        let (sid, secret) = self
            .store
            .create_session(provider, user_ref, &ownership, &profile, self.session_ttl)
            .await?;
        let token = self.keys.issue(user_ref, &ownership, &sid).await?;
        self.store
            .audit(
                user_ref,
                "auth.sign_in",
                json!({"provider": provider, "session": sid}),
            )
            .await;
        Ok((
            identity_response(
                &profile,
                &token,
                self.keys.token_ttl(),
                user_ref,
                &ownership,
            ),
            secret,
        ))
    }

    /// Mark a session revoked for the verifier.
    pub fn forget_session(&self, sid: &str) {
        self.revoked
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(sid.to_string());
    }

    /// Reload recently revoked sessions (other replicas' sign-outs).
    pub async fn sync_revocations(&self) {
        if let Ok(ids) = self
            .store
            .recently_revoked(self.keys.token_ttl() + 60)
            .await
        {
            let mut set = self.revoked.write().unwrap_or_else(|e| e.into_inner());
            set.extend(ids);
        }
    }

    fn is_revoked(&self, sid: &str) -> bool {
        self.revoked
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(sid)
    }
}

#[backend_plugin_api::async_trait]
impl CredentialVerifier for AuthService {
    async fn verify(&self, bearer: &str) -> Result<Identity, AuthFailure> {
        if bearer.starts_with("bpt_") {
            let found = self
                .store
                .token_by_secret(bearer)
                .await
                .map_err(|e| AuthFailure(format!("token lookup failed: {e}")))?
                .ok_or_else(|| AuthFailure("unknown, expired or revoked API token".into()))?;
            if found.last_used_at.is_none_or(|t| now() - t > 60) {
                let _ = self.store.touch_token(&found.id).await;
            }
            return Ok(Identity {
                user_entity_ref: found.user_ref,
                ownership_entity_refs: found.ownership,
                principal: Principal::ApiToken {
                    id: found.id,
                    name: found.name,
                    scopes: found.scopes,
                },
            });
        }
        let claims = self
            .keys
            .verify(bearer)
            .await
            .map_err(|e| AuthFailure(e.to_string()))?;
        if self.is_revoked(&claims.sid) {
            return Err(AuthFailure("session was signed out".into()));
        }
        Ok(Identity {
            user_entity_ref: claims.sub,
            ownership_entity_refs: claims.ent,
            principal: Principal::User,
        })
    }
}
