use crate::api::{ApiResult, Body, ok};
use crate::auth::{Viewer, shown};
use crate::extract::{ApiQuery, Path};
use crate::routes::Web;
use axum::extract::State as S;
use nabij_app::stays::{self, ExitInput, ExtensionInput, MilestoneInput, ReadyInput, StayQuery};
use nabij_domain::ids::StayId;

pub async fn list(S(state): S<Web>, viewer: Viewer, ApiQuery(q): ApiQuery<StayQuery>) -> ApiResult {
    let req = crate::paging::request(q.cursor.as_deref(), q.limit)?;
    let stays = stays::list(&state.app, &viewer.caller, &q, &req).await?;
    let persons: Vec<_> = stays.items.iter().map(|s| s.stay.person_id).collect();
    Ok(shown(ok(&stays)?, persons))
}

pub async fn show(S(state): S<Web>, viewer: Viewer, Path(id): Path<StayId>) -> ApiResult {
    let view = stays::stay(&state.app, &viewer.caller, id).await?;
    Ok(shown(ok(&view)?, [view.stay.person_id]))
}

// The stay after a change is answered without a view entry: the change itself is logged
// with it.

pub async fn exit(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<StayId>,
    Body(input): Body<ExitInput>,
) -> ApiResult {
    ok(&stays::exit(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn extend(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<StayId>,
    Body(input): Body<ExtensionInput>,
) -> ApiResult {
    ok(&stays::extend(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn ready(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<StayId>,
    Body(input): Body<ReadyInput>,
) -> ApiResult {
    ok(&stays::ready(&state.app, &viewer.caller, id, &input).await?)
}

pub async fn milestone(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<StayId>,
    Body(input): Body<MilestoneInput>,
) -> ApiResult {
    ok(&stays::milestone(&state.app, &viewer.caller, id, &input).await?)
}
