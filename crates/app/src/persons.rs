//! Persons: their file, who may see it, who guides them, and what they consent to share.
//!
//! **The rule of this area:** a person's file is seen by the coordinators of the person's
//! organisation, and by a professional (begeleider) only for the persons in their own
//! caseload. Anyone else gets "not found", so existence does not leak. Main residents,
//! buddies, partners and administrators never reach a file (their areas show what their
//! role needs: [`crate::volunteers`], [`crate::partners`], [`crate::homes`]).

use crate::stays::{Extension, Stay, StayView};
use crate::{App, AppError, Caller, Result, parse_date};
use jiff::civil::Date;
use nabij_domain::RuleViolation;
use nabij_domain::access::{Purpose, Role};
use nabij_domain::geo::GeoPoint;
use nabij_domain::ids::*;
use nabij_domain::person::{AvoidArea, Gender, HouseholdSize, Needs};
use nabij_store::consents::NewConsent;
use nabij_store::stays::StayFilter;
use serde::Serialize;

/// A person's file as coordinators and their own professional see it. The BSN itself never
/// leaves the store; the file says only whether one is recorded.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Person {
    pub id: PersonId,
    pub first_name: String,
    pub last_name: String,
    pub gender: Gender,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub date_of_birth: Option<Date>,
    #[serde(skip)]
    pub bsn_recorded: bool,
    pub phone: Option<String>,
    pub household: HouseholdSize,
    pub needs: Needs,
    pub own_municipality_id: MunicipalityId,
    pub own_municipality_name: String,
    pub own_neighbourhood_id: Option<NeighbourhoodId>,
    pub own_neighbourhood_name: Option<String>,
    pub own_point: GeoPoint,
    pub avoid: Vec<AvoidArea>,
    pub avoid_names: Vec<String>,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// "Buurt, Gemeente", or the municipality alone.
    pub fn own_area(&self) -> String {
        match &self.own_neighbourhood_name {
            Some(n) => format!("{n}, {}", self.own_municipality_name),
            None => self.own_municipality_name.clone(),
        }
    }
}

impl From<nabij_store::persons::Person> for Person {
    fn from(p: nabij_store::persons::Person) -> Self {
        Person {
            id: p.id,
            first_name: p.first_name,
            last_name: p.last_name,
            gender: p.gender,
            date_of_birth: p.date_of_birth,
            bsn_recorded: p.bsn.is_some(),
            phone: p.phone,
            household: p.household,
            needs: p.needs,
            own_municipality_id: p.own_municipality_id,
            own_municipality_name: p.own_municipality_name,
            own_neighbourhood_id: p.own_neighbourhood_id,
            own_neighbourhood_name: p.own_neighbourhood_name,
            own_point: p.own_point,
            avoid: p.avoid,
            avoid_names: p.avoid_names,
        }
    }
}

/// Whether `caller` may see the file of `person` of `organisation`: coordinators of that
/// organisation, and a professional of it for their own caseload (the policy of
/// [`crate::guidance`]: running episodes, and a while after one ended).
pub(crate) async fn may_see(
    app: &App,
    caller: &Caller,
    organisation: i64,
    person: PersonId,
) -> Result<bool> {
    if organisation != caller.provider.0 {
        return Ok(false);
    }
    if caller.acts_as(Role::Coordinator) {
        return Ok(true);
    }
    Ok(match caller.role {
        Role::Professional => {
            crate::guidance::professional_may_open(app, caller.user_id(), person).await?
        }
        _ => false,
    })
}

/// The store's row of a person this caller may see; anything else is "not found".
pub(crate) async fn visible(
    app: &App,
    caller: &Caller,
    id: PersonId,
) -> Result<nabij_store::persons::Person> {
    let person = app.db.person(id).await?;
    if may_see(app, caller, person.organisation_id, person.id).await? {
        Ok(person)
    } else {
        Err(AppError::NotFound("persoon"))
    }
}

/// A person whose file this caller may see.
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn person(app: &App, caller: &Caller, id: PersonId) -> Result<Person> {
    Ok(visible(app, caller, id).await?.into())
}

/// Whether a person exists at all (for logging a refused attempt at their file).
#[tracing::instrument(skip_all)]
pub async fn exists(app: &App, id: PersonId) -> bool {
    app.db.person(id).await.is_ok()
}

/// A line in the list of persons.
#[derive(Debug, Clone, Serialize)]
pub struct PersonLine {
    pub id: PersonId,
    pub first_name: String,
    pub last_name: String,
    pub own_municipality_name: String,
    pub own_neighbourhood_name: Option<String>,
}

impl PersonLine {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// One page of the persons this caller may see, searched by name, the most recently
/// registered first: the organisation's for a coordinator, the own caseload for a
/// professional.
#[tracing::instrument(skip_all)]
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &str,
    page: &nabij_domain::page::PageRequest,
) -> Result<nabij_domain::page::Page<PersonLine>> {
    let caseload = if caller.acts_as(Role::Coordinator) {
        None
    } else if caller.role == Role::Professional {
        Some(crate::guidance::caseload_of(app, caller.user_id()).await?)
    } else {
        return Ok(nabij_domain::page::Page {
            items: Vec::new(),
            total: 0,
            next: None,
        });
    };
    Ok(app
        .db
        .persons_page(caller.provider.0, caseload.as_deref(), Some(query), page)
        .await?
        .map(|p| PersonLine {
            id: p.id,
            first_name: p.first_name,
            last_name: p.last_name,
            own_municipality_name: p.own_municipality_name,
            own_neighbourhood_name: p.own_neighbourhood_name,
        }))
}

/// A referral in a person's file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReferral {
    pub id: ReferralId,
    pub source: nabij_domain::referral::ReferralSource,
    pub urgency: nabij_domain::referral::Urgency,
    pub received_at: jiff::Timestamp,
    pub state: nabij_domain::referral::ReferralState,
    pub closed_at: Option<jiff::Timestamp>,
    pub close_reason: Option<String>,
    pub no_place_in_own_area: bool,
}

/// A consent the person gave a partner.
#[derive(Debug, Clone, Serialize)]
pub struct Consent {
    pub id: ConsentId,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub purpose: Purpose,
    pub given_on: Date,
    pub expires_on: Option<Date>,
    pub revoked_on: Option<Date>,
    pub revoked_by: Option<String>,
    /// In force today.
    pub active: bool,
}

/// A choice in a form: (id, name).
pub type Choice = (String, String);

/// Everything of a person's file, for the person page.
#[derive(Debug, Clone)]
pub struct PersonFile {
    pub person: Person,
    pub referrals: Vec<FileReferral>,
    /// Every stay, with its extensions.
    pub stays: Vec<(Stay, Vec<Extension>)>,
    /// The active stay with its clock.
    pub current: Option<StayView>,
    /// The person's professional: name and phone.
    pub professional: Option<(String, Option<String>)>,
    pub consents: Vec<Consent>,
    /// Coordinators manage guidance and consent; a professional reads.
    pub manage: bool,
    /// For a coordinator: the organisation's active professionals.
    pub professionals: Vec<Choice>,
    /// For a coordinator: the organisation's partners.
    pub partners: Vec<Choice>,
}

/// A person's whole file.
#[tracing::instrument(skip_all, fields(person = id.0))]
pub async fn file(app: &App, caller: &Caller, id: PersonId) -> Result<PersonFile> {
    let person: Person = visible(app, caller, id).await?.into();
    let today = app.clock.today();
    let referrals = app
        .db
        .referrals_of_person(person.id)
        .await?
        .into_iter()
        .map(|r| FileReferral {
            id: r.id,
            source: r.source,
            urgency: r.urgency,
            received_at: r.received_at,
            state: r.state,
            closed_at: r.closed_at,
            close_reason: r.close_reason,
            no_place_in_own_area: r.no_place_in_own_area,
        })
        .collect();
    let rows = app
        .db
        .stays(StayFilter {
            person: Some(person.id),
            ..Default::default()
        })
        .await?;
    let mut stays = Vec::with_capacity(rows.len());
    for s in rows {
        let extensions = app
            .db
            .extensions(s.id)
            .await?
            .into_iter()
            .map(Extension::from)
            .collect();
        stays.push((Stay::from(s), extensions));
    }
    let current = stays
        .iter()
        .find(|(s, _)| s.is_active())
        .map(|(s, _)| StayView::of(s.clone(), today));
    let manage = caller.acts_as(Role::Coordinator);
    let (professionals, partners) = if manage {
        (
            professional_choices(app, caller).await?,
            partner_choices(app, caller).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(PersonFile {
        professional: app.db.professional_of(person.id, today).await?,
        consents: consents_of(app, person.id, today).await?,
        person,
        referrals,
        stays,
        current,
        manage,
        professionals,
        partners,
    })
}

async fn consents_of(app: &App, person: PersonId, today: Date) -> Result<Vec<Consent>> {
    Ok(app
        .db
        .consents_of(person)
        .await?
        .into_iter()
        .map(|c| Consent {
            active: c.active_on(today),
            id: ConsentId(c.id),
            organisation_id: OrganisationId(c.organisation_id),
            organisation_name: c.organisation_name,
            purpose: c.purpose,
            given_on: c.given_on,
            expires_on: c.expires_on,
            revoked_on: c.revoked_on,
            revoked_by: c.revoked_by,
        })
        .collect())
}

/// The organisation's active professionals.
async fn professional_choices(app: &App, caller: &Caller) -> Result<Vec<Choice>> {
    Ok(app
        .db
        .users_of(caller.provider.0)
        .await?
        .into_iter()
        .filter(|u| u.active && u.role == Role::Professional)
        .map(|u| (u.id.to_string(), u.display_name))
        .collect())
}

/// The provider's partner organisations.
pub(crate) async fn partner_choices(app: &App, caller: &Caller) -> Result<Vec<Choice>> {
    Ok(app
        .db
        .organisations_of(caller.provider.0)
        .await?
        .into_iter()
        .filter(|o| o.kind == "partner")
        .map(|o| (o.id.to_string(), o.name))
        .collect())
}

fn require_coordinator(caller: &Caller) -> Result<()> {
    if caller.acts_as(Role::Coordinator) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "alleen een coördinator legt dit vast".into(),
        ))
    }
}

/// Makes `professional` the lead of the person's running guidance from today. Only an
/// active professional of the caller's organisation can be chosen.
#[tracing::instrument(skip_all, fields(person = person.0, professional = professional.0))]
pub async fn assign_professional(
    app: &App,
    caller: &Caller,
    person: PersonId,
    professional: UserId,
) -> Result<()> {
    require_coordinator(caller)?;
    let person = visible(app, caller, person).await?;
    let chosen = app.db.user(professional.0).await.ok().filter(|u| {
        u.active && u.role == Role::Professional && u.organisation_id == caller.provider.0
    });
    let Some(chosen) = chosen else {
        return Err(AppError::invalid(
            "professional_id",
            "kies een begeleider van deze organisatie",
        ));
    };
    // Guidance starts on its own page, with its intensity, and a former resident's as a
    // resumption: here only the lead of running guidance changes. The demo and the command
    // line (the system) still record who guides a person from the day they came.
    let today = app.clock.today();
    if !caller.is_system()
        && !app
            .db
            .episodes_of(person.id)
            .await?
            .iter()
            .any(|e| crate::guidance::EpisodeStatus::of(e, today).is_open())
    {
        return Err(AppError::Conflict(
            "deze persoon heeft geen lopende begeleiding: start die op de pagina Begeleiding, met de intensiteit".into(),
        ));
    }
    Ok(app
        .db
        .assign_professional(person.id, chosen.id, today, &app.actor(caller))
        .await?)
}

/// A consent as a form or the API sends it.
#[derive(Debug, Clone, Default)]
pub struct ConsentInput {
    pub organisation_id: Option<i64>,
    pub purpose: String,
    pub given_on: String,
    pub expires_on: String,
}

/// Records that the person consents to share with a partner of the caller's organisation
/// for a purpose. A consent is recorded when given, never ahead, and ends after it starts.
#[tracing::instrument(skip_all, fields(person = person.0))]
pub async fn add_consent(
    app: &App,
    caller: &Caller,
    person: PersonId,
    input: &ConsentInput,
) -> Result<()> {
    require_coordinator(caller)?;
    let person = visible(app, caller, person).await?;
    let mut errors = Vec::new();
    let partners = app.db.organisations_of(caller.provider.0).await?;
    let partner = input
        .organisation_id
        .filter(|p| partners.iter().any(|o| o.id == *p && o.kind == "partner"));
    if partner.is_none() {
        errors.push(RuleViolation::new(
            "organisation_id",
            "kies een ketenpartner",
        ));
    }
    let purpose = Purpose::parse(&input.purpose);
    if purpose.is_none() {
        errors.push(RuleViolation::new(
            "purpose",
            "kies waarvoor de toestemming geldt",
        ));
    }
    let given_on = crate::take(&mut errors, parse_date("given_on", &input.given_on));
    let expires_on = match input.expires_on.trim() {
        "" => None,
        raw => crate::take(&mut errors, parse_date("expires_on", raw)),
    };
    if let (Some(g), Some(e)) = (given_on, expires_on)
        && e < g
    {
        errors.push(RuleViolation::new(
            "expires_on",
            "de einddatum ligt voor de datum van geven",
        ));
    }
    if given_on.is_some_and(|g| g > app.clock.today()) {
        errors.push(RuleViolation::new(
            "given_on",
            "toestemming wordt vastgelegd als ze gegeven is, niet vooraf",
        ));
    }
    match (partner, purpose, given_on) {
        (Some(organisation_id), Some(purpose), Some(given_on)) if errors.is_empty() => {
            let consent = NewConsent {
                person: person.id,
                organisation_id,
                purpose,
                given_on,
                expires_on,
            };
            app.db.record_consent(&consent, &app.actor(caller)).await?;
            Ok(())
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Revokes a consent of the person, from today.
#[tracing::instrument(skip_all, fields(person = person.0, consent = consent.0))]
pub async fn revoke_consent(
    app: &App,
    caller: &Caller,
    person: PersonId,
    consent: ConsentId,
) -> Result<()> {
    require_coordinator(caller)?;
    let person = visible(app, caller, person).await?;
    Ok(app
        .db
        .revoke_consent(person.id, consent.0, app.clock.today(), &app.actor(caller))
        .await?)
}
