//! Guidance and recovery as a story, on both databases: intake → plan → ZRM at intake →
//! contacts → ZRM at 3 months → exit with aftercare → resumption; and bad input that writes
//! nothing.

use crate::helpers::*;
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

    // Plan: the first goal meets the plan milestone on the day it is recorded.
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

    // ZRM at intake.
    let r = professional
        .post_json(
            &format!("/api/v1/persons/{p}/assessments"),
            &json!({"moment": "intake", "scores": scores(2)}),
        )
        .await;
    assert_eq!(r.status(), 201);

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
    let r = professional
        .post_json(
            &format!("/api/v1/persons/{p}/assessments"),
            &json!({"moment": "periodic", "scores": scores(3)}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let zrm: Value = r.json().await.unwrap();
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

    // The former resident asks for help again: a resumption, linked, without intake.
    let r = app
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
    let html = me.get("/mijn-inzage").await.text().await.unwrap();
    assert!(html.contains("begeleider"), "{html}");
    assert!(html.contains("Test professional"));
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
}
on_both!(retention_blanks_the_guidance_texts);
