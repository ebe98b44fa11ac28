use super::{ApiResult, Body, created, ok};
use crate::app::parse_date;
use crate::auth::{Viewer, shown};
use crate::error::WebError;
use crate::routes::State;
use axum::extract::{Path, State as S};
use nabij_domain::RuleViolation;
use nabij_domain::access::Role;
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules, MAX_PLACES_PER_HOME};
use nabij_domain::ids::{HomeId, NeighbourhoodId, PlaceId};
use nabij_store::homes::NewHome;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub async fn list(S(state): S<State>, viewer: Viewer) -> ApiResult {
    let avail: std::collections::HashMap<_, _> = state
        .db
        .availability(state.clock.today(), viewer.provider(), None)
        .await?
        .into_iter()
        .map(|a| (a.home, a))
        .collect();
    let homes = state.db.homes(viewer.provider()).await?;
    let out: Vec<_> = homes
        .iter()
        .map(|h| {
            let a = avail.get(&h.id);
            json!({
                "home": h,
                "places": a.map(|a| a.total_places).unwrap_or(0),
                "free_places": a.map(|a| a.free_places.len()).unwrap_or(0),
            })
        })
        .collect();
    ok(&out)
}

#[derive(Serialize)]
struct HomeDetail {
    home: nabij_store::homes::Home,
    places: Vec<serde_json::Value>,
}

/// A home with its places; who lives there only for coordinators (an administrator sees a
/// place is taken, not by whom).
async fn detail(
    state: &State,
    viewer: &Viewer,
    id: HomeId,
) -> Result<(HomeDetail, Vec<nabij_domain::ids::PersonId>), WebError> {
    let home = state.db.home(id).await?;
    if home.organisation_id != viewer.provider() {
        return Err(WebError::NotFound("huis"));
    }
    let names = viewer.role() == Role::Coordinator;
    let statuses = state
        .db
        .places_of_home(home.id, state.clock.today())
        .await?;
    let persons = if names {
        statuses
            .iter()
            .filter_map(|p| p.occupant.as_ref().map(|o| o.person_id))
            .collect()
    } else {
        Vec::new()
    };
    let places = statuses
        .iter()
        .map(|p| {
            let mut v = serde_json::to_value(p).unwrap_or_default();
            if !names && let Some(o) = &p.occupant {
                v["occupant"] = json!({"start": o.start});
            }
            v
        })
        .collect();
    Ok((HomeDetail { home, places }, persons))
}

pub async fn show(S(state): S<State>, viewer: Viewer, Path(id): Path<i64>) -> ApiResult {
    let (d, persons) = detail(&state, &viewer, HomeId(id)).await?;
    Ok(shown(ok(&d)?, persons))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewHomeInput {
    name: String,
    kind: String,
    address: String,
    neighbourhood_id: i64,
    lat: Option<f64>,
    lon: Option<f64>,
    #[serde(default)]
    women_only: bool,
    #[serde(default)]
    accessible: bool,
    #[serde(default)]
    pets_allowed: bool,
    max_stay_months: Option<i64>,
    landlord: Option<String>,
    places: i64,
}

pub async fn create(
    S(state): S<State>,
    viewer: Viewer,
    Body(input): Body<NewHomeInput>,
) -> ApiResult {
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
        (Some(lat), Some(lon)) => GeoPoint::new(lat, lon).map(Some).unwrap_or_else(|e| {
            errors.push(e);
            None
        }),
        (None, None) => None,
        _ => {
            errors.push(RuleViolation::new(
                "lat",
                "geef lat en lon samen, of geen van beide",
            ));
            None
        }
    };
    if state
        .db
        .neighbourhood(NeighbourhoodId(input.neighbourhood_id))
        .await
        .is_err()
    {
        errors.push(RuleViolation::new("neighbourhood_id", "onbekende buurt"));
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Err(WebError::Invalid(errors).into());
    };
    let id = state
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
                landlord: input.landlord.filter(|l| !l.trim().is_empty()),
                places: input.places as usize,
                organisation_id: viewer.provider(),
            },
            state.clock.now(),
        )
        .await?;
    let (d, _) = detail(&state, &viewer, id).await?;
    created(format!("/api/v1/homes/{id}"), &d)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBlock {
    from: String,
    until: Option<String>,
    reason: String,
}

pub async fn block(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Body(input): Body<NewBlock>,
) -> ApiResult {
    let place = PlaceId(id);
    let home = state.db.home_of_place(place).await?;
    if state.db.home(home).await?.organisation_id != viewer.provider() {
        return Err(WebError::NotFound("plek").into());
    }
    let from = parse_date("from", &input.from)?;
    let until = match input
        .until
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(u) => Some(parse_date("until", u)?),
        None => None,
    };
    if input.reason.trim().is_empty() {
        return Err(WebError::from(RuleViolation::new("reason", "vul een reden in")).into());
    }
    let block = state
        .db
        .block_place(place, from, until, input.reason.trim(), state.clock.now())
        .await?;
    created(format!("/api/v1/places/{id}"), &json!({"id": block}))
}
