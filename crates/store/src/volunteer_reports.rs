//! The rows behind the measures of buddies and signals (domain.md §7), read with indexed
//! predicates over one organisation and period; the measures are computed in one pass by
//! the use case.

use crate::convert::*;
use crate::reports::{Arg, Cells};
use crate::{Db, Result, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::signal::Urgency;

/// A signal filed in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalFact {
    pub urgency: Urgency,
    pub filed_at: Timestamp,
    pub due_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub escalated_at: Option<Timestamp>,
}

/// A match running at some time up to the period's end, with its check-ins up to then in
/// date order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchFact {
    pub started_on: Date,
    pub ended_on: Option<Date>,
    pub weeks: i64,
    pub check_ins: Vec<Date>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolunteerFacts {
    pub signals: Vec<SignalFact>,
    /// Residents in a stay during the period, and of them those with a buddy then.
    pub residents: i64,
    pub with_buddy: i64,
    /// The organisation's matches running during the period, with their check-ins.
    pub matches: Vec<MatchFact>,
}

fn ts_missing(col: &'static str) -> StoreError {
    StoreError::Corrupt {
        column: col,
        value: "NULL".into(),
    }
}

fn ts(s: String, col: &'static str) -> Result<Timestamp> {
    s.parse().map_err(|_| StoreError::Corrupt {
        column: col,
        value: s,
    })
}

impl Db {
    #[tracing::instrument(skip_all)]
    pub async fn volunteer_facts(
        &self,
        organisation: i64,
        from: Date,
        to: Date,
        from_ts: Timestamp,
        end_ts: Timestamp,
    ) -> Result<VolunteerFacts> {
        // Report queries: on SQLite on the report threads, at their lower priority.
        let (from_ts, end_ts) = (ts_text(from_ts), ts_text(end_ts));
        let signals = self.decoded(
            "SELECT urgency, filed_at, due_at, acknowledged_at, escalated_at FROM signals \
             WHERE organisation_id = $1 AND filed_at >= $2 AND filed_at < $3"
                .into(),
            &[Arg::I(organisation), Arg::T(&from_ts), Arg::T(&end_ts)],
            None,
            |r: &dyn Cells| {
                let at = |col: &'static str| -> Result<Option<Timestamp>> {
                    r.text(col)?.map(|s| ts(s.to_string(), col)).transpose()
                };
                let urgency = r.text("urgency")?.unwrap_or_default();
                Ok(SignalFact {
                    urgency: Urgency::parse(urgency).ok_or_else(|| StoreError::Corrupt {
                        column: "urgency",
                        value: urgency.to_string(),
                    })?,
                    filed_at: at("filed_at")?.ok_or_else(|| ts_missing("filed_at"))?,
                    due_at: at("due_at")?.ok_or_else(|| ts_missing("due_at"))?,
                    acknowledged_at: at("acknowledged_at")?,
                    escalated_at: at("escalated_at")?,
                })
            },
        );
        let (from, to) = (date_text(from), date_text(to));
        // Residents: everyone with a stay in one of the organisation's homes during the
        // period, read from the exit-date index that holds every column (ended in or after
        // the period, and running), each person once; those among them with a buddy match
        // during the period. `+s.home_id` keeps the home index from being the start.
        let residents = self.decoded(
            "SELECT COUNT(*) AS residents, COALESCE(SUM(CASE WHEN r.person_id IN \
               (SELECT m.person_id FROM buddy_matches m WHERE m.organisation_id = $1 \
                AND m.started_on <= $3 AND (m.ended_on IS NULL OR m.ended_on >= $2)) \
               THEN 1 ELSE 0 END), 0) AS with_buddy \
             FROM (SELECT DISTINCT person_id FROM ( \
               SELECT s.person_id FROM stays s WHERE s.exit_date >= $2 AND s.start_date <= $3 \
                 AND +s.home_id IN (SELECT h.id FROM homes h WHERE h.organisation_id = $1) \
               UNION ALL \
               SELECT s.person_id FROM stays s WHERE s.exit_date IS NULL AND s.start_date <= $3 \
                 AND +s.home_id IN (SELECT h.id FROM homes h WHERE h.organisation_id = $1)) o) r"
                .into(),
            &[Arg::I(organisation), Arg::T(&from), Arg::T(&to)],
            None,
            |r: &dyn Cells| Ok((r.int("residents")?, r.int("with_buddy")?)),
        );
        // The matches that ran during the period and every check-in of theirs up to its
        // end, in date order: which check-in moments fell due in the period, and were met.
        let overlapping = "FROM buddy_matches m WHERE m.organisation_id = $1 AND m.started_on <= $3 \
             AND (m.ended_on IS NULL OR m.ended_on >= $2)";
        let matches = self.decoded(
            format!("SELECT m.id, m.started_on, m.ended_on, m.check_in_weeks {overlapping} ORDER BY m.id"),
            &[Arg::I(organisation), Arg::T(&from), Arg::T(&to)],
            None,
            |r: &dyn Cells| {
                Ok((
                    r.int("id")?,
                    MatchFact {
                        started_on: crate::reports::day(r, "started_on")?,
                        ended_on: crate::reports::opt_day(r, "ended_on")?,
                        weeks: r.int("check_in_weeks")?,
                        check_ins: Vec::new(),
                    },
                ))
            },
        );
        let check_ins = self.decoded(
            format!(
                "SELECT c.match_id, c.on_date FROM buddy_check_ins c \
                 WHERE c.match_id IN (SELECT m.id {overlapping}) AND c.on_date <= $3 \
                 ORDER BY c.match_id, c.on_date, c.id"
            ),
            &[Arg::I(organisation), Arg::T(&from), Arg::T(&to)],
            None,
            |r: &dyn Cells| Ok((r.int("match_id")?, crate::reports::day(r, "on_date")?)),
        );
        let (signals, residents, matches, check_ins) =
            tokio::try_join!(signals, residents, matches, check_ins)?;
        let (residents, with_buddy) = residents.into_iter().next().unwrap_or((0, 0));
        let mut matches: std::collections::BTreeMap<i64, MatchFact> = matches.into_iter().collect();
        for (m, on) in check_ins {
            if let Some(f) = matches.get_mut(&m) {
                f.check_ins.push(on);
            }
        }
        let facts = VolunteerFacts {
            signals,
            residents,
            with_buddy,
            matches: matches.into_values().collect(),
        };
        Ok(facts)
    }
}
