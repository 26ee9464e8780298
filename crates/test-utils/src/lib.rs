//! Test harness for Butler Portal plugins.
//!
//! * [`TestDb`]: a fresh database on SQLite (temporary file) or PostgreSQL (a new
//!   database on the server named by `TEST_DATABASE_URL`).
//! * [`both_engines!`]: write a storage test once, get `<name>_sqlite` and
//!   `<name>_postgres` test functions. Without `TEST_DATABASE_URL` the PostgreSQL variant
//!   is skipped with a message, except under `CI=true` where it fails.
//! * [`TestBackend`]: starts plugins like the host does (register, migrate, init) and
//!   gives a router to drive with `tower::ServiceExt::oneshot`.

mod backend;
mod db;

pub use backend::{test_token, TestBackend, TestResponse};
pub use db::TestDb;

/// Generate `<name>_sqlite` and `<name>_postgres` tokio tests from one body that takes a
/// [`TestDb`].
///
/// ```ignore
/// test_utils::both_engines!(should_store, |db| async move {
///     sqlx::query("SELECT 1").execute(db.database().pool()).await.unwrap();
/// });
/// ```
#[macro_export]
macro_rules! both_engines {
    ($name:ident, |$db:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $db = $crate::TestDb::sqlite().await;
                $body.await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($db) = $crate::TestDb::postgres().await else {
                    return;
                };
                $body.await;
            }
        }
    };
}
