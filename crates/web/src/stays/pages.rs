use crate::auth::{Viewer, shown};
use crate::dashboard::pages::status_text;
use crate::error::HtmlError;
use crate::extract::Path;
use crate::forms::Form;
use crate::pages::{after_post, flash, page, with_form};
use crate::paging::{self, Pager};
use crate::routes::Web;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::AppError;
use nabij_app::stays::{
    self, ExitInput, ExtensionInput, MilestoneInput, ReadyInput, StayAttention, StayQuery, StayView,
};
use nabij_domain::ids::{MunicipalityId, StayId};
use nabij_domain::labels::{self, Label};
use nabij_domain::stay::{Destination, DestinationClass};
use std::collections::HashMap;

pub struct StayRow {
    pub id: i64,
    pub person: String,
    pub home: String,
    pub start: String,
    pub end: String,
    pub day: i64,
    pub tags: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "stays.html")]
pub struct StaysPage {
    pub nav: &'static str,
    pub status: String,
    pub status_options: Vec<(&'static str, &'static str)>,
    pub municipality: String,
    pub municipalities: Vec<(String, String)>,
    pub attention: String,
    pub rows: Vec<StayRow>,
    pub pager: Pager,
}

fn tags(v: &StayView) -> Vec<(&'static str, String)> {
    let mut t = Vec::new();
    if let Some(d) = v.stay.destination {
        t.push(("upcoming", format!("vertrokken: {}", d.label())));
    }
    if v.clock.overdue {
        t.push((
            "overdue",
            format!("{} dagen over einddatum", -v.clock.days_left),
        ));
    }
    for m in v.pressing() {
        let (status, css, _) = status_text(m.status);
        t.push((css, format!("{}: {status}", m.label)));
    }
    if v.stay.is_active() && v.stay.ready_on.is_some() {
        t.push((
            "due",
            format!("wacht {} dagen op woning", v.clock.waiting_for_housing_days),
        ));
    }
    if v.stay.extensions > 0 {
        t.push(("upcoming", format!("{}× verlengd", v.stay.extensions)));
    }
    t
}

pub async fn list(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let status = q.get("status").cloned().unwrap_or_else(|| "lopend".into());
    let municipality = q.get("gemeente").cloned().unwrap_or_default();
    let attention = q.get("aandacht").cloned().unwrap_or_default();
    let size = q.get("per").and_then(|p| p.parse().ok());
    let req = paging::request(q.get("na").map(String::as_str), size)?;
    let query = StayQuery {
        active: match status.as_str() {
            "lopend" => Some(true),
            "beeindigd" => Some(false),
            _ => None,
        },
        municipality_id: municipality.parse().ok().map(MunicipalityId),
        attention: match attention.as_str() {
            "mijlpaal" => Some(StayAttention::Milestone),
            "over" => Some(StayAttention::Overdue),
            "wacht" => Some(StayAttention::Waiting),
            _ => None,
        },
        ..Default::default()
    };
    let stays = stays::list(&state.app, &viewer.caller, &query, &req).await?;
    let mut filters = vec![("status", status.clone())];
    if !municipality.is_empty() {
        filters.push(("gemeente", municipality.clone()));
    }
    if !attention.is_empty() {
        filters.push(("aandacht", attention.clone()));
    }
    if let Some(per) = size {
        filters.push(("per", per.to_string()));
    }
    let pager = Pager::new(
        &stays,
        "/verblijven",
        &paging::query_string(&filters),
        paging::offset(&q),
    );
    let persons: Vec<_> = stays.items.iter().map(|v| v.stay.person_id).collect();
    let rows: Vec<StayRow> = stays
        .items
        .iter()
        .map(|v| StayRow {
            id: v.stay.id.0,
            person: v.stay.person_name.clone(),
            home: v.stay.home_name.clone(),
            start: labels::date(v.stay.start),
            end: labels::date(v.stay.exit_date.unwrap_or(v.stay.planned_end)),
            day: v.clock.day,
            tags: tags(v),
        })
        .collect();
    let listed = page(&StaysPage {
        nav: "verblijven",
        status,
        status_options: vec![
            ("lopend", "lopend"),
            ("beeindigd", "beëindigd"),
            ("alle", "alle"),
        ],
        municipality,
        municipalities: nabij_app::geography::municipality_choices(&state.app).await?,
        attention,
        rows,
        pager,
    });
    Ok(shown(listed, persons))
}

pub struct MilestoneRow {
    pub code: &'static str,
    pub label: &'static str,
    pub status: &'static str,
    pub css: &'static str,
    pub when: String,
    pub open: bool,
}

type DestinationGroup = (&'static str, Vec<(&'static str, &'static str)>);

#[derive(Template)]
#[template(path = "stay.html")]
pub struct StayPage {
    pub nav: &'static str,
    pub s: StayView,
    pub distance: String,
    pub start: String,
    pub planned_end: String,
    pub ready_on: Option<String>,
    pub exit: Option<String>,
    pub milestones: Vec<MilestoneRow>,
    pub extensions: Vec<String>,
    pub destinations: Vec<DestinationGroup>,
    pub flash: Option<&'static str>,
    pub form: Form,
    /// Exit and extension are the coordinator's decisions.
    pub manage: bool,
}

async fn stay_page(
    state: &Web,
    viewer: &Viewer,
    id: StayId,
    flash: Option<&'static str>,
    form: Form,
) -> Result<StayPage, HtmlError> {
    let (s, extensions) = stays::stay_with_extensions(&state.app, &viewer.caller, id).await?;
    let clock = state.app.clock();
    let extensions = extensions
        .into_iter()
        .map(|e| {
            format!(
                "{}: van {} naar {}, door {} — {}",
                clock.local(e.decided_at),
                labels::date(e.previous_end),
                labels::date(e.new_end),
                e.decided_by,
                e.reason
            )
        })
        .collect();
    let destinations = DestinationClass::ALL
        .iter()
        .map(|c| {
            (
                c.label(),
                Destination::ALL
                    .iter()
                    .filter(|d| d.class() == *c)
                    .map(|d| (d.code(), d.label()))
                    .collect(),
            )
        })
        .collect();
    let milestones = s
        .milestones
        .iter()
        .map(|m| {
            let (status, css, when) = status_text(m.status);
            MilestoneRow {
                code: m.milestone.code(),
                label: m.label,
                status,
                css,
                when,
                open: matches!(
                    m.status,
                    nabij_domain::stay::MilestoneStatus::Upcoming { .. }
                        | nabij_domain::stay::MilestoneStatus::DueSoon { .. }
                        | nabij_domain::stay::MilestoneStatus::Overdue { .. }
                ),
            }
        })
        .collect();
    Ok(StayPage {
        nav: "verblijven",
        distance: labels::km(s.stay.distance_km),
        start: labels::date(s.stay.start),
        planned_end: labels::date(s.stay.planned_end),
        ready_on: s.stay.ready_on.map(labels::date),
        exit: s.stay.exit_date.map(|d| {
            format!(
                "{} naar {}{}",
                labels::date(d),
                s.stay.destination.map(|x| x.label()).unwrap_or(""),
                s.stay
                    .exit_reason
                    .as_deref()
                    .filter(|r| !r.is_empty())
                    .map(|r| format!(" — {r}"))
                    .unwrap_or_default()
            )
        }),
        milestones,
        extensions,
        destinations,
        s,
        flash,
        form,
        manage: viewer.role() == nabij_domain::access::Role::Coordinator,
    })
}

pub async fn show(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<StayId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    let today = state.app.clock().today().to_string();
    form.set("exit_date", &today);
    form.set("ready_on", &today);
    let p = stay_page(&state, &viewer, id, flash(&q), form).await?;
    let person = p.s.stay.person_id;
    Ok(shown(page(&p), [person]))
}

/// After a form action: to the stay page with a message, or the page again with the errors.
async fn after(
    state: &Web,
    viewer: &Viewer,
    id: StayId,
    form: Form,
    result: Result<StayView, AppError>,
    message: &str,
) -> Result<Response, HtmlError> {
    after_post(
        result,
        form,
        |_| format!("/verblijven/{id}"),
        message,
        |form| async move {
            let p = stay_page(state, viewer, id, None, form).await?;
            let person = p.s.stay.person_id;
            Ok(with_form(&p, &p.form, [person]))
        },
    )
    .await
}

pub async fn exit(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<StayId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = ExitInput {
        exit_date: form.value("exit_date").into(),
        destination: form.value("destination").into(),
        reason: form.value("exit_reason").into(),
    };
    let result = stays::exit(&state.app, &viewer.caller, id, &input).await;
    after(&state, &viewer, id, form, result, "vertrek").await
}

pub async fn extend(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<StayId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = ExtensionInput {
        decided_by: form.value("decided_by").into(),
        reason: form.value("reason").into(),
        new_end: form.value("new_end").into(),
    };
    let result = stays::extend(&state.app, &viewer.caller, id, &input).await;
    after(&state, &viewer, id, form, result, "verlengd").await
}

pub async fn ready(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<StayId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = ReadyInput {
        ready_on: form.value("ready_on").into(),
    };
    let result = stays::ready(&state.app, &viewer.caller, id, &input).await;
    after(&state, &viewer, id, form, result, "klaar").await
}

pub async fn milestone(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<StayId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = MilestoneInput {
        milestone: form.value("milestone").into(),
        done_on: form.value("done_on").into(),
    };
    let result = stays::milestone(&state.app, &viewer.caller, id, &input).await;
    after(&state, &viewer, id, form, result, "mijlpaal").await
}
