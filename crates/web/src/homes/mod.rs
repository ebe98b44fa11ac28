//! Homes and their places: the list per municipality, opening and editing a home, adding
//! and retiring places, closing a home, blocking a place.

pub mod api;
pub mod pages;

use crate::routes::{HOMES, RouteTable, doc};
use axum::http::Method as M;
use nabij_app::homes;
use nabij_domain::access::{AuditAction::*, DataCategory::*};
use nabij_domain::page::Page;

#[rustfmt::skip]
pub(crate) fn routes(t: RouteTable) -> RouteTable {
    t.page(M::GET, "/huizen", HOMES, "Huizen", pages::list).menu("Huizen", "huizen")
        .page(M::GET, "/huizen/nieuw", HOMES, "Huis toevoegen", pages::new_form)
        .page(M::POST, "/huizen/nieuw", HOMES, "Huis opslaan", pages::create)
        .page(M::GET, "/huizen/{id}", HOMES, "Huis en plekken", pages::show).on_view(Residents, View)
        .page(M::GET, "/huizen/{id}/bewerken", HOMES, "Huis bewerken", pages::edit_form)
        .page(M::POST, "/huizen/{id}/bewerken", HOMES, "Huis wijzigen", pages::update)
        .page(M::POST, "/huizen/{id}/plekken", HOMES, "Plekken toevoegen", pages::add_places)
        .page(M::POST, "/huizen/{id}/buiten-gebruik", HOMES, "Plek buiten gebruik stellen", pages::retire)
        .page(M::POST, "/huizen/{id}/sluiten", HOMES, "Huis sluiten", pages::close)
        .page(M::POST, "/huizen/{id}/heropenen", HOMES, "Sluiting terugdraaien", pages::reopen)
        .page(M::POST, "/huizen/{id}/blokkades", HOMES, "Plek blokkeren", pages::block)
        .page(M::POST, "/blokkades/{id}/opheffen", HOMES, "Blokkade opheffen", pages::unblock)
        .api(M::GET, "/api/v1/homes", HOMES, "Homes by name with places in service and free now, a page at a time", doc::<Page<homes::HomeLine>>("homes", 200).query::<api::HomesQuery>(), api::list)
        .api(M::POST, "/api/v1/homes", HOMES, "Open a home with its places", doc::<homes::HomeDetail>("homes", 201).takes::<homes::HomeInput>(), api::create)
        .api(M::GET, "/api/v1/homes/{id}", HOMES, "A home and its places", doc::<homes::HomeDetail>("homes", 200), api::show).on_view(Residents, View)
        .api(M::PATCH, "/api/v1/homes/{id}", HOMES, "Change a home's details or opening date", doc::<homes::Home>("homes", 200).takes::<homes::HomePatch>(), api::patch)
        .api(M::POST, "/api/v1/homes/{id}/places", HOMES, "Add places to a home from a date", doc::<api::AddedPlaces>("homes", 201).takes::<homes::AddPlacesInput>(), api::add_places)
        .api(M::POST, "/api/v1/homes/{id}/places/{place}/retire", HOMES, "Retire a place from a date", doc::<homes::Home>("homes", 200).takes::<homes::RetireInput>(), api::retire)
        .api(M::POST, "/api/v1/homes/{id}/close", HOMES, "Close a home from a date", doc::<homes::Home>("homes", 200).takes::<homes::CloseInput>(), api::close)
        .api(M::POST, "/api/v1/homes/{id}/reopen", HOMES, "Undo a home's closing that has not taken effect", doc::<homes::Home>("homes", 200), api::reopen)
        .api(M::POST, "/api/v1/places/{id}/blocks", HOMES, "Block a place for a period", doc::<api::Created>("homes", 201).takes::<homes::BlockInput>(), api::block)
}
