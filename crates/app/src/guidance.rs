//! Guidance and recovery: episodes whose intensity flexes with the situation, the contact
//! log, the recovery plan and the ZRM, aftercare and resumption, and a professional's
//! caseload.
//!
//! **The rule of this area** ([`professional_may_open`]): a professional opens a person's
//! file while they are on an episode of that person that runs (an aftercare episode runs
//! until its end date), and for `access_after_end_days` (30 by default) after the episode
//! ended or they left it, to finish the work; then access ends. Coordinators of the person's
//! organisation always may. Everyone else gets "not found". The contact log, the plan and the
//! ZRM are seen by exactly those who may open the file; a *werkaantekening* never leaves
//! this circle.

use crate::stays::{Stay, StayView};
use crate::{App, AppError, Caller, Result, parse_date};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::RuleViolation;
use nabij_domain::access::Role;
use nabij_domain::guidance::{
    self as rules, ContactKind, GoalOwner, GoalStatus, IntensityChange, Scores, ZrmDomain,
    ZrmMoment,
};
use nabij_domain::ids::PersonId;
use nabij_domain::page::{Page, PageRequest};
use nabij_store::guidance::{Episode, NewContact, NewGoal, RecoveryPersons};
use nabij_store::stays::StayFilter;
use serde::{Deserialize, Serialize};

/// The longest text of a contact entry.
pub const CONTACT_TEXT: usize = 4000;
/// The longest title of a goal.
pub const GOAL_TITLE: usize = 200;
/// The longest description of a goal's actions.
pub const GOAL_ACTIONS: usize = 2000;
/// The longest reason of an intensity change.
pub const INTENSITY_REASON: usize = 500;

/// The settings of this area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Days a professional keeps access after an episode ended.
    pub access_after_end_days: i64,
    /// Months between periodic ZRM assessments.
    pub zrm_interval_months: i32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            access_after_end_days: rules::DEFAULT_ACCESS_AFTER_END_DAYS,
            zrm_interval_months: rules::DEFAULT_ZRM_INTERVAL_MONTHS,
        }
    }
}

/// Whether a professional may open a person's file today: the one access policy for
/// professionals, used by every area that shows a file.
pub(crate) async fn professional_may_open(
    app: &App,
    professional: i64,
    person: PersonId,
) -> Result<bool> {
    let today = app.clock.today();
    let grace = app.guidance.access_after_end_days;
    Ok(app
        .db
        .episode_links_to(professional, person)
        .await?
        .iter()
        .any(|l| rules::episode_grants_access(l.until, today, grace)))
}

/// The persons a professional may open today (see [`professional_may_open`]), by id.
pub(crate) async fn caseload_of(app: &App, professional: i64) -> Result<Vec<PersonId>> {
    let today = app.clock.today();
    let grace = app.guidance.access_after_end_days;
    let mut out: Vec<PersonId> = app
        .db
        .episode_links(professional)
        .await?
        .into_iter()
        .filter(|l| rules::episode_grants_access(l.until, today, grace))
        .map(|l| l.person_id)
        .collect();
    out.sort_unstable_by_key(|p| p.0);
    out.dedup();
    Ok(out)
}

/// The persons a professional guides now (running episodes only, not the weeks after).
async fn current_clients(app: &App, professional: i64) -> Result<Vec<PersonId>> {
    let today = app.clock.today();
    let mut out: Vec<PersonId> = app
        .db
        .episode_links(professional)
        .await?
        .into_iter()
        .filter(|l| l.until.is_none_or(|u| u >= today))
        .map(|l| l.person_id)
        .collect();
    out.sort_unstable_by_key(|p| p.0);
    out.dedup();
    Ok(out)
}

fn require_file_role(caller: &Caller) -> Result<()> {
    if caller.acts_as(Role::Coordinator) || caller.role == Role::Professional {
        Ok(())
    } else {
        Err(AppError::Forbidden("dit hoort niet bij jouw rol".into()))
    }
}

/// An episode's status on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EpisodeStatus {
    Running,
    Aftercare,
    Ended,
}

impl EpisodeStatus {
    pub fn of(e: &Episode, today: Date) -> Self {
        match (e.ended_on, e.aftercare_from) {
            (None, _) => EpisodeStatus::Running,
            (Some(end), Some(from)) if from <= today && today <= end => EpisodeStatus::Aftercare,
            (Some(end), _) if today <= end => EpisodeStatus::Running,
            _ => EpisodeStatus::Ended,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EpisodeStatus::Running => "loopt",
            EpisodeStatus::Aftercare => "nazorg",
            EpisodeStatus::Ended => "afgesloten",
        }
    }

    pub fn is_open(self) -> bool {
        self != EpisodeStatus::Ended
    }
}

/// A change of intensity as shown and sent.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IntensityView {
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub from: Date,
    pub hours_per_week: f64,
    pub reason: String,
    pub changed_by: String,
}

/// A professional of an episode.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EpisodeMember {
    pub professional_id: i64,
    pub name: String,
    pub lead: bool,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub joined_on: Date,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub left_on: Option<Date>,
}

/// A guidance episode with its professionals and intensity history.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EpisodeView {
    pub id: i64,
    pub lead_professional_id: i64,
    pub lead_name: String,
    pub lead_phone: Option<String>,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub started_on: Date,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub aftercare_from: Option<Date>,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub ended_on: Option<Date>,
    /// The episode this one resumes (a resumption after an earlier one).
    pub resumes_episode_id: Option<i64>,
    pub status: EpisodeStatus,
    pub hours_now: Option<f64>,
    pub professionals: Vec<EpisodeMember>,
    pub intensity: Vec<IntensityView>,
}

/// A person's guidance: every episode, oldest first.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GuidanceView {
    pub person_id: PersonId,
    pub person_name: String,
    pub episodes: Vec<EpisodeView>,
    /// Whether the person has a stay that runs (a resumption needs none).
    pub open_stay: bool,
    /// Resumptions of this person's guidance.
    pub resumptions: i64,
    /// The caller may add, remove and change the professionals of the running episode: a
    /// coordinator, or its lead.
    pub may_change_professionals: bool,
}

async fn episode_views(app: &App, person: PersonId) -> Result<Vec<EpisodeView>> {
    let today = app.clock.today();
    let members = app.db.episode_professionals_of(person).await?;
    let mut out = Vec::new();
    for e in app.db.episodes_of(person).await? {
        let changes = app.db.intensity_changes(e.id).await?;
        let history: Vec<IntensityChange> = changes
            .iter()
            .map(|c| IntensityChange {
                on: c.from_date,
                hours: c.quarter_hours as f64 / 4.0,
            })
            .collect();
        out.push(EpisodeView {
            id: e.id,
            lead_professional_id: e.lead_professional_id,
            status: EpisodeStatus::of(&e, today),
            hours_now: rules::hours_on(&history, today.min(e.ended_on.unwrap_or(today))),
            professionals: members
                .iter()
                .filter(|m| m.episode_id == e.id)
                .map(|m| EpisodeMember {
                    professional_id: m.professional_id,
                    name: m.name.clone(),
                    lead: m.professional_id == e.lead_professional_id,
                    joined_on: m.joined_on,
                    left_on: m.left_on,
                })
                .collect(),
            intensity: changes
                .into_iter()
                .map(|c| IntensityView {
                    from: c.from_date,
                    hours_per_week: c.quarter_hours as f64 / 4.0,
                    reason: c.reason,
                    changed_by: c.changed_by,
                })
                .collect(),
            lead_name: e.lead_name,
            lead_phone: e.lead_phone,
            started_on: e.started_on,
            aftercare_from: e.aftercare_from,
            ended_on: e.ended_on,
            resumes_episode_id: e.resumes_episode_id,
        });
    }
    Ok(out)
}

async fn has_open_stay(app: &App, person: PersonId) -> Result<bool> {
    Ok(!app
        .db
        .stays(StayFilter {
            person: Some(person),
            active: Some(true),
            ..Default::default()
        })
        .await?
        .is_empty())
}

/// A person's guidance episodes.
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn guidance(app: &App, caller: &Caller, id: PersonId) -> Result<GuidanceView> {
    require_file_role(caller)?;
    let person = crate::persons::visible(app, caller, id).await?;
    let episodes = episode_views(app, person.id).await?;
    let running = episodes.iter().rev().find(|e| e.status.is_open());
    let may_change_professionals = running.is_some_and(|e| {
        caller.acts_as(Role::Coordinator) || e.lead_professional_id == caller.user_id()
    });
    Ok(GuidanceView {
        may_change_professionals,
        person_id: person.id,
        person_name: format!("{} {}", person.first_name, person.last_name),
        resumptions: episodes
            .iter()
            .filter(|e| e.resumes_episode_id.is_some())
            .count() as i64,
        episodes,
        open_stay: has_open_stay(app, person.id).await?,
    })
}

/// The professionals of the caller's organisation, as (id, name).
pub async fn professional_choices(app: &App, caller: &Caller) -> Result<Vec<(String, String)>> {
    Ok(app
        .db
        .users_of(caller.provider.0)
        .await?
        .into_iter()
        .filter(|u| u.active && u.role == Role::Professional)
        .map(|u| (u.id.to_string(), u.display_name))
        .collect())
}

/// Starting (or resuming) an episode.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EpisodeInput {
    /// The lead professional; a professional starting it leads it themselves when absent.
    pub professional_id: Option<i64>,
    /// Hours per week, 0 to 40.
    pub hours_per_week: String,
    #[schemars(length(max = 500))]
    pub reason: String,
}

fn hours(field_value: &str, errors: &mut Vec<RuleViolation>) -> Option<i64> {
    let raw = field_value.trim().replace(',', ".");
    match raw.parse::<f64>() {
        Ok(h) => crate::take(errors, rules::check_hours(h)).map(|h| (h * 4.0).round() as i64),
        Err(_) => {
            errors.push(RuleViolation::new(
                "hours_per_week",
                "vul het aantal uren per week in (0 tot 40)",
            ));
            None
        }
    }
}

fn text(
    field: &'static str,
    value: &str,
    max: usize,
    required: Option<&'static str>,
    errors: &mut Vec<RuleViolation>,
) -> String {
    let v = value.trim();
    if let Some(msg) = required
        && v.is_empty()
    {
        errors.push(RuleViolation::new(field, msg));
    }
    if let Err(e) = nabij_domain::limits::check(field, v, max) {
        errors.push(e);
    }
    v.to_string()
}

async fn chosen_professional(
    app: &App,
    caller: &Caller,
    id: Option<i64>,
    errors: &mut Vec<RuleViolation>,
) -> Result<Option<i64>> {
    let id = match id {
        Some(id) => id,
        None if caller.role == Role::Professional => return Ok(Some(caller.user_id())),
        None => {
            errors.push(RuleViolation::new(
                "professional_id",
                "kies een begeleider van deze organisatie",
            ));
            return Ok(None);
        }
    };
    let ok = app.db.user(id).await.ok().filter(|u| {
        u.active && u.role == Role::Professional && u.organisation_id == caller.provider.0
    });
    if ok.is_none() {
        errors.push(RuleViolation::new(
            "professional_id",
            "kies een begeleider van deze organisatie",
        ));
    }
    Ok(ok.map(|u| u.id))
}

/// Starts guidance of a person who has none running: a coordinator chooses the lead.
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn start(
    app: &App,
    caller: &Caller,
    id: PersonId,
    input: &EpisodeInput,
) -> Result<GuidanceView> {
    if !caller.acts_as(Role::Coordinator) {
        return Err(AppError::Forbidden(
            "alleen een coördinator start een begeleiding".into(),
        ));
    }
    let person = crate::persons::visible(app, caller, id).await?;
    let today = app.clock.today();
    let mut errors = Vec::new();
    let lead = chosen_professional(app, caller, input.professional_id, &mut errors).await?;
    let q = hours(&input.hours_per_week, &mut errors);
    let reason = text("reason", &input.reason, INTENSITY_REASON, None, &mut errors);
    if app
        .db
        .episodes_of(person.id)
        .await?
        .iter()
        .any(|e| EpisodeStatus::of(e, today).is_open())
    {
        return Err(AppError::Conflict(
            "deze persoon heeft al een lopende begeleiding".into(),
        ));
    }
    match (lead, q) {
        (Some(lead), Some(q)) if errors.is_empty() => {
            let reason = if reason.is_empty() {
                "start".into()
            } else {
                reason
            };
            app.db
                .start_episode(person.id, lead, today, q, &reason, None, &app.actor(caller))
                .await?;
            guidance(app, caller, id).await
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Resumes the guidance of a former resident: a new episode linked to their latest one,
/// without a new intake. The coordinator or the latest episode's lead starts it; not while a
/// stay or an episode runs.
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn resume(
    app: &App,
    caller: &Caller,
    id: PersonId,
    input: &EpisodeInput,
) -> Result<GuidanceView> {
    require_file_role(caller)?;
    let mut former_lead = false;
    let person = match crate::persons::visible(app, caller, id).await {
        Ok(p) => p,
        // The latest episode's lead resumes even after their access to the file ended:
        // they know the person, and the resumption gives them the file again.
        Err(AppError::NotFound(what)) => {
            let p = app
                .db
                .person(id)
                .await
                .map_err(|_| AppError::NotFound(what))?;
            let lead = app
                .db
                .episodes_of(p.id)
                .await?
                .last()
                .map(|e| e.lead_professional_id);
            if p.organisation_id != caller.provider.0
                || caller.role != Role::Professional
                || lead != Some(caller.user_id())
            {
                return Err(AppError::NotFound(what));
            }
            former_lead = true;
            p
        }
        Err(e) => return Err(e),
    };
    let today = app.clock.today();
    let episodes = app.db.episodes_of(person.id).await?;
    let Some(latest) = episodes.last() else {
        return Err(AppError::Conflict(
            "hervatten kan alleen na een eerdere begeleiding".into(),
        ));
    };
    if !caller.acts_as(Role::Coordinator) && latest.lead_professional_id != caller.user_id() {
        return Err(AppError::Forbidden(
            "de coördinator of de vaste begeleider hervat de begeleiding".into(),
        ));
    }
    let mut errors = Vec::new();
    let staying = has_open_stay(app, person.id).await?;
    let running = episodes
        .iter()
        .any(|e| EpisodeStatus::of(e, today).is_open());
    // Without access to the file, the former lead learns nothing of where the person
    // stands now: only that resuming is not possible at the moment.
    if former_lead && (staying || running) {
        return Err(AppError::Conflict(
            "hervatten kan nu niet; vraag de coördinator".into(),
        ));
    }
    if staying {
        errors.push(RuleViolation::new(
            "professional_id",
            "deze persoon woont nog in een opvangplek: hervatten kan pas na vertrek",
        ));
    }
    if running {
        errors.push(RuleViolation::new(
            "professional_id",
            "de begeleiding loopt nog; hervatten kan na afsluiten",
        ));
    }
    let lead = match input.professional_id {
        None => Some(latest.lead_professional_id),
        Some(_) => chosen_professional(app, caller, input.professional_id, &mut errors).await?,
    };
    let q = hours(&input.hours_per_week, &mut errors);
    let reason = text("reason", &input.reason, INTENSITY_REASON, None, &mut errors);
    match (lead, q) {
        (Some(lead), Some(q)) if errors.is_empty() => {
            let reason = if reason.is_empty() {
                "hervat".into()
            } else {
                reason
            };
            app.db
                .start_episode(
                    person.id,
                    lead,
                    today,
                    q,
                    &reason,
                    Some(latest.id),
                    &app.actor(caller),
                )
                .await?;
            guidance(app, caller, id).await
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// The running episode of a person, for a change.
async fn open_episode(app: &App, person: PersonId) -> Result<Episode> {
    let today = app.clock.today();
    app.db
        .episodes_of(person)
        .await?
        .into_iter()
        .rev()
        .find(|e| EpisodeStatus::of(e, today).is_open())
        .ok_or_else(|| AppError::Conflict("er loopt geen begeleiding".into()))
}

/// A change of intensity.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IntensityInput {
    /// From this day (today when empty).
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub on: String,
    pub hours_per_week: String,
    #[schemars(length(min = 1, max = 500))]
    pub reason: String,
}

/// Changes the intensity of the running episode from a day on, with a reason.
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn change_intensity(
    app: &App,
    caller: &Caller,
    id: PersonId,
    input: &IntensityInput,
) -> Result<GuidanceView> {
    require_file_role(caller)?;
    let person = crate::persons::visible(app, caller, id).await?;
    let episode = open_episode(app, person.id).await?;
    let today = app.clock.today();
    let mut errors = Vec::new();
    let on = if input.on.trim().is_empty() {
        Some(today)
    } else {
        crate::take(&mut errors, parse_date("on", &input.on))
    };
    let q = hours(&input.hours_per_week, &mut errors);
    let reason = text(
        "reason",
        &input.reason,
        INTENSITY_REASON,
        Some("schrijf waarom de intensiteit verandert"),
        &mut errors,
    );
    if let Some(on) = on {
        let history: Vec<IntensityChange> = app
            .db
            .intensity_changes(episode.id)
            .await?
            .iter()
            .map(|c| IntensityChange {
                on: c.from_date,
                hours: c.quarter_hours as f64 / 4.0,
            })
            .collect();
        crate::take(
            &mut errors,
            rules::check_intensity_date(&history, episode.started_on, episode.ended_on, on),
        );
    }
    match (on, q) {
        (Some(on), Some(q)) if errors.is_empty() => {
            app.db
                .add_intensity_change(&episode, on, q, &reason, &app.actor(caller))
                .await?;
            guidance(app, caller, id).await
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// A professional to add to, remove from or lead the running episode.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MemberInput {
    /// The professional's user id.
    pub professional_id: Option<i64>,
}

/// The running episode, for a change of who guides: by a coordinator or its lead.
async fn episode_to_staff(app: &App, caller: &Caller, id: PersonId) -> Result<Episode> {
    require_file_role(caller)?;
    let person = crate::persons::visible(app, caller, id).await?;
    let episode = open_episode(app, person.id).await?;
    if !caller.acts_as(Role::Coordinator) && episode.lead_professional_id != caller.user_id() {
        return Err(AppError::Forbidden(
            "de coördinator of de vaste begeleider bepaalt wie er begeleidt".into(),
        ));
    }
    Ok(episode)
}

/// The professional named in a [`MemberInput`]: a known, active professional of the
/// caller's organisation, each failure with its own Dutch message.
async fn member_of(app: &App, caller: &Caller, input: &MemberInput) -> Result<i64> {
    const FIELD: &str = "professional_id";
    let Some(id) = input.professional_id else {
        return Err(AppError::invalid(FIELD, "kies een begeleider"));
    };
    let Ok(user) = app.db.user(id).await else {
        return Err(AppError::invalid(
            FIELD,
            "deze gebruiker bestaat niet; kies een begeleider uit de lijst",
        ));
    };
    if !(user.active
        && user.role == Role::Professional
        && user.organisation_id == caller.provider.0)
    {
        return Err(AppError::invalid(
            FIELD,
            "deze gebruiker is geen begeleider van deze organisatie",
        ));
    }
    Ok(user.id)
}

/// The professionals on an episode now (not those who left).
async fn current_members(app: &App, episode: &Episode) -> Result<Vec<i64>> {
    Ok(app
        .db
        .episode_professionals_of(episode.person_id)
        .await?
        .into_iter()
        .filter(|m| m.episode_id == episode.id && m.left_on.is_none())
        .map(|m| m.professional_id)
        .collect())
}

/// Adds a professional to the running episode: from today they may open the file.
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn add_professional(
    app: &App,
    caller: &Caller,
    id: PersonId,
    input: &MemberInput,
) -> Result<GuidanceView> {
    let episode = episode_to_staff(app, caller, id).await?;
    let professional = member_of(app, caller, input).await?;
    if current_members(app, &episode)
        .await?
        .contains(&professional)
    {
        return Err(AppError::invalid(
            "professional_id",
            "deze begeleider staat al op de begeleiding",
        ));
    }
    app.db
        .add_episode_professional(
            &episode,
            professional,
            app.clock.today(),
            &app.actor(caller),
        )
        .await?;
    guidance(app, caller, id).await
}

/// Takes a professional off the running episode. Like anyone whose involvement ended, they
/// keep access for `access_after_end_days` ([`professional_may_open`]). The lead is changed
/// first, never removed.
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn remove_professional(
    app: &App,
    caller: &Caller,
    id: PersonId,
    input: &MemberInput,
) -> Result<GuidanceView> {
    let episode = episode_to_staff(app, caller, id).await?;
    let professional = member_of(app, caller, input).await?;
    if professional == episode.lead_professional_id {
        return Err(AppError::invalid(
            "professional_id",
            "dit is de vaste begeleider: kies eerst een andere vaste begeleider",
        ));
    }
    if !current_members(app, &episode)
        .await?
        .contains(&professional)
    {
        return Err(AppError::invalid(
            "professional_id",
            "deze begeleider staat niet op de begeleiding",
        ));
    }
    app.db
        .remove_episode_professional(
            &episode,
            professional,
            app.clock.today(),
            &app.actor(caller),
        )
        .await?;
    guidance(app, caller, id).await
}

/// Makes another professional the lead of the running episode; the former lead stays on it.
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn change_lead(
    app: &App,
    caller: &Caller,
    id: PersonId,
    input: &MemberInput,
) -> Result<GuidanceView> {
    let episode = episode_to_staff(app, caller, id).await?;
    let professional = member_of(app, caller, input).await?;
    if professional == episode.lead_professional_id {
        return Err(AppError::invalid(
            "professional_id",
            "deze begeleider is al de vaste begeleider",
        ));
    }
    app.db
        .set_episode_lead(
            &episode,
            professional,
            app.clock.today(),
            &app.actor(caller),
        )
        .await?;
    guidance(app, caller, id).await
}

/// Ending the running episode, or letting it run on as aftercare.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EndInput {
    /// The last day of guidance (today when empty); with aftercare, the end of aftercare.
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub ended_on: String,
    /// "true" (or "on") when guidance runs on after the exit as aftercare until `ended_on`.
    pub aftercare: String,
}

/// Ends the running episode, or turns it into aftercare after the person's exit: guidance
/// continues from the exit date up to its own end date.
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn end(
    app: &App,
    caller: &Caller,
    id: PersonId,
    input: &EndInput,
) -> Result<GuidanceView> {
    require_file_role(caller)?;
    let person = crate::persons::visible(app, caller, id).await?;
    let aftercare = matches!(input.aftercare.trim(), "true" | "on" | "1" | "ja");
    let episode = match open_episode(app, person.id).await {
        Ok(e) => e,
        // Guidance ended at the exit and may still become aftercare.
        Err(e) => match app.db.episodes_of(person.id).await?.pop() {
            Some(latest) if aftercare && latest.aftercare_from.is_none() => latest,
            _ => return Err(e),
        },
    };
    let today = app.clock.today();
    let mut errors = Vec::new();
    let ended_on = if input.ended_on.trim().is_empty() {
        Some(today)
    } else {
        crate::take(&mut errors, parse_date("ended_on", &input.ended_on))
    };
    let mut aftercare_from = None;
    if aftercare {
        let stays = app
            .db
            .stays(StayFilter {
                person: Some(person.id),
                ..Default::default()
            })
            .await?;
        let last_exit = stays.iter().filter_map(|s| s.exit_date).max();
        match (stays.iter().any(|s| s.exit_date.is_none()), last_exit) {
            (false, Some(exit)) if exit >= episode.started_on => aftercare_from = Some(exit),
            _ => errors.push(RuleViolation::new(
                "aftercare",
                "nazorg volgt op een vertrek: leg eerst het vertrek vast",
            )),
        }
        if let (Some(from), Some(end)) = (aftercare_from, ended_on)
            && end <= from
        {
            errors.push(RuleViolation::new(
                "ended_on",
                "de nazorg eindigt na de vertrekdatum",
            ));
        }
    } else if let Some(end) = ended_on
        && end > today
    {
        errors.push(RuleViolation::new(
            "ended_on",
            "een begeleiding sluit je af op of voor vandaag; kies nazorg voor later",
        ));
    }
    if let Some(end) = ended_on
        && end < episode.started_on
    {
        errors.push(RuleViolation::new(
            "ended_on",
            "de datum ligt voor het begin van de begeleiding",
        ));
    }
    match ended_on {
        Some(end) if errors.is_empty() => {
            app.db
                .end_episode(&episode, end, aftercare_from, &app.actor(caller))
                .await?;
            guidance(app, caller, id).await
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// A contact entry as shown: the professionals' view carries working notes too.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ContactView {
    pub id: i64,
    #[schemars(with = "nabij_domain::schema::IsoTimestamp")]
    pub at: Timestamp,
    pub kind: ContactKind,
    pub text: String,
    pub working_note: bool,
    pub corrects_id: Option<i64>,
    /// Entries that correct this one.
    pub corrected_by: Vec<i64>,
    pub author: String,
}

impl From<nabij_store::guidance::ContactRow> for ContactView {
    fn from(c: nabij_store::guidance::ContactRow) -> Self {
        ContactView {
            id: c.id,
            at: c.at,
            kind: c.kind,
            text: c.text,
            working_note: c.working_note,
            corrects_id: c.corrects_id,
            corrected_by: Vec::new(),
            author: c.author_name,
        }
    }
}

/// One page of a person's contact log, newest first, with the entries the page's
/// corrections refer to (which may be on another page).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ContactLog {
    pub person_id: PersonId,
    pub person_name: String,
    pub page: Page<ContactView>,
    /// The entries corrected by entries on this page.
    pub corrected: Vec<ContactView>,
}

/// A page of the contact log: the person's professionals and coordinators only.
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn contacts(
    app: &App,
    caller: &Caller,
    id: PersonId,
    req: &PageRequest,
) -> Result<ContactLog> {
    require_file_role(caller)?;
    let person = crate::persons::visible(app, caller, id).await?;
    let page = app.db.contacts_page(person.id, true, req).await?;
    contact_log(
        app,
        person.id,
        format!("{} {}", person.first_name, person.last_name),
        page,
    )
    .await
}

pub(crate) async fn contact_log(
    app: &App,
    person: PersonId,
    person_name: String,
    page: Page<nabij_store::guidance::ContactRow>,
) -> Result<ContactLog> {
    let refs: Vec<i64> = page.items.iter().filter_map(|c| c.corrects_id).collect();
    let corrected: Vec<ContactView> = app
        .db
        .contacts_by_id(&refs)
        .await?
        .into_iter()
        .filter(|c| c.person_id == person)
        .map(ContactView::from)
        .collect();
    let page = page.map(ContactView::from);
    let mut page = page;
    // Mark what corrects what, so both are shown together, also when the correction is
    // on another page (the log is for the person's professionals: working notes included).
    let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    let pairs = app.db.corrections_of(&ids).await?;
    for c in page.items.iter_mut() {
        c.corrected_by = pairs
            .iter()
            .filter(|(x, _)| *x == c.id)
            .map(|(_, by)| *by)
            .collect();
    }
    Ok(ContactLog {
        person_id: person,
        person_name,
        page,
        corrected,
    })
}

/// A new contact entry.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ContactInput {
    /// The day of the contact (today when empty).
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub date: String,
    /// The time of day, `HH:MM` (now when empty).
    pub time: String,
    #[schemars(with = "nabij_domain::guidance::ContactKind")]
    pub kind: String,
    #[schemars(length(min = 1, max = 4000))]
    pub text: String,
    /// A professional's working note, never shared with the person.
    pub working_note: bool,
    /// The entry this one corrects.
    pub corrects_id: Option<i64>,
}

/// Adds an entry to the contact log. Entries are never changed: a correction is a new
/// entry naming the one it corrects.
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn add_contact(
    app: &App,
    caller: &Caller,
    id: PersonId,
    input: &ContactInput,
) -> Result<i64> {
    require_file_role(caller)?;
    let person = crate::persons::visible(app, caller, id).await?;
    let now = app.clock.now();
    let today = app.clock.today();
    let mut errors = Vec::new();
    let kind = ContactKind::parse(input.kind.trim());
    if kind.is_none() {
        errors.push(RuleViolation::new(
            "kind",
            "kies hoe het contact was: huisbezoek, telefonisch, overleg of anders",
        ));
    }
    let body = text(
        "text",
        &input.text,
        CONTACT_TEXT,
        Some("schrijf wat er besproken of gedaan is"),
        &mut errors,
    );
    let day = if input.date.trim().is_empty() {
        Some(today)
    } else {
        crate::take(&mut errors, parse_date("date", &input.date))
    };
    let time = match input.time.trim() {
        "" => Some(app.clock.tz().to_datetime(now).time()),
        t => match t.parse::<jiff::civil::Time>() {
            Ok(t) => Some(t),
            Err(_) => {
                errors.push(RuleViolation::new("time", "vul een tijd in als 14:30"));
                None
            }
        },
    };
    let at = match (day, time) {
        (Some(d), Some(t)) => match app.clock.tz().to_timestamp(d.to_datetime(t)) {
            Ok(z) if z <= now + jiff::SignedDuration::from_mins(5) => Some(z),
            Ok(_) => {
                errors.push(RuleViolation::new(
                    "date",
                    "een contact leg je vast als het geweest is, niet vooraf",
                ));
                None
            }
            Err(_) => None,
        },
        _ => None,
    };
    if let Some(d) = day
        && d < nabij_domain::dates::MIN_DATE
    {
        errors.push(RuleViolation::new("date", "kies een datum na 1900"));
    }
    if let Some(c) = input.corrects_id {
        let found = app.db.contacts_by_id(&[c]).await?;
        if !found.iter().any(|x| x.person_id == person.id) {
            errors.push(RuleViolation::new(
                "corrects_id",
                "de regel die je corrigeert hoort niet bij dit dossier",
            ));
        }
    }
    match (kind, at) {
        (Some(kind), Some(at)) if errors.is_empty() => {
            let episode = open_episode(app, person.id).await.ok().map(|e| e.id);
            Ok(app
                .db
                .add_contact(
                    &NewContact {
                        person: person.id,
                        episode,
                        at,
                        kind,
                        text: body,
                        working_note: input.working_note,
                        corrects: input.corrects_id,
                    },
                    &app.actor(caller),
                )
                .await?)
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// A goal of the recovery plan.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GoalView {
    pub id: i64,
    pub domain: ZrmDomain,
    pub title: String,
    pub status: GoalStatus,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub target_date: Option<Date>,
    pub actions: String,
    pub owner: GoalOwner,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub recorded_on: Date,
}

impl From<nabij_store::guidance::Goal> for GoalView {
    fn from(g: nabij_store::guidance::Goal) -> Self {
        GoalView {
            id: g.id,
            domain: g.domain,
            title: g.title,
            status: g.status,
            target_date: g.target_date,
            actions: g.actions,
            owner: g.owner,
            recorded_on: g.recorded_on,
        }
    }
}

/// The recovery plan: its goals, and when the plan milestone was met.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Plan {
    pub person_id: PersonId,
    pub person_name: String,
    pub goals: Vec<GoalView>,
    /// The day the first goal was recorded: the plan milestone.
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub first_goal_on: Option<Date>,
}

#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn plan(app: &App, caller: &Caller, id: PersonId) -> Result<Plan> {
    require_file_role(caller)?;
    let person = crate::persons::visible(app, caller, id).await?;
    let goals: Vec<GoalView> = app
        .db
        .goals_of(person.id)
        .await?
        .into_iter()
        .map(GoalView::from)
        .collect();
    Ok(Plan {
        person_id: person.id,
        person_name: format!("{} {}", person.first_name, person.last_name),
        first_goal_on: goals.iter().map(|g| g.recorded_on).min(),
        goals,
    })
}

/// A new goal.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct GoalInput {
    #[schemars(length(min = 1, max = 200))]
    pub title: String,
    #[schemars(with = "nabij_domain::guidance::ZrmDomain")]
    pub domain: String,
    /// `open` when empty.
    #[schemars(with = "Option<nabij_domain::guidance::GoalStatus>")]
    pub status: String,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub target_date: String,
    #[schemars(length(max = 2000))]
    pub actions: String,
    #[schemars(with = "nabij_domain::guidance::GoalOwner")]
    pub owner: String,
}

/// Records a goal. The first goal meets the stay's plan milestone on the day it is recorded
/// (a date recorded earlier stays).
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn add_goal(app: &App, caller: &Caller, id: PersonId, input: &GoalInput) -> Result<Plan> {
    require_file_role(caller)?;
    let person = crate::persons::visible(app, caller, id).await?;
    let today = app.clock.today();
    let mut errors = Vec::new();
    let title = text(
        "title",
        &input.title,
        GOAL_TITLE,
        Some("geef het doel een titel"),
        &mut errors,
    );
    let domain = ZrmDomain::parse(input.domain.trim());
    if domain.is_none() {
        errors.push(RuleViolation::new(
            "domain",
            "kies het levensdomein van het doel",
        ));
    }
    let status = match input.status.trim() {
        "" => Some(GoalStatus::Open),
        s => GoalStatus::parse(s),
    };
    if status.is_none() {
        errors.push(RuleViolation::new(
            "status",
            "kies open, bezig, behaald of gestopt",
        ));
    }
    let owner = GoalOwner::parse(input.owner.trim());
    if owner.is_none() {
        errors.push(RuleViolation::new(
            "owner",
            "kies wie het doet: de cliënt, de begeleider of een maatje",
        ));
    }
    let target_date = match input.target_date.trim() {
        "" => None,
        raw => crate::take(&mut errors, parse_date("target_date", raw)),
    };
    let actions = text("actions", &input.actions, GOAL_ACTIONS, None, &mut errors);
    match (domain, status, owner) {
        (Some(domain), Some(status), Some(owner)) if errors.is_empty() => {
            app.db
                .add_goal(
                    &NewGoal {
                        person: person.id,
                        domain,
                        title,
                        status,
                        target_date,
                        actions,
                        owner,
                        recorded_on: today,
                    },
                    &app.actor(caller),
                )
                .await?;
            plan(app, caller, id).await
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// A new status of a goal.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct GoalStatusInput {
    pub goal_id: i64,
    #[schemars(with = "nabij_domain::guidance::GoalStatus")]
    pub status: String,
}

#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn set_goal_status(
    app: &App,
    caller: &Caller,
    id: PersonId,
    input: &GoalStatusInput,
) -> Result<Plan> {
    require_file_role(caller)?;
    let person = crate::persons::visible(app, caller, id).await?;
    let Some(status) = GoalStatus::parse(input.status.trim()) else {
        return Err(AppError::invalid(
            "status",
            "kies open, bezig, behaald of gestopt",
        ));
    };
    app.db
        .set_goal_status(person.id, input.goal_id, status, &app.actor(caller))
        .await
        .map_err(|e| match e {
            nabij_store::StoreError::NotFound(_) => AppError::NotFound("doel"),
            other => other.into(),
        })?;
    plan(app, caller, id).await
}

/// One ZRM assessment.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AssessmentView {
    pub id: i64,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub assessed_on: Date,
    pub moment: ZrmMoment,
    /// The 13 scores in the order of the domains (`domains`).
    pub scores: Vec<u8>,
    pub assessed_by: String,
}

/// A person's ZRM: every assessment and the progress per domain.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Zrm {
    pub person_id: PersonId,
    pub person_name: String,
    pub domains: Vec<ZrmDomain>,
    pub assessments: Vec<AssessmentView>,
    /// Change per domain from intake to the latest assessment (the exit assessment, unless
    /// guidance resumed and the person was assessed again).
    pub progress: Option<Vec<i8>>,
    /// When the next periodic assessment is due.
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub next_due: Option<Date>,
}

pub(crate) fn zrm_of(
    person: PersonId,
    person_name: String,
    rows: Vec<nabij_store::guidance::Assessment>,
    episodes: &[nabij_store::guidance::Episode],
    today: Date,
    interval: i32,
) -> Zrm {
    let triples: Vec<(Date, ZrmMoment, Scores)> = rows
        .iter()
        .map(|a| (a.assessed_on, a.moment, a.scores))
        .collect();
    // The guidance running today (episodes come oldest first).
    let running = episodes
        .iter()
        .rev()
        .find(|e| EpisodeStatus::of(e, today).is_open())
        .map(|e| rules::RunningGuidance {
            since: e.started_on,
            resumes: e.resumes_episode_id.is_some(),
            previous_end: episodes
                .iter()
                .filter(|p| p.id != e.id && p.started_on <= e.started_on)
                .filter_map(|p| p.ended_on)
                .max(),
        });
    let next_due = rules::assessment_due(
        rows.last().map(|a| (a.assessed_on, a.moment)),
        running,
        interval,
    );
    Zrm {
        person_id: person,
        person_name,
        domains: ZrmDomain::ALL.to_vec(),
        progress: rules::progress_of(&triples).map(|p| p.to_vec()),
        next_due,
        assessments: rows
            .into_iter()
            .map(|a| AssessmentView {
                id: a.id,
                assessed_on: a.assessed_on,
                moment: a.moment,
                scores: a.scores.0.iter().map(|s| s.get()).collect(),
                assessed_by: a.assessed_by,
            })
            .collect(),
    }
}

#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn zrm(app: &App, caller: &Caller, id: PersonId) -> Result<Zrm> {
    require_file_role(caller)?;
    let person = crate::persons::visible(app, caller, id).await?;
    let (rows, episodes) = tokio::try_join!(
        app.db.assessments_of(person.id),
        app.db.episodes_of(person.id)
    )?;
    Ok(zrm_of(
        person.id,
        format!("{} {}", person.first_name, person.last_name),
        rows,
        &episodes,
        app.clock.today(),
        app.guidance.zrm_interval_months,
    ))
}

/// A new assessment: the 13 scores by domain code.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AssessmentInput {
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub assessed_on: String,
    #[schemars(with = "nabij_domain::guidance::ZrmMoment")]
    pub moment: String,
    /// Each domain's score, 1 to 5, by the domain's code.
    pub scores: std::collections::BTreeMap<String, i64>,
}

/// Records a ZRM assessment: every domain scored 1 to 5.
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn add_assessment(
    app: &App,
    caller: &Caller,
    id: PersonId,
    input: &AssessmentInput,
) -> Result<Zrm> {
    require_file_role(caller)?;
    let person = crate::persons::visible(app, caller, id).await?;
    let today = app.clock.today();
    let mut errors = Vec::new();
    let on = if input.assessed_on.trim().is_empty() {
        Some(today)
    } else {
        crate::take(&mut errors, parse_date("assessed_on", &input.assessed_on))
    };
    if on.is_some_and(|d| d > today) {
        errors.push(RuleViolation::new(
            "assessed_on",
            "een ZRM leg je vast als hij is afgenomen, niet vooraf",
        ));
    }
    let moment = ZrmMoment::parse(input.moment.trim());
    if moment.is_none() {
        errors.push(RuleViolation::new(
            "moment",
            "kies intake, periodiek of uitstroom",
        ));
    }
    let raw: [Option<i64>; 13] =
        std::array::from_fn(|i| input.scores.get(ZrmDomain::ALL[i].code()).copied());
    let scores = match Scores::parse(&raw) {
        Ok(s) => Some(s),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    match (on, moment, scores) {
        (Some(on), Some(moment), Some(scores)) if errors.is_empty() => {
            app.db
                .add_assessment(person.id, on, moment, &scores, &app.actor(caller))
                .await?;
            zrm(app, caller, id).await
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// A client on a professional's caseload.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CaseloadLine {
    pub person_id: PersonId,
    pub name: String,
    /// Day of the running stay (1 on the first day).
    pub stay_day: Option<i64>,
    /// The next milestone not yet met: its label and due date.
    pub next_milestone: Option<(String, String)>,
    pub milestone_pressing: bool,
    pub hours_per_week: Option<f64>,
    #[schemars(with = "Option<nabij_domain::schema::IsoTimestamp>")]
    pub last_contact: Option<Timestamp>,
    /// No contact for 14 days or more (or never).
    pub no_recent_contact: bool,
    pub open_goals: i64,
    /// A ZRM is due (none yet, or the interval has passed).
    pub zrm_due: bool,
    /// Signals about the client in the professional's inbox that are not closed.
    pub open_signals: i64,
    /// The most urgent of those signals.
    pub most_urgent_signal: Option<nabij_domain::signal::Urgency>,
}

/// The caller's own clients today, by name: for a professional, the persons of running
/// episodes (aftercare included).
#[tracing::instrument(skip_all)]
pub async fn caseload(app: &App, caller: &Caller, req: &PageRequest) -> Result<Page<CaseloadLine>> {
    if caller.role != Role::Professional {
        return Err(AppError::Forbidden(
            "de caseload is van een begeleider".into(),
        ));
    }
    let today = app.clock.today();
    let now = app.clock.now();
    let ids = current_clients(app, caller.user_id()).await?;
    let page = app
        .db
        .persons_page(caller.provider.0, Some(&ids), None, req)
        .await?;
    let shown: Vec<PersonId> = page.items.iter().map(|p| p.id).collect();
    let (facts, stays) = tokio::try_join!(
        app.db.caseload_facts(&shown, caller.user_id(), today),
        app.db.active_stays_of(&shown),
    )?;
    let mut stays: std::collections::HashMap<PersonId, nabij_store::stays::Stay> =
        stays.into_iter().map(|s| (s.person_id, s)).collect();
    let interval = app.guidance.zrm_interval_months;
    let mut lines = Vec::with_capacity(page.items.len());
    for p in &page.items {
        let f = facts.get(&p.id).cloned().unwrap_or_default();
        let stay = stays
            .remove(&p.id)
            .map(|s| StayView::of(Stay::from(s), today));
        let next = stay.as_ref().and_then(|s| {
            s.milestones
                .iter()
                .find(|m| !matches!(m.status, nabij_domain::stay::MilestoneStatus::Done { .. }))
                .and_then(|m| match m.status {
                    nabij_domain::stay::MilestoneStatus::Upcoming { due }
                    | nabij_domain::stay::MilestoneStatus::DueSoon { due }
                    | nabij_domain::stay::MilestoneStatus::Overdue { due } => {
                        Some((m.label.to_string(), nabij_domain::labels::date(due)))
                    }
                    _ => None,
                })
        });
        let pressing = stay.as_ref().is_some_and(|s| s.pressing().next().is_some());
        let zrm_due = rules::assessment_due(f.latest_assessment, f.running, interval)
            .is_some_and(|due| due <= today);
        lines.push(CaseloadLine {
            person_id: p.id,
            name: format!("{} {}", p.first_name, p.last_name),
            stay_day: stay
                .as_ref()
                .map(|s| (today - s.stay.start).get_days() as i64 + 1),
            next_milestone: next,
            milestone_pressing: pressing,
            hours_per_week: f.quarter_hours.map(|q| q as f64 / 4.0),
            no_recent_contact: f
                .last_contact
                .is_none_or(|t| now.duration_since(t).as_secs() >= rules::NO_CONTACT_DAYS * 86_400),
            last_contact: f.last_contact,
            open_goals: f.open_goals,
            zrm_due,
            open_signals: f.open_signals,
            most_urgent_signal: f.most_urgent,
        });
    }
    Ok(Page {
        items: lines,
        total: page.total,
        next: page.next,
    })
}

/// The change of one ZRM domain over a period's persons.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DomainChange {
    pub domain: ZrmDomain,
    /// Persons whose latest assessment in the period follows their intake.
    pub persons: i64,
    /// Mean change from intake to the latest assessment.
    pub mean_to_latest: Option<f64>,
    pub improved: i64,
    pub same: i64,
    pub worse: i64,
    /// Persons with an exit assessment in the period, and their mean change intake → exit.
    pub exits: i64,
    pub mean_to_exit: Option<f64>,
    pub improved_at_exit: i64,
}

/// Guidance on a day of each month of the period (its first day, or the period's first).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HoursMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub episodes: i64,
    pub hours_per_week: f64,
    pub mean_hours_per_week: Option<f64>,
    /// Resumptions started in the month (within the period).
    pub resumptions: i64,
}

/// Recovery measures of a period (domain.md §7): ZRM change per domain, guidance hours per
/// week over time and resumptions; exact counts, for coordinators and administrators.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RecoveryReport {
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub from: Date,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub to: Date,
    /// Persons with a ZRM assessment in the period.
    pub persons_assessed: i64,
    pub domains: Vec<DomainChange>,
    pub months: Vec<HoursMonth>,
    pub resumptions: i64,
}

/// The recovery measures over a report's period (and municipality: the persons whose own
/// area it is), for the caller's organisation.
#[tracing::instrument(skip_all)]
pub async fn recovery_report(
    app: &App,
    caller: &Caller,
    scope: &crate::reports::Scope,
) -> Result<RecoveryReport> {
    if !(caller.acts_as(Role::Coordinator) || caller.acts_as(Role::Admin)) {
        return Err(AppError::Forbidden(
            "de rapportage is voor coördinatoren en beheerders".into(),
        ));
    }
    let key = format!(
        "{}|{:?}|{}|{}|{}",
        caller.provider.0,
        scope.municipality.as_ref().map(|m| m.0),
        scope.period.from,
        scope.period.to,
        app.clock.today(),
    );
    // Kept like the reports: the revision counts every change to the rows read here (0027).
    crate::reports::kept_or_computed(
        app,
        &app.report_cache.recovery,
        key,
        recovery_computed(app, caller, scope),
    )
    .await
}

async fn recovery_computed(
    app: &App,
    caller: &Caller,
    scope: &crate::reports::Scope,
) -> Result<RecoveryReport> {
    let period = &scope.period;
    let months = period.months();
    let days: Vec<Date> = months
        .iter()
        .map(|m| m.first_day().max(period.from))
        .collect();
    let facts = app
        .db
        .recovery_facts(
            &nabij_store::guidance::RecoveryScope {
                organisation: caller.provider.0,
                persons: match &scope.municipality {
                    Some(m) => RecoveryPersons::Municipality(m.0),
                    None => RecoveryPersons::All,
                },
                from: period.from,
                to: period.to,
            },
            &days,
        )
        .await?;
    Ok(recovery_of(period, &months, &facts))
}

/// The recovery measures of a period (`to` inclusive) for the persons whose own
/// municipality a partner covers: ZRM change and resumptions, without the hours per month.
/// For the chain figures, which decide who sees them and suppress them.
pub(crate) async fn covered_recovery(
    app: &App,
    provider: i64,
    partner: i64,
    period: &nabij_domain::period::Period,
) -> Result<RecoveryReport> {
    let facts = app
        .db
        .recovery_facts(
            &nabij_store::guidance::RecoveryScope {
                organisation: provider,
                persons: RecoveryPersons::CoveredBy(partner),
                from: period.from,
                to: period.to,
            },
            &[],
        )
        .await?;
    Ok(recovery_of(period, &[], &facts))
}

/// The report from the database's sums.
fn recovery_of(
    period: &nabij_domain::period::Period,
    months: &[nabij_domain::period::Month],
    f: &nabij_store::guidance::RecoveryFacts,
) -> RecoveryReport {
    let mean = |sum: i64, n: i64| (n > 0).then(|| sum as f64 / n as f64);
    let domains = ZrmDomain::ALL
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let (l, e) = (&f.to_latest, &f.to_exit);
            DomainChange {
                domain: *d,
                persons: l.persons,
                mean_to_latest: mean(l.sum[i], l.persons),
                improved: l.improved[i],
                same: l.persons - l.improved[i] - l.worse[i],
                worse: l.worse[i],
                exits: e.persons,
                mean_to_exit: mean(e.sum[i], e.persons),
                improved_at_exit: e.improved[i],
            }
        })
        .collect();
    let months: Vec<HoursMonth> = months
        .iter()
        .zip(&f.hours)
        .map(|(m, h)| {
            let key = m.key();
            let hours = h.quarter_hours as f64 / 4.0;
            HoursMonth {
                resumptions: f
                    .resumptions
                    .iter()
                    .find(|(month, _)| *month == key)
                    .map_or(0, |r| r.1),
                month: key,
                episodes: h.episodes,
                hours_per_week: hours,
                mean_hours_per_week: (h.episodes > 0).then(|| hours / h.episodes as f64),
            }
        })
        .collect();
    RecoveryReport {
        from: period.from,
        to: period.to,
        persons_assessed: f.assessed,
        domains,
        months,
        resumptions: f.resumptions.iter().map(|r| r.1).sum(),
    }
}

/// The recovery measures as the API serves them: the report tables, suppressed ("<5"), like
/// every report the API serves.
pub async fn recovery_answer(
    app: &App,
    caller: &Caller,
    scope: &crate::reports::Scope,
) -> Result<crate::reports::ReportAnswer> {
    let r = recovery_report(app, caller, scope).await?;
    Ok(crate::reports::ReportAnswer {
        period: scope.period,
        previous: scope.previous,
        municipality: scope.municipality.as_ref().map(|m| m.0),
        tables: recovery_tables(&r)
            .iter()
            .map(nabij_domain::table::Table::suppressed)
            .collect(),
        total: None,
        next: None,
    })
}

/// The recovery measures as report tables, exact: `/rapportage` shows them so, and every
/// export and partner view suppresses them at its last step ([`Table::suppressed`]).
pub fn recovery_tables(r: &RecoveryReport) -> Vec<nabij_domain::table::Table> {
    vec![zrm_change_table(r), hours_table(r)]
}

/// The recovery measures a partner sees (exact; suppressed by the chain figures): persons
/// assessed and resumptions, and the ZRM change per domain as on the report.
pub fn covered_recovery_tables(r: &RecoveryReport) -> Vec<nabij_domain::table::Table> {
    use nabij_domain::table::{Cell, Table};
    let mut summary = Table::new(
        "herstel",
        format!("Herstel: ZRM-metingen en hervattingen, {}", period_label(r)),
        &["Maat", "Aantal"],
    );
    summary.push(vec![
        Cell::text("Personen met een ZRM-meting"),
        Cell::count(r.persons_assessed),
    ]);
    summary.push(vec![
        Cell::text("Hervattingen van begeleiding"),
        Cell::count(r.resumptions),
    ]);
    vec![summary, zrm_change_table(r)]
}

fn period_label(r: &RecoveryReport) -> String {
    nabij_domain::period::Period {
        from: r.from,
        to: r.to,
    }
    .label()
}

/// ZRM change per domain, intake → latest and intake → exit.
fn zrm_change_table(r: &RecoveryReport) -> nabij_domain::table::Table {
    use nabij_domain::labels::Label;
    use nabij_domain::table::{Cell, Table};
    let period = period_label(r);
    let mut zrm = Table::new(
        "herstel-zrm",
        format!("Herstel: ZRM-verandering per domein, {period}"),
        &[
            "Domein",
            "Personen intake → laatste",
            "Gemiddelde verandering",
            "Vooruit",
            "Gelijk",
            "Achteruit",
            "Aandeel vooruit",
            "Personen intake → uitstroom",
            "Gemiddelde verandering bij uitstroom",
            "Vooruit bij uitstroom",
        ],
    );
    for d in &r.domains {
        zrm.push(vec![
            Cell::text(d.domain.label()),
            Cell::count(d.persons),
            Cell::figure(d.mean_to_latest, d.persons, 2),
            Cell::count(d.improved),
            Cell::count(d.same),
            Cell::count(d.worse),
            Cell::share(d.improved, d.persons),
            Cell::count(d.exits),
            Cell::figure(d.mean_to_exit, d.exits, 2),
            Cell::count(d.improved_at_exit),
        ]);
    }
    zrm
}

/// Guidance running per month with its hours per week, and the resumptions.
fn hours_table(r: &RecoveryReport) -> nabij_domain::table::Table {
    use nabij_domain::table::{Cell, Table};
    let period = period_label(r);
    let mut hours = Table::new(
        "herstel-uren",
        format!("Herstel: begeleiding in uren per week en hervattingen, {period}"),
        &[
            "Maand",
            "Lopende begeleidingen",
            "Uren per week",
            "Gemiddeld per begeleiding",
            "Hervattingen",
        ],
    );
    for m in &r.months {
        hours.push(vec![
            Cell::text(&m.month),
            Cell::count(m.episodes),
            Cell::figure(Some(m.hours_per_week), m.episodes, 1),
            Cell::figure(m.mean_hours_per_week, m.episodes, 2),
            Cell::count(m.resumptions),
        ]);
    }
    hours.push(vec![
        Cell::text("Hele periode"),
        Cell::text(""),
        Cell::text(""),
        Cell::text(""),
        Cell::count(r.resumptions),
    ]);
    hours
}

pub use nabij_store::guidance::{
    BulkAssessment, BulkContact, BulkEpisode, BulkGoal, BulkGuidance, BulkProfessional,
};

/// Writes the guidance of a generated history in bulk (the national demo): the system only.
pub async fn load_bulk(app: &App, caller: &Caller, data: &BulkGuidance) -> Result<u64> {
    if !caller.is_system() {
        return Err(AppError::Forbidden(
            "alleen het systeem laadt gegevens in bulk".into(),
        ));
    }
    Ok(app.db.bulk_load_guidance(data, app.clock.now()).await?)
}
