use crate::error::HtmlError;
use crate::pages::{page, percent};
use crate::routes::Web;
use askama::Template;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::dashboard::NoPlaceCount;
use nabij_domain::labels::{self, Label};
use nabij_domain::measures::Summary;
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
    S(state): S<Web>,
    viewer: crate::auth::Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let months: i64 = q.get("maanden").and_then(|m| m.parse().ok()).unwrap_or(12);
    let r = nabij_app::reports::report(&state.app, &viewer.caller, months).await?;
    let months = if nabij_app::reports::PERIODS.contains(&months) {
        months
    } else {
        12
    };
    let (from, today) = (r.from, r.today);
    let p = r.placement;
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

    let s = r.stays;
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

    let occupancy_rows = r
        .occupancy
        .into_iter()
        .map(|(o, share)| {
            (
                o.home_name,
                o.municipality_name,
                o.kind.label(),
                percent(share),
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
        no_place: r.no_place,
    }))
}
