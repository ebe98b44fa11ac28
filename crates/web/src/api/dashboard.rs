use super::{ApiResult, ok};
use crate::app;
use crate::routes::State;
use axum::extract::State as S;

pub async fn show(S(state): S<State>, viewer: crate::auth::Viewer) -> ApiResult {
    let d = app::dashboard(&state, &viewer).await?;
    Ok(crate::auth::shown(ok(&d)?, d.persons()))
}
