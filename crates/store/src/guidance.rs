//! Guidance and recovery: episodes with their professionals and intensity, the contact log
//! (append-only), the recovery plan's goals and ZRM assessments. Every change is logged in
//! its own transaction.

use crate::audit::{Actor, append_one};
use crate::convert::*;
use crate::paging::{ListQuery, Order, Where};
use crate::reports::{Arg, Cells};
use crate::{Db, Result, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::guidance::{
    ContactKind, GoalOwner, GoalStatus, Score, Scores, ZrmDomain, ZrmMoment,
};
use nabij_domain::ids::PersonId;
use nabij_domain::page::{Cursor, Page, PageRequest};
use sqlx::any::AnyRow;

/// A guidance episode as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub id: i64,
    pub person_id: PersonId,
    pub lead_professional_id: i64,
    pub lead_name: String,
    pub lead_phone: Option<String>,
    pub started_on: Date,
    pub aftercare_from: Option<Date>,
    pub ended_on: Option<Date>,
    pub resumes_episode_id: Option<i64>,
    pub started_by: String,
}

/// A professional of an episode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeProfessional {
    pub episode_id: i64,
    pub professional_id: i64,
    pub name: String,
    pub joined_on: Date,
    pub left_on: Option<Date>,
}

/// A professional's link to a person through an episode: the day it stops giving access
/// (the episode's end, or the day they left it), `None` while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpisodeLink {
    pub person_id: PersonId,
    pub until: Option<Date>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IntensityChangeRow {
    pub id: i64,
    pub episode_id: i64,
    pub from_date: Date,
    pub quarter_hours: i64,
    pub reason: String,
    pub changed_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactRow {
    pub id: i64,
    pub person_id: PersonId,
    pub at: Timestamp,
    pub kind: ContactKind,
    pub text: String,
    pub working_note: bool,
    pub corrects_id: Option<i64>,
    pub author_name: String,
}

#[derive(Debug, Clone)]
pub struct NewContact {
    pub person: PersonId,
    pub episode: Option<i64>,
    pub at: Timestamp,
    pub kind: ContactKind,
    pub text: String,
    pub working_note: bool,
    pub corrects: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub id: i64,
    pub person_id: PersonId,
    pub domain: ZrmDomain,
    pub title: String,
    pub status: GoalStatus,
    pub target_date: Option<Date>,
    pub actions: String,
    pub owner: GoalOwner,
    pub recorded_on: Date,
    pub recorded_by: String,
}

#[derive(Debug, Clone)]
pub struct NewGoal {
    pub person: PersonId,
    pub domain: ZrmDomain,
    pub title: String,
    pub status: GoalStatus,
    pub target_date: Option<Date>,
    pub actions: String,
    pub owner: GoalOwner,
    pub recorded_on: Date,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub id: i64,
    pub person_id: PersonId,
    pub assessed_on: Date,
    pub moment: ZrmMoment,
    pub scores: Scores,
    pub assessed_by: String,
}

/// What the caseload shows of one client, read for all clients at once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseloadFacts {
    pub last_contact: Option<Timestamp>,
    pub open_goals: i64,
    /// The latest assessment: its date and moment.
    pub latest_assessment: Option<(Date, ZrmMoment)>,
    /// The guidance running today: its start, whether it resumes an earlier episode, and
    /// when the guidance before it ended.
    pub running: Option<nabij_domain::guidance::RunningGuidance>,
    pub quarter_hours: Option<i64>,
    /// Signals about the client that are not closed, in the professional's inbox.
    pub open_signals: i64,
    /// The most urgent of them.
    pub most_urgent: Option<nabij_domain::signal::Urgency>,
}

const EPISODE_COLUMNS: &str = "e.id, e.person_id, e.lead_professional_id, u.display_name AS lead_name, u.phone AS lead_phone, \
     e.started_on, e.aftercare_from, e.ended_on, e.resumes_episode_id, e.started_by";

fn episode_row(r: &AnyRow) -> Result<Episode> {
    Ok(Episode {
        id: get_i64(r, "id")?,
        person_id: PersonId(get_i64(r, "person_id")?),
        lead_professional_id: get_i64(r, "lead_professional_id")?,
        lead_name: get_string(r, "lead_name")?,
        lead_phone: get_opt_string(r, "lead_phone")?,
        started_on: get_date(r, "started_on")?,
        aftercare_from: get_opt_date(r, "aftercare_from")?,
        ended_on: get_opt_date(r, "ended_on")?,
        resumes_episode_id: get_opt_i64(r, "resumes_episode_id")?,
        started_by: get_string(r, "started_by")?,
    })
}

fn contact_row(r: &AnyRow) -> Result<ContactRow> {
    let kind = get_string(r, "kind")?;
    Ok(ContactRow {
        id: get_i64(r, "id")?,
        person_id: PersonId(get_i64(r, "person_id")?),
        at: get_ts(r, "at")?,
        kind: ContactKind::parse(&kind).ok_or(StoreError::Corrupt {
            column: "kind",
            value: kind,
        })?,
        text: get_string(r, "text")?,
        working_note: get_bool(r, "working_note")?,
        corrects_id: get_opt_i64(r, "corrects_id")?,
        author_name: get_string(r, "author_name")?,
    })
}

fn goal_row(r: &AnyRow) -> Result<Goal> {
    let corrupt = |column: &'static str, value: String| StoreError::Corrupt { column, value };
    let domain = get_string(r, "domain")?;
    let status = get_string(r, "status")?;
    let owner = get_string(r, "owner")?;
    Ok(Goal {
        id: get_i64(r, "id")?,
        person_id: PersonId(get_i64(r, "person_id")?),
        domain: ZrmDomain::parse(&domain).ok_or_else(|| corrupt("domain", domain.clone()))?,
        status: GoalStatus::parse(&status).ok_or_else(|| corrupt("status", status.clone()))?,
        owner: GoalOwner::parse(&owner).ok_or_else(|| corrupt("owner", owner.clone()))?,
        title: get_string(r, "title")?,
        target_date: get_opt_date(r, "target_date")?,
        actions: get_string(r, "actions")?,
        recorded_on: get_date(r, "recorded_on")?,
        recorded_by: get_string(r, "recorded_by")?,
    })
}

/// The score columns, in [`ZrmDomain::ALL`] order (the column is the domain's code).
fn score_columns() -> String {
    ZrmDomain::ALL
        .iter()
        .map(|d| d.code())
        .collect::<Vec<_>>()
        .join(", ")
}

fn assessment_row(r: &AnyRow) -> Result<Assessment> {
    let moment = get_string(r, "moment")?;
    let mut scores = [Score::new(1).expect("1 is a score"); 13];
    for (i, d) in ZrmDomain::ALL.iter().enumerate() {
        let v = get_i64(r, d.code())?;
        scores[i] = Score::new(v).ok_or(StoreError::Corrupt {
            column: "zrm score",
            value: v.to_string(),
        })?;
    }
    Ok(Assessment {
        id: get_i64(r, "id")?,
        person_id: PersonId(get_i64(r, "person_id")?),
        assessed_on: get_date(r, "assessed_on")?,
        moment: ZrmMoment::parse(&moment).ok_or(StoreError::Corrupt {
            column: "moment",
            value: moment,
        })?,
        scores: Scores(scores),
        assessed_by: get_string(r, "assessed_by")?,
    })
}

fn id_list(persons: &[PersonId]) -> String {
    numbers(persons.iter().map(|p| p.0))
}

/// Ids as an SQL list (`1, 2, 3`); integers only, so nothing to escape.
fn numbers(ids: impl Iterator<Item = i64>) -> String {
    ids.map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

impl Db {
    /// A person's episodes, oldest first.
    pub async fn episodes_of(&self, person: PersonId) -> Result<Vec<Episode>> {
        sqlx::query(&format!(
            "SELECT {EPISODE_COLUMNS} FROM guidance_episodes e JOIN users u ON u.id = e.lead_professional_id \
             WHERE e.person_id = $1 ORDER BY e.started_on, e.id"
        ))
        .bind(person.0)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(episode_row)
        .collect()
    }

    pub async fn episode(&self, id: i64) -> Result<Episode> {
        sqlx::query(&format!(
            "SELECT {EPISODE_COLUMNS} FROM guidance_episodes e JOIN users u ON u.id = e.lead_professional_id \
             WHERE e.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(episode_row)
        .transpose()?
        .ok_or(StoreError::NotFound("begeleiding"))
    }

    /// The professionals of a person's episodes.
    pub async fn episode_professionals_of(
        &self,
        person: PersonId,
    ) -> Result<Vec<EpisodeProfessional>> {
        sqlx::query(
            "SELECT ep.episode_id, ep.professional_id, u.display_name, ep.joined_on, ep.left_on \
             FROM episode_professionals ep JOIN guidance_episodes e ON e.id = ep.episode_id \
             JOIN users u ON u.id = ep.professional_id WHERE e.person_id = $1 \
             ORDER BY ep.episode_id, ep.joined_on, ep.professional_id",
        )
        .bind(person.0)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(EpisodeProfessional {
                episode_id: get_i64(r, "episode_id")?,
                professional_id: get_i64(r, "professional_id")?,
                name: get_string(r, "display_name")?,
                joined_on: get_date(r, "joined_on")?,
                left_on: get_opt_date(r, "left_on")?,
            })
        })
        .collect()
    }

    /// Every person a professional is or was on an episode of, with when that link ended.
    /// A link ends when the episode ends or the professional leaves it; a running one has
    /// no end. The access policy (`app::guidance`) decides what each link still allows.
    pub async fn episode_links(&self, professional: i64) -> Result<Vec<EpisodeLink>> {
        let rows = sqlx::query(
            "SELECT e.person_id, e.ended_on, ep.left_on FROM episode_professionals ep \
             JOIN guidance_episodes e ON e.id = ep.episode_id WHERE ep.professional_id = $1",
        )
        .bind(professional)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let until = match (get_opt_date(r, "ended_on")?, get_opt_date(r, "left_on")?) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                Ok(EpisodeLink {
                    person_id: PersonId(get_i64(r, "person_id")?),
                    until,
                })
            })
            .collect()
    }

    /// The links of one professional to one person (for opening a single file).
    pub async fn episode_links_to(
        &self,
        professional: i64,
        person: PersonId,
    ) -> Result<Vec<EpisodeLink>> {
        let rows = sqlx::query(
            "SELECT e.ended_on, ep.left_on FROM episode_professionals ep \
             JOIN guidance_episodes e ON e.id = ep.episode_id \
             WHERE ep.professional_id = $1 AND e.person_id = $2",
        )
        .bind(professional)
        .bind(person.0)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let until = match (get_opt_date(r, "ended_on")?, get_opt_date(r, "left_on")?) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                Ok(EpisodeLink {
                    person_id: person,
                    until,
                })
            })
            .collect()
    }

    /// Starts an episode with its lead and first intensity; `resumes` names the earlier
    /// episode a resumption continues.
    #[allow(clippy::too_many_arguments)]
    pub async fn start_episode(
        &self,
        person: PersonId,
        lead: i64,
        on: Date,
        quarter_hours: i64,
        reason: &str,
        resumes: Option<i64>,
        actor: &Actor,
    ) -> Result<i64> {
        let on = stored_date("started_on", on)?;
        let mut tx = self.begin().await?;
        let id = get_i64(
            &sqlx::query(
                "INSERT INTO guidance_episodes (person_id, lead_professional_id, started_on, resumes_episode_id, started_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(person.0)
            .bind(lead)
            .bind(&on)
            .bind(resumes)
            .bind(&actor.username)
            .bind(ts_text(actor.at))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                if StoreError::is_unique_violation(&e) {
                    StoreError::Conflict("deze persoon heeft al een lopende begeleiding".into())
                } else {
                    StoreError::from(e)
                }
            })?,
            "id",
        )?;
        sqlx::query(
            "INSERT INTO episode_professionals (episode_id, professional_id, joined_on) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(lead)
        .bind(&on)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO intensity_changes (episode_id, from_date, quarter_hours, reason, changed_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(&on)
        .bind(quarter_hours)
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
            DataCategory::Guidance,
            AuditAction::Create,
            match resumes {
                Some(r) => format!("begeleiding {id} hervat (na {r})"),
                None => format!("begeleiding {id}"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Makes `professional` the lead of the person's running episode from `on` (the former
    /// lead leaves it), or starts an episode when none runs. Also keeps the `guidance` rows.
    pub(crate) async fn lead_in_tx(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        person: PersonId,
        professional: i64,
        on: &str,
        actor: &Actor,
    ) -> Result<()> {
        let running = sqlx::query(
            "SELECT id, lead_professional_id FROM guidance_episodes WHERE person_id = $1 \
             AND (ended_on IS NULL OR ended_on >= $2) ORDER BY started_on DESC, id DESC LIMIT 1",
        )
        .bind(person.0)
        .bind(on)
        .fetch_optional(&mut **tx)
        .await?;
        match running {
            Some(r) => {
                let id = get_i64(&r, "id")?;
                let former = get_i64(&r, "lead_professional_id")?;
                if former != professional {
                    sqlx::query(
                        "UPDATE episode_professionals SET left_on = $1 WHERE episode_id = $2 AND professional_id = $3",
                    )
                    .bind(on)
                    .bind(id)
                    .bind(former)
                    .execute(&mut **tx)
                    .await?;
                }
                sqlx::query("UPDATE guidance_episodes SET lead_professional_id = $1 WHERE id = $2")
                    .bind(professional)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO episode_professionals (episode_id, professional_id, joined_on) VALUES ($1, $2, $3) \
                     ON CONFLICT (episode_id, professional_id) DO UPDATE SET left_on = NULL",
                )
                .bind(id)
                .bind(professional)
                .bind(on)
                .execute(&mut **tx)
                .await?;
            }
            None => {
                let id = get_i64(
                    &sqlx::query(
                        "INSERT INTO guidance_episodes (person_id, lead_professional_id, started_on, started_by, created_at) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(person.0)
                    .bind(professional)
                    .bind(on)
                    .bind(&actor.username)
                    .bind(ts_text(actor.at))
                    .fetch_one(&mut **tx)
                    .await?,
                    "id",
                )?;
                sqlx::query(
                    "INSERT INTO episode_professionals (episode_id, professional_id, joined_on) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(professional)
                .bind(on)
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }

    /// Adds a professional to an episode (not as lead).
    pub async fn add_episode_professional(
        &self,
        episode: &Episode,
        professional: i64,
        on: Date,
        actor: &Actor,
    ) -> Result<()> {
        let on = stored_date("on", on)?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO episode_professionals (episode_id, professional_id, joined_on) VALUES ($1, $2, $3) \
             ON CONFLICT (episode_id, professional_id) DO UPDATE SET left_on = NULL",
        )
        .bind(episode.id)
        .bind(professional)
        .bind(&on)
        .execute(&mut *tx)
        .await?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            episode.person_id,
            DataCategory::Guidance,
            AuditAction::Change,
            format!(
                "begeleiding {}: begeleider {professional} toegevoegd",
                episode.id
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A professional leaves an episode on `on` (not its lead): they keep access only as
    /// the access policy allows for ended involvement.
    pub async fn remove_episode_professional(
        &self,
        episode: &Episode,
        professional: i64,
        on: Date,
        actor: &Actor,
    ) -> Result<()> {
        let on = stored_date("on", on)?;
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE episode_professionals SET left_on = $1 WHERE episode_id = $2 AND professional_id = $3 \
             AND left_on IS NULL AND professional_id <> (SELECT lead_professional_id FROM guidance_episodes WHERE id = $2)",
        )
        .bind(&on)
        .bind(episode.id)
        .bind(professional)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "deze begeleider staat niet (meer) op de begeleiding".into(),
            ));
        }
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            episode.person_id,
            DataCategory::Guidance,
            AuditAction::Change,
            format!(
                "begeleiding {}: begeleider {professional} van de begeleiding af op {on}",
                episode.id
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes `professional` the lead of an episode from `on`. They join it if they were not
    /// on it; the former lead stays on it as one of its professionals.
    pub async fn set_episode_lead(
        &self,
        episode: &Episode,
        professional: i64,
        on: Date,
        actor: &Actor,
    ) -> Result<()> {
        let on = stored_date("on", on)?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO episode_professionals (episode_id, professional_id, joined_on) VALUES ($1, $2, $3) \
             ON CONFLICT (episode_id, professional_id) DO UPDATE SET left_on = NULL",
        )
        .bind(episode.id)
        .bind(professional)
        .bind(&on)
        .execute(&mut *tx)
        .await?;
        let r = sqlx::query(
            "UPDATE guidance_episodes SET lead_professional_id = $1 WHERE id = $2 AND lead_professional_id = $3",
        )
        .bind(professional)
        .bind(episode.id)
        .bind(episode.lead_professional_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "de vaste begeleider is intussen gewijzigd; bekijk de begeleiding opnieuw".into(),
            ));
        }
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            episode.person_id,
            DataCategory::Guidance,
            AuditAction::Change,
            format!(
                "begeleiding {}: vaste begeleider {professional} vanaf {on} (was {})",
                episode.id, episode.lead_professional_id
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends an episode on `ended_on`; with `aftercare_from`, it ran on as aftercare from then.
    pub async fn end_episode(
        &self,
        episode: &Episode,
        ended_on: Date,
        aftercare_from: Option<Date>,
        actor: &Actor,
    ) -> Result<()> {
        let ended = stored_date("ended_on", ended_on)?;
        let aftercare = stored_opt_date("aftercare_from", aftercare_from)?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE guidance_episodes SET ended_on = $1, aftercare_from = $2 WHERE id = $3",
        )
        .bind(&ended)
        .bind(&aftercare)
        .bind(episode.id)
        .execute(&mut *tx)
        .await?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            episode.person_id,
            DataCategory::Guidance,
            AuditAction::Change,
            match aftercare {
                Some(a) => format!("begeleiding {}: nazorg van {a} tot {ended}", episode.id),
                None => format!("begeleiding {}: beëindigd op {ended}", episode.id),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The intensity history of an episode, in order of date and recording.
    pub async fn intensity_changes(&self, episode: i64) -> Result<Vec<IntensityChangeRow>> {
        sqlx::query(
            "SELECT id, episode_id, from_date, quarter_hours, reason, changed_by FROM intensity_changes \
             WHERE episode_id = $1 ORDER BY from_date, id",
        )
        .bind(episode)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(IntensityChangeRow {
                id: get_i64(r, "id")?,
                episode_id: get_i64(r, "episode_id")?,
                from_date: get_date(r, "from_date")?,
                quarter_hours: get_i64(r, "quarter_hours")?,
                reason: get_string(r, "reason")?,
                changed_by: get_string(r, "changed_by")?,
            })
        })
        .collect()
    }

    pub async fn add_intensity_change(
        &self,
        episode: &Episode,
        from: Date,
        quarter_hours: i64,
        reason: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let from = stored_date("on", from)?;
        let mut tx = self.begin().await?;
        let id = get_i64(
            &sqlx::query(
                "INSERT INTO intensity_changes (episode_id, from_date, quarter_hours, reason, changed_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(episode.id)
            .bind(&from)
            .bind(quarter_hours)
            .bind(reason)
            .bind(&actor.username)
            .bind(ts_text(actor.at))
            .fetch_one(&mut *tx)
            .await?,
            "id",
        )?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            episode.person_id,
            DataCategory::Guidance,
            AuditAction::Change,
            format!(
                "begeleiding {}: intensiteit {} u/week vanaf {from}",
                episode.id,
                quarter_hours as f64 / 4.0
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One page of a person's contact log, newest first; without working notes when
    /// `with_working_notes` is false.
    pub async fn contacts_page(
        &self,
        person: PersonId,
        with_working_notes: bool,
        req: &PageRequest,
    ) -> Result<Page<ContactRow>> {
        let mut filter = Where::default();
        filter.int("person_id = {}", person.0);
        if !with_working_notes {
            filter.plain("working_note = 0");
        }
        self.read_page(
            ListQuery {
                select: "SELECT id, person_id, at, kind, text, working_note, corrects_id, author_name",
                from: "FROM contacts",
                count_from: None,
                filter,
                order: Order::by("at", "id", true),
            },
            req,
            contact_row,
            |c| Cursor::new(ts_text(c.at), c.id),
        )
        .await
    }

    /// Contact entries by id (the entries corrected on a page).
    pub async fn contacts_by_id(&self, ids: &[i64]) -> Result<Vec<ContactRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = numbers(ids.iter().copied());
        sqlx::query(&format!(
            "SELECT id, person_id, at, kind, text, working_note, corrects_id, author_name FROM contacts WHERE id IN ({list})"
        ))
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(contact_row)
        .collect()
    }

    /// The entries that correct any of `ids`, as (corrected, correction) pairs, wherever
    /// they stand in the log.
    pub async fn corrections_of(&self, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = numbers(ids.iter().copied());
        sqlx::query(&format!(
            "SELECT corrects_id, id FROM contacts WHERE corrects_id IN ({list}) ORDER BY id"
        ))
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| Ok((get_i64(r, "corrects_id")?, get_i64(r, "id")?)))
        .collect()
    }

    pub async fn add_contact(&self, c: &NewContact, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = get_i64(
            &sqlx::query(
                "INSERT INTO contacts (person_id, episode_id, at, kind, text, working_note, corrects_id, author_id, author_name, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(c.person.0)
            .bind(c.episode)
            .bind(ts_text(c.at))
            .bind(c.kind.code())
            .bind(&c.text)
            .bind(c.working_note as i64)
            .bind(c.corrects)
            .bind(actor.user_id)
            .bind(&actor.username)
            .bind(ts_text(actor.at))
            .fetch_one(&mut *tx)
            .await?,
            "id",
        )?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            c.person,
            DataCategory::ContactLog,
            AuditAction::Create,
            match c.corrects {
                Some(x) => format!("contact {id} (correctie op {x})"),
                None => format!("contact {id}"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A person's goals, in order of recording.
    pub async fn goals_of(&self, person: PersonId) -> Result<Vec<Goal>> {
        sqlx::query(
            "SELECT id, person_id, domain, title, status, target_date, actions, owner, recorded_on, recorded_by \
             FROM goals WHERE person_id = $1 ORDER BY recorded_on, id",
        )
        .bind(person.0)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(goal_row)
        .collect()
    }

    /// The day a person's first goal was recorded.
    pub async fn first_goal_on(&self, person: PersonId) -> Result<Option<Date>> {
        let r = sqlx::query("SELECT MIN(recorded_on) AS first FROM goals WHERE person_id = $1")
            .bind(person.0)
            .fetch_one(self.reader())
            .await?;
        get_opt_date(&r, "first")
    }

    pub async fn add_goal(&self, g: &NewGoal, actor: &Actor) -> Result<i64> {
        let target = stored_opt_date("target_date", g.target_date)?;
        let recorded = stored_date("recorded_on", g.recorded_on)?;
        let mut tx = self.begin().await?;
        let id = get_i64(
            &sqlx::query(
                "INSERT INTO goals (person_id, domain, title, status, target_date, actions, owner, recorded_on, recorded_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(g.person.0)
            .bind(g.domain.code())
            .bind(&g.title)
            .bind(g.status.code())
            .bind(target)
            .bind(&g.actions)
            .bind(g.owner.code())
            .bind(recorded)
            .bind(&actor.username)
            .bind(ts_text(actor.at))
            .fetch_one(&mut *tx)
            .await?,
            "id",
        )?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            g.person,
            DataCategory::Plan,
            AuditAction::Create,
            format!("doel {id} ({})", g.domain.code()),
        )
        .await?;
        // The first goal meets the running stay's plan milestone on the day it is recorded;
        // a date recorded before stays.
        sqlx::query(
            "UPDATE stays SET plan_done_on = $1 WHERE person_id = $2 AND exit_date IS NULL \
             AND plan_done_on IS NULL AND start_date <= $1",
        )
        .bind(date_text(g.recorded_on))
        .bind(g.person.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes the status of a goal of `person`; not found for a goal of someone else.
    pub async fn set_goal_status(
        &self,
        person: PersonId,
        goal: i64,
        status: GoalStatus,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE goals SET status = $1, updated_at = $2 WHERE id = $3 AND person_id = $4",
        )
        .bind(status.code())
        .bind(ts_text(actor.at))
        .bind(goal)
        .bind(person.0)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("doel"));
        }
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::Plan,
            AuditAction::Change,
            format!("doel {goal}: {}", status.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A person's ZRM assessments, oldest first.
    pub async fn assessments_of(&self, person: PersonId) -> Result<Vec<Assessment>> {
        sqlx::query(&format!(
            "SELECT id, person_id, assessed_on, moment, assessed_by, {} FROM zrm_assessments \
             WHERE person_id = $1 ORDER BY assessed_on, id",
            score_columns()
        ))
        .bind(person.0)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(assessment_row)
        .collect()
    }

    pub async fn add_assessment(
        &self,
        person: PersonId,
        on: Date,
        moment: ZrmMoment,
        scores: &Scores,
        actor: &Actor,
    ) -> Result<i64> {
        let on = stored_date("assessed_on", on)?;
        let placeholders = (6..19).map(|i| format!("${i}")).collect::<Vec<_>>();
        let sql = format!(
            "INSERT INTO zrm_assessments (person_id, assessed_on, moment, assessed_by, created_at, {}) \
             VALUES ($1, $2, $3, $4, $5, {}) RETURNING id",
            score_columns(),
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql)
            .bind(person.0)
            .bind(&on)
            .bind(moment.code())
            .bind(&actor.username)
            .bind(ts_text(actor.at));
        for s in scores.0 {
            q = q.bind(s.get() as i64);
        }
        let mut tx = self.begin().await?;
        let id = get_i64(&q.fetch_one(&mut *tx).await?, "id")?;
        append_one(
            &mut tx,
            self.audit_key.as_ref(),
            actor,
            person,
            DataCategory::Zrm,
            AuditAction::Create,
            format!("zrm {id} ({})", moment.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// For each of `persons` (at most a page of them): last contact, open goals, latest
    /// assessment, the intensity of the running episode and the open signals routed to
    /// `professional`; one grouped query each.
    pub async fn caseload_facts(
        &self,
        persons: &[PersonId],
        professional: i64,
        today: Date,
    ) -> Result<std::collections::HashMap<PersonId, CaseloadFacts>> {
        let mut out: std::collections::HashMap<PersonId, CaseloadFacts> = persons
            .iter()
            .map(|p| (*p, CaseloadFacts::default()))
            .collect();
        if persons.is_empty() {
            return Ok(out);
        }
        let list = id_list(persons);
        let today = date_text(today);
        // Each client's open episodes in order (one, as a rule): the last is the running one.
        let running = format!(
            "SELECT e.person_id, e.started_on, e.resumes_episode_id, \
             (SELECT MAX(p.ended_on) FROM guidance_episodes p WHERE p.person_id = e.person_id \
              AND p.id <> e.id AND p.started_on <= e.started_on) AS previous_end \
             FROM guidance_episodes e \
             WHERE e.person_id IN ({list}) AND (e.ended_on IS NULL OR e.ended_on >= $1) \
             ORDER BY e.person_id, e.started_on, e.id"
        );
        let (contacts, goals, assessments, intensities, signals) = (
            format!(
                "SELECT person_id, MAX(at) AS last FROM contacts WHERE person_id IN ({list}) GROUP BY person_id"
            ),
            format!(
                "SELECT person_id, COUNT(*) AS n FROM goals WHERE person_id IN ({list}) \
                 AND status IN ('open', 'in_progress') GROUP BY person_id"
            ),
            // Each client's assessments in order (a handful each): the last is the latest.
            format!(
                "SELECT person_id, assessed_on, moment FROM zrm_assessments WHERE person_id IN ({list}) \
                 ORDER BY person_id, assessed_on, id"
            ),
            format!(
                "SELECT e.person_id, i.quarter_hours FROM guidance_episodes e \
                 JOIN intensity_changes i ON i.episode_id = e.id \
                 WHERE e.person_id IN ({list}) AND (e.ended_on IS NULL OR e.ended_on >= $1) AND i.from_date <= $1 \
                 ORDER BY e.person_id, i.from_date, i.id"
            ),
            // The open signals that the professional's inbox shows for each client, with the
            // most urgent one ranked 1 (low) to 4 (acute).
            format!(
                "SELECT person_id, COUNT(*) AS n, MAX(CASE urgency WHEN 'acute' THEN 4 WHEN 'high' THEN 3 \
                 WHEN 'normal' THEN 2 ELSE 1 END) AS top FROM signals \
                 WHERE person_id IN ({list}) AND closed_at IS NULL \
                 AND id IN (SELECT r.signal_id FROM signal_recipients r WHERE r.user_id = $1) GROUP BY person_id"
            ),
        );
        // Six small indexed reads, each on its own reading connection at once.
        let (contacts, goals, assessments, intensities, signals, running) = tokio::try_join!(
            sqlx::query(&contacts).fetch_all(self.reader()),
            sqlx::query(&goals).fetch_all(self.reader()),
            sqlx::query(&assessments).fetch_all(self.reader()),
            sqlx::query(&intensities)
                .bind(&today)
                .fetch_all(self.reader()),
            sqlx::query(&signals)
                .bind(professional)
                .fetch_all(self.reader()),
            sqlx::query(&running).bind(&today).fetch_all(self.reader()),
        )?;
        for r in contacts {
            let p = PersonId(get_i64(&r, "person_id")?);
            if let Some(f) = out.get_mut(&p) {
                f.last_contact = get_opt_ts(&r, "last")?;
            }
        }
        for r in goals {
            let p = PersonId(get_i64(&r, "person_id")?);
            if let Some(f) = out.get_mut(&p) {
                f.open_goals = get_i64(&r, "n")?;
            }
        }
        for r in assessments {
            let p = PersonId(get_i64(&r, "person_id")?);
            if let Some(f) = out.get_mut(&p) {
                let moment = get_string(&r, "moment")?;
                let moment = ZrmMoment::parse(&moment).ok_or(StoreError::Corrupt {
                    column: "moment",
                    value: moment,
                })?;
                f.latest_assessment = Some((get_date(&r, "assessed_on")?, moment));
            }
        }
        for r in running {
            let p = PersonId(get_i64(&r, "person_id")?);
            if let Some(f) = out.get_mut(&p) {
                f.running = Some(nabij_domain::guidance::RunningGuidance {
                    since: get_date(&r, "started_on")?,
                    resumes: get_opt_i64(&r, "resumes_episode_id")?.is_some(),
                    previous_end: get_opt_date(&r, "previous_end")?,
                });
            }
        }
        for r in intensities {
            let p = PersonId(get_i64(&r, "person_id")?);
            if let Some(f) = out.get_mut(&p) {
                // Rows come in date order: the last one is in force.
                f.quarter_hours = Some(get_i64(&r, "quarter_hours")?);
            }
        }
        for r in signals {
            let p = PersonId(get_i64(&r, "person_id")?);
            if let Some(f) = out.get_mut(&p) {
                use nabij_domain::signal::Urgency;
                f.open_signals = get_i64(&r, "n")?;
                f.most_urgent = match get_i64(&r, "top")? {
                    4 => Some(Urgency::Acute),
                    3 => Some(Urgency::High),
                    2 => Some(Urgency::Normal),
                    _ => Some(Urgency::Low),
                };
            }
        }
        Ok(out)
    }
}

/// The change of the 13 ZRM domains over a group of persons, summed per domain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZrmChanges {
    /// Persons in the group.
    pub persons: i64,
    /// Per domain, in [`ZrmDomain::ALL`] order: the summed change, and how many improved and
    /// how many went back.
    pub sum: [i64; 13],
    pub improved: [i64; 13],
    pub worse: [i64; 13],
}

/// Guidance running on a day: episodes and the hours per week in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursOnDay {
    pub day: Date,
    pub episodes: i64,
    pub quarter_hours: i64,
}

/// The recovery measures of a period, added up by the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryFacts {
    /// Persons with an assessment in the period.
    pub assessed: i64,
    /// Persons whose latest assessment up to the period's end falls in it and follows an
    /// earlier one: latest intake (else the first assessment) → that latest one.
    pub to_latest: ZrmChanges,
    /// Persons with an exit assessment in the period: latest intake before it (else the
    /// first assessment) → that exit one.
    pub to_exit: ZrmChanges,
    /// On each of the given days.
    pub hours: Vec<HoursOnDay>,
    /// Resumptions started in the period, by month (`YYYY-MM`).
    pub resumptions: Vec<(String, i64)>,
}

/// Which persons' guidance a measure counts: an organisation's, all of them or those whose
/// own municipality is one municipality or one of a partner's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryScope {
    pub organisation: i64,
    pub persons: RecoveryPersons,
    pub from: Date,
    pub to: Date,
}

/// The organisation's persons a recovery measure counts, by their own municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryPersons {
    All,
    /// Those of one municipality.
    Municipality(i64),
    /// Those of the municipalities a partner (municipality or social team) covers.
    CoveredBy(i64),
}

impl RecoveryScope {
    /// The join and condition that keep rows of the scope's persons, given the alias of the
    /// table whose `person_id` is joined; empty when every person in the database is in
    /// scope (a database of one organisation, no municipality), so no row is joined to its
    /// person. The unary plus keeps SQLite from starting at the organisation's persons.
    fn persons(&self, alias: &str, everyone: bool) -> String {
        let org = self.organisation;
        match (self.persons, everyone) {
            (RecoveryPersons::All, true) => String::new(),
            (RecoveryPersons::All, false) => format!(
                " JOIN persons pe ON pe.id = {alias}.person_id AND +pe.organisation_id = {org}"
            ),
            (RecoveryPersons::Municipality(m), _) => format!(
                " JOIN persons pe ON pe.id = {alias}.person_id AND +pe.organisation_id = {org} \
                 AND +pe.own_municipality_id = {m}"
            ),
            (RecoveryPersons::CoveredBy(p), _) => format!(
                " JOIN persons pe ON pe.id = {alias}.person_id AND +pe.organisation_id = {org} \
                 AND +pe.own_municipality_id IN \
                 (SELECT pm.municipality_id FROM partner_municipalities pm WHERE pm.organisation_id = {p})"
            ),
        }
    }
}

impl RecoveryScope {
    /// The rows of `table` (as `alias`) of the scope's persons that meet `condition`, as
    /// `(FROM … WHERE …, join for the outer query)`. For one or a few municipalities the
    /// read starts at their persons (by the index on organisation and municipality) and
    /// takes each person's rows by the person's own index; for the whole organisation at
    /// the condition's index range, joining persons only when others share the database.
    fn rows_of(
        &self,
        table: &str,
        alias: &str,
        condition: &str,
        outer: &str,
        everyone: bool,
    ) -> (String, String) {
        let org = self.organisation;
        let persons = match self.persons {
            RecoveryPersons::All => {
                return (
                    format!("{table} {alias} WHERE {condition}"),
                    self.persons(outer, everyone),
                );
            }
            RecoveryPersons::Municipality(m) => format!("pe.own_municipality_id = {m}"),
            RecoveryPersons::CoveredBy(p) => format!(
                "pe.own_municipality_id IN \
                 (SELECT pm.municipality_id FROM partner_municipalities pm WHERE pm.organisation_id = {p})"
            ),
        };
        (
            format!(
                "persons pe CROSS JOIN {table} {alias} WHERE pe.organisation_id = {org} AND {persons} \
                 AND {alias}.person_id = pe.id AND {condition}"
            ),
            String::new(),
        )
    }
}

/// `COUNT(*)` and, per domain, the summed change from `f` to `l` and how many went up and
/// down; every aggregate is a BIGINT and 0 over no rows, on both backends.
fn change_aggregates() -> String {
    let mut out = vec!["COUNT(*) AS n".to_string()];
    for d in ZrmDomain::ALL {
        let c = d.code();
        out.push(format!(
            "CAST(COALESCE(SUM(l.{c} - f.{c}), 0) AS BIGINT) AS {c}_sum, \
             CAST(COALESCE(SUM(CASE WHEN l.{c} > f.{c} THEN 1 ELSE 0 END), 0) AS BIGINT) AS {c}_up, \
             CAST(COALESCE(SUM(CASE WHEN l.{c} < f.{c} THEN 1 ELSE 0 END), 0) AS BIGINT) AS {c}_down"
        ));
    }
    out.join(", ")
}

fn zrm_changes(r: &dyn Cells) -> Result<ZrmChanges> {
    let mut c = ZrmChanges {
        persons: r.int("n")?,
        ..Default::default()
    };
    for (i, d) in ZrmDomain::ALL.iter().enumerate() {
        let code = d.code();
        c.sum[i] = r.int(&format!("{code}_sum"))?;
        c.improved[i] = r.int(&format!("{code}_up"))?;
        c.worse[i] = r.int(&format!("{code}_down"))?;
    }
    Ok(c)
}

/// Where a person's progress starts, for a correlated subquery over `t`: their latest intake
/// assessment up to `upto` (an SQL condition on the assessment `x`), or without one their
/// first assessment (as [`nabij_domain::guidance::progress_of`]).
fn start_assessment(upto: &str) -> String {
    format!(
        "COALESCE((SELECT x.id FROM zrm_assessments x WHERE x.person_id = t.person_id \
           AND x.moment = 'intake' AND {upto} ORDER BY x.assessed_on DESC, x.id DESC LIMIT 1), \
         (SELECT x.id FROM zrm_assessments x WHERE x.person_id = t.person_id \
           ORDER BY x.assessed_on, x.id LIMIT 1))"
    )
}

impl Db {
    /// The recovery measures of a period (domain.md §7): ZRM change per domain intake →
    /// latest and intake → exit, the guidance running on each of `days` with its hours, and
    /// the resumptions by month. Each query starts at the period's range of an index
    /// (migration 0030) and is added up in SQL; a person's first and latest assessments are
    /// found by their own index, never by scanning the history.
    #[tracing::instrument(skip_all)]
    pub async fn recovery_facts(
        &self,
        scope: &RecoveryScope,
        days: &[Date],
    ) -> Result<RecoveryFacts> {
        let from = date_text(scope.from);
        let to = date_text(scope.to);
        // Two index ends: whether the organisation holds every person.
        let bounds = sqlx::query(
            // Two subqueries, so each reads one end of the index (one MIN and one MAX in
            // the same SELECT read every person on SQLite).
            "SELECT (SELECT MIN(organisation_id) FROM persons) AS lo, \
             (SELECT MAX(organisation_id) FROM persons) AS hi",
        )
        .fetch_one(self.reader())
        .await?;
        let everyone = get_opt_i64(&bounds, "lo")? == Some(scope.organisation)
            && get_opt_i64(&bounds, "hi")? == Some(scope.organisation);
        let aggregates = change_aggregates();
        let period = "a.assessed_on >= $1 AND a.assessed_on <= $2";
        let (assessed, join) = scope.rows_of("zrm_assessments", "a", period, "t", everyone);
        let assessed_sql = format!(
            "SELECT COUNT(*) AS n FROM (SELECT DISTINCT a.person_id FROM {assessed}) t{join}"
        );
        // The latest assessment in the period is the latest up to its end; each person's
        // first and latest are found once, through their own index.
        // The latest assessment up to the period's end is the last of all up to that day,
        // so an intake up to that day is never after it.
        let start = start_assessment("x.assessed_on <= $2");
        let to_latest_sql = format!(
            "WITH p AS MATERIALIZED ( \
               SELECT t.person_id, {start} AS first_id, \
                 (SELECT x.id FROM zrm_assessments x WHERE x.person_id = t.person_id AND x.assessed_on <= $2 \
                  ORDER BY x.assessed_on DESC, x.id DESC LIMIT 1) AS last_id \
               FROM (SELECT DISTINCT a.person_id FROM {assessed}) t{join}) \
             SELECT {aggregates} FROM p JOIN zrm_assessments f ON f.id = p.first_id \
             JOIN zrm_assessments l ON l.id = p.last_id WHERE p.first_id <> p.last_id"
        );
        let (exits, join) = scope.rows_of(
            "zrm_assessments",
            "a",
            &format!("{period} AND a.moment = 'exit'"),
            "t",
            everyone,
        );
        // Up to the exit assessment in the order of day and recording: an intake recorded
        // after it on the same day starts the next episode, not this one.
        let start = start_assessment(
            "EXISTS (SELECT 1 FROM zrm_assessments e WHERE e.id = t.last_id \
               AND (x.assessed_on < e.assessed_on OR (x.assessed_on = e.assessed_on AND x.id <= e.id)))",
        );
        let to_exit_sql = format!(
            "WITH p AS MATERIALIZED ( \
               SELECT t.person_id, t.last_id, {start} AS first_id FROM ( \
                 SELECT a.person_id, MAX(a.id) AS last_id FROM {exits} \
                 GROUP BY a.person_id) t{join}) \
             SELECT {aggregates} FROM p JOIN zrm_assessments f ON f.id = p.first_id \
             JOIN zrm_assessments l ON l.id = p.last_id WHERE p.first_id <> p.last_id"
        );
        let (resumed, join) = scope.rows_of(
            "guidance_episodes",
            "e",
            "e.resumes_episode_id IS NOT NULL AND e.started_on >= $1 AND e.started_on <= $2",
            "e",
            everyone,
        );
        // The outer join (whole organisation, shared database) is on the episodes themselves.
        let resumptions_sql = if join.is_empty() {
            format!(
                "SELECT substr(e.started_on, 1, 7) AS month, COUNT(*) AS n FROM {resumed} \
                 GROUP BY substr(e.started_on, 1, 7) ORDER BY month"
            )
        } else {
            format!(
                "SELECT substr(e.started_on, 1, 7) AS month, COUNT(*) AS n FROM guidance_episodes e{join} \
                 WHERE e.resumes_episode_id IS NOT NULL AND e.started_on >= $1 AND e.started_on <= $2 \
                 GROUP BY substr(e.started_on, 1, 7) ORDER BY month"
            )
        };
        // Per day, the episodes running then: those ending on or after it (one range of the
        // end index) and those still running, each with the intensity in force that day.
        let persons_e = scope.persons("e", everyone);
        let hours_sql = |days: &[Date]| {
            let each = days
                .iter()
                .map(|d| {
                    let d = date_text(*d);
                    let hours = format!(
                        "(SELECT i.quarter_hours FROM intensity_changes i WHERE i.episode_id = e.id \
                         AND i.from_date <= '{d}' ORDER BY i.from_date DESC, i.id DESC LIMIT 1)"
                    );
                    format!(
                        "SELECT '{d}' AS day, COUNT(*) AS n, COALESCE(SUM({hours}), 0) AS q \
                         FROM guidance_episodes e{persons_e} WHERE e.ended_on >= '{d}' AND e.started_on <= '{d}' \
                         UNION ALL \
                         SELECT '{d}' AS day, COUNT(*) AS n, COALESCE(SUM({hours}), 0) AS q \
                         FROM guidance_episodes e{persons_e} WHERE e.ended_on IS NULL AND e.started_on <= '{d}'"
                    )
                })
                .collect::<Vec<_>>()
                .join(" UNION ALL ");
            format!(
                "SELECT day, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(q) AS BIGINT) AS q FROM ({each}) h GROUP BY day"
            )
        };
        // The days in two halves, read at once: the longest part of the report.
        let (early, late) = days.split_at(days.len() / 2);
        let (early_sql, late_sql) = (hours_sql(early), hours_sql(late));
        // Each query runs as a report query (on SQLite on the report threads, at their
        // lower priority), so placements and pages keep the cores and the pool.
        let period = [Arg::T(&from), Arg::T(&to)];
        let count = |r: &dyn Cells| r.int("n");
        let hours_of = |days: &[Date], sql: String| {
            let query = (!days.is_empty()).then(|| {
                self.decoded(sql, &[], None, |r: &dyn Cells| {
                    Ok((
                        r.text("day")?.unwrap_or_default().to_string(),
                        r.int("n")?,
                        r.int("q")?,
                    ))
                })
            });
            async move {
                match query {
                    Some(q) => q.await,
                    None => Ok(Vec::new()),
                }
            }
        };
        let (assessed, to_latest, to_exit, resumptions, early_rows, late_rows) = tokio::try_join!(
            self.decoded(assessed_sql, &period, None, count),
            self.decoded(to_latest_sql, &period, None, zrm_changes),
            self.decoded(to_exit_sql, &period, None, zrm_changes),
            self.decoded(resumptions_sql, &period, None, |r: &dyn Cells| {
                Ok((
                    r.text("month")?.unwrap_or_default().to_string(),
                    r.int("n")?,
                ))
            }),
            hours_of(early, early_sql),
            hours_of(late, late_sql),
        )?;
        fn one<T>(rows: Vec<T>) -> Result<T> {
            rows.into_iter()
                .next()
                .ok_or(StoreError::NotFound("uitkomst"))
        }
        let found: std::collections::HashMap<String, (i64, i64)> = early_rows
            .into_iter()
            .chain(late_rows)
            .map(|(day, n, q)| (day, (n, q)))
            .collect();
        let hours = days
            .iter()
            .map(|d| {
                let (episodes, quarter_hours) =
                    found.get(&date_text(*d)).copied().unwrap_or((0, 0));
                HoursOnDay {
                    day: *d,
                    episodes,
                    quarter_hours,
                }
            })
            .collect();
        Ok(RecoveryFacts {
            assessed: one(assessed)?,
            to_latest: one(to_latest)?,
            to_exit: one(to_exit)?,
            hours,
            resumptions,
        })
    }
}

/// A professional account written in bulk (it cannot sign in: its password hash is no hash).
#[derive(Debug, Clone, PartialEq)]
pub struct BulkProfessional {
    pub id: i64,
    pub organisation_id: i64,
    pub username: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkEpisode {
    pub id: i64,
    pub person_id: i64,
    pub lead_professional_id: i64,
    pub started_on: Date,
    pub aftercare_from: Option<Date>,
    pub ended_on: Option<Date>,
    pub resumes_episode_id: Option<i64>,
    /// Hours per week in quarters from a date on, oldest first (the first on `started_on`).
    pub intensity: Vec<(Date, i64, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkContact {
    pub person_id: i64,
    pub episode_id: Option<i64>,
    pub at: Timestamp,
    pub kind: ContactKind,
    pub text: String,
    pub working_note: bool,
    pub author_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkGoal {
    pub person_id: i64,
    pub domain: ZrmDomain,
    pub title: String,
    pub status: GoalStatus,
    pub target_date: Option<Date>,
    pub actions: String,
    pub owner: GoalOwner,
    pub recorded_on: Date,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkAssessment {
    pub person_id: i64,
    pub assessed_on: Date,
    pub moment: ZrmMoment,
    pub scores: [u8; 13],
}

/// Guidance and recovery of a whole network's history, written beside [`Db::bulk_load`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkGuidance {
    pub professionals: Vec<BulkProfessional>,
    pub episodes: Vec<BulkEpisode>,
    pub contacts: Vec<BulkContact>,
    pub goals: Vec<BulkGoal>,
    pub assessments: Vec<BulkAssessment>,
}

impl Db {
    /// Writes guidance in bulk into a database whose episodes, contacts and assessments are
    /// still empty; the persons must be there.
    pub async fn bulk_load_guidance(&self, data: &BulkGuidance, at: Timestamp) -> Result<u64> {
        use crate::bulk::V;
        for table in ["guidance_episodes", "contacts", "zrm_assessments"] {
            let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
                .fetch_one(self.reader())
                .await?;
            if get_i64(&row, "n")? > 0 {
                return Err(StoreError::Conflict(
                    "er is al begeleiding vastgelegd; laad alleen in een lege database".into(),
                ));
            }
        }
        let d = |x: Date| V::T(date_text(x));
        let nd = |x: Option<Date>| V::NT(x.map(date_text));
        let now = ts_text(at);
        let mut rows = 0u64;
        let mut tx = self.begin().await?;
        rows += self
            .insert(
                &mut tx,
                "users",
                &[
                    "id",
                    "organisation_id",
                    "username",
                    "display_name",
                    "role",
                    "password_hash",
                    "created_at",
                ],
                true,
                data.professionals.iter().map(|p| {
                    vec![
                        V::I(p.id),
                        V::I(p.organisation_id),
                        V::T(p.username.clone()),
                        V::T(p.display_name.clone()),
                        V::T("professional".into()),
                        V::T("!".into()),
                        V::T(now.clone()),
                    ]
                }),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "guidance_episodes",
                &[
                    "id",
                    "person_id",
                    "lead_professional_id",
                    "started_on",
                    "aftercare_from",
                    "ended_on",
                    "resumes_episode_id",
                    "started_by",
                    "created_at",
                ],
                true,
                data.episodes.iter().map(|e| {
                    vec![
                        V::I(e.id),
                        V::I(e.person_id),
                        V::I(e.lead_professional_id),
                        d(e.started_on),
                        nd(e.aftercare_from),
                        nd(e.ended_on),
                        V::NI(e.resumes_episode_id),
                        V::T("nabij demo".into()),
                        V::T(now.clone()),
                    ]
                }),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "episode_professionals",
                &["episode_id", "professional_id", "joined_on"],
                false,
                data.episodes
                    .iter()
                    .map(|e| vec![V::I(e.id), V::I(e.lead_professional_id), d(e.started_on)]),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "intensity_changes",
                &[
                    "episode_id",
                    "from_date",
                    "quarter_hours",
                    "reason",
                    "changed_by",
                    "created_at",
                ],
                false,
                data.episodes.iter().flat_map(|e| {
                    let now = now.clone();
                    e.intensity.iter().map(move |(on, q, reason)| {
                        vec![
                            V::I(e.id),
                            d(*on),
                            V::I(*q),
                            V::T(reason.clone()),
                            V::T("nabij demo".into()),
                            V::T(now.clone()),
                        ]
                    })
                }),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "contacts",
                &[
                    "person_id",
                    "episode_id",
                    "at",
                    "kind",
                    "text",
                    "working_note",
                    "author_name",
                    "created_at",
                ],
                false,
                data.contacts.iter().map(|c| {
                    vec![
                        V::I(c.person_id),
                        V::NI(c.episode_id),
                        V::T(ts_text(c.at)),
                        V::T(c.kind.code().into()),
                        V::T(c.text.clone()),
                        V::I(c.working_note as i64),
                        V::T(c.author_name.clone()),
                        V::T(ts_text(c.at)),
                    ]
                }),
            )
            .await?;
        rows += self
            .insert(
                &mut tx,
                "goals",
                &[
                    "person_id",
                    "domain",
                    "title",
                    "status",
                    "target_date",
                    "actions",
                    "owner",
                    "recorded_on",
                    "recorded_by",
                    "updated_at",
                ],
                false,
                data.goals.iter().map(|g| {
                    vec![
                        V::I(g.person_id),
                        V::T(g.domain.code().into()),
                        V::T(g.title.clone()),
                        V::T(g.status.code().into()),
                        nd(g.target_date),
                        V::T(g.actions.clone()),
                        V::T(g.owner.code().into()),
                        d(g.recorded_on),
                        V::T("nabij demo".into()),
                        V::T(now.clone()),
                    ]
                }),
            )
            .await?;
        let mut columns = vec![
            "person_id",
            "assessed_on",
            "moment",
            "assessed_by",
            "created_at",
        ];
        columns.extend(ZrmDomain::ALL.iter().map(|d| d.code()));
        rows += self
            .insert(
                &mut tx,
                "zrm_assessments",
                &columns,
                false,
                data.assessments.iter().map(|a| {
                    let mut row = vec![
                        V::I(a.person_id),
                        d(a.assessed_on),
                        V::T(a.moment.code().into()),
                        V::T("nabij demo".into()),
                        V::T(now.clone()),
                    ];
                    row.extend(a.scores.iter().map(|s| V::I(*s as i64)));
                    row
                }),
            )
            .await?;
        if self.backend == crate::Backend::Postgres {
            for table in ["users", "guidance_episodes"] {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                ))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(rows)
    }
}

/// The guidance of a person whose stay ends on `exit`, inside the transaction that ends the
/// stay, so a stay never ends with its guidance left running: the running episode ends on
/// the exit date (it can still become aftercare later), or, with `aftercare_until`, runs on
/// as aftercare from the exit up to and including that day.
pub(crate) async fn close_at_exit_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    key: Option<&crate::audit::AuditKey>,
    actor: &Actor,
    person: PersonId,
    exit: Date,
    aftercare_until: Option<Date>,
) -> Result<()> {
    let exit_s = stored_date("exit_date", exit)?;
    let (r, what) = match aftercare_until {
        None => (
            sqlx::query(
                "UPDATE guidance_episodes SET ended_on = $1 \
                 WHERE person_id = $2 AND ended_on IS NULL AND started_on <= $1",
            )
            .bind(&exit_s)
            .bind(person.0)
            .execute(&mut **tx)
            .await?,
            format!("begeleiding beëindigd bij vertrek op {exit_s}"),
        ),
        Some(until) => {
            let until_s = stored_date("ended_on", until)?;
            let r = sqlx::query(
                "UPDATE guidance_episodes SET ended_on = $1, aftercare_from = $2 \
                 WHERE person_id = $3 AND ended_on IS NULL AND started_on <= $2",
            )
            .bind(&until_s)
            .bind(&exit_s)
            .bind(person.0)
            .execute(&mut **tx)
            .await?;
            (
                r,
                format!(
                    "begeleiding gaat na het vertrek door als nazorg van {exit_s} tot {until_s}"
                ),
            )
        }
    };
    if r.rows_affected() > 0 {
        append_one(
            tx,
            key,
            actor,
            person,
            DataCategory::Guidance,
            AuditAction::Change,
            what,
        )
        .await?;
    }
    Ok(())
}
