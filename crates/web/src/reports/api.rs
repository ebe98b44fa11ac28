//! The reports as JSON: the same tables as the pages, suppressed ("<5").

use crate::api::{ApiResult, ok};
use crate::auth::Viewer;
use crate::extract::ApiQuery;
use crate::routes::Web;
use axum::extract::State as S;
use nabij_app::reports::{self, ReportQuery, View};
use serde::Deserialize;

/// The period and area of a report: a preset, or from and to (both inclusive).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// `deze-maand`, `12-maanden` (the default), `24-maanden` or `jaar-YYYY`.
    preset: Option<String>,
    /// First day, `YYYY-MM-DD`; with `to`, instead of a preset.
    from: Option<String>,
    /// Last day (inclusive), `YYYY-MM-DD`.
    to: Option<String>,
    /// Limit the report to the homes in this municipality (id).
    municipality: Option<i64>,
}

/// As [`ReportParams`], with the page of homes.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HomeReportParams {
    preset: Option<String>,
    from: Option<String>,
    to: Option<String>,
    municipality: Option<i64>,
    /// The `next` of the previous page.
    cursor: Option<String>,
    /// Homes per page (default 50, at most 500).
    limit: Option<u32>,
}

impl From<ReportParams> for ReportQuery {
    fn from(p: ReportParams) -> Self {
        ReportQuery {
            preset: p.preset,
            from: p.from,
            to: p.to,
            municipality: p.municipality,
        }
    }
}

async fn answer(state: &Web, viewer: &Viewer, q: ReportParams, view: View) -> ApiResult {
    let scope = reports::scope(&state.app, &viewer.caller, &q.into()).await?;
    let r = reports::report(&state.app, &viewer.caller, &scope, view, None).await?;
    ok(&r.suppressed())
}

pub async fn summary(
    S(state): S<Web>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<ReportParams>,
) -> ApiResult {
    answer(&state, &viewer, q, View::Summary).await
}

pub async fn municipalities(
    S(state): S<Web>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<ReportParams>,
) -> ApiResult {
    answer(&state, &viewer, q, View::Municipalities).await
}

pub async fn kinds(
    S(state): S<Web>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<ReportParams>,
) -> ApiResult {
    answer(&state, &viewer, q, View::Kinds).await
}

pub async fn months(
    S(state): S<Web>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<ReportParams>,
) -> ApiResult {
    answer(&state, &viewer, q, View::Months).await
}

pub async fn homes(
    S(state): S<Web>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<HomeReportParams>,
) -> ApiResult {
    let page = crate::paging::request(q.cursor.as_deref(), q.limit)?;
    let query = ReportQuery {
        preset: q.preset,
        from: q.from,
        to: q.to,
        municipality: q.municipality,
    };
    let scope = reports::scope(&state.app, &viewer.caller, &query).await?;
    let r = reports::report(&state.app, &viewer.caller, &scope, View::Homes, Some(&page)).await?;
    ok(&r.suppressed())
}
