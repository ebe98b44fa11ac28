//! Chain partners: municipalities, social teams and housing corporations that refer.
//!
//! **The rule of this area:** a partner sees the referrals it made and their status; a
//! person's name only under that person's active consent for this partner and purpose
//! `referral`; where and since when someone was placed also under that consent; ready to
//! move on and the exit only under consent for `housing`. Without consent: nothing that
//! identifies anyone.

use crate::{App, AppError, Caller, Result};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::access::{Purpose, Role};
use nabij_domain::guidance::GoalStatus;
use nabij_domain::ids::*;
use nabij_domain::page::{Page, PageRequest};
use nabij_domain::referral::ReferralState;
use nabij_domain::stay::Destination;
use nabij_store::referrals::ReferralList;
use nabij_store::stays::StayFilter;
use serde::Serialize;

/// A referral the partner made, with the person's name only under consent.
#[derive(Debug, Clone)]
pub struct PartnerReferral {
    pub id: ReferralId,
    pub received_at: Timestamp,
    pub state: ReferralState,
    /// With consent for referral.
    pub name: Option<String>,
    /// Only for the access log: set when the partner is shown this person's data.
    pub shown: Option<PersonId>,
}

/// Where the person was placed, under consent for referral: the municipality, never the
/// house.
#[derive(Debug, Clone)]
pub struct Placement {
    pub municipality_name: String,
    pub start: Date,
}

/// One referral as the partner sees it.
#[derive(Debug, Clone)]
pub struct PartnerReferralDetail {
    pub referral: PartnerReferral,
    pub referral_consent: bool,
    pub housing_consent: bool,
    pub placed: Option<Placement>,
    /// Under consent for housing.
    pub ready_on: Option<Date>,
    /// Under consent for housing.
    pub exit: Option<(Date, Destination)>,
    /// A referral closed without placement: the advice given, under consent for referral.
    pub advice: Option<String>,
    /// Under consent for housing: household size and housing-relevant needs.
    pub household: Option<(usize, nabij_domain::person::Needs)>,
    pub care_consent: bool,
    /// Under consent for care coordination: the professional's name and phone (never the
    /// contact log).
    pub professional: Option<(String, Option<String>)>,
    /// Under consent for care coordination: the titles and states of the plan's goals
    /// (never their actions, nor the contact log).
    pub goals: Vec<(String, GoalStatus)>,
}

fn require_partner(caller: &Caller) -> Result<()> {
    if caller.role == Role::Partner {
        Ok(())
    } else {
        Err(AppError::Forbidden("dit is voor ketenpartners".into()))
    }
}

/// One page of the referrals the caller's organisation made, newest first, with their
/// exact number.
#[tracing::instrument(skip_all)]
pub async fn our_referrals(
    app: &App,
    caller: &Caller,
    page: &PageRequest,
) -> Result<Page<PartnerReferral>> {
    require_partner(caller)?;
    let today = app.clock.today();
    let org = caller.organisation.0;
    let found = app
        .db
        .referrals_page(&ReferralList::made_by(org), page)
        .await?;
    let mut rows = Vec::with_capacity(found.items.len());
    for r in found.items {
        let seen = seen(app, &r, org, today).await?;
        rows.push(PartnerReferral {
            id: r.id,
            received_at: r.received_at,
            state: r.state,
            name: seen.name,
            shown: seen.shown,
        });
    }
    Ok(Page {
        items: rows,
        total: found.total,
        next: found.next,
    })
}

/// Where a referral stands, as its partner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartnerStatus {
    /// Waiting for a place (the 24-hour clock runs).
    Received,
    /// Placed: in which municipality, never the house.
    Placed,
    /// Closed without a place: with the advice given, or withdrawn.
    Closed,
}

impl PartnerStatus {
    pub fn of(state: ReferralState) -> Self {
        match state {
            ReferralState::Received => PartnerStatus::Received,
            ReferralState::Placed => PartnerStatus::Placed,
            ReferralState::AdvisedElsewhere | ReferralState::Withdrawn => PartnerStatus::Closed,
        }
    }
}

/// One referral in the partner's own list (API): its status for everyone in the partner
/// organisation; the name, the municipality of the place and the advice only under the
/// person's consent for referral.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PartnerReferralView {
    pub id: ReferralId,
    #[schemars(with = "nabij_domain::schema::IsoTimestamp")]
    pub received_at: Timestamp,
    pub status: PartnerStatus,
    /// With consent for referral.
    pub name: Option<String>,
    /// Placed: the municipality (never the house), with consent for referral.
    pub placed_in_municipality: Option<String>,
    /// Closed: the advice given, with consent for referral.
    pub advice: Option<String>,
    /// Only for the access log.
    #[serde(skip)]
    #[schemars(skip)]
    pub shown: Option<PersonId>,
}

/// Paging for the partner's own referrals.
#[derive(Debug, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PartnerReferralQuery {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// One page of the referrals the caller's organisation made (API), newest first, with
/// their exact number and what the partner may see of each.
#[tracing::instrument(skip_all)]
pub async fn our_referral_views(
    app: &App,
    caller: &Caller,
    page: &PageRequest,
) -> Result<Page<PartnerReferralView>> {
    require_partner(caller)?;
    let today = app.clock.today();
    let org = caller.organisation.0;
    let found = app
        .db
        .referrals_page(&ReferralList::made_by(org), page)
        .await?;
    let mut rows = Vec::with_capacity(found.items.len());
    for r in found.items {
        let seen = seen(app, &r, org, today).await?;
        let consent = seen.referral_consent;
        let status = PartnerStatus::of(r.state);
        let placed_in = if consent && status == PartnerStatus::Placed {
            app.db
                .stays(StayFilter {
                    person: Some(r.person_id),
                    ..Default::default()
                })
                .await?
                .into_iter()
                .find(|s| s.referral_id == Some(r.id))
                .map(|s| s.municipality_name)
        } else {
            None
        };
        rows.push(PartnerReferralView {
            id: r.id,
            received_at: r.received_at,
            status,
            name: seen.name,
            placed_in_municipality: placed_in,
            advice: r
                .close_reason
                .clone()
                .filter(|_| consent && r.state == ReferralState::AdvisedElsewhere),
            shown: seen.shown,
        });
    }
    Ok(Page {
        items: rows,
        total: found.total,
        next: found.next,
    })
}

/// One referral the caller's organisation made; another's is "not found".
#[tracing::instrument(skip_all, fields(referral = id.0))]
pub async fn our_referral(
    app: &App,
    caller: &Caller,
    id: ReferralId,
) -> Result<PartnerReferralDetail> {
    require_partner(caller)?;
    let today = app.clock.today();
    let org = caller.organisation.0;
    let r = app.db.referral(id).await?;
    if r.referred_by != Some(org) {
        return Err(AppError::NotFound("aanmelding"));
    }
    let seen = seen(app, &r, org, today).await?;
    let referral_consent = seen.referral_consent;
    // While the link to a known file waits for the coordinator, nothing of that file is
    // shown on this referral, whatever the partner may see of it elsewhere.
    let pending = seen.pending;
    let housing_consent = !pending
        && app
            .db
            .has_consent(r.person_id, org, Purpose::Housing, today)
            .await?;
    let care_consent = !pending
        && app
            .db
            .has_consent(r.person_id, org, Purpose::CareCoordination, today)
            .await?;
    let household = if housing_consent {
        let p = app.db.person(r.person_id).await?;
        Some((p.household.get(), p.needs))
    } else {
        None
    };
    let professional = if care_consent {
        app.db
            .professional_of(r.person_id, app.clock.today())
            .await?
    } else {
        None
    };
    let goals = if care_consent {
        app.db
            .goals_of(r.person_id)
            .await?
            .into_iter()
            .map(|g| (g.title, g.status))
            .collect()
    } else {
        Vec::new()
    };
    let stay = if referral_consent || housing_consent {
        app.db
            .stays(StayFilter {
                person: Some(r.person_id),
                ..Default::default()
            })
            .await?
            .into_iter()
            .find(|s| s.referral_id == Some(r.id))
    } else {
        None
    };
    Ok(PartnerReferralDetail {
        referral: PartnerReferral {
            id: r.id,
            received_at: r.received_at,
            state: r.state,
            name: seen.name,
            shown: seen
                .shown
                .or((housing_consent || care_consent).then_some(r.person_id)),
        },
        referral_consent,
        housing_consent,
        placed: stay
            .as_ref()
            .filter(|_| referral_consent)
            .map(|s| Placement {
                municipality_name: s.municipality_name.clone(),
                start: s.start,
            }),
        ready_on: stay
            .as_ref()
            .filter(|_| housing_consent)
            .and_then(|s| s.ready_on),
        exit: stay
            .as_ref()
            .filter(|_| housing_consent)
            .and_then(|s| s.exit_date.zip(s.destination)),
        advice: r
            .close_reason
            .clone()
            .filter(|_| referral_consent && r.state == ReferralState::AdvisedElsewhere),
        household,
        care_consent,
        professional,
        goals,
    })
}

/// One referral as its partner sees it (API): each part only under the consent that
/// unlocks it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PartnerReferralDetailView {
    pub id: ReferralId,
    #[schemars(with = "nabij_domain::schema::IsoTimestamp")]
    pub received_at: Timestamp,
    pub status: PartnerStatus,
    pub referral_consent: bool,
    pub housing_consent: bool,
    pub care_consent: bool,
    /// Consent for referral.
    pub name: Option<String>,
    /// Consent for referral: the municipality of the place, never the house.
    pub placed_in_municipality: Option<String>,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub placed_on: Option<Date>,
    /// Consent for referral: the advice given when closed without a place.
    pub advice: Option<String>,
    /// Consent for housing.
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub ready_on: Option<Date>,
    /// Consent for housing.
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub exit_on: Option<Date>,
    /// Consent for housing.
    pub exit_destination: Option<Destination>,
    /// Consent for housing.
    pub household_size: Option<usize>,
    /// Consent for housing.
    pub needs: Option<nabij_domain::person::Needs>,
    /// Consent for care coordination: the professional's name (never the contact log).
    pub professional_name: Option<String>,
    /// Consent for care coordination.
    pub professional_phone: Option<String>,
    /// Consent for care coordination: the plan's goals, title and state only.
    pub goals: Vec<PartnerGoal>,
    #[serde(skip)]
    #[schemars(skip)]
    pub shown: Option<PersonId>,
}

/// A goal of the person's plan as a partner with consent for care coordination sees it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PartnerGoal {
    pub title: String,
    pub status: GoalStatus,
}

impl From<PartnerReferralDetail> for PartnerReferralDetailView {
    fn from(d: PartnerReferralDetail) -> Self {
        let (professional_name, professional_phone) = match d.professional {
            Some((n, p)) => (Some(n), p),
            None => (None, None),
        };
        PartnerReferralDetailView {
            id: d.referral.id,
            received_at: d.referral.received_at,
            status: PartnerStatus::of(d.referral.state),
            referral_consent: d.referral_consent,
            housing_consent: d.housing_consent,
            care_consent: d.care_consent,
            name: d.referral.name,
            placed_in_municipality: d.placed.as_ref().map(|p| p.municipality_name.clone()),
            placed_on: d.placed.as_ref().map(|p| p.start),
            advice: d.advice,
            ready_on: d.ready_on,
            exit_on: d.exit.map(|e| e.0),
            exit_destination: d.exit.map(|e| e.1),
            household_size: d.household.map(|h| h.0),
            needs: d.household.map(|h| h.1),
            professional_name,
            professional_phone,
            goals: d
                .goals
                .into_iter()
                .map(|(title, status)| PartnerGoal { title, status })
                .collect(),
            shown: d.referral.shown,
        }
    }
}

/// A referral as a partner submits it: the person, the situation, and the person's
/// consent for referral (given on, until).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PartnerReferralInput {
    #[schemars(length(min = 1, max = nabij_domain::limits::PERSON_NAME))]
    pub first_name: String,
    #[schemars(length(min = 1, max = nabij_domain::limits::PERSON_NAME))]
    pub last_name: String,
    #[schemars(with = "nabij_domain::person::Gender")]
    pub gender: String,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub date_of_birth: Option<String>,
    pub bsn: Option<String>,
    #[schemars(length(max = nabij_domain::limits::PHONE))]
    pub phone: Option<String>,
    pub household_size: i64,
    pub needs_accessible: bool,
    pub needs_pets: bool,
    pub needs_women_only: bool,
    pub own_municipality_id: i64,
    pub own_neighbourhood_id: Option<i64>,
    #[schemars(with = "nabij_domain::referral::Urgency")]
    pub urgency: String,
    #[schemars(length(min = 1, max = nabij_domain::limits::SITUATION))]
    pub situation: String,
    /// The person consented to this referral on this date…
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub consent_given_on: String,
    /// …until this date (open-ended when absent).
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub consent_until: Option<String>,
}

/// What the partner gets back after submitting. Whether the person was already known to
/// the shelter is not the partner's to learn: only the coordinator sees the link.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Submitted {
    pub referral_id: ReferralId,
}

/// Whether the caller's organisation submits referrals itself (a gemeente, a sociaal team or
/// a woningcorporatie): its kind, else refused with the reason.
pub async fn may_submit(app: &App, caller: &Caller) -> Result<nabij_domain::outflow::PartnerKind> {
    require_partner(caller)?;
    let (kind, _) = app.db.partner_kind(caller.organisation.0).await?;
    kind.filter(|k| k.refers()).ok_or_else(|| {
        AppError::Forbidden("aanmelden doen gemeenten, sociale teams en woningcorporaties".into())
    })
}

/// A municipality, social team or housing corporation submits a referral itself, with the
/// person's consent for referral. It lands in the coordinators' open referrals with the
/// 24-hour clock running. A known person is not filed twice. Everything is checked before
/// anything is written.
#[tracing::instrument(skip_all)]
pub async fn submit_referral(
    app: &App,
    caller: &Caller,
    input: &PartnerReferralInput,
) -> Result<Submitted> {
    use nabij_domain::RuleViolation;
    let kind = may_submit(app, caller).await?;
    let today = app.clock.today();
    let mut errors = Vec::new();
    let given = match crate::blank(&Some(input.consent_given_on.clone())) {
        None => {
            errors.push(RuleViolation::new(
                "consent_given_on",
                "zonder toestemming van de persoon kan de aanmelding niet: vul in wanneer die gegeven is",
            ));
            None
        }
        Some(s) => crate::take(&mut errors, crate::parse_date("consent_given_on", s)),
    };
    let until = match crate::blank(&input.consent_until) {
        None => Some(None),
        Some(s) => crate::take(&mut errors, crate::parse_date("consent_until", s).map(Some)),
    };
    if let (Some(g), Some(u)) = (given, until)
        && let Err(e) = nabij_domain::outflow::check_consent_dates(g, u, today)
    {
        errors.extend(e);
    }
    let intake = crate::intake::IntakeInput {
        first_name: input.first_name.clone(),
        last_name: input.last_name.clone(),
        gender: input.gender.clone(),
        date_of_birth: input.date_of_birth.clone(),
        bsn: input.bsn.clone(),
        phone: input.phone.clone(),
        household_size: input.household_size,
        needs_accessible: input.needs_accessible,
        needs_pets: input.needs_pets,
        needs_women_only: input.needs_women_only,
        own_municipality_id: input.own_municipality_id,
        own_neighbourhood_id: input.own_neighbourhood_id,
        avoid_municipality_ids: vec![],
        avoid_neighbourhood_ids: vec![],
        source: kind.referral_source().code().into(),
        urgency: input.urgency.clone(),
        situation: input.situation.clone(),
        referred_by_organisation_id: Some(caller.organisation.0),
    };
    let checked = crate::intake::validate_fields(app, caller, &intake).await;
    let (person, referral) = match checked {
        Ok(v) if errors.is_empty() => v,
        Ok(_) => return Err(AppError::Invalid(errors)),
        Err(AppError::Invalid(more)) => {
            errors.extend(more);
            return Err(AppError::Invalid(errors));
        }
        Err(e) => return Err(e),
    };
    let (Some(given), Some(until)) = (given, until) else {
        return Err(AppError::Invalid(errors));
    };
    let actor = app.actor(caller);
    let known = app
        .db
        .known_person(
            caller.provider.0,
            person.bsn.as_ref().map(|b| b.as_str()),
            &person.first_name,
            &person.last_name,
            person.date_of_birth,
        )
        .await?;
    if let Some(existing) = known {
        // What the partner sent is kept until a coordinator decides on the link: a wrong
        // match must not cost the submitted data, nor show the partner the known file.
        let submitted =
            serde_json::to_string(&intake).map_err(|e| AppError::Internal(e.to_string()))?;
        let id = app
            .db
            .create_linked_referral(existing, &referral, &submitted, given, until, &actor)
            .await?;
        return Ok(Submitted { referral_id: id });
    }
    let (person_id, id) = app
        .db
        .create_referral(&person, &referral, app.clock.now(), &actor)
        .await?;
    app.db
        .record_referral_consent(person_id, caller.organisation.0, given, until, &actor)
        .await?;
    Ok(Submitted { referral_id: id })
}

/// A coordinator confirms that a partner's referral belongs to the known file it was
/// filed on.
#[tracing::instrument(skip_all, fields(referral = id.0))]
pub async fn confirm_link(app: &App, caller: &Caller, id: ReferralId) -> Result<()> {
    crate::intake::visible(app, caller, id).await?;
    Ok(app.db.confirm_link(id, &app.actor(caller)).await?)
}

/// A coordinator finds that a partner's referral is about someone else than the known
/// file it was filed on: a new file is opened from what the partner submitted, and the
/// referral and its consent move there. Not once the referral is placed on the known file.
#[tracing::instrument(skip_all, fields(referral = id.0))]
pub async fn reject_link(app: &App, caller: &Caller, id: ReferralId) -> Result<PersonId> {
    let r = crate::intake::visible(app, caller, id).await?;
    let Some(submitted) = r.submitted_intake.clone().filter(|_| r.link_to_confirm) else {
        return Err(AppError::Conflict(
            "over deze koppeling is al besloten".into(),
        ));
    };
    let intake: crate::intake::IntakeInput =
        serde_json::from_str(&submitted).map_err(|e| AppError::Internal(e.to_string()))?;
    let (mut person, _) = crate::intake::validate_fields(app, caller, &intake).await?;
    // Matched on this BSN and found to be someone else: the BSN is in doubt, and two files
    // with one BSN would match every later referral to the wrong one. The coordinator
    // records the right BSN on the new file.
    let known = app.db.person(r.person_id).await?;
    if let (Some(b), Some(k)) = (&person.bsn, &known.bsn)
        && b.as_str() == k
    {
        person.bsn = None;
    }
    Ok(app.db.split_link(id, &person, &app.actor(caller)).await?)
}

/// What a partner may see of the person of its referral: while the link to a known file
/// waits for the coordinator, only the name it submitted itself (with the consent it
/// recorded then), and nothing of the known file, not even that it exists.
struct Seen {
    name: Option<String>,
    /// For the access log: the file whose data was shown.
    shown: Option<PersonId>,
    /// The referral consent counts (for the name, the place and the advice).
    referral_consent: bool,
    pending: bool,
}

async fn seen(
    app: &App,
    r: &nabij_store::referrals::Referral,
    org: i64,
    today: Date,
) -> Result<Seen> {
    if r.link_to_confirm {
        // The consent it recorded then counts as any consent does: expired or revoked, it
        // shows nothing more.
        let consent = app.db.submitted_consent_active(r.id, today).await?;
        return Ok(Seen {
            name: submission_of(r).filter(|_| consent).map(|s| s.name),
            shown: None,
            referral_consent: consent,
            pending: true,
        });
    }
    let consent = app
        .db
        .has_consent(r.person_id, org, Purpose::Referral, today)
        .await?;
    Ok(Seen {
        name: consent.then(|| r.person_name.clone()),
        shown: consent.then_some(r.person_id),
        referral_consent: consent,
        pending: false,
    })
}

/// Who the partner said it referred, for the coordinator deciding on the link.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Submission {
    pub name: String,
    pub date_of_birth: Option<String>,
    pub bsn: Option<String>,
    pub household_size: i64,
}

fn submission_of(r: &nabij_store::referrals::Referral) -> Option<Submission> {
    let i: crate::intake::IntakeInput =
        serde_json::from_str(r.submitted_intake.as_deref()?).ok()?;
    let some = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Some(Submission {
        name: format!("{} {}", i.first_name.trim(), i.last_name.trim()),
        date_of_birth: some(i.date_of_birth),
        bsn: some(i.bsn),
        household_size: i.household_size,
    })
}

/// A partner's referral filed on a known file, waiting for the coordinator to decide.
#[derive(Debug, Clone)]
pub struct PendingLink {
    /// What the partner submitted; absent for a referral filed before submissions were
    /// kept, which can only be confirmed.
    pub submitted: Option<Submission>,
}

/// Whether a referral's link to a known file waits for the coordinator, with what the
/// partner submitted (coordinators of the organisation only).
pub async fn pending_link(
    app: &App,
    caller: &Caller,
    id: ReferralId,
) -> Result<Option<PendingLink>> {
    let r = crate::intake::visible(app, caller, id).await?;
    Ok(r.link_to_confirm.then(|| PendingLink {
        submitted: submission_of(&r),
    }))
}

/// Sets a partner organisation's kind and the municipalities it covers (administrators).
#[tracing::instrument(skip_all)]
pub async fn set_kind(
    app: &App,
    caller: &Caller,
    organisation: OrganisationId,
    kind: nabij_domain::outflow::PartnerKind,
    municipalities: &[MunicipalityId],
) -> Result<()> {
    if !(caller.is_system() || caller.role == Role::Admin) {
        return Err(AppError::Forbidden(
            "de soort ketenpartner legt een beheerder vast".into(),
        ));
    }
    let org = app.db.organisation(organisation.0).await?;
    if org.provider_id != Some(caller.provider.0) {
        return Err(AppError::NotFound("organisatie"));
    }
    if !kind.covers_municipalities() && !municipalities.is_empty() {
        return Err(AppError::invalid(
            "municipality_ids",
            "alleen een gemeente of sociaal team dekt gemeenten: kies geen gemeenten voor deze soort",
        ));
    }
    if kind.covers_municipalities() && municipalities.is_empty() {
        return Err(AppError::invalid(
            "municipality_ids",
            "een gemeente of sociaal team dekt minstens één gemeente: kies de gemeenten",
        ));
    }
    for m in municipalities {
        if app.db.municipality(*m).await.is_err() {
            return Err(AppError::invalid("municipality_ids", "onbekende gemeente"));
        }
    }
    Ok(app
        .db
        .change_partner_kind(organisation.0, kind, municipalities, &app.actor(caller))
        .await?)
}

/// A partner's kind and covered municipalities, as an administrator sends them.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PartnerKindInput {
    #[schemars(with = "nabij_domain::outflow::PartnerKind")]
    pub kind: String,
    /// For a municipality or social team: the municipalities it covers.
    pub municipality_ids: Vec<i64>,
}

/// What a partner is, as answered after a change.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct PartnerKindView {
    pub organisation_id: OrganisationId,
    pub kind: nabij_domain::outflow::PartnerKind,
    pub municipality_ids: Vec<MunicipalityId>,
}

/// Sets a partner's kind from an administrator's input.
pub async fn set_kind_input(
    app: &App,
    caller: &Caller,
    organisation: OrganisationId,
    input: &PartnerKindInput,
) -> Result<PartnerKindView> {
    let Some(kind) = nabij_domain::outflow::PartnerKind::parse(&input.kind) else {
        return Err(AppError::invalid(
            "kind",
            "kies gemeente, sociaal_team, woningcorporatie, zorgaanbieder of overig",
        ));
    };
    if input.municipality_ids.len() > 500 {
        return Err(AppError::invalid(
            "municipality_ids",
            "hoogstens 500 gemeenten",
        ));
    }
    let ms: Vec<MunicipalityId> = input
        .municipality_ids
        .iter()
        .map(|m| MunicipalityId(*m))
        .collect();
    set_kind(app, caller, organisation, kind, &ms).await?;
    Ok(PartnerKindView {
        organisation_id: organisation,
        kind,
        municipality_ids: ms,
    })
}

/// A partner organisation as an administrator manages it.
#[derive(Debug, Clone)]
pub struct PartnerOrganisation {
    pub id: OrganisationId,
    pub name: String,
    /// Not yet set for a partner added before kinds existed.
    pub kind: Option<nabij_domain::outflow::PartnerKind>,
    pub municipality_ids: Vec<MunicipalityId>,
    /// The covered municipalities by name.
    pub municipalities: Vec<String>,
}

/// One logged change of a partner's kind.
#[derive(Debug, Clone)]
pub struct PartnerKindChange {
    pub kind: nabij_domain::outflow::PartnerKind,
    pub municipalities: String,
    pub changed_by: String,
    pub changed_at: Timestamp,
}

fn require_admin(caller: &Caller) -> Result<()> {
    if caller.is_system() || caller.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "ketenpartners beheert een beheerder".into(),
        ))
    }
}

/// The partner organisations of the caller's provider, with their kind and municipalities
/// (administrators).
#[tracing::instrument(skip_all)]
pub async fn partner_organisations(app: &App, caller: &Caller) -> Result<Vec<PartnerOrganisation>> {
    require_admin(caller)?;
    let names: std::collections::HashMap<i64, String> = app
        .db
        .municipalities()
        .await?
        .into_iter()
        .map(|m| (m.id.0, m.name))
        .collect();
    let mut out = Vec::new();
    for o in app.db.organisations_of(caller.provider.0).await? {
        if o.kind != "partner" {
            continue;
        }
        let (kind, ms) = app.db.partner_kind(o.id).await?;
        out.push(PartnerOrganisation {
            id: OrganisationId(o.id),
            name: o.name,
            kind,
            municipalities: ms.iter().filter_map(|m| names.get(&m.0).cloned()).collect(),
            municipality_ids: ms,
        });
    }
    Ok(out)
}

/// One partner organisation with the log of changes to its kind (administrators).
#[tracing::instrument(skip_all, fields(organisation = id.0))]
pub async fn partner_organisation(
    app: &App,
    caller: &Caller,
    id: OrganisationId,
) -> Result<(PartnerOrganisation, Vec<PartnerKindChange>)> {
    let p = partner_organisations(app, caller)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(AppError::NotFound("ketenpartner"))?;
    let changes = app
        .db
        .partner_kind_changes(id.0)
        .await?
        .into_iter()
        .map(|c| PartnerKindChange {
            kind: c.kind,
            municipalities: c.municipalities,
            changed_by: c.changed_by,
            changed_at: c.changed_at,
        })
        .collect();
    Ok((p, changes))
}
