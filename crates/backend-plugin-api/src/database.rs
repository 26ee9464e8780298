//! The shared database: SQLite (embedded default) or PostgreSQL, through sqlx's `Any`
//! driver, and per-plugin migrations with an isolated history.
//!
//! SQL written for both engines uses `$1`-style placeholders (SQLite accepts them too).
//! Engine-specific DDL lives in `migrations/<plugin>/{sqlite,postgres}/`.

use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor, Row};
use std::time::Duration;

/// Which engine a [`Database`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Engine {
    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A plugin's embedded migrations for both engines, built with `sqlx::migrate!`.
pub struct Migrations {
    /// Migrations for SQLite.
    pub sqlite: Migrator,
    /// Migrations for PostgreSQL.
    pub postgres: Migrator,
}

/// A connection pool and its engine.
#[derive(Clone, Debug)]
pub struct Database {
    pool: AnyPool,
    engine: Engine,
}

/// Why the database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// The URL is not `sqlite:` or `postgres:`.
    #[error("unsupported database URL `{0}` (expected sqlite:… or postgres://…)")]
    UnsupportedUrl(String),
    /// Connecting failed.
    #[error("cannot connect to database {url}: {source}")]
    Connect {
        /// The URL with its password masked.
        url: String,
        /// The driver error.
        #[source]
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("migration {version} ({description}) of plugin `{plugin}` failed: {message}")]
    Migration {
        /// Plugin id.
        plugin: String,
        /// Migration version.
        version: i64,
        /// Migration description.
        description: String,
        /// What went wrong.
        message: String,
    },
    /// Any other driver error.
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

/// Mask the password in a database URL for messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

impl Database {
    /// Connect to `url` (`sqlite:path?mode=rwc`, `sqlite::memory:` or `postgres://…`).
    pub async fn connect(url: &str) -> Result<Self, DatabaseError> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else {
            return Err(DatabaseError::UnsupportedUrl(redact_url(url)));
        };
        let mut opts = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        opts = match engine {
            Engine::Sqlite => opts.max_connections(8).after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        // busy_timeout first: switching to WAL needs a brief exclusive
                        // lock, and connections opened together must wait, not fail.
                        "PRAGMA busy_timeout=10000; PRAGMA journal_mode=WAL; \
                         PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                    )
                    .await?;
                    Ok(())
                })
            }),
            Engine::Postgres => opts.max_connections(16),
        };
        let pool = tokio::time::timeout(Duration::from_secs(15), opts.connect(url))
            .await
            .map_err(|_| DatabaseError::Connect {
                url: redact_url(url),
                source: sqlx::Error::PoolTimedOut,
            })?
            .map_err(|source| DatabaseError::Connect {
                url: redact_url(url),
                source,
            })?;
        Ok(Self { pool, engine })
    }

    /// The SQLite URL for a file (created when missing).
    pub fn sqlite_file_url(path: &std::path::Path) -> String {
        format!("sqlite://{}?mode=rwc", path.display())
    }

    /// The pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The engine.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Begin a transaction that will write. On SQLite this is `BEGIN IMMEDIATE`, which
    /// takes the write lock up front (waiting up to `busy_timeout`), so a transaction that
    /// reads and then writes cannot fail with "database is locked" when another writer
    /// commits in between. On PostgreSQL it is a plain `BEGIN`.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => self.pool.begin().await,
        }
    }

    /// `SELECT 1`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let row: AnyRow = sqlx::query("SELECT 1 AS one").fetch_one(&self.pool).await?;
        let _: i32 = row
            .try_get::<i32, _>(0)
            .or_else(|_| row.try_get::<i64, _>(0).map(|v| v as i32))?;
        Ok(())
    }

    /// Apply `plugin`'s migrations for this engine, recorded in `portal_migrations` keyed
    /// by plugin, so plugins never share a version space. Each migration runs in its own
    /// transaction; an applied migration whose checksum changed is an error. On PostgreSQL
    /// an advisory lock serialises concurrent replicas.
    pub async fn migrate(
        &self,
        plugin: &str,
        migrations: &Migrations,
    ) -> Result<usize, DatabaseError> {
        let migrator = match self.engine {
            Engine::Sqlite => &migrations.sqlite,
            Engine::Postgres => &migrations.postgres,
        };
        let mut conn = self.pool.acquire().await?;
        conn.execute(
            "CREATE TABLE IF NOT EXISTS portal_migrations (\
               plugin TEXT NOT NULL, version BIGINT NOT NULL, description TEXT NOT NULL, \
               checksum TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (plugin, version))",
        )
        .await?;
        if self.engine == Engine::Postgres {
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(lock_key(plugin))
                .execute(&mut *conn)
                .await?;
        }
        let result = self.apply_pending(&mut conn, plugin, migrator).await;
        if self.engine == Engine::Postgres {
            let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(lock_key(plugin))
                .execute(&mut *conn)
                .await;
        }
        result
    }

    async fn apply_pending(
        &self,
        conn: &mut sqlx::pool::PoolConnection<sqlx::Any>,
        plugin: &str,
        migrator: &Migrator,
    ) -> Result<usize, DatabaseError> {
        let rows = sqlx::query("SELECT version, checksum FROM portal_migrations WHERE plugin = $1")
            .bind(plugin)
            .fetch_all(&mut **conn)
            .await?;
        let applied: std::collections::HashMap<i64, String> = rows
            .iter()
            .map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)))
            .collect::<Result<_, sqlx::Error>>()?;
        let mut count = 0;
        for m in migrator
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
        {
            let checksum = hex(&Sha256::digest(m.sql.as_bytes()));
            let err = |message: String| DatabaseError::Migration {
                plugin: plugin.to_string(),
                version: m.version,
                description: m.description.to_string(),
                message,
            };
            if let Some(existing) = applied.get(&m.version) {
                if *existing != checksum {
                    return Err(err("it was changed after being applied".into()));
                }
                continue;
            }
            let mut tx = sqlx::Connection::begin(&mut **conn).await?;
            sqlx::raw_sql(&m.sql)
                .execute(&mut *tx)
                .await
                .map_err(|e| err(e.to_string()))?;
            sqlx::query(
                "INSERT INTO portal_migrations (plugin, version, description, checksum, applied_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(plugin)
            .bind(m.version)
            .bind(m.description.to_string())
            .bind(&checksum)
            .bind(chrono::Utc::now().to_rfc3339())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            count += 1;
        }
        Ok(count)
    }

    /// Whether every migration of `plugin` is applied.
    pub async fn is_migrated(
        &self,
        plugin: &str,
        migrations: &Migrations,
    ) -> Result<bool, sqlx::Error> {
        let migrator = match self.engine {
            Engine::Sqlite => &migrations.sqlite,
            Engine::Postgres => &migrations.postgres,
        };
        let row = sqlx::query("SELECT COUNT(*) FROM portal_migrations WHERE plugin = $1")
            .bind(plugin)
            .fetch_one(&self.pool)
            .await?;
        let n: i64 = row.try_get(0)?;
        let want = migrator
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
            .count();
        Ok(n as usize >= want)
    }
}

fn lock_key(plugin: &str) -> i64 {
    let d = Sha256::digest(format!("butler-portal-migrate:{plugin}").as_bytes());
    i64::from_be_bytes(d[..8].try_into().unwrap_or([0; 8]))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_redact_passwords() {
        assert_eq!(
            redact_url("postgres://u:secret@localhost:5432/db"),
            "postgres://u:***@localhost:5432/db"
        );
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }

    #[tokio::test]
    async fn should_reject_unknown_url_schemes() {
        let err = Database::connect("mysql://x").await.unwrap_err();
        assert!(err.to_string().contains("unsupported database URL"));
    }
}
