use crate::api::{ApiResult, Body, created, ok};
use crate::auth::{Viewer, shown};
use crate::extract::{ApiQuery, Path};
use crate::paging::PageQuery;
use crate::routes::Web;
use axum::extract::State as S;
use nabij_app::signals::{self, SignalInput};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Closed signals too.
    #[serde(default)]
    all: bool,
    /// The `next` of the page before; absent for the first page.
    cursor: Option<String>,
    /// Signals per page (1–500, 50 when absent).
    limit: Option<u32>,
}

/// A filed signal.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Filed {
    pub id: i64,
}

/// The follow-up note that closes a signal.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Closing {
    pub note: String,
}

pub async fn inbox(
    S(state): S<Web>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult {
    let req = crate::paging::request(q.cursor.as_deref(), q.limit)?;
    let page = signals::inbox(&state.app, &viewer.caller, !q.all, &req).await?;
    let persons = signals::persons_of(&page.items);
    Ok(shown(ok(&page)?, persons))
}

pub async fn file(S(state): S<Web>, viewer: Viewer, Body(input): Body<SignalInput>) -> ApiResult {
    let id = signals::file(&state.app, &viewer.caller, &input).await?;
    created(format!("/api/v1/signals/{id}"), &Filed { id })
}

pub async fn mine(S(state): S<Web>, viewer: Viewer, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult {
    let page = signals::mine(&state.app, &viewer.caller, &q.request()?).await?;
    let persons: Vec<_> = page.items.iter().filter_map(|s| s.person_id).collect();
    Ok(shown(ok(&page)?, persons))
}

pub async fn show(S(state): S<Web>, viewer: Viewer, Path(id): Path<i64>) -> ApiResult {
    let s = signals::open(&state.app, &viewer.caller, id).await?;
    Ok(shown(ok(&s)?, s.person_id))
}

pub async fn acknowledge(S(state): S<Web>, viewer: Viewer, Path(id): Path<i64>) -> ApiResult {
    signals::acknowledge(&state.app, &viewer.caller, id).await?;
    let s = signals::open(&state.app, &viewer.caller, id).await?;
    Ok(shown(ok(&s)?, s.person_id))
}

pub async fn close(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Body(c): Body<Closing>,
) -> ApiResult {
    signals::close(&state.app, &viewer.caller, id, &c.note).await?;
    let s = signals::open(&state.app, &viewer.caller, id).await?;
    Ok(shown(ok(&s)?, s.person_id))
}
