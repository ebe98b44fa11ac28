//! Guessing second-factor codes: a correct password must not reset the count, and a code is
//! accepted once.

use crate::helpers::*;
use crate::on_both;
use nabij_domain::access::Role;
use nabij_store::Db;
use nabij_store::accounts::NewUser;

pub async fn user(db: &Db, username: &str) -> i64 {
    db.create_user(
        &NewUser {
            organisation_id: 1,
            username: username.into(),
            display_name: "Beheerder".into(),
            phone: None,
            role: Role::Admin,
            password_hash: "x".into(),
        },
        now(),
    )
    .await
    .unwrap()
}

async fn second_factor_failures_survive_a_correct_password(db: Db) {
    let admin = user(&db, "beheer").await;
    let other = user(&db, "ander").await;
    let hour_ago = now() - jiff::SignedDuration::from_hours(1);
    for _ in 0..3 {
        db.record_second_factor_failure(admin, "10.0.0.1", now())
            .await
            .unwrap();
    }
    db.record_second_factor_failure(admin, "10.0.0.2", now())
        .await
        .unwrap();
    db.record_login_failure("beheer", "10.0.0.1", now())
        .await
        .unwrap();
    // The attacker knows the password: each correct password clears the password count…
    db.clear_login_failures("beheer").await.unwrap();
    assert_eq!(
        db.login_failures_since("beheer", "10.0.0.1", hour_ago)
            .await
            .unwrap()
            .0,
        0
    );
    // …but not the wrong codes, from whichever address they came.
    assert_eq!(
        db.second_factor_failures_since(admin, hour_ago)
            .await
            .unwrap(),
        4
    );
    assert_eq!(
        db.second_factor_failures_since(admin, now() + jiff::SignedDuration::from_secs(1))
            .await
            .unwrap(),
        0,
        "only failures since the given instant count"
    );
    assert_eq!(
        db.second_factor_failures_since(other, hour_ago)
            .await
            .unwrap(),
        0
    );
    // A confirmed second factor starts the count again.
    db.clear_second_factor_failures(admin).await.unwrap();
    assert_eq!(
        db.second_factor_failures_since(admin, hour_ago)
            .await
            .unwrap(),
        0
    );
}
on_both!(second_factor_failures_survive_a_correct_password);

async fn a_totp_code_is_accepted_once(db: Db) {
    let admin = user(&db, "beheer").await;
    let other = user(&db, "ander").await;
    let step = 59_000_000;
    assert!(db.accept_totp_step(admin, step).await.unwrap());
    assert!(
        !db.accept_totp_step(admin, step).await.unwrap(),
        "the same code again is a replay"
    );
    assert!(
        !db.accept_totp_step(admin, step - 1).await.unwrap(),
        "an older code (still inside the clock-skew window) is refused"
    );
    assert!(db.accept_totp_step(admin, step + 1).await.unwrap());
    // Each user has their own last step.
    assert!(db.accept_totp_step(other, step).await.unwrap());
    // Two requests racing with the same fresh code: exactly one passes.
    let (a, b) = tokio::join!(
        db.accept_totp_step(admin, step + 2),
        db.accept_totp_step(admin, step + 2)
    );
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|x| **x).count(), 1);
}
on_both!(a_totp_code_is_accepted_once);
