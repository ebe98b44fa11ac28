//! Intake and placement: a referral comes in, every free place is ranked at once, the
//! coordinator places. There is no waiting list.
//!
//! **The rule of this area:** referrals are a coordinator's work, within the own
//! organisation; a partner sees the referrals it made through [`crate::partners`].

use crate::stays::{Stay, StayView};
use crate::{App, AppError, Caller, Result, blank, parse_date, take};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::RuleViolation;
use nabij_domain::access::Role;
use nabij_domain::ids::*;
use nabij_domain::person::{AvoidArea, Bsn, Gender, HouseholdSize, Needs, parse_name};
use nabij_domain::placement::{Ranking, exclusion, rank_free_places};
use nabij_domain::referral::{ReferralSource, ReferralState, Urgency, parse_situation};
use nabij_domain::stay::planned_end;
use nabij_store::persons::NewPerson;
use nabij_store::referrals::{NewReferral, ReferralList};
use nabij_store::stays::NewStay;
use serde::{Deserialize, Serialize};

/// A referral as coordinators see it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Referral {
    pub id: ReferralId,
    pub person_id: PersonId,
    pub person_name: String,
    pub own_municipality_name: String,
    /// The partner organisation it came through, if any.
    pub referred_by: Option<OrganisationId>,
    /// That partner organisation's name.
    pub referred_by_name: Option<String>,
    pub source: ReferralSource,
    pub urgency: Urgency,
    pub situation: String,
    #[schemars(with = "nabij_domain::schema::IsoTimestamp")]
    pub received_at: Timestamp,
    pub state: ReferralState,
    #[schemars(with = "Option<nabij_domain::schema::IsoTimestamp>")]
    pub closed_at: Option<Timestamp>,
    pub close_reason: Option<String>,
    pub no_place_in_own_area: bool,
}

impl From<nabij_store::referrals::Referral> for Referral {
    fn from(r: nabij_store::referrals::Referral) -> Self {
        Referral {
            id: r.id,
            person_id: r.person_id,
            person_name: r.person_name,
            own_municipality_name: r.own_municipality_name,
            referred_by: r.referred_by.map(OrganisationId),
            referred_by_name: r.referred_by_name,
            source: r.source,
            urgency: r.urgency,
            situation: r.situation,
            received_at: r.received_at,
            state: r.state,
            closed_at: r.closed_at,
            close_reason: r.close_reason,
            no_place_in_own_area: r.no_place_in_own_area,
        }
    }
}

/// Intake as the API sends it; the HTML form is parsed into the same shape.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IntakeInput {
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
    pub avoid_municipality_ids: Vec<i64>,
    pub avoid_neighbourhood_ids: Vec<i64>,
    #[schemars(with = "nabij_domain::referral::ReferralSource")]
    pub source: String,
    #[schemars(with = "nabij_domain::referral::Urgency")]
    pub urgency: String,
    #[schemars(length(min = 1, max = nabij_domain::limits::SITUATION))]
    pub situation: String,
    /// The partner organisation the referral came through, if any.
    pub referred_by_organisation_id: Option<i64>,
}

/// The store's row of a referral of the caller's organisation; coordinators only.
pub(crate) async fn visible(
    app: &App,
    caller: &Caller,
    id: ReferralId,
) -> Result<nabij_store::referrals::Referral> {
    let referral = app.db.referral(id).await?;
    if referral.organisation_id != caller.provider.0 || !caller.acts_as(Role::Coordinator) {
        return Err(AppError::NotFound("aanmelding"));
    }
    Ok(referral)
}

/// A referral of the caller's organisation (coordinators).
#[tracing::instrument(skip_all, fields(referral = id.0))]
pub async fn referral(app: &App, caller: &Caller, id: ReferralId) -> Result<Referral> {
    Ok(visible(app, caller, id).await?.into())
}

/// Intake: a person and their referral, validated as a whole before anything is written;
/// both are written in one transaction, or nothing is.
#[tracing::instrument(skip_all)]
pub async fn intake(
    app: &App,
    caller: &Caller,
    input: &IntakeInput,
) -> Result<(PersonId, ReferralId)> {
    let (person, referral) = validate(app, caller, input).await?;
    Ok(app
        .db
        .create_referral(&person, &referral, app.clock.now(), &app.actor(caller))
        .await?)
}

/// Checks an intake and writes nothing: every rule it breaks, per field. For a form that
/// could not even be read in full (a number field that is not a number).
#[tracing::instrument(skip_all)]
pub async fn check(app: &App, caller: &Caller, input: &IntakeInput) -> Result<()> {
    validate(app, caller, input).await.map(|_| ())
}

async fn validate(
    app: &App,
    caller: &Caller,
    input: &IntakeInput,
) -> Result<(NewPerson, NewReferral)> {
    if !caller.acts_as(Role::Coordinator) {
        return Err(AppError::Forbidden(
            "een aanmelding wordt door een coördinator opgenomen".into(),
        ));
    }
    validate_fields(app, caller, input).await
}

/// Checks every field of an intake for the caller's provider, whoever submits it (a
/// coordinator, or a partner through [`crate::partners::submit_referral`]).
pub(crate) async fn validate_fields(
    app: &App,
    caller: &Caller,
    input: &IntakeInput,
) -> Result<(NewPerson, NewReferral)> {
    let mut errors = Vec::new();
    let today = app.clock.today();
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
        Some(o) => match app.db.organisation(o).await {
            Ok(org) if org.provider_id == Some(caller.provider.0) => Some(org.id),
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
    let municipality = match app
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
        Some(n) => match app.db.neighbourhood(NeighbourhoodId(n)).await {
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
    if avoid.len() > 50 {
        errors.push(RuleViolation::new(
            "avoid_neighbourhood_ids",
            "hoogstens 50 gebieden om te mijden",
        ));
    } else {
        for a in &avoid {
            let (field, known) = match a {
                AvoidArea::Municipality(m) => (
                    "avoid_municipality_ids",
                    app.db.municipality(*m).await.is_ok(),
                ),
                AvoidArea::Neighbourhood(n) => (
                    "avoid_neighbourhood_ids",
                    app.db.neighbourhood(*n).await.is_ok(),
                ),
            };
            if !known {
                errors.push(RuleViolation::new(field, "onbekend gebied om te mijden"));
                break;
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (Some(first_name), Some(last_name), Some(gender), Some(date_of_birth), Some(bsn)) =
        (first_name, last_name, gender, date_of_birth, bsn)
    else {
        return Err(AppError::Invalid(errors));
    };
    let (Some(household), Some(source), Some(urgency), Some(situation), Some(municipality)) =
        (household, source, urgency, situation, municipality)
    else {
        return Err(AppError::Invalid(errors));
    };
    let person = NewPerson {
        organisation_id: caller.provider.0,
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
        organisation_id: caller.provider.0,
        referred_by,
        source,
        urgency,
        situation,
    };
    Ok((person, referral))
}

/// The ranked proposals for a referral. For an open referral with nothing free in the own
/// municipality, the *geen plek in eigen gebied* event is recorded (once).
#[tracing::instrument(skip_all, fields(referral = id.0))]
pub async fn proposals(app: &App, caller: &Caller, id: ReferralId) -> Result<Proposals> {
    let referral = visible(app, caller, id).await?;
    let person = app.db.person(referral.person_id).await?;
    let homes = app
        .db
        .availability(app.clock.today(), caller.provider.0, None)
        .await?;
    let ranking = rank_free_places(&person.placement_request(), &homes);
    if referral.state.is_open() && ranking.no_place_in_own_area {
        app.db
            .record_no_place(id, person.own_municipality_id, app.clock.now())
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
        referral: referral.into(),
        person: person.into(),
        ranking,
        excluded,
    })
}

/// A referral with every free place ranked, and the homes a hard filter left out.
pub struct Proposals {
    pub referral: Referral,
    pub person: crate::persons::Person,
    pub ranking: Ranking,
    pub excluded: Vec<ExcludedHome>,
}

/// A home with free places that a hard filter left out, and why.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ExcludedHome {
    pub home_id: HomeId,
    pub home_name: String,
    pub reason: nabij_domain::placement::Exclusion,
    pub label: &'static str,
}

/// Places a referral in a home, taking as many free places as the household needs; the
/// stay begins today and its clock runs.
#[tracing::instrument(skip_all, fields(referral = id.0, home = home_id.0))]
pub async fn place(
    app: &App,
    caller: &Caller,
    id: ReferralId,
    home_id: HomeId,
) -> Result<StayView> {
    let today = app.clock.today();
    let (referral_state, link_to_confirm, person) = app.db.placement_subject(id).await?;
    if person.organisation_id != caller.provider.0 || !caller.acts_as(Role::Coordinator) {
        return Err(AppError::NotFound("aanmelding"));
    }
    if !referral_state.is_open() {
        return Err(AppError::Conflict(
            "deze aanmelding is al afgehandeld (geplaatst of gesloten)".into(),
        ));
    }
    if link_to_confirm {
        return Err(AppError::Conflict(
            "beslis eerst of deze aanmelding bij het bekende dossier hoort: bevestig de koppeling of open een nieuw dossier".into(),
        ));
    }
    let avail = app
        .db
        .availability(today, caller.provider.0, Some(home_id))
        .await?
        .pop()
        .ok_or(AppError::NotFound("huis"))?;
    let req = person.placement_request();
    if let Some(why) = exclusion(&req, &avail) {
        return Err(AppError::Conflict(format!(
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
        .ok_or_else(|| AppError::Conflict("geen vrije plek meer in dit huis".into()))?;
    let stay = NewStay {
        referral: Some(id),
        person: person.id,
        home: home_id,
        places: proposal.places,
        start: today,
        planned_end: planned_end(today, avail.max_stay_months),
        placed_at: app.clock.now(),
        proximity: proposal.proximity,
        distance_km: proposal.distance_km,
    };
    let id = app.db.place(&stay, &app.actor(caller)).await?;
    Ok(StayView::of(Stay::from(app.db.stay(id).await?), today))
}

/// Closes a referral without placement: advised elsewhere (with where and why) or
/// withdrawn.
#[tracing::instrument(skip_all, fields(referral = id.0))]
pub async fn close_referral(
    app: &App,
    caller: &Caller,
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
    visible(app, caller, id).await?;
    let reason = reason.trim();
    if to == ReferralState::AdvisedElsewhere && reason.is_empty() {
        return Err(
            RuleViolation::new("reason", "vul in waarheen is geadviseerd en waarom").into(),
        );
    }
    nabij_domain::limits::check("reason", reason, nabij_domain::limits::CLOSE_REASON)?;
    Ok(app
        .db
        .close_referral(id, to, reason, &app.actor(caller))
        .await?)
}

/// One page of the organisation's referrals, newest first: the open ones, or all; with the
/// exact number that match.
#[tracing::instrument(skip_all)]
pub async fn list(
    app: &App,
    caller: &Caller,
    all: bool,
    page: &nabij_domain::page::PageRequest,
) -> Result<nabij_domain::page::Page<Referral>> {
    if !caller.acts_as(Role::Coordinator) {
        return Err(AppError::Forbidden(
            "aanmeldingen zijn voor coördinatoren".into(),
        ));
    }
    let list = if all {
        ReferralList::handled_by(caller.provider.0)
    } else {
        ReferralList::open(caller.provider.0)
    };
    Ok(app
        .db
        .referrals_page(&list, page)
        .await?
        .map(Referral::from))
}

/// What the intake form offers to choose from.
#[derive(Debug, Clone)]
pub struct IntakeChoices {
    pub municipalities: Vec<crate::persons::Choice>,
    /// Neighbourhoods grouped by municipality name.
    pub neighbourhoods: Vec<(String, Vec<crate::persons::Choice>)>,
    pub partners: Vec<crate::persons::Choice>,
}

#[tracing::instrument(skip_all)]
pub async fn choices(app: &App, caller: &Caller) -> Result<IntakeChoices> {
    let mut neighbourhoods: Vec<(String, Vec<crate::persons::Choice>)> = Vec::new();
    for n in app.db.neighbourhoods().await? {
        if neighbourhoods.last().map(|g| &g.0) != Some(&n.municipality_name) {
            neighbourhoods.push((n.municipality_name.clone(), Vec::new()));
        }
        if let Some(g) = neighbourhoods.last_mut() {
            g.1.push((n.id.to_string(), n.name));
        }
    }
    Ok(IntakeChoices {
        municipalities: crate::geography::municipality_choices(app).await?,
        neighbourhoods,
        partners: crate::persons::partner_choices(app, caller).await?,
    })
}
