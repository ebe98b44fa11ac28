//! Volunteers: main residents and buddies.
//!
//! **The rule of this area:** a main resident sees the residents of their own house and
//! nothing else: first name, since when, and their professional's name and phone. Never a
//! plan, a note, health data or a BSN. A buddy sees their match (made by coordinators);
//! until one is made, nobody's data.

use crate::{App, Caller, Result};
use jiff::civil::Date;
use nabij_domain::access::Role;
use nabij_domain::home::HouseRules;
use nabij_domain::ids::{HomeId, PersonId};

/// A resident as the main resident of the house sees them.
#[derive(Debug, Clone)]
pub struct Resident {
    /// Only for the access log: the view of each resident is logged.
    pub person_id: PersonId,
    pub first_name: String,
    pub since: Date,
    /// The resident's professional: name and phone.
    pub professional: Option<(String, Option<String>)>,
}

/// A house of the main resident.
#[derive(Debug, Clone)]
pub struct House {
    pub id: HomeId,
    pub name: String,
    /// The yes/no rules of the home.
    pub rules: HouseRules,
    /// The house rules as a coordinator wrote them.
    pub house_rules: String,
    /// The emergency and on-call numbers.
    pub emergency_numbers: String,
    pub address: String,
    pub free: usize,
    pub residents: Vec<Resident>,
}

/// The houses the caller lives in as main resident, with their residents today.
#[tracing::instrument(skip_all)]
pub async fn my_houses(app: &App, caller: &Caller) -> Result<Vec<House>> {
    if caller.role != Role::MainResident {
        return Ok(Vec::new());
    }
    let today = app.clock.today();
    let mut houses = Vec::new();
    for id in app.db.homes_of_user(caller.user_id()).await? {
        let home = app.db.home(id).await?;
        if home.organisation_id != caller.provider.0 {
            continue;
        }
        let places = app.db.places_of_home(id, today).await?;
        let mut residents = Vec::new();
        for o in places.iter().filter_map(|p| p.occupant.as_ref()) {
            residents.push(Resident {
                person_id: o.person_id,
                first_name: o.first_name.clone(),
                since: o.start,
                professional: app
                    .db
                    .professional_of(o.person_id, app.clock.today())
                    .await?,
            });
        }
        let notes = app.db.home_notes(id).await?;
        houses.push(House {
            id,
            rules: home.rules,
            house_rules: notes.house_rules,
            emergency_numbers: notes.emergency_numbers,
            free: places.iter().filter(|p| p.is_free()).count(),
            name: home.name,
            address: home.address,
            residents,
        });
    }
    Ok(houses)
}

/// The house rules and emergency numbers of a home, for the coordinator who keeps them.
#[derive(Debug, Clone, Default)]
pub struct HomeNotes {
    pub home_name: String,
    pub house_rules: String,
    pub emergency_numbers: String,
}

/// The longest house rules text (characters).
pub const HOUSE_RULES_MAX: usize = 4000;
/// The longest text of emergency and on-call numbers (characters).
pub const EMERGENCY_NUMBERS_MAX: usize = 500;

async fn own_home(app: &App, caller: &Caller, home: HomeId) -> Result<nabij_store::homes::Home> {
    match app.db.home(home).await {
        Ok(h) if caller.acts_as(Role::Coordinator) && h.organisation_id == caller.provider.0 => {
            Ok(h)
        }
        _ => Err(crate::AppError::NotFound("huis")),
    }
}

/// A home's notes for the main resident, as its coordinator sees them.
#[tracing::instrument(skip_all)]
pub async fn home_notes(app: &App, caller: &Caller, home: HomeId) -> Result<HomeNotes> {
    let h = own_home(app, caller, home).await?;
    let n = app.db.home_notes(home).await?;
    Ok(HomeNotes {
        home_name: h.name,
        house_rules: n.house_rules,
        emergency_numbers: n.emergency_numbers,
    })
}

/// Sets a home's house rules and emergency numbers (coordinators of the home's organisation).
#[tracing::instrument(skip_all)]
pub async fn set_home_notes(
    app: &App,
    caller: &Caller,
    home: HomeId,
    house_rules: &str,
    emergency_numbers: &str,
) -> Result<()> {
    own_home(app, caller, home).await?;
    let mut errors = Vec::new();
    let house_rules = house_rules.trim();
    let emergency_numbers = emergency_numbers.trim();
    if house_rules.chars().count() > HOUSE_RULES_MAX {
        errors.push(nabij_domain::RuleViolation::new(
            "house_rules",
            format!("de huisregels mogen hoogstens {HOUSE_RULES_MAX} tekens lang zijn"),
        ));
    }
    if emergency_numbers.chars().count() > EMERGENCY_NUMBERS_MAX {
        errors.push(nabij_domain::RuleViolation::new(
            "emergency_numbers",
            format!("de nummers mogen hoogstens {EMERGENCY_NUMBERS_MAX} tekens lang zijn"),
        ));
    }
    if !errors.is_empty() {
        return Err(crate::AppError::Invalid(errors));
    }
    app.db
        .set_home_notes(
            home,
            &nabij_store::signals::HomeNotes {
                house_rules: house_rules.to_owned(),
                emergency_numbers: emergency_numbers.to_owned(),
            },
            &app.actor(caller),
        )
        .await?;
    Ok(())
}
