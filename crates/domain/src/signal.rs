//! Signals (signaleringen): a concern about a resident or a house, from a main resident, a
//! buddy or a professional. It goes to the resident's professionals (or the coordinators),
//! must be acknowledged within the norm of its urgency, and escalates to the coordinators
//! when nobody acknowledged it in time (domain.md §5).

use crate::{RuleViolation, code_enum};
use jiff::{SignedDuration, Timestamp};

/// The longest signal text (characters): a few sentences typed on a phone.
pub const TEXT_MAX: usize = 1000;
/// The longest follow-up note (characters).
pub const NOTE_MAX: usize = 2000;

code_enum! {
    /// What a signal is about.
    SignalCategory {
        Wellbeing = "wellbeing",
        Conflict = "conflict",
        SubstanceUse = "substance_use",
        Absence = "absence",
        RentDebt = "rent_debt",
        Safety = "safety",
        Other = "other",
    }
}

code_enum! {
    /// How soon someone must act on it.
    Urgency {
        Low = "low",
        Normal = "normal",
        High = "high",
        Acute = "acute",
    }
}

code_enum! {
    /// Where a signal stands; the filer sees only this.
    SignalStatus {
        Received = "received",
        Acknowledged = "acknowledged",
        Closed = "closed",
    }
}

/// How long a signal of each urgency may wait for an acknowledgement before it escalates to
/// the coordinators, in hours of elapsed time (a person waiting for help lives through the
/// hour that daylight saving skips or repeats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Norms {
    pub acute_hours: u32,
    pub high_hours: u32,
    pub normal_hours: u32,
    pub low_hours: u32,
}

impl Default for Norms {
    fn default() -> Self {
        Norms {
            acute_hours: 1,
            high_hours: 4,
            normal_hours: 24,
            low_hours: 72,
        }
    }
}

impl Norms {
    /// The norm of `urgency`.
    pub fn hours(&self, urgency: Urgency) -> u32 {
        match urgency {
            Urgency::Acute => self.acute_hours,
            Urgency::High => self.high_hours,
            Urgency::Normal => self.normal_hours,
            Urgency::Low => self.low_hours,
        }
    }

    /// When a signal of `urgency` filed at `filed` escalates if nobody acknowledged it.
    pub fn deadline(&self, filed: Timestamp, urgency: Urgency) -> Timestamp {
        let d = SignedDuration::from_hours(i64::from(self.hours(urgency)));
        filed.checked_add(d).unwrap_or(Timestamp::MAX)
    }

    /// Every norm is between one hour and four weeks.
    pub fn check(&self) -> Result<(), RuleViolation> {
        for u in Urgency::ALL {
            let h = self.hours(*u);
            if !(1..=24 * 28).contains(&h) {
                return Err(RuleViolation::new(
                    "norms",
                    format!("de norm voor {} moet tussen 1 en 672 uur liggen", u.code()),
                ));
            }
        }
        Ok(())
    }
}

/// Whether an unacknowledged signal due at `due` has to escalate at `now`.
pub fn escalates(due: Timestamp, acknowledged: bool, escalated: bool, now: Timestamp) -> bool {
    !acknowledged && !escalated && due <= now
}

/// The status of a signal from its moments.
pub fn status(acknowledged: bool, closed: bool) -> SignalStatus {
    match (acknowledged, closed) {
        (_, true) => SignalStatus::Closed,
        (true, false) => SignalStatus::Acknowledged,
        (false, false) => SignalStatus::Received,
    }
}

/// The text of a signal as typed: trimmed, not empty, at most [`TEXT_MAX`] characters.
pub fn parse_text(raw: &str) -> Result<String, RuleViolation> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(RuleViolation::new("text", "vul in wat er aan de hand is"));
    }
    if t.chars().count() > TEXT_MAX {
        return Err(RuleViolation::new(
            "text",
            format!("de tekst mag hoogstens {TEXT_MAX} tekens lang zijn"),
        ));
    }
    Ok(t.to_owned())
}

/// A follow-up note: trimmed, not empty, at most [`NOTE_MAX`] characters.
pub fn parse_note(raw: &str) -> Result<String, RuleViolation> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(RuleViolation::new(
            "note",
            "schrijf op wat er met het signaal is gedaan",
        ));
    }
    if t.chars().count() > NOTE_MAX {
        return Err(RuleViolation::new(
            "note",
            format!("de notitie mag hoogstens {NOTE_MAX} tekens lang zijn"),
        ));
    }
    Ok(t.to_owned())
}

/// A category as sent by a form or the API.
pub fn parse_category(raw: &str) -> Result<SignalCategory, RuleViolation> {
    SignalCategory::parse(raw.trim())
        .ok_or_else(|| RuleViolation::new("category", "kies een soort signaal uit de lijst"))
}

/// An urgency as sent by a form or the API.
pub fn parse_urgency(raw: &str) -> Result<Urgency, RuleViolation> {
    Urgency::parse(raw.trim())
        .ok_or_else(|| RuleViolation::new("urgency", "kies hoe dringend het is"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    fn amsterdam(local: &str) -> Timestamp {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        tz.to_timestamp(local.parse::<jiff::civil::DateTime>().unwrap())
            .unwrap()
    }

    fn local(t: Timestamp) -> String {
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        tz.to_datetime(t).strftime("%Y-%m-%d %H:%M").to_string()
    }

    #[test]
    fn default_norms_are_the_policy() {
        let n = Norms::default();
        let t = amsterdam("2026-06-10T12:00");
        assert_eq!(local(n.deadline(t, Urgency::Acute)), "2026-06-10 13:00");
        assert_eq!(local(n.deadline(t, Urgency::High)), "2026-06-10 16:00");
        assert_eq!(local(n.deadline(t, Urgency::Normal)), "2026-06-11 12:00");
        assert_eq!(local(n.deadline(t, Urgency::Low)), "2026-06-13 12:00");
        assert!(n.check().is_ok());
    }

    #[test]
    fn an_acute_signal_at_half_past_eleven_is_due_after_midnight() {
        let n = Norms::default();
        let filed = amsterdam("2026-11-30T23:30");
        assert_eq!(local(n.deadline(filed, Urgency::Acute)), "2026-12-01 00:30");
        assert_eq!(local(n.deadline(filed, Urgency::High)), "2026-12-01 03:30");
    }

    #[test]
    fn the_spring_forward_night_skips_an_hour_of_the_clock_not_of_the_wait() {
        // 29 March 2026: 02:00 CET becomes 03:00 CEST.
        let n = Norms::default();
        let filed = amsterdam("2026-03-29T01:30");
        assert_eq!(local(n.deadline(filed, Urgency::Acute)), "2026-03-29 03:30");
        // 24 hours of waiting end at 02:30 the next day, not at 01:30.
        let filed = amsterdam("2026-03-28T02:30");
        assert_eq!(
            local(n.deadline(filed, Urgency::Normal)),
            "2026-03-29 03:30"
        );
    }

    #[test]
    fn the_fall_back_night_repeats_an_hour_that_still_counts() {
        // 25 October 2026: 03:00 CEST becomes 02:00 CET.
        let n = Norms::default();
        let filed = amsterdam("2026-10-25T01:45");
        let due = n.deadline(filed, Urgency::Acute);
        assert_eq!(local(due), "2026-10-25 02:45");
        assert_eq!(due.duration_since(filed), SignedDuration::from_hours(1));
        let due = n.deadline(filed, Urgency::High);
        // Four hours later the clock says 04:45 CET, one hour less than without the change.
        assert_eq!(local(due), "2026-10-25 04:45");
        let filed = amsterdam("2026-10-24T12:00");
        assert_eq!(
            local(n.deadline(filed, Urgency::Normal)),
            "2026-10-25 11:00"
        );
    }

    #[test]
    fn configured_norms_are_used_and_checked() {
        let n = Norms {
            acute_hours: 2,
            ..Norms::default()
        };
        let t = amsterdam("2026-06-10T12:00");
        assert_eq!(local(n.deadline(t, Urgency::Acute)), "2026-06-10 14:00");
        assert!(
            Norms {
                low_hours: 0,
                ..Norms::default()
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn escalation_happens_once_and_only_when_due_and_unacknowledged() {
        let due = amsterdam("2026-06-10T13:00");
        let before = amsterdam("2026-06-10T12:59");
        assert!(!escalates(due, false, false, before));
        assert!(escalates(due, false, false, due));
        assert!(!escalates(due, true, false, due));
        assert!(!escalates(due, false, true, due));
    }

    #[test]
    fn texts_are_checked_in_dutch() {
        assert_eq!(
            parse_text("  ruzie in de keuken ").unwrap(),
            "ruzie in de keuken"
        );
        assert_eq!(parse_text("   ").unwrap_err().field, "text");
        assert!(parse_text(&"x".repeat(TEXT_MAX + 1)).is_err());
        assert!(parse_text(&"é".repeat(TEXT_MAX)).is_ok());
        assert!(parse_note("").is_err());
        assert_eq!(
            parse_category("rent_debt").unwrap(),
            SignalCategory::RentDebt
        );
        assert_eq!(parse_category("huur").unwrap_err().field, "category");
        assert_eq!(parse_urgency("acute").unwrap(), Urgency::Acute);
        assert!(parse_urgency("heel erg").is_err());
        assert_eq!(status(false, false), SignalStatus::Received);
        assert_eq!(status(true, false), SignalStatus::Acknowledged);
        assert_eq!(status(true, true), SignalStatus::Closed);
    }
}
