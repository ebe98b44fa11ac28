use super::{flash_text, invalid, municipality_options, needs_text, options, page, see_other};
use crate::app::{self, IntakeInput};
use crate::auth::{Viewer, shown};
use crate::error::{HtmlError, WebError};
use crate::forms::Form;
use crate::routes::State;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as S};
use axum::response::Response;
use nabij_domain::ids::{HomeId, ReferralId};
use nabij_domain::labels::Label;
use nabij_domain::person::Gender;
use nabij_domain::placement::Ranking;
use nabij_domain::referral::{ReferralSource, Urgency, is_breach};
use nabij_store::persons::Person;
use nabij_store::referrals::{Referral, ReferralFilter};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "referral_new.html")]
pub struct NewReferralPage {
    pub nav: &'static str,
    pub form: Form,
    pub genders: Vec<(&'static str, &'static str)>,
    pub sources: Vec<(&'static str, &'static str)>,
    pub urgencies: Vec<(&'static str, &'static str)>,
    pub municipalities: Vec<(String, String)>,
    pub neighbourhoods: Vec<(String, Vec<(String, String)>)>,
    pub partners: Vec<(String, String)>,
}

async fn new_page(
    state: &State,
    viewer: &Viewer,
    form: Form,
) -> Result<NewReferralPage, HtmlError> {
    let mut neighbourhoods: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for n in state.db.neighbourhoods().await? {
        if neighbourhoods.last().map(|g| &g.0) != Some(&n.municipality_name) {
            neighbourhoods.push((n.municipality_name.clone(), Vec::new()));
        }
        if let Some(g) = neighbourhoods.last_mut() {
            g.1.push((n.id.to_string(), n.name));
        }
    }
    Ok(NewReferralPage {
        nav: "aanmeldingen",
        form,
        genders: options(Gender::ALL, Gender::code),
        sources: options(ReferralSource::ALL, ReferralSource::code),
        urgencies: options(Urgency::ALL, Urgency::code),
        municipalities: municipality_options(&state.db).await?,
        neighbourhoods,
        partners: state
            .db
            .organisations_of(viewer.provider())
            .await?
            .into_iter()
            .filter(|o| o.kind == "partner")
            .map(|o| (o.id.to_string(), o.name))
            .collect(),
    })
}

pub async fn new_form(S(state): S<State>, viewer: Viewer) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    form.set("household_size", "1");
    form.set("urgency", "normaal");
    Ok(page(&new_page(&state, &viewer, form).await?))
}

pub async fn create(
    S(state): S<State>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let household_size = form.int("household_size", "Aantal personen").unwrap_or(0);
    let own_municipality_id = form.int("own_municipality_id", "Gemeente").unwrap_or(0);
    let own_neighbourhood_id = form.int("own_neighbourhood_id", "Buurt");
    let input = IntakeInput {
        first_name: form.value("first_name").into(),
        last_name: form.value("last_name").into(),
        gender: form.value("gender").into(),
        date_of_birth: Some(form.value("date_of_birth").into()),
        bsn: Some(form.value("bsn").into()),
        phone: Some(form.value("phone").into()),
        household_size,
        needs_accessible: form.checked("needs_accessible"),
        needs_pets: form.checked("needs_pets"),
        needs_women_only: form.checked("needs_women_only"),
        own_municipality_id,
        own_neighbourhood_id,
        avoid_municipality_ids: form.ints("avoid_municipality_ids"),
        avoid_neighbourhood_ids: form.ints("avoid_neighbourhood_ids"),
        source: form.value("source").into(),
        urgency: form.value("urgency").into(),
        situation: form.value("situation").into(),
        referred_by_organisation_id: form.int("referred_by_organisation_id", "Verwezen door"),
    };
    match app::intake(&state, &viewer, &input).await {
        Ok((_, referral)) if !form.has_errors() => {
            Ok(see_other(&format!("/aanmeldingen/{referral}"), ""))
        }
        Ok(_) => Ok(invalid(&new_page(&state, &viewer, form).await?)),
        Err(WebError::Invalid(v)) => {
            // Number fields that did not parse already carry their own message.
            let v: Vec<_> = v
                .into_iter()
                .filter(|e| form.error(e.field).is_none())
                .collect();
            form.add_violations(&v);
            Ok(invalid(&new_page(&state, &viewer, form).await?))
        }
        Err(e) => Err(e.into()),
    }
}

pub struct ReferralRow {
    pub id: i64,
    pub person: String,
    pub municipality: String,
    pub source: &'static str,
    pub urgency: &'static str,
    pub received: String,
    pub state: &'static str,
    pub breach: bool,
    pub no_place: bool,
}

#[derive(Template)]
#[template(path = "referrals.html")]
pub struct ReferralsPage {
    pub nav: &'static str,
    pub all: bool,
    pub rows: Vec<ReferralRow>,
}

pub async fn list(
    S(state): S<State>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let all = q.contains_key("alle");
    let filter = if all {
        ReferralFilter::All
    } else {
        ReferralFilter::Open
    };
    let now = state.clock.now();
    let referrals = state.db.referrals(viewer.provider(), filter, 200).await?;
    let persons: Vec<_> = referrals.iter().map(|r| r.person_id).collect();
    let rows = referrals
        .into_iter()
        .map(|r| ReferralRow {
            id: r.id.0,
            breach: is_breach(r.state, r.received_at, now),
            received: state.clock.local(r.received_at),
            person: r.person_name,
            municipality: r.own_municipality_name,
            source: r.source.label(),
            urgency: r.urgency.label(),
            state: r.state.label(),
            no_place: r.no_place_in_own_area,
        })
        .collect();
    Ok(shown(
        page(&ReferralsPage {
            nav: "aanmeldingen",
            all,
            rows,
        }),
        persons,
    ))
}

#[derive(Template)]
#[template(path = "referral.html")]
pub struct ReferralPage {
    pub nav: &'static str,
    pub referral: Referral,
    pub person: Person,
    pub ranking: Ranking,
    pub excluded: Vec<(String, &'static str)>,
    pub visible: Vec<nabij_domain::placement::Proposal>,
    pub more: usize,
    pub open: bool,
    pub breach: bool,
    pub state: &'static str,
    pub received: String,
    pub source: &'static str,
    pub urgency: &'static str,
    pub own_area: String,
    pub needs: String,
    pub flash: Option<&'static str>,
    pub form: Form,
}

pub fn own_area(p: &Person) -> String {
    match &p.own_neighbourhood_name {
        Some(n) => format!("{n}, {}", p.own_municipality_name),
        None => p.own_municipality_name.clone(),
    }
}

async fn referral_page(
    state: &State,
    viewer: &Viewer,
    id: ReferralId,
    show_all: bool,
    flash: Option<&'static str>,
    form: Form,
) -> Result<ReferralPage, HtmlError> {
    let app::Proposals {
        referral,
        person,
        ranking,
        excluded,
    } = app::proposals(state, viewer, id).await?;
    let shown = if show_all { usize::MAX } else { 5 };
    let excluded = excluded
        .into_iter()
        .map(|e| (e.home_name, e.label))
        .collect();
    Ok(ReferralPage {
        nav: "aanmeldingen",
        visible: ranking.proposals.iter().take(shown).cloned().collect(),
        more: ranking.proposals.len().saturating_sub(shown),
        open: referral.state.is_open(),
        breach: is_breach(referral.state, referral.received_at, state.clock.now()),
        state: referral.state.label(),
        received: state.clock.local(referral.received_at),
        source: referral.source.label(),
        urgency: referral.urgency.label(),
        own_area: own_area(&person),
        needs: needs_text(&person.needs),
        excluded,
        referral,
        person,
        ranking,
        flash,
        form,
    })
}

pub async fn show(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let flash = flash_text(q.get("melding").map(String::as_str));
    let mut form = Form::default();
    form.set("state", "advised_elsewhere");
    let p = referral_page(
        &state,
        &viewer,
        ReferralId(id),
        q.contains_key("alle"),
        flash,
        form,
    )
    .await?;
    let person = p.person.id;
    Ok(shown(page(&p), [person]))
}

pub async fn place(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let home = form
        .int("home_id", "Huis")
        .ok_or_else(|| WebError::BadRequest("kies een huis".into()))?;
    let stay = app::place(&state, &viewer, ReferralId(id), HomeId(home)).await?;
    let stay = state.db.stay(stay).await?;
    Ok(see_other(
        &format!("/personen/{}", stay.person_id),
        "geplaatst",
    ))
}

pub async fn close(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    match app::close_referral(
        &state,
        &viewer,
        ReferralId(id),
        form.value("state"),
        form.value("reason"),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/aanmeldingen/{id}"), "gesloten")),
        Err(WebError::Invalid(v)) => {
            form.add_violations(&v);
            let p = referral_page(&state, &viewer, ReferralId(id), false, None, form).await?;
            let person = p.person.id;
            Ok(shown(invalid(&p), [person]))
        }
        Err(e) => Err(e.into()),
    }
}
