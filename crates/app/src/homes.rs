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
use nabij_domain::home::ServicePeriod;
use nabij_domain::home::{HomeKind, HouseRules, MAX_PLACES_PER_HOME};
use nabij_domain::ids::*;
use nabij_domain::limits;
use nabij_domain::measures::occupancy;
use nabij_domain::page::{Page, PageRequest};
use nabij_store::homes::{HomeEdit, HomeFilter, NewHome, PlaceStatus};
use serde::{Deserialize, Serialize};

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
    /// Open from this date…
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub opened_on: Date,
    /// …up to, not including, this one (absent while no closing is set).
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub closed_on: Option<Date>,
}

impl Home {
    /// Whether the home is open on `d`.
    pub fn open_on(&self, d: Date) -> bool {
        ServicePeriod {
            opened_on: self.opened_on,
            closed_on: self.closed_on,
        }
        .in_service_on(d)
    }
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
            opened_on: h.opened_on,
            closed_on: h.closed_on,
        }
    }
}

/// A home in the list: places in service now, and occupancy over the last 30 days.
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
    /// Counts from this date…
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub opened_on: Date,
    /// …up to, not including, this one: retired places stay in the home's history.
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub retired_on: Option<Date>,
    /// Counts today: added, not retired, and the home open.
    pub in_service: bool,
    pub occupant: Option<Occupant>,
    pub block: Option<Block>,
    pub upcoming_blocks: Vec<Block>,
}

/// A home with its places today.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HomeDetail {
    pub home: Home,
    pub places: Vec<Place>,
    /// Places in service today, and how many of them are free.
    pub places_in_service: usize,
    pub free_places: usize,
    /// Who changed the home or its places, and when; newest first.
    pub changes: Vec<Change>,
    #[serde(skip)]
    pub occupancy: Option<f64>,
}

/// A recorded change of a home or one of its places.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Change {
    pub what: String,
    pub place: Option<String>,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub effective_on: Option<Date>,
    pub by: String,
    #[schemars(with = "String")]
    pub at: jiff::Timestamp,
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

/// Which homes the list shows.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct HomeListQuery {
    /// Only homes in this municipality.
    pub municipality: Option<i64>,
    /// Only homes of this kind.
    #[schemars(with = "Option<nabij_domain::home::HomeKind>")]
    pub kind: Option<String>,
    /// Also homes that have closed.
    #[serde(default)]
    pub closed: bool,
}

/// One page of the organisation's homes by name, with places in service and free now.
#[tracing::instrument(skip_all)]
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &HomeListQuery,
    req: &PageRequest,
) -> Result<Page<HomeLine>> {
    require_homes_role(caller)?;
    let kind = match crate::blank(&query.kind) {
        Some(k) => Some(HomeKind::parse(k).ok_or_else(|| {
            AppError::invalid(
                "kind",
                "kies pitstop, opvangwoning, omklapwoning of centrale_opvang",
            )
        })?),
        None => None,
    };
    let today = app.clock.today();
    let page = app
        .db
        .home_page(
            caller.provider.0,
            &HomeFilter {
                municipality: query.municipality.map(MunicipalityId),
                kind,
                also_closed: query.closed,
            },
            req,
            today,
            today.saturating_sub(30.days()),
        )
        .await?;
    Ok(page.map(|r| HomeLine {
        occupancy: occupancy(r.occupied_nights, r.place_nights, r.blocked_nights),
        home: r.home.into(),
        places: r.places as usize,
        free_places: r.free_places as usize,
    }))
}

/// A home and its places today.
#[tracing::instrument(skip_all, fields(home = id.0))]
pub async fn detail(app: &App, caller: &Caller, id: HomeId) -> Result<HomeDetail> {
    let home = own_home(app, caller, id).await?;
    let today = app.clock.today();
    let statuses = app.db.places_of_home(home.id, today).await?;
    let counts = app
        .db
        .place_counts(&[home.id], today, today.saturating_sub(30.days()))
        .await?
        .remove(&home.id)
        .unwrap_or_default();
    let occupancy = occupancy(
        counts.occupied_nights,
        counts.place_nights,
        counts.blocked_nights,
    );
    let changes = app
        .db
        .home_changes(home.id)
        .await?
        .into_iter()
        .map(|c| Change {
            what: c.what,
            place: c.place_label,
            effective_on: c.effective_on,
            by: c.changed_by,
            at: c.changed_at,
        })
        .collect();
    let home: Home = home.into();
    let home_open = home.open_on(today);
    Ok(HomeDetail {
        places_in_service: counts.places as usize,
        free_places: counts.free as usize,
        changes,
        home,
        places: statuses
            .into_iter()
            .map(|p: PlaceStatus| Place {
                id: p.id,
                in_service: home_open
                    && ServicePeriod {
                        opened_on: p.opened_on,
                        closed_on: p.retired_on,
                    }
                    .in_service_on(today),
                opened_on: p.opened_on,
                retired_on: p.retired_on,
                occupant: p.occupant.map(|o| Occupant::for_caller(caller, o)),
                block: p.block.as_ref().map(Block::from),
                upcoming_blocks: p.upcoming_blocks.iter().map(Block::from).collect(),
                label: p.label,
            })
            .collect(),
        occupancy,
    })
}

/// A home as the pages, the API and the demo send it to open it (with `places`) or change
/// it: the one input of a home. In the API it is what a new home takes (`NewHomeInput`).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "NewHomeInput")]
#[serde(deny_unknown_fields)]
pub struct HomeInput {
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
    #[schemars(range(min = 1, max = nabij_domain::outflow::MAX_STAY_MONTHS))]
    pub max_stay_months: Option<i64>,
    #[schemars(length(max = nabij_domain::limits::LANDLORD))]
    pub landlord: Option<String>,
    /// Places to open with the home (ignored when a home is changed).
    #[serde(default)]
    pub places: i64,
    /// The first night the home can be used; today when absent. May lie in the past or
    /// the future.
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub opened_on: Option<String>,
}

/// Changes to a home; what is absent stays as it is.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HomePatch {
    #[schemars(length(max = nabij_domain::limits::HOME_NAME))]
    pub name: Option<String>,
    #[schemars(with = "Option<nabij_domain::home::HomeKind>")]
    pub kind: Option<String>,
    #[schemars(length(max = nabij_domain::limits::ADDRESS))]
    pub address: Option<String>,
    pub neighbourhood_id: Option<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub women_only: Option<bool>,
    pub accessible: Option<bool>,
    pub pets_allowed: Option<bool>,
    #[schemars(range(min = 1, max = nabij_domain::outflow::MAX_STAY_MONTHS))]
    pub max_stay_months: Option<i64>,
    #[schemars(length(max = nabij_domain::limits::LANDLORD))]
    pub landlord: Option<String>,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub opened_on: Option<String>,
}

/// Checks a home's details; every problem is named per field, in Dutch.
async fn checked(
    app: &App,
    input: &HomeInput,
) -> std::result::Result<HomeEdit, Vec<RuleViolation>> {
    let mut errors = Vec::new();
    let kind = HomeKind::parse(&input.kind);
    if kind.is_none() {
        errors.push(RuleViolation::new(
            "kind",
            "kies pitstop, opvangwoning, omklapwoning of centrale_opvang",
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
    // Left empty, a home takes the default of its kind (an omklapwoning's is configured).
    let months = input
        .max_stay_months
        .unwrap_or_else(|| kind.map_or(6, |k| app.outflow.max_stay_months(k) as i64));
    let most = nabij_domain::outflow::MAX_STAY_MONTHS;
    if !(1..=most).contains(&months) {
        errors.push(RuleViolation::new(
            "max_stay_months",
            format!("de maximale verblijfsduur is 1 tot en met {most} maanden"),
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
        errors.push(RuleViolation::new("neighbourhood_id", "kies een buurt"));
    }
    let opened_on = match crate::blank(&input.opened_on) {
        Some(raw) => crate::take(&mut errors, parse_date("opened_on", raw)),
        None => Some(app.clock.today()),
    };
    match (kind, opened_on) {
        (Some(kind), Some(opened_on)) if errors.is_empty() => Ok(HomeEdit {
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
            opened_on,
        }),
        _ => Err(errors),
    }
}

/// Opens a home with its places, from its opening date.
#[tracing::instrument(skip_all)]
pub async fn open(app: &App, caller: &Caller, input: &HomeInput) -> Result<HomeDetail> {
    require_homes_role(caller)?;
    let checked = checked(app, input).await;
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    if !(1..=MAX_PLACES_PER_HOME).contains(&input.places) {
        errors.push(RuleViolation::new(
            "places",
            format!("1 tot en met {MAX_PLACES_PER_HOME} plekken"),
        ));
    }
    let edit = match checked {
        Ok(edit) if errors.is_empty() => edit,
        _ => return Err(AppError::Invalid(errors)),
    };
    let now = app.clock.now();
    let id = app
        .db
        .create_home(
            &NewHome {
                name: edit.name,
                kind: edit.kind,
                address: edit.address,
                neighbourhood: edit.neighbourhood,
                point: edit.point,
                rules: edit.rules,
                max_stay_months: edit.max_stay_months,
                landlord: edit.landlord,
                places: input.places as usize,
                opened_on: Some(edit.opened_on),
                organisation_id: caller.provider.0,
            },
            now,
        )
        .await?;
    app.db
        .record_home_opened(id, edit.opened_on, &caller.username, now)
        .await?;
    detail(app, caller, id).await
}

/// The home's details as a complete input, for the edit form and to apply a patch to.
pub async fn edit_input(app: &App, caller: &Caller, id: HomeId) -> Result<HomeInput> {
    let h = own_home(app, caller, id).await?;
    let n = app.db.neighbourhood(h.neighbourhood_id).await?;
    // A point equal to the neighbourhood's centroid was never typed: leave it empty, so a
    // move to another neighbourhood moves the point along.
    let typed = h.point != n.centroid;
    Ok(HomeInput {
        name: h.name,
        kind: h.kind.code().into(),
        address: h.address,
        neighbourhood_id: h.neighbourhood_id.0,
        lat: typed.then_some(h.point.lat),
        lon: typed.then_some(h.point.lon),
        women_only: h.rules.women_only,
        accessible: h.rules.accessible,
        pets_allowed: h.rules.pets_allowed,
        max_stay_months: Some(h.max_stay_months as i64),
        landlord: h.landlord,
        places: 0,
        opened_on: Some(h.opened_on.to_string()),
    })
}

/// Changes a home's details and opening date.
#[tracing::instrument(skip_all, fields(home = id.0))]
pub async fn update(
    app: &App,
    caller: &Caller,
    id: HomeId,
    input: &HomeInput,
) -> Result<HomeDetail> {
    own_home(app, caller, id).await?;
    let edit = checked(app, input).await.map_err(AppError::Invalid)?;
    app.db
        .update_home(id, &edit, &caller.username, app.clock.now())
        .await?
        .map_err(AppError::Invalid)?;
    detail(app, caller, id).await
}

/// Changes what a patch names, keeps the rest.
pub async fn patch(app: &App, caller: &Caller, id: HomeId, p: &HomePatch) -> Result<HomeDetail> {
    let mut input = edit_input(app, caller, id).await?;
    if let Some(n) = p.neighbourhood_id
        && n != input.neighbourhood_id
    {
        input.neighbourhood_id = n;
        input.lat = None;
        input.lon = None;
    }
    if p.lat.is_some() || p.lon.is_some() {
        input.lat = p.lat;
        input.lon = p.lon;
    }
    macro_rules! set {
        ($($f:ident),*) => { $(if let Some(v) = &p.$f { input.$f = v.clone(); })* };
    }
    set!(name, kind, address, women_only, accessible, pets_allowed);
    if p.max_stay_months.is_some() {
        input.max_stay_months = p.max_stay_months;
    }
    if p.landlord.is_some() {
        input.landlord = p.landlord.clone();
    }
    if p.opened_on.is_some() {
        input.opened_on = p.opened_on.clone();
    }
    update(app, caller, id, &input).await
}

/// Places to add to a home.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddPlacesInput {
    #[schemars(range(min = 1, max = nabij_domain::home::MAX_PLACES_ADDED))]
    pub count: i64,
    /// The first night they count; today when absent.
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub from: Option<String>,
}

/// Adds places to a home of the caller's organisation.
#[tracing::instrument(skip_all, fields(home = id.0))]
pub async fn add_places(
    app: &App,
    caller: &Caller,
    id: HomeId,
    input: &AddPlacesInput,
) -> Result<Vec<PlaceId>> {
    own_home(app, caller, id).await?;
    let from = match crate::blank(&input.from) {
        Some(raw) => parse_date("from", raw)?,
        None => app.clock.today(),
    };
    app.db
        .add_places(id, input.count, from, &caller.username, app.clock.now())
        .await?
        .map_err(AppError::Invalid)
}

/// The date a place is retired or a home closed from.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireInput {
    /// The first night the place no longer counts.
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub retired_on: String,
}

/// The date a home closes from.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// The first night the home is no longer open.
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub closed_on: String,
}

/// Retires a place of a home of the caller's organisation from a date.
#[tracing::instrument(skip_all, fields(home = id.0, place = place.0))]
pub async fn retire_place(
    app: &App,
    caller: &Caller,
    id: HomeId,
    place: PlaceId,
    input: &RetireInput,
) -> Result<()> {
    own_home(app, caller, id).await?;
    if app.db.home_of_place(place).await.ok() != Some(id) {
        return Err(AppError::invalid("place_id", "kies een plek van dit huis"));
    }
    let on = parse_date("retired_on", &input.retired_on)?;
    app.db
        .retire_place(place, on, &caller.username, app.clock.now())
        .await?
        .map_err(AppError::Invalid)
}

/// Closes a home of the caller's organisation from a date.
#[tracing::instrument(skip_all, fields(home = id.0))]
pub async fn close(app: &App, caller: &Caller, id: HomeId, input: &CloseInput) -> Result<()> {
    own_home(app, caller, id).await?;
    let on = parse_date("closed_on", &input.closed_on)?;
    app.db
        .close_home(id, on, &caller.username, app.clock.now())
        .await?
        .map_err(AppError::Invalid)
}

/// Undoes a home's closing that has not taken effect yet.
#[tracing::instrument(skip_all, fields(home = id.0))]
pub async fn reopen(app: &App, caller: &Caller, id: HomeId) -> Result<()> {
    own_home(app, caller, id).await?;
    app.db
        .reopen_home(id, app.clock.today(), &caller.username, app.clock.now())
        .await?
        .map_err(AppError::Invalid)
}

/// Municipalities with their neighbourhoods, by name: where a home can stand.
pub async fn area_choices(
    app: &App,
    caller: &Caller,
) -> Result<Vec<nabij_store::homes::AreaGroup>> {
    require_homes_role(caller)?;
    Ok(app.db.neighbourhoods_by_municipality().await?)
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
        (Some(p), Some(f)) if errors.is_empty() => {
            let id = app
                .db
                .block_place(p, f, until, reason, app.clock.now())
                .await?;
            let home = app.db.home_of_place(p).await?;
            app.db
                .record_home_change(
                    home,
                    Some(p),
                    "plek geblokkeerd",
                    Some(f),
                    &caller.username,
                    app.clock.now(),
                )
                .await?;
            Ok(BlockId(id))
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Ends a block today; returns the home it was in.
#[tracing::instrument(skip_all, fields(block = id.0))]
pub async fn unblock(app: &App, caller: &Caller, id: BlockId) -> Result<HomeId> {
    let home = app.db.home_of_block(id.0).await?;
    own_home(app, caller, home).await?;
    app.db.end_block(id.0, app.clock.today()).await?;
    app.db
        .record_home_change(
            home,
            None,
            "blokkade opgeheven",
            Some(app.clock.today()),
            &caller.username,
            app.clock.now(),
        )
        .await?;
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
