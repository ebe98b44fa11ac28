//! The national benchmark: real HTTP requests against a server over the national demo data.
//!
//! `cargo bench -p nabij --bench national`. Uses the database at `NABIJ_BENCH_DATABASE` (a
//! `sqlite:` or `postgres://` URL; its audit key from `NABIJ_AUDIT_KEY_FILE` or beside a
//! SQLite file), else builds the national demo once into `target/bench/national.db` and
//! reuses it. Serves it in-process on a random port, signs in a fresh coordinator as a
//! browser does, and times each target `NABIJ_BENCH_RUNS` times (default 5): median and p99
//! (with few runs, p99 is the slowest). Also: `plan calibrate` through the use case, the
//! peak memory a report takes above the baseline (a counting allocator), and placements by
//! 8 clients while 4 reports run. Prints a Markdown table and writes it to
//! `target/bench/national-<backend>.md`.
//!
//! The routes are in [`TARGETS`]; a route that answers 404 is reported as such, not timed.

#[path = "../tests/common/mod.rs"]
mod common;

use jiff::Timestamp;
use nabij_app::{App, Caller, Clock, DatabaseSettings};
use nabij_domain::ids::OrganisationId;
use nabij_web::{Application, WebState};
use peak_alloc::PeakAlloc;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATED: PeakAlloc = PeakAlloc;

/// What is timed: (what, path, target). Edit freely; paths that answer 404 are skipped.
const TARGETS: &[(&str, &str, &str)] = &[
    ("rapportage 12 maanden", "/rapportage", "≤ 150 ms"),
    (
        "rapportage 24 maanden",
        "/rapportage?periode=24-maanden",
        "≤ 250 ms",
    ),
    ("rapportage per huis", "/rapportage/per-huis", "≤ 300 ms"),
    ("rapportage per maand", "/rapportage/per-maand", "≤ 300 ms"),
    ("dashboard", "/", "≤ 50 ms"),
    ("verblijven", "/verblijven", "≤ 30 ms"),
    ("verblijven, alle", "/verblijven?filter=alle", "≤ 30 ms"),
    ("personen", "/personen", "≤ 30 ms"),
    ("huizen", "/huizen", "≤ 30 ms"),
    ("aanmeldingen", "/aanmeldingen", "≤ 30 ms"),
    ("API aanmeldingen", "/api/v1/referrals", "≤ 30 ms"),
    ("API verblijven", "/api/v1/stays", "≤ 30 ms"),
    ("capaciteitsplanner", "/capaciteitsplanner", "≤ 30 ms"),
    ("API dashboard", "/api/v1/dashboard", "≤ 50 ms"),
    (
        "verblijven, mijlpaal",
        "/verblijven?aandacht=mijlpaal",
        "≤ 30 ms",
    ),
    ("verblijven, over", "/verblijven?aandacht=over", "≤ 30 ms"),
    ("verblijven, wacht", "/verblijven?aandacht=wacht", "≤ 30 ms"),
    (
        "verblijven, beëindigd",
        "/verblijven?status=beeindigd",
        "≤ 30 ms",
    ),
    ("verblijven, gemeente", "/verblijven?gemeente=1", "≤ 30 ms"),
    ("personen, zoeken", "/personen?q=jan", "≤ 30 ms"),
    ("huizen, gemeente", "/huizen?gemeente=1", "≤ 30 ms"),
    ("API huizen", "/api/v1/homes", "≤ 30 ms"),
    ("API verblijven, 500", "/api/v1/stays?limit=500", "≤ 30 ms"),
];

/// The report whose peak memory is measured.
const MEMORY_REPORT: &str = "/rapportage";
const MEMORY_TARGET: &str = "≤ 100 MB";
const CALIBRATE_TARGET: &str = "≤ 2 s";
const PLACEMENT_TARGET: &str = "p99 ≤ 50 ms";
const PLACING_CLIENTS: usize = 8;
const PLACEMENTS_PER_CLIENT: usize = 25;
const REPORTING_CLIENTS: usize = 4;

fn workspace_target() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
}

/// Median and p99 (nearest rank) of some durations.
fn spread(mut xs: Vec<Duration>) -> (Duration, Duration) {
    xs.sort();
    let at = |q: f64| xs[((q * xs.len() as f64).ceil() as usize).clamp(1, xs.len()) - 1];
    (at(0.5), at(0.99))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The database to measure, and its audit key; builds the national demo when needed.
async fn database() -> anyhow::Result<DatabaseSettings> {
    if let Ok(url) = std::env::var("NABIJ_BENCH_DATABASE") {
        let mut settings = DatabaseSettings::new(url.clone());
        settings.audit_key_file = Some(match std::env::var("NABIJ_AUDIT_KEY_FILE") {
            Ok(k) if !k.is_empty() => PathBuf::from(k),
            _ => nabij::config::audit_key_beside(&url),
        });
        return Ok(settings);
    }
    let dir = workspace_target().join("bench");
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("national.db");
    let done = dir.join("national.db.done");
    let url = format!("sqlite:{}", file.display());
    let mut settings = DatabaseSettings::new(url.clone());
    let key = nabij::config::audit_key_beside(&url);
    settings.audit_key_file = Some(key.clone());
    if file.exists() && done.exists() {
        eprintln!("Bestaande benchmarkdatabase: {}", file.display());
        return Ok(settings);
    }
    for f in [
        file.clone(),
        dir.join("national.db-wal"),
        dir.join("national.db-shm"),
        key,
    ] {
        let _ = std::fs::remove_file(f);
    }
    eprintln!(
        "Landelijke demodata bouwen in {} (eenmalig)…",
        file.display()
    );
    let started = Instant::now();
    let app = App::open(&settings, Clock::fixed(Timestamp::now())).await?;
    let s = nabij::demo::seed_scale(&app, 2026, nabij::demo::Scale::National).await?;
    eprintln!(
        "Gebouwd in {:.0} s: {} personen, {} verblijven ({} lopend), {} huizen, {} plekken.",
        started.elapsed().as_secs_f64(),
        s.persons,
        s.stays,
        s.active_stays,
        s.homes,
        s.places
    );
    std::fs::write(&done, "")?;
    Ok(settings)
}

struct Row {
    what: String,
    median: String,
    p99: String,
    target: String,
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(bench())
}

async fn bench() -> anyhow::Result<()> {
    let runs: usize = std::env::var("NABIJ_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let settings = database().await?;
    let backend = if settings.url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    };
    let app = App::open(&settings, Clock::system()).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let mut state = WebState::new(app.clone());
    // The benchmark asks for lists far more often than a person would.
    state.server.list_requests_per_minute = 1_000_000;
    state.server.list_request_burst = 100_000;
    state.server.list_pages_per_minute = 1_000_000;
    state.server.list_page_burst = 100_000;
    let server = Application::new(listener, state);
    let address = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());

    // A coordinator of our own, made as the command line makes one.
    let sys = Caller::system("nabij bench", OrganisationId(1));
    let (_, username, password) = nabij_app::accounts::create_user(
        &app,
        &sys,
        &nabij_app::accounts::NewUserInput {
            username: format!("bench{}", Timestamp::now().as_second()),
            display_name: "Benchmark".into(),
            phone: String::new(),
            role: "coordinator".into(),
            organisation_id: Some(1),
            password_is_final: true,
        },
    )
    .await?;
    let session = common::sign_in(&address, &username, &password, None).await;
    let token = nabij::api_keys::create(&app, 1, &username, "benchmark").await?;

    // `NABIJ_BENCH_ONLY=dashboard,plaatsingen` (parts of names) measures just those rows.
    let only = std::env::var("NABIJ_BENCH_ONLY").unwrap_or_default();
    let wanted = |what: &str| only.is_empty() || only.split(',').any(|o| what.contains(o));
    let mut rows = Vec::new();
    for (what, path, target) in TARGETS.iter().filter(|t| wanted(t.0)) {
        let first = session.get(path).await;
        let status = first.status();
        first.bytes().await?;
        if status == 404 {
            rows.push(Row {
                what: (*what).into(),
                median: "n/a (404)".into(),
                p99: "n/a (404)".into(),
                target: (*target).into(),
            });
            eprintln!("{what}: n/a (404)");
            continue;
        }
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            let r = session.get(path).await;
            r.bytes().await?;
            times.push(t.elapsed());
        }
        let (median, p99) = spread(times);
        let note = if status.is_success() {
            String::new()
        } else {
            format!(" (status {})", status.as_u16())
        };
        eprintln!("{what}: {} / {}{note}", ms(median), ms(p99));
        rows.push(Row {
            what: format!("{what}{note}"),
            median: ms(median),
            p99: ms(p99),
            target: (*target).into(),
        });
    }

    // plan calibrate, through the use case.
    let mut times = Vec::new();
    for _ in 0..if wanted("plan calibrate") { runs } else { 0 } {
        let t = Instant::now();
        let result = nabij_app::capacity::calibrated(&app, &sys).await;
        times.push(t.elapsed());
        if let Err(e) = result {
            eprintln!("plan calibrate: {e}");
            break;
        }
    }
    if !times.is_empty() {
        let (median, p99) = spread(times);
        eprintln!("plan calibrate: {} / {}", ms(median), ms(p99));
        rows.push(Row {
            what: "plan calibrate".into(),
            median: ms(median),
            p99: ms(p99),
            target: CALIBRATE_TARGET.into(),
        });
    }

    // The planner page right after the data changed (a new referral): calibrated afresh
    // and simulated, as the first visit after any change is. The change is not timed.
    let mut times = Vec::new();
    for i in 0..if wanted("capaciteitsplanner na wijziging") {
        runs
    } else {
        0
    } {
        let municipalities = nabij_app::geography::municipalities(&app).await?;
        let m = &municipalities[(i * 31) % municipalities.len()];
        let r = reqwest::Client::new()
            .post(format!("{address}/api/v1/referrals"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "first_name": "Bench",
                "last_name": format!("Planner {i}"),
                "gender": "vrouw",
                "household_size": 1,
                "own_municipality_id": m.id.0,
                "source": "sociaal_team",
                "urgency": "normaal",
                "situation": "Benchmark: de planner na een wijziging.",
            }))
            .send()
            .await?;
        anyhow::ensure!(r.status() == 201, "intake: {}", r.text().await?);
        let t = Instant::now();
        let r = session.get("/capaciteitsplanner").await;
        r.bytes().await?;
        times.push(t.elapsed());
    }
    if !times.is_empty() {
        let (median, p99) = spread(times);
        eprintln!(
            "capaciteitsplanner na wijziging: {} / {}",
            ms(median),
            ms(p99)
        );
        rows.push(Row {
            what: "capaciteitsplanner na een wijziging (kalibreren en naspelen)".into(),
            median: ms(median),
            p99: ms(p99),
            target: "≤ 2 s + naspelen".into(),
        });
    }

    // Peak memory above the baseline while one report is served.
    let mut peaks = Vec::new();
    for _ in 0..if wanted("geheugen") { runs } else { 0 } {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let baseline = ALLOCATED.current_usage();
        ALLOCATED.reset_peak_usage();
        let r = session.get(MEMORY_REPORT).await;
        r.bytes().await?;
        peaks.push(ALLOCATED.peak_usage().saturating_sub(baseline));
    }
    peaks.sort();
    let mb = |b: usize| format!("{:.1} MB", b as f64 / 1_000_000.0);
    if !peaks.is_empty() {
        eprintln!(
            "geheugen per rapport: {} / {}",
            mb(peaks[peaks.len() / 2]),
            mb(*peaks.last().unwrap_or(&0))
        );
        rows.push(Row {
            what: format!("extra geheugen per rapport ({MEMORY_REPORT})"),
            median: mb(peaks[peaks.len() / 2]),
            p99: mb(*peaks.last().unwrap_or(&0)),
            target: MEMORY_TARGET.into(),
        });
    }

    if wanted("plaatsingen") {
        // Placements by several coordinators while reports run.
        let api = reqwest::Client::new();
        let municipalities = nabij_app::geography::municipalities(&app).await?;
        let mut referrals = Vec::new();
        for i in 0..PLACING_CLIENTS * PLACEMENTS_PER_CLIENT {
            let m = &municipalities[(i * 7919) % municipalities.len()];
            let body = serde_json::json!({
                "first_name": "Bench",
                "last_name": format!("Plaatsing {i}"),
                "gender": "man",
                "household_size": 1,
                "own_municipality_id": m.id.0,
                "source": "sociaal_team",
                "urgency": "normaal",
                "situation": "Benchmark: plaatsing onder rapportagelast.",
            });
            let r = api
                .post(format!("{address}/api/v1/referrals"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await?;
            anyhow::ensure!(r.status() == 201, "intake: {}", r.text().await?);
            let v: serde_json::Value = r.json().await?;
            referrals.push(v["id"].as_i64().unwrap_or_default());
        }
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut reporters = Vec::new();
        for _ in 0..REPORTING_CLIENTS {
            let (session, stop) = (session.clone(), stop.clone());
            reporters.push(tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = session.get(MEMORY_REPORT).await;
                    let _ = r.bytes().await;
                }
            }));
        }
        let mut placers = Vec::new();
        for chunk in referrals.chunks(PLACEMENTS_PER_CLIENT) {
            let (api, token, address, chunk) =
                (api.clone(), token.clone(), address.clone(), chunk.to_vec());
            placers.push(tokio::spawn(async move {
                let mut times = Vec::new();
                let mut refused = 0;
                for id in chunk {
                    let Ok(r) = api
                        .get(format!("{address}/api/v1/referrals/{id}/proposals"))
                        .bearer_auth(&token)
                        .send()
                        .await
                    else {
                        continue;
                    };
                    let v: serde_json::Value = r.json().await.unwrap_or_default();
                    let Some(home) = v["proposals"][0]["home"].as_i64() else {
                        refused += 1;
                        continue;
                    };
                    let t = Instant::now();
                    let r = api
                        .post(format!("{address}/api/v1/referrals/{id}/placement"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({ "home_id": home }))
                        .send()
                        .await;
                    let elapsed = t.elapsed();
                    match r {
                        Ok(r) if r.status() == 201 => times.push(elapsed),
                        _ => refused += 1,
                    }
                }
                (times, refused)
            }));
        }
        let mut times = Vec::new();
        let mut refused = 0;
        for p in placers {
            let (t, r) = p.await?;
            times.extend(t);
            refused += r;
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for r in reporters {
            r.await?;
        }
        if times.is_empty() {
            rows.push(Row {
                what: "plaatsingen onder rapportagelast".into(),
                median: "n/a".into(),
                p99: "n/a".into(),
                target: PLACEMENT_TARGET.into(),
            });
        } else {
            let placed = times.len();
            let (median, p99) = spread(times);
            eprintln!(
                "plaatsingen: {} / {} ({placed} geplaatst, {refused} niet)",
                ms(median),
                ms(p99)
            );
            rows.push(Row {
                what: format!(
                    "plaatsingen, {PLACING_CLIENTS} tegelijk, {REPORTING_CLIENTS} rapporten lopend ({placed} geplaatst)"
                ),
                median: ms(median),
                p99: ms(p99),
                target: PLACEMENT_TARGET.into(),
            });
        }
    }

    let mut table = format!(
        "# Nabij national benchmark ({backend}, {runs} runs, {})\n\n\
         | what | median | p99 | target |\n| --- | ---: | ---: | --- |\n",
        Timestamp::now().strftime("%Y-%m-%d %H:%M UTC")
    );
    for r in &rows {
        table.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r.what, r.median, r.p99, r.target
        ));
    }
    println!("{table}");
    let out = workspace_target()
        .join("bench")
        .join(format!("national-{backend}.md"));
    std::fs::create_dir_all(out.parent().unwrap_or(&workspace_target()))?;
    std::fs::write(&out, &table)?;
    eprintln!("Geschreven naar {}", out.display());
    Ok(())
}
