//! Seeding a database in bulk: the national demo data, written beside the use cases.
//!
//! Only the system may do this (`nabij demo`, tests, benchmarks): a load writes many files
//! at once and is one entry in the access log. The rows are the rows the use cases write;
//! see [`nabij_store::bulk`].

use crate::{App, AppError, Caller, Result};

pub use nabij_store::bulk::{
    BulkBlock, BulkData, BulkExtension, BulkHome, BulkMunicipality, BulkNeighbourhood, BulkPerson,
    BulkPlace, BulkReferral, BulkRegion, BulkStay, BulkSummary,
};

fn system_only(caller: &Caller) -> Result<()> {
    if caller.is_system() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "alleen het systeem laadt gegevens in bulk".into(),
        ))
    }
}

/// Writes a whole network's history into a database without homes or persons yet.
pub async fn load(app: &App, caller: &Caller, data: &BulkData) -> Result<BulkSummary> {
    system_only(caller)?;
    Ok(app.db.bulk_load(data, &app.actor(caller)).await?)
}

/// True when the database holds no homes, persons or history (accounts may exist).
pub async fn holds_no_data(app: &App, caller: &Caller) -> Result<bool> {
    system_only(caller)?;
    Ok(app.db.holds_no_data().await?)
}

/// True when the database holds nothing beyond what every installation starts with: no
/// accounts, homes, persons or history.
pub async fn is_fresh(app: &App, caller: &Caller) -> Result<bool> {
    system_only(caller)?;
    Ok(app.db.is_fresh().await?)
}

/// Empties a PostgreSQL database completely (`nabij demo --replace`); open it again to
/// migrate it afresh.
pub async fn drop_everything(app: &App, caller: &Caller) -> Result<()> {
    system_only(caller)?;
    Ok(app.db.drop_everything().await?)
}

/// Settles the database after a load: on SQLite the write-ahead log is copied into the
/// file and truncated, on PostgreSQL the planner's statistics are gathered.
pub async fn settle(app: &App, caller: &Caller) -> Result<()> {
    system_only(caller)?;
    Ok(app.db.settle().await?)
}
