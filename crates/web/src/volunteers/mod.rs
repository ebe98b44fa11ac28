//! Volunteers: main residents and buddies, each only what the role needs.

pub mod pages;

use crate::routes::{BUDDY, MAIN_RESIDENT, RouteTable};
use axum::http::Method as M;
use nabij_domain::access::{AuditAction::*, DataCategory::*};

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/mijn-huis", MAIN_RESIDENT, "Mijn huis", pages::house).on_view(Residents, View).menu("Mijn huis", "huis")
        .page(M::GET, "/mijn-maatje", BUDDY, "Mijn maatje", pages::buddy).menu("Mijn maatje", "maatje")
}
