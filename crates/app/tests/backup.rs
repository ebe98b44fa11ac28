//! A backup taken while placements go on is consistent: every stay in the copy is whole,
//! no place is taken twice, and the copy's access log verifies with the key.

use nabij_app::homes::HomeInput;
use nabij_app::intake::IntakeInput;
use nabij_app::{App, Caller, Clock, DatabaseSettings};
use nabij_domain::geo::GeoPoint;
use nabij_domain::ids::OrganisationId;
use nabij_store::audit::AuditKey;
use nabij_store::stays::StayFilter;
use nabij_store::{Db, DbOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_during_placements_restores_whole_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("n.key");
    let mut settings =
        DatabaseSettings::new(format!("sqlite:{}", dir.path().join("n.db").display()));
    settings.audit_key_file = Some(key_file.clone());
    let now: jiff::Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
    let app = App::open(&settings, Clock::fixed(now)).await.unwrap();
    let sys = Caller::system("test", OrganisationId(1));
    let point = GeoPoint {
        lat: 52.085,
        lon: 4.883,
    };
    let m = nabij_app::geography::add_municipality(&app, &sys, None, None, "Woerden", point)
        .await
        .unwrap();
    let n = nabij_app::geography::add_neighbourhood(&app, &sys, m, None, "Centrum", point)
        .await
        .unwrap();
    for h in 0..10 {
        let home = HomeInput {
            name: format!("Huis {h}"),
            kind: "opvangwoning".into(),
            address: "Straat 1".into(),
            neighbourhood_id: n.0,
            lat: None,
            lon: None,
            women_only: false,
            accessible: false,
            pets_allowed: false,
            max_stay_months: None,
            landlord: None,
            places: 8,
            opened_on: None,
        };
        nabij_app::homes::open(&app, &sys, &home).await.unwrap();
    }
    // Placements keep coming while the copy is made.
    let placing = {
        let (app, sys) = (app.clone(), sys.clone());
        tokio::spawn(async move {
            for i in 0..60 {
                let input = IntakeInput {
                    first_name: format!("Persoon{i}"),
                    last_name: "Jansen".into(),
                    gender: "onbekend".into(),
                    household_size: 1,
                    own_municipality_id: m.0,
                    source: "zelfmelder".into(),
                    urgency: "hoog".into(),
                    situation: "Op straat".into(),
                    ..Default::default()
                };
                let (_, r) = nabij_app::intake::intake(&app, &sys, &input).await.unwrap();
                let p = nabij_app::intake::proposals(&app, &sys, r).await.unwrap();
                let home = p.ranking.proposals[0].home;
                nabij_app::intake::place(&app, &sys, r, home).await.unwrap();
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let copy = dir.path().join("kopie.db");
    nabij_app::backup::backup(&app, &sys, &copy).await.unwrap();
    placing.await.unwrap();
    // Not over an existing file, and not for a signed-in user.
    assert!(nabij_app::backup::backup(&app, &sys, &copy).await.is_err());

    // Restore: open the copy with the same key.
    let key = AuditKey::load_or_create(&key_file).unwrap();
    let restored = Db::connect(
        &DbOptions::new(format!("sqlite:{}", copy.display())).with_audit_key(key.clone()),
    )
    .await
    .unwrap();
    let check = restored.verify_access_log_from(&key, None).await.unwrap();
    assert!(check.first_broken.is_none(), "{check:?}");
    let listed = restored.stays(StayFilter::default()).await.unwrap();
    let n_stays = listed.len();
    let mut places = Vec::new();
    for s in &listed {
        // Read one by one: a stay with its places, whole.
        let s = restored.stay(s.id).await.unwrap();
        assert!(
            !s.places.is_empty(),
            "stay {} came without its places",
            s.id
        );
        places.push(format!("{} {}", s.home_id, s.places));
    }
    places.sort();
    places.dedup();
    assert_eq!(places.len(), n_stays, "no place held twice in the copy");
    let live = app.clone();
    let all = nabij_app::stays::list(&live, &sys, &Default::default(), &Default::default())
        .await
        .unwrap();
    assert_eq!(all.total, 60);
    assert!(n_stays <= 60);
}
