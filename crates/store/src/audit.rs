//! The NEN 7513 access log: append-only, hash-chained.
//!
//! Entries for a change are written in the transaction of the change ([`append`]); entries
//! for a view are written before the data leaves the server ([`Db::log_access`]). Each
//! entry's hash covers its own fields and the previous entry's hash, so an edited, removed or
//! inserted entry breaks the chain at that point ([`Db::verify_access_log`]). The database
//! refuses updates, and deletes of entries younger than five years, by trigger.

use crate::convert::*;
use crate::{Db, Result};
use jiff::Timestamp;
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::ids::PersonId;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};

/// Who acts, in which role, on whose behalf, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` for the system itself (demo, retention).
    pub user_id: Option<i64>,
    pub username: String,
    /// Role code, or `system`.
    pub role: String,
    /// The responsible user on whose behalf the actor works (the actor themselves mostly).
    pub on_behalf_of: String,
    pub organisation_id: Option<i64>,
    /// Network address and client (user agent), or the command that ran.
    pub address: String,
    pub client: String,
    /// When the actor acts.
    pub at: Timestamp,
}

impl Actor {
    /// The system itself, running `command` (e.g. `nabij demo`), at `at`.
    pub fn system(command: &str, at: Timestamp) -> Actor {
        Actor {
            user_id: None,
            username: "systeem".into(),
            role: "system".into(),
            on_behalf_of: "systeem".into(),
            organisation_id: None,
            address: "lokaal".into(),
            client: command.into(),
            at,
        }
    }
}

/// One access to one person's data (or to a list, with `person` empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub person: Option<PersonId>,
    pub category: DataCategory,
    pub action: AuditAction,
    /// `allowed` or `denied`.
    pub outcome: &'static str,
    /// What was reached, e.g. the page or API route.
    pub detail: String,
}

impl Access {
    pub fn new(
        person: PersonId,
        category: DataCategory,
        action: AuditAction,
        detail: impl Into<String>,
    ) -> Self {
        Access {
            person: Some(person),
            category,
            action,
            outcome: "allowed",
            detail: detail.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccessLogEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub user_id: Option<i64>,
    pub username: String,
    pub role: String,
    pub on_behalf_of: String,
    pub organisation_id: Option<i64>,
    pub person_id: Option<PersonId>,
    pub category: String,
    pub action: String,
    pub address: String,
    pub client: String,
    pub outcome: String,
    pub detail: String,
}

/// Which entries to read; all fields optional.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    pub person: Option<PersonId>,
    pub user: Option<i64>,
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Only entries about persons of this organisation (or by its users).
    pub organisation: Option<i64>,
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainCheck {
    pub entries: u64,
    /// The first entry whose hash does not match its contents and predecessor.
    pub first_broken: Option<i64>,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The statements that append to the log, shared with the SQLite placement writer.
pub(crate) const TAKE_HEAD: &str =
    "UPDATE access_log_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash";
pub(crate) const INSERT_ENTRY: &str = "INSERT INTO access_log (seq, at, user_id, username, role, on_behalf_of, organisation_id, \
     person_id, category, action, address, client, outcome, detail, prev_hash, hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
pub(crate) const SET_HEAD: &str = "UPDATE access_log_head SET hash = $1 WHERE id = 1";

/// The hash of one entry for `actor`, chained to `prev`.
pub(crate) fn hash_for(prev: &str, seq: i64, at: &str, actor: &Actor, e: &Access) -> String {
    entry_hash(
        prev,
        seq,
        at,
        (
            &actor.user_id,
            &actor.username,
            &actor.role,
            &actor.on_behalf_of,
            &actor.organisation_id,
        ),
        e.person.map(|p| p.0),
        (e.category.code(), e.action.code(), e.outcome, &e.detail),
        (&actor.address, &actor.client),
    )
}

#[allow(clippy::too_many_arguments)]
fn entry_hash(
    prev: &str,
    seq: i64,
    at: &str,
    actor: (&Option<i64>, &str, &str, &str, &Option<i64>),
    person: Option<i64>,
    what: (&str, &str, &str, &str),
    place: (&str, &str),
) -> String {
    let (user_id, username, role, on_behalf_of, org) = actor;
    let (category, action, outcome, detail) = what;
    let fields = [
        prev.to_owned(),
        seq.to_string(),
        at.to_owned(),
        user_id.map(|u| u.to_string()).unwrap_or_default(),
        username.to_owned(),
        role.to_owned(),
        on_behalf_of.to_owned(),
        org.map(|o| o.to_string()).unwrap_or_default(),
        person.map(|p| p.to_string()).unwrap_or_default(),
        category.to_owned(),
        action.to_owned(),
        outcome.to_owned(),
        detail.to_owned(),
        place.0.to_owned(),
        place.1.to_owned(),
    ];
    let mut h = Sha256::new();
    for f in &fields {
        // Length-prefixed, so no two different entries hash the same bytes.
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends entries inside the caller's transaction.
pub(crate) async fn append(
    tx: &mut Transaction<'static, Any>,
    actor: &Actor,
    entries: &[Access],
) -> Result<()> {
    let at = actor.at;
    if entries.is_empty() {
        return Ok(());
    }
    // Taking the head serialises writers of the log on both backends.
    let head = sqlx::query(TAKE_HEAD)
        .bind(entries.len() as i64)
        .fetch_one(&mut **tx)
        .await?;
    let last = get_i64(&head, "seq")?;
    let mut prev = get_string(&head, "hash")?;
    let at = ts_text(at);
    let first = last - entries.len() as i64 + 1;
    for (k, e) in entries.iter().enumerate() {
        let seq = first + k as i64;
        let hash = hash_for(&prev, seq, &at, actor, e);
        sqlx::query(INSERT_ENTRY)
            .bind(seq)
            .bind(&at)
            .bind(actor.user_id)
            .bind(&actor.username)
            .bind(&actor.role)
            .bind(&actor.on_behalf_of)
            .bind(actor.organisation_id)
            .bind(e.person.map(|p| p.0))
            .bind(e.category.code())
            .bind(e.action.code())
            .bind(&actor.address)
            .bind(&actor.client)
            .bind(e.outcome)
            .bind(&e.detail)
            .bind(&prev)
            .bind(&hash)
            .execute(&mut **tx)
            .await?;
        prev = hash;
    }
    sqlx::query(SET_HEAD).bind(&prev).execute(&mut **tx).await?;
    Ok(())
}

/// Appends one entry about one person inside the caller's transaction.
pub(crate) async fn append_one(
    tx: &mut Transaction<'static, Any>,
    actor: &Actor,
    person: PersonId,
    category: DataCategory,
    action: AuditAction,
    detail: impl Into<String>,
) -> Result<()> {
    append(tx, actor, &[Access::new(person, category, action, detail)]).await
}

impl Db {
    /// Logs views (or exports, prints) of persons' data in a transaction of their own.
    pub async fn log_access(&self, actor: &Actor, entries: &[Access]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        append(&mut tx, actor, entries).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Entries matching the filter, newest first.
    pub async fn access_log(&self, f: &AccessFilter, limit: i64) -> Result<Vec<AccessLogEntry>> {
        let mut sql = String::from(
            "SELECT l.seq, l.at, l.user_id, l.username, l.role, l.on_behalf_of, l.organisation_id, \
             l.person_id, l.category, l.action, l.address, l.client, l.outcome, l.detail \
             FROM access_log l WHERE 1 = 1",
        );
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if f.person.is_some() {
            sql.push_str(&format!(" AND l.person_id = {}", next()));
        }
        if f.user.is_some() {
            sql.push_str(&format!(" AND l.user_id = {}", next()));
        }
        if f.from.is_some() {
            sql.push_str(&format!(" AND l.at >= {}", next()));
        }
        if f.until.is_some() {
            sql.push_str(&format!(" AND l.at < {}", next()));
        }
        if f.organisation.is_some() {
            let p = next();
            sql.push_str(&format!(
                " AND (l.organisation_id = {p} OR l.person_id IN \
                 (SELECT id FROM persons WHERE organisation_id = {p}))"
            ));
        }
        sql.push_str(&format!(" ORDER BY l.seq DESC LIMIT {}", next()));
        let mut q = sqlx::query(&sql);
        if let Some(p) = f.person {
            q = q.bind(p.0);
        }
        if let Some(u) = f.user {
            q = q.bind(u);
        }
        if let Some(t) = f.from {
            q = q.bind(ts_text(t));
        }
        if let Some(t) = f.until {
            q = q.bind(ts_text(t));
        }
        if let Some(o) = f.organisation {
            q = q.bind(o);
        }
        q.bind(limit)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(|r| {
                Ok(AccessLogEntry {
                    seq: get_i64(r, "seq")?,
                    at: get_ts(r, "at")?,
                    user_id: get_opt_i64(r, "user_id")?,
                    username: get_string(r, "username")?,
                    role: get_string(r, "role")?,
                    on_behalf_of: get_string(r, "on_behalf_of")?,
                    organisation_id: get_opt_i64(r, "organisation_id")?,
                    person_id: get_opt_i64(r, "person_id")?.map(PersonId),
                    category: get_string(r, "category")?,
                    action: get_string(r, "action")?,
                    address: get_string(r, "address")?,
                    client: get_string(r, "client")?,
                    outcome: get_string(r, "outcome")?,
                    detail: get_string(r, "detail")?,
                })
            })
            .collect()
    }

    /// Recomputes the chain from the first entry still kept; reports the first broken link.
    pub async fn verify_access_log(&self) -> Result<ChainCheck> {
        let mut checked = 0u64;
        let mut prev: Option<String> = None;
        let mut after = i64::MIN;
        loop {
            let rows = sqlx::query(
                "SELECT seq, at, user_id, username, role, on_behalf_of, organisation_id, person_id, \
                 category, action, address, client, outcome, detail, prev_hash, hash \
                 FROM access_log WHERE seq > $1 ORDER BY seq LIMIT 5000",
            )
            .bind(after)
            .fetch_all(self.reader())
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let seq = get_i64(r, "seq")?;
                let stored_prev = get_string(r, "prev_hash")?;
                // Older entries may have been removed after their retention: the first kept
                // entry anchors the chain.
                let expected_prev = prev.clone().unwrap_or_else(|| stored_prev.clone());
                let hash = entry_hash(
                    &expected_prev,
                    seq,
                    &get_string(r, "at")?,
                    (
                        &get_opt_i64(r, "user_id")?,
                        &get_string(r, "username")?,
                        &get_string(r, "role")?,
                        &get_string(r, "on_behalf_of")?,
                        &get_opt_i64(r, "organisation_id")?,
                    ),
                    get_opt_i64(r, "person_id")?,
                    (
                        &get_string(r, "category")?,
                        &get_string(r, "action")?,
                        &get_string(r, "outcome")?,
                        &get_string(r, "detail")?,
                    ),
                    (&get_string(r, "address")?, &get_string(r, "client")?),
                );
                let stored = get_string(r, "hash")?;
                if stored_prev != expected_prev || hash != stored {
                    return Ok(ChainCheck {
                        entries: checked,
                        first_broken: Some(seq),
                    });
                }
                checked += 1;
                prev = Some(stored);
                after = seq;
            }
        }
        // The head must point at the last entry: a removed tail shows here.
        let head = sqlx::query("SELECT seq, hash FROM access_log_head WHERE id = 1")
            .fetch_one(self.reader())
            .await?;
        let head_hash = get_string(&head, "hash")?;
        let expected = prev.unwrap_or_else(|| GENESIS.to_owned());
        if head_hash != expected && !(checked == 0 && head_hash == GENESIS) {
            return Ok(ChainCheck {
                entries: checked,
                first_broken: Some(get_i64(&head, "seq")?),
            });
        }
        Ok(ChainCheck {
            entries: checked,
            first_broken: None,
        })
    }

    /// Removes entries older than `before` (the retention period); the database refuses to
    /// remove anything younger than five years.
    pub async fn purge_access_log(&self, before: Timestamp) -> Result<u64> {
        let r = sqlx::query("DELETE FROM access_log WHERE at < $1")
            .bind(ts_text(before))
            .execute(&self.write)
            .await?;
        Ok(r.rows_affected())
    }
}
