use super::{page, percent};
use crate::error::HtmlError;
use crate::routes::State;
use askama::Template;
use axum::extract::{Query, State as S};
use axum::response::Response;
use jiff::ToSpan;
use nabij_domain::labels::{self, Label};
use nabij_domain::measures::{Summary, occupancy, placement_measures, stay_measures};
use nabij_store::reports::NoPlaceCount;
use std::collections::HashMap;

type Rows = Vec<(String, String)>;

#[derive(Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub nav: &'static str,
    pub months: i64,
    pub period: String,
    pub sections: Vec<(&'static str, Rows)>,
    pub occupancy: Vec<(String, String, &'static str, String)>,
    pub no_place: Vec<NoPlaceCount>,
}

fn num(v: Option<f64>, unit: &str) -> String {
    v.map(|x| format!("{} {unit}", format!("{x:.1}").replace('.', ",")))
        .unwrap_or_else(|| "—".into())
}

fn summary_rows(rows: &mut Rows, what: &str, s: &Summary, unit: &str) {
    rows.push((format!("{what}: mediaan"), num(s.median, unit)));
    rows.push((format!("{what}: gemiddeld"), num(s.mean, unit)));
    rows.push((format!("{what}: 90e percentiel"), num(s.p90, unit)));
}

pub async fn show(
    S(state): S<State>,
    viewer: crate::auth::Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let months: i64 = q
        .get("maanden")
        .and_then(|m| m.parse().ok())
        .filter(|m| [3, 6, 12, 24].contains(m))
        .unwrap_or(12);
    let today = state.clock.today();
    let from = today.saturating_sub(months.months());
    let tz = state.clock.tz().clone();
    let from_ts = tz
        .to_timestamp(from.to_datetime(jiff::civil::Time::midnight()))
        .unwrap_or(state.clock.now());
    let now = state.clock.now();

    let p = placement_measures(
        &state
            .db
            .placement_facts(viewer.provider(), from_ts, now, &tz)
            .await?,
    );
    let mut placement: Rows = vec![("Plaatsingen".into(), p.hours_to_place.count.to_string())];
    summary_rows(
        &mut placement,
        "Tijd tot plaatsing",
        &p.hours_to_place,
        "uur",
    );
    placement.push(("Dezelfde dag geplaatst".into(), percent(p.placed_same_day)));
    placement.push(("In de eigen buurt".into(), percent(p.own_neighbourhood)));
    placement.push(("In de eigen gemeente".into(), percent(p.own_municipality)));
    placement.push(("Binnen 10 km".into(), percent(p.within_10_km)));

    let facts: Vec<_> = state
        .db
        .stay_facts(viewer.provider())
        .await?
        .into_iter()
        .filter(|s| s.exit.is_none_or(|(d, _)| d >= from))
        .collect();
    let s = stay_measures(&facts, today);
    let mut stays: Rows = vec![(
        "Vertrokken in de periode".into(),
        s.length_of_stay_days.count.to_string(),
    )];
    summary_rows(&mut stays, "Verblijfsduur", &s.length_of_stay_days, "dagen");
    stays.push((
        "Vertrek binnen 6 maanden".into(),
        percent(s.exits_within_six_months),
    ));
    stays.push(("Verlengingen".into(), s.extensions.to_string()));
    stays.push((
        "Verblijven met verlenging".into(),
        s.stays_with_extension.to_string(),
    ));
    stays.push(("Nu over de einddatum".into(), s.overdue_now.to_string()));
    summary_rows(
        &mut stays,
        "Wachten op woning",
        &s.waiting_for_housing_days,
        "dagen",
    );

    let mut exits: Rows = s
        .exits_by_class
        .iter()
        .map(|(c, n)| (c.label().to_string(), n.to_string()))
        .collect();
    exits.push((
        "Naar een eigen woning (incl. omklap)".into(),
        percent(s.exits_to_own_home),
    ));
    for (months, share, n) in &s.returns {
        exits.push((
            format!("Terug in de opvang binnen {months} maanden (van {n} naar permanent)"),
            percent(*share),
        ));
    }

    let occupancy_rows = state
        .db
        .occupancy_by_home(viewer.provider(), from, today)
        .await?
        .into_iter()
        .map(|o| {
            (
                o.home_name,
                o.municipality_name,
                o.kind.label(),
                percent(occupancy(
                    o.occupied_nights,
                    o.place_nights,
                    o.blocked_nights,
                )),
            )
        })
        .collect();
    Ok(page(&ReportsPage {
        nav: "rapportage",
        months,
        period: format!("{} t/m {}", labels::date(from), labels::date(today)),
        sections: vec![
            ("Plaatsing", placement),
            ("Verblijf", stays),
            ("Uitstroom en terugkeer", exits),
        ],
        occupancy: occupancy_rows,
        no_place: state.db.no_place_counts(viewer.provider(), from_ts).await?,
    }))
}
