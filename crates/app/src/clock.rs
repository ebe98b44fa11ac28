//! "Now" and "today" in the Netherlands; fixed in tests.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::sync::{Arc, Mutex};

/// The time the application acts on. Dates are Dutch dates (Europe/Amsterdam).
#[derive(Clone)]
pub struct Clock {
    fixed: Option<Arc<Mutex<Timestamp>>>,
    tz: TimeZone,
}

impl Clock {
    pub fn system() -> Self {
        Self {
            fixed: None,
            tz: dutch_time_zone(),
        }
    }

    /// A clock that stands still at `at` until [`Clock::set`] moves it.
    pub fn fixed(at: Timestamp) -> Self {
        Self {
            fixed: Some(Arc::new(Mutex::new(at))),
            tz: dutch_time_zone(),
        }
    }

    pub fn set(&self, at: Timestamp) {
        if let Some(f) = &self.fixed {
            *f.lock().unwrap_or_else(|e| e.into_inner()) = at;
        }
    }

    pub fn now(&self) -> Timestamp {
        match &self.fixed {
            Some(f) => *f.lock().unwrap_or_else(|e| e.into_inner()),
            None => Timestamp::now(),
        }
    }

    pub fn today(&self) -> Date {
        self.tz.to_datetime(self.now()).date()
    }

    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// A timestamp as Dutch local date and time: "3 feb 2026 23:05".
    pub fn local(&self, t: Timestamp) -> String {
        let dt = self.tz.to_datetime(t);
        format!(
            "{} {:02}:{:02}",
            nabij_domain::labels::date(dt.date()),
            dt.hour(),
            dt.minute()
        )
    }
}

pub fn dutch_time_zone() -> TimeZone {
    TimeZone::get("Europe/Amsterdam").unwrap_or(TimeZone::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_dutch_date() {
        // 23:30 UTC on 1 March is already 2 March in Amsterdam.
        let c = Clock::fixed("2026-03-01T23:30:00Z".parse().unwrap());
        assert_eq!(c.today(), jiff::civil::date(2026, 3, 2));
        assert_eq!(c.local(c.now()), "2 mrt 2026 00:30");
    }
}
