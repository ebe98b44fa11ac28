//! Volunteers see only what their role needs: a main resident the residents of their own
//! house (first name, since when, their professional and how to reach them); a buddy their
//! match.

use super::page;
use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::routes::State;
use askama::Template;
use axum::extract::State as S;
use axum::response::Response;
use nabij_domain::labels;

pub struct Resident {
    pub first_name: String,
    pub since: String,
    pub professional: Option<(String, Option<String>)>,
}

pub struct House {
    pub name: String,
    pub address: String,
    pub free: usize,
    pub residents: Vec<Resident>,
}

#[derive(Template)]
#[template(path = "my_house.html")]
pub struct HousePage {
    pub nav: &'static str,
    pub houses: Vec<House>,
}

pub async fn house(S(state): S<State>, viewer: Viewer) -> Result<Response, HtmlError> {
    let today = state.clock.today();
    let mut houses = Vec::new();
    let mut persons = Vec::new();
    for id in state.db.homes_of_user(viewer.user.id).await? {
        let home = state.db.home(id).await?;
        if home.organisation_id != viewer.provider() {
            continue;
        }
        let places = state.db.places_of_home(id, today).await?;
        let mut residents = Vec::new();
        for o in places.iter().filter_map(|p| p.occupant.as_ref()) {
            persons.push(o.person_id);
            residents.push(Resident {
                first_name: o.first_name.clone(),
                since: labels::date(o.start),
                professional: state.db.professional_of(o.person_id).await?,
            });
        }
        houses.push(House {
            free: places.iter().filter(|p| p.is_free()).count(),
            name: home.name,
            address: home.address,
            residents,
        });
    }
    Ok(shown(
        page(&HousePage {
            nav: "huis",
            houses,
        }),
        persons,
    ))
}

#[derive(Template)]
#[template(path = "my_buddy.html")]
pub struct BuddyPage {
    pub nav: &'static str,
}

/// A buddy's page. Matches between buddies and residents are made by coordinators; until
/// one is made this page holds no one's data.
pub async fn buddy() -> Response {
    page(&BuddyPage { nav: "maatje" })
}
