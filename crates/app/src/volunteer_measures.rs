//! The measures of buddies and signals on `/rapportage` (domain.md §7): the share of
//! residents with a buddy, how soon signals were acknowledged against their norm per
//! urgency, escalations, and check-ins on time. Counts below 5 are shown as "<5".

use crate::reports::Scope;
use crate::{App, AppError, Caller, Result};
use nabij_domain::buddy::check_in_moments;
use nabij_domain::labels::Label;
use nabij_domain::signal::{Norms, Urgency};
use nabij_domain::table::{Cell, Table};
use nabij_store::volunteer_reports::VolunteerFacts;

/// The tables of the volunteers' measures over the report's period, small numbers suppressed.
#[tracing::instrument(skip_all)]
pub async fn tables(app: &App, caller: &Caller, scope: &Scope) -> Result<Vec<Table>> {
    let tz = app.clock.tz().clone();
    let instant = |d: jiff::civil::Date| {
        tz.to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .map_err(|e| AppError::Internal(e.to_string()))
    };
    let p = &scope.period;
    let facts = app
        .db
        .volunteer_facts(
            caller.provider.0,
            p.from,
            p.to,
            instant(p.from)?,
            instant(p.end())?,
        )
        .await?;
    Ok(build(&facts, &app.settings.norms, scope, app.clock.today())
        .iter()
        .map(Table::suppressed)
        .collect())
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The tables from the facts, exact (suppression is the caller's last step).
pub fn build(
    f: &VolunteerFacts,
    norms: &Norms,
    scope: &Scope,
    today: jiff::civil::Date,
) -> Vec<Table> {
    let period = scope.period.label();
    let mut signals = Table::new(
        "signalen",
        format!("Signalen: oppakken tegen de norm, {period}"),
        &[
            "Urgentie",
            "Norm (uren)",
            "Signalen",
            "Opgepakt",
            "Binnen de norm",
            "Aandeel binnen de norm",
            "Mediaan uren tot oppakken",
            "Geëscaleerd",
        ],
    );
    for u in Urgency::ALL.iter().rev() {
        let of: Vec<_> = f.signals.iter().filter(|s| s.urgency == *u).collect();
        let acked: Vec<_> = of
            .iter()
            .filter_map(|s| Some((s, s.acknowledged_at?)))
            .collect();
        let in_norm = acked.iter().filter(|(s, a)| *a <= s.due_at).count();
        let hours: Vec<f64> = acked
            .iter()
            .map(|(s, a)| a.duration_since(s.filed_at).as_secs_f64() / 3600.0)
            .collect();
        let escalated = of.iter().filter(|s| s.escalated_at.is_some()).count();
        signals.push(vec![
            Cell::text(u.label()),
            Cell::text(norms.hours(*u).to_string()),
            Cell::count(of.len()),
            Cell::count(acked.len()),
            Cell::count(in_norm),
            Cell::share(in_norm, of.len()),
            Cell::figure(median(hours.clone()), hours.len(), 1),
            Cell::count(escalated),
        ]);
    }
    let mut buddies = Table::new(
        "maatjes",
        format!("Maatjes en contactmomenten, {period}"),
        &["Maat", "Aantal", "Van", "Aandeel"],
    );
    buddies.push(vec![
        Cell::text("Bewoners met een maatje"),
        Cell::count(f.with_buddy),
        Cell::count(f.residents),
        Cell::share(f.with_buddy, f.residents),
    ]);
    // The check-in moments that fell due in the period (and before today), and of them
    // those met by a check-in in time; a moment nobody checked in for counts as not met.
    let until = today.min(scope.period.end());
    let (mut total, mut on_time) = (0i64, 0i64);
    for m in &f.matches {
        for (due, met) in check_in_moments(
            m.started_on,
            m.ended_on,
            m.weeks.clamp(1, 26) as u8,
            &m.check_ins,
            until,
        ) {
            if due >= scope.period.from {
                total += 1;
                on_time += i64::from(met);
            }
        }
    }
    buddies.push(vec![
        Cell::text("Contactmomenten op tijd"),
        Cell::count(on_time),
        Cell::count(total),
        Cell::share(on_time, total),
    ]);
    vec![signals, buddies]
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use nabij_domain::period::Period;
    use nabij_store::volunteer_reports::{MatchFact, SignalFact};

    fn d(s: &str) -> jiff::civil::Date {
        s.parse().unwrap()
    }
    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }
    fn cells(t: &Table, row: usize) -> Vec<String> {
        t.rows[row].iter().map(Cell::display).collect()
    }

    /// Acknowledgement against the norm and escalations per urgency, and check-in moments
    /// in the period: met, late, and passed without any check-in.
    #[test]
    fn signals_against_their_norm_and_check_ins_that_fell_due() {
        let period = Period::new(d("2026-03-01"), d("2026-03-31")).unwrap();
        let scope = Scope {
            period,
            previous: period,
            preset: None,
            municipality: None,
        };
        let signal = |ack: Option<&str>, escalated: bool| SignalFact {
            urgency: Urgency::High,
            filed_at: t("2026-03-10T08:00:00Z"),
            due_at: t("2026-03-10T12:00:00Z"),
            acknowledged_at: ack.map(t),
            escalated_at: escalated.then(|| t("2026-03-10T12:00:00Z")),
        };
        let facts = VolunteerFacts {
            signals: vec![
                signal(Some("2026-03-10T09:00:00Z"), false),
                signal(Some("2026-03-10T11:00:00Z"), false),
                signal(Some("2026-03-10T20:00:00Z"), true),
                signal(None, true),
            ],
            residents: 10,
            with_buddy: 4,
            matches: vec![
                // Every 2 weeks from 1 Feb, each moment two weeks after the check-in before:
                // 15 and 24 Feb (before the period, met), 6 March (met on 1 March), then
                // 15 and 29 March (missed).
                MatchFact {
                    started_on: d("2026-02-01"),
                    ended_on: None,
                    weeks: 2,
                    check_ins: vec![d("2026-02-10"), d("2026-02-20"), d("2026-03-01")],
                },
                // Every 4 weeks from 1 March, ended 20 March: nothing fell due.
                MatchFact {
                    started_on: d("2026-03-01"),
                    ended_on: Some(d("2026-03-20")),
                    weeks: 4,
                    check_ins: vec![],
                },
            ],
        };
        let tables = build(&facts, &Norms::default(), &scope, d("2026-06-01"));
        let signals = &tables[0];
        let high = signals
            .rows
            .iter()
            .position(|r| r[0].display() == Urgency::High.label())
            .unwrap();
        // 4 filed, 3 acknowledged, 2 within the 4-hour norm, 2 escalated.
        assert_eq!(&cells(signals, high)[2..5], ["4", "3", "2"]);
        assert_eq!(cells(signals, high)[7], "2");
        let buddies = &tables[1];
        assert_eq!(&cells(buddies, 0)[1..3], ["4", "10"]);
        // Three moments fell due in March (6, 15 and 29 March); one was met.
        assert_eq!(&cells(buddies, 1)[1..3], ["1", "3"]);
    }
}
