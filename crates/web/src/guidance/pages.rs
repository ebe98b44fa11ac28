use super::charts;
use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::extract::Path;
use crate::forms::Form;
use crate::pages::{after_post, flash, with_form};
use crate::routes::Web;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::guidance::{
    self as g, AssessmentInput, CaseloadLine, ContactInput, ContactLog, EndInput, EpisodeInput,
    GoalInput, GoalStatusInput, GuidanceView, IntensityInput, Plan, Zrm,
};
use nabij_domain::access::Role;
use nabij_domain::guidance::{
    ContactKind, GoalOwner, GoalStatus, ZrmDomain, ZrmMoment, level_name,
};
use nabij_domain::ids::PersonId;
use nabij_domain::labels::{self, Label};
use std::collections::HashMap;

/// Dutch hours: "1,5".
pub fn hours(h: impl std::borrow::Borrow<f64>) -> String {
    let h = *h.borrow();
    let s = format!("{h:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

pub struct EpisodeBlock {
    pub episode: g::EpisodeView,
    pub chart: String,
    pub period: String,
}

#[derive(Template)]
#[template(path = "guidance.html")]
pub struct GuidancePage {
    pub nav: &'static str,
    pub tab: &'static str,
    pub person_id: PersonId,
    pub person_name: String,
    pub episodes: Vec<EpisodeBlock>,
    pub open: bool,
    pub open_stay: bool,
    pub resumptions: i64,
    pub coordinator: bool,
    /// The viewer may add, remove and change the professionals of the running episode.
    pub may_staff: bool,
    pub professionals: Vec<(String, String)>,
    /// On the running episode, not its lead: (id, name).
    pub members: Vec<(String, String)>,
    /// Professionals of the organisation not on the running episode.
    pub candidates: Vec<(String, String)>,
    /// Every professional but the lead.
    pub lead_choices: Vec<(String, String)>,
    pub flash: Option<&'static str>,
    pub form: Form,
}

pub async fn guidance(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    guidance_page(&state, &viewer, id, flash(&q), Form::default()).await
}

async fn guidance_page(
    state: &Web,
    viewer: &Viewer,
    id: PersonId,
    flash: Option<&'static str>,
    form: Form,
) -> Result<Response, HtmlError> {
    let GuidanceView {
        person_id,
        person_name,
        episodes,
        open_stay,
        resumptions,
        may_change_professionals: may_staff,
    } = g::guidance(&state.app, &viewer.caller, id).await?;
    let today = state.app.clock().today();
    let coordinator = viewer.caller.acts_as(Role::Coordinator);
    let open = episodes.iter().any(|e| e.status.is_open());
    let professionals = if coordinator || may_staff {
        g::professional_choices(&state.app, &viewer.caller).await?
    } else {
        Vec::new()
    };
    // The running episode's professionals: who can be taken off, who can be added, who can
    // become the lead.
    let (mut members, mut candidates, mut lead_choices) = (Vec::new(), Vec::new(), Vec::new());
    if let Some(e) = episodes.iter().rev().find(|e| e.status.is_open())
        && may_staff
    {
        let on: Vec<String> = e
            .professionals
            .iter()
            .filter(|m| m.left_on.is_none())
            .map(|m| m.professional_id.to_string())
            .collect();
        members = e
            .professionals
            .iter()
            .filter(|m| m.left_on.is_none() && !m.lead)
            .map(|m| (m.professional_id.to_string(), m.name.clone()))
            .collect();
        let lead = e.lead_professional_id.to_string();
        candidates = professionals
            .iter()
            .filter(|(id, _)| !on.contains(id))
            .cloned()
            .collect();
        lead_choices = professionals
            .iter()
            .filter(|(id, _)| *id != lead)
            .cloned()
            .collect();
    }
    let episodes = episodes
        .into_iter()
        .rev()
        .map(|e| {
            let end = e.ended_on.map_or(today, |d| d.min(today.max(e.started_on)));
            let end = if e.ended_on.is_some_and(|d| d > today) {
                today
            } else {
                end
            };
            EpisodeBlock {
                chart: charts::intensity(&e.intensity, e.started_on, end),
                period: match (e.aftercare_from, e.ended_on) {
                    (Some(a), Some(d)) => format!(
                        "van {} tot {}, nazorg vanaf {}",
                        labels::date(e.started_on),
                        labels::date(d),
                        labels::date(a)
                    ),
                    (None, Some(d)) => {
                        format!("van {} tot {}", labels::date(e.started_on), labels::date(d))
                    }
                    _ => format!("sinds {}", labels::date(e.started_on)),
                },
                episode: e,
            }
        })
        .collect();
    let page = GuidancePage {
        nav: "personen",
        tab: "begeleiding",
        person_id,
        person_name,
        episodes,
        open,
        open_stay,
        resumptions,
        coordinator,
        may_staff,
        professionals,
        members,
        candidates,
        lead_choices,
        flash,
        form,
    };
    Ok(with_form(&page, &page.form, [person_id]))
}

fn episode_input(form: &mut Form) -> EpisodeInput {
    EpisodeInput {
        professional_id: form.int("professional_id", "Begeleider"),
        hours_per_week: form.value("hours_per_week").into(),
        reason: form.value("reason").into(),
    }
}

pub async fn start(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = episode_input(&mut form);
    let result = g::start(&state.app, &viewer.caller, id, &input).await;
    after_post(
        result,
        form,
        |_| format!("/personen/{id}/begeleiding"),
        "begeleiding",
        |form| guidance_page(&state, &viewer, id, None, form),
    )
    .await
}

pub async fn resume(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = episode_input(&mut form);
    let result = g::resume(&state.app, &viewer.caller, id, &input).await;
    after_post(
        result,
        form,
        |_| format!("/personen/{id}/begeleiding"),
        "hervat",
        |form| guidance_page(&state, &viewer, id, None, form),
    )
    .await
}

/// Which change of who guides a form asks for; each form has its own field, so an error
/// shows next to the field that was sent.
#[derive(Clone, Copy)]
enum Staffing {
    Add,
    Remove,
    Lead,
}

impl Staffing {
    fn field(self) -> &'static str {
        match self {
            Staffing::Add => "add_professional_id",
            Staffing::Remove => "remove_professional_id",
            Staffing::Lead => "lead_professional_id",
        }
    }
}

async fn staffing(
    state: Web,
    viewer: Viewer,
    id: PersonId,
    body: Bytes,
    what: Staffing,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = g::MemberInput {
        professional_id: form.int(what.field(), "Begeleider"),
    };
    if form.error(what.field()).is_some() {
        return guidance_page(&state, &viewer, id, None, form).await;
    }
    let (result, flash) = match what {
        Staffing::Add => (
            g::add_professional(&state.app, &viewer.caller, id, &input).await,
            "begeleider-toegevoegd",
        ),
        Staffing::Remove => (
            g::remove_professional(&state.app, &viewer.caller, id, &input).await,
            "begeleider-eraf",
        ),
        Staffing::Lead => (
            g::change_lead(&state.app, &viewer.caller, id, &input).await,
            "vaste-begeleider",
        ),
    };
    let result = result.map_err(|e| match e {
        nabij_app::AppError::Invalid(v) => nabij_app::AppError::Invalid(
            v.into_iter()
                .map(|mut e| {
                    if e.field == "professional_id" {
                        e.field = what.field();
                    }
                    e
                })
                .collect(),
        ),
        other => other,
    });
    after_post(
        result,
        form,
        |_| format!("/personen/{id}/begeleiding"),
        flash,
        |form| guidance_page(&state, &viewer, id, None, form),
    )
    .await
}

pub async fn add_professional(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    staffing(state, viewer, id, body, Staffing::Add).await
}

pub async fn remove_professional(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    staffing(state, viewer, id, body, Staffing::Remove).await
}

pub async fn change_lead(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    staffing(state, viewer, id, body, Staffing::Lead).await
}

pub async fn intensity(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = IntensityInput {
        on: form.value("on").into(),
        hours_per_week: form.value("hours_per_week").into(),
        reason: form.value("reason").into(),
    };
    let result = g::change_intensity(&state.app, &viewer.caller, id, &input).await;
    after_post(
        result,
        form,
        |_| format!("/personen/{id}/begeleiding"),
        "intensiteit",
        |form| guidance_page(&state, &viewer, id, None, form),
    )
    .await
}

pub async fn end(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = EndInput {
        ended_on: form.value("ended_on").into(),
        aftercare: if form.checked("aftercare") {
            "true".into()
        } else {
            String::new()
        },
    };
    let result = g::end(&state.app, &viewer.caller, id, &input).await;
    after_post(
        result,
        form,
        |_| format!("/personen/{id}/begeleiding"),
        "afgesloten",
        |form| guidance_page(&state, &viewer, id, None, form),
    )
    .await
}

pub struct ContactLine {
    pub contact: g::ContactView,
    pub when: String,
    /// The entry this one corrects, as shown beside it.
    pub corrects: Option<(i64, String)>,
    /// The corrected entry's text when it is on another page of the log, so the reader
    /// sees what was corrected without leafing back.
    pub corrects_text: Option<String>,
    /// The entries that correct this one, each with whether it is on this page.
    pub corrected_by: Vec<(i64, bool)>,
}

#[derive(Template)]
#[template(path = "contacts.html")]
pub struct ContactsPage {
    pub nav: &'static str,
    pub tab: &'static str,
    pub person_id: PersonId,
    pub person_name: String,
    pub lines: Vec<ContactLine>,
    pub pager: crate::paging::Pager,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub flash: Option<&'static str>,
    pub form: Form,
}

pub async fn contacts(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    if let Some(c) = q.get("corrigeer") {
        form.set("corrects_id", c.clone());
    }
    contacts_page(&state, &viewer, id, &q, flash(&q), form).await
}

async fn contacts_page(
    state: &Web,
    viewer: &Viewer,
    id: PersonId,
    q: &HashMap<String, String>,
    flash: Option<&'static str>,
    form: Form,
) -> Result<Response, HtmlError> {
    let size = q.get("per").and_then(|p| p.parse().ok());
    let req = crate::paging::request(q.get("na").map(String::as_str), size)?;
    let offset = crate::paging::offset(q);
    let ContactLog {
        person_id,
        person_name,
        page,
        corrected,
    } = g::contacts(&state.app, &viewer.caller, id, &req).await?;
    let clock = state.app.clock();
    let mut filters = Vec::new();
    if let Some(per) = size {
        filters.push(("per", per.to_string()));
    }
    let pager = crate::paging::Pager::new(
        &page,
        &format!("/personen/{id}/contacten"),
        &crate::paging::query_string(&filters),
        offset,
    );
    let on_page: HashMap<i64, String> = page
        .items
        .iter()
        .chain(corrected.iter())
        .map(|c| (c.id, format!("{} ({})", clock.local(c.at), c.author)))
        .collect();
    let here: std::collections::HashSet<i64> = page.items.iter().map(|c| c.id).collect();
    let lines = page
        .items
        .into_iter()
        .map(|c| ContactLine {
            when: clock.local(c.at),
            corrects: c
                .corrects_id
                .map(|x| (x, on_page.get(&x).cloned().unwrap_or_default())),
            corrects_text: c
                .corrects_id
                .filter(|x| !here.contains(x))
                .and_then(|x| corrected.iter().find(|o| o.id == x))
                .map(|o| o.text.clone()),
            corrected_by: c
                .corrected_by
                .iter()
                .map(|by| (*by, here.contains(by)))
                .collect(),
            contact: c,
        })
        .collect();
    let page = ContactsPage {
        nav: "personen",
        tab: "contacten",
        person_id,
        person_name,
        lines,
        pager,
        kinds: crate::pages::options(ContactKind::ALL, ContactKind::code),
        flash,
        form,
    };
    Ok(with_form(&page, &page.form, [person_id]))
}

pub async fn add_contact(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = ContactInput {
        date: form.value("date").into(),
        time: form.value("time").into(),
        kind: form.value("kind").into(),
        text: form.value("text").into(),
        working_note: form.checked("working_note"),
        corrects_id: form.int("corrects_id", "Correctie op"),
    };
    let result = g::add_contact(&state.app, &viewer.caller, id, &input).await;
    let first_page = HashMap::new();
    after_post(
        result,
        form,
        |_| format!("/personen/{id}/contacten"),
        "contact",
        |form| contacts_page(&state, &viewer, id, &first_page, None, form),
    )
    .await
}

pub struct GoalLine {
    pub goal: g::GoalView,
    pub target: Option<String>,
    pub recorded: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
pub struct PlanPage {
    pub nav: &'static str,
    pub tab: &'static str,
    pub person_id: PersonId,
    pub person_name: String,
    pub goals: Vec<GoalLine>,
    pub first_goal: Option<String>,
    pub domains: Vec<(&'static str, &'static str)>,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub owners: Vec<(&'static str, &'static str)>,
    pub flash: Option<&'static str>,
    pub form: Form,
}

pub async fn plan(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    plan_page(&state, &viewer, id, flash(&q), Form::default()).await
}

async fn plan_page(
    state: &Web,
    viewer: &Viewer,
    id: PersonId,
    flash: Option<&'static str>,
    form: Form,
) -> Result<Response, HtmlError> {
    let Plan {
        person_id,
        person_name,
        goals,
        first_goal_on,
    } = g::plan(&state.app, &viewer.caller, id).await?;
    let page = PlanPage {
        nav: "personen",
        tab: "plan",
        person_id,
        person_name,
        goals: goals
            .into_iter()
            .map(|goal| GoalLine {
                target: goal.target_date.map(labels::date),
                recorded: labels::date(goal.recorded_on),
                goal,
            })
            .collect(),
        first_goal: first_goal_on.map(labels::date),
        domains: crate::pages::options(ZrmDomain::ALL, ZrmDomain::code),
        statuses: crate::pages::options(GoalStatus::ALL, GoalStatus::code),
        owners: crate::pages::options(GoalOwner::ALL, GoalOwner::code),
        flash,
        form,
    };
    Ok(with_form(&page, &page.form, [person_id]))
}

pub async fn add_goal(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = GoalInput {
        title: form.value("title").into(),
        domain: form.value("domain").into(),
        status: form.value("status").into(),
        target_date: form.value("target_date").into(),
        actions: form.value("actions").into(),
        owner: form.value("owner").into(),
    };
    let result = g::add_goal(&state.app, &viewer.caller, id, &input).await;
    after_post(
        result,
        form,
        |_| format!("/personen/{id}/plan"),
        "doel",
        |form| plan_page(&state, &viewer, id, None, form),
    )
    .await
}

pub async fn goal_status(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = GoalStatusInput {
        goal_id: form.int("goal_id", "Doel").unwrap_or(0),
        status: form.value("status").into(),
    };
    let result = g::set_goal_status(&state.app, &viewer.caller, id, &input).await;
    after_post(
        result,
        form,
        |_| format!("/personen/{id}/plan"),
        "doel",
        |form| plan_page(&state, &viewer, id, None, form),
    )
    .await
}

pub struct ZrmRow {
    pub domain: &'static str,
    pub code: &'static str,
    pub scores: Vec<u8>,
    pub change: Option<String>,
}

#[derive(Template)]
#[template(path = "zrm.html")]
pub struct ZrmPage {
    pub nav: &'static str,
    pub tab: &'static str,
    pub person_id: PersonId,
    pub person_name: String,
    pub chart: Option<String>,
    pub dates: Vec<String>,
    pub rows: Vec<ZrmRow>,
    pub next_due: Option<String>,
    pub due_now: bool,
    pub moments: Vec<(&'static str, &'static str)>,
    pub levels: Vec<(u8, &'static str)>,
    pub flash: Option<&'static str>,
    pub form: Form,
}

pub async fn zrm(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    form.set("assessed_on", state.app.clock().today().to_string());
    zrm_page(&state, &viewer, id, flash(&q), form).await
}

async fn zrm_page(
    state: &Web,
    viewer: &Viewer,
    id: PersonId,
    flash: Option<&'static str>,
    form: Form,
) -> Result<Response, HtmlError> {
    let Zrm {
        person_id,
        person_name,
        domains,
        assessments,
        progress,
        next_due,
    } = g::zrm(&state.app, &viewer.caller, id).await?;
    let today = state.app.clock().today();
    let rows = domains
        .iter()
        .enumerate()
        .map(|(i, d)| ZrmRow {
            domain: d.label(),
            code: d.code(),
            scores: assessments.iter().map(|a| a.scores[i]).collect(),
            change: progress.as_ref().map(|p| match p[i] {
                c if c > 0 => format!("+{c}"),
                c => c.to_string(),
            }),
        })
        .collect();
    let page = ZrmPage {
        nav: "personen",
        tab: "zrm",
        person_id,
        person_name,
        chart: (!assessments.is_empty()).then(|| charts::zrm(&assessments, progress.as_deref())),
        dates: assessments
            .iter()
            .map(|a| format!("{} ({})", labels::date(a.assessed_on), a.moment.label()))
            .collect(),
        rows,
        due_now: next_due.is_some_and(|d| d <= today),
        next_due: next_due.map(labels::date),
        moments: crate::pages::options(ZrmMoment::ALL, ZrmMoment::code),
        levels: (1..=5).map(|l| (l, level_name(l))).collect(),
        flash,
        form,
    };
    Ok(with_form(&page, &page.form, [person_id]))
}

pub async fn add_assessment(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let mut scores = std::collections::BTreeMap::new();
    for d in ZrmDomain::ALL {
        // An empty or unreadable score is left out: the use case names the domain.
        if let Ok(v) = form.value(d.code()).trim().parse::<i64>() {
            scores.insert(d.code().to_string(), v);
        }
    }
    let input = AssessmentInput {
        assessed_on: form.value("assessed_on").into(),
        moment: form.value("moment").into(),
        scores,
    };
    let result = g::add_assessment(&state.app, &viewer.caller, id, &input).await;
    after_post(
        result,
        form,
        |_| format!("/personen/{id}/zrm"),
        "zrm",
        |form| zrm_page(&state, &viewer, id, None, form),
    )
    .await
}

pub struct CaseloadRow {
    pub line: CaseloadLine,
    pub last_contact: String,
    pub hours: Option<String>,
    /// An open signal is high or acute.
    pub urgent: bool,
}

#[derive(Template)]
#[template(path = "caseload.html")]
pub struct CaseloadPage {
    pub nav: &'static str,
    pub rows: Vec<CaseloadRow>,
    pub pager: crate::paging::Pager,
}

pub async fn caseload(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let size = q.get("per").and_then(|p| p.parse().ok());
    let req = crate::paging::request(q.get("na").map(String::as_str), size)?;
    let offset = crate::paging::offset(&q);
    let page = g::caseload(&state.app, &viewer.caller, &req).await?;
    let mut filters = Vec::new();
    if let Some(per) = size {
        filters.push(("per", per.to_string()));
    }
    let pager = crate::paging::Pager::new(
        &page,
        "/caseload",
        &crate::paging::query_string(&filters),
        offset,
    );
    let clock = state.app.clock();
    let persons: Vec<PersonId> = page.items.iter().map(|l| l.person_id).collect();
    let rows = page
        .items
        .into_iter()
        .map(|line| CaseloadRow {
            last_contact: line
                .last_contact
                .map(|t| clock.local(t))
                .unwrap_or_else(|| "nog geen".into()),
            hours: line.hours_per_week.map(hours),
            urgent: matches!(
                line.most_urgent_signal,
                Some(nabij_domain::signal::Urgency::High | nabij_domain::signal::Urgency::Acute)
            ),
            line,
        })
        .collect();
    Ok(shown(
        crate::pages::page(&CaseloadPage {
            nav: "caseload",
            rows,
            pager,
        }),
        persons,
    ))
}

pub struct DomainRow {
    pub domain: &'static str,
    pub change: g::DomainChange,
    pub to_latest: String,
    pub to_exit: String,
}

#[derive(Template)]
#[template(path = "recovery.html")]
pub struct RecoveryPage {
    pub nav: &'static str,
    pub period: String,
    pub query: String,
    pub persons_assessed: i64,
    pub rows: Vec<DomainRow>,
    pub months: Vec<(g::HoursMonth, String, String)>,
    pub resumptions: i64,
}

fn signed(v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(v) => format!("{v:+.2}").replace('.', ","),
    }
}

/// The recovery measures of the period in the query (the last twelve months by default),
/// exact; the export links give the same tables with small numbers suppressed.
pub async fn recovery(
    S(state): S<Web>,
    viewer: Viewer,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, HtmlError> {
    let (_, q) = crate::reports::pages::read(raw);
    let scope = nabij_app::reports::scope(&state.app, &viewer.caller, &q?).await?;
    let r = g::recovery_report(&state.app, &viewer.caller, &scope).await?;
    let page = RecoveryPage {
        nav: "rapportage",
        period: scope.period.label(),
        query: crate::reports::pages::scope_query(&scope),
        persons_assessed: r.persons_assessed,
        rows: r
            .domains
            .into_iter()
            .map(|c| DomainRow {
                domain: c.domain.label(),
                to_latest: signed(c.mean_to_latest),
                to_exit: signed(c.mean_to_exit),
                change: c,
            })
            .collect(),
        months: r
            .months
            .into_iter()
            .map(|m| {
                let total = hours(m.hours_per_week);
                let mean = m
                    .mean_hours_per_week
                    .map(hours)
                    .unwrap_or_else(|| "—".into());
                (m, total, mean)
            })
            .collect(),
        resumptions: r.resumptions,
    };
    Ok(crate::pages::page(&page))
}
