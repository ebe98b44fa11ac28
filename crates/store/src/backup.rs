//! A consistent copy of the database while it serves.

use crate::{Backend, Db, Result, StoreError};
use std::path::Path;

impl Db {
    /// Writes a consistent copy of a SQLite database to `target` (`VACUUM INTO`: one read
    /// transaction, so placements going on are either wholly in the copy or not at all).
    /// PostgreSQL is copied with `pg_dump`, outside Nabij.
    pub async fn backup_into(&self, target: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Invalid(
                "maak een reservekopie van PostgreSQL met pg_dump (zie docs/operations.md)".into(),
            ));
        }
        if target.exists() {
            return Err(StoreError::Invalid(format!(
                "{} bestaat al; kies een nieuw bestand",
                target.display()
            )));
        }
        let path = target
            .to_str()
            .ok_or_else(|| StoreError::Invalid("de bestandsnaam is geen UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.read)
            .await?;
        Ok(())
    }
}
