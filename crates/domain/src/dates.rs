//! Dates as users type them, limited to a range every page and the store can handle.
//!
//! A date outside the range (year 0, a negative year, year 9999) is almost always a typing
//! error, and some of them cannot be written as `YYYY-MM-DD` at all: such a date once stored
//! took every page that read it down. So input is refused here, with a Dutch message.

use crate::RuleViolation;
use jiff::civil::{Date, date};

/// The earliest date Nabij accepts (birth dates of the oldest residents).
pub const MIN_DATE: Date = date(1900, 1, 1);
/// The latest date Nabij accepts (far beyond any planned end or consent expiry).
pub const MAX_DATE: Date = date(2199, 12, 31);

/// Whether a date lies within [`MIN_DATE`, `MAX_DATE`].
pub fn in_range(d: Date) -> bool {
    (MIN_DATE..=MAX_DATE).contains(&d)
}

/// Checks that a date (typed, or computed from one) lies within the accepted range.
pub fn check_range(field: &'static str, d: Date) -> Result<Date, RuleViolation> {
    if in_range(d) {
        Ok(d)
    } else {
        Err(out_of_range(field, &d.to_string()))
    }
}

fn out_of_range(field: &'static str, shown: &str) -> RuleViolation {
    RuleViolation::new(
        field,
        format!(
            "'{shown}' valt buiten het bereik; een datum ligt tussen {} en {}",
            crate::labels::date(MIN_DATE),
            crate::labels::date(MAX_DATE)
        ),
    )
}

/// Parses a date as typed: `2026-03-01`, or day-month-year as `1-3-2026`, `1/3/2026` or
/// `1.3.2026`. Dates outside [`MIN_DATE`, `MAX_DATE`] are refused.
pub fn parse_date(field: &'static str, raw: &str) -> Result<Date, RuleViolation> {
    let s = raw.trim();
    // Typed text is echoed in the message, never more of it than fits a field.
    let shown: String = s.chars().take(40).collect();
    let parsed = s.parse::<Date>().ok().or_else(|| {
        let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
        match parts[..] {
            [d, m, y] => match (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>()) {
                (Ok(d), Ok(m), Ok(y)) => Date::new(y, m, d).ok(),
                _ => None,
            },
            _ => None,
        }
    });
    match parsed {
        Some(d) if in_range(d) => Ok(d),
        Some(_) => Err(out_of_range(field, &shown)),
        // A well-formed year outside jiff's range (e.g. +010000-01-01) is out of range too.
        None if looks_like_far_year(s) => Err(out_of_range(field, &shown)),
        None => Err(RuleViolation::new(
            field,
            format!("'{shown}' is geen datum; schrijf bijvoorbeeld 2026-03-01 of 1-3-2026"),
        )),
    }
}

/// `+010000-01-01` or `-010000-01-01`: an ISO date whose year has more than four digits.
fn looks_like_far_year(s: &str) -> bool {
    let Some(rest) = s.strip_prefix(['+', '-']) else {
        return false;
    };
    let year = rest.split('-').next().unwrap_or("");
    year.len() > 4 && year.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(s: &str) -> Date {
        parse_date("d", s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn refused(s: &str) -> String {
        parse_date("d", s).expect_err(s).message
    }

    #[test]
    fn iso_and_dutch_forms_are_accepted() {
        assert_eq!(ok("2026-03-01"), date(2026, 3, 1));
        assert_eq!(ok(" 1-3-2026 "), date(2026, 3, 1));
        assert_eq!(ok("1/3/2026"), date(2026, 3, 1));
        assert_eq!(ok("01.03.2026"), date(2026, 3, 1));
        assert_eq!(ok("31-12-2199"), MAX_DATE);
        assert_eq!(ok("1900-01-01"), MIN_DATE);
    }

    #[test]
    fn leap_days_only_in_leap_years() {
        assert_eq!(ok("2028-02-29"), date(2028, 2, 29));
        assert_eq!(ok("29-2-2000"), date(2000, 2, 29));
        assert!(refused("2027-02-29").contains("geen datum"));
        // 2100 is not a leap year (divisible by 100, not by 400).
        assert!(refused("29-2-2100").contains("geen datum"));
    }

    #[test]
    fn extreme_years_are_refused_with_the_range() {
        for s in [
            "-000001-01-01",
            "0000-01-01",
            "9999-12-31",
            "+010000-01-01",
            "-010000-01-01",
            "1899-12-31",
            "2200-01-01",
            "1-1-26",
            "31-12-9999",
        ] {
            let m = refused(s);
            assert!(
                m.contains("buiten het bereik")
                    && m.contains("1 jan 1900")
                    && m.contains("31 dec 2199"),
                "{s}: {m}"
            );
        }
    }

    #[test]
    fn nonsense_is_no_date() {
        for s in ["", "morgen", "2026-13-01", "32-1-2026", "1-2", "1-2-3-4"] {
            assert!(refused(s).contains("geen datum"), "{s}");
        }
    }

    #[test]
    fn computed_dates_are_checked_too() {
        assert!(check_range("d", date(2026, 1, 1)).is_ok());
        assert!(check_range("d", date(-1, 1, 1)).is_err());
    }

    proptest! {
        #[test]
        fn every_date_in_range_reads_back_from_both_forms(days in 0i32..=109_572) {
            let d = MIN_DATE.checked_add(jiff::Span::new().days(days)).unwrap();
            prop_assume!(d <= MAX_DATE);
            prop_assert_eq!(ok(&d.to_string()), d);
            prop_assert_eq!(ok(&format!("{}-{}-{}", d.day(), d.month(), d.year())), d);
        }
    }
}
