use super::{ApiResult, Body, ok};
use crate::app::{self, ExitInput, ExtensionInput, MilestoneInput, ReadyInput, StayView};
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

pub async fn list(S(state): S<State>, Query(q): Query<ListQuery>) -> ApiResult {
    let today = state.clock.today();
    let stays: Vec<StayView> = state
        .db
        .stays(StayFilter {
            active: q.active,
            home: q.home_id.map(HomeId),
            municipality: q.municipality_id.map(MunicipalityId),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|s| StayView::of(s, today))
        .collect();
    ok(&stays)
}

pub async fn show(S(state): S<State>, Path(id): Path<i64>) -> ApiResult {
    ok(&app::stay_view(&state, StayId(id)).await?)
}

pub async fn exit(
    S(state): S<State>,
    Path(id): Path<i64>,
    Body(input): Body<ExitInput>,
) -> ApiResult {
    app::exit(&state, StayId(id), &input).await?;
    show(S(state), Path(id)).await
}

pub async fn extend(
    S(state): S<State>,
    Path(id): Path<i64>,
    Body(input): Body<ExtensionInput>,
) -> ApiResult {
    app::extend(&state, StayId(id), &input).await?;
    show(S(state), Path(id)).await
}

pub async fn ready(
    S(state): S<State>,
    Path(id): Path<i64>,
    Body(input): Body<ReadyInput>,
) -> ApiResult {
    app::ready(&state, StayId(id), &input).await?;
    show(S(state), Path(id)).await
}

pub async fn milestone(
    S(state): S<State>,
    Path(id): Path<i64>,
    Body(input): Body<MilestoneInput>,
) -> ApiResult {
    app::milestone(&state, StayId(id), &input).await?;
    show(S(state), Path(id)).await
}
