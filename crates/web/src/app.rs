//! The use cases behind both the pages and the API: validate, call the domain, call the store.

use crate::AppState;
use crate::auth::Viewer;
use crate::error::WebError;
use jiff::civil::Date;
use nabij_domain::RuleViolation;
use nabij_domain::access::Role;
use nabij_domain::ids::*;
use nabij_domain::person::{AvoidArea, Bsn, Gender, HouseholdSize, Needs, parse_name};
use nabij_domain::placement::{Ranking, exclusion, rank_free_places};
use nabij_domain::referral::{ReferralSource, ReferralState, Urgency, is_breach, parse_situation};
use nabij_domain::stay::{
    Clock, Destination, ExtensionDecision, Milestone, MilestoneStatus, planned_end, validate_exit,
    validate_ready_on,
};
use nabij_store::persons::{NewPerson, Person};
use nabij_store::referrals::{NewReferral, Referral, ReferralFilter};
use nabij_store::reports::NoPlaceCount;
use nabij_store::stays::{NewStay, Stay, StayFilter};
use serde::{Deserialize, Serialize};

type Result<T> = std::result::Result<T, WebError>;

/// Intake as the API sends it; the HTML form is parsed into the same shape.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntakeInput {
    pub first_name: String,
    pub last_name: String,
    pub gender: String,
    pub date_of_birth: Option<String>,
    pub bsn: Option<String>,
    pub phone: Option<String>,
    pub household_size: i64,
    pub needs_accessible: bool,
    pub needs_pets: bool,
    pub needs_women_only: bool,
    pub own_municipality_id: i64,
    pub own_neighbourhood_id: Option<i64>,
    pub avoid_municipality_ids: Vec<i64>,
    pub avoid_neighbourhood_ids: Vec<i64>,
    pub source: String,
    pub urgency: String,
    pub situation: String,
    /// The partner organisation the referral came through, if any.
    pub referred_by_organisation_id: Option<i64>,
}

/// A person whose file this viewer may see: of their organisation, and for a professional,
/// in their caseload. Anything else is "not found", so existence does not leak.
pub async fn visible_person(state: &AppState, viewer: &Viewer, id: PersonId) -> Result<Person> {
    let person = state.db.person(id).await?;
    may_see(state, viewer, person.organisation_id, person.id).await?;
    Ok(person)
}

async fn may_see(
    state: &AppState,
    viewer: &Viewer,
    organisation: i64,
    person: PersonId,
) -> Result<()> {
    let allowed = organisation == viewer.provider()
        && match viewer.role() {
            Role::Coordinator => true,
            Role::Professional => state.db.caseload(viewer.user.id).await?.contains(&person),
            _ => false,
        };
    if allowed {
        Ok(())
    } else {
        Err(WebError::NotFound("persoon"))
    }
}

/// Makes `professional` the person's professional from today.
pub async fn assign_professional(
    state: &AppState,
    viewer: &Viewer,
    person: PersonId,
    professional: i64,
) -> Result<()> {
    Ok(state
        .db
        .assign_professional(person, professional, state.clock.today(), &viewer.actor())
        .await?)
}

/// A stay this viewer may see (see [`visible_person`]).
pub async fn visible_stay(state: &AppState, viewer: &Viewer, id: StayId) -> Result<Stay> {
    let stay = state.db.stay(id).await?;
    may_see(state, viewer, stay.organisation_id, stay.person_id)
        .await
        .map_err(|_| WebError::NotFound("verblijf"))?;
    Ok(stay)
}

/// A referral of the viewer's organisation (coordinators only reach these routes).
pub async fn visible_referral(
    state: &AppState,
    viewer: &Viewer,
    id: ReferralId,
) -> Result<Referral> {
    let referral = state.db.referral(id).await?;
    if referral.organisation_id != viewer.provider() || viewer.role() != Role::Coordinator {
        return Err(WebError::NotFound("aanmelding"));
    }
    Ok(referral)
}

/// Keeps a valid value, or records why it is not.
fn take<T>(errors: &mut Vec<RuleViolation>, r: std::result::Result<T, RuleViolation>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Parses a date typed as `2026-03-01` or `1-3-2026`.
pub fn parse_date(field: &'static str, raw: &str) -> std::result::Result<Date, RuleViolation> {
    let s = raw.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Ok(d);
    }
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    if let [d, m, y] = parts[..]
        && let (Ok(d), Ok(m), Ok(y)) = (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>())
        && let Ok(date) = Date::new(y, m, d)
    {
        return Ok(date);
    }
    Err(RuleViolation::new(
        field,
        format!("'{s}' is geen datum; schrijf bijvoorbeeld 2026-03-01 of 1-3-2026"),
    ))
}

pub async fn intake(
    state: &AppState,
    viewer: &Viewer,
    input: &IntakeInput,
) -> Result<(PersonId, ReferralId)> {
    let mut errors = Vec::new();
    let today = state.clock.today();
    let first_name = take(&mut errors, parse_name("first_name", &input.first_name));
    let last_name = take(&mut errors, parse_name("last_name", &input.last_name));
    let gender = take(
        &mut errors,
        Gender::parse(&input.gender)
            .ok_or_else(|| RuleViolation::new("gender", "kies vrouw, man, anders of onbekend")),
    );
    let date_of_birth = match blank(&input.date_of_birth) {
        None => Some(None),
        Some(s) => take(
            &mut errors,
            parse_date("date_of_birth", s).and_then(|d| {
                if d > today || d < Date::new(1900, 1, 1).unwrap_or(d) {
                    Err(RuleViolation::new(
                        "date_of_birth",
                        "deze geboortedatum kan niet kloppen",
                    ))
                } else {
                    Ok(Some(d))
                }
            }),
        ),
    };
    let bsn = match blank(&input.bsn) {
        None => Some(None),
        Some(s) => take(&mut errors, Bsn::parse(s).map(Some)),
    };
    let phone = blank(&input.phone).map(str::to_string);
    if phone.as_ref().is_some_and(|p| {
        p.len() > 20 || !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
    }) {
        errors.push(RuleViolation::new(
            "phone",
            "een telefoonnummer bevat alleen cijfers, spaties, +, - en haakjes",
        ));
    }
    let household = take(&mut errors, HouseholdSize::new(input.household_size));
    let source = take(
        &mut errors,
        ReferralSource::parse(&input.source)
            .ok_or_else(|| RuleViolation::new("source", "kies wie de persoon aanmeldt")),
    );
    let urgency = take(
        &mut errors,
        Urgency::parse(&input.urgency)
            .ok_or_else(|| RuleViolation::new("urgency", "kies de urgentie")),
    );
    let situation = take(&mut errors, parse_situation(&input.situation));
    let referred_by = match input.referred_by_organisation_id {
        None | Some(0) => None,
        Some(o) => match state.db.organisation(o).await {
            Ok(org) if org.provider_id == Some(viewer.provider()) => Some(org.id),
            Ok(_) | Err(nabij_store::StoreError::NotFound(_)) => {
                errors.push(RuleViolation::new(
                    "referred_by_organisation_id",
                    "kies een ketenpartner van deze organisatie",
                ));
                None
            }
            Err(e) => return Err(e.into()),
        },
    };
    let municipality = match state
        .db
        .municipality(MunicipalityId(input.own_municipality_id))
        .await
    {
        Ok(m) => Some(m),
        Err(nabij_store::StoreError::NotFound(_)) => {
            errors.push(RuleViolation::new(
                "own_municipality_id",
                "kies de eigen gemeente",
            ));
            None
        }
        Err(e) => return Err(e.into()),
    };
    let neighbourhood = match input.own_neighbourhood_id {
        None | Some(0) => None,
        Some(n) => match state.db.neighbourhood(NeighbourhoodId(n)).await {
            Ok(n)
                if municipality
                    .as_ref()
                    .is_some_and(|m| m.id == n.municipality_id) =>
            {
                Some(n.id)
            }
            Ok(_) => {
                errors.push(RuleViolation::new(
                    "own_neighbourhood_id",
                    "deze buurt ligt niet in de gekozen gemeente",
                ));
                None
            }
            Err(nabij_store::StoreError::NotFound(_)) => {
                errors.push(RuleViolation::new(
                    "own_neighbourhood_id",
                    "onbekende buurt",
                ));
                None
            }
            Err(e) => return Err(e.into()),
        },
    };
    let needs = Needs {
        accessible: input.needs_accessible,
        pets: input.needs_pets,
        women_only: input.needs_women_only,
    };
    if needs.women_only && gender.is_some_and(|g| g != Gender::Woman) {
        errors.push(RuleViolation::new(
            "needs_women_only",
            "een vrouwenhuis is alleen voor vrouwen; pas geslacht of wens aan",
        ));
    }
    let mut avoid: Vec<AvoidArea> = input
        .avoid_municipality_ids
        .iter()
        .map(|m| AvoidArea::Municipality(MunicipalityId(*m)))
        .collect();
    avoid.extend(
        input
            .avoid_neighbourhood_ids
            .iter()
            .map(|n| AvoidArea::Neighbourhood(NeighbourhoodId(*n))),
    );
    if !errors.is_empty() {
        return Err(WebError::Invalid(errors));
    }
    let (Some(first_name), Some(last_name), Some(gender), Some(date_of_birth), Some(bsn)) =
        (first_name, last_name, gender, date_of_birth, bsn)
    else {
        return Err(WebError::Invalid(errors));
    };
    let (Some(household), Some(source), Some(urgency), Some(situation), Some(municipality)) =
        (household, source, urgency, situation, municipality)
    else {
        return Err(WebError::Invalid(errors));
    };
    let person = NewPerson {
        organisation_id: viewer.provider(),
        first_name,
        last_name,
        gender,
        date_of_birth,
        bsn,
        phone,
        household,
        needs,
        own_municipality: municipality.id,
        own_neighbourhood: neighbourhood,
        avoid,
    };
    let referral = NewReferral {
        organisation_id: viewer.provider(),
        referred_by,
        source,
        urgency,
        situation,
    };
    Ok(state
        .db
        .create_referral(&person, &referral, state.clock.now(), &viewer.actor())
        .await?)
}

/// The ranked proposals for a referral. For an open referral with nothing free in the own
/// municipality, the *geen plek in eigen gebied* event is recorded (once).
pub async fn proposals(state: &AppState, viewer: &Viewer, id: ReferralId) -> Result<Proposals> {
    let referral = visible_referral(state, viewer, id).await?;
    let person = state.db.person(referral.person_id).await?;
    let homes = state
        .db
        .availability(state.clock.today(), viewer.provider(), None)
        .await?;
    let ranking = rank_free_places(&person.placement_request(), &homes);
    if referral.state.is_open() && ranking.no_place_in_own_area {
        state
            .db
            .record_no_place(id, person.own_municipality_id, state.clock.now())
            .await?;
    }
    let excluded = ranking
        .excluded
        .iter()
        .filter_map(|(home, reason)| {
            let h = homes.iter().find(|h| h.home == *home)?;
            Some(ExcludedHome {
                home_id: *home,
                home_name: h.home_name.to_string(),
                reason: *reason,
                label: reason.label(),
            })
        })
        .collect();
    Ok(Proposals {
        referral,
        person,
        ranking,
        excluded,
    })
}

/// A referral with every free place ranked, and the homes a hard filter left out.
pub struct Proposals {
    pub referral: Referral,
    pub person: Person,
    pub ranking: Ranking,
    pub excluded: Vec<ExcludedHome>,
}

/// A home with free places that a hard filter left out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct ExcludedHome {
    pub home_id: HomeId,
    pub home_name: String,
    pub reason: nabij_domain::placement::Exclusion,
    pub label: &'static str,
}

/// Places a referral in a home, taking as many free places as the household needs.
pub async fn place(
    state: &AppState,
    viewer: &Viewer,
    id: ReferralId,
    home_id: HomeId,
) -> Result<StayId> {
    let today = state.clock.today();
    let (referral_state, person) = state.db.placement_subject(id).await?;
    if person.organisation_id != viewer.provider() {
        return Err(WebError::NotFound("aanmelding"));
    }
    if !referral_state.is_open() {
        return Err(WebError::Conflict(
            "deze aanmelding is al afgehandeld (geplaatst of gesloten)".into(),
        ));
    }
    let avail = state
        .db
        .availability(today, viewer.provider(), Some(home_id))
        .await?
        .pop()
        .ok_or(WebError::NotFound("huis"))?;
    let req = person.placement_request();
    if let Some(why) = exclusion(&req, &avail) {
        return Err(WebError::Conflict(format!(
            "{} past niet: {}",
            avail.home_name,
            why.label()
        )));
    }
    let ranked = rank_free_places(&req, std::slice::from_ref(&avail));
    let proposal = ranked
        .proposals
        .into_iter()
        .next()
        .ok_or_else(|| WebError::Conflict("geen vrije plek meer in dit huis".into()))?;
    let stay = NewStay {
        referral: Some(id),
        person: person.id,
        home: home_id,
        places: proposal.places,
        start: today,
        planned_end: planned_end(today, avail.max_stay_months),
        placed_at: state.clock.now(),
        proximity: proposal.proximity,
        distance_km: proposal.distance_km,
    };
    Ok(state.db.place(&stay, &viewer.actor()).await?)
}

pub async fn close_referral(
    state: &AppState,
    viewer: &Viewer,
    id: ReferralId,
    state_code: &str,
    reason: &str,
) -> Result<()> {
    let to = match ReferralState::parse(state_code) {
        Some(s @ (ReferralState::AdvisedElsewhere | ReferralState::Withdrawn)) => s,
        _ => {
            return Err(
                RuleViolation::new("state", "kies 'elders geadviseerd' of 'ingetrokken'").into(),
            );
        }
    };
    visible_referral(state, viewer, id).await?;
    let reason = reason.trim();
    if to == ReferralState::AdvisedElsewhere && reason.is_empty() {
        return Err(
            RuleViolation::new("reason", "vul in waarheen is geadviseerd en waarom").into(),
        );
    }
    Ok(state
        .db
        .close_referral(id, to, reason, &viewer.actor())
        .await?)
}

/// A milestone of a stay with where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct MilestoneView {
    pub milestone: Milestone,
    pub label: &'static str,
    #[serde(flatten)]
    pub status: MilestoneStatus,
}

/// A stay with its clock and milestones as of today.
#[derive(Debug, Clone, Serialize)]
pub struct StayView {
    #[serde(flatten)]
    pub stay: Stay,
    pub clock: Clock,
    pub milestones: Vec<MilestoneView>,
}

impl StayView {
    pub fn of(stay: Stay, today: Date) -> Self {
        use nabij_domain::labels::Label;
        let clock = Clock::of(
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

pub async fn stay_view(state: &AppState, viewer: &Viewer, id: StayId) -> Result<StayView> {
    Ok(StayView::of(
        visible_stay(state, viewer, id).await?,
        state.clock.today(),
    ))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExitInput {
    pub exit_date: String,
    pub destination: String,
    pub reason: String,
}

pub async fn exit(state: &AppState, viewer: &Viewer, id: StayId, input: &ExitInput) -> Result<()> {
    let stay = visible_stay(state, viewer, id).await?;
    let today = state.clock.today();
    let mut errors = Vec::new();
    let date = parse_date("exit_date", &input.exit_date)
        .map_err(|e| errors.push(e))
        .ok();
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
        (Some(d), Some(dest)) if errors.is_empty() => Ok(state
            .db
            .exit_stay(id, d, dest, input.reason.trim(), &viewer.actor())
            .await?),
        _ => Err(WebError::Invalid(errors)),
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExtensionInput {
    pub decided_by: String,
    pub reason: String,
    pub new_end: String,
}

pub async fn extend(
    state: &AppState,
    viewer: &Viewer,
    id: StayId,
    input: &ExtensionInput,
) -> Result<()> {
    let stay = visible_stay(state, viewer, id).await?;
    if !stay.is_active() {
        return Err(WebError::Conflict("dit verblijf is al beëindigd".into()));
    }
    let new_end = parse_date("new_end", &input.new_end)?;
    let decision = ExtensionDecision::validate(
        &input.decided_by,
        &input.reason,
        new_end,
        stay.planned_end,
        state.clock.today(),
    )
    .map_err(WebError::Invalid)?;
    Ok(state.db.extend_stay(id, &decision, &viewer.actor()).await?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReadyInput {
    pub ready_on: String,
}

pub async fn ready(
    state: &AppState,
    viewer: &Viewer,
    id: StayId,
    input: &ReadyInput,
) -> Result<()> {
    let stay = visible_stay(state, viewer, id).await?;
    let d = parse_date("ready_on", &input.ready_on)?;
    validate_ready_on(stay.start, d, state.clock.today())?;
    Ok(state.db.set_ready_on(id, d, &viewer.actor()).await?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MilestoneInput {
    pub milestone: String,
    pub done_on: String,
}

pub async fn milestone(
    state: &AppState,
    viewer: &Viewer,
    id: StayId,
    input: &MilestoneInput,
) -> Result<()> {
    let stay = visible_stay(state, viewer, id).await?;
    let m = Milestone::parse(&input.milestone)
        .ok_or_else(|| RuleViolation::new("milestone", "kies een mijlpaal"))?;
    let today = state.clock.today();
    let on = if input.done_on.trim().is_empty() {
        today
    } else {
        parse_date("done_on", &input.done_on)?
    };
    if on < stay.start || on > today {
        return Err(RuleViolation::new(
            "done_on",
            "de datum ligt buiten het verblijf of in de toekomst",
        )
        .into());
    }
    Ok(state
        .db
        .complete_milestone(id, m, on, &viewer.actor())
        .await?)
}

/// Free places per municipality and home, right now.
#[derive(Debug, Clone, Serialize)]
pub struct MunicipalityFree {
    pub municipality: String,
    pub places: usize,
    pub free: usize,
    pub homes: Vec<HomeFree>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HomeFree {
    pub home_id: HomeId,
    pub name: String,
    pub kind: nabij_domain::home::HomeKind,
    pub places: usize,
    pub free: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub today: Date,
    pub free_places: usize,
    pub total_places: usize,
    pub municipalities: Vec<MunicipalityFree>,
    pub active_stays: usize,
    /// Active stays past their planned end.
    pub overdue_stays: Vec<StayView>,
    /// Active stays with a milestone due soon or overdue.
    pub milestone_stays: Vec<StayView>,
    pub open_referrals: Vec<Referral>,
    pub breaches: Vec<Referral>,
    pub no_place_this_month: Vec<NoPlaceCount>,
}

impl Dashboard {
    /// The persons named on the dashboard.
    pub fn persons(&self) -> Vec<PersonId> {
        self.overdue_stays
            .iter()
            .chain(&self.milestone_stays)
            .map(|s| s.stay.person_id)
            .chain(self.open_referrals.iter().map(|r| r.person_id))
            .collect()
    }
}

pub async fn dashboard(state: &AppState, viewer: &Viewer) -> Result<Dashboard> {
    let today = state.clock.today();
    let now = state.clock.now();
    let org = viewer.provider();
    let avail = state.db.availability(today, org, None).await?;
    let mut municipalities: Vec<MunicipalityFree> = Vec::new();
    let mut sorted: Vec<_> = avail.iter().collect();
    sorted.sort_by(|a, b| {
        a.municipality_name
            .cmp(&b.municipality_name)
            .then(a.home_name.cmp(&b.home_name))
    });
    for h in sorted {
        if municipalities.last().map(|m| m.municipality.as_str()) != Some(&*h.municipality_name) {
            municipalities.push(MunicipalityFree {
                municipality: h.municipality_name.to_string(),
                places: 0,
                free: 0,
                homes: Vec::new(),
            });
        }
        let m = municipalities.last_mut().expect("pushed above");
        m.places += h.total_places;
        m.free += h.free_places.len();
        m.homes.push(HomeFree {
            home_id: h.home,
            name: h.home_name.to_string(),
            kind: h.kind,
            places: h.total_places,
            free: h.free_places.len(),
        });
    }
    let stays: Vec<StayView> = state
        .db
        .stays(StayFilter {
            active: Some(true),
            organisation: Some(org),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|s| StayView::of(s, today))
        .collect();
    let open = state.db.referrals(org, ReferralFilter::Open, 500).await?;
    let breaches = open
        .iter()
        .filter(|r| is_breach(r.state, r.received_at, now))
        .cloned()
        .collect();
    let month_start = today.first_of_month();
    let since = state
        .clock
        .tz()
        .to_timestamp(month_start.to_datetime(jiff::civil::Time::midnight()))
        .unwrap_or(now);
    Ok(Dashboard {
        today,
        free_places: avail.iter().map(|h| h.free_places.len()).sum(),
        total_places: avail.iter().map(|h| h.total_places).sum(),
        municipalities,
        active_stays: stays.len(),
        overdue_stays: stays.iter().filter(|s| s.clock.overdue).cloned().collect(),
        milestone_stays: stays
            .iter()
            .filter(|s| s.pressing().next().is_some())
            .cloned()
            .collect(),
        open_referrals: open,
        breaches,
        no_place_this_month: state.db.no_place_counts(org, since).await?,
    })
}
