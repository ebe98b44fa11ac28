use crate::api::{ApiResult, Body, created, ok};
use crate::auth::{Viewer, shown};
use crate::extract::Path;
use crate::routes::Web;
use axum::extract::{Query, State as S};
use nabij_app::intake::{self, IntakeInput};
use nabij_domain::ids::{HomeId, ReferralId};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    all: bool,
}

pub async fn list(S(state): S<Web>, viewer: Viewer, Query(q): Query<ListQuery>) -> ApiResult {
    let referrals = intake::list(&state.app, &viewer.caller, q.all).await?;
    let persons: Vec<_> = referrals.iter().map(|r| r.person_id).collect();
    Ok(shown(ok(&referrals)?, persons))
}

pub async fn create(S(state): S<Web>, viewer: Viewer, Body(input): Body<IntakeInput>) -> ApiResult {
    let (_, id) = intake::intake(&state.app, &viewer.caller, &input).await?;
    let referral = intake::referral(&state.app, &viewer.caller, id).await?;
    created(format!("/api/v1/referrals/{id}"), &referral)
}

pub async fn show(S(state): S<Web>, viewer: Viewer, Path(id): Path<ReferralId>) -> ApiResult {
    let r = intake::referral(&state.app, &viewer.caller, id).await?;
    Ok(shown(ok(&r)?, [r.person_id]))
}

pub async fn proposals(S(state): S<Web>, viewer: Viewer, Path(id): Path<ReferralId>) -> ApiResult {
    let p = intake::proposals(&state.app, &viewer.caller, id).await?;
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
    pub home_id: HomeId,
}

pub async fn place(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<ReferralId>,
    Body(input): Body<PlacementInput>,
) -> ApiResult {
    let view = intake::place(&state.app, &viewer.caller, id, input.home_id).await?;
    crate::observe::placed();
    created(format!("/api/v1/stays/{}", view.stay.id), &view)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    state: String,
    #[serde(default)]
    reason: String,
}

pub async fn close(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<ReferralId>,
    Body(input): Body<CloseInput>,
) -> ApiResult {
    intake::close_referral(&state.app, &viewer.caller, id, &input.state, &input.reason).await?;
    ok(&intake::referral(&state.app, &viewer.caller, id).await?)
}
