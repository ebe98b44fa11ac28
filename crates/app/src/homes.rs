//! Homes and their places: what is free now, who lives where, blocking a place.
//!
//! **The rule of this area:** homes are managed by the coordinators and administrators of
//! the organisation that runs them. Who lives in a place is shown to coordinators only
//! (first name, since when); an administrator sees that a place is taken, not by whom.
//! The [`Occupant`] a role gets is built field by field from that rule.

use crate::{App, AppError, Caller, Result, parse_date};
use jiff::ToSpan;
use jiff::civil::Date;
use nabij_domain::RuleViolation;
use nabij_domain::access::Role;
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules, MAX_PLACES_PER_HOME};
use nabij_domain::ids::*;
use nabij_domain::limits;
use nabij_domain::measures::occupancy;
use nabij_store::homes::{NewHome, PlaceStatus};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A home as its organisation sees it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Home {
    pub id: HomeId,
    pub name: String,
    pub kind: HomeKind,
    pub address: String,
    pub neighbourhood_id: NeighbourhoodId,
    pub neighbourhood_name: String,
    pub municipality_id: MunicipalityId,
    pub municipality_name: String,
    pub point: GeoPoint,
    pub rules: HouseRules,
    pub max_stay_months: i8,
    pub landlord: Option<String>,
}

impl From<nabij_store::homes::Home> for Home {
    fn from(h: nabij_store::homes::Home) -> Self {
        Home {
            id: h.id,
            name: h.name,
            kind: h.kind,
            address: h.address,
            neighbourhood_id: h.neighbourhood_id,
            neighbourhood_name: h.neighbourhood_name,
            municipality_id: h.municipality_id,
            municipality_name: h.municipality_name,
            point: h.point,
            rules: h.rules,
            max_stay_months: h.max_stay_months,
            landlord: h.landlord,
        }
    }
}

/// A home in the list: places now, and occupancy over the last 30 days.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HomeLine {
    pub home: Home,
    pub places: usize,
    pub free_places: usize,
    #[serde(skip)]
    pub occupancy: Option<f64>,
}

/// Who lives in a place, as far as the caller's role may know.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Occupant {
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub start: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stay_id: Option<StayId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<PersonId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
}

impl Occupant {
    /// The allow-list: coordinators get who lives here; anyone else only since when the
    /// place is taken.
    fn for_caller(caller: &Caller, o: nabij_store::homes::Occupant) -> Occupant {
        if caller.acts_as(Role::Coordinator) {
            Occupant {
                start: o.start,
                stay_id: Some(o.stay_id),
                person_id: Some(o.person_id),
                first_name: Some(o.first_name),
            }
        } else {
            Occupant {
                start: o.start,
                stay_id: None,
                person_id: None,
                first_name: None,
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Block {
    pub id: BlockId,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub from: Date,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub until: Option<Date>,
    pub reason: String,
}

impl From<&nabij_store::homes::Block> for Block {
    fn from(b: &nabij_store::homes::Block) -> Self {
        Block {
            id: BlockId(b.id),
            from: b.from,
            until: b.until,
            reason: b.reason.clone(),
        }
    }
}

/// A place as it stands today.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Place {
    pub id: PlaceId,
    pub label: String,
    pub occupant: Option<Occupant>,
    pub block: Option<Block>,
    pub upcoming_blocks: Vec<Block>,
}

/// A home with its places today.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HomeDetail {
    pub home: Home,
    pub places: Vec<Place>,
    #[serde(skip)]
    pub occupancy: Option<f64>,
}

impl HomeDetail {
    /// The residents this view names (their data is shown: the view is logged).
    pub fn persons(&self) -> Vec<PersonId> {
        self.places
            .iter()
            .filter_map(|p| p.occupant.as_ref().and_then(|o| o.person_id))
            .collect()
    }
}

fn require_homes_role(caller: &Caller) -> Result<()> {
    if caller.acts_as(Role::Coordinator) || caller.acts_as(Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "huizen worden beheerd door coördinatoren en beheerders".into(),
        ))
    }
}

/// A home of the caller's organisation; another's is "not found".
async fn own_home(app: &App, caller: &Caller, id: HomeId) -> Result<nabij_store::homes::Home> {
    require_homes_role(caller)?;
    let home = app.db.home(id).await?;
    if home.organisation_id != caller.provider.0 {
        return Err(AppError::NotFound("huis"));
    }
    Ok(home)
}

/// Occupancy per home over the last 30 days.
async fn recent_occupancy(app: &App, caller: &Caller) -> Result<HashMap<HomeId, Option<f64>>> {
    let today = app.clock.today();
    Ok(app
        .db
        .occupancy_by_home(caller.provider.0, today.saturating_sub(30.days()), today)
        .await?
        .into_iter()
        .map(|o| {
            (
                o.home_id,
                occupancy(o.occupied_nights, o.place_nights, o.blocked_nights),
            )
        })
        .collect())
}

/// The organisation's homes with free places now.
#[tracing::instrument(skip_all)]
pub async fn list(app: &App, caller: &Caller) -> Result<Vec<HomeLine>> {
    require_homes_role(caller)?;
    let org = caller.provider.0;
    let avail: HashMap<_, _> = app
        .db
        .availability(app.clock.today(), org, None)
        .await?
        .into_iter()
        .map(|h| (h.home, (h.free_places.len(), h.total_places)))
        .collect();
    let occ = recent_occupancy(app, caller).await?;
    Ok(app
        .db
        .homes(org)
        .await?
        .into_iter()
        .map(|h| {
            let (free, places) = avail.get(&h.id).copied().unwrap_or((0, 0));
            HomeLine {
                occupancy: occ.get(&h.id).copied().flatten(),
                home: h.into(),
                places,
                free_places: free,
            }
        })
        .collect())
}

/// A home and its places today.
#[tracing::instrument(skip_all, fields(home = id.0))]
pub async fn detail(app: &App, caller: &Caller, id: HomeId) -> Result<HomeDetail> {
    let home = own_home(app, caller, id).await?;
    let statuses = app.db.places_of_home(home.id, app.clock.today()).await?;
    let occupancy = recent_occupancy(app, caller)
        .await?
        .get(&id)
        .copied()
        .flatten();
    Ok(HomeDetail {
        home: home.into(),
        places: statuses
            .into_iter()
            .map(|p: PlaceStatus| Place {
                id: p.id,
                occupant: p.occupant.map(|o| Occupant::for_caller(caller, o)),
                block: p.block.as_ref().map(Block::from),
                upcoming_blocks: p.upcoming_blocks.iter().map(Block::from).collect(),
                label: p.label,
            })
            .collect(),
        occupancy,
    })
}

/// A new home as the API sends it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHomeInput {
    #[schemars(length(max = nabij_domain::limits::HOME_NAME))]
    pub name: String,
    #[schemars(with = "nabij_domain::home::HomeKind")]
    pub kind: String,
    #[schemars(length(max = nabij_domain::limits::ADDRESS))]
    pub address: String,
    pub neighbourhood_id: i64,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    #[serde(default)]
    pub women_only: bool,
    #[serde(default)]
    pub accessible: bool,
    #[serde(default)]
    pub pets_allowed: bool,
    pub max_stay_months: Option<i64>,
    #[schemars(length(max = nabij_domain::limits::LANDLORD))]
    pub landlord: Option<String>,
    pub places: i64,
}

/// Opens a home with its places.
#[tracing::instrument(skip_all)]
pub async fn create(app: &App, caller: &Caller, input: &NewHomeInput) -> Result<HomeDetail> {
    require_homes_role(caller)?;
    let mut errors = Vec::new();
    let kind = HomeKind::parse(&input.kind);
    if kind.is_none() {
        errors.push(RuleViolation::new(
            "kind",
            "pitstop, opvangwoning, omklapwoning of centrale_opvang",
        ));
    }
    if input.name.trim().is_empty() {
        errors.push(RuleViolation::new("name", "vul een naam in"));
    }
    if input.address.trim().is_empty() {
        errors.push(RuleViolation::new("address", "vul een adres in"));
    }
    for (field, value, max) in [
        ("name", input.name.trim(), limits::HOME_NAME),
        ("address", input.address.trim(), limits::ADDRESS),
        (
            "landlord",
            input.landlord.as_deref().unwrap_or("").trim(),
            limits::LANDLORD,
        ),
    ] {
        crate::take(&mut errors, limits::check(field, value, max));
    }
    if !(1..=MAX_PLACES_PER_HOME).contains(&input.places) {
        errors.push(RuleViolation::new(
            "places",
            format!("1 tot en met {MAX_PLACES_PER_HOME} plekken"),
        ));
    }
    let months = input.max_stay_months.unwrap_or(6);
    if !(1..=24).contains(&months) {
        errors.push(RuleViolation::new(
            "max_stay_months",
            "1 tot en met 24 maanden",
        ));
    }
    let point = match (input.lat, input.lon) {
        (Some(lat), Some(lon)) => crate::take(&mut errors, GeoPoint::new(lat, lon)),
        (None, None) => None,
        _ => {
            errors.push(RuleViolation::new(
                "lat",
                "geef lat en lon samen, of geen van beide",
            ));
            None
        }
    };
    if app
        .db
        .neighbourhood(NeighbourhoodId(input.neighbourhood_id))
        .await
        .is_err()
    {
        errors.push(RuleViolation::new("neighbourhood_id", "onbekende buurt"));
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let id = app
        .db
        .create_home(
            &NewHome {
                name: input.name.trim().into(),
                kind,
                address: input.address.trim().into(),
                neighbourhood: NeighbourhoodId(input.neighbourhood_id),
                point,
                rules: HouseRules {
                    women_only: input.women_only,
                    accessible: input.accessible,
                    pets_allowed: input.pets_allowed,
                },
                max_stay_months: months as i8,
                landlord: input
                    .landlord
                    .as_deref()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(Into::into),
                places: input.places as usize,
                opened_on: Some(app.clock.today()),
                organisation_id: caller.provider.0,
            },
            app.clock.now(),
        )
        .await?;
    detail(app, caller, id).await
}

/// Blocking a place for a period, as a form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockInput {
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub from: String,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub until: Option<String>,
    #[schemars(length(min = 1, max = nabij_domain::limits::BLOCK_REASON))]
    pub reason: String,
}

/// Blocks a place of the caller's organisation for a period. With `home`, the place must be
/// one of that home's (the home page's form); without it, the place alone decides.
#[tracing::instrument(skip_all, fields(place = place.map(|p| p.0)))]
pub async fn block(
    app: &App,
    caller: &Caller,
    home: Option<HomeId>,
    place: Option<PlaceId>,
    input: &BlockInput,
) -> Result<BlockId> {
    require_homes_role(caller)?;
    if let Some(h) = home {
        own_home(app, caller, h).await?;
    }
    let mut errors = Vec::new();
    let place_home = match place {
        Some(p) => app.db.home_of_place(p).await.ok(),
        None => None,
    };
    let place = match (home, place_home) {
        (Some(h), Some(ph)) if h == ph => place,
        (Some(_), _) => {
            errors.push(RuleViolation::new("place_id", "kies een plek van dit huis"));
            None
        }
        (None, Some(ph)) if own_home(app, caller, ph).await.is_ok() => place,
        (None, _) => return Err(AppError::NotFound("plek")),
    };
    let from = crate::take(&mut errors, parse_date("from", &input.from));
    let until = match crate::blank(&input.until) {
        Some(u) => crate::take(&mut errors, parse_date("until", u)),
        None => None,
    };
    let reason = input.reason.trim();
    if reason.is_empty() {
        errors.push(RuleViolation::new("reason", "vul een reden in"));
    }
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        errors.push(RuleViolation::new(
            "until",
            "de einddatum ligt vóór de begindatum",
        ));
    }
    // A block is for repairs and the like, around now: not in 1900, not in 2190.
    let today = app.clock.today();
    if let Some(f) = from
        && (f < today.saturating_sub(1.year()) || f > today.saturating_add(2.years()))
    {
        errors.push(RuleViolation::new(
            "from",
            "een blokkade begint hoogstens een jaar geleden en uiterlijk over twee jaar",
        ));
    }
    if let (Some(f), Some(u)) = (from, until)
        && u > f.saturating_add(5.years())
    {
        errors.push(RuleViolation::new(
            "until",
            "een blokkade duurt hoogstens vijf jaar; laat de einddatum leeg als die onbekend is",
        ));
    }
    crate::take(
        &mut errors,
        limits::check("reason", reason, limits::BLOCK_REASON),
    );
    match (place, from) {
        (Some(p), Some(f)) if errors.is_empty() => Ok(BlockId(
            app.db
                .block_place(p, f, until, reason, app.clock.now())
                .await?,
        )),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Ends a block today; returns the home it was in.
#[tracing::instrument(skip_all, fields(block = id.0))]
pub async fn unblock(app: &App, caller: &Caller, id: BlockId) -> Result<HomeId> {
    let home = app.db.home_of_block(id.0).await?;
    own_home(app, caller, home).await?;
    app.db.end_block(id.0, app.clock.today()).await?;
    Ok(home)
}

/// The organisation's homes as choices: (id, name).
#[tracing::instrument(skip_all)]
pub async fn choices(app: &App, caller: &Caller) -> Result<Vec<crate::persons::Choice>> {
    require_homes_role(caller)?;
    Ok(app
        .db
        .homes(caller.provider.0)
        .await?
        .into_iter()
        .map(|h| (h.id.to_string(), h.name))
        .collect())
}
