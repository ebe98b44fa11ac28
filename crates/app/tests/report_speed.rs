//! A rough timing of the reports on a large database, run by hand:
//! `NABIJ_REPORT_DB=sqlite:/path/to.db cargo test -p nabij-app --release --test report_speed -- --ignored --nocapture`.
//! Speed is measured here and by the benchmark, never asserted.

use nabij_app::reports::{self, ReportQuery, View};
use nabij_app::{App, Caller, Clock};
use nabij_domain::ids::OrganisationId;
use nabij_store::{Db, DbOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a large database in NABIJ_REPORT_DB"]
async fn time_the_reports() {
    let Ok(url) = std::env::var("NABIJ_REPORT_DB") else {
        return;
    };
    let db = Db::connect(&DbOptions::new(url)).await.unwrap();
    let app = App::new(db, Clock::fixed("2026-11-30T12:00:00Z".parse().unwrap()));
    let caller = Caller::system("speed", OrganisationId(1));
    let tz = app.clock().tz().clone();
    let period = nabij_domain::period::Period::new(
        jiff::civil::date(2025, 12, 1),
        jiff::civil::date(2026, 11, 30),
    )
    .unwrap();
    let midnight = |d: jiff::civil::Date| {
        tz.to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .unwrap()
    };
    let db2 = Db::connect(&DbOptions::new(std::env::var("NABIJ_REPORT_DB").unwrap()))
        .await
        .unwrap();
    for _ in 0..2 {
        let t = std::time::Instant::now();
        let f = db2
            .report_facts(&nabij_store::reports::FactScope {
                organisation: 1,
                municipality: None,
                period: &period,
                from_ts: midnight(period.from),
                end_ts: midnight(period.end()),
                today: period.to,
                tz: &tz,
            })
            .await
            .unwrap();
        println!(
            "facts: {:?} ({} placed, {} ended, {} held, {} later)",
            t.elapsed(),
            f.placed.len(),
            f.ended.len(),
            f.held.len(),
            f.later_starts.len()
        );
        let t = std::time::Instant::now();
        let n = nabij_domain::measures::place_nights(&f, &period, period.to);
        println!("place nights: {:?} ({})", t.elapsed(), n.len());
    }
    for (preset, view) in [
        ("12-maanden", View::Summary),
        ("12-maanden", View::Summary),
        ("24-maanden", View::Summary),
        ("12-maanden", View::Homes),
        ("12-maanden", View::Months),
        ("12-maanden", View::Municipalities),
    ] {
        let q = ReportQuery {
            preset: Some(preset.into()),
            ..Default::default()
        };
        let t = std::time::Instant::now();
        let scope = reports::scope(&app, &caller, &q).await.unwrap();
        let r = reports::report(&app, &caller, &scope, view, None)
            .await
            .unwrap();
        println!(
            "{preset} {}: {:?}, {} tables",
            view.code(),
            t.elapsed(),
            r.tables.len()
        );
    }
}
