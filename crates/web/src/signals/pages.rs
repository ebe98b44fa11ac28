//! The inbox of signals and one signal with its acknowledgement and closing.

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
use nabij_app::signals::{self, InboxSignal};
use nabij_domain::ids::PersonId;
use nabij_domain::labels::Label;
use nabij_domain::signal::{SignalCategory, SignalStatus, Urgency};
use std::collections::HashMap;

/// A signal as the pages show it.
pub struct Row {
    pub s: InboxSignal,
    pub filed: String,
    pub due: String,
    pub escalated: Option<String>,
    pub acknowledged: Option<String>,
    pub closed: Option<String>,
    pub acute: bool,
    pub open: bool,
}

fn row(state: &Web, s: InboxSignal) -> Row {
    let clock = state.app.clock();
    Row {
        filed: clock.local(s.filed_at),
        due: clock.local(s.due_at),
        escalated: s.escalated_at.map(|t| clock.local(t)),
        acknowledged: s.acknowledged_at.map(|t| clock.local(t)),
        closed: s.closed_at.map(|t| clock.local(t)),
        acute: s.urgency == Urgency::Acute,
        open: s.status != SignalStatus::Closed,
        s,
    }
}

#[derive(Template)]
#[template(path = "signals.html")]
pub struct InboxPage {
    pub nav: &'static str,
    pub rows: Vec<Row>,
    pub all: bool,
    pub unread: i64,
    pub coordinator: bool,
    pub pager: Pager,
}

pub async fn inbox(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let all = q.get("alle").is_some_and(|v| v == "1");
    let req = crate::paging::request(
        q.get("na").map(String::as_str),
        q.get("per").and_then(|v| v.parse().ok()),
    )?;
    let page = signals::inbox(&state.app, &viewer.caller, !all, &req).await?;
    let unread = signals::unread(&state.app, &viewer.caller).await?;
    let persons = signals::persons_of(&page.items);
    let query = if all { "alle=1" } else { "" };
    let pager = Pager::new(&page, "/signalen", query, crate::paging::offset(&q));
    let rows = page.items.into_iter().map(|s| row(&state, s)).collect();
    let t = InboxPage {
        nav: "signalen",
        rows,
        all,
        unread,
        coordinator: viewer.caller.role == nabij_domain::access::Role::Coordinator,
        pager,
    };
    Ok(shown(crate::pages::page(&t), persons))
}

#[derive(Template)]
#[template(path = "signal.html")]
pub struct SignalPage {
    pub nav: &'static str,
    pub r: Row,
    pub form: Form,
    pub flash: Option<&'static str>,
}

async fn signal_page(
    state: &Web,
    viewer: &Viewer,
    id: i64,
    form: Form,
    flash: Option<&'static str>,
) -> Result<Response, HtmlError> {
    let s = signals::open(&state.app, &viewer.caller, id).await?;
    let persons: Vec<_> = s.person_id.into_iter().collect();
    let t = SignalPage {
        nav: "signalen",
        r: row(state, s),
        form,
        flash,
    };
    Ok(with_form(&t, &t.form, persons))
}

pub async fn show(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    signal_page(
        &state,
        &viewer,
        id,
        Form::default(),
        crate::pages::flash(&q),
    )
    .await
}

pub async fn acknowledge(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, HtmlError> {
    signals::acknowledge(&state.app, &viewer.caller, id).await?;
    Ok(see_other(&format!("/signalen/{id}"), "opgepakt"))
}

pub async fn close(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let result = signals::close(&state.app, &viewer.caller, id, form.value("note")).await;
    crate::pages::after_post(
        result,
        form,
        |_| format!("/signalen/{id}"),
        "signaal-afgesloten",
        |form| signal_page(&state, &viewer, id, form, None),
    )
    .await
}

#[derive(Template)]
#[template(path = "signal_new.html")]
pub struct NewSignalPage {
    pub nav: &'static str,
    pub id: PersonId,
    pub name: String,
    pub categories: Vec<(&'static str, &'static str)>,
    pub urgencies: Vec<(&'static str, &'static str)>,
    pub form: Form,
}

async fn new_signal_page(
    state: &Web,
    viewer: &Viewer,
    id: PersonId,
    form: Form,
) -> Result<Response, HtmlError> {
    let name = signals::about_person(&state.app, &viewer.caller, id).await?;
    let t = NewSignalPage {
        nav: "personen",
        id,
        name,
        categories: SignalCategory::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        urgencies: Urgency::ALL.iter().map(|u| (u.code(), u.label())).collect(),
        form,
    };
    Ok(with_form(&t, &t.form, [id]))
}

/// "Signaal doorgeven" from a file: one screen, routed like a volunteer's signal.
pub async fn person_form(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    form.set("urgency", "normal");
    new_signal_page(&state, &viewer, id, form).await
}

pub async fn file_about_person(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = signals::SignalInput {
        about: signals::About::Person(id).code(),
        category: form.value("category").into(),
        urgency: form.value("urgency").into(),
        text: form.value("text").into(),
    };
    let result = signals::file(&state.app, &viewer.caller, &input).await;
    crate::pages::after_post(
        result,
        form,
        |_| format!("/personen/{id}"),
        "signaal-doorgegeven",
        |form| new_signal_page(&state, &viewer, id, form),
    )
    .await
}

/// The Dutch label of an enum, for templates.
pub fn label<L: Label>(l: &L) -> &'static str {
    l.label()
}
