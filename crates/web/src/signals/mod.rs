//! Signals: the inbox of professionals and coordinators, acknowledging and closing, and the
//! API for filing and following them.

pub mod api;
pub mod pages;

use crate::routes::{FILES, Permission, RouteTable, doc};
use axum::http::Method as M;
use nabij_domain::access::{AuditAction::*, DataCategory::*, Role};

/// Who may file a signal: main residents, buddies, professionals and coordinators.
pub(crate) const FILERS: Permission = Permission::Roles(&[
    Role::Coordinator,
    Role::Professional,
    Role::MainResident,
    Role::Buddy,
]);

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/signalen", FILES, "Signalen", pages::inbox).on_view(Signal, View).menu("Signalen", "signalen")
        .page(M::GET, "/personen/{id}/signaal", FILES, "Signaal doorgeven over een bewoner", pages::person_form).on_view(Signal, View)
        .page(M::POST, "/personen/{id}/signaal", FILES, "Signaal doorgeven over een bewoner", pages::file_about_person).in_transaction(Signal, Create)
        .page(M::GET, "/signalen/{id}", FILES, "Signaal", pages::show).on_view(Signal, View)
        .page(M::POST, "/signalen/{id}/oppakken", FILES, "Signaal oppakken", pages::acknowledge).in_transaction(Signal, Change)
        .page(M::POST, "/signalen/{id}/afsluiten", FILES, "Signaal afsluiten", pages::close).in_transaction(Signal, Change)
        .api(M::GET, "/api/v1/signals", FILES, "The caller's inbox of signals", doc::<nabij_domain::page::Page<nabij_app::signals::InboxSignal>>("signals", 200).query::<api::InboxQuery>(), api::inbox).on_view(Signal, View)
        .api(M::POST, "/api/v1/signals", FILERS, "File a signal", doc::<api::Filed>("signals", 201).takes::<nabij_app::signals::SignalInput>(), api::file).in_transaction(Signal, Create)
        .api(M::GET, "/api/v1/signals/mine", FILERS, "The signals the caller filed, with their status only", doc::<nabij_domain::page::Page<nabij_app::signals::OwnSignal>>("signals", 200).query::<crate::paging::PageQuery>(), api::mine).on_view(Signal, View)
        .api(M::GET, "/api/v1/signals/{id}", FILES, "A signal", doc::<nabij_app::signals::InboxSignal>("signals", 200), api::show).on_view(Signal, View)
        .api(M::POST, "/api/v1/signals/{id}/acknowledgement", FILES, "Acknowledge a signal", doc::<nabij_app::signals::InboxSignal>("signals", 200), api::acknowledge).in_transaction(Signal, Change)
        .api(M::POST, "/api/v1/signals/{id}/closing", FILES, "Close an acknowledged signal with a follow-up note", doc::<nabij_app::signals::InboxSignal>("signals", 200).takes::<api::Closing>(), api::close).in_transaction(Signal, Change)
}
