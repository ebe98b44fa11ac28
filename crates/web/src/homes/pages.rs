use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::extract::Path;
use crate::forms::Form;
use crate::pages::{
    after_post, flash_text, page, percent, rules_text, see_other, urlencode, with_form,
};
use crate::paging::{Pager, request};
use crate::routes::Web;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::AppError;
use nabij_app::homes::{
    self, AddPlacesInput, BlockInput, CloseInput, Home, HomeDetail, HomeInput, HomeListQuery,
    RetireInput,
};
use nabij_domain::home::HomeKind;
use nabij_domain::ids::{BlockId, HomeId, PlaceId};
use nabij_domain::labels::{self, Label};
use std::collections::HashMap;

/// Messages after the home pages' own form actions; the others are the site's.
fn home_flash(q: &HashMap<String, String>) -> Option<&'static str> {
    match q.get("melding").map(String::as_str) {
        Some("huis-geopend") => Some("Het huis is toegevoegd."),
        Some("huis-gewijzigd") => Some("De gegevens van het huis zijn opgeslagen."),
        Some("plekken") => Some("De plekken zijn toegevoegd."),
        Some("plek-uit") => Some("De plek is buiten gebruik gesteld vanaf de gekozen datum."),
        Some("huis-sluit") => Some("De sluiting van het huis is vastgelegd."),
        Some("huis-open") => Some("De sluiting is teruggedraaid."),
        other => flash_text(other),
    }
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    HomeKind::ALL
        .iter()
        .map(|k| (k.code(), k.label()))
        .collect()
}

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
    pub closed: Option<String>,
}

#[derive(Template)]
#[template(path = "homes.html")]
pub struct HomesPage {
    pub nav: &'static str,
    pub rows: Vec<HomeRow>,
    pub pager: Pager,
    pub municipality: String,
    pub municipalities: Vec<(String, String)>,
    pub kind: String,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub closed: bool,
    pub flash: Option<&'static str>,
}

pub async fn list(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let req = request(q.get("na").map(String::as_str), None)?;
    let municipality = q
        .get("gemeente")
        .map(|m| m.trim())
        .unwrap_or("")
        .to_string();
    let kind = q.get("soort").map(|k| k.trim()).unwrap_or("").to_string();
    let closed = q.get("gesloten").is_some_and(|v| v == "1" || v == "on");
    let query = HomeListQuery {
        municipality: if municipality.is_empty() {
            None
        } else {
            Some(municipality.parse().map_err(|_| {
                crate::error::WebError::bad_request("kies een gemeente uit de lijst")
            })?)
        },
        kind: (!kind.is_empty()).then(|| kind.clone()),
        closed,
    };
    let result = homes::list(&state.app, &viewer.caller, &query, &req)
        .await
        .map_err(|e| match e {
            AppError::Invalid(v) => crate::error::WebError::bad_request(
                v.into_iter()
                    .map(|v| v.message)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            e => e.into(),
        })?;
    let mut filters = Vec::new();
    if !municipality.is_empty() {
        filters.push(format!("gemeente={}", urlencode(&municipality)));
    }
    if !kind.is_empty() {
        filters.push(format!("soort={}", urlencode(&kind)));
    }
    if closed {
        filters.push("gesloten=1".into());
    }
    let offset = q.get("vanaf").and_then(|v| v.parse().ok()).unwrap_or(0);
    let pager = Pager::new(&result, "/huizen", &filters.join("&"), offset);
    let today = state.app.clock().today();
    let rows = result
        .items
        .into_iter()
        .map(|l| HomeRow {
            id: l.home.id.0,
            kind: l.home.kind.label(),
            rules: rules_text(&l.home.rules),
            occupancy: percent(l.occupancy),
            closed: l.home.closed_on.map(|c| {
                if c <= today {
                    format!("gesloten sinds {}", labels::date(c))
                } else {
                    format!("sluit op {}", labels::date(c))
                }
            }),
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
        pager,
        municipality,
        municipalities: nabij_app::geography::municipality_choices(&state.app).await?,
        kind,
        kinds: kinds(),
        closed,
        flash: home_flash(&q),
    }))
}

pub struct PlaceRow {
    pub id: PlaceId,
    pub label: String,
    pub opened_on: String,
    pub retired_on: Option<String>,
    pub in_service: bool,
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

pub struct ChangeRow {
    pub what: String,
    pub on: String,
    pub by: String,
    pub at: String,
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
        opened_on: labels::date(p.opened_on),
        retired_on: p.retired_on.map(labels::date),
        in_service: p.in_service,
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
    pub opened_on: String,
    /// "gesloten sinds …" or "sluit op …".
    pub closing: Option<String>,
    /// A closing that has not taken effect, which can be undone.
    pub can_reopen: bool,
    pub places_in_service: usize,
    pub free_places: usize,
    pub places: Vec<PlaceRow>,
    pub changes: Vec<ChangeRow>,
    pub flash: Option<&'static str>,
    /// The form that was posted (its errors and input), by its name.
    pub form: Form,
    pub posted: &'static str,
    /// The other forms, fresh: today's date filled in.
    pub fresh: Form,
    /// The residents this page names.
    pub persons: Vec<nabij_domain::ids::PersonId>,
}

impl HomePage {
    /// The form named `name`: as posted when it was, else fresh with today's date.
    pub fn form_of(&self, name: &str) -> &Form {
        if self.posted == name {
            &self.form
        } else {
            &self.fresh
        }
    }
}

async fn home_page(
    state: &Web,
    viewer: &Viewer,
    id: HomeId,
    flash: Option<&'static str>,
    form: Form,
    posted: &'static str,
    names: Names,
) -> Result<HomePage, HtmlError> {
    let mut detail: HomeDetail = homes::detail(&state.app, &viewer.caller, id).await?;
    if names == Names::Hidden {
        for o in detail.places.iter_mut().filter_map(|p| p.occupant.as_mut()) {
            o.first_name = None;
            o.stay_id = None;
            o.person_id = None;
        }
    }
    let persons = detail.persons();
    let today = state.app.clock().today();
    let app = &state.app;
    Ok(HomePage {
        nav: "huizen",
        rules: rules_text(&detail.home.rules),
        occupancy: percent(detail.occupancy),
        opened_on: labels::date(detail.home.opened_on),
        closing: detail.home.closed_on.map(|c| {
            if c <= today {
                format!("gesloten sinds {}", labels::date(c))
            } else {
                format!("sluit op {}", labels::date(c))
            }
        }),
        can_reopen: detail.home.closed_on.is_some_and(|c| c > today),
        places_in_service: detail.places_in_service,
        free_places: detail.free_places,
        places: detail.places.into_iter().map(place_row).collect(),
        changes: detail
            .changes
            .into_iter()
            .map(|c| ChangeRow {
                what: match c.place {
                    Some(p) => format!("{}: {p}", c.what),
                    None => c.what,
                },
                on: c.effective_on.map(labels::date).unwrap_or_default(),
                by: c.by,
                at: app.clock().local(c.at),
            })
            .collect(),
        home: detail.home,
        flash,
        form,
        posted,
        fresh: fresh_form(today),
        persons,
    })
}

fn fresh_form(today: jiff::civil::Date) -> Form {
    let mut f = Form::default();
    for field in ["from", "places_from", "retired_on", "closed_on"] {
        f.set(field, today.to_string());
    }
    f.set("count", "1");
    f
}

/// Names a rule's field as the home page's form does, so the error sits next to it.
fn renamed(
    result: Result<(), AppError>,
    names: &[(&'static str, &'static str)],
) -> Result<(), AppError> {
    result.map_err(|e| match e {
        AppError::Invalid(mut v) => {
            for violation in &mut v {
                if let Some((_, to)) = names.iter().find(|(from, _)| *from == violation.field) {
                    violation.field = to;
                }
            }
            AppError::Invalid(v)
        }
        e => e,
    })
}

pub async fn show(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let today = state.app.clock().today();
    let p = home_page(
        &state,
        &viewer,
        id,
        home_flash(&q),
        fresh_form(today),
        "",
        Names::Shown,
    )
    .await?;
    Ok(shown(page(&p), p.persons.clone()))
}

/// Whether the home page names who lives in each place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    /// As the role may know: the page is a view of the residents, logged by the gate.
    Shown,
    /// Only "bezet, sinds …": a refused change of the home is no view of its residents.
    Hidden,
}

/// The home page again with a posted form's errors and input. A refused closing or
/// retirement is about dates, not people: the residents it shows are not named, so
/// answering a form writes no access-log entry.
async fn again(
    state: &Web,
    viewer: &Viewer,
    id: HomeId,
    form: Form,
    posted: &'static str,
) -> Result<Response, HtmlError> {
    let p = home_page(state, viewer, id, None, form, posted, Names::Hidden).await?;
    Ok(with_form(&p, &p.form, p.persons.clone()))
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
        |form| again(&state, &viewer, id, form, "blokkeren"),
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

pub async fn add_places(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let count = form.int("count", "Aantal plekken");
    let result = match count {
        Some(count) => renamed(
            homes::add_places(
                &state.app,
                &viewer.caller,
                id,
                &AddPlacesInput {
                    count,
                    from: Some(form.value("places_from").into()),
                },
            )
            .await
            .map(|_| ()),
            &[("from", "places_from")],
        ),
        None if form.has_errors() => Err(AppError::Invalid(vec![])),
        None => Err(AppError::Invalid(vec![nabij_domain::RuleViolation::new(
            "count",
            "vul een aantal plekken in",
        )])),
    };
    after_post(
        result,
        form,
        |_| format!("/huizen/{id}"),
        "plekken",
        |form| again(&state, &viewer, id, form, "plekken"),
    )
    .await
}

pub async fn retire(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let result = match form.int("retire_place_id", "Plek").map(PlaceId) {
        Some(place) => renamed(
            homes::retire_place(
                &state.app,
                &viewer.caller,
                id,
                place,
                &RetireInput {
                    retired_on: form.value("retired_on").into(),
                },
            )
            .await,
            &[("place_id", "retire_place_id")],
        ),
        None => Err(AppError::Invalid(vec![nabij_domain::RuleViolation::new(
            "retire_place_id",
            "kies een plek",
        )])),
    };
    after_post(
        result,
        form,
        |_| format!("/huizen/{id}"),
        "plek-uit",
        |form| again(&state, &viewer, id, form, "buiten-gebruik"),
    )
    .await
}

pub async fn close(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let result = homes::close(
        &state.app,
        &viewer.caller,
        id,
        &CloseInput {
            closed_on: form.value("closed_on").into(),
        },
    )
    .await;
    after_post(
        result,
        form,
        |_| format!("/huizen/{id}"),
        "huis-sluit",
        |form| again(&state, &viewer, id, form, "sluiten"),
    )
    .await
}

pub async fn reopen(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
) -> Result<Response, HtmlError> {
    match homes::reopen(&state.app, &viewer.caller, id).await {
        Ok(()) => Ok(see_other(&format!("/huizen/{id}"), "huis-open")),
        Err(AppError::Invalid(v)) => {
            let mut form = Form::default();
            form.add_violations(&v);
            again(&state, &viewer, id, form, "sluiten").await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "home_form.html")]
pub struct HomeFormPage {
    pub nav: &'static str,
    /// The home being changed; `None` for a new one.
    pub home: Option<(i64, String)>,
    pub action: String,
    pub form: Form,
    pub kinds: Vec<(&'static str, &'static str)>,
    /// Municipalities with their neighbourhoods.
    pub areas: Vec<(String, Vec<(String, String)>)>,
    /// How long a stay may last here; empty means the kind's default.
    pub max_stay_hint: String,
}

async fn form_page(
    state: &Web,
    viewer: &Viewer,
    home: Option<(i64, String)>,
    form: Form,
) -> Result<HomeFormPage, HtmlError> {
    let areas = homes::area_choices(&state.app, &viewer.caller)
        .await?
        .into_iter()
        .map(|(m, ns)| {
            (
                m,
                ns.into_iter()
                    .map(|(id, name)| (id.to_string(), name))
                    .collect(),
            )
        })
        .collect();
    Ok(HomeFormPage {
        nav: "huizen",
        action: match &home {
            Some((id, _)) => format!("/huizen/{id}/bewerken"),
            None => "/huizen/nieuw".into(),
        },
        home,
        form,
        kinds: kinds(),
        areas,
        max_stay_hint: format!(
            "1 tot en met {} maanden. Leeg laten: de standaard van de soort, 6 maanden; voor een omklapwoning {} maanden.",
            nabij_domain::outflow::MAX_STAY_MONTHS,
            state
                .app
                .outflow_settings()
                .max_stay_months(HomeKind::FlipHome)
        ),
    })
}

/// The form's fields as the use case takes them; what is not a number is an error on the
/// form, next to its field.
fn home_input(form: &mut Form, with_places: bool) -> HomeInput {
    let float = |form: &mut Form, name: &'static str, label: &str| {
        let raw = form.value(name).trim().replace(',', ".");
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<f64>() {
            Ok(x) => Some(x),
            Err(_) => {
                form.add_error(name, format!("{label} moet een getal zijn, zoals 52,0851"));
                None
            }
        }
    };
    let lat = float(form, "lat", "Breedtegraad");
    let lon = float(form, "lon", "Lengtegraad");
    let neighbourhood_id = form.int("neighbourhood_id", "Buurt").unwrap_or(0);
    let max_stay_months = form.int("max_stay_months", "Maximale verblijfsduur");
    let places = if with_places {
        form.int("places", "Aantal plekken").unwrap_or(0)
    } else {
        0
    };
    HomeInput {
        name: form.value("name").into(),
        kind: form.value("kind").into(),
        address: form.value("address").into(),
        neighbourhood_id,
        lat,
        lon,
        women_only: form.checked("women_only"),
        accessible: form.checked("accessible"),
        pets_allowed: form.checked("pets_allowed"),
        max_stay_months,
        landlord: Some(form.value("landlord").into()),
        places,
        opened_on: Some(form.value("opened_on").into()),
    }
}

/// Fills the form with a home's details.
fn filled(input: &HomeInput) -> Form {
    let mut f = Form::default();
    f.set("name", input.name.clone());
    f.set("kind", input.kind.clone());
    f.set("address", input.address.clone());
    f.set("neighbourhood_id", input.neighbourhood_id.to_string());
    if let (Some(lat), Some(lon)) = (input.lat, input.lon) {
        f.set("lat", lat.to_string().replace('.', ","));
        f.set("lon", lon.to_string().replace('.', ","));
    }
    for (name, on) in [
        ("women_only", input.women_only),
        ("accessible", input.accessible),
        ("pets_allowed", input.pets_allowed),
    ] {
        if on {
            f.set(name, "on");
        }
    }
    if let Some(m) = input.max_stay_months {
        f.set("max_stay_months", m.to_string());
    }
    f.set("landlord", input.landlord.clone().unwrap_or_default());
    f.set("opened_on", input.opened_on.clone().unwrap_or_default());
    f
}

pub async fn new_form(S(state): S<Web>, viewer: Viewer) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    form.set("kind", HomeKind::Pitstop.code());
    form.set("places", "1");
    form.set("opened_on", state.app.clock().today().to_string());
    Ok(page(&form_page(&state, &viewer, None, form).await?))
}

pub async fn create(S(state): S<Web>, viewer: Viewer, body: Bytes) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = home_input(&mut form, true);
    let result = if form.has_errors() {
        Err(AppError::Invalid(vec![]))
    } else {
        homes::open(&state.app, &viewer.caller, &input).await
    };
    after_post(
        result,
        form,
        |d| format!("/huizen/{}", d.home.id),
        "huis-geopend",
        |form| async {
            let p = form_page(&state, &viewer, None, form).await?;
            Ok(with_form(&p, &p.form, []))
        },
    )
    .await
}

pub async fn edit_form(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
) -> Result<Response, HtmlError> {
    let input = homes::edit_input(&state.app, &viewer.caller, id).await?;
    let name = input.name.clone();
    Ok(page(
        &form_page(&state, &viewer, Some((id.0, name)), filled(&input)).await?,
    ))
}

pub async fn update(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<HomeId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let current = homes::edit_input(&state.app, &viewer.caller, id).await?;
    let mut form = Form::parse(&body);
    let input = home_input(&mut form, false);
    let result = if form.has_errors() {
        Err(AppError::Invalid(vec![]))
    } else {
        homes::update(&state.app, &viewer.caller, id, &input).await
    };
    after_post(
        result,
        form,
        |_| format!("/huizen/{id}"),
        "huis-gewijzigd",
        |form| async {
            let p = form_page(&state, &viewer, Some((id.0, current.name)), form).await?;
            Ok(with_form(&p, &p.form, []))
        },
    )
    .await
}
