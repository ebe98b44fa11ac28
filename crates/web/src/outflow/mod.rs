//! Outflow: quotas and housing offers matched to people ready to move on, the omklapwoning
//! lease flip, and partners submitting referrals themselves.

pub mod api;
pub mod figures;
pub mod pages;

use crate::routes::{ADMIN, COORDINATOR, PARTNER, PLANNING, Permission, RouteTable, doc};
use axum::http::Method as M;
use nabij_app::outflow::*;
use nabij_app::partners::{PartnerReferralInput, Submitted};
use nabij_domain::access::{AuditAction::*, DataCategory::*, Role};
use nabij_domain::page::Page;

/// Coordinators, and partners (what a partner may see depends on its kind and on consent).
pub(crate) const OUTFLOW: Permission = Permission::Roles(&[Role::Coordinator, Role::Partner]);

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/woningaanbod", OUTFLOW, "Woningaanbod", pages::list).on_view(Outflow, View).menu("Woningaanbod", "woningaanbod")
        .page(M::POST, "/woningaanbod", OUTFLOW, "Woning aanbieden", pages::register)
        .page(M::POST, "/contingenten", COORDINATOR, "Contingent vastleggen", pages::set_quota)
        .page(M::GET, "/woningaanbod/{id}", OUTFLOW, "Aanbod", pages::show).on_view(Outflow, View)
        .page(M::POST, "/woningaanbod/{id}/voorstellen", COORDINATOR, "Aanbod voorstellen", pages::propose).in_transaction(Outflow, Change)
        .page(M::POST, "/woningaanbod/{id}/antwoord", COORDINATOR, "Antwoord op aanbod", pages::answer).in_transaction(Outflow, Change)
        .page(M::POST, "/woningaanbod/{id}/verhuizing", COORDINATOR, "Verhuizing", pages::move_in).in_transaction(Stay, Change)
        .page(M::POST, "/woningaanbod/{id}/intrekken", OUTFLOW, "Aanbod intrekken", pages::withdraw).in_transaction(Outflow, Change)
        .page(M::POST, "/woningaanbod/{id}/sleuteldatum", OUTFLOW, "Sleuteldatum verzetten", pages::change_key_date).in_transaction(Outflow, Change)
        .page(M::POST, "/woningaanbod/{id}/acceptatie-intrekken", COORDINATOR, "Acceptatie intrekken", pages::cancel_acceptance).in_transaction(Outflow, Change)
        .page(M::GET, "/omklapwoningen", OUTFLOW, "Omklapwoningen", pages::flips).on_view(Outflow, View).menu("Omklapwoningen", "omklap")
        .page(M::POST, "/omklapwoningen", OUTFLOW, "Omklapwoning aanvragen", pages::request_flip)
        .page(M::GET, "/omklapwoningen/{id}", OUTFLOW, "Omklapwoning", pages::flip).on_view(Outflow, View)
        .page(M::POST, "/omklapwoningen/{id}/stap", OUTFLOW, "Stap van de omklap", pages::flip_step).in_transaction(Outflow, Change)
        .page(M::POST, "/omklapwoningen/{id}/vervanging", OUTFLOW, "Vervangende woning", pages::replacement)
        .page(M::GET, "/onze-aanmeldingen/nieuw", PARTNER, "Iemand aanmelden", pages::new_referral)
        .page(M::POST, "/onze-aanmeldingen", PARTNER, "Aanmelden", pages::submit_referral).in_transaction(Referral, Create)
        .page(M::GET, "/ketencijfers", PARTNER, "Ketencijfers", figures::partner).menu("Ketencijfers", "ketencijfers")
        .page(M::GET, "/ketencijfers.csv", PARTNER, "Ketencijfers als CSV", figures::partner_csv)
        .page(M::GET, "/rapportage/uitstroom", PLANNING, "Uitstroom en keten", figures::internal)
        .page(M::POST, "/aanmeldingen/{id}/koppeling", COORDINATOR, "Koppeling bevestigen", pages::confirm_link).in_transaction(Referral, Change)
        .page(M::POST, "/aanmeldingen/{id}/koppeling-afwijzen", COORDINATOR, "Koppeling afwijzen", pages::reject_link).in_transaction(Referral, Change)
        .api(M::GET, "/api/v1/quotas", OUTFLOW, "Quotas with their use", doc::<Vec<Quota>>("outflow", 200).query::<api::YearQuery>(), api::quotas)
        .api(M::POST, "/api/v1/quotas", COORDINATOR, "Set a quota (corporation × municipality × year)", doc::<Quota>("outflow", 200).takes::<QuotaInput>(), api::set_quota)
        .api(M::GET, "/api/v1/offers", OUTFLOW, "Housing offers", doc::<Page<OfferView>>("outflow", 200).query::<OfferQuery>(), api::offers).on_view(Outflow, View)
        .api(M::POST, "/api/v1/offers", OUTFLOW, "Register a housing offer (reserves a unit of its quota)", doc::<OfferView>("outflow", 201).takes::<OfferInput>(), api::register)
        .api(M::GET, "/api/v1/offers/{id}", OUTFLOW, "A housing offer with its answers", doc::<OfferDetail>("outflow", 200), api::offer).on_view(Outflow, View)
        .api(M::GET, "/api/v1/offers/{id}/candidates", COORDINATOR, "The people ready to move on, ranked for the offer", doc::<Vec<CandidateView>>("outflow", 200).query::<api::CandidatesQuery>(), api::candidates).on_view(Overview, View)
        .api(M::POST, "/api/v1/offers/{id}/match", COORDINATOR, "Propose a ready person for the offer", doc::<OfferView>("outflow", 200).takes::<MatchInput>(), api::propose).in_transaction(Outflow, Change)
        .api(M::POST, "/api/v1/offers/{id}/answer", COORDINATOR, "The person accepts (key date) or declines (reason)", doc::<OfferView>("outflow", 200).takes::<AnswerInput>(), api::answer).in_transaction(Outflow, Change)
        .api(M::POST, "/api/v1/offers/{id}/move", COORDINATOR, "The move on the key date: the stay ends", doc::<OfferView>("outflow", 200), api::move_in).in_transaction(Stay, Change)
        .api(M::POST, "/api/v1/offers/{id}/withdraw", OUTFLOW, "Withdraw an offer (releases its unit)", doc::<OfferView>("outflow", 200).takes::<WithdrawInput>(), api::withdraw).in_transaction(Outflow, Change)
        .api(M::POST, "/api/v1/offers/{id}/cancel-acceptance", COORDINATOR, "Cancel an acceptance before the move: the offer returns to matching, the person stays ready", doc::<OfferView>("outflow", 200).takes::<WithdrawInput>(), api::cancel_acceptance).in_transaction(Outflow, Change)
        .api(M::POST, "/api/v1/offers/{id}/key-date", OUTFLOW, "Postpone (or bring forward) the key date of an accepted offer not yet moved into", doc::<OfferView>("outflow", 200).takes::<KeyDateInput>(), api::change_key_date).in_transaction(Outflow, Change)
        .api(M::GET, "/api/v1/flips", OUTFLOW, "Omklap homes and their lease flip", doc::<Vec<FlipView>>("outflow", 200), api::flips).on_view(Outflow, View)
        .api(M::POST, "/api/v1/flips", OUTFLOW, "Request an omklap home", doc::<FlipView>("outflow", 201).takes::<FlipRequestInput>(), api::request_flip)
        .api(M::GET, "/api/v1/flips/{id}", OUTFLOW, "An omklap home with every step", doc::<FlipDetail>("outflow", 200), api::flip).on_view(Outflow, View)
        .api(M::POST, "/api/v1/flips/{id}/steps", OUTFLOW, "Move the lease flip one step", doc::<FlipView>("outflow", 200).takes::<FlipStepInput>(), api::flip_step).in_transaction(Outflow, Change)
        .api(M::POST, "/api/v1/flips/{id}/replacement", OUTFLOW, "Request a replacement home after a flip", doc::<FlipView>("outflow", 201).takes::<FlipRequestInput>(), api::replacement)
        .api(M::GET, "/api/v1/partner/referrals", PARTNER, "The referrals the partner made, with their status; names, place and advice under consent", doc::<Page<nabij_app::partners::PartnerReferralView>>("partners", 200).query::<nabij_app::partners::PartnerReferralQuery>(), api::our_referrals).on_view(Overview, View)
        .api(M::GET, "/api/v1/partner/referrals/{id}", PARTNER, "One referral the partner made, each part under the consent that unlocks it", doc::<nabij_app::partners::PartnerReferralDetailView>("partners", 200), api::our_referral).on_view(Referral, View)
        .api(M::POST, "/api/v1/partner/referrals", PARTNER, "A partner submits a referral with the person's consent", doc::<Submitted>("partners", 201).takes::<PartnerReferralInput>(), api::submit_referral).in_transaction(Referral, Create)
        .api(M::POST, "/api/v1/partners/{id}/kind", ADMIN, "Set a partner's kind and covered municipalities", doc::<nabij_app::partners::PartnerKindView>("partners", 200).takes::<nabij_app::partners::PartnerKindInput>(), api::set_partner_kind)
        .api(M::POST, "/api/v1/referrals/{id}/link", COORDINATOR, "Confirm a partner's referral belongs to the known file", doc::<serde_json::Value>("intake", 200), api::confirm_link).in_transaction(Referral, Change)
        .api(M::POST, "/api/v1/referrals/{id}/link/reject", COORDINATOR, "A partner's referral is about someone else: open a new file from what the partner submitted", doc::<serde_json::Value>("intake", 200), api::reject_link).in_transaction(Referral, Change)
}
