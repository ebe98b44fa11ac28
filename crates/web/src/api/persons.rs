use super::{ApiResult, ok};
use crate::routes::State;
use axum::extract::{Path, State as S};
use nabij_domain::ids::PersonId;

pub async fn show(S(state): S<State>, Path(id): Path<i64>) -> ApiResult {
    ok(&state.db.person(PersonId(id)).await?)
}
