//! On a SQLite file, placements are written by their own thread (ADR 0005); elsewhere by
//! the pool. Both must write the same rows and the same access-log chain.

use jiff::Timestamp;
use jiff::civil::date;
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_domain::ids::*;
use nabij_domain::person::{Gender, HouseholdSize, Needs};
use nabij_domain::placement::rank_free_places;
use nabij_domain::referral::{ReferralSource, Urgency};
use nabij_domain::stay::planned_end;
use nabij_store::audit::{Actor, AuditKey};
use nabij_store::homes::NewHome;
use nabij_store::persons::NewPerson;
use nabij_store::referrals::NewReferral;
use nabij_store::stays::{NewStay, StayFilter};
use nabij_store::{Db, DbOptions, StoreError};

/// The same history, written with or without the placement thread: (stays, chain).
async fn history(placement_writer: bool) -> (Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = DbOptions::new(format!("sqlite:{}", dir.path().join("p.db").display()))
        .with_audit_key(AuditKey::from_bytes([7; 32]));
    opts.placement_writer = placement_writer;
    let db = Db::connect(&opts).await.unwrap();
    let at: Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
    let today = date(2026, 3, 2);
    let point = GeoPoint {
        lat: 52.085,
        lon: 4.883,
    };
    let m = db
        .create_municipality(None, None, "Woerden", point)
        .await
        .unwrap();
    let n = db
        .create_neighbourhood(m, None, "Centrum", point)
        .await
        .unwrap();
    db.create_home(
        &NewHome {
            organisation_id: 1,
            name: "Pitstop".into(),
            kind: HomeKind::Pitstop,
            address: "Straat 1".into(),
            neighbourhood: n,
            point: None,
            rules: HouseRules::default(),
            max_stay_months: 6,
            landlord: None,
            places: 3,
            opened_on: None,
        },
        at,
    )
    .await
    .unwrap();
    let mut outcomes = Vec::new();
    for (i, first) in ["Anna", "Bram", "Cees", "Dirk", "Els"].iter().enumerate() {
        let at = at + jiff::SignedDuration::from_mins(i as i64);
        let actor = Actor::system("paths", at);
        let person = NewPerson {
            organisation_id: 1,
            first_name: (*first).into(),
            last_name: "Jansen".into(),
            gender: Gender::Unknown,
            date_of_birth: None,
            bsn: None,
            phone: None,
            household: HouseholdSize::new(if i == 1 { 2 } else { 1 }).unwrap(),
            needs: Needs::default(),
            own_municipality: m,
            own_neighbourhood: Some(n),
            avoid: vec![],
        };
        let referral = NewReferral {
            organisation_id: 1,
            referred_by: None,
            source: ReferralSource::SocialTeam,
            urgency: Urgency::High,
            situation: "Dreigende huisuitzetting".into(),
        };
        let (pid, rid) = db
            .create_referral(&person, &referral, at, &actor)
            .await
            .unwrap();
        // Rank on what was free before anyone else was placed, so the last ones lose a race.
        let avail = db.availability(today, 1, None).await.unwrap();
        let req = db.person(pid).await.unwrap().placement_request();
        let best = rank_free_places(&req, &avail).proposals.into_iter().next();
        // The last one is sent to a place that is taken: a lost race, refused alike.
        let Some(best) = best.or_else(|| (i == 4).then(|| stale_proposal(&req))) else {
            outcomes.push(format!("{first}: geen plek"));
            continue;
        };
        let stay = NewStay {
            referral: Some(rid),
            person: pid,
            home: best.home,
            places: best.places,
            start: today,
            planned_end: planned_end(today, 6),
            placed_at: at,
            proximity: best.proximity,
            distance_km: best.distance_km,
        };
        outcomes.push(match db.place(&stay, &actor).await {
            Ok(id) => format!("{first}: verblijf {id}"),
            Err(StoreError::Conflict(m)) => format!("{first}: {m}"),
            Err(e) => panic!("{e}"),
        });
    }
    let mut stays: Vec<String> = db
        .stays(StayFilter::default())
        .await
        .unwrap()
        .iter()
        .map(|s| format!("{s:?}"))
        .collect();
    stays.extend(outcomes);
    let chain = nabij_store::testing::raw_strings(
        &db,
        // Every entry but the chain's keyed start marker, which carries the moment of
        // connecting; the chain itself is checked by verify below.
        "SELECT CAST(seq AS TEXT) || ' ' || at || ' ' || username || ' ' || role || ' ' || \
         COALESCE(CAST(person_id AS TEXT), '-') || ' ' || category || ' ' || action || ' ' || \
         outcome || ' ' || detail FROM access_log WHERE category <> 'access_log' ORDER BY seq",
    )
    .await
    .unwrap();
    let check = db.verify_access_log().await.unwrap();
    assert!(check.first_broken.is_none(), "{check:?}");
    (stays, chain)
}

/// A proposal for place 1 of home 1, as a second coordinator's screen would still show it.
fn stale_proposal(
    req: &nabij_domain::placement::PlacementRequest,
) -> nabij_domain::placement::Proposal {
    let home = nabij_domain::placement::HomeAvailability {
        home: HomeId(1),
        home_name: "Pitstop".into(),
        kind: HomeKind::Pitstop,
        rules: HouseRules::default(),
        municipality: req.own_municipality,
        municipality_name: "Woerden".into(),
        neighbourhood: NeighbourhoodId(1),
        neighbourhood_name: "Centrum".into(),
        point: req.own_point,
        total_places: 3,
        free_places: vec![PlaceId(1)],
        max_stay_months: 6,
    };
    rank_free_places(req, &[home]).proposals.remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_placement_thread_and_the_pool_write_the_same_rows_and_chain() {
    let (thread_stays, thread_chain) = history(true).await;
    let (pool_stays, pool_chain) = history(false).await;
    assert!(
        thread_stays
            .iter()
            .any(|s| s.contains("Els: ") && !s.contains("verblijf")),
        "the history has a refused placement: {thread_stays:#?}"
    );
    assert_eq!(thread_stays, pool_stays);
    assert!(thread_chain.len() > 8, "{thread_chain:#?}");
    assert_eq!(thread_chain, pool_chain);
}
