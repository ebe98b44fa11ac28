//! Capacity planning use cases: calibrate a scenario on the network's own history, and run
//! the planner on it without starving the rest of the application.
//!
//! **Caching.** Calibrating reads the whole history; the planner page would do it on every
//! visit. [`cached`] keeps the calibrated starting point per organisation in the [`App`]
//! and reuses it while a data fingerprint is unchanged and for that day only: the highest
//! ids of stays, referrals, homes, places, home changes and blocks, the number of running
//! stays, and a revision a trigger counts up whenever a stay's start, ready or exit date or
//! destination changes (each a primary-key or index lookup), and the outflow supply: the
//! highest offer id and the numbers of withdrawn offers and of lease flips made. A
//! placement, an exit, a ready date set or moved, a new referral, a new or changed home or
//! place, a block set or ended, or an offer registered or withdrawn or a lease flipped
//! changes the fingerprint. `nabij plan calibrate` always calibrates afresh
//! ([`calibrated`]).
//!
//! A simulation is a pure function of its scenario and run settings (it is seeded), so
//! [`simulate_scenario`] keeps the last few reports and answers the same what-if, above all
//! the page's first view of the calibrated network, without simulating again. A changed
//! calibration is a changed scenario, so a report is never reused for other data.

use crate::{App, AppError, Caller};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::access::Role;
use nabij_domain::stay::days_between;
use nabij_planner::calibrate::{AreaHistory, Calibration, History, StayHistory, calibrate};
use nabij_planner::scenario::RunSettings;
use nabij_planner::size::{Sizing, size};
use nabij_planner::{Network, Report, RunOptions, simulate};
use nabij_store::capacity::CapacityFingerprint;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// Calibrated starting points per organisation, reused while the data is unchanged, and
/// the reports of the last simulations.
#[derive(Debug, Clone, Default)]
pub struct Cache {
    entries: Arc<Mutex<HashMap<i64, Cached>>>,
    reports: Arc<Mutex<KeptReports>>,
    /// The dashboard's free places per municipality, per organisation, with the day and
    /// the fingerprint they were counted on (see [`crate::dashboard`]).
    pub(crate) free_places: Arc<Mutex<HashMap<i64, FreePlaces>>>,
}

/// Free places per municipality as counted on a day, with the data fingerprint then.
#[derive(Debug, Clone)]
pub(crate) struct FreePlaces {
    pub day: Date,
    pub fingerprint: CapacityFingerprint,
    pub rows: Arc<Vec<nabij_store::geography::MunicipalityFree>>,
}

/// Simulation reports by what was simulated (the scenario as JSON and the run settings),
/// oldest first.
type KeptReports = VecDeque<(String, Arc<Report>)>;

/// How many simulation reports are kept (each a few hundred kilobytes at national scale).
pub const REPORTS_KEPT: usize = 16;

/// A calibration, when it was made, and what it was made from.
#[derive(Debug, Clone)]
pub struct Cached {
    pub calibration: Arc<Calibration>,
    /// When it was calibrated (the page says so).
    pub at: Timestamp,
    day: Date,
    fingerprint: CapacityFingerprint,
}

/// The calibrated scenario of the caller's organisation: the cached one while nothing it
/// rests on has changed today, else calibrated afresh and cached.
#[tracing::instrument(skip_all, fields(provider = caller.provider.0))]
pub async fn cached(app: &App, caller: &Caller) -> Result<Cached, AppError> {
    require_planner_role(caller)?;
    let today = app.clock.today();
    let fingerprint = app.db.capacity_fingerprint().await?;
    let org = caller.provider.0;
    if let Some(hit) = app
        .planner_cache
        .entries
        .lock()
        .expect("the planner cache is never poisoned")
        .get(&org)
        .filter(|c| c.day == today && c.fingerprint == fingerprint)
    {
        return Ok(hit.clone());
    }
    let fresh = Cached {
        calibration: Arc::new(calibrated(app, caller).await?),
        at: app.clock.now(),
        day: today,
        fingerprint,
    };
    app.planner_cache
        .entries
        .lock()
        .expect("the planner cache is never poisoned")
        .insert(org, fresh.clone());
    Ok(fresh)
}

fn require_planner_role(caller: &Caller) -> Result<(), AppError> {
    if caller.acts_as(Role::Coordinator) || caller.acts_as(Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "de capaciteitsplanner is voor coördinatoren en beheerders".into(),
        ))
    }
}

/// The most municipalities × years × runs one what-if may simulate.
pub const MAX_AREA_YEAR_RUNS: u64 = 40_000;
/// The most arrivals (all municipalities, all years, all runs) one what-if may simulate.
pub const MAX_ARRIVALS: f64 = 30_000_000.0;
/// Runs and years a what-if may ask for at most.
pub const MAX_RUNS: u32 = 1_000;
pub const MAX_YEARS: u32 = 50;

/// Simulations a sizing may run at most: it simulates again after each added place.
pub const SIZING_EVALUATIONS: u64 = 2;

/// Whether sizing (which simulates many times) fits the bounds with these settings; when
/// the runs were not asked for (`chosen`), fewer are taken so that it does.
pub fn sizing_fits(scenario: &mut nabij_planner::Scenario, chosen: bool) -> Result<(), String> {
    let areas = scenario.municipalities.len().max(1) as u64;
    let years = ((scenario.run.horizon_days - scenario.run.warmup_days) / 365.0).ceil() as u64;
    let fitting = MAX_AREA_YEAR_RUNS / (areas * years.max(1) * SIZING_EVALUATIONS);
    if !chosen && fitting >= 2 {
        scenario.run.replications = scenario.run.replications.min(fitting as u32);
    }
    let runs = scenario.run.replications as u64;
    if areas * years * runs * SIZING_EVALUATIONS > MAX_AREA_YEAR_RUNS {
        return Err(format!(
            "Zoeken naar de kleinste uitbreiding is te groot voor {areas} gemeenten × {years} jaar × \
             {runs} keer naspelen: het speelt het netwerk vele keren na. Kies hoogstens {} keer \
             naspelen of minder jaren.",
            (MAX_AREA_YEAR_RUNS / (areas * years.max(1) * SIZING_EVALUATIONS)).max(1)
        ));
    }
    Ok(())
}

/// How long and how often a what-if is simulated: as asked, or (when not asked) as many
/// runs as fit the bounds, at most the default. Too large an ask is refused in Dutch.
pub fn run_settings(
    scenario: &nabij_planner::Scenario,
    runs: Option<u32>,
    years: Option<u32>,
) -> Result<RunSettings, String> {
    let defaults = RunSettings::default();
    let years = years.unwrap_or(((defaults.horizon_days - defaults.warmup_days) / 365.0) as u32);
    if !(1..=MAX_YEARS).contains(&years) {
        return Err(format!("Kies 1 tot en met {MAX_YEARS} jaar."));
    }
    let areas = scenario.municipalities.len().max(1) as u64;
    let per_day: f64 = scenario.municipalities.iter().map(|m| m.lambda).sum();
    let horizon_days = defaults.warmup_days + 365.0 * years as f64;
    let arrivals_per_run = per_day * horizon_days;
    let fits = |r: u32| {
        areas * years as u64 * r as u64 <= MAX_AREA_YEAR_RUNS
            && arrivals_per_run * r as f64 <= MAX_ARRIVALS
    };
    let replications = match runs {
        Some(r) if !(1..=MAX_RUNS).contains(&r) => {
            return Err(format!("Kies 1 tot en met {MAX_RUNS} keer naspelen."));
        }
        Some(r) if !fits(r) => {
            return Err(format!(
                "Deze doorrekening is te groot: {areas} gemeenten × {years} jaar × {r} keer naspelen \
                 ({} aanmeldingen). Het kan hoogstens {} (gemeenten × jaren × keren) en {} \
                 aanmeldingen; kies minder jaren of minder keren naspelen.",
                nabij_domain::table::thousands((arrivals_per_run * r as f64) as i64),
                nabij_domain::table::thousands(MAX_AREA_YEAR_RUNS as i64),
                nabij_domain::table::thousands(MAX_ARRIVALS as i64),
            ));
        }
        Some(r) => r,
        None => {
            let mut r = defaults.replications;
            while r > 2 && !fits(r) {
                r -= 1;
            }
            if !fits(r) {
                return Err(format!(
                    "Deze doorrekening is te groot: {areas} gemeenten × {years} jaar is zelfs twee keer \
                     naspelen te veel; kies minder jaren."
                ));
            }
            r
        }
    };
    Ok(RunSettings {
        horizon_days,
        replications,
        ..defaults
    })
}

/// One planner run at a time: a simulation uses every core, and placements must stay quick.
static PLANNER: Semaphore = Semaphore::const_new(1);

/// A scenario calibrated on the caller's provider's history up to today, named after that
/// day. Aggregates only: coordinators, administrators and the system.
#[tracing::instrument(skip_all, fields(provider = caller.provider.0))]
pub async fn calibrated(app: &App, caller: &Caller) -> Result<Calibration, AppError> {
    require_planner_role(caller)?;
    let today = app.clock.today();
    let h = app.db.capacity_history(caller.provider.0, today).await?;
    let epoch = jiff::civil::date(2000, 1, 1);
    let day = |d| days_between(epoch, d);
    let index: HashMap<_, usize> = h
        .municipalities
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id, i))
        .collect();
    let history = History {
        areas: h
            .municipalities
            .iter()
            .map(|m| AreaHistory {
                id: m
                    .code
                    .clone()
                    .unwrap_or_else(|| format!("gemeente-{}", m.id)),
                name: m.name.clone(),
                lat: m.lat,
                lon: m.lon,
                places: u32::try_from(m.places).unwrap_or(0),
                referrals: u64::try_from(m.referrals).unwrap_or(0),
            })
            .collect(),
        central_places: u32::try_from(h.central_places).unwrap_or(0),
        first_day: h.first_referral.map_or(day(today), day),
        today: day(today),
        stays: h
            .stays
            .iter()
            .filter_map(|s| {
                Some(StayHistory {
                    own_area: *index.get(&s.own_municipality)?,
                    start: day(s.start),
                    ready: s.ready_on.map(day),
                    exit: s.exit.map(day),
                    to_home: s.destination.is_some_and(|d| d.is_own_home()),
                })
            })
            .collect(),
    };
    let cal = calibrate(&history, &format!("Gekalibreerd op {today}"))
        .map_err(|e| AppError::NoHistory(e.to_string()))?;
    let ids: Vec<_> = h.municipalities.iter().map(|m| m.id).collect();
    crate::outflow::with_offer_supply(app, caller.provider.0, &ids, today, cal).await
}

/// Simulates on a blocking thread, one run at a time.
#[tracing::instrument(skip_all)]
pub async fn simulate_network(net: Network, options: RunOptions) -> Report {
    let _turn = PLANNER
        .acquire()
        .await
        .expect("the planner semaphore is never closed");
    tokio::task::spawn_blocking(move || simulate(&net, options, &|_| {}))
        .await
        .expect("a simulation does not panic")
}

/// The report of a scenario simulated with these options: the one kept from an earlier
/// run of exactly this scenario and these options when there is one, else simulated (on a
/// blocking thread, one run at a time) and kept.
#[tracing::instrument(skip_all)]
pub async fn simulate_scenario(
    app: &App,
    scenario: &nabij_planner::Scenario,
    options: RunOptions,
) -> Result<Arc<Report>, nabij_planner::scenario::ScenarioError> {
    let net = scenario.network()?;
    // The scenario as its file says it, and what the options change of the outcome.
    let key = format!(
        "{}|{}|{}",
        serde_json::to_string(scenario).unwrap_or_default(),
        options.replications,
        options.seed
    );
    let kept = || {
        app.planner_cache
            .reports
            .lock()
            .expect("the planner cache is never poisoned")
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, r)| r.clone())
    };
    if let Some(report) = kept() {
        return Ok(report);
    }
    let report = Arc::new(simulate_network(net, options).await);
    let mut reports = app
        .planner_cache
        .reports
        .lock()
        .expect("the planner cache is never poisoned");
    if !reports.iter().any(|(k, _)| *k == key) {
        if reports.len() >= REPORTS_KEPT {
            reports.pop_front();
        }
        reports.push_back((key, report.clone()));
    }
    Ok(report)
}

/// Sizes on a blocking thread, one run at a time.
#[tracing::instrument(skip_all)]
pub async fn size_network(net: Network, target: f64, options: RunOptions) -> Sizing {
    let _turn = PLANNER
        .acquire()
        .await
        .expect("the planner semaphore is never closed");
    tokio::task::spawn_blocking(move || size(&net, target, options, &|_| {}))
        .await
        .expect("a sizing does not panic")
        .expect("the target is checked before sizing")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(areas: usize) -> nabij_planner::Scenario {
        let mut s = nabij_planner::Scenario::from_json(include_str!(
            "../../planner/tests/data/ring20.json"
        ))
        .unwrap();
        let first = s.municipalities[0].clone();
        s.municipalities = (0..areas)
            .map(|i| nabij_planner::scenario::Municipality {
                id: format!("m{i}"),
                ..first.clone()
            })
            .collect();
        s
    }

    #[test]
    fn a_small_network_is_simulated_as_usual() {
        let run = run_settings(&network(20), None, None).unwrap();
        assert_eq!(run.replications, RunSettings::default().replications);
        assert_eq!(run.horizon_days, RunSettings::default().horizon_days);
    }

    #[test]
    fn a_national_network_is_simulated_fewer_times_by_default() {
        let run = run_settings(&network(342), None, None).unwrap();
        assert!((2..100).contains(&run.replications), "{}", run.replications);
        let years = ((run.horizon_days - run.warmup_days) / 365.0) as u64;
        assert!(342 * years * run.replications as u64 <= MAX_AREA_YEAR_RUNS);
    }

    #[test]
    fn too_large_a_what_if_is_refused_in_dutch() {
        let e = run_settings(&network(342), Some(100), Some(10)).unwrap_err();
        assert!(e.starts_with("Deze doorrekening is te groot"), "{e}");
        assert!(run_settings(&network(2), Some(0), None).is_err());
        assert!(run_settings(&network(2), None, Some(51)).is_err());
        let mut s = network(342);
        s.run = run_settings(&s, Some(20), Some(5)).unwrap();
        assert!(sizing_fits(&mut s, true).is_err());
        assert!(sizing_fits(&mut s, false).is_ok());
    }
}
