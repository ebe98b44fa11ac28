//! The capacity planner.

pub mod pages;

use crate::routes::{PLANNING, RouteTable};
use axum::http::Method as M;

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/capaciteitsplanner", PLANNING, "Capaciteitsplanner", pages::show).menu("Capaciteitsplanner", "capaciteit")
        .page(M::GET, "/capaciteitsplanner/scenario.json", PLANNING, "Scenario van de capaciteitsplanner", pages::scenario_file)
}
