//! Chain figures: a municipality's or social team's aggregates over its municipalities and
//! a period, the recovery of the persons from them included (every count below 5 shown as
//! "<5", also in the CSV), and the same figures for the whole organisation on the reports.

use crate::auth::Viewer;
use crate::error::{HtmlError, WebError};
use crate::routes::Web;
use askama::Template;
use axum::extract::{Query, State as S};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use nabij_app::AppError;
use nabij_app::outflow::{self, ChainFigures};
use nabij_domain::labels;
use std::collections::HashMap;

pub struct ShownTable {
    pub id: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<(String, bool)>>,
}

#[derive(Template)]
#[template(path = "outflow_figures.html")]
pub struct FiguresPage {
    pub nav: &'static str,
    pub title: &'static str,
    pub action: &'static str,
    pub from: String,
    pub to: String,
    pub period: String,
    pub covered: String,
    pub suppressed: bool,
    pub tables: Vec<ShownTable>,
    pub error: Option<String>,
}

fn shown(f: &ChainFigures) -> Vec<ShownTable> {
    use nabij_domain::table::Cell;
    f.tables
        .iter()
        .map(|t| ShownTable {
            id: t.id.clone(),
            title: t.title.clone(),
            columns: t.columns.clone(),
            rows: t
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| (c.display(), !matches!(c, Cell::Text { .. })))
                        .collect()
                })
                .collect(),
        })
        .collect()
}

async fn figures(
    state: &Web,
    viewer: &Viewer,
    q: &HashMap<String, String>,
) -> Result<(ChainFigures, String, String), AppError> {
    let (from, to) = outflow::figure_period(
        q.get("van").map(String::as_str),
        q.get("tot").map(String::as_str),
        state.app.clock().today(),
    )?;
    let f = outflow::chain_figures(&state.app, &viewer.caller, from, to).await?;
    Ok((f, from.to_string(), to.to_string()))
}

async fn page(
    state: Web,
    viewer: Viewer,
    q: HashMap<String, String>,
    nav: &'static str,
    title: &'static str,
    action: &'static str,
) -> Result<Response, HtmlError> {
    let (f, from, to, error) = match figures(&state, &viewer, &q).await {
        Ok((f, from, to)) => (Some(f), from, to, None),
        Err(AppError::Invalid(v)) => (
            None,
            q.get("van").cloned().unwrap_or_default(),
            q.get("tot").cloned().unwrap_or_default(),
            Some(
                v.iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ),
        Err(e) => return Err(e.into()),
    };
    let period = match (
        from.parse::<jiff::civil::Date>(),
        to.parse::<jiff::civil::Date>(),
    ) {
        (Ok(a), Ok(b)) => format!("{} tot {}", labels::date(a), labels::date(b)),
        _ => String::new(),
    };
    let p = FiguresPage {
        nav,
        title,
        action,
        covered: f.as_ref().map(|f| f.covered.join(", ")).unwrap_or_default(),
        suppressed: f.as_ref().is_some_and(|f| f.suppressed),
        tables: f.as_ref().map(shown).unwrap_or_default(),
        from,
        to,
        period,
        error: error.clone(),
    };
    let r = crate::pages::page(&p);
    Ok(if error.is_some() {
        (axum::http::StatusCode::UNPROCESSABLE_ENTITY, r).into_response()
    } else {
        r
    })
}

pub async fn partner(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    page(
        state,
        viewer,
        q,
        "ketencijfers",
        "Cijfers voor onze gemeenten",
        "/ketencijfers",
    )
    .await
}

pub async fn internal(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    page(
        state,
        viewer,
        q,
        "rapportage",
        "Uitstroom en keten",
        "/rapportage/uitstroom",
    )
    .await
}

/// One table of the partner's figures as CSV, small numbers suppressed.
pub async fn partner_csv(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let (f, from, to) = figures(&state, &viewer, &q).await?;
    let id = q.get("tabel").cloned().unwrap_or_else(|| "keten".into());
    let t = f
        .tables
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| WebError::bad_request("deze tabel bestaat niet"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"nabij-ketencijfers-{id}-{from}-{to}.csv\""),
            ),
        ],
        crate::reports::export::csv(t),
    )
        .into_response())
}
