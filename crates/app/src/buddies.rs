//! Buddies (maatjes): the registry, residents' wishes, suggestions, the best assignment,
//! matches and check-ins.
//!
//! **The rule of this area:** coordinators keep the registry and make matches for their own
//! organisation; coordinators and a resident's own professional record the resident's wish.
//! A buddy sees their own open matches and nothing else: the resident's first name, the
//! purpose, how to reach them (the coordinator's number, the resident's own number only
//! while the resident agrees) and when the next check-in is due. Never a surname, a file,
//! a situation, a plan or health data.

use crate::{App, AppError, Caller, Result, take};
use jiff::ToSpan;
use jiff::civil::Date;
use nabij_domain::RuleViolation;
use nabij_domain::access::Role;
use nabij_domain::buddy::{self, BuddyStatus, Candidate, Interest, Interests, MatchPurpose};
use nabij_domain::ids::PersonId;
use nabij_domain::labels::Label;
use nabij_domain::page::{Page, PageRequest};
use nabij_store::buddies::{BuddyInput, NewCheckIn, NewMatch};
use serde::{Deserialize, Serialize};

/// A buddy as coordinators see them in the registry.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BuddyView {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub interests: Vec<Interest>,
    pub neighbourhood_id: i64,
    pub neighbourhood: String,
    pub hours_per_week: i64,
    pub availability: String,
    pub capacity: i64,
    pub active_matches: i64,
    pub status: BuddyStatus,
    #[schemars(with = "Option<String>")]
    pub vog_screened_on: Option<Date>,
    #[schemars(with = "Option<String>")]
    pub vog_expires_on: Option<Date>,
    /// The VOG counts today.
    pub vog_valid: bool,
    /// The VOG stops counting within 30 days.
    pub vog_expiring_soon: bool,
    pub has_account: bool,
}

fn buddy_view(app: &App, b: nabij_store::buddies::Buddy) -> BuddyView {
    let today = app.clock.today();
    let years = app.settings.vog_years;
    BuddyView {
        id: b.id,
        interests: b.interests.iter().collect(),
        neighbourhood_id: b.neighbourhood_id,
        neighbourhood: b.neighbourhood_name,
        hours_per_week: b.hours_per_week,
        capacity: b.capacity,
        active_matches: b.active_matches,
        status: b.status,
        vog_expires_on: b.vog_screened_on.map(|d| buddy::vog_expires(d, years)),
        vog_valid: b
            .vog_screened_on
            .is_some_and(|d| buddy::vog_valid(d, years, today)),
        vog_expiring_soon: b
            .vog_screened_on
            .is_some_and(|d| buddy::vog_expiring_soon(d, years, today)),
        vog_screened_on: b.vog_screened_on,
        has_account: b.user_id.is_some(),
        name: b.name,
        phone: b.phone,
        availability: b.availability,
    }
}

/// A buddy as typed in the registry form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct BuddyForm {
    pub name: String,
    #[serde(default)]
    pub phone: String,
    /// Interest codes: sport, music, cooking, walking, creative, paperwork, language, games,
    /// nature, other.
    #[serde(default)]
    pub interests: Vec<String>,
    pub neighbourhood_id: i64,
    pub hours_per_week: i64,
    #[serde(default)]
    pub availability: String,
    pub capacity: i64,
    /// `active` or `paused`.
    pub status: String,
    /// The screening date of the VOG certificate (YYYY-MM-DD); empty when not known yet.
    #[serde(default)]
    pub vog_screened_on: String,
    /// The buddy's sign-in account (a user with the role buddy), if any.
    #[serde(default)]
    pub user_id: Option<i64>,
}

fn require_coordinator(caller: &Caller) -> Result<()> {
    if caller.acts_as(Role::Coordinator) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "alleen coördinatoren beheren maatjes".into(),
        ))
    }
}

fn interests_of(errors: &mut Vec<RuleViolation>, codes: &[String]) -> Interests {
    let mut list = Vec::new();
    for c in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match Interest::parse(c) {
            Some(i) => list.push(i),
            None => {
                errors.push(RuleViolation::new(
                    "interests",
                    "kies interesses uit de lijst",
                ));
                break;
            }
        }
    }
    Interests::of(&list)
}

fn text(
    errors: &mut Vec<RuleViolation>,
    field: &'static str,
    raw: &str,
    max: usize,
    required: Option<&str>,
) -> String {
    let t = raw.trim();
    if let Some(msg) = required
        && t.is_empty()
    {
        errors.push(RuleViolation::new(field, msg));
    }
    if t.chars().count() > max {
        errors.push(RuleViolation::new(field, format!("hoogstens {max} tekens")));
    }
    t.to_owned()
}

async fn buddy_input(app: &App, caller: &Caller, f: &BuddyForm) -> Result<BuddyInput> {
    let mut errors = Vec::new();
    let name = text(&mut errors, "name", &f.name, 120, Some("vul de naam in"));
    let phone = text(&mut errors, "phone", &f.phone, 20, None);
    let availability = text(&mut errors, "availability", &f.availability, 200, None);
    let interests = interests_of(&mut errors, &f.interests);
    if !(1..=40).contains(&f.hours_per_week) {
        errors.push(RuleViolation::new(
            "hours_per_week",
            "het aantal uren per week ligt tussen 1 en 40",
        ));
    }
    if !(1..=5).contains(&f.capacity) {
        errors.push(RuleViolation::new(
            "capacity",
            "een maatje heeft 1 tot 5 koppelingen tegelijk",
        ));
    }
    let status = take(
        &mut errors,
        BuddyStatus::parse(f.status.trim())
            .ok_or_else(|| RuleViolation::new("status", "kies actief of gepauzeerd")),
    );
    let vog = if f.vog_screened_on.trim().is_empty() {
        None
    } else {
        match crate::parse_date("vog_screened_on", &f.vog_screened_on) {
            Ok(d) if d > app.clock.today() => {
                errors.push(RuleViolation::new(
                    "vog_screened_on",
                    "de VOG-datum ligt in de toekomst",
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e);
                None
            }
        }
    };
    if app
        .db
        .neighbourhood(nabij_domain::ids::NeighbourhoodId(f.neighbourhood_id))
        .await
        .is_err()
    {
        errors.push(RuleViolation::new(
            "neighbourhood_id",
            "kies een buurt uit de lijst",
        ));
    }
    if let Some(u) = f.user_id {
        match app.db.user(u).await {
            Ok(user) if user.role == Role::Buddy && user.organisation_id == caller.provider.0 => {}
            _ => errors.push(RuleViolation::new(
                "user_id",
                "kies een account met de rol maatje van je eigen organisatie",
            )),
        }
    }
    let Some(status) = status else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(BuddyInput {
        organisation_id: caller.provider.0,
        user_id: f.user_id,
        name,
        phone: (!phone.is_empty()).then_some(phone),
        interests,
        neighbourhood_id: f.neighbourhood_id,
        hours_per_week: f.hours_per_week,
        availability,
        capacity: f.capacity,
        status,
        vog_screened_on: vog,
    })
}

/// Registers a buddy.
#[tracing::instrument(skip_all)]
pub async fn register(app: &App, caller: &Caller, f: &BuddyForm) -> Result<i64> {
    require_coordinator(caller)?;
    let input = buddy_input(app, caller, f).await?;
    Ok(app.db.create_buddy(&input, &app.actor(caller)).await?)
}

/// Changes a buddy of the caller's organisation.
#[tracing::instrument(skip_all)]
pub async fn update(app: &App, caller: &Caller, id: i64, f: &BuddyForm) -> Result<()> {
    own_buddy(app, caller, id).await?;
    let input = buddy_input(app, caller, f).await?;
    Ok(app.db.update_buddy(id, &input).await?)
}

async fn own_buddy(app: &App, caller: &Caller, id: i64) -> Result<nabij_store::buddies::Buddy> {
    require_coordinator(caller)?;
    match app.db.buddy(id).await {
        Ok(b) if b.organisation_id == caller.provider.0 => Ok(b),
        _ => Err(AppError::NotFound("maatje")),
    }
}

/// One buddy of the registry.
pub async fn buddy(app: &App, caller: &Caller, id: i64) -> Result<BuddyView> {
    Ok(buddy_view(app, own_buddy(app, caller, id).await?))
}

/// One page of the registry, by name.
#[tracing::instrument(skip_all)]
pub async fn list(app: &App, caller: &Caller, req: &PageRequest) -> Result<Page<BuddyView>> {
    require_coordinator(caller)?;
    Ok(app
        .db
        .buddies(caller.provider.0, req)
        .await?
        .map(|b| buddy_view(app, b)))
}

/// Buddies whose VOG stops counting within 30 days, soonest first.
#[tracing::instrument(skip_all)]
pub async fn vog_expiring(app: &App, caller: &Caller) -> Result<Vec<BuddyView>> {
    require_coordinator(caller)?;
    let today = app.clock.today();
    let years = i64::from(app.settings.vog_years);
    // Expires = screened + years, so "expires in (today, today + 30]" is a screening window.
    let from = today
        .checked_sub(years.years())
        .map_err(|e| AppError::Internal(e.to_string()))?
        .checked_add(1.day())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let to = today
        .checked_add(buddy::VOG_WARNING_DAYS.days())
        .and_then(|d| d.checked_sub(years.years()))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(app
        .db
        .buddies_screened_between(caller.provider.0, from, to)
        .await?
        .into_iter()
        .map(|b| buddy_view(app, b))
        .filter(|b| b.vog_expiring_soon)
        .collect())
}

/// A resident's wish as typed.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct WishForm {
    /// `hobby`, `paperwork` or `company`.
    pub purpose: String,
    #[serde(default)]
    pub interests: Vec<String>,
}

/// A resident's wish.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct WishView {
    pub person_id: PersonId,
    pub first_name: String,
    pub purpose: MatchPurpose,
    pub interests: Vec<Interest>,
    pub home: Option<String>,
}

fn wish_view(w: nabij_store::buddies::Wish) -> WishView {
    WishView {
        person_id: w.person_id,
        first_name: w.first_name,
        purpose: w.purpose,
        interests: w.interests.iter().collect(),
        home: w.home_name,
    }
}

/// The person may have a wish recorded by the caller: a coordinator for the organisation's
/// residents, a professional on the running episode of their own clients.
async fn may_record_for(app: &App, caller: &Caller, person: PersonId) -> Result<()> {
    let ok = match app.db.person(person).await {
        Ok(p) if p.organisation_id == caller.provider.0 => match caller.role {
            _ if caller.acts_as(Role::Coordinator) => true,
            // The one access policy for a file: on an episode, or within its grace days.
            Role::Professional => {
                crate::guidance::professional_may_open(app, caller.user_id(), person).await?
            }
            _ => false,
        },
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::NotFound("persoon"))
    }
}

/// Records a resident's wish for a buddy.
#[tracing::instrument(skip_all)]
pub async fn set_wish(app: &App, caller: &Caller, person: PersonId, f: &WishForm) -> Result<()> {
    may_record_for(app, caller, person).await?;
    let mut errors = Vec::new();
    let purpose = take(
        &mut errors,
        MatchPurpose::parse(f.purpose.trim()).ok_or_else(|| {
            RuleViolation::new("purpose", "kies waarvoor de bewoner een maatje zoekt")
        }),
    );
    let interests = interests_of(&mut errors, &f.interests);
    let Some(purpose) = purpose.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    Ok(app
        .db
        .set_wish(person, purpose, interests, &app.actor(caller))
        .await?)
}

/// A resident's wish, if recorded.
pub async fn wish(app: &App, caller: &Caller, person: PersonId) -> Result<Option<WishView>> {
    may_record_for(app, caller, person).await?;
    Ok(app.db.wish(person).await?.map(wish_view))
}

/// A suggested buddy for one resident, explained.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Suggestion {
    pub buddy_id: i64,
    pub name: String,
    pub score: i64,
    /// Why, in one Dutch sentence.
    pub explanation: String,
}

fn candidates(app: &App, buddies: &[nabij_store::buddies::Buddy]) -> Vec<Candidate> {
    let _ = app;
    buddies
        .iter()
        .map(|b| Candidate {
            id: b.id,
            interests: b.interests,
            location: b.location,
            free_slots: (b.capacity - b.active_matches).max(0) as u32,
        })
        .collect()
}

async fn free_buddies(app: &App, caller: &Caller) -> Result<Vec<nabij_store::buddies::Buddy>> {
    let today = app.clock.today();
    // A VOG counts when screened after today minus the policy's years.
    let screened_after = today
        .checked_sub(i64::from(app.settings.vog_years).years())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(app
        .db
        .free_buddies(caller.provider.0, screened_after)
        .await?)
}

/// The best buddies for one resident with a wish: paused, unscreened, expired and full
/// buddies are left out.
#[tracing::instrument(skip_all)]
pub async fn suggestions(app: &App, caller: &Caller, person: PersonId) -> Result<Vec<Suggestion>> {
    require_coordinator(caller)?;
    may_record_for(app, caller, person).await?;
    let Some(w) = app.db.wish(person).await? else {
        return Ok(Vec::new());
    };
    let Some(location) = w.location else {
        return Err(AppError::Conflict(
            "deze bewoner woont nu niet in een van de huizen".into(),
        ));
    };
    let buddies = free_buddies(app, caller).await?;
    let wish = buddy::Wish {
        purpose: w.purpose,
        interests: w.interests,
        location,
    };
    let fits = buddy::suggest(&wish, &candidates(app, &buddies), 10);
    let by_id: std::collections::HashMap<i64, &str> =
        buddies.iter().map(|b| (b.id, b.name.as_str())).collect();
    Ok(fits
        .iter()
        .map(|f| Suggestion {
            buddy_id: f.buddy,
            name: by_id.get(&f.buddy).copied().unwrap_or_default().to_owned(),
            score: f.score,
            explanation: buddy::explain(w.purpose, f),
        })
        .collect())
}

/// One pair of the best assignment, for the coordinator to confirm.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ProposedPair {
    pub person_id: PersonId,
    pub first_name: String,
    pub purpose: MatchPurpose,
    pub buddy_id: i64,
    pub buddy_name: String,
    pub score: i64,
    pub explanation: String,
}

/// Pairs every waiting resident with a free buddy at once, maximising the total score.
#[tracing::instrument(skip_all)]
pub async fn best_assignment(app: &App, caller: &Caller) -> Result<Vec<ProposedPair>> {
    require_coordinator(caller)?;
    let wishes: Vec<_> = app
        .db
        .waiting_wishes(caller.provider.0)
        .await?
        .into_iter()
        .filter(|w| w.location.is_some())
        .collect();
    let buddies = free_buddies(app, caller).await?;
    let domain_wishes: Vec<buddy::Wish> = wishes
        .iter()
        .filter_map(|w| {
            Some(buddy::Wish {
                purpose: w.purpose,
                interests: w.interests,
                location: w.location?,
            })
        })
        .collect();
    let cands = candidates(app, &buddies);
    // A thousand by a thousand takes a quarter of a second: not on an async worker.
    let (domain_wishes, cands, pairs) = tokio::task::spawn_blocking(move || {
        let pairs = buddy::best_assignment(&domain_wishes, &cands);
        (domain_wishes, cands, pairs)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(pairs
        .into_iter()
        .map(|p| {
            let w = &wishes[p.wish];
            let b = &buddies[p.buddy];
            let f = buddy::fit(&domain_wishes[p.wish], &cands[p.buddy]);
            ProposedPair {
                person_id: w.person_id,
                first_name: w.first_name.clone(),
                purpose: w.purpose,
                buddy_id: b.id,
                buddy_name: b.name.clone(),
                score: p.score,
                explanation: buddy::explain(w.purpose, &f),
            }
        })
        .collect())
}

/// A match as typed (one confirmed pair, or one made by hand).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct MatchForm {
    pub person_id: i64,
    pub buddy_id: i64,
    /// `hobby`, `paperwork` or `company`; the resident's wish when empty.
    #[serde(default)]
    pub purpose: String,
    /// Weeks between check-ins; the policy's default when absent.
    #[serde(default)]
    pub check_in_weeks: Option<i64>,
}

/// Makes a match: refused with the reason when the buddy is paused, unscreened, has an
/// expired VOG or is full, or when the resident has a buddy already.
#[tracing::instrument(skip_all)]
pub async fn create_match(app: &App, caller: &Caller, f: &MatchForm) -> Result<i64> {
    require_coordinator(caller)?;
    let person = PersonId(f.person_id);
    match app.db.person(person).await {
        Ok(p) if p.organisation_id == caller.provider.0 => {}
        _ => return Err(AppError::NotFound("persoon")),
    }
    let b = own_buddy(app, caller, f.buddy_id).await?;
    let today = app.clock.today();
    if let Some(why) = buddy::blocked(
        b.status,
        b.vog_screened_on,
        app.settings.vog_years,
        b.active_matches as u32,
        b.capacity as u32,
        today,
    ) {
        return Err(AppError::Conflict(format!("Koppelen kan niet: {why}.")));
    }
    let purpose = if f.purpose.trim().is_empty() {
        app.db.wish(person).await?.map(|w| w.purpose)
    } else {
        MatchPurpose::parse(f.purpose.trim())
    };
    let Some(purpose) = purpose else {
        return Err(AppError::invalid(
            "purpose",
            "kies waarvoor de bewoner een maatje krijgt",
        ));
    };
    let weeks = f
        .check_in_weeks
        .unwrap_or(i64::from(app.settings.check_in_weeks));
    if !(1..=26).contains(&weeks) {
        return Err(AppError::invalid(
            "check_in_weeks",
            "contact om de 1 tot 26 weken",
        ));
    }
    Ok(app
        .db
        .create_match(
            &NewMatch {
                organisation_id: caller.provider.0,
                person_id: person,
                buddy_id: b.id,
                purpose,
                started_on: today,
                check_in_weeks: weeks,
                coordinator_id: caller.user.map(|u| u.0),
            },
            &app.actor(caller),
        )
        .await?)
}

/// A match as the coordinator sees it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MatchView {
    pub id: i64,
    pub person_id: PersonId,
    pub first_name: String,
    pub buddy_id: i64,
    pub buddy_name: String,
    pub purpose: MatchPurpose,
    #[schemars(with = "String")]
    pub started_on: Date,
    #[schemars(with = "Option<String>")]
    pub ended_on: Option<Date>,
    pub check_in_weeks: i64,
    #[schemars(with = "Option<String>")]
    pub last_check_in: Option<Date>,
    #[schemars(with = "String")]
    pub next_check_in: Date,
    pub check_in_overdue: bool,
    /// The resident agreed that the buddy may have their own number.
    pub contact_agreed: bool,
    #[schemars(with = "Option<String>")]
    pub contact_agreed_on: Option<Date>,
    pub contact_agreed_by: Option<String>,
    #[schemars(with = "Option<String>")]
    pub contact_revoked_on: Option<Date>,
}

fn match_view(app: &App, m: nabij_store::buddies::Match) -> MatchView {
    let today = app.clock.today();
    let last = m.last_check_in.unwrap_or(m.started_on);
    let weeks = m.check_in_weeks.clamp(1, 26) as u8;
    MatchView {
        id: m.id,
        person_id: m.person_id,
        contact_agreed: m.contact_agreed(),
        first_name: m.first_name,
        buddy_id: m.buddy_id,
        buddy_name: m.buddy_name,
        purpose: m.purpose,
        started_on: m.started_on,
        ended_on: m.ended_on,
        check_in_weeks: m.check_in_weeks,
        last_check_in: m.last_check_in,
        next_check_in: buddy::check_in_due(last, weeks),
        check_in_overdue: m.ended_on.is_none() && buddy::check_in_overdue(last, weeks, today),
        contact_agreed_on: m.contact_agreed_on,
        contact_agreed_by: m.contact_agreed_by,
        contact_revoked_on: m.contact_revoked_on,
    }
}

/// One page of the organisation's matches, newest first.
#[tracing::instrument(skip_all)]
pub async fn matches(
    app: &App,
    caller: &Caller,
    open_only: bool,
    req: &PageRequest,
) -> Result<Page<MatchView>> {
    require_coordinator(caller)?;
    Ok(app
        .db
        .matches(caller.provider.0, open_only, req)
        .await?
        .map(|m| match_view(app, m)))
}

async fn own_match(app: &App, caller: &Caller, id: i64) -> Result<nabij_store::buddies::Match> {
    require_coordinator(caller)?;
    match app.db.buddy_match(id).await {
        Ok(m) if m.organisation_id == caller.provider.0 => Ok(m),
        _ => Err(AppError::NotFound("koppeling")),
    }
}

/// Ends a match today.
pub async fn end_match(app: &App, caller: &Caller, id: i64) -> Result<()> {
    own_match(app, caller, id).await?;
    Ok(app
        .db
        .end_match(id, app.clock.today(), &app.actor(caller))
        .await?)
}

/// Records (agreed) or revokes the resident's agreement that their buddy may have their own
/// number; kept on the match with date and recorder, and logged like a consent.
pub async fn set_contact_agreement(
    app: &App,
    caller: &Caller,
    id: i64,
    agreed: bool,
) -> Result<()> {
    let m = own_match(app, caller, id).await?;
    Ok(app
        .db
        .set_contact_agreement(
            id,
            m.person_id,
            agreed,
            app.clock.today(),
            &app.actor(caller),
        )
        .await?)
}

/// A match as the buddy sees it: nothing beyond what they need to meet.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MyMatch {
    pub id: i64,
    /// Only for the access log; never shown.
    #[serde(skip)]
    #[schemars(skip)]
    pub person_id: PersonId,
    pub first_name: String,
    pub purpose: MatchPurpose,
    /// Whom to call: the resident (when they agreed) or the coordinator.
    pub reach_name: String,
    pub reach_phone: Option<String>,
    /// The number is the resident's own.
    pub reach_is_resident: bool,
    #[schemars(with = "String")]
    pub next_check_in: Date,
    pub check_in_overdue: bool,
}

/// The caller's open matches as their buddy.
#[tracing::instrument(skip_all)]
pub async fn my_matches(app: &App, caller: &Caller) -> Result<Vec<MyMatch>> {
    if caller.role != Role::Buddy {
        return Ok(Vec::new());
    }
    let Some(b) = app.db.buddy_of_user(caller.user_id()).await? else {
        return Ok(Vec::new());
    };
    if b.organisation_id != caller.provider.0 {
        return Ok(Vec::new());
    }
    let today = app.clock.today();
    let matches = app.db.open_matches_of_buddy(b.id).await?;
    // The coordinator who made a match, while they serve and have a number; else another
    // coordinator of the organisation with one.
    let other = if matches
        .iter()
        .any(|m| m.coordinator_phone.is_none() && !(m.contact_agreed() && m.person_phone.is_some()))
    {
        app.db.coordinator_to_call(b.organisation_id).await?
    } else {
        None
    };
    Ok(matches
        .into_iter()
        .map(|m| {
            let agreed = m.contact_agreed() && m.person_phone.is_some();
            let last = m.last_check_in.unwrap_or(m.started_on);
            let weeks = m.check_in_weeks.clamp(1, 26) as u8;
            let coordinator = match (&m.coordinator_name, &m.coordinator_phone) {
                (Some(n), Some(p)) => Some((n.clone(), p.clone())),
                _ => other.clone(),
            };
            MyMatch {
                id: m.id,
                person_id: m.person_id,
                reach_name: if agreed {
                    m.first_name.clone()
                } else {
                    coordinator
                        .as_ref()
                        .map(|(n, _)| format!("{n} (coördinator)"))
                        .unwrap_or_else(|| "de coördinator".into())
                },
                reach_phone: if agreed {
                    m.person_phone.clone()
                } else {
                    coordinator.map(|(_, p)| p)
                },
                reach_is_resident: agreed,
                first_name: m.first_name,
                purpose: m.purpose,
                next_check_in: buddy::check_in_due(last, weeks),
                check_in_overdue: buddy::check_in_overdue(last, weeks, today),
            }
        })
        .collect())
}

/// The residents a buddy may file a signal about: their open matches.
pub(crate) async fn matched_persons(app: &App, caller: &Caller) -> Result<Vec<(PersonId, String)>> {
    Ok(my_matches(app, caller)
        .await?
        .into_iter()
        .map(|m| (m.person_id, m.first_name))
        .collect())
}

/// One of the caller's own open matches as their buddy. Someone else's match of the
/// organisation is refused like any file the caller may not touch, and logged as denied
/// against its resident.
async fn my_match(
    app: &App,
    caller: &Caller,
    match_id: i64,
    action: nabij_domain::access::AuditAction,
    what: &str,
) -> Result<MyMatch> {
    let mine = my_matches(app, caller).await?;
    if let Some(m) = mine.into_iter().find(|m| m.id == match_id) {
        return Ok(m);
    }
    if let Ok(other) = app.db.buddy_match(match_id).await
        && other.organisation_id == caller.provider.0
    {
        crate::audit::log_refusal(
            app,
            caller,
            crate::audit::Subject::Person(other.person_id),
            nabij_domain::access::DataCategory::BuddyMatch,
            action,
            what,
        )
        .await?;
    }
    Err(AppError::NotFound("koppeling"))
}

/// A check-in as shown to the buddy who logged it and to the coordinators.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CheckInView {
    pub id: i64,
    #[schemars(with = "String")]
    pub on_date: Date,
    /// `good`, `okay` or `difficult`.
    pub went: String,
    pub hours: i64,
    pub note: Option<String>,
}

/// One page of a match's check-ins, newest first, with the match's resident (for the
/// access log): the buddy of the match, or a coordinator of its organisation.
#[tracing::instrument(skip_all)]
pub async fn check_ins(
    app: &App,
    caller: &Caller,
    match_id: i64,
    req: &PageRequest,
) -> Result<(PersonId, Page<CheckInView>)> {
    let person = if caller.role == Role::Buddy {
        my_match(
            app,
            caller,
            match_id,
            nabij_domain::access::AuditAction::View,
            "contactmomenten inzien",
        )
        .await?
        .person_id
    } else {
        own_match(app, caller, match_id).await?.person_id
    };
    let page = app.db.check_ins(match_id, req).await?;
    Ok((
        person,
        page.map(|c| CheckInView {
            id: c.id,
            on_date: c.on_date,
            went: c.went,
            hours: c.hours,
            note: c.note,
        }),
    ))
}

/// A check-in as typed on a phone.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct CheckInForm {
    /// `good`, `okay` or `difficult`.
    pub went: String,
    /// Hours spent (whole hours, 0–40).
    pub hours: String,
    #[serde(default)]
    pub note: String,
}

/// How a meeting went, in Dutch.
pub fn went_label(code: &str) -> &'static str {
    match code {
        "good" => "goed",
        "okay" => "gaat wel",
        "difficult" => "moeilijk",
        _ => "onbekend",
    }
}

/// The buddy logs a check-in of one of their own open matches.
#[tracing::instrument(skip_all)]
pub async fn check_in(app: &App, caller: &Caller, match_id: i64, f: &CheckInForm) -> Result<i64> {
    let m = my_match(
        app,
        caller,
        match_id,
        nabij_domain::access::AuditAction::Create,
        "contactmoment vastleggen",
    )
    .await?;
    let mut errors = Vec::new();
    let went = f.went.trim();
    if !["good", "okay", "difficult"].contains(&went) {
        errors.push(RuleViolation::new("went", "kies hoe het ging"));
    }
    let hours = match f.hours.trim().parse::<i64>() {
        Ok(h) if (0..=40).contains(&h) => Some(h),
        _ => {
            errors.push(RuleViolation::new(
                "hours",
                "vul het aantal uren in (0 tot 40)",
            ));
            None
        }
    };
    let note = text(&mut errors, "note", &f.note, 500, None);
    let (Some(hours), true) = (hours, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    Ok(app
        .db
        .add_check_in(
            &NewCheckIn {
                match_id,
                on_date: app.clock.today(),
                went: went.to_owned(),
                hours,
                note: (!note.is_empty()).then_some(note),
            },
            m.person_id,
            &app.actor(caller),
        )
        .await?)
}

/// Labels for forms.
pub fn interest_choices() -> Vec<(&'static str, &'static str)> {
    Interest::ALL
        .iter()
        .map(|i| (i.code(), i.label()))
        .collect()
}

pub fn purpose_choices() -> Vec<(&'static str, &'static str)> {
    MatchPurpose::ALL
        .iter()
        .map(|p| (p.code(), p.label()))
        .collect()
}

/// One match of the caller's organisation.
pub async fn match_by_id(app: &App, caller: &Caller, id: i64) -> Result<MatchView> {
    Ok(match_view(app, own_match(app, caller, id).await?))
}

/// The residents in a stay now, for the command line and the demo (system only).
pub async fn current_residents(app: &App, caller: &Caller) -> Result<Vec<(PersonId, String)>> {
    if !caller.is_system() {
        return Err(AppError::Forbidden("alleen voor het systeem".into()));
    }
    Ok(app.db.current_residents(caller.provider.0).await?)
}

/// A check-in recorded by the system for a match (demo history, imports): as a buddy's
/// own check-in, on `on`.
pub async fn seed_check_in(
    app: &App,
    caller: &Caller,
    match_id: i64,
    on: Date,
    went: &str,
    hours: i64,
) -> Result<i64> {
    if !caller.is_system() {
        return Err(AppError::Forbidden("alleen voor het systeem".into()));
    }
    let m = own_match(app, caller, match_id).await?;
    if !["good", "okay", "difficult"].contains(&went) || !(0..=40).contains(&hours) {
        return Err(AppError::invalid("went", "ongeldig contactmoment"));
    }
    Ok(app
        .db
        .add_check_in(
            &NewCheckIn {
                match_id,
                on_date: on,
                went: went.to_owned(),
                hours,
                note: None,
            },
            m.person_id,
            &app.actor(caller),
        )
        .await?)
}
