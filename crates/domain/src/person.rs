//! Persons: own area, household, needs, areas to avoid, and the BSN.

use crate::RuleViolation;
use crate::code_enum;
use crate::ids::{MunicipalityId, NeighbourhoodId};
use serde::{Deserialize, Serialize};

code_enum! {
    Gender {
        Woman = "vrouw",
        Man = "man",
        Other = "anders",
        Unknown = "onbekend",
    }
}

/// What a person needs from a home.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Needs {
    /// Needs an accessible home (wheelchair, no stairs).
    pub accessible: bool,
    /// Comes with pets.
    pub pets: bool,
    /// Needs a women-only house (e.g. after domestic violence).
    pub women_only: bool,
}

/// An area a person must not be placed in, for their safety.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum AvoidArea {
    Municipality(MunicipalityId),
    Neighbourhood(NeighbourhoodId),
}

/// Household size: how many places a household needs (one per member).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(try_from = "i64", into = "i64")]
pub struct HouseholdSize(u8);

impl HouseholdSize {
    pub const MAX: u8 = 12;

    pub fn new(n: i64) -> Result<Self, RuleViolation> {
        if (1..=Self::MAX as i64).contains(&n) {
            Ok(Self(n as u8))
        } else {
            Err(RuleViolation::new(
                "household_size",
                format!(
                    "een huishouden telt 1 tot en met {} personen, niet {n}",
                    Self::MAX
                ),
            ))
        }
    }

    pub fn get(self) -> usize {
        self.0 as usize
    }
}

impl TryFrom<i64> for HouseholdSize {
    type Error = RuleViolation;
    fn try_from(n: i64) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<HouseholdSize> for i64 {
    fn from(h: HouseholdSize) -> i64 {
        h.0 as i64
    }
}

/// A burgerservicenummer, checked with the eleven-test.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bsn(String);

impl Bsn {
    pub fn parse(raw: &str) -> Result<Self, RuleViolation> {
        let digits: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.')
            .collect();
        let err = |m: &str| Err(RuleViolation::new("bsn", m.to_string()));
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return err("een BSN bestaat alleen uit cijfers");
        }
        let digits = match digits.len() {
            9 => digits,
            8 => format!("0{digits}"),
            _ => return err("een BSN heeft 9 cijfers"),
        };
        let sum: i64 = digits
            .bytes()
            .enumerate()
            .map(|(i, b)| {
                let d = (b - b'0') as i64;
                if i == 8 { -d } else { d * (9 - i as i64) }
            })
            .sum();
        if sum % 11 != 0 || digits == "000000000" {
            return err("dit BSN klopt niet (elfproef)");
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Bsn {
    // A BSN never ends up in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bsn(***)")
    }
}

impl TryFrom<String> for Bsn {
    type Error = RuleViolation;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Bsn> for String {
    fn from(b: Bsn) -> String {
        b.0
    }
}

/// A name field: trimmed, not empty, not absurdly long.
pub fn parse_name(field: &'static str, raw: &str) -> Result<String, RuleViolation> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(RuleViolation::new(field, "vul een naam in"));
    }
    if s.chars().count() > crate::limits::PERSON_NAME {
        return Err(RuleViolation::new(field, "maximaal 100 tekens"));
    }
    if s.chars().any(char::is_control) {
        return Err(RuleViolation::new(
            field,
            "een naam bevat geen tabs, regeleinden of andere stuurtekens",
        ));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_no_control_characters() {
        for bad in ["a\u{0}b", "a\tb", "a\nb", "a\u{1b}[31mb"] {
            assert!(parse_name("first_name", bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_name("first_name", " Zoë ").unwrap(), "Zoë");
    }

    #[test]
    fn bsn_eleven_test() {
        assert_eq!(Bsn::parse("111222333").unwrap().as_str(), "111222333");
        assert_eq!(Bsn::parse("1112.22.333").unwrap().as_str(), "111222333");
        assert!(Bsn::parse("111222334").is_err());
        assert!(Bsn::parse("12345").is_err());
        assert!(Bsn::parse("abcdefghi").is_err());
        assert!(Bsn::parse("000000000").is_err());
        assert_eq!(
            format!("{:?}", Bsn::parse("111222333").unwrap()),
            "Bsn(***)"
        );
    }

    #[test]
    fn household_bounds() {
        assert!(HouseholdSize::new(0).is_err());
        assert_eq!(HouseholdSize::new(3).unwrap().get(), 3);
        assert!(HouseholdSize::new(13).is_err());
    }

    #[test]
    fn names_are_trimmed_and_required() {
        assert_eq!(parse_name("first_name", "  Anna ").unwrap(), "Anna");
        assert_eq!(
            parse_name("first_name", "  ").unwrap_err().field,
            "first_name"
        );
    }
}
