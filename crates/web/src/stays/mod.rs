//! Stays: the clock, milestones, extensions, ready to move on, the exit.

pub mod api;
pub mod pages;

use crate::routes::{COORDINATOR, FILES, RouteTable, doc};
use axum::http::Method as M;
use nabij_app::stays;
use nabij_domain::access::{AuditAction::*, DataCategory::*};
use nabij_domain::page::Page;

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/verblijven", COORDINATOR, "Verblijven", pages::list).on_view(Overview, View).menu("Verblijven", "verblijven")
        .page(M::GET, "/verblijven/{id}", FILES, "Verblijf", pages::show).on_view(Stay, View)
        .page(M::POST, "/verblijven/{id}/vertrek", COORDINATOR, "Vertrek registreren", pages::exit).in_transaction(Stay, Change)
        .page(M::POST, "/verblijven/{id}/verlenging", COORDINATOR, "Verlengen", pages::extend).in_transaction(Stay, Change)
        .page(M::POST, "/verblijven/{id}/uitstroomklaar", FILES, "Uitstroomklaar", pages::ready).in_transaction(Stay, Change)
        .page(M::POST, "/verblijven/{id}/mijlpalen", FILES, "Mijlpaal afronden", pages::milestone).in_transaction(Stay, Change)
        .api(M::GET, "/api/v1/stays", COORDINATOR, "Stays with their clock", doc::<Page<stays::StayView>>("stays", 200).query::<stays::StayQuery>(), api::list).on_view(Overview, View)
        .api(M::GET, "/api/v1/stays/{id}", FILES, "A stay with its clock and milestones", doc::<stays::StayView>("stays", 200), api::show).on_view(Stay, View)
        .api(M::POST, "/api/v1/stays/{id}/exit", COORDINATOR, "Register the exit", doc::<stays::StayView>("stays", 200).takes::<stays::ExitInput>(), api::exit).in_transaction(Stay, Change)
        .api(M::POST, "/api/v1/stays/{id}/extension", COORDINATOR, "Extend the stay (a counted decision)", doc::<stays::StayView>("stays", 200).takes::<stays::ExtensionInput>(), api::extend).in_transaction(Stay, Change)
        .api(M::POST, "/api/v1/stays/{id}/ready", FILES, "Register ready to move on", doc::<stays::StayView>("stays", 200).takes::<stays::ReadyInput>(), api::ready).in_transaction(Stay, Change)
        .api(M::POST, "/api/v1/stays/{id}/milestones", FILES, "Complete a milestone", doc::<stays::StayView>("stays", 200).takes::<stays::MilestoneInput>(), api::milestone).in_transaction(Stay, Change)
}
