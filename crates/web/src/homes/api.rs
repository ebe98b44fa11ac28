use crate::api::{ApiResult, Body, created, ok};
use crate::auth::{Viewer, shown};
use crate::extract::Path;
use crate::routes::Web;
use axum::extract::State as S;
use nabij_app::homes::{self, BlockInput, NewHomeInput};
use nabij_domain::ids::{BlockId, HomeId, PlaceId};
use serde::Serialize;

pub async fn list(S(state): S<Web>, viewer: Viewer) -> ApiResult {
    ok(&homes::list(&state.app, &viewer.caller).await?)
}

/// A home with its places; who lives there only for coordinators (an administrator sees a
/// place is taken, not by whom).
pub async fn show(S(state): S<Web>, viewer: Viewer, Path(id): Path<HomeId>) -> ApiResult {
    let d = homes::detail(&state.app, &viewer.caller, id).await?;
    let persons = d.persons();
    Ok(shown(ok(&d)?, persons))
}

pub async fn create(
    S(state): S<Web>,
    viewer: Viewer,
    Body(input): Body<NewHomeInput>,
) -> ApiResult {
    let d = homes::create(&state.app, &viewer.caller, &input).await?;
    created(format!("/api/v1/homes/{}", d.home.id), &d)
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
