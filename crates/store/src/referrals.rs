//! Referrals (aanmeldingen) and the *geen plek in eigen gebied* events.

use crate::audit::{Access, Actor, append, append_one};
use crate::convert::*;
use crate::persons::{NewPerson, insert_person};
use crate::{Db, Result, StoreError};
use jiff::Timestamp;
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::ids::*;
use nabij_domain::page::{Cursor, Page, PageRequest};
use nabij_domain::referral::{ReferralSource, ReferralState, Urgency};
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct NewReferral {
    /// The provider that handles it.
    pub organisation_id: i64,
    /// The partner organisation that made it, when it came through one.
    pub referred_by: Option<i64>,
    pub source: ReferralSource,
    pub urgency: Urgency,
    pub situation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Referral {
    pub id: ReferralId,
    pub organisation_id: i64,
    pub referred_by: Option<i64>,
    /// The name of the partner organisation it came through.
    pub referred_by_name: Option<String>,
    pub person_id: PersonId,
    pub person_name: String,
    pub own_municipality_name: String,
    pub source: ReferralSource,
    pub urgency: Urgency,
    pub situation: String,
    pub received_at: Timestamp,
    pub state: ReferralState,
    pub closed_at: Option<Timestamp>,
    pub close_reason: Option<String>,
    pub no_place_in_own_area: bool,
    /// A partner's referral filed on a known file whose link is not yet confirmed: what
    /// the partner submitted (the intake as JSON).
    #[serde(skip)]
    pub submitted_intake: Option<String>,
    /// Filed on a known file by a partner; a coordinator has not yet decided whether it
    /// belongs there.
    pub link_to_confirm: bool,
}

const REFERRAL_COLUMNS: &str = "SELECT r.id, r.organisation_id, r.referred_by_organisation_id, r.person_id, p.first_name || ' ' || p.last_name AS person_name, \
     m.name AS municipality_name, r.source, r.urgency, r.situation, r.received_at, r.state, r.closed_at, r.close_reason, \
     CASE WHEN e.id IS NULL THEN 0 ELSE 1 END AS no_place, ro.name AS referred_by_name, r.submitted_intake, r.link_to_confirm";
const REFERRAL_FROM: &str = "FROM referrals r JOIN persons p ON p.id = r.person_id JOIN municipalities m ON m.id = p.own_municipality_id \
     LEFT JOIN no_place_events e ON e.referral_id = r.id \
     LEFT JOIN organisations ro ON ro.id = r.referred_by_organisation_id";
fn referral(row: &AnyRow) -> Result<Referral> {
    Ok(Referral {
        id: ReferralId(get_i64(row, "id")?),
        organisation_id: get_i64(row, "organisation_id")?,
        referred_by: get_opt_i64(row, "referred_by_organisation_id")?,
        referred_by_name: get_opt_string(row, "referred_by_name")?,
        person_id: PersonId(get_i64(row, "person_id")?),
        person_name: get_string(row, "person_name")?,
        own_municipality_name: get_string(row, "municipality_name")?,
        source: get_code(row, "source", ReferralSource::parse)?,
        urgency: get_code(row, "urgency", Urgency::parse)?,
        situation: get_string(row, "situation")?,
        received_at: get_ts(row, "received_at")?,
        state: get_code(row, "state", ReferralState::parse)?,
        closed_at: get_opt_ts(row, "closed_at")?,
        close_reason: get_opt_string(row, "close_reason")?,
        no_place_in_own_area: get_bool(row, "no_place")?,
        submitted_intake: get_opt_string(row, "submitted_intake")?,
        link_to_confirm: get_bool(row, "link_to_confirm")?,
    })
}

/// Which referrals to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralFilter {
    Open,
    All,
}

/// Which referrals to list, read a page at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralList {
    pub organisation: i64,
    /// The referrals the organisation made (a partner), not those it handles (a provider).
    pub made_by: bool,
    /// Only referrals still waiting for a place.
    pub open_only: bool,
    /// Only referrals received before this moment (open past the 24-hour promise).
    pub received_before: Option<Timestamp>,
    /// The longest waiting first, instead of the newest first.
    pub oldest_first: bool,
}

impl ReferralList {
    /// The open referrals an organisation handles, newest first.
    pub fn open(organisation: i64) -> Self {
        ReferralList {
            organisation,
            made_by: false,
            open_only: true,
            received_before: None,
            oldest_first: false,
        }
    }

    /// Every referral an organisation handles, newest first.
    pub fn handled_by(organisation: i64) -> Self {
        ReferralList {
            open_only: false,
            ..Self::open(organisation)
        }
    }

    /// Every referral a partner organisation made, newest first.
    pub fn made_by(organisation: i64) -> Self {
        ReferralList {
            made_by: true,
            ..Self::handled_by(organisation)
        }
    }

    fn conditions(&self) -> crate::paging::Where {
        let mut w = crate::paging::Where::default();
        if self.made_by {
            w.int("r.referred_by_organisation_id = {}", self.organisation);
        } else if self.open_only {
            // The open ones are a few among half a million: the unary plus keeps the
            // planner from starting at all of the organisation's referrals.
            w.int("+r.organisation_id = {}", self.organisation);
        } else {
            w.int("r.organisation_id = {}", self.organisation);
        }
        if self.open_only {
            w.plain("r.state = 'received'");
        }
        if let Some(t) = self.received_before {
            w.text("r.received_at < {}", ts_text(t));
        }
        w
    }
}

impl Db {
    /// One page of referrals, with the exact number that match.
    #[tracing::instrument(skip_all)]
    pub async fn referrals_page(
        &self,
        list: &ReferralList,
        req: &PageRequest,
    ) -> Result<Page<Referral>> {
        self.read_page(
            crate::paging::ListQuery {
                select: REFERRAL_COLUMNS,
                from: REFERRAL_FROM,
                // Every filter is on the referral itself, and each referral is one row (a
                // referral has at most one no-place event).
                count_from: Some("FROM referrals r"),
                filter: list.conditions(),
                order: crate::paging::Order::by("r.received_at", "r.id", !list.oldest_first),
            },
            req,
            referral,
            |r| Cursor::new(ts_text(r.received_at), r.id.0),
        )
        .await
    }

    /// How many referrals match.
    pub async fn count_referrals(&self, list: &ReferralList) -> Result<i64> {
        self.count_rows("FROM referrals r", &list.conditions())
            .await
    }

    /// Intake: a new person and their referral, in one transaction.
    #[tracing::instrument(skip_all)]
    pub async fn create_referral(
        &self,
        person: &NewPerson,
        referral: &NewReferral,
        received_at: Timestamp,
        actor: &Actor,
    ) -> Result<(PersonId, ReferralId)> {
        let mut tx = self.begin().await?;
        let person_id = insert_person(&mut tx, person, received_at).await?;
        let id = insert_referral(&mut tx, person_id, referral, received_at).await?;
        append(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            &[
                Access::new(person_id, DataCategory::File, AuditAction::Create, "intake"),
                Access::new(
                    person_id,
                    DataCategory::Referral,
                    AuditAction::Create,
                    format!("aanmelding {id}"),
                ),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok((person_id, id))
    }

    pub async fn referral(&self, id: ReferralId) -> Result<Referral> {
        let sql = format!("{REFERRAL_COLUMNS} {REFERRAL_FROM} WHERE r.id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("referral"))?;
        referral(&row)
    }

    /// The first `limit` referrals an organisation handles (a provider) or made (a partner),
    /// newest first; lists read them a page at a time with [`Db::referrals_page`].
    pub async fn referrals(
        &self,
        organisation: i64,
        filter: ReferralFilter,
        limit: i64,
    ) -> Result<Vec<Referral>> {
        let sql = format!(
            "{REFERRAL_COLUMNS} {REFERRAL_FROM} WHERE (r.organisation_id = $3 OR r.referred_by_organisation_id = $3) \
             AND ($1 = 0 OR r.state = 'received') ORDER BY r.received_at DESC LIMIT $2"
        );
        sqlx::query(&sql)
            .bind(i64::from(filter == ReferralFilter::Open))
            .bind(limit)
            .bind(organisation)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(referral)
            .collect()
    }

    pub async fn referrals_of_person(&self, person: PersonId) -> Result<Vec<Referral>> {
        let sql = format!(
            "{REFERRAL_COLUMNS} {REFERRAL_FROM} WHERE r.person_id = $1 ORDER BY r.received_at"
        );
        sqlx::query(&sql)
            .bind(person.0)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(referral)
            .collect()
    }

    /// Closes an open referral without a placement (advised elsewhere, withdrawn).
    pub async fn close_referral(
        &self,
        id: ReferralId,
        state: ReferralState,
        reason: &str,
        actor: &Actor,
    ) -> Result<()> {
        let at = actor.at;
        if !ReferralState::Received.can_become(state) || state == ReferralState::Placed {
            return Err(StoreError::Invalid(
                "een aanmelding wordt gesloten als 'elders geadviseerd' of 'ingetrokken'".into(),
            ));
        }
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "UPDATE referrals SET state = $1, closed_at = $2, close_reason = $3 WHERE id = $4 AND state = 'received' \
             RETURNING person_id",
        )
        .bind(state.code())
        .bind(ts_text(at))
        .bind(reason)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            drop(tx);
            self.referral(id).await?;
            return Err(StoreError::Conflict(
                "deze aanmelding is al afgehandeld".into(),
            ));
        };
        let person = PersonId(get_i64(&row, "person_id")?);
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::Referral,
            AuditAction::Change,
            format!("aanmelding {id} gesloten"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that nothing was free in the own municipality for this referral (once).
    pub async fn record_no_place(
        &self,
        referral: ReferralId,
        municipality: MunicipalityId,
        at: Timestamp,
    ) -> Result<bool> {
        let r = sqlx::query(
            "INSERT INTO no_place_events (referral_id, municipality_id, occurred_at) VALUES ($1, $2, $3) \
             ON CONFLICT (referral_id) DO NOTHING",
        )
        .bind(referral.0)
        .bind(municipality.0)
        .bind(ts_text(at))
        .execute(&self.write)
        .await?;
        Ok(r.rows_affected() == 1)
    }
}

async fn insert_referral(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    person: PersonId,
    r: &NewReferral,
    at: Timestamp,
) -> Result<ReferralId> {
    let row = sqlx::query(
        "INSERT INTO referrals (person_id, source, urgency, situation, received_at, state, organisation_id, referred_by_organisation_id) \
         VALUES ($1, $2, $3, $4, $5, 'received', $6, $7) RETURNING id",
    )
    .bind(person.0)
    .bind(r.source.code())
    .bind(r.urgency.code())
    .bind(&r.situation)
    .bind(ts_text(at))
    .bind(r.organisation_id)
    .bind(r.referred_by)
    .fetch_one(&mut **tx)
    .await?;
    Ok(ReferralId(get_i64(&row, "id")?))
}
