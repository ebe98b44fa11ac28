//! *Capaciteitsplanner*: the calibrated scenario, what-if inputs, results with charts and a
//! plain-Dutch explanation. A GET form: a what-if changes nothing, and its address can be
//! shared.

use crate::error::HtmlError;
use crate::pages::{invalid, page, urlencode};
use crate::routes::Web;
use askama::Template;
use axum::extract::{Query, State as S};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use nabij_app::AppError;
use nabij_app::capacity::{cached, run_settings, simulate_scenario, size_network, sizing_fits};
use nabij_planner::calibrate::Calibration;
use nabij_planner::erlang::erlang_b;
use nabij_planner::scenario::Outflow;
use nabij_planner::size::Sizing;
use nabij_planner::{Estimate, Measures, Report, RunOptions, Scenario};
use std::collections::HashMap;

const MAX_PLACES: u32 = 10_000;
const DEFAULT_TARGET_PERCENT: f64 = 5.0;

pub struct InputRow {
    pub id: String,
    pub name: String,
    pub arrivals_per_year: String,
    pub load: String,
    pub places_now: u32,
    pub value: String,
    pub error: Option<&'static str>,
    pub outflow: String,
    /// Erlang B for the places entered, as if the municipality stood alone.
    pub erlang: String,
}

pub struct ResultRow {
    pub name: String,
    pub places: u32,
    pub own: String,
    pub overflowed: String,
    pub central: String,
    pub no_place: String,
    pub not_own: String,
    pub meets_target: bool,
    pub utilisation: String,
    pub time_full: String,
    pub mean_stay: String,
    pub over_six_months: String,
    pub waiting_days: String,
}

pub struct Segment {
    pub x: f64,
    pub width: f64,
    pub class: &'static str,
    pub title: String,
}

pub struct Bar {
    pub label: String,
    pub y: f64,
    pub segments: Vec<Segment>,
    /// Confidence interval as a whisker: from x1 to x2.
    pub whisker: Option<(f64, f64)>,
}

/// A horizontal bar chart drawn by the server as SVG.
pub struct Chart {
    pub height: f64,
    pub bars: Vec<Bar>,
    pub target_x: Option<f64>,
    pub ticks: Vec<(f64, String)>,
}

pub const CHART_LEFT: f64 = 170.0;
pub const CHART_WIDTH: f64 = 440.0;
const ROW: f64 = 22.0;

pub struct SizingView {
    pub target: String,
    pub added: u32,
    pub reached: bool,
    pub rows: Vec<(String, u32, u32)>,
    pub link: String,
}

pub struct Results {
    pub rows: Vec<ResultRow>,
    pub central: Option<ResultRow>,
    /// The network in this scenario, and as it is now when the scenario differs.
    pub totals: Vec<ResultRow>,
    pub shares: Chart,
    pub not_own: Chart,
    pub explanation: Vec<String>,
    pub with_outflow: bool,
}

#[derive(Template)]
#[template(path = "planner.html")]
pub struct PlannerPage {
    pub nav: &'static str,
    pub unavailable: Option<String>,
    pub facts: Vec<(String, String)>,
    pub inputs: Vec<InputRow>,
    pub extra_outflow: String,
    pub extra_error: Option<&'static str>,
    pub target: String,
    pub target_error: Option<&'static str>,
    pub results: Option<Results>,
    pub sizing: Option<SizingView>,
    pub has_errors: bool,
    pub query: String,
    /// When the starting point was calibrated.
    pub calibrated_at: String,
    /// Runs and years as typed; the bound's message when too large.
    pub runs: String,
    pub years: String,
    pub run_error: Option<String>,
}

impl PlannerPage {
    fn empty() -> Self {
        PlannerPage {
            nav: "capaciteit",
            unavailable: None,
            facts: Vec::new(),
            inputs: Vec::new(),
            extra_outflow: "0".into(),
            extra_error: None,
            target: fmt_num(DEFAULT_TARGET_PERCENT, 0),
            target_error: None,
            results: None,
            sizing: None,
            has_errors: false,
            query: String::new(),
            calibrated_at: String::new(),
            runs: String::new(),
            years: String::new(),
            run_error: None,
        }
    }
}

/// Dutch number: decimal comma.
fn fmt_num(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('.', ",")
}

fn parse_num(raw: &str) -> Option<f64> {
    raw.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
}

fn pct(e: Estimate) -> String {
    if e.mean.is_nan() {
        return "—".into();
    }
    if e.half_width.is_nan() {
        return format!("{}%", fmt_num(e.mean * 100.0, 1));
    }
    format!(
        "{}% ± {}",
        fmt_num(e.mean * 100.0, 1),
        fmt_num(e.half_width * 100.0, 1)
    )
}

fn days(e: Estimate) -> String {
    if e.mean.is_nan() {
        return "—".into();
    }
    format!(
        "{} ± {}",
        fmt_num(e.mean, 0),
        fmt_num(e.half_width.max(0.0), 0)
    )
}

fn result_row(name: &str, places: u32, m: &Measures<Estimate>, target: f64) -> ResultRow {
    ResultRow {
        name: name.to_owned(),
        places,
        own: pct(m.own),
        overflowed: pct(m.overflowed),
        central: pct(m.central),
        no_place: pct(m.no_place),
        not_own: pct(m.not_own),
        meets_target: m.not_own.mean.is_nan() || m.not_own.mean <= target,
        utilisation: pct(m.utilisation),
        time_full: pct(m.time_full),
        mean_stay: days(m.mean_stay),
        over_six_months: pct(m.over_six_months),
        waiting_days: days(m.waiting_days),
    }
}

fn ticks(max: f64, step: f64) -> Vec<(f64, String)> {
    let mut out = Vec::new();
    let mut v: f64 = 0.0;
    while v <= max + 1e-9 {
        out.push((
            CHART_LEFT + CHART_WIDTH * v / max,
            format!("{}%", fmt_num(v * 100.0, 0)),
        ));
        v += step;
    }
    out
}

fn shares_chart(report: &Report) -> Chart {
    let bars = report
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let m = &a.measures;
            let mut x = CHART_LEFT;
            let segments = [
                (m.own.mean, "seg-own", "eigen gemeente"),
                (m.overflowed.mean, "seg-overflow", "uitgeweken"),
                (m.central.mean, "seg-central", "centrale opvang"),
                (m.no_place.mean, "seg-none", "geen plek"),
            ]
            .into_iter()
            .filter(|(share, ..)| share.is_finite() && *share > 0.0)
            .map(|(share, class, what)| {
                let width = CHART_WIDTH * share;
                let s = Segment {
                    x,
                    width,
                    class,
                    title: format!("{}: {what} {}%", a.name, fmt_num(share * 100.0, 1)),
                };
                x += width;
                s
            })
            .collect();
            Bar {
                label: a.name.clone(),
                y: 10.0 + ROW * i as f64,
                segments,
                whisker: None,
            }
        })
        .collect::<Vec<_>>();
    Chart {
        height: 40.0 + ROW * bars.len() as f64,
        bars,
        target_x: None,
        ticks: ticks(1.0, 0.25),
    }
}

fn not_own_chart(report: &Report, target: f64) -> Chart {
    let highest = report
        .areas
        .iter()
        .map(|a| a.measures.not_own.high())
        .filter(|x| x.is_finite())
        .fold(target, f64::max);
    let step = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25]
        .into_iter()
        .find(|s| highest / s <= 6.0)
        .unwrap_or(0.25);
    let max = ((highest / step).ceil() * step).clamp(step, 1.0);
    let x = |share: f64| CHART_LEFT + CHART_WIDTH * (share / max).clamp(0.0, 1.0);
    let bars = report
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let e = a.measures.not_own;
            let mean = if e.mean.is_finite() { e.mean } else { 0.0 };
            let class = if mean <= target {
                "seg-own"
            } else {
                "seg-none"
            };
            Bar {
                label: a.name.clone(),
                y: 10.0 + ROW * i as f64,
                segments: vec![Segment {
                    x: CHART_LEFT,
                    width: x(mean) - CHART_LEFT,
                    class,
                    title: format!("{}: geen plek in eigen gemeente {}", a.name, pct(e)),
                }],
                whisker: e
                    .half_width
                    .is_finite()
                    .then(|| (x(e.low().max(0.0)), x(e.high()))),
            }
        })
        .collect::<Vec<_>>();
    Chart {
        height: 40.0 + ROW * bars.len() as f64,
        bars,
        target_x: Some(x(target)),
        ticks: ticks(max, step),
    }
}

fn explanation(
    cal: &Calibration,
    scenario: &Scenario,
    report: &Report,
    target: f64,
) -> Vec<String> {
    let years = (report.horizon_days - report.warmup_days) / 365.0;
    let t = &report.total.measures;
    let mut out = vec![
        format!(
            "De planner speelt het netwerk {} keer {} jaar lang na. Aanmeldingen komen op willekeurige \
             momenten binnen, per gemeente in het tempo van de afgelopen {} dagen; een verblijf duurt \
             zo lang als verblijven tot nu toe duurden (ook de lopende verblijven tellen mee) en \
             hoogstens een half jaar tot uitstroomklaar.",
            report.replications,
            fmt_num(years, 0),
            cal.days_observed
        ),
        "Wie in de eigen gemeente geen vrije plek vindt, gaat naar de dichtstbijzijnde gemeente \
         (binnen 25 km) met een vrije plek, daarna naar de centrale opvang; anders is er geen plek."
            .to_owned(),
        format!(
            "Uitkomst voor het hele netwerk: {} van de mensen krijgt een plek in de eigen gemeente, {} \
             wijkt uit en {} vindt nergens een plek. Het doel is dat in elke gemeente hoogstens {}% \
             geen plek in de eigen gemeente krijgt; {} van de {} gemeenten haalt dat.",
            pct(t.own),
            pct(t.overflowed),
            pct(t.no_place),
            fmt_num(target * 100.0, 1),
            report.areas.iter().filter(|a| a.measures.not_own.mean.is_nan() || a.measures.not_own.mean <= target).count(),
            report.areas.len()
        ),
        "Hoe zeker is dit? Elk getal is een gemiddelde over alle keren naspelen. Wat na ‘±’ staat \
         is de marge: als de aannames kloppen, ligt het echte gemiddelde met 95% zekerheid binnen die \
         marge. De grootste onzekerheid zit in de aannames zelf: de toekomst lijkt op het verleden, en \
         in een kleine gemeente rust het tempo van aanmelden op weinig mensen."
            .to_owned(),
    ];
    if scenario.outflow.is_some() {
        out.push(format!(
            "Uitstroomklaar is nog niet weg: wie een eigen woning nodig heeft, houdt de plek tot er in de \
             eigen gemeente een uitstroomwoning vrijkomt. Mensen wachten zo gemiddeld {} dagen en {} \
             van de verblijven duurt langer dan zes maanden. Te weinig uitstroomwoningen laten het \
             netwerk dichtslibben: plekken blijven bezet en nieuwkomers moeten uitwijken. Het aanbod \
             is geschat uit de keren dat iemand na wachten een woning kreeg, en is daardoor eerder te \
             laag dan te hoog.",
            days(t.waiting_days),
            pct(t.over_six_months)
        ));
    } else {
        out.push(
            "Er is nog niemand na wachten uitgestroomd naar een eigen woning, dus de planner rekent \
             zonder tekort aan uitstroomwoningen: een verblijf eindigt zodra het uitstroomklaar is."
                .to_owned(),
        );
    }
    out
}

pub async fn show(
    S(state): S<Web>,
    viewer: crate::auth::Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let mut view = PlannerPage::empty();
    let cal = match cached(&state.app, &viewer.caller).await {
        Ok(c) => {
            view.calibrated_at = state.app.clock().local(c.at);
            c.calibration
        }
        Err(AppError::NoHistory(m)) => {
            view.unavailable = Some(format!("De planner kan nog niet rekenen: {m}."));
            return Ok(page(&view));
        }
        Err(e) => return Err(e.into()),
    };
    let base = &cal.scenario;
    let mean_stay = base.effective_mean_stay().unwrap_or(f64::NAN);
    let mut scenario = base.clone();

    // What-if inputs, as typed; a bad one is shown next to its field and nothing is run.
    for (m, current) in scenario.municipalities.iter_mut().zip(&base.municipalities) {
        let raw = q.get(&format!("p_{}", m.id)).cloned();
        let value = raw.clone().unwrap_or_else(|| current.places.to_string());
        let parsed = raw
            .as_deref()
            .map(|r| r.trim().parse::<u32>().ok().filter(|p| *p <= MAX_PLACES));
        let error = match parsed {
            Some(None) => Some("Vul een heel aantal plekken in, van 0 tot 10.000."),
            Some(Some(p)) => {
                m.places = p;
                None
            }
            None => None,
        };
        view.inputs.push(InputRow {
            id: m.id.clone(),
            name: m.label().to_owned(),
            arrivals_per_year: fmt_num(m.lambda * 365.0, 1),
            load: fmt_num(m.lambda * mean_stay, 1),
            places_now: current.places,
            value,
            error,
            outflow: m.outflow_per_year.map_or("—".into(), |o| fmt_num(o, 1)),
            erlang: format!(
                "{}%",
                fmt_num(erlang_b(m.lambda * mean_stay, m.places) * 100.0, 1)
            ),
        });
    }
    let mut extra = 0.0;
    if let Some(raw) = q.get("extra_uitstroom") {
        view.extra_outflow = raw.clone();
        match parse_num(raw).filter(|x| (0.0..=10_000.0).contains(x)) {
            Some(x) => extra = x,
            None => {
                view.extra_error = Some("Vul een aantal woningen per jaar in, van 0 tot 10.000.")
            }
        }
    }
    if extra > 0.0 && scenario.outflow.is_none() {
        view.extra_error = Some(
            "Zonder uitstroom in de geschiedenis valt er geen extra uitstroom door te rekenen.",
        );
    }
    if let Some(o) = scenario.outflow.as_mut() {
        o.extra_per_year = extra;
    }
    let mut target = DEFAULT_TARGET_PERCENT / 100.0;
    if let Some(raw) = q.get("doel") {
        view.target = raw.clone();
        match parse_num(raw.trim_end_matches('%')).filter(|x| (0.1..=50.0).contains(x)) {
            Some(x) => target = x / 100.0,
            None => view.target_error = Some("Vul een percentage in van 0,1 tot 50."),
        }
    }
    // How long and how often to simulate: bounded, so one what-if cannot hold the planner.
    let whole = |key: &str, shown: &mut String| -> Result<Option<u32>, String> {
        match q.get(key).map(|r| r.trim()).filter(|r| !r.is_empty()) {
            None => Ok(None),
            Some(raw) => {
                *shown = raw.to_owned();
                raw.parse::<u32>()
                    .map(Some)
                    .map_err(|_| format!("Vul een heel getal in bij ‘{key}’."))
            }
        }
    };
    let (mut runs_shown, mut years_shown) = (String::new(), String::new());
    let asked = whole("herhalingen", &mut runs_shown)
        .and_then(|r| whole("jaren", &mut years_shown).map(|y| (r, y)));
    match asked.and_then(|(r, y)| run_settings(&scenario, r, y)) {
        Ok(run) => {
            if runs_shown.is_empty() {
                runs_shown = run.replications.to_string();
            }
            if years_shown.is_empty() {
                years_shown = fmt_num((run.horizon_days - run.warmup_days) / 365.0, 0);
            }
            scenario.run = run;
        }
        Err(m) => view.run_error = Some(m),
    }
    let chosen = q.get("herhalingen").is_some_and(|r| !r.trim().is_empty());
    if view.run_error.is_none() && q.get("actie").map(String::as_str) == Some("dimensioneren") {
        match sizing_fits(&mut scenario, chosen) {
            Ok(()) if !chosen => runs_shown = scenario.run.replications.to_string(),
            Ok(()) => {}
            Err(m) => view.run_error = Some(m),
        }
    }
    view.runs = runs_shown;
    view.years = years_shown;
    view.facts = facts(&cal, mean_stay);
    view.has_errors = view.inputs.iter().any(|i| i.error.is_some())
        || view.extra_error.is_some()
        || view.target_error.is_some()
        || view.run_error.is_some();
    if view.has_errors {
        return Ok(invalid(&view));
    }

    let options = RunOptions {
        replications: scenario.run.replications,
        seed: scenario.run.seed,
        threads: 0,
    };
    let net = scenario
        .network()
        .map_err(|e| crate::error::WebError::bad_request(e.to_string()))?;
    let changed =
        scenario.municipalities != base.municipalities || scenario.outflow != base.outflow;
    // The same what-if on the same calibration is answered from the reports kept.
    let report = simulate_scenario(&state.app, &scenario, options)
        .await
        .map_err(|e| crate::error::WebError::bad_request(e.to_string()))?;
    let baseline = if changed {
        let mut base = base.clone();
        base.run = scenario.run.clone();
        Some(
            simulate_scenario(&state.app, &base, options)
                .await
                .map_err(|e| crate::error::WebError::bad_request(e.to_string()))?,
        )
    } else {
        None
    };
    if q.get("actie").map(String::as_str) == Some("dimensioneren") {
        let sizing = size_network(net, target, options).await;
        view.sizing = Some(sizing_view(&scenario, &sizing, extra, target));
    }
    view.query = what_if_query(&q);
    view.results = Some(Results {
        rows: report
            .areas
            .iter()
            .map(|a| result_row(&a.name, a.places, &a.measures, target))
            .collect(),
        central: report
            .central
            .as_ref()
            .map(|c| result_row("Centrale opvang", c.places, &c.measures, target)),
        totals: std::iter::once(result_row(
            "Hele netwerk",
            report.total.places,
            &report.total.measures,
            target,
        ))
        .chain(baseline.map(|b| result_row("Zoals nu", b.total.places, &b.total.measures, target)))
        .collect(),
        shares: shares_chart(&report),
        not_own: not_own_chart(&report, target),
        explanation: explanation(&cal, &scenario, &report, target),
        with_outflow: scenario.outflow.is_some(),
    });
    Ok(page(&view))
}

fn facts(cal: &Calibration, mean_stay: f64) -> Vec<(String, String)> {
    let s = &cal.scenario;
    let mut facts = vec![
        (
            "Geschiedenis".into(),
            format!(
                "{} dagen, {} aanmeldingen, {} verblijven",
                cal.days_observed, cal.referrals, cal.stays
            ),
        ),
        (
            "Lopende verblijven (nog niet uitstroomklaar)".into(),
            cal.censored.to_string(),
        ),
        (
            "Gemiddelde verblijfsduur tot uitstroomklaar".into(),
            format!("{} dagen (hoogstens een half jaar)", fmt_num(mean_stay, 0)),
        ),
        (
            "Plekken in de gemeenten".into(),
            s.municipalities
                .iter()
                .map(|m| m.places)
                .sum::<u32>()
                .to_string(),
        ),
        (
            "Centrale opvang".into(),
            s.central_shelter
                .as_ref()
                .map_or("geen".into(), |c| format!("{} plekken", c.places)),
        ),
    ];
    if let Some(Outflow {
        needs_home_share, ..
    }) = &s.outflow
    {
        facts.push((
            "Heeft een eigen woning nodig".into(),
            format!("{}% van wie vertrekt", fmt_num(needs_home_share * 100.0, 0)),
        ));
        facts.push((
            "Uitstroomwoningen per jaar".into(),
            format!(
                "{} ({})",
                fmt_num(
                    s.municipalities
                        .iter()
                        .filter_map(|m| m.outflow_per_year)
                        .sum::<f64>(),
                    1
                ),
                match cal.outflow_offers {
                    Some(n) => format!("bron: {n} echte woningaanbiedingen en omklappen"),
                    None => format!(
                        "bron: geschat uit {} keer uitstroom na wachten",
                        cal.outflow_exits
                    ),
                }
            ),
        ));
    }
    facts
}

fn sizing_view(scenario: &Scenario, sizing: &Sizing, extra: f64, target: f64) -> SizingView {
    let mut link = String::from("/capaciteitsplanner?");
    for (m, places) in scenario.municipalities.iter().zip(&sizing.after) {
        link.push_str(&format!("p_{}={}&", urlencode(&m.id), places));
    }
    link.push_str(&format!(
        "extra_uitstroom={}&doel={}",
        fmt_num(extra, 1),
        fmt_num(target * 100.0, 1)
    ));
    SizingView {
        target: fmt_num(target * 100.0, 1),
        added: sizing.added(),
        reached: sizing.reached,
        rows: scenario
            .municipalities
            .iter()
            .zip(sizing.before.iter().zip(&sizing.after))
            .filter(|(_, (b, a))| a > b)
            .map(|(m, (b, a))| (m.label().to_owned(), *b, *a))
            .collect(),
        link,
    }
}

/// The query of this what-if, to download its scenario.
fn what_if_query(q: &HashMap<String, String>) -> String {
    let mut keys: Vec<&String> = q.keys().filter(|k| k.as_str() != "actie").collect();
    keys.sort();
    keys.iter()
        .map(|k| format!("{}={}", urlencode(k), urlencode(&q[*k])))
        .collect::<Vec<_>>()
        .join("&")
}

/// The calibrated scenario, with the what-if's places and extra outflow, as a JSON file for
/// `nabij plan simulate`.
pub async fn scenario_file(
    S(state): S<Web>,
    viewer: crate::auth::Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let cal = match cached(&state.app, &viewer.caller).await {
        Ok(c) => c.calibration,
        Err(AppError::NoHistory(m)) => {
            return Err(crate::error::WebError::bad_request(m).into());
        }
        Err(e) => return Err(e.into()),
    };
    let mut scenario = cal.scenario.clone();
    for m in &mut scenario.municipalities {
        if let Some(p) = q
            .get(&format!("p_{}", m.id))
            .and_then(|r| r.trim().parse::<u32>().ok())
        {
            m.places = p.min(MAX_PLACES);
        }
    }
    if let (Some(o), Some(x)) = (
        scenario.outflow.as_mut(),
        q.get("extra_uitstroom").and_then(|r| parse_num(r)),
    ) {
        o.extra_per_year = x.clamp(0.0, 10_000.0);
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"scenario.json\"",
            ),
        ],
        scenario.to_json(),
    )
        .into_response())
}
