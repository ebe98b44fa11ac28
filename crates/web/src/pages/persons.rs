use super::needs_text;
use super::referrals::own_area;
use crate::app::{self, StayView, parse_date};
use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::error::WebError;
use crate::routes::State;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as S};
use axum::response::Response;
use nabij_domain::access::{Purpose, Role};
use nabij_domain::ids::PersonId;
use nabij_domain::labels::{self, Label};
use nabij_domain::stay::Milestone;
use nabij_store::consents::{Consent, NewConsent};
use nabij_store::persons::Person;
use nabij_store::stays::StayFilter;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "persons.html")]
pub struct PersonsPage {
    pub nav: &'static str,
    pub q: String,
    pub rows: Vec<Person>,
}

pub async fn list(
    S(state): S<State>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let q = q.get("q").cloned().unwrap_or_default();
    // A professional sees their own caseload only.
    let caseload = match viewer.role() {
        Role::Professional => Some(state.db.caseload(viewer.user.id).await?),
        _ => None,
    };
    let rows = state
        .db
        .persons(viewer.provider(), caseload.as_deref(), Some(&q), 200)
        .await?;
    let persons: Vec<_> = rows.iter().map(|p| p.id).collect();
    Ok(shown(
        super::page(&PersonsPage {
            nav: "personen",
            q,
            rows,
        }),
        persons,
    ))
}

pub struct TimelineEntry {
    pub sort: String,
    pub when: String,
    pub what: String,
    pub href: Option<String>,
}

/// A consent as the person page shows it.
pub struct ConsentRow {
    pub consent: Consent,
    pub active: bool,
    pub given: String,
    pub until: Option<String>,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "person.html")]
pub struct PersonPage {
    pub nav: &'static str,
    pub person: Person,
    pub own_area: String,
    pub needs: String,
    pub dob: Option<String>,
    pub current: Option<StayView>,
    pub planned_end: String,
    pub timeline: Vec<TimelineEntry>,
    pub flash: Option<&'static str>,
    /// The coordinator manages guidance and consent; a professional reads.
    pub manage: bool,
    pub professional: Option<(String, Option<String>)>,
    pub professionals: Vec<(String, String)>,
    pub consents: Vec<ConsentRow>,
    pub partners: Vec<(String, String)>,
    pub purposes: Vec<(&'static str, &'static str)>,
    pub form: crate::forms::Form,
}

pub async fn show(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let flash = super::flash_text(q.get("melding").map(String::as_str));
    let mut form = crate::forms::Form::default();
    form.set("given_on", state.clock.today().to_string());
    person_page(&state, &viewer, PersonId(id), flash, form, false).await
}

async fn person_page(
    state: &State,
    viewer: &Viewer,
    id: PersonId,
    flash: Option<&'static str>,
    form: crate::forms::Form,
    invalid: bool,
) -> Result<Response, HtmlError> {
    let person = app::visible_person(state, viewer, id).await?;
    let today = state.clock.today();
    let referrals = state.db.referrals_of_person(person.id).await?;
    let stays = state
        .db
        .stays(StayFilter {
            person: Some(person.id),
            ..Default::default()
        })
        .await?;
    let at_date = |d: jiff::civil::Date, what: String, href: Option<String>| TimelineEntry {
        sort: format!("{d}T99"),
        when: labels::date(d),
        what,
        href,
    };
    let mut entries = Vec::new();
    for r in &referrals {
        let local = state.clock.tz().to_datetime(r.received_at);
        entries.push(TimelineEntry {
            sort: local.to_string(),
            when: state.clock.local(r.received_at),
            what: format!(
                "Aangemeld door {} ({}){}",
                r.source.label(),
                r.urgency.label(),
                if r.no_place_in_own_area {
                    " — geen plek in eigen gebied"
                } else {
                    ""
                }
            ),
            href: Some(format!("/aanmeldingen/{}", r.id)),
        });
        if let (Some(closed), false) = (
            r.closed_at,
            r.state == nabij_domain::referral::ReferralState::Placed,
        ) {
            entries.push(TimelineEntry {
                sort: state.clock.tz().to_datetime(closed).to_string(),
                when: state.clock.local(closed),
                what: format!(
                    "Aanmelding {}{}",
                    r.state.label(),
                    r.close_reason
                        .as_deref()
                        .map(|c| format!(": {c}"))
                        .unwrap_or_default()
                ),
                href: None,
            });
        }
    }
    for s in &stays {
        let href = Some(format!("/verblijven/{}", s.id));
        entries.push(TimelineEntry {
            sort: state.clock.tz().to_datetime(s.placed_at).to_string(),
            when: state.clock.local(s.placed_at),
            what: format!(
                "Geplaatst in {} ({}, {})",
                s.home_name,
                s.municipality_name,
                labels::km(s.distance_km)
            ),
            href: href.clone(),
        });
        for m in Milestone::ALL {
            if let Some(d) = s.milestone_done(*m) {
                entries.push(at_date(d, format!("{} afgerond", m.label()), href.clone()));
            }
        }
        for e in state.db.extensions(s.id).await? {
            entries.push(at_date(
                state.clock.tz().to_datetime(e.decided_at).date(),
                format!(
                    "Verlengd tot {} door {}: {}",
                    labels::date(e.new_end),
                    e.decided_by,
                    e.reason
                ),
                href.clone(),
            ));
        }
        if let Some(r) = s.ready_on {
            entries.push(at_date(r, "Uitstroomklaar".into(), href.clone()));
        }
        if let (Some(d), Some(dest)) = (s.exit_date, s.destination) {
            entries.push(at_date(
                d,
                format!("Vertrokken naar: {}", dest.label()),
                href.clone(),
            ));
        }
    }
    entries.sort_by(|a, b| b.sort.cmp(&a.sort));
    let timeline = entries;
    let current = stays
        .into_iter()
        .find(|s| s.is_active())
        .map(|s| StayView::of(s, today));
    let manage = viewer.role() == Role::Coordinator;
    let (professionals, partners) = if manage {
        let users = state.db.users_of(viewer.provider()).await?;
        let professionals = users
            .into_iter()
            .filter(|u| u.active && u.role == Role::Professional)
            .map(|u| (u.id.to_string(), u.display_name))
            .collect();
        let partners = state
            .db
            .organisations_of(viewer.provider())
            .await?
            .into_iter()
            .filter(|o| o.kind == "partner")
            .map(|o| (o.id.to_string(), o.name))
            .collect();
        (professionals, partners)
    } else {
        (Vec::new(), Vec::new())
    };
    let consents = state
        .db
        .consents_of(person.id)
        .await?
        .into_iter()
        .map(|c| ConsentRow {
            active: c.active_on(today),
            given: labels::date(c.given_on),
            until: c.expires_on.map(labels::date),
            revoked: c.revoked_on.map(labels::date),
            consent: c,
        })
        .collect();
    let page = PersonPage {
        nav: "personen",
        manage,
        professional: state.db.professional_of(person.id).await?,
        professionals,
        consents,
        partners,
        purposes: super::options(Purpose::ALL, Purpose::code),
        form,
        own_area: own_area(&person),
        needs: needs_text(&person.needs),
        dob: person.date_of_birth.map(labels::date),
        planned_end: current
            .as_ref()
            .map(|s| labels::date(s.stay.planned_end))
            .unwrap_or_default(),
        current,
        person,
        timeline,
        flash,
    };
    let id = page.person.id;
    let response = if invalid {
        super::invalid(&page)
    } else {
        super::page(&page)
    };
    Ok(shown(response, [id]))
}

/// Makes a professional the person's professional from today.
pub async fn assign_professional(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let person = app::visible_person(&state, &viewer, PersonId(id)).await?;
    let mut form = crate::forms::Form::parse(&body);
    let chosen = form.int("professional_id", "Begeleider").unwrap_or(0);
    let professional = state.db.user(chosen).await.ok().filter(|u| {
        u.active && u.role == Role::Professional && u.organisation_id == viewer.provider()
    });
    let Some(professional) = professional else {
        return Err(WebError::BadRequest("kies een begeleider van deze organisatie".into()).into());
    };
    app::assign_professional(&state, &viewer, person.id, professional.id).await?;
    Ok(super::see_other(&format!("/personen/{id}"), "begeleider"))
}

pub async fn add_consent(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let person = app::visible_person(&state, &viewer, PersonId(id)).await?;
    let mut form = crate::forms::Form::parse(&body);
    let mut errors = Vec::new();
    let partner = form.int("organisation_id", "Ketenpartner");
    let partners = state.db.organisations_of(viewer.provider()).await?;
    let partner = partner.filter(|p| partners.iter().any(|o| o.id == *p && o.kind == "partner"));
    if partner.is_none() {
        errors.push(nabij_domain::RuleViolation::new(
            "organisation_id",
            "kies een ketenpartner",
        ));
    }
    let purpose = Purpose::parse(form.value("purpose"));
    if purpose.is_none() {
        errors.push(nabij_domain::RuleViolation::new(
            "purpose",
            "kies waarvoor de toestemming geldt",
        ));
    }
    let given_on = parse_date("given_on", form.value("given_on"))
        .map_err(|e| errors.push(e))
        .ok();
    let expires_on = match form.value("expires_on").trim() {
        "" => None,
        raw => parse_date("expires_on", raw)
            .map_err(|e| errors.push(e))
            .ok(),
    };
    if let (Some(g), Some(e)) = (given_on, expires_on)
        && e < g
    {
        errors.push(nabij_domain::RuleViolation::new(
            "expires_on",
            "de einddatum ligt voor de datum van geven",
        ));
    }
    if given_on.is_some_and(|g| g > state.clock.today()) {
        errors.push(nabij_domain::RuleViolation::new(
            "given_on",
            "toestemming wordt vastgelegd als ze gegeven is, niet vooraf",
        ));
    }
    match (partner, purpose, given_on) {
        (Some(organisation_id), Some(purpose), Some(given_on)) if errors.is_empty() => {
            let consent = NewConsent {
                person: person.id,
                organisation_id,
                purpose,
                given_on,
                expires_on,
            };
            state.db.record_consent(&consent, &viewer.actor()).await?;
            Ok(super::see_other(&format!("/personen/{id}"), "toestemming"))
        }
        _ => {
            form.add_violations(&errors);
            person_page(&state, &viewer, person.id, None, form, true).await
        }
    }
}

pub async fn revoke_consent(
    S(state): S<State>,
    viewer: Viewer,
    Path((id, consent)): Path<(i64, i64)>,
) -> Result<Response, HtmlError> {
    let person = app::visible_person(&state, &viewer, PersonId(id)).await?;
    state
        .db
        .revoke_consent(person.id, consent, state.clock.today(), &viewer.actor())
        .await?;
    Ok(super::see_other(&format!("/personen/{id}"), "ingetrokken"))
}
