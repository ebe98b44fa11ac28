//! The coordinator's overview.

pub mod api;
pub mod pages;

use crate::routes::{COORDINATOR, RouteTable, SIGNED_IN, doc};
use axum::http::Method as M;
use nabij_domain::access::{AuditAction::*, DataCategory::*};

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/", SIGNED_IN, "Overzicht", pages::show).on_view(Overview, View).menu("Overzicht", "overzicht").menu_only(COORDINATOR)
        .api(M::GET, "/api/v1/dashboard", COORDINATOR, "Free places, milestones, breaches and no-place events now", doc::<nabij_app::dashboard::Dashboard>("dashboard", 200), api::show).on_view(Overview, View)
}
