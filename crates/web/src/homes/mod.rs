//! Homes and their places.

pub mod api;
pub mod pages;

use crate::routes::{HOMES, RouteTable, doc};
use axum::http::Method as M;
use nabij_app::homes;
use nabij_domain::access::{AuditAction::*, DataCategory::*};

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/huizen", HOMES, "Huizen", pages::list).menu("Huizen", "huizen")
        .page(M::GET, "/huizen/{id}", HOMES, "Huis en plekken", pages::show).on_view(Residents, View)
        .page(M::POST, "/huizen/{id}/blokkades", HOMES, "Plek blokkeren", pages::block)
        .page(M::POST, "/blokkades/{id}/opheffen", HOMES, "Blokkade opheffen", pages::unblock)
        .api(M::GET, "/api/v1/homes", HOMES, "Homes with free places now", doc::<Vec<homes::HomeLine>>("homes", 200), api::list)
        .api(M::POST, "/api/v1/homes", HOMES, "Create a home with its places", doc::<homes::HomeDetail>("homes", 201).takes::<homes::NewHomeInput>(), api::create)
        .api(M::GET, "/api/v1/homes/{id}", HOMES, "A home and its places", doc::<homes::HomeDetail>("homes", 200), api::show).on_view(Residents, View)
        .api(M::POST, "/api/v1/places/{id}/blocks", HOMES, "Block a place for a period", doc::<api::Created>("homes", 201).takes::<homes::BlockInput>(), api::block)
}
