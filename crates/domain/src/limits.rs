//! The longest text each free-text field takes, in characters (not bytes).
//!
//! The same numbers are enforced by the database for new writes (migration
//! `0004_text_limits`), so an over-long value is refused even when a check above is missed.

use crate::RuleViolation;

/// A user's name as shown to others.
pub const DISPLAY_NAME: usize = 120;
/// A login name (lower-case letters, digits, `.`, `_`, `-`).
pub const USERNAME: usize = 40;
/// A phone number of a person or user.
pub const PHONE: usize = 20;
/// A person's first or last name.
pub const PERSON_NAME: usize = 100;
/// The name of a home.
pub const HOME_NAME: usize = 120;
/// A street address.
pub const ADDRESS: usize = 200;
/// The landlord of a home.
pub const LANDLORD: usize = 120;
/// The label of a place in a home ("Plek 1", "Zolderkamer").
pub const PLACE_LABEL: usize = 60;
/// Why a place is blocked.
pub const BLOCK_REASON: usize = 500;
/// The situation described at referral (what `referral::parse_situation` accepts).
pub const SITUATION: usize = 2000;
/// Why a referral was closed without placement.
pub const CLOSE_REASON: usize = 1000;
/// Who decided an extension.
pub const EXTENSION_DECIDED_BY: usize = 120;
/// Why a stay was extended.
pub const EXTENSION_REASON: usize = 1000;
/// Why a stay ended (what `stay::validate_exit` accepts).
pub const EXIT_REASON: usize = 1000;
/// The name of an organisation (provider or partner).
pub const ORGANISATION_NAME: usize = 120;
/// The name of a region, municipality or neighbourhood.
pub const AREA_NAME: usize = 120;
/// A CBS code of a municipality, district or neighbourhood (`GM0356`, `BU03560101`).
pub const AREA_CODE: usize = 16;
/// The name a user gives an API token.
pub const API_TOKEN_NAME: usize = 80;

/// Refuses a value longer than `max` characters.
pub fn check(field: &'static str, value: &str, max: usize) -> Result<(), RuleViolation> {
    if value.chars().count() > max {
        Err(too_long(field, max))
    } else {
        Ok(())
    }
}

/// The message for a value longer than `max` characters.
pub fn too_long(field: &'static str, max: usize) -> RuleViolation {
    RuleViolation::new(field, format!("hoogstens {max} tekens"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_counted_not_bytes() {
        // 120 characters of two bytes each still fit.
        assert!(check("display_name", &"é".repeat(DISPLAY_NAME), DISPLAY_NAME).is_ok());
        let e = check("display_name", &"a".repeat(DISPLAY_NAME + 1), DISPLAY_NAME).unwrap_err();
        assert_eq!(e.field, "display_name");
        assert_eq!(e.message, "hoogstens 120 tekens");
        assert!(check("reason", "", BLOCK_REASON).is_ok());
    }
}
