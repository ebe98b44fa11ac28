use crate::api::{ApiResult, ok};
use crate::auth::{Viewer, shown};
use crate::extract::Path;
use crate::routes::Web;
use axum::extract::State as S;
use nabij_domain::ids::PersonId;

pub async fn show(S(state): S<Web>, viewer: Viewer, Path(id): Path<PersonId>) -> ApiResult {
    let person = nabij_app::persons::person(&state.app, &viewer.caller, id).await?;
    Ok(shown(ok(&person)?, [person.id]))
}
