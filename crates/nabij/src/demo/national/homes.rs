//! Homes and places of the national network, with the dates they came into and left service.
//!
//! Days are counted from the first day of the history (day 0); negative days lie before it.

use super::Size;
use super::geography::Geography;
use crate::demo::Rng;
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules};

#[derive(Debug, Clone)]
pub struct Home {
    /// Index in the list; the id is this plus one.
    pub index: usize,
    pub municipality: usize,
    pub buurt: usize,
    pub kind: HomeKind,
    pub name: String,
    pub address: String,
    pub point: GeoPoint,
    pub rules: HouseRules,
    pub landlord: Option<String>,
    /// First day in service.
    pub opened: i32,
    /// First day out of service again, when it closed.
    pub closed: Option<i32>,
    /// Indices into the list of places.
    pub places: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Place {
    pub index: usize,
    pub home: usize,
    pub label: String,
    pub opened: i32,
    pub retired: Option<i32>,
}

impl Place {
    /// The days this place can take someone, half-open, given its home.
    pub fn service(&self, home: &Home) -> (i32, i32) {
        let from = self.opened.max(home.opened);
        let until = match (self.retired, home.closed) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => i32::MAX,
        };
        (from, until)
    }
}

const STREETS: &[&str] = &[
    "Kerkstraat",
    "Dorpsstraat",
    "Schoolstraat",
    "Molenweg",
    "Stationsweg",
    "Julianastraat",
    "Wilhelminalaan",
    "Beatrixstraat",
    "Nieuwstraat",
    "Parallelweg",
    "Industrieweg",
    "Lindelaan",
    "Eikenlaan",
    "Prins Bernhardstraat",
    "Oranjestraat",
    "Hoofdstraat",
    "Emmastraat",
    "Kastanjelaan",
    "Sportlaan",
    "Vondellaan",
];

const LANDLORDS: &[&str] = &[
    "Woonstichting De Linie",
    "Woningcorporatie Thuis",
    "Stichting Huurwoningen Noord",
    "Woonbedrijf Samen",
    "Wooncorporatie Het Dorp",
];

/// The homes and places: about `size.homes` homes spread over the municipalities by
/// population, a central shelter in most larger ones.
pub fn build(geo: &Geography, size: &Size, rng: &mut Rng) -> (Vec<Home>, Vec<Place>) {
    let days = size.days();
    let weights: Vec<f64> = geo
        .municipalities
        .iter()
        .map(|m| m.population.max(500.0).powf(0.7))
        .collect();
    let total: f64 = weights.iter().sum();
    // Municipalities by size: the larger ones run a central shelter.
    let mut by_size: Vec<usize> = (0..geo.municipalities.len()).collect();
    by_size.sort_by(|a, b| weights[*b].total_cmp(&weights[*a]).then(a.cmp(b)));
    let with_central = (by_size.len() as f64 * 0.7).round() as usize;
    let mut central = vec![false; by_size.len()];
    for &m in &by_size[..with_central] {
        central[m] = true;
    }
    let mut homes: Vec<Home> = Vec::new();
    let mut places: Vec<Place> = Vec::new();
    for (mi, m) in geo.municipalities.iter().enumerate() {
        let count = ((size.homes as f64 * weights[mi] / total).round() as usize).max(3);
        for k in 0..count {
            let kind = if k == 0 && central[mi] {
                HomeKind::CentralShelter
            } else {
                match rng.f64() {
                    x if x < 0.33 => HomeKind::Pitstop,
                    x if x < 0.80 => HomeKind::ShelterHome,
                    _ => HomeKind::FlipHome,
                }
            };
            // Central shelters stand in the centre; the others anywhere in town.
            let buurt = if kind == HomeKind::CentralShelter {
                m.buurten[0]
            } else {
                *rng.pick(&m.buurten)
            };
            let b = &geo.buurten[buurt];
            let n_places = match kind {
                HomeKind::Pitstop => 4 + rng.below(5),
                HomeKind::ShelterHome => 1 + rng.below(3),
                HomeKind::FlipHome => 1,
                HomeKind::CentralShelter => 20 + rng.below(25),
            };
            let rules = HouseRules {
                women_only: kind != HomeKind::CentralShelter && rng.chance(0.08),
                accessible: kind == HomeKind::CentralShelter || rng.chance(0.25),
                pets_allowed: rng.chance(0.15),
            };
            let name = match kind {
                HomeKind::Pitstop => format!("Pitstop {}", b.name),
                HomeKind::ShelterHome => format!("Opvangwoning {} {}", b.name, k),
                HomeKind::FlipHome => format!("Omklapwoning {} {}", b.name, k),
                HomeKind::CentralShelter => format!("Centrale opvang {}", m.name),
            };
            // Most homes were there before the history began; some opened during it.
            let opened = if kind == HomeKind::CentralShelter || rng.chance(0.78) {
                -(30 + rng.below(1500) as i32)
            } else {
                rng.below((days - 30).max(1) as usize) as i32
            };
            let closed = (kind != HomeKind::CentralShelter && rng.chance(0.02))
                .then(|| opened.max(0) + 180)
                .filter(|c| *c < days - 10)
                .map(|c| c + rng.below((days - 10 - c) as usize) as i32);
            let point = GeoPoint {
                lat: b.point.lat + (rng.f64() - 0.5) * 0.01,
                lon: b.point.lon + (rng.f64() - 0.5) * 0.015,
            };
            let index = homes.len();
            let mut home_places = Vec::new();
            let mut add_place = |opened: i32, rng: &mut Rng, places: &mut Vec<Place>| {
                let label = format!("Plek {}", home_places.len() + 1);
                // A few places are taken out of service for good.
                let retired = rng
                    .chance(0.03)
                    .then(|| opened.max(0) + 60)
                    .filter(|r| *r < days)
                    .map(|r| r + rng.below((days - r) as usize) as i32);
                home_places.push(places.len());
                places.push(Place {
                    index: places.len(),
                    home: index,
                    label,
                    opened,
                    retired,
                });
            };
            for _ in 0..n_places {
                add_place(opened, rng, &mut places);
            }
            // Some homes grew: places added later.
            if kind != HomeKind::FlipHome && rng.chance(0.1) {
                let from = opened.max(0) + 30;
                if from < days - 10 {
                    let day = from + rng.below((days - 10 - from) as usize) as i32;
                    for _ in 0..1 + rng.below(2) {
                        add_place(day, rng, &mut places);
                    }
                }
            }
            homes.push(Home {
                index,
                municipality: mi,
                buurt,
                kind,
                name,
                address: format!("{} {}", rng.pick(STREETS), 1 + rng.below(180)),
                point,
                rules,
                landlord: (kind == HomeKind::FlipHome).then(|| rng.pick(LANDLORDS).to_string()),
                opened,
                closed,
                places: home_places,
            });
        }
    }
    (homes, places)
}
