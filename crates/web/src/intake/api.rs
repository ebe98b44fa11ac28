use crate::api::{ApiResult, Body, created, ok};
use crate::auth::{Viewer, shown};
use crate::extract::{ApiQuery, Path};
use crate::routes::Web;
use axum::extract::State as S;
use nabij_app::intake::{self, ExcludedHome, IntakeInput};
use nabij_domain::ids::{HomeId, ReferralId};
use nabij_domain::placement::Proposal;
use nabij_domain::referral::ReferralState;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Closed referrals too.
    #[serde(default)]
    all: bool,
    /// The `next` of the page before; absent for the first page.
    cursor: Option<String>,
    /// Referrals per page (1–500, 50 when absent).
    limit: Option<u32>,
}

pub async fn list(S(state): S<Web>, viewer: Viewer, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult {
    let req = crate::paging::request(q.cursor.as_deref(), q.limit)?;
    let referrals = intake::list(&state.app, &viewer.caller, q.all, &req).await?;
    let persons: Vec<_> = referrals.items.iter().map(|r| r.person_id).collect();
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

/// Every free place for a referral, ranked and explained, and the homes a hard filter left
/// out.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "Ranking")]
pub struct RankingView<'a> {
    referral_id: ReferralId,
    state: ReferralState,
    no_place_in_own_area: bool,
    proposals: &'a [Proposal],
    excluded: &'a [ExcludedHome],
}

pub async fn proposals(S(state): S<Web>, viewer: Viewer, Path(id): Path<ReferralId>) -> ApiResult {
    let p = intake::proposals(&state.app, &viewer.caller, id).await?;
    let person = p.person.id;
    let body = ok(&RankingView {
        referral_id: p.referral.id,
        state: p.referral.state,
        no_place_in_own_area: p.ranking.no_place_in_own_area,
        proposals: &p.ranking.proposals,
        excluded: &p.excluded,
    })?;
    Ok(shown(body, [person]))
}

#[derive(Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "PlacementRequest")]
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

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// `advised_elsewhere` or `withdrawn`.
    #[schemars(with = "ReferralState")]
    state: String,
    #[serde(default)]
    #[schemars(length(max = nabij_domain::limits::CLOSE_REASON))]
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
