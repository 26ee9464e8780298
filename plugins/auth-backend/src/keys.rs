//! ES256 signing keys for identity tokens: generated on demand, rotated, stored in the
//! database (so replicas share them), published as JWKS.

use backend_plugin_api::Database;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use p256::ecdsa::SigningKey;
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::sync::RwLock;

/// Claims of a Butler Portal identity token (Backstage-compatible `sub`/`ent`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// User entity ref.
    pub sub: String,
    /// Ownership entity refs.
    pub ent: Vec<String>,
    /// Issuer: `<base>/api/auth`.
    pub iss: String,
    /// Audience: `backstage`.
    pub aud: String,
    /// Issued at (s).
    pub iat: i64,
    /// Expiry (s).
    pub exp: i64,
    /// Session id (revocation).
    pub sid: String,
}

struct PublicKey {
    kid: String,
    key: DecodingKey,
    jwk: serde_json::Value,
    expires_at: i64,
}

struct Current {
    kid: String,
    key: EncodingKey,
    created_at: i64,
}

#[derive(Default)]
struct State {
    current: Option<Current>,
    public: Vec<PublicKey>,
}

/// The key store.
pub struct KeyStore {
    db: Database,
    issuer: String,
    token_ttl: i64,
    rotation: i64,
    state: RwLock<State>,
}

/// Why a token was rejected.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Signature, expiry, issuer or audience wrong.
    #[error("{0}")]
    Invalid(String),
    /// Storage problem.
    #[error("key storage: {0}")]
    Storage(#[from] sqlx::Error),
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl KeyStore {
    /// A store issuing tokens valid for `token_ttl` seconds, rotating keys every
    /// `rotation` seconds.
    pub fn new(db: Database, issuer: String, token_ttl: i64, rotation: i64) -> Self {
        Self {
            db,
            issuer,
            token_ttl,
            rotation,
            state: RwLock::new(State::default()),
        }
    }

    /// The issuer.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Token lifetime in seconds.
    pub fn token_ttl(&self) -> i64 {
        self.token_ttl
    }

    /// Load keys from the database; create one if none is current.
    pub async fn load(&self) -> Result<(), sqlx::Error> {
        let rows = sqlx::query(
            "SELECT kid, private_pkcs8, public_jwk, created_at, expires_at FROM auth_keys \
             WHERE expires_at > $1 ORDER BY created_at DESC",
        )
        .bind(now())
        .fetch_all(self.db.pool())
        .await?;
        let mut state = State::default();
        for row in rows {
            let kid: String = row.try_get(0)?;
            let pem: String = row.try_get(1)?;
            let jwk_text: String = row.try_get(2)?;
            let created_at: i64 = row.try_get(3)?;
            let expires_at: i64 = row.try_get(4)?;
            let Ok(jwk) = serde_json::from_str::<serde_json::Value>(&jwk_text) else {
                continue;
            };
            let (Some(x), Some(y)) = (jwk["x"].as_str(), jwk["y"].as_str()) else {
                continue;
            };
            let Ok(dec) = DecodingKey::from_ec_components(x, y) else {
                continue;
            };
            if state.current.is_none() && created_at + self.rotation > now() {
                if let Ok(enc) = EncodingKey::from_ec_pem(pem.as_bytes()) {
                    state.current = Some(Current {
                        kid: kid.clone(),
                        key: enc,
                        created_at,
                    });
                }
            }
            state.public.push(PublicKey {
                kid,
                key: dec,
                jwk,
                expires_at,
            });
        }
        let need_new = state.current.is_none();
        *self.state.write().unwrap_or_else(|e| e.into_inner()) = state;
        if need_new {
            self.rotate().await?;
        }
        Ok(())
    }

    /// Generate a new current key.
    pub async fn rotate(&self) -> Result<(), sqlx::Error> {
        let signing = SigningKey::random(&mut rand_core::OsRng);
        let pem = signing
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| sqlx::Error::Protocol(format!("key encoding: {e}")))?;
        let point = signing.verifying_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(sqlx::Error::Protocol("key has no coordinates".into()));
        };
        let kid = uuid::Uuid::new_v4().to_string();
        let x = URL_SAFE_NO_PAD.encode(x);
        let y = URL_SAFE_NO_PAD.encode(y);
        let jwk = serde_json::json!({
            "kty": "EC", "crv": "P-256", "x": x, "y": y,
            "kid": kid, "alg": "ES256", "use": "sig"
        });
        let created_at = now();
        let expires_at = created_at + self.rotation + self.token_ttl;
        sqlx::query(
            "INSERT INTO auth_keys (kid, private_pkcs8, public_jwk, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&kid)
        .bind(pem.as_str())
        .bind(jwk.to_string())
        .bind(created_at)
        .bind(expires_at)
        .execute(self.db.pool())
        .await?;
        sqlx::query("DELETE FROM auth_keys WHERE expires_at < $1")
            .bind(created_at)
            .execute(self.db.pool())
            .await?;
        let enc = EncodingKey::from_ec_pem(pem.as_bytes())
            .map_err(|e| sqlx::Error::Protocol(format!("key decoding: {e}")))?;
        let dec = DecodingKey::from_ec_components(&x, &y)
            .map_err(|e| sqlx::Error::Protocol(format!("key decoding: {e}")))?;
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        state.current = Some(Current {
            kid: kid.clone(),
            key: enc,
            created_at,
        });
        state.public.retain(|k| k.expires_at > created_at);
        state.public.insert(
            0,
            PublicKey {
                kid,
                key: dec,
                jwk,
                expires_at,
            },
        );
        Ok(())
    }

    /// Issue a token for `sub`/`ent` bound to session `sid`.
    pub async fn issue(&self, sub: &str, ent: &[String], sid: &str) -> Result<String, TokenError> {
        let stale = {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            state
                .current
                .as_ref()
                .is_none_or(|c| c.created_at + self.rotation <= now())
        };
        if stale {
            self.rotate().await?;
        }
        let iat = now();
        let claims = Claims {
            sub: sub.to_string(),
            ent: ent.to_vec(),
            iss: self.issuer.clone(),
            aud: "backstage".into(),
            iat,
            exp: iat + self.token_ttl,
            sid: sid.to_string(),
        };
        self.sign(&claims)
    }

    /// Sign arbitrary claims with the current key (tests use it to forge bad tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String, TokenError> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        let current = state
            .current
            .as_ref()
            .ok_or_else(|| TokenError::Invalid("no signing key".into()))?;
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(current.kid.clone());
        jsonwebtoken::encode(&header, claims, &current.key)
            .map_err(|e| TokenError::Invalid(format!("signing failed: {e}")))
    }

    /// Verify signature, expiry, issuer and audience.
    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| TokenError::Invalid(format!("malformed token: {e}")))?;
        if header.alg != Algorithm::ES256 {
            return Err(TokenError::Invalid("unexpected token algorithm".into()));
        }
        let kid = header
            .kid
            .ok_or_else(|| TokenError::Invalid("token has no key id".into()))?;
        if !self.has_kid(&kid) {
            // Another replica may have rotated: reload once.
            self.load().await?;
        }
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        let key = state
            .public
            .iter()
            .find(|k| k.kid == kid)
            .ok_or_else(|| TokenError::Invalid("token signed by an unknown key".into()))?;
        let mut v = Validation::new(Algorithm::ES256);
        v.set_audience(&["backstage"]);
        v.set_issuer(&[self.issuer.as_str()]);
        v.leeway = 5;
        v.set_required_spec_claims(&["exp", "sub", "aud", "iss"]);
        jsonwebtoken::decode::<Claims>(token, &key.key, &v)
            .map(|d| d.claims)
            .map_err(|e| TokenError::Invalid(format!("token rejected: {e}")))
    }

    fn has_kid(&self, kid: &str) -> bool {
        self.state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .public
            .iter()
            .any(|k| k.kid == kid)
    }

    /// The JWKS document.
    pub fn jwks(&self) -> serde_json::Value {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        serde_json::json!({ "keys": state.public.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() })
    }
}
