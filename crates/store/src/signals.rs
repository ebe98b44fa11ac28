//! Signals about residents or houses: filing, the inboxes, acknowledging, closing, and the
//! escalation pass (one indexed statement). Also the house notes a main resident reads.

use crate::audit::{Actor, append_one};
use crate::convert::*;
use crate::paging::{ListQuery, Order, Where};
use crate::{Db, Result, StoreError};
use jiff::Timestamp;
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::ids::{HomeId, PersonId};
use nabij_domain::page::{Cursor, Page, PageRequest};
use nabij_domain::signal::{SignalCategory, SignalStatus, Urgency, status};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A signal as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    pub id: i64,
    pub organisation_id: i64,
    pub home_id: Option<HomeId>,
    pub home_name: Option<String>,
    pub person_id: Option<PersonId>,
    /// The resident's first name (never more).
    pub first_name: Option<String>,
    pub filed_by: Option<i64>,
    pub filed_by_name: Option<String>,
    pub filed_by_role: String,
    pub category: SignalCategory,
    pub urgency: Urgency,
    pub text: String,
    /// Routed to this professional (the lead of those it went to); `None`: to the
    /// coordinators.
    pub professional_id: Option<i64>,
    pub filed_at: Timestamp,
    pub due_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub acknowledged_by_name: Option<String>,
    pub escalated_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub follow_up: Option<String>,
    /// Whether the reader of the inbox opened it (false outside inboxes).
    pub read: bool,
}

impl Signal {
    pub fn status(&self) -> SignalStatus {
        status(self.acknowledged_at.is_some(), self.closed_at.is_some())
    }
}

/// A signal to file; checked by the use case.
#[derive(Debug, Clone)]
pub struct NewSignal {
    pub organisation_id: i64,
    pub home_id: Option<HomeId>,
    pub person_id: Option<PersonId>,
    pub filed_by: Option<i64>,
    pub filed_by_role: String,
    pub category: SignalCategory,
    pub urgency: Urgency,
    pub text: String,
    /// The professionals it goes to, the lead first; empty: to the coordinators.
    pub professionals: Vec<i64>,
    pub filed_at: Timestamp,
    pub due_at: Timestamp,
}

/// Whose inbox to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inbox {
    /// The signals that went to this professional (as lead or beside the lead).
    Professional(i64),
    /// The organisation's signals for coordinators: routed to them, or escalated.
    Coordinators(i64),
    /// The signals this user filed.
    FiledBy(i64),
}

/// A signal that just escalated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalated {
    pub id: i64,
    pub organisation_id: i64,
}

/// The house notes a coordinator keeps for the main resident.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HomeNotes {
    pub house_rules: String,
    pub emergency_numbers: String,
}

const SELECT: &str = "SELECT s.id, s.organisation_id, s.home_id, h.name AS home_name, s.person_id, \
     p.first_name, s.filed_by, fu.display_name AS filed_by_name, s.filed_by_role, s.category, s.urgency, \
     s.text, s.professional_id, s.filed_at, s.due_at, s.acknowledged_at, au.display_name AS acknowledged_by_name, \
     s.escalated_at, s.closed_at, s.follow_up";

const FROM: &str = "FROM signals s LEFT JOIN homes h ON h.id = s.home_id \
     LEFT JOIN persons p ON p.id = s.person_id \
     LEFT JOIN users fu ON fu.id = s.filed_by \
     LEFT JOIN users au ON au.id = s.acknowledged_by";

fn get_ts(row: &AnyRow, col: &'static str) -> Result<Timestamp> {
    let s = get_string(row, col)?;
    s.parse().map_err(|_| StoreError::Corrupt {
        column: col,
        value: s,
    })
}

fn get_opt_ts(row: &AnyRow, col: &'static str) -> Result<Option<Timestamp>> {
    match get_opt_string(row, col)? {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| StoreError::Corrupt {
            column: col,
            value: s,
        }),
    }
}

fn signal_row(r: &AnyRow, read: bool) -> Result<Signal> {
    Ok(Signal {
        id: get_i64(r, "id")?,
        organisation_id: get_i64(r, "organisation_id")?,
        home_id: get_opt_i64(r, "home_id")?.map(HomeId),
        home_name: get_opt_string(r, "home_name")?,
        person_id: get_opt_i64(r, "person_id")?.map(PersonId),
        first_name: get_opt_string(r, "first_name")?,
        filed_by: get_opt_i64(r, "filed_by")?,
        filed_by_name: get_opt_string(r, "filed_by_name")?,
        filed_by_role: get_string(r, "filed_by_role")?,
        category: get_code(r, "category", SignalCategory::parse)?,
        urgency: get_code(r, "urgency", Urgency::parse)?,
        text: get_string(r, "text")?,
        professional_id: get_opt_i64(r, "professional_id")?,
        filed_at: get_ts(r, "filed_at")?,
        due_at: get_ts(r, "due_at")?,
        acknowledged_at: get_opt_ts(r, "acknowledged_at")?,
        acknowledged_by_name: get_opt_string(r, "acknowledged_by_name")?,
        escalated_at: get_opt_ts(r, "escalated_at")?,
        closed_at: get_opt_ts(r, "closed_at")?,
        follow_up: get_opt_string(r, "follow_up")?,
        read,
    })
}

impl Db {
    /// Files a signal; a signal about a resident is logged as a change of their data.
    #[tracing::instrument(skip_all)]
    pub async fn file_signal(&self, s: &NewSignal, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "INSERT INTO signals (organisation_id, home_id, person_id, filed_by, filed_by_role, category, urgency, \
             text, professional_id, filed_at, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(s.organisation_id)
        .bind(s.home_id.map(|h| h.0))
        .bind(s.person_id.map(|p| p.0))
        .bind(s.filed_by)
        .bind(&s.filed_by_role)
        .bind(s.category.code())
        .bind(s.urgency.code())
        .bind(&s.text)
        .bind(s.professionals.first().copied())
        .bind(ts_text(s.filed_at))
        .bind(ts_text(s.due_at))
        .fetch_one(&mut *tx)
        .await?;
        let id = get_i64(&row, "id")?;
        let mut to = s.professionals.clone();
        to.sort_unstable();
        to.dedup();
        for user in to {
            sqlx::query("INSERT INTO signal_recipients (signal_id, user_id) VALUES ($1, $2)")
                .bind(id)
                .bind(user)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(p) = s.person_id {
            append_one(
                &mut tx,
                self.audit_key.as_ref(),
                actor,
                p,
                DataCategory::Signal,
                AuditAction::Create,
                format!("signaal {id}"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn signal(&self, id: i64) -> Result<Signal> {
        let sql = format!("{SELECT} {FROM} WHERE s.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.reader())
            .await?
            .ok_or(StoreError::NotFound("signal"))?;
        signal_row(&row, false)
    }

    /// One page of an inbox, newest first, with whether `reader` opened each one.
    #[tracing::instrument(skip_all)]
    pub async fn signals(
        &self,
        inbox: Inbox,
        reader: i64,
        open_only: bool,
        req: &PageRequest,
    ) -> Result<Page<Signal>> {
        let mut filter = Where::default();
        match inbox {
            Inbox::Professional(u) => filter.int(
                "s.id IN (SELECT r.signal_id FROM signal_recipients r WHERE r.user_id = {})",
                u,
            ),
            Inbox::Coordinators(o) => filter
                .int("s.organisation_id = {}", o)
                .plain("(s.professional_id IS NULL OR s.escalated_at IS NOT NULL)"),
            Inbox::FiledBy(u) => filter.int("s.filed_by = {}", u),
        };
        if open_only {
            filter.plain("s.closed_at IS NULL");
        }
        let select = format!(
            "{SELECT}, (SELECT COUNT(*) FROM signal_reads r WHERE r.signal_id = s.id AND r.user_id = {reader}) AS is_read"
        );
        self.read_page(
            ListQuery {
                select: &select,
                from: FROM,
                count_from: Some("FROM signals s"),
                filter,
                order: Order::by_id("s.id", true),
            },
            req,
            |r| {
                let read = get_i64(r, "is_read")? > 0;
                signal_row(r, read)
            },
            |s| Cursor::new("", s.id),
        )
        .await
    }

    /// How many open signals of an inbox `reader` has not opened yet.
    pub async fn unread_signals(&self, inbox: Inbox, reader: i64) -> Result<i64> {
        let (clause, v) = match inbox {
            Inbox::Professional(u) => (
                "s.id IN (SELECT t.signal_id FROM signal_recipients t WHERE t.user_id = $1)",
                u,
            ),
            Inbox::Coordinators(o) => (
                "s.organisation_id = $1 AND (s.professional_id IS NULL OR s.escalated_at IS NOT NULL)",
                o,
            ),
            Inbox::FiledBy(u) => ("s.filed_by = $1", u),
        };
        let sql = format!(
            "SELECT COUNT(*) AS n FROM signals s WHERE {clause} AND s.closed_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM signal_reads r WHERE r.signal_id = s.id AND r.user_id = $2)"
        );
        let row = sqlx::query(&sql)
            .bind(v)
            .bind(reader)
            .fetch_one(self.reader())
            .await?;
        get_i64(&row, "n")
    }

    /// Marks a signal opened by the actor (the view itself is logged by the gate).
    pub async fn open_signal(&self, id: i64, actor: &Actor) -> Result<()> {
        let Some(user) = actor.user_id else {
            return Ok(());
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO signal_reads (signal_id, user_id, read_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(user)
        .bind(ts_text(actor.at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Acknowledges a signal once: a second acknowledgement is a conflict.
    #[tracing::instrument(skip_all)]
    pub async fn acknowledge_signal(&self, id: i64, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE signals SET acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3 AND acknowledged_at IS NULL",
        )
        .bind(ts_text(actor.at))
        .bind(actor.user_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict("dit signaal is al opgepakt".into()));
        }
        let person = sqlx::query("SELECT person_id FROM signals WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(p) = get_opt_i64(&person, "person_id")? {
            append_one(
                &mut tx,
                self.audit_key.as_ref(),
                actor,
                PersonId(p),
                DataCategory::Signal,
                AuditAction::Change,
                format!("signaal {id} opgepakt"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Closes an acknowledged signal with a follow-up note.
    #[tracing::instrument(skip_all)]
    pub async fn close_signal(&self, id: i64, note: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE signals SET closed_at = $1, closed_by = $2, follow_up = $3 \
             WHERE id = $4 AND acknowledged_at IS NOT NULL AND closed_at IS NULL",
        )
        .bind(ts_text(actor.at))
        .bind(actor.user_id)
        .bind(note)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "dit signaal is nog niet opgepakt of al afgesloten".into(),
            ));
        }
        let person = sqlx::query("SELECT person_id FROM signals WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(p) = get_opt_i64(&person, "person_id")? {
            append_one(
                &mut tx,
                self.audit_key.as_ref(),
                actor,
                PersonId(p),
                DataCategory::Signal,
                AuditAction::Change,
                format!("signaal {id} afgesloten"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Escalates every unacknowledged signal due at `now` that has not escalated yet, in
    /// one statement over the partial index `signals_to_escalate`. Running it again changes
    /// nothing: each signal escalates once, at the moment stored.
    #[tracing::instrument(skip_all)]
    pub async fn escalate_due_signals(&self, now: Timestamp) -> Result<Vec<Escalated>> {
        let mut tx = self.begin().await?;
        let rows = sqlx::query(
            "UPDATE signals SET escalated_at = $1 \
             WHERE acknowledged_at IS NULL AND escalated_at IS NULL AND due_at <= $1 \
             RETURNING id, organisation_id",
        )
        .bind(ts_text(now))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter()
            .map(|r| {
                Ok(Escalated {
                    id: get_i64(r, "id")?,
                    organisation_id: get_i64(r, "organisation_id")?,
                })
            })
            .collect()
    }

    /// The open acute signals of an organisation nobody acknowledged yet, oldest first.
    pub async fn unacknowledged_acute_signals(&self, organisation: i64) -> Result<Vec<Signal>> {
        let sql = format!(
            "{SELECT} {FROM} WHERE s.organisation_id = $1 AND s.urgency = 'acute' AND s.acknowledged_at IS NULL ORDER BY s.id LIMIT 200"
        );
        sqlx::query(&sql)
            .bind(organisation)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(|r| signal_row(r, false))
            .collect()
    }

    /// The person's professional on `today`: the lead of their running episode (aftercare
    /// included), if any.
    pub async fn professional_id_of(
        &self,
        person: PersonId,
        today: jiff::civil::Date,
    ) -> Result<Option<i64>> {
        Ok(self.professionals_of(person, today).await?.first().copied())
    }

    /// The person's professionals on `today`: the lead of their running episode (aftercare
    /// included) first, then the others on that episode.
    pub async fn professionals_of(
        &self,
        person: PersonId,
        today: jiff::civil::Date,
    ) -> Result<Vec<i64>> {
        let today = crate::convert::date_text(today);
        let Some(episode) = sqlx::query(
            "SELECT id, lead_professional_id FROM guidance_episodes \
             WHERE person_id = $1 AND (ended_on IS NULL OR ended_on >= $2) ORDER BY started_on DESC, id DESC LIMIT 1",
        )
        .bind(person.0)
        .bind(&today)
        .fetch_optional(self.reader())
        .await?
        else {
            return Ok(Vec::new());
        };
        let lead = get_i64(&episode, "lead_professional_id")?;
        let mut out = vec![lead];
        for r in sqlx::query(
            "SELECT professional_id FROM episode_professionals WHERE episode_id = $1 \
             AND joined_on <= $2 AND (left_on IS NULL OR left_on > $2) ORDER BY joined_on, professional_id",
        )
        .bind(get_i64(&episode, "id")?)
        .bind(&today)
        .fetch_all(self.reader())
        .await?
        {
            let p = get_i64(&r, "professional_id")?;
            if !out.contains(&p) {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Whether a signal went to this professional.
    pub async fn signal_went_to(&self, signal: i64, user: i64) -> Result<bool> {
        let r = sqlx::query(
            "SELECT COUNT(*) AS n FROM signal_recipients WHERE signal_id = $1 AND user_id = $2",
        )
        .bind(signal)
        .bind(user)
        .fetch_one(self.reader())
        .await?;
        Ok(get_i64(&r, "n")? > 0)
    }

    /// The active coordinators of an organisation.
    pub async fn coordinator_ids(&self, organisation: i64) -> Result<Vec<i64>> {
        sqlx::query(
            "SELECT id FROM users WHERE organisation_id = $1 AND role = 'coordinator' AND active = 1 ORDER BY id",
        )
        .bind(organisation)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| get_i64(r, "id"))
        .collect()
    }

    pub async fn home_notes(&self, home: HomeId) -> Result<HomeNotes> {
        let row =
            sqlx::query("SELECT house_rules, emergency_numbers FROM home_notes WHERE home_id = $1")
                .bind(home.0)
                .fetch_optional(self.reader())
                .await?;
        match row {
            None => Ok(HomeNotes::default()),
            Some(r) => Ok(HomeNotes {
                house_rules: r.try_get::<String, _>("house_rules")?,
                emergency_numbers: r.try_get::<String, _>("emergency_numbers")?,
            }),
        }
    }

    pub async fn set_home_notes(
        &self,
        home: HomeId,
        notes: &HomeNotes,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO home_notes (home_id, house_rules, emergency_numbers, changed_by, changed_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (home_id) DO UPDATE SET house_rules = excluded.house_rules, \
             emergency_numbers = excluded.emergency_numbers, changed_by = excluded.changed_by, changed_at = excluded.changed_at",
        )
        .bind(home.0)
        .bind(&notes.house_rules)
        .bind(&notes.emergency_numbers)
        .bind(&actor.username)
        .bind(ts_text(actor.at))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO home_changes (home_id, place_id, what, effective_on, changed_by, changed_at) \
             VALUES ($1, NULL, $2, NULL, $3, $4)",
        )
        .bind(home.0)
        .bind("huisregels en noodnummers gewijzigd")
        .bind(&actor.username)
        .bind(ts_text(actor.at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
