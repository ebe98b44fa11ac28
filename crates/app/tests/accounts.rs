//! Sessions and passwords as users meet them: staying signed in while active, choosing an
//! own password, and what a reset by an administrator ends.

use nabij_app::accounts::{self, NewUserInput, SignIn};
use nabij_app::{App, AppError, Caller, Clock};
use nabij_domain::ids::OrganisationId;
use nabij_store::{Db, DbOptions};

async fn app() -> (App, Clock, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("a.db").display());
    let db = Db::connect(&DbOptions::new(url)).await.unwrap();
    let now: jiff::Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
    let sessions = Clock::fixed(now);
    let app = App::new(db, Clock::fixed(now)).with_session_clock(sessions.clone());
    (app, sessions, dir)
}

async fn user(app: &App, final_password: bool) -> String {
    let input = NewUserInput {
        username: "ria".into(),
        display_name: "Ria Hoekstra".into(),
        role: "coordinator".into(),
        organisation_id: Some(1),
        password_is_final: final_password,
        ..Default::default()
    };
    let sys = Caller::system("test", OrganisationId(1));
    accounts::create_user(app, &sys, &input).await.unwrap().2
}

async fn session(app: &App, password: &str) -> String {
    match accounts::sign_in(app, "ria", password, "192.0.2.1", "test", None)
        .await
        .unwrap()
    {
        SignIn::SignedIn { session_id, .. } => session_id,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_user_active_within_the_idle_limit_stays_signed_in() {
    let (app, clock, _dir) = app().await;
    let password = user(&app, true).await;
    let id = session(&app, &password).await;
    // Idle limit one minute; a request every forty seconds.
    for _ in 0..6 {
        clock.set(clock.now() + jiff::SignedDuration::from_secs(40));
        assert!(
            accounts::identify_session(&app, &id, 1)
                .await
                .unwrap()
                .is_some(),
            "signed out while active"
        );
    }
    clock.set(clock.now() + jiff::SignedDuration::from_secs(61));
    assert!(
        accounts::identify_session(&app, &id, 1)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_temporary_password_is_replaced_by_an_own_one() {
    let (app, _clock, _dir) = app().await;
    let temporary = user(&app, false).await;
    let id = session(&app, &temporary).await;
    let me = accounts::identify_session(&app, &id, 30)
        .await
        .unwrap()
        .unwrap();
    assert!(me.account.must_change_password);
    let refused = |r: Result<(), AppError>| match r {
        Err(AppError::Invalid(v)) => v.into_iter().map(|e| e.field).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        refused(
            accounts::change_password(
                &app,
                &me,
                "fout",
                "een lang nieuw wachtwoord",
                "een lang nieuw wachtwoord"
            )
            .await
        ),
        ["current"]
    );
    assert_eq!(
        refused(accounts::change_password(&app, &me, &temporary, "kort", "kort").await),
        ["new"]
    );
    assert_eq!(
        refused(
            accounts::change_password(&app, &me, &temporary, "riaRIAria2026", "riaRIAria2026")
                .await
        ),
        ["new"],
        "the username is no password"
    );
    assert_eq!(
        refused(
            accounts::change_password(
                &app,
                &me,
                &temporary,
                "een lang nieuw wachtwoord",
                "een ander wachtwoord"
            )
            .await
        ),
        ["repeated"]
    );
    accounts::change_password(
        &app,
        &me,
        &temporary,
        "een lang nieuw wachtwoord",
        "een lang nieuw wachtwoord",
    )
    .await
    .unwrap();
    // The old session ended; the old password no longer works; the new one does, for good.
    assert!(
        accounts::identify_session(&app, &id, 30)
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        accounts::sign_in(&app, "ria", &temporary, "192.0.2.1", "test", None)
            .await
            .unwrap(),
        SignIn::Wrong
    ));
    let id = session(&app, "een lang nieuw wachtwoord").await;
    let me = accounts::identify_session(&app, &id, 30)
        .await
        .unwrap()
        .unwrap();
    assert!(!me.account.must_change_password);
}

#[tokio::test]
async fn a_reset_by_the_administrator_ends_sessions_and_api_keys() {
    let (app, _clock, _dir) = app().await;
    let password = user(&app, true).await;
    let id = session(&app, &password).await;
    let me = accounts::identify_session(&app, &id, 30)
        .await
        .unwrap()
        .unwrap();
    let caller = me.account.caller("192.0.2.1", "test");
    let token = accounts::create_api_token(&app, &caller, "koppeling")
        .await
        .unwrap();
    assert!(
        accounts::identify_token(&app, &token)
            .await
            .unwrap()
            .is_some()
    );
    let admin = Caller::system("test", OrganisationId(1));
    let temporary = accounts::reset_password(&app, &admin, me.account.id)
        .await
        .unwrap();
    assert!(
        accounts::identify_session(&app, &id, 30)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        accounts::identify_token(&app, &token)
            .await
            .unwrap()
            .is_none(),
        "whoever held the old password keeps no key"
    );
    let id = session(&app, &temporary).await;
    let me = accounts::identify_session(&app, &id, 30)
        .await
        .unwrap()
        .unwrap();
    assert!(
        me.account.must_change_password,
        "a reset password is temporary"
    );
}
