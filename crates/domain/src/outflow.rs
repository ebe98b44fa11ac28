//! The chain and outflow (domain.md §6): partner kinds and what consent unlocks, housing
//! offers and their yearly quotas, ranking the people ready to move on for one offer, and
//! the omklapwoning lease flip as one state machine.

use crate::RuleViolation;
use crate::access::Purpose;
use crate::code_enum;
use crate::ids::{MunicipalityId, NeighbourhoodId, PersonId};
use crate::person::Needs;
use crate::stay::{Destination, days_between};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

macro_rules! outflow_ids {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

outflow_ids!(OfferId, QuotaId, FlipId);

/// The longest offer address, in characters.
pub const OFFER_ADDRESS: usize = 200;
/// The longest reason of a declined offer, a failed review or a withdrawal.
pub const ANSWER_REASON: usize = 1000;
/// The longest note with a review criterion.
pub const CRITERION_NOTE: usize = 500;
/// The most units one quota may hold.
pub const MAX_QUOTA: i64 = 10_000;
/// Rooms an offered home may have.
pub const MAX_ROOMS: i64 = 12;
/// The highest monthly rent, in euros, an offer may state.
pub const MAX_RENT_EUROS: i64 = 10_000;
/// Months of rent paid on time before a flip, unless configured otherwise.
pub const DEFAULT_RENT_MONTHS: i64 = 6;
/// Days of aftercare after a flip, unless configured otherwise.
pub const DEFAULT_AFTERCARE_DAYS: i64 = 180;
/// The longest maximum stay a home may have, in months: an omklapwoning's two years.
/// The database holds the same bound.
pub const MAX_STAY_MONTHS: i64 = 24;

/// The median of values given as (value, how often), sorted by value; `None` when empty.
/// With an even number of values, the mean of the two middle ones.
pub fn median_of_counts(sorted: &[(i64, i64)]) -> Option<f64> {
    let n: i64 = sorted.iter().map(|(_, c)| (*c).max(0)).sum();
    if n == 0 {
        return None;
    }
    // The value at a 0-based position of the expanded list.
    let at = |pos: i64| {
        let mut seen = 0;
        for (v, c) in sorted {
            seen += (*c).max(0);
            if pos < seen {
                return *v;
            }
        }
        sorted.last().map_or(0, |(v, _)| *v)
    };
    Some(if n % 2 == 1 {
        at(n / 2) as f64
    } else {
        (at(n / 2 - 1) + at(n / 2)) as f64 / 2.0
    })
}

/// The criterion "rent paid on time" can be met only after `months` months of rent under
/// the usage agreement that began on `usage_from`.
pub fn check_rent_paid(
    usage_from: Option<Date>,
    on: Date,
    months: i64,
) -> Result<(), RuleViolation> {
    let Some(from) = usage_from else {
        return Ok(());
    };
    let due = from.saturating_add(jiff::ToSpan::months(months));
    if on < due {
        return Err(RuleViolation::new(
            "criterion",
            format!(
                "de huur is pas {months} maanden op tijd betaald op of na {}: de gebruiksovereenkomst begon op {}",
                crate::labels::date(due),
                crate::labels::date(from)
            ),
        ));
    }
    Ok(())
}

code_enum! {
    /// The kind of a partner organisation.
    PartnerKind {
        Municipality = "gemeente",
        SocialTeam = "sociaal_team",
        HousingCorporation = "woningcorporatie",
        CareProvider = "zorgaanbieder",
        Other = "overig",
    }
}

impl PartnerKind {
    /// Submits referrals itself (a corporation for threatened evictions, §3.1).
    pub fn refers(self) -> bool {
        matches!(
            self,
            PartnerKind::Municipality | PartnerKind::SocialTeam | PartnerKind::HousingCorporation
        )
    }

    /// Covers one or more municipalities.
    pub fn covers_municipalities(self) -> bool {
        matches!(self, PartnerKind::Municipality | PartnerKind::SocialTeam)
    }

    /// Offers homes against quotas, and the omklapwoningen.
    pub fn offers_homes(self) -> bool {
        self == PartnerKind::HousingCorporation
    }

    /// The source a referral of this partner is recorded with.
    pub fn referral_source(self) -> crate::referral::ReferralSource {
        use crate::referral::ReferralSource as S;
        match self {
            PartnerKind::Municipality => S::Municipality,
            PartnerKind::SocialTeam => S::SocialTeam,
            PartnerKind::HousingCorporation => S::HousingCorporation,
            PartnerKind::CareProvider | PartnerKind::Other => S::Other,
        }
    }
}

code_enum! {
    /// A field of a person a partner may see, each unlocked by one purpose.
    PartnerField {
        Name = "name",
        ReferralStatus = "referral_status",
        ReadyOn = "ready_on",
        HouseholdSize = "household_size",
        HousingNeeds = "housing_needs",
        ExitDate = "exit_date",
        ProfessionalName = "professional_name",
        ProfessionalPhone = "professional_phone",
        PlanGoals = "plan_goals",
    }
}

/// The fields a purpose of consent unlocks. The contact log is never among them.
pub fn unlocks(purpose: Purpose) -> &'static [PartnerField] {
    use PartnerField::*;
    match purpose {
        Purpose::Referral => &[Name, ReferralStatus],
        Purpose::Housing => &[ReadyOn, HouseholdSize, HousingNeeds, ExitDate],
        Purpose::CareCoordination => &[ProfessionalName, ProfessionalPhone, PlanGoals],
    }
}

/// Whether the active purposes together unlock `field`.
pub fn unlocked(active: &[Purpose], field: PartnerField) -> bool {
    active.iter().any(|p| unlocks(*p).contains(&field))
}

/// Consent recorded at submission: given on, until; given not in the future, until after
/// given.
pub fn check_consent_dates(
    given_on: Date,
    until: Option<Date>,
    today: Date,
) -> Result<(), Vec<RuleViolation>> {
    let mut errors = Vec::new();
    if given_on > today {
        errors.push(RuleViolation::new(
            "consent_given_on",
            "toestemming registreer je op of na de dag dat ze gegeven is, niet vooruit",
        ));
    }
    if let Some(u) = until {
        if u < given_on {
            errors.push(RuleViolation::new(
                "consent_until",
                "de einddatum van de toestemming ligt vóór de datum waarop ze gegeven is",
            ));
        } else if u < today {
            errors.push(RuleViolation::new(
                "consent_until",
                "deze toestemming is al verlopen",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

// ---------------------------------------------------------------- quotas

/// One quota's units (uitstroomcontingent: corporation × municipality × year).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct QuotaUse {
    pub total: i64,
    /// Accepted offers with a key date in the quota's year.
    pub used: i64,
    /// Offers registered against it, not yet answered yes, declined for good or withdrawn.
    pub reserved: i64,
}

impl QuotaUse {
    /// Units still free: total − (used + reserved), never below zero.
    pub fn left(self) -> i64 {
        (self.total - self.used - self.reserved).max(0)
    }

    /// A new offer reserves one unit; refused when none is left.
    pub fn reserve(self) -> Result<QuotaUse, RuleViolation> {
        if self.left() == 0 {
            return Err(RuleViolation::new(
                "quota_id",
                format!(
                    "dit contingent is op: {} van {} gebruikt en {} gereserveerd",
                    self.used, self.total, self.reserved
                ),
            ));
        }
        Ok(QuotaUse {
            reserved: self.reserved + 1,
            ..self
        })
    }

    /// A withdrawn offer gives its unit back.
    pub fn release(self) -> QuotaUse {
        QuotaUse {
            reserved: (self.reserved - 1).max(0),
            ..self
        }
    }

    /// The unit counts as used in this quota (the one of the key date's year).
    pub fn take_used(self) -> QuotaUse {
        QuotaUse {
            used: self.used + 1,
            ..self
        }
    }
}

/// The year a unit is used in: the year of the key date.
pub fn quota_year(key_date: Date) -> i16 {
    key_date.year()
}

/// An acceptance: the reservation leaves the offer's quota, and the unit is used in the
/// quota of the key date's year (the same one when the years agree). Answers the two
/// quotas after the move: (offer's quota, key year's quota).
pub fn accept_across_years(
    offer_quota: QuotaUse,
    offer_year: i16,
    key_year_quota: QuotaUse,
    key_date: Date,
) -> (QuotaUse, QuotaUse) {
    let released = offer_quota.release();
    if quota_year(key_date) == offer_year {
        let q = released.take_used();
        (q, q)
    } else {
        (released, key_year_quota.take_used())
    }
}

// ---------------------------------------------------------------- offers

code_enum! {
    /// `open → proposed → accepted | (declined → open)`; `open | proposed → withdrawn`.
    OfferState {
        Open = "open",
        Proposed = "proposed",
        Accepted = "accepted",
        Withdrawn = "withdrawn",
    }
}

// ---------------------------------------------------------------- the key date

/// How many days after a key date Nabij still makes the move by itself. A key date further
/// back (the server was down for weeks, or a backup was restored) is not caught up on
/// silently: the coordinator records the move or postpones the key date.
pub const MOVE_CATCH_UP_DAYS: i64 = 14;

/// Where an accepted offer not yet moved into stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyDateMove {
    /// The key date is still to come, or it is today: the handover can still slip, and the
    /// key date can still be postponed.
    Awaiting,
    /// The key date has passed: Nabij ends the stay, dated on the key date.
    Due,
    /// The key date passed more than [`MOVE_CATCH_UP_DAYS`] ago: the coordinator records the
    /// move or postpones the key date.
    Overdue,
}

impl KeyDateMove {
    pub fn of(key_date: Date, today: Date) -> KeyDateMove {
        let late = days_between(key_date, today);
        if late <= 0 {
            KeyDateMove::Awaiting
        } else if late <= MOVE_CATCH_UP_DAYS {
            KeyDateMove::Due
        } else {
            KeyDateMove::Overdue
        }
    }

    /// The key dates whose move is due on `today`, both ends included.
    pub fn due_between(today: Date) -> (Date, Date) {
        (
            today.saturating_sub(jiff::Span::new().days(MOVE_CATCH_UP_DAYS)),
            today.saturating_sub(jiff::Span::new().days(1)),
        )
    }
}

/// A key date at acceptance: not before the home is available or the stay began, and not
/// more than a year ahead (a date that has come is a handover already made).
pub fn check_key_date(
    key: Date,
    available_from: Date,
    stay_start: Option<Date>,
    today: Date,
) -> Result<(), RuleViolation> {
    let refuse = |m: &str| Err(RuleViolation::new("key_date", m));
    if key < available_from {
        return refuse("de sleutel komt niet vóór de woning beschikbaar is");
    }
    if stay_start.is_some_and(|s| key < s) {
        return refuse("de sleuteldatum ligt vóór het begin van het verblijf");
    }
    if key > today.saturating_add(jiff::Span::new().years(1)) {
        return refuse("de sleuteldatum ligt meer dan een jaar vooruit");
    }
    Ok(())
}

/// A new key date for an accepted offer whose handover slipped (or came earlier): as at
/// acceptance ([`check_key_date`]), and also not in the past and not the key date it
/// already has.
pub fn check_new_key_date(
    new: Date,
    current: Date,
    available_from: Date,
    stay_start: Option<Date>,
    today: Date,
) -> Result<(), RuleViolation> {
    let refuse = |m: &str| Err(RuleViolation::new("key_date", m));
    if new == current {
        return refuse("dit is al de sleuteldatum");
    }
    if new < today {
        return refuse("een nieuwe sleuteldatum ligt niet in het verleden");
    }
    check_key_date(new, available_from, stay_start, today)
}

/// What an offered home is, for matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferedHome {
    pub rooms: i64,
    pub accessible: bool,
    pub pets_allowed: bool,
    pub municipality: MunicipalityId,
    pub neighbourhood: Option<NeighbourhoodId>,
}

/// A person ready to move on, as the matching reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadyPerson {
    pub person: PersonId,
    pub household_size: i64,
    pub needs: Needs,
    pub own_municipality: MunicipalityId,
    pub own_neighbourhood: Option<NeighbourhoodId>,
    pub ready_on: Date,
}

/// Bedrooms a household needs: one for every two members, at least one.
pub fn rooms_needed(household_size: i64) -> i64 {
    ((household_size + 1) / 2).max(1)
}

/// Why a ready person cannot take an offered home; `None` when it fits.
pub fn misfit(home: &OfferedHome, p: &ReadyPerson) -> Option<String> {
    let need = rooms_needed(p.household_size);
    if need > home.rooms {
        return Some(format!(
            "een huishouden van {} heeft {} kamers nodig, deze woning heeft er {}",
            p.household_size, need, home.rooms
        ));
    }
    if p.needs.accessible && !home.accessible {
        return Some("heeft een toegankelijke woning nodig, deze is dat niet".into());
    }
    if p.needs.pets && !home.pets_allowed {
        return Some("komt met huisdieren, in deze woning mogen geen huisdieren".into());
    }
    None
}

/// Where the offered home lies from the person's own area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Nearness {
    OwnNeighbourhood,
    OwnMunicipality,
    Elsewhere,
}

/// One ranked candidate for an offer, with the Dutch sentence that explains the rank.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Candidate {
    pub rank: usize,
    pub person_id: PersonId,
    pub nearness: Nearness,
    pub waiting_days: i64,
    pub explanation: String,
}

/// Ranks the ready persons for one offer: only households that fit the rooms and whose
/// needs the home meets; then own neighbourhood, own municipality, elsewhere; then the
/// longest waiting first; then the oldest file. One sort: n·log n.
pub fn rank_ready(home: &OfferedHome, ready: &[ReadyPerson], today: Date) -> Vec<Candidate> {
    let mut fit: Vec<(Nearness, i64, &ReadyPerson)> = ready
        .iter()
        .filter(|p| misfit(home, p).is_none())
        .map(|p| {
            let nearness =
                if p.own_neighbourhood.is_some() && p.own_neighbourhood == home.neighbourhood {
                    Nearness::OwnNeighbourhood
                } else if p.own_municipality == home.municipality {
                    Nearness::OwnMunicipality
                } else {
                    Nearness::Elsewhere
                };
            (nearness, days_between(p.ready_on, today).max(0), p)
        })
        .collect();
    fit.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(b.1.cmp(&a.1))
            .then(a.2.person.cmp(&b.2.person))
    });
    fit.into_iter()
        .enumerate()
        .map(|(i, (nearness, waiting, p))| Candidate {
            rank: i + 1,
            person_id: p.person,
            nearness,
            waiting_days: waiting,
            explanation: explain(home, p, nearness, waiting),
        })
        .collect()
}

fn explain(home: &OfferedHome, p: &ReadyPerson, nearness: Nearness, waiting: i64) -> String {
    let size = match p.household_size {
        1 => "Alleenstaand".to_string(),
        n => format!("Huishouden van {n}"),
    };
    let rooms = match home.rooms {
        1 => "1 kamer".to_string(),
        n => format!("{n} kamers"),
    };
    let place = match nearness {
        Nearness::OwnNeighbourhood => "in de eigen buurt",
        Nearness::OwnMunicipality => "in de eigen gemeente",
        Nearness::Elsewhere => "buiten de eigen gemeente",
    };
    let mut fits = Vec::new();
    if p.needs.accessible {
        fits.push("toegankelijk zoals nodig");
    }
    if p.needs.pets {
        fits.push("huisdieren mogen mee");
    }
    let needs = if fits.is_empty() {
        String::new()
    } else {
        format!(", {}", fits.join(" en "))
    };
    let days = match waiting {
        1 => "1 dag".to_string(),
        n => format!("{n} dagen"),
    };
    format!("{size}, past in {rooms}{needs}; woning ligt {place}; wacht {days} op een woning.")
}

/// Checks that a proposed person may get the offer: ready to move on and fitting.
pub fn check_match(home: &OfferedHome, p: Option<&ReadyPerson>) -> Result<(), RuleViolation> {
    let Some(p) = p else {
        return Err(RuleViolation::new(
            "person_id",
            "deze persoon is niet uitstroomklaar (of heeft geen lopend verblijf)",
        ));
    };
    match misfit(home, p) {
        Some(why) => Err(RuleViolation::new("person_id", format!("past niet: {why}"))),
        None => Ok(()),
    }
}

code_enum! {
    /// The person's answer to an offer.
    Answer {
        Accepted = "accepted",
        Declined = "declined",
    }
}

// ---------------------------------------------------------------- the lease flip

code_enum! {
    /// `requested → in_use → flip_review → flipped`, or from the review back to `in_use`.
    FlipState {
        Requested = "requested",
        InUse = "in_use",
        FlipReview = "flip_review",
        Flipped = "flipped",
    }
}

code_enum! {
    /// What the review of a flip looks at; each is recorded with date and by whom.
    Criterion {
        RentPaid = "rent_paid",
        NoNuisance = "no_nuisance",
        GoalsMet = "goals_met",
        CorporationAgrees = "corporation_agrees",
    }
}

/// One recorded criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CriterionRecord {
    pub criterion: Criterion,
    pub met: bool,
    #[schemars(with = "crate::schema::IsoDate")]
    pub recorded_on: Date,
    pub recorded_by: String,
    pub note: String,
}

/// A step of the lease flip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlipAction {
    /// The organisation holds the lease; the resident lives there on a usage agreement.
    StartUse {
        resident: PersonId,
        from: Date,
    },
    StartReview {
        on: Date,
    },
    Record(CriterionRecord),
    /// The review did not pass: back to `in_use`, with the reasons.
    ReviewFailed {
        on: Date,
        reasons: String,
    },
    /// The lease is in the resident's name from `on`.
    Flip {
        on: Date,
    },
}

/// What must happen outside the state machine after a flip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlipEffect {
    EndStay {
        resident: PersonId,
        on: Date,
        destination: Destination,
    },
    CloseHome {
        on: Date,
    },
}

/// One omklapwoning's lease flip: its state, resident and the current review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flip {
    pub state: FlipState,
    pub resident: Option<PersonId>,
    pub usage_from: Option<Date>,
    pub review_started_on: Option<Date>,
    /// The current review's criteria (emptied when a review fails).
    pub criteria: Vec<CriterionRecord>,
    pub reviews_failed: i64,
    pub flipped_on: Option<Date>,
}

impl Flip {
    pub fn requested() -> Flip {
        Flip {
            state: FlipState::Requested,
            resident: None,
            usage_from: None,
            review_started_on: None,
            criteria: Vec::new(),
            reviews_failed: 0,
            flipped_on: None,
        }
    }

    /// The latest record of each criterion in the current review.
    pub fn current(&self, c: Criterion) -> Option<&CriterionRecord> {
        self.criteria.iter().rev().find(|r| r.criterion == c)
    }

    /// Criteria not (yet) recorded as met.
    pub fn missing(&self) -> Vec<Criterion> {
        Criterion::ALL
            .iter()
            .copied()
            .filter(|c| !self.current(*c).is_some_and(|r| r.met))
            .collect()
    }

    /// Whether the state and its fields agree: what every reachable flip satisfies.
    pub fn is_consistent(&self) -> bool {
        match self.state {
            FlipState::Requested => self.resident.is_none() && self.flipped_on.is_none(),
            FlipState::InUse => {
                self.resident.is_some() && self.usage_from.is_some() && self.flipped_on.is_none()
            }
            FlipState::FlipReview => {
                self.resident.is_some()
                    && self.review_started_on.is_some()
                    && self.flipped_on.is_none()
            }
            FlipState::Flipped => {
                self.resident.is_some()
                    && self.missing().is_empty()
                    && self
                        .flipped_on
                        .zip(self.usage_from)
                        .is_some_and(|(f, u)| f >= u)
            }
        }
    }

    /// Applies one step, or says in Dutch why it is not allowed (the flip is unchanged).
    pub fn apply(&self, action: &FlipAction) -> Result<(Flip, Vec<FlipEffect>), RuleViolation> {
        use FlipState::*;
        let illegal = |to: FlipState| {
            RuleViolation::new(
                "state",
                format!(
                    "van '{}' kan een omklapwoning niet naar '{}'",
                    crate::labels::Label::label(&self.state),
                    crate::labels::Label::label(&to)
                ),
            )
        };
        let mut next = self.clone();
        let mut effects = Vec::new();
        match action {
            FlipAction::StartUse { resident, from } => {
                if self.state != Requested {
                    return Err(illegal(InUse));
                }
                next.state = InUse;
                next.resident = Some(*resident);
                next.usage_from = Some(*from);
            }
            FlipAction::StartReview { on } => {
                if self.state != InUse {
                    return Err(illegal(FlipReview));
                }
                if self.usage_from.is_some_and(|u| *on < u) {
                    return Err(RuleViolation::new(
                        "on",
                        "de beoordeling begint niet vóór de gebruiksovereenkomst",
                    ));
                }
                next.state = FlipReview;
                next.review_started_on = Some(*on);
                next.criteria.clear();
            }
            FlipAction::Record(r) => {
                if self.state != FlipReview {
                    return Err(RuleViolation::new(
                        "criterion",
                        "criteria leg je vast tijdens de beoordeling",
                    ));
                }
                if r.recorded_by.trim().is_empty() {
                    return Err(RuleViolation::new("recorded_by", "vul in wie dit vastlegt"));
                }
                if r.note.chars().count() > CRITERION_NOTE {
                    return Err(crate::limits::too_long("note", CRITERION_NOTE));
                }
                next.criteria.push(r.clone());
            }
            FlipAction::ReviewFailed { on: _, reasons } => {
                if self.state != FlipReview {
                    return Err(illegal(InUse));
                }
                let reasons = reasons.trim();
                if reasons.chars().count() < 5 {
                    return Err(RuleViolation::new(
                        "reasons",
                        "geef de redenen waarom de beoordeling niet slaagt",
                    ));
                }
                if reasons.chars().count() > ANSWER_REASON {
                    return Err(crate::limits::too_long("reasons", ANSWER_REASON));
                }
                next.state = InUse;
                next.review_started_on = None;
                next.criteria.clear();
                next.reviews_failed += 1;
            }
            FlipAction::Flip { on } => {
                if self.state != FlipReview {
                    return Err(illegal(Flipped));
                }
                let missing = self.missing();
                if !missing.is_empty() {
                    let names: Vec<&str> = missing
                        .iter()
                        .map(|c| crate::labels::Label::label(c))
                        .collect();
                    return Err(RuleViolation::new(
                        "criteria",
                        format!("nog niet voldaan of vastgelegd: {}", names.join(", ")),
                    ));
                }
                if self.usage_from.is_some_and(|u| *on < u) {
                    return Err(RuleViolation::new(
                        "on",
                        "de omklapdatum ligt vóór de gebruiksovereenkomst",
                    ));
                }
                let resident = self.resident.expect("a flip under review has a resident");
                next.state = Flipped;
                next.flipped_on = Some(*on);
                effects.push(FlipEffect::EndStay {
                    resident,
                    on: *on,
                    destination: Destination::OwnLeaseViaFlip,
                });
                effects.push(FlipEffect::CloseHome { on: *on });
            }
        }
        Ok((next, effects))
    }
}

/// Default maximum stay in an omklapwoning, in months: the resident is not meant to leave.
pub const FLIP_HOME_MAX_STAY_MONTHS: i8 = 24;

#[cfg(test)]
mod tests {
    #[test]
    fn median_of_counts_is_the_middle_of_the_expanded_values() {
        assert_eq!(median_of_counts(&[]), None);
        assert_eq!(median_of_counts(&[(7, 1)]), Some(7.0));
        // 1, 2, 2, 10 → (2 + 2) / 2
        assert_eq!(median_of_counts(&[(1, 1), (2, 2), (10, 1)]), Some(2.0));
        // 1, 3 → 2
        assert_eq!(median_of_counts(&[(1, 1), (3, 1)]), Some(2.0));
        // 5, 5, 5, 100 → 5: one long wait does not pull the median.
        assert_eq!(median_of_counts(&[(5, 3), (100, 1)]), Some(5.0));
    }

    #[test]
    fn rent_is_paid_for_the_configured_months_before_the_criterion_is_met() {
        let from = jiff::civil::date(2026, 1, 15);
        assert!(check_rent_paid(Some(from), jiff::civil::date(2026, 7, 14), 6).is_err());
        assert!(check_rent_paid(Some(from), jiff::civil::date(2026, 7, 15), 6).is_ok());
        // Three months configured: earlier.
        assert!(check_rent_paid(Some(from), jiff::civil::date(2026, 4, 15), 3).is_ok());
        let e = check_rent_paid(Some(from), jiff::civil::date(2026, 3, 1), 6).unwrap_err();
        assert_eq!(e.field, "criterion");
        assert!(e.message.contains("6 maanden"), "{}", e.message);
    }

    use super::*;
    use jiff::ToSpan;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn the_move_is_due_the_day_after_the_key_date_and_caught_up_for_two_weeks() {
        let key = date(2026, 12, 1);
        assert_eq!(
            KeyDateMove::of(key, date(2026, 11, 30)),
            KeyDateMove::Awaiting
        );
        // On the key date itself the handover can still slip.
        assert_eq!(KeyDateMove::of(key, key), KeyDateMove::Awaiting);
        assert_eq!(KeyDateMove::of(key, date(2026, 12, 2)), KeyDateMove::Due);
        assert_eq!(KeyDateMove::of(key, date(2026, 12, 15)), KeyDateMove::Due);
        assert_eq!(
            KeyDateMove::of(key, date(2026, 12, 16)),
            KeyDateMove::Overdue
        );
        // The window the move job reads agrees with the rule at both ends.
        let today = date(2027, 1, 3);
        let (from, to) = KeyDateMove::due_between(today);
        assert_eq!(KeyDateMove::of(from, today), KeyDateMove::Due);
        assert_eq!(KeyDateMove::of(to, today), KeyDateMove::Due);
        assert_eq!(KeyDateMove::of(from - 1.day(), today), KeyDateMove::Overdue);
        assert_eq!(KeyDateMove::of(to + 1.day(), today), KeyDateMove::Awaiting);
    }

    #[test]
    fn a_new_key_date_is_refused_with_the_reason() {
        let today = date(2026, 12, 2);
        let current = date(2026, 12, 10);
        let available = date(2026, 12, 1);
        let start = Some(date(2026, 6, 1));
        let message = |d| {
            check_new_key_date(d, current, available, start, today)
                .unwrap_err()
                .message
        };
        assert!(check_new_key_date(date(2027, 1, 5), current, available, start, today).is_ok());
        // Earlier than agreed, when the house is ready sooner.
        assert!(check_new_key_date(today, current, available, start, today).is_ok());
        assert!(message(current).contains("al de sleuteldatum"));
        assert!(message(date(2026, 12, 1)).contains("verleden"));
        assert!(message(date(2027, 12, 3)).contains("een jaar"));
        let later = date(2027, 2, 1);
        let e = check_new_key_date(date(2027, 1, 5), current, later, start, today).unwrap_err();
        assert!(e.message.contains("beschikbaar"), "{}", e.message);
        let e = check_new_key_date(today, current, available, Some(date(2026, 12, 3)), today)
            .unwrap_err();
        assert!(
            e.message.contains("begin van het verblijf"),
            "{}",
            e.message
        );
        assert_eq!(e.field, "key_date");
    }

    fn person(id: i64, size: i64, muni: i64, nb: Option<i64>, ready: Date) -> ReadyPerson {
        ReadyPerson {
            person: PersonId(id),
            household_size: size,
            needs: Needs::default(),
            own_municipality: MunicipalityId(muni),
            own_neighbourhood: nb.map(NeighbourhoodId),
            ready_on: ready,
        }
    }

    #[test]
    fn consent_purposes_unlock_their_own_fields_and_never_the_contact_log() {
        assert!(unlocked(&[Purpose::Referral], PartnerField::Name));
        assert!(!unlocked(&[Purpose::Referral], PartnerField::ReadyOn));
        assert!(unlocked(&[Purpose::Housing], PartnerField::HousingNeeds));
        assert!(!unlocked(&[Purpose::Housing], PartnerField::Name));
        assert!(unlocked(
            &[Purpose::CareCoordination],
            PartnerField::ProfessionalPhone
        ));
        assert!(!unlocked(&[], PartnerField::Name));
        // No purpose unlocks anything outside the list of partner fields (the contact log
        // has no field here at all).
        for p in Purpose::ALL {
            assert!(!unlocks(*p).is_empty());
        }
    }

    #[test]
    fn consent_dates_in_the_wrong_order_are_refused() {
        let today = date(2026, 5, 1);
        assert!(check_consent_dates(today, Some(today.saturating_add(1.years())), today).is_ok());
        let e =
            check_consent_dates(today, Some(today.saturating_sub(1.days())), today).unwrap_err();
        assert_eq!(e[0].field, "consent_until");
        let e = check_consent_dates(today.saturating_add(1.days()), None, today).unwrap_err();
        assert_eq!(e[0].field, "consent_given_on");
    }

    #[test]
    fn partner_kinds() {
        assert!(PartnerKind::HousingCorporation.refers());
        assert!(!PartnerKind::CareProvider.refers());
        assert!(PartnerKind::SocialTeam.covers_municipalities());
        assert!(!PartnerKind::HousingCorporation.covers_municipalities());
    }

    #[test]
    fn a_quota_refuses_an_offer_when_nothing_is_left() {
        let q = QuotaUse {
            total: 2,
            used: 1,
            reserved: 0,
        };
        let q = q.reserve().unwrap();
        assert_eq!(q.left(), 0);
        let e = q.reserve().unwrap_err();
        assert!(e.message.contains("op"), "{}", e.message);
        // A decline or withdrawal gives the unit back.
        assert_eq!(q.release().left(), 1);
    }

    #[test]
    fn an_acceptance_uses_the_unit_in_the_year_of_the_key_date() {
        let q2026 = QuotaUse {
            total: 3,
            used: 0,
            reserved: 1,
        };
        let q2027 = QuotaUse {
            total: 2,
            used: 0,
            reserved: 0,
        };
        // Same year: reserved becomes used.
        let (a, _) = accept_across_years(q2026, 2026, q2027, date(2026, 12, 31));
        assert_eq!((a.used, a.reserved, a.left()), (1, 0, 2));
        // Key date in the next year: the 2026 unit is freed, the 2027 quota uses one.
        let (a, b) = accept_across_years(q2026, 2026, q2027, date(2027, 1, 2));
        assert_eq!((a.used, a.reserved, a.left()), (0, 0, 3));
        assert_eq!((b.used, b.left()), (1, 1));
    }

    proptest! {
        #[test]
        fn quota_arithmetic_never_overbooks(ops in proptest::collection::vec(0u8..3, 0..60), total in 0i64..8) {
            let mut q = QuotaUse { total, used: 0, reserved: 0 };
            for op in ops {
                q = match op {
                    0 => q.reserve().unwrap_or(q),
                    1 if q.reserved > 0 => q.release(),
                    2 if q.reserved > 0 => q.release().take_used(),
                    _ => q,
                };
                prop_assert!(q.used + q.reserved <= q.total);
                prop_assert_eq!(q.left(), q.total - q.used - q.reserved);
                prop_assert!(q.reserved >= 0);
            }
        }
    }

    #[test]
    fn ranking_fits_first_then_own_area_then_waiting() {
        let today = date(2026, 6, 1);
        let home = OfferedHome {
            rooms: 2,
            accessible: false,
            pets_allowed: true,
            municipality: MunicipalityId(1),
            neighbourhood: Some(NeighbourhoodId(10)),
        };
        let ready = vec![
            person(1, 1, 2, None, date(2026, 1, 1)), // elsewhere, long wait
            person(2, 1, 1, Some(11), date(2026, 5, 1)), // own municipality
            person(3, 1, 1, Some(10), date(2026, 5, 30)), // own neighbourhood, short wait
            person(4, 6, 1, Some(10), date(2026, 1, 1)), // household too big
            person(5, 2, 1, Some(12), date(2026, 3, 1)), // own municipality, longer wait
            ReadyPerson {
                needs: Needs {
                    accessible: true,
                    ..Needs::default()
                },
                ..person(6, 1, 1, Some(10), date(2026, 1, 1))
            }, // needs accessible
        ];
        let ranked = rank_ready(&home, &ready, today);
        let order: Vec<i64> = ranked.iter().map(|c| c.person_id.0).collect();
        assert_eq!(order, vec![3, 5, 2, 1]);
        assert_eq!(
            ranked[0].explanation,
            "Alleenstaand, past in 2 kamers; woning ligt in de eigen buurt; wacht 2 dagen op een woning."
        );
        assert!(ranked[3].explanation.contains("buiten de eigen gemeente"));
        assert_eq!(ranked[1].waiting_days, 92);
    }

    #[test]
    fn a_match_of_someone_not_ready_or_not_fitting_is_refused() {
        let home = OfferedHome {
            rooms: 1,
            accessible: false,
            pets_allowed: true,
            municipality: MunicipalityId(1),
            neighbourhood: None,
        };
        assert!(check_match(&home, None).is_err());
        let big = person(1, 4, 1, None, date(2026, 1, 1));
        let e = check_match(&home, Some(&big)).unwrap_err();
        assert!(e.message.contains("2 kamers nodig"), "{}", e.message);
        assert!(check_match(&home, Some(&person(2, 2, 1, None, date(2026, 1, 1)))).is_ok());
    }

    #[test]
    fn pets_need_a_home_that_allows_them_and_the_sentence_says_so() {
        let no_pets = OfferedHome {
            rooms: 2,
            accessible: false,
            pets_allowed: false,
            municipality: MunicipalityId(1),
            neighbourhood: None,
        };
        let with_dog = ReadyPerson {
            needs: Needs {
                pets: true,
                ..Needs::default()
            },
            ..person(1, 1, 1, None, date(2026, 1, 1))
        };
        let e = check_match(&no_pets, Some(&with_dog)).unwrap_err();
        assert!(e.message.contains("huisdieren"), "{}", e.message);
        let today = date(2026, 3, 1);
        let ranked = rank_ready(&no_pets, std::slice::from_ref(&with_dog), today);
        assert!(ranked.is_empty());
        let allows = OfferedHome {
            pets_allowed: true,
            ..no_pets
        };
        let ranked = rank_ready(&allows, &[with_dog], today);
        assert_eq!(ranked.len(), 1);
        assert!(
            ranked[0].explanation.contains("huisdieren mogen mee"),
            "{}",
            ranked[0].explanation
        );
    }

    fn record(c: Criterion, met: bool) -> FlipAction {
        FlipAction::Record(CriterionRecord {
            criterion: c,
            met,
            recorded_on: date(2026, 9, 1),
            recorded_by: "Dunavie".into(),
            note: String::new(),
        })
    }

    #[test]
    fn the_flip_runs_from_request_to_flipped_and_ends_the_stay() {
        let f = Flip::requested();
        let e = f
            .apply(&FlipAction::Flip {
                on: date(2026, 9, 1),
            })
            .unwrap_err();
        assert!(e.message.contains("aangevraagd"), "{}", e.message);
        let (f, _) = f
            .apply(&FlipAction::StartUse {
                resident: PersonId(7),
                from: date(2026, 1, 1),
            })
            .unwrap();
        let (f, _) = f
            .apply(&FlipAction::StartReview {
                on: date(2026, 8, 1),
            })
            .unwrap();
        let (f, _) = f.apply(&record(Criterion::RentPaid, true)).unwrap();
        let e = f
            .apply(&FlipAction::Flip {
                on: date(2026, 9, 1),
            })
            .unwrap_err();
        assert_eq!(e.field, "criteria");
        assert!(e.message.contains("geen overlast"), "{}", e.message);
        let mut f = f;
        for c in [
            Criterion::NoNuisance,
            Criterion::GoalsMet,
            Criterion::CorporationAgrees,
        ] {
            f = f.apply(&record(c, true)).unwrap().0;
        }
        let (f, effects) = f
            .apply(&FlipAction::Flip {
                on: date(2026, 9, 1),
            })
            .unwrap();
        assert_eq!(f.state, FlipState::Flipped);
        assert!(effects.contains(&FlipEffect::EndStay {
            resident: PersonId(7),
            on: date(2026, 9, 1),
            destination: Destination::OwnLeaseViaFlip
        }));
        assert!(effects.contains(&FlipEffect::CloseHome {
            on: date(2026, 9, 1)
        }));
    }

    #[test]
    fn a_failed_review_goes_back_to_in_use_with_reasons() {
        let (f, _) = Flip::requested()
            .apply(&FlipAction::StartUse {
                resident: PersonId(7),
                from: date(2026, 1, 1),
            })
            .unwrap();
        let (f, _) = f
            .apply(&FlipAction::StartReview {
                on: date(2026, 8, 1),
            })
            .unwrap();
        let (f, _) = f.apply(&record(Criterion::NoNuisance, false)).unwrap();
        assert!(
            f.apply(&FlipAction::ReviewFailed {
                on: date(2026, 8, 2),
                reasons: "".into()
            })
            .is_err()
        );
        let (f, _) = f
            .apply(&FlipAction::ReviewFailed {
                on: date(2026, 8, 2),
                reasons: "Twee meldingen van overlast".into(),
            })
            .unwrap();
        assert_eq!(f.state, FlipState::InUse);
        assert_eq!(f.reviews_failed, 1);
        assert!(f.criteria.is_empty());
    }

    fn action() -> impl Strategy<Value = FlipAction> {
        let day = (0i64..900).prop_map(|d| date(2025, 1, 1).saturating_add(d.days()));
        prop_oneof![
            (1i64..4, day.clone()).prop_map(|(p, from)| FlipAction::StartUse {
                resident: PersonId(p),
                from
            }),
            day.clone().prop_map(|on| FlipAction::StartReview { on }),
            (0usize..4, any::<bool>(), day.clone()).prop_map(|(c, met, on)| FlipAction::Record(
                CriterionRecord {
                    criterion: Criterion::ALL[c],
                    met,
                    recorded_on: on,
                    recorded_by: "x".into(),
                    note: String::new(),
                }
            )),
            (
                day.clone(),
                prop_oneof![Just(""), Just("te veel huurachterstand")]
            )
                .prop_map(|(on, r)| FlipAction::ReviewFailed {
                    on,
                    reasons: r.into()
                }),
            day.prop_map(|on| FlipAction::Flip { on }),
        ]
    }

    proptest! {
        #[test]
        fn no_sequence_reaches_an_illegal_state(actions in proptest::collection::vec(action(), 0..40)) {
            let mut f = Flip::requested();
            for a in &actions {
                let before = f.clone();
                match f.apply(a) {
                    Ok((next, effects)) => {
                        prop_assert!(next.is_consistent(), "{next:?} after {a:?}");
                        // Only these moves exist.
                        let legal = matches!(
                            (before.state, next.state),
                            (FlipState::Requested, FlipState::InUse)
                                | (FlipState::InUse, FlipState::FlipReview)
                                | (FlipState::FlipReview, FlipState::FlipReview)
                                | (FlipState::FlipReview, FlipState::InUse)
                                | (FlipState::FlipReview, FlipState::Flipped)
                        );
                        prop_assert!(legal, "{:?} -> {:?}", before.state, next.state);
                        // Flipped always ends the stay and removes the capacity.
                        if next.state == FlipState::Flipped {
                            let on = next.flipped_on.unwrap();
                            let closes = effects.contains(&FlipEffect::CloseHome { on });
                            let ends = effects.iter().any(|e| matches!(e,
                                FlipEffect::EndStay { destination: Destination::OwnLeaseViaFlip, on: d, .. } if *d == on));
                            prop_assert!(closes && ends, "flipped without ending the stay or closing the home");
                        } else {
                            prop_assert!(effects.is_empty());
                        }
                        f = next;
                    }
                    Err(_) => prop_assert_eq!(&f, &before),
                }
                // Nothing leaves `flipped`.
                if before.state == FlipState::Flipped {
                    prop_assert_eq!(f.state, FlipState::Flipped);
                }
            }
        }
    }
}
