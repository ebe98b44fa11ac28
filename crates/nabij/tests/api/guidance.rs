//! Guidance and recovery as a story, on both databases: intake → plan → ZRM at intake →
//! contacts → ZRM at 3 months → exit with aftercare → resumption; and bad input that writes
//! nothing.

use crate::helpers::*;
use jiff::SignedDuration;
use nabij_domain::access::Role;
use nabij_domain::guidance::ZrmDomain;
use serde_json::{Value, json};

fn scores(v: i64) -> Value {
    let m: serde_json::Map<String, Value> = ZrmDomain::ALL
        .iter()
        .map(|d| (d.code().to_string(), json!(v)))
        .collect();
    Value::Object(m)
}

fn fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn guidance_story(app: TestApp) {
    let professional = app.session_as(Role::Professional).await;
    let referral = app.refer("Sanne").await;
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let stay_id = stay["id"].as_i64().unwrap();
    let p = stay["person_id"].as_i64().unwrap();

    // Before guidance starts, the professional cannot open the file.
    assert_eq!(
        professional.get(&format!("/personen/{p}")).await.status(),
        404
    );

    // The coordinator starts guidance with a lead professional at 4 hours a week.
    let r = app
        .post_json(
            &format!("/api/v1/persons/{p}/episodes"),
            &json!({"professional_id": app.user(Role::Professional), "hours_per_week": "4", "reason": "intake"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let g: Value = r.json().await.unwrap();
    assert_eq!(g["episodes"][0]["status"], "running");
    assert_eq!(g["episodes"][0]["hours_now"], 4.0);
    assert_eq!(
        professional.get(&format!("/personen/{p}")).await.status(),
        200
    );

    // A second start while one runs is refused.
    let again = app
        .post_json(
            &format!("/api/v1/persons/{p}/episodes"),
            &json!({"professional_id": app.user(Role::Professional), "hours_per_week": "4"}),
        )
        .await;
    assert_eq!(again.status(), 409);

    // Plan: the stay page offers no "done today" for the plan, but the way to record a
    // goal; the first goal meets the plan milestone on the day it is recorded.
    let page = professional
        .get(&format!("/verblijven/{stay_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("href=\"/personen/{p}/plan\">Het plan is klaar")),
        "{page}"
    );
    assert!(!page.contains("value=\"plan\""), "{page}");
    app.clock.set(start_time() + days(5));
    let r = professional
        .post_json(
            &format!("/api/v1/persons/{p}/goals"),
            &json!({"title": "Schulden op een rij", "domain": "finances", "owner": "professional", "target_date": "2026-06-01", "actions": "Budgetcoach bellen"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let s = app.get_json(&format!("/api/v1/stays/{stay_id}")).await;
    assert_eq!(s["milestones"][0]["status"], "done");
    assert_eq!(s["milestones"][0]["on"], "2026-03-07");

    // An assessment by the professional, every domain scored `v`: the ZRM as answered.
    let assess = |moment: &'static str, v: i64| {
        let professional = &professional;
        async move {
            let r = professional
                .post_json(
                    &format!("/api/v1/persons/{p}/assessments"),
                    &json!({"moment": moment, "scores": scores(v)}),
                )
                .await;
            assert_eq!(r.status(), 201);
            r.json::<Value>().await.unwrap()
        }
    };
    // ZRM at intake.
    assess("intake", 2).await;

    // Contacts: a home visit, a working note, and a correction of the first.
    let first: Value = professional
        .post_json(
            &format!("/api/v1/persons/{p}/contacts"),
            &json!({"kind": "home_visit", "text": "Kennismaking, afspraak bij de bank gemaakt"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let first = first["id"].as_i64().unwrap();
    let r = professional
        .post_json(
            &format!("/api/v1/persons/{p}/contacts"),
            &json!({"kind": "phone", "text": "Twijfel over motivatie", "working_note": true}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = professional
        .post_json(
            &format!("/api/v1/persons/{p}/contacts"),
            &json!({"kind": "home_visit", "text": "Correctie: afspraak bij de gemeente, niet de bank", "corrects_id": first}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let log = app.get_json(&format!("/api/v1/persons/{p}/contacts")).await;
    assert_eq!(log["page"]["total"], 3);
    let items = log["page"]["items"].as_array().unwrap();
    let original = items.iter().find(|c| c["id"] == first).unwrap();
    assert_eq!(original["corrected_by"].as_array().unwrap().len(), 1);
    assert!(items.iter().any(|c| c["working_note"] == true));
    // The page shows both the correction and what it corrects.
    let html = professional
        .get(&format!("/personen/{p}/contacten"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Correctie op"), "{html}");
    assert!(html.contains("Gecorrigeerd in"));
    assert!(html.contains("werkaantekening"));
    // On a short page the corrected entry is on another page: its text is quoted.
    let html = professional
        .get(&format!("/personen/{p}/contacten?per=2"))
        .await
        .text()
        .await
        .unwrap();
    let quoted =
        "<blockquote class=\"corrected\">Kennismaking, afspraak bij de bank gemaakt</blockquote>";
    assert!(
        html.contains("(op een andere pagina), die luidde:"),
        "{html}"
    );
    assert!(html.contains(quoted), "{html}");
    assert!(
        !html.contains(&format!("href=\"#contact-{first}\"")),
        "no dead anchor: {html}"
    );
    // On the next page the corrected entry says where its correction is.
    let next = html
        .split("<a href=\"")
        .find_map(|a| a.split_once("\" rel=\"next\"").map(|(href, _)| href))
        .expect("a next page")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let html = professional.get(&next).await.text().await.unwrap();
    assert!(
        html.contains("Kennismaking, afspraak bij de bank gemaakt"),
        "{html}"
    );
    assert!(
        html.contains("(op een andere pagina)</p>") && html.contains("Gecorrigeerd in regel"),
        "{html}"
    );

    // Three months on, the caseload says a ZRM is due; the new one shows progress.
    app.clock.set(start_time() + days(98));
    let caseload: Value = professional
        .get("/api/v1/caseload")
        .await
        .json()
        .await
        .unwrap();
    let line = &caseload["items"][0];
    assert_eq!(line["person_id"], p);
    assert_eq!(line["zrm_due"], true);
    assert_eq!(line["no_recent_contact"], true);
    assert_eq!(line["open_goals"], 1);
    let zrm = assess("periodic", 3).await;
    assert_eq!(zrm["progress"], json!(vec![1; 13]));
    let html = professional
        .get(&format!("/personen/{p}/zrm"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<svg"), "the ZRM chart is drawn");
    assert!(html.contains("+1"));

    // Intensity flexes: down to 2 hours, with a reason.
    let r = professional
        .post_json(
            &format!("/api/v1/persons/{p}/intensity"),
            &json!({"hours_per_week": "2", "reason": "Gaat goed, minder nodig"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let g: Value = r.json().await.unwrap();
    assert_eq!(g["episodes"][0]["hours_now"], 2.0);
    assert_eq!(g["episodes"][0]["intensity"].as_array().unwrap().len(), 2);

    // Exit: guidance ends at exit, then continues as aftercare for two months.
    let exit_day = "2026-06-10";
    app.clock.set("2026-06-10T12:00:00Z".parse().unwrap());
    let r = app
        .post_json(
            &format!("/api/v1/stays/{stay_id}/exit"),
            &json!({"exit_date": exit_day, "destination": "own_rented_home", "reason": ""}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = professional
        .post_json(
            &format!("/api/v1/persons/{p}/episode-end"),
            &json!({"ended_on": "2026-08-10", "aftercare": "true"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let g = app.get_json(&format!("/api/v1/persons/{p}/episodes")).await;
    assert_eq!(g["episodes"][0]["status"], "aftercare");
    assert_eq!(g["episodes"][0]["aftercare_from"], exit_day);
    // The exit assessment: progress runs to it, and no further assessment is due.
    let zrm = assess("exit", 4).await;
    assert_eq!(zrm["progress"], json!(vec![2; 13]));
    assert_eq!(zrm["next_due"], Value::Null);

    // During aftercare the professional works on; a resumption is not possible yet.
    app.clock.set("2026-07-01T12:00:00Z".parse().unwrap());
    assert_eq!(
        professional
            .get(&format!("/personen/{p}/plan"))
            .await
            .status(),
        200
    );
    let r = app
        .post_json(
            &format!("/api/v1/persons/{p}/resumption"),
            &json!({"hours_per_week": "2"}),
        )
        .await;
    assert_eq!(r.status(), 422);

    // 30 days after aftercare ended the professional's access ends.
    app.clock.set("2026-09-09T12:00:00Z".parse().unwrap());
    assert_eq!(
        professional
            .get(&format!("/personen/{p}/zrm"))
            .await
            .status(),
        200
    );
    app.clock.set("2026-09-10T12:00:00Z".parse().unwrap());
    assert_eq!(
        professional
            .get(&format!("/personen/{p}/zrm"))
            .await
            .status(),
        404
    );

    // The former resident asks for help again: their former lead resumes the guidance,
    // linked, without intake, and may open the file again.
    let r = professional
        .post_json(
            &format!("/api/v1/persons/{p}/resumption"),
            &json!({"hours_per_week": "3", "reason": "Dreigt huurachterstand"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let g: Value = r.json().await.unwrap();
    assert_eq!(g["resumptions"], 1);
    let episodes = g["episodes"].as_array().unwrap();
    assert_eq!(episodes.len(), 2);
    assert_eq!(episodes[1]["resumes_episode_id"], episodes[0]["id"]);
    // Without a new intake the periodic assessments go on from the resumption: the ZRM
    // page and the caseload agree that the next is due in three months, not now.
    let zrm = professional
        .get(&format!("/api/v1/persons/{p}/assessments"))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(zrm["next_due"], "2026-12-10");
    let html = professional
        .get(&format!("/personen/{p}/zrm"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Volgende ZRM:"), "{html}");
    assert!(!html.contains("ZRM-afname nodig"), "{html}");
    let caseload = professional
        .get("/api/v1/caseload")
        .await
        .json::<Value>()
        .await
        .unwrap();
    let line = caseload["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["person_id"] == p)
        .expect("the resumed client is in the caseload");
    assert_eq!(line["zrm_due"], false);
    // An assessment after the resumption is the latest word on progress.
    let zrm = assess("periodic", 3).await;
    assert_eq!(zrm["progress"], json!(vec![1; 13]));
    assert_eq!(
        professional
            .get(&format!("/personen/{p}/zrm"))
            .await
            .status(),
        200
    );
    let html = app
        .get(&format!("/personen/{p}/begeleiding"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Hervat na een eerdere begeleiding"));
    assert!(html.contains("nazorg vanaf"));
}
on_both!(guidance_story);

async fn bad_input_writes_nothing(app: TestApp) {
    let referral = app.refer("Bram").await;
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let p = stay["person_id"].as_i64().unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/persons/{p}/episodes"),
            &json!({"professional_id": app.user(Role::Professional), "hours_per_week": "41"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(fields(&v), ["hours_per_week"]);
    assert!(v.to_string().contains("40 uur"), "{v}");
    let r = app
        .post_json(
            &format!("/api/v1/persons/{p}/episodes"),
            &json!({"professional_id": app.user(Role::Professional), "hours_per_week": "-1"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        app.get_json(&format!("/api/v1/persons/{p}/episodes")).await["episodes"],
        json!([])
    );

    let mut s = scores(3);
    s["housing"] = json!(6);
    let r = app
        .post_json(
            &format!("/api/v1/persons/{p}/assessments"),
            &json!({"moment": "intake", "scores": s}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(fields(&r.json().await.unwrap()), ["housing"]);

    let r = app
        .post_json(
            &format!("/api/v1/persons/{p}/goals"),
            &json!({"title": "Werk", "owner": "person"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(fields(&r.json().await.unwrap()), ["domain"]);

    // A resumption for someone who still lives in a place.
    app.db
        .start_episode(
            nabij_domain::ids::PersonId(p),
            app.user(Role::Professional),
            app.clock.today(),
            4,
            "start",
            None,
            &nabij_store::audit::Actor::system("test", app.clock.now()),
        )
        .await
        .unwrap();
    let r = app
        .post_form(
            &format!("/personen/{p}/begeleiding/hervatten"),
            &[("hours_per_week", "2")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("woont nog in een opvangplek"), "{html}");

    // The form shows the error next to its field and keeps the input.
    let r = app
        .post_form(
            &format!("/personen/{p}/zrm"),
            &[("moment", "intake"), ("finances", "3")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"justice-error\""), "{html}");

    let zrm = app
        .get_json(&format!("/api/v1/persons/{p}/assessments"))
        .await;
    assert_eq!(zrm["assessments"], json!([]));
    let plan = app.get_json(&format!("/api/v1/persons/{p}/goals")).await;
    assert_eq!(plan["goals"], json!([]));
    let g = app.get_json(&format!("/api/v1/persons/{p}/episodes")).await;
    assert_eq!(g["episodes"].as_array().unwrap().len(), 1);
}
on_both!(bad_input_writes_nothing);

fn code_in(html: &str) -> String {
    let start = html.find("<code>").expect("a <code> element") + 6;
    html[start..start + html[start..].find("</code>").unwrap()].to_string()
}

async fn the_person_sees_their_own_pages(app: TestApp) {
    let professional = app.session_as(Role::Professional).await;
    let referral = app.refer("Lotte").await;
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let p = stay["person_id"].as_i64().unwrap();
    let other: Value = app
        .place(app.refer("Ander").await, app.pitstop)
        .await
        .json()
        .await
        .unwrap();
    let other_person = other["person_id"].as_i64().unwrap();
    app.post_json(
        &format!("/api/v1/persons/{p}/episodes"),
        &json!({"professional_id": app.user(Role::Professional), "hours_per_week": "3"}),
    )
    .await;
    professional
        .post_json(
            &format!("/api/v1/persons/{p}/goals"),
            &json!({"title": "Eigen woning", "domain": "housing", "owner": "person"}),
        )
        .await;
    professional
        .post_json(
            &format!("/api/v1/persons/{p}/contacts"),
            &json!({"kind": "home_visit", "text": "Samen de woonwebsite bekeken"}),
        )
        .await;
    professional
        .post_json(
            &format!("/api/v1/persons/{p}/contacts"),
            &json!({"kind": "phone", "text": "GEHEIM: twijfels van de begeleider", "working_note": true}),
        )
        .await;
    professional.get(&format!("/personen/{p}")).await;
    let consent = |person: i64| {
        let app = &app;
        async move {
            app.post_form(
                &format!("/personen/{person}/toestemmingen"),
                &[
                    ("organisation_id", &app.partner_org.to_string()),
                    ("purpose", "housing"),
                    ("given_on", &app.clock.today().to_string()),
                ],
            )
            .await
        }
    };
    assert_eq!(consent(p).await.status(), 303);
    assert_eq!(consent(other_person).await.status(), 303);

    // The professional invites; the code is shown once.
    let r = professional
        .post_form(&format!("/personen/{p}/uitnodiging"), &[])
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    let code = code_in(&html);
    let username = format!("client{p}");
    assert!(html.contains(&username));

    // The code is for a first sign-in within two weeks; then a new invitation is needed,
    // and it replaces the old code.
    let invited = app.clock.now();
    app.clock.set(invited + SignedDuration::from_hours(24 * 15));
    let r = attempt_sign_in(&browser(), &app.address, &username, &code, None).await;
    let body = r.text().await.unwrap();
    assert!(body.contains("Deze code is verlopen"), "{body}");
    // A new temporary password from an administrator is a fresh code, good from now.
    let client = app.db.user_by_username(&username).await.unwrap().unwrap();
    let html = app
        .session_as(Role::Admin)
        .await
        .post_form(&format!("/beheer/gebruikers/{}/wachtwoord", client.id), &[])
        .await
        .text()
        .await
        .unwrap();
    let reset = code_in(&html);
    let again = sign_in(&app.address, &username, &reset, None).await;
    assert_eq!(
        again.get("/mijn-verblijf").await.headers()["location"],
        "/account/wachtwoord"
    );
    app.clock.set(invited);
    let r = professional
        .post_form(&format!("/personen/{p}/uitnodiging"), &[])
        .await;
    let old = code;
    let code = code_in(&r.text().await.unwrap());
    assert_ne!(code, old);
    let r = attempt_sign_in(&browser(), &app.address, &username, &old, None).await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Gebruikersnaam of wachtwoord klopt niet")
    );

    // At phone width nothing matters but the pages: sign in, replace the code.
    let me = sign_in(&app.address, &username, &code, None).await;
    assert_eq!(
        me.get("/mijn-verblijf").await.headers()["location"],
        "/account/wachtwoord"
    );
    let own = "mijn eigen geheime zin";
    let r = me
        .post_form(
            "/account/wachtwoord",
            &[("current", &code), ("new", own), ("repeated", own)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let me = sign_in(&app.address, &username, own, None).await;
    let html = me.get("/mijn-verblijf").await.text().await.unwrap();
    assert!(html.contains("Hoi Lotte"), "{html}");
    assert!(html.contains("Vandaag is dag 1"));
    assert!(html.contains("Eigen woning"), "the plan is shown");
    assert!(
        html.contains("Test professional"),
        "the professional is shown"
    );
    assert!(!html.contains("Ander"), "nothing about anyone else");
    let html = me.get("/mijn-contacten").await.text().await.unwrap();
    assert!(html.contains("woonwebsite"));
    assert!(!html.contains("GEHEIM"), "a working note is never shown");
    // A refused attempt on the file is the administrator's to see, not a look at it: the
    // main resident is turned away and does not show up.
    let resident = app.session_as(Role::MainResident).await;
    assert_eq!(resident.get(&format!("/personen/{p}")).await.status(), 403);
    let html = me.get("/mijn-inzage").await.text().await.unwrap();
    assert!(html.contains("begeleider"), "{html}");
    // By display name, not login name, and not "on behalf of" themselves.
    assert!(html.contains("Test professional (begeleider)"), "{html}");
    assert!(!html.contains("hoofdbewoner") && !html.contains("Test main_resident"));
    assert!(!html.contains("namens"), "{html}");
    assert!(!html.contains("127.0.0.1"), "no address");
    assert!(!html.contains("reqwest"), "no client string");

    // Revoking their own consent works; someone else's is "not found" and logged.
    let consents = app
        .db
        .consents_of(nabij_domain::ids::PersonId(p))
        .await
        .unwrap();
    let mine = consents[0].id;
    let theirs = app
        .db
        .consents_of(nabij_domain::ids::PersonId(other_person))
        .await
        .unwrap()[0]
        .id;
    let r = me
        .post_form(
            "/mijn-toestemmingen/intrekken",
            &[("consent_id", &theirs.to_string())],
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = me
        .post_form(
            "/mijn-toestemmingen/intrekken",
            &[("consent_id", &mine.to_string())],
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = me.get("/mijn-verblijf").await.text().await.unwrap();
    assert!(html.contains("ingetrokken op"));
    // Guessing another person's file: not found, and logged as denied.
    let r = me.get(&format!("/personen/{other_person}")).await;
    assert_eq!(r.status(), 404);
    let r = me.get(&format!("/api/v1/persons/{other_person}")).await;
    assert_eq!(r.status(), 404);
    let denied = app
        .db
        .access_log(
            &nabij_store::audit::AccessFilter {
                person: Some(nabij_domain::ids::PersonId(other_person)),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.role == "client" && e.outcome == "denied")
        .count();
    assert_eq!(denied, 3, "the consent, the page and the API attempt");
}
on_both!(the_person_sees_their_own_pages);

async fn retention_blanks_the_guidance_texts(app: TestApp) {
    let referral = app.refer("Rik").await;
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let p = stay["person_id"].as_i64().unwrap();
    app.post_json(
        &format!("/api/v1/persons/{p}/episodes"),
        &json!({"professional_id": app.user(Role::Professional), "hours_per_week": "2", "reason": "Schulden bij de buurman"}),
    )
    .await;
    app.post_json(
        &format!("/api/v1/persons/{p}/contacts"),
        &json!({"kind": "phone", "text": "Vertelde over de ruzie met zijn broer"}),
    )
    .await;
    app.post_json(
        &format!("/api/v1/persons/{p}/goals"),
        &json!({"title": "Ruzie bijleggen", "domain": "domestic_relations", "owner": "person", "actions": "Bemiddeling"}),
    )
    .await;
    let r = app
        .post_json(
            "/api/v1/signals",
            &json!({"about": format!("person:{p}"), "category": "conflict", "urgency": "low", "text": "Ruzie met de broer op de gang"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let signal = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = app
        .post_form(&format!("/personen/{p}/uitnodiging"), &[])
        .await;
    let code = code_in(&r.text().await.unwrap());
    let actor = nabij_store::audit::Actor::system("nabij retention", app.clock.now());
    assert!(
        app.db
            .anonymise(nabij_domain::ids::PersonId(p), &actor)
            .await
            .unwrap()
    );
    let log = app.get_json(&format!("/api/v1/persons/{p}/contacts")).await;
    assert_eq!(log["page"]["items"][0]["text"], "");
    let plan = app.get_json(&format!("/api/v1/persons/{p}/goals")).await;
    assert_eq!(plan["goals"][0]["title"], "");
    assert_eq!(plan["goals"][0]["actions"], "");
    let g = app.get_json(&format!("/api/v1/persons/{p}/episodes")).await;
    assert_eq!(g["episodes"][0]["intensity"][0]["reason"], "");
    // The measures keep what they need.
    assert_eq!(g["episodes"][0]["intensity"][0]["hours_per_week"], 2.0);
    // The signal keeps its category, not its text; the person's own account is closed.
    let kept = app.db.signal(signal).await.unwrap();
    assert_eq!(kept.text, "Geanonimiseerd");
    assert_eq!(kept.category.code(), "conflict");
    let r = attempt_sign_in(&browser(), &app.address, &format!("client{p}"), &code, None).await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Gebruikersnaam of wachtwoord klopt niet")
    );
}
on_both!(retention_blanks_the_guidance_texts);

/// Places a person in the pitstop and starts their guidance with the test professional as
/// lead.
async fn guided(app: &TestApp, first: &str) -> i64 {
    let referral = app.refer(first).await;
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let p = stay["person_id"].as_i64().unwrap();
    start_guidance(app, p).await;
    p
}

/// Starts the person's guidance with the test professional as lead, 4 hours a week.
async fn start_guidance(app: &TestApp, p: i64) {
    let r = app
        .post_json(
            &format!("/api/v1/persons/{p}/episodes"),
            &json!({"professional_id": app.user(Role::Professional), "hours_per_week": "4"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

async fn the_caseload_shows_open_signals_per_client(app: TestApp) {
    let professional = app.session_as(Role::Professional).await;
    let resident = app.session_as(Role::MainResident).await;
    let anna = guided(&app, "Anna").await;
    let bart = guided(&app, "Bart").await;
    let mut filed = Vec::new();
    for (p, urgency) in [(anna, "normal"), (anna, "acute"), (bart, "low")] {
        let r = resident
            .post_json(
                "/api/v1/signals",
                &json!({"about": format!("person:{p}"), "category": "wellbeing", "urgency": urgency, "text": "Zorgen"}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let v: Value = r.json().await.unwrap();
        filed.push(v["id"].as_i64().unwrap());
    }
    // Bart's signal is handled and closed: it no longer counts.
    let bart_signal = filed[2];
    let r = professional
        .post_json(
            &format!("/api/v1/signals/{bart_signal}/acknowledgement"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = professional
        .post_json(
            &format!("/api/v1/signals/{bart_signal}/closing"),
            &json!({"note": "Besproken, opgelost"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    let caseload: Value = professional
        .get("/api/v1/caseload")
        .await
        .json()
        .await
        .unwrap();
    let line = |p: i64| {
        caseload["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["person_id"] == p)
            .unwrap()
            .clone()
    };
    assert_eq!(line(anna)["open_signals"], 2);
    assert_eq!(line(anna)["most_urgent_signal"], "acute");
    assert_eq!(line(bart)["open_signals"], 0);
    assert_eq!(line(bart)["most_urgent_signal"], Value::Null);

    let html = professional.get("/caseload").await.text().await.unwrap();
    let card = |name: &str| {
        let at = html.find(&format!("{name} Achternaam")).unwrap_or_else(|| {
            html.find(name)
                .unwrap_or_else(|| panic!("{name} on the caseload: {html}"))
        });
        let end = html[at..].find("</li>").unwrap() + at;
        html[at..end].to_string()
    };
    let a = card("Anna");
    assert!(a.contains("href=\"/signalen\""), "{a}");
    assert!(a.contains("2 open"), "{a}");
    assert!(a.contains("acuut"), "{a}");
    let b = card("Bart");
    assert!(b.contains("Open signalen</dt><dd>geen"), "{b}");
}
on_both!(the_caseload_shows_open_signals_per_client);

async fn the_coordinator_and_the_lead_change_who_guides(app: TestApp) {
    let lead = app.session_as(Role::Professional).await;
    let p = guided(&app, "Carla").await;
    let (ilse, ilse_session) = app.another_user(1, Role::Professional, "ilse").await;
    assert_eq!(
        ilse_session
            .get(&format!("/personen/{p}/begeleiding"))
            .await
            .status(),
        404,
        "not on the episode: not found"
    );
    let add = format!("/api/v1/persons/{p}/episode-professionals");

    // Bad input: each with its own Dutch message on the field, nothing written.
    for (who, says) in [
        (json!(999_999), "bestaat niet"),
        (
            json!(app.user(Role::Coordinator)),
            "geen begeleider van deze organisatie",
        ),
        (
            json!(app.user(Role::Professional)),
            "staat al op de begeleiding",
        ),
    ] {
        let r = lead.post_json(&add, &json!({"professional_id": who})).await;
        assert_eq!(r.status(), 422);
        let v: Value = r.json().await.unwrap();
        assert_eq!(fields(&v), ["professional_id"]);
        assert!(v.to_string().contains(says), "{says}: {v}");
    }
    // A professional of another organisation is not one of ours.
    let (stranger, _) = app
        .another_user(app.partner_org, Role::Professional, "vreemd")
        .await;
    let r = lead
        .post_json(&add, &json!({"professional_id": stranger}))
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("geen begeleider van deze organisatie")
    );

    // The lead adds Ilse: she may open the file at once, and the change is logged.
    let r = lead
        .post_json(&add, &json!({"professional_id": ilse}))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(
        ilse_session
            .get(&format!("/personen/{p}/begeleiding"))
            .await
            .status(),
        200
    );
    let log = app
        .db
        .access_log(
            &nabij_store::audit::AccessFilter {
                person: Some(nabij_domain::ids::PersonId(p)),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap();
    assert!(
        log.iter().any(|e| e.category == "guidance"
            && e.action == "change"
            && e.user_id == Some(app.user(Role::Professional))
            && e.detail.contains("toegevoegd")),
        "{log:?}"
    );

    // The form says it next to the field: she is on the episode already.
    let r = app
        .post_form(
            &format!("/personen/{p}/begeleiding/begeleiders"),
            &[("add_professional_id", &ilse.to_string())],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"add_professional_id-error\"")
            && html.contains("staat al op de begeleiding"),
        "{html}"
    );

    // Only the coordinator or the lead changes who guides.
    let r = ilse_session
        .post_json(
            &format!("/api/v1/persons/{p}/episode-professionals/removal"),
            &json!({"professional_id": app.user(Role::Professional)}),
        )
        .await;
    assert_eq!(r.status(), 403);

    // The coordinator makes Ilse the lead; the former lead stays on the episode.
    let r = app
        .post_form(
            &format!("/personen/{p}/begeleiding/vaste-begeleider"),
            &[("lead_professional_id", &ilse.to_string())],
        )
        .await;
    assert_eq!(r.status(), 303);
    let g = app.get_json(&format!("/api/v1/persons/{p}/episodes")).await;
    assert_eq!(g["episodes"][0]["lead_name"], "Collega ilse");
    let members = g["episodes"][0]["professionals"].as_array().unwrap();
    assert!(
        members
            .iter()
            .any(|m| m["professional_id"] == app.user(Role::Professional)
                && m["lead"] == false
                && m["left_on"].is_null())
    );

    // The new lead cannot be taken off; the former lead can.
    let removal = format!("/api/v1/persons/{p}/episode-professionals/removal");
    let r = ilse_session
        .post_json(&removal, &json!({"professional_id": ilse}))
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("vaste begeleider"));
    let r = ilse_session
        .post_json(
            &removal,
            &json!({"professional_id": app.user(Role::Professional)}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // Taken off, like any ended involvement: access for the grace days, then not found.
    let file = format!("/personen/{p}/zrm");
    assert_eq!(lead.get(&file).await.status(), 200);
    app.clock.set(start_time() + days(30));
    assert_eq!(lead.get(&file).await.status(), 200);
    app.clock.set(start_time() + days(31));
    assert_eq!(lead.get(&file).await.status(), 404);
    assert_eq!(
        ilse_session.get(&file).await.status(),
        200,
        "the lead keeps it"
    );
    // And the caseload of the former lead no longer lists Carla.
    let caseload: Value = lead.get("/api/v1/caseload").await.json().await.unwrap();
    assert!(
        caseload["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["person_id"] != p)
    );
}
on_both!(the_coordinator_and_the_lead_change_who_guides);

pub(crate) fn zrm_scores(finances: i64, rest: i64) -> nabij_domain::guidance::Scores {
    let raw: [Option<i64>; 13] =
        std::array::from_fn(|i| Some(if i == 0 { finances } else { rest }));
    nabij_domain::guidance::Scores::parse(&raw).unwrap()
}

async fn recovery_measures_are_exact_inside_and_suppressed_outside(app: TestApp) {
    use nabij_domain::guidance::ZrmMoment;
    let actor = nabij_store::audit::Actor::system("test", app.clock.now());
    let today = app.clock.today();
    let earlier = today.saturating_sub(jiff::ToSpan::days(60));
    // Six persons with an intake: five assessed again (finances up by one), of whom two
    // left with an exit assessment.
    for (i, name) in ["Ada", "Bo", "Cas", "Dirk", "Eva", "Fleur"]
        .iter()
        .enumerate()
    {
        let referral = app.refer(name).await;
        let r: Value = app.get_json(&format!("/api/v1/referrals/{referral}")).await;
        let p = nabij_domain::ids::PersonId(r["person_id"].as_i64().unwrap());
        app.db
            .add_assessment(p, earlier, ZrmMoment::Intake, &zrm_scores(2, 3), &actor)
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
        }
    }

    // Another organisation's client, assessed twice, counts only there.
    let other = app
        .db
        .create_organisation("Andere aanbieder", None, app.clock.now())
        .await
        .unwrap();
    let (stranger, _) = app
        .db
        .create_referral(
            &nabij_store::persons::NewPerson {
                organisation_id: other,
                first_name: "Gijs".into(),
                last_name: "Elders".into(),
                gender: nabij_domain::person::Gender::Man,
                date_of_birth: None,
                bsn: None,
                phone: None,
                household: nabij_domain::person::HouseholdSize::new(1).unwrap(),
                needs: nabij_domain::person::Needs::default(),
                own_municipality: app.woerden,
                own_neighbourhood: Some(app.centrum),
                avoid: vec![],
            },
            &nabij_store::referrals::NewReferral {
                organisation_id: other,
                referred_by: None,
                source: nabij_domain::referral::ReferralSource::Municipality,
                urgency: nabij_domain::referral::Urgency::High,
                situation: "Elders".into(),
            },
            app.clock.now(),
            &actor,
        )
        .await
        .unwrap();
    for (on, moment) in [(earlier, ZrmMoment::Intake), (today, ZrmMoment::Exit)] {
        app.db
            .add_assessment(stranger, on, moment, &zrm_scores(1, 1), &actor)
            .await
            .unwrap();
    }

    // Inside: exact counts, on /rapportage and /rapportage/herstel.
    let html = app.get("/rapportage").await.text().await.unwrap();
    let at = html
        .find("Herstel: ZRM-verandering per domein")
        .expect("the recovery table on /rapportage");
    let table = &html[at..at + html[at..].find("</table>").unwrap()];
    assert!(!table.contains("&lt;5"), "exact inside: {table}");
    let finances = &table[table.find("Financiën").unwrap()..];
    let row = &finances[..finances.find("</tr>").unwrap()];
    assert!(row.contains(">5<") && row.contains(">2<"), "{row}");
    let html = app.get("/rapportage/herstel").await.text().await.unwrap();
    assert!(html.contains("6 personen"), "{html}");

    // Exported: five persons shown, the two exits "<5" and their mean hidden.
    let csv = app
        .get("/rapportage/export.csv?tabel=herstel-zrm&periode=12-maanden")
        .await;
    assert_eq!(csv.status(), 200);
    let csv = csv.text().await.unwrap();
    let line = csv
        .lines()
        .find(|l| l.starts_with("Financiën;"))
        .expect("a line per domain");
    let cells: Vec<&str> = line.split(';').collect();
    assert_eq!(cells[1], "5", "{line}");
    assert_eq!(cells[2], "1,00", "{line}");
    assert_eq!(cells[7], "<5", "{line}");
    assert_eq!(
        cells[8], "–",
        "the mean of a suppressed count is hidden: {line}"
    );
    let hours = app
        .get("/rapportage/export.csv?tabel=herstel-uren&periode=12-maanden")
        .await
        .text()
        .await
        .unwrap();
    assert!(hours.contains("<5"), "{hours}");

    // The API serves the same tables, suppressed.
    let api = app
        .get_json("/api/v1/reports/recovery?preset=12-maanden")
        .await;
    let zrm = &api["tables"][0];
    assert_eq!(zrm["id"], "herstel-zrm");
    assert_eq!(zrm["rows"][0][1], json!({"type": "count", "count": 5}));
    assert_eq!(zrm["rows"][0][7], json!({"type": "suppressed"}));
    assert_eq!(zrm["rows"][0][8], json!({"type": "hidden"}));
    let summary = app.get_json("/api/v1/reports/summary").await;
    let recovery = summary["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "herstel-zrm")
        .expect("the summary carries the recovery tables");
    assert_eq!(recovery["rows"][0][7], json!({"type": "suppressed"}));

    // The measures are kept between requests, but a new assessment shows at once.
    let referral = app.refer("Gert").await;
    let r: Value = app.get_json(&format!("/api/v1/referrals/{referral}")).await;
    let p = nabij_domain::ids::PersonId(r["person_id"].as_i64().unwrap());
    app.db
        .add_assessment(p, earlier, ZrmMoment::Intake, &zrm_scores(2, 3), &actor)
        .await
        .unwrap();
    let html = app.get("/rapportage/herstel").await.text().await.unwrap();
    assert!(html.contains("7 personen"), "{html}");
    let html = app.get("/rapportage").await.text().await.unwrap();
    let at = html.find("Herstel: ZRM-verandering per domein").unwrap();
    let table = &html[at..at + html[at..].find("</table>").unwrap()];
    let finances = &table[table.find("Financiën").unwrap()..];
    let row = &finances[..finances.find("</tr>").unwrap()];
    assert!(
        row.contains(">5<"),
        "one intake alone changes no domain: {row}"
    );
    app.db
        .add_assessment(p, today, ZrmMoment::Periodic, &zrm_scores(3, 3), &actor)
        .await
        .unwrap();
    let html = app.get("/rapportage").await.text().await.unwrap();
    let at = html.find("Herstel: ZRM-verandering per domein").unwrap();
    let table = &html[at..at + html[at..].find("</table>").unwrap()];
    let finances = &table[table.find("Financiën").unwrap()..];
    let row = &finances[..finances.find("</tr>").unwrap()];
    assert!(
        row.contains(">6<"),
        "a second assessment shows at once: {row}"
    );
}
on_both!(recovery_measures_are_exact_inside_and_suppressed_outside);

async fn the_database_refuses_overlapping_intensity_periods(app: TestApp) {
    let p = guided(&app, "Daan").await;
    let g = app.get_json(&format!("/api/v1/persons/{p}/episodes")).await;
    let episode = g["episodes"][0]["id"].as_i64().unwrap();
    app.clock.set(start_time() + days(10));
    let r = app
        .post_json(
            &format!("/api/v1/persons/{p}/intensity"),
            &json!({"hours_per_week": "6", "reason": "Crisis"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let latest = app.clock.today();
    let insert = |on: jiff::civil::Date| {
        format!(
            "INSERT INTO intensity_changes (episode_id, from_date, quarter_hours, reason, changed_by, created_at) \
             VALUES ({episode}, '{on}', 8, 'direct', 'test', '2026-03-12T00:00:00Z')"
        )
    };
    // Dated before the latest change: it would cut into a recorded period.
    let before = latest.saturating_sub(jiff::ToSpan::days(5));
    let err = nabij_store::testing::raw_execute(&app.db, &insert(before))
        .await
        .expect_err("an overlapping period is refused");
    assert!(err.to_string().contains("overlappen"), "{err}");
    // Moving a recorded change is refused too.
    let err = nabij_store::testing::raw_execute(
        &app.db,
        &format!(
            "UPDATE intensity_changes SET from_date = '{before}' WHERE episode_id = {episode}"
        ),
    )
    .await
    .expect_err("a recorded change keeps its date");
    assert!(err.to_string().contains("datum"), "{err}");
    // The same day as the latest change (it replaces that day) and later days are fine.
    nabij_store::testing::raw_execute(&app.db, &insert(latest))
        .await
        .unwrap();
    nabij_store::testing::raw_execute(
        &app.db,
        &insert(latest.saturating_add(jiff::ToSpan::days(1))),
    )
    .await
    .unwrap();
    let g = app.get_json(&format!("/api/v1/persons/{p}/episodes")).await;
    assert_eq!(g["episodes"][0]["intensity"].as_array().unwrap().len(), 4);
}
on_both!(the_database_refuses_overlapping_intensity_periods);

/// Every page and API route of a person's file follows the one episode policy, in each
/// case: a professional added to the running episode, taken off it (within and after the
/// grace days, set here to 7 instead of the default 30), and one never involved.
async fn every_file_route_follows_the_episode_policy(app: TestApp) {
    let p = guided(&app, "Noor").await;
    let (ilse, ilse_session) = app.another_user(1, Role::Professional, "ilse").await;
    let (_, never) = app.another_user(1, Role::Professional, "nooit").await;
    let routes: Vec<String> = nabij_web::routes::table()
        .routes
        .iter()
        .filter(|r| {
            r.method.as_str() == "GET"
                && (r.path.starts_with("/personen/{id}")
                    || r.path.starts_with("/api/v1/persons/{id}"))
                && r.access.allows(Role::Professional)
        })
        .map(|r| r.path.replace("{id}", &p.to_string()))
        .collect();
    assert!(routes.len() >= 12, "{routes:?}");
    let statuses = |s: Session| {
        let routes = routes.clone();
        async move {
            let mut out = Vec::new();
            for r in routes {
                out.push((s.get(&r).await.status().as_u16(), r));
            }
            out
        }
    };
    let all = |got: Vec<(u16, String)>, want: u16, case: &str| {
        let wrong: Vec<_> = got.into_iter().filter(|(s, _)| *s != want).collect();
        assert!(wrong.is_empty(), "{case}: expected {want} on {wrong:?}");
    };
    all(
        statuses(ilse_session.clone()).await,
        404,
        "not yet on the episode",
    );
    let lead = app.session_as(Role::Professional).await;
    let r = lead
        .post_json(
            &format!("/api/v1/persons/{p}/episode-professionals"),
            &json!({"professional_id": ilse}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    all(
        statuses(ilse_session.clone()).await,
        200,
        "on the running episode, not lead",
    );
    all(statuses(never.clone()).await, 404, "never involved");
    let r = lead
        .post_json(
            &format!("/api/v1/persons/{p}/episode-professionals/removal"),
            &json!({"professional_id": ilse}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app.clock.set(start_time() + days(7));
    all(
        statuses(ilse_session.clone()).await,
        200,
        "taken off, within the 7 grace days",
    );
    app.clock.set(start_time() + days(8));
    all(
        statuses(ilse_session).await,
        404,
        "taken off, after the 7 grace days",
    );
    all(statuses(lead.clone()).await, 200, "the lead keeps the file");

    // The person leaves; the lead lets guidance run on as aftercare for 30 days. Aftercare
    // counts as open; after it, the grace days, then the file closes to the lead too.
    let stay = app
        .db
        .running_stay_in(nabij_domain::ids::PersonId(p), app.pitstop)
        .await
        .unwrap()
        .expect("the running stay");
    let exit = app.clock.today();
    let r = app
        .post_json(
            &format!("/api/v1/stays/{}/exit", stay.0),
            &json!({"exit_date": exit.to_string(), "destination": "own_rented_home", "reason": "Eigen woning"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let until = exit.saturating_add(jiff::ToSpan::days(30));
    let r = lead
        .post_json(
            &format!("/api/v1/persons/{p}/episode-end"),
            &json!({"ended_on": until.to_string(), "aftercare": "true"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app.clock.set(start_time() + days(8 + 30));
    all(
        statuses(lead.clone()).await,
        200,
        "aftercare, on its last day",
    );
    all(
        statuses(never).await,
        404,
        "never involved, during aftercare",
    );
    app.clock.set(start_time() + days(8 + 30 + 7));
    all(
        statuses(lead.clone()).await,
        200,
        "after aftercare, within the 7 grace days",
    );
    app.clock.set(start_time() + days(8 + 30 + 8));
    all(
        statuses(lead).await,
        404,
        "after aftercare and the grace days",
    );
}

mod every_file_route_follows_the_episode_policy {
    use super::*;

    fn grace(s: &mut nabij_web::WebState) {
        s.app = s
            .app
            .clone()
            .with_guidance_settings(nabij_app::guidance::Settings {
                access_after_end_days: 7,
                ..Default::default()
            });
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite() {
        super::every_file_route_follows_the_episode_policy(spawn_app_with(grace).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgres() {
        if let Some(app) = spawn_app_postgres_with(grace).await {
            super::every_file_route_follows_the_episode_policy(app).await;
        }
    }
}

/// A former lead whose access ended may resume guidance, but learns nothing of where the
/// person stands now: back in a shelter place shows only as "not now".
async fn a_former_lead_learns_nothing_of_where_the_person_stands(app: TestApp) {
    use nabij_domain::ids::PersonId;
    let professional = app.session_as(Role::Professional).await;
    let p = guided(&app, "Wim").await;
    let stay = app
        .db
        .stays(nabij_store::stays::StayFilter {
            person: Some(PersonId(p)),
            ..Default::default()
        })
        .await
        .unwrap()[0]
        .id;
    let today = app.clock.today().to_string();
    let r = app
        .post_json(
            &format!("/api/v1/stays/{stay}/exit"),
            &json!({"exit_date": today, "destination": "own_rented_home", "reason": ""}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = professional
        .post_json(
            &format!("/api/v1/persons/{p}/episode-end"),
            &json!({"ended_on": today}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app.clock.set(start_time() + days(40));
    assert_eq!(
        professional.get(&format!("/personen/{p}")).await.status(),
        404
    );
    // Back in a shelter place, through a partner's referral on the known file.
    let actor = nabij_store::audit::Actor::system("test", app.clock.now());
    let referral = app
        .db
        .create_linked_referral(
            PersonId(p),
            &nabij_store::referrals::NewReferral {
                organisation_id: 1,
                referred_by: Some(app.partner_org),
                source: nabij_domain::referral::ReferralSource::Municipality,
                urgency: nabij_domain::referral::Urgency::High,
                situation: "Opnieuw dakloos".into(),
            },
            &app.intake("Wim").to_string(),
            app.clock.today(),
            None,
            &actor,
        )
        .await
        .unwrap();
    let link = format!("/api/v1/referrals/{referral}/link");
    assert_eq!(app.post_json(&link, &json!({})).await.status(), 200);
    assert_eq!(app.place(referral.0, app.pitstop).await.status(), 201);
    let r = professional
        .post_json(
            &format!("/api/v1/persons/{p}/resumption"),
            &json!({"hours_per_week": "2"}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let body = r.text().await.unwrap();
    assert!(body.contains("vraag de coördinator"), "{body}");
    assert!(!body.contains("opvangplek"), "{body}");
    // The coordinator, who may open the file, is told why.
    let r = app
        .post_json(
            &format!("/api/v1/persons/{p}/resumption"),
            &json!({"hours_per_week": "2"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("opvangplek"));
}
on_both!(a_former_lead_learns_nothing_of_where_the_person_stands);

async fn progress_starts_again_at_a_new_intake_on_the_file_and_in_the_report(app: TestApp) {
    use nabij_domain::guidance::ZrmMoment;
    let actor = nabij_store::audit::Actor::system("test", app.clock.now());
    let today = app.clock.today();
    let referral = app.refer("Hanna").await;
    let r: Value = app.get_json(&format!("/api/v1/referrals/{referral}")).await;
    let p = nabij_domain::ids::PersonId(r["person_id"].as_i64().unwrap());
    // An earlier guidance, two years back: intake and exit. Then a new one with its own
    // intake (finances 4), assessed again today (finances 5).
    for (days_back, moment, finances) in [
        (730, ZrmMoment::Intake, 1),
        (600, ZrmMoment::Exit, 2),
        (60, ZrmMoment::Intake, 4),
        (0, ZrmMoment::Periodic, 5),
    ] {
        app.db
            .add_assessment(
                p,
                today.saturating_sub(jiff::ToSpan::days(days_back)),
                moment,
                &zrm_scores(finances, 3),
                &actor,
            )
            .await
            .unwrap();
    }
    // The file: +1 on finances since the new intake, not +4 since the first one.
    let zrm = app
        .get_json(&format!("/api/v1/persons/{}/assessments", p.0))
        .await;
    assert_eq!(zrm["progress"][0], 1, "{zrm}");
    assert_eq!(zrm["progress"][1], 0, "{zrm}");
    // The recovery report measures from the same start: one person, finances +1,00.
    let html = app.get("/rapportage/herstel").await.text().await.unwrap();
    let finances = &html[html.find("Financiën").expect("a row per domain")..];
    let row = &finances[..finances.find("</tr>").unwrap()];
    assert!(row.contains("1,00") && !row.contains("4,00"), "{row}");
}
on_both!(progress_starts_again_at_a_new_intake_on_the_file_and_in_the_report);

/// A ZRM taken at the intake interview, days before guidance starts, is that guidance's
/// intake: the file and the caseload count the next one from it instead of asking for an
/// intake again.
async fn an_intake_taken_before_guidance_starts_counts_as_its_intake(app: TestApp) {
    let professional = app.session_as(Role::Professional).await;
    let referral = app.refer("Iris").await;
    let r: Value = app.get_json(&format!("/api/v1/referrals/{referral}")).await;
    let p = r["person_id"].as_i64().unwrap();
    let interview = app.clock.today().saturating_sub(jiff::ToSpan::days(3));
    let r = app
        .post_json(
            &format!("/api/v1/persons/{p}/assessments"),
            &json!({"assessed_on": interview.to_string(), "moment": "intake", "scores": scores(2)}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    app.place(referral, app.pitstop).await;
    start_guidance(&app, p).await;

    let zrm = app
        .get_json(&format!("/api/v1/persons/{p}/assessments"))
        .await;
    let due = interview.saturating_add(jiff::ToSpan::months(3));
    assert_eq!(zrm["next_due"], due.to_string(), "{zrm}");
    let caseload: Value = professional
        .get("/api/v1/caseload")
        .await
        .json()
        .await
        .unwrap();
    let line = &caseload["items"][0];
    assert_eq!(line["person_id"], p);
    assert_eq!(line["zrm_due"], false, "{line}");
}
on_both!(an_intake_taken_before_guidance_starts_counts_as_its_intake);

/// The person page changes the lead of running guidance; it does not start guidance
/// around the episode rules (no intensity, no resumption link).
async fn the_person_page_changes_the_lead_but_starts_no_guidance(app: TestApp) {
    let referral = app.refer("Ruben").await;
    let stay: Value = app.place(referral, app.pitstop).await.json().await.unwrap();
    let p = stay["person_id"].as_i64().unwrap();
    let professional = app.user(Role::Professional).to_string();
    let html = app
        .get(&format!("/personen/{p}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Begeleiding starten"), "{html}");
    let r = app
        .post_form(
            &format!("/personen/{p}/begeleider"),
            &[("professional_id", &professional)],
        )
        .await;
    assert_ne!(r.status(), 303);
    let html = r.text().await.unwrap();
    assert!(html.contains("geen lopende begeleiding"), "{html}");
    let g = app.get_json(&format!("/api/v1/persons/{p}/episodes")).await;
    assert_eq!(g["episodes"], json!([]), "nothing started");

    start_guidance(&app, p).await;
    let r = app
        .post_form(
            &format!("/personen/{p}/begeleider"),
            &[("professional_id", &professional)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let g = app.get_json(&format!("/api/v1/persons/{p}/episodes")).await;
    assert_eq!(g["episodes"].as_array().unwrap().len(), 1, "{g}");
}
on_both!(the_person_page_changes_the_lead_but_starts_no_guidance);
