//! Paged lists on both backends: walking every page while stays are being added loses and
//! repeats nothing, totals are exact, and the attention filters in SQL select exactly the
//! stays the clock says need attention.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_domain::page::PageRequest;
use nabij_domain::stay::{Milestone, MilestoneStatus, StayClock};
use nabij_store::homes::NewHome;
use nabij_store::stays::{Attention, Stay, StayFilter};
use nabij_store::testing::raw_execute;
use nabij_store::{Db, DbOptions};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

const TODAY: Date = date(2026, 3, 2);

async fn sqlite() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("t.db").display());
    (Db::connect(&DbOptions::new(url)).await.unwrap(), dir)
}

/// A home and `n` persons with an active stay each, written in bulk: planned ends over 40
/// days (so many stays share one), milestones done for some.
async fn seed(db: &Db, n: i64) -> i64 {
    let point = GeoPoint {
        lat: 52.085,
        lon: 4.883,
    };
    let m = db
        .create_municipality(None, Some("GM0632"), "Woerden", point)
        .await
        .unwrap();
    let nb = db
        .create_neighbourhood(m, Some("BU06320101"), "Centrum", point)
        .await
        .unwrap();
    let now: Timestamp = "2026-01-01T10:00:00Z".parse().unwrap();
    let home = db
        .create_home(
            &NewHome {
                organisation_id: 1,
                name: "Pitstop".into(),
                kind: HomeKind::Pitstop,
                address: "Rijnstraat 1".into(),
                neighbourhood: nb,
                point: None,
                rules: HouseRules::default(),
                max_stay_months: 6,
                landlord: None,
                places: 1,
                opened_on: None,
            },
            now,
        )
        .await
        .unwrap();
    add_stays(db, m.0, home.0, 0, n).await;
    // Statistics as a running database keeps them, after a bulk load.
    raw_execute(db, "ANALYZE").await.unwrap();
    home.0
}

/// `count` persons numbered from `from`, each with an active stay.
async fn add_stays(db: &Db, municipality: i64, home: i64, from: i64, count: i64) {
    raw_execute(
        db,
        &format!(
            "INSERT INTO persons (first_name, last_name, gender, household_size, own_municipality_id, created_at, organisation_id) \
             WITH RECURSIVE k(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM k WHERE i < {last}) \
             SELECT 'Persoon', 'Nummer ' || i, 'man', 1, {municipality}, '2026-01-01T10:00:00Z', 1 FROM k",
            first = from + 1,
            last = from + count,
        ),
    )
    .await
    .unwrap();
    // Start dates over 200 days before today; planned ends over 40 days around today.
    raw_execute(
        db,
        &format!(
            "INSERT INTO stays (person_id, home_id, start_date, planned_end, placed_at, proximity, distance_km, \
             plan_done_on, evaluation_done_on, ready_on) \
             SELECT k.i, {home}, \
             CASE WHEN i % 200 < 10 THEN '2025-08-' || (10 + i % 10) \
                  WHEN i % 200 < 100 THEN '2025-' || (10 + i % 3) || '-' || (10 + i % 19) \
                  ELSE '2026-0' || (1 + i % 2) || '-' || (10 + i % 18) END, \
             '2026-03-' || (10 + i % 20), '2026-01-01T10:00:00Z', 'elsewhere', 1.0, \
             CASE WHEN i % 3 = 0 THEN '2026-01-05' END, CASE WHEN i % 5 = 0 THEN '2026-02-05' END, \
             CASE WHEN i % 7 = 0 THEN '2026-02-20' END \
             FROM (SELECT p.id AS i FROM persons p WHERE NOT EXISTS (SELECT 1 FROM stays s WHERE s.person_id = p.id)) k",
        ),
    )
    .await
    .unwrap();
    // Some are past their planned end.
    raw_execute(
        db,
        &format!(
            "UPDATE stays SET planned_end = '2026-02-' || (10 + id % 15) WHERE id % 4 = 0 AND start_date < '2026-02-01' AND id > {from}"
        ),
    )
    .await
    .unwrap();
}

/// Every page of a list, in order.
async fn walk(db: &Db, f: &StayFilter, size: u32) -> (Vec<Stay>, Vec<i64>) {
    let mut req = PageRequest::first(size);
    let mut rows = Vec::new();
    let mut totals = Vec::new();
    loop {
        let page = db.stays_page(f, &req).await.unwrap();
        assert!(page.items.len() <= size as usize);
        totals.push(page.total);
        rows.extend(page.items);
        match page.next {
            Some(c) => req = PageRequest::parse(Some(&c), Some(size)).unwrap(),
            None => break,
        }
    }
    (rows, totals)
}

fn active() -> StayFilter {
    StayFilter {
        active: Some(true),
        organisation: Some(1),
        ..Default::default()
    }
}

async fn paging_under_concurrent_inserts(db: Db) {
    const START: i64 = 400;
    let home = seed(&db, START).await;
    let m = db.municipalities().await.unwrap()[0].id.0;
    let db = Arc::new(db);
    let before: HashSet<i64> = walk(&db, &active(), 500)
        .await
        .0
        .iter()
        .map(|s| s.id.0)
        .collect();
    assert_eq!(before.len() as i64, START);

    let done = Arc::new(AtomicBool::new(false));
    let added = Arc::new(AtomicI64::new(0));
    let writer = {
        let (db, done, added) = (db.clone(), done.clone(), added.clone());
        tokio::spawn(async move {
            // A bounded number of rounds, so the walks always reach the end.
            let mut from = START;
            for _ in 0..60 {
                if done.load(Ordering::SeqCst) {
                    break;
                }
                add_stays(&db, m, home, from, 3).await;
                from += 3;
                added.fetch_add(3, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        })
    };
    // Walk several times, in pages of 7, while stays are added in between pages.
    for _ in 0..3 {
        let (rows, totals) = walk(&db, &active(), 7).await;
        let ids: Vec<i64> = rows.iter().map(|s| s.id.0).collect();
        let unique: HashSet<i64> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "no stay is shown twice");
        assert!(before.is_subset(&unique), "no stay that existed is lost");
        for w in rows.windows(2) {
            assert!(
                (w[0].planned_end, w[0].id.0) < (w[1].planned_end, w[1].id.0),
                "the list stays in planned-end order across pages"
            );
        }
        for pair in totals.windows(2) {
            assert!(
                pair[0] <= pair[1],
                "the total only grows while stays are added"
            );
        }
        assert!(totals[0] >= START);
    }
    done.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    let (rows, totals) = walk(&db, &active(), 50).await;
    let expected = START + added.load(Ordering::SeqCst);
    assert!(expected > START, "stays were added during the walk");
    assert_eq!(rows.len() as i64, expected);
    assert!(totals.iter().all(|t| *t == expected), "{totals:?}");
    assert_eq!(db.count_stays(&active()).await.unwrap(), expected);
}

/// The attention filters select in SQL exactly what the clock and the milestones say.
async fn attention_in_sql_matches_the_clock(db: Db) {
    seed(&db, 300).await;
    let all = db.stays(active()).await.unwrap();
    assert_eq!(all.len(), 300);
    let pressing = |s: &Stay| {
        Milestone::ALL.iter().any(|m| {
            let done = match m {
                Milestone::RecoveryPlan => s.plan_done_on,
                Milestone::Evaluation => s.evaluation_done_on,
                Milestone::ExitPreparation => s.exit_preparation_done_on,
            };
            MilestoneStatus::of_stay(*m, s.start, done, s.exit_date, TODAY).is_open_and_pressing()
        })
    };
    let overdue =
        |s: &Stay| StayClock::of(s.start, s.planned_end, s.ready_on, s.exit_date, TODAY).overdue;
    type Rule<'a> = &'a dyn Fn(&Stay) -> bool;
    let cases: [(Attention, Rule); 3] = [
        (Attention::Milestone { today: TODAY }, &pressing),
        (Attention::Overdue { today: TODAY }, &overdue),
        (Attention::WaitingForHousing, &|s: &Stay| {
            s.ready_on.is_some()
        }),
    ];
    for (attention, rule) in cases {
        let f = StayFilter {
            attention: Some(attention),
            ..active()
        };
        let (rows, totals) = walk(&db, &f, 9).await;
        let mut got: Vec<i64> = rows.iter().map(|s| s.id.0).collect();
        got.sort();
        let want: Vec<i64> = all.iter().filter(|s| rule(s)).map(|s| s.id.0).collect();
        let mut want = want;
        want.sort();
        assert!(!want.is_empty() && want.len() < all.len(), "{attention:?}");
        assert_eq!(got, want, "{attention:?}");
        assert_eq!(totals[0], want.len() as i64);
    }
    // A tampered cursor never reaches the database; a valid one from another list only
    // moves the start.
    assert!(PageRequest::parse(Some("12.zz"), None).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_under_concurrent_inserts_on_sqlite() {
    let (db, _dir) = sqlite().await;
    paging_under_concurrent_inserts(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_under_concurrent_inserts_on_postgres() {
    let Some(db) = nabij_store::testing::postgres_from_env().await else {
        return;
    };
    paging_under_concurrent_inserts(db).await;
}

#[tokio::test]
async fn attention_in_sql_matches_the_clock_on_sqlite() {
    let (db, _dir) = sqlite().await;
    attention_in_sql_matches_the_clock(db).await;
}

#[tokio::test]
async fn attention_in_sql_matches_the_clock_on_postgres() {
    let Some(db) = nabij_store::testing::postgres_from_env().await else {
        return;
    };
    attention_in_sql_matches_the_clock(db).await;
}

/// The totals of all, running and ended stays are kept as stays begin, end, reopen and go
/// (0026); they always equal counting the rows, and each page of those lists carries them.
async fn kept_totals_equal_counting(db: Db) {
    seed(&db, 120).await;
    let filter = |active: Option<bool>| StayFilter {
        active,
        organisation: Some(1),
        ..Default::default()
    };
    let counted = |sql: &'static str| {
        let db = &db;
        async move {
            let n = nabij_store::testing::raw_strings(db, sql).await.unwrap();
            n[0].parse::<i64>().unwrap()
        }
    };
    let check = |step: &'static str| {
        let db = &db;
        async move {
            let all =
                counted("SELECT CAST(COUNT(*) AS TEXT) FROM stays WHERE organisation_id = 1").await;
            let running =
                counted("SELECT CAST(COUNT(*) AS TEXT) FROM stays WHERE organisation_id = 1 AND exit_date IS NULL")
                    .await;
            for (active, expected) in [
                (None, all),
                (Some(true), running),
                (Some(false), all - running),
            ] {
                let f = filter(active);
                assert_eq!(
                    db.count_stays(&f).await.unwrap(),
                    expected,
                    "{step}: {active:?}"
                );
                let page = db.stays_page(&f, &PageRequest::first(10)).await.unwrap();
                assert_eq!(page.total, expected, "{step}: page of {active:?}");
            }
        }
    };
    check("after the first stays").await;
    raw_execute(
        &db,
        "UPDATE stays SET exit_date = '2026-03-01', destination = 'own_rented_home' WHERE id % 3 = 0",
    )
    .await
    .unwrap();
    check("after exits").await;
    raw_execute(
        &db,
        "UPDATE stays SET exit_date = NULL, destination = NULL WHERE id % 9 = 0",
    )
    .await
    .unwrap();
    check("after exits were undone").await;
    raw_execute(
        &db,
        "UPDATE stays SET planned_end = '2026-04-01' WHERE id % 2 = 0",
    )
    .await
    .unwrap();
    check("after other changes").await;
    raw_execute(&db, "DELETE FROM stay_places").await.unwrap();
    raw_execute(&db, "DELETE FROM stays WHERE id % 5 = 0")
        .await
        .unwrap();
    check("after removals").await;
    assert!(
        counted("SELECT CAST(COUNT(*) AS TEXT) FROM stays WHERE exit_date IS NOT NULL").await > 0,
        "some stays ended"
    );
}

#[tokio::test]
async fn kept_totals_equal_counting_on_sqlite() {
    let (db, _dir) = sqlite().await;
    kept_totals_equal_counting(db).await;
}

#[tokio::test]
async fn kept_totals_equal_counting_on_postgres() {
    let Some(db) = nabij_store::testing::postgres_from_env().await else {
        return;
    };
    kept_totals_equal_counting(db).await;
}
