use crate::api::{ApiResult, Body, created, ok};
use crate::auth::{Viewer, shown};
use crate::extract::{ApiQuery, Path};
use crate::paging::PageQuery;
use crate::routes::Web;
use axum::extract::State as S;
use nabij_app::buddies::{self, BuddyForm, CheckInForm, MatchForm, WishForm};
use nabij_domain::ids::PersonId;
use serde::{Deserialize, Serialize};

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

/// Changes a buddy: pausing, capacity, hours, the VOG's screening date and the rest.
pub async fn update(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Body(f): Body<BuddyForm>,
) -> ApiResult {
    buddies::update(&state.app, &viewer.caller, id, &f).await?;
    ok(&buddies::buddy(&state.app, &viewer.caller, id).await?)
}

/// A resident's wish for a buddy (`null` when none is recorded).
pub async fn wish(S(state): S<Web>, viewer: Viewer, Path(id): Path<PersonId>) -> ApiResult {
    let w = buddies::wish(&state.app, &viewer.caller, id).await?;
    Ok(shown(ok(&w)?, [id]))
}

/// Records a resident's wish; answers it as stored.
pub async fn set_wish(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Body(f): Body<WishForm>,
) -> ApiResult {
    buddies::set_wish(&state.app, &viewer.caller, id, &f).await?;
    ok(&buddies::wish(&state.app, &viewer.caller, id).await?)
}

/// The best buddies for a resident with a wish, each explained in Dutch.
pub async fn suggestions(S(state): S<Web>, viewer: Viewer, Path(id): Path<PersonId>) -> ApiResult {
    let s = buddies::suggestions(&state.app, &viewer.caller, id).await?;
    Ok(shown(ok(&s)?, [id]))
}

/// Ends a match today; answers the match.
pub async fn end_match(S(state): S<Web>, viewer: Viewer, Path(id): Path<i64>) -> ApiResult {
    buddies::end_match(&state.app, &viewer.caller, id).await?;
    ok(&buddies::match_by_id(&state.app, &viewer.caller, id).await?)
}

/// The resident's answer on sharing their own number with their buddy.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactAgreement {
    /// `true`: the resident agrees (recorded today, by the caller); `false`: revoked.
    pub agreed: bool,
}

/// Records or revokes the resident's agreement; answers the match.
pub async fn contact_agreement(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Body(a): Body<ContactAgreement>,
) -> ApiResult {
    buddies::set_contact_agreement(&state.app, &viewer.caller, id, a.agreed).await?;
    ok(&buddies::match_by_id(&state.app, &viewer.caller, id).await?)
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

pub async fn check_ins(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult {
    let (person, page) = buddies::check_ins(&state.app, &viewer.caller, id, &q.request()?).await?;
    Ok(shown(ok(&page)?, [person]))
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
