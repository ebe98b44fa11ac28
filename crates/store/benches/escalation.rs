//! One escalation pass over 100,000 open signals, on a SQLite file and on PostgreSQL (when
//! `NABIJ_TEST_POSTGRES_URL` is set). Prints the figures:
//!
//! `cargo bench -p nabij-store --bench escalation`

use jiff::{SignedDuration, Timestamp};
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_store::homes::NewHome;
use nabij_store::{Db, DbOptions};
use std::time::{Duration, Instant};

const OPEN: i64 = 100_000;
const DUE: i64 = 1_000;

/// 100,000 open signals of one house: the first 1,000 due a minute to an hour ago, the rest
/// due over the next 30 days. Inserted by one statement, so filling takes a second.
async fn fill(db: &Db, now: Timestamp) {
    let at = GeoPoint {
        lat: 52.09,
        lon: 5.12,
    };
    let m = db
        .create_municipality(None, None, "Utrecht", at)
        .await
        .unwrap();
    let n = db
        .create_neighbourhood(m, None, "Centrum", at)
        .await
        .unwrap();
    let home = db
        .create_home(
            &NewHome {
                organisation_id: 1,
                name: "Pitstop Utrecht".into(),
                kind: HomeKind::Pitstop,
                address: "Oudegracht 1".into(),
                neighbourhood: n,
                point: None,
                rules: HouseRules::default(),
                max_stay_months: 6,
                landlord: None,
                places: 4,
                opened_on: None,
            },
            now,
        )
        .await
        .unwrap();
    let ts = |t: Timestamp| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    // One row per signal from a recursive query (both backends speak it).
    let first_due = now - SignedDuration::from_mins(60);
    let later = now + SignedDuration::from_mins(1);
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {OPEN}) \
         INSERT INTO signals (organisation_id, home_id, filed_by_role, category, urgency, text, filed_at, due_at) \
         SELECT 1, {home}, 'main_resident', 'other', 'low', 'meting', '{filed}', \
                CASE WHEN i <= {DUE} THEN '{due}' ELSE '{later}' END FROM n",
        home = home.0,
        filed = ts(first_due - SignedDuration::from_hours(72)),
        due = ts(first_due),
        later = ts(later + SignedDuration::from_hours(24 * 30)),
    );
    let t = Instant::now();
    let inserted = nabij_store::testing::raw_execute(db, &sql).await.unwrap();
    assert_eq!(inserted, OPEN as u64);
    eprintln!("  filled {OPEN} open signals in {:?}", t.elapsed());
}

async fn measure(name: &str, db: Db) {
    let now: Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
    fill(&db, now).await;
    let mut passes = Vec::new();
    let mut first = 0;
    for run in 0..11 {
        let t = Instant::now();
        let done = db
            .escalate_due_signals(now + SignedDuration::from_secs(run))
            .await
            .unwrap();
        passes.push(t.elapsed());
        if run == 0 {
            first = done.len();
        }
    }
    // The first pass escalates the 1,000 due; the next ones find nothing new.
    assert_eq!(first, DUE as usize);
    let first_pass = passes[0];
    let rest = &mut passes[1..];
    rest.sort();
    let median: Duration = rest[rest.len() / 2];
    eprintln!(
        "{name}: escalation pass over {OPEN} open signals: first pass ({DUE} escalated) {:?}, later passes median {:?}, max {:?}",
        first_pass,
        median,
        rest[rest.len() - 1]
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite:{}", dir.path().join("signals.db").display());
        let db = Db::connect(&DbOptions::new(url)).await.expect("SQLite");
        measure("SQLite (file)", db).await;
        if let Some(db) = nabij_store::testing::postgres_from_env().await {
            measure("PostgreSQL", db).await;
        }
    });
}
