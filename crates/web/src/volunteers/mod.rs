//! Volunteers: main residents and buddies, each only what the role needs.

pub mod pages;

use crate::routes::{BUDDY, COORDINATOR, MAIN_RESIDENT, RouteTable};
use axum::http::Method as M;
use nabij_domain::access::{AuditAction::*, DataCategory::*};

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/mijn-huis", MAIN_RESIDENT, "Mijn huis", pages::house).on_view(Residents, View).menu("Mijn huis", "huis")
        .page(M::GET, "/mijn-maatje", BUDDY, "Mijn maatje", crate::buddies::pages::buddy_home).on_view(BuddyMatch, View).menu("Mijn maatje", "maatje")
        .page(M::POST, "/mijn-huis/signaal", MAIN_RESIDENT, "Signaal doorgeven", pages::file_signal).in_transaction(Signal, Create)
        .page(M::GET, "/huizen/{id}/huisregels", COORDINATOR, "Huisregels en noodnummers", pages::home_notes)
        .page(M::POST, "/huizen/{id}/huisregels", COORDINATOR, "Huisregels en noodnummers opslaan", pages::save_home_notes)
}
