//! Signing in and out, the second factor, API keys, and user administration.

pub mod admin;
pub mod pages;
pub mod partners;

use crate::routes::{ADMIN, PUBLIC, RouteTable, SIGNED_IN};
use axum::http::Method as M;

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/inloggen", PUBLIC, "Inloggen", pages::login_form)
        .page(M::POST, "/inloggen", PUBLIC, "Inloggen", pages::login)
        .page(M::GET, "/inloggen/code", SIGNED_IN, "Code van de tweede factor", pages::code_form)
        .page(M::POST, "/inloggen/code", SIGNED_IN, "Code van de tweede factor", pages::code)
        .page(M::POST, "/uitloggen", SIGNED_IN, "Uitloggen", pages::logout)
        .page(M::GET, "/account/wachtwoord", SIGNED_IN, "Wachtwoord wijzigen", pages::password_form)
        .page(M::POST, "/account/wachtwoord", SIGNED_IN, "Wachtwoord wijzigen", pages::change_password)
        .page(M::GET, "/account/tweede-factor", SIGNED_IN, "Tweede factor instellen", pages::second_factor_form)
        .page(M::POST, "/account/tweede-factor", SIGNED_IN, "Tweede factor instellen", pages::second_factor)
        .page(M::GET, "/account/api-sleutels", SIGNED_IN, "API-sleutels", pages::tokens).menu("Account", "account")
        .page(M::POST, "/account/api-sleutels", SIGNED_IN, "API-sleutel maken", pages::create_token)
        .page(M::POST, "/account/api-sleutels/{id}/intrekken", SIGNED_IN, "API-sleutel intrekken", pages::revoke_token)
}

#[rustfmt::skip]
pub(crate) fn admin_routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/beheer/gebruikers", ADMIN, "Gebruikers", admin::users).menu("Gebruikers", "beheer")
        .page(M::POST, "/beheer/gebruikers", ADMIN, "Gebruiker aanmaken", admin::create_user)
        .page(M::GET, "/beheer/gebruikers/{id}", ADMIN, "Gebruiker", admin::user)
        .page(M::POST, "/beheer/gebruikers/{id}", ADMIN, "Gebruiker wijzigen", admin::update_user)
        .page(M::POST, "/beheer/gebruikers/{id}/wachtwoord", ADMIN, "Wachtwoord opnieuw instellen", admin::reset_password)
        .page(M::POST, "/beheer/gebruikers/{id}/tweede-factor", ADMIN, "Tweede factor opnieuw instellen", admin::reset_second_factor)
        .page(M::POST, "/beheer/gebruikers/{id}/huizen", ADMIN, "Huis koppelen", admin::link_home)
        .page(M::POST, "/beheer/organisaties", ADMIN, "Ketenpartner toevoegen", admin::create_organisation)
        .page(M::GET, "/beheer/ketenpartners", ADMIN, "Ketenpartners", partners::list)
        .page(M::GET, "/beheer/ketenpartners/{id}", ADMIN, "Ketenpartner", partners::show)
        .page(M::POST, "/beheer/ketenpartners/{id}", ADMIN, "Soort ketenpartner vastleggen", partners::update)
}

/// The roles an administrator gives; a cliënt account comes from an invitation.
pub(crate) const STAFF_ROLES: &[nabij_domain::access::Role] = &[
    nabij_domain::access::Role::Coordinator,
    nabij_domain::access::Role::Professional,
    nabij_domain::access::Role::MainResident,
    nabij_domain::access::Role::Buddy,
    nabij_domain::access::Role::Partner,
    nabij_domain::access::Role::Admin,
];
