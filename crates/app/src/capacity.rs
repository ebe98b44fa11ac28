//! Capacity planning use cases: calibrate a scenario on the network's own history, and run
//! the planner on it without starving the rest of the application.

use crate::{App, AppError, Caller};
use nabij_domain::access::Role;
use nabij_domain::stay::days_between;
use nabij_planner::calibrate::{AreaHistory, Calibration, History, StayHistory, calibrate};
use nabij_planner::size::{Sizing, size};
use nabij_planner::{Network, Report, RunOptions, simulate};
use std::collections::HashMap;
use tokio::sync::Semaphore;

/// One planner run at a time: a simulation uses every core, and placements must stay quick.
static PLANNER: Semaphore = Semaphore::const_new(1);

/// A scenario calibrated on the caller's provider's history up to today, named after that
/// day. Aggregates only: coordinators, administrators and the system.
#[tracing::instrument(skip_all, fields(provider = caller.provider.0))]
pub async fn calibrated(app: &App, caller: &Caller) -> Result<Calibration, AppError> {
    if !(caller.acts_as(Role::Coordinator) || caller.acts_as(Role::Admin)) {
        return Err(AppError::Forbidden(
            "de capaciteitsplanner is voor coördinatoren en beheerders".into(),
        ));
    }
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
    calibrate(&history, &format!("Gekalibreerd op {today}"))
        .map_err(|e| AppError::NoHistory(e.to_string()))
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
