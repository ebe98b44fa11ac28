use super::{ApiResult, ok};
use crate::app;
use crate::routes::State;
use axum::extract::State as S;

pub async fn show(S(state): S<State>) -> ApiResult {
    ok(&app::dashboard(&state).await?)
}
