use super::needs_text;
use super::referrals::own_area;
use crate::app::StayView;
use crate::error::HtmlError;
use crate::routes::State;
use askama::Template;
use axum::extract::{Path, Query, State as S};
use axum::response::Response;
use nabij_domain::ids::PersonId;
use nabij_domain::labels::{self, Label};
use nabij_domain::stay::Milestone;
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
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let q = q.get("q").cloned().unwrap_or_default();
    let rows = state.db.persons(Some(&q), 200).await?;
    Ok(super::page(&PersonsPage {
        nav: "personen",
        q,
        rows,
    }))
}

pub struct TimelineEntry {
    pub sort: String,
    pub when: String,
    pub what: String,
    pub href: Option<String>,
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
}

pub async fn show(
    S(state): S<State>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let person = state.db.person(PersonId(id)).await?;
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
    Ok(super::page(&PersonPage {
        nav: "personen",
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
        flash: super::flash_text(q.get("melding").map(String::as_str)),
    }))
}
