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

pub fn date_text(d: Date) -> String {
    d.strftime("%Y-%m-%d").to_string()
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
}
