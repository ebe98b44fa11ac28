use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::extract::Path;
use crate::forms::Form;
use crate::pages::{after_post, flash, needs_text, see_other, with_form};
use crate::routes::Web;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::persons::{self, Consent, ConsentInput, Person, PersonFile, PersonLine};
use nabij_app::stays::StayView;
use nabij_domain::access::Purpose;
use nabij_domain::ids::{ConsentId, PersonId, UserId};
use nabij_domain::labels::{self, Label};
use nabij_domain::stay::Milestone;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "persons.html")]
pub struct PersonsPage {
    pub nav: &'static str,
    pub q: String,
    pub rows: Vec<PersonLine>,
    pub pager: crate::paging::Pager,
}

pub async fn list(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let size = q.get("per").and_then(|p| p.parse().ok());
    let req = crate::paging::request(q.get("na").map(String::as_str), size)?;
    let offset = crate::paging::offset(&q);
    let q = q.get("q").cloned().unwrap_or_default();
    let found = persons::list(&state.app, &viewer.caller, &q, &req).await?;
    let mut filters = Vec::new();
    if !q.is_empty() {
        filters.push(("q", q.clone()));
    }
    if let Some(per) = size {
        filters.push(("per", per.to_string()));
    }
    let pager = crate::paging::Pager::new(
        &found,
        "/personen",
        &crate::paging::query_string(&filters),
        offset,
    );
    let persons: Vec<_> = found.items.iter().map(|p| p.id).collect();
    Ok(shown(
        crate::pages::page(&PersonsPage {
            nav: "personen",
            q,
            rows: found.items,
            pager,
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
    pub form: Form,
}

pub async fn show(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    form.set("given_on", state.app.clock().today().to_string());
    person_page(&state, &viewer, id, flash(&q), form).await
}

async fn person_page(
    state: &Web,
    viewer: &Viewer,
    id: PersonId,
    flash: Option<&'static str>,
    form: Form,
) -> Result<Response, HtmlError> {
    let PersonFile {
        person,
        referrals,
        stays,
        current,
        professional,
        consents,
        manage,
        professionals,
        partners,
    } = persons::file(&state.app, &viewer.caller, id).await?;
    let clock = state.app.clock();
    let at_date = |d: jiff::civil::Date, what: String, href: Option<String>| TimelineEntry {
        sort: format!("{d}T99"),
        when: labels::date(d),
        what,
        href,
    };
    let mut entries = Vec::new();
    for r in &referrals {
        let local = clock.tz().to_datetime(r.received_at);
        entries.push(TimelineEntry {
            sort: local.to_string(),
            when: clock.local(r.received_at),
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
            // Referrals are a coordinator's pages.
            href: manage.then(|| format!("/aanmeldingen/{}", r.id)),
        });
        if let (Some(closed), false) = (
            r.closed_at,
            r.state == nabij_domain::referral::ReferralState::Placed,
        ) {
            entries.push(TimelineEntry {
                sort: clock.tz().to_datetime(closed).to_string(),
                when: clock.local(closed),
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
    for (s, extensions) in &stays {
        let href = Some(format!("/verblijven/{}", s.id));
        entries.push(TimelineEntry {
            sort: clock.tz().to_datetime(s.placed_at).to_string(),
            when: clock.local(s.placed_at),
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
        for e in extensions {
            entries.push(at_date(
                clock.tz().to_datetime(e.decided_at).date(),
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
    let consents = consents
        .into_iter()
        .map(|c| ConsentRow {
            active: c.active,
            given: labels::date(c.given_on),
            until: c.expires_on.map(labels::date),
            revoked: c.revoked_on.map(labels::date),
            consent: c,
        })
        .collect();
    let page = PersonPage {
        nav: "personen",
        manage,
        professional,
        professionals,
        consents,
        partners,
        purposes: crate::pages::options(Purpose::ALL, Purpose::code),
        form,
        own_area: person.own_area(),
        needs: needs_text(&person.needs),
        dob: person.date_of_birth.map(labels::date),
        planned_end: current
            .as_ref()
            .map(|s| labels::date(s.stay.planned_end))
            .unwrap_or_default(),
        current,
        person,
        timeline: entries,
        flash,
    };
    Ok(with_form(&page, &page.form, [page.person.id]))
}

/// Makes a professional the person's professional from today.
pub async fn assign_professional(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let chosen = form.int("professional_id", "Begeleider").unwrap_or(0);
    let result = persons::assign_professional(&state.app, &viewer.caller, id, UserId(chosen)).await;
    after_post(
        result,
        form,
        |_| format!("/personen/{id}"),
        "begeleider",
        |form| person_page(&state, &viewer, id, None, form),
    )
    .await
}

pub async fn add_consent(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = ConsentInput {
        organisation_id: form.int("organisation_id", "Ketenpartner"),
        purpose: form.value("purpose").into(),
        given_on: form.value("given_on").into(),
        expires_on: form.value("expires_on").into(),
    };
    let result = persons::add_consent(&state.app, &viewer.caller, id, &input).await;
    after_post(
        result,
        form,
        |_| format!("/personen/{id}"),
        "toestemming",
        |form| person_page(&state, &viewer, id, None, form),
    )
    .await
}

pub async fn revoke_consent(
    S(state): S<Web>,
    viewer: Viewer,
    Path((id, consent)): Path<(PersonId, ConsentId)>,
) -> Result<Response, HtmlError> {
    persons::revoke_consent(&state.app, &viewer.caller, id, consent).await?;
    Ok(see_other(&format!("/personen/{id}"), "ingetrokken"))
}
