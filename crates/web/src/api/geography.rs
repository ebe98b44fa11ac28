use super::{ApiResult, ok};
use crate::routes::State;
use axum::extract::State as S;

pub async fn municipalities(S(state): S<State>) -> ApiResult {
    ok(&state.db.municipalities().await?)
}

pub async fn neighbourhoods(S(state): S<State>) -> ApiResult {
    ok(&state.db.neighbourhoods().await?)
}
