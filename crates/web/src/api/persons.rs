use super::{ApiResult, ok};
use crate::app;
use crate::auth::{Viewer, shown};
use crate::routes::State;
use axum::extract::{Path, State as S};
use nabij_domain::ids::PersonId;

pub async fn show(S(state): S<State>, viewer: Viewer, Path(id): Path<i64>) -> ApiResult {
    let person = app::visible_person(&state, &viewer, PersonId(id)).await?;
    Ok(shown(ok(&person)?, [person.id]))
}
