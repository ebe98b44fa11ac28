//! A real flow in headless Debian Chromium: referral → proposals → placement → dashboard.
//! Needs `chromium` and `chromium-driver` (installed by `.ci/run`); under CI a missing
//! browser fails the test instead of skipping it.

#[path = "common/mod.rs"]
mod common;

use fantoccini::{Client, ClientBuilder, Locator};
use nabij_app::{App, Clock};
use nabij_domain::geo::GeoPoint;
use nabij_store::{Db, DbOptions};
use nabij_web::{Application, WebState};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<&'static str> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

async fn fill(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn choose(c: &Client, id: &str, value: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

async fn click(c: &Client, at: Locator<'_>) {
    c.find(at).await.unwrap().click().await.unwrap();
}

async fn text(c: &Client, at: Locator<'_>) -> String {
    c.find(at).await.unwrap().text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referral_to_placement_in_a_real_browser() {
    let Some(driver_bin) = chromedriver() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the browser test: install chromium and chromium-driver"
        );
        eprintln!(
            "chromedriver not installed: browser test skipped locally (apt-get install chromium chromium-driver)"
        );
        return;
    };
    // The app on a fresh database with a small network.
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&DbOptions::new(format!(
        "sqlite:{}",
        dir.path().join("b.db").display()
    )))
    .await
    .unwrap();
    let now = "2026-03-02T21:55:00Z".parse().unwrap();
    let (woerden, centrum) = common::town(
        &db,
        ("GM0632", "Woerden"),
        ("BU06320001", "Woerden-Centrum"),
        GeoPoint {
            lat: 52.085,
            lon: 4.883,
        },
    )
    .await;
    let harmelen = db
        .create_neighbourhood(
            woerden,
            Some("BU06320002"),
            "Harmelen",
            GeoPoint {
                lat: 52.09,
                lon: 4.961,
            },
        )
        .await
        .unwrap();
    for (name, n, places) in [
        ("Pitstop Woerden", centrum, 2),
        ("Opvangwoning Harmelen", harmelen, 1),
    ] {
        db.create_home(&common::pitstop(name, n, places), now)
            .await
            .unwrap();
    }
    db.create_user(
        &nabij_store::accounts::NewUser {
            organisation_id: 1,
            username: "ria".into(),
            display_name: "Ria Hoekstra".into(),
            phone: None,
            role: nabij_domain::access::Role::Coordinator,
            password_hash: nabij_app::secrets::hash_password("lang-genoeg-wachtwoord"),
        },
        now,
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = Application::new(
        listener,
        WebState::new(App::new(db.clone(), Clock::fixed(now))),
    );
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let _driver = Driver(
        Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--window-size=390,844",
                     format!("--user-data-dir={}", profile.path().display())]
        }),
    );
    let mut client = None;
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let c = client.expect("chromedriver answers");

    // A coordinator at 23:00 on a phone-sized screen opens the referral form and is asked
    // to sign in first; after signing in the form opens.
    c.goto(&format!("{base}/aanmeldingen/nieuw")).await.unwrap();
    fill(&c, "username", "ria").await;
    fill(&c, "password", "lang-genoeg-wachtwoord").await;
    click(&c, Locator::Css("main form button[type=submit]")).await;
    c.wait()
        .for_element(Locator::Id("first_name"))
        .await
        .unwrap();
    fill(&c, "first_name", "Noor").await;
    fill(&c, "last_name", "Bakker").await;
    choose(&c, "gender", "vrouw").await;
    choose(&c, "own_municipality_id", &woerden.to_string()).await;
    choose(&c, "own_neighbourhood_id", &harmelen.to_string()).await;
    choose(&c, "source", "woningcorporatie").await;
    choose(&c, "urgency", "acuut").await;
    fill(&c, "situation", "Moet morgen de woning uit.").await;
    click(&c, Locator::Css("main form button[type=submit]")).await;

    // Ranked proposals: her own neighbourhood first.
    c.wait()
        .for_element(Locator::Id("voorstellen"))
        .await
        .unwrap();
    let first = text(&c, Locator::Css("ol.proposals li")).await;
    assert!(first.contains("Opvangwoning Harmelen"), "{first}");
    assert!(first.contains("In de eigen buurt (Harmelen)"), "{first}");
    click(&c, Locator::Css("ol.proposals li button")).await;

    // Placed: the person page shows the stay and its clock.
    c.wait()
        .for_element(Locator::Css("p.notice"))
        .await
        .unwrap();
    let notice = text(&c, Locator::Css("p.notice")).await;
    assert!(notice.starts_with("Geplaatst"), "{notice}");
    let clock = text(&c, Locator::Id("nu")).await;
    assert!(clock.contains("Opvangwoning Harmelen"), "{clock}");

    // The dashboard counts one place fewer, and the home shows none free.
    click(&c, Locator::LinkText("Overzicht")).await;
    c.wait().for_element(Locator::Id("vrij")).await.unwrap();
    let cards = text(&c, Locator::Css("section.cards")).await;
    assert!(cards.contains("2\nvrije plekken van 3"), "{cards}");
    let row = text(
        &c,
        Locator::XPath("//tr[td/a[text()='Opvangwoning Harmelen']]"),
    )
    .await;
    assert!(row.contains("Pitstop 0 1"), "{row}");
    c.close().await.unwrap();
}
