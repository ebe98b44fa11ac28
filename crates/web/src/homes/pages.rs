use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::extract::Path;
use crate::forms::Form;
use crate::pages::{after_post, flash, page, percent, rules_text, see_other, with_form};
use crate::routes::Web;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::homes::{self, BlockInput, Home, HomeDetail};
use nabij_domain::ids::{BlockId, HomeId, PlaceId};
use nabij_domain::labels::{self, Label};
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

pub async fn list(S(state): S<Web>, viewer: Viewer) -> Result<Response, HtmlError> {
    let rows = homes::list(&state.app, &viewer.caller)
        .await?
        .into_iter()
        .map(|l| HomeRow {
            id: l.home.id.0,
            kind: l.home.kind.label(),
            rules: rules_text(&l.home.rules),
            occupancy: percent(l.occupancy),
            name: l.home.name,
            municipality: l.home.municipality_name,
            neighbourhood: l.home.neighbourhood_name,
            free: l.free_places,
            places: l.places,
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
    /// The stay and first name, where the caller's role may know who lives here.
    pub named: Option<(i64, String)>,
    pub start: String,
}

pub struct BlockRow {
    pub id: i64,
    pub reason: String,
    pub from: String,
    pub until: Option<String>,
}

fn block_row(b: &homes::Block) -> BlockRow {
    BlockRow {
        id: b.id.0,
        reason: b.reason.clone(),
        from: labels::date(b.from),
        until: b.until.map(labels::date),
    }
}

/// A place row: who lives there only where the caller's view names them.
fn place_row(p: homes::Place) -> PlaceRow {
    PlaceRow {
        id: p.id,
        occupant: p.occupant.map(|o| OccupantRow {
            named: o.stay_id.map(|s| s.0).zip(o.first_name),
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
    /// The residents this page names.
    pub persons: Vec<nabij_domain::ids::PersonId>,
}

async fn home_page(
    state: &Web,
    viewer: &Viewer,
    id: HomeId,
    flash: Option<&'static str>,
    form: Form,
) -> Result<HomePage, HtmlError> {
    let detail: HomeDetail = homes::detail(&state.app, &viewer.caller, id).await?;
    let persons = detail.persons();
    Ok(HomePage {
        nav: "huizen",
        rules: rules_text(&detail.home.rules),
        occupancy: percent(detail.occupancy),
        places: detail.places.into_iter().map(place_row).collect(),
        home: detail.home,
        flash,
        form,
        persons,
    })
}

pub async fn show(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    form.set("from", state.app.clock().today().to_string());
    let p = home_page(&state, &viewer, id, flash(&q), form).await?;
    Ok(shown(page(&p), p.persons.clone()))
}

pub async fn block(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let place = form.int("place_id", "Plek").map(PlaceId);
    let input = BlockInput {
        from: form.value("from").into(),
        until: Some(form.value("until").into()),
        reason: form.value("reason").into(),
    };
    let result = homes::block(&state.app, &viewer.caller, Some(id), place, &input).await;
    after_post(
        result,
        form,
        |_| format!("/huizen/{id}"),
        "geblokkeerd",
        |form| async {
            let p = home_page(&state, &viewer, id, None, form).await?;
            Ok(with_form(&p, &p.form, p.persons.clone()))
        },
    )
    .await
}

pub async fn unblock(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<BlockId>,
) -> Result<Response, HtmlError> {
    let home = homes::unblock(&state.app, &viewer.caller, id).await?;
    Ok(see_other(&format!("/huizen/{home}"), "opgeheven"))
}
