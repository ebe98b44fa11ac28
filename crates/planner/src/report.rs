//! Outputs of a simulation: per area and in total, each the mean over the replications with
//! a 95 % confidence half-width.

use crate::sim::{AreaCounters, Network};
use serde::Serialize;

/// A mean over independent replications and the half-width of its 95 % confidence interval
/// (Student's t). Replications where the measure is undefined (no arrivals, no ended stays)
/// are left out; `n` says how many counted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub half_width: f64,
    pub n: u32,
}

impl Estimate {
    pub fn of(values: impl Iterator<Item = f64>) -> Estimate {
        let (mut n, mut sum, mut sum_sq) = (0u32, 0.0, 0.0);
        let values: Vec<f64> = values.filter(|v| v.is_finite()).collect();
        for v in &values {
            n += 1;
            sum += v;
        }
        if n == 0 {
            return Estimate {
                mean: f64::NAN,
                half_width: f64::NAN,
                n,
            };
        }
        let mean = sum / f64::from(n);
        for v in &values {
            sum_sq += (v - mean) * (v - mean);
        }
        let half_width = if n < 2 {
            f64::NAN
        } else {
            let sd = (sum_sq / f64::from(n - 1)).sqrt();
            t_975(n - 1) * sd / f64::from(n).sqrt()
        };
        Estimate {
            mean,
            half_width,
            n,
        }
    }

    pub fn low(&self) -> f64 {
        self.mean - self.half_width
    }

    pub fn high(&self) -> f64 {
        self.mean + self.half_width
    }

    /// Whether `x` lies within the confidence interval.
    pub fn covers(&self, x: f64) -> bool {
        self.low() <= x && x <= self.high()
    }
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom.
pub fn t_975(df: u32) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df as usize - 1],
        _ => {
            // Cornish–Fisher expansion around the normal quantile.
            let z: f64 = 1.959_963_985;
            let d = f64::from(df);
            z + (z.powi(3) + z) / (4.0 * d)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    }
}

macro_rules! measures {
    ($($(#[$doc:meta])* $field:ident),* $(,)?) => {
        /// What the planner reports for an area (or the network).
        #[derive(Debug, Clone, Copy, PartialEq, Serialize)]
        pub struct Measures<T> {
            $($(#[$doc])* pub $field: T,)*
        }

        impl Measures<Estimate> {
            fn combine<'a>(reps: impl Iterator<Item = &'a Measures<f64>> + Clone) -> Self {
                Measures { $($field: Estimate::of(reps.clone().map(|m| m.$field)),)* }
            }
        }
    };
}

measures!(
    /// Newcomers per year.
    arrivals_per_year,
    /// Share of newcomers placed in their own area.
    own,
    /// Share of newcomers placed with a neighbour.
    overflowed,
    /// Share of newcomers placed in the central shelter.
    central,
    /// Share of newcomers who found no place anywhere allowed.
    no_place,
    /// Share of newcomers not placed in their own area ("geen plek in eigen gebied").
    not_own,
    /// Mean number of occupied places.
    occupancy,
    /// Mean share of places occupied.
    utilisation,
    /// Share of time with every place taken.
    time_full,
    /// Newcomers from elsewhere placed here, per year.
    guests_per_year,
    /// Mean length of the stays that ended, in days, waiting included.
    mean_stay,
    /// Share of the stays that ended that lasted longer than six months.
    over_six_months,
    /// Mean days from ready-to-move-on to leaving, per stay that ended.
    waiting_days,
    /// Days spent waiting for housing, per year.
    waiting_days_per_year,
);

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

fn measures_of(c: &AreaCounters, places: f64, window: f64, years: f64) -> Measures<f64> {
    let arrivals = c.arrivals as f64;
    let ended = c.ended as f64;
    let occupancy = c.occupied_days / window;
    Measures {
        arrivals_per_year: arrivals / years,
        own: ratio(c.own as f64, arrivals),
        overflowed: ratio(c.overflowed as f64, arrivals),
        central: ratio(c.central as f64, arrivals),
        no_place: ratio(c.no_place as f64, arrivals),
        not_own: ratio((c.arrivals - c.own) as f64, arrivals),
        occupancy,
        utilisation: ratio(occupancy, places),
        time_full: ratio(c.full_days, window),
        guests_per_year: c.guests as f64 / years,
        mean_stay: ratio(c.stay_days, ended),
        over_six_months: ratio(c.over_six_months as f64, ended),
        waiting_days: ratio(c.waiting_days, ended),
        waiting_days_per_year: c.waiting_days / years,
    }
}

/// The measures of one replication: per area, the central shelter, and the network.
pub(crate) struct RepMeasures {
    areas: Vec<Measures<f64>>,
    central: Measures<f64>,
    total: Measures<f64>,
}

impl RepMeasures {
    pub(crate) fn of(net: &Network, counters: &[AreaCounters], window: f64, years: f64) -> Self {
        let n = net.areas.len();
        let areas = net
            .areas
            .iter()
            .zip(counters)
            .map(|(a, c)| measures_of(c, f64::from(a.places), window, years))
            .collect();
        let central = measures_of(&counters[n], f64::from(net.central_places), window, years);
        let mut sum = AreaCounters::default();
        for c in counters {
            sum.arrivals += c.arrivals;
            sum.own += c.own;
            sum.overflowed += c.overflowed;
            sum.central += c.central;
            sum.no_place += c.no_place;
            sum.guests += c.guests;
            sum.occupied_days += c.occupied_days;
            sum.ended += c.ended;
            sum.stay_days += c.stay_days;
            sum.over_six_months += c.over_six_months;
            sum.waiting_days += c.waiting_days;
        }
        let places: u32 = net.areas.iter().map(|a| a.places).sum::<u32>() + net.central_places;
        let mut total = measures_of(&sum, f64::from(places), window, years);
        // Network-wide: the place-weighted share of time an area was full.
        let full_place_days: f64 = counters
            .iter()
            .zip(
                net.areas
                    .iter()
                    .map(|a| a.places)
                    .chain([net.central_places]),
            )
            .map(|(c, p)| c.full_days * f64::from(p))
            .sum();
        total.time_full = ratio(full_place_days, window * f64::from(places));
        RepMeasures {
            areas,
            central,
            total,
        }
    }
}

/// One area's results.
#[derive(Debug, Clone, Serialize)]
pub struct AreaReport {
    pub name: String,
    pub places: u32,
    pub measures: Measures<Estimate>,
}

/// The combined result of all replications.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub areas: Vec<AreaReport>,
    /// The central shelter, when the network has one.
    pub central: Option<AreaReport>,
    pub total: AreaReport,
    pub replications: u32,
    /// Arrivals plus departures, warm-up included, over all replications.
    pub events: u64,
    pub horizon_days: f64,
    pub warmup_days: f64,
}

impl Report {
    pub(crate) fn combine(net: &Network, reps: &[RepMeasures], events: u64) -> Report {
        let areas = net
            .areas
            .iter()
            .enumerate()
            .map(|(i, a)| AreaReport {
                name: a.name.clone(),
                places: a.places,
                measures: Measures::combine(reps.iter().map(|r| &r.areas[i])),
            })
            .collect();
        let central = (net.central_places > 0).then(|| AreaReport {
            name: "central".into(),
            places: net.central_places,
            measures: Measures::combine(reps.iter().map(|r| &r.central)),
        });
        let total = AreaReport {
            name: "total".into(),
            places: net.areas.iter().map(|a| a.places).sum::<u32>() + net.central_places,
            measures: Measures::combine(reps.iter().map(|r| &r.total)),
        };
        Report {
            areas,
            central,
            total,
            replications: reps.len() as u32,
            events,
            horizon_days: net.horizon,
            warmup_days: net.warmup,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_interval_of_known_values() {
        let e = Estimate::of([1.0, 2.0, 3.0, 4.0, 5.0].into_iter());
        assert_eq!(e.mean, 3.0);
        // sd = 1.5811, t(4) = 2.776, n = 5
        assert!((e.half_width - 2.776 * 1.581_138_8 / 5f64.sqrt()).abs() < 1e-6);
        let skip = Estimate::of([f64::NAN, 2.0, 4.0].into_iter());
        assert_eq!((skip.mean, skip.n), (3.0, 2));
    }

    #[test]
    fn t_quantiles_approach_the_normal() {
        assert!((t_975(99) - 1.984).abs() < 1e-3);
        assert!((t_975(1000) - 1.962).abs() < 1e-3);
        assert!(t_975(30) > t_975(31));
    }
}
