//! The measures of buddies and signals on `/rapportage` (domain.md §7): the share of
//! residents with a buddy, how soon signals were acknowledged against their norm per
//! urgency, escalations, and check-ins on time. Counts below 5 are shown as "<5".

use crate::reports::Scope;
use crate::{App, AppError, Caller, Result};
use nabij_domain::buddy::check_in_due;
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
    Ok(build(&facts, &app.settings.norms, scope)
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
pub fn build(f: &VolunteerFacts, norms: &Norms, scope: &Scope) -> Vec<Table> {
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
    // A check-in is on time when it falls within the rhythm after the previous one (or
    // after the start of the match).
    let (mut total, mut on_time) = (0i64, 0i64);
    let mut previous: Option<(i64, jiff::civil::Date)> = None;
    for c in &f.check_ins {
        let last = match previous {
            Some((m, d)) if m == c.match_id => d,
            _ => c.started_on,
        };
        if c.on_date >= scope.period.from {
            total += 1;
            if c.on_date <= check_in_due(last, c.weeks.clamp(1, 26) as u8) {
                on_time += 1;
            }
        }
        previous = Some((c.match_id, c.on_date));
    }
    buddies.push(vec![
        Cell::text("Contactmomenten op tijd"),
        Cell::count(on_time),
        Cell::count(total),
        Cell::share(on_time, total),
    ]);
    vec![signals, buddies]
}
