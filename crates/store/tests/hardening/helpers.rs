//! A fresh database per test on either backend, and a small world to write into.

use jiff::Timestamp;
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_domain::ids::*;
use nabij_domain::person::{Gender, HouseholdSize, Needs};
use nabij_domain::referral::{ReferralSource, Urgency};
use nabij_store::audit::Actor;
use nabij_store::homes::NewHome;
use nabij_store::persons::NewPerson;
use nabij_store::referrals::NewReferral;
use nabij_store::{Db, DbOptions};

/// A database and what keeps it alive (the SQLite file's directory).
pub struct TestDb {
    pub db: Db,
    pub _dir: Option<tempfile::TempDir>,
}

/// A fresh SQLite file (so placements go through the placement writer, as in production).
pub async fn sqlite(configure: impl FnOnce(DbOptions) -> DbOptions) -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("t.db").display());
    let db = Db::connect(&configure(DbOptions::new(url))).await.unwrap();
    TestDb {
        db,
        _dir: Some(dir),
    }
}

/// A fresh PostgreSQL database, or `None` when none is configured.
pub async fn postgres(configure: impl FnOnce(DbOptions) -> DbOptions) -> Option<TestDb> {
    nabij_store::testing::postgres_from_env_with(configure)
        .await
        .map(|db| TestDb { db, _dir: None })
}

/// Runs `$test(db: Db)` once on SQLite and once on PostgreSQL; `$configure` adjusts the
/// connection settings (default: none).
#[macro_export]
macro_rules! on_both {
    ($test:ident) => {
        $crate::on_both!($test, |o| o);
    };
    ($test:ident, $configure:expr) => {
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::helpers::sqlite($configure).await;
                super::$test(t.db.clone()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(t) = $crate::helpers::postgres($configure).await {
                    super::$test(t.db.clone()).await;
                }
            }
        }
    };
}

pub fn now() -> Timestamp {
    "2026-03-02T10:00:00Z".parse().unwrap()
}

pub fn actor() -> Actor {
    Actor::system("test", now())
}

/// What the tests write into: one home with two places and one person.
pub struct World {
    pub home: HomeId,
    pub place: PlaceId,
    pub person: PersonId,
    pub referral: ReferralId,
    pub neighbourhood: NeighbourhoodId,
}

pub fn new_home(neighbourhood: NeighbourhoodId, name: &str) -> NewHome {
    NewHome {
        organisation_id: 1,
        name: name.into(),
        kind: HomeKind::Pitstop,
        address: "Rijnstraat 1".into(),
        neighbourhood,
        point: None,
        rules: HouseRules::default(),
        max_stay_months: 6,
        landlord: None,
        places: 2,
        opened_on: None,
    }
}

pub fn new_person(municipality: MunicipalityId, first_name: &str) -> NewPerson {
    NewPerson {
        organisation_id: 1,
        first_name: first_name.into(),
        last_name: "Jansen".into(),
        gender: Gender::Woman,
        date_of_birth: None,
        bsn: None,
        phone: None,
        household: HouseholdSize::new(1).unwrap(),
        needs: Needs::default(),
        own_municipality: municipality,
        own_neighbourhood: None,
        avoid: vec![],
    }
}

pub fn new_referral(situation: &str) -> NewReferral {
    NewReferral {
        organisation_id: 1,
        referred_by: None,
        source: ReferralSource::SocialTeam,
        urgency: Urgency::High,
        situation: situation.into(),
    }
}

pub async fn world(db: &Db) -> World {
    let point = GeoPoint {
        lat: 52.085,
        lon: 4.883,
    };
    let region = db.create_region("Utrecht-West").await.unwrap();
    let municipality = db
        .create_municipality(Some(region), Some("GM0632"), "Woerden", point)
        .await
        .unwrap();
    let neighbourhood = db
        .create_neighbourhood(municipality, Some("BU06320101"), "Centrum", point)
        .await
        .unwrap();
    let home = db
        .create_home(&new_home(neighbourhood, "Pitstop Woerden"), now())
        .await
        .unwrap();
    let place = db
        .availability(jiff::civil::date(2026, 3, 2), 1, Some(home))
        .await
        .unwrap()[0]
        .free_places[0];
    let (person, referral) = db
        .create_referral(
            &new_person(municipality, "Anna"),
            &new_referral("Dreigende huisuitzetting"),
            now(),
            &actor(),
        )
        .await
        .unwrap();
    World {
        home,
        place,
        person,
        referral,
        neighbourhood,
    }
}
