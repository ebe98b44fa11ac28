use crate::api::{ApiResult, ok};
use crate::auth::{Viewer, shown};
use crate::routes::Web;
use axum::extract::State as S;

pub async fn show(S(state): S<Web>, viewer: Viewer) -> ApiResult {
    let d = nabij_app::dashboard::show(&state.app, &viewer.caller).await?;
    Ok(shown(ok(&d)?, d.persons()))
}
