//! Volunteers: main residents and buddies.
//!
//! **The rule of this area:** a main resident sees the residents of their own house and
//! nothing else: first name, since when, and their professional's name and phone. Never a
//! plan, a note, health data or a BSN. A buddy sees their match (made by coordinators);
//! until one is made, nobody's data.

use crate::{App, Caller, Result};
use jiff::civil::Date;
use nabij_domain::access::Role;
use nabij_domain::ids::PersonId;

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
    pub name: String,
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
                professional: app.db.professional_of(o.person_id).await?,
            });
        }
        houses.push(House {
            free: places.iter().filter(|p| p.is_free()).count(),
            name: home.name,
            address: home.address,
            residents,
        });
    }
    Ok(houses)
}
