use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::extract::Path;
use crate::forms::Form;
use crate::pages::{flash, see_other};
use crate::routes::Web;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::client::{self, MyAccess, MyContact, MyFile};
use nabij_domain::ids::PersonId;
use nabij_domain::labels::{self, Label};
use std::collections::HashMap;

pub struct ConsentLine {
    pub id: i64,
    pub organisation: String,
    pub purpose: &'static str,
    pub given: String,
    pub state: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "my_file.html")]
pub struct MyFilePage {
    pub nav: &'static str,
    pub file: MyFile,
    pub stay_text: Option<String>,
    pub goals: Vec<(nabij_app::client::MyGoal, Option<String>)>,
    pub chart: Option<String>,
    pub progress: Vec<(&'static str, String)>,
    pub consents: Vec<ConsentLine>,
    pub flash: Option<&'static str>,
}

pub async fn my_file(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let file = client::my_file(&state.app, &viewer.caller).await?;
    let stay_text = file.stay.as_ref().map(|s| {
        let left = if s.days_left >= 0 {
            format!(
                "Je kunt hier blijven tot {}: nog {}.",
                labels::date(s.planned_end),
                labels::days(s.days_left)
            )
        } else {
            format!(
                "De geplande einddatum was {}; je begeleider bespreekt met je hoe het verder gaat.",
                labels::date(s.planned_end)
            )
        };
        format!(
            "Je woont sinds {} in {}. Vandaag is dag {}. {left}",
            labels::date(s.start),
            s.home_name,
            s.day
        )
    });
    let chart = (!file.zrm.assessments.is_empty())
        .then(|| crate::guidance::charts::zrm(&file.zrm.assessments, file.zrm.progress.as_deref()));
    let progress = match &file.zrm.progress {
        Some(p) => file
            .zrm
            .domains
            .iter()
            .zip(p)
            .map(|(d, c)| {
                (
                    d.label(),
                    match *c {
                        c if c > 0 => format!("{c} stap(pen) vooruit"),
                        0 => "gelijk gebleven".to_string(),
                        c => format!("{} stap(pen) terug", -c),
                    },
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let consents = file
        .consents
        .iter()
        .map(|c| ConsentLine {
            id: c.id,
            organisation: c.organisation_name.clone(),
            purpose: c.purpose.label(),
            given: labels::date(c.given_on),
            state: match (c.revoked_on, c.active) {
                (Some(r), _) => format!("ingetrokken op {}", labels::date(r)),
                (None, true) => "geldig".into(),
                (None, false) => "verlopen".into(),
            },
            active: c.active,
        })
        .collect();
    let goals = file
        .goals
        .iter()
        .map(|g| (g.clone(), g.target_date.map(labels::date)))
        .collect();
    let person = file.person_id;
    let page = MyFilePage {
        nav: "mijn-verblijf",
        stay_text,
        goals,
        chart,
        progress,
        consents,
        flash: flash(&q),
        file,
    };
    Ok(shown(crate::pages::page(&page), [person]))
}

#[derive(Template)]
#[template(path = "my_contacts.html")]
pub struct MyContactsPage {
    pub nav: &'static str,
    pub lines: Vec<(MyContact, String)>,
    pub pager: crate::paging::Pager,
}

pub async fn my_contacts(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let req = crate::paging::request(q.get("na").map(String::as_str), None)?;
    let offset = crate::paging::offset(&q);
    let (person, page) = client::my_contacts(&state.app, &viewer.caller, &req).await?;
    let pager = crate::paging::Pager::new(&page, "/mijn-contacten", "", offset);
    let clock = state.app.clock();
    let lines = page
        .items
        .into_iter()
        .map(|c| {
            let when = clock.local(c.at);
            (c, when)
        })
        .collect();
    Ok(shown(
        crate::pages::page(&MyContactsPage {
            nav: "mijn-contacten",
            lines,
            pager,
        }),
        [person],
    ))
}

#[derive(Template)]
#[template(path = "my_access.html")]
pub struct MyAccessPage {
    pub nav: &'static str,
    pub lines: Vec<(MyAccess, String)>,
    pub pager: crate::paging::Pager,
}

pub async fn my_access(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let req = crate::paging::request(q.get("na").map(String::as_str), None)?;
    let offset = crate::paging::offset(&q);
    let (person, page) = client::my_access(&state.app, &viewer.caller, &req).await?;
    let pager = crate::paging::Pager::new(&page, "/mijn-inzage", "", offset);
    let clock = state.app.clock();
    let lines = page
        .items
        .into_iter()
        .map(|a| {
            let when = clock.local(a.at);
            (a, when)
        })
        .collect();
    Ok(shown(
        crate::pages::page(&MyAccessPage {
            nav: "mijn-inzage",
            lines,
            pager,
        }),
        [person],
    ))
}

pub async fn revoke(S(state): S<Web>, viewer: Viewer, body: Bytes) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let consent = form.int("consent_id", "Toestemming").unwrap_or(0);
    client::revoke_my_consent(&state.app, &viewer.caller, consent).await?;
    Ok(see_other("/mijn-verblijf", "ingetrokken"))
}

#[derive(Template)]
#[template(path = "invitation.html")]
pub struct InvitationPage {
    pub nav: &'static str,
    pub person_id: PersonId,
    pub username: String,
    pub code: String,
}

pub async fn invite(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
) -> Result<Response, HtmlError> {
    let inv = client::invite(&state.app, &viewer.caller, id).await?;
    let mut r = crate::pages::page(&InvitationPage {
        nav: "personen",
        person_id: id,
        username: inv.username,
        code: inv.code,
    });
    // The code is shown once and never kept by a browser or proxy.
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}
