//! Referrals (aanmeldingen): who referred, how urgent, and the states a referral moves through.

use crate::code_enum;
use jiff::{SignedDuration, Timestamp};

code_enum! {
    /// Who referred the person.
    ReferralSource {
        SocialTeam = "sociaal_team",
        Municipality = "gemeente",
        HousingCorporation = "woningcorporatie",
        Police = "politie",
        GeneralPractitioner = "huisarts",
        MentalHealth = "ggz",
        Probation = "reclassering",
        SelfReferral = "zelfmelder",
        Other = "anders",
    }
}

code_enum! {
    Urgency {
        Normal = "normaal",
        High = "hoog",
        Crisis = "acuut",
    }
}

code_enum! {
    /// `received → placed | advised_elsewhere | withdrawn`.
    ReferralState {
        Received = "received",
        Placed = "placed",
        AdvisedElsewhere = "advised_elsewhere",
        Withdrawn = "withdrawn",
    }
}

/// The promise: a referral is placed or closed within this time.
pub const PLACEMENT_DEADLINE: SignedDuration = SignedDuration::from_hours(24);

impl ReferralState {
    /// Whether a referral in this state can move to `to`.
    pub fn can_become(self, to: ReferralState) -> bool {
        self == ReferralState::Received && to != ReferralState::Received
    }

    pub fn is_open(self) -> bool {
        self == ReferralState::Received
    }
}

/// A referral still open more than 24 hours after it was received is a breach of the promise.
pub fn is_breach(state: ReferralState, received_at: Timestamp, now: Timestamp) -> bool {
    state.is_open() && now.duration_since(received_at) > PLACEMENT_DEADLINE
}

/// The situation text: required, short enough to read at a glance.
pub fn parse_situation(raw: &str) -> Result<String, crate::RuleViolation> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(crate::RuleViolation::new(
            "situation",
            "beschrijf kort de situatie",
        ));
    }
    if s.chars().count() > crate::limits::SITUATION {
        return Err(crate::RuleViolation::new(
            "situation",
            "maximaal 2000 tekens; zet details in het dossier",
        ));
    }
    // Line breaks and tabs belong in a description; other control characters do not.
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(crate::RuleViolation::new(
            "situation",
            "de tekst bevat stuurtekens; typ hem opnieuw",
        ));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_received_referrals_move() {
        use ReferralState::*;
        assert!(Received.can_become(Placed));
        assert!(Received.can_become(Withdrawn));
        assert!(!Placed.can_become(Withdrawn));
        assert!(!Withdrawn.can_become(Placed));
        assert!(!Received.can_become(Received));
    }

    #[test]
    fn breach_after_twenty_four_hours_open() {
        let t0: Timestamp = "2026-03-01T22:00:00Z".parse().unwrap();
        let t_23h = t0 + SignedDuration::from_hours(23);
        let t_25h = t0 + SignedDuration::from_hours(25);
        assert!(!is_breach(ReferralState::Received, t0, t_23h));
        assert!(is_breach(ReferralState::Received, t0, t_25h));
        assert!(!is_breach(ReferralState::Placed, t0, t_25h));
    }

    #[test]
    fn codes_round_trip() {
        for s in ReferralSource::ALL {
            assert_eq!(ReferralSource::parse(s.code()), Some(*s));
        }
        assert_eq!(Urgency::parse("acuut"), Some(Urgency::Crisis));
        assert_eq!(Urgency::parse("ACUUT"), None);
    }
}
