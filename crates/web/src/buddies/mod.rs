//! Buddies: the registry, wishes and suggestions, the best assignment, matches, and the
//! buddy's own page with check-ins and signals.

pub mod api;
pub mod pages;

use crate::routes::{BUDDY, COORDINATOR, FILES, Permission, RouteTable, doc};
use axum::http::Method as M;
use nabij_domain::access::{AuditAction::*, DataCategory::*, Role};

/// A match's check-ins: its buddy and the coordinators.
const MATCH_PEOPLE: Permission = Permission::Roles(&[Role::Coordinator, Role::Buddy]);

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/maatjes", COORDINATOR, "Maatjes", pages::registry).menu("Maatjes", "maatjes")
        .page(M::POST, "/maatjes", COORDINATOR, "Maatje inschrijven", pages::register)
        .page(M::GET, "/maatjes/{id}", COORDINATOR, "Maatje", pages::show_buddy)
        .page(M::POST, "/maatjes/{id}", COORDINATOR, "Maatje wijzigen", pages::update_buddy)
        .page(M::GET, "/koppelingen", COORDINATOR, "Koppelingen", pages::matches).on_view(BuddyMatch, View)
        .page(M::POST, "/koppelingen", COORDINATOR, "Koppeling maken", pages::create_match).in_transaction(BuddyMatch, Create)
        .page(M::POST, "/koppelingen/{id}/beeindigen", COORDINATOR, "Koppeling beëindigen", pages::end_match).in_transaction(BuddyMatch, Change)
        .page(M::POST, "/koppelingen/{id}/nummer", COORDINATOR, "Afspraak over het eigen nummer", pages::contact_agreement).in_transaction(Consent, Change)
        .page(M::GET, "/personen/{id}/maatje", FILES, "Maatje voor deze bewoner", pages::person_buddy).on_view(BuddyMatch, View)
        .page(M::POST, "/personen/{id}/maatje", FILES, "Wens voor een maatje vastleggen", pages::set_wish).in_transaction(BuddyMatch, Change)
        .page(M::POST, "/mijn-maatje/{id}/contactmoment", BUDDY, "Contactmoment vastleggen", pages::check_in).in_transaction(BuddyMatch, Create)
        .page(M::POST, "/mijn-maatje/signaal", BUDDY, "Signaal doorgeven", pages::file_signal).in_transaction(Signal, Create)
        .api(M::GET, "/api/v1/buddies", COORDINATOR, "The buddy registry", doc::<nabij_domain::page::Page<nabij_app::buddies::BuddyView>>("buddies", 200).query::<crate::paging::PageQuery>(), api::list)
        .api(M::POST, "/api/v1/buddies", COORDINATOR, "Register a buddy", doc::<nabij_app::buddies::BuddyView>("buddies", 201).takes::<nabij_app::buddies::BuddyForm>(), api::register)
        .api(M::GET, "/api/v1/buddies/{id}", COORDINATOR, "A buddy", doc::<nabij_app::buddies::BuddyView>("buddies", 200), api::show)
        .api(M::PUT, "/api/v1/buddies/{id}", COORDINATOR, "Change a buddy: pause, capacity, hours, VOG date and the rest", doc::<nabij_app::buddies::BuddyView>("buddies", 200).takes::<nabij_app::buddies::BuddyForm>(), api::update)
        .api(M::GET, "/api/v1/persons/{id}/buddy-wish", FILES, "A resident's wish for a buddy (null when none)", doc::<Option<nabij_app::buddies::WishView>>("matches", 200), api::wish).on_view(BuddyMatch, View)
        .api(M::POST, "/api/v1/persons/{id}/buddy-wish", FILES, "Record a resident's wish for a buddy", doc::<Option<nabij_app::buddies::WishView>>("matches", 200).takes::<nabij_app::buddies::WishForm>(), api::set_wish).in_transaction(BuddyMatch, Change)
        .api(M::GET, "/api/v1/persons/{id}/buddy-suggestions", COORDINATOR, "The best buddies for a resident with a wish, each explained", doc::<Vec<nabij_app::buddies::Suggestion>>("matches", 200), api::suggestions).on_view(BuddyMatch, View)
        .api(M::GET, "/api/v1/matches", COORDINATOR, "The organisation's matches", doc::<nabij_domain::page::Page<nabij_app::buddies::MatchView>>("matches", 200).query::<crate::paging::PageQuery>(), api::matches).on_view(BuddyMatch, View)
        .api(M::POST, "/api/v1/matches", COORDINATOR, "Make a match", doc::<nabij_app::buddies::MatchView>("matches", 201).takes::<nabij_app::buddies::MatchForm>(), api::create_match).in_transaction(BuddyMatch, Create)
        .api(M::GET, "/api/v1/matches/proposal", COORDINATOR, "The best assignment of waiting residents to free buddies", doc::<Vec<nabij_app::buddies::ProposedPair>>("matches", 200), api::proposal).on_view(BuddyMatch, View)
        .api(M::POST, "/api/v1/matches/{id}/end", COORDINATOR, "End a match today", doc::<nabij_app::buddies::MatchView>("matches", 200), api::end_match).in_transaction(BuddyMatch, Change)
        .api(M::POST, "/api/v1/matches/{id}/contact-agreement", COORDINATOR, "Record or revoke the resident's agreement to share their own number with their buddy", doc::<nabij_app::buddies::MatchView>("matches", 200).takes::<api::ContactAgreement>(), api::contact_agreement).in_transaction(Consent, Change)
        .api(M::GET, "/api/v1/matches/mine", BUDDY, "The caller's matches as a buddy", doc::<Vec<nabij_app::buddies::MyMatch>>("matches", 200), api::mine).on_view(BuddyMatch, View)
        .api(M::GET, "/api/v1/matches/{id}/check-ins", MATCH_PEOPLE, "A match's check-ins, newest first: for its buddy and the coordinators", doc::<nabij_domain::page::Page<nabij_app::buddies::CheckInView>>("matches", 200).query::<crate::paging::PageQuery>(), api::check_ins).on_view(BuddyMatch, View)
        .api(M::POST, "/api/v1/matches/{id}/check-ins", BUDDY, "Log a check-in", doc::<api::CheckedIn>("matches", 201).takes::<nabij_app::buddies::CheckInForm>(), api::check_in).in_transaction(BuddyMatch, Create)
}
