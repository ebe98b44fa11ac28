//! The capacity planner as its users reach it: `nabij plan` on the command line, and the
//! Capaciteitsplanner page on a network with two years of history.

mod common;

use nabij_app::{App, Clock};
use nabij_planner::Scenario;
use nabij_store::{Db, DbOptions};
use nabij_web::{Application, WebState};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const RING20: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../planner/tests/data/ring20.json"
);

fn nabij(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nabij"))
        .args(args)
        .current_dir(dir)
        .env_remove("NABIJ_CONFIG")
        .env(
            "NABIJ_DATABASE_URL",
            format!("sqlite:{}", dir.join("demo.db").display()),
        )
        .env("NABIJ_LOG", "warn")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn erlang_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = stdout(&nabij(
        dir.path(),
        &[
            "plan", "erlang", "--load", "8", "--places", "11", "--target", "5%",
        ],
    ));
    // B(8, 11) = 0.0812883 and 13 places keep it under 5 % (reference table).
    assert!(text.contains("8,13%"), "{text}");
    assert!(
        text.contains("hoogstens 5,00% vol bij aankomst: 13"),
        "{text}"
    );
    let approx = stdout(&nabij(
        dir.path(),
        &["plan", "erlang", "--scenario", RING20],
    ));
    assert!(
        approx.contains("BENADERING") && approx.contains("M20"),
        "{approx}"
    );
    let out = nabij(
        dir.path(),
        &["plan", "erlang", "--load", "3", "--target", "150%"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tussen 0 en 1"));
}

#[test]
fn simulating_the_reference_ring_gives_the_same_answer_on_any_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str| {
        let text = stdout(&nabij(
            dir.path(),
            &[
                "plan",
                "simulate",
                "--scenario",
                RING20,
                "--json",
                "--replications",
                "20",
                "--threads",
                threads,
            ],
        ));
        serde_json::from_str::<Value>(&text).unwrap()
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one["areas"].as_array().unwrap().len(), 20);
    assert_eq!(one["total"]["places"], 159);
    let own = one["total"]["measures"]["own"]["mean"].as_f64().unwrap();
    let half = one["total"]["measures"]["own"]["half_width"]
        .as_f64()
        .unwrap();
    assert!(
        own > 0.7 && own < 0.95 && half > 0.0 && half < 0.02,
        "{own} ± {half}"
    );

    let table = stdout(&nabij(
        dir.path(),
        &[
            "plan",
            "simulate",
            "--scenario",
            RING20,
            "--replications",
            "10",
        ],
    ));
    assert!(
        table.contains("M20") && table.contains("totaal") && table.contains("miljoen per seconde"),
        "{table}"
    );

    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"name": "x", "los": {"dist": "weibull", "mean": 3}, "municipalities": []}"#,
    )
    .unwrap();
    let out = nabij(
        dir.path(),
        &["plan", "simulate", "--scenario", bad.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("geen gemeenten"), "{err}");
}

#[test]
fn sizing_the_reference_ring_adds_places_where_they_are_short() {
    let dir = tempfile::tempdir().unwrap();
    let text = stdout(&nabij(
        dir.path(),
        &[
            "plan",
            "size",
            "--scenario",
            RING20,
            "--target",
            "0.1",
            "--replications",
            "20",
            "--json",
        ],
    ));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["reached"], true);
    let added = v["added"].as_u64().unwrap();
    assert!(added > 0 && added < 60, "{added}");
    for area in v["report"]["areas"].as_array().unwrap() {
        assert!(
            area["measures"]["not_own"]["mean"].as_f64().unwrap() <= 0.1,
            "{area}"
        );
    }
}

/// Serves on the real clock: the demo history runs up to now.
async fn serve(db: Db) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = Application::new(listener, WebState::new(App::new(db, Clock::system())));
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    address
}

fn field<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no field {id}"));
    let value = &html[at..];
    let start = value.find("value=\"").unwrap() + 7;
    &value[start..start + value[start..].find('"').unwrap()]
}

/// The row of a municipality in the results table, as text.
fn result_row(html: &str, name: &str) -> String {
    let table = &html[html.find("Uitkomsten per gemeente").expect("results table")..];
    let at = table
        .find(&format!("<th scope=\"row\">{name}"))
        .unwrap_or_else(|| panic!("no row {name}"));
    let row = &table[at..at + table[at..].find("</tr>").unwrap()];
    row.to_owned()
}

fn own_share(row: &str) -> f64 {
    // Third cell: "Eigen gemeente", as "12,3% ± 1,0".
    let cells: Vec<&str> = row.split("<td class=\"n\">").skip(1).collect();
    cells[1]
        .split('%')
        .next()
        .unwrap()
        .replace(',', ".")
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calibrating_on_the_demo_history_and_planning_what_if() {
    let dir = tempfile::tempdir().unwrap();
    let demo_out = stdout(&nabij(
        dir.path(),
        &["demo", "--no-serve", "--database", "demo.db"],
    ));

    // `nabij plan calibrate` writes a scenario that `nabij plan simulate` reads back.
    let out = nabij(dir.path(), &["plan", "calibrate", "--out", "scenario.json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("aanmeldingen"));
    let scenario =
        Scenario::from_json(&std::fs::read_to_string(dir.path().join("scenario.json")).unwrap())
            .unwrap();
    let leiden = scenario
        .municipalities
        .iter()
        .find(|m| m.label() == "Leiden")
        .unwrap();
    assert!(
        leiden.lambda > 0.05,
        "Leiden has the most referrals: {}",
        leiden.lambda
    );
    assert!(
        scenario
            .central_shelter
            .as_ref()
            .is_some_and(|c| c.places > 0)
    );
    let quantiles = scenario.los.quantiles.as_ref().unwrap();
    assert!(quantiles.windows(2).all(|w| w[0] <= w[1]) && quantiles.last() <= Some(&182.5));
    let sim = stdout(&nabij(
        dir.path(),
        &[
            "plan",
            "simulate",
            "--scenario",
            "scenario.json",
            "--replications",
            "5",
        ],
    ));
    assert!(sim.contains("Leiden"), "{sim}");

    // The page, on the same history.
    let db = Db::connect(&DbOptions::new(format!(
        "sqlite:{}",
        dir.path().join("demo.db").display()
    )))
    .await
    .unwrap();
    let base = serve(db).await;
    // The demo prints one account per role.
    let line = demo_out
        .lines()
        .find(|l| l.contains("gebruikersnaam coordinator"))
        .expect("demo account");
    let password = line.split_whitespace().last().unwrap();
    let session = common::sign_in(&base, "coordinator", password, None).await;
    let client = session.client.clone();
    let get = |path: String| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move { client.get(url).send().await.unwrap() }
    };

    let res = get("/capaciteitsplanner".into()).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for text in [
        "Uitgangspunten uit de geschiedenis",
        "Hoe zeker is dit?",
        "<svg class=\"chart\"",
        "Hele netwerk",
    ] {
        assert!(html.contains(text), "{text}");
    }
    let leiden_id = &leiden.id;
    let now_places: u32 = field(&html, &format!("p_{leiden_id}")).parse().unwrap();
    let before = own_share(&result_row(&html, "Leiden"));

    // What if Leiden had twenty more places?
    let more = now_places + 20;
    let html = get(format!(
        "/capaciteitsplanner?p_{leiden_id}={more}&extra_uitstroom=0&doel=5"
    ))
    .await
    .text()
    .await
    .unwrap();
    assert_eq!(field(&html, &format!("p_{leiden_id}")), more.to_string());
    let after = own_share(&result_row(&html, "Leiden"));
    assert!(
        after > before + 10.0,
        "more places in Leiden: {before}% → {after}%"
    );
    assert!(
        html.contains("Zoals nu"),
        "the scenario is compared with today"
    );

    // A typing error is named next to its field and nothing is computed.
    let res = get(format!("/capaciteitsplanner?p_{leiden_id}=veel&doel=5")).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Vul een heel aantal plekken in"));
    assert_eq!(field(&html, &format!("p_{leiden_id}")), "veel");
    assert!(!html.contains("Uitkomsten per gemeente"));
    let res = get("/capaciteitsplanner?doel=80".into()).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Vul een percentage in van 0,1 tot 50.")
    );

    // The smallest extension that meets the target, with a link to compute it.
    let html = get("/capaciteitsplanner?doel=10&actie=dimensioneren".into())
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Kleinste uitbreiding voor het doel van 10,0%"),
        "sizing shown"
    );
    assert!(html.contains("plekken erbij</strong> haalt elke gemeente het doel"));
    let link = &html[html.find("href=\"/capaciteitsplanner?p_").unwrap() + 6..];
    let link = link[..link.find('"').unwrap()]
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let sized = get(link).await.text().await.unwrap();
    assert!(
        !sized.contains("boven doel"),
        "every municipality meets the target once sized"
    );

    // More outflow homes shorten the wait for housing.
    let wait = |html: &str| -> f64 {
        let total = result_row(html, "Hele netwerk");
        let cells: Vec<&str> = total.split("<td class=\"n\">").skip(1).collect();
        cells
            .last()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .replace(',', ".")
            .parse()
            .unwrap()
    };
    let plain = get("/capaciteitsplanner".into())
        .await
        .text()
        .await
        .unwrap();
    let more_homes = get("/capaciteitsplanner?extra_uitstroom=200".into())
        .await
        .text()
        .await
        .unwrap();
    assert!(
        wait(&more_homes) < wait(&plain),
        "{} vs {}",
        wait(&more_homes),
        wait(&plain)
    );

    // The scenario of a what-if downloads as a file `nabij plan simulate` reads.
    let res = get(format!(
        "/capaciteitsplanner/scenario.json?p_{leiden_id}={more}&extra_uitstroom=12"
    ))
    .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("scenario.json")
    );
    let downloaded = Scenario::from_json(&res.text().await.unwrap()).unwrap();
    let l = downloaded
        .municipalities
        .iter()
        .find(|m| &m.id == leiden_id)
        .unwrap();
    assert_eq!(l.places, more);
    assert_eq!(downloaded.outflow.unwrap().extra_per_year, 12.0);
}
