//! Reports: the measures of domain.md §7 over a period, for the organisation's own network.
//!
//! **The rule of this area:** reports are aggregates for coordinators and administrators;
//! they name no one.

use crate::dashboard::NoPlaceCount;
use crate::{App, AppError, Caller, Result};
use jiff::ToSpan;
use jiff::civil::Date;
use nabij_domain::access::Role;
use nabij_domain::measures::{
    PlacementMeasures, StayMeasures, occupancy, placement_measures, stay_measures,
};

pub use nabij_store::reports::HomeOccupancy;

/// The measures over the last `months` months up to today.
#[derive(Debug, Clone)]
pub struct Report {
    pub from: Date,
    pub today: Date,
    pub placement: PlacementMeasures,
    pub stays: StayMeasures,
    /// Per home: the row and its occupancy share.
    pub occupancy: Vec<(HomeOccupancy, Option<f64>)>,
    pub no_place: Vec<NoPlaceCount>,
}

/// The periods a report can cover, in months.
pub const PERIODS: [i64; 4] = [3, 6, 12, 24];

#[tracing::instrument(skip_all, fields(months))]
pub async fn report(app: &App, caller: &Caller, months: i64) -> Result<Report> {
    if !(caller.acts_as(Role::Coordinator) || caller.acts_as(Role::Admin)) {
        return Err(AppError::Forbidden(
            "rapportage is voor coördinatoren en beheerders".into(),
        ));
    }
    let months = if PERIODS.contains(&months) {
        months
    } else {
        12
    };
    let org = caller.provider.0;
    let today = app.clock.today();
    let from = today.saturating_sub(months.months());
    let tz = app.clock.tz().clone();
    let now = app.clock.now();
    let from_ts = tz
        .to_timestamp(from.to_datetime(jiff::civil::Time::midnight()))
        .unwrap_or(now);
    let placement = placement_measures(&app.db.placement_facts(org, from_ts, now, &tz).await?);
    let facts: Vec<_> = app
        .db
        .stay_facts(org)
        .await?
        .into_iter()
        .filter(|s| s.exit.is_none_or(|(d, _)| d >= from))
        .collect();
    let stays = stay_measures(&facts, today);
    let occupancy = app
        .db
        .occupancy_by_home(org, from, today)
        .await?
        .into_iter()
        .map(|o| {
            let share = occupancy(o.occupied_nights, o.place_nights, o.blocked_nights);
            (o, share)
        })
        .collect();
    Ok(Report {
        from,
        today,
        placement,
        stays,
        occupancy,
        no_place: app.db.no_place_counts(org, from_ts).await?,
    })
}
