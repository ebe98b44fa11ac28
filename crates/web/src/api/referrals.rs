use super::{ApiResult, Body, created, ok};
use crate::app::{self, IntakeInput, StayView};
use crate::auth::{Viewer, shown};
use crate::routes::State;
use axum::extract::{Path, Query, State as S};
use nabij_domain::ids::{HomeId, ReferralId};
use nabij_store::referrals::ReferralFilter;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    all: bool,
}

pub async fn list(S(state): S<State>, viewer: Viewer, Query(q): Query<ListQuery>) -> ApiResult {
    let f = if q.all {
        ReferralFilter::All
    } else {
        ReferralFilter::Open
    };
    let referrals = state.db.referrals(viewer.provider(), f, 1000).await?;
    let persons: Vec<_> = referrals.iter().map(|r| r.person_id).collect();
    Ok(shown(ok(&referrals)?, persons))
}

pub async fn create(
    S(state): S<State>,
    viewer: Viewer,
    Body(input): Body<IntakeInput>,
) -> ApiResult {
    let (_, id) = app::intake(&state, &viewer, &input).await?;
    created(
        format!("/api/v1/referrals/{id}"),
        &state.db.referral(id).await?,
    )
}

pub async fn show(S(state): S<State>, viewer: Viewer, Path(id): Path<i64>) -> ApiResult {
    let r = app::visible_referral(&state, &viewer, ReferralId(id)).await?;
    Ok(shown(ok(&r)?, [r.person_id]))
}

pub async fn proposals(S(state): S<State>, viewer: Viewer, Path(id): Path<i64>) -> ApiResult {
    let p = app::proposals(&state, &viewer, ReferralId(id)).await?;
    let person = p.person.id;
    let body = ok(&json!({
        "referral_id": p.referral.id,
        "state": p.referral.state,
        "no_place_in_own_area": p.ranking.no_place_in_own_area,
        "proposals": p.ranking.proposals,
        "excluded": p.excluded,
    }))?;
    Ok(shown(body, [person]))
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlacementInput {
    pub home_id: i64,
}

pub async fn place(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Body(input): Body<PlacementInput>,
) -> ApiResult {
    let stay = app::place(&state, &viewer, ReferralId(id), HomeId(input.home_id)).await?;
    let view: StayView = app::stay_view(&state, &viewer, stay).await?;
    created(format!("/api/v1/stays/{stay}"), &view)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    state: String,
    #[serde(default)]
    reason: String,
}

pub async fn close(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Body(input): Body<CloseInput>,
) -> ApiResult {
    app::close_referral(&state, &viewer, ReferralId(id), &input.state, &input.reason).await?;
    ok(&state.db.referral(ReferralId(id)).await?)
}
