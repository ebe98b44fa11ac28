//! User administration: users, roles, organisations, house links. An administrator manages
//! accounts of their own provider and its partners; they do not read files by virtue of it.

use crate::auth::Viewer;
use crate::error::HtmlError;
use crate::extract::Path;
use crate::forms::Form;
use crate::pages::{after_post, invalid, options, page, see_other};
use crate::routes::Web;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::AppError;
use nabij_app::accounts::{self, Account, NewUserInput, Organisation, UserChange};
use nabij_domain::access::Role;
use nabij_domain::ids::{HomeId, UserId};
use nabij_domain::labels::Label;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "admin_users.html")]
pub struct UsersPage {
    pub nav: &'static str,
    pub users: Vec<Account>,
    pub pager: crate::paging::Pager,
    pub organisations: Vec<Organisation>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub form: Form,
    pub created: Option<(String, String)>,
    pub flash: Option<&'static str>,
}

/// Which page of a list a request asks for, and the pager's query.
pub(crate) struct ListAt {
    pub req: nabij_domain::page::PageRequest,
    pub query: String,
    pub offset: i64,
}

impl ListAt {
    pub(crate) fn first() -> Self {
        ListAt {
            req: Default::default(),
            query: String::new(),
            offset: 0,
        }
    }

    pub(crate) fn of(q: &HashMap<String, String>) -> Result<Self, HtmlError> {
        let size = q.get("per").and_then(|p| p.parse().ok());
        let filters: Vec<(&str, String)> = size
            .map(|p: u32| ("per", p.to_string()))
            .into_iter()
            .collect();
        Ok(ListAt {
            req: crate::paging::request(q.get("na").map(String::as_str), size)?,
            query: crate::paging::query_string(&filters),
            offset: crate::paging::offset(q),
        })
    }
}

async fn users_page(
    state: &Web,
    viewer: &Viewer,
    form: Form,
    created: Option<(String, String)>,
    flash: Option<&'static str>,
    list: ListAt,
) -> Result<UsersPage, HtmlError> {
    let found = accounts::users_page(&state.app, &viewer.caller, &list.req).await?;
    let pager = crate::paging::Pager::new(&found, "/beheer/gebruikers", &list.query, list.offset);
    Ok(UsersPage {
        nav: "beheer",
        users: found.items,
        pager,
        organisations: accounts::organisations(&state.app, &viewer.caller).await?,
        roles: options(crate::accounts::STAFF_ROLES, Role::code),
        form,
        created,
        flash,
    })
}

pub async fn users(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let flash = match q.get("melding").map(String::as_str) {
        Some("organisatie") => Some("De ketenpartner is toegevoegd."),
        _ => None,
    };
    Ok(page(
        &users_page(
            &state,
            &viewer,
            Form::default(),
            None,
            flash,
            ListAt::of(&q)?,
        )
        .await?,
    ))
}

pub async fn create_user(
    S(state): S<Web>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = NewUserInput {
        username: form.value("username").into(),
        display_name: form.value("display_name").into(),
        phone: form.value("phone").into(),
        email: form.value("email").into(),
        role: form.value("role").into(),
        organisation_id: form.int("organisation_id", "Organisatie"),
        password_is_final: false,
    };
    match accounts::create_user(&state.app, &viewer.caller, &input).await {
        Ok((_, username, password)) => Ok(page(
            &users_page(
                &state,
                &viewer,
                Form::default(),
                Some((username, password)),
                None,
                ListAt::first(),
            )
            .await?,
        )),
        Err(AppError::Invalid(v)) => {
            form.add_violations(&v);
            Ok(invalid(
                &users_page(&state, &viewer, form, None, None, ListAt::first()).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin_user.html")]
pub struct UserPage {
    pub nav: &'static str,
    pub user: Account,
    pub organisations: Vec<Organisation>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub homes: Vec<(String, String)>,
    pub linked: Vec<String>,
    pub password: Option<String>,
    pub flash: Option<&'static str>,
    pub form: Form,
}

async fn user_page(
    state: &Web,
    viewer: &Viewer,
    id: UserId,
    password: Option<String>,
    flash: Option<&'static str>,
    form: Form,
) -> Result<UserPage, HtmlError> {
    let f = accounts::user(&state.app, &viewer.caller, id).await?;
    let mut form = form;
    if !form.has_errors() {
        form.set("email", f.account.email.clone().unwrap_or_default());
    }
    Ok(UserPage {
        nav: "beheer",
        linked: f.linked,
        homes: f.homes,
        organisations: f.organisations,
        roles: options(crate::accounts::STAFF_ROLES, Role::code),
        user: f.account,
        password,
        flash,
        form,
    })
}

pub async fn user(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<UserId>,
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
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<UserId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let change = UserChange {
        role: form.value("role").into(),
        organisation_id: form.int("organisation_id", "Organisatie"),
        active: form.checked("active"),
        email: form.value("email").into(),
    };
    let result = accounts::update_user(&state.app, &viewer.caller, id, &change).await;
    after_post(
        result,
        form,
        |_| format!("/beheer/gebruikers/{id}"),
        "gewijzigd",
        |form| async {
            Ok(invalid(
                &user_page(&state, &viewer, id, None, None, form).await?,
            ))
        },
    )
    .await
}

pub async fn reset_password(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<UserId>,
) -> Result<Response, HtmlError> {
    let password = accounts::reset_password(&state.app, &viewer.caller, id).await?;
    Ok(page(
        &user_page(&state, &viewer, id, Some(password), None, Form::default()).await?,
    ))
}

pub async fn reset_second_factor(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<UserId>,
) -> Result<Response, HtmlError> {
    accounts::reset_second_factor(&state.app, &viewer.caller, id).await?;
    Ok(see_other(
        &format!("/beheer/gebruikers/{id}"),
        "tweede-factor",
    ))
}

pub async fn link_home(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<UserId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let home = form.int("home_id", "Huis").map(HomeId);
    accounts::link_home(&state.app, &viewer.caller, id, home).await?;
    Ok(see_other(&format!("/beheer/gebruikers/{id}"), "huis"))
}

pub async fn create_organisation(
    S(state): S<Web>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    accounts::create_organisation(&state.app, &viewer.caller, form.value("name")).await?;
    Ok(see_other("/beheer/gebruikers", "organisatie"))
}
