//! Who is asking, and may they: sessions and API tokens, the per-route permission from the
//! route table, CSRF on every form, the second factor, the access log for every view of a
//! person's data, and the security headers.
//!
//! The gate runs around every route. It looks the route up in the route table, so a route
//! cannot exist without a declared permission, and the same check covers a page and its API
//! twin. Handlers receive the [`Viewer`]; handlers of pages that show persons' data attach
//! [`Shown`] to their response, and the gate writes one access-log entry per person before
//! the response leaves the server.

pub mod secrets;
pub mod totp;

use crate::AppState;
use crate::error::{ApiError, HtmlError, WebError};
use crate::routes::{Access, AuditPoint, RouteInfo};
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use nabij_domain::access::{AuditAction, Role};
use nabij_domain::ids::PersonId;
use nabij_store::accounts::User;
use nabij_store::audit::{Access as Entry, Actor};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};

pub const SESSION_COOKIE: &str = "nabij_sessie";
/// Holds the CSRF token of the sign-in form, before there is a session.
pub const LOGIN_COOKIE: &str = "nabij_inlog";
/// Sessions are touched at most this often, to spare the database a write per request.
const TOUCH_EVERY_SECONDS: i64 = 60;
/// Largest form the CSRF check reads.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// How sign-in behaves; from the settings file.
#[derive(Clone)]
pub struct AuthSettings {
    /// A session ends after this long without a request.
    pub idle_minutes: i64,
    /// Mark cookies `Secure`; on when Nabij is served over TLS (also behind a proxy that
    /// says so with `X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
    /// The clock of sessions, sign-in throttling and one-time codes: real time, also when
    /// the clock of the domain is set (tests, replays).
    pub clock: crate::Clock,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            idle_minutes: 30,
            secure_cookies: false,
            clock: crate::Clock::system(),
        }
    }
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: User,
    /// SHA-256 of the session id; `None` when signed in with an API token.
    pub session: Option<String>,
    pub csrf: String,
    pub second_factor: bool,
    pub address: String,
    pub client: String,
    pub now: Timestamp,
}

impl Viewer {
    pub fn role(&self) -> Role {
        self.user.role
    }

    /// The provider whose files this user works in.
    pub fn provider(&self) -> i64 {
        self.user.provider_id
    }

    /// The user as the access log records them.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            username: self.user.username.clone(),
            role: self.user.role.code().into(),
            on_behalf_of: self.user.display_name.clone(),
            organisation_id: Some(self.user.organisation_id),
            address: self.address.clone(),
            client: self.client.clone(),
            at: self.now,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or_else(|| StatusCode::UNAUTHORIZED.into_response())
    }
}

/// Where a role starts after signing in.
pub fn start_page(role: Role) -> &'static str {
    match role {
        Role::Coordinator => "/",
        Role::Professional => "/personen",
        Role::MainResident => "/mijn-huis",
        Role::Buddy => "/mijn-maatje",
        Role::Partner => "/onze-aanmeldingen",
        Role::Admin => "/beheer/gebruikers",
    }
}

/// The persons whose data a response shows; the gate logs a view of each.
#[derive(Debug, Clone, Default)]
pub struct Shown(pub Vec<PersonId>);

/// Attaches the persons a response shows.
pub fn shown(response: impl IntoResponse, persons: impl IntoIterator<Item = PersonId>) -> Response {
    let mut r = response.into_response();
    let mut ids: Vec<PersonId> = persons.into_iter().collect();
    ids.sort_by_key(|p| p.0);
    ids.dedup();
    r.extensions_mut().insert(Shown(ids));
    r
}

/// What templates need of the signed-in user: the menu and the CSRF field.
#[derive(Debug, Clone)]
pub struct Current {
    pub name: String,
    pub role: Role,
    pub role_label: &'static str,
    pub csrf: String,
}

tokio::task_local! {
    static CURRENT: Option<Current>;
}

/// The signed-in user of the request being rendered, if any.
pub fn current() -> Option<Current> {
    CURRENT.try_with(Clone::clone).ok().flatten()
}

/// The CSRF token for forms of the request being rendered.
pub fn csrf_token() -> String {
    current().map(|c| c.csrf).unwrap_or_default()
}

/// Whether the signed-in user has `role` (for the menu).
pub fn has_role(role: &str) -> bool {
    current().is_some_and(|c| c.role.code() == role)
}

static ROUTES: LazyLock<HashMap<(Method, &'static str), RouteInfo>> = LazyLock::new(|| {
    crate::routes::table()
        .routes
        .into_iter()
        .map(|r| ((r.method.clone(), r.path), r))
        .collect()
});

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn client_of(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("onbekend")
        .chars()
        .take(200)
        .collect()
}

pub fn address_of(req: &Request) -> String {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "onbekend".into())
}

/// A `Set-Cookie` value; `Secure` when the settings or the proxy say the site runs on TLS.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are hex")
}

pub fn is_tls(settings: &AuthSettings, headers: &HeaderMap) -> bool {
    settings.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn denied(api: bool, status: StatusCode, detail: &str) -> Response {
    let e = match status {
        StatusCode::UNAUTHORIZED => WebError::Unauthorized(detail.into()),
        _ => WebError::Forbidden(detail.into()),
    };
    if api {
        ApiError(e).into_response()
    } else {
        HtmlError(e).into_response()
    }
}

/// Finds the signed-in user: a session cookie for pages (and the API from the browser), a
/// bearer token for the API.
async fn identify(
    state: &AppState,
    headers: &HeaderMap,
    address: String,
    api: bool,
) -> Result<Option<Viewer>, Response> {
    let now = state.clock.now();
    let real_now = state.auth.clock.now();
    let client = client_of(headers);
    if api
        && let Some(token) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
    {
        let user = state
            .db
            .user_by_api_token(&secrets::token_hash(token.trim()), real_now)
            .await
            .map_err(|e| ApiError(e.into()).into_response())?;
        return match user {
            Some(user) => Ok(Some(Viewer {
                // A token is made in a session that passed the second factor, if required.
                second_factor: true,
                user,
                session: None,
                csrf: String::new(),
                address,
                client,
                now,
            })),
            None => Err(denied(
                true,
                StatusCode::UNAUTHORIZED,
                "deze API-sleutel is onbekend of ingetrokken",
            )),
        };
    }
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = secrets::token_hash(id);
    let session = state
        .db
        .session(&hash)
        .await
        .map_err(|e| HtmlError(e.into()).into_response())?;
    let Some(s) = session else { return Ok(None) };
    let idle = real_now.duration_since(s.last_seen_at).as_secs();
    if !s.user.active || idle > state.auth.idle_minutes * 60 {
        let _ = state.db.end_session(&hash).await;
        return Ok(None);
    }
    if idle > TOUCH_EVERY_SECONDS {
        state
            .db
            .touch_session(&hash, real_now)
            .await
            .map_err(|e| HtmlError(e.into()).into_response())?;
    }
    Ok(Some(Viewer {
        user: s.user,
        session: Some(hash),
        csrf: s.csrf_token,
        second_factor: s.second_factor,
        address,
        client,
        now,
    }))
}

/// Paths a signed-in user may reach before the second factor is confirmed.
fn before_second_factor(path: &str) -> bool {
    matches!(
        path,
        "/inloggen/code" | "/uitloggen" | "/account/tweede-factor" | "/static/style.css"
    )
}

/// The gate: identification, permission, second factor, CSRF, and the access log of views.
pub async fn gate(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let method = req.method().clone();
    // HEAD is answered by the GET handler, so it passes the GET route's checks.
    let declared = if method == Method::HEAD {
        Method::GET
    } else {
        method.clone()
    };
    let Some(route) = ROUTES.get(&(declared, path.as_str())).cloned() else {
        // Nothing runs without a declared permission.
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    };
    let api = is_api(&path);
    let headers = req.headers().clone();
    let viewer = match identify(&state, &headers, address_of(&req), api).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let current = viewer.as_ref().map(|v| Current {
        name: v.user.display_name.clone(),
        role: v.user.role,
        role_label: nabij_domain::labels::Label::label(&v.user.role),
        csrf: v.csrf.clone(),
    });
    if route.access == Access::Public {
        let mut req = req;
        if let Some(v) = viewer {
            req.extensions_mut().insert(v);
        }
        return CURRENT.scope(current, next.run(req)).await;
    }
    let Some(viewer) = viewer else {
        if api {
            return denied(
                true,
                StatusCode::UNAUTHORIZED,
                "log in of gebruik een API-sleutel",
            );
        }
        let back = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let target = if method == Method::GET { back } else { "/" };
        return Redirect::to(&format!(
            "/inloggen?terug={}",
            crate::pages::urlencode(target)
        ))
        .into_response();
    };

    let file_id = person_in_path(&path, req.uri().path());
    if !route.access.allows(viewer.role()) {
        if let Some(id) = file_id {
            log_refusal(&state, &viewer, &route, id, &method, &path).await;
        }
        return denied(
            api,
            StatusCode::FORBIDDEN,
            "Je hebt met deze rol geen toegang tot deze pagina.",
        );
    }

    // The second factor: confirmed when enabled; set up first when the role or route needs it.
    if !viewer.second_factor && !before_second_factor(&path) {
        if viewer.user.totp_enabled {
            return redirect_or_deny(
                api,
                "/inloggen/code",
                "bevestig eerst de code van je tweede factor",
            );
        }
        if viewer.role().needs_second_factor() || route.second_factor {
            return redirect_or_deny(
                api,
                "/account/tweede-factor",
                "stel eerst een tweede factor in",
            );
        }
    }

    // CSRF: every form that changes something carries the session's token.
    let mut req = req;
    if method != Method::GET && method != Method::HEAD {
        if api {
            let json = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            // A token request carries no ambient credentials; a browser's JSON request with the
            // session cookie needs a preflight no other site can pass.
            if viewer.session.is_some() && !json {
                return denied(true, StatusCode::FORBIDDEN, "stuur JSON (application/json)");
            }
        } else {
            let (parts, body) = req.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
                return denied(
                    false,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Dit formulier is te groot.",
                );
            };
            let form = crate::forms::Form::parse(&bytes);
            if !secrets::same(form.value("_csrf"), &viewer.csrf) {
                return denied(
                    false,
                    StatusCode::FORBIDDEN,
                    "Dit formulier is verlopen of komt niet van Nabij. Ga terug, laad de pagina opnieuw en probeer het nog eens.",
                );
            }
            req = Request::from_parts(parts, Body::from(bytes));
        }
    }

    req.extensions_mut().insert(viewer.clone());
    let mut response = CURRENT.scope(current, next.run(req)).await;

    // A refused attempt at someone's file is logged too, with its outcome.
    if let Some(id) = file_id
        && matches!(
            response.status(),
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        )
    {
        log_refusal(&state, &viewer, &route, id, &method, &path).await;
    }

    // The access log of views: before any byte of the data leaves.
    // A change that shows its form again (with errors) is a view of what it shows.
    let logged = match route.audit {
        Some(AuditPoint::OnView(category, action)) => Some((category, action)),
        Some(AuditPoint::InTransaction(category, _)) => Some((category, AuditAction::View)),
        None => None,
    };
    let shown_persons = response.extensions_mut().remove::<Shown>();
    if let (Some((category, action)), Some(Shown(persons))) = (logged, shown_persons)
        && (response.status().is_success() || response.status() == StatusCode::UNPROCESSABLE_ENTITY)
    {
        let detail = format!("{} {}", method, path);
        let entries: Vec<Entry> = persons
            .into_iter()
            .map(|p| Entry::new(p, category, action, detail.clone()))
            .collect();
        if let Err(e) = state.db.log_access(&viewer.actor(), &entries).await {
            tracing::error!(error = %e, "access log write failed; response withheld");
            let e = WebError::Internal(e);
            return if api {
                ApiError(e).into_response()
            } else {
                HtmlError(e).into_response()
            };
        }
    }
    response
}

/// Logs a refused attempt at an existing person's file, with outcome `denied`.
async fn log_refusal(
    state: &AppState,
    viewer: &Viewer,
    route: &RouteInfo,
    id: PersonId,
    method: &Method,
    path: &str,
) {
    let Some(point) = route.audit else { return };
    if state.db.person(id).await.is_err() {
        return;
    }
    let (category, action) = match point {
        AuditPoint::OnView(c, a) | AuditPoint::InTransaction(c, a) => (c, a),
    };
    let entry = Entry {
        outcome: "denied",
        ..Entry::new(id, category, action, format!("{method} {path}"))
    };
    if let Err(e) = state.db.log_access(&viewer.actor(), &[entry]).await {
        tracing::error!(error = %e, "access log write failed for a refused attempt");
    }
}

/// The person whose file a path names (`/personen/12…`, `/api/v1/persons/12`), if any.
fn person_in_path(pattern: &str, path: &str) -> Option<PersonId> {
    let index = pattern.split('/').position(|seg| seg == "{id}")?;
    if !(pattern.starts_with("/personen/") || pattern.starts_with("/api/v1/persons/")) {
        return None;
    }
    path.split('/').nth(index)?.parse().ok().map(PersonId)
}

fn redirect_or_deny(api: bool, to: &str, why: &str) -> Response {
    if api {
        denied(true, StatusCode::FORBIDDEN, why)
    } else {
        Redirect::to(to).into_response()
    }
}

/// Security headers on every response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages with persons' data are not kept in shared or back-button caches.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}
