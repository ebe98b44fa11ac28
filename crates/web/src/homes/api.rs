use crate::api::{ApiResult, Body, created, ok};
use crate::auth::{Viewer, shown};
use crate::extract::{ApiQuery, Path};
use crate::paging::request;
use crate::routes::Web;
use axum::extract::State as S;
use nabij_app::homes::{
    self, AddPlacesInput, BlockInput, CloseInput, HomeInput, HomeListQuery, HomePatch, RetireInput,
};
use nabij_domain::ids::{BlockId, HomeId, PlaceId};
use serde::{Deserialize, Serialize};

/// Which page of which homes.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HomesQuery {
    /// The `next` of the previous page; the first page when absent.
    pub cursor: Option<String>,
    /// Homes per page (1–500, default 50).
    pub limit: Option<u32>,
    /// Only homes in this municipality (its id).
    pub municipality: Option<i64>,
    /// Only homes of this kind.
    #[schemars(with = "Option<nabij_domain::home::HomeKind>")]
    pub kind: Option<String>,
    /// Also homes that have closed.
    #[serde(default)]
    pub closed: bool,
}

pub async fn list(
    S(state): S<Web>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<HomesQuery>,
) -> ApiResult {
    let req = request(q.cursor.as_deref(), q.limit)?;
    let query = HomeListQuery {
        municipality: q.municipality,
        kind: q.kind,
        closed: q.closed,
    };
    ok(&homes::list(&state.app, &viewer.caller, &query, &req).await?)
}

/// A home with its places; who lives there only for coordinators (an administrator sees a
/// place is taken, not by whom).
pub async fn show(S(state): S<Web>, viewer: Viewer, Path(id): Path<HomeId>) -> ApiResult {
    let d = homes::detail(&state.app, &viewer.caller, id).await?;
    let persons = d.persons();
    Ok(shown(ok(&d)?, persons))
}

pub async fn create(S(state): S<Web>, viewer: Viewer, Body(input): Body<HomeInput>) -> ApiResult {
    let d = homes::open(&state.app, &viewer.caller, &input).await?;
    created(format!("/api/v1/homes/{}", d.home.id), &d)
}

pub async fn patch(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
    Body(input): Body<HomePatch>,
) -> ApiResult {
    // The home alone: who lives there is not part of the answer.
    ok(&homes::patch(&state.app, &viewer.caller, id, &input)
        .await?
        .home)
}

/// The places added, by id.
#[derive(Serialize, schemars::JsonSchema)]
pub struct AddedPlaces {
    pub ids: Vec<PlaceId>,
}

pub async fn add_places(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
    Body(input): Body<AddPlacesInput>,
) -> ApiResult {
    let ids = homes::add_places(&state.app, &viewer.caller, id, &input).await?;
    created(format!("/api/v1/homes/{id}"), &AddedPlaces { ids })
}

pub async fn retire(
    S(state): S<Web>,
    viewer: Viewer,
    Path((id, place)): Path<(HomeId, PlaceId)>,
    Body(input): Body<RetireInput>,
) -> ApiResult {
    homes::retire_place(&state.app, &viewer.caller, id, place, &input).await?;
    ok(&homes::detail(&state.app, &viewer.caller, id).await?.home)
}

pub async fn close(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
    Body(input): Body<CloseInput>,
) -> ApiResult {
    homes::close(&state.app, &viewer.caller, id, &input).await?;
    ok(&homes::detail(&state.app, &viewer.caller, id).await?.home)
}

pub async fn reopen(S(state): S<Web>, viewer: Viewer, Path(id): Path<HomeId>) -> ApiResult {
    homes::reopen(&state.app, &viewer.caller, id).await?;
    ok(&homes::detail(&state.app, &viewer.caller, id).await?.home)
}

pub async fn block(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PlaceId>,
    Body(input): Body<BlockInput>,
) -> ApiResult {
    let block = homes::block(&state.app, &viewer.caller, None, Some(id), &input).await?;
    created(format!("/api/v1/places/{id}"), &Created { id: block })
}

/// What was made, by its id.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Created {
    pub id: BlockId,
}
