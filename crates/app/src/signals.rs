//! Signals (signaleringen): a concern about a resident or a house.
//!
//! **The rule of this area:** a main resident files about a resident of their own house, or
//! the house; a professional about their own clients; a coordinator about any resident or
//! house of the organisation. Anyone else named is "not found", and the attempt is logged as
//! denied. A signal goes to the resident's professional, else (and for a house) to the
//! coordinators, and escalates to the coordinators when nobody acknowledged it within the
//! norm of its urgency. The filer sees their own signals with their status only: never the
//! follow-up note, never what others filed. Professionals see the signals routed to them;
//! coordinators every signal of the organisation routed to them or escalated.

use crate::audit::Subject;
use crate::{App, AppError, Caller, Result, take};
use jiff::Timestamp;
use nabij_domain::access::{AuditAction, DataCategory, Role};
use nabij_domain::ids::{HomeId, PersonId};
use nabij_domain::page::{Page, PageRequest};
use nabij_domain::signal::{self, Norms, SignalCategory, SignalStatus, Urgency};
use nabij_store::signals::{Inbox, NewSignal};
use serde::{Deserialize, Serialize};

pub use nabij_store::signals::Escalated;

/// What a signal is about, as a form or the API sends it: `person:12` or `house:3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    Person(PersonId),
    House(HomeId),
}

impl About {
    pub fn parse(raw: &str) -> Option<About> {
        let (kind, id) = raw.trim().split_once(':')?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "person" => Some(About::Person(PersonId(id))),
            "house" => Some(About::House(HomeId(id))),
            _ => None,
        }
    }

    pub fn code(self) -> String {
        match self {
            About::Person(p) => format!("person:{}", p.0),
            About::House(h) => format!("house:{}", h.0),
        }
    }
}

/// A signal as typed.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct SignalInput {
    /// `person:ID` (a resident) or `house:ID` (the house itself).
    pub about: String,
    /// `wellbeing`, `conflict`, `substance_use`, `absence`, `rent_debt`, `safety`, `other`.
    pub category: String,
    /// `low`, `normal`, `high`, `acute`.
    pub urgency: String,
    pub text: String,
}

/// Someone a volunteer may file about: a first name, or the house.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Choice {
    pub about: String,
    pub label: String,
}

/// A signal as its filer sees it: what it was about and where it stands, nothing more.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OwnSignal {
    pub id: i64,
    /// Only for the access log; never sent.
    #[serde(skip)]
    #[schemars(skip)]
    pub person_id: Option<PersonId>,
    /// The resident's first name, or the house's name.
    pub about: String,
    pub category: SignalCategory,
    pub urgency: Urgency,
    #[schemars(with = "String")]
    pub filed_at: Timestamp,
    pub status: SignalStatus,
}

/// A signal in a professional's or coordinator's inbox.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct InboxSignal {
    pub id: i64,
    pub person_id: Option<PersonId>,
    /// The resident's first name, or the house's name.
    pub about: String,
    pub home: Option<String>,
    pub category: SignalCategory,
    pub urgency: Urgency,
    pub text: String,
    /// Who filed it: their name and role.
    pub filed_by: String,
    #[schemars(with = "String")]
    pub filed_at: Timestamp,
    /// When it escalates (or escalated) if nobody acknowledges it.
    #[schemars(with = "String")]
    pub due_at: Timestamp,
    #[schemars(with = "Option<String>")]
    pub escalated_at: Option<Timestamp>,
    #[schemars(with = "Option<String>")]
    pub acknowledged_at: Option<Timestamp>,
    pub acknowledged_by: Option<String>,
    #[schemars(with = "Option<String>")]
    pub closed_at: Option<Timestamp>,
    pub follow_up: Option<String>,
    pub status: SignalStatus,
    /// Routed to the coordinators (no professional, or about the house).
    pub for_coordinators: bool,
    /// The reader opened it before.
    pub read: bool,
}

fn about_label(s: &nabij_store::signals::Signal) -> String {
    match (&s.first_name, &s.home_name) {
        (Some(f), _) => f.clone(),
        (None, Some(h)) => format!("het huis ({h})"),
        (None, None) => "het huis".into(),
    }
}

fn filer_label(s: &nabij_store::signals::Signal) -> String {
    use nabij_domain::labels::Label;
    let role = Role::parse(&s.filed_by_role)
        .map(|r| r.label())
        .unwrap_or("systeem");
    match &s.filed_by_name {
        Some(n) => format!("{n} ({role})"),
        None => role.to_owned(),
    }
}

fn inbox_view(s: nabij_store::signals::Signal) -> InboxSignal {
    InboxSignal {
        id: s.id,
        person_id: s.person_id,
        about: about_label(&s),
        home: s.home_name.clone(),
        category: s.category,
        urgency: s.urgency,
        filed_by: filer_label(&s),
        status: s.status(),
        for_coordinators: s.professional_id.is_none(),
        text: s.text,
        filed_at: s.filed_at,
        due_at: s.due_at,
        escalated_at: s.escalated_at,
        acknowledged_at: s.acknowledged_at,
        acknowledged_by: s.acknowledged_by_name,
        closed_at: s.closed_at,
        follow_up: s.follow_up,
        read: s.read,
    }
}

/// Whom the caller may file about: the residents of their own house by first name and the
/// house (main resident); or nothing to choose from (others name the person by id).
#[tracing::instrument(skip_all)]
pub async fn choices(app: &App, caller: &Caller) -> Result<(Vec<Choice>, Vec<PersonId>)> {
    let mut out = Vec::new();
    let mut persons = Vec::new();
    if caller.role == Role::MainResident {
        let today = app.clock.today();
        for id in app.db.homes_of_user(caller.user_id()).await? {
            let home = app.db.home(id).await?;
            if home.organisation_id != caller.provider.0 {
                continue;
            }
            for p in app.db.places_of_home(id, today).await? {
                if let Some(o) = p.occupant {
                    persons.push(o.person_id);
                    out.push(Choice {
                        about: About::Person(o.person_id).code(),
                        label: o.first_name,
                    });
                }
            }
            out.push(Choice {
                about: About::House(id).code(),
                label: format!("Het huis zelf ({})", home.name),
            });
        }
    } else if caller.role == Role::Buddy {
        for (p, first_name) in crate::buddies::matched_persons(app, caller).await? {
            persons.push(p);
            out.push(Choice {
                about: About::Person(p).code(),
                label: first_name,
            });
        }
    }
    Ok((out, persons))
}

/// Checks that the caller may file about `about`; answers the organisation, the house and
/// the person. Anything the caller may not name is "not found", logged as denied.
async fn subject(
    app: &App,
    caller: &Caller,
    about: About,
) -> Result<(i64, Option<HomeId>, Option<PersonId>)> {
    let org = caller.provider.0;
    let refused = |p: Option<PersonId>| async move {
        match p {
            Some(p) => {
                crate::audit::log_refusal(
                    app,
                    caller,
                    Subject::Person(p),
                    DataCategory::Signal,
                    AuditAction::Create,
                    "signaal doorgeven",
                )
                .await?
            }
            None => {
                crate::audit::log_refusal_without_person(
                    app,
                    caller,
                    DataCategory::Signal,
                    AuditAction::Create,
                    format!("signaal doorgeven over {}", about.code()),
                )
                .await?
            }
        }
        Err::<(i64, Option<HomeId>, Option<PersonId>), AppError>(AppError::NotFound(match about {
            About::Person(_) => "bewoner",
            About::House(_) => "huis",
        }))
    };
    match (caller.role, about) {
        (Role::MainResident, _) | (Role::Buddy, About::Person(_)) => {
            let (choices, _) = choices(app, caller).await?;
            if !choices.iter().any(|c| c.about == about.code()) {
                return refused(match about {
                    About::Person(p) => Some(p),
                    About::House(_) => None,
                })
                .await;
            }
            match about {
                About::Person(p) => {
                    let home = if caller.role == Role::MainResident {
                        current_home(app, caller, p).await?
                    } else {
                        None
                    };
                    Ok((org, home, Some(p)))
                }
                About::House(h) => Ok((org, Some(h), None)),
            }
        }
        (Role::Professional, About::Person(p)) => match app.db.person(p).await {
            Ok(person)
                if crate::persons::may_see(app, caller, person.organisation_id, p).await? =>
            {
                Ok((org, None, Some(p)))
            }
            _ => refused(Some(p)).await,
        },
        (Role::Coordinator, About::Person(p)) => match app.db.person(p).await {
            Ok(person) if person.organisation_id == org => Ok((org, None, Some(p))),
            _ => refused(Some(p)).await,
        },
        (Role::Coordinator, About::House(h)) => match app.db.home(h).await {
            Ok(home) if home.organisation_id == org => Ok((org, Some(h), None)),
            _ => refused(None).await,
        },
        _ => {
            refused(match about {
                About::Person(p) => Some(p),
                About::House(_) => None,
            })
            .await
        }
    }
}

async fn current_home(app: &App, caller: &Caller, p: PersonId) -> Result<Option<HomeId>> {
    let today = app.clock.today();
    for id in app.db.homes_of_user(caller.user_id()).await? {
        if app
            .db
            .places_of_home(id, today)
            .await?
            .iter()
            .any(|pl| pl.occupant.as_ref().is_some_and(|o| o.person_id == p))
        {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Files a signal: checked (Dutch errors per field, nothing written on bad input), routed
/// to the resident's professional or the coordinators, due by the norm of its urgency.
#[tracing::instrument(skip_all)]
pub async fn file(app: &App, caller: &Caller, input: &SignalInput) -> Result<i64> {
    let mut errors = Vec::new();
    let about = About::parse(&input.about);
    if about.is_none() {
        errors.push(nabij_domain::RuleViolation::new(
            "about",
            "kies over wie het signaal gaat",
        ));
    }
    let category = take(&mut errors, signal::parse_category(&input.category));
    let urgency = take(&mut errors, signal::parse_urgency(&input.urgency));
    let text = take(&mut errors, signal::parse_text(&input.text));
    let (Some(about), Some(category), Some(urgency), Some(text)) = (about, category, urgency, text)
    else {
        return Err(AppError::Invalid(errors));
    };
    let (organisation_id, home_id, person_id) = subject(app, caller, about).await?;
    // To every professional on the resident's running episode, the lead first. One who
    // files about their own client is left out: a concern routed back to the one who raised
    // it reaches nobody new, so with no one else it goes to the coordinators.
    let professionals: Vec<i64> = match person_id {
        Some(p) => app
            .db
            .professionals_of(p, app.clock.today())
            .await?
            .into_iter()
            .filter(|pro| caller.user != Some(nabij_domain::ids::UserId(*pro)))
            .collect(),
        None => Vec::new(),
    };
    let now = app.clock.now();
    let due_at = app.settings.norms.deadline(now, urgency);
    let id = app
        .db
        .file_signal(
            &NewSignal {
                organisation_id,
                home_id,
                person_id,
                filed_by: caller.user.map(|u| u.0),
                filed_by_role: caller.role.code().into(),
                category,
                urgency,
                text,
                professionals: professionals.clone(),
                filed_at: now,
                due_at,
            },
            &app.actor(caller),
        )
        .await?;
    notify_routed(app, id, organisation_id, &professionals, urgency).await;
    Ok(id)
}

/// Queues one notice per recipient with an address: the professionals the signal went to,
/// else the coordinators. A failure here is logged; the signal is stored already.
async fn notify_routed(
    app: &App,
    id: i64,
    organisation: i64,
    professionals: &[i64],
    urgency: Urgency,
) {
    let Some(outbox) = &app.outbox else { return };
    let to = if professionals.is_empty() {
        crate::mail::coordinator_emails(app, organisation).await
    } else {
        app.db.emails_of(professionals).await
    };
    match to {
        Ok(to) => {
            let link = outbox.signal_link(id);
            for address in to {
                outbox.queue(crate::mail::signal_routed(&address, urgency, &link));
            }
        }
        Err(e) => tracing::warn!(error = %e, signal = id, "no notice for a new signal"),
    }
}

/// Queues one notice per coordinator with an address for each escalated signal.
async fn notify_escalated(app: &App, done: &[Escalated]) {
    let Some(outbox) = &app.outbox else { return };
    let mut by_org: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
    for e in done {
        by_org.entry(e.organisation_id).or_default().push(e.id);
    }
    for (org, ids) in by_org {
        match crate::mail::coordinator_emails(app, org).await {
            Ok(to) => {
                for id in ids {
                    let link = outbox.signal_link(id);
                    for address in &to {
                        outbox.queue(crate::mail::signal_escalated(address, &link));
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "no notices for escalated signals"),
        }
    }
}

/// The resident a professional or coordinator files a signal about from the file: their
/// name, for the form's heading. Anyone the caller may not open is "not found".
#[tracing::instrument(skip_all, fields(person = person.0))]
pub async fn about_person(app: &App, caller: &Caller, person: PersonId) -> Result<String> {
    if !matches!(caller.role, Role::Professional | Role::Coordinator) {
        return Err(AppError::NotFound("persoon"));
    }
    let p = crate::persons::visible(app, caller, person).await?;
    Ok(format!("{} {}", p.first_name, p.last_name))
}

/// The caller's own filed signals, newest first: status only.
#[tracing::instrument(skip_all)]
pub async fn mine(app: &App, caller: &Caller, req: &PageRequest) -> Result<Page<OwnSignal>> {
    let page = app
        .db
        .signals(
            Inbox::FiledBy(caller.user_id()),
            caller.user_id(),
            false,
            req,
        )
        .await?;
    Ok(page.map(|s| OwnSignal {
        id: s.id,
        person_id: s.person_id,
        about: match (&s.first_name, &s.home_name) {
            (Some(f), _) => f.clone(),
            (None, Some(h)) => h.clone(),
            (None, None) => "het huis".into(),
        },
        category: s.category,
        urgency: s.urgency,
        filed_at: s.filed_at,
        status: s.status(),
    }))
}

fn inbox_of(caller: &Caller) -> Result<Inbox> {
    match caller.role {
        Role::Professional => Ok(Inbox::Professional(caller.user_id())),
        Role::Coordinator => Ok(Inbox::Coordinators(caller.provider.0)),
        _ => Err(AppError::Forbidden(
            "alleen begeleiders en coördinatoren hebben een inbox met signalen".into(),
        )),
    }
}

/// One page of the caller's inbox (open signals first by default), newest first.
#[tracing::instrument(skip_all)]
pub async fn inbox(
    app: &App,
    caller: &Caller,
    open_only: bool,
    req: &PageRequest,
) -> Result<Page<InboxSignal>> {
    let inbox = inbox_of(caller)?;
    Ok(app
        .db
        .signals(inbox, caller.user_id(), open_only, req)
        .await?
        .map(inbox_view))
}

/// How many open signals in the caller's inbox they have not opened (0 for other roles).
pub async fn unread(app: &App, caller: &Caller) -> Result<i64> {
    match inbox_of(caller) {
        Ok(inbox) => Ok(app.db.unread_signals(inbox, caller.user_id()).await?),
        Err(_) => Ok(0),
    }
}

/// A signal the caller may handle: one that went to them (professional) or of their
/// organisation (coordinator). Anything else is "not found".
async fn handled(app: &App, caller: &Caller, id: i64) -> Result<nabij_store::signals::Signal> {
    let s = app
        .db
        .signal(id)
        .await
        .map_err(|_| AppError::NotFound("signaal"))?;
    let ok = s.organisation_id == caller.provider.0
        && match caller.role {
            Role::Coordinator => true,
            Role::Professional => app.db.signal_went_to(id, caller.user_id()).await?,
            _ => false,
        };
    if !ok {
        return Err(AppError::NotFound("signaal"));
    }
    Ok(s)
}

/// Opens one signal: marks it read for the caller.
#[tracing::instrument(skip_all)]
pub async fn open(app: &App, caller: &Caller, id: i64) -> Result<InboxSignal> {
    let mut s = handled(app, caller, id).await?;
    app.db.open_signal(id, &app.actor(caller)).await?;
    s.read = true;
    Ok(inbox_view(s))
}

/// Acknowledges a signal ("opgepakt"): once.
#[tracing::instrument(skip_all)]
pub async fn acknowledge(app: &App, caller: &Caller, id: i64) -> Result<()> {
    handled(app, caller, id).await?;
    app.db.open_signal(id, &app.actor(caller)).await?;
    Ok(app.db.acknowledge_signal(id, &app.actor(caller)).await?)
}

/// Closes an acknowledged signal with a follow-up note.
#[tracing::instrument(skip_all)]
pub async fn close(app: &App, caller: &Caller, id: i64, note: &str) -> Result<()> {
    let s = handled(app, caller, id).await?;
    let note = signal::parse_note(note)?;
    if s.acknowledged_at.is_none() {
        return Err(AppError::Conflict(
            "pak het signaal eerst op voordat je het afsluit".into(),
        ));
    }
    Ok(app.db.close_signal(id, &note, &app.actor(caller)).await?)
}

/// Escalates every signal that passed its norm unacknowledged, at the domain clock's now:
/// once each, catching up on whatever fell due while the server was down.
#[tracing::instrument(skip_all)]
pub async fn escalate(app: &App) -> Result<Vec<Escalated>> {
    let done = app.db.escalate_due_signals(app.clock.now()).await?;
    if !done.is_empty() {
        tracing::info!(count = done.len(), "signals escalated to coordinators");
        notify_escalated(app, &done).await;
    }
    Ok(done)
}

/// The acute signals nobody acknowledged yet, for the coordinator's dashboard.
#[tracing::instrument(skip_all)]
pub async fn acute_open(app: &App, caller: &Caller) -> Result<Vec<InboxSignal>> {
    if !caller.acts_as(Role::Coordinator) {
        return Ok(Vec::new());
    }
    Ok(app
        .db
        .unacknowledged_acute_signals(caller.provider.0)
        .await?
        .into_iter()
        .map(inbox_view)
        .collect())
}

/// The norms signals escalate by.
pub fn norms(app: &App) -> Norms {
    app.settings.norms
}

/// The persons whose data a page of inbox signals shows.
pub fn persons_of(signals: &[InboxSignal]) -> Vec<PersonId> {
    signals.iter().filter_map(|s| s.person_id).collect()
}
