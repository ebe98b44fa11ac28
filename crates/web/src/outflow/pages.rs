//! Outflow pages: offers and quotas, matching and answers, omklap homes and their flip,
//! and a partner's own referral form. Phone-friendly: one column, plain forms.

use crate::auth::{Viewer, shown};
use crate::error::HtmlError;
use crate::extract::Path;
use crate::forms::Form;
use crate::pages::{after_post, flash, see_other, with_form};
use crate::routes::Web;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State as S};
use axum::response::Response;
use nabij_app::AppError;
use nabij_app::outflow::{
    self, AnswerInput, CandidateView, FlipDetail, FlipRequestInput, FlipStepInput, FlipView,
    KeyDateInput, MatchInput, OfferDetail, OfferInput, OfferView, Quota, QuotaInput, WithdrawInput,
};
use nabij_app::partners::{self, PartnerReferralInput};
use nabij_domain::access::Role;
use nabij_domain::ids::ReferralId;
use nabij_domain::labels::{self, Label};
use nabij_domain::outflow::{Criterion, FlipId, OfferId};
use std::collections::HashMap;

fn opt_i64(form: &mut Form, name: &'static str, label: &str) -> Option<i64> {
    form.int(name, label)
}

// ---------------------------------------------------------------- offers

#[derive(Template)]
#[template(path = "outflow_offers.html")]
pub struct OffersPage {
    pub nav: &'static str,
    pub flash: Option<&'static str>,
    pub coordinator: bool,
    pub offers: Vec<OfferView>,
    pub quotas: Vec<Quota>,
    pub can_offer: bool,
    pub pager: crate::paging::Pager,
    pub form: Form,
    pub quota_form: Form,
    pub corporations: Vec<(String, String)>,
    pub municipalities: Vec<(String, String)>,
}

impl OffersPage {
    pub fn state(&self, o: &OfferView) -> &'static str {
        o.state.label()
    }
    pub fn date(&self, d: &nabij_domain::Date) -> String {
        labels::date(*d)
    }
}

async fn offers_page(
    state: &Web,
    viewer: &Viewer,
    q: &HashMap<String, String>,
    form: Form,
    quota_form: Form,
) -> Result<Response, HtmlError> {
    let app = &state.app;
    let size = q.get("per").and_then(|p| p.parse().ok());
    let req = crate::paging::request(q.get("na").map(String::as_str), size)?;
    // A partner that neither offers homes nor covers municipalities sees an empty page
    // that says so, not a refusal: the menu is per role.
    let (page, can_offer) = match outflow::offers(app, &viewer.caller, &req).await {
        Ok(p) => (p, true),
        Err(AppError::Forbidden(_)) => (
            nabij_domain::page::Page {
                items: Vec::new(),
                total: 0,
                next: None,
            },
            false,
        ),
        Err(e) => return Err(e.into()),
    };
    let quotas = match outflow::quotas(app, &viewer.caller, None).await {
        Ok(q) => q,
        Err(AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let pager = crate::paging::Pager::new(&page, "/woningaanbod", "", crate::paging::offset(q));
    let coordinator = viewer.role() == Role::Coordinator;
    let mut corporations: Vec<(String, String)> = quotas
        .iter()
        .map(|q| (q.corporation_id.0.to_string(), q.corporation_name.clone()))
        .collect();
    corporations.sort();
    corporations.dedup();
    let municipalities = nabij_app::geography::municipalities(app)
        .await?
        .into_iter()
        .map(|m| (m.id.0.to_string(), m.name))
        .collect();
    let persons: Vec<_> = page.items.iter().filter_map(|o| o.shown).collect();
    let p = OffersPage {
        nav: "woningaanbod",
        flash: flash(q),
        coordinator,
        offers: page.items,
        quotas,
        can_offer,
        pager,
        form,
        quota_form,
        corporations,
        municipalities,
    };
    let f = if p.form.has_errors() {
        p.form.clone()
    } else {
        p.quota_form.clone()
    };
    Ok(with_form(&p, &f, persons))
}

pub async fn list(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    offers_page(&state, &viewer, &q, Form::default(), Form::default()).await
}

pub async fn register(
    S(state): S<Web>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = OfferInput {
        corporation_id: opt_i64(&mut form, "corporation_id", "De corporatie"),
        quota_id: opt_i64(&mut form, "quota_id", "Het contingent").unwrap_or(0),
        address: form.value("address").into(),
        municipality_id: opt_i64(&mut form, "municipality_id", "De gemeente").unwrap_or(0),
        neighbourhood_id: opt_i64(&mut form, "neighbourhood_id", "De buurt"),
        rooms: opt_i64(&mut form, "rooms", "Het aantal kamers").unwrap_or(0),
        rent_euros: opt_i64(&mut form, "rent_euros", "De huur").unwrap_or(-1),
        accessible: form.checked("accessible"),
        no_pets: form.checked("no_pets"),
        available_from: form.value("available_from").into(),
    };
    let result = if form.has_errors() {
        Err(AppError::Invalid(vec![]))
    } else {
        outflow::register_offer(&state.app, &viewer.caller, &input).await
    };
    after_post(
        result,
        form,
        |o| format!("/woningaanbod/{}", o.id),
        "aanbod",
        |f| async move { offers_page(&state, &viewer, &HashMap::new(), f, Form::default()).await },
    )
    .await
}

pub async fn set_quota(
    S(state): S<Web>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = QuotaInput {
        corporation_id: opt_i64(&mut form, "corporation_id", "De corporatie").unwrap_or(0),
        municipality_id: opt_i64(&mut form, "municipality_id", "De gemeente").unwrap_or(0),
        year: opt_i64(&mut form, "year", "Het jaar").unwrap_or(0),
        total: opt_i64(&mut form, "total", "Het totaal").unwrap_or(-1),
    };
    let result = if form.has_errors() {
        Err(AppError::Invalid(vec![]))
    } else {
        outflow::set_quota(&state.app, &viewer.caller, &input).await
    };
    after_post(
        result,
        form,
        |_| "/woningaanbod".to_string(),
        "contingent",
        |f| async move { offers_page(&state, &viewer, &HashMap::new(), Form::default(), f).await },
    )
    .await
}

#[derive(Template)]
#[template(path = "outflow_offer.html")]
pub struct OfferPage {
    pub nav: &'static str,
    pub flash: Option<&'static str>,
    pub coordinator: bool,
    pub d: OfferDetail,
    pub candidates: Vec<CandidateView>,
    /// How many fit in all; only the best are shown (and logged) unless all are asked for.
    pub candidates_total: usize,
    pub form: Form,
}

/// The candidates an offer's page shows unless all are asked for (`?kandidaten=alle`):
/// each shown name is a logged view, and the best few are what a coordinator proposes from.
const SHOWN_CANDIDATES: usize = 25;

impl OfferPage {
    pub fn state(&self) -> &'static str {
        self.d.offer.state.label()
    }
    pub fn open(&self) -> bool {
        self.d.offer.state == nabij_domain::outflow::OfferState::Open
    }
    pub fn proposed(&self) -> bool {
        self.d.offer.state == nabij_domain::outflow::OfferState::Proposed
    }
    pub fn awaiting_move(&self) -> bool {
        self.d.offer.move_status.is_some()
    }
    /// What happens next with an accepted offer not yet moved into, in plain Dutch.
    pub fn move_note(&self) -> Option<String> {
        use nabij_domain::outflow::{KeyDateMove, MOVE_CATCH_UP_DAYS, OfferState};
        let o = &self.d.offer;
        let key = labels::date(o.key_date?);
        if o.state != OfferState::Accepted || o.moved_on.is_some() {
            return None;
        }
        Some(match o.move_status {
            None => "Het verblijf is op een andere manier beëindigd; deze verhuizing wordt niet \
                     meer vastgelegd."
                .to_string(),
            Some(KeyDateMove::Awaiting) => format!(
                "Het verblijf eindigt op {key}: de dag erna legt Nabij de verhuizing vast. \
                 Schuift de sleuteloverdracht op, verzet dan de sleuteldatum."
            ),
            Some(KeyDateMove::Due) => format!(
                "De sleuteldatum {key} is voorbij; Nabij legt de verhuizing vast, met het \
                 verblijf beëindigd op {key}."
            ),
            Some(KeyDateMove::Overdue) => format!(
                "De sleuteldatum {key} is meer dan {MOVE_CATCH_UP_DAYS} dagen voorbij en de \
                 verhuizing is niet vastgelegd. De coördinator legt de verhuizing vast, of de \
                 sleuteldatum wordt verzet als de sleutel nog niet is overgedragen."
            ),
        })
    }
    pub fn date(&self, d: &nabij_domain::Date) -> String {
        labels::date(*d)
    }
    pub fn answer(&self, a: &nabij_app::outflow::AnswerView) -> &'static str {
        a.answer.label()
    }
}

async fn offer_page(
    state: &Web,
    viewer: &Viewer,
    id: OfferId,
    form: Form,
    flash_key: Option<&'static str>,
    all: bool,
) -> Result<Response, HtmlError> {
    let app = &state.app;
    let d = outflow::offer(app, &viewer.caller, id).await?;
    let coordinator = viewer.role() == Role::Coordinator;
    let mut candidates = if coordinator && d.offer.state == nabij_domain::outflow::OfferState::Open
    {
        outflow::candidates(app, &viewer.caller, id).await?
    } else {
        Vec::new()
    };
    let candidates_total = candidates.len();
    if !all {
        candidates.truncate(SHOWN_CANDIDATES);
    }
    let mut persons: Vec<_> = candidates.iter().map(|c| c.candidate.person_id).collect();
    persons.extend(d.offer.shown);
    let p = OfferPage {
        nav: "woningaanbod",
        flash: flash_key,
        coordinator,
        d,
        candidates,
        candidates_total,
        form,
    };
    Ok(with_form(&p, &p.form, persons))
}

pub async fn show(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OfferId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let all = q.get("kandidaten").is_some_and(|k| k == "alle");
    offer_page(&state, &viewer, id, Form::default(), flash(&q), all).await
}

async fn after_offer<T>(
    state: Web,
    viewer: Viewer,
    id: OfferId,
    form: Form,
    result: Result<T, AppError>,
    key: &str,
) -> Result<Response, HtmlError> {
    after_post(
        result,
        form,
        |_| format!("/woningaanbod/{id}"),
        key,
        |f| async move { offer_page(&state, &viewer, id, f, None, false).await },
    )
    .await
}

pub async fn propose(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OfferId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = MatchInput {
        person_id: opt_i64(&mut form, "person_id", "De persoon").unwrap_or(0),
    };
    let result = outflow::propose(&state.app, &viewer.caller, id, &input).await;
    after_offer(state, viewer, id, form, result, "voorgesteld").await
}

pub async fn answer(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OfferId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = AnswerInput {
        answer: form.value("answer").into(),
        reason: form.value("reason").into(),
        key_date: Some(form.value("key_date").to_string()).filter(|s| !s.trim().is_empty()),
    };
    let result = outflow::answer(&state.app, &viewer.caller, id, &input).await;
    after_offer(state, viewer, id, form, result, "antwoord").await
}

pub async fn move_in(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OfferId>,
) -> Result<Response, HtmlError> {
    let result = outflow::move_in(&state.app, &viewer.caller, id).await;
    after_offer(state, viewer, id, Form::default(), result, "verhuisd").await
}

/// A use case's field errors under the names of the form that sent it (`(use case, form)`).
fn with_fields<T>(
    result: Result<T, AppError>,
    names: &[(&'static str, &'static str)],
) -> Result<T, AppError> {
    result.map_err(|e| match e {
        AppError::Invalid(v) => AppError::Invalid(
            v.into_iter()
                .map(|mut r| {
                    if let Some((_, form)) = names.iter().find(|(case, _)| *case == r.field) {
                        r.field = form;
                    }
                    r
                })
                .collect(),
        ),
        e => e,
    })
}

pub async fn withdraw(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OfferId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = WithdrawInput {
        reason: form.value("withdraw_reason").into(),
    };
    let result = with_fields(
        outflow::withdraw(&state.app, &viewer.caller, id, &input).await,
        &[("reason", "withdraw_reason")],
    );
    after_offer(state, viewer, id, form, result, "aanbod-ingetrokken").await
}

pub async fn cancel_acceptance(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OfferId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = WithdrawInput {
        reason: form.value("cancel_reason").into(),
    };
    let result = with_fields(
        outflow::cancel_acceptance(&state.app, &viewer.caller, id, &input).await,
        &[("reason", "cancel_reason")],
    );
    after_offer(state, viewer, id, form, result, "acceptatie-ingetrokken").await
}

pub async fn change_key_date(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<OfferId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let form = Form::parse(&body);
    let input = KeyDateInput {
        key_date: form.value("new_key_date").into(),
        reason: form.value("key_date_reason").into(),
    };
    // The form's own field names: the answer form on the same page has a key date and a
    // reason too.
    let result = with_fields(
        outflow::change_key_date(&state.app, &viewer.caller, id, &input).await,
        &[("key_date", "new_key_date"), ("reason", "key_date_reason")],
    );
    after_offer(state, viewer, id, form, result, "sleuteldatum").await
}

// ---------------------------------------------------------------- omklap homes

#[derive(Template)]
#[template(path = "outflow_flips.html")]
pub struct FlipsPage {
    pub nav: &'static str,
    pub flash: Option<&'static str>,
    pub coordinator: bool,
    pub flips: Vec<FlipView>,
    pub can_request: bool,
    pub form: Form,
    pub neighbourhoods: Vec<(String, String)>,
}

impl FlipsPage {
    pub fn state(&self, f: &FlipView) -> &'static str {
        f.state.label()
    }
}

async fn flips_page(
    state: &Web,
    viewer: &Viewer,
    flash_key: Option<&'static str>,
    form: Form,
) -> Result<Response, HtmlError> {
    let app = &state.app;
    let (flips, can_request) = match outflow::flips(app, &viewer.caller).await {
        Ok(f) => (f, true),
        Err(AppError::Forbidden(_)) => (Vec::new(), false),
        Err(e) => return Err(e.into()),
    };
    let neighbourhoods = nabij_app::geography::neighbourhoods(app)
        .await?
        .into_iter()
        .map(|n| {
            (
                n.id.0.to_string(),
                format!("{} ({})", n.name, n.municipality_name),
            )
        })
        .collect();
    let persons: Vec<_> = flips.iter().filter_map(|f| f.shown).collect();
    let p = FlipsPage {
        nav: "omklap",
        flash: flash_key,
        coordinator: viewer.role() == Role::Coordinator,
        flips,
        can_request,
        form,
        neighbourhoods,
    };
    Ok(with_form(&p, &p.form, persons))
}

pub async fn flips(
    S(state): S<Web>,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    flips_page(&state, &viewer, flash(&q), Form::default()).await
}

fn flip_request(form: &mut Form) -> FlipRequestInput {
    FlipRequestInput {
        corporation_id: opt_i64(form, "corporation_id", "De corporatie"),
        name: form.value("name").into(),
        address: form.value("address").into(),
        neighbourhood_id: opt_i64(form, "neighbourhood_id", "De buurt").unwrap_or(0),
        from: form.value("from").into(),
        accessible: form.checked("accessible"),
    }
}

pub async fn request_flip(
    S(state): S<Web>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = flip_request(&mut form);
    let result = outflow::request_flip(&state.app, &viewer.caller, &input).await;
    after_post(
        result,
        form,
        |f| format!("/omklapwoningen/{}", f.id),
        "omklap",
        |f| async move { flips_page(&state, &viewer, None, f).await },
    )
    .await
}

#[derive(Template)]
#[template(path = "outflow_flip.html")]
pub struct FlipPage {
    pub nav: &'static str,
    pub flash: Option<&'static str>,
    pub coordinator: bool,
    pub d: FlipDetail,
    pub form: Form,
    pub criteria: Vec<(&'static str, String)>,
}

impl FlipPage {
    pub fn state(&self) -> &'static str {
        self.d.flip.state.label()
    }
    pub fn is(&self, code: &str) -> bool {
        self.d.flip.state.code() == code
    }
    pub fn criterion(&self, c: &Option<Criterion>) -> &'static str {
        c.map(|c| c.label()).unwrap_or("")
    }
    pub fn missing(&self) -> String {
        self.d
            .flip
            .missing
            .iter()
            .map(|c| c.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
    pub fn date(&self, d: &nabij_domain::Date) -> String {
        labels::date(*d)
    }
    pub fn what(&self, w: &str) -> &'static str {
        match w {
            "requested" => "aangevraagd",
            "in_use" => "in gebruik (gebruiksovereenkomst)",
            "flip_review" => "beoordeling gestart",
            "criterion" => "criterium vastgelegd",
            "review_failed" => "beoordeling niet geslaagd",
            "flipped" => "omgeklapt",
            _ => "stap",
        }
    }
}

async fn flip_page(
    state: &Web,
    viewer: &Viewer,
    id: FlipId,
    form: Form,
    flash_key: Option<&'static str>,
) -> Result<Response, HtmlError> {
    let d = outflow::flip(&state.app, &viewer.caller, id).await?;
    let persons: Vec<_> = d.flip.shown.into_iter().collect();
    let p = FlipPage {
        nav: "omklap",
        flash: flash_key,
        coordinator: viewer.role() == Role::Coordinator,
        d,
        form,
        criteria: Criterion::ALL
            .iter()
            .map(|c| match c {
                Criterion::RentPaid => (
                    c.code(),
                    format!(
                        "huur {} maanden op tijd betaald",
                        state.app.outflow_settings().rent_months
                    ),
                ),
                c => (c.code(), c.label().to_string()),
            })
            .collect(),
    };
    Ok(with_form(&p, &p.form, persons))
}

pub async fn flip(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<FlipId>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    flip_page(&state, &viewer, id, Form::default(), flash(&q)).await
}

pub async fn flip_step(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<FlipId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = FlipStepInput {
        step: form.value("step").into(),
        person_id: opt_i64(&mut form, "person_id", "De bewoner"),
        on: form.value("on").into(),
        criterion: Some(form.value("criterion").to_string()).filter(|s| !s.is_empty()),
        met: Some(form.value("met") == "ja"),
        note: Some(form.value("note").to_string()),
        reasons: Some(form.value("reasons").to_string()),
    };
    let result = outflow::flip_step(&state.app, &viewer.caller, id, &input).await;
    after_post(
        result,
        form,
        move |_| format!("/omklapwoningen/{id}"),
        "omklapstap",
        |f| async move { flip_page(&state, &viewer, id, f, None).await },
    )
    .await
}

pub async fn replacement(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<FlipId>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = flip_request(&mut form);
    let result = outflow::request_replacement(&state.app, &viewer.caller, id, &input).await;
    after_post(
        result,
        form,
        |f| format!("/omklapwoningen/{}", f.id),
        "omklap",
        |f| async move { flip_page(&state, &viewer, id, f, None).await },
    )
    .await
}

// ---------------------------------------------------------------- a partner's referral

#[derive(Template)]
#[template(path = "partner_referral_new.html")]
pub struct NewReferralPage {
    pub nav: &'static str,
    pub form: Form,
    pub genders: Vec<(&'static str, &'static str)>,
    pub urgencies: Vec<(&'static str, &'static str)>,
    pub municipalities: Vec<(String, String)>,
}

async fn new_referral_page(state: &Web, form: Form) -> Result<Response, HtmlError> {
    let municipalities = nabij_app::geography::municipalities(&state.app)
        .await?
        .into_iter()
        .map(|m| (m.id.0.to_string(), m.name))
        .collect();
    let p = NewReferralPage {
        nav: "partner",
        form,
        genders: nabij_domain::person::Gender::ALL
            .iter()
            .map(|g| (g.code(), g.label()))
            .collect(),
        urgencies: nabij_domain::referral::Urgency::ALL
            .iter()
            .map(|u| (u.code(), u.label()))
            .collect(),
        municipalities,
    };
    Ok(with_form(&p, &p.form, []))
}

pub async fn new_referral(S(state): S<Web>, viewer: Viewer) -> Result<Response, HtmlError> {
    // A partner whose kind does not refer is told so before filling in the form.
    partners::may_submit(&state.app, &viewer.caller).await?;
    new_referral_page(&state, Form::default()).await
}

pub async fn submit_referral(
    S(state): S<Web>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let mut form = Form::parse(&body);
    let input = PartnerReferralInput {
        first_name: form.value("first_name").into(),
        last_name: form.value("last_name").into(),
        gender: form.value("gender").into(),
        date_of_birth: Some(form.value("date_of_birth").to_string()),
        bsn: Some(form.value("bsn").to_string()),
        phone: Some(form.value("phone").to_string()),
        household_size: opt_i64(&mut form, "household_size", "Het aantal personen").unwrap_or(0),
        needs_accessible: form.checked("needs_accessible"),
        needs_pets: form.checked("needs_pets"),
        needs_women_only: form.checked("needs_women_only"),
        own_municipality_id: opt_i64(&mut form, "own_municipality_id", "De gemeente").unwrap_or(0),
        own_neighbourhood_id: None,
        urgency: form.value("urgency").into(),
        situation: form.value("situation").into(),
        consent_given_on: form.value("consent_given_on").into(),
        consent_until: Some(form.value("consent_until").to_string()),
    };
    let result = if form.has_errors() {
        Err(AppError::Invalid(vec![]))
    } else {
        partners::submit_referral(&state.app, &viewer.caller, &input).await
    };
    after_post(
        result,
        form,
        |s| format!("/onze-aanmeldingen/{}", s.referral_id),
        "aangemeld",
        |f| async move { new_referral_page(&state, f).await },
    )
    .await
}

pub async fn reject_link(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<ReferralId>,
) -> Result<Response, HtmlError> {
    partners::reject_link(&state.app, &viewer.caller, id).await?;
    Ok(shown(
        see_other(&format!("/aanmeldingen/{id}"), "dossier-losgekoppeld"),
        [],
    ))
}

pub async fn confirm_link(
    S(state): S<Web>,
    viewer: Viewer,
    Path(id): Path<ReferralId>,
) -> Result<Response, HtmlError> {
    partners::confirm_link(&state.app, &viewer.caller, id).await?;
    Ok(shown(
        see_other(&format!("/aanmeldingen/{id}"), "dossier-gekoppeld"),
        [],
    ))
}
