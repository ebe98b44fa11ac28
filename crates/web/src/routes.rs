//! Every route in one table: method, path, who may use it, whether it touches a person's
//! data, and (for the API) what it takes and gives. The router and the OpenAPI document are
//! both built from this table, so neither can drift from the other, and a route cannot be
//! added without declaring its access.

use crate::{AppState, api, assets, pages};
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, on};
use nabij_domain::access::{AuditAction, DataCategory, Role};
use serde::Serialize;
use std::sync::Arc;

pub type State = Arc<AppState>;

/// Who may use a route. The gate in [`crate::auth`] enforces it for pages and API alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Anyone, signed in or not: sign-in, style sheet, health, API description.
    Public,
    /// Every signed-in user (their start page, their own account).
    SignedIn,
    /// Users with one of these roles.
    Roles(&'static [Role]),
}

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::SignedIn => true,
            Access::Roles(roles) => roles.contains(&role),
        }
    }
}

/// Where a route's access to persons' data is written to the access log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AuditPoint {
    /// A view (or export, print): the gate logs one entry per person the handler shows.
    OnView(DataCategory, AuditAction),
    /// A change: the store logs it in the transaction of the change.
    InTransaction(DataCategory, AuditAction),
}

const COORDINATOR: Access = Access::Roles(&[Role::Coordinator]);
/// Persons' files: coordinators, and professionals for their own caseload.
const FILES: Access = Access::Roles(&[Role::Coordinator, Role::Professional]);
/// Homes and their places: coordinators and administrators.
const HOMES: Access = Access::Roles(&[Role::Coordinator, Role::Admin]);
/// Aggregates: reports and the capacity planner.
const PLANNING: Access = Access::Roles(&[Role::Coordinator, Role::Admin]);
const MAIN_RESIDENT: Access = Access::Roles(&[Role::MainResident]);
const BUDDY: Access = Access::Roles(&[Role::Buddy]);
const PARTNER: Access = Access::Roles(&[Role::Partner]);
const ADMIN: Access = Access::Roles(&[Role::Admin]);

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
    /// Needs the second factor confirmed in the session, whatever the role.
    pub second_factor: bool,
    /// How it touches persons' data, if it does.
    pub audit: Option<AuditPoint>,
    pub summary: &'static str,
    pub api: Option<ApiDoc>,
}

impl RouteInfo {
    /// Reads or changes a person's data.
    pub fn person_data(&self) -> bool {
        self.audit.is_some()
    }
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

    fn add<H, T>(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
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
            second_factor: false,
            audit: None,
            summary,
            api,
        });
        self
    }

    fn last(&mut self) -> &mut RouteInfo {
        self.routes.last_mut().expect("a route was just added")
    }

    /// The route shows persons' data: the gate logs each person shown.
    fn on_view(mut self, category: DataCategory, action: AuditAction) -> Self {
        self.last().audit = Some(AuditPoint::OnView(category, action));
        self
    }

    /// The route changes persons' data: the store logs it with the change.
    fn in_transaction(mut self, category: DataCategory, action: AuditAction) -> Self {
        self.last().audit = Some(AuditPoint::InTransaction(category, action));
        self
    }

    /// The route needs the second factor, whatever the role.
    fn second_factor(mut self) -> Self {
        self.last().second_factor = true;
        self
    }

    /// A page or form action.
    fn page<H: Handler<T, State>, T: 'static>(
        self,
        method: Method,
        path: &'static str,
        access: Access,
        summary: &'static str,
        handler: H,
    ) -> Self {
        self.add(method, path, access, summary, None, handler)
    }

    /// A JSON API route.
    fn api<H: Handler<T, State>, T: 'static>(
        self,
        method: Method,
        path: &'static str,
        access: Access,
        summary: &'static str,
        doc: ApiDoc,
        handler: H,
    ) -> Self {
        self.add(method, path, access, summary, Some(doc), handler)
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
    use AuditAction::*;
    use DataCategory::*;
    use Method as M;
    RouteTable::new()
        // Assets, health, signing in and out, the own account.
        .page(
            M::GET,
            "/static/style.css",
            Access::Public,
            "Stijlblad",
            assets::style,
        )
        .page(
            M::GET,
            "/health",
            Access::Public,
            "Gezondheid van de dienst",
            pages::health,
        )
        .page(
            M::GET,
            "/inloggen",
            Access::Public,
            "Inloggen",
            pages::account::login_form,
        )
        .page(
            M::POST,
            "/inloggen",
            Access::Public,
            "Inloggen",
            pages::account::login,
        )
        .page(
            M::GET,
            "/inloggen/code",
            Access::SignedIn,
            "Code van de tweede factor",
            pages::account::code_form,
        )
        .page(
            M::POST,
            "/inloggen/code",
            Access::SignedIn,
            "Code van de tweede factor",
            pages::account::code,
        )
        .page(
            M::POST,
            "/uitloggen",
            Access::SignedIn,
            "Uitloggen",
            pages::account::logout,
        )
        .page(
            M::GET,
            "/account/tweede-factor",
            Access::SignedIn,
            "Tweede factor instellen",
            pages::account::second_factor_form,
        )
        .page(
            M::POST,
            "/account/tweede-factor",
            Access::SignedIn,
            "Tweede factor instellen",
            pages::account::second_factor,
        )
        .page(
            M::GET,
            "/account/api-sleutels",
            Access::SignedIn,
            "API-sleutels",
            pages::account::tokens,
        )
        .page(
            M::POST,
            "/account/api-sleutels",
            Access::SignedIn,
            "API-sleutel maken",
            pages::account::create_token,
        )
        .page(
            M::POST,
            "/account/api-sleutels/{id}/intrekken",
            Access::SignedIn,
            "API-sleutel intrekken",
            pages::account::revoke_token,
        )
        // The coordinator's work: referrals, placement, stays.
        .page(
            M::GET,
            "/",
            Access::SignedIn,
            "Overzicht",
            pages::dashboard::show,
        )
        .on_view(Overview, View)
        .page(
            M::GET,
            "/aanmeldingen",
            COORDINATOR,
            "Aanmeldingen",
            pages::referrals::list,
        )
        .on_view(Overview, View)
        .page(
            M::GET,
            "/aanmeldingen/nieuw",
            COORDINATOR,
            "Nieuwe aanmelding",
            pages::referrals::new_form,
        )
        .page(
            M::POST,
            "/aanmeldingen",
            COORDINATOR,
            "Aanmelding opslaan",
            pages::referrals::create,
        )
        .in_transaction(File, Create)
        .page(
            M::GET,
            "/aanmeldingen/{id}",
            COORDINATOR,
            "Aanmelding met voorstellen",
            pages::referrals::show,
        )
        .on_view(Referral, View)
        .page(
            M::POST,
            "/aanmeldingen/{id}/plaatsen",
            COORDINATOR,
            "Plaatsen",
            pages::referrals::place,
        )
        .in_transaction(Stay, Create)
        .page(
            M::POST,
            "/aanmeldingen/{id}/sluiten",
            COORDINATOR,
            "Aanmelding sluiten",
            pages::referrals::close,
        )
        .in_transaction(Referral, Change)
        .page(M::GET, "/personen", FILES, "Personen", pages::persons::list)
        .on_view(Overview, View)
        .page(
            M::GET,
            "/personen/{id}",
            FILES,
            "Persoon",
            pages::persons::show,
        )
        .on_view(File, View)
        .page(
            M::POST,
            "/personen/{id}/begeleider",
            COORDINATOR,
            "Begeleider toewijzen",
            pages::persons::assign_professional,
        )
        .in_transaction(File, Change)
        .page(
            M::POST,
            "/personen/{id}/toestemmingen",
            COORDINATOR,
            "Toestemming vastleggen",
            pages::persons::add_consent,
        )
        .in_transaction(Consent, Create)
        .page(
            M::POST,
            "/personen/{id}/toestemmingen/{consent}/intrekken",
            COORDINATOR,
            "Toestemming intrekken",
            pages::persons::revoke_consent,
        )
        .in_transaction(Consent, Change)
        .page(
            M::GET,
            "/personen/{id}/inzage",
            COORDINATOR,
            "Wie keek in dit dossier",
            pages::audit::person_overview,
        )
        .on_view(AccessLog, View)
        .second_factor()
        .page(
            M::GET,
            "/personen/{id}/inzage.csv",
            COORDINATOR,
            "Wie keek in dit dossier (CSV)",
            pages::audit::person_overview_csv,
        )
        .on_view(AccessLog, Export)
        .second_factor()
        .page(
            M::GET,
            "/verblijven",
            COORDINATOR,
            "Verblijven",
            pages::stays::list,
        )
        .on_view(Overview, View)
        .page(
            M::GET,
            "/verblijven/{id}",
            FILES,
            "Verblijf",
            pages::stays::show,
        )
        .on_view(Stay, View)
        .page(
            M::POST,
            "/verblijven/{id}/vertrek",
            COORDINATOR,
            "Vertrek registreren",
            pages::stays::exit,
        )
        .in_transaction(Stay, Change)
        .page(
            M::POST,
            "/verblijven/{id}/verlenging",
            COORDINATOR,
            "Verlengen",
            pages::stays::extend,
        )
        .in_transaction(Stay, Change)
        .page(
            M::POST,
            "/verblijven/{id}/uitstroomklaar",
            FILES,
            "Uitstroomklaar",
            pages::stays::ready,
        )
        .in_transaction(Stay, Change)
        .page(
            M::POST,
            "/verblijven/{id}/mijlpalen",
            FILES,
            "Mijlpaal afronden",
            pages::stays::milestone,
        )
        .in_transaction(Stay, Change)
        // Homes, reports, planning.
        .page(M::GET, "/huizen", HOMES, "Huizen", pages::homes::list)
        .page(
            M::GET,
            "/huizen/{id}",
            HOMES,
            "Huis en plekken",
            pages::homes::show,
        )
        .on_view(Residents, View)
        .page(
            M::POST,
            "/huizen/{id}/blokkades",
            HOMES,
            "Plek blokkeren",
            pages::homes::block,
        )
        .page(
            M::POST,
            "/blokkades/{id}/opheffen",
            HOMES,
            "Blokkade opheffen",
            pages::homes::unblock,
        )
        .page(
            M::GET,
            "/rapportage",
            PLANNING,
            "Rapportage",
            pages::reports::show,
        )
        .page(
            M::GET,
            "/capaciteitsplanner",
            PLANNING,
            "Capaciteitsplanner",
            pages::planner::show,
        )
        .page(
            M::GET,
            "/capaciteitsplanner/scenario.json",
            PLANNING,
            "Scenario van de capaciteitsplanner",
            pages::planner::scenario_file,
        )
        // Volunteers and partners: only what the role needs.
        .page(
            M::GET,
            "/mijn-huis",
            MAIN_RESIDENT,
            "Mijn huis",
            pages::volunteers::house,
        )
        .on_view(Residents, View)
        .page(
            M::GET,
            "/mijn-maatje",
            BUDDY,
            "Mijn maatje",
            pages::volunteers::buddy,
        )
        .page(
            M::GET,
            "/onze-aanmeldingen",
            PARTNER,
            "Onze aanmeldingen",
            pages::partners::list,
        )
        .on_view(Overview, View)
        .page(
            M::GET,
            "/onze-aanmeldingen/{id}",
            PARTNER,
            "Onze aanmelding",
            pages::partners::show,
        )
        .on_view(Referral, View)
        // Administration and the access log.
        .page(
            M::GET,
            "/beheer/gebruikers",
            ADMIN,
            "Gebruikers",
            pages::admin::users,
        )
        .page(
            M::POST,
            "/beheer/gebruikers",
            ADMIN,
            "Gebruiker aanmaken",
            pages::admin::create_user,
        )
        .page(
            M::GET,
            "/beheer/gebruikers/{id}",
            ADMIN,
            "Gebruiker",
            pages::admin::user,
        )
        .page(
            M::POST,
            "/beheer/gebruikers/{id}",
            ADMIN,
            "Gebruiker wijzigen",
            pages::admin::update_user,
        )
        .page(
            M::POST,
            "/beheer/gebruikers/{id}/wachtwoord",
            ADMIN,
            "Wachtwoord opnieuw instellen",
            pages::admin::reset_password,
        )
        .page(
            M::POST,
            "/beheer/gebruikers/{id}/tweede-factor",
            ADMIN,
            "Tweede factor opnieuw instellen",
            pages::admin::reset_second_factor,
        )
        .page(
            M::POST,
            "/beheer/gebruikers/{id}/huizen",
            ADMIN,
            "Huis koppelen",
            pages::admin::link_home,
        )
        .page(
            M::POST,
            "/beheer/organisaties",
            ADMIN,
            "Ketenpartner toevoegen",
            pages::admin::create_organisation,
        )
        .page(
            M::GET,
            "/toegangslog",
            ADMIN,
            "Toegangslog",
            pages::audit::log,
        )
        .on_view(AccessLog, View)
        .second_factor()
        // API.
        .api(
            M::GET,
            "/api/v1/openapi.json",
            Access::Public,
            "This API described in OpenAPI 3",
            doc("meta", None, "OpenApi", 200),
            api::openapi::document,
        )
        .api(
            M::GET,
            "/api/v1/dashboard",
            COORDINATOR,
            "Free places, milestones, breaches and no-place events now",
            doc("dashboard", None, "Dashboard", 200),
            api::dashboard::show,
        )
        .on_view(Overview, View)
        .api(
            M::GET,
            "/api/v1/municipalities",
            Access::SignedIn,
            "Municipalities",
            doc("geography", None, "MunicipalityList", 200),
            api::geography::municipalities,
        )
        .api(
            M::GET,
            "/api/v1/neighbourhoods",
            Access::SignedIn,
            "Neighbourhoods",
            doc("geography", None, "NeighbourhoodList", 200),
            api::geography::neighbourhoods,
        )
        .api(
            M::GET,
            "/api/v1/homes",
            HOMES,
            "Homes with free places now",
            doc("homes", None, "HomeList", 200),
            api::homes::list,
        )
        .api(
            M::POST,
            "/api/v1/homes",
            HOMES,
            "Create a home with its places",
            doc("homes", Some("NewHome"), "HomeDetail", 201),
            api::homes::create,
        )
        .api(
            M::GET,
            "/api/v1/homes/{id}",
            HOMES,
            "A home and its places",
            doc("homes", None, "HomeDetail", 200),
            api::homes::show,
        )
        .on_view(Residents, View)
        .api(
            M::POST,
            "/api/v1/places/{id}/blocks",
            HOMES,
            "Block a place for a period",
            doc("homes", Some("NewBlock"), "Created", 201),
            api::homes::block,
        )
        .api(
            M::GET,
            "/api/v1/referrals",
            COORDINATOR,
            "Referrals (open ones by default)",
            doc("referrals", None, "ReferralList", 200),
            api::referrals::list,
        )
        .on_view(Overview, View)
        .api(
            M::POST,
            "/api/v1/referrals",
            COORDINATOR,
            "Intake: a person and their referral",
            doc("referrals", Some("NewReferral"), "Referral", 201),
            api::referrals::create,
        )
        .in_transaction(File, Create)
        .api(
            M::GET,
            "/api/v1/referrals/{id}",
            COORDINATOR,
            "A referral",
            doc("referrals", None, "Referral", 200),
            api::referrals::show,
        )
        .on_view(Referral, View)
        .api(
            M::GET,
            "/api/v1/referrals/{id}/proposals",
            COORDINATOR,
            "Every free place, ranked and explained",
            doc("referrals", None, "Ranking", 200),
            api::referrals::proposals,
        )
        .on_view(Referral, View)
        .api(
            M::POST,
            "/api/v1/referrals/{id}/placement",
            COORDINATOR,
            "Place the referral in a home",
            doc("referrals", Some("PlacementRequest"), "Stay", 201),
            api::referrals::place,
        )
        .in_transaction(Stay, Create)
        .api(
            M::POST,
            "/api/v1/referrals/{id}/close",
            COORDINATOR,
            "Close a referral without placement",
            doc("referrals", Some("CloseReferral"), "Referral", 200),
            api::referrals::close,
        )
        .in_transaction(Referral, Change)
        .api(
            M::GET,
            "/api/v1/persons/{id}",
            FILES,
            "A person",
            doc("persons", None, "Person", 200),
            api::persons::show,
        )
        .on_view(File, View)
        .api(
            M::GET,
            "/api/v1/stays",
            COORDINATOR,
            "Stays with their clock",
            doc("stays", None, "StayList", 200),
            api::stays::list,
        )
        .on_view(Overview, View)
        .api(
            M::GET,
            "/api/v1/stays/{id}",
            FILES,
            "A stay with its clock and milestones",
            doc("stays", None, "Stay", 200),
            api::stays::show,
        )
        .on_view(Stay, View)
        .api(
            M::POST,
            "/api/v1/stays/{id}/exit",
            COORDINATOR,
            "Register the exit",
            doc("stays", Some("Exit"), "Stay", 200),
            api::stays::exit,
        )
        .in_transaction(Stay, Change)
        .api(
            M::POST,
            "/api/v1/stays/{id}/extension",
            COORDINATOR,
            "Extend the stay (a counted decision)",
            doc("stays", Some("Extension"), "Stay", 200),
            api::stays::extend,
        )
        .in_transaction(Stay, Change)
        .api(
            M::POST,
            "/api/v1/stays/{id}/ready",
            FILES,
            "Register ready to move on",
            doc("stays", Some("Ready"), "Stay", 200),
            api::stays::ready,
        )
        .in_transaction(Stay, Change)
        .api(
            M::POST,
            "/api/v1/stays/{id}/milestones",
            FILES,
            "Complete a milestone",
            doc("stays", Some("MilestoneDone"), "Stay", 200),
            api::stays::milestone,
        )
        .in_transaction(Stay, Change)
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
                !(r.person_data() && r.access == Access::Public),
                "{} {}",
                r.method,
                r.path
            );
            assert_eq!(r.path.starts_with("/api/"), r.api.is_some(), "{}", r.path);
        }
    }
}
