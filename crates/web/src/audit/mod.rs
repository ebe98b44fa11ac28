//! The access log: the auditor's page and a person's own overview.

pub mod pages;

use crate::routes::{ADMIN, RouteTable};
use axum::http::Method as M;
use nabij_domain::access::{AuditAction::*, DataCategory::*};

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/toegangslog", ADMIN, "Toegangslog", pages::log).on_view(AccessLog, View).second_factor().menu("Toegangslog", "toegangslog")
}
