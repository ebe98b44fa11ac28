//! Reports: the measures over a period.

pub mod chart;
pub mod export;
pub mod pages;

use crate::routes::{PLANNING, RouteTable};
use axum::http::Method as M;

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/rapportage", PLANNING, "Rapportage", pages::show).menu("Rapportage", "rapportage")
}
