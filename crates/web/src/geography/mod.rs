//! Municipalities and neighbourhoods.

pub mod api;

use crate::routes::{RouteTable, SIGNED_IN, doc};
use axum::http::Method as M;
use nabij_app::geography;
use nabij_domain::page::Page;

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.api(M::GET, "/api/v1/municipalities", SIGNED_IN, "Municipalities", doc::<Page<geography::Municipality>>("geography", 200).query::<crate::paging::PageQuery>(), api::municipalities)
        .api(M::GET, "/api/v1/neighbourhoods", SIGNED_IN, "Neighbourhoods", doc::<Page<geography::Neighbourhood>>("geography", 200).query::<api::NeighbourhoodQuery>(), api::neighbourhoods)
}
