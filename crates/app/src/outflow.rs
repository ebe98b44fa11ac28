//! Outflow: quotas (uitstroomcontingenten), housing offers matched to people ready to move
//! on, and the omklapwoning lease flip.
//!
//! **The rule of this area:** coordinators of the provider see and do everything here for
//! their own organisation. A housing corporation sees its own quotas, offers and omklap
//! homes; the person an offer is proposed to, or who lives in its omklap home, only by name
//! under that person's active consent for `housing` for the corporation, else as a
//! pseudonymous reference. A municipality or social team sees the quotas of the
//! municipalities it covers, never a person. Any other role: nothing. Another
//! organisation's records are "not found".

use crate::{App, AppError, Caller, Result, blank, parse_date};
use jiff::civil::Date;
use nabij_domain::RuleViolation;
use nabij_domain::access::{Purpose, Role};
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_domain::ids::*;
use nabij_domain::labels::Label;
use nabij_domain::outflow::*;
use nabij_domain::page::{Cursor, Page, PageRequest};
use nabij_store::outflow::{NewOffer, QuotaFilter};
use serde::{Deserialize, Serialize};

/// The configurable numbers of this area (`[outflow]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Months of rent paid on time before the criterion "rent paid" can be met.
    pub rent_months: i64,
    /// The maximum stay of a new omklapwoning, unless its own is set.
    pub flip_home_max_stay_months: i64,
    /// Days of aftercare after a flip: the resident's guidance continues this long.
    pub aftercare_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rent_months: DEFAULT_RENT_MONTHS,
            flip_home_max_stay_months: FLIP_HOME_MAX_STAY_MONTHS as i64,
            aftercare_days: DEFAULT_AFTERCARE_DAYS,
        }
    }
}

impl Settings {
    /// The default maximum stay of a new home of this kind, in months.
    pub fn max_stay_months(&self, kind: HomeKind) -> i8 {
        match kind {
            HomeKind::FlipHome => self.flip_home_max_stay_months.clamp(1, MAX_STAY_MONTHS) as i8,
            k => k.default_max_stay_months(),
        }
    }
}

/// A quota with its units in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Quota {
    pub id: QuotaId,
    pub corporation_id: OrganisationId,
    pub corporation_name: String,
    pub municipality_id: MunicipalityId,
    pub municipality_name: String,
    pub year: i16,
    #[serde(flatten)]
    pub units: QuotaUse,
}

impl From<nabij_store::outflow::Quota> for Quota {
    fn from(q: nabij_store::outflow::Quota) -> Self {
        Quota {
            id: q.id,
            corporation_id: q.corporation_id,
            corporation_name: q.corporation_name,
            municipality_id: q.municipality_id,
            municipality_name: q.municipality_name,
            year: q.year,
            units: q.units,
        }
    }
}

/// Who the caller is to this area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seat {
    Coordinator,
    Corporation(i64),
    /// A municipality or social team, by organisation.
    Covering(i64),
}

async fn seat(app: &App, caller: &Caller) -> Result<Seat> {
    if caller.acts_as(Role::Coordinator) {
        return Ok(Seat::Coordinator);
    }
    if caller.role == Role::Partner {
        let (kind, _) = app.db.partner_kind(caller.organisation.0).await?;
        return match kind {
            Some(PartnerKind::HousingCorporation) => Ok(Seat::Corporation(caller.organisation.0)),
            Some(k) if k.covers_municipalities() => Ok(Seat::Covering(caller.organisation.0)),
            _ => Err(AppError::Forbidden(
                "woningaanbod is voor coördinatoren, woningcorporaties en gemeenten".into(),
            )),
        };
    }
    Err(AppError::Forbidden(
        "woningaanbod is voor coördinatoren en ketenpartners".into(),
    ))
}

fn coordinator(caller: &Caller) -> Result<()> {
    if caller.acts_as(Role::Coordinator) {
        Ok(())
    } else {
        Err(AppError::Forbidden("dit doet een coördinator".into()))
    }
}

/// A reference that names no one but stays the same for one person and corporation.
fn pseudonym(person: PersonId, corporation: i64) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in person
        .0
        .to_le_bytes()
        .iter()
        .chain(corporation.to_le_bytes().iter())
    {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("kandidaat {:06X}", h & 0xFF_FFFF)
}

// ---------------------------------------------------------------- quotas

/// The quotas the caller may see, newest year first.
#[tracing::instrument(skip_all)]
pub async fn quotas(app: &App, caller: &Caller, year: Option<i16>) -> Result<Vec<Quota>> {
    let mut f = QuotaFilter {
        provider: caller.provider.0,
        year,
        ..Default::default()
    };
    match seat(app, caller).await? {
        Seat::Coordinator => {}
        Seat::Corporation(c) => f.corporation = Some(c),
        Seat::Covering(p) => f.covered_by = Some(p),
    }
    Ok(app
        .db
        .quotas(&f)
        .await?
        .into_iter()
        .map(Quota::from)
        .collect())
}

/// A quota as set by a coordinator: corporation × municipality × year, and its total.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct QuotaInput {
    pub corporation_id: i64,
    pub municipality_id: i64,
    pub year: i64,
    #[schemars(range(min = 0, max = 10000))]
    pub total: i64,
}

/// Sets a quota (creating it); not below what is already used and reserved.
#[tracing::instrument(skip_all)]
pub async fn set_quota(app: &App, caller: &Caller, input: &QuotaInput) -> Result<Quota> {
    coordinator(caller)?;
    let mut errors = Vec::new();
    corporation_of(app, caller, input.corporation_id, &mut errors).await?;
    if app
        .db
        .municipality(MunicipalityId(input.municipality_id))
        .await
        .is_err()
    {
        errors.push(RuleViolation::new("municipality_id", "kies een gemeente"));
    }
    if !(1900..=2199).contains(&input.year) {
        errors.push(RuleViolation::new(
            "year",
            "kies een jaar tussen 1900 en 2199",
        ));
    }
    if !(0..=MAX_QUOTA).contains(&input.total) {
        errors.push(RuleViolation::new(
            "total",
            format!("een contingent telt 0 tot {MAX_QUOTA} woningen"),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let id = app
        .db
        .set_quota(
            caller.provider.0,
            input.corporation_id,
            MunicipalityId(input.municipality_id),
            input.year as i16,
            input.total,
            &app.actor(caller),
        )
        .await?
        .map_err(AppError::Invalid)?;
    Ok(app.db.quota(id).await?.into())
}

/// The corporation `id` when it is a housing corporation of the caller's network.
async fn corporation_of(
    app: &App,
    caller: &Caller,
    id: i64,
    errors: &mut Vec<RuleViolation>,
) -> Result<()> {
    let ok = match app.db.organisation(id).await {
        Ok(o) if o.provider_id == Some(caller.provider.0) => {
            app.db.partner_kind(id).await?.0 == Some(PartnerKind::HousingCorporation)
        }
        Ok(_) | Err(nabij_store::StoreError::NotFound(_)) => false,
        Err(e) => return Err(e.into()),
    };
    if !ok {
        errors.push(RuleViolation::new(
            "corporation_id",
            "kies een woningcorporatie uit het netwerk",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------- offers

/// A housing offer as the caller may see it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OfferView {
    pub id: OfferId,
    pub corporation_id: i64,
    pub corporation_name: String,
    pub quota_id: QuotaId,
    pub address: String,
    pub municipality_id: MunicipalityId,
    pub municipality_name: String,
    pub neighbourhood_id: Option<NeighbourhoodId>,
    pub rooms: i64,
    pub rent_euros: i64,
    pub accessible: bool,
    /// Pets are allowed in the home.
    pub pets_allowed: bool,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub available_from: Date,
    pub state: OfferState,
    /// The proposed or accepted person: by name for coordinators and under consent for
    /// housing, else a pseudonymous reference.
    pub candidate: Option<String>,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub key_date: Option<Date>,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub moved_on: Option<Date>,
    /// For an accepted offer not yet moved into: whether the move is still to come, due (Nabij
    /// makes it), or overdue (the coordinator records it or postpones the key date).
    pub move_status: Option<KeyDateMove>,
    pub declines: i64,
    /// Only for the access log: the person whose name is shown.
    #[serde(skip)]
    #[schemars(skip)]
    pub shown: Option<PersonId>,
    /// For coordinators: the person and their stay.
    pub person_id: Option<PersonId>,
    pub stay_id: Option<StayId>,
}

async fn view(
    app: &App,
    caller: &Caller,
    seat: Seat,
    o: nabij_store::outflow::Offer,
) -> Result<OfferView> {
    let (candidate, shown, person_id, stay_id) = match (seat, o.person_id) {
        (_, None) => (None, None, None, None),
        (Seat::Coordinator, Some(p)) => (o.person_name.clone(), Some(p), Some(p), o.stay_id),
        (_, Some(p)) => {
            let consent = app
                .db
                .has_consent(
                    p,
                    caller.organisation.0,
                    Purpose::Housing,
                    app.clock.today(),
                )
                .await?;
            if consent {
                (o.person_name.clone(), Some(p), None, None)
            } else {
                (Some(pseudonym(p, o.corporation_id)), None, None, None)
            }
        }
    };
    Ok(OfferView {
        id: o.id,
        corporation_id: o.corporation_id,
        corporation_name: o.corporation_name,
        quota_id: o.quota_id,
        address: o.address,
        municipality_id: o.municipality_id,
        municipality_name: o.municipality_name,
        neighbourhood_id: o.neighbourhood_id,
        rooms: o.rooms,
        rent_euros: o.rent_euros,
        accessible: o.accessible,
        pets_allowed: !o.no_pets,
        available_from: o.available_from,
        state: o.state,
        candidate,
        // No move is pending once the stay ended some other way.
        move_status: match (o.state, o.key_date, o.moved_on, o.stay_running) {
            (OfferState::Accepted, Some(k), None, true) => {
                Some(KeyDateMove::of(k, app.clock.today()))
            }
            _ => None,
        },
        key_date: o.key_date,
        moved_on: o.moved_on,
        declines: o.declines,
        shown,
        person_id,
        stay_id,
    })
}

/// The offer if the caller may see it; else "not found".
async fn visible_offer(
    app: &App,
    caller: &Caller,
    id: OfferId,
) -> Result<(Seat, nabij_store::outflow::Offer)> {
    let s = seat(app, caller).await?;
    let o = match app.db.offer(id).await {
        Ok(o) => o,
        Err(nabij_store::StoreError::NotFound(_)) => return Err(AppError::NotFound("aanbod")),
        Err(e) => return Err(e.into()),
    };
    let ok = o.provider_id == caller.provider.0
        && match s {
            Seat::Coordinator => true,
            Seat::Corporation(c) => o.corporation_id == c,
            Seat::Covering(_) => false,
        };
    if !ok {
        return Err(AppError::NotFound("aanbod"));
    }
    Ok((s, o))
}

/// An offer as a corporation, or a coordinator on its behalf, registers it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OfferInput {
    /// A coordinator names the corporation; a corporation's own users leave it out.
    pub corporation_id: Option<i64>,
    pub quota_id: i64,
    #[schemars(length(min = 1, max = 200))]
    pub address: String,
    pub municipality_id: i64,
    pub neighbourhood_id: Option<i64>,
    #[schemars(range(min = 1, max = 12))]
    pub rooms: i64,
    #[schemars(range(min = 0, max = 10000))]
    pub rent_euros: i64,
    pub accessible: bool,
    /// The home does not allow pets (a household with pets does not fit).
    pub no_pets: bool,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub available_from: String,
}

/// Registers an offer; it reserves a unit of its quota and is refused when none is left.
#[tracing::instrument(skip_all)]
pub async fn register_offer(app: &App, caller: &Caller, input: &OfferInput) -> Result<OfferView> {
    let s = seat(app, caller).await?;
    let mut errors = Vec::new();
    let corporation = match s {
        Seat::Coordinator => {
            let c = input.corporation_id.unwrap_or(0);
            corporation_of(app, caller, c, &mut errors).await?;
            c
        }
        Seat::Corporation(c) => c,
        Seat::Covering(_) => {
            return Err(AppError::Forbidden(
                "woningaanbod registreert een woningcorporatie of een coördinator".into(),
            ));
        }
    };
    let address = input.address.trim();
    if address.is_empty() {
        errors.push(RuleViolation::new("address", "vul het adres in"));
    } else if let Err(e) = nabij_domain::limits::check("address", address, OFFER_ADDRESS) {
        errors.push(e);
    }
    let municipality = MunicipalityId(input.municipality_id);
    if app.db.municipality(municipality).await.is_err() {
        errors.push(RuleViolation::new("municipality_id", "kies de gemeente"));
    }
    let neighbourhood = match input.neighbourhood_id {
        None | Some(0) => None,
        Some(n) => match app.db.neighbourhood(NeighbourhoodId(n)).await {
            Ok(nb) if nb.municipality_id == municipality => Some(NeighbourhoodId(n)),
            _ => {
                errors.push(RuleViolation::new(
                    "neighbourhood_id",
                    "kies een buurt in de gekozen gemeente",
                ));
                None
            }
        },
    };
    if !(1..=MAX_ROOMS).contains(&input.rooms) {
        errors.push(RuleViolation::new(
            "rooms",
            format!("een woning heeft 1 tot {MAX_ROOMS} kamers"),
        ));
    }
    if !(0..=MAX_RENT_EUROS).contains(&input.rent_euros) {
        errors.push(RuleViolation::new(
            "rent_euros",
            format!("de huur ligt tussen 0 en {MAX_RENT_EUROS} euro per maand"),
        ));
    }
    let available_from = match parse_date("available_from", &input.available_from) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    match app.db.quota(QuotaId(input.quota_id)).await {
        Ok(q)
            if q.corporation_id.0 == corporation
                && q.municipality_id == municipality
                && app
                    .db
                    .quotas(&QuotaFilter {
                        provider: caller.provider.0,
                        corporation: Some(corporation),
                        ..Default::default()
                    })
                    .await?
                    .iter()
                    .any(|x| x.id == q.id) =>
        {
            if q.units.left() == 0 && errors.is_empty() {
                errors.push(q.units.reserve().unwrap_err());
            }
        }
        _ => errors.push(RuleViolation::new(
            "quota_id",
            "kies een contingent van deze corporatie in de gemeente van de woning",
        )),
    }
    let Some(available_from) = available_from.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let id = app
        .db
        .register_offer(
            &NewOffer {
                provider: caller.provider.0,
                corporation,
                quota: QuotaId(input.quota_id),
                address: address.to_string(),
                municipality,
                neighbourhood,
                rooms: input.rooms,
                rent_euros: input.rent_euros,
                accessible: input.accessible,
                no_pets: input.no_pets,
                available_from,
            },
            &app.actor(caller),
        )
        .await?
        .map_err(AppError::Invalid)?;
    view(app, caller, s, app.db.offer(id).await?).await
}

/// The paging query of the offer list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OfferQuery {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// One page of the offers the caller may see, newest first, with their exact number.
#[tracing::instrument(skip_all)]
pub async fn offers(app: &App, caller: &Caller, page: &PageRequest) -> Result<Page<OfferView>> {
    let s = seat(app, caller).await?;
    let corporation = match s {
        Seat::Coordinator => None,
        Seat::Corporation(c) => Some(c),
        Seat::Covering(_) => {
            return Err(AppError::Forbidden(
                "een gemeente ziet het contingent en de cijfers, niet de losse woningen".into(),
            ));
        }
    };
    let (rows, total) = app
        .db
        .offers_page(
            caller.provider.0,
            corporation,
            page.after.as_ref().map(|c| c.id),
            page.fetch(),
        )
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for o in rows {
        items.push(view(app, caller, s, o).await?);
    }
    Ok(Page::from_rows(items, page.size, total, |o| {
        Cursor::new("", o.id.0)
    }))
}

/// One answer to an offer, as shown with it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AnswerView {
    pub answer: Answer,
    pub reason: String,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub answered_on: Date,
}

/// An offer with its answers.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OfferDetail {
    pub offer: OfferView,
    pub answers: Vec<AnswerView>,
    /// The changes of the key date after acceptance, oldest first.
    pub key_date_changes: Vec<KeyDateChangeView>,
}

/// One change of an accepted offer's key date.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct KeyDateChangeView {
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub before: Date,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub key_date: Date,
    pub reason: String,
    pub changed_by: String,
    #[schemars(with = "String")]
    pub changed_at: jiff::Timestamp,
}

#[tracing::instrument(skip_all, fields(offer = id.0))]
pub async fn offer(app: &App, caller: &Caller, id: OfferId) -> Result<OfferDetail> {
    let (s, o) = visible_offer(app, caller, id).await?;
    let answers = app
        .db
        .offer_answers(id)
        .await?
        .into_iter()
        .map(|a| AnswerView {
            answer: a.answer,
            reason: a.reason,
            answered_on: a.answered_on,
        })
        .collect();
    let key_date_changes = app
        .db
        .key_date_changes(id)
        .await?
        .into_iter()
        .map(|c| KeyDateChangeView {
            before: c.before,
            key_date: c.key_date,
            reason: c.reason,
            changed_by: c.changed_by,
            changed_at: c.changed_at,
        })
        .collect();
    Ok(OfferDetail {
        offer: view(app, caller, s, o).await?,
        answers,
        key_date_changes,
    })
}

/// A ranked candidate for an offer, for the coordinator.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CandidateView {
    #[serde(flatten)]
    pub candidate: Candidate,
    pub person_name: String,
    pub stay_id: StayId,
}

/// The people ready to move on, ranked for one open offer, each with its Dutch sentence.
#[tracing::instrument(skip_all, fields(offer = id.0))]
pub async fn candidates(app: &App, caller: &Caller, id: OfferId) -> Result<Vec<CandidateView>> {
    coordinator(caller)?;
    let (_, o) = visible_offer(app, caller, id).await?;
    let ready = app.db.ready_to_move_on(caller.provider.0).await?;
    let persons: Vec<ReadyPerson> = ready.iter().map(|r| r.ready.clone()).collect();
    let ranked = rank_ready(&o.home(), &persons, app.clock.today());
    let by_person: std::collections::HashMap<PersonId, &nabij_store::outflow::ReadyStay> =
        ready.iter().map(|r| (r.ready.person, r)).collect();
    Ok(ranked
        .into_iter()
        .map(|c| {
            let r = by_person[&c.person_id];
            CandidateView {
                person_name: r.person_name.clone(),
                stay_id: r.stay,
                candidate: c,
            }
        })
        .collect())
}

/// The person a coordinator proposes for an offer.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MatchInput {
    pub person_id: i64,
}

/// Proposes one ready person whose household fits; the offer is then `proposed`.
#[tracing::instrument(skip_all, fields(offer = id.0))]
pub async fn propose(
    app: &App,
    caller: &Caller,
    id: OfferId,
    input: &MatchInput,
) -> Result<OfferView> {
    coordinator(caller)?;
    let (s, o) = visible_offer(app, caller, id).await?;
    if o.state != OfferState::Open {
        return Err(AppError::Conflict(
            "dit aanbod is al voorgesteld, geaccepteerd of ingetrokken".into(),
        ));
    }
    let ready = app.db.ready_to_move_on(caller.provider.0).await?;
    let person = PersonId(input.person_id);
    let found = ready.iter().find(|r| r.ready.person == person);
    check_match(&o.home(), found.map(|r| &r.ready))?;
    let stay = found.map(|r| r.stay).expect("checked above");
    app.db
        .propose_offer(id, person, stay, app.clock.today(), &app.actor(caller))
        .await?
        .map_err(AppError::Invalid)?;
    view(app, caller, s, app.db.offer(id).await?).await
}

/// The start of the stay an offer was proposed for, which a key date may not precede.
async fn stay_start(app: &App, o: &nabij_store::outflow::Offer) -> Result<Option<Date>> {
    Ok(match o.stay_id {
        Some(stay) => Some(app.db.stay(stay).await?.start),
        None => None,
    })
}

/// The person's answer, recorded by the coordinator.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AnswerInput {
    #[schemars(with = "nabij_domain::outflow::Answer")]
    pub answer: String,
    /// Why (required for a decline).
    #[schemars(length(max = 1000))]
    pub reason: String,
    /// The key date, for an acceptance.
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub key_date: Option<String>,
}

/// Accept (with the key date: the unit is used in that year, and on the key date the stay
/// ends with destination own rented home) or decline (with a reason: the offer returns to
/// matching, the person stays ready).
#[tracing::instrument(skip_all, fields(offer = id.0))]
pub async fn answer(
    app: &App,
    caller: &Caller,
    id: OfferId,
    input: &AnswerInput,
) -> Result<OfferView> {
    coordinator(caller)?;
    let (s, o) = visible_offer(app, caller, id).await?;
    let today = app.clock.today();
    let mut errors = Vec::new();
    let answer = Answer::parse(&input.answer);
    if answer.is_none() {
        errors.push(RuleViolation::new(
            "answer",
            "kies geaccepteerd of geweigerd",
        ));
    }
    let reason = input.reason.trim();
    if let Err(e) = nabij_domain::limits::check("reason", reason, ANSWER_REASON) {
        errors.push(e);
    }
    if answer == Some(Answer::Declined) && reason.chars().count() < 3 {
        errors.push(RuleViolation::new(
            "reason",
            "vul in waarom de woning geweigerd is",
        ));
    }
    let key_date = match (answer, blank(&input.key_date)) {
        (Some(Answer::Accepted), None) => {
            errors.push(RuleViolation::new(
                "key_date",
                "vul de datum van de sleuteloverdracht in",
            ));
            None
        }
        (Some(Answer::Accepted), Some(k)) => {
            let stay_start = stay_start(app, &o).await?;
            crate::take(
                &mut errors,
                parse_date("key_date", k).and_then(|d| {
                    check_key_date(d, o.available_from, stay_start, today).map(|_| d)
                }),
            )
        }
        _ => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if o.state != OfferState::Proposed {
        return Err(AppError::Conflict(
            "dit aanbod is niet aan iemand voorgesteld".into(),
        ));
    }
    let actor = app.actor(caller);
    match (answer, key_date) {
        (Some(Answer::Accepted), Some(k)) => {
            app.db
                .accept_offer(id, k, today, reason, &actor)
                .await?
                .map_err(AppError::Invalid)?;
        }
        _ => app.db.decline_offer(id, reason, today, &actor).await?,
    }
    view(app, caller, s, app.db.offer(id).await?).await
}

/// The move on the key date of an accepted offer, recorded by the coordinator from the key
/// date on: the stay ends on the key date, own rented home, and its guidance with it. (From
/// the day after the key date Nabij makes the move itself: [`make_due_moves`].)
#[tracing::instrument(skip_all, fields(offer = id.0))]
pub async fn move_in(app: &App, caller: &Caller, id: OfferId) -> Result<OfferView> {
    coordinator(caller)?;
    let (s, _) = visible_offer(app, caller, id).await?;
    let today = app.clock.today();
    app.db
        .move_into_offer(id, today, &app.actor(caller))
        .await?
        .map_err(AppError::Invalid)?;
    view(app, caller, s, app.db.offer(id).await?).await
}

/// A new key date for an accepted offer whose handover slipped.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct KeyDateInput {
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub key_date: String,
    /// Why the key date changes.
    #[schemars(length(min = 3, max = 1000))]
    pub reason: String,
}

/// Postpones the key date of an accepted offer not yet moved into, while its stay runs: the
/// coordinator, or the corporation that hands over the key (the coordinators with an
/// address then get a notice); only the coordinator brings it forward. Until the move is made the stay runs on; the unit moves to the quota of the new
/// key date's year.
#[tracing::instrument(skip_all, fields(offer = id.0))]
pub async fn change_key_date(
    app: &App,
    caller: &Caller,
    id: OfferId,
    input: &KeyDateInput,
) -> Result<OfferView> {
    let (s, o) = visible_offer(app, caller, id).await?;
    let (OfferState::Accepted, Some(current), None) = (o.state, o.key_date, o.moved_on) else {
        return Err(AppError::Conflict(
            "alleen de sleuteldatum van een geaccepteerd aanbod waarin nog niet verhuisd is".into(),
        ));
    };
    if !o.stay_running {
        return Err(AppError::Conflict(
            "het verblijf is al beëindigd; de sleuteldatum verandert niet meer".into(),
        ));
    }
    let today = app.clock.today();
    let mut errors = Vec::new();
    let reason = input.reason.trim();
    if reason.chars().count() < 3 {
        errors.push(RuleViolation::new(
            "reason",
            "vul in waarom de sleuteldatum verandert",
        ));
    } else if let Err(e) = nabij_domain::limits::check("reason", reason, ANSWER_REASON) {
        errors.push(e);
    }
    let stay_start = stay_start(app, &o).await?;
    let new = crate::take(&mut errors, parse_date("key_date", &input.key_date));
    if let Some(new) = new {
        if let Err(e) = check_new_key_date(new, current, o.available_from, stay_start, today) {
            errors.push(e);
        } else if new < current && !caller.acts_as(Role::Coordinator) {
            // An earlier key date brings the end of the stay closer: the coordinator's call.
            errors.push(RuleViolation::new(
                "key_date",
                "een corporatie verzet de sleuteldatum alleen naar later; vervroegen doet de coördinator",
            ));
        }
    }
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    app.db
        .change_key_date(id, new, reason, &app.actor(caller))
        .await?
        .map_err(AppError::Invalid)?;
    // The coordinators hear of a key date the corporation moved: the stay runs on longer.
    if !caller.acts_as(Role::Coordinator)
        && let Some(outbox) = &app.outbox
    {
        match crate::mail::coordinator_emails(app, caller.provider.0).await {
            Ok(to) => {
                let link = outbox.offer_link(id.0);
                for address in &to {
                    outbox.queue(crate::mail::key_date_changed(address, &link));
                }
            }
            Err(e) => tracing::warn!(error = %e, "no notices of a changed key date"),
        }
    }
    view(app, caller, s, app.db.offer(id).await?).await
}

/// Cancels the acceptance of an offer not yet moved into, with the reason (the coordinator,
/// who records the person's answers): the offer returns to matching, the person stays
/// ready, and no move will be made.
#[tracing::instrument(skip_all, fields(offer = id.0))]
pub async fn cancel_acceptance(
    app: &App,
    caller: &Caller,
    id: OfferId,
    input: &WithdrawInput,
) -> Result<OfferView> {
    coordinator(caller)?;
    let (s, _) = visible_offer(app, caller, id).await?;
    let reason = input.reason.trim();
    if reason.chars().count() < 3 {
        return Err(AppError::invalid(
            "reason",
            "vul in waarom de acceptatie vervalt",
        ));
    }
    nabij_domain::limits::check("reason", reason, ANSWER_REASON)?;
    app.db
        .cancel_acceptance(id, reason, app.clock.today(), &app.actor(caller))
        .await?;
    view(app, caller, s, app.db.offer(id).await?).await
}

/// Makes the moves that are due: for every accepted offer whose key date passed (up to
/// [`MOVE_CATCH_UP_DAYS`] ago) and whose stay still runs, the stay ends on the key date with
/// destination own rented home, and its guidance with it, logged as done by the system. A
/// key date further back is left to the coordinator. Answers the offers moved into.
#[tracing::instrument(skip_all)]
pub async fn make_due_moves(app: &App) -> Result<Vec<OfferId>> {
    let today = app.clock.today();
    let (from, to) = KeyDateMove::due_between(today);
    let mut moved = Vec::new();
    for id in app.db.offers_to_move(from, to).await? {
        let actor =
            nabij_store::audit::Actor::system("verhuizing op de sleuteldatum", app.clock.now());
        // One offer that cannot move (it changed meanwhile) does not hold up the others.
        match app.db.move_into_offer(id, today, &actor).await {
            Ok(Ok(())) => moved.push(id),
            Ok(Err(e)) => tracing::warn!(offer = id.0, ?e, "move on the key date refused"),
            Err(e) => tracing::warn!(offer = id.0, error = %e, "move on the key date failed"),
        }
    }
    if !moved.is_empty() {
        tracing::info!(count = moved.len(), "moves made on the key date");
    }
    Ok(moved)
}

/// Why an offer is withdrawn.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct WithdrawInput {
    #[schemars(length(min = 1, max = 1000))]
    pub reason: String,
}

/// Withdraws an open or proposed offer (coordinator or the corporation); its unit is
/// released.
#[tracing::instrument(skip_all, fields(offer = id.0))]
pub async fn withdraw(
    app: &App,
    caller: &Caller,
    id: OfferId,
    input: &WithdrawInput,
) -> Result<OfferView> {
    let (s, _) = visible_offer(app, caller, id).await?;
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "vul in waarom het aanbod vervalt",
        ));
    }
    nabij_domain::limits::check("reason", reason, ANSWER_REASON)?;
    app.db
        .withdraw_offer(id, reason, &app.actor(caller))
        .await?;
    view(app, caller, s, app.db.offer(id).await?).await
}

// ---------------------------------------------------------------- the lease flip

/// An omklapwoning's flip as the caller may see it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FlipView {
    pub id: FlipId,
    pub home_id: HomeId,
    pub home_name: String,
    pub address: String,
    pub municipality_name: String,
    pub corporation_id: i64,
    pub corporation_name: String,
    pub state: FlipState,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub requested_on: Date,
    /// By name for coordinators and under consent for housing; else a reference.
    pub resident: Option<String>,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub usage_from: Option<Date>,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub review_started_on: Option<Date>,
    pub criteria: Vec<CriterionRecord>,
    pub missing: Vec<Criterion>,
    pub reviews_failed: i64,
    #[schemars(with = "Option<nabij_domain::schema::IsoDate>")]
    pub flipped_on: Option<Date>,
    pub replaces: Option<FlipId>,
    #[serde(skip)]
    #[schemars(skip)]
    pub shown: Option<PersonId>,
    pub person_id: Option<PersonId>,
    pub stay_id: Option<StayId>,
}

async fn flip_view(
    app: &App,
    caller: &Caller,
    s: Seat,
    f: nabij_store::outflow::FlipRow,
) -> Result<FlipView> {
    let (resident, shown, person_id, stay_id) = match (s, f.flip.resident) {
        (_, None) => (None, None, None, None),
        (Seat::Coordinator, Some(p)) => (f.resident_name.clone(), Some(p), Some(p), f.stay_id),
        (_, Some(p)) => {
            if app
                .db
                .has_consent(
                    p,
                    caller.organisation.0,
                    Purpose::Housing,
                    app.clock.today(),
                )
                .await?
            {
                (f.resident_name.clone(), Some(p), None, None)
            } else {
                (Some(pseudonym(p, f.corporation_id)), None, None, None)
            }
        }
    };
    Ok(FlipView {
        id: f.id,
        home_id: f.home_id,
        home_name: f.home_name,
        address: f.address,
        municipality_name: f.municipality_name,
        corporation_id: f.corporation_id,
        corporation_name: f.corporation_name,
        state: f.flip.state,
        requested_on: f.requested_on,
        resident,
        usage_from: f.flip.usage_from,
        review_started_on: f.flip.review_started_on,
        missing: if f.flip.state == FlipState::FlipReview {
            f.flip.missing()
        } else {
            Vec::new()
        },
        criteria: f.flip.criteria,
        reviews_failed: f.flip.reviews_failed,
        flipped_on: f.flip.flipped_on,
        replaces: f.replaces,
        shown,
        person_id,
        stay_id,
    })
}

async fn visible_flip(
    app: &App,
    caller: &Caller,
    id: FlipId,
) -> Result<(Seat, nabij_store::outflow::FlipRow)> {
    let s = seat(app, caller).await?;
    let f = match app.db.flip(id).await {
        Ok(f) => f,
        Err(nabij_store::StoreError::NotFound(_)) => {
            return Err(AppError::NotFound("omklapwoning"));
        }
        Err(e) => return Err(e.into()),
    };
    let ok = f.provider_id == caller.provider.0
        && match s {
            Seat::Coordinator => true,
            Seat::Corporation(c) => f.corporation_id == c,
            Seat::Covering(_) => false,
        };
    if !ok {
        return Err(AppError::NotFound("omklapwoning"));
    }
    Ok((s, f))
}

/// The omklap homes the caller may see.
#[tracing::instrument(skip_all)]
pub async fn flips(app: &App, caller: &Caller) -> Result<Vec<FlipView>> {
    let s = seat(app, caller).await?;
    let corporation = match s {
        Seat::Coordinator => None,
        Seat::Corporation(c) => Some(c),
        Seat::Covering(_) => {
            return Err(AppError::Forbidden(
                "omklapwoningen zien de corporatie en de coördinatoren".into(),
            ));
        }
    };
    let rows = app.db.flips(caller.provider.0, corporation).await?;
    let mut out = Vec::with_capacity(rows.len());
    for f in rows {
        out.push(flip_view(app, caller, s, f).await?);
    }
    Ok(out)
}

/// One recorded step of a flip.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FlipEventView {
    pub what: String,
    pub criterion: Option<Criterion>,
    pub met: Option<bool>,
    pub note: String,
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub on: Date,
    pub recorded_by: String,
}

/// A flip with every recorded step.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FlipDetail {
    pub flip: FlipView,
    pub events: Vec<FlipEventView>,
}

#[tracing::instrument(skip_all, fields(flip = id.0))]
pub async fn flip(app: &App, caller: &Caller, id: FlipId) -> Result<FlipDetail> {
    let (s, f) = visible_flip(app, caller, id).await?;
    let events = app
        .db
        .flip_events(id)
        .await?
        .into_iter()
        .map(|e| FlipEventView {
            what: e.what,
            criterion: e.criterion,
            met: e.met,
            note: e.note,
            on: e.on,
            recorded_by: e.recorded_by,
        })
        .collect();
    Ok(FlipDetail {
        flip: flip_view(app, caller, s, f).await?,
        events,
    })
}

/// A house a corporation offers for use as omklapwoning.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FlipRequestInput {
    /// A coordinator names the corporation; its own users leave it out.
    pub corporation_id: Option<i64>,
    #[schemars(length(min = 1, max = 120))]
    pub name: String,
    #[schemars(length(min = 1, max = 200))]
    pub address: String,
    pub neighbourhood_id: i64,
    /// The date the organisation can take the lease.
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub from: String,
    pub accessible: bool,
}

/// Requests an omklapwoning: the home enters the stock (one place, maximum stay of the
/// omklap kind) and its flip is `requested`.
#[tracing::instrument(skip_all)]
pub async fn request_flip(
    app: &App,
    caller: &Caller,
    input: &FlipRequestInput,
) -> Result<FlipView> {
    request(app, caller, input, None).await
}

async fn request(
    app: &App,
    caller: &Caller,
    input: &FlipRequestInput,
    replaces: Option<FlipId>,
) -> Result<FlipView> {
    let s = seat(app, caller).await?;
    let mut errors = Vec::new();
    let corporation = match s {
        Seat::Coordinator => {
            let c = input.corporation_id.unwrap_or(0);
            corporation_of(app, caller, c, &mut errors).await?;
            c
        }
        Seat::Corporation(c) => c,
        Seat::Covering(_) => {
            return Err(AppError::Forbidden(
                "een omklapwoning vraagt een corporatie of een coördinator aan".into(),
            ));
        }
    };
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(RuleViolation::new("name", "geef het huis een naam"));
    } else if let Err(e) =
        nabij_domain::limits::check("name", name, nabij_domain::limits::HOME_NAME)
    {
        errors.push(e);
    }
    let address = input.address.trim();
    if address.is_empty() {
        errors.push(RuleViolation::new("address", "vul het adres in"));
    } else if let Err(e) =
        nabij_domain::limits::check("address", address, nabij_domain::limits::ADDRESS)
    {
        errors.push(e);
    }
    let nb = app
        .db
        .neighbourhood(NeighbourhoodId(input.neighbourhood_id))
        .await;
    if nb.is_err() {
        errors.push(RuleViolation::new("neighbourhood_id", "kies de buurt"));
    }
    let from = match parse_date("from", &input.from) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let (Some(from), Ok(nb)) = (from, nb) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let corp_name = app.db.organisation(corporation).await?.name;
    let now = app.clock.now();
    let home = app
        .db
        .create_home(
            &nabij_store::homes::NewHome {
                organisation_id: caller.provider.0,
                name: name.to_string(),
                kind: HomeKind::FlipHome,
                address: address.to_string(),
                neighbourhood: nb.id,
                point: None,
                rules: HouseRules {
                    accessible: input.accessible,
                    ..HouseRules::default()
                },
                max_stay_months: app.outflow.max_stay_months(HomeKind::FlipHome),
                landlord: Some(corp_name),
                places: 1,
                opened_on: Some(from),
            },
            now,
        )
        .await?;
    app.db
        .record_home_opened(home, from, &caller.on_behalf_of, now)
        .await?;
    let id = app
        .db
        .request_flip(
            home,
            caller.provider.0,
            corporation,
            app.clock.today(),
            replaces,
            &app.actor(caller),
        )
        .await?;
    flip_view(app, caller, s, app.db.flip(id).await?).await
}

/// One step of the lease flip.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FlipStepInput {
    /// `in_use`, `flip_review`, `criterion`, `review_failed` or `flipped`.
    pub step: String,
    /// For `in_use`: the resident (with a running stay in this home).
    pub person_id: Option<i64>,
    /// The date of the step (usage from, review start, criterion, flip).
    #[schemars(with = "nabij_domain::schema::IsoDate")]
    pub on: String,
    #[schemars(with = "Option<nabij_domain::outflow::Criterion>")]
    pub criterion: Option<String>,
    pub met: Option<bool>,
    #[schemars(length(max = 500))]
    pub note: Option<String>,
    /// For `review_failed`: why.
    #[schemars(length(max = 1000))]
    pub reasons: Option<String>,
}

/// Moves a flip one step through the state machine of `domain::outflow::Flip`. An illegal
/// step, or a flip with a criterion missing, is refused and nothing is written. A flip
/// ends the resident's stay (own lease via omklap) and closes the home from that date.
/// A corporation may record only its own agreement.
#[tracing::instrument(skip_all, fields(flip = id.0))]
pub async fn flip_step(
    app: &App,
    caller: &Caller,
    id: FlipId,
    input: &FlipStepInput,
) -> Result<FlipView> {
    let (s, f) = visible_flip(app, caller, id).await?;
    let today = app.clock.today();
    let on = parse_date("on", &input.on)?;
    if on > today {
        return Err(AppError::invalid(
            "on",
            "leg een stap vast op of na de dag zelf, niet vooruit",
        ));
    }
    let by = caller.on_behalf_of.clone();
    let mut stay = None;
    let action = match input.step.as_str() {
        "in_use" => {
            let person = PersonId(input.person_id.unwrap_or(0));
            stay = app.db.running_stay_in(person, f.home_id).await?;
            if stay.is_none() {
                return Err(AppError::invalid(
                    "person_id",
                    "kies de bewoner die in dit huis verblijft",
                ));
            }
            FlipAction::StartUse {
                resident: person,
                from: on,
            }
        }
        "flip_review" => FlipAction::StartReview { on },
        "criterion" => {
            let Some(c) = input.criterion.as_deref().and_then(Criterion::parse) else {
                return Err(AppError::invalid("criterion", "kies een criterium"));
            };
            if c == Criterion::RentPaid && input.met.unwrap_or(false) {
                check_rent_paid(f.flip.usage_from, on, app.outflow.rent_months)
                    .map_err(|e| AppError::Invalid(vec![e]))?;
            }
            FlipAction::Record(CriterionRecord {
                criterion: c,
                met: input.met.unwrap_or(false),
                recorded_on: on,
                recorded_by: by,
                note: input.note.clone().unwrap_or_default().trim().to_string(),
            })
        }
        "review_failed" => FlipAction::ReviewFailed {
            on,
            reasons: input.reasons.clone().unwrap_or_default(),
        },
        "flipped" => FlipAction::Flip { on },
        _ => {
            return Err(AppError::invalid(
                "step",
                "kies in gebruik, beoordeling, criterium, beoordeling niet geslaagd of omgeklapt",
            ));
        }
    };
    match (s, &action) {
        (Seat::Coordinator, _) => {}
        (Seat::Corporation(_), FlipAction::Record(c))
            if c.criterion == Criterion::CorporationAgrees => {}
        _ => {
            return Err(AppError::Forbidden(
                "de corporatie legt alleen haar eigen akkoord vast".into(),
            ));
        }
    }
    let (next, effects) = f.flip.apply(&action)?;
    // After a flip the resident stays in the same house: guidance runs on as aftercare.
    let aftercare_until = match (&action, app.outflow.aftercare_days) {
        (FlipAction::Flip { on }, days) if days > 0 => {
            Some(on.saturating_add(jiff::ToSpan::days(days)))
        }
        _ => None,
    };
    app.db
        .apply_flip(
            id,
            f.flip.state,
            &next,
            &action,
            &effects,
            stay,
            aftercare_until,
            &app.actor(caller),
        )
        .await?
        .map_err(AppError::Invalid)?;
    flip_view(app, caller, s, app.db.flip(id).await?).await
}

/// After a flip, a replacement home in one step: the same corporation, the same
/// neighbourhood unless another is given.
#[tracing::instrument(skip_all, fields(flip = id.0))]
pub async fn request_replacement(
    app: &App,
    caller: &Caller,
    id: FlipId,
    input: &FlipRequestInput,
) -> Result<FlipView> {
    let (_, f) = visible_flip(app, caller, id).await?;
    if f.flip.state != FlipState::Flipped {
        return Err(AppError::Conflict(
            "een vervangende woning vraag je aan na de omklap".into(),
        ));
    }
    let home = app.db.home(f.home_id).await?;
    let mut input = input.clone();
    if input.neighbourhood_id == 0 {
        input.neighbourhood_id = home.neighbourhood_id.0;
    }
    if input.corporation_id.is_none() {
        input.corporation_id = Some(f.corporation_id);
    }
    request(app, caller, &input, Some(id)).await
}

// ---------------------------------------------------------------- figures

/// The chain and outflow figures of a period, per municipality: for a municipality or
/// social team over the municipalities it covers, with the recovery of the persons from
/// them and every count below 5 shown as "<5" (also in the CSV); for coordinators and
/// administrators over the whole organisation, as the internal report.
pub struct ChainFigures {
    pub tables: Vec<nabij_domain::table::Table>,
    /// The municipalities the figures cover, by name (empty for the whole organisation).
    pub covered: Vec<String>,
    pub suppressed: bool,
}

/// The period of the figures: `from` up to, not including, `to`; at most five years.
pub fn figure_period(from: Option<&str>, to: Option<&str>, today: Date) -> Result<(Date, Date)> {
    let to = match to.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_date("tot", s)?,
        None => today.tomorrow().unwrap_or(today),
    };
    let from = match from.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_date("van", s)?,
        None => to.saturating_sub(jiff::Span::new().years(1)),
    };
    if from >= to {
        return Err(AppError::invalid(
            "van",
            "het begin ligt niet vóór het einde",
        ));
    }
    if to > from.saturating_add(jiff::Span::new().years(5)) {
        return Err(AppError::invalid(
            "tot",
            "kies een periode van hoogstens vijf jaar",
        ));
    }
    Ok((from, to))
}

#[tracing::instrument(skip_all)]
pub async fn chain_figures(
    app: &App,
    caller: &Caller,
    from: Date,
    to: Date,
) -> Result<ChainFigures> {
    use nabij_domain::stay::{Destination, DestinationClass};
    use nabij_domain::table::{Cell, Table};
    let (partner, covered) = if caller.acts_as(Role::Coordinator) || caller.role == Role::Admin {
        (None, Vec::new())
    } else if caller.role == Role::Partner {
        let (_, ms) = app.db.partner_kind(caller.organisation.0).await?;
        let mut names = Vec::new();
        for m in &ms {
            names.push(app.db.municipality(*m).await?.name);
        }
        (Some(caller.organisation.0), names)
    } else {
        return Err(AppError::Forbidden(
            "deze cijfers zijn voor de keten".into(),
        ));
    };
    let (rows, reasons) = app
        .db
        .chain_figures(
            nabij_store::outflow::ChainScope {
                provider: caller.provider.0,
                partner,
                outflow_only: false,
            },
            from,
            to,
        )
        .await?;
    let mut chain = Table::new(
        "keten",
        "Aanmeldingen, plaatsingen en verblijven",
        &[
            "Gemeente",
            "Aanmeldingen",
            "Plaatsingen",
            "In eigen gemeente",
            "Geen plek in eigen gebied",
            "Lopende verblijven",
        ],
    );
    let classes = [
        DestinationClass::Permanent,
        DestinationClass::Institutional,
        DestinationClass::Temporary,
        DestinationClass::HomelessOrUnknown,
        DestinationClass::Deceased,
    ];
    let mut exit_cols = vec!["Gemeente"];
    exit_cols.extend(classes.iter().map(|c| c.label()));
    let mut exits = Table::new("vertrek", "Vertrek naar soort bestemming", &exit_cols);
    let mut waiting = Table::new(
        "wachten",
        "Wachten op een woning (van uitstroomklaar tot vertrek)",
        &[
            "Gemeente",
            "Vertrokken na wachten",
            "Mediaan dagen gewacht",
            "Wacht nu",
            "Mediaan dagen tot nu",
        ],
    );
    let mut outflow = Table::new(
        "uitstroom",
        "Woningaanbod, contingent en omklap",
        &[
            "Gemeente",
            "Contingent",
            "Gebruikt",
            "Gereserveerd",
            "Aanbod gedaan",
            "Geaccepteerd",
            "Geweigerd",
            "Omgeklapt",
            "Gemiddeld dagen tot omklap",
            "Beoordelingen niet geslaagd",
        ],
    );
    for r in &rows {
        let name = Cell::text(r.municipality_name.clone());
        chain.push(vec![
            name.clone(),
            Cell::count(r.referrals),
            Cell::count(r.placements),
            Cell::share(r.placements_own_municipality, r.placements),
            Cell::count(r.no_place),
            Cell::count(r.running_stays),
        ]);
        let mut row = vec![name.clone()];
        for c in classes {
            let n: i64 = r
                .exits
                .iter()
                .filter(|(d, _)| Destination::parse(d).map(|d| d.class()) == Some(c))
                .map(|(_, n)| n)
                .sum();
            row.push(Cell::count(n));
        }
        exits.push(row);
        let mean = |sum: i64, n: i64| (n > 0).then(|| sum as f64 / n as f64);
        waiting.push(vec![
            name.clone(),
            Cell::count(r.waited_exits),
            Cell::figure(r.waited_median, r.waited_exits, 0),
            Cell::count(r.waiting_now),
            Cell::figure(r.waiting_now_median, r.waiting_now, 0),
        ]);
        outflow.push(vec![
            name,
            Cell::count(r.quota_total),
            Cell::count(r.quota_used),
            Cell::count(r.quota_reserved),
            Cell::count(r.offers_made),
            Cell::count(r.offers_accepted),
            Cell::count(r.offers_declined),
            Cell::count(r.flips),
            Cell::figure(mean(r.flip_days, r.flips), r.flips, 0),
            Cell::count(r.reviews_failed),
        ]);
    }
    let mut declined = Table::new(
        "weigerredenen",
        "Redenen van weigeren (de 20 meest gegeven)",
        &["Reden", "Aantal"],
    );
    for (reason, n) in reasons {
        declined.push(vec![Cell::text(reason), Cell::count(n)]);
    }
    let suppressed = partner.is_some();
    let mut tables = vec![chain, exits, waiting, outflow];
    // Free-text reasons could name someone: partners get the numbers only.
    if !suppressed {
        tables.push(declined);
    }
    // Recovery of the persons whose own municipality the partner covers; coordinators
    // have it on the recovery report.
    if let Some(partner) = partner {
        let period = nabij_domain::period::Period {
            from,
            to: to.yesterday().unwrap_or(from),
        };
        let recovery =
            crate::guidance::covered_recovery(app, caller.provider.0, partner, &period).await?;
        tables.extend(crate::guidance::covered_recovery_tables(&recovery));
    }
    if suppressed {
        tables = tables.iter().map(|t| t.suppressed()).collect();
    }
    Ok(ChainFigures {
        tables,
        covered,
        suppressed,
    })
}

/// The outflow measures of a period in a few lines, for the report's summary: lease
/// flips, offers and their answers, quota use, waiting for housing (for all and per
/// municipality, the most waited first). `municipality` narrows it to one.
#[derive(Debug, Clone)]
pub struct ChainSummary {
    /// (measure, value) in Dutch.
    pub lines: Vec<(&'static str, String)>,
    /// (municipality, exits after a wait, median days waited), at most `per_municipality`.
    pub waiting: Vec<(String, i64, Option<f64>)>,
    /// How many municipalities had exits after a wait.
    pub waiting_municipalities: usize,
    /// The most given reasons to decline, with how often.
    pub reasons: Vec<(String, i64)>,
}

#[tracing::instrument(skip_all)]
pub async fn chain_summary(
    app: &App,
    caller: &Caller,
    from: Date,
    to: Date,
    municipality: Option<i64>,
    per_municipality: usize,
) -> Result<ChainSummary> {
    if !(caller.acts_as(Role::Coordinator) || caller.role == Role::Admin) {
        return Err(AppError::Forbidden(
            "deze cijfers zijn voor coördinatoren en beheerders".into(),
        ));
    }
    // Kept like the reports: the revision counts every change to the rows read here (0046).
    let key = format!(
        "{}|{from}|{to}|{municipality:?}|{per_municipality}|{}",
        caller.provider.0,
        app.clock.today()
    );
    crate::reports::kept_or_computed(
        app,
        &app.report_cache.chain,
        key,
        chain_summary_computed(app, caller, from, to, municipality, per_municipality),
    )
    .await
}

async fn chain_summary_computed(
    app: &App,
    caller: &Caller,
    from: Date,
    to: Date,
    municipality: Option<i64>,
    per_municipality: usize,
) -> Result<ChainSummary> {
    let (rows, reasons) = app
        .db
        .chain_figures(
            nabij_store::outflow::ChainScope {
                provider: caller.provider.0,
                partner: None,
                outflow_only: true,
            },
            from,
            to,
        )
        .await?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| municipality.is_none_or(|m| r.municipality_id == m))
        .collect();
    let sum = |f: fn(&nabij_store::outflow::ChainFigures) -> i64| rows.iter().map(f).sum::<i64>();
    let flips = sum(|r| r.flips);
    let flip_days = sum(|r| r.flip_days);
    let mut hist: std::collections::BTreeMap<i64, i64> = Default::default();
    for r in &rows {
        for (d, n) in &r.waited_days {
            *hist.entry(*d).or_default() += n;
        }
    }
    let hist: Vec<(i64, i64)> = hist.into_iter().collect();
    let waited = hist.iter().map(|(_, n)| n).sum::<i64>();
    let days = |v: Option<f64>| v.map_or("—".to_string(), |d| format!("{d:.0} dagen"));
    let lines = vec![
        ("Omklappen", flips.to_string()),
        (
            "Gemiddelde tijd tot omklap (van gebruiksovereenkomst)",
            days((flips > 0).then(|| flip_days as f64 / flips as f64)),
        ),
        (
            "Beoordelingen niet geslaagd",
            sum(|r| r.reviews_failed).to_string(),
        ),
        ("Aanbod gedaan", sum(|r| r.offers_made).to_string()),
        (
            "Aanbod geaccepteerd",
            sum(|r| r.offers_accepted).to_string(),
        ),
        ("Aanbod geweigerd", sum(|r| r.offers_declined).to_string()),
        (
            "Contingent: gebruikt en gereserveerd van totaal",
            format!(
                "{} + {} van {}",
                sum(|r| r.quota_used),
                sum(|r| r.quota_reserved),
                sum(|r| r.quota_total)
            ),
        ),
        ("Vertrokken na wachten op een woning", waited.to_string()),
        (
            "Wachten op een woning (mediaan, uitstroomklaar tot vertrek)",
            days(median_of_counts(&hist)),
        ),
    ];
    let mut waiting: Vec<_> = rows
        .iter()
        .filter(|r| r.waited_exits > 0)
        .map(|r| (r.municipality_name.clone(), r.waited_exits, r.waited_median))
        .collect();
    let waiting_municipalities = waiting.len();
    waiting.sort_by(|a, b| {
        b.2.unwrap_or(0.0)
            .total_cmp(&a.2.unwrap_or(0.0))
            .then_with(|| a.0.cmp(&b.0))
    });
    waiting.truncate(per_municipality);
    Ok(ChainSummary {
        lines,
        waiting,
        waiting_municipalities,
        reasons: if municipality.is_some() {
            Vec::new()
        } else {
            reasons.into_iter().take(5).collect()
        },
    })
}

/// Offers and flips are the outflow supply only over a history this long…
const MIN_SUPPLY_DAYS: i64 = 180;
/// …with at least this many of them; else the estimate from exits stays.
const MIN_SUPPLY_RECORDS: u64 = 10;

/// The planner's calibration with the outflow supply read from real offers and lease flips,
/// over the period since the first was recorded, where the history has enough of them
/// (half a year, ten homes); else the estimate from exits after a wait stays.
pub(crate) async fn with_offer_supply(
    app: &App,
    provider: i64,
    municipalities: &[MunicipalityId],
    today: Date,
    cal: nabij_planner::calibrate::Calibration,
) -> Result<nabij_planner::calibrate::Calibration> {
    let Some(first) = app.db.first_outflow_record(provider).await? else {
        return Ok(cal);
    };
    let to = today.tomorrow().unwrap_or(today);
    let days = nabij_domain::stay::days_between(first, to);
    if days < MIN_SUPPLY_DAYS {
        return Ok(cal);
    }
    let mut per: std::collections::HashMap<MunicipalityId, u64> = Default::default();
    for (m, n) in app.db.outflow_supply(provider, first, to).await? {
        *per.entry(m).or_default() += u64::try_from(n).unwrap_or(0);
    }
    if per.values().sum::<u64>() < MIN_SUPPLY_RECORDS {
        return Ok(cal);
    }
    let offered: Vec<u64> = municipalities
        .iter()
        .map(|m| per.get(m).copied().unwrap_or(0))
        .collect();
    Ok(cal.with_offers(&offered, days))
}
