use crate::api::{ApiResult, Body, created, ok};
use crate::auth::{Viewer, shown};
use crate::extract::{ApiQuery, Path};
use crate::paging::PageQuery;
use crate::routes::Web;
use axum::extract::State as S;
use nabij_app::guidance::{
    self as g, AssessmentInput, ContactInput, EndInput, EpisodeInput, GoalInput, GoalStatusInput,
    IntensityInput,
};
use nabij_domain::ids::PersonId;
use serde::Serialize;

/// The id of a new record.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Created {
    pub id: i64,
}

pub async fn caseload(
    S(state): S<Web>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult {
    let page = g::caseload(&state.app, &viewer.caller, &q.request()?).await?;
    let persons: Vec<_> = page.items.iter().map(|l| l.person_id).collect();
    Ok(shown(ok(&page)?, persons))
}

pub async fn guidance(S(state): S<Web>, viewer: Viewer, Path(id): Path<PersonId>) -> ApiResult {
    let v = g::guidance(&state.app, &viewer.caller, id).await?;
    Ok(shown(ok(&v)?, [id]))
}

// Answers after a change carry no view entry: the change is logged with it.

pub async fn start(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Body(input): Body<EpisodeInput>,
) -> ApiResult {
    let v = g::start(&state.app, &viewer.caller, id, &input).await?;
    created(format!("/api/v1/persons/{id}/episodes"), &v)
}

pub async fn resume(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Body(input): Body<EpisodeInput>,
) -> ApiResult {
    let v = g::resume(&state.app, &viewer.caller, id, &input).await?;
    created(format!("/api/v1/persons/{id}/episodes"), &v)
}

pub async fn intensity(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Body(input): Body<IntensityInput>,
) -> ApiResult {
    ok(&g::change_intensity(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn end(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Body(input): Body<EndInput>,
) -> ApiResult {
    ok(&g::end(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn add_professional(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Body(input): Body<g::MemberInput>,
) -> ApiResult {
    ok(&g::add_professional(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn remove_professional(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Body(input): Body<g::MemberInput>,
) -> ApiResult {
    ok(&g::remove_professional(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn change_lead(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Body(input): Body<g::MemberInput>,
) -> ApiResult {
    ok(&g::change_lead(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn contacts(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult {
    let log = g::contacts(&state.app, &viewer.caller, id, &q.request()?).await?;
    Ok(shown(ok(&log)?, [id]))
}

pub async fn add_contact(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Body(input): Body<ContactInput>,
) -> ApiResult {
    let new = g::add_contact(&state.app, &viewer.caller, id, &input).await?;
    created(
        format!("/api/v1/persons/{id}/contacts"),
        &Created { id: new },
    )
}

pub async fn plan(S(state): S<Web>, viewer: Viewer, Path(id): Path<PersonId>) -> ApiResult {
    let v = g::plan(&state.app, &viewer.caller, id).await?;
    Ok(shown(ok(&v)?, [id]))
}

pub async fn add_goal(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Body(input): Body<GoalInput>,
) -> ApiResult {
    let v = g::add_goal(&state.app, &viewer.caller, id, &input).await?;
    created(format!("/api/v1/persons/{id}/goals"), &v)
}

pub async fn goal_status(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Body(input): Body<GoalStatusInput>,
) -> ApiResult {
    ok(&g::set_goal_status(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn zrm(S(state): S<Web>, viewer: Viewer, Path(id): Path<PersonId>) -> ApiResult {
    let v = g::zrm(&state.app, &viewer.caller, id).await?;
    Ok(shown(ok(&v)?, [id]))
}

pub async fn add_assessment(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Body(input): Body<AssessmentInput>,
) -> ApiResult {
    let v = g::add_assessment(&state.app, &viewer.caller, id, &input).await?;
    created(format!("/api/v1/persons/{id}/assessments"), &v)
}

/// The recovery measures of a period, suppressed ("<5") like every report of the API.
pub async fn recovery(
    S(state): S<Web>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<crate::reports::api::ReportParams>,
) -> ApiResult {
    let scope = nabij_app::reports::scope(&state.app, &viewer.caller, &q.into()).await?;
    ok(&g::recovery_answer(&state.app, &viewer.caller, &scope).await?)
}
