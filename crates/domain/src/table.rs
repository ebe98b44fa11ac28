//! A report table as every output shows it: the page, CSV, XLSX and the JSON API.
//!
//! Cells keep what they were computed from (a share keeps its part and whole, a median
//! the number of people behind it), so small-number suppression can be applied to any
//! table at the last step: in anything shown to partners or exported as aggregates a count
//! below 5 is shown as "<5", and a share or figure computed from fewer than 5 people is
//! hidden too (domain.md §7).

use schemars::JsonSchema;
use serde::Serialize;

/// Counts below this are shown as "<5" outside the internal report.
pub const SUPPRESS_BELOW: i64 = 5;

/// What "<5" and a hidden figure look like, in every output.
pub const SUPPRESSED_TEXT: &str = "<5";
pub const HIDDEN_TEXT: &str = "–";

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Cell {
    Text {
        text: String,
    },
    /// A number of people, stays, events, nights.
    Count {
        count: i64,
    },
    /// `part / whole`, shown as a percentage.
    Share {
        part: i64,
        whole: i64,
    },
    /// A figure (a median, a mean, days) computed over `basis` people or stays.
    Figure {
        value: Option<f64>,
        basis: i64,
        decimals: u8,
    },
    /// A count below 5, suppressed.
    Suppressed,
    /// A share or figure computed from a suppressed count, hidden.
    Hidden,
}

impl Cell {
    pub fn text(t: impl Into<String>) -> Self {
        Cell::Text { text: t.into() }
    }
    pub fn count(n: impl TryInto<i64>) -> Self {
        Cell::Count {
            count: n.try_into().unwrap_or(i64::MAX),
        }
    }
    pub fn share(part: impl TryInto<i64>, whole: impl TryInto<i64>) -> Self {
        Cell::Share {
            part: part.try_into().unwrap_or(i64::MAX),
            whole: whole.try_into().unwrap_or(i64::MAX),
        }
    }
    pub fn figure(value: Option<f64>, basis: impl TryInto<i64>, decimals: u8) -> Self {
        Cell::Figure {
            value: value.filter(|v| v.is_finite()),
            basis: basis.try_into().unwrap_or(i64::MAX),
            decimals,
        }
    }

    /// The cell as it may be shown to partners or exported.
    pub fn suppressed(&self) -> Cell {
        match self {
            Cell::Count { count } if *count < SUPPRESS_BELOW => Cell::Suppressed,
            Cell::Share { part, whole } if *part < SUPPRESS_BELOW || *whole < SUPPRESS_BELOW => {
                Cell::Hidden
            }
            Cell::Figure { basis, .. } if *basis < SUPPRESS_BELOW => Cell::Hidden,
            other => other.clone(),
        }
    }

    /// The share as a fraction, `None` when there is nothing to divide.
    pub fn ratio(&self) -> Option<f64> {
        match self {
            Cell::Share { part, whole } if *whole > 0 => Some(*part as f64 / *whole as f64),
            Cell::Figure { value, .. } => *value,
            Cell::Count { count } => Some(*count as f64),
            _ => None,
        }
    }

    /// The cell as text, Dutch style (decimal comma, percentages with one decimal).
    pub fn display(&self) -> String {
        match self {
            Cell::Text { text } => text.clone(),
            Cell::Count { count } => thousands(*count),
            Cell::Share { part, whole } => match *whole {
                0 => HIDDEN_TEXT.into(),
                w => format!("{}%", decimal(*part as f64 * 100.0 / w as f64, 1)),
            },
            Cell::Figure {
                value, decimals, ..
            } => match value {
                Some(v) => decimal(*v, *decimals),
                None => HIDDEN_TEXT.into(),
            },
            Cell::Suppressed => SUPPRESSED_TEXT.into(),
            Cell::Hidden => HIDDEN_TEXT.into(),
        }
    }
}

/// One table of a report.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Table {
    /// Stable name, used in export file names and API paths (`per-gemeente`).
    pub id: String,
    /// Dutch title.
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(id: impl Into<String>, title: impl Into<String>, columns: &[&str]) -> Self {
        Table {
            id: id.into(),
            title: title.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "row width of {}", self.id);
        self.rows.push(row);
    }

    /// The table with small numbers suppressed: for partners and every export.
    pub fn suppressed(&self) -> Table {
        Table {
            rows: self
                .rows
                .iter()
                .map(|r| r.iter().map(Cell::suppressed).collect())
                .collect(),
            ..self.clone()
        }
    }
}

/// `12345` as `12.345`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// `2.5` as `2,5`.
pub fn decimal(v: f64, decimals: u8) -> String {
    format!("{v:.*}", decimals as usize).replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_below_five_are_suppressed_and_shares_from_them_hidden() {
        let mut t = Table::new("t", "T", &["gemeente", "n", "aandeel", "mediaan"]);
        t.push(vec![
            Cell::text("Leiden"),
            Cell::count(4),
            Cell::share(4, 100),
            Cell::figure(Some(12.0), 4, 0),
        ]);
        t.push(vec![
            Cell::text("Katwijk"),
            Cell::count(5),
            Cell::share(5, 10),
            Cell::figure(Some(12.0), 5, 0),
        ]);
        t.push(vec![
            Cell::text("Oegstgeest"),
            Cell::count(0),
            Cell::share(7, 3),
            Cell::figure(None, 0, 0),
        ]);
        let s = t.suppressed();
        let shown: Vec<Vec<String>> = s
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::display).collect())
            .collect();
        assert_eq!(shown[0], ["Leiden", "<5", "–", "–"]);
        assert_eq!(shown[1], ["Katwijk", "5", "50,0%", "12"]);
        assert_eq!(shown[2], ["Oegstgeest", "<5", "–", "–"]);
        // The internal table keeps the exact numbers.
        assert_eq!(t.rows[0][1].display(), "4");
    }

    #[test]
    fn numbers_read_the_dutch_way() {
        assert_eq!(thousands(16845), "16.845");
        assert_eq!(thousands(-1234567), "-1.234.567");
        assert_eq!(thousands(999), "999");
        assert_eq!(decimal(2.26, 1), "2,3");
        assert_eq!(Cell::share(1, 3).display(), "33,3%");
        assert_eq!(Cell::share(0, 0).display(), "–");
    }
}
