use super::{flash_text, invalid, page, percent, rules_text, see_other};
use crate::app::parse_date;
use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::error::WebError;
use crate::forms::Form;
use crate::routes::State;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as S};
use axum::response::Response;
use jiff::ToSpan;
use nabij_domain::ids::{HomeId, PlaceId};
use nabij_domain::labels::{self, Label};
use nabij_domain::measures::occupancy;
use nabij_store::homes::{Home, PlaceStatus};
use std::collections::HashMap;

pub struct HomeRow {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub municipality: String,
    pub neighbourhood: String,
    pub rules: String,
    pub free: usize,
    pub places: usize,
    pub occupancy: String,
}

#[derive(Template)]
#[template(path = "homes.html")]
pub struct HomesPage {
    pub nav: &'static str,
    pub rows: Vec<HomeRow>,
}

pub async fn list(S(state): S<State>, viewer: Viewer) -> Result<Response, HtmlError> {
    let today = state.clock.today();
    let org = viewer.provider();
    let avail: HashMap<_, _> = state
        .db
        .availability(today, org, None)
        .await?
        .into_iter()
        .map(|h| (h.home, (h.free_places.len(), h.total_places)))
        .collect();
    let occ: HashMap<_, _> = state
        .db
        .occupancy_by_home(org, today.saturating_sub(30.days()), today)
        .await?
        .into_iter()
        .map(|o| {
            (
                o.home_id,
                occupancy(o.occupied_nights, o.place_nights, o.blocked_nights),
            )
        })
        .collect();
    let rows = state
        .db
        .homes(org)
        .await?
        .into_iter()
        .map(|h| {
            let (free, places) = avail.get(&h.id).copied().unwrap_or((0, 0));
            HomeRow {
                id: h.id.0,
                kind: h.kind.label(),
                rules: rules_text(&h.rules),
                occupancy: percent(occ.get(&h.id).copied().flatten()),
                name: h.name,
                municipality: h.municipality_name,
                neighbourhood: h.neighbourhood_name,
                free,
                places,
            }
        })
        .collect();
    Ok(page(&HomesPage {
        nav: "huizen",
        rows,
    }))
}

pub struct PlaceRow {
    pub id: PlaceId,
    pub label: String,
    pub occupant: Option<OccupantRow>,
    pub block: Option<BlockRow>,
    pub upcoming_blocks: Vec<BlockRow>,
}

pub struct OccupantRow {
    pub person_id: nabij_domain::ids::PersonId,
    pub stay_id: i64,
    pub first_name: String,
    pub start: String,
}

pub struct BlockRow {
    pub id: i64,
    pub reason: String,
    pub from: String,
    pub until: Option<String>,
}

fn block_row(b: &nabij_store::homes::Block) -> BlockRow {
    BlockRow {
        id: b.id,
        reason: b.reason.clone(),
        from: labels::date(b.from),
        until: b.until.map(labels::date),
    }
}

fn place_row(p: PlaceStatus) -> PlaceRow {
    PlaceRow {
        id: p.id,
        occupant: p.occupant.map(|o| OccupantRow {
            person_id: o.person_id,
            stay_id: o.stay_id.0,
            first_name: o.first_name,
            start: labels::date(o.start),
        }),
        block: p.block.as_ref().map(block_row),
        upcoming_blocks: p.upcoming_blocks.iter().map(block_row).collect(),
        label: p.label,
    }
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub nav: &'static str,
    pub home: Home,
    pub rules: String,
    pub occupancy: String,
    pub places: Vec<PlaceRow>,
    pub flash: Option<&'static str>,
    pub form: Form,
    /// Coordinators see who lives here; an administrator sees only that a place is taken.
    pub names: bool,
}

impl HomePage {
    /// The residents whose first names the page shows.
    fn shown(&self) -> Vec<nabij_domain::ids::PersonId> {
        if !self.names {
            return Vec::new();
        }
        self.places
            .iter()
            .filter_map(|p| p.occupant.as_ref().map(|o| o.person_id))
            .collect()
    }
}

/// A home of the viewer's organisation.
pub async fn own_home(
    state: &State,
    viewer: &Viewer,
    id: HomeId,
) -> Result<nabij_store::homes::Home, HtmlError> {
    let home = state.db.home(id).await?;
    if home.organisation_id != viewer.provider() {
        return Err(WebError::NotFound("huis").into());
    }
    Ok(home)
}

async fn home_page(
    state: &State,
    viewer: &Viewer,
    id: HomeId,
    flash: Option<&'static str>,
    form: Form,
) -> Result<HomePage, HtmlError> {
    let today = state.clock.today();
    let home = own_home(state, viewer, id).await?;
    let places = state.db.places_of_home(id, today).await?;
    let occ = state
        .db
        .occupancy_by_home(viewer.provider(), today.saturating_sub(30.days()), today)
        .await?
        .into_iter()
        .find(|o| o.home_id == id)
        .and_then(|o| occupancy(o.occupied_nights, o.place_nights, o.blocked_nights));
    Ok(HomePage {
        nav: "huizen",
        rules: rules_text(&home.rules),
        occupancy: percent(occ),
        places: places.into_iter().map(place_row).collect(),
        home,
        flash,
        form,
        names: viewer.role() == nabij_domain::access::Role::Coordinator,
    })
}

pub async fn show(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    form.set("from", state.clock.today().to_string());
    let flash = flash_text(q.get("melding").map(String::as_str));
    let p = home_page(&state, &viewer, HomeId(id), flash, form).await?;
    let persons = p.shown();
    Ok(shown(page(&p), persons))
}

pub async fn block(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let home = HomeId(id);
    own_home(&state, &viewer, home).await?;
    let place = form.int("place_id", "Plek");
    let from = parse_date("from", form.value("from"))
        .map_err(|e| form.add_error(e.field, e.message))
        .ok();
    let until = match form.value("until").trim() {
        "" => None,
        s => parse_date("until", s)
            .map_err(|e| form.add_error(e.field, e.message))
            .ok(),
    };
    let reason = form.value("reason").trim().to_string();
    if reason.is_empty() {
        form.add_error("reason", "vul een reden in");
    }
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        form.add_error("until", "de einddatum ligt vóór de begindatum");
    }
    let place = match place {
        Some(p) if state.db.home_of_place(PlaceId(p)).await.ok() == Some(home) => Some(PlaceId(p)),
        _ => {
            form.add_error("place_id", "kies een plek van dit huis");
            None
        }
    };
    match (place, from) {
        (Some(p), Some(f)) if !form.has_errors() => {
            state
                .db
                .block_place(p, f, until, &reason, state.clock.now())
                .await?;
            Ok(see_other(&format!("/huizen/{id}"), "geblokkeerd"))
        }
        _ => {
            let p = home_page(&state, &viewer, home, None, form).await?;
            let persons = p.shown();
            Ok(shown(invalid(&p), persons))
        }
    }
}

pub async fn unblock(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, HtmlError> {
    let home = state.db.home_of_block(id).await?;
    own_home(&state, &viewer, home).await?;
    state.db.end_block(id, state.clock.today()).await?;
    Ok(see_other(&format!("/huizen/{home}"), "opgeheven"))
}
