//! What is there for everyone: the style sheet, the health checks, the API's description;
//! and for administrators the metrics.

use crate::routes::{ADMIN, PUBLIC, RouteTable, doc};
use axum::http::Method as M;

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/static/style.css", PUBLIC, "Stijlblad", crate::assets::style)
        .page(M::GET, "/health", PUBLIC, "De dienst leeft", crate::pages::health)
        .page(M::GET, "/ready", PUBLIC, "De dienst is klaar voor verzoeken", crate::pages::ready)
        .page(M::GET, "/metrics", ADMIN, "Meetwaarden (Prometheus)", crate::observe::show)
        .api(M::GET, "/api/v1/openapi.json", PUBLIC, "This API described in OpenAPI 3", doc::<crate::openapi::OpenApiDocument>("meta", 200), crate::openapi::document)
}
