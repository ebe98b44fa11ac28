use super::{ApiResult, Body, created, ok};
use crate::app::{self, IntakeInput, StayView};
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

pub async fn list(S(state): S<State>, Query(q): Query<ListQuery>) -> ApiResult {
    let f = if q.all {
        ReferralFilter::All
    } else {
        ReferralFilter::Open
    };
    ok(&state.db.referrals(f, 1000).await?)
}

pub async fn create(S(state): S<State>, Body(input): Body<IntakeInput>) -> ApiResult {
    let (_, id) = app::intake(&state, &input).await?;
    created(
        format!("/api/v1/referrals/{id}"),
        &state.db.referral(id).await?,
    )
}

pub async fn show(S(state): S<State>, Path(id): Path<i64>) -> ApiResult {
    ok(&state.db.referral(ReferralId(id)).await?)
}

pub async fn proposals(S(state): S<State>, Path(id): Path<i64>) -> ApiResult {
    let p = app::proposals(&state, ReferralId(id)).await?;
    ok(&json!({
        "referral_id": p.referral.id,
        "state": p.referral.state,
        "no_place_in_own_area": p.ranking.no_place_in_own_area,
        "proposals": p.ranking.proposals,
        "excluded": p.excluded,
    }))
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlacementInput {
    pub home_id: i64,
}

pub async fn place(
    S(state): S<State>,
    Path(id): Path<i64>,
    Body(input): Body<PlacementInput>,
) -> ApiResult {
    let stay = app::place(&state, ReferralId(id), HomeId(input.home_id)).await?;
    let view: StayView = app::stay_view(&state, stay).await?;
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
    Path(id): Path<i64>,
    Body(input): Body<CloseInput>,
) -> ApiResult {
    app::close_referral(&state, ReferralId(id), &input.state, &input.reason).await?;
    ok(&state.db.referral(ReferralId(id)).await?)
}
