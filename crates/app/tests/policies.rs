//! The need-to-know policies of each area, tested at the door itself for every role: who may
//! see a person's file, what a role sees of who lives in a home, what a partner sees under
//! consent, what a main resident sees of their house.

use nabij_app::accounts::{self, Account, NewUserInput};
use nabij_app::homes::{self, HomeInput};
use nabij_app::intake::{self, IntakeInput};
use nabij_app::persons::{self, ConsentInput};
use nabij_app::stays::{self, ExitInput, ReadyInput};
use nabij_app::{App, AppError, Caller, Clock};
use nabij_domain::access::Role;
use nabij_domain::geo::GeoPoint;
use nabij_domain::ids::*;
use nabij_store::{Db, DbOptions};

struct World {
    app: App,
    /// Accounts of the provider (and its partner) by role.
    accounts: Vec<Account>,
    /// A coordinator of another provider.
    stranger: Caller,
    /// Placed, in the caseload of the professional, living in the main resident's house.
    guided: PersonId,
    guided_stay: StayId,
    /// Placed in another home, nobody's caseload.
    other: PersonId,
    pitstop: HomeId,
    /// Referred by the partner; consent for referral only.
    referral_with_consent: ReferralId,
    /// Referred by the partner; no consent.
    referral_without_consent: ReferralId,
    _dir: tempfile::TempDir,
}

impl World {
    fn caller(&self, role: Role) -> Caller {
        self.accounts
            .iter()
            .find(|a| a.role == role)
            .expect("one account per role")
            .caller("192.0.2.1", "test")
    }
}

fn intake_of(first: &str, municipality: MunicipalityId, partner: Option<i64>) -> IntakeInput {
    IntakeInput {
        first_name: first.into(),
        last_name: "Jansen".into(),
        gender: "man".into(),
        household_size: 1,
        own_municipality_id: municipality.0,
        source: "sociaal_team".into(),
        urgency: "hoog".into(),
        situation: "Dreigende huisuitzetting".into(),
        referred_by_organisation_id: partner,
        ..Default::default()
    }
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("p.db").display());
    let db = Db::connect(&DbOptions::new(url)).await.unwrap();
    let now: jiff::Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
    let other_provider = db
        .create_organisation("Andere stichting", None, now)
        .await
        .unwrap();
    let app = App::new(db.clone(), Clock::fixed(now));
    let sys = Caller::system("test", OrganisationId(1));
    let point = GeoPoint {
        lat: 52.085,
        lon: 4.883,
    };
    let woerden = nabij_app::geography::add_municipality(&app, &sys, None, None, "Woerden", point)
        .await
        .unwrap();
    let centrum =
        nabij_app::geography::add_neighbourhood(&app, &sys, woerden, None, "Centrum", point)
            .await
            .unwrap();
    let home = |name: &str| HomeInput {
        name: name.into(),
        kind: "pitstop".into(),
        address: "Straat 1".into(),
        neighbourhood_id: centrum.0,
        lat: None,
        lon: None,
        women_only: false,
        accessible: false,
        pets_allowed: false,
        max_stay_months: None,
        landlord: None,
        places: 2,
        opened_on: None,
    };
    let pitstop = homes::open(&app, &sys, &home("Pitstop"))
        .await
        .unwrap()
        .home
        .id;
    let second = homes::open(&app, &sys, &home("Tweede huis"))
        .await
        .unwrap()
        .home
        .id;
    let partner = accounts::create_organisation(&app, &sys, "Gemeente Woerden")
        .await
        .unwrap();
    // A cliënt account comes from an invitation from the file, not from an administrator.
    for role in Role::ALL.iter().filter(|r| **r != Role::Client) {
        let input = NewUserInput {
            username: role.code().replace('_', "-"),
            display_name: format!("Test {}", role.code()),
            phone: "06-11111111".into(),
            email: String::new(),
            role: role.code().into(),
            organisation_id: Some(if *role == Role::Partner { partner.0 } else { 1 }),
            password_is_final: true,
        };
        accounts::create_user(&app, &sys, &input).await.unwrap();
    }
    let accounts = accounts::users(&app, &sys).await.unwrap();
    let find = |r: Role| accounts.iter().find(|a| a.role == r).unwrap().id;
    accounts::link_home(&app, &sys, find(Role::MainResident), Some(pitstop))
        .await
        .unwrap();
    let stranger_sys = Caller::system("test", OrganisationId(other_provider));
    let (stranger_id, _, _) = accounts::create_user(
        &app,
        &stranger_sys,
        &NewUserInput {
            username: "vreemde".into(),
            display_name: "Vreemde coördinator".into(),
            role: "coordinator".into(),
            organisation_id: Some(other_provider),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let stranger = accounts::users(&app, &stranger_sys)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.id == stranger_id)
        .unwrap()
        .caller("192.0.2.2", "test");

    let (guided, r1) = intake::intake(&app, &sys, &intake_of("Gerrit", woerden, None))
        .await
        .unwrap();
    let guided_stay = intake::place(&app, &sys, r1, pitstop)
        .await
        .unwrap()
        .stay
        .id;
    persons::assign_professional(&app, &sys, guided, find(Role::Professional))
        .await
        .unwrap();
    let (other, r2) = intake::intake(&app, &sys, &intake_of("Piet", woerden, None))
        .await
        .unwrap();
    intake::place(&app, &sys, r2, second).await.unwrap();
    let (consenting, referral_with_consent) =
        intake::intake(&app, &sys, &intake_of("Anna", woerden, Some(partner.0)))
            .await
            .unwrap();
    persons::add_consent(
        &app,
        &sys,
        consenting,
        &ConsentInput {
            organisation_id: Some(partner.0),
            purpose: "referral".into(),
            given_on: "2026-03-02".into(),
            expires_on: String::new(),
        },
    )
    .await
    .unwrap();
    let (_, referral_without_consent) =
        intake::intake(&app, &sys, &intake_of("Bram", woerden, Some(partner.0)))
            .await
            .unwrap();
    World {
        app,
        accounts,
        stranger,
        guided,
        guided_stay,
        other,
        pitstop,
        referral_with_consent,
        referral_without_consent,
        _dir: dir,
    }
}

fn not_found<T: std::fmt::Debug>(r: Result<T, AppError>) -> bool {
    matches!(r, Err(AppError::NotFound(_)))
}

#[tokio::test]
async fn a_file_is_seen_by_coordinators_and_the_own_professional_only() {
    let w = world().await;
    let app = &w.app;
    let coordinator = w.caller(Role::Coordinator);
    let professional = w.caller(Role::Professional);
    assert!(persons::person(app, &coordinator, w.guided).await.is_ok());
    assert!(persons::person(app, &coordinator, w.other).await.is_ok());
    assert!(persons::person(app, &professional, w.guided).await.is_ok());
    assert!(
        not_found(persons::person(app, &professional, w.other).await),
        "not in the caseload"
    );
    for role in [Role::MainResident, Role::Buddy, Role::Partner, Role::Admin] {
        assert!(
            not_found(persons::person(app, &w.caller(role), w.guided).await),
            "{role:?} reads no file"
        );
        assert!(
            not_found(stays::stay(app, &w.caller(role), w.guided_stay).await),
            "{role:?} reads no stay"
        );
        assert!(
            persons::list(app, &w.caller(role), "", &Default::default())
                .await
                .unwrap()
                .items
                .is_empty()
        );
    }
    assert!(
        not_found(persons::person(app, &w.stranger, w.guided).await),
        "another organisation's coordinator"
    );
    // The professional's list is the own caseload.
    let listed = persons::list(app, &professional, "", &Default::default())
        .await
        .unwrap();
    assert_eq!(
        listed.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        [w.guided]
    );
    assert_eq!(listed.total, 1);
    let all = persons::list(app, &coordinator, "", &Default::default())
        .await
        .unwrap();
    assert_eq!((all.items.len(), all.total), (4, 4));
    // The file never carries the BSN, only whether one is recorded.
    let json = serde_json::to_string(&persons::person(app, &coordinator, w.guided).await.unwrap())
        .unwrap();
    assert!(!json.contains("bsn"), "{json}");
}

#[tokio::test]
async fn decisions_on_a_stay_follow_the_role() {
    let w = world().await;
    let app = &w.app;
    let professional = w.caller(Role::Professional);
    let ready = ReadyInput {
        ready_on: "2026-03-02".into(),
    };
    assert!(
        stays::ready(app, &professional, w.guided_stay, &ready)
            .await
            .is_ok()
    );
    let exit = ExitInput {
        exit_date: "2026-03-02".into(),
        destination: "own_rented_home".into(),
        reason: String::new(),
    };
    assert!(matches!(
        stays::exit(app, &professional, w.guided_stay, &exit).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        intake::intake(app, &professional, &IntakeInput::default()).await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn who_lives_in_a_home_is_for_coordinators_an_administrator_sees_taken() {
    let w = world().await;
    let app = &w.app;
    let coordinator = homes::detail(app, &w.caller(Role::Coordinator), w.pitstop)
        .await
        .unwrap();
    assert_eq!(coordinator.persons(), [w.guided]);
    let named = coordinator
        .places
        .iter()
        .find_map(|p| p.occupant.as_ref())
        .unwrap();
    assert_eq!(named.first_name.as_deref(), Some("Gerrit"));

    let admin = homes::detail(app, &w.caller(Role::Admin), w.pitstop)
        .await
        .unwrap();
    assert!(
        admin.persons().is_empty(),
        "an administrator is shown no one"
    );
    let json = serde_json::to_string(&admin).unwrap();
    assert!(json.contains("\"occupant\":{\"start\""), "{json}");
    for field in ["first_name", "person_id", "stay_id", "Gerrit"] {
        assert!(!json.contains(field), "{field} in {json}");
    }
    for role in [
        Role::Professional,
        Role::MainResident,
        Role::Buddy,
        Role::Partner,
    ] {
        assert!(matches!(
            homes::detail(app, &w.caller(role), w.pitstop).await,
            Err(AppError::Forbidden(_))
        ));
    }
    assert!(not_found(homes::detail(app, &w.stranger, w.pitstop).await));
}

#[tokio::test]
async fn a_partner_sees_its_referrals_and_a_name_only_under_consent() {
    let w = world().await;
    let app = &w.app;
    let partner = w.caller(Role::Partner);
    let ours = nabij_app::partners::our_referrals(app, &partner, &Default::default())
        .await
        .unwrap();
    assert_eq!(ours.total, 2, "the two referrals it made, not the others");
    let ours = ours.items;
    let with = ours
        .iter()
        .find(|r| r.id == w.referral_with_consent)
        .unwrap();
    assert_eq!(with.name.as_deref(), Some("Anna Jansen"));
    assert!(with.shown.is_some(), "a view under consent is logged");
    let without = ours
        .iter()
        .find(|r| r.id == w.referral_without_consent)
        .unwrap();
    assert_eq!(without.name, None);
    assert_eq!(without.shown, None);
    let d = nabij_app::partners::our_referral(app, &partner, w.referral_without_consent)
        .await
        .unwrap();
    assert!(d.referral.name.is_none() && d.placed.is_none() && d.ready_on.is_none());
    // A referral it did not make does not exist for it; nor do partner pages for others.
    let (_, foreign) = intake::intake(
        app,
        &Caller::system("test", OrganisationId(1)),
        &intake_of("Kees", MunicipalityId(1), None),
    )
    .await
    .unwrap();
    assert!(not_found(
        nabij_app::partners::our_referral(app, &partner, foreign).await
    ));
    assert!(matches!(
        nabij_app::partners::our_referrals(app, &w.caller(Role::Coordinator), &Default::default())
            .await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn a_main_resident_sees_first_names_of_the_own_house_only() {
    let w = world().await;
    let app = &w.app;
    let houses = nabij_app::volunteers::my_houses(app, &w.caller(Role::MainResident))
        .await
        .unwrap();
    assert_eq!(houses.len(), 1);
    let residents = &houses[0].residents;
    assert_eq!(residents.len(), 1);
    assert_eq!(residents[0].first_name, "Gerrit");
    assert_eq!(
        residents[0].professional.as_ref().map(|p| p.0.as_str()),
        Some("Test professional")
    );
    for role in [Role::Coordinator, Role::Buddy, Role::Partner, Role::Admin] {
        assert!(
            nabij_app::volunteers::my_houses(app, &w.caller(role))
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn an_administrator_manages_only_the_own_network() {
    let w = world().await;
    let app = &w.app;
    let admin = w.caller(Role::Admin);
    let stranger_id = w.stranger.user.unwrap();
    assert!(not_found(accounts::user(app, &admin, stranger_id).await));
    assert!(not_found(
        accounts::reset_password(app, &admin, stranger_id).await
    ));
    for role in [Role::Coordinator, Role::Professional, Role::Partner] {
        assert!(matches!(
            accounts::users(app, &w.caller(role)).await,
            Err(AppError::Forbidden(_))
        ));
    }
    assert!(matches!(
        nabij_app::audit::search(
            app,
            &w.caller(Role::Coordinator),
            &Default::default(),
            &Default::default()
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
}
