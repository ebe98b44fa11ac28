//! Persons: the file, guidance and consent.

pub mod api;
pub mod pages;

use crate::routes::{COORDINATOR, FILES, RouteTable, doc};
use axum::http::Method as M;
use nabij_domain::access::{AuditAction::*, DataCategory::*, Role};

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/personen", FILES, "Personen", pages::list).on_view(Overview, View).menu("Personen", "personen").menu_label_for(Role::Professional, "Mijn cliënten")
        .page(M::GET, "/personen/{id}", FILES, "Persoon", pages::show).on_view(File, View)
        .page(M::POST, "/personen/{id}/begeleider", COORDINATOR, "Begeleider toewijzen", pages::assign_professional).in_transaction(File, Change)
        .page(M::POST, "/personen/{id}/toestemmingen", COORDINATOR, "Toestemming vastleggen", pages::add_consent).in_transaction(Consent, Create)
        .page(M::POST, "/personen/{id}/toestemmingen/{consent}/intrekken", COORDINATOR, "Toestemming intrekken", pages::revoke_consent).in_transaction(Consent, Change)
        .page(M::GET, "/personen/{id}/inzage", COORDINATOR, "Wie keek in dit dossier", crate::audit::pages::person_overview).on_view(AccessLog, View).second_factor()
        .page(M::GET, "/personen/{id}/inzage.csv", COORDINATOR, "Wie keek in dit dossier (CSV)", crate::audit::pages::person_overview_csv).on_view(AccessLog, Export).second_factor()
        .api(M::GET, "/api/v1/persons/{id}", FILES, "A person", doc::<nabij_app::persons::Person>("persons", 200), api::show).on_view(File, View)
}
