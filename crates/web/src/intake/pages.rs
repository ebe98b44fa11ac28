use crate::auth::{Viewer, shown};
use crate::error::{HtmlError, WebError};
use crate::extract::Path;
use crate::forms::Form;
use crate::pages::{after_post, flash, needs_text, options, page, see_other, with_form};
use crate::routes::Web;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::AppError;
use nabij_app::intake::{self, IntakeInput, Proposals, Referral};
use nabij_app::persons::Person;
use nabij_domain::ids::{HomeId, ReferralId};
use nabij_domain::labels::Label;
use nabij_domain::person::Gender;
use nabij_domain::placement::Ranking;
use nabij_domain::referral::{ReferralSource, Urgency, is_breach};
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

async fn new_page(state: &Web, viewer: &Viewer, form: Form) -> Result<NewReferralPage, HtmlError> {
    let choices = intake::choices(&state.app, &viewer.caller).await?;
    Ok(NewReferralPage {
        nav: "aanmeldingen",
        form,
        genders: options(Gender::ALL, Gender::code),
        sources: options(ReferralSource::ALL, ReferralSource::code),
        urgencies: options(Urgency::ALL, Urgency::code),
        municipalities: choices.municipalities,
        neighbourhoods: choices.neighbourhoods,
        partners: choices.partners,
    })
}

pub async fn new_form(S(state): S<Web>, viewer: Viewer) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    form.set("household_size", "1");
    form.set("urgency", "normaal");
    Ok(page(&new_page(&state, &viewer, form).await?))
}

pub async fn create(S(state): S<Web>, viewer: Viewer, body: Bytes) -> Result<Response, HtmlError> {
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
    // A number field that is not a number: nothing is written, and the form comes back
    // with that error and every other one.
    let result = if form.has_errors() {
        intake::check(&state.app, &viewer.caller, &input)
            .await
            .map(|()| None)
    } else {
        intake::intake(&state.app, &viewer.caller, &input)
            .await
            .map(|(_, referral)| Some(referral))
    };
    match result {
        Ok(Some(referral)) => Ok(see_other(&format!("/aanmeldingen/{referral}"), "")),
        Ok(None) => {
            let p = new_page(&state, &viewer, form).await?;
            Ok(with_form(&p, &p.form, []))
        }
        Err(AppError::Invalid(v)) => {
            // Number fields that did not parse already carry their own message.
            let v: Vec<_> = v
                .into_iter()
                .filter(|e| form.error(e.field).is_none())
                .collect();
            form.add_violations(&v);
            let p = new_page(&state, &viewer, form).await?;
            Ok(with_form(&p, &p.form, []))
        }
        Err(e) => Err(e.into()),
    }
}

pub struct ReferralRow {
    pub id: i64,
    pub person: String,
    pub municipality: String,
    pub source: String,
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
    pub pager: crate::paging::Pager,
}

pub async fn list(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let all = q.contains_key("alle");
    let clock = state.app.clock();
    let now = clock.now();
    let size = q.get("per").and_then(|p| p.parse().ok());
    let req = crate::paging::request(q.get("na").map(String::as_str), size)?;
    let referrals = intake::list(&state.app, &viewer.caller, all, &req).await?;
    let mut filters = Vec::new();
    if all {
        filters.push(("alle", "1".to_string()));
    }
    if let Some(per) = size {
        filters.push(("per", per.to_string()));
    }
    let pager = crate::paging::Pager::new(
        &referrals,
        "/aanmeldingen",
        &crate::paging::query_string(&filters),
        crate::paging::offset(&q),
    );
    let persons: Vec<_> = referrals.items.iter().map(|r| r.person_id).collect();
    let rows = referrals
        .items
        .into_iter()
        .map(|r| ReferralRow {
            id: r.id.0,
            breach: is_breach(r.state, r.received_at, now),
            received: clock.local(r.received_at),
            person: r.person_name,
            municipality: r.own_municipality_name,
            source: source_text(r.source, r.referred_by_name.as_deref()),
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
            pager,
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
    pub source: String,
    pub urgency: &'static str,
    pub own_area: String,
    pub needs: String,
    pub flash: Option<&'static str>,
    pub form: Form,
    /// A partner's referral filed on a known file: the coordinator confirms the link.
    pub link_to_confirm: bool,
    /// Who the partner said it referred, beside the known file, while the link waits.
    pub submitted: Option<nabij_app::partners::Submission>,
}

async fn referral_page(
    state: &Web,
    viewer: &Viewer,
    id: ReferralId,
    show_all: bool,
    flash: Option<&'static str>,
    form: Form,
) -> Result<ReferralPage, HtmlError> {
    let Proposals {
        referral,
        person,
        ranking,
        excluded,
    } = intake::proposals(&state.app, &viewer.caller, id).await?;
    let clock = state.app.clock();
    let pending = nabij_app::partners::pending_link(&state.app, &viewer.caller, id).await?;
    let link_to_confirm = pending.is_some();
    let submitted = pending.and_then(|p| p.submitted);
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
        breach: is_breach(referral.state, referral.received_at, clock.now()),
        state: referral.state.label(),
        received: clock.local(referral.received_at),
        source: source_text(referral.source, referral.referred_by_name.as_deref()),
        urgency: referral.urgency.label(),
        own_area: person.own_area(),
        needs: needs_text(&person.needs),
        excluded,
        referral,
        person,
        ranking,
        flash,
        form,
        link_to_confirm,
        submitted,
    })
}

pub async fn show(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<ReferralId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let mut form = Form::default();
    form.set("state", "advised_elsewhere");
    let p = referral_page(&state, &viewer, id, q.contains_key("alle"), flash(&q), form).await?;
    let person = p.person.id;
    Ok(shown(page(&p), [person]))
}

pub async fn place(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<ReferralId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let home = form
        .int("home_id", "Huis")
        .ok_or_else(|| WebError::bad_request("kies een huis"))?;
    let stay = intake::place(&state.app, &viewer.caller, id, HomeId(home)).await?;
    crate::observe::placed();
    Ok(see_other(
        &format!("/personen/{}", stay.stay.person_id),
        "geplaatst",
    ))
}

pub async fn close(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<ReferralId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let closed = intake::close_referral(
        &state.app,
        &viewer.caller,
        id,
        form.value("state"),
        form.value("reason"),
    )
    .await;
    after_post(
        closed,
        form,
        |_| format!("/aanmeldingen/{id}"),
        "gesloten",
        |form| async {
            let p = referral_page(&state, &viewer, id, false, None, form).await?;
            let person = p.person.id;
            Ok(with_form(&p, &p.form, [person]))
        },
    )
    .await
}

/// Who referred: the kind of source, and the partner's name when it came through one.
fn source_text(source: nabij_domain::referral::ReferralSource, partner: Option<&str>) -> String {
    match partner {
        Some(name) => format!("{} ({name})", source.label()),
        None => source.label().to_owned(),
    }
}
