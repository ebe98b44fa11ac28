//! Need-to-know by construction, proven per route: the authorization matrix (every route of
//! the router × every role × own and another organisation's data), the access log of every
//! route that touches a person's data, tenant isolation, consent, redaction for volunteers
//! and administrators, the append-only hash chain, CSRF, session fixation, throttling,
//! idle expiry, the second factor and API keys. Every test runs on SQLite and PostgreSQL.

use crate::helpers::*;
use jiff::{Timestamp, ToSpan};
use nabij_domain::access::{AuditAction, DataCategory, Purpose, Role};
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_domain::ids::*;
use nabij_domain::person::{Gender, HouseholdSize, Needs};
use nabij_domain::referral::{ReferralSource, Urgency};
use nabij_domain::stay::planned_end;
use nabij_store::accounts::NewUser;
use nabij_store::audit::{AccessFilter, Actor};
use nabij_store::consents::NewConsent;
use nabij_store::homes::NewHome;
use nabij_store::persons::NewPerson;
use nabij_store::referrals::NewReferral;
use nabij_store::stays::NewStay;
use serde_json::{Value, json};

/// Records of one organisation, for the routes' path parameters.
#[derive(Debug, Clone, Copy)]
struct Records {
    person: PersonId,
    referral: ReferralId,
    stay: StayId,
    home: HomeId,
    place: PlaceId,
    block: i64,
    consent: i64,
    user: i64,
    token: i64,
    signal: i64,
    buddy: i64,
    buddy_match: i64,
    offer: i64,
    flip: i64,
    partner: i64,
}

/// The test provider's records and another provider's.
struct World {
    own: Records,
    other: Records,
}

fn system(app: &TestApp) -> Actor {
    Actor::system("test", app.clock.now())
}

fn new_person(org: i64, first: &str, m: MunicipalityId, n: NeighbourhoodId) -> NewPerson {
    NewPerson {
        organisation_id: org,
        first_name: first.into(),
        last_name: "Achternaam".into(),
        gender: Gender::Man,
        date_of_birth: None,
        bsn: Some(nabij_domain::person::Bsn::parse("111222333").unwrap()),
        phone: Some("06-99998888".into()),
        household: HouseholdSize::new(1).unwrap(),
        needs: Needs::default(),
        own_municipality: m,
        own_neighbourhood: Some(n),
        avoid: vec![],
    }
}

fn new_referral(org: i64, partner: Option<i64>) -> NewReferral {
    NewReferral {
        organisation_id: org,
        referred_by: partner,
        source: ReferralSource::Municipality,
        urgency: Urgency::High,
        situation: "Geheime situatie: huurschuld en ruzie".into(),
    }
}

/// A placed person with a stay, a referral through the partner and consent for it.
async fn placed(
    app: &TestApp,
    org: i64,
    partner: i64,
    home: HomeId,
    first: &str,
) -> (PersonId, ReferralId, StayId) {
    let db = &app.db;
    let today = app.clock.today();
    let (person, referral) = db
        .create_referral(
            &new_person(org, first, app.woerden, app.centrum),
            &new_referral(org, Some(partner)),
            app.clock.now(),
            &system(app),
        )
        .await
        .unwrap();
    let free = db.availability(today, org, Some(home)).await.unwrap()[0].free_places[0];
    let stay = db
        .place(
            &NewStay {
                referral: Some(referral),
                person,
                home,
                places: vec![free],
                start: today,
                planned_end: planned_end(today, 6),
                placed_at: app.clock.now(),
                proximity: nabij_domain::placement::Proximity::OwnNeighbourhood,
                distance_km: 0.1,
            },
            &system(app),
        )
        .await
        .unwrap();
    (person, referral, stay)
}

async fn records_of(
    app: &TestApp,
    org: i64,
    partner: i64,
    home: HomeId,
    target_role: Role,
) -> Records {
    let db = &app.db;
    let now = app.clock.now();
    let (person, referral, stay) = placed(app, org, partner, home, "Piet").await;
    let consent = db
        .record_consent(
            &NewConsent {
                person,
                organisation_id: partner,
                purpose: Purpose::Referral,
                given_on: app.clock.today(),
                expires_on: None,
            },
            &system(app),
        )
        .await
        .unwrap();
    let place = db
        .places_of_home(home, app.clock.today())
        .await
        .unwrap()
        .last()
        .unwrap()
        .id;
    let block = db
        .block_place(
            place,
            app.clock.today().saturating_add(30.days()),
            None,
            "Schilderwerk",
            now,
        )
        .await
        .unwrap();
    let user = db
        .create_user(
            &NewUser {
                organisation_id: org,
                username: format!("doelwit-{org}"),
                display_name: "Doelwit".into(),
                phone: None,
                role: target_role,
                password_hash: "niet-in-te-loggen".into(),
            },
            now,
        )
        .await
        .unwrap();
    let token = db
        .create_api_token(user, "test", &format!("hash-{org}"), now)
        .await
        .unwrap();
    // The test provider's buddy is the signed-in buddy, matched with the person.
    let account = (org == 1).then(|| app.user(Role::Buddy));
    let (signal, buddy, buddy_match) = volunteers_of(app, org, home, person, account).await;
    let (offer, flip) = outflow_records(app, org, partner).await;
    Records {
        person,
        referral,
        stay,
        home,
        place,
        block,
        consent,
        user,
        token,
        signal,
        buddy,
        buddy_match,
        offer,
        flip,
        partner,
    }
}

/// A signal about the person (for the coordinators), a buddy (with `account`, capacity 3)
/// and a match of the two.
async fn volunteers_of(
    app: &TestApp,
    org: i64,
    home: HomeId,
    person: PersonId,
    account: Option<i64>,
) -> (i64, i64, i64) {
    let signal = new_signal(app, org, home, person).await;
    let buddy = new_buddy(app, org, account, 3).await;
    let buddy_match = app
        .db
        .create_match(
            &nabij_store::buddies::NewMatch {
                organisation_id: org,
                person_id: person,
                buddy_id: buddy,
                purpose: nabij_domain::buddy::MatchPurpose::Company,
                started_on: app.clock.today(),
                check_in_weeks: 4,
                coordinator_id: None,
            },
            &system(app),
        )
        .await
        .unwrap();
    (signal, buddy, buddy_match)
}

async fn new_signal(app: &TestApp, org: i64, home: HomeId, person: PersonId) -> i64 {
    let now = app.clock.now();
    app.db
        .file_signal(
            &nabij_store::signals::NewSignal {
                organisation_id: org,
                home_id: Some(home),
                person_id: Some(person),
                filed_by: None,
                filed_by_role: "main_resident".into(),
                category: nabij_domain::signal::SignalCategory::Conflict,
                urgency: nabij_domain::signal::Urgency::High,
                text: "Ruzie in de keuken".into(),
                professionals: Vec::new(),
                filed_at: now,
                due_at: now,
            },
            &system(app),
        )
        .await
        .unwrap()
}

async fn new_buddy(app: &TestApp, org: i64, account: Option<i64>, capacity: i64) -> i64 {
    app.db
        .create_buddy(
            &nabij_store::buddies::BuddyInput {
                organisation_id: org,
                user_id: account,
                name: format!("Maatje {org}-{capacity}"),
                phone: Some("06-11112222".into()),
                interests: nabij_domain::buddy::Interests::of(&[
                    nabij_domain::buddy::Interest::Cooking,
                ]),
                neighbourhood_id: app.centrum.0,
                hours_per_week: 2,
                availability: "zaterdag".into(),
                capacity,
                status: nabij_domain::buddy::BuddyStatus::Active,
                vog_screened_on: Some(app.clock.today().saturating_sub(1.year())),
            },
            &system(app),
        )
        .await
        .unwrap()
}

async fn world(app: &TestApp) -> World {
    let own = records_of(app, 1, app.partner_org, app.pitstop, Role::Buddy).await;
    // The professional guides the person, so it is in their caseload.
    app.db
        .assign_professional(
            own.person,
            app.user(Role::Professional),
            app.clock.today(),
            &system(app),
        )
        .await
        .unwrap();
    let db = &app.db;
    let now = app.clock.now();
    let other_org = db
        .create_organisation("Andere Stichting", None, now)
        .await
        .unwrap();
    let other_partner = db
        .create_organisation("Gemeente Elders", Some(other_org), now)
        .await
        .unwrap();
    let other_home = db
        .create_home(
            &NewHome {
                organisation_id: other_org,
                name: "Huis van een ander".into(),
                kind: HomeKind::ShelterHome,
                address: "Elders 1".into(),
                neighbourhood: app.centrum,
                point: Some(GeoPoint {
                    lat: 52.08,
                    lon: 4.88,
                }),
                rules: HouseRules::default(),
                max_stay_months: 6,
                landlord: None,
                places: 3,
                opened_on: None,
            },
            now,
        )
        .await
        .unwrap();
    let other = records_of(app, other_org, other_partner, other_home, Role::Buddy).await;
    World { own, other }
}

/// The concrete path of a route for a set of records.
fn concrete(path: &str, r: &Records) -> String {
    let id = |p: &str| -> String {
        match p {
            p if p.starts_with("/aanmeldingen/")
                || p.starts_with("/onze-aanmeldingen/")
                || p.starts_with("/api/v1/partner/referrals/")
                || p.starts_with("/api/v1/referrals/") =>
            {
                r.referral.to_string()
            }
            p if p.starts_with("/personen/") || p.starts_with("/api/v1/persons/") => {
                r.person.to_string()
            }
            p if p.starts_with("/verblijven/") || p.starts_with("/api/v1/stays/") => {
                r.stay.to_string()
            }
            p if p.starts_with("/huizen/") || p.starts_with("/api/v1/homes/") => r.home.to_string(),
            p if p.starts_with("/api/v1/places/") => r.place.to_string(),
            p if p.starts_with("/woningaanbod/") || p.starts_with("/api/v1/offers/") => {
                r.offer.to_string()
            }
            p if p.starts_with("/omklapwoningen/") || p.starts_with("/api/v1/flips/") => {
                r.flip.to_string()
            }
            p if p.starts_with("/api/v1/partners/") || p.starts_with("/beheer/ketenpartners/") => {
                r.partner.to_string()
            }
            p if p.starts_with("/blokkades/") => r.block.to_string(),
            p if p.starts_with("/beheer/gebruikers/") => r.user.to_string(),
            p if p.starts_with("/signalen/") || p.starts_with("/api/v1/signals/") => {
                r.signal.to_string()
            }
            p if p.starts_with("/maatjes/") || p.starts_with("/api/v1/buddies/") => {
                r.buddy.to_string()
            }
            p if p.starts_with("/koppelingen/")
                || p.starts_with("/mijn-maatje/")
                || p.starts_with("/api/v1/matches/") =>
            {
                r.buddy_match.to_string()
            }
            p if p.starts_with("/account/api-sleutels/") => r.token.to_string(),
            other => panic!("no record for the parameters of {other}"),
        }
    };
    path.replace("{id}", &id(path))
        .replace("{consent}", &r.consent.to_string())
        .replace("{place}", &r.place.to_string())
}

/// Who may use each route: C coordinator, P professional, H main resident, B buddy,
/// K partner (ketenpartner), A administrator, L cliënt; * every signed-in user; - anyone.
/// Written out by hand from domain.md §2, independently of the route table, so that the
/// two must agree; a new route without a line here fails the test.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("GET", "/static/style.css", "-"),
    ("GET", "/health", "-"),
    ("GET", "/ready", "-"),
    ("GET", "/metrics", "A"),
    ("GET", "/inloggen", "-"),
    ("POST", "/inloggen", "-"),
    ("GET", "/inloggen/code", "*"),
    ("POST", "/inloggen/code", "*"),
    ("POST", "/uitloggen", "*"),
    ("GET", "/account/tweede-factor", "*"),
    ("POST", "/account/tweede-factor", "*"),
    ("GET", "/account/wachtwoord", "*"),
    ("POST", "/account/wachtwoord", "*"),
    ("GET", "/account/api-sleutels", "*"),
    ("POST", "/account/api-sleutels", "*"),
    ("POST", "/account/api-sleutels/{id}/intrekken", "*"),
    ("GET", "/", "*"),
    ("GET", "/aanmeldingen", "C"),
    ("GET", "/aanmeldingen/nieuw", "C"),
    ("POST", "/aanmeldingen", "C"),
    ("GET", "/aanmeldingen/{id}", "C"),
    ("POST", "/aanmeldingen/{id}/plaatsen", "C"),
    ("POST", "/aanmeldingen/{id}/sluiten", "C"),
    ("GET", "/personen", "CP"),
    ("GET", "/personen/{id}", "CP"),
    ("POST", "/personen/{id}/begeleider", "C"),
    ("POST", "/personen/{id}/toestemmingen", "C"),
    (
        "POST",
        "/personen/{id}/toestemmingen/{consent}/intrekken",
        "C",
    ),
    ("GET", "/personen/{id}/inzage", "C"),
    ("GET", "/personen/{id}/inzage.csv", "C"),
    ("GET", "/verblijven", "C"),
    ("GET", "/verblijven/{id}", "CP"),
    ("POST", "/verblijven/{id}/vertrek", "C"),
    ("POST", "/verblijven/{id}/verlenging", "C"),
    ("POST", "/verblijven/{id}/uitstroomklaar", "CP"),
    ("POST", "/verblijven/{id}/mijlpalen", "CP"),
    ("GET", "/huizen", "CA"),
    ("GET", "/huizen/{id}", "CA"),
    ("POST", "/huizen/{id}/blokkades", "CA"),
    ("GET", "/huizen/nieuw", "CA"),
    ("POST", "/huizen/nieuw", "CA"),
    ("GET", "/huizen/{id}/bewerken", "CA"),
    ("POST", "/huizen/{id}/bewerken", "CA"),
    ("POST", "/huizen/{id}/plekken", "CA"),
    ("POST", "/huizen/{id}/buiten-gebruik", "CA"),
    ("POST", "/huizen/{id}/sluiten", "CA"),
    ("POST", "/huizen/{id}/heropenen", "CA"),
    ("POST", "/blokkades/{id}/opheffen", "CA"),
    ("GET", "/rapportage", "CA"),
    ("GET", "/rapportage/per-gemeente", "CA"),
    ("GET", "/rapportage/per-soort", "CA"),
    ("GET", "/rapportage/per-huis", "CA"),
    ("GET", "/rapportage/per-maand", "CA"),
    ("GET", "/rapportage/definities", "CA"),
    ("GET", "/rapportage/export.csv", "CA"),
    ("GET", "/rapportage/export.xlsx", "CA"),
    ("GET", "/api/v1/reports/summary", "CA"),
    ("GET", "/api/v1/reports/municipalities", "CA"),
    ("GET", "/api/v1/reports/kinds", "CA"),
    ("GET", "/api/v1/reports/homes", "CA"),
    ("GET", "/api/v1/reports/months", "CA"),
    ("GET", "/capaciteitsplanner", "CA"),
    ("GET", "/capaciteitsplanner/scenario.json", "CA"),
    ("GET", "/mijn-huis", "H"),
    ("GET", "/mijn-maatje", "B"),
    ("GET", "/onze-aanmeldingen", "K"),
    ("GET", "/onze-aanmeldingen/{id}", "K"),
    ("GET", "/beheer/gebruikers", "A"),
    ("POST", "/beheer/gebruikers", "A"),
    ("GET", "/beheer/gebruikers/{id}", "A"),
    ("POST", "/beheer/gebruikers/{id}", "A"),
    ("POST", "/beheer/gebruikers/{id}/wachtwoord", "A"),
    ("POST", "/beheer/gebruikers/{id}/tweede-factor", "A"),
    ("POST", "/beheer/gebruikers/{id}/huizen", "A"),
    ("POST", "/beheer/organisaties", "A"),
    ("GET", "/toegangslog", "A"),
    ("GET", "/api/v1/openapi.json", "-"),
    ("GET", "/api/v1/dashboard", "C"),
    ("GET", "/api/v1/municipalities", "*"),
    ("GET", "/api/v1/neighbourhoods", "*"),
    ("GET", "/api/v1/homes", "CA"),
    ("POST", "/api/v1/homes", "CA"),
    ("GET", "/api/v1/homes/{id}", "CA"),
    ("PATCH", "/api/v1/homes/{id}", "CA"),
    ("POST", "/api/v1/homes/{id}/places", "CA"),
    ("POST", "/api/v1/homes/{id}/places/{place}/retire", "CA"),
    ("POST", "/api/v1/homes/{id}/close", "CA"),
    ("POST", "/api/v1/homes/{id}/reopen", "CA"),
    ("POST", "/api/v1/places/{id}/blocks", "CA"),
    ("GET", "/api/v1/referrals", "C"),
    ("POST", "/api/v1/referrals", "C"),
    ("GET", "/api/v1/referrals/{id}", "C"),
    ("GET", "/api/v1/referrals/{id}/proposals", "C"),
    ("POST", "/api/v1/referrals/{id}/placement", "C"),
    ("POST", "/api/v1/referrals/{id}/close", "C"),
    ("GET", "/api/v1/persons/{id}", "CP"),
    ("GET", "/api/v1/stays", "C"),
    ("GET", "/api/v1/stays/{id}", "CP"),
    ("POST", "/api/v1/stays/{id}/exit", "C"),
    ("POST", "/api/v1/stays/{id}/extension", "C"),
    ("POST", "/api/v1/stays/{id}/ready", "CP"),
    ("POST", "/api/v1/stays/{id}/milestones", "CP"),
    ("GET", "/caseload", "P"),
    ("GET", "/mijn-verblijf", "L"),
    ("GET", "/mijn-contacten", "L"),
    ("GET", "/mijn-inzage", "L"),
    ("POST", "/mijn-toestemmingen/intrekken", "L"),
    ("POST", "/personen/{id}/uitnodiging", "CP"),
    ("GET", "/rapportage/herstel", "CA"),
    ("GET", "/api/v1/reports/recovery", "CA"),
    ("GET", "/personen/{id}/begeleiding", "CP"),
    ("POST", "/personen/{id}/begeleiding", "C"),
    ("POST", "/personen/{id}/begeleiding/hervatten", "CP"),
    ("POST", "/personen/{id}/begeleiding/intensiteit", "CP"),
    ("POST", "/personen/{id}/begeleiding/afsluiten", "CP"),
    ("POST", "/personen/{id}/begeleiding/begeleiders", "CP"),
    ("POST", "/personen/{id}/begeleiding/begeleiders/eraf", "CP"),
    ("POST", "/personen/{id}/begeleiding/vaste-begeleider", "CP"),
    ("POST", "/api/v1/persons/{id}/episode-professionals", "CP"),
    (
        "POST",
        "/api/v1/persons/{id}/episode-professionals/removal",
        "CP",
    ),
    ("POST", "/api/v1/persons/{id}/episode-lead", "CP"),
    ("GET", "/personen/{id}/contacten", "CP"),
    ("POST", "/personen/{id}/contacten", "CP"),
    ("GET", "/personen/{id}/plan", "CP"),
    ("POST", "/personen/{id}/plan", "CP"),
    ("POST", "/personen/{id}/plan/status", "CP"),
    ("GET", "/personen/{id}/zrm", "CP"),
    ("POST", "/personen/{id}/zrm", "CP"),
    ("GET", "/api/v1/caseload", "P"),
    ("GET", "/api/v1/persons/{id}/episodes", "CP"),
    ("POST", "/api/v1/persons/{id}/episodes", "C"),
    ("POST", "/api/v1/persons/{id}/resumption", "CP"),
    ("POST", "/api/v1/persons/{id}/intensity", "CP"),
    ("POST", "/api/v1/persons/{id}/episode-end", "CP"),
    ("GET", "/api/v1/persons/{id}/contacts", "CP"),
    ("POST", "/api/v1/persons/{id}/contacts", "CP"),
    ("GET", "/api/v1/persons/{id}/goals", "CP"),
    ("POST", "/api/v1/persons/{id}/goals", "CP"),
    ("POST", "/api/v1/persons/{id}/goals/status", "CP"),
    ("GET", "/api/v1/persons/{id}/assessments", "CP"),
    ("POST", "/api/v1/persons/{id}/assessments", "CP"),
    ("POST", "/mijn-huis/signaal", "H"),
    ("GET", "/huizen/{id}/huisregels", "C"),
    ("POST", "/huizen/{id}/huisregels", "C"),
    ("GET", "/signalen", "CP"),
    ("GET", "/personen/{id}/signaal", "CP"),
    ("POST", "/personen/{id}/signaal", "CP"),
    ("GET", "/signalen/{id}", "CP"),
    ("POST", "/signalen/{id}/oppakken", "CP"),
    ("POST", "/signalen/{id}/afsluiten", "CP"),
    ("GET", "/api/v1/signals", "CP"),
    ("POST", "/api/v1/signals", "CPHB"),
    ("GET", "/api/v1/signals/mine", "CPHB"),
    ("GET", "/api/v1/signals/{id}", "CP"),
    ("POST", "/api/v1/signals/{id}/acknowledgement", "CP"),
    ("POST", "/api/v1/signals/{id}/closing", "CP"),
    ("GET", "/maatjes", "C"),
    ("POST", "/maatjes", "C"),
    ("GET", "/maatjes/{id}", "C"),
    ("POST", "/maatjes/{id}", "C"),
    ("GET", "/koppelingen", "C"),
    ("POST", "/koppelingen", "C"),
    ("POST", "/koppelingen/{id}/beeindigen", "C"),
    ("POST", "/koppelingen/{id}/nummer", "C"),
    ("GET", "/personen/{id}/maatje", "CP"),
    ("POST", "/personen/{id}/maatje", "CP"),
    ("POST", "/mijn-maatje/{id}/contactmoment", "B"),
    ("POST", "/mijn-maatje/signaal", "B"),
    ("GET", "/api/v1/buddies", "C"),
    ("POST", "/api/v1/buddies", "C"),
    ("GET", "/api/v1/buddies/{id}", "C"),
    ("PUT", "/api/v1/buddies/{id}", "C"),
    ("GET", "/api/v1/persons/{id}/buddy-wish", "CP"),
    ("POST", "/api/v1/persons/{id}/buddy-wish", "CP"),
    ("GET", "/api/v1/persons/{id}/buddy-suggestions", "C"),
    ("POST", "/api/v1/matches/{id}/end", "C"),
    ("POST", "/api/v1/matches/{id}/contact-agreement", "C"),
    ("GET", "/api/v1/matches", "C"),
    ("POST", "/api/v1/matches", "C"),
    ("GET", "/api/v1/matches/proposal", "C"),
    ("GET", "/api/v1/matches/mine", "B"),
    ("GET", "/api/v1/matches/{id}/check-ins", "CB"),
    ("POST", "/api/v1/matches/{id}/check-ins", "B"),
    ("GET", "/woningaanbod", "CK"),
    ("POST", "/woningaanbod", "CK"),
    ("POST", "/contingenten", "C"),
    ("GET", "/woningaanbod/{id}", "CK"),
    ("POST", "/woningaanbod/{id}/voorstellen", "C"),
    ("POST", "/woningaanbod/{id}/antwoord", "C"),
    ("POST", "/woningaanbod/{id}/verhuizing", "C"),
    ("POST", "/woningaanbod/{id}/intrekken", "CK"),
    ("POST", "/woningaanbod/{id}/sleuteldatum", "CK"),
    ("POST", "/woningaanbod/{id}/acceptatie-intrekken", "C"),
    ("GET", "/omklapwoningen", "CK"),
    ("POST", "/omklapwoningen", "CK"),
    ("GET", "/omklapwoningen/{id}", "CK"),
    ("POST", "/omklapwoningen/{id}/stap", "CK"),
    ("POST", "/omklapwoningen/{id}/vervanging", "CK"),
    ("GET", "/onze-aanmeldingen/nieuw", "K"),
    ("POST", "/onze-aanmeldingen", "K"),
    ("GET", "/ketencijfers", "K"),
    ("GET", "/ketencijfers.csv", "K"),
    ("GET", "/rapportage/uitstroom", "CA"),
    ("POST", "/aanmeldingen/{id}/koppeling", "C"),
    ("POST", "/aanmeldingen/{id}/koppeling-afwijzen", "C"),
    ("GET", "/api/v1/quotas", "CK"),
    ("POST", "/api/v1/quotas", "C"),
    ("GET", "/api/v1/offers", "CK"),
    ("POST", "/api/v1/offers", "CK"),
    ("GET", "/api/v1/offers/{id}", "CK"),
    ("GET", "/api/v1/offers/{id}/candidates", "C"),
    ("POST", "/api/v1/offers/{id}/match", "C"),
    ("POST", "/api/v1/offers/{id}/answer", "C"),
    ("POST", "/api/v1/offers/{id}/move", "C"),
    ("POST", "/api/v1/offers/{id}/withdraw", "CK"),
    ("POST", "/api/v1/offers/{id}/key-date", "CK"),
    ("POST", "/api/v1/offers/{id}/cancel-acceptance", "C"),
    ("GET", "/api/v1/flips", "CK"),
    ("POST", "/api/v1/flips", "CK"),
    ("GET", "/api/v1/flips/{id}", "CK"),
    ("POST", "/api/v1/flips/{id}/steps", "CK"),
    ("POST", "/api/v1/flips/{id}/replacement", "CK"),
    ("POST", "/api/v1/partner/referrals", "K"),
    ("GET", "/api/v1/partner/referrals", "K"),
    ("GET", "/api/v1/partner/referrals/{id}", "K"),
    ("GET", "/beheer/ketenpartners", "A"),
    ("GET", "/beheer/ketenpartners/{id}", "A"),
    ("POST", "/beheer/ketenpartners/{id}", "A"),
    ("POST", "/api/v1/partners/{id}/kind", "A"),
    ("POST", "/api/v1/referrals/{id}/link", "C"),
    ("POST", "/api/v1/referrals/{id}/link/reject", "C"),
];

fn letter(role: Role) -> char {
    match role {
        Role::Coordinator => 'C',
        Role::Professional => 'P',
        Role::MainResident => 'H',
        Role::Buddy => 'B',
        Role::Partner => 'K',
        Role::Admin => 'A',
        Role::Client => 'L',
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Denied,
    SignInFirst,
}

/// How the gate answered: pages send a stranger to sign in, the API says 401.
fn outcome(res: &reqwest::Response) -> Outcome {
    let api = res.url().path().starts_with("/api/");
    let to_sign_in = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .is_some_and(|l| l.starts_with("/inloggen?terug="));
    match res.status().as_u16() {
        401 if api => Outcome::SignInFirst,
        403 => Outcome::Denied,
        303 if to_sign_in => Outcome::SignInFirst,
        _ => Outcome::Allowed,
    }
}

async fn request(
    s: Option<&Session>,
    address: &str,
    method: &str,
    path: &str,
) -> reqwest::Response {
    let client = s.map(|s| s.client.clone()).unwrap_or_else(browser);
    let url = format!("{address}{path}");
    match (method, path.starts_with("/api/")) {
        ("GET", _) => client.get(url).send().await.unwrap(),
        ("PATCH", _) => client.patch(url).json(&json!({})).send().await.unwrap(),
        ("PUT", _) => client.put(url).json(&json!({})).send().await.unwrap(),
        (_, true) => client.post(url).json(&json!({})).send().await.unwrap(),
        (_, false) => {
            let csrf = s.map(|s| s.csrf.clone()).unwrap_or_default();
            client
                .post(url)
                .form(&[("_csrf", csrf.as_str())])
                .send()
                .await
                .unwrap()
        }
    }
}

/// Signs in every role with a second factor, so only the role decides.
async fn sessions(app: &TestApp) -> Vec<(Role, Session)> {
    let mut out = Vec::new();
    for role in Role::ALL {
        let id = app.user(*role);
        let secret = nabij_app::totp::new_secret();
        app.db.set_totp_secret(id, &secret).await.unwrap();
        app.db.enable_totp(id, &[]).await.unwrap();
        let at = app.auth_clock.now();
        out.push((
            *role,
            sign_in(&app.address, username(*role), PASSWORD, Some((&secret, at))).await,
        ));
    }
    out
}

async fn authorization_matrix(app: TestApp) {
    let w = world(&app).await;
    let routes = nabij_web::routes::table().routes;
    for (method, path, _) in EXPECTED {
        assert!(
            routes
                .iter()
                .any(|r| r.method.as_str() == *method && r.path == *path),
            "{method} {path} is expected but not routed"
        );
    }
    let sessions = sessions(&app).await;
    // Signing out ends the session: that route goes last.
    let mut ordered: Vec<_> = routes.iter().collect();
    ordered.sort_by_key(|r| r.path == "/uitloggen");
    for route in ordered {
        let method = route.method.as_str();
        let Some((_, _, who)) = EXPECTED
            .iter()
            .find(|(m, p, _)| *m == method && *p == route.path)
        else {
            panic!(
                "{method} {} has no expected permission in this test: add it to EXPECTED",
                route.path
            );
        };
        let has_ids = route.path.contains('{');
        let own = if has_ids {
            concrete(route.path, &w.own)
        } else {
            route.path.to_string()
        };

        // Not signed in: only public routes.
        let res = request(None, &app.address, method, &own).await;
        if *who == "-" {
            // A public route answers (a failed sign-in is a 401 of its own).
            assert_ne!(res.status(), 403, "anonymous {method} {}", route.path);
        } else {
            assert_eq!(
                outcome(&res),
                Outcome::SignInFirst,
                "anonymous {method} {}",
                route.path
            );
        }

        for (role, session) in &sessions {
            let allowed = matches!(*who, "-" | "*") || who.contains(letter(*role));
            let res = request(Some(session), &app.address, method, &own).await;
            if *who == "-" {
                assert_ne!(res.status(), 403, "{role:?} {method} {}", route.path);
                continue;
            }
            let mut got = outcome(&res);
            // A cliënt is told "not found" for another person's record (logged as denied).
            if *role == Role::Client
                && !allowed
                && res.status() == 404
                && route.subject(&own).is_some()
            {
                got = Outcome::Denied;
            }
            let want = if allowed {
                Outcome::Allowed
            } else {
                Outcome::Denied
            };
            assert_eq!(
                got,
                want,
                "{role:?} {method} {} ({})",
                route.path,
                res.status()
            );

            // Another organisation's records: never shown, never changed.
            if allowed && has_ids && who.len() < 6 && *who != "*" {
                let other = concrete(route.path, &w.other);
                let res = request(Some(session), &app.address, method, &other).await;
                if method == "GET" {
                    assert_eq!(
                        res.status(),
                        404,
                        "{role:?} {method} {} of another organisation",
                        route.path
                    );
                } else {
                    assert!(
                        res.status().is_client_error(),
                        "{role:?} {method} {} of another organisation: {}",
                        route.path,
                        res.status()
                    );
                }
            }
        }
    }
    // The other organisation's person was never touched by anyone here.
    let entries = app
        .db
        .access_log(
            &AccessFilter {
                person: Some(w.other.person),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap();
    assert!(
        entries
            .iter()
            .all(|e| e.role == "system" || e.outcome == "denied"),
        "{entries:?}"
    );
    // Every attempt at it is on record as refused.
    assert!(
        entries
            .iter()
            .any(|e| e.outcome == "denied" && e.role == "professional")
    );
}
on_both!(authorization_matrix);

/// The kinds of partner that may use a partner route (the role alone lets every partner
/// in): offers, quotas' use and omklap homes are the corporation's; submitting referrals is
/// for those who refer; quotas are seen by whom they concern.
fn partner_kinds_of(method: &str, path: &str) -> &'static [nabij_domain::outflow::PartnerKind] {
    use nabij_domain::outflow::PartnerKind::*;
    let corporation = (path.starts_with("/woningaanbod")
        && !(method == "GET" && path == "/woningaanbod"))
        || (path.starts_with("/omklapwoningen") && !(method == "GET" && path == "/omklapwoningen"))
        || path.starts_with("/api/v1/offers")
        || path.starts_with("/api/v1/flips");
    if corporation {
        &[HousingCorporation]
    } else if (method, path) == ("GET", "/onze-aanmeldingen/nieuw")
        || (method, path) == ("POST", "/onze-aanmeldingen")
        || (method, path) == ("POST", "/api/v1/partner/referrals")
        || path == "/api/v1/quotas"
    {
        &[Municipality, SocialTeam, HousingCorporation]
    } else {
        nabij_domain::outflow::PartnerKind::ALL
    }
}

/// Every route a partner may use, for each kind of partner: a kind that does not do it is
/// refused (403, or "not found" for a record it cannot see), whatever the role allows; a
/// kind that does gets through the gate. And for each kind, the name on a referral it made
/// shows with consent given, and not once the consent is revoked or has expired.
async fn partner_kinds_in_the_matrix(app: TestApp) {
    use nabij_domain::outflow::PartnerKind;
    let w = world(&app).await;
    let partner = app.session_as(Role::Partner).await;
    let routes: Vec<_> = EXPECTED
        .iter()
        .filter(|(_, _, who)| who.contains('K'))
        .collect();
    assert!(routes.len() > 20, "the partner routes: {routes:?}");
    let referral = format!("/api/v1/partner/referrals/{}", w.own.referral);
    let name_seen = |partner: &Session| {
        let referral = referral.clone();
        let partner = partner.clone();
        async move {
            let seen: Value = partner.get(&referral).await.json().await.unwrap();
            assert!(seen["id"].is_i64(), "{seen}");
            seen["name"] == "Piet Achternaam"
        }
    };
    for kind in PartnerKind::ALL {
        let covers = if kind.covers_municipalities() {
            vec![app.woerden]
        } else {
            vec![]
        };
        app.db
            .set_partner_kind(app.partner_org, *kind, &covers)
            .await
            .unwrap();
        for (method, path, _) in &routes {
            let own = if path.contains('{') {
                concrete(path, &w.own)
            } else {
                path.to_string()
            };
            let status = request(Some(&partner), &app.address, method, &own)
                .await
                .status()
                .as_u16();
            if partner_kinds_of(method, path).contains(kind) {
                assert!(
                    status != 403 && status != 404,
                    "{kind:?} {method} {path}: {status}"
                );
            } else {
                assert!(
                    status == 403 || (status == 404 && path.contains('{')),
                    "{kind:?} {method} {path} is not for this kind: {status}"
                );
            }
        }

        // The list offers the form only to those who refer.
        let list = partner
            .get("/onze-aanmeldingen")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            list.contains("Iemand aanmelden"),
            kind.refers(),
            "{kind:?}: {list}"
        );

        // Consent given: the name shows. Revoked, or expired: it does not, at once.
        let today = app.clock.today();
        let consents = app.db.consents_of(w.own.person).await.unwrap();
        let given = consents
            .iter()
            .find(|c| {
                c.organisation_id == app.partner_org
                    && c.purpose == Purpose::Referral
                    && c.revoked_on.is_none()
                    && c.expires_on.is_none_or(|e| e >= today)
            })
            .expect("a consent for referral in force")
            .id;
        assert!(name_seen(&partner).await, "{kind:?} with consent");
        app.db
            .revoke_consent(w.own.person, given, today, &system(&app))
            .await
            .unwrap();
        assert!(!name_seen(&partner).await, "{kind:?} after revocation");
        app.db
            .record_consent(
                &NewConsent {
                    person: w.own.person,
                    organisation_id: app.partner_org,
                    purpose: Purpose::Referral,
                    given_on: today,
                    expires_on: Some(today),
                },
                &system(&app),
            )
            .await
            .unwrap();
        assert!(
            name_seen(&partner).await,
            "{kind:?} on the consent's last day"
        );
        app.clock.set(app.clock.now() + days(1));
        assert!(!name_seen(&partner).await, "{kind:?} after expiry");
        // Given again, for the next kind.
        app.db
            .record_consent(
                &NewConsent {
                    person: w.own.person,
                    organisation_id: app.partner_org,
                    purpose: Purpose::Referral,
                    given_on: app.clock.today(),
                    expires_on: None,
                },
                &system(&app),
            )
            .await
            .unwrap();
    }
}
on_both!(partner_kinds_in_the_matrix);

/// Entries for one person, newest first, since a sequence number.
async fn entries_since(app: &TestApp, seq: i64) -> Vec<nabij_store::audit::AccessLogEntry> {
    let mut all = app
        .db
        .access_log(&AccessFilter::default(), 100_000)
        .await
        .unwrap();
    all.retain(|e| e.seq > seq);
    all
}

async fn last_seq(app: &TestApp) -> i64 {
    app.db
        .access_log(&AccessFilter::default(), 1)
        .await
        .unwrap()
        .first()
        .map_or(0, |e| e.seq)
}

/// What a successful use of a route looks like: who, the request, and whose data it touches.
struct Use {
    role: Role,
    path: String,
    form: Vec<(&'static str, String)>,
    json: Option<Value>,
    person: Option<PersonId>,
    /// A list: at least this person, maybe others.
    list: bool,
}

async fn open_referral(app: &TestApp, first: &str) -> (PersonId, ReferralId) {
    app.db
        .create_referral(
            &new_person(1, first, app.woerden, app.centrum),
            &new_referral(1, None),
            app.clock.now(),
            &system(app),
        )
        .await
        .unwrap()
}

async fn audit_completeness(app: TestApp) {
    let w = world(&app).await;
    let p = w.own.person;
    let today = app.clock.today().to_string();
    let extra_home = app
        .db
        .create_home(
            &NewHome {
                organisation_id: 1,
                name: "Opvangwoning Woerden".into(),
                kind: HomeKind::ShelterHome,
                address: "Kerkstraat 2".into(),
                neighbourhood: app.centrum,
                point: None,
                rules: HouseRules::default(),
                max_stay_months: 6,
                landlord: None,
                places: 4,
                opened_on: None,
            },
            app.clock.now(),
        )
        .await
        .unwrap();
    let (q1, r1) = open_referral(&app, "Quinten").await;
    let (q2, r2) = open_referral(&app, "Quirine").await;
    let (q3, r3) = open_referral(&app, "Quint").await;
    let (q4, r4) = open_referral(&app, "Quirijn").await;
    let (p2, _, s2) = placed(&app, 1, app.partner_org, extra_home, "Petra").await;
    // Petra's guidance runs: the person page changes its lead.
    app.db
        .start_episode(
            p2,
            app.user(Role::Professional),
            app.clock.today(),
            8,
            "start",
            None,
            &system(&app),
        )
        .await
        .unwrap();
    let (p3, _, s3) = placed(&app, 1, app.partner_org, extra_home, "Pim").await;
    let (p4, _, s4) = placed(&app, 1, app.partner_org, extra_home, "Pauline").await;
    // A person whose buddy match ends through the API.
    let (p5, _) = open_referral(&app, "Pien").await;
    let care = app
        .db
        .record_consent(
            &NewConsent {
                person: p,
                organisation_id: app.partner_org,
                purpose: Purpose::CareCoordination,
                given_on: app.clock.today(),
                expires_on: None,
            },
            &system(&app),
        )
        .await
        .unwrap();
    let form = |fields: &[(&'static str, &str)]| {
        fields
            .iter()
            .map(|(k, v)| (*k, v.to_string()))
            .collect::<Vec<_>>()
    };
    let one = |role, path: String, person| Use {
        role,
        path,
        form: vec![],
        json: None,
        person: Some(person),
        list: false,
    };
    let list = |role, path: &str, person| Use {
        role,
        path: path.into(),
        form: vec![],
        json: None,
        person: Some(person),
        list: true,
    };
    let mut uses: Vec<(&str, &str, Use)> = vec![
        ("GET", "/", list(Role::Coordinator, "/", q1)),
        (
            "GET",
            "/aanmeldingen",
            list(Role::Coordinator, "/aanmeldingen", q1),
        ),
        (
            "GET",
            "/aanmeldingen/{id}",
            one(Role::Coordinator, format!("/aanmeldingen/{r1}"), q1),
        ),
        (
            "POST",
            "/aanmeldingen/{id}/plaatsen",
            Use {
                form: form(&[("home_id", &app.pitstop.to_string())]),
                ..one(
                    Role::Coordinator,
                    format!("/aanmeldingen/{r1}/plaatsen"),
                    q1,
                )
            },
        ),
        (
            "POST",
            "/aanmeldingen/{id}/sluiten",
            Use {
                form: form(&[("state", "withdrawn"), ("reason", "")]),
                ..one(Role::Coordinator, format!("/aanmeldingen/{r2}/sluiten"), q2)
            },
        ),
        ("GET", "/personen", list(Role::Professional, "/personen", p)),
        (
            "GET",
            "/personen/{id}",
            one(Role::Professional, format!("/personen/{p}"), p),
        ),
        (
            "POST",
            "/personen/{id}/begeleider",
            Use {
                form: form(&[("professional_id", &app.user(Role::Professional).to_string())]),
                ..one(Role::Coordinator, format!("/personen/{p2}/begeleider"), p2)
            },
        ),
        (
            "POST",
            "/personen/{id}/toestemmingen",
            Use {
                form: form(&[
                    ("organisation_id", &app.partner_org.to_string()),
                    ("purpose", "housing"),
                    ("given_on", &today),
                ]),
                ..one(Role::Coordinator, format!("/personen/{p}/toestemmingen"), p)
            },
        ),
        (
            "POST",
            "/personen/{id}/toestemmingen/{consent}/intrekken",
            one(
                Role::Coordinator,
                format!("/personen/{p}/toestemmingen/{care}/intrekken"),
                p,
            ),
        ),
        (
            "GET",
            "/personen/{id}/inzage",
            one(Role::Coordinator, format!("/personen/{p}/inzage"), p),
        ),
        (
            "GET",
            "/personen/{id}/inzage.csv",
            one(Role::Coordinator, format!("/personen/{p}/inzage.csv"), p),
        ),
        (
            "GET",
            "/verblijven",
            list(Role::Coordinator, "/verblijven", p),
        ),
        (
            "GET",
            "/verblijven/{id}",
            one(Role::Professional, format!("/verblijven/{}", w.own.stay), p),
        ),
        (
            "POST",
            "/verblijven/{id}/verlenging",
            Use {
                form: form(&[
                    ("new_end", "2026-10-01"),
                    ("decided_by", "Coördinator"),
                    ("reason", "Woning in zicht"),
                ]),
                ..one(
                    Role::Coordinator,
                    format!("/verblijven/{}/verlenging", w.own.stay),
                    p,
                )
            },
        ),
        (
            "POST",
            "/verblijven/{id}/uitstroomklaar",
            Use {
                form: form(&[("ready_on", &today)]),
                ..one(
                    Role::Professional,
                    format!("/verblijven/{}/uitstroomklaar", w.own.stay),
                    p,
                )
            },
        ),
        (
            "POST",
            "/verblijven/{id}/mijlpalen",
            Use {
                form: form(&[("milestone", "exit_preparation"), ("done_on", &today)]),
                ..one(
                    Role::Professional,
                    format!("/verblijven/{}/mijlpalen", w.own.stay),
                    p,
                )
            },
        ),
        (
            "POST",
            "/verblijven/{id}/vertrek",
            Use {
                form: form(&[
                    ("exit_date", &today),
                    ("destination", "own_rented_home"),
                    ("exit_reason", ""),
                ]),
                ..one(Role::Coordinator, format!("/verblijven/{s2}/vertrek"), p2)
            },
        ),
        (
            "GET",
            "/huizen/{id}",
            list(Role::Coordinator, &format!("/huizen/{}", app.pitstop), p),
        ),
        (
            "GET",
            "/mijn-huis",
            list(Role::MainResident, "/mijn-huis", p),
        ),
        (
            "GET",
            "/onze-aanmeldingen",
            list(Role::Partner, "/onze-aanmeldingen", p),
        ),
        (
            "GET",
            "/onze-aanmeldingen/{id}",
            one(
                Role::Partner,
                format!("/onze-aanmeldingen/{}", w.own.referral),
                p,
            ),
        ),
        (
            "GET",
            "/api/v1/partner/referrals",
            list(Role::Partner, "/api/v1/partner/referrals", p),
        ),
        (
            "GET",
            "/api/v1/partner/referrals/{id}",
            one(
                Role::Partner,
                format!("/api/v1/partner/referrals/{}", w.own.referral),
                p,
            ),
        ),
        (
            "GET",
            "/toegangslog",
            one(Role::Admin, format!("/toegangslog?persoon={p}"), p),
        ),
        (
            "GET",
            "/api/v1/dashboard",
            list(Role::Coordinator, "/api/v1/dashboard", q4),
        ),
        (
            "GET",
            "/api/v1/homes/{id}",
            list(
                Role::Coordinator,
                &format!("/api/v1/homes/{}", app.pitstop),
                p,
            ),
        ),
        (
            "GET",
            "/api/v1/referrals",
            list(Role::Coordinator, "/api/v1/referrals", q3),
        ),
        (
            "GET",
            "/api/v1/referrals/{id}",
            one(Role::Coordinator, format!("/api/v1/referrals/{r3}"), q3),
        ),
        (
            "GET",
            "/api/v1/referrals/{id}/proposals",
            one(
                Role::Coordinator,
                format!("/api/v1/referrals/{r3}/proposals"),
                q3,
            ),
        ),
        (
            "POST",
            "/api/v1/referrals/{id}/placement",
            Use {
                json: Some(json!({"home_id": extra_home.0})),
                ..one(
                    Role::Coordinator,
                    format!("/api/v1/referrals/{r3}/placement"),
                    q3,
                )
            },
        ),
        (
            "POST",
            "/api/v1/referrals/{id}/close",
            Use {
                json: Some(json!({"state": "withdrawn"})),
                ..one(
                    Role::Coordinator,
                    format!("/api/v1/referrals/{r4}/close"),
                    q4,
                )
            },
        ),
        (
            "GET",
            "/api/v1/persons/{id}",
            one(Role::Professional, format!("/api/v1/persons/{p}"), p),
        ),
        (
            "GET",
            "/api/v1/stays",
            list(Role::Coordinator, "/api/v1/stays", p),
        ),
        (
            "GET",
            "/api/v1/stays/{id}",
            one(
                Role::Professional,
                format!("/api/v1/stays/{}", w.own.stay),
                p,
            ),
        ),
        (
            "POST",
            "/api/v1/stays/{id}/extension",
            Use {
                json: Some(
                    json!({"new_end": "2026-10-15", "decided_by": "Coördinator", "reason": "Sleutel volgt"}),
                ),
                ..one(
                    Role::Coordinator,
                    format!("/api/v1/stays/{s3}/extension"),
                    p3,
                )
            },
        ),
        (
            "POST",
            "/api/v1/stays/{id}/ready",
            Use {
                json: Some(json!({"ready_on": today})),
                ..one(
                    Role::Professional,
                    format!("/api/v1/stays/{}/ready", w.own.stay),
                    p,
                )
            },
        ),
        (
            "POST",
            "/api/v1/stays/{id}/milestones",
            Use {
                json: Some(json!({"milestone": "evaluation", "done_on": today})),
                ..one(
                    Role::Professional,
                    format!("/api/v1/stays/{}/milestones", w.own.stay),
                    p,
                )
            },
        ),
        (
            "POST",
            "/api/v1/stays/{id}/exit",
            Use {
                json: Some(
                    json!({"exit_date": today, "destination": "family_or_friends", "reason": ""}),
                ),
                ..one(Role::Coordinator, format!("/api/v1/stays/{s4}/exit"), p4)
            },
        ),
    ];
    uses.extend(guidance_uses(&app, &w, p, p2, p3, q3).await);
    // Volunteers: a second signal to acknowledge through the API, a second match to end, a
    // waiting resident with a wish and a free buddy for the proposal.
    let s_api = new_signal(&app, 1, app.pitstop, p).await;
    let b1 = w.own.buddy;
    let m2 = app
        .db
        .create_match(
            &nabij_store::buddies::NewMatch {
                organisation_id: 1,
                person_id: p3,
                buddy_id: b1,
                purpose: nabij_domain::buddy::MatchPurpose::Hobby,
                started_on: app.clock.today(),
                check_in_weeks: 4,
                coordinator_id: None,
            },
            &system(&app),
        )
        .await
        .unwrap();
    // A third match, of a buddy of its own, to end through the API.
    let b3 = new_buddy(&app, 1, None, 1).await;
    let m3 = app
        .db
        .create_match(
            &nabij_store::buddies::NewMatch {
                organisation_id: 1,
                person_id: p5,
                buddy_id: b3,
                purpose: nabij_domain::buddy::MatchPurpose::Company,
                started_on: app.clock.today(),
                check_in_weeks: 4,
                coordinator_id: None,
            },
            &system(&app),
        )
        .await
        .unwrap();
    app.db
        .set_wish(
            p3,
            nabij_domain::buddy::MatchPurpose::Company,
            nabij_domain::buddy::Interests::default(),
            &system(&app),
        )
        .await
        .unwrap();
    new_buddy(&app, 1, None, 1).await;
    let sig = w.own.signal;
    let m1 = w.own.buddy_match;
    uses.extend([
        (
            "POST",
            "/mijn-huis/signaal",
            Use {
                form: form(&[
                    ("about", &format!("person:{p}")),
                    ("category", "wellbeing"),
                    ("urgency", "acute"),
                    ("text", "Hij komt zijn kamer niet uit"),
                ]),
                ..one(Role::MainResident, "/mijn-huis/signaal".into(), p)
            },
        ),
        ("GET", "/signalen", list(Role::Coordinator, "/signalen", p)),
        (
            "GET",
            "/personen/{id}/signaal",
            one(Role::Coordinator, format!("/personen/{p}/signaal"), p),
        ),
        (
            "POST",
            "/personen/{id}/signaal",
            Use {
                form: form(&[
                    ("category", "conflict"),
                    ("urgency", "normal"),
                    ("text", "Onrust in de gedeelde keuken"),
                ]),
                ..one(Role::Coordinator, format!("/personen/{p}/signaal"), p)
            },
        ),
        (
            "GET",
            "/signalen/{id}",
            one(Role::Coordinator, format!("/signalen/{sig}"), p),
        ),
        (
            "POST",
            "/signalen/{id}/oppakken",
            one(Role::Coordinator, format!("/signalen/{sig}/oppakken"), p),
        ),
        (
            "POST",
            "/signalen/{id}/afsluiten",
            Use {
                form: form(&[("note", "Gesprek gevoerd, afspraken gemaakt")]),
                ..one(Role::Coordinator, format!("/signalen/{sig}/afsluiten"), p)
            },
        ),
        (
            "GET",
            "/api/v1/signals",
            list(Role::Coordinator, "/api/v1/signals", p),
        ),
        (
            "POST",
            "/api/v1/signals",
            Use {
                json: Some(json!({"about": format!("person:{p}"), "category": "conflict", "urgency": "high", "text": "Ruzie"})),
                ..one(Role::MainResident, "/api/v1/signals".into(), p)
            },
        ),
        (
            "GET",
            "/api/v1/signals/mine",
            list(Role::MainResident, "/api/v1/signals/mine", p),
        ),
        (
            "GET",
            "/api/v1/signals/{id}",
            one(Role::Coordinator, format!("/api/v1/signals/{s_api}"), p),
        ),
        (
            "POST",
            "/api/v1/signals/{id}/acknowledgement",
            Use {
                json: Some(json!({})),
                ..one(
                    Role::Coordinator,
                    format!("/api/v1/signals/{s_api}/acknowledgement"),
                    p,
                )
            },
        ),
        (
            "POST",
            "/api/v1/signals/{id}/closing",
            Use {
                json: Some(json!({"note": "Opgelost"})),
                ..one(
                    Role::Coordinator,
                    format!("/api/v1/signals/{s_api}/closing"),
                    p,
                )
            },
        ),
        ("GET", "/koppelingen", list(Role::Coordinator, "/koppelingen", p)),
        (
            "POST",
            "/koppelingen",
            Use {
                form: form(&[
                    ("person_id", &p2.to_string()),
                    ("buddy_id", &b1.to_string()),
                    ("purpose", "company"),
                ]),
                ..one(Role::Coordinator, "/koppelingen".into(), p2)
            },
        ),
        (
            "POST",
            "/koppelingen/{id}/beeindigen",
            one(Role::Coordinator, format!("/koppelingen/{m2}/beeindigen"), p3),
        ),
        (
            "POST",
            "/koppelingen/{id}/nummer",
            Use {
                form: form(&[("agreed", "1")]),
                ..one(Role::Coordinator, format!("/koppelingen/{m1}/nummer"), p)
            },
        ),
        (
            "GET",
            "/personen/{id}/maatje",
            one(Role::Coordinator, format!("/personen/{p}/maatje"), p),
        ),
        (
            "POST",
            "/personen/{id}/maatje",
            Use {
                form: form(&[("purpose", "hobby"), ("interests", "cooking")]),
                ..one(Role::Professional, format!("/personen/{p}/maatje"), p)
            },
        ),
        ("GET", "/mijn-maatje", list(Role::Buddy, "/mijn-maatje", p)),
        (
            "POST",
            "/mijn-maatje/{id}/contactmoment",
            Use {
                form: form(&[("went", "good"), ("hours", "2"), ("note", "")]),
                ..one(Role::Buddy, format!("/mijn-maatje/{m1}/contactmoment"), p)
            },
        ),
        (
            "POST",
            "/mijn-maatje/signaal",
            Use {
                form: form(&[
                    ("about", &format!("person:{p}")),
                    ("category", "rent_debt"),
                    ("urgency", "normal"),
                    ("text", "Zorgen over schulden"),
                ]),
                ..one(Role::Buddy, "/mijn-maatje/signaal".into(), p)
            },
        ),
        ("GET", "/api/v1/matches", list(Role::Coordinator, "/api/v1/matches", p)),
        (
            "POST",
            "/api/v1/matches",
            Use {
                json: Some(json!({"person_id": p4.0, "buddy_id": b1, "purpose": "company"})),
                ..one(Role::Coordinator, "/api/v1/matches".into(), p4)
            },
        ),
        (
            "GET",
            "/api/v1/matches/proposal",
            list(Role::Coordinator, "/api/v1/matches/proposal", p3),
        ),
        (
            "GET",
            "/api/v1/matches/mine",
            list(Role::Buddy, "/api/v1/matches/mine", p),
        ),
        (
            "GET",
            "/api/v1/matches/{id}/check-ins",
            one(Role::Buddy, format!("/api/v1/matches/{m1}/check-ins"), p),
        ),
        (
            "POST",
            "/api/v1/matches/{id}/check-ins",
            Use {
                json: Some(json!({"went": "okay", "hours": "1"})),
                ..one(Role::Buddy, format!("/api/v1/matches/{m1}/check-ins"), p)
            },
        ),
        (
            "GET",
            "/api/v1/persons/{id}/buddy-wish",
            one(Role::Coordinator, format!("/api/v1/persons/{p3}/buddy-wish"), p3),
        ),
        (
            "POST",
            "/api/v1/persons/{id}/buddy-wish",
            Use {
                json: Some(json!({"purpose": "hobby", "interests": ["music"]})),
                ..one(Role::Professional, format!("/api/v1/persons/{p}/buddy-wish"), p)
            },
        ),
        (
            "GET",
            "/api/v1/persons/{id}/buddy-suggestions",
            one(
                Role::Coordinator,
                format!("/api/v1/persons/{p3}/buddy-suggestions"),
                p3,
            ),
        ),
        (
            "POST",
            "/api/v1/matches/{id}/end",
            Use {
                json: Some(json!({})),
                ..one(Role::Coordinator, format!("/api/v1/matches/{m3}/end"), p5)
            },
        ),
        (
            "POST",
            "/api/v1/matches/{id}/contact-agreement",
            Use {
                json: Some(json!({"agreed": true})),
                ..one(
                    Role::Coordinator,
                    format!("/api/v1/matches/{m1}/contact-agreement"),
                    p,
                )
            },
        ),
    ]);
    // Creations make a new person: checked by what the log gains.
    let intake = [
        ("first_name", "Nieuw"),
        ("last_name", "Persoon"),
        ("gender", "man"),
        ("household_size", "1"),
        ("own_municipality_id", &app.woerden.to_string()),
        ("source", "sociaal_team"),
        ("urgency", "hoog"),
        ("situation", "Uit huis gezet"),
    ]
    .iter()
    .map(|(k, v)| (*k, v.to_string()))
    .collect();
    uses.push((
        "POST",
        "/aanmeldingen",
        Use {
            role: Role::Coordinator,
            path: "/aanmeldingen".into(),
            form: intake,
            json: None,
            person: None,
            list: false,
        },
    ));
    let mut api_intake = app.intake("Nieuwer");
    api_intake["own_neighbourhood_id"] = json!(null);
    uses.push((
        "POST",
        "/api/v1/referrals",
        Use {
            role: Role::Coordinator,
            path: "/api/v1/referrals".into(),
            form: vec![],
            json: Some(api_intake),
            person: None,
            list: false,
        },
    ));

    uses.extend(outflow_uses(&app, p).await);
    let sessions = sessions(&app).await;
    let session = |role: Role| sessions.iter().find(|(r, _)| *r == role).unwrap().1.clone();
    for route in nabij_web::routes::table().routes {
        let Some(point) = route.audit else { continue };
        let method = route.method.as_str();
        let Some(idx) = uses
            .iter()
            .position(|(m, p, _)| *m == method && *p == route.path)
        else {
            panic!(
                "{method} {} touches persons' data but has no use in this test: add one",
                route.path
            );
        };
        let (_, _, u) = uses.remove(idx);
        let s = session(u.role);
        let before = last_seq(&app).await;
        let url = format!("{}{}", app.address, u.path);
        let res = if let Some(body) = &u.json {
            s.client.post(url).json(body).send().await.unwrap()
        } else if method == "POST" {
            let mut fields: Vec<(&str, &str)> =
                u.form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            fields.push(("_csrf", &s.csrf));
            s.client.post(url).form(&fields).send().await.unwrap()
        } else {
            s.client.get(url).send().await.unwrap()
        };
        let status = res.status();
        assert!(
            status.is_success() || status.is_redirection(),
            "{method} {} as {:?}: {status} {}",
            route.path,
            u.role,
            res.text().await.unwrap_or_default()
        );
        let (category, action) = match point {
            nabij_web::routes::AuditPoint::OnView(c, a)
            | nabij_web::routes::AuditPoint::InTransaction(c, a) => (c, a),
        };
        let new = entries_since(&app, before).await;
        let matching: Vec<_> = new
            .iter()
            .filter(|e| e.category == category.code() && e.action == action.code())
            .collect();
        assert!(
            !matching.is_empty(),
            "{method} {}: no {category:?}/{action:?} entry in {new:?}",
            route.path
        );
        for e in &new {
            assert_eq!(
                e.user_id,
                Some(app.user(u.role)),
                "{method} {}: the entry names the user",
                route.path
            );
            assert_eq!(e.role, u.role.code());
            assert_ne!(e.address, "", "the access point is recorded");
        }
        match (u.person, u.list) {
            (Some(person), false) => {
                let of_person: Vec<_> = matching
                    .iter()
                    .filter(|e| e.person_id == Some(person))
                    .collect();
                assert_eq!(
                    of_person.len(),
                    1,
                    "{method} {}: exactly one {category:?}/{action:?} entry for the person, got {new:?}",
                    route.path
                );
                // Rejecting a partner's link opens a new file for the referral: that is
                // logged on the new file too.
                let opens_a_file = route.path.ends_with("/koppeling-afwijzen")
                    || route.path.ends_with("/link/reject");
                let others: Vec<_> = new.iter().filter(|e| e.person_id != Some(person)).collect();
                if opens_a_file {
                    assert!(
                        others.len() == 1
                            && others[0].category == "file"
                            && others[0].action == "create",
                        "{method} {}: the new file's creation, got {new:?}",
                        route.path
                    );
                } else {
                    assert!(
                        others.is_empty(),
                        "{method} {}: only this person, got {new:?}",
                        route.path
                    );
                }
            }
            (Some(person), true) => {
                assert!(
                    matching.iter().any(|e| e.person_id == Some(person)),
                    "{method} {}: the list logs {person}",
                    route.path
                );
                let mut persons: Vec<_> = matching.iter().map(|e| e.person_id).collect();
                let n = persons.len();
                persons.dedup();
                assert_eq!(n, persons.len(), "one entry per person shown");
            }
            (None, _) => {
                // A new person: their file and their referral created.
                assert!(
                    new.iter()
                        .any(|e| e.category == "file" && e.action == "create")
                );
                assert!(
                    new.iter()
                        .any(|e| e.category == "referral" && e.action == "create")
                );
            }
        }
    }
    assert!(
        uses.is_empty(),
        "uses for routes that do not log: {:?}",
        uses.iter().map(|u| u.1).collect::<Vec<_>>()
    );
    let check = app.db.verify_access_log().await.unwrap();
    assert_eq!(check.first_broken, None);
}
on_both!(audit_completeness);

async fn need_to_know_for_volunteers_partners_and_administrators(app: TestApp) {
    let w = world(&app).await;
    let p = app.db.person(w.own.person).await.unwrap();

    // A main resident: first names of the own house, move-in date, the professional.
    let resident = app.session_as(Role::MainResident).await;
    let html = resident.get("/mijn-huis").await.text().await.unwrap();
    assert!(html.contains("<strong>Piet</strong>"), "{html}");
    assert!(
        html.contains("Test professional") && html.contains("06-11112222"),
        "the professional and how to reach them"
    );
    for secret in ["Achternaam", "111222333", "06-99998888", "Geheime situatie"] {
        assert!(
            !html.contains(secret),
            "a main resident never sees {secret}"
        );
    }
    // Not the other house, not files.
    assert!(!html.contains("Huis van een ander"));
    assert_eq!(
        resident.get(&format!("/personen/{}", p.id)).await.status(),
        403
    );
    let refused = app
        .db
        .access_log(
            &AccessFilter {
                person: Some(p.id),
                user: Some(app.user(Role::MainResident)),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    let refused: Vec<_> = refused.iter().filter(|e| e.outcome == "denied").collect();
    assert_eq!(refused.len(), 1, "the attempt is logged");
    assert_eq!(refused[0].category, "file");

    // An administrator manages homes: who lives there is not theirs to see.
    let admin = app.session_as(Role::Admin).await;
    let html = admin
        .get(&format!("/huizen/{}", app.pitstop))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("bezet") && !html.contains("Piet"), "{html}");
    let json: Value = admin
        .get(&format!("/api/v1/homes/{}", app.pitstop))
        .await
        .json()
        .await
        .unwrap();
    assert!(!json.to_string().contains("Piet"));
    assert_eq!(
        admin.get(&format!("/personen/{}", p.id)).await.status(),
        403
    );

    // A professional: the own caseload only.
    let professional = app.session_as(Role::Professional).await;
    let (other_in_org, _) = open_referral(&app, "Onbekend").await;
    let html = professional.get("/personen").await.text().await.unwrap();
    assert!(html.contains("Piet") && !html.contains("Onbekend"));
    assert_eq!(
        professional
            .get(&format!("/personen/{other_in_org}"))
            .await
            .status(),
        404
    );
    let html = professional
        .get(&format!("/verblijven/{}", w.own.stay))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("/vertrek"),
        "exit is the coordinator's decision"
    );

    // A partner: status always, the person only under consent for that purpose.
    let partner = app.session_as(Role::Partner).await;
    let html = partner
        .get("/onze-aanmeldingen")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Piet Achternaam"),
        "consent given: name shown"
    );
    let html = partner
        .get(&format!("/onze-aanmeldingen/{}", w.own.referral))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Piet Achternaam") && html.contains("in Woerden, sinds"));
    assert!(
        !html.contains("Pitstop in Woerden"),
        "placed: the municipality, never the house"
    );
    assert!(
        !html.contains("Uitstroomklaar"),
        "no consent for housing: no housing data"
    );
    assert!(!html.contains("Geheime situatie") && !html.contains("111222333"));
    // Revoked: from that day on, nothing but the status.
    app.db
        .revoke_consent(p.id, w.own.consent, app.clock.today(), &system(&app))
        .await
        .unwrap();
    let html = partner
        .get(&format!("/onze-aanmeldingen/{}", w.own.referral))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("Piet") && html.contains("geen toestemming"),
        "{html}"
    );
    let before = last_seq(&app).await;
    partner.get("/onze-aanmeldingen").await;
    assert!(
        entries_since(&app, before).await.is_empty(),
        "no person data shown, nothing to log"
    );
    // Expired: an old consent does not count.
    app.db
        .record_consent(
            &NewConsent {
                person: p.id,
                organisation_id: app.partner_org,
                purpose: Purpose::Referral,
                given_on: app.clock.today().saturating_sub(400.days()),
                expires_on: Some(app.clock.today().saturating_sub(1.days())),
            },
            &system(&app),
        )
        .await
        .unwrap();
    assert!(
        !partner
            .get(&format!("/onze-aanmeldingen/{}", w.own.referral))
            .await
            .text()
            .await
            .unwrap()
            .contains("Piet")
    );
    // Given again, with housing: both show.
    for purpose in [Purpose::Referral, Purpose::Housing] {
        app.db
            .record_consent(
                &NewConsent {
                    person: p.id,
                    organisation_id: app.partner_org,
                    purpose,
                    given_on: app.clock.today(),
                    expires_on: Some(app.clock.today().saturating_add(30.days())),
                },
                &system(&app),
            )
            .await
            .unwrap();
    }
    let html = partner
        .get(&format!("/onze-aanmeldingen/{}", w.own.referral))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Piet") && html.contains("Uitstroomklaar"));
    // Another partner's referral is not there at all.
    assert_eq!(
        partner
            .get(&format!("/onze-aanmeldingen/{}", w.other.referral))
            .await
            .status(),
        404
    );
}
on_both!(need_to_know_for_volunteers_partners_and_administrators);

async fn the_access_log_is_append_only_and_tamper_evident(app: TestApp) {
    let w = world(&app).await;
    app.get(&format!("/personen/{}", w.own.person)).await;
    let check = app.db.verify_access_log().await.unwrap();
    assert!(
        check.entries >= 5 && check.first_broken.is_none(),
        "{check:?}"
    );
    // The database refuses changes and removals.
    for sql in [
        "UPDATE access_log SET username = 'iemand' WHERE seq = 2",
        "DELETE FROM access_log WHERE seq = 2",
    ] {
        assert!(
            nabij_store::testing::raw_execute(&app.db, sql)
                .await
                .is_err(),
            "{sql} was allowed"
        );
    }
    // Someone with full control of the database removes the trigger and edits an entry:
    // verification names the entry.
    let drop = match app.db.backend() {
        nabij_store::Backend::Sqlite => "DROP TRIGGER access_log_no_update",
        nabij_store::Backend::Postgres => "DROP TRIGGER access_log_append_only ON access_log",
    };
    nabij_store::testing::raw_execute(&app.db, drop)
        .await
        .unwrap();
    nabij_store::testing::raw_execute(
        &app.db,
        "UPDATE access_log SET username = 'iemand anders' WHERE seq = 3",
    )
    .await
    .unwrap();
    assert_eq!(
        app.db.verify_access_log().await.unwrap().first_broken,
        Some(3)
    );
}
on_both!(the_access_log_is_append_only_and_tamper_evident);

async fn forms_need_the_sessions_csrf_token(app: TestApp) {
    let (_, referral) = open_referral(&app, "Cas").await;
    let path = format!("/aanmeldingen/{referral}/sluiten");
    let fields = [("state", "withdrawn"), ("reason", "")];
    // No token, or another session's token: refused, nothing changed.
    let res = app
        .client
        .post(app.url(&path))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Dit formulier is verlopen")
    );
    let other = app.session_as(Role::Coordinator).await;
    let mut forged = fields.to_vec();
    forged.push(("_csrf", other.csrf.as_str()));
    assert_eq!(
        app.client
            .post(app.url(&path))
            .form(&forged)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert!(app.db.referral(referral).await.unwrap().state.is_open());
    // A JSON request with the session cookie must really be JSON.
    let res = app
        .client
        .post(app.url(&format!("/api/v1/referrals/{referral}/close")))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // With the token it works.
    assert_eq!(app.post_form(&path, &fields).await.status(), 303);
    assert!(!app.db.referral(referral).await.unwrap().state.is_open());
}
on_both!(forms_need_the_sessions_csrf_token);

async fn signing_in_renews_the_session_and_idle_sessions_end(app: TestApp) {
    // A session id planted before signing in does not survive it.
    let client = browser();
    let planted = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let page = client
        .get(app.url("/inloggen"))
        .header("cookie", format!("nabij_sessie={planted}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = hidden(&page, "_csrf");
    let res = client
        .post(app.url("/inloggen"))
        .header(
            "cookie",
            format!("nabij_sessie={planted}; nabij_inlog={token}"),
        )
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "coordinator"),
            ("password", PASSWORD),
            ("terug", "/aanmeldingen"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "/aanmeldingen",
        "back to where they were going"
    );
    let set: Vec<_> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let session = set.iter().find(|c| c.starts_with("nabij_sessie=")).unwrap();
    assert!(!session.contains(planted), "a fresh id");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    let attacker = browser();
    let res = attacker
        .get(app.url("/aanmeldingen"))
        .header("cookie", format!("nabij_sessie={planted}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "the planted id is worth nothing");

    // Behind TLS the cookie is Secure.
    let page = client.get(app.url("/inloggen")).send().await.unwrap();
    let secure = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().contains("Secure"));
    assert!(!secure);
    let page = client
        .get(app.url("/inloggen"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(
        page.headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().contains("Secure"))
    );

    // Idle for longer than 30 minutes: signed out.
    let s = app.session_as(Role::Coordinator).await;
    app.auth_clock
        .set(app.auth_clock.now() + jiff::SignedDuration::from_mins(29));
    assert_eq!(s.get("/aanmeldingen").await.status(), 200);
    app.auth_clock
        .set(app.auth_clock.now() + jiff::SignedDuration::from_mins(31));
    let res = s.get("/aanmeldingen").await;
    assert_eq!(res.status(), 303);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/inloggen")
    );

    // Signing out ends the session for good.
    let s = app.session_as(Role::Coordinator).await;
    assert_eq!(s.post_form("/uitloggen", &[]).await.status(), 303);
    assert_eq!(s.get("/aanmeldingen").await.status(), 303);
}
on_both!(signing_in_renews_the_session_and_idle_sessions_end);

async fn repeated_failures_lock_the_account_for_a_while(app: TestApp) {
    let attempt = |password: &'static str, user: &'static str| {
        let address = app.address.clone();
        async move { attempt_sign_in(&browser(), &address, user, password, None).await }
    };
    let res = attempt("fout", "begeleider").await;
    assert_eq!(res.status(), 401);
    let body = res.text().await.unwrap();
    assert!(body.contains("Gebruikersnaam of wachtwoord klopt niet"));
    // An unknown user gets the same answer.
    assert!(
        attempt("fout", "bestaat-niet")
            .await
            .text()
            .await
            .unwrap()
            .contains("Gebruikersnaam of wachtwoord klopt niet")
    );
    for _ in 0..4 {
        attempt("fout", "begeleider").await;
    }
    // Now even the right password waits.
    let res = attempt(PASSWORD, "begeleider").await;
    assert_eq!(res.status(), 401);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Te veel mislukte pogingen")
    );
    // Other accounts are not locked by it.
    assert_eq!(attempt(PASSWORD, "maatje").await.status(), 303);
    // After the window it works again.
    app.auth_clock
        .set(app.auth_clock.now() + jiff::SignedDuration::from_mins(16));
    assert_eq!(attempt(PASSWORD, "begeleider").await.status(), 303);
}
on_both!(repeated_failures_lock_the_account_for_a_while);

async fn wrong_codes_are_not_forgiven_by_a_correct_password(app: TestApp) {
    // The administrator has a second factor; someone has the password.
    let id = app.user(Role::Admin);
    let secret = nabij_app::totp::new_secret();
    app.db.set_totp_secret(id, &secret).await.unwrap();
    app.db.enable_totp(id, &[]).await.unwrap();
    // Four sign-ins with the right password, five wrong codes between them.
    for round in 0..5 {
        let s = sign_in(&app.address, "beheerder", PASSWORD, None).await;
        let wrong = format!("{:06}", (round * 111_111 + 7) % 1_000_000);
        let res = s
            .post_form("/inloggen/code", &[("code", &wrong), ("terug", "")])
            .await;
        assert_eq!(res.status(), 401);
    }
    // A correct password does not reset the count: even the right code now waits.
    let s = sign_in(&app.address, "beheerder", PASSWORD, None).await;
    let code = totp_code(&secret, app.auth_clock.now());
    let res = s
        .post_form("/inloggen/code", &[("code", &code), ("terug", "")])
        .await;
    assert_eq!(res.status(), 401);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Te veel mislukte pogingen")
    );
    assert_eq!(
        s.get("/toegangslog").await.headers()["location"],
        "/inloggen/code"
    );
    // After the window the right code works.
    app.auth_clock
        .set(app.auth_clock.now() + jiff::SignedDuration::from_mins(16));
    let s = sign_in(&app.address, "beheerder", PASSWORD, None).await;
    let code = totp_code(&secret, app.auth_clock.now());
    assert_eq!(
        s.post_form("/inloggen/code", &[("code", &code), ("terug", "")])
            .await
            .status(),
        303
    );
}
on_both!(wrong_codes_are_not_forgiven_by_a_correct_password);

async fn administrators_set_up_and_use_a_second_factor(app: TestApp) {
    let s = sign_in(&app.address, "beheerder", PASSWORD, None).await;
    // Nothing but setting it up until it is on.
    let res = s.get("/beheer/gebruikers").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account/tweede-factor");
    let html = s.get("/account/tweede-factor").await.text().await.unwrap();
    assert!(
        html.contains("<svg") && html.contains("Scan deze code"),
        "a QR code drawn by the server"
    );
    let secret = first_code(&html);
    let wrong = s
        .post_form("/account/tweede-factor", &[("code", "000000")])
        .await;
    assert_eq!(wrong.status(), 422);
    let code = totp_code(&secret, app.auth_clock.now());
    let html = s
        .post_form("/account/tweede-factor", &[("code", &code)])
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("herstelcodes"));
    let recovery: Vec<String> = html
        .split("<li>")
        .skip(1)
        .filter_map(|li| li.split("</li>").next())
        .filter(|c| c.len() == 11 && c.contains('-'))
        .map(str::to_string)
        .collect();
    assert_eq!(recovery.len(), 10);
    assert_eq!(s.get("/beheer/gebruikers").await.status(), 200);

    // Next sign-in: password, then the code.
    let s2 = sign_in(&app.address, "beheerder", PASSWORD, None).await;
    assert_eq!(
        s2.get("/beheer/gebruikers").await.headers()["location"],
        "/inloggen/code"
    );
    assert_eq!(
        s2.post_form("/inloggen/code", &[("code", "123456"), ("terug", "")])
            .await
            .status(),
        401
    );
    // The code that switched the second factor on is spent; the next one is taken.
    let spent = totp_code(&secret, app.auth_clock.now());
    assert_eq!(
        s2.post_form("/inloggen/code", &[("code", &spent), ("terug", "")])
            .await
            .status(),
        401
    );
    app.auth_clock
        .set(app.auth_clock.now() + jiff::SignedDuration::from_secs(30));
    let code = totp_code(&secret, app.auth_clock.now());
    assert_eq!(
        s2.post_form("/inloggen/code", &[("code", &code), ("terug", "")])
            .await
            .status(),
        303
    );
    assert_eq!(s2.get("/toegangslog").await.status(), 200);
    // Someone who saw that code cannot use it again, even with the password.
    let replay = sign_in(&app.address, "beheerder", PASSWORD, None).await;
    assert_eq!(
        replay
            .post_form("/inloggen/code", &[("code", &code), ("terug", "")])
            .await
            .status(),
        401
    );
    // A recovery code works once.
    let s3 = sign_in(&app.address, "beheerder", PASSWORD, None).await;
    assert_eq!(
        s3.post_form("/inloggen/code", &[("code", &recovery[0]), ("terug", "")])
            .await
            .status(),
        303
    );
    let s4 = sign_in(&app.address, "beheerder", PASSWORD, None).await;
    assert_eq!(
        s4.post_form("/inloggen/code", &[("code", &recovery[0]), ("terug", "")])
            .await
            .status(),
        401
    );

    // A coordinator opening who looked at a file sets up a second factor first.
    let p = world(&app).await.own.person;
    let res = app.get(&format!("/personen/{p}/inzage")).await;
    assert_eq!(res.headers()["location"], "/account/tweede-factor");
}
on_both!(administrators_set_up_and_use_a_second_factor);

async fn api_keys_act_with_the_users_role_until_revoked(app: TestApp) {
    let html = app
        .post_form("/account/api-sleutels", &[("name", "koppeling")])
        .await
        .text()
        .await
        .unwrap();
    let token = first_code(&html);
    assert!(token.starts_with("nbj_"));
    let api = reqwest::Client::new();
    let res = api
        .get(app.url("/api/v1/referrals"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Stored as a hash only.
    let stored = nabij_store::testing::raw_execute(
        &app.db,
        &format!("UPDATE api_tokens SET name = name WHERE token_hash = '{token}'"),
    )
    .await
    .unwrap();
    assert_eq!(stored, 0, "the token itself is not in the database");
    // Scoped to the role: a coordinator's key cannot open the administrator's pages.
    assert_eq!(
        api.get(app.url("/api/v1/homes"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let id = app
        .db
        .api_tokens(app.user(Role::Coordinator))
        .await
        .unwrap()[0]
        .id;
    assert_eq!(
        app.post_form(&format!("/account/api-sleutels/{id}/intrekken"), &[])
            .await
            .status(),
        303
    );
    let res = api
        .get(app.url("/api/v1/referrals"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    // A partner's key reaches no files.
    let partner = app.session_as(Role::Partner).await;
    let html = partner
        .post_form("/account/api-sleutels", &[("name", "partner")])
        .await
        .text()
        .await
        .unwrap();
    let token = first_code(&html);
    assert_eq!(
        api.get(app.url("/api/v1/referrals"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}
on_both!(api_keys_act_with_the_users_role_until_revoked);

async fn every_response_carries_the_security_headers(app: TestApp) {
    for path in [
        "/inloggen",
        "/",
        "/static/style.css",
        "/api/v1/openapi.json",
        "/bestaat-niet",
    ] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline")
                && csp.contains("default-src 'none'"),
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
    }
}
on_both!(every_response_carries_the_security_headers);

async fn closed_files_are_anonymised_after_the_retention_period(app: TestApp) {
    let w = world(&app).await;
    let db = &app.db;
    db.exit_stay(
        w.own.stay,
        app.clock.today(),
        nabij_domain::stay::Destination::OwnRentedHome,
        "Vertrekt naar zus in Gouda",
        &system(&app),
    )
    .await
    .unwrap();
    // A partner's referral matched to this file, withdrawn before anyone decided on the
    // link: what the partner submitted is still kept with it.
    let pending = db
        .create_linked_referral(
            w.own.person,
            &new_referral(1, Some(app.partner_org)),
            &app.intake("Lotte").to_string(),
            app.clock.today(),
            None,
            &system(&app),
        )
        .await
        .unwrap();
    db.close_referral(
        pending,
        nabij_domain::referral::ReferralState::Withdrawn,
        "Dubbel",
        &system(&app),
    )
    .await
    .unwrap();
    assert!(
        db.referral(pending)
            .await
            .unwrap()
            .submitted_intake
            .is_some()
    );
    let (open, _) = open_referral(&app, "Nogopen").await;
    // Fifteen years later.
    let later = app
        .clock
        .today()
        .saturating_add(15.years())
        .saturating_add(1.days());
    let due = db.closed_files_before(later).await.unwrap();
    assert!(
        due.contains(&w.own.person) && !due.contains(&open),
        "{due:?}"
    );
    // Found by a part of the name until the file is anonymised; after, not by the old name.
    let name = db
        .person(w.own.person)
        .await
        .unwrap()
        .last_name
        .to_lowercase();
    let search = |q: String| async move {
        let page = db
            .persons_page(
                1,
                None,
                Some(&q),
                &nabij_domain::page::PageRequest::default(),
            )
            .await
            .unwrap();
        page.items.iter().map(|p| p.id).collect::<Vec<_>>()
    };
    let part: String = name.chars().skip(1).take(4).collect();
    assert!(search(part.clone()).await.contains(&w.own.person), "{part}");
    let actor = Actor::system("nabij retention run", Timestamp::now());
    assert!(db.anonymise(w.own.person, &actor).await.unwrap());
    assert!(
        !search(part.clone()).await.contains(&w.own.person),
        "{part}"
    );
    assert!(
        search("geanonimiseerd".into())
            .await
            .contains(&w.own.person)
    );
    assert!(
        !db.anonymise(w.own.person, &actor).await.unwrap(),
        "idempotent"
    );
    let p = db.person(w.own.person).await.unwrap();
    assert_eq!(
        (p.first_name.as_str(), p.last_name.as_str()),
        ("Geanonimiseerd", "")
    );
    assert_eq!((p.bsn, p.phone, p.date_of_birth), (None, None, None));
    let r = db.referral(w.own.referral).await.unwrap();
    assert_eq!(r.situation, "");
    let r = db.referral(pending).await.unwrap();
    assert_eq!((r.situation.as_str(), r.submitted_intake), ("", None));
    let s = db.stay(w.own.stay).await.unwrap();
    assert_eq!(
        (s.exit_reason.as_deref(), s.destination.is_some()),
        (Some(""), true),
        "statistics kept"
    );
    let log = db
        .access_log(
            &AccessFilter {
                person: Some(w.own.person),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(log[0].action, "anonymise");
    assert!(
        !db.closed_files_before(later)
            .await
            .unwrap()
            .contains(&w.own.person)
    );
    // The log keeps at least five years: purging younger entries is refused.
    assert!(
        db.purge_access_log(Timestamp::now() + jiff::SignedDuration::from_hours(1))
            .await
            .is_err()
    );
}
on_both!(closed_files_are_anonymised_after_the_retention_period);

/// The text of the first `<code>` element of a page.
fn first_code(html: &str) -> String {
    let start = html.find("<code>").expect("a <code> element") + 6;
    html[start..start + html[start..].find("</code>").unwrap()].to_string()
}

#[test]
fn every_data_category_and_action_has_a_dutch_label() {
    use nabij_domain::labels::Label;
    for c in DataCategory::ALL {
        assert!(!c.label().is_empty());
    }
    for a in AuditAction::ALL {
        assert!(!a.label().is_empty());
    }
}

async fn administrators_manage_accounts(app: TestApp) {
    let admin = app.session_as(Role::Admin).await;
    let html = admin.get("/beheer/gebruikers").await.text().await.unwrap();
    assert!(html.contains("Test coordinator") && html.contains("Gemeente Woerden"));

    // A new main resident, with a temporary password shown once.
    let form = |role: &'static str, org: String| {
        vec![
            ("username", "nieuwe.bewoner".to_string()),
            ("display_name", "Nieuwe Bewoner".into()),
            ("phone", "".into()),
            ("role", role.into()),
            ("organisation_id", org),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let admin = admin.clone();
        async move {
            let borrowed: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.post_form("/beheer/gebruikers", &borrowed).await
        }
    };
    let res = post(form("partner", "1".into())).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("een ketenpartner hoort bij een ketenpartner-organisatie")
    );
    let html = post(form("main_resident", "1".into()))
        .await
        .text()
        .await
        .unwrap();
    let password = first_code(&html);
    assert_eq!(password.len(), 19);
    let res = post(form("main_resident", "1".into())).await;
    assert_eq!(res.status(), 422, "the username is taken");
    let id = app
        .db
        .user_by_username("nieuwe.bewoner")
        .await
        .unwrap()
        .unwrap()
        .id;

    // Linked to the pitstop, they see its residents.
    let (person, _, _) = placed(&app, 1, app.partner_org, app.pitstop, "Henk").await;
    let res = admin
        .post_form(
            &format!("/beheer/gebruikers/{id}/huizen"),
            &[("home_id", &app.pitstop.to_string())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let resident = sign_in(&app.address, "nieuwe.bewoner", &password, None).await;
    // The temporary password is replaced first; nothing else opens until then.
    let res = resident.get("/mijn-huis").await;
    assert_eq!(res.headers()["location"], "/account/wachtwoord");
    let own = "mijn eigen lange wachtwoord";
    let res = resident
        .post_form(
            "/account/wachtwoord",
            &[("current", &password), ("new", own), ("repeated", own)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        sign_in_fails(&app.address, "nieuwe.bewoner", &password).await,
        "the temporary password is spent"
    );
    let resident = sign_in(&app.address, "nieuwe.bewoner", own, None).await;
    let html = resident.get("/mijn-huis").await.text().await.unwrap();
    assert!(html.contains("<strong>Henk</strong>"));
    let seen = app
        .db
        .access_log(
            &AccessFilter {
                person: Some(person),
                user: Some(id),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(seen.len(), 1, "the main resident's view is logged");

    // A new password ends their sessions; the old one no longer works.
    let html = admin
        .post_form(&format!("/beheer/gebruikers/{id}/wachtwoord"), &[])
        .await
        .text()
        .await
        .unwrap();
    let fresh = first_code(&html);
    assert_ne!(fresh, password);
    assert_eq!(resident.get("/mijn-huis").await.status(), 303);
    let again = sign_in(&app.address, "nieuwe.bewoner", &fresh, None).await;
    // A reset password is temporary too.
    assert_eq!(
        again.get("/mijn-huis").await.headers()["location"],
        "/account/wachtwoord"
    );
    let own = "weer een eigen wachtwoord";
    again
        .post_form(
            "/account/wachtwoord",
            &[("current", &fresh), ("new", own), ("repeated", own)],
        )
        .await;
    let again = sign_in(&app.address, "nieuwe.bewoner", own, None).await;
    assert_eq!(again.get("/mijn-huis").await.status(), 200);

    // Deactivated: signed out at once, and cannot sign in.
    let res = admin
        .post_form(
            &format!("/beheer/gebruikers/{id}"),
            &[("role", "main_resident"), ("organisation_id", "1")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(again.get("/mijn-huis").await.status(), 303);
    assert!(!app.db.user(id).await.unwrap().active);
    // An administrator cannot lock themselves out.
    let me = app.user(Role::Admin);
    let res = admin
        .post_form(
            &format!("/beheer/gebruikers/{me}"),
            &[("role", "admin"), ("organisation_id", "1")],
        )
        .await;
    assert_eq!(res.status(), 422);
    // Another provider's users are out of reach.
    let other = app
        .db
        .create_organisation("Andere Stichting", None, app.clock.now())
        .await
        .unwrap();
    let stranger = app
        .db
        .create_user(
            &NewUser {
                organisation_id: other,
                username: "vreemd".into(),
                display_name: "Vreemd".into(),
                phone: None,
                role: Role::Coordinator,
                password_hash: "x".into(),
            },
            app.clock.now(),
        )
        .await
        .unwrap();
    assert_eq!(
        admin
            .get(&format!("/beheer/gebruikers/{stranger}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        admin
            .post_form(&format!("/beheer/gebruikers/{stranger}/wachtwoord"), &[])
            .await
            .status(),
        404
    );

    // A new partner organisation.
    assert_eq!(
        admin
            .post_form(
                "/beheer/organisaties",
                &[("name", "Woningstichting Rijnstad")]
            )
            .await
            .status(),
        303
    );
    assert!(
        admin
            .get("/beheer/gebruikers")
            .await
            .text()
            .await
            .unwrap()
            .contains("Woningstichting Rijnstad")
    );
}
on_both!(administrators_manage_accounts);

async fn one_address_is_throttled_across_accounts(app: TestApp) {
    let client = browser();
    let mut last = None;
    for i in 0..21 {
        let user = format!("geraden-{i}");
        let res = attempt_sign_in(&client, &app.address, &user, "x", None).await;
        last = Some(res.text().await.unwrap());
    }
    assert!(
        last.unwrap().contains("Te veel mislukte pogingen"),
        "twenty failures from one address lock it"
    );
}
on_both!(one_address_is_throttled_across_accounts);

async fn head_requests_pass_the_same_gate(app: TestApp) {
    let stranger = browser();
    for path in ["/api/v1/municipalities", "/personen"] {
        let res = stranger.head(app.url(path)).send().await.unwrap();
        assert!(
            matches!(res.status().as_u16(), 303 | 401),
            "HEAD {path}: {}",
            res.status()
        );
    }
    assert_eq!(
        app.client
            .head(app.url("/personen"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // A method no route declares runs nothing.
    assert_eq!(
        app.client
            .delete(app.url("/personen"))
            .send()
            .await
            .unwrap()
            .status(),
        405
    );
}
on_both!(head_requests_pass_the_same_gate);

#[tokio::test]
async fn a_fresh_installation_says_how_to_make_the_first_account() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("leeg.db").display());
    let db = nabij_store::Db::connect(&nabij_store::DbOptions::new(url))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = nabij_web::Application::new(
        listener,
        nabij_web::WebState::new(nabij_app::App::new(db.clone(), nabij_app::Clock::system())),
    );
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let page = browser()
        .get(format!("{address}/inloggen"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("nabij user add"), "{page}");
    db.create_user(
        &NewUser {
            organisation_id: 1,
            username: "tom".into(),
            display_name: "Tom".into(),
            phone: None,
            role: Role::Admin,
            password_hash: "x".into(),
        },
        Timestamp::now(),
    )
    .await
    .unwrap();
    let page = browser()
        .get(format!("{address}/inloggen"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("nabij user add"));
}

/// A successful use of every route of guidance and recovery: episodes, intensity, contact
/// log, plan and ZRM, for the own person `p` (guided by the test professional), `p2` (given
/// a professional by an earlier use), `p3` and `q3` (no guidance yet), and two former
/// residents whose guidance ended yesterday (to resume).
async fn guidance_uses(
    app: &TestApp,
    _w: &World,
    p: PersonId,
    p2: PersonId,
    p3: PersonId,
    q3: PersonId,
) -> Vec<(&'static str, &'static str, Use)> {
    let today = app.clock.today();
    let professional = app.user(Role::Professional);
    let mut former = Vec::new();
    for first in ["Fenna", "Floris"] {
        let (person, _) = open_referral(app, first).await;
        let start = today.saturating_sub(60.days());
        let episode = app
            .db
            .start_episode(person, professional, start, 8, "start", None, &system(app))
            .await
            .unwrap();
        let e = app.db.episode(episode).await.unwrap();
        app.db
            .end_episode(&e, today.saturating_sub(1.days()), None, &system(app))
            .await
            .unwrap();
        former.push(person);
    }
    let goal = app
        .db
        .add_goal(
            &nabij_store::guidance::NewGoal {
                person: p,
                domain: nabij_domain::guidance::ZrmDomain::Housing,
                title: "Woning vinden".into(),
                status: nabij_domain::guidance::GoalStatus::Open,
                target_date: None,
                actions: String::new(),
                owner: nabij_domain::guidance::GoalOwner::Person,
                recorded_on: today,
            },
            &system(app),
        )
        .await
        .unwrap();
    let scores: Vec<(&'static str, String)> = nabij_domain::guidance::ZrmDomain::ALL
        .iter()
        .map(|d| (d.code(), "3".to_string()))
        .collect();
    let json_scores: serde_json::Map<String, Value> = nabij_domain::guidance::ZrmDomain::ALL
        .iter()
        .map(|d| (d.code().to_string(), json!(2)))
        .collect();
    let one = |role, path: String, person| Use {
        role,
        path,
        form: vec![],
        json: None,
        person: Some(person),
        list: false,
    };
    let form = |fields: &[(&'static str, &str)]| {
        fields
            .iter()
            .map(|(k, v)| (*k, v.to_string()))
            .collect::<Vec<_>>()
    };
    app.db
        .link_client(app.user(Role::Client), p, &system(app))
        .await
        .unwrap();
    // Two more professionals to add to, take off and lead `p`'s episode.
    let mut colleagues = Vec::new();
    for name in ["Bram", "Bea"] {
        colleagues.push(
            app.db
                .create_user(
                    &NewUser {
                        organisation_id: 1,
                        username: name.to_lowercase(),
                        display_name: name.into(),
                        phone: None,
                        role: Role::Professional,
                        password_hash: "niet-in-te-loggen".into(),
                    },
                    app.clock.now(),
                )
                .await
                .unwrap(),
        );
    }
    let (bram, bea) = (colleagues[0].to_string(), colleagues[1]);
    // A consent the person revokes themself (the partner's other consents stay).
    let housing = app
        .db
        .record_consent(
            &NewConsent {
                person: p,
                organisation_id: app.partner_org,
                purpose: Purpose::Housing,
                given_on: today,
                expires_on: None,
            },
            &system(app),
        )
        .await
        .unwrap();
    vec![
        (
            "GET",
            "/mijn-verblijf",
            one(Role::Client, "/mijn-verblijf".into(), p),
        ),
        (
            "GET",
            "/mijn-contacten",
            one(Role::Client, "/mijn-contacten".into(), p),
        ),
        (
            "GET",
            "/mijn-inzage",
            one(Role::Client, "/mijn-inzage".into(), p),
        ),
        (
            "POST",
            "/mijn-toestemmingen/intrekken",
            Use {
                form: form(&[("consent_id", &housing.to_string())]),
                ..one(Role::Client, "/mijn-toestemmingen/intrekken".into(), p)
            },
        ),
        (
            "POST",
            "/personen/{id}/uitnodiging",
            one(Role::Coordinator, format!("/personen/{p}/uitnodiging"), p),
        ),
        (
            "GET",
            "/caseload",
            Use {
                list: true,
                ..one(Role::Professional, "/caseload".into(), p)
            },
        ),
        (
            "GET",
            "/api/v1/caseload",
            Use {
                list: true,
                ..one(Role::Professional, "/api/v1/caseload".into(), p)
            },
        ),
        (
            "GET",
            "/personen/{id}/begeleiding",
            one(Role::Professional, format!("/personen/{p}/begeleiding"), p),
        ),
        (
            "POST",
            "/personen/{id}/begeleiding",
            Use {
                form: form(&[
                    ("professional_id", &professional.to_string()),
                    ("hours_per_week", "4"),
                    ("reason", "intake"),
                ]),
                ..one(Role::Coordinator, format!("/personen/{p3}/begeleiding"), p3)
            },
        ),
        (
            "POST",
            "/personen/{id}/begeleiding/hervatten",
            Use {
                form: form(&[("hours_per_week", "2"), ("reason", "vraagt om hulp")]),
                ..one(
                    Role::Coordinator,
                    format!("/personen/{}/begeleiding/hervatten", former[0]),
                    former[0],
                )
            },
        ),
        (
            "POST",
            "/personen/{id}/begeleiding/intensiteit",
            Use {
                form: form(&[("hours_per_week", "6"), ("reason", "crisis")]),
                ..one(
                    Role::Professional,
                    format!("/personen/{p}/begeleiding/intensiteit"),
                    p,
                )
            },
        ),
        (
            "POST",
            "/personen/{id}/begeleiding/afsluiten",
            Use {
                form: form(&[("ended_on", &today.to_string())]),
                ..one(
                    Role::Coordinator,
                    format!("/personen/{p2}/begeleiding/afsluiten"),
                    p2,
                )
            },
        ),
        (
            "POST",
            "/personen/{id}/begeleiding/begeleiders",
            Use {
                form: form(&[("add_professional_id", &bram)]),
                ..one(
                    Role::Coordinator,
                    format!("/personen/{p}/begeleiding/begeleiders"),
                    p,
                )
            },
        ),
        (
            "POST",
            "/personen/{id}/begeleiding/begeleiders/eraf",
            Use {
                form: form(&[("remove_professional_id", &bram)]),
                ..one(
                    Role::Coordinator,
                    format!("/personen/{p}/begeleiding/begeleiders/eraf"),
                    p,
                )
            },
        ),
        (
            "POST",
            "/personen/{id}/begeleiding/vaste-begeleider",
            Use {
                form: form(&[("lead_professional_id", &bram)]),
                ..one(
                    Role::Coordinator,
                    format!("/personen/{p}/begeleiding/vaste-begeleider"),
                    p,
                )
            },
        ),
        (
            "POST",
            "/api/v1/persons/{id}/episode-professionals",
            Use {
                json: Some(json!({"professional_id": bea})),
                ..one(
                    Role::Coordinator,
                    format!("/api/v1/persons/{p}/episode-professionals"),
                    p,
                )
            },
        ),
        (
            "POST",
            "/api/v1/persons/{id}/episode-professionals/removal",
            Use {
                json: Some(json!({"professional_id": bea})),
                ..one(
                    Role::Coordinator,
                    format!("/api/v1/persons/{p}/episode-professionals/removal"),
                    p,
                )
            },
        ),
        (
            "POST",
            "/api/v1/persons/{id}/episode-lead",
            Use {
                json: Some(json!({"professional_id": professional})),
                ..one(
                    Role::Coordinator,
                    format!("/api/v1/persons/{p}/episode-lead"),
                    p,
                )
            },
        ),
        (
            "GET",
            "/personen/{id}/contacten",
            one(Role::Professional, format!("/personen/{p}/contacten"), p),
        ),
        (
            "POST",
            "/personen/{id}/contacten",
            Use {
                form: form(&[("kind", "home_visit"), ("text", "Huisbezoek, gaat goed")]),
                ..one(Role::Professional, format!("/personen/{p}/contacten"), p)
            },
        ),
        (
            "GET",
            "/personen/{id}/plan",
            one(Role::Professional, format!("/personen/{p}/plan"), p),
        ),
        (
            "POST",
            "/personen/{id}/plan",
            Use {
                form: form(&[
                    ("title", "Schulden op een rij"),
                    ("domain", "finances"),
                    ("owner", "professional"),
                ]),
                ..one(Role::Professional, format!("/personen/{p}/plan"), p)
            },
        ),
        (
            "POST",
            "/personen/{id}/plan/status",
            Use {
                form: form(&[("goal_id", &goal.to_string()), ("status", "in_progress")]),
                ..one(Role::Professional, format!("/personen/{p}/plan/status"), p)
            },
        ),
        (
            "GET",
            "/personen/{id}/zrm",
            one(Role::Professional, format!("/personen/{p}/zrm"), p),
        ),
        (
            "POST",
            "/personen/{id}/zrm",
            Use {
                form: [vec![("moment", "intake".to_string())], scores].concat(),
                ..one(Role::Professional, format!("/personen/{p}/zrm"), p)
            },
        ),
        (
            "GET",
            "/api/v1/persons/{id}/episodes",
            one(
                Role::Professional,
                format!("/api/v1/persons/{p}/episodes"),
                p,
            ),
        ),
        (
            "POST",
            "/api/v1/persons/{id}/episodes",
            Use {
                json: Some(json!({"professional_id": professional, "hours_per_week": "3"})),
                ..one(
                    Role::Coordinator,
                    format!("/api/v1/persons/{q3}/episodes"),
                    q3,
                )
            },
        ),
        (
            "POST",
            "/api/v1/persons/{id}/resumption",
            Use {
                json: Some(json!({"hours_per_week": "1,5"})),
                ..one(
                    Role::Coordinator,
                    format!("/api/v1/persons/{}/resumption", former[1]),
                    former[1],
                )
            },
        ),
        (
            "POST",
            "/api/v1/persons/{id}/intensity",
            Use {
                json: Some(json!({"hours_per_week": "5", "reason": "stabiel"})),
                ..one(
                    Role::Professional,
                    format!("/api/v1/persons/{p}/intensity"),
                    p,
                )
            },
        ),
        (
            "POST",
            "/api/v1/persons/{id}/episode-end",
            Use {
                json: Some(json!({})),
                ..one(
                    Role::Coordinator,
                    format!("/api/v1/persons/{p3}/episode-end"),
                    p3,
                )
            },
        ),
        (
            "GET",
            "/api/v1/persons/{id}/contacts",
            one(
                Role::Professional,
                format!("/api/v1/persons/{p}/contacts"),
                p,
            ),
        ),
        (
            "POST",
            "/api/v1/persons/{id}/contacts",
            Use {
                json: Some(json!({"kind": "phone", "text": "Gebeld"})),
                ..one(
                    Role::Professional,
                    format!("/api/v1/persons/{p}/contacts"),
                    p,
                )
            },
        ),
        (
            "GET",
            "/api/v1/persons/{id}/goals",
            one(Role::Professional, format!("/api/v1/persons/{p}/goals"), p),
        ),
        (
            "POST",
            "/api/v1/persons/{id}/goals",
            Use {
                json: Some(
                    json!({"title": "Werk zoeken", "domain": "work_education", "owner": "person"}),
                ),
                ..one(Role::Professional, format!("/api/v1/persons/{p}/goals"), p)
            },
        ),
        (
            "POST",
            "/api/v1/persons/{id}/goals/status",
            Use {
                json: Some(json!({"goal_id": goal, "status": "achieved"})),
                ..one(
                    Role::Professional,
                    format!("/api/v1/persons/{p}/goals/status"),
                    p,
                )
            },
        ),
        (
            "GET",
            "/api/v1/persons/{id}/assessments",
            one(
                Role::Professional,
                format!("/api/v1/persons/{p}/assessments"),
                p,
            ),
        ),
        (
            "POST",
            "/api/v1/persons/{id}/assessments",
            Use {
                json: Some(json!({"moment": "periodic", "scores": json_scores})),
                ..one(
                    Role::Professional,
                    format!("/api/v1/persons/{p}/assessments"),
                    p,
                )
            },
        ),
    ]
}

/// The partner of a provider as a housing corporation, with a quota, an open offer and an
/// omklap home requested: the outflow records the routes' parameters name.
async fn outflow_records(app: &TestApp, org: i64, partner: i64) -> (i64, i64) {
    use nabij_domain::outflow::PartnerKind;
    let db = &app.db;
    let actor = system(app);
    let today = app.clock.today();
    db.set_partner_kind(partner, PartnerKind::HousingCorporation, &[])
        .await
        .unwrap();
    let quota = db
        .set_quota(org, partner, app.woerden, today.year(), 50, &actor)
        .await
        .unwrap()
        .unwrap();
    let offer = db
        .register_offer(
            &nabij_store::outflow::NewOffer {
                provider: org,
                corporation: partner,
                quota,
                address: format!("Aanbodstraat {org}"),
                municipality: app.woerden,
                neighbourhood: None,
                rooms: 2,
                rent_euros: 650,
                accessible: false,
                no_pets: false,
                available_from: today,
            },
            &actor,
        )
        .await
        .unwrap()
        .unwrap();
    let home = flip_home(app, org, &format!("Omklapwoning {org}")).await;
    let flip = db
        .request_flip(home, org, partner, today, None, &actor)
        .await
        .unwrap();
    (offer.0, flip.0)
}

async fn flip_home(app: &TestApp, org: i64, name: &str) -> HomeId {
    app.db
        .create_home(
            &NewHome {
                organisation_id: org,
                name: name.into(),
                kind: HomeKind::FlipHome,
                address: format!("{name} 1"),
                neighbourhood: app.centrum,
                point: None,
                rules: HouseRules::default(),
                max_stay_months: 24,
                landlord: None,
                places: 1,
                opened_on: None,
            },
            app.clock.now(),
        )
        .await
        .unwrap()
}

/// Uses of the outflow routes, each on its own person in the state the route needs.
async fn outflow_uses(app: &TestApp, known: PersonId) -> Vec<(&'static str, &'static str, Use)> {
    use nabij_domain::outflow::OfferId;
    let db = &app.db;
    let actor = &system(app);
    let today = app.clock.today();
    let partner = app.partner_org;
    let quota = db
        .quotas(&nabij_store::outflow::QuotaFilter {
            provider: 1,
            ..Default::default()
        })
        .await
        .unwrap()[0]
        .id;
    let big = db
        .create_home(
            &NewHome {
                organisation_id: 1,
                name: "Opvang De Brug".into(),
                kind: HomeKind::ShelterHome,
                address: "Brugstraat 1".into(),
                neighbourhood: app.centrum,
                point: None,
                rules: HouseRules::default(),
                max_stay_months: 6,
                landlord: None,
                places: 16,
                opened_on: None,
            },
            app.clock.now(),
        )
        .await
        .unwrap();
    // A person placed and ready to move on.
    let ready = |name: &'static str| async move {
        let (person, _, stay) = placed(app, 1, partner, big, name).await;
        app.db.set_ready_on(stay, today, actor).await.unwrap();
        person
    };
    let offer = || async {
        db.register_offer(
            &nabij_store::outflow::NewOffer {
                provider: 1,
                corporation: partner,
                quota,
                address: "Uitstroomweg 3".into(),
                municipality: app.woerden,
                neighbourhood: None,
                rooms: 2,
                rent_euros: 700,
                accessible: false,
                no_pets: false,
                available_from: today,
            },
            actor,
        )
        .await
        .unwrap()
        .unwrap()
    };
    let proposed = |name: &'static str| async move {
        let person = ready(name).await;
        let o = offer().await;
        let stay = db.ready_to_move_on(1).await.unwrap();
        let stay = stay.iter().find(|r| r.ready.person == person).unwrap().stay;
        db.propose_offer(o, person, stay, today, actor)
            .await
            .unwrap()
            .unwrap();
        (o, person)
    };
    // Accepted for today, not yet moved (as if the key date was recorded yesterday).
    let accepted = |name: &'static str| async move {
        let (o, person) = proposed(name).await;
        db.accept_offer(o, today, today.yesterday().unwrap(), "", actor)
            .await
            .unwrap()
            .unwrap();
        (o, person)
    };
    let (oa, pa) = proposed("Anouk").await;
    let pb = ready("Bram").await;
    let ob = offer().await;
    let (oc, pc) = proposed("Cas").await;
    let (od, pd) = accepted("Daan").await;
    let (oe, pe) = proposed("Eva").await;
    let pr = ready("Roos").await;
    let or = offer().await;
    let pr2 = ready("Rik").await;
    let or2 = offer().await;
    let (oc2, pc2) = proposed("Cor").await;
    let (od2, pd2) = accepted("Dirk").await;
    let (oe2, pe2) = proposed("Els").await;
    let (ok, pk) = accepted("Kees").await;
    let (ok2, pk2) = accepted("Koen").await;
    let (oc3, pc3) = accepted("Kim").await;
    let (oc4, pc4) = accepted("Kai").await;
    // Omklap homes: one in use, two requested with their resident placed.
    let in_flip = |name: &'static str| async move {
        let home = flip_home(app, 1, &format!("Omklap {name}")).await;
        let flip = db
            .request_flip(home, 1, partner, today, None, actor)
            .await
            .unwrap();
        let (person, _, _) = placed(app, 1, partner, home, name).await;
        (flip, person)
    };
    let (ff, pf) = in_flip("Fenna").await;
    let f = db.flip(ff).await.unwrap();
    let action = nabij_domain::outflow::FlipAction::StartUse {
        resident: pf,
        from: today,
    };
    let (next, effects) = f.flip.apply(&action).unwrap();
    let stay = db.running_stay_in(pf, f.home_id).await.unwrap();
    db.apply_flip(
        ff,
        f.flip.state,
        &next,
        &action,
        &effects,
        stay,
        None,
        actor,
    )
    .await
    .unwrap()
    .unwrap();
    let (fg, pg) = in_flip("Gijs").await;
    let (fg2, pg2) = in_flip("Gert").await;
    // Referrals a partner filed on a known file, the link to confirm.
    let submitted = app.intake("Lotte").to_string();
    let linked = || async {
        db.create_linked_referral(
            known,
            &new_referral(1, Some(partner)),
            &submitted,
            today,
            None,
            actor,
        )
        .await
        .unwrap()
    };
    let (l1, l2) = (linked().await, linked().await);
    let (l3, l4) = (linked().await, linked().await);
    let use_of = |role,
                  path: String,
                  person: PersonId,
                  list: bool,
                  form: Vec<(&'static str, String)>,
                  body: Option<Value>| Use {
        role,
        path,
        form,
        json: body,
        person: Some(person),
        list,
    };
    let c = Role::Coordinator;
    let t = today.to_string();
    let o = |o: OfferId| o.0;
    let referral_form: Vec<(&'static str, String)> = [
        ("first_name", "Nadia"),
        ("last_name", "Aangemeld"),
        ("gender", "vrouw"),
        ("household_size", "1"),
        ("own_municipality_id", &app.woerden.to_string()),
        ("urgency", "hoog"),
        ("situation", "Dreigende huisuitzetting"),
        ("consent_given_on", &t),
    ]
    .iter()
    .map(|(k, v)| (*k, v.to_string()))
    .collect();
    let partner_json = json!({
        "first_name": "Nico", "last_name": "Aangemeld", "gender": "man", "household_size": 1,
        "own_municipality_id": app.woerden.0, "urgency": "normaal",
        "situation": "Huurachterstand, ontruiming gepland", "consent_given_on": t,
    });
    vec![
        (
            "GET",
            "/woningaanbod",
            use_of(c, "/woningaanbod".into(), pa, true, vec![], None),
        ),
        (
            "GET",
            "/woningaanbod/{id}",
            use_of(
                c,
                format!("/woningaanbod/{}", o(oa)),
                pa,
                false,
                vec![],
                None,
            ),
        ),
        (
            "POST",
            "/woningaanbod/{id}/voorstellen",
            use_of(
                c,
                format!("/woningaanbod/{}/voorstellen", o(ob)),
                pb,
                false,
                vec![("person_id", pb.to_string())],
                None,
            ),
        ),
        (
            "POST",
            "/woningaanbod/{id}/antwoord",
            use_of(
                c,
                format!("/woningaanbod/{}/antwoord", o(oc)),
                pc,
                false,
                vec![
                    ("answer", "declined".into()),
                    ("reason", "Te ver van school".into()),
                ],
                None,
            ),
        ),
        (
            "POST",
            "/woningaanbod/{id}/verhuizing",
            use_of(
                c,
                format!("/woningaanbod/{}/verhuizing", o(od)),
                pd,
                false,
                vec![],
                None,
            ),
        ),
        (
            "POST",
            "/woningaanbod/{id}/intrekken",
            use_of(
                c,
                format!("/woningaanbod/{}/intrekken", o(oe)),
                pe,
                false,
                vec![("withdraw_reason", "Woning verkocht".into())],
                None,
            ),
        ),
        (
            "POST",
            "/woningaanbod/{id}/sleuteldatum",
            use_of(
                c,
                format!("/woningaanbod/{}/sleuteldatum", o(ok)),
                pk,
                false,
                vec![
                    ("new_key_date", today.tomorrow().unwrap().to_string()),
                    ("key_date_reason", "De vorige bewoner vertrekt later".into()),
                ],
                None,
            ),
        ),
        (
            "POST",
            "/woningaanbod/{id}/acceptatie-intrekken",
            use_of(
                c,
                format!("/woningaanbod/{}/acceptatie-intrekken", o(oc3)),
                pc3,
                false,
                vec![("cancel_reason", "Ziet toch af van de woning".into())],
                None,
            ),
        ),
        (
            "GET",
            "/omklapwoningen",
            use_of(c, "/omklapwoningen".into(), pf, true, vec![], None),
        ),
        (
            "GET",
            "/omklapwoningen/{id}",
            use_of(c, format!("/omklapwoningen/{ff}"), pf, false, vec![], None),
        ),
        (
            "POST",
            "/omklapwoningen/{id}/stap",
            use_of(
                c,
                format!("/omklapwoningen/{fg}/stap"),
                pg,
                false,
                vec![
                    ("step", "in_use".into()),
                    ("person_id", pg.to_string()),
                    ("on", t.clone()),
                ],
                None,
            ),
        ),
        (
            "POST",
            "/onze-aanmeldingen",
            Use {
                role: Role::Partner,
                path: "/onze-aanmeldingen".into(),
                form: referral_form,
                json: None,
                person: None,
                list: false,
            },
        ),
        (
            "POST",
            "/aanmeldingen/{id}/koppeling",
            use_of(
                c,
                format!("/aanmeldingen/{l1}/koppeling"),
                known,
                false,
                vec![],
                None,
            ),
        ),
        (
            "POST",
            "/aanmeldingen/{id}/koppeling-afwijzen",
            use_of(
                c,
                format!("/aanmeldingen/{l3}/koppeling-afwijzen"),
                known,
                false,
                vec![],
                None,
            ),
        ),
        (
            "GET",
            "/api/v1/offers",
            use_of(c, "/api/v1/offers".into(), pa, true, vec![], None),
        ),
        (
            "GET",
            "/api/v1/offers/{id}",
            use_of(
                c,
                format!("/api/v1/offers/{}", o(oa)),
                pa,
                false,
                vec![],
                None,
            ),
        ),
        (
            "GET",
            "/api/v1/offers/{id}/candidates",
            use_of(
                c,
                format!("/api/v1/offers/{}/candidates", o(or)),
                pr,
                true,
                vec![],
                None,
            ),
        ),
        (
            "POST",
            "/api/v1/offers/{id}/match",
            use_of(
                c,
                format!("/api/v1/offers/{}/match", o(or2)),
                pr2,
                false,
                vec![],
                Some(json!({"person_id": pr2.0})),
            ),
        ),
        (
            "POST",
            "/api/v1/offers/{id}/answer",
            use_of(
                c,
                format!("/api/v1/offers/{}/answer", o(oc2)),
                pc2,
                false,
                vec![],
                Some(json!({"answer": "accepted", "key_date": t, "reason": ""})),
            ),
        ),
        (
            "POST",
            "/api/v1/offers/{id}/move",
            use_of(
                c,
                format!("/api/v1/offers/{}/move", o(od2)),
                pd2,
                false,
                vec![],
                Some(json!({})),
            ),
        ),
        (
            "POST",
            "/api/v1/offers/{id}/withdraw",
            use_of(
                c,
                format!("/api/v1/offers/{}/withdraw", o(oe2)),
                pe2,
                false,
                vec![],
                Some(json!({"reason": "Niet meer beschikbaar"})),
            ),
        ),
        (
            "POST",
            "/api/v1/offers/{id}/key-date",
            use_of(
                c,
                format!("/api/v1/offers/{}/key-date", o(ok2)),
                pk2,
                false,
                vec![],
                Some(
                    json!({"key_date": today.tomorrow().unwrap().to_string(), "reason": "Schilderwerk loopt uit"}),
                ),
            ),
        ),
        (
            "POST",
            "/api/v1/offers/{id}/cancel-acceptance",
            use_of(
                c,
                format!("/api/v1/offers/{}/cancel-acceptance", o(oc4)),
                pc4,
                false,
                vec![],
                Some(json!({"reason": "Overdracht gaat niet door"})),
            ),
        ),
        (
            "GET",
            "/api/v1/flips",
            use_of(c, "/api/v1/flips".into(), pf, true, vec![], None),
        ),
        (
            "GET",
            "/api/v1/flips/{id}",
            use_of(c, format!("/api/v1/flips/{ff}"), pf, false, vec![], None),
        ),
        (
            "POST",
            "/api/v1/flips/{id}/steps",
            use_of(
                c,
                format!("/api/v1/flips/{fg2}/steps"),
                pg2,
                false,
                vec![],
                Some(json!({"step": "in_use", "person_id": pg2.0, "on": t})),
            ),
        ),
        (
            "POST",
            "/api/v1/partner/referrals",
            Use {
                role: Role::Partner,
                path: "/api/v1/partner/referrals".into(),
                form: vec![],
                json: Some(partner_json),
                person: None,
                list: false,
            },
        ),
        (
            "POST",
            "/api/v1/referrals/{id}/link",
            use_of(
                c,
                format!("/api/v1/referrals/{l2}/link"),
                known,
                false,
                vec![],
                Some(json!({})),
            ),
        ),
        (
            "POST",
            "/api/v1/referrals/{id}/link/reject",
            use_of(
                c,
                format!("/api/v1/referrals/{l4}/link/reject"),
                known,
                false,
                vec![],
                Some(json!({})),
            ),
        ),
    ]
}
