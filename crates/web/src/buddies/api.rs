use crate::api::{ApiResult, Body, created, ok};
use crate::auth::{Viewer, shown};
use crate::extract::{ApiQuery, Path};
use crate::paging::PageQuery;
use crate::routes::Web;
use axum::extract::State as S;
use nabij_app::buddies::{self, BuddyForm, CheckInForm, MatchForm};
use serde::Serialize;

/// A logged check-in.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CheckedIn {
    pub id: i64,
}

pub async fn list(S(state): S<Web>, viewer: Viewer, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult {
    ok(&buddies::list(&state.app, &viewer.caller, &q.request()?).await?)
}

pub async fn register(S(state): S<Web>, viewer: Viewer, Body(f): Body<BuddyForm>) -> ApiResult {
    let id = buddies::register(&state.app, &viewer.caller, &f).await?;
    let b = buddies::buddy(&state.app, &viewer.caller, id).await?;
    created(format!("/api/v1/buddies/{id}"), &b)
}

pub async fn show(S(state): S<Web>, viewer: Viewer, Path(id): Path<i64>) -> ApiResult {
    ok(&buddies::buddy(&state.app, &viewer.caller, id).await?)
}

pub async fn matches(
    S(state): S<Web>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult {
    let page = buddies::matches(&state.app, &viewer.caller, false, &q.request()?).await?;
    let persons: Vec<_> = page.items.iter().map(|m| m.person_id).collect();
    Ok(shown(ok(&page)?, persons))
}

pub async fn create_match(S(state): S<Web>, viewer: Viewer, Body(f): Body<MatchForm>) -> ApiResult {
    let id = buddies::create_match(&state.app, &viewer.caller, &f).await?;
    let m = buddies::match_by_id(&state.app, &viewer.caller, id).await?;
    let person = m.person_id;
    Ok(shown(
        created(format!("/api/v1/matches/{id}"), &m)?,
        [person],
    ))
}

pub async fn proposal(S(state): S<Web>, viewer: Viewer) -> ApiResult {
    let pairs = buddies::best_assignment(&state.app, &viewer.caller).await?;
    let persons: Vec<_> = pairs.iter().map(|p| p.person_id).collect();
    Ok(shown(ok(&pairs)?, persons))
}

pub async fn mine(S(state): S<Web>, viewer: Viewer) -> ApiResult {
    let m = buddies::my_matches(&state.app, &viewer.caller).await?;
    let persons: Vec<_> = m.iter().map(|m| m.person_id).collect();
    Ok(shown(ok(&m)?, persons))
}

pub async fn check_in(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Body(f): Body<CheckInForm>,
) -> ApiResult {
    let c = buddies::check_in(&state.app, &viewer.caller, id, &f).await?;
    created(
        format!("/api/v1/matches/{id}/check-ins/{c}"),
        &CheckedIn { id: c },
    )
}
