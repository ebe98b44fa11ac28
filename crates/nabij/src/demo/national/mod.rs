//! The national demo: about 350 municipalities, 5,000 homes with 23,000 places, and five
//! years of history (about 100,000 persons and 500,000 stays) up to the demo's today.
//!
//! Built in memory by a day-by-day simulation ([`history`]) over a synthetic geography
//! ([`geography`]: places from GeoNames, https://www.geonames.org, CC BY 4.0) and network
//! ([`homes`]), then written in one bulk load beside the use cases
//! ([`nabij_app::seed::load`]): the same rows the use cases write, in a fraction of the
//! time. The organisations and accounts are made through the use cases, as in the regional
//! demo. Each concern draws from its own seeded sequence, so adding data for one concern
//! leaves the others as they were.

pub mod geography;
pub mod guidance;
pub mod history;
pub mod homes;
mod outflow;
pub mod volunteers;

use super::{DemoSummary, PROVIDER, Rng, organisations_and_accounts};
use anyhow::Result;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use nabij_app::seed::{
    BulkData, BulkHome, BulkMunicipality, BulkNeighbourhood, BulkPlace, BulkRegion,
};
use nabij_app::{App, Caller};
use nabij_domain::access::Role;
use nabij_domain::home::HomeKind;
use nabij_domain::ids::*;

/// How big a generated network and its history are.
#[derive(Debug, Clone, PartialEq)]
pub struct Size {
    pub municipalities: usize,
    /// Homes, about (every municipality has at least three).
    pub homes: usize,
    pub years: i32,
    /// Stays over the whole history, about.
    pub stays: usize,
    /// Persons, about: the rest of the stays are people coming back.
    pub persons: usize,
    /// Scales every length of stay (1.0: as observed in the field).
    pub length_of_stay: f64,
}

impl Size {
    /// The whole country.
    pub fn national() -> Size {
        Size {
            municipalities: 350,
            homes: 5000,
            years: 5,
            stays: 500_000,
            // New people are asked for at this rate; early in the history, when nobody has
            // left yet to come back, more are new.
            persons: 88_000,
            // About 15,000-20,000 people staying today.
            length_of_stay: 1.15,
        }
    }

    /// A small network with a year of history, for tests.
    pub fn test() -> Size {
        Size {
            municipalities: 12,
            homes: 80,
            years: 1,
            stays: 2500,
            persons: 700,
            length_of_stay: 1.0,
        }
    }

    /// Days of history before today.
    pub fn days(&self) -> i32 {
        self.years * 365 + self.years / 4
    }
}

/// One seeded sequence per concern.
fn stream(seed: u64, concern: &str) -> Rng {
    let salt = concern.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01B3)
    });
    Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt)
}

fn local(tz: &TimeZone, d: Date, hour: i8) -> Timestamp {
    tz.to_timestamp(d.to_datetime(Time::new(hour, 0, 0, 0).unwrap_or(Time::midnight())))
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The whole network and its history up to `now` (Dutch time), as rows to load.
pub fn generate(
    seed: u64,
    size: &Size,
    now: Timestamp,
    tz: &TimeZone,
    provider: i64,
    partners: &[i64],
) -> BulkData {
    let today = tz.to_datetime(now).date();
    let start = today.saturating_sub((size.days() as i64).days());
    let day = |t: i32| start.saturating_add((t as i64).days());
    let geo = geography::build(size.municipalities);
    let (homes, places) = homes::build(&geo, size, &mut stream(seed, "homes"));
    let net = history::Network {
        geo: &geo,
        homes: &homes,
        places: &places,
        provider,
        partners,
    };
    let history = history::simulate(&net, size, today, now, tz, &mut stream(seed, "history"));
    BulkData {
        regions: geo
            .regions
            .iter()
            .enumerate()
            .map(|(i, name)| BulkRegion {
                id: i as i64 + 1,
                name: name.clone(),
            })
            .collect(),
        municipalities: geo
            .municipalities
            .iter()
            .map(|m| BulkMunicipality {
                id: m.index as i64 + 1,
                region_id: Some(m.region as i64 + 1),
                code: Some(m.code.clone()),
                name: m.name.clone(),
                lat: m.point.lat,
                lon: m.point.lon,
            })
            .collect(),
        neighbourhoods: geo
            .buurten
            .iter()
            .map(|b| BulkNeighbourhood {
                id: b.index as i64 + 1,
                municipality_id: b.municipality as i64 + 1,
                code: Some(b.code.clone()),
                name: b.name.clone(),
                lat: b.point.lat,
                lon: b.point.lon,
            })
            .collect(),
        homes: homes
            .iter()
            .map(|h| BulkHome {
                id: h.index as i64 + 1,
                organisation_id: provider,
                name: h.name.clone(),
                kind: h.kind,
                address: h.address.clone(),
                neighbourhood_id: h.buurt as i64 + 1,
                lat: h.point.lat,
                lon: h.point.lon,
                rules: h.rules,
                max_stay_months: h.kind.default_max_stay_months(),
                landlord: h.landlord.clone(),
                created_at: local(tz, day(h.opened.min(0)), 9).min(now),
                opened_on: day(h.opened),
                closed_on: h.closed.map(day),
            })
            .collect(),
        places: places
            .iter()
            .map(|p| BulkPlace {
                id: p.index as i64 + 1,
                home_id: p.home as i64 + 1,
                label: p.label.clone(),
                opened_on: day(p.opened),
                retired_on: p.retired.map(day),
            })
            .collect(),
        blocks: history.blocks,
        persons: history.persons,
        referrals: history.referrals,
        stays: history.stays,
    }
}

/// Fills an empty database with the generated network and history up to the app's clock
/// (a fixed clock), plus the demo's organisations and one account per role.
pub async fn seed(app: &App, seed: u64, size: &Size) -> Result<DemoSummary> {
    let clock = app.clock().clone();
    let now = clock.now();
    let tz = nabij_app::clock::dutch_time_zone();
    let today = tz.to_datetime(now).date();
    let sys = Caller::system("nabij demo", OrganisationId(PROVIDER));
    let mut summary = DemoSummary::default();
    let setup = today.saturating_sub((size.days() as i64 + 30).days());
    clock.set(local(&tz, setup, 9));
    let accounts = organisations_and_accounts(app, &sys, &mut summary).await?;
    let data = generate(
        seed,
        size,
        now,
        &tz,
        PROVIDER,
        &[accounts.gemeente_leiden.0],
    );
    clock.set(now);
    nabij_app::seed::load(app, &sys, &data).await?;
    let care = guidance::generate(&data, PROVIDER, today, &tz, &mut stream(seed, "guidance"));
    nabij_app::guidance::load_bulk(app, &sys, &care).await?;
    summary.municipalities = data.municipalities.len();
    summary.homes = data.homes.len();
    summary.places = data.places.len();
    summary.persons = data.persons.len();
    summary.referrals = data.referrals.len();
    summary.stays = data.stays.len();
    summary.active_stays = data.stays.iter().filter(|s| s.exit.is_none()).count();
    let account = |role: Role| {
        accounts
            .accounts
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, id)| *id)
    };
    // The main resident and the buddy belong to the first pitstop that is open today.
    if let Some(home) = data
        .homes
        .iter()
        .find(|h| h.kind == HomeKind::Pitstop && h.opened_on <= today && h.closed_on.is_none())
    {
        for role in [Role::MainResident, Role::Buddy] {
            if let Some(user) = account(role) {
                nabij_app::accounts::link_home(app, &sys, user, Some(HomeId(home.id))).await?;
            }
        }
    }
    // The demo professional guides some of the people now staying in the largest
    // municipality, from the day they came.
    if let Some(professional) = account(Role::Professional) {
        let first = data.municipalities.first().map(|m| m.id);
        let persons = &data.persons;
        let mut guided = None;
        for s in data
            .stays
            .iter()
            .filter(|s| s.exit.is_none())
            .filter(|s| Some(persons[(s.person_id - 1) as usize].own_municipality_id) == first)
            .take(40)
        {
            clock.set(local(&tz, s.start, 9));
            nabij_app::persons::assign_professional(app, &sys, PersonId(s.person_id), professional)
                .await?;
            guided.get_or_insert(PersonId(s.person_id));
        }
        // The first of them has their own account: its one-time code is printed.
        if let Some(person) = guided {
            clock.set(now);
            let invitation = nabij_app::client::invite(app, &sys, person).await?;
            summary
                .users
                .push((Role::Client, invitation.username, invitation.code));
        }
    }
    let active = summary.active_stays;
    let counts = volunteers::Counts {
        buddies: (active / 8).clamp(10, 900),
        wishes: (active / 6).clamp(10, 1000),
        signals: (active / 5).clamp(10, 3000),
    };
    let neighbourhoods: Vec<i64> = data.neighbourhoods.iter().map(|n| n.id).collect();
    volunteers::seed(app, &sys, seed, now, &tz, &neighbourhoods, &counts).await?;
    clock.set(now);
    // The residents of the omklapwoningen that flipped: each a referral, a person and a
    // stay of their own.
    let residents = outflow::seed(app, &sys, &accounts, today).await?;
    summary.referrals += residents;
    summary.persons += residents;
    summary.stays += residents;
    Ok(summary)
}
