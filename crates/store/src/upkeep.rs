//! Upkeep after a large write: the demo's bulk load leaves a write-ahead log as large as
//! the data on SQLite, and tables without statistics on PostgreSQL.

use crate::{Backend, Db, Result};

impl Db {
    /// Settles the database after a bulk load. SQLite: copies the write-ahead log into the
    /// database file and truncates it to zero bytes (`wal_checkpoint(TRUNCATE)`), so no
    /// log as large as the data is left beside the file. PostgreSQL: gathers the planner's
    /// statistics and marks the loaded pages all-visible (`VACUUM ANALYZE`), so the first
    /// requests already use the indexes, and counts read the indexes alone.
    #[tracing::instrument(skip_all)]
    pub async fn settle(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                // A reader in the middle of a snapshot keeps the checkpoint from finishing
                // (`busy` = 1); none should be left after a load, but try a few times.
                for _ in 0..5 {
                    let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                        .fetch_one(&self.write)
                        .await?;
                    if crate::convert::get_i64(&row, "busy")? == 0 {
                        return Ok(());
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Ok(())
            }
            Backend::Postgres => {
                // Outside a transaction: VACUUM may not run inside one.
                sqlx::raw_sql("VACUUM ANALYZE").execute(&self.write).await?;
                Ok(())
            }
        }
    }
}
