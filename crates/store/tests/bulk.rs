//! The bulk load (national demo data) on both backends: it fills empty tables only, keeps
//! the access log's chain, and the ordinary write paths go on after its ids.

use jiff::Timestamp;
use jiff::civil::date;
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_domain::ids::*;
use nabij_domain::person::{Gender, HouseholdSize, Needs};
use nabij_domain::referral::{ReferralSource, ReferralState, Urgency};
use nabij_store::audit::{Actor, AuditKey};
use nabij_store::bulk::*;
use nabij_store::homes::NewHome;
use nabij_store::persons::NewPerson;
use nabij_store::referrals::NewReferral;
use nabij_store::{Db, DbOptions, StoreError};

fn data(at: Timestamp) -> BulkData {
    let point = GeoPoint {
        lat: 52.09,
        lon: 5.12,
    };
    BulkData {
        regions: vec![BulkRegion {
            id: 1,
            name: "Utrecht".into(),
        }],
        municipalities: vec![BulkMunicipality {
            id: 1,
            region_id: Some(1),
            code: Some("GM5000".into()),
            name: "Utrecht".into(),
            lat: point.lat,
            lon: point.lon,
        }],
        neighbourhoods: vec![BulkNeighbourhood {
            id: 1,
            municipality_id: 1,
            code: Some("BU50000001".into()),
            name: "Utrecht-Centrum".into(),
            lat: point.lat,
            lon: point.lon,
        }],
        homes: vec![BulkHome {
            id: 1,
            organisation_id: 1,
            name: "Pitstop Utrecht".into(),
            kind: HomeKind::Pitstop,
            address: "Oudegracht 1".into(),
            neighbourhood_id: 1,
            lat: point.lat,
            lon: point.lon,
            rules: HouseRules::default(),
            max_stay_months: 6,
            landlord: None,
            created_at: at,
            opened_on: date(2026, 1, 1),
            closed_on: None,
        }],
        places: vec![BulkPlace {
            id: 1,
            home_id: 1,
            label: "Plek 1".into(),
            opened_on: date(2026, 1, 1),
            retired_on: None,
        }],
        blocks: vec![],
        persons: vec![BulkPerson {
            id: 1,
            organisation_id: 1,
            first_name: "Kees".into(),
            last_name: "Bos".into(),
            gender: Gender::Man,
            date_of_birth: None,
            phone: None,
            household_size: 1,
            needs_accessible: false,
            needs_pets: false,
            needs_women_only: false,
            own_municipality_id: 1,
            own_neighbourhood_id: Some(1),
            avoid_neighbourhoods: vec![1],
            created_at: at,
        }],
        referrals: vec![BulkReferral {
            id: 1,
            person_id: 1,
            organisation_id: 1,
            referred_by: None,
            source: ReferralSource::Police,
            urgency: Urgency::Crisis,
            situation: "Op straat aangetroffen.".into(),
            received_at: at,
            state: ReferralState::Received,
            closed_at: None,
            close_reason: None,
            no_place: Some((1, at)),
        }],
        stays: vec![],
    }
}

async fn loads_once_and_ids_go_on_after_it(db: Db) {
    let at: Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
    let actor = Actor::system("test", at);
    assert!(db.is_fresh().await.unwrap());
    db.bulk_load(&data(at), &actor).await.unwrap();
    assert!(!db.holds_no_data().await.unwrap());
    assert!(!db.is_fresh().await.unwrap());
    // A second load would mix two histories: refused, nothing written.
    assert!(matches!(
        db.bulk_load(&data(at), &actor).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(db.person(PersonId(1)).await.unwrap().first_name, "Kees");
    // The ordinary paths continue after the loaded ids.
    let home = db
        .create_home(
            &NewHome {
                organisation_id: 1,
                name: "Opvangwoning".into(),
                kind: HomeKind::ShelterHome,
                address: "Straat 2".into(),
                neighbourhood: NeighbourhoodId(1),
                point: None,
                rules: HouseRules::default(),
                max_stay_months: 6,
                landlord: None,
                places: 1,
                opened_on: None,
            },
            at,
        )
        .await
        .unwrap();
    assert_eq!(home, HomeId(2));
    let (person, referral) = db
        .create_referral(
            &NewPerson {
                organisation_id: 1,
                first_name: "Anna".into(),
                last_name: "Smit".into(),
                gender: Gender::Woman,
                date_of_birth: None,
                bsn: None,
                phone: None,
                household: HouseholdSize::new(1).unwrap(),
                needs: Needs::default(),
                own_municipality: MunicipalityId(1),
                own_neighbourhood: None,
                avoid: vec![],
            },
            &NewReferral {
                organisation_id: 1,
                referred_by: None,
                source: ReferralSource::SocialTeam,
                urgency: Urgency::Normal,
                situation: "Dakloos.".into(),
            },
            at,
            &actor,
        )
        .await
        .unwrap();
    assert_eq!((person, referral), (PersonId(2), ReferralId(2)));
    let check = db.verify_access_log().await.unwrap();
    assert!(check.first_broken.is_none(), "{check:?}");
}

#[tokio::test]
async fn the_bulk_load_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(
        &DbOptions::new(format!("sqlite:{}", dir.path().join("b.db").display()))
            .with_audit_key(AuditKey::generate().unwrap()),
    )
    .await
    .unwrap();
    loads_once_and_ids_go_on_after_it(db).await;
}

#[tokio::test]
async fn the_bulk_load_on_postgres() {
    let Some(db) = nabij_store::testing::postgres_from_env_with(|o| {
        o.with_audit_key(AuditKey::generate().unwrap())
    })
    .await
    else {
        return;
    };
    loads_once_and_ids_go_on_after_it(db).await;
}
