use crate::helpers::*;
use jiff::ToSpan;
use serde_json::{Value, json};

#[tokio::test]
async fn intake_ranks_own_neighbourhood_first_and_placement_starts_the_clock() {
    let app = spawn_app().await;
    let referral = app.refer("Jan").await;
    let ranking = app
        .get_json(&format!("/api/v1/referrals/{referral}/proposals"))
        .await;
    assert_eq!(ranking["no_place_in_own_area"], false);
    let proposals = ranking["proposals"].as_array().unwrap();
    assert_eq!(proposals[0]["home"], app.pitstop.0);
    assert_eq!(proposals[0]["proximity"], "own_neighbourhood");
    assert!(
        proposals[0]["explanation"]
            .as_str()
            .unwrap()
            .starts_with("In de eigen buurt (Woerden-Centrum)")
    );
    assert_eq!(proposals[1]["home"], app.zeist_home.0);

    let r = app.place(referral, app.pitstop).await;
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let stay: Value = r.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/stays/{}", stay["id"]));
    assert_eq!(stay["start"], "2026-03-02");
    assert_eq!(stay["planned_end"], "2026-09-02");
    assert_eq!(stay["clock"]["day"], 1);
    assert_eq!(stay["milestones"][0]["status"], "upcoming");
    assert_eq!(
        app.get_json(&format!("/api/v1/referrals/{referral}")).await["state"],
        "placed"
    );

    let dash = app.get_json("/api/v1/dashboard").await;
    assert_eq!(dash["free_places"], 2);
    assert_eq!(dash["active_stays"], 1);
    assert_eq!(dash["total_places"], 3);
}

#[tokio::test]
async fn invalid_intake_is_a_problem_with_every_field_named() {
    let app = spawn_app().await;
    let mut body = app.intake("");
    body["household_size"] = json!(0);
    body["bsn"] = json!("123456789");
    body["source"] = json!("buurman");
    let r = app.post_json("/api/v1/referrals", &body).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["first_name", "bsn", "household_size", "source"]);
    assert!(p["detail"].as_str().unwrap().contains("elfproef"));
    // Nothing was written.
    assert!(
        app.get_json("/api/v1/referrals").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let r = app
        .client
        .post(app.url("/api/v1/referrals"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = app.get("/api/v1/referrals/999").await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<Value>().await.unwrap()["detail"],
        "Deze aanmelding bestaat niet (meer)."
    );
}

#[tokio::test]
async fn no_place_in_own_municipality_shows_alternatives_and_is_recorded_once() {
    let app = spawn_app().await;
    let a = app.refer("Anna").await;
    let b = app.refer("Bram").await;
    let c = app.refer("Cees").await;
    assert_eq!(app.place(a, app.pitstop).await.status(), 201);
    assert_eq!(app.place(b, app.pitstop).await.status(), 201);
    let ranking = app
        .get_json(&format!("/api/v1/referrals/{c}/proposals"))
        .await;
    assert_eq!(ranking["no_place_in_own_area"], true);
    assert_eq!(ranking["proposals"][0]["home"], app.zeist_home.0);
    assert_eq!(ranking["proposals"][0]["proximity"], "elsewhere");
    app.get_json(&format!("/api/v1/referrals/{c}/proposals"))
        .await;
    let dash = app.get_json("/api/v1/dashboard").await;
    assert_eq!(
        dash["no_place_this_month"][0]["municipality_name"],
        "Woerden"
    );
    assert_eq!(dash["no_place_this_month"][0]["count"], 1);
    // The full home can no longer take anyone.
    let r = app.place(c, app.pitstop).await;
    assert_eq!(r.status(), 409);
    assert!(
        r.json::<Value>().await.unwrap()["detail"]
            .as_str()
            .unwrap()
            .contains("te weinig vrije plekken")
    );
}

#[tokio::test]
async fn an_open_referral_older_than_24_hours_is_a_breach() {
    let app = spawn_app().await;
    let r = app.refer("Dirk").await;
    assert!(
        app.get_json("/api/v1/dashboard").await["breaches"]["first"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.clock.set(start_time() + 25.hours());
    let dash = app.get_json("/api/v1/dashboard").await;
    assert_eq!(dash["breaches"]["first"][0]["id"], r);
    assert_eq!(dash["breaches"]["total"], 1);
    // Closing it with advice ends the breach.
    let closed = app
        .post_json(
            &format!("/api/v1/referrals/{r}/close"),
            &json!({"state": "advised_elsewhere", "reason": "Bij zus in Gouda"}),
        )
        .await;
    assert_eq!(closed.status(), 200);
    assert!(
        app.get_json("/api/v1/dashboard").await["breaches"]["first"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn parallel_placements_onto_the_last_free_place_one_wins() {
    let app = spawn_app().await;
    let mut referrals = Vec::new();
    for i in 0..32 {
        referrals.push(app.refer(&format!("P{i}")).await);
    }
    let tasks: Vec<_> = referrals
        .into_iter()
        .map(|r| {
            let client = app.client.clone();
            let url = app.url(&format!("/api/v1/referrals/{r}/placement"));
            let home = app.zeist_home.0;
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&json!({"home_id": home}))
                    .send()
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        let status = r.status().as_u16();
        if status == 409 {
            let p: Value = r.json().await.unwrap();
            assert!(!p["detail"].as_str().unwrap().is_empty());
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        31,
        "{statuses:?}"
    );
    let stays = app
        .get_json(&format!(
            "/api/v1/stays?active=true&home_id={}",
            app.zeist_home.0
        ))
        .await;
    assert_eq!(stays["items"].as_array().unwrap().len(), 1);
    assert_eq!(stays["total"], 1);
    let referrals = app.get_json("/api/v1/referrals").await;
    assert_eq!(referrals["total"], 31, "every open referral is counted");
    assert_eq!(referrals["items"].as_array().unwrap().len(), 31);
}

#[tokio::test]
async fn the_openapi_document_lists_the_placement_route() {
    let app = spawn_app().await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(doc["openapi"], "3.0.3");
    let op = &doc["paths"]["/api/v1/referrals/{id}/placement"]["post"];
    assert_eq!(
        op["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/PlacementRequest"
    );
    assert!(op["responses"]["201"].is_object());
}

#[tokio::test]
async fn the_whole_loop_through_the_api_on_postgres() {
    let Some(app) = spawn_app_postgres().await else {
        return;
    };
    let r = app.refer("Piet").await;
    assert_eq!(app.place(r, app.pitstop).await.status(), 201);
    let again = app.place(r, app.pitstop).await;
    assert_eq!(again.status(), 409);
    let stays = app.get_json("/api/v1/stays?active=true").await;
    let id = stays["items"][0]["id"].as_i64().unwrap();
    app.clock.set(start_time() + days(40));
    let s: Value = app
        .post_json(
            &format!("/api/v1/stays/{id}/exit"),
            &json!({"exit_date": "2026-04-10", "destination": "own_rented_home"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["destination"], "own_rented_home");
    assert_eq!(app.get_json("/api/v1/dashboard").await["free_places"], 3);
}
