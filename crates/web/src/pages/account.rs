//! Signing in and out, the second factor, and personal API keys.

use super::{page, see_other};
use crate::auth::secrets::{hash_password, random_hex, same, token_hash, verify_password};
use crate::auth::{self, LOGIN_COOKIE, SESSION_COOKIE, Viewer, set_cookie, start_page, totp};
use crate::error::{HtmlError, WebError};
use crate::forms::Form;
use crate::routes::State;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State as S};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use nabij_store::accounts::ApiToken;
use std::collections::HashMap;

/// Failed logins that lock an account for the window, and an address.
const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
const MAX_FAILURES_PER_ADDRESS: i64 = 20;
const FAILURE_WINDOW_MINUTES: i64 = 15;

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

/// Only paths on this site, never `//other.site`.
fn safe_back(back: &str) -> String {
    if back.starts_with('/') && !back.starts_with("//") && !back.starts_with("/\\") {
        back.to_owned()
    } else {
        String::new()
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
    S(state): S<State>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let back = safe_back(q.get("terug").map(String::as_str).unwrap_or(""));
    let fresh = !state.db.has_users().await.unwrap_or(true);
    login_page_with(
        random_hex(32),
        String::new(),
        back,
        None,
        auth::is_tls(&state.auth, &headers),
        fresh,
    )
}

pub async fn login(S(state): S<State>, req: Request) -> Result<Response, HtmlError> {
    let now = state.auth.clock.now();
    let address = auth::address_of(&req);
    let client = auth::client_of(req.headers());
    let secure = auth::is_tls(&state.auth, req.headers());
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|_| WebError::BadRequest("dit formulier is te groot".into()))?;
    let form = Form::parse(&body);
    let username = form.value("username").trim().to_lowercase();
    let back = safe_back(form.value("terug"));
    let fresh = random_hex(32);

    // The sign-in form's own CSRF token, in a cookie and in the form.
    let cookie_token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == LOGIN_COOKIE)
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default();
    if cookie_token.is_empty() || !same(&cookie_token, form.value("_csrf")) {
        return Ok(login_page(
            fresh,
            username,
            back,
            Some("Het formulier was verlopen. Probeer het nog eens."),
            secure,
        ));
    }

    let since = now - jiff::SignedDuration::from_mins(FAILURE_WINDOW_MINUTES);
    let (by_user, by_address) = state
        .db
        .login_failures_since(&username, &address, since)
        .await?;
    if by_user >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS {
        return Ok(login_page(
            fresh,
            username,
            back,
            Some("Te veel mislukte pogingen. Probeer het over een kwartier opnieuw."),
            secure,
        ));
    }
    let user = state.db.user_by_username(&username).await?;
    // Verify against a dummy hash for unknown users, so the answer takes as long either way.
    let ok = verify_password(
        form.value("password"),
        user.as_ref().map(|u| u.password_hash.as_str()),
    );
    let user = match user {
        Some(u) if ok && u.active => u,
        _ => {
            state
                .db
                .record_login_failure(&username, &address, now)
                .await?;
            return Ok(login_page(
                fresh,
                username,
                back,
                Some("Gebruikersnaam of wachtwoord klopt niet."),
                secure,
            ));
        }
    };
    state.db.clear_login_failures(&username).await?;

    // A new session id at every sign-in: a session id planted before cannot be taken over.
    if let Some(old) = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned())
    {
        state.db.end_session(&token_hash(&old)).await?;
    }
    let id = random_hex(32);
    state
        .db
        .create_session(
            &token_hash(&id),
            user.id,
            &random_hex(32),
            now,
            &address,
            &client,
        )
        .await?;
    let target = if user.totp_enabled {
        format!("/inloggen/code?terug={}", super::urlencode(&back))
    } else if back.is_empty() {
        start_page(user.role).to_owned()
    } else {
        back
    };
    let mut r = Redirect::to(&target).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &id, None, secure),
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_COOKIE, "", Some(0), secure),
    );
    Ok(r)
}

pub async fn logout(
    S(state): S<State>,
    viewer: Viewer,
    headers: HeaderMap,
) -> Result<Response, HtmlError> {
    if let Some(s) = &viewer.session {
        state.db.end_session(s).await?;
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
    if viewer.second_factor || !viewer.user.totp_enabled {
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
pub async fn code(S(state): S<State>, viewer: Viewer, body: Bytes) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let back = safe_back(form.value("terug"));
    let typed = form.value("code").trim().to_string();
    let now = state.auth.clock.now();
    let since = now - jiff::SignedDuration::from_mins(FAILURE_WINDOW_MINUTES);
    let (by_user, _) = state
        .db
        .login_failures_since(&viewer.user.username, &viewer.address, since)
        .await?;
    if by_user >= MAX_FAILURES_PER_ACCOUNT {
        return Ok((
            StatusCode::UNAUTHORIZED,
            page(&CodePage {
                nav: "",
                back,
                error: Some("Te veel mislukte pogingen. Probeer het over een kwartier opnieuw."),
            }),
        )
            .into_response());
    }
    let valid = match &viewer.user.totp_secret {
        Some(secret) if totp::verify(secret, &typed, now.as_second()) => true,
        _ if typed.contains('-') => {
            state
                .db
                .use_recovery_code(viewer.user.id, &token_hash(&typed.to_lowercase()), now)
                .await?
        }
        _ => false,
    };
    if !valid {
        state
            .db
            .record_login_failure(&viewer.user.username, &viewer.address, now)
            .await?;
        return Ok((
            StatusCode::UNAUTHORIZED,
            page(&CodePage {
                nav: "",
                back,
                error: Some("Deze code klopt niet. Neem de code die je app nu laat zien."),
            }),
        )
            .into_response());
    }
    if let Some(s) = &viewer.session {
        state.db.confirm_second_factor(s).await?;
    }
    Ok(see_other(
        if back.is_empty() {
            start_page(viewer.role())
        } else {
            &back
        },
        "",
    ))
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
pub async fn second_factor_form(S(state): S<State>, viewer: Viewer) -> Result<Response, HtmlError> {
    if viewer.user.totp_enabled {
        return Ok(page(&SecondFactorPage {
            nav: "account",
            secret: String::new(),
            qr: String::new(),
            error: None,
            recovery: Vec::new(),
            enabled: true,
        }));
    }
    let secret = totp::new_secret();
    state.db.set_totp_secret(viewer.user.id, &secret).await?;
    let qr = totp::qr_svg(&totp::provisioning_uri(&secret, &viewer.user.username));
    Ok(page(&SecondFactorPage {
        nav: "account",
        secret,
        qr,
        error: None,
        recovery: Vec::new(),
        enabled: false,
    }))
}

pub async fn second_factor(
    S(state): S<State>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let user = state.db.user(viewer.user.id).await?;
    let Some(secret) = user.totp_secret.filter(|_| !user.totp_enabled) else {
        return Ok(Redirect::to("/account/tweede-factor").into_response());
    };
    if !totp::verify(
        &secret,
        form.value("code"),
        state.auth.clock.now().as_second(),
    ) {
        let qr = totp::qr_svg(&totp::provisioning_uri(&secret, &user.username));
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&SecondFactorPage {
                nav: "account",
                secret,
                qr,
                error: Some("Deze code klopt niet. Neem de code die je app nu laat zien."),
                recovery: Vec::new(),
                enabled: false,
            }),
        )
            .into_response());
    }
    let recovery: Vec<String> = (0..10)
        .map(|_| {
            let h = random_hex(5);
            format!("{}-{}", &h[..5], &h[5..])
        })
        .collect();
    let hashes: Vec<String> = recovery.iter().map(|c| token_hash(c)).collect();
    state.db.enable_totp(user.id, &hashes).await?;
    if let Some(s) = &viewer.session {
        state.db.confirm_second_factor(s).await?;
    }
    // The recovery codes are shown this once.
    Ok(page(&SecondFactorPage {
        nav: "account",
        secret: String::new(),
        qr: String::new(),
        error: None,
        recovery,
        enabled: true,
    }))
}

#[derive(Template)]
#[template(path = "tokens.html")]
pub struct TokensPage {
    pub nav: &'static str,
    pub tokens: Vec<ApiToken>,
    pub new_token: Option<String>,
    pub error: Option<&'static str>,
}

pub async fn tokens(S(state): S<State>, viewer: Viewer) -> Result<Response, HtmlError> {
    let tokens = state.db.api_tokens(viewer.user.id).await?;
    Ok(page(&TokensPage {
        nav: "account",
        tokens,
        new_token: None,
        error: None,
    }))
}

pub async fn create_token(
    S(state): S<State>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let name = form.value("name").trim().to_string();
    if name.is_empty() || name.chars().count() > 80 {
        let tokens = state.db.api_tokens(viewer.user.id).await?;
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&TokensPage { nav: "account", tokens, new_token: None, error: Some("Geef de sleutel een naam (hoogstens 80 tekens), zodat je later weet waarvoor hij is.") }),
        )
            .into_response());
    }
    let token = format!("nbj_{}", random_hex(32));
    state
        .db
        .create_api_token(
            viewer.user.id,
            &name,
            &token_hash(&token),
            state.auth.clock.now(),
        )
        .await?;
    let tokens = state.db.api_tokens(viewer.user.id).await?;
    // Shown this once; only its hash is kept.
    Ok(page(&TokensPage {
        nav: "account",
        tokens,
        new_token: Some(token),
        error: None,
    }))
}

pub async fn revoke_token(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, HtmlError> {
    state
        .db
        .revoke_api_token(viewer.user.id, id, state.auth.clock.now())
        .await?;
    Ok(see_other("/account/api-sleutels", ""))
}

/// A password set by an administrator or the demo.
pub fn new_password_hash(password: &str) -> String {
    hash_password(password)
}
