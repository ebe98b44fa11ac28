//! Chain partners: the referrals they made, their data only under consent.

pub mod pages;

use crate::routes::{PARTNER, RouteTable};
use axum::http::Method as M;
use nabij_domain::access::{AuditAction::*, DataCategory::*};

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/onze-aanmeldingen", PARTNER, "Onze aanmeldingen", pages::list).on_view(Overview, View).menu("Onze aanmeldingen", "partner")
        .page(M::GET, "/onze-aanmeldingen/{id}", PARTNER, "Onze aanmelding", pages::show).on_view(Referral, View)
}
