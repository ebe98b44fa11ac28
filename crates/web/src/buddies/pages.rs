//! Buddy pages: the coordinator's registry and matches, a resident's wish and suggestions,
//! and the buddy's own page.

use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::extract::Path;
use crate::forms::Form;
use crate::pages::{see_other, with_form};
use crate::paging::Pager;
use crate::routes::Web;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::buddies::{
    self, BuddyForm, BuddyView, CheckInForm, MatchForm, MatchView, MyMatch, ProposedPair,
    Suggestion, WishForm, WishView,
};
use nabij_domain::ids::PersonId;
use nabij_domain::labels::{self, Label};
use std::collections::HashMap;

fn date(d: Option<jiff::civil::Date>) -> String {
    d.map(labels::date).unwrap_or_else(|| "—".into())
}

async fn areas(
    state: &Web,
    viewer: &Viewer,
) -> Result<Vec<(String, Vec<(String, String)>)>, HtmlError> {
    Ok(nabij_app::homes::area_choices(&state.app, &viewer.caller)
        .await?
        .into_iter()
        .map(|(m, ns)| {
            (
                m,
                ns.into_iter().map(|(id, n)| (id.to_string(), n)).collect(),
            )
        })
        .collect())
}

fn buddy_form(form: &mut Form) -> BuddyForm {
    BuddyForm {
        name: form.value("name").into(),
        phone: form.value("phone").into(),
        interests: form.values("interests").to_vec(),
        neighbourhood_id: form.int("neighbourhood_id", "Buurt").unwrap_or(0),
        hours_per_week: form.int("hours_per_week", "Uren per week").unwrap_or(0),
        availability: form.value("availability").into(),
        capacity: form.int("capacity", "Aantal koppelingen").unwrap_or(0),
        status: form.value("status").into(),
        vog_screened_on: form.value("vog_screened_on").into(),
        user_id: form.int("user_id", "Account").filter(|u| *u > 0),
    }
}

#[derive(Template)]
#[template(path = "buddies.html")]
pub struct RegistryPage {
    pub nav: &'static str,
    pub buddies: Vec<BuddyView>,
    pub expiring: Vec<BuddyView>,
    pub pager: Pager,
    pub form: Form,
    pub interests: Vec<(&'static str, &'static str)>,
    pub areas: Vec<(String, Vec<(String, String)>)>,
    pub flash: Option<&'static str>,
}

async fn registry_page(
    state: &Web,
    viewer: &Viewer,
    q: &HashMap<String, String>,
    form: Form,
) -> Result<Response, HtmlError> {
    let req = crate::paging::request(
        q.get("na").map(String::as_str),
        q.get("per").and_then(|v| v.parse().ok()),
    )?;
    let page = buddies::list(&state.app, &viewer.caller, &req).await?;
    let expiring = buddies::vog_expiring(&state.app, &viewer.caller).await?;
    let pager = Pager::new(&page, "/maatjes", "", crate::paging::offset(q));
    let areas = areas(state, viewer).await?;
    let t = RegistryPage {
        nav: "maatjes",
        buddies: page.items,
        expiring,
        pager,
        form,
        interests: buddies::interest_choices(),
        areas,
        flash: crate::pages::flash(q),
    };
    Ok(with_form(&t, &t.form, []))
}

pub async fn registry(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    form.set("capacity", "1");
    form.set("hours_per_week", "2");
    form.set("status", "active");
    registry_page(&state, &viewer, &q, form).await
}

pub async fn register(
    S(state): S<Web>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = buddy_form(&mut form);
    let result = if form.has_errors() {
        Err(nabij_app::AppError::Invalid(vec![]))
    } else {
        buddies::register(&state.app, &viewer.caller, &input).await
    };
    let no_query = HashMap::new();
    crate::pages::after_post(
        result,
        form,
        |_| "/maatjes".to_string(),
        "maatje",
        |form| registry_page(&state, &viewer, &no_query, form),
    )
    .await
}

#[derive(Template)]
#[template(path = "buddy.html")]
pub struct BuddyPage {
    pub nav: &'static str,
    pub b: BuddyView,
    pub form: Form,
    pub interests: Vec<(&'static str, &'static str)>,
    pub areas: Vec<(String, Vec<(String, String)>)>,
    pub vog_expires: String,
}

async fn buddy_page(
    state: &Web,
    viewer: &Viewer,
    id: i64,
    form: Option<Form>,
) -> Result<Response, HtmlError> {
    let b = buddies::buddy(&state.app, &viewer.caller, id).await?;
    let form = form.unwrap_or_else(|| {
        let mut f = Form::default();
        f.set("name", b.name.clone());
        f.set("phone", b.phone.clone().unwrap_or_default());
        for i in &b.interests {
            f.push("interests", i.code());
        }
        f.set("neighbourhood_id", b.neighbourhood_id.to_string());
        f.set("hours_per_week", b.hours_per_week.to_string());
        f.set("availability", b.availability.clone());
        f.set("capacity", b.capacity.to_string());
        f.set("status", b.status.code());
        f.set(
            "vog_screened_on",
            b.vog_screened_on.map(|d| d.to_string()).unwrap_or_default(),
        );
        f
    });
    let t = BuddyPage {
        nav: "maatjes",
        vog_expires: date(b.vog_expires_on),
        b,
        form,
        interests: buddies::interest_choices(),
        areas: areas(state, viewer).await?,
    };
    Ok(with_form(&t, &t.form, []))
}

pub async fn show_buddy(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, HtmlError> {
    buddy_page(&state, &viewer, id, None).await
}

pub async fn update_buddy(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = buddy_form(&mut form);
    let result = if form.has_errors() {
        Err(nabij_app::AppError::Invalid(vec![]))
    } else {
        buddies::update(&state.app, &viewer.caller, id, &input).await
    };
    crate::pages::after_post(
        result,
        form,
        |_| format!("/maatjes/{id}"),
        "maatje",
        |form| buddy_page(&state, &viewer, id, Some(form)),
    )
    .await
}

pub struct MatchRow {
    pub m: MatchView,
    pub started: String,
    pub next: String,
    pub agreed_on: String,
}

#[derive(Template)]
#[template(path = "matches.html")]
pub struct MatchesPage {
    pub nav: &'static str,
    pub rows: Vec<MatchRow>,
    pub overdue: usize,
    pub proposal: Vec<ProposedPair>,
    pub pager: Pager,
    pub flash: Option<&'static str>,
    pub error: Option<String>,
}

async fn matches_page(
    state: &Web,
    viewer: &Viewer,
    q: &HashMap<String, String>,
    error: Option<String>,
) -> Result<Response, HtmlError> {
    let req = crate::paging::request(
        q.get("na").map(String::as_str),
        q.get("per").and_then(|v| v.parse().ok()),
    )?;
    let page = buddies::matches(&state.app, &viewer.caller, true, &req).await?;
    let proposal = buddies::best_assignment(&state.app, &viewer.caller).await?;
    let pager = Pager::new(&page, "/koppelingen", "", crate::paging::offset(q));
    let mut persons: Vec<PersonId> = page.items.iter().map(|m| m.person_id).collect();
    persons.extend(proposal.iter().map(|p| p.person_id));
    let rows: Vec<MatchRow> = page
        .items
        .into_iter()
        .map(|m| MatchRow {
            started: labels::date(m.started_on),
            next: labels::date(m.next_check_in),
            agreed_on: date(m.contact_agreed_on),
            m,
        })
        .collect();
    let t = MatchesPage {
        nav: "maatjes",
        overdue: rows.iter().filter(|r| r.m.check_in_overdue).count(),
        rows,
        proposal,
        pager,
        flash: crate::pages::flash(q),
        error,
    };
    let r = if t.error.is_some() {
        (axum::http::StatusCode::CONFLICT, crate::pages::page(&t)).into_response_page()
    } else {
        crate::pages::page(&t)
    };
    Ok(shown(r, persons))
}

trait IntoResponsePage {
    fn into_response_page(self) -> Response;
}

impl IntoResponsePage for (axum::http::StatusCode, Response) {
    fn into_response_page(self) -> Response {
        let (status, mut r) = self;
        *r.status_mut() = status;
        r
    }
}

pub async fn matches(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    matches_page(&state, &viewer, &q, None).await
}

pub async fn create_match(
    S(state): S<Web>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let f = MatchForm {
        person_id: form.int("person_id", "Bewoner").unwrap_or(0),
        buddy_id: form.int("buddy_id", "Maatje").unwrap_or(0),
        purpose: form.value("purpose").into(),
        check_in_weeks: form.int("check_in_weeks", "Weken"),
    };
    match buddies::create_match(&state.app, &viewer.caller, &f).await {
        Ok(_) => Ok(see_other("/koppelingen", "gekoppeld")),
        Err(nabij_app::AppError::Conflict(why)) => {
            matches_page(&state, &viewer, &HashMap::new(), Some(why)).await
        }
        Err(nabij_app::AppError::Invalid(v)) => {
            let why = v
                .iter()
                .map(|v| v.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            matches_page(&state, &viewer, &HashMap::new(), Some(why)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn end_match(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, HtmlError> {
    buddies::end_match(&state.app, &viewer.caller, id).await?;
    Ok(see_other("/koppelingen", "beeindigd"))
}

pub async fn contact_agreement(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let agreed = form.value("agreed") == "1";
    buddies::set_contact_agreement(&state.app, &viewer.caller, id, agreed).await?;
    Ok(see_other("/koppelingen", "nummer"))
}

#[derive(Template)]
#[template(path = "person_buddy.html")]
pub struct PersonBuddyPage {
    pub nav: &'static str,
    pub id: PersonId,
    pub wish: Option<WishView>,
    pub suggestions: Vec<Suggestion>,
    pub coordinator: bool,
    pub form: Form,
    pub interests: Vec<(&'static str, &'static str)>,
    pub purposes: Vec<(&'static str, &'static str)>,
    pub flash: Option<&'static str>,
    pub error: Option<String>,
}

async fn person_buddy_page(
    state: &Web,
    viewer: &Viewer,
    id: PersonId,
    form: Option<Form>,
    flash: Option<&'static str>,
) -> Result<Response, HtmlError> {
    let wish = buddies::wish(&state.app, &viewer.caller, id).await?;
    let coordinator = viewer.caller.role == nabij_domain::access::Role::Coordinator;
    let (suggestions, error) = if coordinator && wish.is_some() {
        match buddies::suggestions(&state.app, &viewer.caller, id).await {
            Ok(s) => (s, None),
            Err(nabij_app::AppError::Conflict(why)) => (Vec::new(), Some(why)),
            Err(e) => return Err(e.into()),
        }
    } else {
        (Vec::new(), None)
    };
    let form = form.unwrap_or_else(|| {
        let mut f = Form::default();
        if let Some(w) = &wish {
            f.set("purpose", w.purpose.code());
            for i in &w.interests {
                f.push("interests", i.code());
            }
        }
        f
    });
    let t = PersonBuddyPage {
        nav: "personen",
        id,
        wish,
        suggestions,
        coordinator,
        form,
        interests: buddies::interest_choices(),
        purposes: buddies::purpose_choices(),
        flash,
        error,
    };
    Ok(with_form(&t, &t.form, [id]))
}

pub async fn person_buddy(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    person_buddy_page(&state, &viewer, id, None, crate::pages::flash(&q)).await
}

pub async fn set_wish(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let f = WishForm {
        purpose: form.value("purpose").into(),
        interests: form.values("interests").to_vec(),
    };
    let result = buddies::set_wish(&state.app, &viewer.caller, id, &f).await;
    crate::pages::after_post(
        result,
        form,
        |_| format!("/personen/{id}/maatje"),
        "wens",
        |form| person_buddy_page(&state, &viewer, id, Some(form), None),
    )
    .await
}

pub struct MyMatchRow {
    pub m: MyMatch,
    pub next: String,
}

#[derive(Template)]
#[template(path = "my_buddy.html")]
pub struct MyBuddyPage {
    pub nav: &'static str,
    pub rows: Vec<MyMatchRow>,
    pub form: Form,
    /// The match whose check-in form was posted with errors.
    pub form_match: i64,
    pub categories: Vec<(&'static str, &'static str)>,
    pub urgencies: Vec<(&'static str, &'static str)>,
    /// The signals the buddy filed, with their status only.
    pub signals: Vec<crate::volunteers::pages::OwnSignal>,
    pub more_signals: i64,
    pub flash: Option<&'static str>,
}

async fn my_buddy_page(
    state: &Web,
    viewer: &Viewer,
    form: Form,
    form_match: i64,
    flash: Option<&'static str>,
) -> Result<Response, HtmlError> {
    let mine = buddies::my_matches(&state.app, &viewer.caller).await?;
    let persons: Vec<PersonId> = mine.iter().map(|m| m.person_id).collect();
    let (signals, more_signals) = crate::volunteers::pages::own_signals(state, viewer).await?;
    let t = MyBuddyPage {
        nav: "maatje",
        rows: mine
            .into_iter()
            .map(|m| MyMatchRow {
                next: labels::date(m.next_check_in),
                m,
            })
            .collect(),
        form,
        form_match,
        categories: nabij_domain::signal::SignalCategory::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        urgencies: nabij_domain::signal::Urgency::ALL
            .iter()
            .map(|u| (u.code(), u.label()))
            .collect(),
        signals,
        more_signals,
        flash,
    };
    Ok(with_form(&t, &t.form, persons))
}

/// The buddy's page: their matches, each with a check-in form and a signal form.
pub async fn buddy_home(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    form.set("urgency", "normal");
    my_buddy_page(&state, &viewer, form, 0, crate::pages::flash(&q)).await
}

pub async fn check_in(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let f = CheckInForm {
        went: form.value("went").into(),
        hours: form.value("hours").into(),
        note: form.value("note").into(),
    };
    match buddies::check_in(&state.app, &viewer.caller, id, &f).await {
        Ok(_) => Ok(see_other("/mijn-maatje", "contactmoment")),
        Err(nabij_app::AppError::Invalid(v)) => {
            let mut form = form;
            form.add_violations(&v);
            my_buddy_page(&state, &viewer, form, id, None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn file_signal(
    S(state): S<Web>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = nabij_app::signals::SignalInput {
        about: form.value("about").into(),
        category: form.value("category").into(),
        urgency: form.value("urgency").into(),
        text: form.value("text").into(),
    };
    match nabij_app::signals::file(&state.app, &viewer.caller, &input).await {
        Ok(_) => Ok(see_other("/mijn-maatje", "signaal")),
        Err(nabij_app::AppError::Invalid(v)) => {
            let mut form = form;
            form.add_violations(&v);
            my_buddy_page(&state, &viewer, form, -1, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A date the Dutch way, for templates.
pub fn dutch_date(d: &jiff::civil::Date) -> String {
    labels::date(*d)
}
