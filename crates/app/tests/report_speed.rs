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
