//! Sessions, API tokens and the audit log. Secrets are stored only as SHA-256 hashes.

use backend_plugin_api::Database;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand_core::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Seconds since the epoch.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A random URL-safe secret of `bytes` bytes.
pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand_core::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// Hex SHA-256.
pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A stored session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Session id (`sid` claim).
    pub id: String,
    /// Provider id.
    pub provider: String,
    /// User ref.
    pub user_ref: String,
    /// Ownership refs.
    pub ownership: Vec<String>,
    /// Profile JSON.
    pub profile: serde_json::Value,
}

/// An API token as listed (never the secret).
#[derive(Debug, Clone, Serialize)]
pub struct ApiTokenInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// First characters of the secret, to recognise it.
    pub prefix: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Owner.
    #[serde(rename = "userEntityRef")]
    pub user_ref: String,
    /// Created (RFC 3339).
    #[serde(rename = "createdAt")]
    pub created_at: String,
    /// Expiry (RFC 3339) or none.
    #[serde(rename = "expiresAt")]
    pub expires_at: Option<String>,
    /// Last use (RFC 3339) or none.
    #[serde(rename = "lastUsedAt")]
    pub last_used_at: Option<String>,
    /// Revocation time or none.
    #[serde(rename = "revokedAt")]
    pub revoked_at: Option<String>,
}

/// A token matched by its secret.
#[derive(Debug, Clone)]
pub struct TokenMatch {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Owner.
    pub user_ref: String,
    /// Ownership refs at creation.
    pub ownership: Vec<String>,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Last use.
    pub last_used_at: Option<i64>,
}

fn rfc3339(ts: Option<i64>) -> Option<String> {
    ts.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|d| d.to_rfc3339())
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// The auth store.
#[derive(Clone)]
pub struct Store {
    db: Database,
}

impl Store {
    /// Wrap the database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Create a session; returns `(session id, refresh secret)`.
    pub async fn create_session(
        &self,
        provider: &str,
        user_ref: &str,
        ownership: &[String],
        profile: &serde_json::Value,
        ttl: i64,
    ) -> Result<(String, String), sqlx::Error> {
        let id = uuid::Uuid::new_v4().to_string();
        let secret = random_secret(32);
        let t = now();
        sqlx::query(
            "INSERT INTO auth_sessions (id, token_hash, provider, user_ref, ownership, profile, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(hash(&secret))
        .bind(provider)
        .bind(user_ref)
        .bind(serde_json::to_string(ownership).unwrap_or_default())
        .bind(profile.to_string())
        .bind(t)
        .bind(t + ttl)
        .execute(self.db.pool())
        .await?;
        Ok((id, secret))
    }

    /// The live session whose refresh secret is `secret`, for `provider`.
    pub async fn session_by_secret(
        &self,
        provider: &str,
        secret: &str,
    ) -> Result<Option<Session>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, provider, user_ref, ownership, profile FROM auth_sessions \
             WHERE token_hash = $1 AND provider = $2 AND revoked_at IS NULL AND expires_at > $3",
        )
        .bind(hash(secret))
        .bind(provider)
        .bind(now())
        .fetch_optional(self.db.pool())
        .await?;
        row.map(|r| {
            Ok(Session {
                id: r.try_get(0)?,
                provider: r.try_get(1)?,
                user_ref: r.try_get(2)?,
                ownership: json_list(&r.try_get::<String, _>(3)?),
                profile: serde_json::from_str(&r.try_get::<String, _>(4)?).unwrap_or_default(),
            })
        })
        .transpose()
    }

    /// Revoke a session.
    pub async fn revoke_session(&self, id: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE auth_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(id)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Ids of sessions revoked in the last `window` seconds (for the token verifier).
    pub async fn recently_revoked(&self, window: i64) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id FROM auth_sessions WHERE revoked_at IS NOT NULL AND revoked_at > $1",
        )
        .bind(now() - window)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(|r| r.try_get(0)).collect()
    }

    /// Whether session `id` is revoked.
    pub async fn is_revoked(&self, id: &str) -> Result<bool, sqlx::Error> {
        let row = sqlx::query("SELECT revoked_at FROM auth_sessions WHERE id = $1")
            .bind(id)
            .fetch_optional(self.db.pool())
            .await?;
        Ok(match row {
            Some(r) => r.try_get::<Option<i64>, _>(0)?.is_some(),
            None => true,
        })
    }

    /// Create an API token; returns its info and the secret (shown once).
    pub async fn create_token(
        &self,
        name: &str,
        user_ref: &str,
        ownership: &[String],
        scopes: &[String],
        expires_at: Option<i64>,
    ) -> Result<(ApiTokenInfo, String), sqlx::Error> {
        let id = uuid::Uuid::new_v4().to_string();
        let secret = format!("bpt_{}", random_secret(30));
        let prefix: String = secret.chars().take(12).collect();
        let t = now();
        sqlx::query(
            "INSERT INTO api_tokens (id, name, prefix, token_hash, user_ref, ownership, scopes, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(name)
        .bind(&prefix)
        .bind(hash(&secret))
        .bind(user_ref)
        .bind(serde_json::to_string(ownership).unwrap_or_default())
        .bind(serde_json::to_string(scopes).unwrap_or_default())
        .bind(t)
        .bind(expires_at)
        .execute(self.db.pool())
        .await?;
        Ok((
            ApiTokenInfo {
                id,
                name: name.into(),
                prefix,
                scopes: scopes.to_vec(),
                user_ref: user_ref.into(),
                created_at: rfc3339(Some(t)).unwrap_or_default(),
                expires_at: rfc3339(expires_at),
                last_used_at: None,
                revoked_at: None,
            },
            secret,
        ))
    }

    /// Tokens of a user, newest first.
    pub async fn list_tokens(&self, user_ref: &str) -> Result<Vec<ApiTokenInfo>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, name, prefix, scopes, user_ref, created_at, expires_at, last_used_at, revoked_at \
             FROM api_tokens WHERE user_ref = $1 ORDER BY created_at DESC, id",
        )
        .bind(user_ref)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiTokenInfo {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    prefix: r.try_get(2)?,
                    scopes: json_list(&r.try_get::<String, _>(3)?),
                    user_ref: r.try_get(4)?,
                    created_at: rfc3339(Some(r.try_get(5)?)).unwrap_or_default(),
                    expires_at: rfc3339(r.try_get(6)?),
                    last_used_at: rfc3339(r.try_get(7)?),
                    revoked_at: rfc3339(r.try_get(8)?),
                })
            })
            .collect()
    }

    /// Revoke a token of `user_ref`; false when there is no such live token.
    pub async fn revoke_token(&self, user_ref: &str, id: &str) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_ref = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(id)
        .bind(user_ref)
        .execute(self.db.pool())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// The live token with this secret.
    pub async fn token_by_secret(&self, secret: &str) -> Result<Option<TokenMatch>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, name, user_ref, ownership, scopes, last_used_at FROM api_tokens \
             WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(hash(secret))
        .bind(now())
        .fetch_optional(self.db.pool())
        .await?;
        row.map(|r| {
            Ok(TokenMatch {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                user_ref: r.try_get(2)?,
                ownership: json_list(&r.try_get::<String, _>(3)?),
                scopes: json_list(&r.try_get::<String, _>(4)?),
                last_used_at: r.try_get(5)?,
            })
        })
        .transpose()
    }

    /// Record a use (at most once a minute per token, to keep reads cheap).
    pub async fn touch_token(&self, id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now())
            .bind(id)
            .execute(self.db.pool())
            .await?;
        Ok(())
    }

    /// Append to the audit log (never secrets).
    pub async fn audit(&self, actor: &str, event: &str, details: serde_json::Value) {
        tracing::info!(target: "audit", actor, event, %details, "audit");
        let r = sqlx::query(
            "INSERT INTO audit_log (at, actor, event, details) VALUES ($1, $2, $3, $4)",
        )
        .bind(now())
        .bind(actor)
        .bind(event)
        .bind(details.to_string())
        .execute(self.db.pool())
        .await;
        if let Err(e) = r {
            tracing::error!(error = %e, "cannot write audit log");
        }
    }

    /// The newest audit entries.
    pub async fn audit_entries(&self, limit: i64) -> Result<Vec<serde_json::Value>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, at, actor, event, details FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(serde_json::json!({
                    "id": r.try_get::<i64, _>(0)?,
                    "at": rfc3339(Some(r.try_get(1)?)),
                    "actor": r.try_get::<String, _>(2)?,
                    "event": r.try_get::<String, _>(3)?,
                    "details": serde_json::from_str::<serde_json::Value>(&r.try_get::<String, _>(4)?).unwrap_or_default(),
                }))
            })
            .collect()
    }
}
