//! Municipalities and neighbourhoods.

pub mod api;

use crate::routes::{RouteTable, SIGNED_IN, doc};
use axum::http::Method as M;
use nabij_app::geography;

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.api(M::GET, "/api/v1/municipalities", SIGNED_IN, "Municipalities", doc::<Vec<geography::Municipality>>("geography", 200), api::municipalities)
        .api(M::GET, "/api/v1/neighbourhoods", SIGNED_IN, "Neighbourhoods", doc::<Vec<geography::Neighbourhood>>("geography", 200), api::neighbourhoods)
}
