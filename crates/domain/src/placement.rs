//! Placement — "direct een plek": rank every free place for a referral at once.
//!
//! Hard filters first (household fits in one home's free places, house rules against needs,
//! areas to avoid; blocked and occupied places never reach this module as free). Then the
//! order of the promise: same neighbourhood, same municipality, distance from the own area.
//! Soft preferences break ties: a small home before the central shelter, then the home the
//! household fills best, so larger homes stay open for larger households.

use crate::geo::GeoPoint;
use crate::home::{HomeKind, HouseRules};
use crate::ids::{HomeId, MunicipalityId, NeighbourhoodId, PlaceId};
use crate::labels;
use crate::person::{AvoidArea, Gender, HouseholdSize, Needs};
use serde::Serialize;
use std::sync::Arc;

/// Who needs a place, and where their life is.
#[derive(Debug, Clone)]
pub struct PlacementRequest {
    pub household: HouseholdSize,
    pub gender: Gender,
    pub needs: Needs,
    pub own_municipality: MunicipalityId,
    pub own_neighbourhood: Option<NeighbourhoodId>,
    /// Centroid of the own neighbourhood (or municipality when the neighbourhood is unknown).
    pub own_point: GeoPoint,
    pub avoid: Vec<AvoidArea>,
}

/// A home with its places that are free now (not occupied, not blocked).
#[derive(Debug, Clone)]
pub struct HomeAvailability {
    pub home: HomeId,
    pub home_name: Arc<str>,
    pub kind: HomeKind,
    pub rules: HouseRules,
    pub municipality: MunicipalityId,
    pub municipality_name: Arc<str>,
    pub neighbourhood: NeighbourhoodId,
    pub neighbourhood_name: Arc<str>,
    pub point: GeoPoint,
    pub total_places: usize,
    pub free_places: Vec<PlaceId>,
    /// Maximum stay in this home, in months.
    pub max_stay_months: i8,
}

/// How close a proposal is to the person's own area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Proximity {
    OwnNeighbourhood,
    OwnMunicipality,
    Elsewhere,
}

/// One ranked proposal: a home and the places the household would take. Its explanation is
/// written when asked for (and when serialised), so ranking thousands of homes stays cheap.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub rank: usize,
    pub home: HomeId,
    pub home_name: Arc<str>,
    pub kind: HomeKind,
    pub municipality_name: Arc<str>,
    pub neighbourhood_name: Arc<str>,
    pub proximity: Proximity,
    pub distance_km: f64,
    pub free_places: usize,
    pub total_places: usize,
    pub places: Vec<PlaceId>,
    household: usize,
    needs: crate::person::Needs,
}

/// A proposal as the API writes it: one derived shape gives both the JSON and its schema.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "Proposal")]
struct ProposalOut<'a> {
    rank: usize,
    home: HomeId,
    home_name: &'a str,
    kind: HomeKind,
    municipality_name: &'a str,
    neighbourhood_name: &'a str,
    proximity: Proximity,
    distance_km: f64,
    free_places: usize,
    places: &'a [PlaceId],
    explanation: String,
}

impl Serialize for Proposal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ProposalOut {
            rank: self.rank,
            home: self.home,
            home_name: &self.home_name,
            kind: self.kind,
            municipality_name: &self.municipality_name,
            neighbourhood_name: &self.neighbourhood_name,
            proximity: self.proximity,
            distance_km: self.distance_km,
            free_places: self.free_places,
            places: &self.places,
            explanation: self.explanation(),
        }
        .serialize(s)
    }
}

impl schemars::JsonSchema for Proposal {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        ProposalOut::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        ProposalOut::json_schema(generator)
    }
}

/// Why a home with free places was not proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    TooFewPlaces,
    WomenOnly,
    NotAccessible,
    NoPets,
    NotWomenOnly,
    AreaToAvoid,
}

impl Exclusion {
    pub fn label(self) -> &'static str {
        match self {
            Exclusion::TooFewPlaces => "te weinig vrije plekken voor het huishouden",
            Exclusion::WomenOnly => "huis alleen voor vrouwen",
            Exclusion::NotAccessible => "huis is niet toegankelijk",
            Exclusion::NoPets => "geen huisdieren toegestaan",
            Exclusion::NotWomenOnly => "geen vrouwenhuis, en dat is nodig",
            Exclusion::AreaToAvoid => "ligt in een gebied dat vermeden moet worden",
        }
    }
}

/// The answer to "where can this household go now?".
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    pub proposals: Vec<Proposal>,
    /// Homes with free places that did not pass a hard filter, with the first reason.
    pub excluded: Vec<(HomeId, Exclusion)>,
    /// Nothing free in the own municipality: recorded as *geen plek in eigen gebied*.
    pub no_place_in_own_area: bool,
}

/// First hard filter a home fails, if any.
pub fn exclusion(req: &PlacementRequest, home: &HomeAvailability) -> Option<Exclusion> {
    if home.free_places.len() < req.household.get() {
        return Some(Exclusion::TooFewPlaces);
    }
    if req.avoid.iter().any(|a| match *a {
        AvoidArea::Municipality(m) => m == home.municipality,
        AvoidArea::Neighbourhood(n) => n == home.neighbourhood,
    }) {
        return Some(Exclusion::AreaToAvoid);
    }
    if home.rules.women_only && req.gender != Gender::Woman {
        return Some(Exclusion::WomenOnly);
    }
    if req.needs.women_only && !home.rules.women_only {
        return Some(Exclusion::NotWomenOnly);
    }
    if req.needs.accessible && !home.rules.accessible {
        return Some(Exclusion::NotAccessible);
    }
    if req.needs.pets && !home.rules.pets_allowed {
        return Some(Exclusion::NoPets);
    }
    None
}

/// Ranks every home with enough free places for the request. Deterministic: equal keys fall
/// back to the home id.
pub fn rank_free_places(req: &PlacementRequest, homes: &[HomeAvailability]) -> Ranking {
    let mut excluded = Vec::new();
    let mut keyed: Vec<(Key, &HomeAvailability, Proximity, f64)> = Vec::with_capacity(homes.len());
    for home in homes.iter().filter(|h| !h.free_places.is_empty()) {
        if let Some(why) = exclusion(req, home) {
            excluded.push((home.home, why));
            continue;
        }
        let proximity = if Some(home.neighbourhood) == req.own_neighbourhood {
            Proximity::OwnNeighbourhood
        } else if home.municipality == req.own_municipality {
            Proximity::OwnMunicipality
        } else {
            Proximity::Elsewhere
        };
        let distance = req.own_point.distance_km(home.point);
        let key = Key {
            proximity,
            // Metres: distances that round to the same metre are equal, and soft preferences decide.
            metres: (distance * 1000.0).round() as u64,
            central: home.kind == HomeKind::CentralShelter,
            leftover: home.free_places.len() - req.household.get(),
            home: home.home,
        };
        keyed.push((key, home, proximity, distance));
    }
    keyed.sort_unstable_by_key(|k| k.0);
    let no_place_in_own_area = !keyed.iter().any(|k| k.2 != Proximity::Elsewhere);
    let proposals = keyed
        .into_iter()
        .enumerate()
        .map(|(i, (_, home, proximity, distance))| Proposal {
            rank: i + 1,
            home: home.home,
            home_name: home.home_name.clone(),
            kind: home.kind,
            municipality_name: home.municipality_name.clone(),
            neighbourhood_name: home.neighbourhood_name.clone(),
            proximity,
            distance_km: distance,
            free_places: home.free_places.len(),
            total_places: home.total_places,
            places: home.free_places[..req.household.get()].to_vec(),
            household: req.household.get(),
            needs: req.needs,
        })
        .collect();
    Ranking {
        proposals,
        excluded,
        no_place_in_own_area,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    proximity: Proximity,
    metres: u64,
    central: bool,
    leftover: usize,
    home: HomeId,
}

impl Proposal {
    /// Why this proposal ranks where it does, in Dutch.
    pub fn explanation(&self) -> String {
        let mut s = match self.proximity {
            Proximity::OwnNeighbourhood => {
                format!("In de eigen buurt ({})", self.neighbourhood_name)
            }
            Proximity::OwnMunicipality => format!(
                "In de eigen gemeente {}, buurt {}",
                self.municipality_name, self.neighbourhood_name
            ),
            Proximity::Elsewhere => format!(
                "Buiten de eigen gemeente: {} ({})",
                self.municipality_name, self.neighbourhood_name
            ),
        };
        s.push_str(&format!(
            ", {} van de eigen buurt",
            labels::km(self.distance_km)
        ));
        let (n, free) = (self.household, self.free_places);
        if n == 1 {
            s.push_str(&format!("; {free} van {} plekken vrij", self.total_places));
        } else {
            s.push_str(&format!(
                "; {free} plekken vrij, het huishouden van {n} past"
            ));
        }
        if self.kind == HomeKind::CentralShelter {
            s.push_str("; centrale opvang: alleen als er dichterbij niets is");
        }
        let matched: Vec<&str> = [
            (self.needs.accessible, "toegankelijk"),
            (self.needs.pets, "huisdieren welkom"),
            (self.needs.women_only, "vrouwenhuis"),
        ]
        .into_iter()
        .filter_map(|(need, word)| need.then_some(word))
        .collect();
        if !matched.is_empty() {
            s.push_str(&format!("; past bij wat nodig is: {}", matched.join(", ")));
        }
        s.push('.');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn home(id: i64, muni: i64, buurt: i64, lat: f64, free: usize) -> HomeAvailability {
        HomeAvailability {
            home: HomeId(id),
            home_name: format!("Huis {id}").into(),
            kind: HomeKind::Pitstop,
            rules: HouseRules::default(),
            municipality: MunicipalityId(muni),
            municipality_name: format!("Gemeente {muni}").into(),
            neighbourhood: NeighbourhoodId(buurt),
            neighbourhood_name: format!("Buurt {buurt}").into(),
            point: GeoPoint { lat, lon: 5.0 },
            total_places: free.max(1),
            max_stay_months: 6,
            free_places: (0..free as i64).map(|p| PlaceId(id * 100 + p)).collect(),
        }
    }

    fn request() -> PlacementRequest {
        PlacementRequest {
            household: HouseholdSize::new(1).unwrap(),
            gender: Gender::Man,
            needs: Needs::default(),
            own_municipality: MunicipalityId(1),
            own_neighbourhood: Some(NeighbourhoodId(10)),
            own_point: GeoPoint {
                lat: 52.0,
                lon: 5.0,
            },
            avoid: vec![],
        }
    }

    #[test]
    fn own_neighbourhood_then_own_municipality_then_distance() {
        let homes = vec![
            home(1, 2, 20, 52.01, 1), // other municipality, 1 km
            home(2, 1, 11, 52.05, 1), // own municipality, 5.5 km
            home(3, 1, 10, 52.03, 1), // own neighbourhood, 3 km
            home(4, 3, 30, 52.20, 1), // other municipality, 22 km
        ];
        let r = rank_free_places(&request(), &homes);
        let order: Vec<i64> = r.proposals.iter().map(|p| p.home.0).collect();
        assert_eq!(order, [3, 2, 1, 4]);
        assert!(!r.no_place_in_own_area);
        assert!(
            r.proposals[0]
                .explanation()
                .starts_with("In de eigen buurt (Buurt 10)")
        );
        assert!(
            r.proposals[2]
                .explanation()
                .contains("Buiten de eigen gemeente: Gemeente 2")
        );
        assert!(r.proposals[2].explanation().contains("1,1 km"));
    }

    #[test]
    fn nothing_in_own_municipality_is_a_no_place_event_but_alternatives_show() {
        let homes = vec![home(1, 2, 20, 52.01, 2), home(2, 1, 10, 52.0, 0)];
        let r = rank_free_places(&request(), &homes);
        assert!(r.no_place_in_own_area);
        assert_eq!(r.proposals.len(), 1);
        assert_eq!(r.proposals[0].proximity, Proximity::Elsewhere);
    }

    #[test]
    fn hard_filters_exclude_with_a_reason() {
        let mut women = home(1, 1, 10, 52.0, 2);
        women.rules.women_only = true;
        let small = home(2, 1, 10, 52.0, 1);
        let mut no_pets = home(3, 1, 10, 52.0, 3);
        no_pets.rules.pets_allowed = false;
        let avoid = home(4, 5, 50, 52.0, 3);
        let mut req = request();
        req.household = HouseholdSize::new(2).unwrap();
        req.needs.pets = true;
        req.avoid = vec![AvoidArea::Municipality(MunicipalityId(5))];
        let r = rank_free_places(&req, &[women, small, no_pets, avoid]);
        assert!(r.proposals.is_empty());
        assert_eq!(
            r.excluded,
            vec![
                (HomeId(1), Exclusion::WomenOnly),
                (HomeId(2), Exclusion::TooFewPlaces),
                (HomeId(3), Exclusion::NoPets),
                (HomeId(4), Exclusion::AreaToAvoid),
            ]
        );
    }

    #[test]
    fn a_woman_who_needs_a_womens_house_gets_only_those() {
        let mut women = home(1, 1, 12, 52.02, 1);
        women.rules.women_only = true;
        let mixed = home(2, 1, 10, 52.0, 1);
        let mut req = request();
        req.gender = Gender::Woman;
        req.needs.women_only = true;
        let r = rank_free_places(&req, &[women, mixed]);
        assert_eq!(r.proposals.len(), 1);
        assert_eq!(r.proposals[0].home, HomeId(1));
        assert!(r.proposals[0].explanation().contains("vrouwenhuis"));
    }

    #[test]
    fn central_shelter_loses_a_tie_and_best_fit_wins() {
        let mut central = home(1, 2, 20, 52.1, 40);
        central.kind = HomeKind::CentralShelter;
        let big = home(2, 2, 20, 52.1, 3);
        let snug = home(3, 2, 20, 52.1, 1);
        let r = rank_free_places(&request(), &[central, big, snug]);
        let order: Vec<i64> = r.proposals.iter().map(|p| p.home.0).collect();
        assert_eq!(order, [3, 2, 1]);
        assert!(r.proposals[2].explanation().contains("centrale opvang"));
    }

    #[test]
    fn a_household_takes_as_many_places_as_members() {
        let mut req = request();
        req.household = HouseholdSize::new(3).unwrap();
        let r = rank_free_places(&req, &[home(1, 1, 10, 52.0, 4)]);
        assert_eq!(r.proposals[0].places.len(), 3);
        assert!(
            r.proposals[0]
                .explanation()
                .contains("huishouden van 3 past")
        );
    }

    proptest! {
        #[test]
        fn ranking_is_sorted_and_filters_hold(
            specs in proptest::collection::vec((1i64..4, 0i64..6, 51.5f64..53.0, 0usize..5, any::<bool>(), any::<bool>()), 0..40),
            size in 1i64..4,
            needs_access in any::<bool>(),
        ) {
            let homes: Vec<_> = specs.iter().enumerate().map(|(i, &(m, b, lat, free, acc, women))| {
                let mut h = home(i as i64 + 1, m, m * 10 + b, lat, free);
                h.rules.accessible = acc;
                h.rules.women_only = women;
                h
            }).collect();
            let mut req = request();
            req.household = HouseholdSize::new(size).unwrap();
            req.needs.accessible = needs_access;
            let r = rank_free_places(&req, &homes);
            for w in r.proposals.windows(2) {
                prop_assert!(w[0].proximity <= w[1].proximity);
                if w[0].proximity == w[1].proximity {
                    prop_assert!(w[0].distance_km <= w[1].distance_km + 0.001);
                }
            }
            for p in &r.proposals {
                let h = homes.iter().find(|h| h.home == p.home).unwrap();
                prop_assert!(h.free_places.len() >= size as usize);
                prop_assert!(!h.rules.women_only);
                prop_assert!(!needs_access || h.rules.accessible);
                prop_assert_eq!(p.places.len(), size as usize);
                prop_assert!(p.places.iter().all(|pl| h.free_places.contains(pl)));
            }
            // Every home with a free place is either proposed or excluded with a reason.
            let with_free = homes.iter().filter(|h| !h.free_places.is_empty()).count();
            prop_assert_eq!(r.proposals.len() + r.excluded.len(), with_free);
            prop_assert_eq!(
                r.no_place_in_own_area,
                !r.proposals.iter().any(|p| p.proximity != Proximity::Elsewhere)
            );
        }
    }
}
