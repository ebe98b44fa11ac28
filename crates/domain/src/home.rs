//! Homes (woonvoorzieningen), their kinds and house rules, and places.

use crate::code_enum;
use serde::{Deserialize, Serialize};

code_enum! {
    /// The kind of a home; it sets the maximum stay.
    HomeKind {
        Pitstop = "pitstop",
        ShelterHome = "opvangwoning",
        FlipHome = "omklapwoning",
        CentralShelter = "centrale_opvang",
    }
}

impl HomeKind {
    /// Default maximum stay in months (domain: six months for every kind unless configured).
    pub fn default_max_stay_months(self) -> i8 {
        6
    }
}

/// What a home allows; matched against a person's needs at placement.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct HouseRules {
    pub women_only: bool,
    pub accessible: bool,
    pub pets_allowed: bool,
}

/// Largest number of places a single home may have; larger is a central shelter.
pub const MAX_PLACES_PER_HOME: i64 = 200;
