//! Who is asking, and may they: sessions and API tokens, the per-route permission from the
//! route table, CSRF on every form, the second factor, the access log for every view of a
//! person's data, and the security headers.
//!
//! The gate runs around every route. It looks the route up in the route table, so a route
//! cannot exist without a declared permission, and the same check covers a page and its API
//! twin. Handlers receive the [`Viewer`]; handlers of pages that show persons' data attach
//! [`Shown`] to their response, and the gate writes one access-log entry per person before
//! the response leaves the server.

use crate::WebState;
use crate::error::{ApiError, HtmlError, WebError};
use crate::routes::{AuditPoint, Permission, RouteInfo};
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use ipnet::IpNet;
use nabij_app::accounts::{Account, Identity};
use nabij_app::audit::Subject;
use nabij_app::{Caller, secrets};
use nabij_domain::access::{AuditAction, Role};
use nabij_domain::ids::PersonId;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, LazyLock};

pub const SESSION_COOKIE: &str = "nabij_sessie";
/// Holds the CSRF token of the sign-in form, before there is a session.
pub const LOGIN_COOKIE: &str = "nabij_inlog";
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
    /// Proxies whose `X-Forwarded-For` names the client; from anyone else it is ignored.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            idle_minutes: 30,
            secure_cookies: false,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Reads the trusted proxies of the settings: networks (`10.0.0.0/8`) or single addresses.
pub fn parse_trusted_proxies(entries: &[String]) -> Result<Vec<IpNet>, String> {
    entries
        .iter()
        .map(|e| {
            let e = e.trim();
            e.parse::<IpNet>()
                .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("'{e}' is geen IP-adres of netwerk (zoals 10.0.0.0/8)"))
        })
        .collect()
}

/// The client's address as the gate, the sign-in throttle and the access log see it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

/// The client behind `peer`: when `peer` is a trusted proxy, the rightmost address in
/// `X-Forwarded-For` that is not a trusted proxy itself (each proxy appends the address it
/// got the request from; only the entries added by trusted proxies can be believed).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // An entry that is not an address cannot be believed, nor anything left of it.
        let Ok(ip) = hop.parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// The signed-in user of a request: who they are, and the [`Caller`] the use cases take.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub identity: Identity,
    pub caller: Caller,
}

impl Viewer {
    pub fn role(&self) -> Role {
        self.identity.account.role
    }

    pub fn account(&self) -> &Account {
        &self.identity.account
    }

    /// SHA-256 of the session id; `None` when signed in with an API key.
    pub fn session(&self) -> Option<&str> {
        self.identity.session.as_deref()
    }

    pub fn csrf(&self) -> &str {
        &self.identity.csrf
    }

    pub fn address(&self) -> &str {
        &self.caller.address
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
        Role::Client => "/mijn-verblijf",
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
    /// Open signals in the user's inbox they have not opened (professionals, coordinators).
    pub signals_unread: i64,
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

/// The main menu of the signed-in user: (path, label, nav key).
pub fn menu() -> Vec<(&'static str, &'static str, &'static str)> {
    current()
        .map(|c| crate::routes::menu(c.role))
        .unwrap_or_default()
}

static ROUTES: LazyLock<HashMap<(Method, &'static str), RouteInfo>> = LazyLock::new(|| {
    crate::routes::table()
        .routes
        .into_iter()
        .map(|r| ((r.method.clone(), r.path), r))
        .collect()
});

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
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
    if let Some(ClientAddress(ip)) = req.extensions().get::<ClientAddress>() {
        return ip.to_string();
    }
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
        _ => WebError::forbidden(detail),
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
    state: &WebState,
    headers: &HeaderMap,
    address: String,
    api: bool,
) -> Result<Option<Viewer>, Response> {
    let client = client_of(headers);
    let identity = if api
        && let Some(token) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
    {
        match nabij_app::accounts::identify_token(&state.app, token).await {
            Ok(Some(identity)) => identity,
            Ok(None) => {
                return Err(denied(
                    true,
                    StatusCode::UNAUTHORIZED,
                    "deze API-sleutel is onbekend of ingetrokken",
                ));
            }
            Err(e) => return Err(ApiError(e.into()).into_response()),
        }
    } else {
        let Some(id) = cookie(headers, SESSION_COOKIE) else {
            return Ok(None);
        };
        match nabij_app::accounts::identify_session(&state.app, id, state.auth.idle_minutes).await {
            Ok(Some(identity)) => identity,
            Ok(None) => return Ok(None),
            Err(e) => return Err(HtmlError(e.into()).into_response()),
        }
    };
    let caller = identity.account.caller(&address, &client);
    Ok(Some(Viewer { identity, caller }))
}

/// Paths a signed-in user may reach before the second factor is confirmed.
fn before_second_factor(path: &str) -> bool {
    matches!(
        path,
        "/inloggen/code" | "/uitloggen" | "/account/tweede-factor" | "/static/style.css"
    )
}

/// Paths a user signed in with a temporary password may reach before choosing their own.
fn before_own_password(path: &str) -> bool {
    matches!(
        path,
        "/account/wachtwoord" | "/uitloggen" | "/static/style.css"
    ) || before_second_factor(path)
}

/// The gate: identification, permission, second factor, CSRF, and the access log of views.
pub async fn gate(State(state): State<Arc<WebState>>, req: Request, next: Next) -> Response {
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
        let e = WebError::MethodNotAllowed;
        return if is_api(req.uri().path()) {
            ApiError(e).into_response()
        } else {
            HtmlError(e).into_response()
        };
    };
    let api = is_api(&path);
    let headers = req.headers().clone();
    let viewer = match identify(&state, &headers, address_of(&req), api).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let signals_unread = match &viewer {
        Some(v) if !api && method == Method::GET => {
            nabij_app::signals::unread(&state.app, &v.caller)
                .await
                .unwrap_or(0)
        }
        _ => 0,
    };
    let current = viewer.as_ref().map(|v| Current {
        name: v.account().display_name.clone(),
        role: v.role(),
        role_label: nabij_domain::labels::Label::label(&v.role()),
        csrf: v.csrf().to_owned(),
        signals_unread,
    });
    if route.access == Permission::Public {
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

    let file_id = route.subject(req.uri().path());
    if !route.access.allows(viewer.role()) {
        if let Some(id) = file_id {
            log_refusal(&state, &viewer, &route, id, &method, &path).await;
            // A cliënt guessing another person's record learns nothing: not even that the
            // route exists for others.
            if viewer.role() == Role::Client {
                let e = WebError::App(nabij_app::AppError::NotFound("pagina"));
                return if api {
                    ApiError(e).into_response()
                } else {
                    HtmlError(e).into_response()
                };
            }
        }
        return denied(
            api,
            StatusCode::FORBIDDEN,
            "Je hebt met deze rol geen toegang tot deze pagina.",
        );
    }

    // The second factor: confirmed when enabled; set up first when the role or route needs it.
    if !viewer.identity.second_factor && !before_second_factor(&path) {
        if viewer.account().totp_enabled {
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

    // A temporary password is replaced before anything else. (An API key is a credential of
    // its own, made after that or by the operator: it is not held up.)
    if viewer.account().must_change_password
        && viewer.session().is_some()
        && !before_own_password(&path)
    {
        return redirect_or_deny(
            api,
            "/account/wachtwoord",
            "kies eerst een eigen wachtwoord in plaats van het tijdelijke",
        );
    }

    // A list of persons writes an access-log entry per person: limited per user, the further
    // pages of a listing apart from the listings started (see `server::ListLimiter`).
    if route.rate_limited
        && let Err(retry_after) = state.lists.check(
            viewer.account().id.0,
            crate::server::continues_a_listing(req.uri().query()),
        )
    {
        let e = WebError::RateLimited { retry_after };
        return if api {
            ApiError(e).into_response()
        } else {
            HtmlError(e).into_response()
        };
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
            if viewer.session().is_some() && !json {
                return denied(true, StatusCode::FORBIDDEN, "stuur JSON (application/json)");
            }
        } else {
            let (parts, body) = req.into_parts();
            let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
                Ok(bytes) => bytes,
                Err(e) => return HtmlError(unreadable_body(&e, "Dit formulier")).into_response(),
            };
            let form = crate::forms::Form::parse(&bytes);
            if !secrets::same(form.value("_csrf"), viewer.csrf()) {
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
        if let Err(e) = nabij_app::audit::log_views(
            &state.app,
            &viewer.caller,
            &persons,
            category,
            action,
            &detail,
        )
        .await
        {
            tracing::error!(error = %e, "access log write failed; response withheld");
            let e = WebError::from(e);
            return if api {
                ApiError(e).into_response()
            } else {
                HtmlError(e).into_response()
            };
        }
    }
    response
}

/// Why a request body could not be read: too large, or too slow (`what` is Dutch, e.g.
/// "Dit formulier").
pub fn unreadable_body(e: &axum::Error, what: &str) -> WebError {
    if crate::server::timed_out(e) {
        WebError::RequestTimeout(format!(
            "{what} kwam niet op tijd binnen. Probeer het opnieuw."
        ))
    } else {
        WebError::TooLarge(format!(
            "{what} is groter dan Nabij aanneemt. Maak de tekst korter en probeer het opnieuw."
        ))
    }
}

/// Logs a refused attempt at an existing person's data, with outcome `denied`.
async fn log_refusal(
    state: &WebState,
    viewer: &Viewer,
    route: &RouteInfo,
    id: Subject,
    method: &Method,
    path: &str,
) {
    let Some(point) = route.audit else { return };
    let (category, action) = match point {
        AuditPoint::OnView(c, a) | AuditPoint::InTransaction(c, a) => (c, a),
    };
    let detail = format!("{method} {path}");
    if let Err(e) =
        nabij_app::audit::log_refusal(&state.app, &viewer.caller, id, category, action, &detail)
            .await
    {
        tracing::error!(error = %e, "access log write failed for a refused attempt");
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = parse_trusted_proxies(&["10.0.0.0/8".into(), "192.0.2.1".into()]).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // From the internet directly: the header is the client's own claim.
        assert_eq!(
            client_ip(ip("198.51.100.7"), &forwarded("203.0.113.5"), &trusted),
            ip("198.51.100.7")
        );
        // Through the proxy: the rightmost hop that is not a trusted proxy.
        assert_eq!(
            client_ip(ip("10.1.2.3"), &forwarded("203.0.113.5"), &trusted),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_ip(
                ip("10.1.2.3"),
                &forwarded("1.1.1.1, 203.0.113.5, 10.9.9.9"),
                &trusted
            ),
            ip("203.0.113.5"),
            "a client cannot choose its address by sending the header itself"
        );
        assert_eq!(
            client_ip(
                ip("192.0.2.1"),
                &forwarded("nonsense, 203.0.113.5"),
                &trusted
            ),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_ip(
                ip("10.1.2.3"),
                &forwarded("203.0.113.5, nonsense"),
                &trusted
            ),
            ip("10.1.2.3")
        );
        assert_eq!(
            client_ip(ip("10.1.2.3"), &HeaderMap::new(), &trusted),
            ip("10.1.2.3")
        );
        assert!(parse_trusted_proxies(&["10.0.0.0/33".into()]).is_err());
        assert!(parse_trusted_proxies(&["proxy.local".into()]).is_err());
    }
}
