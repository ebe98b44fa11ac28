//! The scenario file: a readable, editable description of a network to simulate. JSON, in the
//! shape of `ring20.json`; fields the planner does not use (such as `offered_load`) are kept
//! for the reader and ignored by the engine.

use crate::sim::{Choice, LengthOfStay, Network, NetworkArea};
use serde::{Deserialize, Serialize};

/// Six months in days: the longest stay the promise allows, and the line for "over six months".
pub const SIX_MONTHS_DAYS: f64 = 182.5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    #[serde(default = "day")]
    pub time_unit: String,
    #[serde(default)]
    pub topology: Topology,
    #[serde(default)]
    pub overflow: Overflow,
    pub los: Los,
    pub municipalities: Vec<Municipality>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub central_shelter: Option<CentralShelter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outflow: Option<Outflow>,
    /// Twelve monthly factors on the arrival rates (January first); their mean should be 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival_pattern: Option<Vec<f64>>,
    #[serde(default)]
    pub run: RunSettings,
}

fn day() -> String {
    "day".to_owned()
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topology {
    /// Municipalities on a ring, in the listed order; hop d reaches i+d and i−d.
    Ring,
    /// Municipalities with coordinates; neighbours in order of distance.
    Geo,
    /// No overflow between municipalities.
    #[default]
    None,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Overflow {
    /// Ring: rings of neighbours to try. Geo: the nearest this many municipalities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_hops: Option<u32>,
    /// Geo: only municipalities within this many kilometres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_km: Option<f64>,
    #[serde(default)]
    pub choose: Choice,
    /// A description of the rule for readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Los {
    /// `exponential`, `lognormal` or `empirical`.
    pub dist: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Coefficient of variation (lognormal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cv: Option<f64>,
    /// Lengths of stay in days at equally spaced probabilities from 0 to 1 (empirical).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantiles: Option<Vec<f64>>,
    /// The maximum stay in days; longer draws end at the cap.
    #[serde(default = "six_months")]
    pub cap: f64,
}

fn six_months() -> f64 {
    SIX_MONTHS_DAYS
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Municipality {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Newcomers per day.
    pub lambda: f64,
    pub places: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// Outflow homes offered per year. Absent: a stay ends as soon as it is ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outflow_per_year: Option<f64>,
    /// λ·E[S], for the reader; the engine does not use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered_load: Option<f64>,
}

impl Municipality {
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CentralShelter {
    pub places: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outflow {
    /// Share of stays that end only when an outflow home is found (the rest leave when ready).
    #[serde(default = "one")]
    pub needs_home_share: f64,
    /// Extra outflow homes per year for the whole network, spread over the municipalities with
    /// an outflow supply in proportion to their arrivals.
    #[serde(default)]
    pub extra_per_year: f64,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    #[serde(default = "horizon")]
    pub horizon_days: f64,
    #[serde(default = "warmup")]
    pub warmup_days: f64,
    #[serde(default = "replications")]
    pub replications: u32,
    #[serde(default = "seed")]
    pub seed: u64,
}

fn horizon() -> f64 {
    3650.0
}
fn warmup() -> f64 {
    365.0
}
fn replications() -> u32 {
    100
}
fn seed() -> u64 {
    2026
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            horizon_days: horizon(),
            warmup_days: warmup(),
            replications: replications(),
            seed: seed(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    #[error("het scenario is geen geldige JSON: {0}")]
    Json(String),
    #[error("time_unit moet \"day\" zijn, niet {0:?}")]
    TimeUnit(String),
    #[error("het scenario heeft geen gemeenten")]
    NoMunicipalities,
    #[error("een netwerk heeft hoogstens {max} gemeenten, dit heeft er {got}")]
    TooManyMunicipalities { max: usize, got: usize },
    #[error("een netwerk heeft hoogstens {max} plekken, dit heeft er {got}")]
    TooManyPlaces { max: u64, got: u64 },
    #[error("gemeente {0:?} komt twee keer voor")]
    DuplicateMunicipality(String),
    #[error("gemeente {id}: {reason}")]
    Municipality { id: String, reason: String },
    #[error("verblijfsduur (los): {0}")]
    Los(String),
    #[error("uitwijken (overflow): {0}")]
    Overflow(String),
    #[error("seizoenspatroon (arrival_pattern): {0}")]
    ArrivalPattern(String),
    #[error("uitstroom (outflow): {0}")]
    Outflow(String),
    #[error("simulatie (run): {0}")]
    Run(String),
}

const MAX_AREAS: usize = 10_000;
/// Every place is simulated; this keeps a replication within a few tens of megabytes.
const MAX_PLACES: u64 = 2_000_000;

fn finite_non_negative(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

impl Scenario {
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        serde_json::from_str(text).map_err(|e| ScenarioError::Json(e.to_string()))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serialises")
    }

    /// Mean length of stay in days after the cap, E[min(S, cap)].
    pub fn effective_mean_stay(&self) -> Result<f64, ScenarioError> {
        Ok(self.length_of_stay()?.capped_mean())
    }

    fn length_of_stay(&self) -> Result<LengthOfStay, ScenarioError> {
        let los = &self.los;
        let err = |m: &str| ScenarioError::Los(m.to_owned());
        if !(los.cap.is_finite() && los.cap > 0.0) {
            return Err(err("cap moet een positief aantal dagen zijn"));
        }
        let mean = || match los.mean {
            Some(m) if m.is_finite() && m > 0.0 => Ok(m),
            Some(_) => Err(err("mean moet een positief aantal dagen zijn")),
            None => Err(err("mean ontbreekt")),
        };
        let dist = match los.dist.as_str() {
            "exponential" => LengthOfStay::exponential(mean()?, los.cap),
            "lognormal" => {
                let cv = match los.cv {
                    Some(cv) if cv.is_finite() && cv > 0.0 => cv,
                    Some(_) => return Err(err("cv moet een positief getal zijn")),
                    None => return Err(err("cv ontbreekt")),
                };
                LengthOfStay::lognormal(mean()?, cv, los.cap)
            }
            "empirical" => {
                let q = los.quantiles.as_deref().unwrap_or_default();
                if q.len() < 2 {
                    return Err(err("quantiles heeft minstens twee waarden nodig"));
                }
                if q.iter().any(|x| !finite_non_negative(*x)) {
                    return Err(err("quantiles moeten aantallen dagen ≥ 0 zijn"));
                }
                if q.windows(2).any(|w| w[1] < w[0]) {
                    return Err(err("quantiles mogen niet dalen"));
                }
                LengthOfStay::empirical(q.to_vec(), los.cap)
            }
            other => {
                return Err(ScenarioError::Los(format!(
                    "dist moet exponential, lognormal of empirical zijn, niet {other:?}"
                )));
            }
        };
        Ok(dist)
    }

    /// Checks the scenario and builds the network the engine runs.
    pub fn network(&self) -> Result<Network, ScenarioError> {
        if self.time_unit != "day" {
            return Err(ScenarioError::TimeUnit(self.time_unit.clone()));
        }
        let n = self.municipalities.len();
        if n == 0 {
            return Err(ScenarioError::NoMunicipalities);
        }
        if n > MAX_AREAS {
            return Err(ScenarioError::TooManyMunicipalities {
                max: MAX_AREAS,
                got: n,
            });
        }
        let mut seen = std::collections::HashSet::new();
        for m in &self.municipalities {
            if !seen.insert(m.id.as_str()) {
                return Err(ScenarioError::DuplicateMunicipality(m.id.clone()));
            }
            let bad = |reason: &str| ScenarioError::Municipality {
                id: m.id.clone(),
                reason: reason.to_owned(),
            };
            if !finite_non_negative(m.lambda) {
                return Err(bad("lambda moet een aantal nieuwkomers per dag ≥ 0 zijn"));
            }
            if m.outflow_per_year.is_some_and(|o| !finite_non_negative(o)) {
                return Err(bad("outflow_per_year moet een getal ≥ 0 zijn"));
            }
            if m.places > 100_000 {
                return Err(bad("places mag hoogstens 100000 zijn"));
            }
            if self.topology == Topology::Geo {
                match (m.lat, m.lon) {
                    (Some(lat), Some(lon))
                        if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
                    _ => return Err(bad("een geo-topologie heeft lat en lon nodig")),
                }
            }
        }
        let places: u64 = self
            .municipalities
            .iter()
            .map(|m| u64::from(m.places))
            .sum::<u64>()
            + self
                .central_shelter
                .as_ref()
                .map_or(0, |c| u64::from(c.places));
        if places > MAX_PLACES {
            return Err(ScenarioError::TooManyPlaces {
                max: MAX_PLACES,
                got: places,
            });
        }
        let los = self.length_of_stay()?;
        let o = &self.overflow;
        if o.max_km.is_some_and(|k| !finite_non_negative(k)) {
            return Err(ScenarioError::Overflow(
                "max_km moet een getal ≥ 0 zijn".into(),
            ));
        }
        if self.topology == Topology::Ring && o.max_km.is_some() {
            return Err(ScenarioError::Overflow(
                "een ring begrenst uitwijken met max_hops, niet met max_km".into(),
            ));
        }
        let pattern = match &self.arrival_pattern {
            None => None,
            Some(p) => {
                if p.len() != 12 {
                    return Err(ScenarioError::ArrivalPattern(format!(
                        "er zijn 12 maandfactoren nodig, niet {}",
                        p.len()
                    )));
                }
                if p.iter().any(|f| !finite_non_negative(*f)) || p.iter().all(|f| *f == 0.0) {
                    return Err(ScenarioError::ArrivalPattern(
                        "factoren moeten getallen ≥ 0 zijn, niet allemaal 0".into(),
                    ));
                }
                let mut months = [0.0; 12];
                months.copy_from_slice(p);
                Some(months)
            }
        };
        let (needs_home_share, extra) = match &self.outflow {
            None => (1.0, 0.0),
            Some(out) => {
                if !(0.0..=1.0).contains(&out.needs_home_share) {
                    return Err(ScenarioError::Outflow(
                        "needs_home_share moet tussen 0 en 1 liggen".into(),
                    ));
                }
                if !finite_non_negative(out.extra_per_year) {
                    return Err(ScenarioError::Outflow(
                        "extra_per_year moet een getal ≥ 0 zijn".into(),
                    ));
                }
                (out.needs_home_share, out.extra_per_year)
            }
        };
        let run = &self.run;
        if !(run.horizon_days.is_finite() && run.horizon_days > 0.0 && run.horizon_days <= 36_500.0)
        {
            return Err(ScenarioError::Run(
                "horizon_days moet tussen 0 en 36500 liggen".into(),
            ));
        }
        if !(finite_non_negative(run.warmup_days) && run.warmup_days < run.horizon_days) {
            return Err(ScenarioError::Run(
                "warmup_days moet ≥ 0 en kleiner dan horizon_days zijn".into(),
            ));
        }
        if run.replications < 2 || run.replications > 100_000 {
            return Err(ScenarioError::Run(
                "replications moet tussen 2 en 100000 liggen (vanaf twee is er een betrouwbaarheidsinterval)".into(),
            ));
        }

        let supplied: f64 = self
            .municipalities
            .iter()
            .filter(|m| m.outflow_per_year.is_some())
            .map(|m| m.lambda)
            .sum();
        let areas = self
            .municipalities
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let outflow_per_year = m.outflow_per_year.map(|base| {
                    let share = if supplied > 0.0 {
                        m.lambda / supplied
                    } else {
                        0.0
                    };
                    base + extra * share
                });
                NetworkArea {
                    name: m.label().to_owned(),
                    places: m.places,
                    lambda: m.lambda,
                    outflow_per_day: outflow_per_year.map(|y| y / 365.0),
                    tiers: self.tiers(i),
                }
            })
            .collect();
        Ok(Network {
            areas,
            choice: o.choose,
            central_places: self.central_shelter.as_ref().map_or(0, |c| c.places),
            los,
            pattern,
            needs_home_share,
            horizon: run.horizon_days,
            warmup: run.warmup_days,
        })
    }

    /// Tiers of neighbours area `i` overflows to, in the order they are tried.
    fn tiers(&self, i: usize) -> Vec<Vec<u16>> {
        let n = self.municipalities.len();
        match self.topology {
            Topology::None => Vec::new(),
            Topology::Ring => {
                let hops = (self.overflow.max_hops.unwrap_or(1) as usize).min(n / 2);
                (1..=hops)
                    .map(|d| {
                        let cw = (i + d) % n;
                        let ccw = (i + n - d) % n;
                        if cw == ccw {
                            vec![cw as u16]
                        } else {
                            vec![cw as u16, ccw as u16]
                        }
                    })
                    .collect()
            }
            Topology::Geo => {
                let here = &self.municipalities[i];
                let (lat, lon) = (here.lat.unwrap_or(0.0), here.lon.unwrap_or(0.0));
                let mut near: Vec<(f64, usize)> = self
                    .municipalities
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(j, m)| (km(lat, lon, m.lat.unwrap_or(0.0), m.lon.unwrap_or(0.0)), j))
                    .filter(|(d, _)| self.overflow.max_km.is_none_or(|max| *d <= max))
                    .collect();
                near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                if let Some(h) = self.overflow.max_hops {
                    near.truncate(h as usize);
                }
                if near.is_empty() {
                    Vec::new()
                } else {
                    vec![near.into_iter().map(|(_, j)| j as u16).collect()]
                }
            }
        }
    }
}

/// Great-circle distance in kilometres.
pub fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0088;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RING20: &str = include_str!("../tests/data/ring20.json");

    #[test]
    fn reads_the_reference_ring_as_given() {
        let s = Scenario::from_json(RING20).unwrap();
        assert_eq!(s.municipalities.len(), 20);
        assert_eq!(s.municipalities.iter().map(|m| m.places).sum::<u32>(), 159);
        assert_eq!(s.topology, Topology::Ring);
        let net = s.network().unwrap();
        // M01 overflows to M02 (clockwise) and M20.
        assert_eq!(net.areas[0].tiers, vec![vec![1, 19]]);
        // E[min(S, cap)] as the file states it.
        assert!((s.effective_mean_stay().unwrap() - 112.93862927767704).abs() < 0.01);
    }

    #[test]
    fn explains_what_is_wrong() {
        let mut s = Scenario::from_json(RING20).unwrap();
        s.los.dist = "weibull".into();
        assert!(s.network().unwrap_err().to_string().contains("weibull"));
        let mut s = Scenario::from_json(RING20).unwrap();
        s.municipalities[3].lambda = -1.0;
        assert!(
            s.network()
                .unwrap_err()
                .to_string()
                .starts_with("gemeente M04")
        );
        let mut s = Scenario::from_json(RING20).unwrap();
        s.arrival_pattern = Some(vec![1.0; 11]);
        assert!(
            s.network()
                .unwrap_err()
                .to_string()
                .contains("12 maandfactoren")
        );
        assert!(matches!(
            Scenario::from_json("{"),
            Err(ScenarioError::Json(_))
        ));
    }

    #[test]
    fn geo_neighbours_are_nearest_first_within_the_limit() {
        let mut s = Scenario::from_json(RING20).unwrap();
        s.topology = Topology::Geo;
        s.overflow.max_km = Some(30.0);
        s.overflow.max_hops = None;
        for (i, m) in s.municipalities.iter_mut().enumerate() {
            m.lat = Some(52.0);
            m.lon = Some(4.0 + 0.1 * i as f64); // about 6.9 km apart
        }
        let net = s.network().unwrap();
        assert_eq!(net.areas[0].tiers, vec![vec![1, 2, 3, 4]]);
        assert_eq!(net.areas[10].tiers[0][..2], [9, 11]);
    }
}
