//! Every route in one table: method, path, who may use it, whether it touches a person's
//! data, and (for the API) what it takes and gives. The router and the OpenAPI document are
//! both built from this table, so neither can drift from the other, and a route cannot be
//! added without declaring its access.

use crate::WebState;
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, on};
use nabij_domain::access::{AuditAction, DataCategory, Role};
use serde::Serialize;
use std::sync::Arc;

/// What every handler can reach.
pub type Web = Arc<WebState>;

/// Who may use a route. The gate in [`crate::auth`] enforces it for pages and API alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Anyone, signed in or not: sign-in, style sheet, health, API description.
    Public,
    /// Every signed-in user (their start page, their own account).
    SignedIn,
    /// Users with one of these roles.
    Roles(&'static [Role]),
}

impl Permission {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Permission::Public | Permission::SignedIn => true,
            Permission::Roles(roles) => roles.contains(&role),
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

pub(crate) const PUBLIC: Permission = Permission::Public;
pub(crate) const SIGNED_IN: Permission = Permission::SignedIn;
pub(crate) const COORDINATOR: Permission = Permission::Roles(&[Role::Coordinator]);
/// Persons' files: coordinators, and professionals for their own caseload.
pub(crate) const FILES: Permission = Permission::Roles(&[Role::Coordinator, Role::Professional]);
/// Homes and their places: coordinators and administrators.
pub(crate) const HOMES: Permission = Permission::Roles(&[Role::Coordinator, Role::Admin]);
/// Aggregates: reports and the capacity planner.
pub(crate) const PLANNING: Permission = Permission::Roles(&[Role::Coordinator, Role::Admin]);
pub(crate) const MAIN_RESIDENT: Permission = Permission::Roles(&[Role::MainResident]);
pub(crate) const BUDDY: Permission = Permission::Roles(&[Role::Buddy]);
pub(crate) const PARTNER: Permission = Permission::Roles(&[Role::Partner]);
pub(crate) const ADMIN: Permission = Permission::Roles(&[Role::Admin]);

/// Writes a type's JSON Schema (a reference to it, when it is a named component) with the
/// generator of the OpenAPI document.
pub type SchemaFn = fn(&mut schemars::SchemaGenerator) -> schemars::Schema;

fn schema_of<T: schemars::JsonSchema>(
    generator: &mut schemars::SchemaGenerator,
) -> schemars::Schema {
    generator.subschema_for::<T>()
}

/// API documentation of a route: the schemas come from the Rust types the handler takes
/// and answers, so the document cannot drift from what is sent.
#[derive(Debug, Clone, Copy)]
pub struct ApiDoc {
    pub tag: &'static str,
    /// The JSON body it takes (read as the handler deserialises it).
    pub request: Option<SchemaFn>,
    /// The query string it takes, as an object whose properties are the parameters.
    pub query: Option<SchemaFn>,
    /// The JSON body of its success answer (as the handler serialises it).
    pub response: SchemaFn,
    pub status: u16,
}

impl ApiDoc {
    /// The route takes a JSON body of type `T`.
    pub(crate) fn takes<T: schemars::JsonSchema>(mut self) -> Self {
        self.request = Some(schema_of::<T>);
        self
    }

    /// The route reads its query string into `T`.
    pub(crate) fn query<T: schemars::JsonSchema>(mut self) -> Self {
        self.query = Some(schema_of::<T>);
        self
    }
}

#[derive(Debug, Clone)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub access: Permission,
    /// Needs the second factor confirmed in the session, whatever the role.
    pub second_factor: bool,
    /// How it touches persons' data, if it does.
    pub audit: Option<AuditPoint>,
    pub summary: &'static str,
    pub api: Option<ApiDoc>,
    /// Shown in the main menu of the roles that may use it.
    pub menu: Option<MenuItem>,
    /// Limited per user (`[server] list_requests_per_minute`): it lists persons, and each
    /// one shown is an access-log entry. Over the limit it answers 429 with `Retry-After`.
    pub rate_limited: bool,
}

impl RouteInfo {
    /// Reads or changes a person's data.
    pub fn person_data(&self) -> bool {
        self.audit.is_some()
    }

    /// The record of a person a request on this route names, for logging a refusal: the
    /// route touches persons' data (it has an audit point) and its `{id}` is a person, a
    /// stay or a referral.
    pub fn subject(&self, path: &str) -> Option<nabij_app::audit::Subject> {
        use nabij_app::audit::Subject;
        use nabij_domain::ids::{PersonId, ReferralId, StayId};
        self.audit?;
        let index = self.path.split('/').position(|seg| seg == "{id}")?;
        let id: i64 = path.split('/').nth(index)?.parse().ok()?;
        let base = self.path.split("/{id}").next()?;
        match base {
            "/personen" | "/api/v1/persons" => Some(Subject::Person(PersonId(id))),
            "/verblijven" | "/api/v1/stays" => Some(Subject::Stay(StayId(id))),
            "/aanmeldingen"
            | "/api/v1/referrals"
            | "/onze-aanmeldingen"
            | "/api/v1/partner/referrals" => Some(Subject::Referral(ReferralId(id))),
            "/signalen" | "/api/v1/signals" => Some(Subject::Signal(id)),
            "/koppelingen" | "/mijn-maatje" | "/api/v1/matches" => Some(Subject::Match(id)),
            _ => None,
        }
    }
}

pub struct RouteTable {
    pub routes: Vec<RouteInfo>,
    router: Router<Web>,
}

impl RouteTable {
    pub(crate) fn new() -> Self {
        Self {
            routes: Vec::new(),
            router: Router::new(),
        }
    }

    fn add<H, T>(
        mut self,
        method: Method,
        path: &'static str,
        access: Permission,
        summary: &'static str,
        api: Option<ApiDoc>,
        handler: H,
    ) -> Self
    where
        H: Handler<T, Web>,
        T: 'static,
    {
        let filter = axum::routing::MethodFilter::try_from(method.clone())
            .expect("only standard methods are routed");
        let mr: MethodRouter<Web> = on(filter, handler);
        self.router = self.router.route(path, mr);
        self.routes.push(RouteInfo {
            method,
            path,
            access,
            second_factor: false,
            audit: None,
            summary,
            api,
            menu: None,
            rate_limited: false,
        });
        self
    }

    fn last(&mut self) -> &mut RouteInfo {
        self.routes.last_mut().expect("a route was just added")
    }

    /// The route shows persons' data: the gate logs each person shown. A list of persons
    /// (an overview) is rate-limited per user.
    pub(crate) fn on_view(mut self, category: DataCategory, action: AuditAction) -> Self {
        self.last().audit = Some(AuditPoint::OnView(category, action));
        self.last().rate_limited = category == DataCategory::Overview;
        self
    }

    /// The route changes persons' data: the store logs it with the change.
    pub(crate) fn in_transaction(mut self, category: DataCategory, action: AuditAction) -> Self {
        self.last().audit = Some(AuditPoint::InTransaction(category, action));
        self
    }

    /// The route needs the second factor, whatever the role.
    pub(crate) fn second_factor(mut self) -> Self {
        self.last().second_factor = true;
        self
    }

    /// A page or form action.
    pub(crate) fn page<H: Handler<T, Web>, T: 'static>(
        self,
        method: Method,
        path: &'static str,
        access: Permission,
        summary: &'static str,
        handler: H,
    ) -> Self {
        self.add(method, path, access, summary, None, handler)
    }

    /// A JSON API route.
    pub(crate) fn api<H: Handler<T, Web>, T: 'static>(
        self,
        method: Method,
        path: &'static str,
        access: Permission,
        summary: &'static str,
        doc: ApiDoc,
        handler: H,
    ) -> Self {
        self.add(method, path, access, summary, Some(doc), handler)
    }

    /// The page is an item of the main menu.
    pub(crate) fn menu(mut self, label: &'static str, nav: &'static str) -> Self {
        self.last().menu = Some(MenuItem {
            label,
            only: None,
            label_for: None,
            nav,
        });
        self
    }

    /// The menu item is shown to fewer roles than may use the route.
    pub(crate) fn menu_only(mut self, only: Permission) -> Self {
        if let Some(m) = &mut self.last().menu {
            m.only = Some(only);
        }
        self
    }

    /// The menu item has another label for one role.
    pub(crate) fn menu_label_for(mut self, role: Role, label: &'static str) -> Self {
        if let Some(m) = &mut self.last().menu {
            m.label_for = Some((role, label));
        }
        self
    }

    pub fn into_router(self) -> Router<Web> {
        self.router.fallback(crate::pages::not_found)
    }
}

/// An API route's documentation: it answers `status` with a `T`.
pub(crate) fn doc<T: schemars::JsonSchema>(tag: &'static str, status: u16) -> ApiDoc {
    ApiDoc {
        tag,
        request: None,
        query: None,
        response: schema_of::<T>,
        status,
    }
}

/// The route table of Nabij: each area's fragment, merged.
pub fn table() -> RouteTable {
    let t = RouteTable::new();
    let t = crate::meta::routes(t);
    let t = crate::dashboard::routes(t);
    let t = crate::intake::routes(t);
    let t = crate::persons::routes(t);
    let t = crate::guidance::routes(t);
    let t = crate::client::routes(t);
    let t = crate::stays::routes(t);
    let t = crate::homes::routes(t);
    let t = crate::reports::routes(t);
    let t = crate::capacity::routes(t);
    let t = crate::volunteers::routes(t);
    let t = crate::signals::routes(t);
    let t = crate::buddies::routes(t);
    let t = crate::partners::routes(t);
    let t = crate::outflow::routes(t);
    let t = crate::accounts::admin_routes(t);
    let t = crate::audit::routes(t);
    let t = crate::accounts::routes(t);
    crate::geography::routes(t)
}

/// A menu item: the Dutch label, and the `nav` key of the pages that belong to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MenuItem {
    pub label: &'static str,
    /// Shown to these roles only; else to every role the route allows.
    pub only: Option<Permission>,
    /// A different label for one role ("Mijn cliënten" for a professional).
    pub label_for: Option<(Role, &'static str)>,
    pub nav: &'static str,
}

/// The main menu of a role: every page route with a menu item that the role may use, in
/// the order of the table.
pub fn menu(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    MENU.iter()
        .filter(|(_, access, item)| item.only.unwrap_or(*access).allows(role))
        .map(|(path, _, item)| {
            let label = match item.label_for {
                Some((r, l)) if r == role => l,
                _ => item.label,
            };
            (*path, label, item.nav)
        })
        .collect()
}

static MENU: std::sync::LazyLock<Vec<(&'static str, Permission, MenuItem)>> =
    std::sync::LazyLock::new(|| {
        table()
            .routes
            .into_iter()
            .filter_map(|r| Some((r.path, r.access, r.menu?)))
            .collect()
    });

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
                !(r.person_data() && r.access == Permission::Public),
                "{} {}",
                r.method,
                r.path
            );
            assert_eq!(r.path.starts_with("/api/"), r.api.is_some(), "{}", r.path);
        }
    }

    #[test]
    fn every_route_on_a_persons_record_names_its_subject_for_refusals() {
        for r in table().routes {
            let homes = r.path.starts_with("/huizen/") || r.path.starts_with("/api/v1/homes/");
            // Offers and omklap homes are not a person's record.
            let homes = homes
                || [
                    "/woningaanbod/",
                    "/omklapwoningen/",
                    "/api/v1/offers/",
                    "/api/v1/flips/",
                ]
                .iter()
                .any(|p| r.path.starts_with(p));
            if r.person_data() && r.path.contains("{id}") && !homes {
                let path = r.path.replace("{id}", "7").replace("{consent}", "3");
                assert!(r.subject(&path).is_some(), "{} {}", r.method, r.path);
            }
            assert!(r.subject("/personen/abc").is_none());
        }
    }
}
