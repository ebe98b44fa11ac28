//! Load generator: placements through the HTTP API on SQLite, many concurrent clients.
//!
//! `cargo run --release -p nabij --example placement_load -- [CLIENTS] [REFERRALS] [SECONDS]`
//! (defaults 64, 16000, 30). Loopback only; stops after REFERRALS placements were tried or
//! SECONDS passed, whichever comes first. Reports throughput, latency percentiles and checks
//! that no place or person was booked twice.

use jiff::Timestamp;
use nabij_app::{App, Clock};
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_domain::ids::HomeId;
use nabij_domain::person::{Gender, HouseholdSize, Needs};
use nabij_domain::referral::{ReferralSource, Urgency};
use nabij_store::homes::NewHome;
use nabij_store::persons::NewPerson;
use nabij_store::referrals::NewReferral;
use nabij_store::stays::StayFilter;
use nabij_store::{Db, DbOptions};
use nabij_web::{Application, WebState};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let clients = *args.first().unwrap_or(&64);
    let referrals = *args.get(1).unwrap_or(&16_000);
    let seconds = *args.get(2).unwrap_or(&30) as u64;
    let dir = tempfile::tempdir()?;
    let mut opts = DbOptions::new(format!("sqlite:{}", dir.path().join("load.db").display()));
    // Read connections: each is a thread; on two cores a few are enough.
    opts.max_connections = std::env::var("NABIJ_READ_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let db = Db::connect(&opts).await?;
    let now: Timestamp = "2026-03-02T10:00:00Z".parse()?;

    // 5,000 homes in 125 municipalities, 4 places each: 20,000 places; random homes, so late
    // placements find some homes full and conflicts happen, as on a busy night.
    let mut homes = Vec::new();
    let mut munis = Vec::new();
    for m in 0..125 {
        let lat = 50.8 + (m as f64) * 0.02;
        let muni = db
            .create_municipality(
                None,
                None,
                &format!("Gemeente {m}"),
                GeoPoint { lat, lon: 5.0 },
            )
            .await?;
        let buurt = db
            .create_neighbourhood(
                muni,
                None,
                &format!("Buurt {m}"),
                GeoPoint { lat, lon: 5.0 },
            )
            .await?;
        munis.push((muni, buurt));
        for h in 0..40 {
            let home = NewHome {
                organisation_id: 1,
                name: format!("Huis {m}-{h}"),
                kind: HomeKind::Pitstop,
                address: "Straat 1".into(),
                neighbourhood: buurt,
                point: None,
                rules: HouseRules::default(),
                max_stay_months: 6,
                landlord: None,
                places: 4,
                opened_on: None,
            };
            homes.push(db.create_home(&home, now).await?);
        }
    }
    let mut ids = Vec::with_capacity(referrals);
    for i in 0..referrals {
        let (muni, buurt) = munis[i % munis.len()];
        let person = NewPerson {
            organisation_id: 1,
            first_name: format!("P{i}"),
            last_name: "Test".into(),
            gender: Gender::Unknown,
            date_of_birth: None,
            bsn: None,
            phone: None,
            household: HouseholdSize::new(1)?,
            needs: Needs::default(),
            own_municipality: muni,
            own_neighbourhood: Some(buurt),
            avoid: vec![],
        };
        let r = NewReferral {
            organisation_id: 1,
            referred_by: None,
            source: ReferralSource::Other,
            urgency: Urgency::Normal,
            situation: "Belastingtest".into(),
        };
        let setup = nabij_store::audit::Actor::system("placement_load", now);
        ids.push(db.create_referral(&person, &r, now, &setup).await?.1);
    }
    println!(
        "setup: {} homes, {} places, {} referrals",
        homes.len(),
        homes.len() * 4,
        ids.len()
    );

    // The clients place as a coordinator, with a personal API key.
    let coordinator = db
        .create_user(
            &nabij_store::accounts::NewUser {
                organisation_id: 1,
                username: "load".into(),
                display_name: "Belastingtest".into(),
                phone: None,
                role: nabij_domain::access::Role::Coordinator,
                password_hash: nabij_app::secrets::hash_password("belastingtest-wachtwoord"),
            },
            now,
        )
        .await?;
    let token = format!("nbj_{}", nabij_app::secrets::random_hex(32));
    db.create_api_token(
        coordinator,
        "load",
        &nabij_app::secrets::token_hash(&token),
        now,
    )
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let app = Application::new(
        listener,
        WebState::new(App::new(db.clone(), Clock::fixed(now))),
    );
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());

    let next = Arc::new(AtomicUsize::new(0));
    let ids = Arc::new(ids);
    let homes: Arc<Vec<HomeId>> = Arc::new(homes);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (next, ids, homes, base, token) = (
            next.clone(),
            ids.clone(),
            homes.clone(),
            base.clone(),
            token.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut lat = Vec::new();
            let (mut placed, mut conflict, mut other) = (0usize, 0usize, 0usize);
            let mut seed = c as u64 * 7919 + 1;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= ids.len() || Instant::now() >= deadline {
                    break;
                }
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let home = homes[(seed >> 33) as usize % homes.len()];
                let t = Instant::now();
                let r = client
                    .post(format!("{base}/api/v1/referrals/{}/placement", ids[i]))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"home_id": home.0}))
                    .send()
                    .await;
                lat.push(t.elapsed());
                match r.map(|r| r.status().as_u16()) {
                    Ok(201) => placed += 1,
                    Ok(409) => conflict += 1,
                    _ => other += 1,
                }
            }
            (lat, placed, conflict, other)
        }));
    }
    let (mut lat, mut placed, mut conflict, mut other) = (Vec::new(), 0, 0, 0);
    for t in tasks {
        let (l, p, c, o) = t.await?;
        lat.extend(l);
        placed += p;
        conflict += c;
        other += o;
    }
    let elapsed = started.elapsed().as_secs_f64();
    lat.sort();
    let pct = |q: f64| lat[((lat.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    println!(
        "clients {clients}: {} requests in {elapsed:.2} s",
        lat.len()
    );
    println!("placed {placed}, conflicts (home full) {conflict}, other {other}");
    println!(
        "throughput: {:.0} placements/s, {:.0} requests/s",
        placed as f64 / elapsed,
        lat.len() as f64 / elapsed
    );
    println!(
        "latency ms: p50 {:.2}, p90 {:.2}, p99 {:.2}, max {:.2}",
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0)
    );

    // Zero double bookings: every 201 is one active stay, and no home holds more stays than places.
    let active = db
        .stays(StayFilter {
            active: Some(true),
            ..Default::default()
        })
        .await?;
    let per_home = active.iter().fold(
        std::collections::HashMap::<HomeId, usize>::new(),
        |mut m, s| {
            *m.entry(s.home_id).or_default() += 1;
            m
        },
    );
    let overbooked = per_home.values().filter(|n| **n > 4).count();
    println!(
        "active stays {} (= placed: {}), homes over capacity: {overbooked}",
        active.len(),
        active.len() == placed
    );
    anyhow::ensure!(
        active.len() == placed && overbooked == 0 && other == 0,
        "double booking or errors"
    );
    Ok(())
}
