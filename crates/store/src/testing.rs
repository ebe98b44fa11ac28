//! Helpers for tests of Nabij's own crates: a fresh PostgreSQL database per test.

use crate::{Db, DbOptions, Result};
use sqlx::Executor;
use std::sync::atomic::{AtomicU32, Ordering};

/// Prefix of every test database, so a test run can clean up after earlier runs.
pub const TEST_DB_PREFIX: &str = "nabij_t_";

/// A fresh PostgreSQL database from `NABIJ_TEST_POSTGRES_URL`, or `None` when it is not set.
/// Under CI (`CI` set) a missing URL or an unreachable server fails the test: the PostgreSQL
/// suite is never skipped silently there.
pub async fn postgres_from_env() -> Option<Db> {
    postgres_from_env_with(|o| o).await
}

/// Like [`postgres_from_env`], with the connection settings adjusted by `configure` (for
/// example an audit key).
pub async fn postgres_from_env_with(configure: impl FnOnce(DbOptions) -> DbOptions) -> Option<Db> {
    let base = match std::env::var("NABIJ_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must run the PostgreSQL suite: set NABIJ_TEST_POSTGRES_URL"
            );
            eprintln!("NABIJ_TEST_POSTGRES_URL not set: PostgreSQL test skipped locally");
            return None;
        }
    };
    Some(
        fresh_postgres_db_with(&base, configure)
            .await
            .expect("PostgreSQL at NABIJ_TEST_POSTGRES_URL is reachable"),
    )
}

/// Creates an empty database next to the one in `base_url` and connects to it (migrated).
pub async fn fresh_postgres_db(base_url: &str) -> Result<Db> {
    fresh_postgres_db_with(base_url, |o| o).await
}

/// Like [`fresh_postgres_db`], with the connection settings adjusted by `configure`.
pub async fn fresh_postgres_db_with(
    base_url: &str,
    configure: impl FnOnce(DbOptions) -> DbOptions,
) -> Result<Db> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    sqlx::any::install_default_drivers();
    let name = format!(
        "{TEST_DB_PREFIX}{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        jiff::Timestamp::now().as_millisecond()
    );
    let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(base_url).await?;
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let (head, tail) = base_url.rsplit_once('/').unwrap_or((base_url, ""));
    let query = tail.find('?').map(|i| &tail[i..]).unwrap_or("");
    Db::connect(&configure(DbOptions::new(format!("{head}/{name}{query}")))).await
}

/// Runs raw SQL, for tests that play an attacker with direct database access.
pub async fn raw_execute(db: &Db, sql: &str) -> Result<u64> {
    Ok(db.write.execute(sql).await?.rows_affected())
}

/// Runs a raw query and returns its first column as text, for tests that inspect the schema.
pub async fn raw_strings(db: &Db, sql: &str) -> Result<Vec<String>> {
    use sqlx::Row;
    Ok(sqlx::query(sql)
        .fetch_all(&db.write)
        .await?
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect())
}
