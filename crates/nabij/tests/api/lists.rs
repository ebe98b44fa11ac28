//! Paged lists through the server: the API's envelope, pages with a pager that keeps the
//! filters, tampered cursors, exact dashboard counts at scale, and access-log entries for
//! exactly the persons a page shows.

use crate::helpers::*;
use nabij_store::audit::AccessFilter;
use nabij_store::testing::raw_execute;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

/// `count` new persons of the test organisation, each with an active stay in the Pitstop,
/// written in bulk. Every fourth is past its planned end on the test's start date.
async fn add_stays(app: &TestApp, count: i64) {
    let m = app.woerden.0;
    raw_execute(
        &app.db,
        &format!(
            "INSERT INTO persons (first_name, last_name, gender, household_size, own_municipality_id, created_at, organisation_id) \
             WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {count}) \
             SELECT 'Bulk', 'Persoon ' || i, 'man', 1, {m}, '2026-01-01T10:00:00Z', 1 FROM k"
        ),
    )
    .await
    .unwrap();
    raw_execute(
        &app.db,
        &format!(
            "INSERT INTO stays (person_id, home_id, start_date, planned_end, placed_at, proximity, distance_km, plan_done_on) \
             SELECT k.i, {home}, '2025-12-01', CASE WHEN k.i % 4 = 0 THEN '2026-02-' || (10 + k.i % 15) ELSE '2026-05-' || (10 + k.i % 20) END, \
             '2026-01-01T10:00:00Z', 'elsewhere', 1.0, '2025-12-05' \
             FROM (SELECT p.id AS i FROM persons p WHERE NOT EXISTS (SELECT 1 FROM stays s WHERE s.person_id = p.id)) k",
            home = app.pitstop.0
        ),
    )
    .await
    .unwrap();
    // Statistics as a running database keeps them, after a bulk load.
    raw_execute(&app.db, "ANALYZE").await.unwrap();
}

/// Access-log entries about a person, so far.
async fn person_entries(app: &TestApp) -> usize {
    app.db
        .access_log(&AccessFilter::default(), 1_000_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.person_id.is_some())
        .count()
}

async fn the_api_pages_every_list_under_concurrent_inserts(app: TestApp) {
    // List requests are rate-limited per user (a burst of 10): pages of 15.
    add_stays(&app, 40).await;
    let app = Arc::new(app);
    let first = app.get_json("/api/v1/stays?active=true&limit=500").await;
    assert_eq!(first["total"], 40);
    assert!(first["next"].is_null(), "one page holds them all");
    let before: HashSet<i64> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();

    let done = Arc::new(AtomicBool::new(false));
    let added = Arc::new(AtomicI64::new(0));
    let writer = {
        let (app, done, added) = (app.clone(), done.clone(), added.clone());
        tokio::spawn(async move {
            // A bounded number of rounds, so the walk always reaches the end.
            for _ in 0..30 {
                if done.load(Ordering::SeqCst) {
                    break;
                }
                add_stays(&app, 2).await;
                added.fetch_add(2, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        })
    };
    let mut seen = Vec::new();
    let mut path = "/api/v1/stays?active=true&limit=15".to_string();
    loop {
        let page = app.get_json(&path).await;
        assert!(page["total"].as_i64().unwrap() >= 40);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 15);
        seen.extend(items.iter().map(|s| s["id"].as_i64().unwrap()));
        match page["next"].as_str() {
            Some(c) => path = format!("/api/v1/stays?active=true&limit=15&cursor={c}"),
            None => break,
        }
    }
    done.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no stay is listed twice");
    assert!(before.is_subset(&unique), "no stay that existed is lost");
    let expected = 40 + added.load(Ordering::SeqCst);
    assert_eq!(
        app.get_json("/api/v1/stays?active=true&limit=1").await["total"],
        expected
    );

    // Other lists answer the same envelope.
    app.refer("Jan").await;
    for path in [
        "/api/v1/referrals?all=true&limit=2",
        "/api/v1/municipalities?limit=1",
        "/api/v1/neighbourhoods?limit=1",
    ] {
        let page = app.get_json(path).await;
        assert!(page["items"].is_array(), "{path}");
        assert!(page["total"].as_i64().unwrap() >= 1, "{path}");
    }
    let m = app.get_json("/api/v1/municipalities?limit=1").await;
    let next = m["next"].as_str().expect("two municipalities: a next page");
    let m2 = app
        .get_json(&format!("/api/v1/municipalities?limit=1&cursor={next}"))
        .await;
    assert_ne!(m["items"][0]["id"], m2["items"][0]["id"]);

    // A tampered cursor is a problem, in Dutch.
    let bad = app.get("/api/v1/stays?cursor=12.zz").await;
    assert_eq!(bad.status(), 400);
    assert!(
        bad.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
    let p: Value = bad.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("paginaverwijzing"));
}
on_both!(the_api_pages_every_list_under_concurrent_inserts);

async fn the_dashboard_counts_exactly_beyond_ten_thousand_stays(app: TestApp) {
    add_stays(&app, 10_400).await;
    let before = person_entries(&app).await;
    let d = app.get_json("/api/v1/dashboard").await;
    assert_eq!(d["active_stays"], 10_400);
    assert_eq!(
        d["overdue_stays"]["total"], 2_600,
        "every fourth is overdue"
    );
    assert_eq!(d["overdue_stays"]["first"].as_array().unwrap().len(), 10);
    // The most urgent first: the longest past the planned end.
    assert_eq!(d["overdue_stays"]["first"][0]["planned_end"], "2026-02-10");
    assert_eq!(
        person_entries(&app).await - before,
        10,
        "the ten persons named are logged, not the 10.400 counted"
    );
    // Views logged at the same moment keep one well-formed chain.
    let before = person_entries(&app).await;
    let d = "/api/v1/dashboard";
    let (a, b, c, e) = tokio::join!(app.get(d), app.get(d), app.get(d), app.get(d));
    for r in [a, b, c, e] {
        assert_eq!(r.status(), 200);
    }
    assert_eq!(person_entries(&app).await - before, 40);
    let check = app.db.verify_access_log().await.unwrap();
    assert_eq!(check.first_broken, None, "{check:?}");
    let html = app.get("/").await.text().await.unwrap();
    assert!(html.contains(">10400<"), "the exact count on the page");
    assert!(html.contains("/verblijven?status=lopend&amp;aandacht=over"));
    assert!(html.contains(&format!("/huizen?gemeente={}", app.woerden.0)));
}
on_both!(the_dashboard_counts_exactly_beyond_ten_thousand_stays);

/// The `href` of the "Volgende pagina" link, unescaped.
fn next_href(html: &str) -> Option<String> {
    let end = html.find("\" rel=\"next\"")?;
    let start = html[..end].rfind("href=\"")? + 6;
    Some(html[start..end].replace("&amp;", "&").replace("&#38;", "&"))
}

async fn pages_page_with_their_filters_and_log_what_they_show(app: TestApp) {
    add_stays(&app, 23).await;
    let before = person_entries(&app).await;
    let html = app
        .get("/verblijven?status=lopend&aandacht=over&per=4")
        .await
        .text()
        .await
        .unwrap();
    // 23 stays, of which every fourth (5) is overdue.
    assert!(html.contains("1–4 van 5"), "{html}");
    assert_eq!(person_entries(&app).await - before, 4, "the four shown");
    let next = next_href(&html).expect("a next page");
    assert!(next.contains("aandacht=over") && next.contains("per=4"));
    let page2 = app.get(&next).await.text().await.unwrap();
    assert!(page2.contains("5–5 van 5"), "{page2}");
    assert!(next_href(&page2).is_none(), "the last page");
    assert!(page2.contains("« Eerste pagina"));

    // Persons and referrals page the same way.
    let persons = app.get("/personen?per=10").await.text().await.unwrap();
    assert!(persons.contains("1–10 van 23"), "{persons}");
    let p2 = app
        .get(&next_href(&persons).unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(p2.contains("11–20 van 23"));
    let q = app
        .get("/personen?q=persoon%201&per=2")
        .await
        .text()
        .await
        .unwrap();
    // "Persoon 1", "Persoon 10" … "Persoon 19".
    assert!(q.contains("1–2 van 11"), "{q}");
    assert!(next_href(&q).unwrap().contains("q=persoon%201"));

    app.refer("Jan").await;
    let referrals = app.get("/aanmeldingen?alle=1").await.text().await.unwrap();
    assert!(referrals.contains("1–1 van 1"));

    // A tampered cursor is a 400 on every list page.
    for path in [
        "/verblijven?na=zomaar",
        "/personen?na=1.z",
        "/aanmeldingen?na=x",
    ] {
        assert_eq!(app.get(path).await.status(), 400, "{path}");
    }
}
on_both!(pages_page_with_their_filters_and_log_what_they_show);

#[tokio::test]
async fn the_openapi_document_describes_every_list_as_a_page() {
    let app = spawn_app().await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    for path in [
        "/api/v1/stays",
        "/api/v1/referrals",
        "/api/v1/municipalities",
        "/api/v1/neighbourhoods",
    ] {
        let op = &doc["paths"][path]["get"];
        let schema = &op["responses"]["200"]["content"]["application/json"]["schema"];
        let name = schema["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("{path}: {schema}"))
            .trim_start_matches("#/components/schemas/");
        let page = &doc["components"]["schemas"][name];
        for field in ["items", "total", "next"] {
            assert!(page["properties"][field].is_object(), "{path}: {page}");
        }
        assert_eq!(page["properties"]["items"]["type"], "array", "{path}");
        let params: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path} declares its query"))
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(
            params.contains(&"cursor") && params.contains(&"limit"),
            "{path}: {params:?}"
        );
    }
}

async fn who_looked_pages_and_the_export_holds_everything(app: TestApp) {
    let r = app.refer("Jan").await;
    let person = app
        .db
        .referral(nabij_domain::ids::ReferralId(r))
        .await
        .unwrap()
        .person_id;
    let actor = nabij_store::audit::Actor::system("test", start_time());
    let entries: Vec<_> = (0..130)
        .map(|i| {
            nabij_store::audit::Access::new(
                person,
                nabij_domain::access::DataCategory::File,
                nabij_domain::access::AuditAction::View,
                format!("inzage {i}"),
            )
        })
        .collect();
    app.db.log_access(&actor, &entries).await.unwrap();
    assert_eq!(app.db.verify_access_log().await.unwrap().first_broken, None);
    let about = |app: &TestApp| {
        let filter = AccessFilter {
            person: Some(person),
            ..Default::default()
        };
        let db = app.db.clone();
        async move { db.access_log(&filter, 1_000_000).await.unwrap().len() }
    };
    let n = about(&app).await;
    assert!(n > 130);

    let id = app.user(nabij_domain::access::Role::Coordinator);
    let secret = nabij_app::totp::new_secret();
    app.db.set_totp_secret(id, &secret).await.unwrap();
    app.db.enable_totp(id, &[]).await.unwrap();
    let at = app.auth_clock.now();
    let coordinator = sign_in(&app.address, "coordinator", PASSWORD, Some((&secret, at))).await;
    let html = coordinator
        .get(&format!("/personen/{person}/inzage?per=50"))
        .await
        .text()
        .await
        .unwrap();
    // Every view of this page adds one entry itself, after the page was read.
    assert!(html.contains(&format!("1–50 van {n}")), "{html}");
    let next = next_href(&html).expect("more than one page");
    assert!(next.contains("per=50"));
    let page2 = coordinator.get(&next).await.text().await.unwrap();
    assert!(page2.contains("51–100 van"), "{page2}");
    assert_eq!(
        coordinator
            .get(&format!("/personen/{person}/inzage?na=nep"))
            .await
            .status(),
        400
    );
    // The export holds every entry, well past one page.
    let before = about(&app).await;
    let csv = coordinator
        .get(&format!("/personen/{person}/inzage.csv"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count() - 1, before, "one line per entry");
}
on_both!(who_looked_pages_and_the_export_holds_everything);

async fn the_auditor_and_the_partner_page_their_lists(app: TestApp) {
    for name in ["Anna", "Bert", "Cor"] {
        app.refer(name).await;
    }
    let admin = app.session_as(nabij_domain::access::Role::Admin).await;
    let html = admin
        .get("/toegangslog?gebruiker=coordinator&per=2")
        .await
        .text()
        .await
        .unwrap();
    let total = app
        .db
        .access_log(
            &AccessFilter {
                user: Some(app.user(nabij_domain::access::Role::Coordinator)),
                ..Default::default()
            },
            1_000_000,
        )
        .await
        .unwrap()
        .len();
    assert!(total >= 3);
    assert!(html.contains(&format!("1–2 van {total}")), "{html}");
    let next = next_href(&html).expect("a next page");
    assert!(next.contains("gebruiker=coordinator") && next.contains("per=2"));
    let page2 = admin.get(&next).await.text().await.unwrap();
    assert!(page2.contains(&format!("3–4 van {total}")) || total == 3);
    assert_eq!(admin.get("/toegangslog?na=1.x").await.status(), 400);

    let partner = app.session_as(nabij_domain::access::Role::Partner).await;
    let ours = partner.get("/onze-aanmeldingen?per=1").await;
    assert_eq!(ours.status(), 200);
    let ours = ours.text().await.unwrap();
    assert!(ours.contains("pager-summary"), "{ours}");
    assert_eq!(partner.get("/onze-aanmeldingen?na=1.x").await.status(), 400);
}
on_both!(the_auditor_and_the_partner_page_their_lists);
