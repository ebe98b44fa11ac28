//! The server's defences, as a client meets them: where sign-in may send the browser, the
//! client's address behind a proxy, answers for bodies that are too large, of the wrong
//! type or too slow, the per-user limit on lists, and the health, readiness and metrics
//! routes.

use crate::helpers::*;
use nabij_domain::access::Role;
use nabij_store::audit::AccessFilter;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Known ways to make "a path on this site" lead elsewhere, or break the header.
const BYPASSES: &[&str] = &[
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "/\\/evil.example/",
    "/\t/evil.example/personen",
    "/%09/evil.example/personen",
    "/\t/evil",
    "/%2f%2fevil.example",
    "/%2F%2Fevil.example",
    "/%5cevil.example",
    "/%5C%5Cevil.example",
    "/@evil.example",
    "/personen@evil.example",
    "/personen\r\nSet-Cookie: nabij_sessie=x",
    "/personen\nLocation: https://evil.example",
    "/personen?x=\r\n",
    "/\u{2215}\u{2215}evil.example",
    "/\u{ff0f}evil.example",
    "\u{ff0f}\u{ff0f}evil.example",
    "javascript:alert(1)",
    "/javascript:alert(1)",
    "https://evil.example/",
    "http:evil.example",
    "evil.example",
    "/.evil.example",
    "/..//evil.example",
    "/personen/../../evil",
];

fn form_terug(page: &str) -> String {
    hidden(page, "terug")
}

/// Signs the coordinator in with `terug`; answers the login page's field and where the
/// correct password sends the browser.
async fn sign_in_with_back(app: &TestApp, back: &str) -> (String, String) {
    let client = browser();
    let page = client
        .get(app.url("/inloggen"))
        .query(&[("terug", back)])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "{back:?}");
    let page = page.text().await.unwrap();
    let token = hidden(&page, "_csrf");
    let res = client
        .post(app.url("/inloggen"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "coordinator"),
            ("password", PASSWORD),
            ("terug", back),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{back:?}");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    (form_terug(&page), location)
}

#[tokio::test]
async fn sign_in_sends_the_browser_only_to_pages_of_this_site() {
    let app = spawn_app().await;
    for back in BYPASSES {
        let (field, location) = sign_in_with_back(&app, back).await;
        assert_eq!(field, "", "the form keeps {back:?}");
        assert_eq!(location, "/", "after signing in with {back:?}");
    }
    let (field, location) = sign_in_with_back(&app, "/personen/7?melding=geplaatst").await;
    assert_eq!(field, "/personen/7?melding=geplaatst");
    assert_eq!(location, "/personen/7?melding=geplaatst");
}

/// Twenty wrong passwords from `from` (as X-Forwarded-For), each for another user name.
async fn lock_out(app: &TestApp, from: &str) {
    for i in 0..20 {
        let user = format!("geraden-{i}");
        attempt_sign_in(&browser(), &app.address, &user, "fout", Some(from)).await;
    }
}

async fn sign_in_from(app: &TestApp, from: &str) -> reqwest::Response {
    attempt_sign_in(&browser(), &app.address, "begeleider", PASSWORD, Some(from)).await
}

/// The address the access log recorded for a view by the coordinator from `from`.
async fn logged_address(app: &TestApp, from: &str) -> String {
    let referral = app.refer("Anna").await;
    let res = app
        .client
        .get(app.url(&format!("/api/v1/referrals/{referral}")))
        .header("x-forwarded-for", from)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let entries = app
        .db
        .access_log(&AccessFilter::default(), 1)
        .await
        .unwrap();
    entries[0].address.clone()
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app().await;
    lock_out(&app, "203.0.113.1").await;
    let res = sign_in_from(&app, "203.0.113.2").await;
    assert_eq!(res.status(), 401, "a made-up address escapes the throttle");
    assert_eq!(logged_address(&app, "203.0.113.9").await, "127.0.0.1");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_address() {
    let app = spawn_app_with(|s| {
        s.auth.trusted_proxies =
            nabij_web::auth::parse_trusted_proxies(&["127.0.0.1/32".into()]).unwrap();
    })
    .await;
    lock_out(&app, "203.0.113.1").await;
    // Another client behind the same proxy is not locked out.
    assert_eq!(sign_in_from(&app, "203.0.113.2").await.status(), 303);
    // The locked-out one is.
    assert_eq!(sign_in_from(&app, "203.0.113.1").await.status(), 401);
    // A hop the client added itself in front is not believed.
    assert_eq!(
        sign_in_from(&app, "198.51.100.50, 203.0.113.1")
            .await
            .status(),
        401
    );
    assert_eq!(logged_address(&app, "203.0.113.9").await, "203.0.113.9");
}

fn is_problem(res: &reqwest::Response) -> bool {
    res.headers()["content-type"] == "application/problem+json"
}

fn closes(res: &reqwest::Response) -> bool {
    res.headers()
        .get("connection")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"))
}

async fn api_key(app: &TestApp) -> String {
    let html = app
        .post_form("/account/api-sleutels", &[("name", "koppeling")])
        .await
        .text()
        .await
        .unwrap();
    let start = html.find("<code>").unwrap() + 6;
    html[start..start + html[start..].find("</code>").unwrap()].to_string()
}

#[tokio::test]
async fn refused_bodies_get_the_status_that_says_why() {
    let app = spawn_app().await;
    // A form larger than the server reads: 413, a Dutch page.
    let big = "x".repeat(300 * 1024);
    let res = app
        .post_form("/aanmeldingen", &[("situation", big.as_str())])
        .await;
    assert_eq!(res.status(), 413);
    assert!(closes(&res), "the rest of the body is not read");
    assert!(res.text().await.unwrap().contains("Te groot"));
    // The sign-in form too.
    let res = browser()
        .post(app.url("/inloggen"))
        .form(&[("username", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);

    // The API: 413 and 415 as problem+json.
    let token = api_key(&app).await;
    let api = reqwest::Client::new();
    let res = api
        .post(app.url("/api/v1/referrals"))
        .bearer_auth(&token)
        .json(&json!({ "situation": "x".repeat(3 * 1024 * 1024) }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert!(is_problem(&res));
    let res = api
        .post(app.url("/api/v1/referrals"))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body(app.intake("Anna").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert!(is_problem(&res));
    let res = app
        .client
        .post(app.url("/api/v1/referrals"))
        .header("content-type", "text/plain")
        .body(app.intake("Anna").to_string())
        .send()
        .await
        .unwrap();
    // From the browser's session it may be a forged cross-site form: refused as such.
    assert_eq!(res.status(), 403);
    assert!(is_problem(&res));

    // Refused before the body is read: the connection is closed after the answer.
    let stranger = browser();
    let res = stranger
        .post(app.url("/api/v1/referrals"))
        .json(&app.intake("Anna"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(closes(&res));
    let res = stranger
        .post(app.url("/aanmeldingen"))
        .form(&[("first_name", "Anna")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(closes(&res));
    // A body that was read keeps the connection.
    let res = app
        .post_json("/api/v1/referrals", &app.intake("Anna"))
        .await;
    assert_eq!(res.status(), 201);
    assert!(!closes(&res));

    // A path id that is no number: problem+json 400 for the API, a Dutch 404 for pages.
    let res = app.get("/api/v1/persons/abc").await;
    assert_eq!(res.status(), 400);
    assert!(is_problem(&res));
    let res = app.get("/personen/abc").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Niet gevonden"));
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_answered_408() {
    let app = spawn_app_with(|s| s.server.body_read_timeout = Duration::from_millis(500)).await;
    let mut conn = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    conn.write_all(
        b"POST /inloggen HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n\
          Content-Length: 100\r\n\r\nusername=a",
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), conn.read_to_end(&mut answer))
        .await
        .expect("the server waits for the body forever")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("niet op tijd"), "{answer}");
}

#[tokio::test]
async fn lists_of_persons_are_limited_per_user() {
    let app = spawn_app_with(|s| {
        s.server.list_requests_per_minute = 3;
        s.server.list_request_burst = 3;
    })
    .await;
    let referral = app.refer("Anna").await;
    app.refer("Bert").await;
    app.refer("Cor").await;
    let mut next = String::new();
    for _ in 0..3 {
        let res = app.get("/api/v1/referrals?limit=1").await;
        assert_eq!(res.status(), 200);
        let page: serde_json::Value = res.json().await.unwrap();
        next = page["next"].as_str().unwrap().to_string();
    }
    let res = app.get("/api/v1/referrals").await;
    assert_eq!(res.status(), 429);
    // A client reading on through a listing it started is not held back by that limit:
    // further pages are counted apart.
    for _ in 0..2 {
        let res = app
            .get(&format!("/api/v1/referrals?limit=1&cursor={next}"))
            .await;
        assert_eq!(res.status(), 200);
        let page: serde_json::Value = res.json().await.unwrap();
        if let Some(n) = page["next"].as_str() {
            next = n.to_string();
        }
    }
    assert!(is_problem(&res));
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Every list counts, pages too; a Dutch page says to wait.
    let res = app.get("/aanmeldingen").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("Even wachten"));
    // One referral is no list.
    assert_eq!(
        app.get(&format!("/api/v1/referrals/{referral}"))
            .await
            .status(),
        200
    );
    // Another user is not held back.
    let professional = app.session_as(Role::Professional).await;
    assert_eq!(professional.get("/personen").await.status(), 200);
    // The route table says which routes are limited, for the API description.
    let limited: Vec<_> = nabij_web::routes::table()
        .routes
        .into_iter()
        .filter(|r| r.rate_limited)
        .map(|r| r.path)
        .collect();
    assert!(limited.contains(&"/api/v1/referrals"), "{limited:?}");
    assert!(!limited.contains(&"/api/v1/referrals/{id}"), "{limited:?}");
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = spawn_app().await;
    let stranger = browser();
    let res = stranger.get(app.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ok");
    let res = stranger.get(app.url("/ready")).send().await.unwrap();
    assert_eq!(res.status(), 200);

    let referral = app.refer("Anna").await;
    assert_eq!(app.place(referral, app.pitstop).await.status(), 201);
    // Administrators read the metrics; others may not.
    assert_eq!(app.get("/metrics").await.status(), 403);
    let admin = app.session_as(Role::Admin).await;
    let res = admin.get("/metrics").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    assert!(
        text.contains(
            "nabij_http_requests_total{method=\"POST\",route=\"/api/v1/referrals\",status=\"201\"}"
        ),
        "{text}"
    );
    assert!(
        text.contains("nabij_http_request_duration_seconds_bucket"),
        "{text}"
    );
    // The counter is the process's: tests running beside this one place people too.
    let placed = text
        .lines()
        .find_map(|l| l.strip_prefix("nabij_placements_total "))
        .and_then(|n| n.trim().parse::<u64>().ok());
    assert!(placed.is_some_and(|n| n >= 1), "{text}");
    assert!(text.contains("nabij_db_pool_connections"), "{text}");
    // Ids stay out of the metrics: routes are counted by their pattern.
    assert!(
        !text.contains(&format!("/api/v1/referrals/{referral}")),
        "{text}"
    );

    // A database with a migration this build does not know is not ready.
    nabij_store::testing::raw_execute(
        &app.db,
        "INSERT INTO schema_migrations (name, checksum, applied_at) VALUES ('9999_later', 'x', 'x')",
    )
    .await
    .unwrap();
    let res = stranger.get(app.url("/ready")).send().await.unwrap();
    assert_eq!(res.status(), 503);
}
