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
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver(Child);

/// Ends chromedriver and every Chromium it started: they share chromedriver's own process
/// group, so a failed test leaves no browser behind to slow the tests after it.
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
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
            .process_group(0)
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

    // The dashboard counts one place fewer, in the total and in the municipality's row
    // (homes, places in service, free now).
    click(&c, Locator::LinkText("Overzicht")).await;
    c.wait().for_element(Locator::Id("vrij")).await.unwrap();
    let cards = text(&c, Locator::Css("section.cards")).await;
    assert!(cards.contains("2\nvrije plekken van 3"), "{cards}");
    let row = text(&c, Locator::XPath("//tr[th/a[text()='Woerden']]")).await;
    assert!(row.contains("Woerden 2 3 2"), "{row}");
    c.close().await.unwrap();
}

/// A corporation registers an offer on a phone, the coordinator matches the person who is
/// ready to move on, records the acceptance, and the stay ends: own rented home.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offered_home_is_matched_accepted_and_the_stay_ends_in_a_real_browser() {
    use nabij_domain::access::Role;
    let Some(driver_bin) = chromedriver() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the browser test: install chromium and chromium-driver"
        );
        eprintln!("chromedriver not installed: browser test skipped locally");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&DbOptions::new(format!(
        "sqlite:{}",
        dir.path().join("o.db").display()
    )))
    .await
    .unwrap();
    let now: jiff::Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
    let today = jiff::civil::date(2026, 3, 2);
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
    let home = db
        .create_home(&common::pitstop("Pitstop Woerden", centrum, 2), now)
        .await
        .unwrap();
    let dunavie = db
        .create_organisation("Dunavie", Some(1), now)
        .await
        .unwrap();
    db.set_partner_kind(
        dunavie,
        nabij_domain::outflow::PartnerKind::HousingCorporation,
        &[],
    )
    .await
    .unwrap();
    for (org, username, role) in [
        (1, "ria", Role::Coordinator),
        (dunavie, "joyce", Role::Partner),
    ] {
        db.create_user(
            &nabij_store::accounts::NewUser {
                organisation_id: org,
                username: username.into(),
                display_name: username.into(),
                phone: None,
                role,
                password_hash: nabij_app::secrets::hash_password("lang-genoeg-wachtwoord"),
            },
            now,
        )
        .await
        .unwrap();
    }
    let app = App::new(db.clone(), Clock::fixed(now));
    let sys = nabij_app::Caller::system("test", nabij_domain::ids::OrganisationId(1));
    nabij_app::outflow::set_quota(
        &app,
        &sys,
        &nabij_app::outflow::QuotaInput {
            corporation_id: dunavie,
            municipality_id: woerden.0,
            year: 2026,
            total: 3,
        },
    )
    .await
    .unwrap();
    let (_, referral) = nabij_app::intake::intake(
        &app,
        &sys,
        &nabij_app::intake::IntakeInput {
            first_name: "Noor".into(),
            last_name: "Bakker".into(),
            gender: "vrouw".into(),
            household_size: 1,
            own_municipality_id: woerden.0,
            source: "sociaal_team".into(),
            urgency: "hoog".into(),
            situation: "Uit huis gezet".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let stay = nabij_app::intake::place(&app, &sys, referral, home)
        .await
        .unwrap();
    nabij_app::stays::ready(
        &app,
        &sys,
        stay.stay.id,
        &nabij_app::stays::ReadyInput {
            ready_on: today.to_string(),
        },
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Application::new(listener, WebState::new(app));
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    let set = |id: &str, value: &str| format!("document.getElementById('{id}').value = '{value}';");

    // The corporation's housing consultant registers the offer.
    let (_driver, c, _profile) = browser(driver_bin).await;
    c.goto(&format!("{base}/woningaanbod")).await.unwrap();
    fill(&c, "username", "joyce").await;
    fill(&c, "password", "lang-genoeg-wachtwoord").await;
    click(&c, Locator::Css("main form button[type=submit]")).await;
    c.wait().for_element(Locator::Id("quota_id")).await.unwrap();
    let quota = c
        .find(Locator::Css("#quota_id option:nth-child(2)"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    choose(&c, "quota_id", &quota).await;
    fill(&c, "address", "Molenstraat 12").await;
    choose(&c, "municipality_id", &woerden.to_string()).await;
    fill(&c, "rooms", "2").await;
    fill(&c, "rent_euros", "640").await;
    c.execute(&set("available_from", "2026-03-01"), vec![])
        .await
        .unwrap();
    click(
        &c,
        Locator::Css("form[action='/woningaanbod'] button[type=submit]"),
    )
    .await;
    c.wait()
        .for_element(Locator::Id("offer-state"))
        .await
        .unwrap();
    assert_eq!(text(&c, Locator::Id("offer-state")).await, "te koppelen");
    let offer_url = c.current_url().await.unwrap().path().to_string();
    c.close().await.unwrap();

    // The coordinator sees Noor ranked with the reason, proposes her and records "yes".
    let (_driver2, c, _profile2) = browser(driver_bin).await;
    c.goto(&format!("{base}{offer_url}")).await.unwrap();
    fill(&c, "username", "ria").await;
    fill(&c, "password", "lang-genoeg-wachtwoord").await;
    click(&c, Locator::Css("main form button[type=submit]")).await;
    c.wait()
        .for_element(Locator::Css("ol.cards li"))
        .await
        .unwrap();
    let candidate = text(&c, Locator::Css("ol.cards li")).await;
    assert!(candidate.contains("Noor Bakker"), "{candidate}");
    assert!(
        candidate.contains("woning ligt in de eigen gemeente"),
        "{candidate}"
    );
    click(&c, Locator::Css("ol.cards li button")).await;
    c.wait().for_element(Locator::Id("answer")).await.unwrap();
    assert_eq!(text(&c, Locator::Id("offer-state")).await, "voorgesteld");
    choose(&c, "answer", "accepted").await;
    c.execute(&set("key_date", "2026-03-02"), vec![])
        .await
        .unwrap();
    click(
        &c,
        Locator::Css("form[action$='/antwoord'] button[type=submit]"),
    )
    .await;
    // The page before carries a notice too: wait for the answer's own page.
    c.wait()
        .for_element(Locator::XPath(
            "//*[@id='offer-state' and normalize-space()='geaccepteerd']",
        ))
        .await
        .unwrap();
    assert_eq!(text(&c, Locator::Id("offer-state")).await, "geaccepteerd");

    // The stay has ended: own rented home.
    c.goto(&format!("{base}/verblijven/{}", stay.stay.id))
        .await
        .unwrap();
    let exit = text(
        &c,
        Locator::XPath("//dt[text()='Vertrek']/following-sibling::dd[1]"),
    )
    .await;
    assert!(exit.contains("Eigen huurwoning"), "{exit}");
    c.close().await.unwrap();
}

/// axe-core, from `crates/nabij/tests/a11y` (`npm ci` there; `.ci/run` does it).
fn axe_source() -> Option<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/a11y/node_modules/axe-core/axe.min.js"
    );
    match std::fs::read_to_string(path) {
        Ok(s) => Some(s),
        Err(_) => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must run the accessibility check: {path} is missing (npm ci in crates/nabij/tests/a11y)"
            );
            eprintln!(
                "axe-core not installed: accessibility check skipped locally (npm ci in crates/nabij/tests/a11y)"
            );
            None
        }
    }
}

async fn browser(driver_bin: &str) -> (Driver, Client, tempfile::TempDir) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let driver = Driver(
        Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .process_group(0)
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
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        if let Ok(c) = ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            return (driver, c, profile);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver answers");
}

/// The WCAG 2.1 A and AA violations axe finds on the current page, one line each.
async fn axe_violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' — ' +
                    v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(', '))))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// The same page for another id: `/personen/12` and `/personen/40` are one page.
fn page_kind(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
                "{id}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_every_role_meets_wcag_2_1_aa() {
    let Some(driver_bin) = chromedriver() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the browser test: install chromium and chromium-driver"
        );
        eprintln!("chromedriver not installed: accessibility check skipped locally");
        return;
    };
    let Some(axe) = axe_source() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&DbOptions::new(format!(
        "sqlite:{}",
        dir.path().join("a11y.db").display()
    )))
    .await
    .unwrap();
    let now = "2026-11-23T14:00:00Z".parse().unwrap();
    let app = App::new(db.clone(), Clock::fixed(now));
    let demo = nabij::demo::seed(&app, 2026).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Application::new(listener, WebState::new(App::new(db, Clock::fixed(now))));
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());

    let mut problems = Vec::new();
    let mut pages = 0;
    for (role, username, password) in &demo.users {
        let (_driver, c, _profile) = browser(driver_bin).await;
        c.goto(&format!("{base}/inloggen")).await.unwrap();
        for v in axe_violations(&c, &axe).await {
            problems.push(format!("/inloggen: {v}"));
        }
        fill(&c, "username", username).await;
        fill(&c, "password", password).await;
        click(&c, Locator::Css("main form button[type=submit]")).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        // An administrator sets up the second factor first: the page shows the key.
        if c.current_url().await.unwrap().path() == "/account/tweede-factor" {
            for v in axe_violations(&c, &axe).await {
                problems.push(format!("{role:?} /account/tweede-factor: {v}"));
            }
            let secret = text(&c, Locator::Css("main code")).await;
            let key = nabij_app::totp::base32_decode(&secret).unwrap();
            let code = nabij_app::totp::code_at(&key, jiff::Timestamp::now().as_second());
            fill(&c, "code", &format!("{code:06}")).await;
            click(&c, Locator::Css("main form button[type=submit]")).await;
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        // Every page the role can reach by links, once per kind of page.
        let mut seen = std::collections::HashSet::new();
        let mut queue = vec!["/".to_string()];
        while let Some(path) = queue.pop() {
            if !seen.insert(page_kind(&path)) || seen.len() > 40 {
                continue;
            }
            c.goto(&format!("{base}{path}")).await.unwrap();
            pages += 1;
            for v in axe_violations(&c, &axe).await {
                problems.push(format!("{role:?} {path}: {v}"));
            }
            for a in c.find_all(Locator::Css("a[href^='/']")).await.unwrap() {
                let Some(href) = a.attr("href").await.unwrap() else {
                    continue;
                };
                let href = href.split('#').next().unwrap_or_default().to_string();
                let skip = href.is_empty()
                    || href.starts_with("/uitloggen")
                    || href.starts_with("/api/")
                    || href.starts_with("/assets/")
                    || href.contains(".csv")
                    || href.contains(".xlsx")
                    || href.contains("export");
                if !skip && !seen.contains(&page_kind(&href)) {
                    queue.push(href);
                }
            }
        }
        c.close().await.unwrap();
    }
    assert!(pages >= demo.users.len() * 2, "only {pages} pages checked");
    assert!(
        problems.is_empty(),
        "WCAG 2.1 A/AA violations:\n{}",
        problems.join("\n")
    );
}

/// A begeleider opens the caseload, logs a contact and scores a ZRM, then sees the chart;
/// at phone width the cliënt signs in with the one-time code and sees their plan and who
/// looked at their file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guidance_and_the_persons_own_page_in_a_real_browser() {
    let Some(driver_bin) = chromedriver() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the browser test: install chromium and chromium-driver"
        );
        eprintln!("chromedriver not installed: browser test skipped locally");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&DbOptions::new(format!(
        "sqlite:{}",
        dir.path().join("g.db").display()
    )))
    .await
    .unwrap();
    let now = "2026-11-23T14:00:00Z".parse().unwrap();
    let app = App::new(db.clone(), Clock::fixed(now));
    let demo = nabij::demo::seed(&app, 2026).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Application::new(listener, WebState::new(App::new(db, Clock::fixed(now))));
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    let account = |role: nabij_domain::access::Role| {
        demo.users
            .iter()
            .find(|(r, _, _)| *r == role)
            .map(|(_, u, p)| (u.clone(), p.clone()))
            .unwrap()
    };

    // The begeleider.
    let (username, password) = account(nabij_domain::access::Role::Professional);
    let (_driver, c, _profile) = browser(driver_bin).await;
    c.goto(&format!("{base}/caseload")).await.unwrap();
    fill(&c, "username", &username).await;
    fill(&c, "password", &password).await;
    click(&c, Locator::Css("main form button[type=submit]")).await;
    c.wait()
        .for_element(Locator::Css("ul.caseload"))
        .await
        .unwrap();
    let card = text(&c, Locator::Css("ul.caseload li")).await;
    assert!(card.contains("Intensiteit"), "{card}");
    assert!(card.contains("Laatste contact"), "{card}");
    click(&c, Locator::Css("ul.caseload li h2 a")).await;
    c.wait().for_element(Locator::Id("text")).await.unwrap();
    choose(&c, "kind", "home_visit").await;
    fill(
        &c,
        "text",
        "Huisbezoek: de brief van de woningcorporatie samen gelezen.",
    )
    .await;
    click(&c, Locator::Css("main form button[type=submit]")).await;
    c.wait()
        .for_element(Locator::Css("p.notice"))
        .await
        .unwrap();
    let log = text(&c, Locator::Css("ol.contact-log")).await;
    assert!(log.contains("brief van de woningcorporatie"), "{log}");

    click(&c, Locator::LinkText("ZRM")).await;
    c.wait().for_element(Locator::Id("finances")).await.unwrap();
    choose(&c, "moment", "periodic").await;
    for d in nabij_domain::guidance::ZrmDomain::ALL {
        choose(&c, d.code(), "4").await;
    }
    click(&c, Locator::Css("main form button[type=submit]")).await;
    c.wait()
        .for_element(Locator::Css("figure.zrm-chart svg"))
        .await
        .unwrap();
    let notice = text(&c, Locator::Css("p.notice")).await;
    assert!(notice.contains("ZRM"), "{notice}");
    c.close().await.unwrap();

    // The cliënt, on a phone.
    let (username, code) = account(nabij_domain::access::Role::Client);
    let (_driver, c, _profile) = browser(driver_bin).await;
    c.goto(&format!("{base}/inloggen")).await.unwrap();
    fill(&c, "username", &username).await;
    fill(&c, "password", &code).await;
    click(&c, Locator::Css("main form button[type=submit]")).await;
    c.wait().for_element(Locator::Id("new")).await.unwrap();
    fill(&c, "current", &code).await;
    fill(&c, "new", "mijn eigen lange zin").await;
    fill(&c, "repeated", "mijn eigen lange zin").await;
    click(&c, Locator::Css("main form button[type=submit]")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    c.goto(&format!("{base}/mijn-verblijf")).await.unwrap();
    c.wait().for_element(Locator::Id("plan")).await.unwrap();
    let plan = text(&c, Locator::Css("ul.goals")).await;
    assert!(!plan.is_empty(), "the plan shows the goals");
    click(&c, Locator::LinkText("Wie keek in je dossier")).await;
    c.wait()
        .for_element(Locator::Css("ul.access-list"))
        .await
        .unwrap();
    let seen = text(&c, Locator::Css("ul.access-list")).await;
    assert!(seen.contains("(begeleider)"), "{seen}");
    assert!(!seen.contains("127.0.0.1"), "{seen}");
    c.close().await.unwrap();
}

/// Signs out and waits until the sign-in page has loaded, so the next navigation cannot
/// overtake the sign-out and land on a page of the account that is leaving.
async fn sign_out(c: &Client) {
    click(c, Locator::Css("form[action='/uitloggen'] button")).await;
    c.wait().for_element(Locator::Id("username")).await.unwrap();
}

/// Signs in through the form at `path` (the page asks first).
async fn sign_in_at(c: &Client, base: &str, path: &str, username: &str, password: &str) {
    c.goto(&format!("{base}{path}")).await.unwrap();
    fill(c, "username", username).await;
    fill(c, "password", password).await;
    click(c, Locator::Css("main form button[type=submit]")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_main_resident_files_an_acute_signal_on_a_phone_and_sees_it_picked_up() {
    let Some(driver_bin) = chromedriver() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the browser test: install chromium and chromium-driver"
        );
        eprintln!("chromedriver not installed: browser test skipped locally");
        return;
    };
    use nabij_domain::access::Role;
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&DbOptions::new(format!(
        "sqlite:{}",
        dir.path().join("s.db").display()
    )))
    .await
    .unwrap();
    let now: jiff::Timestamp = "2026-03-02T22:05:00Z".parse().unwrap();
    let today = jiff::civil::date(2026, 3, 2);
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
    let home = db
        .create_home(&common::pitstop("Pitstop Woerden", centrum, 2), now)
        .await
        .unwrap();
    let password = "lang-genoeg-wachtwoord";
    let mut ids = Vec::new();
    for (username, name, role) in [
        ("marloes", "Marloes Vink", Role::MainResident),
        ("sander", "Sander de Wit", Role::Professional),
    ] {
        ids.push(
            db.create_user(
                &nabij_store::accounts::NewUser {
                    organisation_id: 1,
                    username: username.into(),
                    display_name: name.into(),
                    phone: Some("06-12345678".into()),
                    role,
                    password_hash: nabij_app::secrets::hash_password(password),
                },
                now,
            )
            .await
            .unwrap(),
        );
    }
    db.link_user_home(ids[0], home).await.unwrap();
    let system = nabij_store::audit::Actor::system("test", now);
    let (person, referral) = db
        .create_referral(
            &nabij_store::persons::NewPerson {
                organisation_id: 1,
                first_name: "Noor".into(),
                last_name: "Bakker".into(),
                gender: nabij_domain::person::Gender::Woman,
                date_of_birth: None,
                bsn: None,
                phone: None,
                household: nabij_domain::person::HouseholdSize::new(1).unwrap(),
                needs: nabij_domain::person::Needs::default(),
                own_municipality: woerden,
                own_neighbourhood: Some(centrum),
                avoid: vec![],
            },
            &nabij_store::referrals::NewReferral {
                organisation_id: 1,
                referred_by: None,
                source: nabij_domain::referral::ReferralSource::SocialTeam,
                urgency: nabij_domain::referral::Urgency::High,
                situation: "Uit huis gezet".into(),
            },
            now,
            &system,
        )
        .await
        .unwrap();
    let free = db.availability(today, 1, Some(home)).await.unwrap()[0].free_places[0];
    db.place(
        &nabij_store::stays::NewStay {
            referral: Some(referral),
            person,
            home,
            places: vec![free],
            start: today,
            planned_end: nabij_domain::stay::planned_end(today, 6),
            placed_at: now,
            proximity: nabij_domain::placement::Proximity::OwnNeighbourhood,
            distance_km: 0.1,
        },
        &system,
    )
    .await
    .unwrap();
    db.assign_professional(person, ids[1], today, &system)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = Application::new(
        listener,
        WebState::new(App::new(db.clone(), Clock::fixed(now))),
    );
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let (_driver, c, _profile) = browser(driver_bin).await;

    // 23:05 on a phone: the main resident passes on an acute signal in one screen.
    sign_in_at(&c, &base, "/mijn-huis", "marloes", password).await;
    c.wait().for_element(Locator::Id("about")).await.unwrap();
    choose(&c, "about", &format!("person:{person}")).await;
    choose(&c, "category", "safety").await;
    click(&c, Locator::Css("input[name=urgency][value=acute]")).await;
    fill(&c, "text", "Noor is erg verward en wil niet praten.").await;
    click(&c, Locator::Css("form.phone-form button[type=submit]")).await;
    c.wait()
        .for_element(Locator::Css("p.notice"))
        .await
        .unwrap();
    let mine = text(&c, Locator::Css("ul.signals")).await;
    assert!(
        mine.contains("Noor") && mine.contains("acuut") && mine.contains("ontvangen"),
        "{mine}"
    );
    sign_out(&c).await;

    // The professional sees it in the inbox, unread, and acknowledges it.
    sign_in_at(&c, &base, "/signalen", "sander", password).await;
    c.wait()
        .for_element(Locator::Css("p.unread"))
        .await
        .unwrap();
    assert_eq!(
        text(&c, Locator::Css("p.unread")).await,
        "1 ongelezen signaal."
    );
    click(&c, Locator::LinkText("Noor")).await;
    c.wait()
        .for_element(Locator::Css("p.signal-text"))
        .await
        .unwrap();
    click(&c, Locator::Css("main form button[type=submit]")).await;
    c.wait()
        .for_element(Locator::Css("p.notice"))
        .await
        .unwrap();
    let facts = text(&c, Locator::Css("dl.facts")).await;
    assert!(facts.contains("opgepakt"), "{facts}");
    sign_out(&c).await;

    // The main resident sees "opgepakt".
    sign_in_at(&c, &base, "/mijn-huis", "marloes", password).await;
    c.wait()
        .for_element(Locator::Css("ul.signals"))
        .await
        .unwrap();
    let mine = text(&c, Locator::Css("ul.signals")).await;
    assert!(mine.contains("opgepakt"), "{mine}");
    c.close().await.unwrap();
}
