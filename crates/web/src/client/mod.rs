//! The person's own pages (cliënt): their stay, professional, plan, ZRM progress, shared
//! contact entries, consents and who looked at their file; and the invitation to them.

pub mod pages;

use crate::routes::{FILES, Permission, RouteTable};
use axum::http::Method as M;
use nabij_domain::access::{AuditAction::*, DataCategory::*, Role};

pub(crate) const CLIENT: Permission = Permission::Roles(&[Role::Client]);

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/mijn-verblijf", CLIENT, "Mijn verblijf", pages::my_file).on_view(File, View).menu("Mijn verblijf", "mijn-verblijf")
        .page(M::GET, "/mijn-contacten", CLIENT, "Mijn gesprekken", pages::my_contacts).on_view(ContactLog, View).menu("Gesprekken", "mijn-contacten")
        .page(M::GET, "/mijn-inzage", CLIENT, "Wie keek in mijn dossier", pages::my_access).on_view(AccessLog, View).menu("Wie keek", "mijn-inzage")
        .page(M::POST, "/mijn-toestemmingen/intrekken", CLIENT, "Mijn toestemming intrekken", pages::revoke).in_transaction(Consent, Change)
        .page(M::POST, "/personen/{id}/uitnodiging", FILES, "Cliënt uitnodigen voor de eigen pagina", pages::invite).in_transaction(File, Change)
}
