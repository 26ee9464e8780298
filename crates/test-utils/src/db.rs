//! Fresh databases for tests, on both engines.

use backend_plugin_api::Database;

/// A throwaway database. SQLite files live in a temporary directory removed on drop;
/// PostgreSQL databases are created with a random name on the `TEST_DATABASE_URL` server.
pub struct TestDb {
    database: Database,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh SQLite database file.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = Database::sqlite_file_url(&dir.path().join("test.db"));
        let database = Database::connect(&url).await.expect("sqlite connects");
        Self {
            database,
            _dir: Some(dir),
        }
    }

    /// A fresh PostgreSQL database, or `None` (skip) when `TEST_DATABASE_URL` is unset
    /// outside CI. Under `CI=true` a missing server is a test failure.
    pub async fn postgres() -> Option<Self> {
        let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("TEST_DATABASE_URL is not set but CI=true: PostgreSQL tests must run");
            }
            eprintln!("skipping PostgreSQL variant: TEST_DATABASE_URL is not set");
            return None;
        };
        let admin = Database::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("TEST_DATABASE_URL unreachable: {e}"));
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(admin.pool())
            .await
            .expect("create test database");
        admin.pool().close().await;
        let url = replace_db_name(&base, &name);
        let database = Database::connect(&url)
            .await
            .expect("test database connects");
        Some(Self {
            database,
            _dir: None,
        })
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.database
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let mut out = match path_start {
        Some(i) => format!("{}/{}", &base[..i], name),
        None => format!("{base}/{name}"),
    };
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::replace_db_name;

    #[test]
    fn should_swap_database_name() {
        assert_eq!(
            replace_db_name("postgres://u@127.0.0.1:5433/postgres?sslmode=disable", "t1"),
            "postgres://u@127.0.0.1:5433/t1?sslmode=disable"
        );
        assert_eq!(
            replace_db_name("postgres://u@h:1", "t1"),
            "postgres://u@h:1/t1"
        );
    }
}
