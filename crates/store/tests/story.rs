//! The conformance story: the whole core loop against SQLite always, and against PostgreSQL
//! when `NABIJ_TEST_POSTGRES_URL` is set (CI sets it and fails when PostgreSQL is away).

use jiff::civil::date;
use jiff::{Timestamp, ToSpan};
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_domain::ids::*;
use nabij_domain::person::{Gender, HouseholdSize, Needs};
use nabij_domain::placement::rank_free_places;
use nabij_domain::referral::{ReferralSource, ReferralState, Urgency};
use nabij_domain::stay::{Destination, ExtensionDecision, Milestone, planned_end};
use nabij_store::homes::NewHome;
use nabij_store::persons::NewPerson;
use nabij_store::referrals::{NewReferral, ReferralFilter};
use nabij_store::stays::{NewStay, StayFilter};
use nabij_store::{Backend, Db, DbOptions, StoreError};

fn person(first: &str, m: MunicipalityId, n: Option<NeighbourhoodId>) -> NewPerson {
    NewPerson {
        organisation_id: 1,
        first_name: first.into(),
        last_name: "Jansen".into(),
        gender: Gender::Man,
        date_of_birth: None,
        bsn: None,
        phone: None,
        household: HouseholdSize::new(1).unwrap(),
        needs: Needs::default(),
        own_municipality: m,
        own_neighbourhood: n,
        avoid: vec![],
    }
}

fn actor(at: Timestamp) -> nabij_store::audit::Actor {
    nabij_store::audit::Actor::system("story", at)
}

fn referral() -> NewReferral {
    NewReferral {
        organisation_id: 1,
        referred_by: None,
        source: ReferralSource::SocialTeam,
        urgency: Urgency::High,
        situation: "Dreigende huisuitzetting".into(),
    }
}

async fn story(db: Db) {
    let now: Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
    let today = date(2026, 3, 2);
    let region = db.create_region("Utrecht-West").await.unwrap();
    let woerden = db
        .create_municipality(
            Some(region),
            Some("GM0632"),
            "Woerden",
            GeoPoint {
                lat: 52.085,
                lon: 4.883,
            },
        )
        .await
        .unwrap();
    let zeist = db
        .create_municipality(
            Some(region),
            Some("GM0355"),
            "Zeist",
            GeoPoint {
                lat: 52.089,
                lon: 5.232,
            },
        )
        .await
        .unwrap();
    let dup = db
        .create_municipality(
            None,
            Some("GM0632"),
            "Dubbel",
            GeoPoint {
                lat: 52.0,
                lon: 5.0,
            },
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let centrum = db
        .create_neighbourhood(
            woerden,
            Some("BU06320101"),
            "Centrum",
            GeoPoint {
                lat: 52.086,
                lon: 4.884,
            },
        )
        .await
        .unwrap();
    let zeist_c = db
        .create_neighbourhood(
            zeist,
            Some("BU03550101"),
            "Zeist Centrum",
            GeoPoint {
                lat: 52.09,
                lon: 5.23,
            },
        )
        .await
        .unwrap();
    let pitstop = db
        .create_home(
            &NewHome {
                organisation_id: 1,
                name: "Pitstop Woerden".into(),
                kind: HomeKind::Pitstop,
                address: "Rijnstraat 1".into(),
                neighbourhood: centrum,
                point: None,
                rules: HouseRules {
                    pets_allowed: true,
                    ..Default::default()
                },
                max_stay_months: 6,
                landlord: None,
                places: 2,
                opened_on: None,
            },
            now,
        )
        .await
        .unwrap();
    let zeist_home = db
        .create_home(
            &NewHome {
                organisation_id: 1,
                name: "Pitstop Zeist".into(),
                kind: HomeKind::Pitstop,
                address: "Slotlaan 2".into(),
                neighbourhood: zeist_c,
                point: Some(GeoPoint {
                    lat: 52.09,
                    lon: 5.231,
                }),
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

    // Intake and ranking: own neighbourhood first.
    let (anna, r1) = db
        .create_referral(
            &person("Anna", woerden, Some(centrum)),
            &referral(),
            now,
            &actor(now),
        )
        .await
        .unwrap();
    let p = db.person(anna).await.unwrap();
    let avail = db.availability(today, 1, None).await.unwrap();
    assert_eq!(avail.len(), 2);
    assert_eq!(avail[0].free_places.len(), 2);
    let ranking = rank_free_places(&p.placement_request(), &avail);
    assert_eq!(ranking.proposals[0].home, pitstop);
    assert_eq!(ranking.proposals[1].home, zeist_home);
    let best = &ranking.proposals[0];

    let stay = db
        .place(
            &NewStay {
                referral: Some(r1),
                person: anna,
                home: pitstop,
                places: best.places.clone(),
                start: today,
                planned_end: planned_end(today, 6),
                placed_at: now,
                proximity: best.proximity,
                distance_km: best.distance_km,
            },
            &actor(now),
        )
        .await
        .unwrap();
    assert_eq!(db.referral(r1).await.unwrap().state, ReferralState::Placed);
    // The same referral cannot be placed twice.
    let again = db
        .place(
            &NewStay {
                referral: Some(r1),
                person: anna,
                home: zeist_home,
                places: avail[1].free_places.clone(),
                start: today,
                planned_end: planned_end(today, 6),
                placed_at: now,
                proximity: best.proximity,
                distance_km: 1.0,
            },
            &actor(now),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    // A person cannot have two active stays, even without a referral.
    let twice = db
        .place(
            &NewStay {
                referral: None,
                person: anna,
                home: zeist_home,
                places: avail[1].free_places.clone(),
                start: today,
                planned_end: planned_end(today, 6),
                placed_at: now,
                proximity: best.proximity,
                distance_km: 1.0,
            },
            &actor(now),
        )
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    // Nothing of the failed attempts was written: Zeist is still free.
    let avail = db.availability(today, 1, None).await.unwrap();
    assert_eq!(avail[0].free_places.len(), 1);
    assert_eq!(avail[1].free_places.len(), 1);

    // Blocking the last Woerden place: the next Woerden referral has no place in own area.
    let places = db.places_of_home(pitstop, today).await.unwrap();
    let free_place = places.iter().find(|p| p.is_free()).unwrap().id;
    let block = db
        .block_place(free_place, today, Some(date(2026, 3, 31)), "Lekkage", now)
        .await
        .unwrap();
    let (bram, r2) = db
        .create_referral(
            &person("Bram", woerden, Some(centrum)),
            &referral(),
            now,
            &actor(now),
        )
        .await
        .unwrap();
    let ranking = rank_free_places(
        &db.person(bram).await.unwrap().placement_request(),
        &db.availability(today, 1, None).await.unwrap(),
    );
    assert!(ranking.no_place_in_own_area);
    assert_eq!(ranking.proposals[0].home, zeist_home);
    assert!(db.record_no_place(r2, woerden, now).await.unwrap());
    assert!(
        !db.record_no_place(r2, woerden, now).await.unwrap(),
        "recorded once"
    );
    let counts = db.no_place_counts(1, now - 24.hours()).await.unwrap();
    assert_eq!((counts[0].month.as_str(), counts[0].count), ("2026-03", 1));
    // Placing onto a blocked place is refused.
    let blocked = db
        .place(
            &NewStay {
                referral: Some(r2),
                person: bram,
                home: pitstop,
                places: vec![free_place],
                start: today,
                planned_end: planned_end(today, 6),
                placed_at: now,
                proximity: best.proximity,
                distance_km: 0.0,
            },
            &actor(now),
        )
        .await;
    assert!(
        matches!(blocked, Err(StoreError::Conflict(_))),
        "{blocked:?}"
    );
    assert_eq!(
        db.referral(r2).await.unwrap().state,
        ReferralState::Received,
        "rolled back"
    );
    db.end_block(block, today).await.unwrap();
    assert_eq!(
        db.availability(today, 1, Some(pitstop)).await.unwrap()[0].free_places,
        vec![free_place]
    );

    // Open referrals, and closing one.
    assert_eq!(
        db.referrals(1, ReferralFilter::Open, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    db.close_referral(
        r2,
        ReferralState::AdvisedElsewhere,
        "Naar familie in Gouda",
        &actor(now),
    )
    .await
    .unwrap();
    assert!(matches!(
        db.close_referral(r2, ReferralState::Withdrawn, "", &actor(now))
            .await,
        Err(StoreError::Conflict(_))
    ));

    // The stay: milestones, extension, ready to move on, exit.
    db.complete_milestone(
        stay,
        Milestone::RecoveryPlan,
        date(2026, 3, 10),
        &actor(now),
    )
    .await
    .unwrap();
    let s = db.stay(stay).await.unwrap();
    assert_eq!(s.plan_done_on, Some(date(2026, 3, 10)));
    assert_eq!(s.planned_end, date(2026, 9, 2));
    let d = ExtensionDecision::validate(
        "Coördinator Ria",
        "Wacht op sleutel van de woning",
        date(2026, 10, 2),
        s.planned_end,
        today,
    )
    .unwrap();
    db.extend_stay(stay, &d, &actor(now)).await.unwrap();
    let s = db.stay(stay).await.unwrap();
    assert_eq!((s.planned_end, s.extensions), (date(2026, 10, 2), 1));
    assert_eq!(
        db.extensions(stay).await.unwrap()[0].previous_end,
        date(2026, 9, 2)
    );
    db.set_ready_on(stay, date(2026, 8, 1), &actor(now))
        .await
        .unwrap();
    db.exit_stay(
        stay,
        date(2026, 8, 20),
        Destination::OwnRentedHome,
        "Woning via contingent",
        &actor(now),
    )
    .await
    .unwrap();
    assert!(matches!(
        db.exit_stay(
            stay,
            date(2026, 8, 21),
            Destination::Street,
            "",
            &actor(now)
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    let s = db.stay(stay).await.unwrap();
    assert_eq!(s.destination, Some(Destination::OwnRentedHome));
    assert_eq!(
        db.stays(StayFilter {
            active: Some(true),
            ..Default::default()
        })
        .await
        .unwrap()
        .len(),
        0
    );
    assert_eq!(
        db.stays(StayFilter {
            active: Some(false),
            ..Default::default()
        })
        .await
        .unwrap()
        .len(),
        1
    );
    // Places are free again after the exit.
    assert_eq!(
        db.availability(date(2026, 8, 21), 1, Some(pitstop))
            .await
            .unwrap()[0]
            .free_places
            .len(),
        2
    );

    // What the capacity planner is calibrated on.
    let h = db.capacity_history(1, date(2026, 8, 21)).await.unwrap();
    let names: Vec<&str> = h.municipalities.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Woerden", "Zeist"]);
    let w = &h.municipalities[0];
    assert_eq!((w.places, w.referrals), (2, 2));
    assert_eq!(
        (h.municipalities[1].places, h.municipalities[1].referrals),
        (1, 0)
    );
    assert_eq!(h.central_places, 0);
    assert_eq!(h.first_referral, Some(today));
    assert_eq!(h.stays.len(), 1);
    let span = &h.stays[0];
    assert_eq!(span.own_municipality, woerden);
    assert_eq!(
        (span.start, span.ready_on, span.exit, span.destination),
        (
            today,
            Some(date(2026, 8, 1)),
            Some(date(2026, 8, 20)),
            Some(Destination::OwnRentedHome)
        )
    );

    let facts = db.stay_facts(1).await.unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].extensions, 1);
    let occ = db
        .occupancy_by_home(1, date(2026, 3, 1), date(2026, 4, 1))
        .await
        .unwrap();
    let w = occ.iter().find(|o| o.home_id == pitstop).unwrap();
    assert_eq!(
        (w.place_nights, w.occupied_nights, w.blocked_nights),
        (60, 30, 0),
        "a block ended on its first day is gone; the home counts from its opening on 2 March"
    );
    let pf = db
        .placement_facts(
            1,
            now - 1.hours(),
            now + 1.hours(),
            &jiff::tz::TimeZone::UTC,
        )
        .await
        .unwrap();
    assert_eq!(pf.len(), 1);

    // The race: many parallel placements onto the last free place. Exactly one wins.
    let last = db
        .create_home(
            &NewHome {
                organisation_id: 1,
                name: "Laatste plek".into(),
                kind: HomeKind::ShelterHome,
                address: "Kerkplein 3".into(),
                neighbourhood: centrum,
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
    let place = db.availability(today, 1, Some(last)).await.unwrap()[0].free_places[0];
    let mut people = Vec::new();
    for i in 0..24 {
        people.push(
            db.create_referral(
                &person(&format!("P{i}"), woerden, None),
                &referral(),
                now,
                &actor(now),
            )
            .await
            .unwrap(),
        );
    }
    let mut tasks = Vec::new();
    for (person, referral) in people {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            db.place(
                &NewStay {
                    referral: Some(referral),
                    person,
                    home: last,
                    places: vec![place],
                    start: today,
                    planned_end: planned_end(today, 6),
                    placed_at: now,
                    proximity: nabij_domain::placement::Proximity::OwnMunicipality,
                    distance_km: 0.2,
                },
                &actor(now),
            )
            .await
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("unexpected error in the race: {e}"),
        }
    }
    assert_eq!(won, 1);
    let active = db
        .stays(StayFilter {
            active: Some(true),
            home: Some(last),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(active.len(), 1);
    // Losers' referrals are still open: nothing half-written.
    assert_eq!(
        db.referrals(1, ReferralFilter::Open, 100)
            .await
            .unwrap()
            .len(),
        23
    );
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("story.db").display());
    let db = Db::connect(&DbOptions::new(url)).await.unwrap();
    assert_eq!(db.backend(), Backend::Sqlite);
    assert_eq!(
        db.applied_migrations().await.unwrap(),
        [
            "0001_core",
            "0002_accounts_and_access_log",
            "0003_second_factor",
            "0004_text_limits",
            "0005_access_log_key",
            "0006_password_change",
            "0007_home_dates",
            "0008_report_indexes",
            "0009_list_indexes",
            "0010_homes_and_capacity",
            "0011_guidance",
            "0012_client_accounts",
            "0014_signals",
            "0015_buddies",
            "0017_chain_and_outflow",
            "0020_report_covering_indexes",
            "0022_planner_revisions",
            "0023_list_counts",
            "0025_report_revisions",
            "0026_stay_counts",
            "0027_recovery_report_revisions",
            "0030_recovery_indexes",
            "0031_intensity_in_order",
            "0035_user_email",
            "0040_partner_kind_changes",
            "0041_offer_pets",
            "0042_person_counts",
            "0043_ready_index",
            "0044_signal_recipients",
            "0045_submitted_intake",
            "0046_outflow_report_revisions",
            "0047_key_date_changes",
            "0048_person_name_search",
        ]
    );
    story(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn story_on_postgres() {
    let Some(db) = nabij_store::testing::postgres_from_env().await else {
        return;
    };
    assert_eq!(db.backend(), Backend::Postgres);
    story(db).await;
}

/// Many placements at once, some fighting over the same place: each stands or falls on its
/// own, every success is logged once, and the log's chain holds. On SQLite these go through
/// the placement writer in batches; on PostgreSQL through the pool.
async fn concurrent_placements(db: Db) {
    let now: Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
    let today = date(2026, 3, 2);
    let m = db
        .create_municipality(
            None,
            None,
            "Bodegraven",
            GeoPoint {
                lat: 52.08,
                lon: 4.75,
            },
        )
        .await
        .unwrap();
    let n = db
        .create_neighbourhood(
            m,
            None,
            "Centrum",
            GeoPoint {
                lat: 52.08,
                lon: 4.75,
            },
        )
        .await
        .unwrap();
    let home = db
        .create_home(
            &NewHome {
                organisation_id: 1,
                name: "Opvang Bodegraven".into(),
                kind: HomeKind::ShelterHome,
                address: "Dorpsstraat 1".into(),
                neighbourhood: n,
                point: None,
                rules: HouseRules::default(),
                max_stay_months: 6,
                landlord: None,
                places: 5,
                opened_on: None,
            },
            now,
        )
        .await
        .unwrap();
    let places = db.availability(today, 1, Some(home)).await.unwrap()[0]
        .free_places
        .clone();
    let mut tasks = Vec::new();
    for i in 0..15 {
        let (person, referral) = db
            .create_referral(
                &person(&format!("B{i}"), m, Some(n)),
                &referral(),
                now,
                &actor(now),
            )
            .await
            .unwrap();
        let db = db.clone();
        // Fifteen people for five places: three want each place.
        let place = places[i % places.len()];
        tasks.push(tokio::spawn(async move {
            let stay = NewStay {
                referral: Some(referral),
                person,
                home,
                places: vec![place],
                start: today,
                planned_end: planned_end(today, 6),
                placed_at: now,
                proximity: nabij_domain::placement::Proximity::OwnNeighbourhood,
                distance_km: 0.1,
            };
            (person, db.place(&stay, &actor(now)).await)
        }));
    }
    let mut placed = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            (person, Ok(_)) => placed.push(person),
            (_, Err(StoreError::Conflict(_))) => {}
            (_, Err(e)) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(placed.len(), 5, "one winner per place");
    let active = db
        .stays(StayFilter {
            active: Some(true),
            home: Some(home),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(active.len(), 5);
    for p in &placed {
        let log = db
            .access_log(
                &nabij_store::audit::AccessFilter {
                    person: Some(*p),
                    ..Default::default()
                },
                10,
            )
            .await
            .unwrap();
        assert_eq!(
            log.iter()
                .filter(|e| e.category == "stay" && e.action == "create")
                .count(),
            1
        );
    }
    assert_eq!(db.verify_access_log().await.unwrap().first_broken, None);
    // A home that does not exist is an error, not a lost race.
    let (person, referral) = db
        .create_referral(&person("Z", m, Some(n)), &referral(), now, &actor(now))
        .await
        .unwrap();
    let bad = NewStay {
        referral: Some(referral),
        person,
        home: HomeId(999_999),
        places: vec![places[0]],
        start: today,
        planned_end: planned_end(today, 6),
        placed_at: now,
        proximity: nabij_domain::placement::Proximity::OwnNeighbourhood,
        distance_km: 0.1,
    };
    let err = db.place(&bad, &actor(now)).await.unwrap_err();
    assert!(!matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(
        db.referral(referral).await.unwrap().state.is_open(),
        "nothing half-written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_placements_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("batch.db").display());
    concurrent_placements(Db::connect(&DbOptions::new(url)).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_placements_on_postgres() {
    let Some(db) = nabij_store::testing::postgres_from_env().await else {
        return;
    };
    concurrent_placements(db).await;
}

/// An install from before guidance episodes (migration 0010) with a person↔professional row
/// per period of guidance, upgraded: each person's unbroken period becomes one episode with
/// every professional of it, whatever the rows' overlap; a gap starts a new episode, never a
/// resumption.
async fn legacy_guidance_becomes_episodes(url: String) {
    let mut options = DbOptions::new(url.clone());
    options.migrate_up_to = Some("0010_homes_and_capacity");
    let old = Db::connect(&options).await.unwrap();
    assert_eq!(
        old.applied_migrations().await.unwrap().last().unwrap(),
        "0010_homes_and_capacity"
    );
    old.close().await;
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    use sqlx::Executor;
    let t = "'2025-01-01T00:00:00Z'";
    conn.execute(format!(
        "INSERT INTO municipalities (name, lat, lon) VALUES ('Woerden', 52.08, 4.88);
         INSERT INTO users (organisation_id, username, display_name, role, password_hash, created_at)
         VALUES (1, 'pia', 'Pia', 'professional', 'x', {t}), (1, 'piet', 'Piet', 'professional', 'x', {t});"
    ).as_str())
    .await
    .unwrap();
    // Anna: one professional after another (the handover on the same day), still running.
    // Bram: two periods with a gap. Cas: Pia throughout, Piet twice beside her, the second
    // time after his first row ended but while Pia's still ran.
    let rows = [
        ("Anna", "pia", "2025-01-01", Some("2025-03-01")),
        ("Anna", "piet", "2025-03-01", None),
        ("Bram", "pia", "2025-01-01", Some("2025-02-01")),
        ("Bram", "pia", "2025-06-01", Some("2025-07-01")),
        ("Cas", "pia", "2025-01-01", None),
        ("Cas", "piet", "2025-02-01", Some("2025-03-01")),
        ("Cas", "piet", "2025-04-01", None),
    ];
    for name in ["Anna", "Bram", "Cas"] {
        conn.execute(format!(
            "INSERT INTO persons (first_name, last_name, gender, household_size, own_municipality_id, created_at) \
             VALUES ('{name}', 'Oud', 'onbekend', 1, (SELECT id FROM municipalities), {t})"
        ).as_str())
        .await
        .unwrap();
    }
    for (person, user, from, until) in rows {
        let until = until.map_or("NULL".to_string(), |d| format!("'{d}'"));
        conn.execute(format!(
            "INSERT INTO guidance (person_id, professional_id, started_on, ended_on) VALUES \
             ((SELECT id FROM persons WHERE first_name = '{person}'), (SELECT id FROM users WHERE username = '{user}'), '{from}', {until})"
        ).as_str())
        .await
        .unwrap();
    }
    let ids: Vec<(String, i64)> = sqlx::query_as::<_, (String, i64)>(
        "SELECT first_name, id FROM persons UNION ALL SELECT username, id FROM users",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    drop(conn);
    let id = |n: &str| ids.iter().find(|(k, _)| k == n).unwrap().1;

    let db = Db::connect(&DbOptions::new(url)).await.unwrap();
    let episodes = |n: &'static str| {
        let db = db.clone();
        async move {
            db.episodes_of(PersonId(id(n)))
                .await
                .unwrap()
                .into_iter()
                .map(|e| {
                    (
                        e.lead_professional_id,
                        e.started_on.to_string(),
                        e.ended_on.map(|d| d.to_string()),
                        e.resumes_episode_id,
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let professionals = |n: &'static str| {
        let db = db.clone();
        async move {
            let mut p = db
                .episode_professionals_of(PersonId(id(n)))
                .await
                .unwrap()
                .into_iter()
                .map(|p| {
                    (
                        p.professional_id,
                        p.joined_on.to_string(),
                        p.left_on.map(|d| d.to_string()),
                    )
                })
                .collect::<Vec<_>>();
            p.sort();
            p
        }
    };
    let (pia, piet) = (id("pia"), id("piet"));
    let d = |s: &str| s.to_string();
    assert_eq!(
        episodes("Anna").await,
        [(piet, d("2025-01-01"), None, None)]
    );
    assert_eq!(
        professionals("Anna").await,
        [
            (pia, d("2025-01-01"), Some(d("2025-03-01"))),
            (piet, d("2025-03-01"), None)
        ]
    );
    assert_eq!(
        episodes("Bram").await,
        [
            (pia, d("2025-01-01"), Some(d("2025-02-01")), None),
            (pia, d("2025-06-01"), Some(d("2025-07-01")), None),
        ]
    );
    // One running episode: Piet's second row does not split it off from Pia's. The lead is
    // the one whose row runs on (of those, who started last).
    assert_eq!(episodes("Cas").await, [(piet, d("2025-01-01"), None, None)]);
    assert_eq!(
        professionals("Cas").await,
        [(pia, d("2025-01-01"), None), (piet, d("2025-02-01"), None)]
    );
    db.close().await;
}

#[tokio::test]
async fn legacy_guidance_becomes_episodes_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("legacy.db").display());
    legacy_guidance_becomes_episodes(url.clone()).await;
    // An install that applied the earlier text of 0011 starts as before; an edited
    // migration is still refused.
    let mark = |sum: &'static str| {
        let url = url.clone();
        async move {
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
                .await
                .unwrap();
            sqlx::query("UPDATE schema_migrations SET checksum = $1 WHERE name = '0011_guidance'")
                .bind(sum)
                .execute(&mut conn)
                .await
                .unwrap();
        }
    };
    mark("8933ad26300fb9b0").await;
    Db::connect(&DbOptions::new(url.clone()))
        .await
        .unwrap()
        .close()
        .await;
    mark("0123456789abcdef").await;
    let e = Db::connect(&DbOptions::new(url.clone())).await.unwrap_err();
    assert!(e.to_string().contains("0011_guidance was changed"), "{e}");
}

#[tokio::test]
async fn legacy_guidance_becomes_episodes_on_postgres() {
    let Some(url) = nabij_store::testing::postgres_url_from_env().await else {
        return;
    };
    legacy_guidance_becomes_episodes(url).await;
}
