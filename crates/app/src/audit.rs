//! The NEN 7513 access log: logging views and refused attempts, the auditor's search, a
//! person's own overview of who looked at their file, the chain check, and retention.
//!
//! **The rule of this area:** the log is read by the organisation's administrators (all of
//! it, for their own organisation) and, for one person, by coordinators who may see that
//! person's file, so the person can be shown who looked. Changes are logged by the store in
//! the transaction of the change; views are logged here, before the data leaves.

use crate::{App, AppError, Caller, Result};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::access::{AuditAction, DataCategory, Role};
use nabij_domain::ids::*;
use nabij_domain::page::{Page, PageRequest};
use nabij_store::audit::{Access as Entry, AccessFilter};
use serde::Serialize;

pub use nabij_store::audit::{ChainCheck, Checkpoint};

/// One line of the access log.
#[derive(Debug, Clone, Serialize)]
pub struct LogLine {
    pub seq: i64,
    pub at: Timestamp,
    pub username: String,
    pub role: String,
    pub on_behalf_of: String,
    pub person_id: Option<PersonId>,
    pub category: String,
    pub action: String,
    pub address: String,
    pub client: String,
    pub outcome: String,
    pub detail: String,
}

impl From<nabij_store::audit::AccessLogEntry> for LogLine {
    fn from(e: nabij_store::audit::AccessLogEntry) -> Self {
        LogLine {
            seq: e.seq,
            at: e.at,
            username: e.username,
            role: e.role,
            on_behalf_of: e.on_behalf_of,
            person_id: e.person_id,
            category: e.category,
            action: e.action,
            address: e.address,
            client: e.client,
            outcome: e.outcome,
            detail: e.detail,
        }
    }
}

/// Logs that `caller` was shown these persons' data, before it leaves.
#[tracing::instrument(skip_all)]
pub async fn log_views(
    app: &App,
    caller: &Caller,
    persons: &[PersonId],
    category: DataCategory,
    action: AuditAction,
    detail: &str,
) -> Result<()> {
    let entries: Vec<Entry> = persons
        .iter()
        .map(|p| Entry::new(*p, category, action, detail))
        .collect();
    Ok(app.db.log_access(&app.actor(caller), &entries).await?)
}

/// What a refused request was about: a person's file, or a record of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Person(PersonId),
    Stay(StayId),
    Referral(ReferralId),
    /// A signal about a resident (one about a house names no one).
    Signal(i64),
    /// A buddy match of a resident.
    Match(i64),
}

impl Subject {
    /// The person behind the record, if it exists.
    async fn person(self, app: &App) -> Option<PersonId> {
        match self {
            Subject::Person(p) => crate::persons::exists(app, p).await.then_some(p),
            Subject::Stay(s) => app.db.stay(s).await.ok().map(|s| s.person_id),
            Subject::Referral(r) => app.db.referral(r).await.ok().map(|r| r.person_id),
            Subject::Signal(s) => app.db.signal(s).await.ok().and_then(|s| s.person_id),
            Subject::Match(m) => app.db.buddy_match(m).await.ok().map(|m| m.person_id),
        }
    }
}

/// Logs a refused attempt at an existing person's data, with outcome `denied`.
#[tracing::instrument(skip_all)]
pub async fn log_refusal(
    app: &App,
    caller: &Caller,
    subject: Subject,
    category: DataCategory,
    action: AuditAction,
    detail: &str,
) -> Result<()> {
    let Some(person) = subject.person(app).await else {
        return Ok(());
    };
    let entry = Entry {
        outcome: "denied",
        ..Entry::new(person, category, action, detail)
    };
    Ok(app.db.log_access(&app.actor(caller), &[entry]).await?)
}

/// Logs a refused attempt on something that names no person (a house, say): the auditor
/// still finds who tried, when and what.
pub async fn log_refusal_without_person(
    app: &App,
    caller: &Caller,
    category: DataCategory,
    action: AuditAction,
    detail: String,
) -> Result<()> {
    let entry = Entry {
        person: None,
        category,
        action,
        outcome: "denied",
        detail,
    };
    Ok(app.db.log_access(&app.actor(caller), &[entry]).await?)
}

/// What the auditor searches for; dates are whole Dutch days.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub person: Option<PersonId>,
    pub username: Option<String>,
    pub from: Option<Date>,
    pub until: Option<Date>,
}

/// The auditor's view of one page of the log.
#[derive(Debug, Clone)]
pub struct LogView {
    pub lines: Page<LogLine>,
    /// The organisation's own persons among them (showing their entries is a view).
    pub persons: Vec<PersonId>,
}

fn day_start(app: &App, d: Date) -> Option<Timestamp> {
    app.clock
        .tz()
        .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
        .ok()
}

/// One page of the entries about the caller's organisation's persons and users, newest
/// first, with their exact number.
#[tracing::instrument(skip_all)]
pub async fn search(
    app: &App,
    caller: &Caller,
    q: &LogQuery,
    page: &PageRequest,
) -> Result<LogView> {
    if !caller.acts_as(Role::Admin) {
        return Err(AppError::Forbidden(
            "het toegangslog is voor de beheerder".into(),
        ));
    }
    let mut filter = AccessFilter {
        organisation: Some(caller.provider.0),
        person: q.person,
        ..Default::default()
    };
    if let Some(name) = q
        .username
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match app.db.user_by_username(&name.to_lowercase()).await? {
            Some(u) if u.provider_id == caller.provider.0 => filter.user = Some(u.id),
            _ => {
                return Err(AppError::invalid(
                    "gebruiker",
                    format!("Er is geen gebruiker {name} in deze organisatie."),
                ));
            }
        }
    }
    filter.from = q.from.and_then(|d| day_start(app, d));
    filter.until = q
        .until
        .and_then(|d| d.checked_add(jiff::ToSpan::days(1)).ok())
        .and_then(|d| day_start(app, d));
    let entries = app.db.access_log_page(&filter, page).await?;
    let mut persons: Vec<PersonId> = entries.items.iter().filter_map(|e| e.person_id).collect();
    persons.sort_by_key(|p| p.0);
    persons.dedup();
    // An entry about an attempt on another organisation's file shows only its number.
    let mut own = Vec::new();
    for p in persons {
        if app
            .db
            .person(p)
            .await
            .is_ok_and(|x| x.organisation_id == caller.provider.0)
        {
            own.push(p);
        }
    }
    Ok(LogView {
        lines: entries.map(LogLine::from),
        persons: own,
    })
}

/// Who looked at this person's file: (the person's full name, one page of the entries,
/// newest first, with their exact number).
#[tracing::instrument(skip_all, fields(person = person.0))]
pub async fn person_overview(
    app: &App,
    caller: &Caller,
    person: PersonId,
    page: &PageRequest,
) -> Result<(String, Page<LogLine>)> {
    if !caller.acts_as(Role::Coordinator) {
        return Err(AppError::NotFound("persoon"));
    }
    let p = crate::persons::person(app, caller, person).await?;
    let filter = AccessFilter {
        person: Some(p.id),
        ..Default::default()
    };
    Ok((
        p.full_name(),
        app.db
            .access_log_page(&filter, page)
            .await?
            .map(LogLine::from),
    ))
}

/// Recomputes the hash chain with the key; reports the first broken link. With a
/// checkpoint taken earlier (by [`checkpoint`]), also proves the log still contains it.
#[tracing::instrument(skip_all)]
pub async fn verify(app: &App, checkpoint: Option<&Checkpoint>) -> Result<ChainCheck> {
    match (app.db.audit_key(), checkpoint) {
        (Some(key), cp) => Ok(app.db.verify_access_log_from(&key, cp).await?),
        (None, None) => Ok(app.db.verify_access_log().await?),
        (None, Some(_)) => Err(AppError::Conflict(
            "een controlepunt kan alleen met de sleutel van het toegangslog worden gecontroleerd"
                .into(),
        )),
    }
}

/// The log's current position and hash, for an external witness to keep.
#[tracing::instrument(skip_all)]
pub async fn checkpoint(app: &App) -> Result<Checkpoint> {
    Ok(app.db.audit_checkpoint().await?)
}

/// What a retention run found or did.
#[derive(Debug, Clone)]
pub struct Retention {
    pub cutoff: Date,
    pub log_cutoff: Timestamp,
    /// Closed files past the cutoff.
    pub files: usize,
    /// Files anonymised now (0 on a dry run).
    pub anonymised: usize,
    /// Access-log entries removed (0 on a dry run).
    pub purged: u64,
}

/// Anonymises files closed more than `file_years` ago and removes access-log entries older
/// than `log_years` (the database refuses anything younger than five years).
#[tracing::instrument(skip_all)]
pub async fn retention(
    app: &App,
    caller: &Caller,
    file_years: i64,
    log_years: i64,
    dry_run: bool,
) -> Result<Retention> {
    if !caller.is_system() {
        return Err(AppError::Forbidden(
            "bewaartermijnen worden op de opdrachtregel uitgevoerd".into(),
        ));
    }
    let now = app.clock.now();
    let cutoff = app
        .clock
        .today()
        .saturating_sub(jiff::ToSpan::years(file_years));
    let persons = app.db.closed_files_before(cutoff).await?;
    let log_cutoff = now - jiff::SignedDuration::from_hours(24 * 366 * log_years);
    let mut out = Retention {
        cutoff,
        log_cutoff,
        files: persons.len(),
        anonymised: 0,
        purged: 0,
    };
    if dry_run {
        return Ok(out);
    }
    let actor = app.actor(caller);
    for p in &persons {
        if app.db.anonymise(*p, &actor).await? {
            out.anonymised += 1;
        }
    }
    out.purged = app.db.purge_access_log(log_cutoff).await?;
    Ok(out)
}
