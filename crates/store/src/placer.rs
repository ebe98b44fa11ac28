//! SQLite only: placements go through one dedicated writer thread with its own connection.
//!
//! Through the pool every statement of a placement is a hand-off to the connection's worker
//! thread and back; under many concurrent placements those thread switches, not SQLite, were
//! the cost. Here a placement is one hand-off: the thread takes every placement waiting, runs
//! each in a savepoint of one transaction (a lost race rolls back only its own savepoint), and
//! commits once. The statements are the same constants the pool path runs, and the access-log
//! entry is written in the same transaction, chained the same way. See ADR 0005.

use crate::audit::{
    Access, Actor, AuditKey, Entry, EntryFields, INSERT_ENTRY, SET_HEAD, TAKE_HEAD, entry_hash,
    refuse_unkeyed,
};
use crate::convert::{date_text, ts_text};
use crate::stays::{
    ALREADY_HANDLED, ALREADY_STAYING, INSERT_STAY, MARK_PLACED, NewStay, PLACE_TAKEN,
    PLACE_UNAVAILABLE, proximity_code, take_place_sql,
};
use crate::{Result, StoreError};
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::ids::StayId;
use rusqlite::{Connection, ErrorCode, params};
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::oneshot;

/// Placements taken together into one transaction at the most.
const MAX_BATCH: usize = 64;

struct Job {
    stay: NewStay,
    actor: Actor,
    reply: oneshot::Sender<Result<StayId>>,
}

/// The handle to the writer thread; the thread ends when the last handle is dropped.
pub(crate) struct Placer {
    jobs: mpsc::Sender<Job>,
}

impl Placer {
    /// Opens the database file a second time, for the writer thread.
    pub(crate) fn start(path: &str, busy: Duration, key: Option<AuditKey>) -> Result<Placer> {
        let conn = Connection::open(path).map_err(writer_error)?;
        conn.busy_timeout(busy).map_err(writer_error)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(writer_error)?;
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("nabij-placements".into())
            .spawn(move || run(conn, rx, key))
            .map_err(|e| StoreError::Config(format!("cannot start the placement writer: {e}")))?;
        Ok(Placer { jobs })
    }

    pub(crate) async fn place(&self, stay: NewStay, actor: Actor) -> Result<StayId> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { stay, actor, reply })
            .map_err(|_| StoreError::Config("the placement writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Config("the placement writer has stopped".into()))?
    }
}

fn writer_error(e: rusqlite::Error) -> StoreError {
    StoreError::Writer(e.to_string())
}

/// A unique index refused the row: the race a concurrent placement lost.
fn conflict_on_unique(e: rusqlite::Error, message: &str) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == ErrorCode::ConstraintViolation
                && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            StoreError::Conflict(message.to_owned())
        }
        _ => writer_error(e),
    }
}

fn run(mut conn: Connection, rx: mpsc::Receiver<Job>, key: Option<AuditKey>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let results = batch(&mut conn, &jobs, key.as_ref());
        for (job, result) in jobs.into_iter().zip(results) {
            // The caller may have gone (a closed connection); the placement stands.
            let _ = job.reply.send(result);
        }
    }
}

/// Runs the jobs in one transaction, each in its own savepoint; answers only after commit.
fn batch(conn: &mut Connection, jobs: &[Job], key: Option<&AuditKey>) -> Vec<Result<StayId>> {
    let all_fail = |e: &StoreError| {
        jobs.iter()
            .map(|_| Err(StoreError::Writer(e.to_string())))
            .collect()
    };
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        return all_fail(&writer_error(e));
    }
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        let outcome = conn
            .execute_batch("SAVEPOINT placement")
            .map_err(writer_error)
            .and_then(|()| place_one(conn, &job.stay, &job.actor, key));
        let closed = match &outcome {
            Ok(_) => conn.execute_batch("RELEASE placement"),
            Err(_) => conn.execute_batch("ROLLBACK TO placement; RELEASE placement"),
        };
        if let Err(e) = closed {
            let _ = conn.execute_batch("ROLLBACK");
            return all_fail(&writer_error(e));
        }
        results.push(outcome);
    }
    if let Err(e) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        return all_fail(&writer_error(e));
    }
    results
}

fn place_one(
    conn: &Connection,
    new: &NewStay,
    actor: &Actor,
    key: Option<&AuditKey>,
) -> Result<StayId> {
    if let Some(referral) = new.referral {
        let n = conn
            .prepare_cached(MARK_PLACED)
            .and_then(|mut s| s.execute(params![ts_text(new.placed_at), referral.0, new.person.0]))
            .map_err(writer_error)?;
        if n == 0 {
            return Err(StoreError::Conflict(ALREADY_HANDLED.into()));
        }
    }
    let stay: i64 = conn
        .prepare_cached(INSERT_STAY)
        .and_then(|mut s| {
            s.query_row(
                params![
                    new.person.0,
                    new.home.0,
                    new.referral.map(|r| r.0),
                    date_text(new.start),
                    date_text(new.planned_end),
                    ts_text(new.placed_at),
                    proximity_code(new.proximity),
                    new.distance_km
                ],
                |r| r.get(0),
            )
        })
        .map_err(|e| conflict_on_unique(e, ALREADY_STAYING))?;
    let take = take_place_sql();
    for place in &new.places {
        let n = conn
            .prepare_cached(&take)
            .and_then(|mut s| s.execute(params![stay, place.0, new.home.0, date_text(new.start)]))
            .map_err(|e| conflict_on_unique(e, PLACE_TAKEN))?;
        if n == 0 {
            return Err(StoreError::Conflict(PLACE_UNAVAILABLE.into()));
        }
    }
    let entry = Entry::from(&Access::new(
        new.person,
        DataCategory::Stay,
        AuditAction::Create,
        format!("plaatsing, verblijf {stay}"),
    ));
    let (seq, prev, keyed_from): (i64, String, Option<i64>) = conn
        .prepare_cached(TAKE_HEAD)
        .and_then(|mut s| s.query_row(params![1], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))))
        .map_err(writer_error)?;
    refuse_unkeyed(key, keyed_from)?;
    let at = ts_text(actor.at);
    let hash = entry_hash(key, &prev, &EntryFields::of(seq, &at, actor, &entry));
    conn.prepare_cached(INSERT_ENTRY)
        .and_then(|mut s| {
            s.execute(params![
                seq,
                at,
                actor.user_id,
                actor.username,
                actor.role,
                actor.on_behalf_of,
                actor.organisation_id,
                entry.person,
                entry.category,
                entry.action,
                actor.address,
                actor.client,
                entry.outcome,
                entry.detail,
                prev,
                hash
            ])
        })
        .map_err(writer_error)?;
    conn.prepare_cached(SET_HEAD)
        .and_then(|mut s| s.execute(params![hash]))
        .map_err(writer_error)?;
    Ok(StayId(stay))
}
