//! Intake and placement: referrals, ranked proposals, placing, closing.

pub mod api;
pub mod pages;

use crate::routes::{COORDINATOR, RouteTable, doc};
use axum::http::Method as M;
use nabij_app::intake;
use nabij_domain::access::{AuditAction::*, DataCategory::*};

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/aanmeldingen", COORDINATOR, "Aanmeldingen", pages::list).on_view(Overview, View).menu("Aanmeldingen", "aanmeldingen")
        .page(M::GET, "/aanmeldingen/nieuw", COORDINATOR, "Nieuwe aanmelding", pages::new_form)
        .page(M::POST, "/aanmeldingen", COORDINATOR, "Aanmelding opslaan", pages::create).in_transaction(File, Create)
        .page(M::GET, "/aanmeldingen/{id}", COORDINATOR, "Aanmelding met voorstellen", pages::show).on_view(Referral, View)
        .page(M::POST, "/aanmeldingen/{id}/plaatsen", COORDINATOR, "Plaatsen", pages::place).in_transaction(Stay, Create)
        .page(M::POST, "/aanmeldingen/{id}/sluiten", COORDINATOR, "Aanmelding sluiten", pages::close).in_transaction(Referral, Change)
        .api(M::GET, "/api/v1/referrals", COORDINATOR, "Referrals (open ones by default)", doc::<nabij_domain::page::Page<intake::Referral>>("referrals", 200).query::<api::ListQuery>(), api::list).on_view(Overview, View)
        .api(M::POST, "/api/v1/referrals", COORDINATOR, "Intake: a person and their referral", doc::<intake::Referral>("referrals", 201).takes::<intake::IntakeInput>(), api::create).in_transaction(File, Create)
        .api(M::GET, "/api/v1/referrals/{id}", COORDINATOR, "A referral", doc::<intake::Referral>("referrals", 200), api::show).on_view(Referral, View)
        .api(M::GET, "/api/v1/referrals/{id}/proposals", COORDINATOR, "Every free place, ranked and explained", doc::<api::RankingView>("referrals", 200), api::proposals).on_view(Referral, View)
        .api(M::POST, "/api/v1/referrals/{id}/placement", COORDINATOR, "Place the referral in a home", doc::<nabij_app::stays::StayView>("referrals", 201).takes::<api::PlacementInput>(), api::place).in_transaction(Stay, Create)
        .api(M::POST, "/api/v1/referrals/{id}/close", COORDINATOR, "Close a referral without placement", doc::<intake::Referral>("referrals", 200).takes::<api::CloseInput>(), api::close).in_transaction(Referral, Change)
}
