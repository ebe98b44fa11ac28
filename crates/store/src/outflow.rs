//! The chain and outflow: partner kinds and covered municipalities, quotas, housing offers
//! and their answers, and the omklapwoning lease flip. Every change of a person's data is
//! logged in its transaction.

use crate::audit::{Access, Actor, append, append_one};
use crate::convert::*;
use crate::reports::{Arg, Cells};
use crate::{Db, Result, StoreError};
use jiff::civil::Date;
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::ids::*;
use nabij_domain::outflow::*;
use nabij_domain::person::Needs;
use nabij_domain::stay::Destination;
use serde::Serialize;
use sqlx::any::AnyRow;

/// One change of a partner's kind, as logged.
#[derive(Debug, Clone)]
pub struct PartnerKindChange {
    pub kind: PartnerKind,
    /// The covered municipalities by name, as they were.
    pub municipalities: String,
    pub changed_by: String,
    pub changed_at: jiff::Timestamp,
}

/// A quota with its units in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone)]
pub struct NewOffer {
    pub provider: i64,
    pub corporation: i64,
    pub quota: QuotaId,
    pub address: String,
    pub municipality: MunicipalityId,
    pub neighbourhood: Option<NeighbourhoodId>,
    pub rooms: i64,
    pub rent_euros: i64,
    pub accessible: bool,
    /// The home does not allow pets.
    pub no_pets: bool,
    pub available_from: Date,
}

/// An offer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub id: OfferId,
    pub provider_id: i64,
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
    pub no_pets: bool,
    pub available_from: Date,
    pub state: OfferState,
    pub holds_unit: bool,
    pub person_id: Option<PersonId>,
    pub person_name: Option<String>,
    pub stay_id: Option<StayId>,
    pub key_date: Option<Date>,
    pub moved_on: Option<Date>,
    pub declines: i64,
    /// The stay the offer was made for still runs.
    pub stay_running: bool,
}

impl Offer {
    pub fn home(&self) -> OfferedHome {
        OfferedHome {
            rooms: self.rooms,
            accessible: self.accessible,
            pets_allowed: !self.no_pets,
            municipality: self.municipality_id,
            neighbourhood: self.neighbourhood_id,
        }
    }
}

/// One answer given to an offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferAnswer {
    pub person_id: PersonId,
    pub answer: Answer,
    pub reason: String,
    pub answered_on: Date,
    pub recorded_by: String,
}

/// One change of an accepted offer's key date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDateChange {
    pub before: Date,
    pub key_date: Date,
    pub reason: String,
    pub changed_by: String,
    pub changed_at: jiff::Timestamp,
}

/// A ready person's stay, for matching.
#[derive(Debug, Clone)]
pub struct ReadyStay {
    pub stay: StayId,
    pub person_name: String,
    pub ready: ReadyPerson,
}

/// An omklapwoning's flip as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlipRow {
    pub id: FlipId,
    pub provider_id: i64,
    pub corporation_id: i64,
    pub corporation_name: String,
    pub home_id: HomeId,
    pub home_name: String,
    pub address: String,
    pub municipality_name: String,
    pub requested_on: Date,
    pub resident_name: Option<String>,
    pub stay_id: Option<StayId>,
    pub flip: Flip,
    pub replaces: Option<FlipId>,
}

/// One recorded step of a flip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlipEvent {
    pub what: String,
    pub criterion: Option<Criterion>,
    pub met: Option<bool>,
    pub note: String,
    pub on: Date,
    pub recorded_by: String,
}

const OFFER_COLUMNS: &str = "o.id, o.provider_id, o.corporation_id, c.name AS corporation_name, o.quota_id, \
     o.address, o.municipality_id, m.name AS municipality_name, o.neighbourhood_id, o.rooms, o.rent_euros, \
     o.accessible, o.no_pets, o.available_from, o.state, o.holds_unit, o.person_id, \
     p.first_name || ' ' || p.last_name AS person_name, o.stay_id, o.key_date, o.moved_on, \
     (SELECT COUNT(*) FROM offer_answers a WHERE a.offer_id = o.id AND a.answer = 'declined') AS declines, \
     (SELECT COUNT(*) FROM stays s WHERE s.id = o.stay_id AND s.exit_date IS NULL) AS stay_running \
     FROM offers o JOIN organisations c ON c.id = o.corporation_id \
     JOIN municipalities m ON m.id = o.municipality_id LEFT JOIN persons p ON p.id = o.person_id";

fn offer(r: &AnyRow) -> Result<Offer> {
    Ok(Offer {
        id: OfferId(get_i64(r, "id")?),
        provider_id: get_i64(r, "provider_id")?,
        corporation_id: get_i64(r, "corporation_id")?,
        corporation_name: get_string(r, "corporation_name")?,
        quota_id: QuotaId(get_i64(r, "quota_id")?),
        address: get_string(r, "address")?,
        municipality_id: MunicipalityId(get_i64(r, "municipality_id")?),
        municipality_name: get_string(r, "municipality_name")?,
        neighbourhood_id: get_opt_i64(r, "neighbourhood_id")?.map(NeighbourhoodId),
        rooms: get_i64(r, "rooms")?,
        rent_euros: get_i64(r, "rent_euros")?,
        accessible: get_bool(r, "accessible")?,
        no_pets: get_bool(r, "no_pets")?,
        available_from: get_date(r, "available_from")?,
        state: get_code(r, "state", OfferState::parse)?,
        holds_unit: get_bool(r, "holds_unit")?,
        person_id: get_opt_i64(r, "person_id")?.map(PersonId),
        person_name: get_opt_string(r, "person_name")?,
        stay_id: get_opt_i64(r, "stay_id")?.map(StayId),
        key_date: get_opt_date(r, "key_date")?,
        moved_on: get_opt_date(r, "moved_on")?,
        declines: get_i64(r, "declines")?,
        stay_running: get_i64(r, "stay_running")? > 0,
    })
}

const QUOTA_COLUMNS: &str = "q.id, q.corporation_id, c.name AS corporation_name, q.municipality_id, \
     m.name AS municipality_name, q.year, q.total, \
     (SELECT COUNT(*) FROM offers o WHERE o.used_quota_id = q.id) AS used, \
     (SELECT COUNT(*) FROM offers o WHERE o.quota_id = q.id AND o.holds_unit = 1) AS reserved \
     FROM quotas q JOIN organisations c ON c.id = q.corporation_id JOIN municipalities m ON m.id = q.municipality_id";

fn quota(r: &AnyRow) -> Result<Quota> {
    Ok(Quota {
        id: QuotaId(get_i64(r, "id")?),
        corporation_id: OrganisationId(get_i64(r, "corporation_id")?),
        corporation_name: get_string(r, "corporation_name")?,
        municipality_id: MunicipalityId(get_i64(r, "municipality_id")?),
        municipality_name: get_string(r, "municipality_name")?,
        year: get_i64(r, "year")? as i16,
        units: QuotaUse {
            total: get_i64(r, "total")?,
            used: get_i64(r, "used")?,
            reserved: get_i64(r, "reserved")?,
        },
    })
}

/// Which quotas to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct QuotaFilter {
    pub provider: i64,
    pub corporation: Option<i64>,
    /// Only quotas in municipalities this partner covers.
    pub covered_by: Option<i64>,
    pub year: Option<i16>,
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

async fn quota_in(tx: &mut Tx, id: QuotaId) -> Result<Quota> {
    let r = sqlx::query(&format!("SELECT {QUOTA_COLUMNS} WHERE q.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("quota"))?;
    quota(&r)
}

/// Serialises writers of one quota's units (a row lock on PostgreSQL; SQLite has one writer).
async fn lock_quota(tx: &mut Tx, id: QuotaId) -> Result<()> {
    let r = sqlx::query("UPDATE quotas SET total = total WHERE id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound("quota"));
    }
    Ok(())
}

async fn offer_in(tx: &mut Tx, id: OfferId) -> Result<Offer> {
    let r = sqlx::query(&format!("SELECT {OFFER_COLUMNS} WHERE o.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("offer"))?;
    offer(&r)
}

pub use crate::homes::Checked;

/// A rule broken inside a transaction: nothing is written.
fn refused<T>(v: nabij_domain::RuleViolation) -> Result<Checked<T>> {
    Ok(Err(vec![v]))
}

/// The quota an acceptance with `key_date` uses a unit of: the quota of the key date's year
/// for the offer's corporation and municipality, or the offer's own quota when there is none
/// for that year. Refused when that quota has no unit left, unless it is `holding` (the
/// quota whose unit the offer already holds).
async fn key_year_quota(
    tx: &mut Tx,
    o: &Offer,
    key_date: Date,
    holding: Option<QuotaId>,
) -> Result<Checked<QuotaId>> {
    let own = quota_in(tx, o.quota_id).await?;
    let target = if quota_year(key_date) == own.year {
        own.id
    } else {
        let r = sqlx::query(
            "SELECT id FROM quotas WHERE corporation_id = $1 AND municipality_id = $2 AND year = $3",
        )
        .bind(o.corporation_id)
        .bind(own.municipality_id.0)
        .bind(quota_year(key_date) as i64)
        .fetch_optional(&mut **tx)
        .await?;
        match r {
            Some(r) => QuotaId(get_i64(&r, "id")?),
            None => own.id,
        }
    };
    if Some(target) == holding {
        return Ok(Ok(target));
    }
    lock_quota(tx, target).await?;
    let q = quota_in(tx, target).await?;
    if q.units.left() == 0 {
        return refused(nabij_domain::RuleViolation::new(
            "key_date",
            format!(
                "het contingent van {} is op ({} van {} gebruikt, {} gereserveerd); \
                 kies een sleuteldatum in een ander jaar, of laat de coördinator het contingent verhogen",
                q.year, q.units.used, q.units.total, q.units.reserved
            ),
        ));
    }
    Ok(Ok(target))
}

impl Db {
    // ------------------------------------------------------------ partners

    /// Sets a partner's kind and the municipalities it covers (replacing the earlier ones).
    pub async fn set_partner_kind(
        &self,
        organisation: i64,
        kind: PartnerKind,
        municipalities: &[MunicipalityId],
    ) -> Result<()> {
        self.write_partner_kind(
            organisation,
            kind,
            municipalities,
            "systeem",
            jiff::Timestamp::now(),
        )
        .await
    }

    /// Sets a partner's kind and covered municipalities on behalf of `actor`; the change is
    /// logged.
    pub async fn change_partner_kind(
        &self,
        organisation: i64,
        kind: PartnerKind,
        municipalities: &[MunicipalityId],
        actor: &Actor,
    ) -> Result<()> {
        self.write_partner_kind(
            organisation,
            kind,
            municipalities,
            &actor.on_behalf_of,
            actor.at,
        )
        .await
    }

    async fn write_partner_kind(
        &self,
        organisation: i64,
        kind: PartnerKind,
        municipalities: &[MunicipalityId],
        by: &str,
        at: jiff::Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE organisations SET partner_kind = $1 WHERE id = $2 AND kind = 'partner'",
        )
        .bind(kind.code())
        .bind(organisation)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("organisation"));
        }
        sqlx::query("DELETE FROM partner_municipalities WHERE organisation_id = $1")
            .bind(organisation)
            .execute(&mut *tx)
            .await?;
        for m in municipalities {
            sqlx::query(
                "INSERT INTO partner_municipalities (organisation_id, municipality_id) VALUES ($1, $2)",
            )
            .bind(organisation)
            .bind(m.0)
            .execute(&mut *tx)
            .await?;
        }
        let names: Vec<String> = sqlx::query(
            "SELECT m.name FROM partner_municipalities pm JOIN municipalities m ON m.id = pm.municipality_id \
             WHERE pm.organisation_id = $1 ORDER BY m.name",
        )
        .bind(organisation)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| get_string(r, "name"))
        .collect::<Result<_>>()?;
        sqlx::query(
            "INSERT INTO partner_kind_changes (organisation_id, partner_kind, municipalities, changed_by, changed_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(organisation)
        .bind(kind.code())
        .bind(names.join(", "))
        .bind(by)
        .bind(ts_text(at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The changes of a partner's kind and municipalities, newest first.
    pub async fn partner_kind_changes(&self, organisation: i64) -> Result<Vec<PartnerKindChange>> {
        sqlx::query(
            "SELECT partner_kind, municipalities, changed_by, changed_at FROM partner_kind_changes \
             WHERE organisation_id = $1 ORDER BY id DESC LIMIT 100",
        )
        .bind(organisation)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(PartnerKindChange {
                kind: get_code(r, "partner_kind", PartnerKind::parse)?,
                municipalities: get_string(r, "municipalities")?,
                changed_by: get_string(r, "changed_by")?,
                changed_at: get_ts(r, "changed_at")?,
            })
        })
        .collect()
    }

    /// A partner's kind (`None` for a provider or a partner without one) and covered
    /// municipalities.
    pub async fn partner_kind(
        &self,
        organisation: i64,
    ) -> Result<(Option<PartnerKind>, Vec<MunicipalityId>)> {
        let r = sqlx::query("SELECT partner_kind FROM organisations WHERE id = $1")
            .bind(organisation)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("organisation"))?;
        let kind = get_opt_code(&r, "partner_kind", PartnerKind::parse)?;
        let ms = sqlx::query(
            "SELECT municipality_id FROM partner_municipalities WHERE organisation_id = $1 ORDER BY municipality_id",
        )
        .bind(organisation)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| Ok(MunicipalityId(get_i64(r, "municipality_id")?)))
        .collect::<Result<Vec<_>>>()?;
        Ok((kind, ms))
    }

    /// Persons of a provider that match on BSN, or on name and date of birth.
    pub async fn known_person(
        &self,
        provider: i64,
        bsn: Option<&str>,
        first_name: &str,
        last_name: &str,
        date_of_birth: Option<Date>,
    ) -> Result<Option<PersonId>> {
        if let Some(bsn) = bsn {
            let r = sqlx::query(
                "SELECT id FROM persons WHERE organisation_id = $1 AND bsn = $2 AND anonymised_at IS NULL ORDER BY id LIMIT 1",
            )
            .bind(provider)
            .bind(bsn)
            .fetch_optional(self.reader())
            .await?;
            if let Some(r) = r {
                return Ok(Some(PersonId(get_i64(&r, "id")?)));
            }
        }
        let Some(dob) = date_of_birth else {
            return Ok(None);
        };
        let r = sqlx::query(
            "SELECT id FROM persons WHERE organisation_id = $1 AND date_of_birth = $2 \
             AND LOWER(first_name) = LOWER($3) AND LOWER(last_name) = LOWER($4) AND anonymised_at IS NULL \
             ORDER BY id LIMIT 1",
        )
        .bind(provider)
        .bind(date_text(dob))
        .bind(first_name.trim())
        .bind(last_name.trim())
        .fetch_optional(self.reader())
        .await?;
        r.map(|r| Ok(PersonId(get_i64(&r, "id")?))).transpose()
    }

    /// Files a partner's referral on a known person, with the link to confirm, and the
    /// consent for referral given at submission; one transaction. `submitted` is what the
    /// partner sent (the intake as JSON), kept until a coordinator decides on the link.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_linked_referral(
        &self,
        person: PersonId,
        referral: &crate::referrals::NewReferral,
        submitted: &str,
        consent_given: Date,
        consent_until: Option<Date>,
        actor: &Actor,
    ) -> Result<ReferralId> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "INSERT INTO referrals (person_id, source, urgency, situation, received_at, state, organisation_id, \
             referred_by_organisation_id, link_to_confirm, submitted_intake) \
             VALUES ($1, $2, $3, $4, $5, 'received', $6, $7, 1, $8) RETURNING id",
        )
        .bind(person.0)
        .bind(referral.source.code())
        .bind(referral.urgency.code())
        .bind(&referral.situation)
        .bind(ts_text(actor.at))
        .bind(referral.organisation_id)
        .bind(referral.referred_by)
        .bind(submitted)
        .fetch_one(&mut *tx)
        .await?;
        let id = ReferralId(get_i64(&row, "id")?);
        if let Some(partner) = referral.referred_by {
            let consent = insert_consent(
                &mut tx,
                person,
                partner,
                consent_given,
                consent_until,
                actor,
            )
            .await?;
            sqlx::query("UPDATE referrals SET submitted_consent_id = $2 WHERE id = $1")
                .bind(id.0)
                .bind(consent)
                .execute(&mut *tx)
                .await?;
        }
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::Referral,
            AuditAction::Create,
            format!(
                "aanmelding {id} door ketenpartner, koppeling aan bekend dossier te bevestigen"
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records the consent for referral a partner collected with a new referral.
    pub async fn record_referral_consent(
        &self,
        person: PersonId,
        partner: i64,
        given_on: Date,
        until: Option<Date>,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_consent(&mut tx, person, partner, given_on, until, actor).await?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::Consent,
            AuditAction::Create,
            "toestemming voor aanmelding, vastgelegd door ketenpartner",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The coordinator confirms that a partner's referral belongs to the known file.
    pub async fn confirm_link(&self, referral: ReferralId, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE referrals SET link_to_confirm = 0, submitted_intake = NULL, submitted_consent_id = NULL \
             WHERE id = $1 AND link_to_confirm = 1 RETURNING person_id",
        )
        .bind(referral.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Conflict("deze koppeling is al bevestigd".into()))?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            PersonId(get_i64(&r, "person_id")?),
            DataCategory::Referral,
            AuditAction::Change,
            format!("koppeling van aanmelding {referral} aan bekend dossier bevestigd"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The coordinator finds that a partner's referral is not about the known file it was
    /// filed on: a new file is opened from what the partner submitted, and the referral and
    /// the consent given with it move there. One transaction, logged on both files. A closed
    /// referral may still be split; a placed one may not.
    pub async fn split_link(
        &self,
        referral: ReferralId,
        person: &crate::persons::NewPerson,
        actor: &Actor,
    ) -> Result<PersonId> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT person_id, submitted_consent_id, state FROM referrals \
             WHERE id = $1 AND link_to_confirm = 1",
        )
        .bind(referral.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Conflict("over deze koppeling is al besloten".into()))?;
        if get_string(&row, "state")? == "placed" {
            return Err(StoreError::Conflict(
                "de aanmelding is al geplaatst: ze hoort nu bij dit dossier".into(),
            ));
        }
        let known = PersonId(get_i64(&row, "person_id")?);
        let consent = get_opt_i64(&row, "submitted_consent_id")?;
        let new = crate::persons::insert_person(&mut tx, person, actor.at).await?;
        // Decided or placed meanwhile (another coordinator): nothing is written.
        let moved = sqlx::query(
            "UPDATE referrals SET person_id = $2, link_to_confirm = 0, submitted_intake = NULL, \
             submitted_consent_id = NULL WHERE id = $1 AND person_id = $3 AND link_to_confirm = 1 \
             AND state <> 'placed'",
        )
        .bind(referral.0)
        .bind(new.0)
        .bind(known.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved != 1 {
            return Err(StoreError::Conflict(
                "over deze koppeling is al besloten".into(),
            ));
        }
        // The consent the partner recorded with this referral is the new person's.
        sqlx::query("UPDATE consents SET person_id = $1 WHERE id = $2 AND person_id = $3")
            .bind(new.0)
            .bind(consent)
            .bind(known.0)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            &[
                Access::new(
                    known,
                    DataCategory::Referral,
                    AuditAction::Change,
                    format!("aanmelding {referral} hoort niet bij dit dossier: losgekoppeld"),
                ),
                Access::new(
                    new,
                    DataCategory::File,
                    AuditAction::Create,
                    format!("dossier geopend uit aanmelding {referral} van een ketenpartner"),
                ),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }

    // ------------------------------------------------------------ quotas

    /// Sets a quota's total (creating it); refused below what is already used and reserved.
    pub async fn set_quota(
        &self,
        provider: i64,
        corporation: i64,
        municipality: MunicipalityId,
        year: i16,
        total: i64,
        actor: &Actor,
    ) -> Result<Checked<QuotaId>> {
        let mut tx = self.begin().await?;
        let existing = sqlx::query(
            "SELECT id FROM quotas WHERE corporation_id = $1 AND municipality_id = $2 AND year = $3",
        )
        .bind(corporation)
        .bind(municipality.0)
        .bind(year as i64)
        .fetch_optional(&mut *tx)
        .await?;
        let id = match existing {
            Some(r) => {
                let id = QuotaId(get_i64(&r, "id")?);
                lock_quota(&mut tx, id).await?;
                let q = quota_in(&mut tx, id).await?;
                if total < q.units.used + q.units.reserved {
                    return refused(nabij_domain::RuleViolation::new(
                        "total",
                        format!(
                            "er zijn al {} gebruikt en {} gereserveerd; het totaal kan niet lager",
                            q.units.used, q.units.reserved
                        ),
                    ));
                }
                sqlx::query("UPDATE quotas SET total = $1 WHERE id = $2")
                    .bind(total)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => {
                let r = sqlx::query(
                    "INSERT INTO quotas (provider_id, corporation_id, municipality_id, year, total, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(provider)
                .bind(corporation)
                .bind(municipality.0)
                .bind(year as i64)
                .bind(total)
                .bind(&actor.username)
                .bind(ts_text(actor.at))
                .fetch_one(&mut *tx)
                .await?;
                QuotaId(get_i64(&r, "id")?)
            }
        };
        tx.commit().await?;
        Ok(Ok(id))
    }

    pub async fn quota(&self, id: QuotaId) -> Result<Quota> {
        let r = sqlx::query(&format!("SELECT {QUOTA_COLUMNS} WHERE q.id = $1"))
            .bind(id.0)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("quota"))?;
        quota(&r)
    }

    /// Quotas with their use, by year (newest first), municipality and corporation.
    pub async fn quotas(&self, f: &QuotaFilter) -> Result<Vec<Quota>> {
        let mut sql = format!("SELECT {QUOTA_COLUMNS} WHERE q.provider_id = $1");
        let mut n = 1;
        let mut binds: Vec<i64> = vec![f.provider];
        if let Some(c) = f.corporation {
            n += 1;
            sql.push_str(&format!(" AND q.corporation_id = ${n}"));
            binds.push(c);
        }
        if let Some(p) = f.covered_by {
            n += 1;
            sql.push_str(&format!(
                " AND q.municipality_id IN (SELECT municipality_id FROM partner_municipalities WHERE organisation_id = ${n})"
            ));
            binds.push(p);
        }
        if let Some(y) = f.year {
            n += 1;
            sql.push_str(&format!(" AND q.year = ${n}"));
            binds.push(y as i64);
        }
        sql.push_str(" ORDER BY q.year DESC, m.name, c.name, q.id");
        let mut q = sqlx::query(&sql);
        for b in binds {
            q = q.bind(b);
        }
        q.fetch_all(self.reader())
            .await?
            .iter()
            .map(quota)
            .collect()
    }

    // ------------------------------------------------------------ offers

    /// Registers an offer; it reserves a unit of its quota, refused when none is left.
    pub async fn register_offer(&self, new: &NewOffer, actor: &Actor) -> Result<Checked<OfferId>> {
        let mut tx = self.begin().await?;
        lock_quota(&mut tx, new.quota).await?;
        let q = quota_in(&mut tx, new.quota).await?;
        if let Err(e) = q.units.reserve() {
            return refused(e);
        }
        let r = sqlx::query(
            "INSERT INTO offers (provider_id, corporation_id, quota_id, address, municipality_id, neighbourhood_id, \
             rooms, rent_euros, accessible, available_from, state, holds_unit, registered_by, created_at, no_pets) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', 1, $11, $12, $13) RETURNING id",
        )
        .bind(new.provider)
        .bind(new.corporation)
        .bind(new.quota.0)
        .bind(&new.address)
        .bind(new.municipality.0)
        .bind(new.neighbourhood.map(|n| n.0))
        .bind(new.rooms)
        .bind(new.rent_euros)
        .bind(flag(new.accessible))
        .bind(stored_date("available_from", new.available_from)?)
        .bind(&actor.username)
        .bind(ts_text(actor.at))
        .bind(flag(new.no_pets))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(OfferId(get_i64(&r, "id")?)))
    }

    pub async fn offer(&self, id: OfferId) -> Result<Offer> {
        let r = sqlx::query(&format!("SELECT {OFFER_COLUMNS} WHERE o.id = $1"))
            .bind(id.0)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("offer"))?;
        offer(&r)
    }

    /// One page of a provider's offers (optionally one corporation's), newest first:
    /// `after` is the last id of the previous page.
    pub async fn offers_page(
        &self,
        provider: i64,
        corporation: Option<i64>,
        after: Option<i64>,
        limit: i64,
    ) -> Result<(Vec<Offer>, i64)> {
        let (cond, total_sql) = match corporation {
            Some(_) => (
                "o.provider_id = $1 AND o.corporation_id = $2",
                "SELECT COUNT(*) AS n FROM offers WHERE provider_id = $1 AND corporation_id = $2",
            ),
            None => (
                "o.provider_id = $1 AND $2 = $2",
                "SELECT COUNT(*) AS n FROM offers WHERE provider_id = $1 AND $2 = $2",
            ),
        };
        let corp = corporation.unwrap_or(0);
        let total = get_i64(
            &sqlx::query(total_sql)
                .bind(provider)
                .bind(corp)
                .fetch_one(self.reader())
                .await?,
            "n",
        )?;
        let rows = sqlx::query(&format!(
            "SELECT {OFFER_COLUMNS} WHERE {cond} AND o.id < $3 ORDER BY o.id DESC LIMIT $4"
        ))
        .bind(provider)
        .bind(corp)
        .bind(after.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(offer)
        .collect::<Result<Vec<_>>>()?;
        Ok((rows, total))
    }

    pub async fn offer_answers(&self, id: OfferId) -> Result<Vec<OfferAnswer>> {
        sqlx::query(
            "SELECT person_id, answer, reason, answered_on, recorded_by FROM offer_answers WHERE offer_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(OfferAnswer {
                person_id: PersonId(get_i64(r, "person_id")?),
                answer: get_code(r, "answer", Answer::parse)?,
                reason: get_string(r, "reason")?,
                answered_on: get_date(r, "answered_on")?,
                recorded_by: get_string(r, "recorded_by")?,
            })
        })
        .collect()
    }

    /// The provider's persons ready to move on with a running stay and no offer proposed or
    /// accepted: one indexed pass over the running stays.
    pub async fn ready_to_move_on(&self, provider: i64) -> Result<Vec<ReadyStay>> {
        // About two thousand rows at national scale, read from the waiting stays' index
        // (0043) and each person's row.
        self.read_many(
            "SELECT s.id AS stay_id, s.person_id, s.ready_on, p.first_name || ' ' || p.last_name AS person_name, \
             p.household_size, p.needs_accessible, p.needs_pets, p.needs_women_only, p.own_municipality_id, \
             p.own_neighbourhood_id \
             FROM stays s JOIN persons p ON p.id = s.person_id \
             WHERE s.organisation_id = $1 AND s.exit_date IS NULL AND s.ready_on IS NOT NULL AND p.organisation_id = $1 \
             AND s.person_id NOT IN (SELECT o.person_id FROM offers o WHERE o.provider_id = $1 \
             AND o.state IN ('proposed', 'accepted') AND o.moved_on IS NULL AND o.person_id IS NOT NULL)"
                .to_string(),
            &[Arg::I(provider)],
            ready_stay,
        )
        .await
    }

    /// Proposes a ready person for an open offer. A declined offer holds no unit any more,
    /// so proposing it again reserves one (refused when the quota is used up).
    pub async fn propose_offer(
        &self,
        id: OfferId,
        person: PersonId,
        stay: StayId,
        on: Date,
        actor: &Actor,
    ) -> Result<Checked<()>> {
        let mut tx = self.begin().await?;
        let o = offer_in(&mut tx, id).await?;
        if o.state != OfferState::Open {
            return Err(StoreError::Conflict(
                "dit aanbod is al voorgesteld, geaccepteerd of ingetrokken".into(),
            ));
        }
        if !o.holds_unit {
            lock_quota(&mut tx, o.quota_id).await?;
            if let Err(e) = quota_in(&mut tx, o.quota_id).await?.units.reserve() {
                return refused(e);
            }
        }
        let r = sqlx::query(
            "UPDATE offers SET state = 'proposed', holds_unit = 1, person_id = $1, stay_id = $2, proposed_on = $3 \
             WHERE id = $4 AND state = 'open'",
        )
        .bind(person.0)
        .bind(stay.0)
        .bind(stored_date("proposed_on", on)?)
        .bind(id.0)
        .execute(&mut *tx)
        .await;
        match r {
            Err(sqlx::Error::Database(e))
                if e.is_unique_violation()
                    || e.code().as_deref() == Some("23505")
                    || e.message().contains("UNIQUE") =>
            {
                return Err(StoreError::Conflict(
                    "deze persoon heeft al een woning voorgesteld gekregen".into(),
                ));
            }
            other => {
                other?;
            }
        }
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::Outflow,
            AuditAction::Change,
            format!("woningaanbod {id} voorgesteld"),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// A decline: the person stays ready, the offer returns to matching and gives its
    /// unit back.
    pub async fn decline_offer(
        &self,
        id: OfferId,
        reason: &str,
        on: Date,
        actor: &Actor,
    ) -> Result<()> {
        self.back_to_matching(id, OfferState::Proposed, reason, on, actor)
            .await
    }

    /// A proposed or accepted offer (not yet moved into) returns to matching after the
    /// person's decline with its reason: the offer holds no unit and names no one.
    async fn back_to_matching(
        &self,
        id: OfferId,
        from: OfferState,
        reason: &str,
        on: Date,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let o = offer_in(&mut tx, id).await?;
        let (true, None, Some(person)) = (o.state == from, o.moved_on, o.person_id) else {
            return Err(StoreError::Conflict(match from {
                OfferState::Accepted => {
                    "alleen een geaccepteerd aanbod waarin nog niet verhuisd is".into()
                }
                _ => "dit aanbod is niet aan iemand voorgesteld".into(),
            }));
        };
        let r = sqlx::query(
            "UPDATE offers SET state = 'open', holds_unit = 0, person_id = NULL, stay_id = NULL, proposed_on = NULL, \
             key_date = NULL, used_quota_id = NULL WHERE id = $1 AND state = $2 AND moved_on IS NULL",
        )
        .bind(id.0)
        .bind(from.code())
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "dit aanbod is intussen veranderd; laad opnieuw".into(),
            ));
        }
        insert_answer(&mut tx, id, person, Answer::Declined, reason, on, actor).await?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::Outflow,
            AuditAction::Change,
            match from {
                OfferState::Accepted => format!("woningaanbod {id}: acceptatie ingetrokken"),
                _ => format!("woningaanbod {id} geweigerd"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An acceptance with the key date: the unit moves from a reservation to used, in the
    /// quota of the key date's year (the offer's own quota when that year has none). A key
    /// year whose quota is used up refuses the acceptance: the unit would go over its total.
    /// When the key date has come, the move ends the stay at once.
    pub async fn accept_offer(
        &self,
        id: OfferId,
        key_date: Date,
        today: Date,
        reason: &str,
        actor: &Actor,
    ) -> Result<Checked<()>> {
        let mut tx = self.begin().await?;
        let o = offer_in(&mut tx, id).await?;
        let (OfferState::Proposed, Some(person)) = (o.state, o.person_id) else {
            return Err(StoreError::Conflict(
                "dit aanbod is niet aan iemand voorgesteld".into(),
            ));
        };
        // The offer's own reservation turns into the use when the years agree.
        let used_quota = match key_year_quota(&mut tx, &o, key_date, Some(o.quota_id)).await? {
            Ok(q) => q,
            Err(e) => return Ok(Err(e)),
        };
        lock_quota(&mut tx, used_quota).await?;
        sqlx::query(
            "UPDATE offers SET state = 'accepted', holds_unit = 0, key_date = $1, used_quota_id = $2 \
             WHERE id = $3 AND state = 'proposed'",
        )
        .bind(stored_date("key_date", key_date)?)
        .bind(used_quota.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        insert_answer(&mut tx, id, person, Answer::Accepted, reason, today, actor).await?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::Outflow,
            AuditAction::Change,
            format!("woningaanbod {id} geaccepteerd, sleutel {key_date}"),
        )
        .await?;
        if key_date <= today {
            move_in(&mut tx, self.audit_key.as_ref(), &o, key_date, actor).await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// The move into an accepted offer on its key date: the stay ends with destination own
    /// rented home.
    pub async fn move_into_offer(
        &self,
        id: OfferId,
        today: Date,
        actor: &Actor,
    ) -> Result<Checked<()>> {
        let mut tx = self.begin().await?;
        let o = offer_in(&mut tx, id).await?;
        let (OfferState::Accepted, Some(key), None) = (o.state, o.key_date, o.moved_on) else {
            return Err(StoreError::Conflict(
                "alleen een geaccepteerd aanbod waarin nog niet verhuisd is".into(),
            ));
        };
        if key > today {
            return refused(nabij_domain::RuleViolation::new(
                "key_date",
                format!(
                    "de sleutel komt op {}; registreer de verhuizing vanaf die dag",
                    nabij_domain::labels::date(key)
                ),
            ));
        }
        move_in(&mut tx, self.audit_key.as_ref(), &o, key, actor).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// A new key date for an accepted offer not yet moved into, with the reason; the unit
    /// moves to the quota of the new key date's year when that differs. Checked by
    /// [`check_new_key_date`] before.
    pub async fn change_key_date(
        &self,
        id: OfferId,
        key_date: Date,
        reason: &str,
        actor: &Actor,
    ) -> Result<Checked<()>> {
        let mut tx = self.begin().await?;
        let o = offer_in(&mut tx, id).await?;
        let (OfferState::Accepted, Some(before), None, Some(person)) =
            (o.state, o.key_date, o.moved_on, o.person_id)
        else {
            return Err(StoreError::Conflict(
                "alleen de sleuteldatum van een geaccepteerd aanbod waarin nog niet verhuisd is"
                    .into(),
            ));
        };
        let r = sqlx::query("SELECT used_quota_id FROM offers WHERE id = $1")
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?;
        let used = QuotaId(get_i64(&r, "used_quota_id")?);
        let target = match key_year_quota(&mut tx, &o, key_date, Some(used)).await? {
            Ok(q) => q,
            Err(e) => return Ok(Err(e)),
        };
        let r = sqlx::query(
            "UPDATE offers SET key_date = $1, used_quota_id = $2 \
             WHERE id = $3 AND state = 'accepted' AND moved_on IS NULL AND key_date = $4",
        )
        .bind(stored_date("key_date", key_date)?)
        .bind(target.0)
        .bind(id.0)
        .bind(date_text(before))
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "dit aanbod is intussen veranderd; laad opnieuw".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO key_date_changes (offer_id, person_id, key_date_before, key_date, reason, changed_by, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.0)
        .bind(person.0)
        .bind(date_text(before))
        .bind(date_text(key_date))
        .bind(reason)
        .bind(&actor.username)
        .bind(ts_text(actor.at))
        .execute(&mut *tx)
        .await?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::Outflow,
            AuditAction::Change,
            format!("woningaanbod {id}: sleuteldatum van {before} naar {key_date}"),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Cancels the acceptance of an offer not yet moved into (the handover falls through, or
    /// the person changes their mind): recorded as a decline with the reason, the offer
    /// returns to matching and its unit is released, as after any decline; the person stays
    /// ready to move on.
    pub async fn cancel_acceptance(
        &self,
        id: OfferId,
        reason: &str,
        on: Date,
        actor: &Actor,
    ) -> Result<()> {
        self.back_to_matching(id, OfferState::Accepted, reason, on, actor)
            .await
    }

    /// The key date changes of an offer, oldest first.
    pub async fn key_date_changes(&self, id: OfferId) -> Result<Vec<KeyDateChange>> {
        sqlx::query(
            "SELECT key_date_before, key_date, reason, changed_by, changed_at FROM key_date_changes \
             WHERE offer_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(KeyDateChange {
                before: get_date(r, "key_date_before")?,
                key_date: get_date(r, "key_date")?,
                reason: get_string(r, "reason")?,
                changed_by: get_string(r, "changed_by")?,
                changed_at: get_ts(r, "changed_at")?,
            })
        })
        .collect()
    }

    /// The accepted offers not yet moved into whose key date lies in `from..=to`, and whose
    /// stay still runs, across every organisation: the moves that are due.
    pub async fn offers_to_move(&self, from: Date, to: Date) -> Result<Vec<OfferId>> {
        sqlx::query(
            "SELECT o.id FROM offers o JOIN stays s ON s.id = o.stay_id \
             WHERE o.state = 'accepted' AND o.moved_on IS NULL AND o.key_date >= $1 AND o.key_date <= $2 \
             AND s.exit_date IS NULL ORDER BY o.key_date, o.id",
        )
        .bind(date_text(from))
        .bind(date_text(to))
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| Ok(OfferId(get_i64(r, "id")?)))
        .collect()
    }

    /// Withdraws an open or proposed offer; its unit is released.
    pub async fn withdraw_offer(&self, id: OfferId, reason: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let o = offer_in(&mut tx, id).await?;
        if !matches!(o.state, OfferState::Open | OfferState::Proposed) {
            return Err(StoreError::Conflict(
                "een geaccepteerd of ingetrokken aanbod trek je niet (meer) in".into(),
            ));
        }
        sqlx::query(
            "UPDATE offers SET state = 'withdrawn', holds_unit = 0, person_id = NULL, stay_id = NULL, withdraw_reason = $1 \
             WHERE id = $2",
        )
        .bind(reason)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if let Some(p) = o.person_id {
            append_one(
                &mut tx,
                self.audit_key.as_ref(),
                actor,
                p,
                DataCategory::Outflow,
                AuditAction::Change,
                format!("woningaanbod {id} ingetrokken"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    // ------------------------------------------------------------ the lease flip

    /// A corporation offers a house for use as omklapwoning: the home (one place by
    /// default) enters the stock from `from`, the flip is `requested`.
    pub async fn request_flip(
        &self,
        home: HomeId,
        provider: i64,
        corporation: i64,
        on: Date,
        replaces: Option<FlipId>,
        actor: &Actor,
    ) -> Result<FlipId> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "INSERT INTO flips (provider_id, corporation_id, home_id, state, requested_on, replaces_flip_id, created_at) \
             VALUES ($1, $2, $3, 'requested', $4, $5, $6) RETURNING id",
        )
        .bind(provider)
        .bind(corporation)
        .bind(home.0)
        .bind(stored_date("requested_on", on)?)
        .bind(replaces.map(|f| f.0))
        .bind(ts_text(actor.at))
        .fetch_one(&mut *tx)
        .await?;
        let id = FlipId(get_i64(&r, "id")?);
        insert_event(&mut tx, id, "requested", None, None, "", on, actor).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn flip(&self, id: FlipId) -> Result<FlipRow> {
        let r = sqlx::query(&format!("SELECT {FLIP_COLUMNS} WHERE f.id = $1"))
            .bind(id.0)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("flip"))?;
        let criteria = self.current_criteria(id, &r).await?;
        flip_row(&r, criteria)
    }

    async fn current_criteria(&self, id: FlipId, r: &AnyRow) -> Result<Vec<CriterionRecord>> {
        let Some(since) = get_opt_date(r, "review_started_on")? else {
            return Ok(Vec::new());
        };
        let _ = since;
        // The criteria after the latest start of a review.
        sqlx::query(
            "SELECT criterion, met, note, on_date, recorded_by FROM flip_events WHERE flip_id = $1 AND what = 'criterion' \
             AND id > (SELECT MAX(id) FROM flip_events WHERE flip_id = $1 AND what = 'flip_review') ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(CriterionRecord {
                criterion: get_code(r, "criterion", Criterion::parse)?,
                met: get_bool(r, "met")?,
                recorded_on: get_date(r, "on_date")?,
                recorded_by: get_string(r, "recorded_by")?,
                note: get_string(r, "note")?,
            })
        })
        .collect()
    }

    /// A provider's flips (optionally one corporation's), by id.
    pub async fn flips(&self, provider: i64, corporation: Option<i64>) -> Result<Vec<FlipRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {FLIP_COLUMNS} WHERE f.provider_id = $1 AND ($2 = 0 OR f.corporation_id = $2) ORDER BY f.id"
        ))
        .bind(provider)
        .bind(corporation.unwrap_or(0))
        .fetch_all(self.reader())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = FlipId(get_i64(r, "id")?);
            let c = self.current_criteria(id, r).await?;
            out.push(flip_row(r, c)?);
        }
        Ok(out)
    }

    pub async fn flip_events(&self, id: FlipId) -> Result<Vec<FlipEvent>> {
        sqlx::query(
            "SELECT what, criterion, met, note, on_date, recorded_by FROM flip_events WHERE flip_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(FlipEvent {
                what: get_string(r, "what")?,
                criterion: get_opt_code(r, "criterion", Criterion::parse)?,
                met: get_opt_i64(r, "met")?.map(|m| m == 1),
                note: get_string(r, "note")?,
                on: get_date(r, "on_date")?,
                recorded_by: get_string(r, "recorded_by")?,
            })
        })
        .collect()
    }

    /// Writes one step of a flip that the domain's state machine allowed: the new state,
    /// the event, and for `flipped` its effects (the stay ends with own lease via omklap,
    /// the home closes from that date); all in one transaction, guarded by the old state.
    #[allow(clippy::too_many_arguments)]
    pub async fn apply_flip(
        &self,
        id: FlipId,
        before: FlipState,
        next: &Flip,
        action: &FlipAction,
        effects: &[FlipEffect],
        stay: Option<StayId>,
        aftercare_until: Option<Date>,
        actor: &Actor,
    ) -> Result<Checked<()>> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE flips SET state = $1, resident_person_id = $2, stay_id = COALESCE($3, stay_id), usage_from = $4, \
             review_started_on = $5, reviews_failed = $6, flipped_on = $7 WHERE id = $8 AND state = $9 RETURNING home_id, stay_id",
        )
        .bind(next.state.code())
        .bind(next.resident.map(|p| p.0))
        .bind(stay.map(|s| s.0))
        .bind(next.usage_from.map(date_text))
        .bind(next.review_started_on.map(date_text))
        .bind(next.reviews_failed)
        .bind(next.flipped_on.map(date_text))
        .bind(id.0)
        .bind(before.code())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            StoreError::Conflict("deze omklapwoning is intussen veranderd; laad opnieuw".into())
        })?;
        let home = HomeId(get_i64(&r, "home_id")?);
        let flip_stay = get_opt_i64(&r, "stay_id")?.map(StayId);
        let (what, criterion, met, note, on) = match action {
            FlipAction::StartUse { from, .. } => ("in_use", None, None, String::new(), *from),
            FlipAction::StartReview { on } => ("flip_review", None, None, String::new(), *on),
            FlipAction::Record(c) => (
                "criterion",
                Some(c.criterion),
                Some(c.met),
                c.note.clone(),
                c.recorded_on,
            ),
            FlipAction::ReviewFailed { on, reasons } => {
                ("review_failed", None, None, reasons.trim().to_string(), *on)
            }
            FlipAction::Flip { on } => ("flipped", None, None, String::new(), *on),
        };
        insert_event(&mut tx, id, what, criterion, met, &note, on, actor).await?;
        for e in effects {
            match e {
                FlipEffect::EndStay {
                    resident,
                    on,
                    destination,
                } => {
                    // The stay in this house that the usage agreement began with, and no
                    // other: a resident who moved elsewhere has no lease to flip here.
                    let Some(flip_stay) = flip_stay else {
                        return Err(StoreError::Conflict(RESIDENT_GONE.into()));
                    };
                    let stay = sqlx::query(
                        "SELECT start_date, exit_date FROM stays WHERE id = $1 AND person_id = $2",
                    )
                    .bind(flip_stay.0)
                    .bind(resident.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match stay {
                        Some(s) if get_opt_date(&s, "exit_date")?.is_none() => {
                            if get_date(&s, "start_date")? > *on {
                                return Err(StoreError::Conflict(
                                    "de omklapdatum ligt voor het begin van het verblijf".into(),
                                ));
                            }
                        }
                        _ => return Err(StoreError::Conflict(RESIDENT_GONE.into())),
                    }
                    end_stay_in(
                        &mut tx,
                        *resident,
                        Some(flip_stay),
                        *on,
                        *destination,
                        "huurcontract omgeklapt",
                    )
                    .await?;
                    // The resident stays in the same house: guidance runs on as aftercare
                    // (or ends, when no aftercare is set), in this same transaction.
                    crate::guidance::close_at_exit_in(
                        &mut tx,
                        self.audit_key.as_ref(),
                        actor,
                        *resident,
                        *on,
                        aftercare_until,
                    )
                    .await?;
                }
                FlipEffect::CloseHome { on } => {
                    let others = sqlx::query(
                        "SELECT COUNT(*) AS n FROM stays WHERE home_id = $1 AND exit_date IS NULL",
                    )
                    .bind(home.0)
                    .fetch_one(&mut *tx)
                    .await?;
                    if get_i64(&others, "n")? > 0 {
                        return Err(StoreError::Conflict(
                            "er wonen nog anderen in dit huis; het kan niet uit de voorraad".into(),
                        ));
                    }
                    let r = sqlx::query(
                        "UPDATE homes SET closed_on = $1 WHERE id = $2 AND opened_on < $1",
                    )
                    .bind(stored_date("closed_on", *on)?)
                    .bind(home.0)
                    .execute(&mut *tx)
                    .await?;
                    if r.rows_affected() == 0 {
                        return refused(nabij_domain::RuleViolation::new(
                            "on",
                            "de omklapdatum ligt niet na de opening van het huis",
                        ));
                    }
                    sqlx::query(
                        "INSERT INTO home_changes (home_id, place_id, what, effective_on, changed_by, changed_at) \
                         VALUES ($1, NULL, 'uit de voorraad: huurcontract omgeklapt', $2, $3, $4)",
                    )
                    .bind(home.0)
                    .bind(date_text(*on))
                    .bind(&actor.username)
                    .bind(ts_text(actor.at))
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        if let Some(p) = next.resident {
            append_one(
                &mut tx,
                self.audit_key.as_ref(),
                actor,
                p,
                DataCategory::Outflow,
                AuditAction::Change,
                format!("omklapwoning {id}: {what}"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// The running stay of a person in a home.
    pub async fn running_stay_in(&self, person: PersonId, home: HomeId) -> Result<Option<StayId>> {
        let r = sqlx::query(
            "SELECT id FROM stays WHERE person_id = $1 AND home_id = $2 AND exit_date IS NULL",
        )
        .bind(person.0)
        .bind(home.0)
        .fetch_optional(self.reader())
        .await?;
        r.map(|r| Ok(StayId(get_i64(&r, "id")?))).transpose()
    }
}

const FLIP_COLUMNS: &str = "f.id, f.provider_id, f.corporation_id, c.name AS corporation_name, f.home_id, \
     h.name AS home_name, h.address, m.name AS municipality_name, f.state, f.requested_on, f.resident_person_id, \
     p.first_name || ' ' || p.last_name AS resident_name, f.stay_id, f.usage_from, f.review_started_on, \
     f.reviews_failed, f.flipped_on, f.replaces_flip_id \
     FROM flips f JOIN organisations c ON c.id = f.corporation_id JOIN homes h ON h.id = f.home_id \
     JOIN neighbourhoods n ON n.id = h.neighbourhood_id JOIN municipalities m ON m.id = n.municipality_id \
     LEFT JOIN persons p ON p.id = f.resident_person_id";

fn flip_row(r: &AnyRow, criteria: Vec<CriterionRecord>) -> Result<FlipRow> {
    Ok(FlipRow {
        id: FlipId(get_i64(r, "id")?),
        provider_id: get_i64(r, "provider_id")?,
        corporation_id: get_i64(r, "corporation_id")?,
        corporation_name: get_string(r, "corporation_name")?,
        home_id: HomeId(get_i64(r, "home_id")?),
        home_name: get_string(r, "home_name")?,
        address: get_string(r, "address")?,
        municipality_name: get_string(r, "municipality_name")?,
        requested_on: get_date(r, "requested_on")?,
        resident_name: get_opt_string(r, "resident_name")?,
        stay_id: get_opt_i64(r, "stay_id")?.map(StayId),
        replaces: get_opt_i64(r, "replaces_flip_id")?.map(FlipId),
        flip: Flip {
            state: get_code(r, "state", FlipState::parse)?,
            resident: get_opt_i64(r, "resident_person_id")?.map(PersonId),
            usage_from: get_opt_date(r, "usage_from")?,
            review_started_on: get_opt_date(r, "review_started_on")?,
            criteria,
            reviews_failed: get_i64(r, "reviews_failed")?,
            flipped_on: get_opt_date(r, "flipped_on")?,
        },
    })
}

fn ready_stay(r: &dyn Cells) -> Result<ReadyStay> {
    Ok(ReadyStay {
        stay: StayId(r.int("stay_id")?),
        person_name: r.text("person_name")?.unwrap_or_default().to_string(),
        ready: ReadyPerson {
            person: PersonId(r.int("person_id")?),
            household_size: r.int("household_size")?,
            needs: Needs {
                accessible: r.int("needs_accessible")? != 0,
                pets: r.int("needs_pets")? != 0,
                women_only: r.int("needs_women_only")? != 0,
            },
            own_municipality: MunicipalityId(r.int("own_municipality_id")?),
            own_neighbourhood: r.opt_int("own_neighbourhood_id")?.map(NeighbourhoodId),
            ready_on: crate::reports::day(r, "ready_on")?,
        },
    })
}

async fn insert_consent(
    tx: &mut Tx,
    person: PersonId,
    partner: i64,
    given_on: Date,
    until: Option<Date>,
    actor: &Actor,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO consents (person_id, organisation_id, purpose, given_on, expires_on, recorded_by, created_at) \
         VALUES ($1, $2, 'referral', $3, $4, $5, $6) RETURNING id",
    )
    .bind(person.0)
    .bind(partner)
    .bind(stored_date("consent_given_on", given_on)?)
    .bind(stored_opt_date("consent_until", until)?)
    .bind(&actor.username)
    .bind(ts_text(actor.at))
    .fetch_one(&mut **tx)
    .await?;
    get_i64(&row, "id")
}

async fn insert_answer(
    tx: &mut Tx,
    id: OfferId,
    person: PersonId,
    answer: Answer,
    reason: &str,
    on: Date,
    actor: &Actor,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO offer_answers (offer_id, person_id, answer, reason, answered_on, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.0)
    .bind(person.0)
    .bind(answer.code())
    .bind(reason)
    .bind(stored_date("answered_on", on)?)
    .bind(&actor.username)
    .bind(ts_text(actor.at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_event(
    tx: &mut Tx,
    id: FlipId,
    what: &str,
    criterion: Option<Criterion>,
    met: Option<bool>,
    note: &str,
    on: Date,
    actor: &Actor,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO flip_events (flip_id, what, criterion, met, note, on_date, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.0)
    .bind(what)
    .bind(criterion.map(|c| c.code()))
    .bind(met.map(flag))
    .bind(note)
    .bind(stored_date("on", on)?)
    .bind(&actor.on_behalf_of)
    .bind(ts_text(actor.at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const RESIDENT_GONE: &str =
    "de bewoner woont niet (meer) in deze omklapwoning; het huurcontract kan niet omklappen";

/// Ends the running stay of `person` (that one stay when `stay` names it) on `on` and frees
/// its places from then.
async fn end_stay_in(
    tx: &mut Tx,
    person: PersonId,
    stay: Option<StayId>,
    on: Date,
    destination: Destination,
    reason: &str,
) -> Result<StayId> {
    let on_text = stored_date("exit_date", on)?;
    let only = if stay.is_some() { " AND id = $5" } else { "" };
    let sql = format!(
        "UPDATE stays SET exit_date = $1, destination = $2, exit_reason = $3 \
         WHERE person_id = $4 AND exit_date IS NULL AND start_date <= $1{only} RETURNING id"
    );
    let mut q = sqlx::query(&sql)
        .bind(&on_text)
        .bind(destination.code())
        .bind(reason)
        .bind(person.0);
    if let Some(stay) = stay {
        q = q.bind(stay.0);
    }
    let r = q.fetch_optional(&mut **tx).await?.ok_or_else(|| {
        StoreError::Conflict(
            "deze persoon heeft geen lopend verblijf dat op die datum kan eindigen".into(),
        )
    })?;
    let stay = StayId(get_i64(&r, "id")?);
    sqlx::query(
        "UPDATE stay_places SET released_on = $1 WHERE stay_id = $2 AND released_on IS NULL",
    )
    .bind(&on_text)
    .bind(stay.0)
    .execute(&mut **tx)
    .await?;
    Ok(stay)
}

async fn move_in(
    tx: &mut Tx,
    key: Option<&crate::audit::AuditKey>,
    o: &Offer,
    on: Date,
    actor: &Actor,
) -> Result<()> {
    let person = o
        .person_id
        .ok_or_else(|| StoreError::Conflict("niemand om te verhuizen".into()))?;
    // Guarded by the key date it moves on: a key date changed meanwhile (by another
    // transaction, also on PostgreSQL's read committed) refuses the move instead of ending
    // the stay on the old date.
    let r = sqlx::query(
        "UPDATE offers SET moved_on = $1 WHERE id = $2 AND state = 'accepted' AND moved_on IS NULL AND key_date = $1",
    )
    .bind(date_text(on))
    .bind(o.id.0)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict(
            "dit aanbod is intussen veranderd; laad opnieuw".into(),
        ));
    }
    // The stay the offer was made for: a later stay of the same person is not this move's.
    end_stay_in(
        tx,
        person,
        o.stay_id,
        on,
        Destination::OwnRentedHome,
        &format!("verhuisd naar {}", o.address),
    )
    .await?;
    crate::guidance::close_at_exit_in(tx, key, actor, person, on, None).await?;
    append_one(
        tx,
        key,
        actor,
        person,
        DataCategory::Stay,
        AuditAction::Change,
        format!("vertrek naar eigen huurwoning (aanbod {})", o.id),
    )
    .await?;
    Ok(())
}

/// Which persons a chain figure counts: the provider's, and with `partner` only those whose
/// own municipality the partner covers.
#[derive(Debug, Clone, Copy)]
pub struct ChainScope {
    pub provider: i64,
    pub partner: Option<i64>,
    /// Only the outflow measures (offers, quotas, flips, waiting after exit): the report's
    /// summary leaves the referrals, placements and running stays to its own tables.
    pub outflow_only: bool,
}

/// Per municipality, the chain and outflow figures of a period (half-open dates).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChainFigures {
    pub municipality_id: i64,
    pub municipality_name: String,
    pub referrals: i64,
    pub placements: i64,
    pub placements_own_municipality: i64,
    pub no_place: i64,
    pub running_stays: i64,
    /// Exits by destination code.
    pub exits: Vec<(String, i64)>,
    /// Exits after ready to move on, and the median of their days waited (ready → exit).
    pub waited_exits: i64,
    pub waited_median: Option<f64>,
    /// Running stays ready to move on at the period's end, and the median of their days
    /// waited so far.
    pub waiting_now: i64,
    pub waiting_now_median: Option<f64>,
    /// The days waited of the exits after a wait, as (days, how many), sorted.
    pub waited_days: Vec<(i64, i64)>,
    pub quota_total: i64,
    pub quota_used: i64,
    pub quota_reserved: i64,
    pub offers_made: i64,
    pub offers_accepted: i64,
    pub offers_declined: i64,
    pub flips: i64,
    pub flip_days: i64,
    pub reviews_failed: i64,
}

/// Decline reasons of a period with how often each was given.
pub type DeclineReasons = Vec<(String, i64)>;

impl Db {
    /// The chain figures per municipality over a period, each with one grouped query over
    /// the period's rows (indexed by date or organisation).
    pub async fn chain_figures(
        &self,
        scope: ChainScope,
        from: Date,
        to: Date,
    ) -> Result<(Vec<ChainFigures>, DeclineReasons)> {
        use std::collections::BTreeMap;
        // Aggregates over the organisation's history: report queries (in the report slots;
        // on SQLite on the lower-priority report threads), so placements and pages keep the
        // cores and always find a reading connection.
        let (f, t) = (date_text(from), date_text(to));
        let persons_scope = match scope.partner {
            Some(_) => {
                " AND p.own_municipality_id IN (SELECT municipality_id FROM partner_municipalities WHERE organisation_id = $4)"
            }
            None => " AND $4 = $4",
        };
        let partner = scope.partner.unwrap_or(0);
        let args = [
            Arg::I(scope.provider),
            Arg::T(&f),
            Arg::T(&t),
            Arg::I(partner),
        ];
        // Rows of (municipality, a, b), absent counts as 0.
        let counts = |r: &dyn Cells| {
            Ok((
                r.int("m")?,
                r.opt_int("a")?.unwrap_or(0),
                r.opt_int("b")?.unwrap_or(0),
            ))
        };
        let days = match self.backend() {
            crate::Backend::Sqlite => {
                "CAST(julianday(s.exit_date) - julianday(s.ready_on) AS INTEGER)"
            }
            crate::Backend::Postgres => "(CAST(s.exit_date AS DATE) - CAST(s.ready_on AS DATE))",
        };
        let days_now = match self.backend() {
            crate::Backend::Sqlite => "CAST(julianday($3) - julianday(s.ready_on) AS INTEGER)",
            crate::Backend::Postgres => "(CAST($3 AS DATE) - CAST(s.ready_on AS DATE))",
        };
        let mut by: BTreeMap<i64, ChainFigures> = BTreeMap::new();
        let queries: [(&str, String); 7] = [
            // A partner's few municipalities: from their persons to the referrals (a person's
            // referrals are all of the person's organisation); the whole organisation: the
            // period's referrals.
            ("referrals", if scope.partner.is_some() {
                "SELECT p.own_municipality_id AS m, COUNT(*) AS a, 0 AS b FROM persons p CROSS JOIN referrals r \
                 WHERE r.person_id = p.id AND p.organisation_id = $1 AND r.received_at >= $2 AND r.received_at < $3{scope} \
                 GROUP BY p.own_municipality_id".into()
            } else {
                "SELECT p.own_municipality_id AS m, COUNT(*) AS a, 0 AS b FROM referrals r JOIN persons p ON p.id = r.person_id \
                 WHERE r.organisation_id = $1 AND r.received_at >= $2 AND r.received_at < $3{scope} GROUP BY p.own_municipality_id".into()
            }),
            ("placements", "SELECT p.own_municipality_id AS m, COUNT(*) AS a, \
              SUM(CASE WHEN s.proximity IN ('own_neighbourhood', 'own_municipality') THEN 1 ELSE 0 END) AS b \
              FROM stays s JOIN persons p ON p.id = s.person_id \
              WHERE p.organisation_id = $1 AND s.start_date >= $2 AND s.start_date < $3{scope} GROUP BY p.own_municipality_id".into()),
            ("no_place", if scope.partner.is_some() {
                "SELECT e.municipality_id AS m, COUNT(*) AS a, 0 AS b FROM persons p CROSS JOIN referrals r CROSS JOIN no_place_events e \
                 WHERE r.person_id = p.id AND e.referral_id = r.id AND p.organisation_id = $1 \
                 AND e.occurred_at >= $2 AND e.occurred_at < $3{scope} GROUP BY e.municipality_id".into()
            } else {
                "SELECT e.municipality_id AS m, COUNT(*) AS a, 0 AS b FROM no_place_events e JOIN referrals r ON r.id = e.referral_id \
                 JOIN persons p ON p.id = r.person_id \
                 WHERE r.organisation_id = $1 AND e.occurred_at >= $2 AND e.occurred_at < $3{scope} GROUP BY e.municipality_id".into()
            }),
            // Running at the end: the organisation's running stays, and those that ended
            // after it, each read from its own index range rather than every stay.
            ("running", "SELECT p.own_municipality_id AS m, COUNT(*) AS a, 0 AS b FROM ( \
              SELECT s.person_id FROM stays s WHERE s.organisation_id = $1 AND s.exit_date IS NULL AND s.start_date < $3 \
              UNION ALL \
              SELECT s.person_id FROM stays s WHERE s.exit_date >= $3 AND s.start_date < $3 AND +s.organisation_id = $1) s \
              JOIN persons p ON p.id = s.person_id WHERE $2 = $2{scope} \
              GROUP BY p.own_municipality_id".into()),
            ("offers", "SELECT o.municipality_id AS m, COUNT(*) AS a, 0 AS b FROM offers o \
              WHERE o.provider_id = $1 AND o.created_at >= $2 AND o.created_at < $3 \
              AND ($4 = 0 OR o.municipality_id IN (SELECT municipality_id FROM partner_municipalities WHERE organisation_id = $4)) \
              GROUP BY o.municipality_id".into()),
            ("answers", "SELECT o.municipality_id AS m, SUM(CASE WHEN a.answer = 'accepted' THEN 1 ELSE 0 END) AS a, \
              SUM(CASE WHEN a.answer = 'declined' THEN 1 ELSE 0 END) AS b FROM offer_answers a JOIN offers o ON o.id = a.offer_id \
              WHERE o.provider_id = $1 AND a.answered_on >= $2 AND a.answered_on < $3 \
              AND ($4 = 0 OR o.municipality_id IN (SELECT municipality_id FROM partner_municipalities WHERE organisation_id = $4)) \
              GROUP BY o.municipality_id".into()),
            ("flips", format!("SELECT n.municipality_id AS m, COUNT(*) AS a, COALESCE(SUM({}), 0) AS b FROM flips f \
              JOIN homes h ON h.id = f.home_id JOIN neighbourhoods n ON n.id = h.neighbourhood_id \
              WHERE f.provider_id = $1 AND f.flipped_on >= $2 AND f.flipped_on < $3 \
              AND ($4 = 0 OR n.municipality_id IN (SELECT municipality_id FROM partner_municipalities WHERE organisation_id = $4)) \
              GROUP BY n.municipality_id", match self.backend() {
                crate::Backend::Sqlite => "CAST(julianday(f.flipped_on) - julianday(f.usage_from) AS INTEGER)",
                crate::Backend::Postgres => "(CAST(f.flipped_on AS DATE) - CAST(f.usage_from AS DATE))",
            })),
        ];
        for (what, sql) in queries {
            if scope.outflow_only
                && matches!(what, "referrals" | "placements" | "no_place" | "running")
            {
                continue;
            }
            let sql = sql.replace("{scope}", persons_scope);
            for (m, a, b) in self.decoded(sql, &args, None, counts).await? {
                let e = by.entry(m).or_insert_with(|| ChainFigures {
                    municipality_id: m,
                    ..Default::default()
                });
                match what {
                    "referrals" => e.referrals = a,
                    "placements" => (e.placements, e.placements_own_municipality) = (a, b),
                    "no_place" => e.no_place = a,
                    "running" => e.running_stays = a,
                    "offers" => e.offers_made = a,
                    "answers" => (e.offers_accepted, e.offers_declined) = (a, b),
                    _ => (e.flips, e.flip_days) = (a, b),
                }
            }
        }
        // Waiting for housing, as a median: the number of stays per day count, per
        // municipality (a short histogram instead of every stay).
        // A partner's few municipalities: from their persons; the whole organisation: from
        // the period's exits (and the running stays ready to move on), by index.
        let waits = if scope.partner.is_some() {
            vec![
                (
                    "waited",
                    format!(
                        "SELECT p.own_municipality_id AS m, {days} AS d, COUNT(*) AS a FROM stays s JOIN persons p ON p.id = s.person_id \
                  WHERE p.organisation_id = $1 AND s.exit_date >= $2 AND s.exit_date < $3 AND s.ready_on IS NOT NULL{persons_scope} \
                  GROUP BY p.own_municipality_id, d"
                    ),
                ),
                (
                    "waiting_now",
                    format!(
                        "SELECT p.own_municipality_id AS m, {days_now} AS d, COUNT(*) AS a FROM stays s JOIN persons p ON p.id = s.person_id \
                  WHERE p.organisation_id = $1 AND s.ready_on IS NOT NULL AND s.ready_on < $3 AND (s.exit_date IS NULL OR s.exit_date >= $3) AND $2 = $2{persons_scope} \
                  GROUP BY p.own_municipality_id, d"
                    ),
                ),
            ]
        } else {
            let mut w = vec![(
                "waited",
                format!(
                    "SELECT p.own_municipality_id AS m, {days} AS d, COUNT(*) AS a FROM stays s CROSS JOIN persons p \
                  WHERE p.id = s.person_id AND p.organisation_id = $1 AND s.exit_date >= $2 AND s.exit_date < $3 AND s.ready_on IS NOT NULL{persons_scope} \
                  GROUP BY p.own_municipality_id, d"
                ),
            )];
            if !scope.outflow_only {
                w.push(("waiting_now", format!("SELECT p.own_municipality_id AS m, {days_now} AS d, COUNT(*) AS a FROM stays s CROSS JOIN persons p \
                  WHERE p.id = s.person_id AND s.organisation_id = $1 AND p.organisation_id = $1 AND s.ready_on IS NOT NULL AND s.ready_on < $3 \
                  AND (s.exit_date IS NULL OR s.exit_date >= $3) AND $2 = $2{persons_scope} \
                  GROUP BY p.own_municipality_id, d")));
            }
            w
        };
        for (what, sql) in waits {
            let rows = self
                .decoded(sql, &args, None, |r: &dyn Cells| {
                    Ok((r.int("m")?, r.opt_int("d")?.unwrap_or(0), r.int("a")?))
                })
                .await?;
            let mut hist: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
            for (m, d, a) in rows {
                hist.entry(m).or_default().push((d, a));
            }
            for (m, mut h) in hist {
                h.sort_unstable();
                let n: i64 = h.iter().map(|(_, a)| a).sum();
                let median = nabij_domain::outflow::median_of_counts(&h);
                let e = by.entry(m).or_insert_with(|| ChainFigures {
                    municipality_id: m,
                    ..Default::default()
                });
                if what == "waited" {
                    (e.waited_exits, e.waited_median) = (n, median);
                    e.waited_days = h;
                } else {
                    (e.waiting_now, e.waiting_now_median) = (n, median);
                }
            }
        }
        // Exits by destination, and reviews not passed (flip events), and quotas.
        let exits = if scope.outflow_only {
            Vec::new()
        } else {
            // As the waiting above: a partner's persons, or the period's exits by index.
            let join = if scope.partner.is_some() {
                "stays s JOIN persons p ON p.id = s.person_id WHERE"
            } else {
                "stays s CROSS JOIN persons p WHERE p.id = s.person_id AND"
            };
            self.decoded(
                format!(
                    "SELECT p.own_municipality_id AS m, s.destination AS d, COUNT(*) AS a FROM {join} \
                     p.organisation_id = $1 AND s.exit_date >= $2 AND s.exit_date < $3{persons_scope} \
                     GROUP BY p.own_municipality_id, s.destination"
                ),
                &args,
                None,
                |r: &dyn Cells| {
                    Ok((
                        r.int("m")?,
                        r.text("d")?.unwrap_or_default().to_string(),
                        r.int("a")?,
                    ))
                },
            )
            .await?
        };
        for (m, d, a) in exits {
            let e = by.entry(m).or_insert_with(|| ChainFigures {
                municipality_id: m,
                ..Default::default()
            });
            e.exits.push((d, a));
        }
        let failed = self.decoded(
            "SELECT n.municipality_id AS m, COUNT(*) AS a FROM flip_events v JOIN flips f ON f.id = v.flip_id \
             JOIN homes h ON h.id = f.home_id JOIN neighbourhoods n ON n.id = h.neighbourhood_id \
             WHERE f.provider_id = $1 AND v.what = 'review_failed' AND v.on_date >= $2 AND v.on_date < $3 \
             AND ($4 = 0 OR n.municipality_id IN (SELECT municipality_id FROM partner_municipalities WHERE organisation_id = $4)) \
             GROUP BY n.municipality_id"
                .into(),
            &args,
            None,
            |r: &dyn Cells| Ok((r.int("m")?, r.int("a")?)),
        );
        for (m, a) in failed.await? {
            by.entry(m)
                .or_insert_with(|| ChainFigures {
                    municipality_id: m,
                    ..Default::default()
                })
                .reviews_failed = a;
        }
        let quotas = self
            .quotas(&QuotaFilter {
                provider: scope.provider,
                covered_by: scope.partner,
                ..Default::default()
            })
            .await?;
        for q in quotas
            .iter()
            .filter(|q| (from.year()..=to.yesterday().unwrap_or(to).year()).contains(&q.year))
        {
            let e = by
                .entry(q.municipality_id.0)
                .or_insert_with(|| ChainFigures {
                    municipality_id: q.municipality_id.0,
                    ..Default::default()
                });
            e.quota_total += q.units.total;
            e.quota_used += q.units.used;
            e.quota_reserved += q.units.reserved;
        }
        // Names of the municipalities.
        let mut out: Vec<ChainFigures> = Vec::with_capacity(by.len());
        let names: std::collections::HashMap<i64, String> = if by.len() > 8 {
            sqlx::query("SELECT id, name FROM municipalities")
                .fetch_all(self.reader())
                .await?
                .iter()
                .map(|r| Ok((get_i64(r, "id")?, get_string(r, "name")?)))
                .collect::<Result<_>>()?
        } else {
            Default::default()
        };
        for (m, mut e) in by {
            e.municipality_name = match names.get(&m) {
                Some(n) => n.clone(),
                None => match self.municipality(MunicipalityId(m)).await {
                    Ok(x) => x.name,
                    Err(_) => format!("gemeente {m}"),
                },
            };
            out.push(e);
        }
        out.sort_by(|a, b| a.municipality_name.cmp(&b.municipality_name));
        let reasons = self
            .decoded(
                "SELECT a.reason AS reason, COUNT(*) AS n FROM offer_answers a JOIN offers o ON o.id = a.offer_id \
                 WHERE o.provider_id = $1 AND a.answer = 'declined' AND a.answered_on >= $2 AND a.answered_on < $3 \
                 AND ($4 = 0 OR o.municipality_id IN (SELECT municipality_id FROM partner_municipalities WHERE organisation_id = $4)) \
                 GROUP BY a.reason ORDER BY COUNT(*) DESC, a.reason LIMIT 20"
                    .into(),
                &args,
                None,
                |r: &dyn Cells| Ok((r.text("reason")?.unwrap_or_default().to_string(), r.int("n")?)),
            )
            .await?;
        Ok((out, reasons))
    }
}

impl Db {
    /// The first day an offer was registered or a lease flipped (not withdrawn offers).
    pub async fn first_outflow_record(&self, provider: i64) -> Result<Option<Date>> {
        let r = sqlx::query(
            "SELECT MIN(d) AS first FROM (SELECT MIN(SUBSTR(created_at, 1, 10)) AS d FROM offers \
             WHERE provider_id = $1 AND state <> 'withdrawn' \
             UNION ALL SELECT MIN(flipped_on) AS d FROM flips WHERE provider_id = $1) AS x",
        )
        .bind(provider)
        .fetch_one(self.reader())
        .await?;
        get_opt_date(&r, "first")
    }

    /// Homes offered for outflow per municipality from `from` up to `to`: offers registered
    /// (not withdrawn) and lease flips, for the planner's calibration.
    pub async fn outflow_supply(
        &self,
        provider: i64,
        from: Date,
        to: Date,
    ) -> Result<Vec<(MunicipalityId, i64)>> {
        let (f, t) = (date_text(from), date_text(to));
        let rows = sqlx::query(
            "SELECT municipality_id AS m, COUNT(*) AS n FROM offers WHERE provider_id = $1 AND state <> 'withdrawn' \
             AND created_at >= $2 AND created_at < $3 GROUP BY municipality_id \
             UNION ALL \
             SELECT n.municipality_id AS m, COUNT(*) AS n FROM flips f JOIN homes h ON h.id = f.home_id \
             JOIN neighbourhoods n ON n.id = h.neighbourhood_id \
             WHERE f.provider_id = $1 AND f.flipped_on >= $2 AND f.flipped_on < $3 GROUP BY n.municipality_id",
        )
        .bind(provider)
        .bind(&f)
        .bind(&t)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| Ok((MunicipalityId(get_i64(r, "m")?), get_i64(r, "n")?)))
            .collect()
    }
}
