//! Embedded migrations, one folder per backend, applied in order at start.
//! An applied migration is never edited: its checksum is verified at every start.

use crate::{Backend, Db, Result, StoreError};
use sqlx::{Executor, Row};

struct Migration {
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_core",
        sqlite: include_str!("../migrations/sqlite/0001_core.sql"),
        postgres: include_str!("../migrations/postgres/0001_core.sql"),
    },
    Migration {
        name: "0002_accounts_and_access_log",
        sqlite: include_str!("../migrations/sqlite/0002_accounts_and_access_log.sql"),
        postgres: include_str!("../migrations/postgres/0002_accounts_and_access_log.sql"),
    },
    Migration {
        name: "0003_second_factor",
        sqlite: include_str!("../migrations/sqlite/0003_second_factor.sql"),
        postgres: include_str!("../migrations/postgres/0003_second_factor.sql"),
    },
    Migration {
        name: "0004_text_limits",
        sqlite: include_str!("../migrations/sqlite/0004_text_limits.sql"),
        postgres: include_str!("../migrations/postgres/0004_text_limits.sql"),
    },
    Migration {
        name: "0005_access_log_key",
        sqlite: include_str!("../migrations/sqlite/0005_access_log_key.sql"),
        postgres: include_str!("../migrations/postgres/0005_access_log_key.sql"),
    },
    Migration {
        name: "0006_password_change",
        sqlite: include_str!("../migrations/sqlite/0006_password_change.sql"),
        postgres: include_str!("../migrations/postgres/0006_password_change.sql"),
    },
    Migration {
        name: "0007_home_dates",
        sqlite: include_str!("../migrations/sqlite/0007_home_dates.sql"),
        postgres: include_str!("../migrations/postgres/0007_home_dates.sql"),
    },
    Migration {
        name: "0008_report_indexes",
        sqlite: include_str!("../migrations/sqlite/0008_report_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0008_report_indexes.sql"),
    },
    Migration {
        name: "0009_list_indexes",
        sqlite: include_str!("../migrations/sqlite/0009_list_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0009_list_indexes.sql"),
    },
    Migration {
        name: "0010_homes_and_capacity",
        sqlite: include_str!("../migrations/sqlite/0010_homes_and_capacity.sql"),
        postgres: include_str!("../migrations/postgres/0010_homes_and_capacity.sql"),
    },
    Migration {
        name: "0011_guidance",
        sqlite: include_str!("../migrations/sqlite/0011_guidance.sql"),
        postgres: include_str!("../migrations/postgres/0011_guidance.sql"),
    },
    Migration {
        name: "0012_client_accounts",
        sqlite: include_str!("../migrations/sqlite/0012_client_accounts.sql"),
        postgres: include_str!("../migrations/postgres/0012_client_accounts.sql"),
    },
    Migration {
        name: "0014_signals",
        sqlite: include_str!("../migrations/sqlite/0014_signals.sql"),
        postgres: include_str!("../migrations/postgres/0014_signals.sql"),
    },
    Migration {
        name: "0015_buddies",
        sqlite: include_str!("../migrations/sqlite/0015_buddies.sql"),
        postgres: include_str!("../migrations/postgres/0015_buddies.sql"),
    },
    Migration {
        name: "0017_chain_and_outflow",
        sqlite: include_str!("../migrations/sqlite/0017_chain_and_outflow.sql"),
        postgres: include_str!("../migrations/postgres/0017_chain_and_outflow.sql"),
    },
    Migration {
        name: "0020_report_covering_indexes",
        sqlite: include_str!("../migrations/sqlite/0020_report_covering_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0020_report_covering_indexes.sql"),
    },
    Migration {
        name: "0022_planner_revisions",
        sqlite: include_str!("../migrations/sqlite/0022_planner_revisions.sql"),
        postgres: include_str!("../migrations/postgres/0022_planner_revisions.sql"),
    },
    Migration {
        name: "0023_list_counts",
        sqlite: include_str!("../migrations/sqlite/0023_list_counts.sql"),
        postgres: include_str!("../migrations/postgres/0023_list_counts.sql"),
    },
    Migration {
        name: "0025_report_revisions",
        sqlite: include_str!("../migrations/sqlite/0025_report_revisions.sql"),
        postgres: include_str!("../migrations/postgres/0025_report_revisions.sql"),
    },
    Migration {
        name: "0026_stay_counts",
        sqlite: include_str!("../migrations/sqlite/0026_stay_counts.sql"),
        postgres: include_str!("../migrations/postgres/0026_stay_counts.sql"),
    },
    Migration {
        name: "0027_recovery_report_revisions",
        sqlite: include_str!("../migrations/sqlite/0027_recovery_report_revisions.sql"),
        postgres: include_str!("../migrations/postgres/0027_recovery_report_revisions.sql"),
    },
    Migration {
        name: "0030_recovery_indexes",
        sqlite: include_str!("../migrations/sqlite/0030_recovery_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0030_recovery_indexes.sql"),
    },
    Migration {
        name: "0031_intensity_in_order",
        sqlite: include_str!("../migrations/sqlite/0031_intensity_in_order.sql"),
        postgres: include_str!("../migrations/postgres/0031_intensity_in_order.sql"),
    },
    Migration {
        name: "0035_user_email",
        sqlite: include_str!("../migrations/sqlite/0035_user_email.sql"),
        postgres: include_str!("../migrations/postgres/0035_user_email.sql"),
    },
    Migration {
        name: "0040_partner_kind_changes",
        sqlite: include_str!("../migrations/sqlite/0040_partner_kind_changes.sql"),
        postgres: include_str!("../migrations/postgres/0040_partner_kind_changes.sql"),
    },
    Migration {
        name: "0041_offer_pets",
        sqlite: include_str!("../migrations/sqlite/0041_offer_pets.sql"),
        postgres: include_str!("../migrations/postgres/0041_offer_pets.sql"),
    },
    Migration {
        name: "0042_person_counts",
        sqlite: include_str!("../migrations/sqlite/0042_person_counts.sql"),
        postgres: include_str!("../migrations/postgres/0042_person_counts.sql"),
    },
    Migration {
        name: "0043_ready_index",
        sqlite: include_str!("../migrations/sqlite/0043_ready_index.sql"),
        postgres: include_str!("../migrations/postgres/0043_ready_index.sql"),
    },
    Migration {
        name: "0044_signal_recipients",
        sqlite: include_str!("../migrations/sqlite/0044_signal_recipients.sql"),
        postgres: include_str!("../migrations/postgres/0044_signal_recipients.sql"),
    },
    Migration {
        name: "0045_submitted_intake",
        sqlite: include_str!("../migrations/sqlite/0045_submitted_intake.sql"),
        postgres: include_str!("../migrations/postgres/0045_submitted_intake.sql"),
    },
    Migration {
        name: "0046_outflow_report_revisions",
        sqlite: include_str!("../migrations/sqlite/0046_outflow_report_revisions.sql"),
        postgres: include_str!("../migrations/postgres/0046_outflow_report_revisions.sql"),
    },
    Migration {
        name: "0047_key_date_changes",
        sqlite: include_str!("../migrations/sqlite/0047_key_date_changes.sql"),
        postgres: include_str!("../migrations/postgres/0047_key_date_changes.sql"),
    },
    Migration {
        name: "0048_person_name_search",
        sqlite: include_str!("../migrations/sqlite/0048_person_name_search.sql"),
        postgres: include_str!("../migrations/postgres/0048_person_name_search.sql"),
    },
];

/// Migrations corrected after release, with the checksums of their earlier text that an
/// install may have applied. Such an install keeps what the earlier text did.
/// - `0011_guidance` split a person's legacy guidance into two episodes when a row began
///   after the previous row ended but while an earlier, longer row still ran; with two such
///   rows open the migration failed on the one-open-episode index. An install that applied
///   the earlier text keeps its episodes as they were made: there, such a period may be
///   split into closed episodes that overlap.
const EARLIER_CHECKSUMS: &[(&str, &str)] = &[
    ("0011_guidance", "8933ad26300fb9b0"),
    ("0011_guidance", "4610642e261b305d"),
];

/// The names of the embedded migrations, oldest first.
pub fn names() -> Vec<&'static str> {
    MIGRATIONS.iter().map(|m| m.name).collect()
}

/// FNV-1a: stable across builds and platforms, enough to notice an edited migration.
fn checksum(sql: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in sql.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

/// Applies the migrations not yet applied, in order; with `up_to`, none after that one.
pub(crate) async fn run(db: &Db, up_to: Option<&str>) -> Result<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .await?;
    if db.backend == Backend::Postgres {
        // Two instances starting at once must not both migrate.
        tx.execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")
            .await?;
    }
    let rows = sqlx::query("SELECT name, checksum FROM schema_migrations")
        .fetch_all(&mut *tx)
        .await?;
    let last = match up_to {
        None => MIGRATIONS.len(),
        Some(name) => {
            MIGRATIONS
                .iter()
                .position(|m| m.name == name)
                .ok_or_else(|| StoreError::Config(format!("no migration named {name}")))?
                + 1
        }
    };
    for m in &MIGRATIONS[..last] {
        let sql = match db.backend {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let sum = checksum(sql);
        match rows.iter().find(|r| r.get::<String, _>(0) == m.name) {
            Some(r) if r.get::<String, _>(1) == sum => continue,
            Some(r)
                if EARLIER_CHECKSUMS.iter().any(|(name, earlier)| {
                    *name == m.name && r.get::<String, _>(1) == *earlier
                }) =>
            {
                continue;
            }
            Some(_) => {
                return Err(StoreError::Config(format!(
                    "migration {} was changed after it was applied",
                    m.name
                )));
            }
            None => {}
        }
        tracing::info!(migration = m.name, "applying migration");
        tx.execute(sql).await?;
        sqlx::query(
            "INSERT INTO schema_migrations (name, checksum, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.name)
        .bind(sum)
        .bind(crate::ts_text(jiff::Timestamp::now()))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn applied(db: &Db) -> Result<Vec<String>> {
    Ok(
        sqlx::query("SELECT name FROM schema_migrations ORDER BY name")
            .fetch_all(db.reader())
            .await?
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect(),
    )
}
