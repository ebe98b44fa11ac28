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
//! Reports are computed afresh each time; `NABIJ_BENCH_REPORT_CACHE=1` measures them with
//! the kept reports instead.

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
    // Person 1's file holds 2,000 contacts in the national demo.
    (
        "contactlog 2.000 contacten",
        "/personen/1/contacten",
        "≤ 20 ms",
    ),
    ("begeleiding persoon", "/personen/1/begeleiding", "≤ 20 ms"),
    ("plan persoon", "/personen/1/plan", "≤ 20 ms"),
    ("zrm persoon", "/personen/1/zrm", "≤ 20 ms"),
    ("rapportage herstel", "/rapportage/herstel", "≤ 300 ms"),
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

/// A begeleider's caseload of this many clients is timed.
const CASELOAD: usize = 40;
const CASELOAD_TARGET: &str = "≤ 20 ms";

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
    // Reports are computed afresh on every request unless `NABIJ_BENCH_REPORT_CACHE=1`:
    // the figures without kept reports are the ones that count.
    let app = App::open(&settings, Clock::system()).await?;
    let app = if std::env::var("NABIJ_BENCH_REPORT_CACHE").is_ok_and(|v| v == "1") {
        eprintln!("Rapportages: bewaard tussen verzoeken (tot de gegevens veranderen)");
        app
    } else {
        app.without_report_cache()
    };
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
            email: String::new(),
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

    // A begeleider's caseload: a professional of our own guides 40 people now staying.
    if wanted("caseload") {
        let (id, username, password) = nabij_app::accounts::create_user(
            &app,
            &sys,
            &nabij_app::accounts::NewUserInput {
                username: format!("benchbeg{}", Timestamp::now().as_second()),
                display_name: "Benchmark begeleider".into(),
                phone: String::new(),
                email: String::new(),
                role: "professional".into(),
                organisation_id: Some(1),
                password_is_final: true,
            },
        )
        .await?;
        let running = nabij_app::stays::list(
            &app,
            &sys,
            &nabij_app::stays::StayQuery {
                active: Some(true),
                ..Default::default()
            },
            &nabij_domain::page::PageRequest::first(CASELOAD as u32),
        )
        .await?;
        for s in &running.items {
            nabij_app::persons::assign_professional(&app, &sys, s.stay.person_id, id).await?;
        }
        let professional = common::sign_in(&address, &username, &password, None).await;
        let first = professional.get("/caseload").await;
        let status = first.status();
        first.bytes().await?;
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            let r = professional.get("/caseload").await;
            r.bytes().await?;
            times.push(t.elapsed());
        }
        let (median, p99) = spread(times);
        eprintln!(
            "caseload {}: {} / {} (status {})",
            running.items.len(),
            ms(median),
            ms(p99),
            status.as_u16()
        );
        rows.push(Row {
            what: format!("caseload begeleider ({} cliënten)", running.items.len()),
            median: ms(median),
            p99: ms(p99),
            target: CASELOAD_TARGET.into(),
        });
    }
    outflow_parts(&app, &sys, &address, &session, runs, &wanted, &mut rows).await?;

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

    rows.extend(volunteers(runs, &wanted).await?);

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

/// A small deterministic generator for the volunteers' parts (xorshift).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn interests(&mut self) -> nabij_domain::buddy::Interests {
        nabij_domain::buddy::Interests(
            (self.below(1 << nabij_domain::buddy::Interest::ALL.len())) as u16,
        )
    }
    fn point(&mut self) -> nabij_domain::geo::GeoPoint {
        nabij_domain::geo::GeoPoint {
            lat: 51.5 + self.below(15_000) as f64 / 10_000.0,
            lon: 4.0 + self.below(25_000) as f64 / 10_000.0,
        }
    }
}

/// The volunteers' parts: the best assignment of 1,000 waiting residents to 1,000 free
/// buddy slots, suggestions for one resident among 10,000 buddies (both in the domain, as
/// the use cases call them), and one escalation pass with 100,000 open signals (one
/// statement over the partial index, on a fresh SQLite database).
async fn volunteers(runs: usize, wanted: &dyn Fn(&str) -> bool) -> anyhow::Result<Vec<Row>> {
    use nabij_domain::buddy::{Candidate, MatchPurpose, Wish, best_assignment, suggest};
    let mut rows = Vec::new();
    let mut rng = Lcg(0x5EED_B0DD);
    let wish = |rng: &mut Lcg| Wish {
        purpose: MatchPurpose::ALL[rng.below(3) as usize],
        interests: rng.interests(),
        location: rng.point(),
    };
    let candidate = |rng: &mut Lcg, id: i64| Candidate {
        id,
        interests: rng.interests(),
        location: rng.point(),
        free_slots: 1,
    };
    let mut time = |what: &str, target: &str, f: &mut dyn FnMut()| {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            f();
            times.push(t.elapsed());
        }
        let (median, p99) = spread(times);
        eprintln!("{what}: {} / {}", ms(median), ms(p99));
        rows.push(Row {
            what: what.into(),
            median: ms(median),
            p99: ms(p99),
            target: target.into(),
        });
    };
    if wanted("maatjes toewijzing") {
        let wishes: Vec<Wish> = (0..1000).map(|_| wish(&mut rng)).collect();
        let cands: Vec<Candidate> = (0..1000).map(|i| candidate(&mut rng, i)).collect();
        time(
            "maatjes toewijzing 1.000 × 1.000",
            "≤ 500 ms",
            &mut || {
                std::hint::black_box(best_assignment(&wishes, &cands));
            },
        );
    }
    if wanted("maatjes suggesties") {
        let w = wish(&mut rng);
        let cands: Vec<Candidate> = (0..10_000).map(|i| candidate(&mut rng, i)).collect();
        time("maatjes suggesties uit 10.000", "≤ 10 ms", &mut || {
            std::hint::black_box(suggest(&w, &cands, 10));
        });
    }
    if wanted("escalatie") {
        rows.push(escalation_pass(runs).await?);
    }
    Ok(rows)
}

async fn escalation_pass(runs: usize) -> anyhow::Result<Row> {
    use jiff::SignedDuration;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("signals.db");
    let db = nabij_store::Db::connect(&nabij_store::DbOptions::new(format!(
        "sqlite:{}",
        path.display()
    )))
    .await?;
    let at = nabij_domain::geo::GeoPoint {
        lat: 52.09,
        lon: 5.12,
    };
    let (_, n) = common::town(&db, ("GM0344", "Utrecht"), ("BU03440000", "Centrum"), at).await;
    let now = Timestamp::now();
    let home = db
        .create_home(&common::pitstop("Pitstop", n, 4), now)
        .await?;
    // 100,000 open signals, due over the next 30 days; 1,000 due already.
    {
        let mut conn = rusqlite::Connection::open(&path)?;
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO signals (organisation_id, home_id, filed_by_role, category, urgency, text, filed_at, due_at) \
                 VALUES (1, ?1, 'main_resident', 'other', 'low', 'benchmark', ?2, ?3)",
            )?;
            let text = |t: Timestamp| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
            for i in 0..100_000i64 {
                let due = if i < 1000 {
                    now - SignedDuration::from_mins(1 + i % 60)
                } else {
                    now + SignedDuration::from_secs(i * 26)
                };
                insert.execute(rusqlite::params![home.0, text(now), text(due)])?;
            }
        }
        tx.commit()?;
    }
    let mut times = Vec::new();
    let mut first = 0;
    for run in 0..runs.max(2) {
        let t = Instant::now();
        let done = db
            .escalate_due_signals(now + SignedDuration::from_mins(run as i64))
            .await?;
        times.push(t.elapsed());
        if run == 0 {
            first = done.len();
        }
    }
    let (median, p99) = spread(times);
    eprintln!(
        "escalatie: {} / {} (eerste ronde {first} geëscaleerd)",
        ms(median),
        ms(p99)
    );
    Ok(Row {
        what: format!("escalatieronde, 100.000 open signalen (eerste ronde {first} geëscaleerd)"),
        median: ms(median),
        p99: ms(p99),
        target: "≤ 100 ms".into(),
    })
}

/// Chain and outflow: ranking the ready persons for one offer (the use case, as the offer
/// page calls it) and a municipality's aggregate page over 12 months (HTTP, as its policy
/// officer opens it).
async fn outflow_parts(
    app: &App,
    sys: &Caller,
    address: &str,
    coordinator: &common::Session,
    runs: usize,
    wanted: &dyn Fn(&str) -> bool,
    rows: &mut Vec<Row>,
) -> anyhow::Result<()> {
    use nabij_domain::outflow::PartnerKind;
    let ranking = "woningaanbod: kandidaten rangschikken voor één aanbod";
    let figures = "ketencijfers: gemeente, 12 maanden";
    if !wanted(ranking) && !wanted(figures) {
        return Ok(());
    }
    let stamp = Timestamp::now().as_second();
    let municipalities = nabij_app::geography::municipalities(app).await?;
    let Some(m) = municipalities.first() else {
        return Ok(());
    };
    if wanted(ranking) {
        // An open offer of a corporation of our own, in the first municipality.
        let corporation = nabij_app::accounts::create_organisation(
            app,
            sys,
            &format!("Bench corporatie {stamp}"),
        )
        .await?;
        nabij_app::partners::set_kind(app, sys, corporation, PartnerKind::HousingCorporation, &[])
            .await?;
        let today = app.clock().today();
        let quota = nabij_app::outflow::set_quota(
            app,
            sys,
            &nabij_app::outflow::QuotaInput {
                corporation_id: corporation.0,
                municipality_id: m.id.0,
                year: today.year() as i64,
                total: 10,
            },
        )
        .await?;
        let offer = nabij_app::outflow::register_offer(
            app,
            sys,
            &nabij_app::outflow::OfferInput {
                corporation_id: Some(corporation.0),
                quota_id: quota.id.0,
                address: "Benchmarkstraat 1".into(),
                municipality_id: m.id.0,
                neighbourhood_id: None,
                rooms: 2,
                rent_euros: 700,
                accessible: false,
                no_pets: false,
                available_from: today.to_string(),
            },
        )
        .await?;
        // Through the route the offer's page and the API use: every ready person ranked,
        // the 25 best shown with their sentence (as on the offer's page), each one logged
        // as read. Asking for all of them logs a read of every ready person.
        let path = format!("/api/v1/offers/{}/candidates?limit=25", offer.id);
        let first = coordinator.get(&path).await;
        anyhow::ensure!(first.status() == 200, "{path}: {}", first.status());
        let mut found = first
            .json::<serde_json::Value>()
            .await?
            .as_array()
            .map_or(0, Vec::len);
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let r = coordinator.get(&path).await;
            let body = r.bytes().await?;
            times.push(t.elapsed());
            found = serde_json::from_slice::<serde_json::Value>(&body)?
                .as_array()
                .map_or(0, Vec::len);
        }
        let (median, p99) = spread(times);
        eprintln!(
            "{ranking}: {} / {} ({found} kandidaten)",
            ms(median),
            ms(p99)
        );
        rows.push(Row {
            what: format!("{ranking} ({found} kandidaten)"),
            median: ms(median),
            p99: ms(p99),
            target: "≤ 20 ms".into(),
        });
        nabij_app::outflow::withdraw(
            app,
            sys,
            offer.id,
            &nabij_app::outflow::WithdrawInput {
                reason: "Benchmark".into(),
            },
        )
        .await?;
    }
    if wanted(figures) {
        // A municipality's policy officer, covering the first municipality.
        let gemeente =
            nabij_app::accounts::create_organisation(app, sys, &format!("Bench gemeente {stamp}"))
                .await?;
        nabij_app::partners::set_kind(app, sys, gemeente, PartnerKind::Municipality, &[m.id])
            .await?;
        let (_, username, password) = nabij_app::accounts::create_user(
            app,
            sys,
            &nabij_app::accounts::NewUserInput {
                username: format!("benchgemeente{stamp}"),
                display_name: "Benchmark gemeente".into(),
                phone: String::new(),
                email: String::new(),
                role: "partner".into(),
                organisation_id: Some(gemeente.0),
                password_is_final: true,
            },
        )
        .await?;
        let officer = common::sign_in(address, &username, &password, None).await;
        let first = officer.get("/ketencijfers").await;
        anyhow::ensure!(first.status() == 200, "ketencijfers: {}", first.status());
        first.bytes().await?;
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            officer.get("/ketencijfers").await.bytes().await?;
            times.push(t.elapsed());
        }
        let (median, p99) = spread(times);
        eprintln!("{figures} ({}): {} / {}", m.name, ms(median), ms(p99));
        rows.push(Row {
            what: format!("{figures} ({})", m.name),
            median: ms(median),
            p99: ms(p99),
            target: "≤ 100 ms".into(),
        });
    }
    Ok(())
}
