//! A partner (municipality, social team, housing corporation) sees the referrals it made and
//! their status; a person's data only under that person's active consent for this partner
//! and purpose.

use super::page;
use crate::auth::{Viewer, shown};
use crate::error::{HtmlError, WebError};
use crate::routes::State;
use askama::Template;
use axum::extract::{Path, State as S};
use axum::response::Response;
use nabij_domain::access::Purpose;
use nabij_domain::ids::ReferralId;
use nabij_domain::labels::{self, Label};
use nabij_store::referrals::ReferralFilter;
use nabij_store::stays::StayFilter;

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
}

pub async fn list(S(state): S<State>, viewer: Viewer) -> Result<Response, HtmlError> {
    let today = state.clock.today();
    let org = viewer.user.organisation_id;
    let mut rows = Vec::new();
    let mut persons = Vec::new();
    for r in state.db.referrals(org, ReferralFilter::All, 500).await? {
        if r.referred_by != Some(org) {
            continue;
        }
        let consent = state
            .db
            .has_consent(r.person_id, org, Purpose::Referral, today)
            .await?;
        if consent {
            persons.push(r.person_id);
        }
        rows.push(Row {
            id: r.id.0,
            received: state.clock.local(r.received_at),
            state: r.state.label(),
            name: consent.then(|| r.person_name.clone()),
        });
    }
    let organisation = viewer.user.organisation_name.clone();
    Ok(shown(
        page(&ListPage {
            nav: "partner",
            organisation,
            rows,
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
}

pub async fn show(
    S(state): S<State>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, HtmlError> {
    let today = state.clock.today();
    let org = viewer.user.organisation_id;
    let r = state.db.referral(ReferralId(id)).await?;
    if r.referred_by != Some(org) {
        return Err(WebError::NotFound("aanmelding").into());
    }
    let referral_consent = state
        .db
        .has_consent(r.person_id, org, Purpose::Referral, today)
        .await?;
    let housing_consent = state
        .db
        .has_consent(r.person_id, org, Purpose::Housing, today)
        .await?;
    let stay = if referral_consent || housing_consent {
        state
            .db
            .stays(StayFilter {
                person: Some(r.person_id),
                ..Default::default()
            })
            .await?
            .into_iter()
            .find(|s| s.referral_id == Some(r.id))
    } else {
        None
    };
    let page_data = ShowPage {
        nav: "partner",
        id,
        received: state.clock.local(r.received_at),
        state: r.state.label(),
        referral_consent,
        housing_consent,
        name: if referral_consent {
            r.person_name.clone()
        } else {
            String::new()
        },
        placed: stay.as_ref().filter(|_| referral_consent).map(|s| {
            format!(
                "{} in {}, sinds {}",
                s.home_kind.label(),
                s.municipality_name,
                labels::date(s.start)
            )
        }),
        ready_on: stay
            .as_ref()
            .filter(|_| housing_consent)
            .and_then(|s| s.ready_on)
            .map(labels::date),
        exit: stay
            .as_ref()
            .filter(|_| housing_consent)
            .and_then(|s| s.exit_date.zip(s.destination))
            .map(|(d, dest)| format!("{} — {}", labels::date(d), dest.label())),
    };
    let persons = if referral_consent || housing_consent {
        vec![r.person_id]
    } else {
        Vec::new()
    };
    Ok(shown(page(&page_data), persons))
}
