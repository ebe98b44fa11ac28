//! Consent of a person for a partner organisation and a purpose (given, expires, revoked).

use crate::audit::{Actor, append_one};
use crate::convert::*;
use crate::{Db, Result, StoreError};
use jiff::civil::Date;
use nabij_domain::access::{AuditAction, DataCategory, Purpose};
use nabij_domain::ids::PersonId;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consent {
    pub id: i64,
    pub person_id: PersonId,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub purpose: Purpose,
    pub given_on: Date,
    pub expires_on: Option<Date>,
    pub revoked_on: Option<Date>,
    pub revoked_by: Option<String>,
    pub recorded_by: String,
}

impl Consent {
    /// Given, not expired and not revoked on `today`.
    pub fn active_on(&self, today: Date) -> bool {
        active_on(self.given_on, self.expires_on, self.revoked_on, today)
    }
}

/// A consent given on `given`, expiring after `expires` and revoked from `revoked` counts on
/// `today` when given, not expired and not revoked.
fn active_on(given: Date, expires: Option<Date>, revoked: Option<Date>, today: Date) -> bool {
    given <= today && expires.is_none_or(|e| today <= e) && revoked.is_none_or(|r| today < r)
}

#[derive(Debug, Clone)]
pub struct NewConsent {
    pub person: PersonId,
    pub organisation_id: i64,
    pub purpose: Purpose,
    pub given_on: Date,
    pub expires_on: Option<Date>,
}

impl Db {
    pub async fn record_consent(&self, c: &NewConsent, actor: &Actor) -> Result<i64> {
        let given_on = stored_date("given_on", c.given_on)?;
        let expires_on = stored_opt_date("expires_on", c.expires_on)?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "INSERT INTO consents (person_id, organisation_id, purpose, given_on, expires_on, recorded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(c.person.0)
        .bind(c.organisation_id)
        .bind(c.purpose.code())
        .bind(given_on)
        .bind(expires_on)
        .bind(&actor.username)
        .bind(ts_text(actor.at))
        .fetch_one(&mut *tx)
        .await?;
        let id = get_i64(&row, "id")?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            c.person,
            DataCategory::Consent,
            AuditAction::Create,
            format!("toestemming {id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Revokes a consent of `person` from `on`.
    pub async fn revoke_consent(
        &self,
        person: PersonId,
        id: i64,
        on: Date,
        actor: &Actor,
    ) -> Result<()> {
        let on = stored_date("revoked_on", on)?;
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE consents SET revoked_on = $1, revoked_by = $2 WHERE id = $3 AND person_id = $4 AND revoked_on IS NULL",
        )
        .bind(on)
        .bind(&actor.username)
        .bind(id)
        .bind(person.0)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "deze toestemming is al ingetrokken of bestaat niet".into(),
            ));
        }
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::Consent,
            AuditAction::Change,
            format!("toestemming {id} ingetrokken"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A person's consents. One recorded with a partner's referral that waits for a
    /// coordinator to confirm it belongs to this file is not (yet) theirs: it is left out,
    /// so it unlocks nothing of this file.
    pub async fn consents_of(&self, person: PersonId) -> Result<Vec<Consent>> {
        sqlx::query(
            "SELECT c.id, c.person_id, c.organisation_id, o.name AS organisation_name, c.purpose, c.given_on, \
             c.expires_on, c.revoked_on, c.revoked_by, c.recorded_by \
             FROM consents c JOIN organisations o ON o.id = c.organisation_id WHERE c.person_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.submitted_consent_id = c.id AND r.link_to_confirm = 1) \
             ORDER BY c.id",
        )
        .bind(person.0)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(Consent {
                id: get_i64(r, "id")?,
                person_id: PersonId(get_i64(r, "person_id")?),
                organisation_id: get_i64(r, "organisation_id")?,
                organisation_name: get_string(r, "organisation_name")?,
                purpose: get_code(r, "purpose", Purpose::parse)?,
                given_on: get_date(r, "given_on")?,
                expires_on: get_opt_date(r, "expires_on")?,
                revoked_on: get_opt_date(r, "revoked_on")?,
                revoked_by: get_opt_string(r, "revoked_by")?,
                recorded_by: get_string(r, "recorded_by")?,
            })
        })
        .collect()
    }

    /// Whether the consent a partner recorded with its referral counts on `today`, while
    /// that referral waits for a coordinator to confirm its link to a known file (the
    /// consent is not yet the file's, so [`Db::has_consent`] leaves it out).
    pub async fn submitted_consent_active(
        &self,
        referral: nabij_domain::ids::ReferralId,
        today: Date,
    ) -> Result<bool> {
        let row = sqlx::query(
            "SELECT c.given_on, c.expires_on, c.revoked_on FROM referrals r \
             JOIN consents c ON c.id = r.submitted_consent_id WHERE r.id = $1",
        )
        .bind(referral.0)
        .fetch_optional(self.reader())
        .await?;
        let Some(r) = row else { return Ok(false) };
        Ok(active_on(
            get_date(&r, "given_on")?,
            get_opt_date(&r, "expires_on")?,
            get_opt_date(&r, "revoked_on")?,
            today,
        ))
    }

    /// Whether the person consents, today, to `organisation` seeing their data for `purpose`.
    pub async fn has_consent(
        &self,
        person: PersonId,
        organisation: i64,
        purpose: Purpose,
        today: Date,
    ) -> Result<bool> {
        Ok(self.consents_of(person).await?.iter().any(|c| {
            c.organisation_id == organisation && c.purpose == purpose && c.active_on(today)
        }))
    }
}
