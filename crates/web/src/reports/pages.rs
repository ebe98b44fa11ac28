//! The report pages: a summary beside the previous period, breakdowns per municipality,
//! kind of home, home and month, the definitions, and the exports (CSV per table, XLSX per
//! page). Pages show exact counts; exports are suppressed by [`super::export`].

use super::chart::{self, Series, Svg};
use super::export;
use crate::error::{HtmlError, WebError};
use crate::forms::Form;
use crate::pages::{invalid, page};
use crate::paging::Pager;
use crate::routes::Web;
use askama::Template;
use axum::extract::{RawQuery, State as S};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use nabij_app::AppError;
use nabij_app::reports::{self, Report, ReportQuery, Scope, View};
use nabij_domain::page::Page;
use nabij_domain::period::Preset;
use nabij_domain::table::{Cell, Table};

/// One cell as the page shows it.
pub struct CellView {
    pub text: String,
    pub number: bool,
    /// The definition of the measure this cell names.
    pub href: Option<String>,
}

/// One table as the page shows it, with its column headings linked to their definitions.
pub struct TableView {
    pub id: String,
    pub title: String,
    pub head: Vec<CellView>,
    pub rows: Vec<Vec<CellView>>,
    pub csv_href: String,
}

#[derive(Template)]
#[template(path = "report_page.html")]
pub struct ReportPage {
    pub nav: &'static str,
    pub heading: &'static str,
    pub view: &'static str,
    pub action: &'static str,
    pub subtitle: String,
    pub form: Form,
    pub presets: Vec<(String, String)>,
    pub municipalities: Vec<(String, String)>,
    pub tabs: Vec<(&'static str, String, bool)>,
    pub tables: Vec<TableView>,
    pub charts: Vec<Svg>,
    pub xlsx_href: String,
    pub pager: Option<Pager>,
    /// On the summary: the outflow measures of the period, with the link to all of them.
    pub outflow: Option<OutflowSummary>,
}

/// The outflow measures of the report's period, in short.
pub struct OutflowSummary {
    pub href: String,
    pub lines: Vec<(&'static str, String)>,
    /// (municipality, exits after a wait, median days).
    pub waiting: Vec<(String, String, String)>,
    pub waiting_more: usize,
    pub reasons: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "report_definitions.html")]
pub struct DefinitionsPage {
    pub nav: &'static str,
    pub measures: Vec<(&'static str, &'static str, &'static str)>,
}

const TABS: [(View, &str, &str); 5] = [
    (View::Summary, "/rapportage", "Samenvatting"),
    (
        View::Municipalities,
        "/rapportage/per-gemeente",
        "Per gemeente",
    ),
    (View::Kinds, "/rapportage/per-soort", "Per soort huis"),
    (View::Homes, "/rapportage/per-huis", "Per huis"),
    (View::Months, "/rapportage/per-maand", "Per maand"),
];

fn path_of(view: View) -> &'static str {
    TABS.iter()
        .find(|t| t.0 == view)
        .map_or("/rapportage", |t| t.1)
}

fn heading_of(view: View) -> &'static str {
    match view {
        View::Summary => "Rapportage",
        View::Municipalities => "Rapportage per gemeente",
        View::Kinds => "Rapportage per soort huis",
        View::Homes => "Rapportage per huis",
        View::Months => "Rapportage per maand",
    }
}

/// The query string of the page's form, as typed.
fn query_of(form: &Form) -> ReportQuery {
    let opt = |name: &str| Some(form.value(name).trim().to_string()).filter(|v| !v.is_empty());
    ReportQuery {
        preset: opt("periode"),
        from: opt("van"),
        to: opt("tot"),
        municipality: None,
    }
}

/// The period and municipality of a valid scope as query parameters (all URL-safe).
pub(crate) fn scope_query(scope: &Scope) -> String {
    let mut q = match scope.preset {
        Some(p) => format!("periode={}", p.code()),
        None => format!("van={}&tot={}", scope.period.from, scope.period.to),
    };
    if let Some((id, _)) = &scope.municipality {
        q.push_str(&format!("&gemeente={id}"));
    }
    q
}

/// Reads the form; the municipality must be a number (Dutch error otherwise).
pub(crate) fn read(raw: Option<String>) -> (Form, Result<ReportQuery, AppError>) {
    let form = Form::parse(raw.unwrap_or_default().as_bytes());
    let mut q = query_of(&form);
    let m = form.value("gemeente").trim();
    if !m.is_empty() {
        match m.parse::<i64>() {
            Ok(id) => q.municipality = Some(id),
            Err(_) => {
                return (
                    form,
                    Err(AppError::Invalid(vec![nabij_domain::RuleViolation::new(
                        "gemeente",
                        "kies een gemeente uit de lijst",
                    )])),
                );
            }
        }
    }
    (form, Ok(q))
}

async fn scope_of(
    state: &Web,
    viewer: &crate::auth::Viewer,
    q: Result<ReportQuery, AppError>,
) -> Result<Scope, AppError> {
    reports::scope(&state.app, &viewer.caller, &q?).await
}

fn cell_view(c: &Cell) -> CellView {
    CellView {
        text: c.display(),
        number: !matches!(c, Cell::Text { .. }),
        href: None,
    }
}

fn definition_href(name: &str) -> Option<String> {
    reports::measures()
        .iter()
        .find(|m| m.name == name)
        .map(|m| format!("/rapportage/definities#{}", m.id))
}

fn table_view(t: &Table, query: &str) -> TableView {
    TableView {
        id: t.id.clone(),
        title: t.title.clone(),
        head: t
            .columns
            .iter()
            .map(|c| CellView {
                text: c.clone(),
                number: false,
                href: definition_href(c),
            })
            .collect(),
        rows: t
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let mut v = cell_view(c);
                        if i == 0 && t.id == "samenvatting" {
                            v.href = definition_href(&v.text);
                        }
                        v
                    })
                    .collect()
            })
            .collect(),
        csv_href: format!("/rapportage/export.csv?tabel={}&{query}", t.id),
    }
}

/// A table's column by its heading, as a chart series over its rows.
fn column_series(t: &Table, column: &str, percent: bool) -> Option<Series> {
    let i = t.columns.iter().position(|c| c == column)?;
    Some(Series {
        name: column.to_string(),
        points: t
            .rows
            .iter()
            .map(|r| {
                let x = r[0].display();
                let v = r[i].ratio().map(|v| if percent { v * 100.0 } else { v });
                (x, v)
            })
            .collect(),
    })
}

/// Each row of a municipality-by-month table as one series.
fn row_series(t: &Table, percent: bool) -> Vec<Series> {
    t.rows
        .iter()
        .map(|r| Series {
            name: r[0].display(),
            points: t.columns[1..]
                .iter()
                .zip(&r[1..])
                .map(|(m, c)| {
                    (
                        m.clone(),
                        c.ratio().map(|v| if percent { v * 100.0 } else { v }),
                    )
                })
                .collect(),
        })
        .collect()
}

fn charts(r: &Report) -> Vec<Svg> {
    let mut out = Vec::new();
    if let Some(t) = r.table("per-maand") {
        if let Some(s) = column_series(t, "Plaatsingen", false) {
            out.push(chart::line_chart(
                "Plaatsingen per maand",
                "plaatsingen",
                &[s],
            ));
        }
        if let Some(s) = column_series(t, "Bezetting", true) {
            out.push(chart::line_chart("Bezetting per maand", "%", &[s]));
        }
        let stay: Vec<Series> = [
            "Verblijfsduur, mediaan (dagen)",
            "Verblijfsduur, gemiddeld (dagen)",
        ]
        .iter()
        .filter_map(|c| column_series(t, c, false))
        .collect();
        if !stay.is_empty() {
            out.push(chart::line_chart(
                "Verblijfsduur van wie in de maand vertrok",
                "dagen",
                &stay,
            ));
        }
    }
    if let Some(t) = r.table("geen-plek-per-gemeente-per-maand") {
        let bars: Vec<(String, f64)> = t
            .rows
            .iter()
            .map(|row| {
                let total: f64 = row[1..].iter().filter_map(Cell::ratio).sum();
                (row[0].display(), total)
            })
            .filter(|(_, n)| *n > 0.0)
            .collect();
        if !bars.is_empty() {
            out.push(chart::bar_chart(
                "Geen plek in eigen gebied, per gemeente",
                "keer",
                &bars,
            ));
        }
    }
    if let Some(t) = r.table("bezetting-per-gemeente-per-maand") {
        let panels = row_series(t, true);
        if !panels.is_empty() && t.columns.len() > 2 {
            out.push(chart::small_multiples(
                "Bezetting per gemeente per maand",
                "%",
                &panels,
                3,
            ));
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &Web,
    viewer: &crate::auth::Viewer,
    view: View,
    form: Form,
    scope: Option<&Scope>,
    report: Option<&Report>,
    pager: Option<Pager>,
) -> Result<ReportPage, HtmlError> {
    let municipalities = reports::municipalities(&state.app, &viewer.caller)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    let this_year = state.app.clock().today().year();
    let mut presets: Vec<(String, String)> = [
        Preset::ThisMonth,
        Preset::Last12Months,
        Preset::Last24Months,
    ]
    .into_iter()
    .chain((this_year - 5..=this_year).rev().map(Preset::Year))
    .map(|p| (p.code(), p.label()))
    .collect();
    presets.insert(0, (String::new(), "kies…".into()));
    let query = scope.map(scope_query).unwrap_or_default();
    let outflow = match (view, scope) {
        (View::Summary, Some(s)) => {
            let to = s.period.to.tomorrow().unwrap_or(s.period.to);
            let c = nabij_app::outflow::chain_summary(
                &state.app,
                &viewer.caller,
                s.period.from,
                to,
                s.municipality.as_ref().map(|m| m.0),
                10,
            )
            .await?;
            Some(OutflowSummary {
                href: format!("/rapportage/uitstroom?van={}&tot={to}", s.period.from),
                lines: c.lines,
                waiting_more: c.waiting_municipalities.saturating_sub(c.waiting.len()),
                waiting: c
                    .waiting
                    .into_iter()
                    .map(|(m, n, d)| {
                        (
                            m,
                            n.to_string(),
                            d.map_or("—".into(), |d| format!("{d:.0}")),
                        )
                    })
                    .collect(),
                reasons: c
                    .reasons
                    .into_iter()
                    .map(|(r, n)| (r, n.to_string()))
                    .collect(),
            })
        }
        _ => None,
    };
    let subtitle = match scope {
        Some(s) => format!(
            "{}{}",
            s.period.label(),
            s.municipality
                .as_ref()
                .map_or(String::new(), |m| format!(", {}", m.1))
        ),
        None => String::new(),
    };
    Ok(ReportPage {
        nav: "rapportage",
        heading: heading_of(view),
        view: view.code(),
        action: path_of(view),
        subtitle,
        form,
        presets,
        municipalities,
        tabs: TABS
            .iter()
            .map(|(v, path, label)| {
                let href = if query.is_empty() {
                    path.to_string()
                } else {
                    format!("{path}?{query}")
                };
                (*label, href, *v == view)
            })
            .chain(std::iter::once((
                "Definities",
                "/rapportage/definities".to_string(),
                false,
            )))
            .collect(),
        tables: report
            .map(|r| r.tables.iter().map(|t| table_view(t, &query)).collect())
            .unwrap_or_default(),
        charts: report.map(charts).unwrap_or_default(),
        xlsx_href: format!("/rapportage/export.xlsx?pagina={}&{query}", view.code()),
        pager,
        outflow,
    })
}

/// Fills the form with the scope the report used, so the form says what is shown.
fn form_of(mut form: Form, scope: &Scope) -> Form {
    match scope.preset {
        Some(p) => {
            form.set("periode", p.code());
            form.set("van", "");
            form.set("tot", "");
        }
        None => {
            form.set("van", scope.period.from.to_string());
            form.set("tot", scope.period.to.to_string());
        }
    }
    form
}

async fn show_view(
    state: Web,
    viewer: crate::auth::Viewer,
    raw: Option<String>,
    view: View,
) -> Result<Response, HtmlError> {
    let (mut form, q) = read(raw);
    let scope = match scope_of(&state, &viewer, q).await {
        Ok(s) => s,
        Err(AppError::Invalid(v)) => {
            form.add_violations(&v);
            let p = render(&state, &viewer, view, form, None, None, None).await?;
            return Ok(invalid(&p));
        }
        Err(e) => return Err(e.into()),
    };
    let paging = if view == View::Homes {
        let size = form.value("per").parse().ok();
        let cursor = Some(form.value("na")).filter(|c| !c.is_empty());
        Some(crate::paging::request(cursor, size)?)
    } else {
        None
    };
    let offset: i64 = form.value("vanaf").parse().unwrap_or(0);
    let r = reports::report(&state.app, &viewer.caller, &scope, view, paging.as_ref()).await?;
    let pager = match (&paging, r.total) {
        (Some(_), Some(total)) => {
            let shown = r.tables.first().map_or(0, |t| t.rows.len());
            let page = Page {
                items: vec![(); shown],
                total,
                next: r.next.clone(),
            };
            Some(Pager::new(
                &page,
                path_of(view),
                &scope_query(&scope),
                offset,
            ))
        }
        _ => None,
    };
    let form = form_of(form, &scope);
    let p = render(&state, &viewer, view, form, Some(&scope), Some(&r), pager).await?;
    Ok(page(&p))
}

pub async fn show(
    S(state): S<Web>,
    viewer: crate::auth::Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, HtmlError> {
    show_view(state, viewer, raw, View::Summary).await
}

pub async fn municipalities(
    S(state): S<Web>,
    viewer: crate::auth::Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, HtmlError> {
    show_view(state, viewer, raw, View::Municipalities).await
}

pub async fn kinds(
    S(state): S<Web>,
    viewer: crate::auth::Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, HtmlError> {
    show_view(state, viewer, raw, View::Kinds).await
}

pub async fn homes(
    S(state): S<Web>,
    viewer: crate::auth::Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, HtmlError> {
    show_view(state, viewer, raw, View::Homes).await
}

pub async fn months(
    S(state): S<Web>,
    viewer: crate::auth::Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, HtmlError> {
    show_view(state, viewer, raw, View::Months).await
}

pub async fn definitions(_viewer: crate::auth::Viewer) -> Response {
    page(&DefinitionsPage {
        nav: "rapportage",
        measures: reports::measures()
            .iter()
            .map(|m| (m.id, m.name, m.definition))
            .collect(),
    })
}

fn download(content_type: &str, file: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response()
}

async fn export_scope(
    state: &Web,
    viewer: &crate::auth::Viewer,
    raw: Option<String>,
) -> Result<(Form, Scope), HtmlError> {
    let (form, q) = read(raw);
    let scope = scope_of(state, viewer, q).await?;
    Ok((form, scope))
}

/// One report table as CSV, small numbers suppressed.
pub async fn export_csv(
    S(state): S<Web>,
    viewer: crate::auth::Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, HtmlError> {
    let (form, scope) = export_scope(&state, &viewer, raw).await?;
    let id = form.value("tabel").to_string();
    let view = reports::view_of_table(&id).ok_or_else(|| {
        WebError::bad_request("deze tabel bestaat niet; kies een tabel op de rapportagepagina")
    })?;
    let r = reports::report(&state.app, &viewer.caller, &scope, view, None).await?;
    let table = r
        .table(&id)
        .ok_or(WebError::App(AppError::NotFound("tabel")))?;
    reports::log_export(&state.app, &viewer.caller, &scope, &format!("{id}.csv")).await?;
    Ok(download(
        "text/csv; charset=utf-8",
        format!("nabij-rapportage-{id}-{}.csv", scope.file_part()),
        export::csv(table),
    ))
}

/// Every table of a report page as one XLSX workbook, small numbers suppressed.
pub async fn export_xlsx(
    S(state): S<Web>,
    viewer: crate::auth::Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, HtmlError> {
    let (form, scope) = export_scope(&state, &viewer, raw).await?;
    let code = Some(form.value("pagina"))
        .filter(|p| !p.is_empty())
        .unwrap_or("samenvatting");
    let view = View::parse(code).ok_or_else(|| {
        WebError::bad_request("deze rapportagepagina bestaat niet; kies een pagina uit het menu")
    })?;
    let r = reports::report(&state.app, &viewer.caller, &scope, view, None).await?;
    let body = export::xlsx(
        &format!("Nabij rapportage {}", scope.period.label()),
        &r.tables,
    )
    .map_err(|e| WebError::App(AppError::Internal(e.to_string())))?;
    reports::log_export(&state.app, &viewer.caller, &scope, &format!("{code}.xlsx")).await?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("nabij-rapportage-{code}-{}.xlsx", scope.file_part()),
        body,
    ))
}
