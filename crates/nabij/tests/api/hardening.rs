//! What an outside security test found, kept fixed: dates at their extremes, texts without
//! a limit, an intake that wrote on invalid input.

use crate::helpers::*;
use nabij_domain::access::Role;
use serde_json::{Value, json};

/// The places of a home, by id.
async fn first_place(app: &TestApp) -> i64 {
    let home = app
        .get_json(&format!("/api/v1/homes/{}", app.pitstop))
        .await;
    home["places"][0]["id"].as_i64().unwrap()
}

async fn pages_still_load(app: &TestApp, person: i64) {
    for path in [
        "/huizen".to_string(),
        format!("/huizen/{}", app.pitstop),
        "/rapportage".to_string(),
        format!("/personen/{person}"),
        format!("/api/v1/homes/{}", app.pitstop),
    ] {
        assert_eq!(app.get(&path).await.status(), 200, "{path}");
    }
}

async fn dates_outside_the_range_are_refused_and_break_no_page(app: TestApp) {
    let r = app.refer("Jan").await;
    app.place(r, app.pitstop).await;
    let place = first_place(&app).await;
    for from in [
        "-000001-01-01",
        "0000-01-01",
        "9999-12-31",
        "+010000-01-01",
        "1900-01-01",
    ] {
        let res = app
            .post_json(
                &format!("/api/v1/places/{place}/blocks"),
                &json!({"from": from, "reason": "x"}),
            )
            .await;
        assert_eq!(res.status(), 422, "{from}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["field"], "from", "{from}: {body}");
    }
    let person = app.get_json(&format!("/api/v1/referrals/{r}")).await["person_id"]
        .as_i64()
        .unwrap();
    let res = app
        .post_form(
            &format!("/personen/{person}/toestemmingen"),
            &[
                ("organisation_id", &app.partner_org.to_string()),
                ("purpose", "referral"),
                ("given_on", "-000001-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("buiten het bereik"));
    pages_still_load(&app, person).await;
    // The auditor's search with a far date answers in Dutch, it does not drop the connection.
    let admin = app.session_as(Role::Admin).await;
    let res = admin.get("/toegangslog?tot=9999-12-30").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("buiten het bereik"));
    let res = admin
        .get("/toegangslog?van=2026-03-01&tot=2199-12-31")
        .await;
    assert_eq!(res.status(), 200);
}
on_both!(dates_outside_the_range_are_refused_and_break_no_page);

async fn free_texts_have_a_limit_in_forms_and_api(app: TestApp) {
    let long = |n: usize| "é".repeat(n);
    let home = |name: String, address: String, landlord: String| {
        json!({"name": name, "kind": "pitstop", "address": address,
               "neighbourhood_id": app.centrum.0, "places": 1, "landlord": landlord})
    };
    for (field, body) in [
        ("name", home(long(121), "Straat 1".into(), String::new())),
        ("address", home("Huis".into(), long(201), String::new())),
        (
            "landlord",
            home("Huis".into(), "Straat 1".into(), long(121)),
        ),
    ] {
        let res = app.post_json("/api/v1/homes", &body).await;
        assert_eq!(res.status(), 422, "{field}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["field"], field, "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("hoogstens")
        );
    }
    // Exactly at the limit is fine (characters, not bytes).
    let res = app
        .post_json(
            "/api/v1/homes",
            &home(long(120), "Straat 1".into(), String::new()),
        )
        .await;
    assert_eq!(res.status(), 201);
    let place = first_place(&app).await;
    let res = app
        .post_json(
            &format!("/api/v1/places/{place}/blocks"),
            &json!({"from": "2026-03-02", "reason": long(501)}),
        )
        .await;
    assert_eq!(res.status(), 422);
    let r = app.refer("Piet").await;
    let res = app
        .post_json(
            &format!("/api/v1/referrals/{r}/close"),
            &json!({"state": "advised_elsewhere", "reason": long(1001)}),
        )
        .await;
    assert_eq!(res.status(), 422);
    let r = app.refer("Klaas").await;
    let stay = app
        .place(r, app.pitstop)
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    for (path, body) in [
        (
            "exit",
            json!({"exit_date": "2026-03-02", "destination": "unknown", "reason": long(1001)}),
        ),
        (
            "extension",
            json!({"decided_by": long(121), "reason": "Woning toegezegd", "new_end": "2026-10-01"}),
        ),
        (
            "extension",
            json!({"decided_by": "Ria", "reason": long(1001), "new_end": "2026-10-01"}),
        ),
    ] {
        let res = app
            .post_json(&format!("/api/v1/stays/{stay}/{path}"), &body)
            .await;
        assert_eq!(res.status(), 422, "{path} {body}");
    }
    // An administrator's form says it next to the field.
    let admin = app.session_as(Role::Admin).await;
    let res = admin
        .post_form(
            "/beheer/gebruikers",
            &[
                ("username", "nieuw"),
                ("display_name", &long(121)),
                ("role", "coordinator"),
                ("organisation_id", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("hoogstens 120 tekens"));
}
on_both!(free_texts_have_a_limit_in_forms_and_api);

async fn referrals(app: &TestApp) -> usize {
    app.db
        .referrals(1, nabij_store::referrals::ReferralFilter::All, 10_000)
        .await
        .unwrap()
        .len()
}

async fn an_invalid_intake_writes_nothing_whatever_field_is_wrong(app: TestApp) {
    let woerden = app.woerden.to_string();
    let centrum = app.centrum.to_string();
    let valid: Vec<(&str, &str)> = vec![
        ("first_name", "Fatima"),
        ("last_name", "Bakker"),
        ("gender", "vrouw"),
        ("household_size", "1"),
        ("own_municipality_id", &woerden),
        ("own_neighbourhood_id", &centrum),
        ("source", "ggz"),
        ("urgency", "hoog"),
        ("situation", "Uit kliniek ontslagen"),
    ];
    let long_name = "a".repeat(101);
    let long_situation = "a".repeat(2001);
    let wrong: [(&str, &str); 18] = [
        ("first_name", ""),
        ("first_name", "a\u{0}b"),
        ("avoid_municipality_ids", "x"),
        ("first_name", &long_name),
        ("last_name", ""),
        ("gender", "kat"),
        ("household_size", "twee"),
        ("household_size", "0"),
        ("own_municipality_id", "abc"),
        ("own_municipality_id", "999999"),
        ("own_neighbourhood_id", "abc"),
        ("own_neighbourhood_id", "999999"),
        ("source", "buurman"),
        ("urgency", "morgen"),
        ("situation", &long_situation),
        ("date_of_birth", "-000001-01-01"),
        ("bsn", "123456789"),
        ("avoid_neighbourhood_ids", "999999"),
    ];
    let before = referrals(&app).await;
    for (field, value) in wrong {
        let mut form: Vec<(&str, &str)> =
            valid.iter().filter(|(k, _)| *k != field).copied().collect();
        form.push((field, value));
        let res = app.post_form("/aanmeldingen", &form).await;
        assert_eq!(res.status(), 422, "{field}={value}");
        // Sent again: still nothing.
        assert_eq!(app.post_form("/aanmeldingen", &form).await.status(), 422);
        assert_eq!(
            referrals(&app).await,
            before,
            "{field}={value} wrote a referral"
        );
    }
    // The valid form writes exactly one.
    assert_eq!(app.post_form("/aanmeldingen", &valid).await.status(), 303);
    assert_eq!(referrals(&app).await, before + 1);
}
on_both!(an_invalid_intake_writes_nothing_whatever_field_is_wrong);

/// Refused attempts on one person, by one user.
async fn refusals(app: &TestApp, person: i64, role: Role) -> Vec<String> {
    app.db
        .access_log(
            &nabij_store::audit::AccessFilter {
                person: Some(nabij_domain::ids::PersonId(person)),
                user: Some(app.user(role)),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.outcome == "denied")
        .map(|e| e.detail)
        .collect()
}

async fn refused_attempts_at_stays_and_referrals_are_logged_too(app: TestApp) {
    let r = app.refer("Jan").await;
    let stay = app
        .place(r, app.pitstop)
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let person = app.get_json(&format!("/api/v1/stays/{stay}")).await["person_id"]
        .as_i64()
        .unwrap();
    // A professional for whom Jan is not in the caseload: "not found", and logged.
    let professional = app.session_as(Role::Professional).await;
    assert_eq!(
        professional
            .get(&format!("/verblijven/{stay}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        professional
            .get(&format!("/api/v1/stays/{stay}"))
            .await
            .status(),
        404
    );
    let res = professional
        .post_form(
            &format!("/verblijven/{stay}/uitstroomklaar"),
            &[("ready_on", "2026-03-02")],
        )
        .await;
    assert_eq!(res.status(), 404);
    let logged = refusals(&app, person, Role::Professional).await;
    for detail in [
        "GET /verblijven/{id}",
        "GET /api/v1/stays/{id}",
        "POST /verblijven/{id}/uitstroomklaar",
    ] {
        assert!(
            logged.iter().any(|d| d == detail),
            "{detail} not in {logged:?}"
        );
    }
    // A main resident trying a referral: refused by role, and logged.
    let resident = app.session_as(Role::MainResident).await;
    assert_eq!(
        resident.get(&format!("/aanmeldingen/{r}")).await.status(),
        403
    );
    let res = resident
        .post_form(
            &format!("/aanmeldingen/{r}/sluiten"),
            &[("state", "withdrawn")],
        )
        .await;
    assert_eq!(res.status(), 403);
    let logged = refusals(&app, person, Role::MainResident).await;
    assert!(
        logged.iter().any(|d| d == "GET /aanmeldingen/{id}"),
        "{logged:?}"
    );
    assert!(
        logged
            .iter()
            .any(|d| d == "POST /aanmeldingen/{id}/sluiten"),
        "{logged:?}"
    );
    // A referral that does not exist names no one: nothing to log.
    assert_eq!(resident.get("/aanmeldingen/999999").await.status(), 403);
    // The auditor reads the refusals in Dutch.
    let admin = app.session_as(Role::Admin).await;
    let html = admin
        .get("/toegangslog?gebruiker=hoofdbewoner")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("geweigerd") && !html.contains(">denied<"),
        "{html}"
    );
}
on_both!(refused_attempts_at_stays_and_referrals_are_logged_too);

async fn a_name_that_looks_like_a_formula_stays_text_in_the_csv(app: TestApp) {
    let r = app.refer("Jan").await;
    let person = app.get_json(&format!("/api/v1/referrals/{r}")).await["person_id"]
        .as_i64()
        .unwrap();
    // A colleague whose name someone set to a spreadsheet formula opens the file.
    let formula = "=HYPERLINK(\"http://kwaad.example\";\"klik\")";
    app.db
        .create_user(
            &nabij_store::accounts::NewUser {
                organisation_id: 1,
                username: "formule".into(),
                display_name: formula.into(),
                phone: None,
                role: Role::Coordinator,
                password_hash: nabij_app::secrets::hash_password(PASSWORD),
            },
            start_time(),
        )
        .await
        .unwrap();
    let colleague = sign_in(&app.address, "formule", PASSWORD, None).await;
    assert_eq!(
        colleague.get(&format!("/personen/{person}")).await.status(),
        200
    );
    // The coordinator, with a second factor, exports who looked at the file.
    let id = app.user(Role::Coordinator);
    let secret = nabij_app::totp::new_secret();
    app.db.set_totp_secret(id, &secret).await.unwrap();
    app.db.enable_totp(id, &[]).await.unwrap();
    let at = app.auth_clock.now();
    let coordinator = sign_in(&app.address, "coordinator", PASSWORD, Some((&secret, at))).await;
    let res = coordinator
        .get(&format!("/personen/{person}/inzage.csv"))
        .await;
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    for line in csv.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a live formula in {line}"
            );
        }
    }
}
on_both!(a_name_that_looks_like_a_formula_stays_text_in_the_csv);

async fn the_api_answers_problems_as_problem_json_everywhere(app: TestApp) {
    let mut body = app.intake("Jan");
    body["first_name"] = json!("a\u{0}b");
    let res = app.post_json("/api/v1/referrals", &body).await;
    assert_eq!(res.status(), 422, "a control character in a name");
    let s = app.session();
    for (method, path, status) in [
        (reqwest::Method::GET, "/api/v1/bestaat-niet", 404),
        (reqwest::Method::DELETE, "/api/v1/persons/1", 405),
    ] {
        let res = s
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{method} {path}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{method} {path}"
        );
    }
    // A filter the API does not know is refused, not ignored.
    for path in ["/api/v1/referrals?state=bogus", "/api/v1/stays?actief=true"] {
        let res = s.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 400, "{path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
    let res = s
        .client
        .delete(app.url("/personen/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Deze handeling kan hier niet")
    );
}
on_both!(the_api_answers_problems_as_problem_json_everywhere);

async fn a_listed_stay_names_its_places_as_the_stay_itself_does(app: TestApp) {
    // A household of two takes two places.
    let mut body = app.intake("Jan");
    body["household_size"] = json!(2);
    let r = app.post_json("/api/v1/referrals", &body).await;
    let r = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let stay = app
        .place(r, app.pitstop)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let one = app.get_json(&format!("/api/v1/stays/{}", stay["id"])).await;
    let places = one["places"].as_str().unwrap();
    assert!(places.contains(", "), "two places: {places}");
    let list = app.get_json("/api/v1/stays").await;
    let listed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == stay["id"])
        .unwrap();
    assert_eq!(listed["places"], one["places"]);
}
on_both!(a_listed_stay_names_its_places_as_the_stay_itself_does);
