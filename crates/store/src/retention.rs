//! Retention: files closed longer than the retention period are anonymised. Names, BSN,
//! contact data and free text go; what the measures need (dates, places, municipality,
//! household, destinations) stays.

use crate::audit::{Actor, append_one};
use crate::convert::*;
use crate::{Db, Result};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::ids::PersonId;

/// What anonymised persons are called from then on.
pub const ANONYMISED_NAME: &str = "Geanonimiseerd";

impl Db {
    /// Persons not yet anonymised whose file closed before `cutoff`: no running stay or open
    /// referral, and nothing ended, closed or created on or after it.
    pub async fn closed_files_before(&self, cutoff: Date) -> Result<Vec<PersonId>> {
        let (day, instant) = (
            date_text(cutoff),
            format!("{}T00:00:00Z", date_text(cutoff)),
        );
        sqlx::query(
            "SELECT p.id FROM persons p WHERE p.anonymised_at IS NULL AND p.created_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.person_id = p.id AND (s.exit_date IS NULL OR s.exit_date >= $2)) \
             AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.person_id = p.id AND (r.state = 'received' OR r.closed_at >= $1)) \
             ORDER BY p.id",
        )
        .bind(instant)
        .bind(day)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| Ok(PersonId(get_i64(r, "id")?)))
        .collect()
    }

    /// Anonymises one closed file and logs it, in one transaction. Doing it twice changes
    /// nothing the second time.
    pub async fn anonymise(&self, person: PersonId, actor: &Actor) -> Result<bool> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE persons SET first_name = $1, last_name = '', bsn = NULL, phone = NULL, date_of_birth = NULL, \
             anonymised_at = $2 WHERE id = $3 AND anonymised_at IS NULL",
        )
        .bind(ANONYMISED_NAME)
        .bind(ts_text(actor.at))
        .bind(person.0)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        for sql in [
            "UPDATE referrals SET situation = '', close_reason = NULL, submitted_intake = NULL WHERE person_id = $1",
            "UPDATE stays SET exit_reason = '' WHERE person_id = $1",
            "UPDATE stay_extensions SET reason = '' WHERE stay_id IN (SELECT id FROM stays WHERE person_id = $1)",
            "DELETE FROM person_avoid_areas WHERE person_id = $1",
            "UPDATE contacts SET text = '' WHERE person_id = $1",
            "UPDATE goals SET title = '', actions = '' WHERE person_id = $1",
            "UPDATE intensity_changes SET reason = '' WHERE episode_id IN (SELECT id FROM guidance_episodes WHERE person_id = $1)",
            "UPDATE buddy_check_ins SET note = NULL WHERE match_id IN (SELECT id FROM buddy_matches WHERE person_id = $1)",
            "UPDATE offer_answers SET reason = '' WHERE person_id = $1",
            "UPDATE flip_events SET note = '' WHERE flip_id IN (SELECT id FROM flips WHERE resident_person_id = $1)",
            // The person's own account ends with the file: no sign-in, no sessions.
            "DELETE FROM sessions WHERE user_id IN (SELECT user_id FROM client_accounts WHERE person_id = $1)",
        ] {
            sqlx::query(sql).bind(person.0).execute(&mut *tx).await?;
        }
        for sql in [
            // A signal's text must not be empty: it keeps the marker; its category and
            // times stay for the measures.
            "UPDATE signals SET text = $2, follow_up = NULL WHERE person_id = $1",
            // Why a key date moved may describe the person; the dates stay.
            "UPDATE key_date_changes SET reason = $2 WHERE person_id = $1",
            "UPDATE users SET display_name = $2, active = 0 WHERE id IN (SELECT user_id FROM client_accounts WHERE person_id = $1)",
        ] {
            sqlx::query(sql)
                .bind(person.0)
                .bind(ANONYMISED_NAME)
                .execute(&mut *tx)
                .await?;
        }
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::File,
            AuditAction::Anonymise,
            "bewaartermijn verstreken",
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Whether a person's file was anonymised, and when.
    pub async fn anonymised_at(&self, person: PersonId) -> Result<Option<Timestamp>> {
        let r = sqlx::query("SELECT anonymised_at FROM persons WHERE id = $1")
            .bind(person.0)
            .fetch_one(self.reader())
            .await?;
        get_opt_ts(&r, "anonymised_at")
    }
}
