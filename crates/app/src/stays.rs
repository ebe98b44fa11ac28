//! Stays: the six-month clock, milestones, extensions, ready to move on, and the exit.
//!
//! **The rule of this area:** a stay is seen by whoever may see its person's file
//! ([`crate::persons`]); exits and extensions are a coordinator's decision, milestones and
//! "ready to move on" also the person's own professional's.

use crate::{App, AppError, Caller, Result, parse_date};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::RuleViolation;
use nabij_domain::access::Role;
use nabij_domain::home::HomeKind;
use nabij_domain::ids::*;
use nabij_domain::page::{Page, PageRequest};
use nabij_domain::placement::Proximity;
use nabij_domain::stay::{
    Destination, ExtensionDecision, Milestone, MilestoneStatus, StayClock, validate_exit,
    validate_ready_on,
};
use nabij_store::stays::StayFilter;
use serde::{Deserialize, Serialize};

/// A stay as coordinators and the person's professional see it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Stay {
    pub id: StayId,
    pub person_id: PersonId,
    pub person_name: String,
    pub home_id: HomeId,
    pub home_name: String,
    pub home_kind: HomeKind,
    pub municipality_name: String,
    pub referral_id: Option<ReferralId>,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub start: Date,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub planned_end: Date,
    #[schemars(with = "nabij_domain::schema::IsoTimestamp")]
    pub placed_at: Timestamp,
    pub proximity: Proximity,
    pub distance_km: f64,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub ready_on: Option<Date>,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub exit_date: Option<Date>,
    pub destination: Option<Destination>,
    pub exit_reason: Option<String>,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub plan_done_on: Option<Date>,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub evaluation_done_on: Option<Date>,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub exit_preparation_done_on: Option<Date>,
    pub extensions: i64,
    /// The places taken, as the home names them ("Kamer 1, Kamer 2").
    pub places: String,
}

impl Stay {
    pub fn is_active(&self) -> bool {
        self.exit_date.is_none()
    }

    pub fn milestone_done(&self, m: Milestone) -> Option<Date> {
        match m {
            Milestone::RecoveryPlan => self.plan_done_on,
            Milestone::Evaluation => self.evaluation_done_on,
            Milestone::ExitPreparation => self.exit_preparation_done_on,
        }
    }
}

impl From<nabij_store::stays::Stay> for Stay {
    fn from(s: nabij_store::stays::Stay) -> Self {
        Stay {
            id: s.id,
            person_id: s.person_id,
            person_name: s.person_name,
            home_id: s.home_id,
            home_name: s.home_name,
            home_kind: s.home_kind,
            municipality_name: s.municipality_name,
            referral_id: s.referral_id,
            start: s.start,
            planned_end: s.planned_end,
            placed_at: s.placed_at,
            proximity: s.proximity,
            distance_km: s.distance_km,
            ready_on: s.ready_on,
            exit_date: s.exit_date,
            destination: s.destination,
            exit_reason: s.exit_reason,
            plan_done_on: s.plan_done_on,
            evaluation_done_on: s.evaluation_done_on,
            exit_preparation_done_on: s.exit_preparation_done_on,
            extensions: s.extensions,
            places: s.places,
        }
    }
}

/// An extension: who decided, why, from which end to which.
#[derive(Debug, Clone, Serialize)]
pub struct Extension {
    pub decided_by: String,
    pub reason: String,
    pub previous_end: Date,
    pub new_end: Date,
    pub decided_at: Timestamp,
}

impl From<nabij_store::stays::Extension> for Extension {
    fn from(e: nabij_store::stays::Extension) -> Self {
        Extension {
            decided_by: e.decided_by,
            reason: e.reason,
            previous_end: e.previous_end,
            new_end: e.new_end,
            decided_at: e.decided_at,
        }
    }
}

/// A milestone of a stay with where it stands.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MilestoneView {
    pub milestone: Milestone,
    pub label: &'static str,
    #[serde(flatten)]
    pub status: MilestoneStatus,
}

/// A stay with its clock and milestones as of today.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StayView {
    #[serde(flatten)]
    pub stay: Stay,
    pub clock: StayClock,
    pub milestones: Vec<MilestoneView>,
}

impl StayView {
    pub fn of(stay: Stay, today: Date) -> Self {
        use nabij_domain::labels::Label;
        let clock = StayClock::of(
            stay.start,
            stay.planned_end,
            stay.ready_on,
            stay.exit_date,
            today,
        );
        let milestones = Milestone::ALL
            .iter()
            .map(|m| MilestoneView {
                milestone: *m,
                label: m.label(),
                status: MilestoneStatus::of_stay(
                    *m,
                    stay.start,
                    stay.milestone_done(*m),
                    stay.exit_date,
                    today,
                ),
            })
            .collect();
        StayView {
            stay,
            clock,
            milestones,
        }
    }

    /// Milestones due soon or overdue, for an active stay.
    pub fn pressing(&self) -> impl Iterator<Item = &MilestoneView> {
        self.milestones
            .iter()
            .filter(|m| self.stay.is_active() && m.status.is_open_and_pressing())
    }
}

/// The store's row of a stay this caller may see (see [`crate::persons`]).
pub(crate) async fn visible(
    app: &App,
    caller: &Caller,
    id: StayId,
) -> Result<nabij_store::stays::Stay> {
    let stay = app.db.stay(id).await?;
    if crate::persons::may_see(app, caller, stay.organisation_id, stay.person_id).await? {
        Ok(stay)
    } else {
        Err(AppError::NotFound("verblijf"))
    }
}

/// A stay with its clock, as of today.
#[tracing::instrument(skip_all, fields(stay = id.0))]
pub async fn stay(app: &App, caller: &Caller, id: StayId) -> Result<StayView> {
    Ok(StayView::of(
        visible(app, caller, id).await?.into(),
        app.clock.today(),
    ))
}

/// A stay with its extensions (for the stay page).
#[tracing::instrument(skip_all, fields(stay = id.0))]
pub async fn stay_with_extensions(
    app: &App,
    caller: &Caller,
    id: StayId,
) -> Result<(StayView, Vec<Extension>)> {
    let view = stay(app, caller, id).await?;
    let extensions = app
        .db
        .extensions(id)
        .await?
        .into_iter()
        .map(Extension::from)
        .collect();
    Ok((view, extensions))
}

/// Which stays to list, and which page of them.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StayQuery {
    pub active: Option<bool>,
    pub home_id: Option<HomeId>,
    pub municipality_id: Option<MunicipalityId>,
    /// Only active stays that need this attention.
    pub attention: Option<StayAttention>,
    /// The `next` of the page before; absent for the first page.
    pub cursor: Option<String>,
    /// Stays per page (1–500, 50 when absent).
    pub limit: Option<u32>,
}

/// Active stays that need attention today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StayAttention {
    /// A milestone due within a week or overdue.
    Milestone,
    /// Past the planned end.
    Overdue,
    /// Ready to move on: waiting for housing.
    Waiting,
}

impl StayAttention {
    pub(crate) fn filter(self, today: Date) -> nabij_store::stays::Attention {
        use nabij_store::stays::Attention;
        match self {
            StayAttention::Milestone => Attention::Milestone { today },
            StayAttention::Overdue => Attention::Overdue { today },
            StayAttention::Waiting => Attention::WaitingForHousing,
        }
    }
}

/// One page of the organisation's stays with their clocks (coordinators), in the order
/// of urgency (active: planned end first), with the exact number that match.
#[tracing::instrument(skip_all)]
pub async fn list(
    app: &App,
    caller: &Caller,
    q: &StayQuery,
    page: &PageRequest,
) -> Result<Page<StayView>> {
    require(caller, &[Role::Coordinator])?;
    let today = app.clock.today();
    Ok(app
        .db
        .stays_page(
            &StayFilter {
                active: q.active,
                home: q.home_id,
                municipality: q.municipality_id,
                organisation: Some(caller.provider.0),
                attention: q.attention.map(|a| a.filter(today)),
                ..Default::default()
            },
            page,
        )
        .await?
        .map(|s| StayView::of(s.into(), today)))
}

fn require(caller: &Caller, roles: &[Role]) -> Result<()> {
    if roles.iter().any(|r| caller.acts_as(*r)) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "dit besluit hoort niet bij jouw rol".into(),
        ))
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ExitInput {
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub exit_date: String,
    #[schemars(with = "nabij_domain::stay::Destination")]
    pub destination: String,
    #[schemars(length(max = nabij_domain::limits::EXIT_REASON))]
    pub reason: String,
}

/// Registers the exit; the places are free again from the exit date.
#[tracing::instrument(skip_all, fields(stay = id.0))]
pub async fn exit(app: &App, caller: &Caller, id: StayId, input: &ExitInput) -> Result<StayView> {
    require(caller, &[Role::Coordinator])?;
    let stay = visible(app, caller, id).await?;
    let today = app.clock.today();
    let mut errors = Vec::new();
    let date = crate::take(&mut errors, parse_date("exit_date", &input.exit_date));
    let destination = Destination::parse(&input.destination);
    if destination.is_none() {
        errors.push(RuleViolation::new(
            "destination",
            "kies waar de persoon naartoe gaat",
        ));
    }
    if let Some(d) = date
        && let Err(e) = validate_exit(stay.start, d, today, &input.reason)
    {
        errors.extend(e);
    }
    match (date, destination) {
        (Some(d), Some(dest)) if errors.is_empty() => {
            app.db
                .exit_stay(id, d, dest, input.reason.trim(), &app.actor(caller))
                .await?;
        }
        _ => return Err(AppError::Invalid(errors)),
    }
    self::stay(app, caller, id).await
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ExtensionInput {
    #[schemars(length(min = 1, max = nabij_domain::limits::EXTENSION_DECIDED_BY))]
    pub decided_by: String,
    #[schemars(length(min = 1, max = nabij_domain::limits::EXTENSION_REASON))]
    pub reason: String,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub new_end: String,
}

/// Extends the stay: a counted decision with who, why and the new end.
#[tracing::instrument(skip_all, fields(stay = id.0))]
pub async fn extend(
    app: &App,
    caller: &Caller,
    id: StayId,
    input: &ExtensionInput,
) -> Result<StayView> {
    require(caller, &[Role::Coordinator])?;
    let stay = visible(app, caller, id).await?;
    if stay.exit_date.is_some() {
        return Err(AppError::Conflict("dit verblijf is al beëindigd".into()));
    }
    let new_end = parse_date("new_end", &input.new_end)?;
    let decision = ExtensionDecision::validate(
        &input.decided_by,
        &input.reason,
        new_end,
        stay.planned_end,
        app.clock.today(),
    )
    .map_err(AppError::Invalid)?;
    app.db
        .extend_stay(id, &decision, &app.actor(caller))
        .await?;
    self::stay(app, caller, id).await
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReadyInput {
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub ready_on: String,
}

/// Registers the day the person could live on their own.
#[tracing::instrument(skip_all, fields(stay = id.0))]
pub async fn ready(app: &App, caller: &Caller, id: StayId, input: &ReadyInput) -> Result<StayView> {
    require(caller, &[Role::Coordinator, Role::Professional])?;
    let stay = visible(app, caller, id).await?;
    let d = parse_date("ready_on", &input.ready_on)?;
    validate_ready_on(stay.start, d, app.clock.today())?;
    app.db.set_ready_on(id, d, &app.actor(caller)).await?;
    self::stay(app, caller, id).await
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MilestoneInput {
    #[schemars(with = "nabij_domain::stay::Milestone")]
    pub milestone: String,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub done_on: String,
}

/// Completes a milestone (today, or on the day given).
#[tracing::instrument(skip_all, fields(stay = id.0))]
pub async fn milestone(
    app: &App,
    caller: &Caller,
    id: StayId,
    input: &MilestoneInput,
) -> Result<StayView> {
    require(caller, &[Role::Coordinator, Role::Professional])?;
    let stay = visible(app, caller, id).await?;
    let m = Milestone::parse(&input.milestone)
        .ok_or_else(|| RuleViolation::new("milestone", "kies een mijlpaal"))?;
    if m == Milestone::RecoveryPlan {
        // The plan is met by the plan itself: the day its first goal is recorded.
        return Err(AppError::invalid(
            "milestone",
            "het plan van aanpak is behaald zodra er een doel in het plan is vastgelegd: leg een doel vast",
        ));
    }
    let today = app.clock.today();
    let on = if input.done_on.trim().is_empty() {
        today
    } else {
        parse_date("done_on", &input.done_on)?
    };
    if on < stay.start || on > today {
        return Err(AppError::invalid(
            "done_on",
            "de datum ligt buiten het verblijf of in de toekomst",
        ));
    }
    app.db
        .complete_milestone(id, m, on, &app.actor(caller))
        .await?;
    self::stay(app, caller, id).await
}
