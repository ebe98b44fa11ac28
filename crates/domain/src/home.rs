//! Homes (woonvoorzieningen), their kinds and house rules, and places.

use crate::RuleViolation;
use crate::code_enum;
use jiff::civil::Date;
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
    /// Default maximum stay in months: six, except in an omklapwoning, whose resident is
    /// not meant to leave (the lease flips after a review that starts around six months).
    pub fn default_max_stay_months(self) -> i8 {
        match self {
            HomeKind::FlipHome => crate::outflow::FLIP_HOME_MAX_STAY_MONTHS,
            _ => 6,
        }
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

/// Most places one form or request may add at once.
pub const MAX_PLACES_ADDED: i64 = 50;

/// A home's or place's service period: open from `opened_on` up to, not including,
/// `closed_on` (half-open, like every period of capacity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServicePeriod {
    pub opened_on: Date,
    pub closed_on: Option<Date>,
}

impl ServicePeriod {
    /// Whether it can be used on the night of `d`.
    pub fn in_service_on(&self, d: Date) -> bool {
        self.opened_on <= d && self.closed_on.is_none_or(|c| d < c)
    }
}

/// When the residents who still hold a place (or a home's places) leave: the planned end
/// of every stay that has not ended. A stay ending on a date no longer holds its place
/// that night.
fn still_holding(field: &'static str, on: Date, stays_end: &[Date]) -> Result<(), RuleViolation> {
    let staying: Vec<Date> = stays_end.iter().copied().filter(|end| *end > on).collect();
    let Some(last) = staying.iter().max() else {
        return Ok(());
    };
    let who = if staying.len() == 1 {
        "1 bewoner woont".to_string()
    } else {
        format!("{} bewoners wonen", staying.len())
    };
    Err(RuleViolation::new(
        field,
        format!(
            "op {} {who} hier nog, tot {}; kies een datum vanaf {} of beëindig eerst het verblijf",
            crate::labels::date(on),
            crate::labels::date(*last),
            crate::labels::date(*last)
        ),
    ))
}

/// Whether a place may be retired from `on` (the first night it no longer counts):
/// within the accepted dates, after it was added, not after its home closed, and with no
/// resident still holding it on or after that date. `stays_end` holds the planned end of
/// every running stay on the place.
pub fn check_retire(
    place: ServicePeriod,
    home: ServicePeriod,
    on: Date,
    stays_end: &[Date],
) -> Result<(), RuleViolation> {
    crate::dates::check_range("retired_on", on)?;
    if place.closed_on.is_some() {
        return Err(RuleViolation::new(
            "retired_on",
            "deze plek is al buiten gebruik",
        ));
    }
    if on <= place.opened_on {
        return Err(RuleViolation::new(
            "retired_on",
            format!(
                "de plek is in gebruik vanaf {}; kies een latere datum",
                crate::labels::date(place.opened_on)
            ),
        ));
    }
    if let Some(c) = home.closed_on
        && on >= c
    {
        return Err(RuleViolation::new(
            "retired_on",
            format!(
                "het huis sluit al op {}; alle plekken tellen dan niet meer mee",
                crate::labels::date(c)
            ),
        ));
    }
    still_holding("retired_on", on, stays_end)
}

/// Whether a home may close from `on` (the first night it is no longer open): within the
/// accepted dates, after it opened, and with no resident still living there on or after
/// that date. `stays_end` holds the planned end of every running stay in the home.
pub fn check_close(home: ServicePeriod, on: Date, stays_end: &[Date]) -> Result<(), RuleViolation> {
    crate::dates::check_range("closed_on", on)?;
    if on <= home.opened_on {
        return Err(RuleViolation::new(
            "closed_on",
            format!(
                "de sluitingsdatum moet na de openingsdatum ({}) liggen",
                crate::labels::date(home.opened_on)
            ),
        ));
    }
    still_holding("closed_on", on, stays_end)
}

/// Whether a closing may be undone on `today`: only one that has not taken effect.
pub fn check_reopen(home: ServicePeriod, today: Date) -> Result<(), RuleViolation> {
    match home.closed_on {
        None => Err(RuleViolation::new("closed_on", "het huis is niet gesloten")),
        Some(c) if c <= today => Err(RuleViolation::new(
            "closed_on",
            format!(
                "het huis is sinds {} gesloten; alleen een sluiting in de toekomst kan worden teruggedraaid",
                crate::labels::date(c)
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// Whether `count` places may be added to a home from `from`: a sensible number, within
/// the accepted dates, not before the home opens and not once it has closed.
pub fn check_new_places(home: ServicePeriod, from: Date, count: i64) -> Vec<RuleViolation> {
    let mut errors = Vec::new();
    if !(1..=MAX_PLACES_ADDED).contains(&count) {
        errors.push(RuleViolation::new(
            "count",
            format!("voeg 1 tot en met {MAX_PLACES_ADDED} plekken tegelijk toe"),
        ));
    }
    if let Err(e) = crate::dates::check_range("from", from) {
        errors.push(e);
        return errors;
    }
    if from < home.opened_on {
        errors.push(RuleViolation::new(
            "from",
            format!(
                "het huis opent op {}; plekken tellen pas vanaf dan",
                crate::labels::date(home.opened_on)
            ),
        ));
    }
    if let Some(c) = home.closed_on
        && from >= c
    {
        errors.push(RuleViolation::new(
            "from",
            format!("het huis is gesloten vanaf {}", crate::labels::date(c)),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn open(from: Date) -> ServicePeriod {
        ServicePeriod {
            opened_on: from,
            closed_on: None,
        }
    }

    #[test]
    fn a_period_is_half_open() {
        let p = ServicePeriod {
            opened_on: date(2026, 1, 1),
            closed_on: Some(date(2026, 3, 1)),
        };
        assert!(!p.in_service_on(date(2025, 12, 31)));
        assert!(p.in_service_on(date(2026, 1, 1)));
        assert!(p.in_service_on(date(2026, 2, 28)));
        assert!(!p.in_service_on(date(2026, 3, 1)));
    }

    #[test]
    fn a_home_closes_on_the_day_its_last_stay_ends() {
        let home = open(date(2026, 1, 1));
        // Ends exactly on the closing date: the last night is the day before.
        assert!(check_close(home, date(2028, 2, 29), &[date(2028, 2, 29)]).is_ok());
        let e = check_close(
            home,
            date(2028, 2, 28),
            &[date(2028, 2, 29), date(2028, 1, 5)],
        )
        .unwrap_err();
        assert_eq!(e.field, "closed_on");
        assert!(e.message.contains("1 bewoner woont"), "{}", e.message);
        assert!(e.message.contains("29 feb 2028"), "{}", e.message);
    }

    #[test]
    fn closing_names_how_many_stay_and_until_when() {
        let e = check_close(
            open(date(2024, 1, 1)),
            date(2024, 2, 29),
            &[date(2024, 3, 10), date(2024, 4, 1), date(2024, 2, 1)],
        )
        .unwrap_err();
        assert!(e.message.contains("2 bewoners wonen"), "{}", e.message);
        assert!(
            e.message.contains(&crate::labels::date(date(2024, 4, 1))),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_home_closes_after_it_opened_and_within_the_accepted_dates() {
        let home = open(date(2026, 5, 1));
        assert!(check_close(home, date(2026, 5, 1), &[]).is_err());
        assert!(check_close(home, date(2026, 4, 1), &[]).is_err());
        assert!(check_close(home, date(2026, 5, 2), &[]).is_ok());
        assert!(check_close(home, date(2200, 1, 1), &[]).is_err());
    }

    #[test]
    fn a_place_is_retired_only_when_nobody_holds_it() {
        let home = open(date(2024, 1, 1));
        let place = open(date(2024, 2, 29));
        assert!(check_retire(place, home, date(2024, 2, 29), &[]).is_err());
        assert!(check_retire(place, home, date(2024, 3, 1), &[]).is_ok());
        assert!(check_retire(place, home, date(2024, 3, 1), &[date(2024, 3, 1)]).is_ok());
        let e = check_retire(place, home, date(2024, 3, 1), &[date(2024, 3, 2)]).unwrap_err();
        assert_eq!(e.field, "retired_on");
        assert!(e.message.contains("1 bewoner"), "{}", e.message);
        let retired = ServicePeriod {
            closed_on: Some(date(2024, 5, 1)),
            ..place
        };
        assert!(check_retire(retired, home, date(2024, 6, 1), &[]).is_err());
        let closing = ServicePeriod {
            closed_on: Some(date(2024, 5, 1)),
            ..home
        };
        assert!(check_retire(place, closing, date(2024, 5, 1), &[]).is_err());
        assert!(check_retire(place, closing, date(2024, 4, 30), &[]).is_ok());
    }

    #[test]
    fn places_are_added_while_the_home_is_open() {
        let home = ServicePeriod {
            opened_on: date(2026, 1, 1),
            closed_on: Some(date(2026, 6, 1)),
        };
        assert!(check_new_places(home, date(2026, 1, 1), 2).is_empty());
        assert_eq!(
            check_new_places(home, date(2025, 12, 31), 2)[0].field,
            "from"
        );
        assert_eq!(check_new_places(home, date(2026, 6, 1), 2)[0].field, "from");
        assert_eq!(
            check_new_places(home, date(2026, 2, 1), 0)[0].field,
            "count"
        );
        assert_eq!(check_new_places(home, date(1899, 2, 1), 1)[0].field, "from");
    }

    #[test]
    fn only_a_future_closing_is_undone() {
        let today = date(2026, 3, 1);
        let mut home = open(date(2026, 1, 1));
        assert!(check_reopen(home, today).is_err());
        home.closed_on = Some(date(2026, 3, 1));
        assert!(check_reopen(home, today).is_err());
        home.closed_on = Some(date(2026, 3, 2));
        assert!(check_reopen(home, today).is_ok());
    }
}
