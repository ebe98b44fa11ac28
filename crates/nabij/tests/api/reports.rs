//! Reports: periods, the municipality filter, exports and the API, with small numbers
//! suppressed wherever a report leaves the internal pages.

use crate::helpers::*;
use nabij_domain::access::Role;
use serde_json::{Value, json};

/// Two placements in Woerden, one of whom left the same week for a home of their own.
async fn history(app: &TestApp) {
    for first in ["Jan", "Piet"] {
        let r = app.refer(first).await;
        let res = app.place(r, app.pitstop).await;
        assert_eq!(res.status(), 201, "placing {first}");
        if first == "Jan" {
            let s: Value = res.json().await.unwrap();
            let id = s["id"].as_i64().unwrap();
            let res = app
                .post_json(
                    &format!("/api/v1/stays/{id}/exit"),
                    &json!({"exit_date": "2026-03-02", "destination": "own_rented_home", "reason": "Eigen woning"}),
                )
                .await;
            assert_eq!(res.status(), 200);
        }
    }
}

async fn text(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.get(path).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn periods_and_municipality_filter(app: TestApp) {
    history(&app).await;
    // The default: the last 12 months, beside the 12 before, per municipality.
    let (status, html) = text(&app, "/rapportage").await;
    assert_eq!(status, 200);
    assert!(html.contains("Vorige periode"), "{html}");
    assert!(html.contains("id=\"per-gemeente\""));
    assert!(html.contains("Woerden"));
    // Exact counts internally: 2 placements, 1 exit.
    assert!(html.contains("<th scope=\"row\"><a href=\"/rapportage/definities#plaatsingen\">Plaatsingen</a></th><td class=\"n\">2</td>"), "{html}");
    assert!(html.contains("/rapportage/definities#terugkeer-6"));
    // The preset fills the form.
    assert!(html.contains("<option value=\"12-maanden\" selected>"));

    // A calendar year without stays: the tables are there, the placements zero.
    let (status, html) = text(&app, "/rapportage?periode=jaar-2025").await;
    assert_eq!(status, 200);
    assert!(html.contains("<option value=\"jaar-2025\" selected>"));
    assert!(html.contains("<a href=\"/rapportage/definities#plaatsingen\">Plaatsingen</a></th><td class=\"n\">0</td>"), "{html}");

    // A custom range, per month.
    let (status, html) = text(&app, "/rapportage/per-maand?van=2026-01-01&tot=2026-03-31").await;
    assert_eq!(status, 200);
    for m in ["2026-01", "2026-02", "2026-03"] {
        assert!(html.contains(&format!("<th scope=\"row\">{m}</th>")), "{m}");
    }
    assert!(html.contains("value=\"2026-01-01\""));

    // A reversed range: a Dutch error, and the form keeps what was typed.
    let (status, html) = text(
        &app,
        "/rapportage/per-gemeente?van=2026-03-01&tot=2026-01-01",
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("vóór de begindatum"), "{html}");
    assert!(html.contains("value=\"2026-03-01\"") && html.contains("value=\"2026-01-01\""));
    assert!(!html.contains("id=\"per-gemeente\""));
    // Longer than ten years, an unknown preset, a date that is no date.
    let (status, html) = text(&app, "/rapportage?van=2010-01-01&tot=2026-01-01").await;
    assert_eq!(status, 422);
    assert!(html.contains("hoogstens 10 jaar"));
    let (status, html) = text(&app, "/rapportage?periode=altijd").await;
    assert_eq!(status, 422);
    assert!(html.contains("kies deze maand"));
    let (status, _) = text(&app, "/rapportage?van=31-31-2026&tot=2026-01-01").await;
    assert_eq!(status, 422);

    // One municipality: Zeist has no stays, Woerden is not in its table.
    let zeist = app
        .db
        .report_municipalities(1)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.1 == "Zeist")
        .unwrap()
        .0;
    let (status, html) = text(&app, &format!("/rapportage/per-gemeente?gemeente={zeist}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("<th scope=\"row\">Zeist</th>"), "{html}");
    assert!(!html.contains("<th scope=\"row\">Woerden</th>"));
    let (status, html) = text(&app, "/rapportage?gemeente=999999").await;
    assert_eq!(status, 422);
    assert!(html.contains("kies een gemeente uit de lijst"));

    // Per home and per kind.
    let (status, html) = text(&app, "/rapportage/per-huis").await;
    assert_eq!(status, 200);
    assert!(html.contains("Pitstop Woerden") && html.contains("Pitstop Zeist"));
    let (status, html) = text(&app, "/rapportage/per-soort").await;
    assert_eq!(status, 200);
    assert!(html.contains("<th scope=\"row\">Pitstop</th>"), "{html}");
    let (status, html) = text(&app, "/rapportage/definities").await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"binnen-6-maanden\"") && html.contains("meer dan 14 dagen"));
}
on_both!(periods_and_municipality_filter);

async fn exports_are_suppressed_and_logged(app: TestApp) {
    history(&app).await;
    let r = app
        .get("/rapportage/export.csv?tabel=per-gemeente&periode=12-maanden")
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"nabij-rapportage-per-gemeente-2025-04-01-2026-03-02.csv\""
    );
    let csv = r.text().await.unwrap();
    let woerden = csv.lines().find(|l| l.starts_with("Woerden;")).unwrap();
    // Two placements: "<5", never the number.
    assert!(woerden.starts_with("Woerden;<5;"), "{woerden}");
    assert!(!csv.contains(";2;"), "{csv}");

    let r = app
        .get("/rapportage/export.xlsx?pagina=per-maand&van=2026-01-01&tot=2026-03-02")
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"nabij-rapportage-per-maand-2026-01-01-2026-03-02.xlsx\""
    );
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));

    // An unknown table is a Dutch 400; a bad range refuses the export too.
    let r = app.get("/rapportage/export.csv?tabel=namen").await;
    assert_eq!(r.status(), 400);
    let r = app
        .get("/rapportage/export.csv?tabel=per-maand&van=2026-02-01&tot=2026-01-01")
        .await;
    assert_eq!(r.status(), 422);

    // Both exports are in the access log, naming no one.
    let log = app
        .db
        .access_log(&nabij_store::audit::AccessFilter::default(), 1000)
        .await
        .unwrap();
    let exports: Vec<_> = log
        .iter()
        .filter(|e| e.action == "export" && e.detail.starts_with("rapportage"))
        .collect();
    assert_eq!(exports.len(), 2, "{exports:?}");
    assert!(exports.iter().all(|e| e.person_id.is_none()));
}
on_both!(exports_are_suppressed_and_logged);

async fn api_answers_suppressed_tables(app: TestApp) {
    history(&app).await;
    let v = app.get_json("/api/v1/reports/summary").await;
    assert_eq!(v["period"]["from"], "2025-04-01");
    assert_eq!(v["period"]["to"], "2026-03-02");
    assert_eq!(v["previous"]["from"], "2024-04-01");
    let summary = &v["tables"][0];
    assert_eq!(summary["id"], "samenvatting");
    // Placements: 2, suppressed.
    assert_eq!(summary["rows"][0][0]["text"], "Plaatsingen");
    assert_eq!(summary["rows"][0][1], json!({"type": "suppressed"}));
    assert!(!v.to_string().contains("\"count\":2"));

    for path in ["municipalities", "kinds", "months"] {
        let v = app
            .get_json(&format!(
                "/api/v1/reports/{path}?from=2026-01-01&to=2026-03-02"
            ))
            .await;
        assert!(!v["tables"].as_array().unwrap().is_empty(), "{path}");
    }
    let v = app
        .get_json("/api/v1/reports/homes?preset=24-maanden&limit=1")
        .await;
    assert_eq!(v["total"], 2);
    assert_eq!(v["tables"][0]["rows"].as_array().unwrap().len(), 1);
    let next = v["next"].as_str().unwrap().to_string();
    let v = app
        .get_json(&format!(
            "/api/v1/reports/homes?preset=24-maanden&limit=1&cursor={next}"
        ))
        .await;
    assert_eq!(v["tables"][0]["rows"].as_array().unwrap().len(), 1);
    assert!(v["next"].is_null());

    // Unknown parameters and bad ranges are refused.
    let r = app.get("/api/v1/reports/summary?maanden=12").await;
    assert_eq!(r.status(), 400);
    let r = app
        .get("/api/v1/reports/kinds?from=2026-03-01&to=2026-01-01")
        .await;
    assert_eq!(r.status(), 422);
    let r = app.get("/api/v1/reports/months?from=2026-03-01").await;
    assert_eq!(r.status(), 422);
}
on_both!(api_answers_suppressed_tables);

async fn only_coordinators_and_administrators(app: TestApp) {
    for role in [
        Role::Professional,
        Role::MainResident,
        Role::Buddy,
        Role::Partner,
    ] {
        let s = app.session_as(role).await;
        for path in [
            "/rapportage",
            "/rapportage/per-huis",
            "/rapportage/export.csv?tabel=per-gemeente",
            "/api/v1/reports/summary",
        ] {
            assert_eq!(s.get(path).await.status(), 403, "{role:?} {path}");
        }
    }
    let admin = app.session_as(Role::Admin).await;
    assert_eq!(admin.get("/rapportage/per-maand").await.status(), 200);
}
on_both!(only_coordinators_and_administrators);

/// A report is kept between requests, but never past a change to the data it counts: a
/// placement, an exit or a home's new place shows in the very next report.
async fn kept_reports_follow_every_change(app: TestApp) {
    let placements = |html: &str, n: usize| {
        html.contains(&format!(
            "<a href=\"/rapportage/definities#plaatsingen\">Plaatsingen</a></th><td class=\"n\">{n}</td>"
        ))
    };
    let (_, html) = text(&app, "/rapportage").await;
    assert!(placements(&html, 0), "{html}");
    // Asked again without a change: the same numbers.
    let (_, html) = text(&app, "/rapportage").await;
    assert!(placements(&html, 0));

    let r = app.refer("Jan").await;
    let res = app.place(r, app.pitstop).await;
    assert_eq!(res.status(), 201);
    let (_, html) = text(&app, "/rapportage").await;
    assert!(placements(&html, 1), "a placement shows at once: {html}");
    let api: Value = app
        .get("/api/v1/reports/summary")
        .await
        .json()
        .await
        .unwrap();
    assert!(api.to_string().contains("Plaatsingen"), "{api}");

    let s: Value = res.json().await.unwrap();
    let id = s["id"].as_i64().unwrap();
    let exits = |html: &str, n: usize| {
        html.contains(&format!(
            "<a href=\"/rapportage/definities#vertrekken\">Vertrekken</a></th><td class=\"n\">{n}</td>"
        ))
    };
    let (_, before) = text(&app, "/rapportage").await;
    assert!(exits(&before, 0), "{before}");
    let res = app
        .post_json(
            &format!("/api/v1/stays/{id}/exit"),
            &json!({"exit_date": "2026-03-02", "destination": "own_rented_home", "reason": "Eigen woning"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let (_, after) = text(&app, "/rapportage").await;
    assert!(exits(&after, 1), "an exit shows at once: {after}");
}
on_both!(kept_reports_follow_every_change);
