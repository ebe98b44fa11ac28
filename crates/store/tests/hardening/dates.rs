//! What is written can be read back: every date in the accepted range survives the store,
//! and dates outside it are refused before they are written.

use crate::helpers::*;
use crate::on_both;
use jiff::civil::{Date, date};
use nabij_domain::access::Purpose;
use nabij_domain::dates::{MAX_DATE, MIN_DATE};
use nabij_store::consents::NewConsent;
use nabij_store::{Db, StoreError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Writes `from`..`until` as a block and a consent and reads both back.
async fn round_trip(db: &Db, w: &World, from: Date, until: Date) -> (Date, Date, Date, Date) {
    let block = db
        .block_place(w.place, from, Some(until), "onderhoud", now())
        .await
        .unwrap();
    let consent = db
        .record_consent(
            &NewConsent {
                person: w.person,
                organisation_id: 1,
                purpose: Purpose::Housing,
                given_on: from,
                expires_on: Some(until),
            },
            &actor(),
        )
        .await
        .unwrap();
    let places = db.places_of_home(w.home, MIN_DATE).await.unwrap();
    let b = places
        .iter()
        .flat_map(|p| p.block.iter().chain(&p.upcoming_blocks))
        .find(|b| b.id == block)
        .expect("the block reads back")
        .clone();
    let c = db
        .consents_of(w.person)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == consent)
        .expect("the consent reads back");
    (b.from, b.until.unwrap(), c.given_on, c.expires_on.unwrap())
}

async fn every_date_in_range_reads_back(db: Db) {
    let w = world(&db).await;
    for (a, b) in [
        (MIN_DATE, MIN_DATE),
        (MAX_DATE, MAX_DATE),
        (MIN_DATE, MAX_DATE),
        (date(2000, 2, 29), date(2196, 2, 29)),
        (date(1999, 12, 31), date(2000, 1, 1)),
    ] {
        assert_eq!(round_trip(&db, &w, a, b).await, (a, b, a, b));
    }
    let days = (MAX_DATE - MIN_DATE).get_days();
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config {
        cases: 64,
        ..Config::default()
    });
    tokio::task::block_in_place(|| {
        runner
            .run(&(0..=days, 0..=days), |(x, y)| {
                let day = |n: i32| MIN_DATE.checked_add(jiff::Span::new().days(n)).unwrap();
                let (a, b) = (day(x.min(y)), day(x.max(y)));
                let back = handle.block_on(round_trip(&db, &w, a, b));
                prop_assert_eq!(back, (a, b, a, b));
                Ok(())
            })
            .unwrap();
    });
    // Nothing unreadable was left behind: a page reading everything still works.
    assert!(db.places_of_home(w.home, MIN_DATE).await.is_ok());
}
on_both!(every_date_in_range_reads_back);

async fn dates_outside_the_range_are_refused_before_writing(db: Db) {
    let w = world(&db).await;
    for bad in [
        date(-1, 1, 1),
        date(0, 1, 1),
        date(1899, 12, 31),
        date(9999, 12, 31),
    ] {
        let block = db.block_place(w.place, bad, None, "x", now()).await;
        assert!(
            matches!(block, Err(StoreError::Invalid(_))),
            "{bad}: {block:?}"
        );
        let consent = db
            .record_consent(
                &NewConsent {
                    person: w.person,
                    organisation_id: 1,
                    purpose: Purpose::Housing,
                    given_on: date(2026, 1, 1),
                    expires_on: Some(bad.max(date(2026, 1, 1)).min(date(9999, 12, 31))),
                },
                &actor(),
            )
            .await;
        if bad > date(2026, 1, 1) {
            assert!(
                matches!(consent, Err(StoreError::Invalid(_))),
                "{bad}: {consent:?}"
            );
        }
    }
    let stay = db
        .place(
            &nabij_store::stays::NewStay {
                referral: Some(w.referral),
                person: w.person,
                home: w.home,
                places: vec![w.place],
                start: date(2199, 10, 1),
                planned_end: date(2200, 4, 1),
                placed_at: now(),
                proximity: nabij_domain::placement::Proximity::OwnMunicipality,
                distance_km: 0.0,
            },
            &actor(),
        )
        .await;
    assert!(matches!(stay, Err(StoreError::Invalid(_))), "{stay:?}");
    // Every page that reads the home and the person still works.
    assert!(
        db.places_of_home(w.home, date(2026, 3, 2)).await.unwrap()[0]
            .block
            .is_none()
    );
    assert!(db.consents_of(w.person).await.is_ok());
    assert!(db.referral(w.referral).await.unwrap().state.is_open());
}
on_both!(dates_outside_the_range_are_refused_before_writing);
