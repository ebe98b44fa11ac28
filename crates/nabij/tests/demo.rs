//! The demo data shows every part of the core loop.

use nabij_domain::stay::DestinationClass;
use nabij_store::referrals::ReferralFilter;
use nabij_store::{Db, DbOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_history_covers_the_core_loop_and_is_deterministic() {
    let now = "2026-11-23T14:00:00Z".parse().unwrap();
    let mut summaries = Vec::new();
    let mut passwords = Vec::new();
    for _ in 0..2 {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&DbOptions::new(format!(
            "sqlite:{}",
            dir.path().join("d.db").display()
        )))
        .await
        .unwrap();
        // The demo runs every step through the use cases, at the moment it happened.
        let app = nabij_app::App::new(db.clone(), nabij_app::Clock::fixed(now));
        let s = nabij::demo::seed(&app, 2026).await.unwrap();
        let facts = db.stay_facts(1).await.unwrap();
        let classes: std::collections::HashSet<_> = facts
            .iter()
            .filter_map(|f| f.exit.map(|(_, d)| d.class()))
            .collect();
        for c in DestinationClass::ALL {
            assert!(classes.contains(c), "no exit to {c:?}");
        }
        assert!(
            facts.iter().any(|f| f.extensions > 0),
            "some stays were extended"
        );
        assert!(
            facts
                .iter()
                .any(|f| f.ready_on.is_some() && f.exit.is_none()),
            "someone waits for housing now"
        );
        let first = facts.iter().map(|f| f.start).min().unwrap();
        assert!(
            first <= jiff::civil::date(2024, 12, 1),
            "about two years of history"
        );
        let open = db.referrals(1, ReferralFilter::Open, 50).await.unwrap();
        assert!(
            open.iter().any(|r| r.person_name == "Erik Kramer"),
            "a breach to show"
        );
        assert!(
            !db.no_place_counts(1, "2024-01-01T00:00:00Z".parse().unwrap())
                .await
                .unwrap()
                .is_empty()
        );
        let homes = db.homes(1).await.unwrap();
        assert!(
            homes
                .iter()
                .any(|h| h.landlord.as_deref() == Some("Dunavie")),
            "the Katwijk omklapwoning"
        );
        assert_eq!(
            homes
                .iter()
                .filter(|h| h.name.starts_with("Pitstop "))
                .count(),
            5
        );
        // One account per role, each able to sign in with the printed password.
        let roles: Vec<_> = s.users.iter().map(|(r, _, _)| *r).collect();
        let all = nabij_domain::access::Role::ALL;
        assert_eq!(&roles[..all.len()], all);
        // And users for the corporation and the social team of the chain.
        assert!(
            roles[all.len()..]
                .iter()
                .all(|r| *r == nabij_domain::access::Role::Partner)
        );
        // Dunavie's omklapwoningen in Katwijk in each state, quotas, offers answered.
        let flips = db.flips(1, None).await.unwrap();
        for state in nabij_domain::outflow::FlipState::ALL {
            assert!(
                flips.iter().any(|f| f.flip.state == *state),
                "an omklapwoning {state:?}"
            );
        }
        assert!(flips.iter().any(|f| f.flip.reviews_failed > 0));
        let quotas = db
            .quotas(&nabij_store::outflow::QuotaFilter {
                provider: 1,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(quotas.iter().any(|q| q.units.used > 0), "offers accepted");
        let (offers, _) = db.offers_page(1, None, None, 100).await.unwrap();
        assert!(offers.iter().any(|o| o.declines > 0), "offers declined");
        for (_, username, password) in &s.users {
            let user = db.user_by_username(username).await.unwrap().unwrap();
            assert!(nabij_app::secrets::verify_password(
                password,
                Some(&user.password_hash)
            ));
        }
        // Guidance, buddies and signals are there to show, in every state.
        let conn = rusqlite::Connection::open(dir.path().join("d.db")).unwrap();
        for (what, sql) in [
            (
                "guidance episodes",
                "SELECT COUNT(*) FROM guidance_episodes",
            ),
            ("goals in plans", "SELECT COUNT(*) FROM goals"),
            ("contacts logged", "SELECT COUNT(*) FROM contacts"),
            ("ZRM assessments", "SELECT COUNT(*) FROM zrm_assessments"),
            (
                "a signal just received",
                "SELECT COUNT(*) FROM signals WHERE acknowledged_at IS NULL AND escalated_at IS NULL",
            ),
            (
                "an escalated signal",
                "SELECT COUNT(*) FROM signals WHERE escalated_at IS NOT NULL",
            ),
            (
                "a signal taken up",
                "SELECT COUNT(*) FROM signals WHERE acknowledged_at IS NOT NULL AND closed_at IS NULL",
            ),
            (
                "a closed signal",
                "SELECT COUNT(*) FROM signals WHERE closed_at IS NOT NULL",
            ),
            (
                "a signal about the house",
                "SELECT COUNT(*) FROM signals WHERE person_id IS NULL",
            ),
            (
                "a buddy whose VOG expires within 30 days",
                "SELECT COUNT(*) FROM buddies WHERE vog_screened_on > '2023-11-23' AND vog_screened_on <= '2023-12-23'",
            ),
            (
                "a running match with check-ins",
                "SELECT COUNT(*) FROM buddy_matches m WHERE m.ended_on IS NULL AND EXISTS (SELECT 1 FROM buddy_check_ins c WHERE c.match_id = m.id)",
            ),
            (
                "a referral a social team submitted itself",
                "SELECT COUNT(*) FROM referrals r JOIN organisations o ON o.id = r.referred_by_organisation_id \
                 WHERE o.partner_kind = 'sociaal_team' AND EXISTS (SELECT 1 FROM consents c \
                 WHERE c.person_id = r.person_id AND c.organisation_id = o.id AND c.purpose = 'referral')",
            ),
            (
                "a referral a municipality submitted itself",
                "SELECT COUNT(*) FROM referrals r JOIN organisations o ON o.id = r.referred_by_organisation_id \
                 WHERE o.partner_kind = 'gemeente' AND EXISTS (SELECT 1 FROM consents c \
                 WHERE c.person_id = r.person_id AND c.organisation_id = o.id AND c.purpose = 'referral')",
            ),
            (
                "a resident waiting for a buddy",
                "SELECT COUNT(*) FROM buddy_wishes w WHERE NOT EXISTS (SELECT 1 FROM buddy_matches m WHERE m.person_id = w.person_id AND m.ended_on IS NULL)",
            ),
        ] {
            assert!(count(&conn, sql) > 0, "the demo has no {what}");
        }
        drop(conn);
        // The history's changes are in the access log, and its chain holds.
        let check = db.verify_access_log().await.unwrap();
        assert!(
            check.entries > 1000 && check.first_broken.is_none(),
            "{check:?}"
        );
        summaries.push((s.referrals, s.stays, s.active_stays));
        passwords.push(s.users.clone());
    }
    assert_eq!(
        summaries[0], summaries[1],
        "same seed and date, same history"
    );
    // No two demo installations share a password.
    for (a, b) in passwords[0].iter().zip(&passwords[1]) {
        assert_ne!(a.2, b.2, "demo password of {} is the same twice", a.1);
    }
}

/// Every row of a table, each value in its text form, in row order.
fn rows(conn: &rusqlite::Connection, table: &str) -> Vec<Vec<String>> {
    let mut stmt = conn
        .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
        .unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..n)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => "NULL".to_string(),
                rusqlite::types::ValueRef::Integer(x) => format!("i{x}"),
                rusqlite::types::ValueRef::Real(x) => format!("r{x}"),
                rusqlite::types::ValueRef::Text(t) => {
                    format!("t{}", String::from_utf8_lossy(t))
                }
                rusqlite::types::ValueRef::Blob(b) => format!("b{b:?}"),
            })
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The tables the national demo fills (accounts and the access log hold random passwords
/// and keys, so they are left out).
const DATA_TABLES: &[&str] = &[
    "regions",
    "municipalities",
    "neighbourhoods",
    "homes",
    "places",
    "place_blocks",
    "persons",
    "person_avoid_areas",
    "referrals",
    "no_place_events",
    "stays",
    "stay_places",
    "stay_extensions",
    "guidance",
    "user_homes",
];

fn fingerprint(file: &std::path::Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let conn = rusqlite::Connection::open(file).unwrap();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for t in DATA_TABLES {
        t.hash(&mut h);
        rows(&conn, t).hash(&mut h);
    }
    h.finish()
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

async fn national_test_demo(dir: &std::path::Path, seed: u64) -> nabij::demo::DemoSummary {
    let now = "2026-11-23T14:00:00Z".parse().unwrap();
    let db = Db::connect(&DbOptions::new(format!(
        "sqlite:{}",
        dir.join("n.db").display()
    )))
    .await
    .unwrap();
    let app = nabij_app::App::new(db.clone(), nabij_app::Clock::fixed(now));
    let s = nabij::demo::seed_scale(&app, seed, nabij::demo::Scale::Test)
        .await
        .unwrap();
    // The load's write-ahead log is in the file: none is left as large as the data.
    let wal = dir.join("n.db-wal");
    let left = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(
        left,
        0,
        "{} holds {left} bytes after the demo",
        wal.display()
    );
    let check = db.verify_access_log().await.unwrap();
    assert!(check.first_broken.is_none(), "{check:?}");
    db.close().await;
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_national_demo_is_deterministic_and_keeps_every_rule_of_the_data() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let a = national_test_demo(dirs[0].path(), 7).await;
    national_test_demo(dirs[1].path(), 7).await;
    national_test_demo(dirs[2].path(), 8).await;
    let files: Vec<_> = dirs.iter().map(|d| d.path().join("n.db")).collect();
    assert_eq!(
        fingerprint(&files[0]),
        fingerprint(&files[1]),
        "same seed, same rows"
    );
    assert_ne!(
        fingerprint(&files[0]),
        fingerprint(&files[2]),
        "another seed, another history"
    );

    let conn = rusqlite::Connection::open(&files[0]).unwrap();
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM stays") as usize, a.stays);
    assert!(a.stays > 1000 && a.active_stays > 50, "{a:?}");
    assert!(a.persons < a.stays, "people come back: {a:?}");
    // Offers spread over the two years, and omklapwoningen whose lease flipped, each
    // ending its resident's stay with own lease via omklap.
    let months = count(
        &conn,
        "SELECT COUNT(DISTINCT substr(created_at, 1, 7)) FROM offers",
    );
    assert!(months >= 18, "offers in {months} months");
    let flipped = count(&conn, "SELECT COUNT(*) FROM flips WHERE state = 'flipped'");
    assert!(flipped >= 5, "{flipped} flips");
    let ended = count(
        &conn,
        "SELECT COUNT(*) FROM flips f JOIN stays s ON s.person_id = f.resident_person_id \
         WHERE f.state = 'flipped' AND s.destination = 'own_lease_via_flip' AND s.exit_date = f.flipped_on",
    );
    assert_eq!(ended, flipped);
    // Every demo account signs in as in the regional demo.
    let roles: Vec<_> = a.users.iter().map(|(r, _, _)| *r).collect();
    assert_eq!(roles, nabij_domain::access::Role::ALL);
    for (what, sql) in [
        (
            "a place holds two stays on one night",
            "SELECT COUNT(*) FROM stay_places a JOIN stays sa ON sa.id = a.stay_id \
             JOIN stay_places b ON b.place_id = a.place_id AND b.stay_id > a.stay_id \
             JOIN stays sb ON sb.id = b.stay_id \
             WHERE sa.start_date < COALESCE(sb.exit_date, '9999-12-31') \
             AND sb.start_date < COALESCE(sa.exit_date, '9999-12-31')",
        ),
        (
            "a place is blocked while someone stays in it",
            "SELECT COUNT(*) FROM place_blocks b JOIN stay_places sp ON sp.place_id = b.place_id \
             JOIN stays s ON s.id = sp.stay_id \
             WHERE s.start_date <= COALESCE(b.until_date, '9999-12-31') \
             AND b.from_date < COALESCE(s.exit_date, '9999-12-31')",
        ),
        (
            "a person has two stays running",
            "SELECT COUNT(*) FROM (SELECT person_id FROM stays WHERE exit_date IS NULL \
             GROUP BY person_id HAVING COUNT(*) > 1)",
        ),
        (
            "a person's stays overlap",
            "SELECT COUNT(*) FROM stays a JOIN stays b ON a.person_id = b.person_id AND a.id < b.id \
             WHERE a.start_date < COALESCE(b.exit_date, '9999-12-31') \
             AND b.start_date < COALESCE(a.exit_date, '9999-12-31')",
        ),
        (
            "a stay lies outside its home's service dates",
            "SELECT COUNT(*) FROM stays s JOIN homes h ON h.id = s.home_id \
             WHERE s.start_date < h.opened_on \
             OR (h.closed_on IS NOT NULL AND COALESCE(s.exit_date, '9999-12-31') > h.closed_on)",
        ),
        (
            "a stay lies outside its place's service dates",
            "SELECT COUNT(*) FROM stays s JOIN stay_places sp ON sp.stay_id = s.id \
             JOIN places p ON p.id = sp.place_id WHERE s.start_date < p.opened_on \
             OR (p.retired_on IS NOT NULL AND COALESCE(s.exit_date, '9999-12-31') > p.retired_on)",
        ),
        (
            "a placed referral has no stay",
            "SELECT COUNT(*) FROM referrals r WHERE r.state = 'placed' \
             AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.referral_id = r.id)",
        ),
        (
            "a stay began before its referral came in or was placed",
            "SELECT COUNT(*) FROM stays s JOIN referrals r ON r.id = s.referral_id \
             WHERE s.placed_at < r.received_at OR r.closed_at <> s.placed_at \
             OR s.start_date < SUBSTR(r.received_at, 1, 10)",
        ),
        (
            "a stay ends before it starts, or its places are released on another day",
            "SELECT COUNT(*) FROM stays s JOIN stay_places sp ON sp.stay_id = s.id \
             WHERE s.exit_date < s.start_date OR sp.released_on IS NOT s.exit_date",
        ),
        (
            "a milestone or ready date lies outside the stay",
            "SELECT COUNT(*) FROM stays WHERE plan_done_on < start_date \
             OR plan_done_on > COALESCE(exit_date, '2026-11-23') \
             OR evaluation_done_on > COALESCE(exit_date, '2026-11-23') \
             OR ready_on < start_date OR ready_on > '2026-11-23'",
        ),
        (
            "an extension does not move the end forward or ends elsewhere than the stay",
            "SELECT COUNT(*) FROM stay_extensions e JOIN stays s ON s.id = e.stay_id \
             WHERE e.new_end <= e.previous_end OR (e.id = (SELECT MAX(id) FROM stay_extensions x \
             WHERE x.stay_id = s.id) AND e.new_end <> s.planned_end)",
        ),
        (
            "something happened after the demo's now",
            "SELECT (SELECT COUNT(*) FROM referrals WHERE received_at > '2026-11-23T14:00:00Z') \
             + (SELECT COUNT(*) FROM stays WHERE placed_at > '2026-11-23T14:00:00Z' \
                OR start_date > '2026-11-23' OR exit_date > '2026-11-23')",
        ),
        (
            "someone came back after dying",
            "SELECT COUNT(*) FROM stays a JOIN stays b ON a.person_id = b.person_id \
             WHERE a.destination = 'deceased' AND b.start_date >= a.exit_date AND b.id <> a.id",
        ),
    ] {
        assert_eq!(count(&conn, sql), 0, "{what}");
    }
    // The history shows what the pages and reports are about.
    for (what, sql) in [
        (
            "people placed in their own neighbourhood",
            "SELECT COUNT(*) FROM stays WHERE proximity = 'own_neighbourhood'",
        ),
        (
            "people placed elsewhere",
            "SELECT COUNT(*) FROM stays WHERE proximity = 'elsewhere' AND distance_km > 0",
        ),
        (
            "no place in the own area",
            "SELECT COUNT(*) FROM no_place_events",
        ),
        (
            "extensions",
            "SELECT COUNT(*) FROM stay_extensions WHERE reason <> ''",
        ),
        ("blocks", "SELECT COUNT(*) FROM place_blocks"),
        (
            "people waiting for housing",
            "SELECT COUNT(*) FROM stays WHERE ready_on IS NOT NULL AND exit_date IS NULL",
        ),
        (
            "overdue stays",
            "SELECT COUNT(*) FROM stays WHERE exit_date IS NULL AND planned_end < '2026-11-23'",
        ),
        (
            "quick returns",
            "SELECT COUNT(*) FROM stays a JOIN stays b ON a.person_id = b.person_id \
             AND b.start_date >= a.exit_date AND julianday(b.start_date) - julianday(a.exit_date) <= 14",
        ),
        (
            "later returns",
            "SELECT COUNT(*) FROM stays a JOIN stays b ON a.person_id = b.person_id \
             AND julianday(b.start_date) - julianday(a.exit_date) > 14",
        ),
        (
            "placements after days of waiting",
            "SELECT COUNT(*) FROM stays WHERE start_date > SUBSTR((SELECT received_at FROM referrals r WHERE r.id = referral_id), 1, 10)",
        ),
        (
            "homes opened during the history",
            "SELECT COUNT(*) FROM homes WHERE opened_on > '2025-11-23'",
        ),
        (
            "homes closed",
            "SELECT COUNT(*) FROM homes WHERE closed_on IS NOT NULL",
        ),
        (
            "places added later",
            "SELECT COUNT(*) FROM places p JOIN homes h ON h.id = p.home_id WHERE p.opened_on > h.opened_on",
        ),
        (
            "open referrals",
            "SELECT COUNT(*) FROM referrals WHERE state = 'received'",
        ),
        (
            "the professional's caseload",
            "SELECT COUNT(*) FROM guidance",
        ),
    ] {
        assert!(count(&conn, sql) > 0, "no {what}");
    }
    let kinds = count(
        &conn,
        "SELECT COUNT(DISTINCT kind) FROM homes h JOIN stays s ON s.home_id = h.id",
    );
    assert_eq!(kinds, 4, "stays in every kind of home");
}

/// The same referral placed, extended and ended once through the use cases and once through
/// the bulk path: every column of every row matches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bulk_path_writes_the_rows_the_use_cases_write() {
    use jiff::civil::date;
    use nabij_app::seed::*;
    use nabij_domain::home::{HomeKind, HouseRules};
    use nabij_domain::placement::Proximity;
    use nabij_domain::referral::{ReferralSource, ReferralState, Urgency};
    use nabij_domain::stay::Destination;
    let ts = |s: &str| -> jiff::Timestamp { s.parse().unwrap() };
    let setup = ts("2026-03-02T08:00:00Z");
    let received = ts("2026-03-02T09:30:00Z");
    let placed = ts("2026-03-02T10:05:00Z");
    let extended = ts("2026-08-20T10:15:00Z");
    let later = ts("2026-10-01T12:00:00Z");
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let files: Vec<_> = dirs.iter().map(|d| d.path().join("d.db")).collect();
    let sys = nabij_app::Caller::system("nabij demo", nabij_domain::ids::OrganisationId(1));

    // Through the use cases.
    let db = Db::connect(&DbOptions::new(format!("sqlite:{}", files[0].display())))
        .await
        .unwrap();
    let clock = nabij_app::Clock::fixed(setup);
    let app = nabij_app::App::new(db.clone(), clock.clone());
    let region = nabij_app::geography::region(&app, &sys, "Holland Rijnland")
        .await
        .unwrap();
    let point = nabij_domain::geo::GeoPoint {
        lat: 52.158,
        lon: 4.493,
    };
    let muni = nabij_app::geography::add_municipality(
        &app,
        &sys,
        Some(region),
        Some("GM0546"),
        "Leiden",
        point,
    )
    .await
    .unwrap();
    let buurt = nabij_app::geography::add_neighbourhood(
        &app,
        &sys,
        muni,
        Some("BU05460001"),
        "Binnenstad",
        point,
    )
    .await
    .unwrap();
    let home = nabij_app::homes::open(
        &app,
        &sys,
        &nabij_app::homes::HomeInput {
            name: "Pitstop Leiden".into(),
            kind: "pitstop".into(),
            address: "Breestraat 1".into(),
            neighbourhood_id: buurt.0,
            lat: None,
            lon: None,
            women_only: false,
            accessible: true,
            pets_allowed: false,
            max_stay_months: Some(6),
            landlord: None,
            places: 2,
            opened_on: None,
        },
    )
    .await
    .unwrap()
    .home
    .id;
    clock.set(received);
    let intake = nabij_app::intake::IntakeInput {
        first_name: "Anna".into(),
        last_name: "de Vries".into(),
        gender: nabij_domain::person::Gender::Woman.code().into(),
        date_of_birth: Some("1980-05-17".into()),
        bsn: None,
        phone: Some("06-12345678".into()),
        household_size: 1,
        needs_accessible: false,
        needs_pets: false,
        needs_women_only: false,
        own_municipality_id: muni.0,
        own_neighbourhood_id: Some(buurt.0),
        avoid_municipality_ids: vec![],
        avoid_neighbourhood_ids: vec![],
        source: ReferralSource::SocialTeam.code().into(),
        urgency: Urgency::High.code().into(),
        situation: "Relatie beëindigd, moet deze week de woning uit.".into(),
        referred_by_organisation_id: None,
    };
    let (person, referral) = nabij_app::intake::intake(&app, &sys, &intake)
        .await
        .unwrap();
    clock.set(placed);
    let stay = nabij_app::intake::place(&app, &sys, referral, home)
        .await
        .unwrap()
        .stay
        .id;
    // The plan milestone is met by the plan's first goal, on the day it is recorded.
    clock.set(ts("2026-03-15T10:00:00Z"));
    nabij_app::guidance::add_goal(
        &app,
        &sys,
        person,
        &nabij_app::guidance::GoalInput {
            title: "Een eigen woning vinden".into(),
            domain: "housing".into(),
            owner: "person".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    clock.set(extended);
    nabij_app::stays::extend(
        &app,
        &sys,
        stay,
        &nabij_app::stays::ExtensionInput {
            decided_by: "Coördinator Ria Hoekstra".into(),
            reason: "Woning toegezegd, sleutel volgt".into(),
            new_end: "2026-10-15".into(),
        },
    )
    .await
    .unwrap();
    clock.set(later);
    nabij_app::stays::ready(
        &app,
        &sys,
        stay,
        &nabij_app::stays::ReadyInput {
            ready_on: "2026-09-20".into(),
        },
    )
    .await
    .unwrap();
    nabij_app::stays::exit(
        &app,
        &sys,
        stay,
        &nabij_app::stays::ExitInput {
            exit_date: "2026-10-01".into(),
            destination: Destination::OwnRentedHome.code().into(),
            reason: String::new(),
        },
    )
    .await
    .unwrap();
    db.close().await;

    // Through the bulk path.
    let db = Db::connect(&DbOptions::new(format!("sqlite:{}", files[1].display())))
        .await
        .unwrap();
    let app = nabij_app::App::new(db.clone(), nabij_app::Clock::fixed(later));
    let data = BulkData {
        regions: vec![BulkRegion {
            id: 1,
            name: "Holland Rijnland".into(),
        }],
        municipalities: vec![BulkMunicipality {
            id: 1,
            region_id: Some(1),
            code: Some("GM0546".into()),
            name: "Leiden".into(),
            lat: point.lat,
            lon: point.lon,
        }],
        neighbourhoods: vec![BulkNeighbourhood {
            id: 1,
            municipality_id: 1,
            code: Some("BU05460001".into()),
            name: "Binnenstad".into(),
            lat: point.lat,
            lon: point.lon,
        }],
        homes: vec![BulkHome {
            id: 1,
            organisation_id: 1,
            name: "Pitstop Leiden".into(),
            kind: HomeKind::Pitstop,
            address: "Breestraat 1".into(),
            neighbourhood_id: 1,
            lat: point.lat,
            lon: point.lon,
            rules: HouseRules {
                women_only: false,
                accessible: true,
                pets_allowed: false,
            },
            max_stay_months: 6,
            landlord: None,
            created_at: setup,
            opened_on: date(2026, 3, 2),
            closed_on: None,
        }],
        places: (1..=2)
            .map(|n| BulkPlace {
                id: n,
                home_id: 1,
                label: format!("Plek {n}"),
                opened_on: date(2026, 3, 2),
                retired_on: None,
            })
            .collect(),
        blocks: vec![],
        persons: vec![BulkPerson {
            id: 1,
            organisation_id: 1,
            first_name: "Anna".into(),
            last_name: "de Vries".into(),
            gender: nabij_domain::person::Gender::Woman,
            date_of_birth: Some(date(1980, 5, 17)),
            phone: Some("06-12345678".into()),
            household_size: 1,
            needs_accessible: false,
            needs_pets: false,
            needs_women_only: false,
            own_municipality_id: 1,
            own_neighbourhood_id: Some(1),
            avoid_neighbourhoods: vec![],
            created_at: received,
        }],
        referrals: vec![BulkReferral {
            id: 1,
            person_id: 1,
            organisation_id: 1,
            referred_by: None,
            source: ReferralSource::SocialTeam,
            urgency: Urgency::High,
            situation: "Relatie beëindigd, moet deze week de woning uit.".into(),
            received_at: received,
            state: ReferralState::Placed,
            closed_at: Some(placed),
            close_reason: None,
            no_place: None,
        }],
        stays: vec![BulkStay {
            id: 1,
            person_id: 1,
            home_id: 1,
            referral_id: Some(1),
            places: vec![1],
            start: date(2026, 3, 2),
            planned_end: date(2026, 10, 15),
            placed_at: placed,
            proximity: Proximity::OwnNeighbourhood,
            distance_km: 0.0,
            ready_on: Some(date(2026, 9, 20)),
            exit: Some((date(2026, 10, 1), Destination::OwnRentedHome, String::new())),
            plan_done_on: Some(date(2026, 3, 15)),
            evaluation_done_on: None,
            exit_preparation_done_on: None,
            extensions: vec![BulkExtension {
                decided_by: "Coördinator Ria Hoekstra".into(),
                reason: "Woning toegezegd, sleutel volgt".into(),
                previous_end: date(2026, 9, 2),
                new_end: date(2026, 10, 15),
                decided_at: extended,
            }],
        }],
    };
    // Only the system loads in bulk: not even a coordinator.
    let coordinator = nabij_app::Caller::user(
        nabij_domain::ids::UserId(1),
        "coordinator",
        "Ria Hoekstra",
        nabij_domain::access::Role::Coordinator,
        nabij_domain::ids::OrganisationId(1),
        nabij_domain::ids::OrganisationId(1),
        "127.0.0.1",
        "test",
    );
    assert!(matches!(
        nabij_app::seed::load(&app, &coordinator, &data).await,
        Err(nabij_app::AppError::Forbidden(_))
    ));
    nabij_app::seed::load(&app, &sys, &data).await.unwrap();
    let again = nabij_app::seed::load(&app, &sys, &data).await;
    assert!(
        again.is_err(),
        "a second load into a filled database is refused"
    );
    let check = db.verify_access_log().await.unwrap();
    assert!(check.first_broken.is_none(), "{check:?}");
    db.close().await;

    let a = rusqlite::Connection::open(&files[0]).unwrap();
    let b = rusqlite::Connection::open(&files[1]).unwrap();
    for table in [
        "regions",
        "municipalities",
        "neighbourhoods",
        "homes",
        "places",
        "persons",
        "referrals",
        "no_place_events",
        "stays",
        "stay_places",
        "stay_extensions",
    ] {
        let (ra, rb) = (rows(&a, table), rows(&b, table));
        assert!(
            !ra.is_empty() || table == "no_place_events",
            "{table} written"
        );
        assert_eq!(ra.len(), rb.len(), "{table}: rows");
        for (x, y) in ra.iter().zip(&rb) {
            assert_eq!(x, y, "{table}: row differs, column by column");
        }
    }
}
