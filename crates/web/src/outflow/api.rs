use crate::api::{ApiResult, Body, created, ok};
use crate::auth::{Viewer, shown};
use crate::extract::{ApiQuery, Path};
use crate::routes::Web;
use axum::extract::State as S;
use nabij_app::outflow::{
    self, AnswerInput, FlipRequestInput, FlipStepInput, KeyDateInput, MatchInput, OfferInput,
    OfferQuery, QuotaInput, WithdrawInput,
};
use nabij_app::partners::{self, PartnerReferralInput};
use nabij_domain::ids::ReferralId;
use nabij_domain::outflow::{FlipId, OfferId};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct YearQuery {
    /// Only this year.
    pub year: Option<i16>,
}

pub async fn quotas(
    S(state): S<Web>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult {
    ok(&outflow::quotas(&state.app, &viewer.caller, q.year).await?)
}

pub async fn set_quota(
    S(state): S<Web>,
    viewer: Viewer,
    Body(input): Body<QuotaInput>,
) -> ApiResult {
    ok(&outflow::set_quota(&state.app, &viewer.caller, &input).await?)
}

pub async fn offers(
    S(state): S<Web>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<OfferQuery>,
) -> ApiResult {
    let req = crate::paging::request(q.cursor.as_deref(), q.limit)?;
    let page = outflow::offers(&state.app, &viewer.caller, &req).await?;
    let persons: Vec<_> = page.items.iter().filter_map(|o| o.shown).collect();
    Ok(shown(ok(&page)?, persons))
}

pub async fn register(
    S(state): S<Web>,
    viewer: Viewer,
    Body(input): Body<OfferInput>,
) -> ApiResult {
    let o = outflow::register_offer(&state.app, &viewer.caller, &input).await?;
    created(format!("/api/v1/offers/{}", o.id), &o)
}

pub async fn offer(S(state): S<Web>, viewer: Viewer, Path(id): Path<OfferId>) -> ApiResult {
    let d = outflow::offer(&state.app, &viewer.caller, id).await?;
    Ok(shown(ok(&d)?, d.offer.shown))
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CandidatesQuery {
    /// Only the best so many (each candidate shown is a logged view); all when absent.
    #[schemars(range(min = 1))]
    pub limit: Option<usize>,
}

pub async fn candidates(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OfferId>,
    ApiQuery(q): ApiQuery<CandidatesQuery>,
) -> ApiResult {
    let mut c = outflow::candidates(&state.app, &viewer.caller, id).await?;
    if let Some(n) = q.limit {
        c.truncate(n.max(1));
    }
    let persons: Vec<_> = c.iter().map(|c| c.candidate.person_id).collect();
    Ok(shown(ok(&c)?, persons))
}

// The offer after a change is answered without a view entry: the change is logged with it.

pub async fn propose(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OfferId>,
    Body(input): Body<MatchInput>,
) -> ApiResult {
    ok(&outflow::propose(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn answer(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OfferId>,
    Body(input): Body<AnswerInput>,
) -> ApiResult {
    ok(&outflow::answer(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn move_in(S(state): S<Web>, viewer: Viewer, Path(id): Path<OfferId>) -> ApiResult {
    ok(&outflow::move_in(&state.app, &viewer.caller, id).await?)
}

pub async fn withdraw(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OfferId>,
    Body(input): Body<WithdrawInput>,
) -> ApiResult {
    ok(&outflow::withdraw(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn cancel_acceptance(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OfferId>,
    Body(input): Body<WithdrawInput>,
) -> ApiResult {
    ok(&outflow::cancel_acceptance(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn change_key_date(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OfferId>,
    Body(input): Body<KeyDateInput>,
) -> ApiResult {
    ok(&outflow::change_key_date(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn flips(S(state): S<Web>, viewer: Viewer) -> ApiResult {
    let f = outflow::flips(&state.app, &viewer.caller).await?;
    let persons: Vec<_> = f.iter().filter_map(|f| f.shown).collect();
    Ok(shown(ok(&f)?, persons))
}

pub async fn request_flip(
    S(state): S<Web>,
    viewer: Viewer,
    Body(input): Body<FlipRequestInput>,
) -> ApiResult {
    let f = outflow::request_flip(&state.app, &viewer.caller, &input).await?;
    created(format!("/api/v1/flips/{}", f.id), &f)
}

pub async fn flip(S(state): S<Web>, viewer: Viewer, Path(id): Path<FlipId>) -> ApiResult {
    let d = outflow::flip(&state.app, &viewer.caller, id).await?;
    Ok(shown(ok(&d)?, d.flip.shown))
}

pub async fn flip_step(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<FlipId>,
    Body(input): Body<FlipStepInput>,
) -> ApiResult {
    ok(&outflow::flip_step(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn replacement(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<FlipId>,
    Body(input): Body<FlipRequestInput>,
) -> ApiResult {
    let f = outflow::request_replacement(&state.app, &viewer.caller, id, &input).await?;
    created(format!("/api/v1/flips/{}", f.id), &f)
}

pub async fn submit_referral(
    S(state): S<Web>,
    viewer: Viewer,
    Body(input): Body<PartnerReferralInput>,
) -> ApiResult {
    let s = partners::submit_referral(&state.app, &viewer.caller, &input).await?;
    created(format!("/api/v1/partner/referrals/{}", s.referral_id), &s)
}

pub async fn confirm_link(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<ReferralId>,
) -> ApiResult {
    partners::confirm_link(&state.app, &viewer.caller, id).await?;
    ok(&serde_json::json!({ "confirmed": true }))
}

pub async fn reject_link(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<ReferralId>,
) -> ApiResult {
    let person = partners::reject_link(&state.app, &viewer.caller, id).await?;
    ok(&serde_json::json!({ "person_id": person }))
}

pub async fn set_partner_kind(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<nabij_domain::ids::OrganisationId>,
    Body(input): Body<partners::PartnerKindInput>,
) -> ApiResult {
    ok(&partners::set_kind_input(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn our_referrals(
    S(state): S<Web>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<partners::PartnerReferralQuery>,
) -> ApiResult {
    let req = crate::paging::request(q.cursor.as_deref(), q.limit)?;
    let page = partners::our_referral_views(&state.app, &viewer.caller, &req).await?;
    let persons: Vec<_> = page.items.iter().filter_map(|r| r.shown).collect();
    Ok(shown(ok(&page)?, persons))
}

pub async fn our_referral(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<ReferralId>,
) -> ApiResult {
    let d: partners::PartnerReferralDetailView =
        partners::our_referral(&state.app, &viewer.caller, id)
            .await?
            .into();
    Ok(shown(ok(&d)?, d.shown))
}
