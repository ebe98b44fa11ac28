//! The access log: the auditor's page (filter by person, user and period) and a person's own
//! overview of who looked at their file, to print or export.

use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::extract::Path;
use crate::pages::page;
use crate::routes::Web;
use askama::Template;
use axum::extract::{Query, State as S};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use nabij_app::AppError;
use nabij_app::audit::{self, LogLine, LogQuery};
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::ids::PersonId;
use nabij_domain::labels::Label;
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

fn line(state: &Web, e: &LogLine) -> Line {
    let what = match (
        DataCategory::parse(&e.category),
        AuditAction::parse(&e.action),
    ) {
        (Some(c), Some(a)) => format!("{}: {}", c.label(), a.label()),
        _ => format!("{}: {}", e.category, e.action),
    };
    Line {
        at: state.app.clock().local(e.at),
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
        outcome: match e.outcome.as_str() {
            "allowed" => "toegestaan".into(),
            "denied" => "geweigerd".into(),
            other => other.to_owned(),
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
    pub pager: Option<crate::paging::Pager>,
}

/// A typed date of the search, or the Dutch reason it is not one.
fn day(raw: &str, field: &'static str) -> Result<Option<jiff::civil::Date>, String> {
    match raw.trim() {
        "" => Ok(None),
        raw => nabij_app::parse_date(field, raw)
            .map(Some)
            .map_err(|e| e.message),
    }
}

/// The auditor's page.
pub async fn log(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let (person, user, from, until) = (get("persoon"), get("gebruiker"), get("van"), get("tot"));
    let mut error = None;
    let mut query = LogQuery {
        username: Some(user.clone()),
        ..Default::default()
    };
    if !person.trim().is_empty() {
        match person.trim().trim_start_matches('#').parse::<i64>() {
            Ok(p) => query.person = Some(PersonId(p)),
            Err(_) => error = Some("Vul bij persoon het nummer in, bijvoorbeeld 12.".to_owned()),
        }
    }
    match (day(&from, "van"), day(&until, "tot")) {
        (Ok(f), Ok(u)) => {
            query.from = f;
            query.until = u;
        }
        (Err(e), _) | (_, Err(e)) => error = Some(e),
    }
    let size = q.get("per").and_then(|p| p.parse().ok());
    let req = crate::paging::request(q.get("na").map(String::as_str), size)?;
    let view = if error.is_none() {
        match audit::search(&state.app, &viewer.caller, &query, &req).await {
            Ok(v) => Some(v),
            Err(AppError::Invalid(v)) => {
                error = v.first().map(|e| e.message.clone());
                None
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    let mut filters = Vec::new();
    for (k, v) in [
        ("persoon", &person),
        ("gebruiker", &user),
        ("van", &from),
        ("tot", &until),
    ] {
        if !v.is_empty() {
            filters.push((k, v.clone()));
        }
    }
    if let Some(per) = size {
        filters.push(("per", per.to_string()));
    }
    let (lines, persons, pager) = match view {
        Some(v) => (
            v.lines.items.iter().map(|e| line(&state, e)).collect(),
            v.persons,
            Some(crate::paging::Pager::new(
                &v.lines,
                "/toegangslog",
                &crate::paging::query_string(&filters),
                crate::paging::offset(&q),
            )),
        ),
        None => (Vec::new(), Vec::new(), None),
    };
    let status_page = page(&LogPage {
        nav: "toegangslog",
        person,
        user,
        from,
        until,
        error,
        lines,
        pager,
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
    pub pager: crate::paging::Pager,
}

/// Who looked at this person's file: a page to print for the person.
pub async fn person_overview(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let size = q.get("per").and_then(|p| p.parse().ok());
    let req = crate::paging::request(q.get("na").map(String::as_str), size)?;
    let (name, entries) = audit::person_overview(&state.app, &viewer.caller, id, &req).await?;
    let lines = entries.items.iter().map(|e| line(&state, e)).collect();
    let filters: Vec<(&str, String)> = size.map(|p| ("per", p.to_string())).into_iter().collect();
    let pager = crate::paging::Pager::new(
        &entries,
        &format!("/personen/{id}/inzage"),
        &crate::paging::query_string(&filters),
        crate::paging::offset(&q),
    );
    let clock = state.app.clock();
    let printed = clock.local(clock.now());
    Ok(shown(
        page(&PersonAccessPage {
            nav: "personen",
            id: id.0,
            name,
            printed,
            lines,
            pager,
        }),
        [id],
    ))
}

/// A cell as a spreadsheet will read it: text that starts like a formula (`=`, `+`, `-`,
/// `@`, tab, carriage return) is prefixed with `'`, so a name like `=HYPERLINK(…)` stays text.
fn neutralised(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The overview as CSV, written by the `csv` crate (quoting) with formulas neutralised.
fn overview_csv(state: &Web, entries: &[LogLine]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "tijdstip",
        "gebruiker",
        "rol",
        "namens",
        "gegevens",
        "handeling",
        "waar",
        "vanaf",
        "uitkomst",
    ])?;
    for e in entries {
        let l = line(state, e);
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
        w.write_record(fields.iter().map(|f| neutralised(f).into_owned()))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The same overview as a CSV file.
pub async fn person_overview_csv(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<PersonId>,
) -> Result<Response, HtmlError> {
    // Every entry, read a page at a time: the export has no limit.
    let mut entries = Vec::new();
    let mut req = nabij_domain::page::PageRequest::first(nabij_domain::page::MAX_PAGE_SIZE);
    loop {
        let (_, page) = audit::person_overview(&state.app, &viewer.caller, id, &req).await?;
        entries.extend(page.items);
        match page.next {
            Some(next) => req = crate::paging::request(Some(&next), Some(req.size))?,
            None => break,
        }
    }
    let out = overview_csv(&state, &entries)
        .map_err(|e| crate::error::WebError::from(nabij_app::AppError::Internal(e.to_string())))?;
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
    Ok(shown(file, [id]))
}

#[cfg(test)]
mod tests {
    use super::neutralised;

    #[test]
    fn formulas_stay_text_in_a_spreadsheet() {
        for f in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-1",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert!(neutralised(f).starts_with('\''), "{f}");
        }
        assert_eq!(neutralised("Tom Bakker"), "Tom Bakker");
    }
}
