use super::{ApiResult, Body, ok};
use crate::app::{self, ExitInput, ExtensionInput, MilestoneInput, ReadyInput, StayView};
use crate::auth::{Viewer, shown};
use crate::routes::State;
use axum::extract::{Path, Query, State as S};
use nabij_domain::ids::{HomeId, MunicipalityId, StayId};
use nabij_store::stays::StayFilter;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    active: Option<bool>,
    home_id: Option<i64>,
    municipality_id: Option<i64>,
}

pub async fn list(S(state): S<State>, viewer: Viewer, Query(q): Query<ListQuery>) -> ApiResult {
    let today = state.clock.today();
    let stays: Vec<StayView> = state
        .db
        .stays(StayFilter {
            active: q.active,
            home: q.home_id.map(HomeId),
            municipality: q.municipality_id.map(MunicipalityId),
            organisation: Some(viewer.provider()),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|s| StayView::of(s, today))
        .collect();
    let persons: Vec<_> = stays.iter().map(|s| s.stay.person_id).collect();
    Ok(shown(ok(&stays)?, persons))
}

pub async fn show(S(state): S<State>, viewer: Viewer, Path(id): Path<i64>) -> ApiResult {
    let view = app::stay_view(&state, &viewer, StayId(id)).await?;
    Ok(shown(ok(&view)?, [view.stay.person_id]))
}

/// The stay after a change (the change itself is logged with it).
async fn after_change(state: &State, viewer: &Viewer, id: i64) -> ApiResult {
    ok(&app::stay_view(state, viewer, StayId(id)).await?)
}

pub async fn exit(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Body(input): Body<ExitInput>,
) -> ApiResult {
    app::exit(&state, &viewer, StayId(id), &input).await?;
    after_change(&state, &viewer, id).await
}

pub async fn extend(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Body(input): Body<ExtensionInput>,
) -> ApiResult {
    app::extend(&state, &viewer, StayId(id), &input).await?;
    after_change(&state, &viewer, id).await
}

pub async fn ready(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Body(input): Body<ReadyInput>,
) -> ApiResult {
    app::ready(&state, &viewer, StayId(id), &input).await?;
    after_change(&state, &viewer, id).await
}

pub async fn milestone(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Body(input): Body<MilestoneInput>,
) -> ApiResult {
    app::milestone(&state, &viewer, StayId(id), &input).await?;
    after_change(&state, &viewer, id).await
}
