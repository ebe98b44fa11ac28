//! Nabij's persistence: the only crate that knows SQL.
//!
//! One code path for both backends through sqlx's `Any` driver: runtime queries with `$1`
//! placeholders, which SQLite and PostgreSQL both accept. The backend is picked from the URL
//! (`sqlite:` or `postgres://`). SQLite runs in WAL mode with one writer connection, so
//! concurrent writes queue fairly instead of starving on the busy timeout.

pub mod accounts;
pub mod audit;
mod backup;
pub mod buddies;
pub mod bulk;
pub mod capacity;
pub mod clients;
pub mod consents;
mod convert;
pub mod geography;
pub mod guidance;
pub mod homes;
mod limits;
mod migrate;
pub mod outflow;
mod overview;
mod paging;
pub mod persons;
mod placer;
pub mod referrals;
pub mod report_threads;
pub mod reports;
pub mod retention;
pub mod signals;
pub mod stays;
#[cfg(feature = "testing")]
pub mod testing;
mod upkeep;
pub mod volunteer_reports;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

pub use convert::{date_text, ts_text};

/// Which database sits behind a [`Db`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Config(format!(
                "unsupported database URL '{}': use sqlite:PATH or postgres://…",
                redact_url(url)
            )))
        }
    }
}

/// Hides the password in a database URL, for logs and errors.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A rule held by the database (or checked inside a transaction) refused the change;
    /// the message is Dutch and safe to show.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Input the store refuses (Dutch message, safe to show), e.g. a bad import row.
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("corrupt data in column {column}: {value}")]
    Corrupt { column: &'static str, value: String },
    #[error("database: {0}")]
    Database(#[source] sqlx::Error),
    /// The SQLite placement writer failed.
    #[error("database (placement writer): {0}")]
    Writer(String),
}

impl From<sqlx::Error> for StoreError {
    /// Turns the database's refusal of an over-long text into a Dutch [`StoreError::Invalid`]
    /// naming the field; every other error stays [`StoreError::Database`].
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e
            && let Some(invalid) = limits::too_long(d.message())
        {
            return invalid;
        }
        StoreError::Database(e)
    }
}

impl StoreError {
    /// A unique-constraint violation: the race a concurrent writer lost.
    pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
        match e {
            sqlx::Error::Database(d) => {
                d.is_unique_violation()
                    || d.code().as_deref() == Some("23505")
                    || d.message().contains("UNIQUE constraint failed")
            }
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database: a read pool and a write pool (the same pool on PostgreSQL).
#[derive(Clone)]
pub struct Db {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// SQLite on a file: the thread placements are written by.
    placer: Option<std::sync::Arc<placer::Placer>>,
    /// Keys the access log's chain ([`audit`]).
    audit_key: Option<audit::AuditKey>,
    /// SQLite on a file: the reports read it directly (many rows, no per-row overhead).
    sqlite_path: Option<String>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .field("audit_key", &self.audit_key)
            .finish()
    }
}

/// Connection settings.
#[derive(Clone)]
pub struct DbOptions {
    pub url: String,
    pub max_connections: u32,
    pub busy_timeout: Duration,
    /// The key of the access log's chain ([`audit::AuditKey`]), kept outside the database.
    /// The `nabij` binary always sets one; without it the log is chained with plain SHA-256,
    /// which someone with the database file can recompute (kept for tests and tools).
    pub audit_key: Option<audit::AuditKey>,
    /// On a SQLite file, placements go through their own writer thread (ADR 0005). Off, they
    /// take the pool's path, as on PostgreSQL; a test compares the two.
    pub placement_writer: bool,
    /// Applies the migrations up to and including this one only (all when `None`): for tests
    /// of a migration over the data written before it.
    #[doc(hidden)]
    pub migrate_up_to: Option<&'static str>,
}

impl std::fmt::Debug for DbOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbOptions")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .field("audit_key", &self.audit_key)
            .finish()
    }
}

impl DbOptions {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 8,
            busy_timeout: Duration::from_secs(5),
            audit_key: None,
            placement_writer: true,
            migrate_up_to: None,
        }
    }

    /// Keys the access log with `key` ([`DbOptions::audit_key`]).
    pub fn with_audit_key(mut self, key: audit::AuditKey) -> Self {
        self.audit_key = Some(key);
        self
    }
}

impl Db {
    /// Connects (creating a SQLite file when missing) and runs the embedded migrations.
    #[tracing::instrument(skip_all, fields(url = %redact_url(&opts.url)))]
    pub async fn connect(opts: &DbOptions) -> Result<Db> {
        install_default_drivers();
        let backend = Backend::from_url(&opts.url)?;
        let db = match backend {
            Backend::Sqlite => {
                let url = sqlite_url_with_create(&opts.url);
                let busy = opts.busy_timeout.as_millis();
                // A local file cannot go stale: no ping before every use.
                let write = AnyPoolOptions::new()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .after_connect(move |c, _| sqlite_pragmas(c, busy))
                    .connect(&url)
                    .await?;
                let read = AnyPoolOptions::new()
                    .max_connections(opts.max_connections.max(1))
                    .test_before_acquire(false)
                    .after_connect(move |c, _| sqlite_pragmas(c, busy))
                    .connect(&url)
                    .await?;
                let placer = match sqlite_file(&opts.url).filter(|_| opts.placement_writer) {
                    Some(path) => Some(std::sync::Arc::new(placer::Placer::start(
                        &path,
                        opts.busy_timeout,
                        opts.audit_key.clone(),
                    )?)),
                    None => None,
                };
                Db {
                    read,
                    write,
                    backend,
                    placer,
                    audit_key: opts.audit_key.clone(),
                    sqlite_path: sqlite_file(&opts.url),
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(opts.max_connections.max(2))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(&opts.url)
                    .await?;
                Db {
                    read: pool.clone(),
                    write: pool,
                    backend,
                    placer: None,
                    audit_key: opts.audit_key.clone(),
                    sqlite_path: None,
                }
            }
        };
        migrate::run(&db, opts.migrate_up_to).await?;
        if let Some(key) = &db.audit_key {
            audit::start_keyed_chain(&db, key).await?;
        }
        Ok(db)
    }

    /// The key of the access log's chain, when this connection has one.
    pub fn audit_key(&self) -> Option<audit::AuditKey> {
        self.audit_key.clone()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The applied migrations, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<String>> {
        migrate::applied(self).await
    }

    /// The migrations this build brings, oldest first.
    pub fn embedded_migrations() -> Vec<&'static str> {
        migrate::names()
    }

    /// Connections of each pool: (pool, open, idle). One pool on PostgreSQL.
    pub fn pool_stats(&self) -> Vec<(&'static str, u32, usize)> {
        let mut v = vec![("read", self.read.size(), self.read.num_idle())];
        if self.backend == Backend::Sqlite {
            v.push(("write", self.write.size(), self.write.num_idle()));
        }
        v
    }

    /// The SQLite file, when the database is one.
    pub(crate) fn sqlite_path(&self) -> Option<&str> {
        self.sqlite_path.as_deref()
    }

    pub(crate) fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`):
    /// a transaction that reads before it writes could otherwise not upgrade after the
    /// placement writer committed, and would fail instead of waiting.
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        })
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

fn sqlite_pragmas(
    conn: &mut sqlx::AnyConnection,
    busy_ms: u128,
) -> BoxFuture<'_, Result<(), sqlx::Error>> {
    let sql = format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {busy_ms}; \
         PRAGMA mmap_size = 268435456; PRAGMA cache_size = -16000; PRAGMA temp_store = MEMORY;"
    );
    Box::pin(async move {
        conn.execute(sql.as_str()).await?;
        Ok(())
    })
}

/// The file of a `sqlite:` URL; `None` for an in-memory database.
fn sqlite_file(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && !path.contains(":memory:")).then(|| path.to_owned())
}

fn sqlite_url_with_create(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placements_get_their_own_writer_only_for_a_sqlite_file() {
        assert_eq!(sqlite_file("sqlite:nabij.db").as_deref(), Some("nabij.db"));
        assert_eq!(
            sqlite_file("sqlite:///var/lib/nabij.db?mode=rwc").as_deref(),
            Some("/var/lib/nabij.db")
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }

    #[test]
    fn urls_pick_the_backend_and_hide_passwords() {
        assert_eq!(
            Backend::from_url("sqlite:nabij.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u:p@h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::from_url("mysql://x").is_err());
        assert_eq!(
            redact_url("postgres://nabij:geheim@db/nabij"),
            "postgres://nabij:***@db/nabij"
        );
        assert_eq!(redact_url("sqlite:x.db"), "sqlite:x.db");
    }
}
