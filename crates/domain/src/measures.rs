//! Measures (§7): what "experimenting and improving" looks at. Pure functions over plain
//! records; the store fetches the records, the web layer shows the numbers.

use crate::placement::Proximity;
use crate::stay::{Destination, DestinationClass, days_between};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

/// Median, 90th percentile and mean of a sample; `None` fields for an empty sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Summary {
    pub count: usize,
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub mean: Option<f64>,
}

impl Summary {
    pub fn of(mut values: Vec<f64>) -> Self {
        values.retain(|v| v.is_finite());
        if values.is_empty() {
            return Summary::default();
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        Summary {
            count: n,
            median: Some(quantile(&values, 0.5)),
            p90: Some(quantile(&values, 0.9)),
            mean: Some(values.iter().sum::<f64>() / n as f64),
        }
    }
}

/// Linear-interpolated quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Share `part / whole`, `None` when there is nothing to divide.
pub fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// One placement as the measures see it.
#[derive(Debug, Clone, Copy)]
pub struct PlacementFact {
    pub received: jiff::Timestamp,
    pub placed: jiff::Timestamp,
    pub received_on: Date,
    pub placed_on: Date,
    pub proximity: Proximity,
    pub distance_km: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PlacementMeasures {
    /// Hours from referral to placement.
    pub hours_to_place: Summary,
    pub placed_same_day: Option<f64>,
    pub own_neighbourhood: Option<f64>,
    pub own_municipality: Option<f64>,
    pub within_10_km: Option<f64>,
}

pub fn placement_measures(facts: &[PlacementFact]) -> PlacementMeasures {
    let n = facts.len();
    let count = |f: &dyn Fn(&PlacementFact) -> bool| facts.iter().filter(|x| f(x)).count();
    PlacementMeasures {
        hours_to_place: Summary::of(
            facts
                .iter()
                .map(|f| f.placed.duration_since(f.received).as_secs_f64() / 3600.0)
                .collect(),
        ),
        placed_same_day: share(count(&|f| f.placed_on == f.received_on), n),
        own_neighbourhood: share(count(&|f| f.proximity == Proximity::OwnNeighbourhood), n),
        own_municipality: share(count(&|f| f.proximity != Proximity::Elsewhere), n),
        within_10_km: share(count(&|f| f.distance_km <= 10.0), n),
    }
}

/// One stay as the measures see it.
#[derive(Debug, Clone, Copy)]
pub struct StayFact {
    pub person: i64,
    pub start: Date,
    pub planned_end: Date,
    pub ready_on: Option<Date>,
    pub exit: Option<(Date, Destination)>,
    pub extensions: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StayMeasures {
    /// Days from start to exit, ended stays only.
    pub length_of_stay_days: Summary,
    pub exits_within_six_months: Option<f64>,
    pub extensions: usize,
    pub stays_with_extension: usize,
    pub overdue_now: usize,
    /// Exits per destination class, in the order of [`DestinationClass::ALL`].
    pub exits_by_class: Vec<(DestinationClass, usize)>,
    pub exits_to_own_home: Option<f64>,
    /// Days from ready-to-move-on until exit (or today for those still waiting).
    pub waiting_for_housing_days: Summary,
    /// Of exits to a permanent destination at least N months ago: share back within N months.
    pub returns: Vec<(i64, Option<f64>, usize)>,
}

/// A new stay counts as a return when it starts more than this many days after the exit.
pub const RETURN_GAP_DAYS: i64 = 14;

pub fn stay_measures(stays: &[StayFact], today: Date) -> StayMeasures {
    let ended: Vec<_> = stays
        .iter()
        .filter_map(|s| s.exit.map(|(d, dest)| (s, d, dest)))
        .collect();
    let within_six = ended
        .iter()
        .filter(|(s, d, _)| *d <= s.start.saturating_add(6.months()))
        .count();
    let exits_by_class = DestinationClass::ALL
        .iter()
        .map(|c| (*c, ended.iter().filter(|(_, _, d)| d.class() == *c).count()))
        .collect();
    let returns = [6i64, 12, 24]
        .into_iter()
        .map(|months| {
            let observable: Vec<_> = ended
                .iter()
                .filter(|(_, d, dest)| {
                    dest.class() == DestinationClass::Permanent
                        && d.saturating_add(months.months()) <= today
                })
                .collect();
            let back = observable
                .iter()
                .filter(|(s, d, _)| {
                    stays.iter().any(|o| {
                        o.person == s.person
                            && days_between(*d, o.start) > RETURN_GAP_DAYS
                            && o.start <= d.saturating_add(months.months())
                    })
                })
                .count();
            (months, share(back, observable.len()), observable.len())
        })
        .collect();
    StayMeasures {
        length_of_stay_days: Summary::of(
            ended
                .iter()
                .map(|(s, d, _)| days_between(s.start, *d) as f64)
                .collect(),
        ),
        exits_within_six_months: share(within_six, ended.len()),
        extensions: stays.iter().map(|s| s.extensions).sum(),
        stays_with_extension: stays.iter().filter(|s| s.extensions > 0).count(),
        overdue_now: stays
            .iter()
            .filter(|s| s.exit.is_none() && today > s.planned_end)
            .count(),
        exits_to_own_home: share(
            ended.iter().filter(|(_, _, d)| d.is_own_home()).count(),
            ended.len(),
        ),
        exits_by_class,
        waiting_for_housing_days: Summary::of(
            stays
                .iter()
                .filter_map(|s| {
                    let r = s.ready_on?;
                    let until = s.exit.map(|e| e.0).unwrap_or(today);
                    Some(days_between(r, until).max(0) as f64)
                })
                .collect(),
        ),
        returns,
    }
}

/// Nights of `[from, to)` that fall inside `[period_from, period_to)`.
pub fn nights_in_period(from: Date, to: Date, period_from: Date, period_to: Date) -> i64 {
    let a = from.max(period_from);
    let b = to.min(period_to);
    days_between(a, b).max(0)
}

/// Occupancy: occupied place-nights / available place-nights (blocked nights excluded).
pub fn occupancy(occupied_nights: i64, place_nights: i64, blocked_nights: i64) -> Option<f64> {
    let available = place_nights - blocked_nights;
    (available > 0).then(|| occupied_nights as f64 / available as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn summary_median_p90_mean() {
        let s = Summary::of((1..=10).map(f64::from).collect());
        assert_eq!(s.count, 10);
        assert_eq!(s.median, Some(5.5));
        assert!((s.p90.unwrap() - 9.1).abs() < 1e-9);
        assert_eq!(s.mean, Some(5.5));
        assert_eq!(Summary::of(vec![]).median, None);
    }

    #[test]
    fn placement_shares() {
        let t = |h: i64| jiff::Timestamp::from_second(1_700_000_000 + h * 3600).unwrap();
        let d = date(2026, 1, 1);
        let f = |p, km, hours: i64, same| PlacementFact {
            received: t(0),
            placed: t(hours),
            received_on: d,
            placed_on: if same { d } else { date(2026, 1, 2) },
            proximity: p,
            distance_km: km,
        };
        let m = placement_measures(&[
            f(Proximity::OwnNeighbourhood, 0.5, 1, true),
            f(Proximity::OwnMunicipality, 3.0, 2, true),
            f(Proximity::Elsewhere, 12.0, 30, false),
            f(Proximity::Elsewhere, 8.0, 3, true),
        ]);
        assert_eq!(m.own_neighbourhood, Some(0.25));
        assert_eq!(m.own_municipality, Some(0.5));
        assert_eq!(m.within_10_km, Some(0.75));
        assert_eq!(m.placed_same_day, Some(0.75));
        assert_eq!(m.hours_to_place.median, Some(2.5));
    }

    #[test]
    fn stays_exits_and_returns() {
        let s = |person, start: Date, exit: Option<(Date, Destination)>, ready: Option<Date>| {
            StayFact {
                person,
                start,
                planned_end: start.saturating_add(6.months()),
                ready_on: ready,
                exit,
                extensions: 0,
            }
        };
        let today = date(2026, 1, 1);
        let stays = [
            s(
                1,
                date(2024, 1, 1),
                Some((date(2024, 3, 1), Destination::OwnRentedHome)),
                Some(date(2024, 2, 20)),
            ),
            s(
                1,
                date(2024, 5, 1),
                Some((date(2024, 6, 1), Destination::Clinic)),
                None,
            ),
            s(
                2,
                date(2024, 1, 1),
                Some((date(2024, 9, 1), Destination::Street)),
                None,
            ),
            s(3, date(2025, 9, 1), None, Some(date(2025, 12, 1))),
        ];
        let m = stay_measures(&stays, today);
        assert_eq!(m.length_of_stay_days.count, 3);
        assert_eq!(m.exits_within_six_months, Some(2.0 / 3.0));
        assert_eq!(m.overdue_now, 0);
        assert_eq!(m.exits_to_own_home, Some(1.0 / 3.0));
        let perm = m
            .exits_by_class
            .iter()
            .find(|c| c.0 == DestinationClass::Permanent)
            .unwrap();
        assert_eq!(perm.1, 1);
        // Person 1 went home on 1 Mar 2024 and was back on 1 May: a return within 6 months.
        assert_eq!(m.returns[0], (6, Some(1.0), 1));
        // Waiting for housing: 10 days (ended) and 31 days (still waiting).
        assert_eq!(m.waiting_for_housing_days.count, 2);
        assert_eq!(m.waiting_for_housing_days.mean, Some(20.5));
    }

    #[test]
    fn occupancy_excludes_blocked_nights() {
        assert_eq!(
            nights_in_period(
                date(2026, 1, 10),
                date(2026, 2, 10),
                date(2026, 2, 1),
                date(2026, 3, 1)
            ),
            9
        );
        assert_eq!(
            nights_in_period(
                date(2026, 3, 10),
                date(2026, 4, 10),
                date(2026, 2, 1),
                date(2026, 3, 1)
            ),
            0
        );
        assert_eq!(occupancy(50, 100, 20), Some(0.625));
        assert_eq!(occupancy(0, 10, 10), None);
    }
}
