//! The access log: the auditor's page (filter by person, user and period) and a person's own
//! overview of who looked at their file, to print or export.

use super::page;
use crate::app;
use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::routes::State;
use askama::Template;
use axum::extract::{Path, Query, State as S};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::ids::PersonId;
use nabij_domain::labels::Label;
use nabij_store::audit::{AccessFilter, AccessLogEntry};
use std::collections::HashMap;

pub struct Line {
    pub at: String,
    pub who: String,
    pub role: String,
    pub on_behalf_of: String,
    pub person: String,
    pub what: String,
    pub detail: String,
    pub from: String,
    pub outcome: String,
}

fn role_label(code: &str) -> String {
    nabij_domain::access::Role::parse(code)
        .map(|r| r.label().to_owned())
        .unwrap_or_else(|| code.to_owned())
}

fn line(state: &State, e: &AccessLogEntry) -> Line {
    let what = match (
        DataCategory::parse(&e.category),
        AuditAction::parse(&e.action),
    ) {
        (Some(c), Some(a)) => format!("{}: {}", c.label(), a.label()),
        _ => format!("{}: {}", e.category, e.action),
    };
    Line {
        at: state.clock.local(e.at),
        who: e.username.clone(),
        role: role_label(&e.role),
        on_behalf_of: e.on_behalf_of.clone(),
        person: e
            .person_id
            .map(|p| format!("#{p}"))
            .unwrap_or_else(|| "—".into()),
        what,
        detail: e.detail.clone(),
        from: format!("{} · {}", e.address, e.client),
        outcome: if e.outcome == "allowed" {
            "toegestaan".into()
        } else {
            e.outcome.clone()
        },
    }
}

#[derive(Template)]
#[template(path = "access_log.html")]
pub struct LogPage {
    pub nav: &'static str,
    pub person: String,
    pub user: String,
    pub from: String,
    pub until: String,
    pub error: Option<String>,
    pub lines: Vec<Line>,
}

fn day_start(
    state: &State,
    raw: &str,
    field: &'static str,
) -> Result<Option<jiff::Timestamp>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let d = app::parse_date(field, raw).map_err(|e| e.message)?;
    Ok(state
        .clock
        .tz()
        .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
        .ok())
}

/// The auditor's page.
pub async fn log(
    S(state): S<State>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let (person, user, from, until) = (get("persoon"), get("gebruiker"), get("van"), get("tot"));
    let mut error = None;
    let mut filter = AccessFilter {
        organisation: Some(viewer.provider()),
        ..Default::default()
    };
    if !person.trim().is_empty() {
        match person.trim().trim_start_matches('#').parse::<i64>() {
            Ok(p) => filter.person = Some(PersonId(p)),
            Err(_) => error = Some("Vul bij persoon het nummer in, bijvoorbeeld 12.".to_owned()),
        }
    }
    if !user.trim().is_empty() {
        match state
            .db
            .user_by_username(&user.trim().to_lowercase())
            .await?
        {
            Some(u) if u.provider_id == viewer.provider() => filter.user = Some(u.id),
            _ => {
                error = Some(format!(
                    "Er is geen gebruiker {} in deze organisatie.",
                    user.trim()
                ))
            }
        }
    }
    match (
        day_start(&state, &from, "van"),
        day_start(&state, &until, "tot"),
    ) {
        (Ok(f), Ok(u)) => {
            filter.from = f;
            filter.until = u.map(|t| t + jiff::SignedDuration::from_hours(24));
        }
        (Err(e), _) | (_, Err(e)) => error = Some(e),
    }
    let entries = if error.is_none() {
        state.db.access_log(&filter, 500).await?
    } else {
        Vec::new()
    };
    // Views of the organisation's own persons' log entries are logged; an entry about an
    // attempt on another organisation's file shows only its number.
    let mut persons: Vec<PersonId> = entries.iter().filter_map(|e| e.person_id).collect();
    persons.sort_by_key(|p| p.0);
    persons.dedup();
    let mut own = Vec::new();
    for p in persons {
        if state
            .db
            .person(p)
            .await
            .is_ok_and(|x| x.organisation_id == viewer.provider())
        {
            own.push(p);
        }
    }
    let persons = own;
    let lines = entries.iter().map(|e| line(&state, e)).collect();
    let status_page = page(&LogPage {
        nav: "toegangslog",
        person,
        user,
        from,
        until,
        error,
        lines,
    });
    Ok(shown(status_page, persons))
}

#[derive(Template)]
#[template(path = "person_access.html")]
pub struct PersonAccessPage {
    pub nav: &'static str,
    pub id: i64,
    pub name: String,
    pub printed: String,
    pub lines: Vec<Line>,
}

async fn entries_of(
    state: &State,
    viewer: &Viewer,
    id: i64,
) -> Result<(String, Vec<AccessLogEntry>), HtmlError> {
    let person = app::visible_person(state, viewer, PersonId(id)).await?;
    let filter = AccessFilter {
        person: Some(person.id),
        ..Default::default()
    };
    Ok((
        person.full_name(),
        state.db.access_log(&filter, 10_000).await?,
    ))
}

/// Who looked at this person's file: a page to print for the person.
pub async fn person_overview(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, HtmlError> {
    let (name, entries) = entries_of(&state, &viewer, id).await?;
    let lines = entries.iter().map(|e| line(&state, e)).collect();
    let printed = state.clock.local(state.clock.now());
    Ok(shown(
        page(&PersonAccessPage {
            nav: "personen",
            id,
            name,
            printed,
            lines,
        }),
        [PersonId(id)],
    ))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', ';']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The same overview as a CSV file.
pub async fn person_overview_csv(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, HtmlError> {
    let (_, entries) = entries_of(&state, &viewer, id).await?;
    let mut out =
        String::from("tijdstip,gebruiker,rol,namens,gegevens,handeling,waar,vanaf,uitkomst\n");
    for e in &entries {
        let l = line(&state, e);
        let fields = [
            l.at,
            l.who,
            l.role,
            l.on_behalf_of,
            e.category.clone(),
            e.action.clone(),
            l.detail,
            l.from,
            l.outcome,
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    let file = (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"inzage-{id}.csv\""),
            ),
        ],
        out,
    )
        .into_response();
    Ok(shown(file, [PersonId(id)]))
}
