//! Free text has a length limit in the database itself, for new writes only.

use crate::helpers::*;
use crate::on_both;
use crate::second_factor::user;
use jiff::civil::date;
use nabij_domain::access::Role;
use nabij_domain::stay::{Destination, ExtensionDecision};
use nabij_store::accounts::NewUser;
use nabij_store::stays::NewStay;
use nabij_store::testing::{raw_execute, raw_strings};
use nabij_store::{Backend, Db, StoreError};

fn invalid<T: std::fmt::Debug>(r: nabij_store::Result<T>) -> String {
    match r {
        Err(StoreError::Invalid(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn over_long_text_is_refused_by_the_database(db: Db) {
    let w = world(&db).await;
    let mut home = new_home(w.neighbourhood, &"h".repeat(121));
    assert_eq!(
        invalid(db.create_home(&home, now()).await),
        "naam van het huis: hoogstens 120 tekens"
    );
    // Characters are counted, not bytes.
    home.name = "é".repeat(120);
    let accented = db.create_home(&home, now()).await.unwrap();
    assert_eq!(db.home(accented).await.unwrap().name, "é".repeat(120));
    assert_eq!(
        invalid(
            db.block_place(w.place, date(2026, 4, 1), None, &"r".repeat(501), now())
                .await
        ),
        "reden van de blokkade: hoogstens 500 tekens"
    );
    assert!(
        db.places_of_home(w.home, date(2026, 3, 2)).await.unwrap()[0]
            .upcoming_blocks
            .is_empty(),
        "nothing was written"
    );
    assert_eq!(
        invalid(
            db.create_user(
                &NewUser {
                    organisation_id: 1,
                    username: "lang".into(),
                    display_name: "n".repeat(121),
                    phone: None,
                    role: Role::Coordinator,
                    password_hash: "x".into(),
                },
                now(),
            )
            .await
        ),
        "naam: hoogstens 120 tekens"
    );
    // Updates are checked too, also when they come around the store.
    let raw = raw_execute(
        &db,
        &format!("UPDATE homes SET address = '{}'", "a".repeat(201)),
    )
    .await;
    assert_eq!(invalid(raw), "adres: hoogstens 200 tekens");
    let stay = db
        .place(
            &NewStay {
                referral: Some(w.referral),
                person: w.person,
                home: w.home,
                places: vec![w.place],
                start: date(2026, 3, 2),
                planned_end: date(2026, 9, 2),
                placed_at: now(),
                proximity: nabij_domain::placement::Proximity::OwnMunicipality,
                distance_km: 0.0,
            },
            &actor(),
        )
        .await
        .unwrap();
    let decision = ExtensionDecision {
        decided_by: "d".repeat(121),
        reason: "wacht op een woning".into(),
        new_end: date(2026, 12, 1),
    };
    assert_eq!(
        invalid(db.extend_stay(stay, &decision, &actor()).await),
        "wie besloot tot verlenging: hoogstens 120 tekens"
    );
    assert_eq!(
        invalid(
            db.exit_stay(
                stay,
                date(2026, 4, 1),
                Destination::OwnRentedHome,
                &"x".repeat(1001),
                &actor()
            )
            .await
        ),
        "reden van vertrek: hoogstens 1000 tekens"
    );
    assert!(db.stay(stay).await.unwrap().exit_date.is_none());
}
on_both!(over_long_text_is_refused_by_the_database);

/// The limit triggers of these tables: (drop statement, create statement).
async fn limit_triggers(db: &Db) -> Vec<(String, String)> {
    let (drops, creates) = match db.backend() {
        Backend::Sqlite => (
            "SELECT 'DROP TRIGGER ' || name FROM sqlite_master WHERE type = 'trigger' \
             AND name LIKE '%length%' AND tbl_name IN ('homes', 'place_blocks', 'users') ORDER BY name",
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' \
             AND name LIKE '%length%' AND tbl_name IN ('homes', 'place_blocks', 'users') ORDER BY name",
        ),
        Backend::Postgres => (
            "SELECT 'DROP TRIGGER ' || tgname || ' ON ' || tgrelid::regclass::text FROM pg_trigger \
             WHERE tgname LIKE '%length' AND tgrelid IN ('homes'::regclass, 'place_blocks'::regclass, 'users'::regclass) \
             ORDER BY tgname",
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger \
             WHERE tgname LIKE '%length' AND tgrelid IN ('homes'::regclass, 'place_blocks'::regclass, 'users'::regclass) \
             ORDER BY tgname",
        ),
    };
    let drops = raw_strings(db, drops).await.unwrap();
    let creates = raw_strings(db, creates).await.unwrap();
    assert!(drops.len() >= 3, "{drops:?}");
    drops.into_iter().zip(creates).collect()
}

async fn rows_stored_before_the_limit_stay_readable_and_usable(db: Db) {
    let w = world(&db).await;
    // Rows written before the limits existed: take the triggers away, write, put them back
    // exactly as the migration made them.
    let triggers = limit_triggers(&db).await;
    for (drop, _) in &triggers {
        raw_execute(&db, drop).await.unwrap();
    }
    let long_name = "Het huis met de heel lange naam ".repeat(5);
    let old_home = db
        .create_home(&new_home(w.neighbourhood, &long_name), now())
        .await
        .unwrap();
    let long_reason = "onderhoud ".repeat(60);
    let block = db
        .block_place(w.place, date(2026, 3, 1), None, &long_reason, now())
        .await
        .unwrap();
    let old_user = user(&db, "oud").await;
    raw_execute(
        &db,
        &format!(
            "UPDATE users SET display_name = '{}' WHERE id = {old_user}",
            "n".repeat(200)
        ),
    )
    .await
    .unwrap();
    for (_, create) in &triggers {
        raw_execute(&db, create).await.unwrap();
    }

    // They read…
    assert_eq!(db.home(old_home).await.unwrap().name, long_name);
    let places = db.places_of_home(w.home, date(2026, 3, 2)).await.unwrap();
    assert_eq!(places[0].block.as_ref().unwrap().reason, long_reason);
    assert_eq!(db.user(old_user).await.unwrap().display_name.len(), 200);
    // …and other columns of those rows can still change.
    db.end_block(block, date(2026, 3, 2)).await.unwrap();
    assert!(db.accept_totp_step(old_user, 1).await.unwrap());
    db.set_password_hash(old_user, "y", false, jiff::Timestamp::now())
        .await
        .unwrap();
    // New over-long text is still refused.
    assert_eq!(
        invalid(
            db.create_home(&new_home(w.neighbourhood, &long_name), now())
                .await
        ),
        "naam van het huis: hoogstens 120 tekens"
    );
}
on_both!(rows_stored_before_the_limit_stay_readable_and_usable);
