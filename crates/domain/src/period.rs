//! Report periods: presets, custom ranges, the previous period of equal length, and the
//! calendar months a period spans. Dates are inclusive at both ends.

use crate::RuleViolation;
use crate::stay::days_between;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

/// The longest period a report covers.
pub const MAX_YEARS: i16 = 10;

/// A named period, relative to today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// From the first of this month up to today.
    ThisMonth,
    /// The last 12 calendar months, this month included, up to today.
    Last12Months,
    /// The last 24 calendar months, this month included, up to today.
    Last24Months,
    /// A calendar year.
    Year(i16),
}

impl Preset {
    pub const DEFAULT: Preset = Preset::Last12Months;

    /// `deze-maand`, `12-maanden`, `24-maanden`, `jaar-2025`.
    pub fn parse(code: &str) -> Option<Preset> {
        match code.trim() {
            "deze-maand" => Some(Preset::ThisMonth),
            "12-maanden" => Some(Preset::Last12Months),
            "24-maanden" => Some(Preset::Last24Months),
            other => {
                let year: i16 = other.strip_prefix("jaar-")?.parse().ok()?;
                (2000..=2199).contains(&year).then_some(Preset::Year(year))
            }
        }
    }

    pub fn code(self) -> String {
        match self {
            Preset::ThisMonth => "deze-maand".into(),
            Preset::Last12Months => "12-maanden".into(),
            Preset::Last24Months => "24-maanden".into(),
            Preset::Year(y) => format!("jaar-{y}"),
        }
    }

    pub fn label(self) -> String {
        match self {
            Preset::ThisMonth => "deze maand".into(),
            Preset::Last12Months => "laatste 12 maanden".into(),
            Preset::Last24Months => "laatste 24 maanden".into(),
            Preset::Year(y) => format!("het jaar {y}"),
        }
    }

    /// The period this preset names on `today`.
    pub fn period(self, today: Date) -> Period {
        let month_start = today.first_of_month();
        let back = |months: i32| Period {
            from: month_start.saturating_sub((months - 1).months()),
            to: today,
        };
        match self {
            Preset::ThisMonth => back(1),
            Preset::Last12Months => back(12),
            Preset::Last24Months => back(24),
            Preset::Year(y) => Period {
                from: jiff::civil::date(y, 1, 1),
                to: jiff::civil::date(y, 12, 31),
            },
        }
    }
}

/// A period of whole days, `from` up to and including `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Period {
    #[schemars(with = "String")]
    pub from: Date,
    /// Inclusive.
    #[schemars(with = "String")]
    pub to: Date,
}

impl Period {
    /// A custom period; refused (Dutch message) when reversed or longer than ten years.
    pub fn new(from: Date, to: Date) -> Result<Period, RuleViolation> {
        if to < from {
            return Err(RuleViolation::new(
                "tot",
                "de einddatum ligt vóór de begindatum; kies een einddatum op of na de begindatum",
            ));
        }
        if to >= from.saturating_add(MAX_YEARS.years()) {
            return Err(RuleViolation::new(
                "tot",
                format!("een periode is hoogstens {MAX_YEARS} jaar; kies een kortere periode"),
            ));
        }
        Ok(Period { from, to })
    }

    /// The day after the last day: the exclusive end.
    pub fn end(&self) -> Date {
        self.to.tomorrow().unwrap_or(self.to)
    }

    /// Number of days (nights) in the period.
    pub fn days(&self) -> i64 {
        days_between(self.from, self.end())
    }

    pub fn contains(&self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }

    /// Whether the period is a run of whole calendar months.
    pub fn whole_months(&self) -> bool {
        self.from.day() == 1 && self.to == self.to.last_of_month()
    }

    /// The period just before this one, of equal length: as many whole calendar months
    /// when this one is whole months (a year before a year), else as many days.
    pub fn previous(&self) -> Period {
        let to = self.from.yesterday().unwrap_or(self.from);
        if self.whole_months() {
            let months = self.months().len() as i32;
            Period {
                from: self.from.saturating_sub(months.months()),
                to,
            }
        } else if self.from.day() == 1 {
            // From the first of a month up to a day within a month (a preset "up to
            // today"): the same months before, up to the same day of the month.
            let months = self.months().len() as i32;
            let from = self.from.saturating_sub(months.months());
            let same_day = self.to.saturating_sub(months.months());
            Period {
                from,
                to: same_day.min(to),
            }
        } else {
            Period {
                from: self.from.saturating_sub(self.days().days()),
                to,
            }
        }
    }

    /// The calendar months the period touches, in order.
    pub fn months(&self) -> Vec<Month> {
        let mut out = Vec::new();
        let mut m = Month::of(self.from);
        let last = Month::of(self.to);
        while m <= last {
            out.push(m);
            m = m.next();
        }
        out
    }

    /// `2026-01-01 t/m 2026-12-31` style, in Dutch.
    pub fn label(&self) -> String {
        format!(
            "{} t/m {}",
            crate::labels::date(self.from),
            crate::labels::date(self.to)
        )
    }
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i16,
    pub month: i8,
}

impl Month {
    pub fn of(d: Date) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn first_day(self) -> Date {
        jiff::civil::date(self.year, self.month, 1)
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// `2026-01`.
    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// The position of the month in `months` (a period's months), by arithmetic.
    pub fn index_in(self, first: Month) -> i64 {
        (self.year as i64 - first.year as i64) * 12 + (self.month as i64 - first.month as i64)
    }
}

/// Splits the nights `[from, to)` over calendar months: calls `add(month_index, nights)`
/// for each month of `period` (indexed from its first month) the nights fall in.
pub fn nights_per_month(from: Date, to: Date, period: &Period, mut add: impl FnMut(usize, i64)) {
    let a = from.max(period.from);
    let b = to.min(period.end());
    if a >= b {
        return;
    }
    let first = Month::of(period.from);
    let mut start = a;
    while start < b {
        let m = Month::of(start);
        let next = m.next().first_day();
        let stop = next.min(b);
        add(m.index_in(first) as usize, days_between(start, stop));
        start = stop;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn presets_end_today_and_start_on_the_first_of_a_month() {
        let today = date(2026, 11, 30);
        let p = Preset::Last12Months.period(today);
        assert_eq!((p.from, p.to), (date(2025, 12, 1), today));
        assert_eq!(p.months().len(), 12);
        let p = Preset::Last24Months.period(date(2026, 3, 15));
        assert_eq!((p.from, p.to), (date(2024, 4, 1), date(2026, 3, 15)));
        assert_eq!(p.months().len(), 24);
        let p = Preset::ThisMonth.period(date(2024, 2, 29));
        assert_eq!((p.from, p.to), (date(2024, 2, 1), date(2024, 2, 29)));
        let p = Preset::Year(2024).period(today);
        assert_eq!((p.from, p.to), (date(2024, 1, 1), date(2024, 12, 31)));
        assert_eq!(p.days(), 366);
    }

    #[test]
    fn presets_read_and_write_their_codes() {
        for p in [
            Preset::ThisMonth,
            Preset::Last12Months,
            Preset::Last24Months,
            Preset::Year(2025),
        ] {
            assert_eq!(Preset::parse(&p.code()), Some(p));
        }
        assert_eq!(Preset::parse("jaar-99999"), None);
        assert_eq!(Preset::parse("jaar-1850"), None);
        assert_eq!(Preset::parse("13-maanden"), None);
    }

    #[test]
    fn a_period_is_not_reversed_nor_longer_than_ten_years() {
        assert!(Period::new(date(2026, 1, 2), date(2026, 1, 1)).is_err());
        assert!(Period::new(date(2026, 1, 1), date(2026, 1, 1)).is_ok());
        assert!(Period::new(date(2016, 1, 1), date(2025, 12, 31)).is_ok());
        let e = Period::new(date(2016, 1, 1), date(2026, 1, 1)).unwrap_err();
        assert!(e.message.contains("10 jaar"), "{e}");
    }

    #[test]
    fn the_previous_period_has_equal_length() {
        // A leap year before an ordinary one: a calendar year before a calendar year.
        let y = Period::new(date(2025, 1, 1), date(2025, 12, 31)).unwrap();
        assert_eq!(
            y.previous(),
            Period::new(date(2024, 1, 1), date(2024, 12, 31)).unwrap()
        );
        // February of a leap year before March.
        let m = Period::new(date(2024, 3, 1), date(2024, 3, 31)).unwrap();
        assert_eq!(
            m.previous(),
            Period::new(date(2024, 2, 1), date(2024, 2, 29)).unwrap()
        );
        // Twelve months up to today: the twelve months before, up to the same day.
        let p = Preset::Last12Months.period(date(2026, 11, 15));
        assert_eq!(
            p.previous(),
            Period::new(date(2024, 12, 1), date(2025, 11, 15)).unwrap()
        );
        // Up to 29 February: a year earlier there is no 29th; the 28th ends it.
        let p = Preset::Last12Months.period(date(2024, 2, 29));
        assert_eq!(
            p.previous(),
            Period::new(date(2022, 3, 1), date(2023, 2, 28)).unwrap()
        );
        // Any other range: as many days, just before.
        let d = Period::new(date(2026, 1, 10), date(2026, 1, 19)).unwrap();
        assert_eq!(
            d.previous(),
            Period::new(date(2025, 12, 31), date(2026, 1, 9)).unwrap()
        );
    }

    #[test]
    fn months_and_nights_split_at_month_ends_and_year_boundaries() {
        let p = Period::new(date(2023, 12, 15), date(2024, 3, 1)).unwrap();
        let keys: Vec<_> = p.months().iter().map(|m| m.key()).collect();
        assert_eq!(keys, ["2023-12", "2024-01", "2024-02", "2024-03"]);
        let mut nights = vec![0; 4];
        nights_per_month(date(2023, 12, 1), date(2025, 1, 1), &p, |i, n| {
            nights[i] += n
        });
        // 17 nights of December from the 15th, 31, 29 (leap year), and the 1st of March.
        assert_eq!(nights, [17, 31, 29, 1]);
        assert_eq!(nights.iter().sum::<i64>(), p.days());
        let mut none = 0;
        nights_per_month(date(2025, 1, 1), date(2025, 2, 1), &p, |_, n| none += n);
        assert_eq!(none, 0);
    }
}
