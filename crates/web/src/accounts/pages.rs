//! Signing in and out, the second factor, and personal API keys.

use crate::auth::{self, LOGIN_COOKIE, SESSION_COOKIE, Viewer, set_cookie, start_page};
use crate::error::HtmlError;
use crate::extract::Path;
use crate::forms::Form;
use crate::pages::{page, see_other};
use crate::routes::Web;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, Request, State as S};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use nabij_app::AppError;
use nabij_app::accounts::{self, ApiToken, CodeCheck, Enable, SignIn};
use nabij_app::secrets::{random_hex, same};
use nabij_domain::ids::ApiTokenId;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub nav: &'static str,
    pub csrf: String,
    pub username: String,
    pub back: String,
    pub error: Option<&'static str>,
    /// No account exists yet: say how the first one is made.
    pub fresh: bool,
}

/// Where to go after signing in: a page of this site, that is the path of a GET route of
/// the route table (a number where the route has an id) with at most a plain query.
/// Anything else (another host in disguise, control characters, encoded slashes) is no
/// target at all, and the user lands on their start page.
fn safe_back(back: &str) -> String {
    let (path, query) = back.split_once('?').unwrap_or((back, ""));
    let plain_query = query
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~=&%+,".contains(&b));
    if plain_query && PAGES.iter().any(|pattern| path_matches(pattern, path)) {
        back.to_owned()
    } else {
        String::new()
    }
}

/// The paths of the pages one can be sent back to.
static PAGES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    crate::routes::table()
        .routes
        .into_iter()
        .filter(|r| r.method == axum::http::Method::GET && !r.path.starts_with("/api/"))
        .map(|r| r.path)
        .collect()
});

/// `path` is `pattern` with a number for each `{…}` segment.
fn path_matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.starts_with('{') => {
                if g.is_empty() || g.len() > 18 || !g.bytes().all(|b| b.is_ascii_digit()) {
                    return false;
                }
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

fn login_page(
    csrf: String,
    username: String,
    back: String,
    error: Option<&'static str>,
    secure: bool,
) -> Response {
    login_page_with(csrf, username, back, error, secure, false)
}

fn login_page_with(
    csrf: String,
    username: String,
    back: String,
    error: Option<&'static str>,
    secure: bool,
    fresh: bool,
) -> Response {
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let mut r = (
        status,
        page(&LoginPage {
            nav: "",
            csrf: csrf.clone(),
            username,
            back,
            error,
            fresh,
        }),
    )
        .into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_COOKIE, &csrf, Some(3600), secure),
    );
    r
}

pub async fn login_form(
    S(state): S<Web>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let back = safe_back(q.get("terug").map(String::as_str).unwrap_or(""));
    let fresh = !accounts::has_users(&state.app).await;
    login_page_with(
        random_hex(32),
        String::new(),
        back,
        None,
        auth::is_tls(&state.auth, &headers),
        fresh,
    )
}

pub async fn login(S(state): S<Web>, req: Request) -> Result<Response, HtmlError> {
    let address = auth::address_of(&req);
    let client = auth::client_of(req.headers());
    let secure = auth::is_tls(&state.auth, req.headers());
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|e| auth::unreadable_body(&e, "Dit formulier"))?;
    let form = Form::parse(&body);
    let username = form.value("username").trim().to_lowercase();
    let back = safe_back(form.value("terug"));
    let fresh = random_hex(32);

    // The sign-in form's own CSRF token, in a cookie and in the form.
    let cookie_token = auth::cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if cookie_token.is_empty() || !same(cookie_token, form.value("_csrf")) {
        return Ok(login_page(
            fresh,
            username,
            back,
            Some("Het formulier was verlopen. Probeer het nog eens."),
            secure,
        ));
    }
    let old = auth::cookie(&headers, SESSION_COOKIE);
    let signed_in = accounts::sign_in(
        &state.app,
        &username,
        form.value("password"),
        &address,
        &client,
        old,
    )
    .await?;
    let (session_id, role, totp_enabled) = match signed_in {
        SignIn::Locked => {
            return Ok(login_page(
                fresh,
                username,
                back,
                Some("Te veel mislukte pogingen. Probeer het over een kwartier opnieuw."),
                secure,
            ));
        }
        SignIn::InvitationExpired => {
            return Ok(login_page(
                fresh,
                username,
                back,
                Some(
                    "Deze code is verlopen. Vraag je begeleider of de coördinator om een nieuwe code.",
                ),
                secure,
            ));
        }
        SignIn::Wrong => {
            return Ok(login_page(
                fresh,
                username,
                back,
                Some("Gebruikersnaam of wachtwoord klopt niet."),
                secure,
            ));
        }
        SignIn::SignedIn {
            session_id,
            role,
            totp_enabled,
        } => (session_id, role, totp_enabled),
    };
    let target = if totp_enabled {
        format!("/inloggen/code?terug={}", crate::pages::urlencode(&back))
    } else if back.is_empty() {
        start_page(role).to_owned()
    } else {
        back
    };
    let mut r = Redirect::to(&target).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &session_id, None, secure),
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_COOKIE, "", Some(0), secure),
    );
    Ok(r)
}

pub async fn logout(
    S(state): S<Web>,
    viewer: Viewer,
    headers: HeaderMap,
) -> Result<Response, HtmlError> {
    if let Some(s) = viewer.session() {
        accounts::sign_out(&state.app, s).await?;
    }
    let mut r = see_other("/inloggen", "");
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            "",
            Some(0),
            auth::is_tls(&state.auth, &headers),
        ),
    );
    Ok(r)
}

#[derive(Template)]
#[template(path = "code.html")]
pub struct CodePage {
    pub nav: &'static str,
    pub back: String,
    pub error: Option<&'static str>,
}

pub async fn code_form(viewer: Viewer, Query(q): Query<HashMap<String, String>>) -> Response {
    if viewer.identity.second_factor || !viewer.account().totp_enabled {
        return Redirect::to(start_page(viewer.role())).into_response();
    }
    let back = safe_back(q.get("terug").map(String::as_str).unwrap_or(""));
    page(&CodePage {
        nav: "",
        back,
        error: None,
    })
}

/// The second step of signing in: a code from the authenticator, or a recovery code.
pub async fn code(S(state): S<Web>, viewer: Viewer, body: Bytes) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let back = safe_back(form.value("terug"));
    let check = accounts::confirm_code(
        &state.app,
        &viewer.identity,
        viewer.address(),
        form.value("code"),
    )
    .await?;
    let error = match check {
        CodeCheck::Confirmed => {
            return Ok(see_other(
                if back.is_empty() {
                    start_page(viewer.role())
                } else {
                    &back
                },
                "",
            ));
        }
        CodeCheck::Locked => "Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.",
        CodeCheck::Wrong => "Deze code klopt niet. Neem de code die je app nu laat zien.",
    };
    Ok((
        StatusCode::UNAUTHORIZED,
        page(&CodePage {
            nav: "",
            back,
            error: Some(error),
        }),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "second_factor.html")]
pub struct SecondFactorPage {
    pub nav: &'static str,
    pub secret: String,
    pub qr: String,
    pub error: Option<&'static str>,
    pub recovery: Vec<String>,
    pub enabled: bool,
}

/// Setting up the second factor: a secret, shown as a QR code drawn by the server.
pub async fn second_factor_form(S(state): S<Web>, viewer: Viewer) -> Result<Response, HtmlError> {
    let page_data = match accounts::begin_second_factor(&state.app, &viewer.identity).await? {
        None => SecondFactorPage {
            nav: "account",
            secret: String::new(),
            qr: String::new(),
            error: None,
            recovery: Vec::new(),
            enabled: true,
        },
        Some(e) => SecondFactorPage {
            nav: "account",
            secret: e.secret,
            qr: e.qr_svg,
            error: None,
            recovery: Vec::new(),
            enabled: false,
        },
    };
    Ok(page(&page_data))
}

pub async fn second_factor(
    S(state): S<Web>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    match accounts::enable_second_factor(&state.app, &viewer.identity, form.value("code")).await? {
        Enable::NotStarted => Ok(Redirect::to("/account/tweede-factor").into_response()),
        Enable::Wrong(e) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&SecondFactorPage {
                nav: "account",
                secret: e.secret,
                qr: e.qr_svg,
                error: Some("Deze code klopt niet. Neem de code die je app nu laat zien."),
                recovery: Vec::new(),
                enabled: false,
            }),
        )
            .into_response()),
        // The recovery codes are shown this once.
        Enable::Enabled(recovery) => Ok(page(&SecondFactorPage {
            nav: "account",
            secret: String::new(),
            qr: String::new(),
            error: None,
            recovery,
            enabled: true,
        })),
    }
}

#[derive(Template)]
#[template(path = "tokens.html")]
pub struct TokensPage {
    pub nav: &'static str,
    pub tokens: Vec<ApiToken>,
    pub pager: crate::paging::Pager,
    pub new_token: Option<String>,
    pub error: Option<&'static str>,
}

/// One page of the caller's keys and its pager.
async fn token_page(
    state: &Web,
    viewer: &Viewer,
    list: crate::accounts::admin::ListAt,
) -> Result<(Vec<ApiToken>, crate::paging::Pager), HtmlError> {
    let found = accounts::api_tokens_page(&state.app, &viewer.caller, &list.req).await?;
    let pager =
        crate::paging::Pager::new(&found, "/account/api-sleutels", &list.query, list.offset);
    Ok((found.items, pager))
}

pub async fn tokens(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let (tokens, pager) =
        token_page(&state, &viewer, crate::accounts::admin::ListAt::of(&q)?).await?;
    Ok(page(&TokensPage {
        nav: "account",
        tokens,
        pager,
        new_token: None,
        error: None,
    }))
}

pub async fn create_token(
    S(state): S<Web>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let created = accounts::create_api_token(&state.app, &viewer.caller, form.value("name")).await;
    let (tokens, pager) =
        token_page(&state, &viewer, crate::accounts::admin::ListAt::first()).await?;
    match created {
        // Shown this once; only its hash is kept.
        Ok(token) => Ok(page(&TokensPage {
            nav: "account",
            tokens,
            pager,
            new_token: Some(token),
            error: None,
        })),
        Err(AppError::Invalid(_)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&TokensPage {
                nav: "account",
                tokens,
                pager,
                new_token: None,
                error: Some(
                    "Geef de sleutel een naam (hoogstens 80 tekens), zodat je later weet waarvoor hij is.",
                ),
            }),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<ApiTokenId>,
) -> Result<Response, HtmlError> {
    accounts::revoke_api_token(&state.app, &viewer.caller, id).await?;
    Ok(see_other("/account/api-sleutels", ""))
}

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub nav: &'static str,
    pub form: Form,
    /// Signed in with a temporary password.
    pub must: bool,
}

pub async fn password_form(viewer: Viewer) -> Response {
    page(&PasswordPage {
        nav: "account",
        form: Form::default(),
        must: viewer.account().must_change_password,
    })
}

/// Changes the own password, then signs in again with it: a new session, the others ended.
pub async fn change_password(
    S(state): S<Web>,
    viewer: Viewer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let changed = accounts::change_password(
        &state.app,
        &viewer.identity,
        form.value("current"),
        form.value("new"),
        form.value("repeated"),
    )
    .await;
    match changed {
        Ok(()) => {}
        Err(AppError::Invalid(v)) => {
            form.add_violations(&v);
            let must = viewer.account().must_change_password;
            return Ok(crate::pages::invalid(&PasswordPage {
                nav: "account",
                form: Form::default().with_errors_of(&form),
                must,
            }));
        }
        Err(e) => return Err(e.into()),
    }
    let secure = auth::is_tls(&state.auth, &headers);
    let signed_in = accounts::sign_in(
        &state.app,
        &viewer.account().username,
        form.value("new"),
        viewer.address(),
        &viewer.caller.client,
        None,
    )
    .await?;
    let SignIn::SignedIn {
        session_id, role, ..
    } = signed_in
    else {
        return Ok(see_other("/inloggen", ""));
    };
    // With a second factor, the new session confirms it again.
    let target = if viewer.account().totp_enabled {
        "/inloggen/code"
    } else {
        start_page(role)
    };
    let mut r = see_other(target, "");
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &session_id, None, secure),
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::safe_back;

    #[test]
    fn only_pages_of_this_site_are_targets_after_signing_in() {
        for good in [
            "/",
            "/personen",
            "/personen/12",
            "/aanmeldingen/3?melding=geplaatst",
            "/personen/12/inzage",
            "/capaciteitsplanner?p_GM0632=4&doel=5",
        ] {
            assert_eq!(safe_back(good), good);
        }
        for bad in [
            "",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "/\tevil.example",
            "/%09/evil.example/personen",
            "/\t/evil.example",
            "/%2f%2fevil.example",
            "/%2F%2Fevil.example",
            "/%5cevil.example",
            "/%5Cevil.example",
            "/@evil.example",
            "/personen@evil.example",
            "/personen\r\nSet-Cookie: x=1",
            "/personen?x=\r\nLocation: //evil",
            "/personen\n",
            "/\u{2215}\u{2215}evil.example",
            "/\u{ff0f}evil.example",
            "/personen/\u{0661}",
            "javascript:alert(1)",
            "/javascript:alert(1)",
            "https://evil.example/personen",
            "http:/evil.example",
            "evil.example",
            "/.evil.example",
            "/personen/../../evil",
            "/personen/abc",
            "/personen/12#x",
            "/personen?terug=//evil.example/x?",
            "/api/v1/persons/12",
            "/onbekend",
        ] {
            assert_eq!(safe_back(bad), "", "{bad:?}");
        }
    }
}
