//! Calibration: a scenario estimated from the network's own history.
//!
//! - Arrivals: referrals per own municipality per day over the observed period.
//! - Length of stay until ready to move on: Kaplan–Meier over all stays, so stays still running
//!   count as censored instead of being dropped (dropping them would make stays look short).
//!   A stay that left without a ready date is ready when it left.
//! - Outflow offers: homes are only seen when someone takes one, so offers are counted while
//!   someone was waiting in the municipality: exits that ended a wait per day of waiting.
//!   Municipalities with few such exits get the network's rate, scaled by their arrivals.
//! - Places: the free and occupied places of today, blocked places left out.

use crate::scenario::{
    CentralShelter, Los, Municipality, Outflow, Overflow, RunSettings, SIX_MONTHS_DAYS, Scenario,
    Topology,
};
use crate::sim::{Choice, LengthOfStay};

/// Days are whole day numbers on any common scale (days since some epoch).
#[derive(Debug, Clone, PartialEq)]
pub struct AreaHistory {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Usable places today, outside the central shelter.
    pub places: u32,
    /// Referrals of people from this municipality in the observed period.
    pub referrals: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StayHistory {
    /// Index of the person's own municipality in [`History::areas`].
    pub own_area: usize,
    pub start: i64,
    pub ready: Option<i64>,
    pub exit: Option<i64>,
    /// Left to a home of their own (rent, buy, lease flip).
    pub to_home: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub areas: Vec<AreaHistory>,
    pub central_places: u32,
    /// First day of the observed period (the first referral) and today.
    pub first_day: i64,
    pub today: i64,
    pub stays: Vec<StayHistory>,
}

/// What a calibration estimated and from how much data.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub scenario: Scenario,
    pub days_observed: i64,
    pub referrals: u64,
    pub stays: usize,
    /// Stays still running without a ready date: censored in the length-of-stay estimate.
    pub censored: usize,
    /// Exits that ended a wait for housing: what the outflow estimate rests on.
    pub outflow_exits: u64,
    /// Housing offers and lease flips the outflow supply was read from instead, when the
    /// history has them ([`Calibration::with_offers`]).
    pub outflow_offers: Option<u64>,
}

impl Calibration {
    /// Reads the outflow supply from real offers and lease flips: per municipality (in the
    /// scenario's order) the homes offered over `days`, per year. Without any, the estimate
    /// from exits stays.
    pub fn with_offers(mut self, offered: &[u64], days: i64) -> Self {
        let total: u64 = offered.iter().sum();
        if total == 0 || days <= 0 || offered.len() != self.scenario.municipalities.len() {
            return self;
        }
        for (m, n) in self.scenario.municipalities.iter_mut().zip(offered) {
            m.outflow_per_year = Some(round(*n as f64 * 365.0 / days as f64, 2));
        }
        if self.scenario.outflow.is_none() {
            self.scenario.outflow = Some(Outflow {
                needs_home_share: 1.0,
                extra_per_year: 0.0,
            });
        }
        self.outflow_offers = Some(total);
        self
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    #[error("er is nog geen geschiedenis: geen gemeenten")]
    NoAreas,
    #[error("te weinig geschiedenis: minder dan 30 dagen tussen de eerste aanmelding en vandaag")]
    TooShort,
    #[error("er zijn geen verblijven om de verblijfsduur op te schatten")]
    NoStays,
}

/// Overflow limit of a calibrated scenario, in kilometres.
pub const DEFAULT_MAX_KM: f64 = 25.0;
/// Points of the empirical length-of-stay distribution.
const QUANTILES: usize = 51;
/// Exits after a wait below which a municipality gets the network's outflow rate.
const MIN_OWN_OUTFLOW_EXITS: u64 = 5;

/// A Kaplan–Meier estimate: `(day, survival just after that day)` at each day with an event.
pub fn kaplan_meier(spans: &[(f64, bool)]) -> Vec<(f64, f64)> {
    let mut sorted: Vec<(f64, bool)> = spans.to_vec();
    // Events before censorings at the same time, as is usual.
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = sorted.len() as f64;
    let mut survival = 1.0;
    let mut curve = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let t = sorted[i].0;
        let (mut events, mut leaving) = (0.0, 0.0);
        while i < sorted.len() && sorted[i].0 == t {
            if sorted[i].1 {
                events += 1.0;
            }
            leaving += 1.0;
            i += 1;
        }
        if events > 0.0 {
            survival *= 1.0 - events / at_risk;
            curve.push((t, survival));
        }
        at_risk -= leaving;
    }
    curve
}

/// Lengths of stay at equally spaced probabilities 0..=1 from a Kaplan–Meier curve; where the
/// curve never gets that far (censoring), the maximum stay.
pub fn quantiles(curve: &[(f64, f64)], points: usize, cap: f64) -> Vec<f64> {
    (0..points)
        .map(|k| {
            let p = k as f64 / (points - 1) as f64;
            let q = curve
                .iter()
                .find(|(_, s)| 1.0 - s >= p - 1e-12)
                .map_or(cap, |(t, _)| *t);
            q.min(cap)
        })
        .collect()
}

pub fn calibrate(history: &History, name: &str) -> Result<Calibration, CalibrationError> {
    if history.areas.is_empty() {
        return Err(CalibrationError::NoAreas);
    }
    let days = history.today - history.first_day;
    if days < 30 {
        return Err(CalibrationError::TooShort);
    }
    if history.stays.is_empty() {
        return Err(CalibrationError::NoStays);
    }
    let cap = SIX_MONTHS_DAYS;

    let spans: Vec<(f64, bool)> = history
        .stays
        .iter()
        .map(|s| match s.ready.or(s.exit) {
            Some(end) => ((end - s.start).max(0) as f64, true),
            None => ((history.today - s.start).max(0) as f64, false),
        })
        .collect();
    let censored = spans.iter().filter(|(_, event)| !event).count();
    let los_quantiles = quantiles(&kaplan_meier(&spans), QUANTILES, cap);
    let mean_stay = LengthOfStay::empirical(los_quantiles.clone(), cap).capped_mean();

    // Outflow: exits that ended a wait, per day someone was waiting, per municipality.
    let n = history.areas.len();
    let mut waits: Vec<Vec<(i64, i64)>> = vec![Vec::new(); n];
    let mut ended_wait = vec![0u64; n];
    for s in &history.stays {
        if let Some(ready) = s.ready {
            let end = s.exit.unwrap_or(history.today);
            if end > ready {
                waits[s.own_area].push((ready, end));
                if s.exit.is_some() && s.to_home {
                    ended_wait[s.own_area] += 1;
                }
            }
        }
    }
    let busy: Vec<f64> = waits.iter_mut().map(|w| union_length(w) as f64).collect();
    let outflow_exits: u64 = ended_wait.iter().sum();
    let total_busy: f64 = busy.iter().sum();
    let lambda: Vec<f64> = history
        .areas
        .iter()
        .map(|a| a.referrals as f64 / days as f64)
        .collect();
    let mean_lambda = lambda.iter().sum::<f64>() / n as f64;
    let pooled_rate = if total_busy > 0.0 {
        outflow_exits as f64 / total_busy
    } else {
        0.0
    };
    let outflow_per_year = |i: usize| -> Option<f64> {
        if outflow_exits == 0 {
            return None;
        }
        let per_day = if ended_wait[i] >= MIN_OWN_OUTFLOW_EXITS {
            ended_wait[i] as f64 / busy[i]
        } else if mean_lambda > 0.0 {
            pooled_rate * lambda[i] / mean_lambda
        } else {
            pooled_rate
        };
        Some(round(per_day * 365.0, 2))
    };

    let exits: Vec<&StayHistory> = history.stays.iter().filter(|s| s.exit.is_some()).collect();
    let needs_home_share = if exits.is_empty() {
        1.0
    } else {
        exits.iter().filter(|s| s.to_home).count() as f64 / exits.len() as f64
    };

    let municipalities = history
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| Municipality {
            id: a.id.clone(),
            name: Some(a.name.clone()),
            lambda: round(lambda[i], 6),
            places: a.places,
            lat: Some(a.lat),
            lon: Some(a.lon),
            outflow_per_year: outflow_per_year(i),
            offered_load: Some(round(lambda[i] * mean_stay, 3)),
        })
        .collect();
    let scenario = Scenario {
        name: name.to_owned(),
        time_unit: "day".into(),
        topology: Topology::Geo,
        overflow: Overflow {
            max_hops: None,
            max_km: Some(DEFAULT_MAX_KM),
            choose: Choice::Nearest,
            rule: Some(
                "own municipality if a place is free; else the nearest municipality within max_km \
                 with a free place; else the central shelter; else no place"
                    .into(),
            ),
        },
        los: Los {
            dist: "empirical".into(),
            mean: Some(round(mean_stay, 2)),
            cv: None,
            quantiles: Some(los_quantiles),
            cap,
        },
        municipalities,
        central_shelter: (history.central_places > 0).then_some(CentralShelter {
            places: history.central_places,
        }),
        outflow: (outflow_exits > 0).then(|| Outflow {
            needs_home_share: round(needs_home_share, 3),
            extra_per_year: 0.0,
        }),
        arrival_pattern: None,
        run: RunSettings::default(),
    };
    Ok(Calibration {
        scenario,
        days_observed: days,
        referrals: history.areas.iter().map(|a| a.referrals).sum(),
        stays: history.stays.len(),
        censored,
        outflow_exits,
        outflow_offers: None,
    })
}

/// Total length of the union of half-open intervals.
fn union_length(intervals: &mut [(i64, i64)]) -> i64 {
    intervals.sort_unstable();
    let mut total = 0;
    let mut current: Option<(i64, i64)> = None;
    for &(a, b) in intervals.iter() {
        match current {
            Some((s, e)) if a <= e => current = Some((s, e.max(b))),
            Some((s, e)) => {
                total += e - s;
                current = Some((a, b));
            }
            None => current = Some((a, b)),
        }
    }
    total + current.map_or(0, |(s, e)| e - s)
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kaplan_meier_counts_censored_stays_at_risk() {
        // Textbook example: events at 3, 5, 8; censored at 4 and 9.
        let curve = kaplan_meier(&[
            (3.0, true),
            (4.0, false),
            (5.0, true),
            (8.0, true),
            (9.0, false),
        ]);
        let expected = [
            (3.0, 0.8),
            (5.0, 0.8 * 2.0 / 3.0),
            (8.0, 0.8 * 2.0 / 3.0 * 0.5),
        ];
        assert_eq!(curve.len(), 3);
        for ((t, s), (et, es)) in curve.iter().zip(expected) {
            assert_eq!(*t, et);
            assert!((s - es).abs() < 1e-12);
        }
    }

    #[test]
    fn censoring_lengthens_the_estimate() {
        // Ten stays ended after 60 days; ten are still running at day 150.
        let mut spans = vec![(60.0, true); 10];
        let naive = quantiles(&kaplan_meier(&spans), 11, 182.5);
        spans.extend(vec![(150.0, false); 10]);
        let km = quantiles(&kaplan_meier(&spans), 11, 182.5);
        assert_eq!(naive[10], 60.0);
        // Half the stays last beyond 150 days: the upper half of the quantiles is the cap.
        assert_eq!(km[5], 60.0);
        assert_eq!(km[6], 182.5);
    }

    #[test]
    fn union_of_waits() {
        assert_eq!(union_length(&mut [(0, 10), (5, 12), (20, 25)]), 17);
        assert_eq!(union_length(&mut []), 0);
    }

    fn area(id: &str, referrals: u64) -> AreaHistory {
        AreaHistory {
            id: id.into(),
            name: id.into(),
            lat: 52.0,
            lon: 5.0,
            places: 4,
            referrals,
        }
    }

    #[test]
    fn a_calibrated_scenario_runs() {
        let stays = (0..40)
            .map(|k| StayHistory {
                own_area: k % 2,
                start: k as i64 * 9,
                ready: Some(k as i64 * 9 + 80),
                exit: (k < 30).then_some(k as i64 * 9 + 80 + (k as i64 % 4) * 10),
                to_home: k % 3 != 0,
            })
            .collect();
        let history = History {
            areas: vec![area("GM0001", 30), area("GM0002", 10)],
            central_places: 6,
            first_day: 0,
            today: 365,
            stays,
        };
        let cal = calibrate(&history, "test").unwrap();
        let s = &cal.scenario;
        assert!((s.municipalities[0].lambda - 30.0 / 365.0).abs() < 1e-6);
        assert_eq!(s.los.quantiles.as_ref().unwrap()[25], 80.0);
        assert!(
            s.municipalities
                .iter()
                .all(|m| m.outflow_per_year.unwrap() > 0.0)
        );
        assert_eq!(s.central_shelter.as_ref().unwrap().places, 6);
        // It reads back and builds a network.
        let again = Scenario::from_json(&s.to_json()).unwrap();
        assert_eq!(&again, s);
        again.network().unwrap();

        // Real offers replace the estimate from exits, per municipality and per year.
        assert_eq!(cal.outflow_offers, None);
        let with = cal.clone().with_offers(&[12, 0], 730);
        assert_eq!(with.outflow_offers, Some(12));
        assert_eq!(with.scenario.municipalities[0].outflow_per_year, Some(6.0));
        assert_eq!(with.scenario.municipalities[1].outflow_per_year, Some(0.0));
        // Without any, the estimate stays.
        let without = cal.with_offers(&[0, 0], 730);
        assert_eq!(without.outflow_offers, None);
        assert!(without.scenario.municipalities[1].outflow_per_year.unwrap() > 0.0);
    }
}
