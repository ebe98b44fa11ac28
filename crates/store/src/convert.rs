//! Text forms of dates and instants, the same on both backends and sortable as text.

use crate::StoreError;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;

/// `2026-11-23T16:48:26Z`: fixed width, so text order is time order.
pub fn ts_text(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `2026-03-01`: always a four-digit year, so text order is date order and every stored
/// date reads back. (`%Y` wrote year -1 as `-001`, which nothing could read.) A year outside
/// 0000-9999 cannot have four digits: it is written signed (`-000001-01-01`), which still
/// reads back; the store refuses to write such dates anyway ([`stored_date`]).
pub fn date_text(d: Date) -> String {
    if (0..=9999).contains(&d.year()) {
        format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    } else {
        d.to_string()
    }
}

/// A date to store: refused (Dutch message, safe to show) outside the range every page and
/// report handles ([`nabij_domain::dates::MIN_DATE`] to [`nabij_domain::dates::MAX_DATE`]).
pub(crate) fn stored_date(field: &'static str, d: Date) -> crate::Result<String> {
    nabij_domain::dates::check_range(field, d)
        .map(date_text)
        .map_err(|e| StoreError::Invalid(e.message))
}

pub(crate) fn stored_opt_date(
    field: &'static str,
    d: Option<Date>,
) -> crate::Result<Option<String>> {
    d.map(|d| stored_date(field, d)).transpose()
}

pub(crate) fn get_i64(row: &AnyRow, col: &'static str) -> crate::Result<i64> {
    Ok(row.try_get::<i64, _>(col)?)
}

pub(crate) fn get_opt_i64(row: &AnyRow, col: &'static str) -> crate::Result<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(col)?)
}

pub(crate) fn get_f64(row: &AnyRow, col: &'static str) -> crate::Result<f64> {
    Ok(row.try_get::<f64, _>(col)?)
}

pub(crate) fn get_bool(row: &AnyRow, col: &'static str) -> crate::Result<bool> {
    Ok(get_i64(row, col)? != 0)
}

pub(crate) fn get_string(row: &AnyRow, col: &'static str) -> crate::Result<String> {
    Ok(row.try_get::<String, _>(col)?)
}

pub(crate) fn get_opt_string(row: &AnyRow, col: &'static str) -> crate::Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}

pub(crate) fn get_date(row: &AnyRow, col: &'static str) -> crate::Result<Date> {
    let s = get_string(row, col)?;
    s.parse().map_err(|_| StoreError::Corrupt {
        column: col,
        value: s,
    })
}

pub(crate) fn get_opt_date(row: &AnyRow, col: &'static str) -> crate::Result<Option<Date>> {
    match get_opt_string(row, col)? {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| StoreError::Corrupt {
            column: col,
            value: s,
        }),
    }
}

pub(crate) fn get_ts(row: &AnyRow, col: &'static str) -> crate::Result<Timestamp> {
    let s = get_string(row, col)?;
    s.parse().map_err(|_| StoreError::Corrupt {
        column: col,
        value: s,
    })
}

pub(crate) fn get_opt_ts(row: &AnyRow, col: &'static str) -> crate::Result<Option<Timestamp>> {
    match get_opt_string(row, col)? {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| StoreError::Corrupt {
            column: col,
            value: s,
        }),
    }
}

/// Parses a stored enum code.
pub(crate) fn get_code<T>(
    row: &AnyRow,
    col: &'static str,
    parse: fn(&str) -> Option<T>,
) -> crate::Result<T> {
    let s = get_string(row, col)?;
    parse(&s).ok_or(StoreError::Corrupt {
        column: col,
        value: s,
    })
}

pub(crate) fn get_opt_code<T>(
    row: &AnyRow,
    col: &'static str,
    parse: fn(&str) -> Option<T>,
) -> crate::Result<Option<T>> {
    get_opt_string(row, col)?
        .map(|s| {
            parse(&s).ok_or(StoreError::Corrupt {
                column: col,
                value: s,
            })
        })
        .transpose()
}

pub(crate) fn flag(b: bool) -> i64 {
    b as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_have_fixed_width() {
        let t: Timestamp = "2026-01-02T03:04:05.678Z".parse().unwrap();
        assert_eq!(ts_text(t), "2026-01-02T03:04:05Z");
        assert_eq!(date_text(jiff::civil::date(2026, 1, 2)), "2026-01-02");
    }

    #[test]
    fn every_date_jiff_knows_reads_back_and_years_0_to_9999_have_four_digits() {
        let mut d = Date::MIN;
        loop {
            let text = date_text(d);
            assert_eq!(text.parse::<Date>().ok(), Some(d), "{text}");
            if (0..=9999).contains(&d.year()) {
                assert_eq!(text.len(), 10, "{text}");
            }
            match d.checked_add(jiff::Span::new().days(97)) {
                Ok(next) => d = next,
                Err(_) => break,
            }
        }
        assert_eq!(date_text(jiff::civil::date(-1, 1, 1)), "-000001-01-01");
        assert_eq!(date_text(jiff::civil::date(0, 1, 1)), "0000-01-01");
        assert_eq!(date_text(jiff::civil::date(999, 12, 31)), "0999-12-31");
        assert_eq!(date_text(Date::MAX), "9999-12-31");
    }

    #[test]
    fn dates_outside_the_range_are_not_stored() {
        assert!(stored_date("from", jiff::civil::date(2026, 3, 1)).is_ok());
        for d in [
            jiff::civil::date(-1, 1, 1),
            jiff::civil::date(0, 1, 1),
            Date::MAX,
        ] {
            assert!(
                matches!(stored_date("from", d), Err(StoreError::Invalid(_))),
                "{d}"
            );
        }
    }
}
