use crate::api::{ApiResult, ok};
use crate::extract::ApiQuery;
use crate::paging::PageQuery;
use crate::routes::Web;
use axum::extract::State as S;
use nabij_app::geography;
use nabij_domain::ids::MunicipalityId;

pub async fn municipalities(S(state): S<Web>, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult {
    ok(&geography::municipalities_page(&state.app, &q.request()?).await?)
}

/// Neighbourhoods, of one municipality or all, a page at a time.
#[derive(Debug, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NeighbourhoodQuery {
    /// Only the neighbourhoods of this municipality.
    pub municipality_id: Option<MunicipalityId>,
    /// The `next` of the page before; absent for the first page.
    pub cursor: Option<String>,
    /// Rows per page (1–500, 50 when absent).
    pub limit: Option<u32>,
}

pub async fn neighbourhoods(
    S(state): S<Web>,
    ApiQuery(q): ApiQuery<NeighbourhoodQuery>,
) -> ApiResult {
    let req = crate::paging::request(q.cursor.as_deref(), q.limit)?;
    ok(&geography::neighbourhoods_page(&state.app, q.municipality_id, &req).await?)
}
