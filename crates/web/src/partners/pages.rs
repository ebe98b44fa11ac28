//! A partner (municipality, social team, housing corporation) sees the referrals it made and
//! their status; a person's data only under that person's active consent for this partner
//! and purpose.

use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::extract::Path;
use crate::pages::page;
use crate::routes::Web;
use askama::Template;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::partners;
use nabij_domain::ids::ReferralId;
use nabij_domain::labels::{self, Label};
use std::collections::HashMap;

pub struct Row {
    pub id: i64,
    pub received: String,
    pub state: &'static str,
    /// The person's name, with consent; else nothing.
    pub name: Option<String>,
}

#[derive(Template)]
#[template(path = "partner_referrals.html")]
pub struct ListPage {
    pub nav: &'static str,
    pub organisation: String,
    pub rows: Vec<Row>,
    pub pager: crate::paging::Pager,
    /// The organisation submits referrals itself (its kind).
    pub refers: bool,
}

pub async fn list(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let clock = state.app.clock();
    let size = q.get("per").and_then(|p| p.parse().ok());
    let req = crate::paging::request(q.get("na").map(String::as_str), size)?;
    let referrals = partners::our_referrals(&state.app, &viewer.caller, &req).await?;
    let filters: Vec<(&str, String)> = size.map(|p| ("per", p.to_string())).into_iter().collect();
    let pager = crate::paging::Pager::new(
        &referrals,
        "/onze-aanmeldingen",
        &crate::paging::query_string(&filters),
        crate::paging::offset(&q),
    );
    let persons: Vec<_> = referrals.items.iter().filter_map(|r| r.shown).collect();
    let rows = referrals
        .items
        .into_iter()
        .map(|r| Row {
            id: r.id.0,
            received: clock.local(r.received_at),
            state: r.state.label(),
            name: r.name,
        })
        .collect();
    let organisation = viewer.account().organisation_name.clone();
    let refers = match partners::may_submit(&state.app, &viewer.caller).await {
        Ok(_) => true,
        Err(nabij_app::AppError::Forbidden(_)) => false,
        Err(e) => return Err(e.into()),
    };
    Ok(shown(
        page(&ListPage {
            nav: "partner",
            organisation,
            rows,
            pager,
            refers,
        }),
        persons,
    ))
}

#[derive(Template)]
#[template(path = "partner_referral.html")]
pub struct ShowPage {
    pub nav: &'static str,
    pub id: i64,
    pub received: String,
    pub state: &'static str,
    pub referral_consent: bool,
    pub housing_consent: bool,
    pub name: String,
    pub placed: Option<String>,
    pub ready_on: Option<String>,
    pub exit: Option<String>,
    pub advice: Option<String>,
    pub household: Option<String>,
    pub care_consent: bool,
    pub professional: Option<String>,
    /// Title and state of each goal of the plan.
    pub goals: Vec<(String, &'static str)>,
}

pub async fn show(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<ReferralId>,
) -> Result<Response, HtmlError> {
    let d = partners::our_referral(&state.app, &viewer.caller, id).await?;
    let page_data = ShowPage {
        nav: "partner",
        id: d.referral.id.0,
        received: state.app.clock().local(d.referral.received_at),
        state: d.referral.state.label(),
        referral_consent: d.referral_consent,
        housing_consent: d.housing_consent,
        name: d.referral.name.clone().unwrap_or_default(),
        placed: d.placed.map(|p| {
            format!(
                "in {}, sinds {}",
                p.municipality_name,
                labels::date(p.start)
            )
        }),
        ready_on: d.ready_on.map(labels::date),
        exit: d
            .exit
            .map(|(date, dest)| format!("{} — {}", labels::date(date), dest.label())),
        advice: d.advice.clone(),
        household: d.household.map(|(n, needs)| {
            let needs = crate::pages::needs_text(&needs);
            format!(
                "{n} {}; {needs}",
                if n == 1 { "persoon" } else { "personen" }
            )
        }),
        care_consent: d.care_consent,
        professional: d.professional.clone().map(|(name, phone)| match phone {
            Some(p) => format!("{name}, {p}"),
            None => name,
        }),
        goals: d
            .goals
            .iter()
            .map(|(title, status)| (title.clone(), status.label()))
            .collect(),
    };
    Ok(shown(page(&page_data), d.referral.shown))
}
