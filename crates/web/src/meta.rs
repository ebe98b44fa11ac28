//! What is there for everyone: the style sheet, the health check, the API's description.

use crate::routes::{PUBLIC, RouteTable, doc};
use axum::http::Method as M;

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/static/style.css", PUBLIC, "Stijlblad", crate::assets::style)
        .page(M::GET, "/health", PUBLIC, "Gezondheid van de dienst", crate::pages::health)
        .api(M::GET, "/api/v1/openapi.json", PUBLIC, "This API described in OpenAPI 3", doc::<crate::openapi::OpenApiDocument>("meta", 200), crate::openapi::document)
}
