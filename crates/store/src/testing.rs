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
    let url = postgres_url_from_env().await?;
    Some(
        Db::connect(&configure(DbOptions::new(url)))
            .await
            .expect("PostgreSQL at NABIJ_TEST_POSTGRES_URL is reachable"),
    )
}

/// The URL of a fresh, empty PostgreSQL database from `NABIJ_TEST_POSTGRES_URL`, or `None`
/// when it is not set (see [`postgres_from_env`]); for tests that connect more than once.
pub async fn postgres_url_from_env() -> Option<String> {
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
        fresh_postgres_url(&base)
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
    let url = fresh_postgres_url(base_url).await?;
    Db::connect(&configure(DbOptions::new(url))).await
}

/// Creates an empty database next to the one in `base_url` and returns its URL.
pub async fn fresh_postgres_url(base_url: &str) -> Result<String> {
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
    Ok(format!("{head}/{name}{query}"))
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

/// Plays an attacker who has the database but not the audit key: recomputes the access
/// log's hashes of entries `from..=through` with plain SHA-256 (as the log was chained
/// before it was keyed), and points the head at the result when that reaches the end. The
/// log's triggers must be dropped first.
pub async fn rechain_access_log_without_key(db: &Db, from: i64, through: i64) -> Result<()> {
    crate::audit::rechain_without_key(db, from, through).await
}
