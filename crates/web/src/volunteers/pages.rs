//! Volunteers see only what their role needs: a main resident the residents of their own
//! house (first name, since when, their professional and how to reach them), the house
//! rules and emergency numbers, a form to pass on a signal and the status of their own
//! signals; a buddy their match.

use crate::auth::Viewer;
use crate::error::HtmlError;
use crate::extract::Path;
use crate::forms::Form;
use crate::pages::{see_other, with_form};
use crate::routes::Web;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::signals::{self, Choice, SignalInput};
use nabij_domain::ids::HomeId;
use nabij_domain::labels::{self, Label};
use nabij_domain::signal::{SignalCategory, SignalStatus, Urgency};
use std::collections::HashMap;

pub struct Resident {
    pub first_name: String,
    pub since: String,
    pub professional: Option<(String, Option<String>)>,
}

pub struct House {
    pub name: String,
    pub address: String,
    pub free: usize,
    pub residents: Vec<Resident>,
    /// The yes/no rules, in Dutch.
    pub rules: Vec<&'static str>,
    pub house_rules: String,
    pub emergency_numbers: String,
}

/// One of the main resident's own signals: about whom, what, when, and its status only.
pub struct OwnSignal {
    pub about: String,
    pub category: &'static str,
    pub urgency: &'static str,
    pub filed: String,
    pub status: &'static str,
    pub picked_up: bool,
}

#[derive(Template)]
#[template(path = "my_house.html")]
pub struct HousePage {
    pub nav: &'static str,
    pub houses: Vec<House>,
    pub choices: Vec<Choice>,
    pub categories: Vec<(&'static str, &'static str)>,
    pub urgencies: Vec<(&'static str, &'static str)>,
    pub signals: Vec<OwnSignal>,
    pub more_signals: i64,
    pub form: Form,
    pub flash: Option<&'static str>,
}

/// The signals the caller filed, newest first, with their status only; and how many
/// earlier ones are not shown.
pub(crate) async fn own_signals(
    state: &Web,
    viewer: &Viewer,
) -> Result<(Vec<OwnSignal>, i64), HtmlError> {
    let mine = signals::mine(
        &state.app,
        &viewer.caller,
        &nabij_domain::page::PageRequest::first(20),
    )
    .await?;
    let clock = state.app.clock();
    let more = mine.total - mine.items.len() as i64;
    let own = mine
        .items
        .into_iter()
        .map(|s| OwnSignal {
            about: s.about,
            category: s.category.label(),
            urgency: s.urgency.label(),
            filed: clock.local(s.filed_at),
            status: s.status.label(),
            picked_up: s.status != SignalStatus::Received,
        })
        .collect();
    Ok((own, more))
}

async fn house_page(
    state: &Web,
    viewer: &Viewer,
    form: Form,
    flash: Option<&'static str>,
) -> Result<Response, HtmlError> {
    let mut persons = Vec::new();
    let houses = nabij_app::volunteers::my_houses(&state.app, &viewer.caller)
        .await?
        .into_iter()
        .map(|h| {
            let mut rules = Vec::new();
            if h.rules.women_only {
                rules.push("Alleen voor vrouwen");
            }
            if h.rules.accessible {
                rules.push("Toegankelijk (rolstoel)");
            }
            rules.push(if h.rules.pets_allowed {
                "Huisdieren toegestaan"
            } else {
                "Geen huisdieren"
            });
            House {
                residents: h
                    .residents
                    .into_iter()
                    .map(|r| {
                        persons.push(r.person_id);
                        Resident {
                            first_name: r.first_name,
                            since: labels::date(r.since),
                            professional: r.professional,
                        }
                    })
                    .collect(),
                name: h.name,
                address: h.address,
                free: h.free,
                rules,
                house_rules: h.house_rules,
                emergency_numbers: h.emergency_numbers,
            }
        })
        .collect();
    let (choices, _) = signals::choices(&state.app, &viewer.caller).await?;
    let (own, more_signals) = own_signals(state, viewer).await?;
    let t = HousePage {
        nav: "huis",
        houses,
        choices,
        categories: SignalCategory::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        urgencies: Urgency::ALL.iter().map(|u| (u.code(), u.label())).collect(),
        signals: own,
        more_signals,
        form,
        flash,
    };
    Ok(with_form(&t, &t.form, persons))
}

pub async fn house(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    form.set("urgency", "normal");
    house_page(&state, &viewer, form, crate::pages::flash(&q)).await
}

/// "Signaal doorgeven": one screen, then back to the house with the new signal listed.
pub async fn file_signal(
    S(state): S<Web>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = SignalInput {
        about: form.value("about").into(),
        category: form.value("category").into(),
        urgency: form.value("urgency").into(),
        text: form.value("text").into(),
    };
    match signals::file(&state.app, &viewer.caller, &input).await {
        Ok(_) => Ok(see_other("/mijn-huis", "signaal")),
        Err(nabij_app::AppError::Invalid(v)) => {
            let mut form = form;
            form.add_violations(&v);
            house_page(&state, &viewer, form, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "home_notes.html")]
pub struct HomeNotesPage {
    pub nav: &'static str,
    pub id: HomeId,
    pub home_name: String,
    pub form: Form,
}

async fn notes_page(
    state: &Web,
    viewer: &Viewer,
    id: HomeId,
    form: Option<Form>,
) -> Result<Response, HtmlError> {
    let n = nabij_app::volunteers::home_notes(&state.app, &viewer.caller, id).await?;
    let form = form.unwrap_or_else(|| {
        let mut f = Form::default();
        f.set("house_rules", n.house_rules.clone());
        f.set("emergency_numbers", n.emergency_numbers.clone());
        f
    });
    let t = HomeNotesPage {
        nav: "huizen",
        id,
        home_name: n.home_name,
        form,
    };
    Ok(with_form(&t, &t.form, []))
}

pub async fn home_notes(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
) -> Result<Response, HtmlError> {
    notes_page(&state, &viewer, id, None).await
}

pub async fn save_home_notes(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let result = nabij_app::volunteers::set_home_notes(
        &state.app,
        &viewer.caller,
        id,
        form.value("house_rules"),
        form.value("emergency_numbers"),
    )
    .await;
    crate::pages::after_post(
        result,
        form,
        |_| format!("/huizen/{id}"),
        "huisregels",
        |form| notes_page(&state, &viewer, id, Some(form)),
    )
    .await
}
