//! Homes managed in the pages and the API: opening, editing, adding and retiring places,
//! closing; their dates bounding what placement offers; the paged home list; the planner's
//! calibration on places in service, and its cache.

use crate::helpers::*;
use nabij_domain::access::Role;
use nabij_domain::ids::HomeId;
use serde_json::{Value, json};

fn today(app: &TestApp) -> jiff::civil::Date {
    app.clock.today()
}

fn later(app: &TestApp, n: i64) -> String {
    today(app)
        .saturating_add(jiff::Span::new().days(n))
        .to_string()
}

async fn home_json(app: &TestApp, home: HomeId) -> Value {
    app.get_json(&format!("/api/v1/homes/{}", home.0)).await
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn patch(app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .patch(app.url(path))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The ids of the homes a referral is offered, and their free places.
async fn offered(app: &TestApp, referral: i64) -> Vec<(i64, usize)> {
    let ranking = app
        .get_json(&format!("/api/v1/referrals/{referral}/proposals"))
        .await;
    ranking["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["home"].as_i64().unwrap(),
                p["free_places"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

on_both!(a_home_is_opened_edited_extended_and_closed_through_the_pages);
async fn a_home_is_opened_edited_extended_and_closed_through_the_pages(app: TestApp) {
    let form = app.get("/huizen/nieuw").await;
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    assert!(html.contains("<optgroup label=\"Woerden\">"), "{html}");
    assert!(html.contains("Woerden-Centrum"));

    let centrum = app.centrum.0.to_string();
    let mut fields = vec![
        ("name", "De Linde"),
        ("kind", "opvangwoning"),
        ("address", "Lindelaan 4, Woerden"),
        ("neighbourhood_id", centrum.as_str()),
        ("max_stay_months", "6"),
        ("places", "2"),
        ("accessible", "1"),
        ("opened_on", "31-02-2026"),
    ];
    // A date that does not exist: a Dutch error next to the field, and nothing lost.
    let bad = app.post_form("/huizen/nieuw", &fields).await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("is geen datum"), "{html}");
    assert!(html.contains("value=\"De Linde\""), "{html}");
    assert!(html.contains("value=\"Lindelaan 4, Woerden\""));

    let first_of_march = "2026-03-01";
    fields.retain(|(k, _)| *k != "opened_on");
    fields.push(("opened_on", first_of_march));
    let ok = app.post_form("/huizen/nieuw", &fields).await;
    assert_eq!(ok.status(), 303, "{}", ok.text().await.unwrap());
    let path = location(&ok);
    let id: i64 = path
        .trim_start_matches("/huizen/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let home = HomeId(id);
    let d = home_json(&app, home).await;
    assert_eq!(d["home"]["opened_on"], first_of_march);
    assert!(d["home"]["rules"]["accessible"].as_bool().unwrap());
    assert_eq!(d["places"].as_array().unwrap().len(), 2);
    assert_eq!(d["places_in_service"], 2);

    // Edit: the form shows what is stored; a new name is kept.
    let edit = app.get(&format!("/huizen/{id}/bewerken")).await;
    assert_eq!(edit.status(), 200);
    assert!(edit.text().await.unwrap().contains("value=\"De Linde\""));
    let mut changed = fields.clone();
    changed.retain(|(k, _)| *k != "name" && *k != "places");
    changed.push(("name", "De Linde (achterhuis)"));
    let r = app
        .post_form(&format!("/huizen/{id}/bewerken"), &changed)
        .await;
    assert_eq!(r.status(), 303);
    let page = app.get(&path).await.text().await.unwrap();
    assert!(page.contains("De Linde (achterhuis)"));
    // Closing before the opening date is refused in Dutch, and the date typed is kept.
    let r = app
        .post_form(
            &format!("/huizen/{id}/sluiten"),
            &[("closed_on", "2026-02-01")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("na de openingsdatum"), "{html}");
    assert!(html.contains("value=\"2026-02-01\""));

    // Two places more from today.
    let t = today(&app).to_string();
    let r = app
        .post_form(
            &format!("/huizen/{id}/plekken"),
            &[("count", "2"), ("places_from", t.as_str())],
        )
        .await;
    assert_eq!(r.status(), 303);
    let d = home_json(&app, home).await;
    assert_eq!(d["places_in_service"], 4);

    // One retired from tomorrow: it still counts today and stays in the history.
    let place = d["places"][0]["id"].as_i64().unwrap().to_string();
    let tomorrow = later(&app, 1);
    let r = app
        .post_form(
            &format!("/huizen/{id}/buiten-gebruik"),
            &[
                ("retire_place_id", place.as_str()),
                ("retired_on", tomorrow.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let d = home_json(&app, home).await;
    assert_eq!(d["places"][0]["retired_on"], tomorrow.as_str());
    assert_eq!(d["places_in_service"], 4);
    app.clock.set(app.clock.now() + days(1));
    let d = home_json(&app, home).await;
    assert_eq!(d["places_in_service"], 3);
    assert_eq!(d["places"].as_array().unwrap().len(), 4);
    assert_eq!(d["places"][0]["in_service"], false);

    // A closing in ten days, then undone.
    let ten = later(&app, 10);
    let r = app
        .post_form(
            &format!("/huizen/{id}/sluiten"),
            &[("closed_on", ten.as_str())],
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = app.get(&path).await.text().await.unwrap();
    assert!(html.contains("sluit op"), "{html}");
    assert!(html.contains("Sluiting terugdraaien"));
    let r = app.post_form(&format!("/huizen/{id}/heropenen"), &[]).await;
    assert_eq!(r.status(), 303);
    let d = home_json(&app, home).await;
    assert!(d["home"]["closed_on"].is_null());
    // A block is a change of the home too.
    let second = d["places"][1]["id"].as_i64().unwrap().to_string();
    let t = today(&app).to_string();
    let r = app
        .post_form(
            &format!("/huizen/{id}/blokkades"),
            &[
                ("place_id", second.as_str()),
                ("from", t.as_str()),
                ("reason", "lekkage"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let d = home_json(&app, home).await;
    assert_eq!(d["free_places"], 2);
    // Every change names who made it.
    let changes = d["changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["what"] == "plek geblokkeerd"),
        "{changes:?}"
    );
    assert!(changes.len() >= 6, "{changes:?}");
    assert!(changes.iter().all(|c| c["by"] == "coordinator"));
}

on_both!(the_api_opens_patches_extends_retires_and_closes);
async fn the_api_opens_patches_extends_retires_and_closes(app: TestApp) {
    let r = app
        .post_json(
            "/api/v1/homes",
            &json!({"name": "Het Anker", "kind": "pitstop", "address": "Kade 1", "neighbourhood_id": app.centrum.0,
                    "places": 1, "opened_on": later(&app, 7)}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let d: Value = r.json().await.unwrap();
    let id = d["home"]["id"].as_i64().unwrap();
    // Opens next week: nothing counts yet.
    assert_eq!(d["places_in_service"], 0);

    let r = patch(
        &app,
        &format!("/api/v1/homes/{id}"),
        &json!({"opened_on": "2026-02-29"}),
    )
    .await;
    assert_eq!(r.status(), 422, "2026 has no 29 February");
    let body: Value = r.json().await.unwrap();
    assert!(body.to_string().contains("opened_on"), "{body}");
    for months in [0, 25, 26] {
        let r = patch(
            &app,
            &format!("/api/v1/homes/{id}"),
            &json!({"max_stay_months": months}),
        )
        .await;
        assert_eq!(r.status(), 422, "{months} months");
        let body: Value = r.json().await.unwrap();
        assert!(body.to_string().contains("max_stay_months"), "{body}");
    }
    let r = patch(
        &app,
        &format!("/api/v1/homes/{id}"),
        &json!({"max_stay_months": 24}),
    )
    .await;
    assert_eq!(
        r.status(),
        200,
        "two years is the longest stay a home may have"
    );
    let r = patch(
        &app,
        &format!("/api/v1/homes/{id}"),
        &json!({"opened_on": today(&app).to_string(), "landlord": "Woonstichting"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let h: Value = r.json().await.unwrap();
    assert_eq!(h["landlord"], "Woonstichting");
    assert_eq!(h["name"], "Het Anker");
    let d = home_json(&app, HomeId(id)).await;
    // The place that opened with the home moved along with its opening date.
    assert_eq!(d["places_in_service"], 1);

    let r = app
        .post_json(&format!("/api/v1/homes/{id}/places"), &json!({"count": 2}))
        .await;
    assert_eq!(r.status(), 201);
    let added: Value = r.json().await.unwrap();
    let place = added["ids"][0].as_i64().unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/homes/{id}/places/{place}/retire"),
            &json!({"retired_on": later(&app, 1)}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .post_json(
            &format!("/api/v1/homes/{id}/places/{place}/retire"),
            &json!({"retired_on": "2300-01-01"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .post_json(
            &format!("/api/v1/homes/{id}/close"),
            &json!({"closed_on": later(&app, 2)}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let h: Value = r.json().await.unwrap();
    assert_eq!(h["closed_on"], later(&app, 2).as_str());
    app.clock.set(app.clock.now() + days(2));
    let d = home_json(&app, HomeId(id)).await;
    assert_eq!(d["places_in_service"], 0);
    // A closing that has taken effect cannot be undone.
    let r = app
        .post_json(&format!("/api/v1/homes/{id}/reopen"), &json!({}))
        .await;
    assert_eq!(r.status(), 422);
}

on_both!(a_resident_keeps_their_place_and_home_in_service);
async fn a_resident_keeps_their_place_and_home_in_service(app: TestApp) {
    let referral = app.refer("Sanne").await;
    assert_eq!(app.place(referral, app.zeist_home).await.status(), 201);
    let d = home_json(&app, app.zeist_home).await;
    let place = d["places"][0]["id"].as_i64().unwrap();
    let home = app.zeist_home.0;
    let r = app
        .post_json(
            &format!("/api/v1/homes/{home}/places/{place}/retire"),
            &json!({"retired_on": later(&app, 30)}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("1 bewoner woont hier nog"), "{body}");
    // The page says the same next to the date, which it keeps. It is about dates, not
    // people: the resident is not named there, and nothing is written to the access log.
    let date = later(&app, 30);
    let logged = app
        .db
        .access_log(&nabij_store::audit::AccessFilter::default(), 100_000)
        .await
        .unwrap()
        .len();
    let r = app
        .post_form(
            &format!("/huizen/{home}/sluiten"),
            &[("closed_on", date.as_str())],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("1 bewoner woont hier nog"), "{html}");
    assert!(html.contains(&format!("value=\"{date}\"")));
    assert!(!html.contains("Sanne"), "{html}");
    assert!(html.contains("bezet, sinds"), "{html}");
    let r = app
        .post_form(
            &format!("/huizen/{home}/buiten-gebruik"),
            &[
                ("retire_place_id", place.to_string().as_str()),
                ("retired_on", date.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(!r.text().await.unwrap().contains("Sanne"));
    let after = app
        .db
        .access_log(&nabij_store::audit::AccessFilter::default(), 100_000)
        .await
        .unwrap()
        .len();
    assert_eq!(after, logged, "a refused change of a home logs no view");
    // The home's own page names her, and logs that.
    let html = app
        .get(&format!("/huizen/{home}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Sanne"), "{html}");
    // After the planned end (six months) the home can close.
    let r = app
        .post_json(
            &format!("/api/v1/homes/{home}/close"),
            &json!({"closed_on": later(&app, 200)}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

on_both!(placement_offers_a_closing_home_and_a_retiring_place_until_their_date);
async fn placement_offers_a_closing_home_and_a_retiring_place_until_their_date(app: TestApp) {
    let pitstop = home_json(&app, app.pitstop).await;
    let place = pitstop["places"][0]["id"].as_i64().unwrap();
    let in_three = later(&app, 3);
    let r = app
        .post_json(
            &format!("/api/v1/homes/{}/places/{place}/retire", app.pitstop.0),
            &json!({"retired_on": in_three}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .post_json(
            &format!("/api/v1/homes/{}/close", app.zeist_home.0),
            &json!({"closed_on": in_three}),
        )
        .await;
    assert_eq!(r.status(), 200);

    let before = app.refer("Ahmed").await;
    let offers = offered(&app, before).await;
    assert!(offers.contains(&(app.pitstop.0, 2)), "{offers:?}");
    assert!(
        offers.iter().any(|(h, _)| *h == app.zeist_home.0),
        "{offers:?}"
    );

    app.clock.set(app.clock.now() + days(3));
    let after = app.refer("Bram").await;
    let offers = offered(&app, after).await;
    assert!(offers.contains(&(app.pitstop.0, 1)), "{offers:?}");
    assert!(
        !offers.iter().any(|(h, _)| *h == app.zeist_home.0),
        "{offers:?}"
    );
    // Placing in the closed home is refused.
    assert_ne!(app.place(after, app.zeist_home).await.status(), 201);

    // The list leaves the closed home out unless asked.
    let list = app.get_json("/api/v1/homes").await;
    assert_eq!(list["total"], 1);
    let all = app.get_json("/api/v1/homes?closed=true").await;
    assert_eq!(all["total"], 2);
    let html = app.get("/huizen?gesloten=1").await.text().await.unwrap();
    assert!(html.contains("gesloten sinds"), "{html}");
}

on_both!(only_coordinators_and_administrators_manage_homes);
async fn only_coordinators_and_administrators_manage_homes(app: TestApp) {
    let id = app.pitstop.0;
    for role in [
        Role::Professional,
        Role::MainResident,
        Role::Buddy,
        Role::Partner,
    ] {
        let s = app.session_as(role).await;
        for path in [
            "/huizen/nieuw".to_string(),
            format!("/huizen/{id}/bewerken"),
        ] {
            assert_eq!(s.get(&path).await.status(), 403, "{role:?} GET {path}");
        }
        for path in [
            "/huizen/nieuw".to_string(),
            format!("/huizen/{id}/plekken"),
            format!("/huizen/{id}/sluiten"),
        ] {
            let r = s
                .post_form(&path, &[("count", "1"), ("closed_on", "2026-04-01")])
                .await;
            assert_eq!(r.status(), 403, "{role:?} POST {path}");
        }
        let r = s
            .client
            .patch(app.url(&format!("/api/v1/homes/{id}")))
            .json(&json!({"name": "Overgenomen"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{role:?} PATCH");
        let r = s
            .post_json(
                &format!("/api/v1/homes/{id}/close"),
                &json!({"closed_on": "2026-04-01"}),
            )
            .await;
        assert_eq!(r.status(), 403, "{role:?} close");
    }
    assert_eq!(
        home_json(&app, app.pitstop).await["home"]["name"],
        "Pitstop Woerden"
    );
    let admin = app.session_as(Role::Admin).await;
    assert_eq!(admin.get("/huizen/nieuw").await.status(), 200);
}

on_both!(the_home_list_pages_per_municipality_without_losing_or_repeating_a_home);
async fn the_home_list_pages_per_municipality_without_losing_or_repeating_a_home(app: TestApp) {
    // Same names on purpose: the order falls back to the id.
    for n in 0..7 {
        let name = if n % 2 == 0 {
            "Huis".to_string()
        } else {
            format!("Huis {n}")
        };
        let r = app
            .post_json(
                "/api/v1/homes",
                &json!({"name": name, "kind": "opvangwoning", "address": "Straat 1", "neighbourhood_id": app.centrum.0, "places": 1}),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    let woerden = app.woerden.0;
    let mut seen = Vec::new();
    let mut path = format!("/api/v1/homes?municipality={woerden}&limit=3");
    let mut pages = 0;
    loop {
        let page = app.get_json(&path).await;
        assert_eq!(page["total"], 8, "{page}");
        for item in page["items"].as_array().unwrap() {
            assert_eq!(item["home"]["municipality_name"], "Woerden");
            seen.push(item["home"]["id"].as_i64().unwrap());
        }
        pages += 1;
        match page["next"].as_str() {
            Some(next) => {
                path = format!("/api/v1/homes?municipality={woerden}&limit=3&cursor={next}")
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 8, "{seen:?}");
    assert!(!seen.contains(&app.zeist_home.0));
    // Free and total places count only places in service.
    let all = app.get_json("/api/v1/homes?limit=500").await;
    assert_eq!(all["total"], 9);
    let pitstop = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["home"]["id"] == app.pitstop.0)
        .unwrap();
    assert_eq!(
        (pitstop["places"].as_i64(), pitstop["free_places"].as_i64()),
        (Some(2), Some(2))
    );

    let html = app
        .get(&format!("/huizen?gemeente={woerden}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("1–8 van 8"), "{html}");
    assert!(!html.contains("Pitstop Zeist"));
    let html = app
        .get(&format!("/huizen?gemeente={woerden}&soort=pitstop"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("1–1 van 1"), "{html}");
    assert_eq!(app.get("/huizen?na=kapot").await.status(), 400);
    assert_eq!(app.get("/api/v1/homes?cursor=kapot").await.status(), 400);
}

/// The text after a fact's term on the planner page.
fn fact(html: &str, term: &str) -> String {
    let start = html.find(&format!("<dt>{term}</dt><dd>")).expect(term) + term.len() + 13;
    html[start..].split("</dd>").next().unwrap().to_owned()
}

fn calibrated_at(html: &str) -> String {
    let start = html.find("Berekend op ").expect("calibration time") + 12;
    html[start..].split(';').next().unwrap().to_owned()
}

on_both!(the_planner_calibrates_on_places_in_service_and_reuses_its_calibration);
async fn the_planner_calibrates_on_places_in_service_and_reuses_its_calibration(app: TestApp) {
    let referral = app.refer("Noor").await;
    let placed = app.place(referral, app.pitstop).await;
    assert_eq!(placed.status(), 201);
    let noor_stay = placed.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    app.clock.set(app.clock.now() + days(40));
    let small = "/capaciteitsplanner?herhalingen=2&jaren=1";

    let html = app.get(small).await.text().await.unwrap();
    assert_eq!(fact(&html, "Plekken in de gemeenten"), "3", "{html}");
    let first = calibrated_at(&html);

    // A second visit, later the same day, with nothing changed: the same calibration.
    app.clock
        .set(app.clock.now() + jiff::SignedDuration::from_mins(5));
    let html = app.get(small).await.text().await.unwrap();
    assert_eq!(calibrated_at(&html), first);

    // A closed home no longer counts, and the change is seen at once.
    app.clock
        .set(app.clock.now() + jiff::SignedDuration::from_mins(5));
    let r = app
        .post_json(
            &format!("/api/v1/homes/{}/close", app.zeist_home.0),
            &json!({"closed_on": today(&app).to_string()}),
        )
        .await;
    // The home opened 40 days ago: closing today is fine.
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let html = app.get(small).await.text().await.unwrap();
    assert_eq!(fact(&html, "Plekken in de gemeenten"), "2", "{html}");
    let second = calibrated_at(&html);
    assert_ne!(second, first);

    // A placement changes the history too.
    app.clock
        .set(app.clock.now() + jiff::SignedDuration::from_mins(5));
    let other = app.refer("Joris").await;
    assert_eq!(app.place(other, app.pitstop).await.status(), 201);
    let html = app.get(small).await.text().await.unwrap();
    let third = calibrated_at(&html);
    assert_ne!(third, second);
    let running = fact(&html, "Lopende verblijven (nog niet uitstroomklaar)");
    assert_eq!(running, "2", "{html}");

    // A ready date set the same day is seen at once too: Noor no longer counts as staying
    // on without a ready date.
    app.clock
        .set(app.clock.now() + jiff::SignedDuration::from_mins(5));
    let r = app
        .post_json(
            &format!("/api/v1/stays/{noor_stay}/ready"),
            &json!({"ready_on": today(&app).to_string()}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let html = app.get(small).await.text().await.unwrap();
    assert_ne!(calibrated_at(&html), third);
    assert_eq!(
        fact(&html, "Lopende verblijven (nog niet uitstroomklaar)"),
        "1",
        "{html}"
    );

    // A what-if too large to simulate is refused in Dutch, with nothing run.
    let r = app
        .get("/capaciteitsplanner?herhalingen=1000&jaren=50")
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Deze doorrekening is te groot"), "{html}");
}

on_both!(a_place_retired_while_someone_is_placed_there_is_one_or_the_other);
async fn a_place_retired_while_someone_is_placed_there_is_one_or_the_other(app: TestApp) {
    let yesterday = today(&app).yesterday().unwrap().to_string();
    let t = today(&app).to_string();
    for round in 0..6 {
        let r = app
            .post_json(
                "/api/v1/homes",
                &json!({"name": format!("Kamer {round}"), "kind": "opvangwoning", "address": "Hof 2",
                        "neighbourhood_id": app.centrum.0, "places": 1, "opened_on": yesterday}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let d: Value = r.json().await.unwrap();
        let home = d["home"]["id"].as_i64().unwrap();
        let place = d["places"][0]["id"].as_i64().unwrap();
        let referral = app.refer(&format!("Kim{round}")).await;
        let retire_path = format!("/api/v1/homes/{home}/places/{place}/retire");
        let retire_body = json!({"retired_on": t});
        let (placed, retired) = tokio::join!(
            app.place(referral, HomeId(home)),
            app.post_json(&retire_path, &retire_body)
        );
        let placed = placed.status() == 201;
        let retired = retired.status() == 200;
        assert!(
            placed != retired,
            "round {round}: placed {placed}, retired {retired}"
        );
    }
}
