//! Backups: a consistent copy of the database while Nabij serves. The access log's key is
//! not in the database and is backed up apart (docs/operations.md).

use crate::{App, AppError, Caller, Result};
use std::path::Path;

/// Copies the database to `target` (SQLite); the command line only.
#[tracing::instrument(skip_all)]
pub async fn backup(app: &App, caller: &Caller, target: &Path) -> Result<()> {
    if !caller.is_system() {
        return Err(AppError::Forbidden(
            "een reservekopie wordt op de opdrachtregel gemaakt".into(),
        ));
    }
    Ok(app.db.backup_into(target).await?)
}
