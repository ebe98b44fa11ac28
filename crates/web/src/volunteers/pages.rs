//! Volunteers see only what their role needs: a main resident the residents of their own
//! house (first name, since when, their professional and how to reach them); a buddy their
//! match.

use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::pages::page;
use crate::routes::Web;
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

pub async fn house(S(state): S<Web>, viewer: Viewer) -> Result<Response, HtmlError> {
    let mut persons = Vec::new();
    let houses = nabij_app::volunteers::my_houses(&state.app, &viewer.caller)
        .await?
        .into_iter()
        .map(|h| House {
            residents: h
                .residents
                .into_iter()
                .map(|r| {
                    persons.push(r.person_id);
                    Resident {
                        first_name: r.first_name,
                        since: labels::date(r.since),
                        professional: r.professional,
                    }
                })
                .collect(),
            name: h.name,
            address: h.address,
            free: h.free,
        })
        .collect();
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
