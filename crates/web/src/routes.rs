//! Every route in one table: method, path, who may use it, whether it touches a person's
//! data, and (for the API) what it takes and gives. The router and the OpenAPI document are
//! both built from this table, so neither can drift from the other, and a route cannot be
//! added without declaring its access.

use crate::{AppState, api, assets, pages};
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, on};
use serde::Serialize;
use std::sync::Arc;

pub type State = Arc<AppState>;

/// Who may use a route. Enforced per role once accounts exist; until then every non-public
/// route is for the organisation's own staff on its own network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// No personal data: health check, style sheet, API description.
    Public,
    /// Coordinators (centrale toegang): intake, placement, stays, homes, reports.
    Coordinator,
}

/// API documentation of a route.
#[derive(Debug, Clone, Copy)]
pub struct ApiDoc {
    pub tag: &'static str,
    pub request: Option<&'static str>,
    pub response: &'static str,
    pub status: u16,
}

#[derive(Debug, Clone)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// Reads or changes a person's data.
    pub person_data: bool,
    pub summary: &'static str,
    pub api: Option<ApiDoc>,
}

pub struct RouteTable {
    pub routes: Vec<RouteInfo>,
    router: Router<State>,
}

impl RouteTable {
    fn new() -> Self {
        Self {
            routes: Vec::new(),
            router: Router::new(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add<H, T>(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        person_data: bool,
        summary: &'static str,
        api: Option<ApiDoc>,
        handler: H,
    ) -> Self
    where
        H: Handler<T, State>,
        T: 'static,
    {
        let filter = axum::routing::MethodFilter::try_from(method.clone())
            .expect("only standard methods are routed");
        let mr: MethodRouter<State> = on(filter, handler);
        self.router = self.router.route(path, mr);
        self.routes.push(RouteInfo {
            method,
            path,
            access,
            person_data,
            summary,
            api,
        });
        self
    }

    /// A page or form action.
    fn page<H: Handler<T, State>, T: 'static>(
        self,
        method: Method,
        path: &'static str,
        access: Access,
        person_data: bool,
        summary: &'static str,
        handler: H,
    ) -> Self {
        self.add(method, path, access, person_data, summary, None, handler)
    }

    /// A JSON API route.
    #[allow(clippy::too_many_arguments)]
    fn api<H: Handler<T, State>, T: 'static>(
        self,
        method: Method,
        path: &'static str,
        access: Access,
        person_data: bool,
        summary: &'static str,
        doc: ApiDoc,
        handler: H,
    ) -> Self {
        self.add(
            method,
            path,
            access,
            person_data,
            summary,
            Some(doc),
            handler,
        )
    }

    pub fn into_router(self) -> Router<State> {
        self.router.fallback(pages::not_found)
    }
}

const fn doc(
    tag: &'static str,
    request: Option<&'static str>,
    response: &'static str,
    status: u16,
) -> ApiDoc {
    ApiDoc {
        tag,
        request,
        response,
        status,
    }
}

/// The route table of Nabij.
pub fn table() -> RouteTable {
    use Access::*;
    use Method as M;
    RouteTable::new()
        // Assets and health.
        .page(
            M::GET,
            "/static/style.css",
            Public,
            false,
            "Stijlblad",
            assets::style,
        )
        .page(
            M::GET,
            "/health",
            Public,
            false,
            "Gezondheid van de dienst",
            pages::health,
        )
        // Pages.
        .page(
            M::GET,
            "/",
            Coordinator,
            false,
            "Overzicht",
            pages::dashboard::show,
        )
        .page(
            M::GET,
            "/aanmeldingen",
            Coordinator,
            true,
            "Aanmeldingen",
            pages::referrals::list,
        )
        .page(
            M::GET,
            "/aanmeldingen/nieuw",
            Coordinator,
            false,
            "Nieuwe aanmelding",
            pages::referrals::new_form,
        )
        .page(
            M::POST,
            "/aanmeldingen",
            Coordinator,
            true,
            "Aanmelding opslaan",
            pages::referrals::create,
        )
        .page(
            M::GET,
            "/aanmeldingen/{id}",
            Coordinator,
            true,
            "Aanmelding met voorstellen",
            pages::referrals::show,
        )
        .page(
            M::POST,
            "/aanmeldingen/{id}/plaatsen",
            Coordinator,
            true,
            "Plaatsen",
            pages::referrals::place,
        )
        .page(
            M::POST,
            "/aanmeldingen/{id}/sluiten",
            Coordinator,
            true,
            "Aanmelding sluiten",
            pages::referrals::close,
        )
        .page(
            M::GET,
            "/personen",
            Coordinator,
            true,
            "Personen",
            pages::persons::list,
        )
        .page(
            M::GET,
            "/personen/{id}",
            Coordinator,
            true,
            "Persoon",
            pages::persons::show,
        )
        .page(
            M::GET,
            "/huizen",
            Coordinator,
            false,
            "Huizen",
            pages::homes::list,
        )
        .page(
            M::GET,
            "/huizen/{id}",
            Coordinator,
            true,
            "Huis en plekken",
            pages::homes::show,
        )
        .page(
            M::POST,
            "/huizen/{id}/blokkades",
            Coordinator,
            false,
            "Plek blokkeren",
            pages::homes::block,
        )
        .page(
            M::POST,
            "/blokkades/{id}/opheffen",
            Coordinator,
            false,
            "Blokkade opheffen",
            pages::homes::unblock,
        )
        .page(
            M::GET,
            "/verblijven",
            Coordinator,
            true,
            "Verblijven",
            pages::stays::list,
        )
        .page(
            M::GET,
            "/verblijven/{id}",
            Coordinator,
            true,
            "Verblijf",
            pages::stays::show,
        )
        .page(
            M::POST,
            "/verblijven/{id}/vertrek",
            Coordinator,
            true,
            "Vertrek registreren",
            pages::stays::exit,
        )
        .page(
            M::POST,
            "/verblijven/{id}/verlenging",
            Coordinator,
            true,
            "Verlengen",
            pages::stays::extend,
        )
        .page(
            M::POST,
            "/verblijven/{id}/uitstroomklaar",
            Coordinator,
            true,
            "Uitstroomklaar",
            pages::stays::ready,
        )
        .page(
            M::POST,
            "/verblijven/{id}/mijlpalen",
            Coordinator,
            true,
            "Mijlpaal afronden",
            pages::stays::milestone,
        )
        .page(
            M::GET,
            "/rapportage",
            Coordinator,
            false,
            "Rapportage",
            pages::reports::show,
        )
        .page(
            M::GET,
            "/capaciteitsplanner",
            Coordinator,
            false,
            "Capaciteitsplanner",
            pages::planner::show,
        )
        .page(
            M::GET,
            "/capaciteitsplanner/scenario.json",
            Coordinator,
            false,
            "Scenario van de capaciteitsplanner",
            pages::planner::scenario_file,
        )
        // API.
        .api(
            M::GET,
            "/api/v1/openapi.json",
            Public,
            false,
            "This API described in OpenAPI 3",
            doc("meta", None, "OpenApi", 200),
            api::openapi::document,
        )
        .api(
            M::GET,
            "/api/v1/dashboard",
            Coordinator,
            false,
            "Free places, milestones, breaches and no-place events now",
            doc("dashboard", None, "Dashboard", 200),
            api::dashboard::show,
        )
        .api(
            M::GET,
            "/api/v1/municipalities",
            Coordinator,
            false,
            "Municipalities",
            doc("geography", None, "MunicipalityList", 200),
            api::geography::municipalities,
        )
        .api(
            M::GET,
            "/api/v1/neighbourhoods",
            Coordinator,
            false,
            "Neighbourhoods",
            doc("geography", None, "NeighbourhoodList", 200),
            api::geography::neighbourhoods,
        )
        .api(
            M::GET,
            "/api/v1/homes",
            Coordinator,
            false,
            "Homes with free places now",
            doc("homes", None, "HomeList", 200),
            api::homes::list,
        )
        .api(
            M::POST,
            "/api/v1/homes",
            Coordinator,
            false,
            "Create a home with its places",
            doc("homes", Some("NewHome"), "HomeDetail", 201),
            api::homes::create,
        )
        .api(
            M::GET,
            "/api/v1/homes/{id}",
            Coordinator,
            true,
            "A home and its places",
            doc("homes", None, "HomeDetail", 200),
            api::homes::show,
        )
        .api(
            M::POST,
            "/api/v1/places/{id}/blocks",
            Coordinator,
            false,
            "Block a place for a period",
            doc("homes", Some("NewBlock"), "Created", 201),
            api::homes::block,
        )
        .api(
            M::GET,
            "/api/v1/referrals",
            Coordinator,
            true,
            "Referrals (open ones by default)",
            doc("referrals", None, "ReferralList", 200),
            api::referrals::list,
        )
        .api(
            M::POST,
            "/api/v1/referrals",
            Coordinator,
            true,
            "Intake: a person and their referral",
            doc("referrals", Some("NewReferral"), "Referral", 201),
            api::referrals::create,
        )
        .api(
            M::GET,
            "/api/v1/referrals/{id}",
            Coordinator,
            true,
            "A referral",
            doc("referrals", None, "Referral", 200),
            api::referrals::show,
        )
        .api(
            M::GET,
            "/api/v1/referrals/{id}/proposals",
            Coordinator,
            true,
            "Every free place, ranked and explained",
            doc("referrals", None, "Ranking", 200),
            api::referrals::proposals,
        )
        .api(
            M::POST,
            "/api/v1/referrals/{id}/placement",
            Coordinator,
            true,
            "Place the referral in a home",
            doc("referrals", Some("PlacementRequest"), "Stay", 201),
            api::referrals::place,
        )
        .api(
            M::POST,
            "/api/v1/referrals/{id}/close",
            Coordinator,
            true,
            "Close a referral without placement",
            doc("referrals", Some("CloseReferral"), "Referral", 200),
            api::referrals::close,
        )
        .api(
            M::GET,
            "/api/v1/persons/{id}",
            Coordinator,
            true,
            "A person",
            doc("persons", None, "Person", 200),
            api::persons::show,
        )
        .api(
            M::GET,
            "/api/v1/stays",
            Coordinator,
            true,
            "Stays with their clock",
            doc("stays", None, "StayList", 200),
            api::stays::list,
        )
        .api(
            M::GET,
            "/api/v1/stays/{id}",
            Coordinator,
            true,
            "A stay with its clock and milestones",
            doc("stays", None, "Stay", 200),
            api::stays::show,
        )
        .api(
            M::POST,
            "/api/v1/stays/{id}/exit",
            Coordinator,
            true,
            "Register the exit",
            doc("stays", Some("Exit"), "Stay", 200),
            api::stays::exit,
        )
        .api(
            M::POST,
            "/api/v1/stays/{id}/extension",
            Coordinator,
            true,
            "Extend the stay (a counted decision)",
            doc("stays", Some("Extension"), "Stay", 200),
            api::stays::extend,
        )
        .api(
            M::POST,
            "/api/v1/stays/{id}/ready",
            Coordinator,
            true,
            "Register ready to move on",
            doc("stays", Some("Ready"), "Stay", 200),
            api::stays::ready,
        )
        .api(
            M::POST,
            "/api/v1/stays/{id}/milestones",
            Coordinator,
            true,
            "Complete a milestone",
            doc("stays", Some("MilestoneDone"), "Stay", 200),
            api::stays::milestone,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_declared_once() {
        let t = table();
        let mut seen = std::collections::HashSet::new();
        for r in &t.routes {
            assert!(
                seen.insert((r.method.clone(), r.path)),
                "{} {} twice",
                r.method,
                r.path
            );
            assert!(r.path.starts_with('/'));
            // Person data is never public.
            assert!(
                !(r.person_data && r.access == Access::Public),
                "{} {}",
                r.method,
                r.path
            );
            assert_eq!(r.path.starts_with("/api/"), r.api.is_some(), "{}", r.path);
        }
    }
}
