//! Guidance and recovery: episodes and intensity, the contact log, the recovery plan, the
//! ZRM, and a professional's caseload.

pub mod api;
pub(crate) mod charts;
pub mod pages;

use crate::routes::{COORDINATOR, FILES, PLANNING, Permission, RouteTable, doc};
use axum::http::Method as M;
use nabij_app::guidance as g;
use nabij_domain::access::{AuditAction::*, DataCategory::*, Role};
use nabij_domain::page::Page;

/// The caseload is a professional's own list.
pub(crate) const PROFESSIONAL: Permission = Permission::Roles(&[Role::Professional]);

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/caseload", PROFESSIONAL, "Caseload", pages::caseload).on_view(Overview, View).menu("Caseload", "caseload")
        .page(M::GET, "/personen/{id}/begeleiding", FILES, "Begeleiding", pages::guidance).on_view(Guidance, View)
        .page(M::POST, "/personen/{id}/begeleiding", COORDINATOR, "Begeleiding starten", pages::start).in_transaction(Guidance, Create)
        .page(M::POST, "/personen/{id}/begeleiding/hervatten", FILES, "Begeleiding hervatten", pages::resume).in_transaction(Guidance, Create)
        .page(M::POST, "/personen/{id}/begeleiding/intensiteit", FILES, "Intensiteit wijzigen", pages::intensity).in_transaction(Guidance, Change)
        .page(M::POST, "/personen/{id}/begeleiding/begeleiders", FILES, "Begeleider toevoegen", pages::add_professional).in_transaction(Guidance, Change)
        .page(M::POST, "/personen/{id}/begeleiding/begeleiders/eraf", FILES, "Begeleider van de begeleiding halen", pages::remove_professional).in_transaction(Guidance, Change)
        .page(M::POST, "/personen/{id}/begeleiding/vaste-begeleider", FILES, "Vaste begeleider wijzigen", pages::change_lead).in_transaction(Guidance, Change)
        .page(M::POST, "/personen/{id}/begeleiding/afsluiten", FILES, "Begeleiding afsluiten of nazorg", pages::end).in_transaction(Guidance, Change)
        .page(M::GET, "/personen/{id}/contacten", FILES, "Contactlog", pages::contacts).on_view(ContactLog, View)
        .page(M::POST, "/personen/{id}/contacten", FILES, "Contact vastleggen", pages::add_contact).in_transaction(ContactLog, Create)
        .page(M::GET, "/personen/{id}/plan", FILES, "Plan van aanpak", pages::plan).on_view(Plan, View)
        .page(M::POST, "/personen/{id}/plan", FILES, "Doel vastleggen", pages::add_goal).in_transaction(Plan, Create)
        .page(M::POST, "/personen/{id}/plan/status", FILES, "Status van een doel", pages::goal_status).in_transaction(Plan, Change)
        .page(M::GET, "/personen/{id}/zrm", FILES, "Zelfredzaamheid (ZRM)", pages::zrm).on_view(Zrm, View)
        .page(M::POST, "/personen/{id}/zrm", FILES, "ZRM vastleggen", pages::add_assessment).in_transaction(Zrm, Create)
        .page(M::GET, "/rapportage/herstel", PLANNING, "Rapportage herstel", pages::recovery)
        .api(M::GET, "/api/v1/reports/recovery", PLANNING, "Recovery over a period: ZRM change per domain intake → latest and → exit, guidance hours per week per month, resumptions (small numbers suppressed)", doc::<nabij_app::reports::ReportAnswer>("reports", 200).query::<crate::reports::api::ReportParams>(), api::recovery)
        .api(M::GET, "/api/v1/caseload", PROFESSIONAL, "The professional's own clients", doc::<Page<g::CaseloadLine>>("guidance", 200).query::<crate::paging::PageQuery>(), api::caseload).on_view(Overview, View)
        .api(M::GET, "/api/v1/persons/{id}/episodes", FILES, "A person's guidance episodes with their intensity", doc::<g::GuidanceView>("guidance", 200), api::guidance).on_view(Guidance, View)
        .api(M::POST, "/api/v1/persons/{id}/episodes", COORDINATOR, "Start guidance (coordinator)", doc::<g::GuidanceView>("guidance", 201).takes::<g::EpisodeInput>(), api::start).in_transaction(Guidance, Create)
        .api(M::POST, "/api/v1/persons/{id}/resumption", FILES, "Resume guidance of a former resident", doc::<g::GuidanceView>("guidance", 201).takes::<g::EpisodeInput>(), api::resume).in_transaction(Guidance, Create)
        .api(M::POST, "/api/v1/persons/{id}/intensity", FILES, "Change the intensity of the running episode", doc::<g::GuidanceView>("guidance", 200).takes::<g::IntensityInput>(), api::intensity).in_transaction(Guidance, Change)
        .api(M::POST, "/api/v1/persons/{id}/episode-professionals", FILES, "Add a professional to the running episode (coordinator or lead); they may open the file at once", doc::<g::GuidanceView>("guidance", 200).takes::<g::MemberInput>(), api::add_professional).in_transaction(Guidance, Change)
        .api(M::POST, "/api/v1/persons/{id}/episode-professionals/removal", FILES, "Take a professional off the running episode (coordinator or lead); access ends after the grace days", doc::<g::GuidanceView>("guidance", 200).takes::<g::MemberInput>(), api::remove_professional).in_transaction(Guidance, Change)
        .api(M::POST, "/api/v1/persons/{id}/episode-lead", FILES, "Make another professional the lead of the running episode (coordinator or lead)", doc::<g::GuidanceView>("guidance", 200).takes::<g::MemberInput>(), api::change_lead).in_transaction(Guidance, Change)
        .api(M::POST, "/api/v1/persons/{id}/episode-end", FILES, "End the running episode, or continue it as aftercare", doc::<g::GuidanceView>("guidance", 200).takes::<g::EndInput>(), api::end).in_transaction(Guidance, Change)
        .api(M::GET, "/api/v1/persons/{id}/contacts", FILES, "A page of the contact log", doc::<g::ContactLog>("guidance", 200).query::<crate::paging::PageQuery>(), api::contacts).on_view(ContactLog, View)
        .api(M::POST, "/api/v1/persons/{id}/contacts", FILES, "Add a contact entry (a correction names the entry it corrects)", doc::<api::Created>("guidance", 201).takes::<g::ContactInput>(), api::add_contact).in_transaction(ContactLog, Create)
        .api(M::GET, "/api/v1/persons/{id}/goals", FILES, "The recovery plan", doc::<g::Plan>("guidance", 200), api::plan).on_view(Plan, View)
        .api(M::POST, "/api/v1/persons/{id}/goals", FILES, "Add a goal to the recovery plan", doc::<g::Plan>("guidance", 201).takes::<g::GoalInput>(), api::add_goal).in_transaction(Plan, Create)
        .api(M::POST, "/api/v1/persons/{id}/goals/status", FILES, "Change a goal's status", doc::<g::Plan>("guidance", 200).takes::<g::GoalStatusInput>(), api::goal_status).in_transaction(Plan, Change)
        .api(M::GET, "/api/v1/persons/{id}/assessments", FILES, "ZRM assessments and progress", doc::<g::Zrm>("guidance", 200), api::zrm).on_view(Zrm, View)
        .api(M::POST, "/api/v1/persons/{id}/assessments", FILES, "Record a ZRM assessment", doc::<g::Zrm>("guidance", 201).takes::<g::AssessmentInput>(), api::add_assessment).in_transaction(Zrm, Create)
}
