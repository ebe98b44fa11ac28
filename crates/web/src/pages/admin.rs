//! User administration: users, roles, organisations, house links. An administrator manages
//! accounts of their own provider and its partners; they do not read files by virtue of it.

use super::{page, see_other};
use crate::auth::Viewer;
use crate::auth::secrets::{hash_password, temporary_password};
use crate::error::{HtmlError, WebError};
use crate::forms::Form;
use crate::routes::State;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as S};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nabij_domain::access::Role;
use nabij_domain::ids::HomeId;
use nabij_domain::labels::Label;
use nabij_store::accounts::{NewUser, Organisation, User};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "admin_users.html")]
pub struct UsersPage {
    pub nav: &'static str,
    pub users: Vec<User>,
    pub organisations: Vec<Organisation>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub form: Form,
    pub created: Option<(String, String)>,
    pub flash: Option<&'static str>,
}

async fn users_page(
    state: &State,
    viewer: &Viewer,
    form: Form,
    created: Option<(String, String)>,
    flash: Option<&'static str>,
) -> Result<UsersPage, HtmlError> {
    Ok(UsersPage {
        nav: "beheer",
        users: state.db.users_of(viewer.provider()).await?,
        organisations: state.db.organisations_of(viewer.provider()).await?,
        roles: super::options(Role::ALL, Role::code),
        form,
        created,
        flash,
    })
}

pub async fn users(
    S(state): S<State>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let flash = match q.get("melding").map(String::as_str) {
        Some("organisatie") => Some("De ketenpartner is toegevoegd."),
        _ => None,
    };
    Ok(page(
        &users_page(&state, &viewer, Form::default(), None, flash).await?,
    ))
}

fn valid_username(u: &str) -> bool {
    (3..=40).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// The organisation chosen for a role: partners belong to a partner organisation, everyone
/// else to the provider itself.
fn check_organisation(
    orgs: &[Organisation],
    chosen: Option<i64>,
    role: Option<Role>,
    form: &mut Form,
) -> Option<i64> {
    let org = chosen.and_then(|c| orgs.iter().find(|o| o.id == c));
    match (org, role) {
        (None, _) => {
            form.add_error("organisation_id", "kies een organisatie");
            None
        }
        (Some(o), Some(Role::Partner)) if o.kind != "partner" => {
            form.add_error(
                "organisation_id",
                "een ketenpartner hoort bij een ketenpartner-organisatie",
            );
            None
        }
        (Some(o), Some(r)) if r != Role::Partner && o.kind == "partner" => {
            form.add_error(
                "organisation_id",
                "alleen de rol ketenpartner hoort bij een ketenpartner-organisatie",
            );
            None
        }
        (Some(o), _) => Some(o.id),
    }
}

pub async fn create_user(
    S(state): S<State>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let username = form.value("username").trim().to_lowercase();
    if !valid_username(&username) {
        form.add_error(
            "username",
            "3 tot 40 tekens: kleine letters, cijfers, punt, streepje of liggend streepje",
        );
    }
    let display_name = form.value("display_name").trim().to_string();
    if display_name.is_empty() {
        form.add_error("display_name", "vul de naam in zoals collega's die kennen");
    }
    let phone = Some(form.value("phone").trim().to_string()).filter(|p| !p.is_empty());
    let role = Role::parse(form.value("role"));
    if role.is_none() {
        form.add_error("role", "kies een rol");
    }
    let orgs = state.db.organisations_of(viewer.provider()).await?;
    let chosen = form.int("organisation_id", "Organisatie");
    let org = check_organisation(&orgs, chosen, role, &mut form);
    let (Some(role), Some(organisation_id)) = (role, org) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&users_page(&state, &viewer, form, None, None).await?),
        )
            .into_response());
    };
    if form.has_errors() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&users_page(&state, &viewer, form, None, None).await?),
        )
            .into_response());
    }
    let password = temporary_password();
    let new = NewUser {
        organisation_id,
        username: username.clone(),
        display_name,
        phone,
        role,
        password_hash: hash_password(&password),
    };
    match state.db.create_user(&new, state.clock.now()).await {
        Ok(_) => Ok(page(
            &users_page(
                &state,
                &viewer,
                Form::default(),
                Some((username, password)),
                None,
            )
            .await?,
        )),
        Err(nabij_store::StoreError::Conflict(m)) => {
            form.add_error("username", m);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&users_page(&state, &viewer, form, None, None).await?),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin_user.html")]
pub struct UserPage {
    pub nav: &'static str,
    pub user: User,
    pub organisations: Vec<Organisation>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub homes: Vec<(String, String)>,
    pub linked: Vec<String>,
    pub password: Option<String>,
    pub flash: Option<&'static str>,
    pub form: Form,
}

async fn user_of_network(state: &State, viewer: &Viewer, id: i64) -> Result<User, HtmlError> {
    let user = state
        .db
        .user(id)
        .await
        .map_err(|_| WebError::NotFound("gebruiker"))?;
    if user.provider_id != viewer.provider() {
        return Err(WebError::NotFound("gebruiker").into());
    }
    Ok(user)
}

async fn user_page(
    state: &State,
    viewer: &Viewer,
    id: i64,
    password: Option<String>,
    flash: Option<&'static str>,
    form: Form,
) -> Result<UserPage, HtmlError> {
    let user = user_of_network(state, viewer, id).await?;
    let all_homes = state.db.homes(viewer.provider()).await?;
    let linked_ids = state.db.homes_of_user(user.id).await?;
    Ok(UserPage {
        nav: "beheer",
        linked: all_homes
            .iter()
            .filter(|h| linked_ids.contains(&h.id))
            .map(|h| h.name.clone())
            .collect(),
        homes: all_homes
            .into_iter()
            .map(|h| (h.id.to_string(), h.name))
            .collect(),
        organisations: state.db.organisations_of(viewer.provider()).await?,
        roles: super::options(Role::ALL, Role::code),
        user,
        password,
        flash,
        form,
    })
}

pub async fn user(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let flash = match q.get("melding").map(String::as_str) {
        Some("gewijzigd") => Some("De gebruiker is gewijzigd."),
        Some("huis") => Some("Het huis is gekoppeld."),
        Some("tweede-factor") => Some(
            "De tweede factor is uitgezet; bij de volgende keer inloggen stelt de gebruiker hem opnieuw in.",
        ),
        _ => None,
    };
    Ok(page(
        &user_page(&state, &viewer, id, None, flash, Form::default()).await?,
    ))
}

pub async fn update_user(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let user = user_of_network(&state, &viewer, id).await?;
    let mut form = Form::parse(&body);
    let role = Role::parse(form.value("role"));
    if role.is_none() {
        form.add_error("role", "kies een rol");
    }
    let orgs = state.db.organisations_of(viewer.provider()).await?;
    let chosen = form.int("organisation_id", "Organisatie");
    let org = check_organisation(&orgs, chosen, role, &mut form);
    let active = form.checked("active");
    if user.id == viewer.user.id && (!active || role != Some(Role::Admin)) {
        form.add_error(
            "role",
            "je kunt je eigen beheerdersaccount niet uitzetten of een andere rol geven",
        );
    }
    match (role, org) {
        (Some(role), Some(org)) if !form.has_errors() => {
            state.db.update_user(user.id, role, org, active).await?;
            Ok(see_other(&format!("/beheer/gebruikers/{id}"), "gewijzigd"))
        }
        _ => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&user_page(&state, &viewer, id, None, None, form).await?),
        )
            .into_response()),
    }
}

pub async fn reset_password(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, HtmlError> {
    let user = user_of_network(&state, &viewer, id).await?;
    let password = temporary_password();
    state
        .db
        .set_password_hash(user.id, &hash_password(&password))
        .await?;
    Ok(page(
        &user_page(&state, &viewer, id, Some(password), None, Form::default()).await?,
    ))
}

pub async fn reset_second_factor(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, HtmlError> {
    let user = user_of_network(&state, &viewer, id).await?;
    state.db.reset_totp(user.id).await?;
    Ok(see_other(
        &format!("/beheer/gebruikers/{id}"),
        "tweede-factor",
    ))
}

pub async fn link_home(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let user = user_of_network(&state, &viewer, id).await?;
    let mut form = Form::parse(&body);
    let home = form.int("home_id", "Huis").map(HomeId);
    let homes = state.db.homes(viewer.provider()).await?;
    match home.filter(|h| homes.iter().any(|x| x.id == *h)) {
        Some(h) if matches!(user.role, Role::MainResident | Role::Buddy) => {
            state.db.link_user_home(user.id, h).await?;
            Ok(see_other(&format!("/beheer/gebruikers/{id}"), "huis"))
        }
        Some(_) => Err(WebError::BadRequest(format!(
            "alleen een hoofdbewoner of maatje wordt aan een huis gekoppeld, niet een {}",
            user.role.label()
        ))
        .into()),
        None => Err(WebError::BadRequest("kies een huis van deze organisatie".into()).into()),
    }
}

pub async fn create_organisation(
    S(state): S<State>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let name = form.value("name").trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(WebError::BadRequest(
            "vul de naam van de ketenpartner in (hoogstens 120 tekens)".into(),
        )
        .into());
    }
    state
        .db
        .create_organisation(name, Some(viewer.provider()), state.clock.now())
        .await?;
    Ok(see_other("/beheer/gebruikers", "organisatie"))
}
