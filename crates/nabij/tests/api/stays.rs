use crate::helpers::*;
use serde_json::{Value, json};

async fn placed(app: &TestApp) -> i64 {
    let r = app.refer("Jan").await;
    let s: Value = app.place(r, app.pitstop).await.json().await.unwrap();
    s["id"].as_i64().unwrap()
}

#[tokio::test]
async fn milestones_extension_ready_and_exit() {
    let app = spawn_app().await;
    let id = placed(&app).await;
    // 16 days later the recovery plan is overdue and shows on the dashboard.
    app.clock.set(start_time() + days(16));
    let dash = app.get_json("/api/v1/dashboard").await;
    assert_eq!(dash["milestone_stays"]["first"][0]["id"], id);
    assert_eq!(dash["milestone_stays"]["total"], 1);
    assert_eq!(
        dash["milestone_stays"]["first"][0]["milestones"][0]["status"],
        "overdue"
    );
    // The plan is not a checkbox: it is met by recording the first goal.
    let refused = app
        .post_json(
            &format!("/api/v1/stays/{id}/milestones"),
            &json!({"milestone": "plan"}),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "milestone");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("doel"),
        "{problem}"
    );
    let person = app.get_json(&format!("/api/v1/stays/{id}")).await["person_id"]
        .as_i64()
        .unwrap();
    let goal = app
        .post_json(
            &format!("/api/v1/persons/{person}/goals"),
            &json!({"title": "Woning zoeken", "domain": "housing", "owner": "person"}),
        )
        .await;
    assert_eq!(goal.status(), 201);
    let s = app.get_json(&format!("/api/v1/stays/{id}")).await;
    assert_eq!(s["milestones"][0]["status"], "done");
    assert_eq!(s["milestones"][0]["on"], app.clock.today().to_string());
    assert!(
        app.get_json("/api/v1/dashboard").await["milestone_stays"]["first"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // An extension needs a reason and moves the planned end.
    let bad = app
        .post_json(
            &format!("/api/v1/stays/{id}/extension"),
            &json!({"decided_by": "", "reason": "", "new_end": "2026-08-01"}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let fields: Vec<String> = bad.json::<Value>().await.unwrap()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["decided_by", "reason", "new_end"]);
    let s: Value = app.post_json(&format!("/api/v1/stays/{id}/extension"), &json!({"decided_by": "Ria", "reason": "Wacht op sleutel woning", "new_end": "2026-10-02"})).await.json().await.unwrap();
    assert_eq!(
        (s["planned_end"].as_str(), s["extensions"].as_i64()),
        (Some("2026-10-02"), Some(1))
    );

    // Ready to move on, then waiting for housing counts.
    app.clock.set(start_time() + days(100));
    let r = app
        .post_json(
            &format!("/api/v1/stays/{id}/ready"),
            &json!({"ready_on": "2026-06-01"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let s = app.get_json(&format!("/api/v1/stays/{id}")).await;
    assert_eq!(s["clock"]["waiting_for_housing_days"], 9);

    // Exit in the future is refused; on the day it frees the place.
    let r = app
        .post_json(
            &format!("/api/v1/stays/{id}/exit"),
            &json!({"exit_date": "2026-07-01", "destination": "own_rented_home"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let s: Value = app.post_json(&format!("/api/v1/stays/{id}/exit"), &json!({"exit_date": "2026-06-10", "destination": "own_lease_via_flip", "reason": "Omgeklapt"})).await.json().await.unwrap();
    assert_eq!(s["exit_date"], "2026-06-10");
    assert_eq!(s["clock"]["overdue"], false);
    assert_eq!(app.get_json("/api/v1/dashboard").await["free_places"], 3);
    let again = app
        .post_json(
            &format!("/api/v1/stays/{id}/exit"),
            &json!({"exit_date": "2026-06-10", "destination": "street"}),
        )
        .await;
    assert_eq!(again.status(), 409);
}

#[tokio::test]
async fn a_blocked_place_is_not_free_and_a_stay_past_its_end_is_overdue() {
    let app = spawn_app().await;
    let home = app
        .get_json(&format!("/api/v1/homes/{}", app.zeist_home.0))
        .await;
    let place = home["places"][0]["id"].as_i64().unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/places/{place}/blocks"),
            &json!({"from": "2026-03-01", "until": "2026-03-31", "reason": "Schilderwerk"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(app.get_json("/api/v1/dashboard").await["free_places"], 2);
    let id = placed(&app).await;
    app.clock.set(start_time() + days(200));
    let dash = app.get_json("/api/v1/dashboard").await;
    assert_eq!(dash["overdue_stays"]["first"][0]["id"], id);
    assert_eq!(dash["overdue_stays"]["first"][0]["clock"]["overdue"], true);
    assert_eq!(dash["overdue_stays"]["total"], 1);
}
