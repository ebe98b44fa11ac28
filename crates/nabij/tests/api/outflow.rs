//! The chain and outflow through the API: a partner refers, the person is placed and gets
//! ready, offers under a quota are declined and accepted, the stay ends and the quota shows
//! the unit used; the omklap lease flip; consent for partners (given, expired, revoked);
//! and bad input that writes nothing. On SQLite and PostgreSQL.

use crate::helpers::*;
use nabij_domain::access::{Purpose, Role};
use nabij_domain::ids::PersonId;
use nabij_domain::outflow::PartnerKind;
use nabij_store::audit::Actor;
use nabij_store::consents::NewConsent;
use serde_json::{Value, json};

/// The message of a problem+json's error at `field` ("" when there is none).
fn field_error(problem: &Value, field: &str) -> String {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["field"] == field)
        .and_then(|e| e["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn system(app: &TestApp) -> Actor {
    Actor::system("test", app.clock.now())
}

pub(crate) async fn as_corporation(app: &TestApp) {
    app.db
        .set_partner_kind(app.partner_org, PartnerKind::HousingCorporation, &[])
        .await
        .unwrap();
}

async fn large_home(app: &TestApp) -> nabij_domain::ids::HomeId {
    app.db
        .create_home(
            &nabij_store::homes::NewHome {
                organisation_id: 1,
                name: "Opvanghuis Groot".into(),
                kind: nabij_domain::home::HomeKind::ShelterHome,
                address: "Lange Straat 1".into(),
                neighbourhood: app.centrum,
                point: None,
                rules: Default::default(),
                max_stay_months: 6,
                landlord: None,
                places: 8,
                opened_on: None,
            },
            app.clock.now(),
        )
        .await
        .unwrap()
}

async fn quota(app: &TestApp, total: i64) -> i64 {
    let year = app.clock.today().year();
    let r = app
        .post_json(
            "/api/v1/quotas",
            &json!({"corporation_id": app.partner_org, "municipality_id": app.woerden.0, "year": year, "total": total}),
        )
        .await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

fn offer_body(app: &TestApp, quota: i64, rooms: i64) -> Value {
    json!({
        "quota_id": quota, "address": "Molenstraat 12", "municipality_id": app.woerden.0,
        "neighbourhood_id": app.centrum.0, "rooms": rooms, "rent_euros": 640, "accessible": false,
        "available_from": app.clock.today().to_string()
    })
}

/// The stay's person ready to move on today, an offer of the corporation under `quota`,
/// and the person proposed for it: the offer's id.
async fn proposed_to_ready_person(
    app: &TestApp,
    partner: &Session,
    stay: &Value,
    quota: i64,
) -> i64 {
    let r = app
        .post_json(
            &format!("/api/v1/stays/{}/ready", stay["id"]),
            &json!({"ready_on": app.clock.today().to_string()}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = partner
        .post_json("/api/v1/offers", &offer_body(app, quota, 1))
        .await;
    assert_eq!(r.status(), 201);
    let offer = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/offers/{offer}/match"),
            &json!({"person_id": stay["person_id"]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    offer
}

fn partner_referral(app: &TestApp) -> Value {
    json!({
        "first_name": "Sanne", "last_name": "Visser", "gender": "vrouw", "date_of_birth": "1990-04-02",
        "household_size": 2, "own_municipality_id": app.woerden.0, "urgency": "hoog",
        "situation": "Ontruiming over drie dagen wegens huurschuld",
        "consent_given_on": app.clock.today().to_string()
    })
}

async fn quota_use(s: &Session, id: i64) -> (i64, i64, i64) {
    let all: Value = s.get("/api/v1/quotas").await.json().await.unwrap();
    let q = all
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == id)
        .unwrap()
        .clone();
    (
        q["total"].as_i64().unwrap(),
        q["used"].as_i64().unwrap(),
        q["reserved"].as_i64().unwrap(),
    )
}

async fn partner_refers_and_the_person_moves_into_an_offered_home(app: TestApp) {
    as_corporation(&app).await;
    let partner = app.session_as(Role::Partner).await;

    // The corporation refers someone facing eviction, with consent for the referral.
    let r = partner
        .post_json("/api/v1/partner/referrals", &partner_referral(&app))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let submitted: Value = r.json().await.unwrap();
    let referral = submitted["referral_id"].as_i64().unwrap();

    // It is in the coordinators' open referrals, marked with the partner.
    let open: Value = app.get_json("/api/v1/referrals").await;
    let mine = open["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == referral)
        .expect("the partner's referral is open for the coordinators")
        .clone();
    assert_eq!(mine["referred_by"], app.partner_org);
    assert_eq!(mine["referred_by_name"], "Gemeente Woerden");
    assert_eq!(mine["state"], "received");
    let list = app.get("/aanmeldingen").await.text().await.unwrap();
    assert!(list.contains("(Gemeente Woerden)"), "{list}");
    let page = app
        .get(&format!("/aanmeldingen/{referral}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("(Gemeente Woerden)"), "{page}");

    // Placement, then ready to move on.
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let stay_id = stay["id"].as_i64().unwrap();
    let person = stay["person_id"].as_i64().unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/stays/{stay_id}/ready"),
            &json!({"ready_on": app.clock.today().to_string()}),
        )
        .await;
    assert_eq!(r.status(), 200);

    // The partner sees the status: placed, in the municipality only.
    let page = partner
        .get(&format!("/onze-aanmeldingen/{referral}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("geplaatst") && page.contains("in Woerden"),
        "{page}"
    );
    assert!(!page.contains("Pitstop Woerden"), "never the house");

    // A quota of two and an offer of the corporation under it: one unit reserved.
    let q = quota(&app, 2).await;
    let r = partner
        .post_json("/api/v1/offers", &offer_body(&app, q, 1))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let first = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(quota_use(&partner, q).await, (2, 0, 1));

    // The ranking explains; the household of two fits one bedroom.
    let ranked: Value = app
        .get_json(&format!("/api/v1/offers/{first}/candidates"))
        .await;
    let top = &ranked.as_array().unwrap()[0];
    assert_eq!(top["person_id"], person);
    assert!(
        top["explanation"]
            .as_str()
            .unwrap()
            .starts_with("Huishouden van 2, past in 1 kamer; woning ligt in de eigen gemeente"),
        "{top}"
    );

    // Proposed; without consent for housing the corporation sees a reference, not a name.
    let r = app
        .post_json(
            &format!("/api/v1/offers/{first}/match"),
            &json!({"person_id": person}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let seen: Value = partner
        .get(&format!("/api/v1/offers/{first}"))
        .await
        .json()
        .await
        .unwrap();
    let candidate = seen["offer"]["candidate"].as_str().unwrap();
    assert!(candidate.starts_with("kandidaat "), "{candidate}");
    assert!(!candidate.contains("Sanne"));

    // Declined: the unit is released, the offer is back in matching, the person still ready.
    let r = app
        .post_json(
            &format!("/api/v1/offers/{first}/answer"),
            &json!({"answer": "declined", "reason": "Te ver van het werk"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "open");
    assert_eq!(
        quota_use(&partner, q).await,
        (2, 0, 0),
        "the decline released the unit"
    );
    let ranked: Value = app
        .get_json(&format!("/api/v1/offers/{first}/candidates"))
        .await;
    assert_eq!(ranked[0]["person_id"], person, "still on the ready list");

    // A second offer; with consent for housing the corporation sees the name.
    let r = partner
        .post_json("/api/v1/offers", &offer_body(&app, q, 2))
        .await;
    assert_eq!(r.status(), 201);
    let second = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(quota_use(&partner, q).await, (2, 0, 1));
    app.db
        .record_consent(
            &NewConsent {
                person: nabij_domain::ids::PersonId(person),
                organisation_id: app.partner_org,
                purpose: Purpose::Housing,
                given_on: app.clock.today(),
                expires_on: None,
            },
            &system(&app),
        )
        .await
        .unwrap();
    app.post_json(
        &format!("/api/v1/offers/{second}/match"),
        &json!({"person_id": person}),
    )
    .await;
    let seen: Value = partner
        .get(&format!("/api/v1/offers/{second}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["offer"]["candidate"], "Sanne Visser");

    // Accepted with the key today: the stay ends, own rented home; the unit is used.
    let r = app
        .post_json(
            &format!("/api/v1/offers/{second}/answer"),
            &json!({"answer": "accepted", "key_date": app.clock.today().to_string()}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let stay: Value = app.get_json(&format!("/api/v1/stays/{stay_id}")).await;
    assert_eq!(stay["destination"], "own_rented_home");
    assert_eq!(stay["exit_date"], app.clock.today().to_string());
    // Used in the year of the key date; the declined first offer holds no unit.
    assert_eq!(quota_use(&partner, q).await, (2, 1, 0));
    // One more offer takes the last unit; then the quota is used up and an offer is
    // refused, with the reason at the field, and nothing is written.
    let r = partner
        .post_json("/api/v1/offers", &offer_body(&app, q, 2))
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(quota_use(&partner, q).await, (2, 1, 1));
    let r = partner
        .post_json("/api/v1/offers", &offer_body(&app, q, 2))
        .await;
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.unwrap();
    assert!(
        field_error(&problem, "quota_id").contains("contingent is op"),
        "{problem}"
    );
    let all: Value = partner.get("/api/v1/offers").await.json().await.unwrap();
    assert_eq!(all["total"], 3);
    // Withdrawing the first offer changes nothing; the quota stays used up.
    let r = partner
        .post_json(
            &format!("/api/v1/offers/{first}/withdraw"),
            &json!({"reason": "Woning aan iemand anders verhuurd"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(quota_use(&partner, q).await, (2, 1, 1));

    // Consent for housing shows the household; consent for care coordination the
    // professional's name and phone, never the contact log.
    let page = partner
        .get(&format!("/onze-aanmeldingen/{referral}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("2 personen"), "{page}");
    assert!(
        !page.contains("Begeleider"),
        "no consent for care coordination"
    );
    let person_id = nabij_domain::ids::PersonId(person);
    app.db
        .assign_professional(
            person_id,
            app.user(Role::Professional),
            app.clock.today(),
            &system(&app),
        )
        .await
        .unwrap();
    app.db
        .record_consent(
            &NewConsent {
                person: person_id,
                organisation_id: app.partner_org,
                purpose: Purpose::CareCoordination,
                given_on: app.clock.today(),
                expires_on: None,
            },
            &system(&app),
        )
        .await
        .unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/persons/{person}/goals"),
            &json!({"title": "Huur op tijd betalen", "domain": "finances", "owner": "person", "actions": "Automatische incasso met de bewindvoerder"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let page = partner
        .get(&format!("/onze-aanmeldingen/{referral}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Test professional, 06-11112222"), "{page}");
    // The plan's goals by title and state; never their actions.
    assert!(page.contains("Huur op tijd betalen — open"), "{page}");
    assert!(!page.contains("bewindvoerder"));
    let seen: Value = partner
        .get(&format!("/api/v1/partner/referrals/{referral}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["goals"][0]["title"], "Huur op tijd betalen");
    assert_eq!(seen["goals"][0]["status"], "open");
    assert!(!seen.to_string().contains("bewindvoerder"));

    // Retention: the reason the person gave for declining goes with their file.
    let offer = format!("/api/v1/offers/{first}");
    assert!(
        app.get(&offer)
            .await
            .text()
            .await
            .unwrap()
            .contains("Te ver van het werk")
    );
    assert!(
        app.db
            .anonymise(PersonId(person), &system(&app))
            .await
            .unwrap()
    );
    let after = app.get(&offer).await.text().await.unwrap();
    assert!(!after.contains("Te ver van het werk"), "{after}");
}
on_both!(partner_refers_and_the_person_moves_into_an_offered_home);

/// An acceptance uses its unit in the quota of the key date's year: the reservation
/// leaves this year's quota; a key year whose quota is used up refuses the acceptance at
/// the key date, writing nothing.
async fn a_unit_is_used_in_the_year_of_the_key_date(app: TestApp) {
    as_corporation(&app).await;
    let partner = app.session_as(Role::Partner).await;
    let this_year = quota(&app, 2).await;
    let next = app.clock.today().year() + 1;
    let r = app
        .post_json(
            "/api/v1/quotas",
            &json!({"corporation_id": app.partner_org, "municipality_id": app.woerden.0, "year": next, "total": 1}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let next_year = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = partner
        .post_json("/api/v1/offers", &offer_body(&app, next_year, 1))
        .await;
    assert_eq!(r.status(), 201);
    let holder = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(quota_use(&partner, next_year).await, (1, 0, 1));

    let referral = app.refer("Noor").await;
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let offer = proposed_to_ready_person(&app, &partner, &stay, this_year).await;

    let key = jiff::civil::date(next, 1, 15).to_string();
    let accept = json!({"answer": "accepted", "key_date": key});
    let r = app
        .post_json(&format!("/api/v1/offers/{offer}/answer"), &accept)
        .await;
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.unwrap();
    assert!(
        field_error(&problem, "key_date").contains(&format!("contingent van {next} is op")),
        "{problem}"
    );
    assert_eq!(quota_use(&partner, this_year).await, (2, 0, 1));
    assert_eq!(quota_use(&partner, next_year).await, (1, 0, 1));
    let seen: Value = app.get_json(&format!("/api/v1/offers/{offer}")).await;
    assert_eq!(seen["offer"]["state"], "proposed", "nothing was written");

    // Next year's unit comes free: the acceptance takes it, and this year's is released.
    let r = partner
        .post_json(
            &format!("/api/v1/offers/{holder}/withdraw"),
            &json!({"reason": "Toch niet beschikbaar"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .post_json(&format!("/api/v1/offers/{offer}/answer"), &accept)
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(quota_use(&partner, this_year).await, (2, 0, 0));
    assert_eq!(quota_use(&partner, next_year).await, (1, 1, 0));
}
on_both!(a_unit_is_used_in_the_year_of_the_key_date);

async fn bad_input_writes_nothing(app: TestApp) {
    as_corporation(&app).await;
    let partner = app.session_as(Role::Partner).await;
    let today = app.clock.today();

    // A partner referral without consent, or with consent dates in the wrong order.
    let mut no_consent = partner_referral(&app);
    no_consent["consent_given_on"] = json!("");
    let r = partner
        .post_json("/api/v1/partner/referrals", &no_consent)
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(field_error(&p, "consent_given_on").contains("toestemming"));
    let mut wrong_order = partner_referral(&app);
    wrong_order["consent_until"] = json!(today.yesterday().unwrap().to_string());
    let r = partner
        .post_json("/api/v1/partner/referrals", &wrong_order)
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(field_error(&p, "consent_until").contains("vóór"));
    let open: Value = app.get_json("/api/v1/referrals").await;
    assert_eq!(open["total"], 0, "nothing was filed");

    // A match of someone not ready, or whose household does not fit.
    let q = quota(&app, 5).await;
    let offer: Value = partner
        .post_json("/api/v1/offers", &offer_body(&app, q, 1))
        .await
        .json()
        .await
        .unwrap();
    let offer = offer["id"].as_i64().unwrap();
    let referral = app.refer("Karel").await;
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let person = stay["person_id"].as_i64().unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/offers/{offer}/match"),
            &json!({"person_id": person}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(field_error(&p, "person_id").contains("niet uitstroomklaar"));
    let mut big = app.intake("Groot");
    big["household_size"] = json!(4);
    let r = app.post_json("/api/v1/referrals", &big).await;
    let big_ref = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let large = large_home(&app).await;
    let stay: Value = app.place(big_ref, large).await.json().await.unwrap();
    let big_person = stay["person_id"].as_i64().unwrap();
    let big_stay = stay["id"].as_i64().unwrap();
    app.post_json(
        &format!("/api/v1/stays/{big_stay}/ready"),
        &json!({"ready_on": today.to_string()}),
    )
    .await;
    let r = app
        .post_json(
            &format!("/api/v1/offers/{offer}/match"),
            &json!({"person_id": big_person}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(
        field_error(&p, "person_id").contains("2 kamers nodig"),
        "{p}"
    );
    let seen: Value = app.get_json(&format!("/api/v1/offers/{offer}")).await;
    assert_eq!(seen["offer"]["state"], "open", "nothing changed");

    // An illegal omklap transition, and a flip with a criterion missing.
    let r = app
        .post_json(
            "/api/v1/flips",
            &json!({"corporation_id": app.partner_org, "name": "Omklap Noordstraat", "address": "Noordstraat 4",
                    "neighbourhood_id": app.centrum.0, "from": today.to_string()}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let flip: Value = r.json().await.unwrap();
    let flip_id = flip["id"].as_i64().unwrap();
    let home = flip["home_id"].as_i64().unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/flips/{flip_id}/steps"),
            &json!({"step": "flipped", "on": today.to_string()}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(
        field_error(&p, "state").contains("van 'aangevraagd'"),
        "{p}"
    );
    let r2 = app.refer("Omar").await;
    let placed = app.place(r2, nabij_domain::ids::HomeId(home)).await;
    assert_eq!(placed.status(), 201);
    let omar: Value = placed.json().await.unwrap();
    assert_eq!(
        omar["planned_end"],
        today.saturating_add(jiff::ToSpan::months(24)).to_string(),
        "an omklapwoning's stay runs 24 months"
    );
    let omar = omar["person_id"].as_i64().unwrap();
    for step in [
        json!({"step": "in_use", "person_id": omar, "on": today.to_string()}),
        json!({"step": "flip_review", "on": today.to_string()}),
    ] {
        let r = app
            .post_json(&format!("/api/v1/flips/{flip_id}/steps"), &step)
            .await;
        assert_eq!(r.status(), 200, "{step}: {}", r.text().await.unwrap());
    }
    // Rent paid on time for six months cannot be met on the first day of use.
    let r = app
        .post_json(
            &format!("/api/v1/flips/{flip_id}/steps"),
            &json!({"step": "criterion", "criterion": "rent_paid", "met": true, "on": today.to_string()}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(field_error(&p, "criterion").contains("6 maanden"), "{p}");
    let r = app
        .post_json(
            &format!("/api/v1/flips/{flip_id}/steps"),
            &json!({"step": "flipped", "on": today.to_string()}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(field_error(&p, "criteria").contains("geen overlast"));
    let f: Value = app.get_json(&format!("/api/v1/flips/{flip_id}")).await;
    assert_eq!(f["flip"]["state"], "flip_review");
}
on_both!(bad_input_writes_nothing);

async fn the_lease_flips_the_stay_ends_and_the_home_leaves_the_stock(app: TestApp) {
    as_corporation(&app).await;
    let today = app.clock.today();
    let t = today.to_string();
    let r = app
        .post_json(
            "/api/v1/flips",
            &json!({"corporation_id": app.partner_org, "name": "Omklap Dunavie", "address": "Zeeweg 8",
                    "neighbourhood_id": app.centrum.0, "from": today.yesterday().unwrap().to_string()}),
        )
        .await;
    let flip: Value = r.json().await.unwrap();
    let id = flip["id"].as_i64().unwrap();
    let home = flip["home_id"].as_i64().unwrap();
    let referral = app.refer("Ilse").await;
    let stay: Value = app
        .place(referral, nabij_domain::ids::HomeId(home))
        .await
        .json()
        .await
        .unwrap();
    let person = stay["person_id"].as_i64().unwrap();
    let stay_id = stay["id"].as_i64().unwrap();
    let step = |body: Value| {
        let app = &app;
        async move {
            app.post_json(&format!("/api/v1/flips/{id}/steps"), &body)
                .await
        }
    };
    assert_eq!(
        step(json!({"step": "in_use", "person_id": person, "on": t}))
            .await
            .status(),
        200
    );
    assert_eq!(
        step(json!({"step": "flip_review", "on": t})).await.status(),
        200
    );
    assert_eq!(
        step(json!({"step": "criterion", "criterion": "no_nuisance", "met": false, "on": t, "note": "Twee klachten"}))
            .await
            .status(),
        200
    );
    // The review does not pass: back in use, with the reasons on record.
    let r =
        step(json!({"step": "review_failed", "on": t, "reasons": "Klachten over geluidsoverlast"}))
            .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["state"].as_str(), v["reviews_failed"].as_i64()),
        (Some("in_use"), Some(1))
    );
    // The chain figures count the review that did not pass, in the last column.
    let r = app.get("/rapportage/uitstroom").await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let outflow = html
        .split("Beoordelingen niet geslaagd")
        .nth(1)
        .expect("the outflow table");
    let row = outflow
        .split("<tr>")
        .find(|row| row.contains("<th scope=\"row\">"))
        .expect("a municipality's row");
    assert!(
        row.trim_end().ends_with("<td>1</td></tr>")
            || row.contains(">1</td>\n</tr>")
            || row.contains(">1</td></tr>"),
        "{row}"
    );

    // The corporation sees the state, and the resident's name only under consent.
    let partner = app.session_as(Role::Partner).await;
    let seen: Value = partner
        .get(&format!("/api/v1/flips/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["flip"]["state"], "in_use");
    assert!(
        seen["flip"]["resident"]
            .as_str()
            .unwrap()
            .starts_with("kandidaat ")
    );

    // Half a year later the second review passes; the corporation records its own
    // agreement.
    app.clock.set(app.clock.now() + days(200));
    let today = app.clock.today();
    let t = today.to_string();
    assert_eq!(
        step(json!({"step": "flip_review", "on": t})).await.status(),
        200
    );
    for c in ["rent_paid", "no_nuisance", "goals_met"] {
        assert_eq!(
            step(json!({"step": "criterion", "criterion": c, "met": true, "on": t}))
                .await
                .status(),
            200
        );
    }
    let r = partner
        .post_json(
            &format!("/api/v1/flips/{id}/steps"),
            &json!({"step": "criterion", "criterion": "corporation_agrees", "met": true, "on": t}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = partner
        .post_json(
            &format!("/api/v1/flips/{id}/steps"),
            &json!({"step": "flipped", "on": t}),
        )
        .await;
    assert_eq!(r.status(), 403, "only a coordinator flips");
    let r = step(json!({"step": "flipped", "on": t})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // The stay ended with own lease via omklap; the home is closed from today.
    let stay: Value = app.get_json(&format!("/api/v1/stays/{stay_id}")).await;
    assert_eq!(stay["destination"], "own_lease_via_flip");
    let h: Value = app.get_json(&format!("/api/v1/homes/{home}")).await;
    assert_eq!(h["home"]["closed_on"], t, "{h}");

    // A replacement home in one step, in the same neighbourhood.
    let r = app
        .post_json(
            &format!("/api/v1/flips/{id}/replacement"),
            &json!({"name": "Omklap Dunavie 2", "address": "Zeeweg 10", "from": t}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let replacement: Value = r.json().await.unwrap();
    assert_eq!(replacement["state"], "requested");
    assert_eq!(replacement["replaces"], id);

    // Retention: the notes on the resident's review go with their file.
    let flip_page = format!("/api/v1/flips/{id}");
    let before = app.get(&flip_page).await.text().await.unwrap();
    assert!(before.contains("Twee klachten"), "{before}");
    assert!(
        app.db
            .anonymise(nabij_domain::ids::PersonId(person), &system(&app))
            .await
            .unwrap()
    );
    let after = app.get(&flip_page).await.text().await.unwrap();
    assert!(
        !after.contains("Twee klachten") && !after.contains("geluidsoverlast"),
        "{after}"
    );
}
on_both!(the_lease_flips_the_stay_ends_and_the_home_leaves_the_stock);

async fn consent_decides_what_a_corporation_sees_and_another_organisation_sees_nothing(
    app: TestApp,
) {
    as_corporation(&app).await;
    let partner = app.session_as(Role::Partner).await;
    let q = quota(&app, 5).await;
    let offer: Value = partner
        .post_json("/api/v1/offers", &offer_body(&app, q, 2))
        .await
        .json()
        .await
        .unwrap();
    let offer = offer["id"].as_i64().unwrap();
    let referral = app.refer("Lotte").await;
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let person = stay["person_id"].as_i64().unwrap();
    let stay_id = stay["id"].as_i64().unwrap();
    app.post_json(
        &format!("/api/v1/stays/{stay_id}/ready"),
        &json!({"ready_on": app.clock.today().to_string()}),
    )
    .await;
    app.post_json(
        &format!("/api/v1/offers/{offer}/match"),
        &json!({"person_id": person}),
    )
    .await;
    let name = || async {
        let v: Value = partner
            .get(&format!("/api/v1/offers/{offer}"))
            .await
            .json()
            .await
            .unwrap();
        v["offer"]["candidate"].as_str().unwrap().to_string()
    };
    assert!(name().await.starts_with("kandidaat"));
    let today = app.clock.today();
    // Consent for referral only does not unlock housing data.
    let consent = |purpose, expires_on| NewConsent {
        person: nabij_domain::ids::PersonId(person),
        organisation_id: app.partner_org,
        purpose,
        given_on: today.yesterday().unwrap(),
        expires_on,
    };
    app.db
        .record_consent(&consent(Purpose::Referral, None), &system(&app))
        .await
        .unwrap();
    assert!(name().await.starts_with("kandidaat"));
    // Expired yesterday: still nothing.
    app.db
        .record_consent(
            &consent(Purpose::Housing, Some(today.yesterday().unwrap())),
            &system(&app),
        )
        .await
        .unwrap();
    assert!(name().await.starts_with("kandidaat"));
    // Given: the name. Revoked today: gone at once.
    let id = app
        .db
        .record_consent(&consent(Purpose::Housing, None), &system(&app))
        .await
        .unwrap();
    assert_eq!(name().await, "Lotte de Vries");
    app.db
        .revoke_consent(
            nabij_domain::ids::PersonId(person),
            id,
            today,
            &system(&app),
        )
        .await
        .unwrap();
    assert!(name().await.starts_with("kandidaat"));

    // A municipality sees the quotas of its municipalities, never an offer.
    app.db
        .set_partner_kind(app.partner_org, PartnerKind::Municipality, &[app.woerden])
        .await
        .unwrap();
    let quotas: Value = partner.get("/api/v1/quotas").await.json().await.unwrap();
    assert_eq!(quotas.as_array().unwrap().len(), 1);
    assert_eq!(
        partner
            .get(&format!("/api/v1/offers/{offer}"))
            .await
            .status(),
        404
    );
    assert_eq!(partner.get("/api/v1/offers").await.status(), 403);
    // A care provider neither refers nor sees outflow.
    app.db
        .set_partner_kind(app.partner_org, PartnerKind::CareProvider, &[])
        .await
        .unwrap();
    let r = partner
        .post_json("/api/v1/partner/referrals", &partner_referral(&app))
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(partner.get("/api/v1/quotas").await.status(), 403);
}
on_both!(consent_decides_what_a_corporation_sees_and_another_organisation_sees_nothing);

async fn a_known_person_is_not_filed_twice(app: TestApp) {
    app.db
        .set_partner_kind(app.partner_org, PartnerKind::SocialTeam, &[app.woerden])
        .await
        .unwrap();
    let partner = app.session_as(Role::Partner).await;
    let first: Value = partner
        .post_json("/api/v1/partner/referrals", &partner_referral(&app))
        .await
        .json()
        .await
        .unwrap();
    let to_confirm = "Klopt het dat het om dit dossier gaat?";
    let page = app
        .get(&format!("/aanmeldingen/{}", first["referral_id"]))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains(to_confirm), "a new person: {page}");
    // Same name (other case) and date of birth: filed on the known file.
    let mut again = partner_referral(&app);
    again["first_name"] = json!("sanne");
    again["consent_until"] = json!(in_days(app.clock.today(), 10).to_string());
    let r = partner.post_json("/api/v1/partner/referrals", &again).await;
    assert_eq!(r.status(), 201);
    let second: Value = r.json().await.unwrap();
    // The partner is not told the person was known to the shelter…
    assert_eq!(
        second.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["referral_id"],
        "{second}"
    );
    // …the coordinator is asked to confirm the link.
    let page = app
        .get(&format!("/aanmeldingen/{}", second["referral_id"]))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(to_confirm), "{page}");
    let a: Value = app
        .get_json(&format!("/api/v1/referrals/{}", first["referral_id"]))
        .await;
    let b: Value = app
        .get_json(&format!("/api/v1/referrals/{}", second["referral_id"]))
        .await;
    assert_eq!(a["person_id"], b["person_id"], "one file");
    // While the link waits, the partner sees the name it submitted under the consent it
    // recorded, and no longer once that consent has expired.
    let name_seen = || {
        let (partner, id) = (&partner, second["referral_id"].clone());
        async move {
            let v: Value = partner
                .get(&format!("/api/v1/partner/referrals/{id}"))
                .await
                .json()
                .await
                .unwrap();
            v["name"].clone()
        }
    };
    assert_eq!(name_seen().await, "sanne Visser");
    app.clock.set(app.clock.now() + days(11));
    assert_eq!(name_seen().await, Value::Null);
    // The coordinator confirms the link, once.
    let link = format!("/api/v1/referrals/{}/link", second["referral_id"]);
    assert_eq!(app.post_json(&link, &json!({})).await.status(), 200);
    assert_eq!(app.post_json(&link, &json!({})).await.status(), 409);
}
on_both!(a_known_person_is_not_filed_twice);

async fn a_wrong_match_shows_nothing_of_the_known_file_and_gets_its_own(app: TestApp) {
    app.db
        .set_partner_kind(app.partner_org, PartnerKind::SocialTeam, &[app.woerden])
        .await
        .unwrap();
    let partner = app.session_as(Role::Partner).await;
    let mut sanne = partner_referral(&app);
    sanne["bsn"] = json!("111222333");
    let first: Value = partner
        .post_json("/api/v1/partner/referrals", &sanne)
        .await
        .json()
        .await
        .unwrap();
    let known: Value = app
        .get_json(&format!("/api/v1/referrals/{}", first["referral_id"]))
        .await;
    // Someone else, with a mistyped BSN that happens to be Sanne's.
    let mut piet = partner_referral(&app);
    piet["first_name"] = json!("Piet");
    piet["last_name"] = json!("Jansen");
    piet["date_of_birth"] = json!("1971-01-01");
    piet["bsn"] = json!("111222333");
    let known_id = PersonId(known["person_id"].as_i64().unwrap());
    let consents_before = app.db.consents_of(known_id).await.unwrap().len();
    let r = partner.post_json("/api/v1/partner/referrals", &piet).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["referral_id"].clone();
    let linked: Value = app.get_json(&format!("/api/v1/referrals/{id}")).await;
    assert_eq!(
        linked["person_id"], known["person_id"],
        "filed on the known file"
    );
    // The consent Piet gave is not Sanne's until the coordinator says so: it unlocks
    // nothing of her file.
    assert_eq!(
        app.db.consents_of(known_id).await.unwrap().len(),
        consents_before
    );
    // Nobody is placed on a file that may be someone else's.
    let r = app.place(id.as_i64().unwrap(), app.pitstop).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("beslis eerst"));
    // The partner sees the name it sent, never the known file's.
    let seen: Value = partner
        .get(&format!("/api/v1/partner/referrals/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["name"], "Piet Jansen", "{seen}");
    let list = partner
        .get("/api/v1/partner/referrals")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("Piet Jansen"), "{list}");
    let page = partner
        .get(&format!("/onze-aanmeldingen/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Piet Jansen") && !page.contains("Sanne"),
        "{page}"
    );
    // The coordinator sees it is someone else: a new file from what the partner sent.
    let html = app
        .get(&format!("/aanmeldingen/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Nee, dit is iemand anders"), "{html}");
    // …beside what the partner sent, with no places to choose until then.
    assert!(
        html.contains("<dt>Aangemeld als</dt><dd>Piet Jansen</dd>")
            && html.contains("1971-01-01")
            && html.contains("111222333"),
        "{html}"
    );
    assert!(html.contains("Beslis eerst over de koppeling"), "{html}");
    assert!(!html.contains("Vrije plekken, de beste eerst"), "{html}");
    let r = app
        .post_form(&format!("/aanmeldingen/{id}/koppeling-afwijzen"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let html = app.get(&to).await.text().await.unwrap();
    assert!(html.contains("nieuw dossier geopend"), "{html}");
    assert!(
        !html.contains("Klopt het dat het om dit dossier gaat?"),
        "{html}"
    );
    let split: Value = app.get_json(&format!("/api/v1/referrals/{id}")).await;
    assert_ne!(split["person_id"], known["person_id"]);
    assert_eq!(split["person_name"], "Piet Jansen");
    assert_eq!(split["state"], "received", "still open, the clock running");
    let file: Value = app
        .get_json(&format!("/api/v1/persons/{}", split["person_id"]))
        .await;
    assert_eq!(file["date_of_birth"], "1971-01-01", "{file}");
    assert_eq!(file["household"], 2, "{file}");
    // The BSN that matched Sanne is in doubt: the new file starts without it.
    let new_id = PersonId(split["person_id"].as_i64().unwrap());
    assert_eq!(app.db.person(new_id).await.unwrap().bsn, None);
    assert_eq!(app.db.consents_of(new_id).await.unwrap().len(), 1);
    assert_eq!(
        app.db.consents_of(known_id).await.unwrap().len(),
        consents_before
    );
    // The consent given with the referral moved along: the partner still sees the name.
    let seen: Value = partner
        .get(&format!("/api/v1/partner/referrals/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["name"], "Piet Jansen", "{seen}");
    assert_eq!(seen["referral_consent"], true, "{seen}");
    // Decided once: neither a second rejection nor a confirmation.
    let again = format!("/api/v1/referrals/{id}/link/reject");
    assert_eq!(app.post_json(&again, &json!({})).await.status(), 409);
    let confirm = format!("/api/v1/referrals/{id}/link");
    assert_eq!(app.post_json(&confirm, &json!({})).await.status(), 409);
    // A pending referral that was closed (the partner found another place) can still be
    // split off: the closed referral then stands on the right file.
    let mut kees = partner_referral(&app);
    kees["first_name"] = json!("Kees");
    kees["date_of_birth"] = json!("1980-05-05");
    kees["bsn"] = json!("111222333");
    let r = partner.post_json("/api/v1/partner/referrals", &kees).await;
    let kees_id = r.json::<Value>().await.unwrap()["referral_id"].clone();
    let r = app
        .post_json(
            &format!("/api/v1/referrals/{kees_id}/close"),
            &json!({"state": "withdrawn", "reason": "Elders opgevangen"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app
        .post_json(
            &format!("/api/v1/referrals/{kees_id}/link/reject"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let closed: Value = app.get_json(&format!("/api/v1/referrals/{kees_id}")).await;
    assert_eq!(closed["person_name"], "Kees Visser");
    assert_eq!(closed["state"], "withdrawn");
    // Sanne's own referral is untouched.
    let still: Value = app
        .get_json(&format!("/api/v1/referrals/{}", first["referral_id"]))
        .await;
    assert_eq!(still["person_id"], known["person_id"]);
}
on_both!(a_wrong_match_shows_nothing_of_the_known_file_and_gets_its_own);

async fn a_municipality_sees_its_figures_with_small_numbers_as_less_than_five(app: TestApp) {
    app.db
        .set_partner_kind(app.partner_org, PartnerKind::Municipality, &[app.woerden])
        .await
        .unwrap();
    // Three referrals and two placements in Woerden, one in Zeist (not covered).
    for name in ["Anna", "Bert", "Cora"] {
        app.refer(name).await;
    }
    let open: Value = app.get_json("/api/v1/referrals").await;
    let ids: Vec<i64> = open["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(app.place(ids[0], app.pitstop).await.status(), 201);
    assert_eq!(app.place(ids[1], app.pitstop).await.status(), 201);
    let partner = app.session_as(Role::Partner).await;
    let html = partner.get("/ketencijfers").await.text().await.unwrap();
    assert!(html.contains("Gemeenten: Woerden."), "{html}");
    let row = html
        .split("<th scope=\"row\">Woerden</th>")
        .nth(1)
        .expect("a row for Woerden")
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains("&#60;5"), "{row}");
    assert!(!row.contains(">3<") && !row.contains(">2<"), "{row}");
    // The CSV download suppresses the same way.
    let r = partner.get("/ketencijfers.csv?tabel=keten").await;
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    let line = csv.lines().find(|l| l.starts_with("Woerden")).unwrap();
    assert_eq!(line, "Woerden;<5;<5;–;<5;<5", "{csv}");
    // The coordinator sees the numbers themselves.
    let html = app.get("/rapportage/uitstroom").await.text().await.unwrap();
    let row = html
        .split("<th scope=\"row\">Woerden</th>")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains(">3<") && row.contains(">2<"), "{row}");
    // A period that ends before it starts is refused at the field.
    let r = partner
        .get("/ketencijfers?van=2026-05-01&tot=2026-04-01")
        .await;
    assert_eq!(r.status(), 422);
}
on_both!(a_municipality_sees_its_figures_with_small_numbers_as_less_than_five);

/// The row of an HTML table whose row header is `name`, up to its end.
fn html_row<'a>(table: &'a str, name: &str) -> &'a str {
    let at = table
        .find(&format!("<th scope=\"row\">{name}</th>"))
        .unwrap_or_else(|| panic!("a row {name}: {table}"));
    let row = &table[at..];
    &row[..row.find("</tr>").unwrap()]
}

/// The HTML table of the section titled `title`.
fn html_table<'a>(html: &'a str, title: &str) -> &'a str {
    let at = html
        .find(title)
        .unwrap_or_else(|| panic!("a table {title}: {html}"));
    &html[at..at + html[at..].find("</table>").unwrap()]
}

async fn a_municipality_sees_the_recovery_of_its_persons_with_small_numbers_as_less_than_five(
    app: TestApp,
) {
    use crate::guidance::zrm_scores;
    use nabij_domain::guidance::ZrmMoment;
    use nabij_domain::ids::PersonId;
    app.db
        .set_partner_kind(app.partner_org, PartnerKind::Municipality, &[app.woerden])
        .await
        .unwrap();
    let actor = system(&app);
    let today = app.clock.today();
    let days_ago = |n: i64| today.saturating_sub(jiff::ToSpan::days(n));
    let professional = app.user(nabij_domain::access::Role::Professional);
    let person_of = |referral: i64| {
        let app = &app;
        async move {
            let r: Value = app.get_json(&format!("/api/v1/referrals/{referral}")).await;
            PersonId(r["person_id"].as_i64().unwrap())
        }
    };
    // Guidance that ended, then a resumption of it.
    let resume = |p: PersonId| {
        let (app, actor) = (&app, &actor);
        async move {
            let first = app
                .db
                .start_episode(p, professional, days_ago(90), 8, "Intake", None, actor)
                .await
                .unwrap();
            let episode = app.db.episode(first).await.unwrap();
            app.db
                .end_episode(&episode, days_ago(40), None, actor)
                .await
                .unwrap();
            app.db
                .start_episode(
                    p,
                    professional,
                    days_ago(10),
                    4,
                    "Hervat",
                    Some(first),
                    actor,
                )
                .await
                .unwrap();
        }
    };
    // Six persons from Woerden with an intake: five assessed again (finances up by one), of
    // whom two left with an exit assessment; five resumed their guidance.
    for (i, name) in ["Ada", "Bo", "Cas", "Dirk", "Eva", "Fleur"]
        .iter()
        .enumerate()
    {
        let p = person_of(app.refer(name).await).await;
        app.db
            .add_assessment(
                p,
                days_ago(60),
                ZrmMoment::Intake,
                &zrm_scores(2, 3),
                &actor,
            )
            .await
            .unwrap();
        if i < 5 {
            let moment = if i < 2 {
                ZrmMoment::Exit
            } else {
                ZrmMoment::Periodic
            };
            app.db
                .add_assessment(p, today, moment, &zrm_scores(3, 3), &actor)
                .await
                .unwrap();
            resume(p).await;
        }
    }
    // Someone from Zeist, which the municipality does not cover: assessed, improved, left
    // and resumed, and counted nowhere on its page.
    let zeist = app
        .db
        .report_municipalities(1)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.1 == "Zeist")
        .unwrap()
        .0;
    let mut intake = app.intake("Zef");
    intake["own_municipality_id"] = json!(zeist);
    intake["own_neighbourhood_id"] = Value::Null;
    let r = app.post_json("/api/v1/referrals", &intake).await;
    assert_eq!(r.status(), 201);
    let zef = person_of(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()).await;
    for (on, moment, finances) in [
        (days_ago(60), ZrmMoment::Intake, 2),
        (today, ZrmMoment::Exit, 3),
    ] {
        app.db
            .add_assessment(zef, on, moment, &zrm_scores(finances, 3), &actor)
            .await
            .unwrap();
    }
    resume(zef).await;

    let partner = app.session_as(nabij_domain::access::Role::Partner).await;
    let r = partner.get("/ketencijfers").await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(!html.contains("de Vries"), "no person on the page: {html}");
    let summary = html_table(&html, "Herstel: ZRM-metingen en hervattingen");
    assert!(
        html_row(summary, "Personen met een ZRM-meting").contains(">6<"),
        "{summary}"
    );
    assert!(
        html_row(summary, "Hervattingen van begeleiding").contains(">5<"),
        "{summary}"
    );
    let zrm = html_table(&html, "Herstel: ZRM-verandering per domein");
    let finances = html_row(zrm, "Financiën");
    // Five persons intake → latest, all five improved; the two exits are fewer than five.
    assert!(finances.contains(">5<"), "{finances}");
    assert!(finances.contains("&#60;5"), "{finances}");
    assert!(
        !finances.contains(">2<") && !finances.contains(">6<"),
        "{finances}"
    );

    // The CSV downloads show the same, suppressed.
    let csv = |table: &'static str| {
        let partner = &partner;
        async move {
            let r = partner
                .get(&format!("/ketencijfers.csv?tabel={table}"))
                .await;
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    let summary = csv("herstel").await;
    assert!(
        summary
            .lines()
            .any(|l| l == "Personen met een ZRM-meting;6"),
        "{summary}"
    );
    assert!(
        summary
            .lines()
            .any(|l| l == "Hervattingen van begeleiding;5"),
        "{summary}"
    );
    let zrm = csv("herstel-zrm").await;
    let line = zrm
        .lines()
        .find(|l| l.starts_with("Financiën;"))
        .expect("a line per domain");
    assert_eq!(line, "Financiën;5;1,00;5;<5;<5;100,0%;<5;–;<5", "{zrm}");

    // A partner whose municipalities are others sees none of them.
    app.db
        .set_partner_kind(
            app.partner_org,
            PartnerKind::SocialTeam,
            &[nabij_domain::ids::MunicipalityId(zeist)],
        )
        .await
        .unwrap();
    let html = partner.get("/ketencijfers").await.text().await.unwrap();
    let summary = html_table(&html, "Herstel: ZRM-metingen en hervattingen");
    assert!(
        html_row(summary, "Personen met een ZRM-meting").contains("&#60;5"),
        "{summary}"
    );
}
on_both!(a_municipality_sees_the_recovery_of_its_persons_with_small_numbers_as_less_than_five);

async fn an_administrator_sets_a_partners_kind(app: TestApp) {
    let admin = app.session_as(Role::Admin).await;
    let url = format!("/api/v1/partners/{}/kind", app.partner_org);
    let r = admin
        .post_json(
            &url,
            &json!({"kind": "woningcorporatie", "municipality_ids": [app.woerden.0]}),
        )
        .await;
    assert_eq!(r.status(), 422, "a corporation covers no municipalities");
    let r = admin
        .post_json(
            &url,
            &json!({"kind": "gemeente", "municipality_ids": [app.woerden.0]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let (kind, ms) = app.db.partner_kind(app.partner_org).await.unwrap();
    assert_eq!(
        (kind, ms),
        (Some(PartnerKind::Municipality), vec![app.woerden])
    );
    // The provider itself is no partner.
    let r = admin
        .post_json("/api/v1/partners/1/kind", &json!({"kind": "gemeente"}))
        .await;
    assert!(r.status().is_client_error());
}
on_both!(an_administrator_sets_a_partners_kind);

/// An omklapwoning of the corporation requested from today, by the coordinator: the flip.
async fn omklap_home(app: &TestApp, name: &str, address: &str) -> Value {
    let r = app
        .post_json(
            "/api/v1/flips",
            &json!({"corporation_id": app.partner_org, "name": name, "address": address,
                    "neighbourhood_id": app.centrum.0, "from": app.clock.today().to_string()}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

async fn after_a_flip_guidance_runs_on_as_aftercare(app: TestApp) {
    as_corporation(&app).await;
    let today = app.clock.today();
    let flip = omklap_home(&app, "Omklap Nazorg", "Duinweg 3").await;
    let id = flip["id"].as_i64().unwrap();
    let home = flip["home_id"].as_i64().unwrap();
    let referral = app.refer("Noor").await;
    let stay: Value = app
        .place(referral, nabij_domain::ids::HomeId(home))
        .await
        .json()
        .await
        .unwrap();
    let person = stay["person_id"].as_i64().unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/persons/{person}/episodes"),
            &json!({"professional_id": app.user(Role::Professional), "hours_per_week": "3", "reason": "start"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let step = |body: Value| {
        let app = &app;
        async move {
            let r = app
                .post_json(&format!("/api/v1/flips/{id}/steps"), &body)
                .await;
            assert_eq!(r.status(), 200, "{body}: {}", r.text().await.unwrap());
        }
    };
    step(json!({"step": "in_use", "person_id": person, "on": today.to_string()})).await;
    app.clock.set(app.clock.now() + days(190));
    let t = app.clock.today().to_string();
    step(json!({"step": "flip_review", "on": t})).await;
    for c in [
        "rent_paid",
        "no_nuisance",
        "goals_met",
        "corporation_agrees",
    ] {
        step(json!({"step": "criterion", "criterion": c, "met": true, "on": t})).await;
    }
    step(json!({"step": "flipped", "on": t})).await;

    // The stay ended, but the guidance did not: it is aftercare from the flip, for the
    // configured 180 days.
    let g: Value = app
        .get_json(&format!("/api/v1/persons/{person}/episodes"))
        .await;
    let e = &g["episodes"][0];
    assert_eq!(e["status"], "aftercare", "{g}");
    assert_eq!(e["aftercare_from"], t);
    let until = app
        .clock
        .today()
        .saturating_add(jiff::ToSpan::days(180))
        .to_string();
    assert_eq!(e["ended_on"], until);
    // The file names the professional during aftercare, as the person's own page and a
    // partner's care view do.
    let file = app
        .get(&format!("/personen/{person}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        file.contains("Begeleider: <strong>Test professional</strong>"),
        "{file}"
    );
    // The professional keeps the file during aftercare.
    let professional = app.session_as(Role::Professional).await;
    assert_eq!(
        professional
            .get(&format!("/api/v1/persons/{person}/episodes"))
            .await
            .status(),
        200
    );
}
on_both!(after_a_flip_guidance_runs_on_as_aftercare);

async fn a_partner_reads_its_own_referrals_through_the_api(app: TestApp) {
    app.db
        .set_partner_kind(app.partner_org, PartnerKind::SocialTeam, &[app.woerden])
        .await
        .unwrap();
    let partner = app.session_as(Role::Partner).await;
    let mut ids = Vec::new();
    for (first, dob) in [
        ("Sanne", "1990-04-02"),
        ("Tim", "1985-01-09"),
        ("Uma", "1979-11-30"),
    ] {
        let mut body = partner_referral(&app);
        body["first_name"] = json!(first);
        body["date_of_birth"] = json!(dob);
        let r = partner.post_json("/api/v1/partner/referrals", &body).await;
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        ids.push(v["referral_id"].as_i64().unwrap());
    }
    // One placed, one closed with advice, one still waiting.
    assert_eq!(app.place(ids[0], app.pitstop).await.status(), 201);
    let r = app
        .post_json(
            &format!("/api/v1/referrals/{}/close", ids[1]),
            &json!({"state": "advised_elsewhere", "reason": "Doorverwezen naar de maatschappelijke opvang"}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    // Paged like the other lists, newest first, with the exact total.
    let first: Value = partner
        .get("/api/v1/partner/referrals?limit=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["total"], 3);
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let next = first["next"].as_str().expect("a cursor to the next page");
    let rest: Value = partner
        .get(&format!("/api/v1/partner/referrals?limit=2&cursor={next}"))
        .await
        .json()
        .await
        .unwrap();
    let mut all: Vec<Value> = first["items"].as_array().unwrap().clone();
    all.extend(rest["items"].as_array().unwrap().iter().cloned());
    assert_eq!(all.len(), 3);
    let of = |id: i64| all.iter().find(|r| r["id"] == id).unwrap().clone();
    let placed = of(ids[0]);
    assert_eq!(placed["status"], "placed");
    assert_eq!(placed["name"], "Sanne Visser");
    assert_eq!(placed["placed_in_municipality"], "Woerden");
    assert!(placed.get("home").is_none() && !placed.to_string().contains("Pitstop"));
    let closed = of(ids[1]);
    assert_eq!(closed["status"], "closed");
    assert_eq!(
        closed["advice"],
        "Doorverwezen naar de maatschappelijke opvang"
    );
    assert_eq!(of(ids[2])["status"], "received");
    // Never the situation text or a surname beyond consent.
    assert!(!first.to_string().contains("Ontruiming"));

    // One referral, each part under its own consent: without housing consent no ready date.
    let one: Value = partner
        .get(&format!("/api/v1/partner/referrals/{}", ids[0]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["status"], "placed");
    assert_eq!(one["referral_consent"], true);
    assert_eq!(one["housing_consent"], false);
    assert!(one["household_size"].is_null());

    // Consent for the referral revoked: the status stays, the name and the place go.
    let person: Value = app.get_json(&format!("/api/v1/referrals/{}", ids[0])).await;
    let person = nabij_domain::ids::PersonId(person["person_id"].as_i64().unwrap());
    let consent = app
        .db
        .consents_of(person)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.organisation_id == app.partner_org)
        .unwrap();
    app.db
        .revoke_consent(person, consent.id, app.clock.today(), &system(&app))
        .await
        .unwrap();
    let list: Value = partner
        .get("/api/v1/partner/referrals")
        .await
        .json()
        .await
        .unwrap();
    let placed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == ids[0])
        .unwrap()
        .clone();
    assert_eq!(placed["status"], "placed");
    assert!(placed["name"].is_null() && placed["placed_in_municipality"].is_null());

    // Another organisation's partner, or a coordinator, is refused the partner list.
    assert_eq!(app.get("/api/v1/partner/referrals").await.status(), 403);
    let doc: Value = app.get_json("/api/v1/openapi.json").await;
    assert!(doc["paths"]["/api/v1/partner/referrals"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/partner/referrals/{id}"]["get"].is_object());
}
on_both!(a_partner_reads_its_own_referrals_through_the_api);

async fn an_administrator_sets_a_partners_kind_on_its_page(app: TestApp) {
    let admin = app.session_as(Role::Admin).await;
    let page = format!("/beheer/ketenpartners/{}", app.partner_org);
    let html = admin
        .get("/beheer/ketenpartners")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Gemeente Woerden"), "{html}");
    // A municipality without municipalities: a Dutch error at the field, nothing written.
    let r = admin.post_form(&page, &[("kind", "gemeente")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("minstens één gemeente"), "{html}");
    assert_eq!(
        app.db.partner_kind(app.partner_org).await.unwrap(),
        (None, vec![])
    );
    let r = admin.post_form(&page, &[("kind", "")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("kies gemeente"));
    // Chosen well: saved, and the change is on the page with who made it.
    let woerden = app.woerden.0.to_string();
    let r = admin
        .post_form(
            &page,
            &[("kind", "gemeente"), ("municipality_ids", &woerden)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with(&page), "{to}");
    let html = admin.get(&to).await.text().await.unwrap();
    assert!(html.contains("zijn opgeslagen"), "{html}");
    assert!(
        html.contains("Test admin"),
        "the change names who made it: {html}"
    );
    assert_eq!(
        app.db.partner_kind(app.partner_org).await.unwrap(),
        (Some(PartnerKind::Municipality), vec![app.woerden])
    );
    // A coordinator does not manage partners.
    assert_eq!(app.get(&page).await.status(), 403);
}
on_both!(an_administrator_sets_a_partners_kind_on_its_page);

async fn a_household_with_pets_fits_only_a_home_that_allows_them(app: TestApp) {
    as_corporation(&app).await;
    let q = quota(&app, 3).await;
    let mut body = offer_body(&app, q, 2);
    body["no_pets"] = json!(true);
    body["corporation_id"] = json!(app.partner_org);
    let r = app.post_json("/api/v1/offers", &body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let offer: Value = r.json().await.unwrap();
    let offer = offer["id"].as_i64().unwrap();
    let mut intake = app.intake("Pim");
    intake["needs_pets"] = json!(true);
    let r = app.post_json("/api/v1/referrals", &intake).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let referral = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // Placed in a house where the pets may come along.
    let home = app
        .db
        .create_home(
            &nabij_store::homes::NewHome {
                organisation_id: 1,
                name: "Opvanghuis Dieren".into(),
                kind: nabij_domain::home::HomeKind::ShelterHome,
                address: "Hondenlaan 1".into(),
                neighbourhood: app.centrum,
                point: None,
                rules: nabij_domain::home::HouseRules {
                    pets_allowed: true,
                    ..Default::default()
                },
                max_stay_months: 6,
                landlord: None,
                places: 2,
                opened_on: None,
            },
            app.clock.now(),
        )
        .await
        .unwrap();
    let r = app.place(referral, home).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let stay: Value = r.json().await.unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/stays/{}/ready", stay["id"]),
            &json!({"ready_on": app.clock.today().to_string()}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // Not among the candidates, and refused with the reason when proposed.
    let c: Value = app
        .get_json(&format!("/api/v1/offers/{offer}/candidates"))
        .await;
    assert!(c.as_array().unwrap().is_empty(), "{c}");
    let r = app
        .post_json(
            &format!("/api/v1/offers/{offer}/match"),
            &json!({"person_id": stay["person_id"]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(field_error(&p, "person_id").contains("huisdieren"), "{p}");

    // Two without pets fit; asked for the best one only, the API gives one.
    for name in ["Rosa", "Sem"] {
        let referral = app.refer(name).await;
        let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/stays/{}/ready", stay["id"]),
                &json!({"ready_on": app.clock.today().to_string()}),
            )
            .await;
        assert_eq!(r.status(), 200);
    }
    let all: Value = app
        .get_json(&format!("/api/v1/offers/{offer}/candidates"))
        .await;
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
    let best: Value = app
        .get_json(&format!("/api/v1/offers/{offer}/candidates?limit=1"))
        .await;
    assert_eq!(best.as_array().unwrap().len(), 1);
    assert_eq!(best[0]["person_id"], all[0]["person_id"]);
    let html = app
        .get(&format!("/woningaanbod/{offer}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("2 kandidaten, de best passende eerst."),
        "{html}"
    );
}
on_both!(a_household_with_pets_fits_only_a_home_that_allows_them);

async fn the_report_summary_shows_the_outflow_measures(app: TestApp) {
    let html = app.get("/rapportage").await.text().await.unwrap();
    assert!(html.contains("Uitstroom en keten</h2>"), "{html}");
    assert!(html.contains("Omklappen"));
    assert!(html.contains("Wachten op een woning (mediaan"));
    assert!(html.contains("/rapportage/uitstroom?van="));
    let offers_made = "<th scope=\"row\">Aanbod gedaan</th><td class=\"n\">";
    assert!(html.contains(&format!("{offers_made}0</td>")), "{html}");
    // The summary is kept while its data is unchanged; an offer registered since shows at
    // once.
    as_corporation(&app).await;
    let partner = app.session_as(Role::Partner).await;
    let q = quota(&app, 2).await;
    let r = partner
        .post_json("/api/v1/offers", &offer_body(&app, q, 1))
        .await;
    assert_eq!(r.status(), 201);
    let html = app.get("/rapportage").await.text().await.unwrap();
    assert!(html.contains(&format!("{offers_made}1</td>")), "{html}");
}
on_both!(the_report_summary_shows_the_outflow_measures);

/// The planner's facts line on outflow homes: the figure and its source.
fn outflow_fact(html: &str) -> Option<String> {
    let term = "<dt>Uitstroomwoningen per jaar</dt><dd>";
    let start = html.find(term)? + term.len();
    html[start..].split("</dd>").next().map(str::to_owned)
}

async fn the_planner_reads_outflow_supply_from_real_offers(app: TestApp) {
    as_corporation(&app).await;
    let partner = app.session_as(Role::Partner).await;
    let referral = app.refer("Noor").await;
    assert_eq!(app.place(referral, app.pitstop).await.status(), 201);
    let q = quota(&app, 12).await;
    // An omklapwoning in use from today, its lease flipped only at the end.
    let today = app.clock.today();
    let flip = omklap_home(&app, "Omklap Planner", "Duinweg 5").await;
    let flip_id = flip["id"].as_i64().unwrap();
    let home = nabij_domain::ids::HomeId(flip["home_id"].as_i64().unwrap());
    let resident: Value = app
        .place(app.refer("Omar").await, home)
        .await
        .json()
        .await
        .unwrap();
    let step = |body: Value| {
        let app = &app;
        async move {
            let r = app
                .post_json(&format!("/api/v1/flips/{flip_id}/steps"), &body)
                .await;
            assert_eq!(r.status(), 200, "{body}: {}", r.text().await.unwrap());
        }
    };
    step(json!({"step": "in_use", "person_id": resident["person_id"], "on": today.to_string()}))
        .await;
    for _ in 0..9 {
        let r = partner
            .post_json("/api/v1/offers", &offer_body(&app, q, 1))
            .await;
        assert_eq!(r.status(), 201);
    }
    // One withdrawn offer was never supply for outflow.
    let r = partner
        .post_json("/api/v1/offers", &offer_body(&app, q, 1))
        .await;
    let withdrawn = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = partner
        .post_json(
            &format!("/api/v1/offers/{withdrawn}/withdraw"),
            &json!({"reason": "Verhuurd via de reguliere toewijzing"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let planner = "/capaciteitsplanner?herhalingen=2&jaren=1";

    // Half a year on, nine offers are too few: the supply is still estimated from exits.
    app.clock.set(app.clock.now() + days(200));
    let t200 = app.clock.today().to_string();
    step(json!({"step": "flip_review", "on": t200})).await;
    for c in [
        "rent_paid",
        "no_nuisance",
        "goals_met",
        "corporation_agrees",
    ] {
        step(json!({"step": "criterion", "criterion": c, "met": true, "on": t200})).await;
    }
    let html = app.get(planner).await.text().await.unwrap();
    assert!(html.contains("Berekend op "), "{html}");
    assert!(!html.contains("echte woningaanbiedingen"), "{html}");
    let out = app.get("/capaciteitsplanner/scenario.json").await;
    assert_eq!(out.status(), 200);

    // The tenth: the planner reads the supply from the offers (seen at once), per year
    // over the 201 days since the first: 10 × 365 / 201 ≈ 18.2 homes, all in Woerden.
    let r = partner
        .post_json("/api/v1/offers", &offer_body(&app, q, 1))
        .await;
    assert_eq!(r.status(), 201);
    let tenth = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let html = app.get(planner).await.text().await.unwrap();
    let fact = outflow_fact(&html).expect("the outflow homes per year");
    assert_eq!(
        fact, "18,2 (bron: 10 echte woningaanbiedingen en omklappen)",
        "{html}"
    );
    let scenario: Value = app
        .get("/capaciteitsplanner/scenario.json")
        .await
        .json()
        .await
        .unwrap();
    let woerden = scenario["municipalities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Woerden")
        .expect("Woerden in the scenario")
        .clone();
    assert_eq!(woerden["outflow_per_year"], 18.16);

    // Withdrawn again, the tenth no longer counts, and the kept calibration is not used.
    let r = partner
        .post_json(
            &format!("/api/v1/offers/{tenth}/withdraw"),
            &json!({"reason": "Toch niet beschikbaar"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = app.get(planner).await.text().await.unwrap();
    assert!(!html.contains("echte woningaanbiedingen"), "{html}");

    // The lease flips after that calibration was kept: nine offers and one flip are ten
    // again, seen at once.
    step(json!({"step": "flipped", "on": t200})).await;
    let html = app.get(planner).await.text().await.unwrap();
    let fact = outflow_fact(&html).expect("the outflow homes per year");
    assert!(
        fact.ends_with("(bron: 10 echte woningaanbiedingen en omklappen)"),
        "{fact}"
    );
}
on_both!(the_planner_reads_outflow_supply_from_real_offers);

async fn guidance_ends_with_the_stay_when_the_key_is_handed_over_at_acceptance(app: TestApp) {
    as_corporation(&app).await;
    let partner = app.session_as(Role::Partner).await;
    let referral = app.refer("Noor").await;
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let person = stay["person_id"].as_i64().unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/persons/{person}/episodes"),
            &json!({"professional_id": app.user(Role::Professional), "hours_per_week": "3", "reason": "start"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    app.clock.set(app.clock.now() + days(30));
    let today = app.clock.today().to_string();
    let q = quota(&app, 1).await;
    let offer = proposed_to_ready_person(&app, &partner, &stay, q).await;
    let r = app
        .post_json(
            &format!("/api/v1/offers/{offer}/answer"),
            &json!({"answer": "accepted", "key_date": today}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // The move was made with the acceptance, and the guidance ended with the stay, as on a
    // move registered later.
    let ended: Value = app.get_json(&format!("/api/v1/stays/{}", stay["id"])).await;
    assert_eq!(ended["exit_date"], today);
    let g: Value = app
        .get_json(&format!("/api/v1/persons/{person}/episodes"))
        .await;
    assert_eq!(g["episodes"][0]["ended_on"], today, "{g}");
}
on_both!(guidance_ends_with_the_stay_when_the_key_is_handed_over_at_acceptance);

fn in_days(d: jiff::civil::Date, n: i64) -> jiff::civil::Date {
    d.checked_add(jiff::ToSpan::days(n)).unwrap()
}

/// The moves Nabij makes by itself, as the server's job does (the test server's own job may
/// have made them first: callers check the state, not what this answers).
async fn due_moves(app: &TestApp) {
    let a = nabij_app::App::new(app.db.clone(), app.clock.clone());
    nabij_app::outflow::make_due_moves(&a).await.unwrap();
}

/// A corporation's offer under a quota of one unit, accepted by a placed person ("Noor")
/// with the key date `days` ahead: (the corporation's session, the stay, the offer, the key
/// date).
async fn accepted_for_later(app: &TestApp, days: i64) -> (Session, Value, i64, jiff::civil::Date) {
    as_corporation(app).await;
    let partner = app.session_as(Role::Partner).await;
    let q = quota(app, 1).await;
    let referral = app.refer("Noor").await;
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let offer = proposed_to_ready_person(app, &partner, &stay, q).await;
    let key = in_days(app.clock.today(), days);
    let r = app
        .post_json(
            &format!("/api/v1/offers/{offer}/answer"),
            &json!({"answer": "accepted", "key_date": key.to_string()}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    (partner, stay, offer, key)
}

async fn a_slipped_handover_postpones_the_key_date_and_the_stay_ends_the_day_after(app: TestApp) {
    as_corporation(&app).await;
    let partner = app.session_as(Role::Partner).await;
    let q = quota(&app, 2).await;
    let referral = app.refer("Noor").await;
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let person = stay["person_id"].as_i64().unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/persons/{person}/episodes"),
            &json!({"professional_id": app.user(Role::Professional), "hours_per_week": "3", "reason": "start"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let offer = proposed_to_ready_person(&app, &partner, &stay, q).await;
    let today = app.clock.today();
    let first_key = in_days(today, 5);
    let r = app
        .post_json(
            &format!("/api/v1/offers/{offer}/answer"),
            &json!({"answer": "accepted", "key_date": first_key.to_string()}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let seen: Value = app.get_json(&format!("/api/v1/offers/{offer}")).await;
    assert_eq!(seen["offer"]["move_status"], "awaiting");

    // Bad input: a date in the past and no reason; both named, nothing written.
    let r = partner
        .post_json(
            &format!("/api/v1/offers/{offer}/key-date"),
            &json!({"key_date": in_days(today, -1).to_string(), "reason": ""}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.unwrap();
    assert!(
        field_error(&problem, "key_date").contains("verleden"),
        "{problem}"
    );
    assert!(
        field_error(&problem, "reason").contains("waarom"),
        "{problem}"
    );
    let seen: Value = app.get_json(&format!("/api/v1/offers/{offer}")).await;
    assert_eq!(seen["offer"]["key_date"], first_key.to_string());
    assert_eq!(seen["key_date_changes"], json!([]));

    // A corporation does not bring the end of the stay closer; the coordinator may.
    let r = partner
        .post_json(
            &format!("/api/v1/offers/{offer}/key-date"),
            &json!({"key_date": in_days(today, 2).to_string(), "reason": "Eerder klaar"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.unwrap();
    assert!(
        field_error(&problem, "key_date").contains("alleen naar later"),
        "{problem}"
    );

    // The corporation hears the previous tenant leaves later: a week on.
    let new_key = in_days(first_key, 7);
    let r = partner
        .post_json(
            &format!("/api/v1/offers/{offer}/key-date"),
            &json!({"key_date": new_key.to_string(), "reason": "De vorige huurder vertrekt later"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let seen: Value = app.get_json(&format!("/api/v1/offers/{offer}")).await;
    assert_eq!(seen["offer"]["key_date"], new_key.to_string());
    assert_eq!(seen["key_date_changes"][0]["before"], first_key.to_string());
    assert_eq!(seen["key_date_changes"][0]["key_date"], new_key.to_string());
    assert_eq!(
        seen["key_date_changes"][0]["reason"],
        "De vorige huurder vertrekt later"
    );
    // The coordinator's page shows the change and what happens next.
    let page = app
        .get(&format!("/woningaanbod/{offer}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("De vorige huurder vertrekt later"), "{page}");
    assert!(
        page.contains("de dag erna legt Nabij de verhuizing vast"),
        "{page}"
    );

    // The first key date passes: the person still lives here.
    app.clock.set(app.clock.now() + days(6));
    due_moves(&app).await;
    let running: Value = app.get_json(&format!("/api/v1/stays/{}", stay["id"])).await;
    assert_eq!(running["exit_date"], Value::Null, "{running}");

    // On the new key date itself the handover can still slip; the day after, the stay has
    // ended on the key date, and the guidance with it, by the system.
    app.clock.set(app.clock.now() + days(6));
    assert_eq!(app.clock.today(), new_key);
    due_moves(&app).await;
    let running: Value = app.get_json(&format!("/api/v1/stays/{}", stay["id"])).await;
    assert_eq!(running["exit_date"], Value::Null, "{running}");
    app.clock.set(app.clock.now() + days(1));
    due_moves(&app).await;
    let ended: Value = app.get_json(&format!("/api/v1/stays/{}", stay["id"])).await;
    assert_eq!(ended["exit_date"], new_key.to_string(), "{ended}");
    assert_eq!(ended["destination"], "own_rented_home");
    let g: Value = app
        .get_json(&format!("/api/v1/persons/{person}/episodes"))
        .await;
    assert_eq!(g["episodes"][0]["ended_on"], new_key.to_string(), "{g}");
    let seen: Value = app.get_json(&format!("/api/v1/offers/{offer}")).await;
    assert_eq!(seen["offer"]["moved_on"], new_key.to_string());
    assert_eq!(seen["offer"]["move_status"], Value::Null);
    assert_eq!(quota_use(&partner, q).await, (2, 1, 0));
    let log = app
        .db
        .access_log(
            &nabij_store::audit::AccessFilter {
                person: Some(PersonId(person)),
                ..Default::default()
            },
            500,
        )
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.role == "system" && e.client == "verhuizing op de sleuteldatum"),
        "{log:?}"
    );
    // Anonymised after retention: why the key date moved may describe the person; the
    // dates stay.
    let actor = system(&app);
    assert!(app.db.anonymise(PersonId(person), &actor).await.unwrap());
    let seen: Value = app.get_json(&format!("/api/v1/offers/{offer}")).await;
    assert_eq!(seen["key_date_changes"][0]["reason"], "Geanonimiseerd");
    assert_eq!(seen["key_date_changes"][0]["key_date"], new_key.to_string());
    // Once moved, the key date is not changed any more.
    let r = partner
        .post_json(
            &format!("/api/v1/offers/{offer}/key-date"),
            &json!({"key_date": in_days(app.clock.today(), 3).to_string(), "reason": "Te laat"}),
        )
        .await;
    assert_eq!(r.status(), 409);
}
on_both!(a_slipped_handover_postpones_the_key_date_and_the_stay_ends_the_day_after);

async fn a_key_date_long_past_is_left_to_the_coordinator(app: TestApp) {
    let (_, stay, offer, key) = accepted_for_later(&app, 2).await;
    // The server was down for three weeks: no move is made silently that long after.
    app.clock.set(app.clock.now() + days(23));
    due_moves(&app).await;
    let running: Value = app.get_json(&format!("/api/v1/stays/{}", stay["id"])).await;
    assert_eq!(running["exit_date"], Value::Null, "{running}");
    let seen: Value = app.get_json(&format!("/api/v1/offers/{offer}")).await;
    assert_eq!(seen["offer"]["move_status"], "overdue");
    let page = app
        .get(&format!("/woningaanbod/{offer}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("meer dan 14 dagen voorbij"), "{page}");
    // The coordinator records it; the stay ends on the key date.
    let r = app
        .post_json(&format!("/api/v1/offers/{offer}/move"), &json!({}))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let ended: Value = app.get_json(&format!("/api/v1/stays/{}", stay["id"])).await;
    assert_eq!(ended["exit_date"], key.to_string());
}
on_both!(a_key_date_long_past_is_left_to_the_coordinator);

async fn an_offer_whose_stay_ended_otherwise_waits_for_no_move(app: TestApp) {
    let (partner, stay, offer, key) = accepted_for_later(&app, 10).await;
    // The person leaves another way before the key date.
    let r = app
        .post_json(
            &format!("/api/v1/stays/{}/exit", stay["id"]),
            &json!({"exit_date": app.clock.today().to_string(), "destination": "family_or_friends", "reason": "Toch bij zus"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let seen: Value = app.get_json(&format!("/api/v1/offers/{offer}")).await;
    assert_eq!(seen["offer"]["move_status"], Value::Null, "{seen}");
    let page = app
        .get(&format!("/woningaanbod/{offer}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("op een andere manier beëindigd"), "{page}");
    assert!(!page.contains("Sleuteldatum verzetten</button>"), "{page}");
    let r = partner
        .post_json(
            &format!("/api/v1/offers/{offer}/key-date"),
            &json!({"key_date": in_days(key, 7).to_string(), "reason": "Later klaar"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    // The key date passes: nothing is moved, and the stay keeps its own exit.
    app.clock.set(app.clock.now() + days(11));
    due_moves(&app).await;
    let ended: Value = app.get_json(&format!("/api/v1/stays/{}", stay["id"])).await;
    assert_eq!(ended["destination"], "family_or_friends", "{ended}");
}
on_both!(an_offer_whose_stay_ended_otherwise_waits_for_no_move);

async fn a_postponed_key_date_takes_the_unit_to_the_new_years_quota(app: TestApp) {
    as_corporation(&app).await;
    let partner = app.session_as(Role::Partner).await;
    let this_year = quota(&app, 1).await;
    let year = app.clock.today().year();
    let r = app
        .post_json(
            "/api/v1/quotas",
            &json!({"corporation_id": app.partner_org, "municipality_id": app.woerden.0, "year": year + 1, "total": 1}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let next_year = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let referral = app.refer("Noor").await;
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let offer = proposed_to_ready_person(&app, &partner, &stay, this_year).await;
    let key = in_days(app.clock.today(), 5);
    let r = app
        .post_json(
            &format!("/api/v1/offers/{offer}/answer"),
            &json!({"answer": "accepted", "key_date": key.to_string()}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(quota_use(&partner, this_year).await, (1, 1, 0));

    // Into next year: the unit moves with it, and this year's comes free.
    let january = jiff::civil::date(year + 1, 1, 10);
    let postpone = |to: jiff::civil::Date| {
        let partner = &partner;
        async move {
            partner
                .post_json(
                    &format!("/api/v1/offers/{offer}/key-date"),
                    &json!({"key_date": to.to_string(), "reason": "Renovatie loopt uit"}),
                )
                .await
        }
    };
    let r = postpone(january).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(quota_use(&partner, this_year).await, (1, 0, 0));
    assert_eq!(quota_use(&partner, next_year).await, (1, 1, 0));
    // Within next year: nothing moves.
    let r = postpone(in_days(january, 7)).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(quota_use(&partner, next_year).await, (1, 1, 0));

    // This year's freed unit is taken by another offer: the key date cannot come back into
    // this year (only the coordinator brings it forward, and the quota is full).
    let r = partner
        .post_json("/api/v1/offers", &offer_body(&app, this_year, 1))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    assert_eq!(quota_use(&partner, this_year).await, (1, 0, 1));
    let r = app
        .post_json(
            &format!("/api/v1/offers/{offer}/key-date"),
            &json!({"key_date": key.to_string(), "reason": "Toch eerder klaar"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.unwrap();
    assert!(
        field_error(&problem, "key_date").contains(&format!("contingent van {year} is op")),
        "{problem}"
    );
    // Nothing was written: the unit is still next year's, and the key date unchanged.
    assert_eq!(quota_use(&partner, this_year).await, (1, 0, 1));
    assert_eq!(quota_use(&partner, next_year).await, (1, 1, 0));
    let seen: Value = app.get_json(&format!("/api/v1/offers/{offer}")).await;
    assert_eq!(seen["offer"]["key_date"], in_days(january, 7).to_string());
    assert_eq!(seen["key_date_changes"].as_array().unwrap().len(), 2);
}
on_both!(a_postponed_key_date_takes_the_unit_to_the_new_years_quota);

async fn a_cancelled_acceptance_returns_the_offer_and_moves_no_one(app: TestApp) {
    let (partner, stay, offer, key) = accepted_for_later(&app, 5).await;
    let person = stay["person_id"].as_i64().unwrap();
    // A reason is required; nothing is written without one.
    let r = app
        .post_json(
            &format!("/api/v1/offers/{offer}/cancel-acceptance"),
            &json!({"reason": ""}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let seen: Value = app.get_json(&format!("/api/v1/offers/{offer}")).await;
    assert_eq!(seen["offer"]["state"], "accepted");
    // The corporation does not answer for the person.
    let r = partner
        .post_json(
            &format!("/api/v1/offers/{offer}/cancel-acceptance"),
            &json!({"reason": "Woning toch verkocht"}),
        )
        .await;
    assert_eq!(r.status(), 403);

    // The person changes their mind before the key date.
    let r = app
        .post_json(
            &format!("/api/v1/offers/{offer}/cancel-acceptance"),
            &json!({"reason": "Ziet toch af van de woning"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let seen: Value = app.get_json(&format!("/api/v1/offers/{offer}")).await;
    assert_eq!(seen["offer"]["state"], "open", "{seen}");
    assert_eq!(seen["offer"]["key_date"], Value::Null);
    assert_eq!(seen["answers"][1]["answer"], "declined", "{seen}");
    assert_eq!(seen["answers"][1]["reason"], "Ziet toch af van de woning");
    // Its unit is released, as after any decline; the person is a candidate again.
    let q = seen["offer"]["quota_id"].as_i64().unwrap();
    assert_eq!(quota_use(&partner, q).await, (1, 0, 0));
    let candidates: Value = app
        .get_json(&format!("/api/v1/offers/{offer}/candidates"))
        .await;
    assert!(
        candidates
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["person_id"] == person),
        "{candidates}"
    );
    // The key date passes: the person still lives here.
    app.clock.set(app.clock.now() + days(6));
    due_moves(&app).await;
    let running: Value = app.get_json(&format!("/api/v1/stays/{}", stay["id"])).await;
    assert_eq!(running["exit_date"], Value::Null, "{running}");
    assert!(key < app.clock.today());
    // Nothing is left to cancel.
    let r = app
        .post_json(
            &format!("/api/v1/offers/{offer}/cancel-acceptance"),
            &json!({"reason": "Nog eens"}),
        )
        .await;
    assert_eq!(r.status(), 409);
}
on_both!(a_cancelled_acceptance_returns_the_offer_and_moves_no_one);

/// A corporation postpones a key date: each coordinator with an address gets one notice with
/// the link to the offer and nothing about the person; a coordinator's own change sends none.
async fn coordinators_hear_of_a_key_date_the_corporation_moved(
    app: TestApp,
    inbox: std::sync::Arc<std::sync::Mutex<Vec<crate::volunteers::Mail>>>,
) {
    app.db
        .set_user_email(app.user(Role::Coordinator), Some("coordinator@pitstop.nl"))
        .await
        .unwrap();
    let (partner, _, offer, key) = accepted_for_later(&app, 5).await;
    let r = app
        .post_json(
            &format!("/api/v1/offers/{offer}/key-date"),
            &json!({"key_date": in_days(key, 2).to_string(), "reason": "Afspraak met de bewoner"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = partner
        .post_json(
            &format!("/api/v1/offers/{offer}/key-date"),
            &json!({"key_date": in_days(key, 9).to_string(), "reason": "Noor heeft nog schulden bij de vorige verhuurder"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let got = crate::volunteers::mails(&inbox, 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].to, vec!["coordinator@pitstop.nl".to_owned()]);
    assert!(
        got[0]
            .data
            .contains(&format!("https://nabij.example.org/woningaanbod/{offer}")),
        "{}",
        got[0].data
    );
    let body = got[0].data.to_lowercase();
    for secret in ["noor", "schulden", "molenstraat"] {
        assert!(!body.contains(secret), "the mail shows {secret}: {body}");
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        inbox.lock().unwrap().len(),
        1,
        "none for the coordinator's own change"
    );
}

mod coordinators_hear_of_a_key_date_the_corporation_moved {
    use super::*;

    fn configure(port: u16) -> impl FnOnce(&mut nabij_web::WebState) {
        move |state| {
            state.app = state
                .app
                .clone()
                .with_mail(crate::volunteers::mail_to(port));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite() {
        let (port, inbox) = crate::volunteers::smtp_listener().await;
        let app = spawn_app_with(configure(port)).await;
        super::coordinators_hear_of_a_key_date_the_corporation_moved(app, inbox).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgres() {
        let (port, inbox) = crate::volunteers::smtp_listener().await;
        if let Some(app) = spawn_app_postgres_with(configure(port)).await {
            super::coordinators_hear_of_a_key_date_the_corporation_moved(app, inbox).await;
        }
    }
}
