use crate::api::{ApiResult, ok};
use crate::routes::Web;
use axum::extract::State as S;
use nabij_app::geography;

pub async fn municipalities(S(state): S<Web>) -> ApiResult {
    ok(&geography::municipalities(&state.app).await?)
}

pub async fn neighbourhoods(S(state): S<Web>) -> ApiResult {
    ok(&geography::neighbourhoods(&state.app).await?)
}
