//! The NEN 7513 access log: append-only, hash-chained, keyed.
//!
//! Entries for a change are written in the transaction of the change ([`append`]); entries
//! for a view are written before the data leaves the server ([`Db::log_access`]). Each
//! entry's hash covers its own fields and the previous entry's hash, so an edited, removed or
//! inserted entry breaks the chain at that point ([`Db::verify_access_log`]). The database
//! refuses updates, and deletes of entries younger than five years, by trigger; the head of
//! the chain can only move forward.
//!
//! Someone with the database file can drop triggers and recompute a plain hash chain. So with
//! an [`AuditKey`] (kept outside the database; the `nabij` binary always sets one) each entry's
//! hash is an HMAC-SHA256 under that key. The keyed part of the log begins with a keyed
//! *chain start* entry, and every retention purge writes a keyed *purge* entry naming the last
//! entry it removed, so [`Db::verify_access_log_from`] can tell a purge from a removed prefix.
//! A removed tail with a rolled-back head, or a log replaced as a whole, looks like an older
//! log: an external witness keeps [`Db::audit_checkpoint`]s to catch that.
//!
//! Entries written before a key was set keep their plain SHA-256 hashes (the log is
//! append-only); the chain start covers them, since its keyed hash includes the hash of the
//! last of them.

use crate::convert::*;
use crate::{Db, Result, StoreError};
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::ids::PersonId;
use nabij_domain::page::{Cursor, Page, PageRequest};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::path::Path;

/// The secret that keys the access log's chain: 32 random bytes kept in a file outside the
/// database, so that whoever holds only the database cannot rewrite the log unnoticed.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey(id {}, secret ***)", self.id())
    }
}

impl AuditKey {
    /// The length of a key and of its file, in bytes.
    pub const LEN: usize = 32;

    pub fn from_bytes(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }

    /// A new random key.
    pub fn generate() -> Result<AuditKey> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Config(format!("no randomness for a new audit key: {e}")))?;
        Ok(AuditKey(bytes))
    }

    /// Reads the key from `path`, or creates the file with a new random key (readable by
    /// the owner only) when there is none. A file of another length is refused, never
    /// replaced: the log written under the old key could no longer be verified.
    pub fn load_or_create(path: impl AsRef<Path>) -> Result<AuditKey> {
        let path = path.as_ref();
        let shown = path.display();
        match std::fs::read(path) {
            Ok(bytes) => {
                warn_if_readable_by_others(path);
                let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    StoreError::Config(format!(
                        "audit key {shown} has {} bytes, expected {}",
                        bytes.len(),
                        Self::LEN
                    ))
                })?;
                Ok(AuditKey(bytes))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate()?;
                match write_new_private_file(path, &key.0) {
                    Ok(()) => {
                        tracing::info!(path = %shown, id = %key.id(), "created a new audit key");
                        Ok(key)
                    }
                    // Another process created it first: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        Self::load_or_create(path)
                    }
                    Err(e) => Err(StoreError::Config(format!(
                        "cannot create audit key {shown}: {e}"
                    ))),
                }
            }
            Err(e) => Err(StoreError::Config(format!(
                "cannot read audit key {shown}: {e}"
            ))),
        }
    }

    /// A short public fingerprint of the key, written into the chain start so a wrong key is
    /// named as such.
    pub fn id(&self) -> String {
        let mut mac = self.mac();
        mac.update(b"nabij audit key id");
        hex(&mac.finalize().into_bytes()[..8])
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes keys of any length")
    }
}

fn write_new_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(path)
            && m.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(path = %path.display(), "the audit key is readable by others than its owner");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

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
    /// Only what was let through: a refused attempt is not a look at the file (and may
    /// name someone the person is not to know of).
    pub allowed_only: bool,
}

impl AccessFilter {
    fn conditions(&self) -> crate::paging::Where {
        let mut w = crate::paging::Where::default();
        if let Some(p) = self.person {
            w.int("l.person_id = {}", p.0);
        }
        if let Some(u) = self.user {
            w.int("l.user_id = {}", u);
        }
        if let Some(t) = self.from {
            w.text("l.at >= {}", ts_text(t));
        }
        if let Some(t) = self.until {
            w.text("l.at < {}", ts_text(t));
        }
        if self.allowed_only {
            w.plain("l.outcome = 'allowed'");
        }
        if let Some(o) = self.organisation {
            w.int(
                "(l.organisation_id = {} OR l.person_id IN (SELECT id FROM persons WHERE organisation_id = {}))",
                o,
            );
        }
        w
    }
}

const ACCESS_LOG_COLUMNS: &str = "SELECT l.seq, l.at, l.user_id, l.username, l.role, l.on_behalf_of, l.organisation_id, \
     l.person_id, l.category, l.action, l.address, l.client, l.outcome, l.detail";

fn access_log_entry(r: &AnyRow) -> Result<AccessLogEntry> {
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
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainCheck {
    pub entries: u64,
    /// The first entry whose hash does not match its contents and predecessor (or, for a
    /// log that lost entries at its start or end, the entry where that shows).
    pub first_broken: Option<i64>,
    /// What is wrong, in Dutch, when something is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl ChainCheck {
    fn broken(entries: u64, seq: i64, reason: String) -> ChainCheck {
        ChainCheck {
            entries,
            first_broken: Some(seq),
            reason: Some(reason),
        }
    }
}

/// Where the log stood at one moment: the last entry and its hash. Kept by an external
/// witness (printed, mailed, stored elsewhere), it proves later that no entry up to it was
/// removed or changed, and that the log was not rolled back to before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
}

/// Category and actions of the log's own entries (not about a person).
const MARKER_CATEGORY: &str = "access_log";
const CHAIN_START: &str = "chain_start";
const PURGE: &str = "purge";

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The statements that append to the log, shared with the SQLite placement writer.
pub(crate) const TAKE_HEAD: &str =
    "UPDATE access_log_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash, keyed_from";
pub(crate) const INSERT_ENTRY: &str = "INSERT INTO access_log (seq, at, user_id, username, role, on_behalf_of, organisation_id, \
     person_id, category, action, address, client, outcome, detail, prev_hash, hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
/// Entries written by one multi-row insert: 16 values each, well under both databases'
/// limit on the number of bound values in one statement.
const ENTRIES_PER_INSERT: usize = 500;

/// `INSERT INTO access_log (...) VALUES (...), (...)` for `n` entries.
/// The insert of `n` entries. On SQLite the parameters are anonymous (`?`): SQLite finds a
/// named parameter (`$1`) by walking the statement's list of names, so binding the 8,000 of
/// a page of 500 entries by name took quadratic time, most of a 500-row API list.
fn insert_entries_sql(n: usize, anonymous: bool) -> String {
    let (head, one) = INSERT_ENTRY
        .split_once(" VALUES ")
        .expect("the insert has a VALUES list");
    let mut sql = format!("{head} VALUES ");
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        let mut row = String::from("(");
        for c in 0..16 {
            if c > 0 {
                row.push_str(", ");
            }
            if anonymous {
                row.push('?');
            } else {
                row.push_str(&format!("${}", i * 16 + c + 1));
            }
        }
        row.push(')');
        sql.push_str(&row);
    }
    debug_assert!(one.starts_with("($1,"));
    sql
}

pub(crate) const SET_HEAD: &str = "UPDATE access_log_head SET hash = $1 WHERE id = 1";

/// One entry's fields as they are hashed (the actor's and the access's).
pub(crate) struct EntryFields<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub user_id: Option<i64>,
    pub username: &'a str,
    pub role: &'a str,
    pub on_behalf_of: &'a str,
    pub organisation_id: Option<i64>,
    pub person: Option<i64>,
    pub category: &'a str,
    pub action: &'a str,
    pub outcome: &'a str,
    pub detail: &'a str,
    pub address: &'a str,
    pub client: &'a str,
}

impl<'a> EntryFields<'a> {
    pub(crate) fn of(seq: i64, at: &'a str, actor: &'a Actor, e: &'a Entry) -> Self {
        EntryFields {
            seq,
            at,
            user_id: actor.user_id,
            username: &actor.username,
            role: &actor.role,
            on_behalf_of: &actor.on_behalf_of,
            organisation_id: actor.organisation_id,
            person: e.person,
            category: e.category,
            action: e.action,
            outcome: e.outcome,
            detail: &e.detail,
            address: &actor.address,
            client: &actor.client,
        }
    }
}

/// The hash of one entry chained to `prev`: HMAC-SHA256 under `key`, or plain SHA-256 for
/// entries written without one.
pub(crate) fn entry_hash(key: Option<&AuditKey>, prev: &str, f: &EntryFields<'_>) -> String {
    let fields = [
        prev.to_owned(),
        f.seq.to_string(),
        f.at.to_owned(),
        f.user_id.map(|u| u.to_string()).unwrap_or_default(),
        f.username.to_owned(),
        f.role.to_owned(),
        f.on_behalf_of.to_owned(),
        f.organisation_id.map(|o| o.to_string()).unwrap_or_default(),
        f.person.map(|p| p.to_string()).unwrap_or_default(),
        f.category.to_owned(),
        f.action.to_owned(),
        f.outcome.to_owned(),
        f.detail.to_owned(),
        f.address.to_owned(),
        f.client.to_owned(),
    ];
    // Length-prefixed, so no two different entries hash the same bytes.
    match key {
        None => {
            let mut h = Sha256::new();
            for f in &fields {
                h.update((f.len() as u64).to_le_bytes());
                h.update(f.as_bytes());
            }
            hex(&h.finalize())
        }
        Some(key) => {
            let mut h = key.mac();
            for f in &fields {
                h.update(&(f.len() as u64).to_le_bytes());
                h.update(f.as_bytes());
            }
            hex(&h.finalize().into_bytes())
        }
    }
}

/// The log was keyed (`keyed_from` set) and this writer has no key: it must not append
/// entries nobody can verify.
pub(crate) fn refuse_unkeyed(key: Option<&AuditKey>, keyed_from: Option<i64>) -> Result<()> {
    if key.is_none() && keyed_from.is_some() {
        return Err(StoreError::Config(
            "the access log is keyed: connect with its audit key to write to it".into(),
        ));
    }
    Ok(())
}

/// An entry as written: an [`Access`], or one of the log's own entries (chain start, purge).
pub(crate) struct Entry {
    pub person: Option<i64>,
    pub category: &'static str,
    pub action: &'static str,
    pub outcome: &'static str,
    pub detail: String,
}

impl From<&Access> for Entry {
    fn from(e: &Access) -> Entry {
        Entry {
            person: e.person.map(|p| p.0),
            category: e.category.code(),
            action: e.action.code(),
            outcome: e.outcome,
            detail: e.detail.clone(),
        }
    }
}

/// Appends entries inside the caller's transaction.
pub(crate) async fn append(
    tx: &mut Transaction<'static, Any>,
    key: Option<&AuditKey>,
    actor: &Actor,
    entries: &[Access],
) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let entries: Vec<Entry> = entries.iter().map(Entry::from).collect();
    append_entries(tx, key, actor, &entries).await?;
    Ok(())
}

/// Appends entries inside the caller's transaction; returns the last one's sequence number.
async fn append_entries(
    tx: &mut Transaction<'static, Any>,
    key: Option<&AuditKey>,
    actor: &Actor,
    entries: &[Entry],
) -> Result<i64> {
    // Taking the head serialises writers of the log on both backends.
    let head = sqlx::query(TAKE_HEAD)
        .bind(entries.len() as i64)
        .fetch_one(&mut **tx)
        .await?;
    let last = get_i64(&head, "seq")?;
    if entries.is_empty() {
        return Ok(last);
    }
    refuse_unkeyed(key, get_opt_i64(&head, "keyed_from")?)?;
    let mut prev = get_string(&head, "hash")?;
    let at = ts_text(actor.at);
    let first = last - entries.len() as i64 + 1;
    // One statement per chunk of entries, not one per entry: a page of 500 persons is a
    // few round trips. The hashes are chained in sequence order before anything is written.
    let mut rows = Vec::with_capacity(entries.len());
    for (k, e) in entries.iter().enumerate() {
        let seq = first + k as i64;
        let hash = entry_hash(key, &prev, &EntryFields::of(seq, &at, actor, e));
        rows.push((seq, e, std::mem::replace(&mut prev, hash.clone()), hash));
    }
    let anonymous = (**tx).backend_name() == <sqlx::Sqlite as sqlx::Database>::NAME;
    for chunk in rows.chunks(ENTRIES_PER_INSERT) {
        let sql = insert_entries_sql(chunk.len(), anonymous);
        let mut q = sqlx::query(&sql);
        for (seq, e, prev_hash, hash) in chunk {
            q = q
                .bind(*seq)
                .bind(&at)
                .bind(actor.user_id)
                .bind(&actor.username)
                .bind(&actor.role)
                .bind(&actor.on_behalf_of)
                .bind(actor.organisation_id)
                .bind(e.person)
                .bind(e.category)
                .bind(e.action)
                .bind(&actor.address)
                .bind(&actor.client)
                .bind(e.outcome)
                .bind(&e.detail)
                .bind(prev_hash)
                .bind(hash);
        }
        q.execute(&mut **tx).await?;
    }
    sqlx::query(SET_HEAD).bind(&prev).execute(&mut **tx).await?;
    Ok(last)
}

/// Appends one entry about one person inside the caller's transaction.
pub(crate) async fn append_one(
    tx: &mut Transaction<'static, Any>,
    key: Option<&AuditKey>,
    actor: &Actor,
    person: PersonId,
    category: DataCategory,
    action: AuditAction,
    detail: impl Into<String>,
) -> Result<()> {
    append(
        tx,
        key,
        actor,
        &[Access::new(person, category, action, detail)],
    )
    .await
}

/// Locks the head of the chain for the rest of the transaction: (seq, hash, keyed_from).
async fn lock_head(tx: &mut Transaction<'static, Any>) -> Result<(i64, String, Option<i64>)> {
    let head = sqlx::query(TAKE_HEAD)
        .bind(0i64)
        .fetch_one(&mut **tx)
        .await?;
    Ok((
        get_i64(&head, "seq")?,
        get_string(&head, "hash")?,
        get_opt_i64(&head, "keyed_from")?,
    ))
}

const ENTRY_COLUMNS: &str = "seq, at, user_id, username, role, on_behalf_of, organisation_id, person_id, \
     category, action, address, client, outcome, detail, prev_hash, hash";

/// A stored entry with everything its hash covers.
struct StoredEntry {
    seq: i64,
    at: String,
    user_id: Option<i64>,
    username: String,
    role: String,
    on_behalf_of: String,
    organisation_id: Option<i64>,
    person: Option<i64>,
    category: String,
    action: String,
    address: String,
    client: String,
    outcome: String,
    detail: String,
    prev_hash: String,
    hash: String,
}

impl StoredEntry {
    fn read(r: &AnyRow) -> Result<StoredEntry> {
        Ok(StoredEntry {
            seq: get_i64(r, "seq")?,
            at: get_string(r, "at")?,
            user_id: get_opt_i64(r, "user_id")?,
            username: get_string(r, "username")?,
            role: get_string(r, "role")?,
            on_behalf_of: get_string(r, "on_behalf_of")?,
            organisation_id: get_opt_i64(r, "organisation_id")?,
            person: get_opt_i64(r, "person_id")?,
            category: get_string(r, "category")?,
            action: get_string(r, "action")?,
            address: get_string(r, "address")?,
            client: get_string(r, "client")?,
            outcome: get_string(r, "outcome")?,
            detail: get_string(r, "detail")?,
            prev_hash: get_string(r, "prev_hash")?,
            hash: get_string(r, "hash")?,
        })
    }

    /// The hash this entry should have after `prev`.
    fn expected_hash(&self, key: Option<&AuditKey>, prev: &str) -> String {
        entry_hash(
            key,
            prev,
            &EntryFields {
                seq: self.seq,
                at: &self.at,
                user_id: self.user_id,
                username: &self.username,
                role: &self.role,
                on_behalf_of: &self.on_behalf_of,
                organisation_id: self.organisation_id,
                person: self.person,
                category: &self.category,
                action: &self.action,
                outcome: &self.outcome,
                detail: &self.detail,
                address: &self.address,
                client: &self.client,
            },
        )
    }

    /// A chain start or purge entry whose keyed hash proves `key` wrote it as it stands.
    fn marker(&self, key: &AuditKey) -> Option<Marker> {
        if self.category != MARKER_CATEGORY
            || self.expected_hash(Some(key), &self.prev_hash) != self.hash
        {
            return None;
        }
        let values = self.detail.split_once(';')?.1;
        let get = |name: &str| {
            values
                .split_whitespace()
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        };
        let number = |name: &str| get(name)?.parse::<i64>().ok();
        match self.action.as_str() {
            CHAIN_START => Some(Marker::Start {
                seq: self.seq,
                first: number("first")?,
                prev: get("prev")?.to_owned(),
            }),
            PURGE => Some(Marker::Purge {
                through: number("through")?,
                hash: get("hash")?.to_owned(),
                keyed_from: number("keyed_from")?,
            }),
            _ => None,
        }
    }
}

/// What the log's own keyed entries say.
enum Marker {
    /// The keyed chain starts at `seq`; the log's first entry then was `first`, chained to `prev`.
    Start { seq: i64, first: i64, prev: String },
    /// Entries up to and including `through` (whose hash was `hash`) were purged; entries
    /// from `keyed_from` on are keyed.
    Purge {
        through: i64,
        hash: String,
        keyed_from: i64,
    },
}

/// Begins the keyed chain the first time a keyed [`Db`] connects, and refuses a key that
/// does not match the chain start still in the log.
pub(crate) async fn start_keyed_chain(db: &Db, key: &AuditKey) -> Result<()> {
    let mut tx = db.begin().await?;
    let (head_seq, head_hash, keyed_from) = lock_head(&mut tx).await?;
    if let Some(start) = keyed_from {
        let row = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM access_log WHERE seq = $1"
        ))
        .bind(start)
        .fetch_optional(&mut *tx)
        .await?;
        // Purged after its retention: later purge entries carry the chain on.
        if let Some(row) = row
            && StoredEntry::read(&row)?.marker(key).is_none()
        {
            return Err(StoreError::Config(format!(
                "the audit key (id {}) is not the key the access log was started with (entry {start}): use the original key file",
                key.id()
            )));
        }
        return Ok(());
    }
    let (first, prev) =
        match sqlx::query("SELECT seq, prev_hash FROM access_log ORDER BY seq LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?
        {
            Some(r) => (get_i64(&r, "seq")?, get_string(&r, "prev_hash")?),
            // An empty log: the chain start is its own first entry.
            None => (head_seq + 1, head_hash),
        };
    let actor = Actor::system("audit key", Timestamp::now());
    let seq = append_entries(
        &mut tx,
        Some(key),
        &actor,
        &[Entry {
            person: None,
            category: MARKER_CATEGORY,
            action: CHAIN_START,
            outcome: "allowed",
            detail: format!(
                "keten met sleutel begonnen; key={} first={first} prev={prev}",
                key.id()
            ),
        }],
    )
    .await?;
    sqlx::query("UPDATE access_log_head SET keyed_from = $1 WHERE id = 1")
        .bind(seq)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(seq, key = %key.id(), "the access log is keyed from here on");
    Ok(())
}

impl Db {
    /// Logs views (or exports, prints) of persons' data in a transaction of their own.
    pub async fn log_access(&self, actor: &Actor, entries: &[Access]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        append(&mut tx, self.audit_key.as_ref(), actor, entries).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The first `limit` entries matching the filter, newest first.
    pub async fn access_log(&self, f: &AccessFilter, limit: i64) -> Result<Vec<AccessLogEntry>> {
        let w = f.conditions();
        let sql = format!(
            "{ACCESS_LOG_COLUMNS} FROM access_log l{} ORDER BY l.seq DESC LIMIT {}",
            w.sql(),
            limit.max(0)
        );
        w.bind(sqlx::query(&sql))
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(access_log_entry)
            .collect()
    }

    /// One page of the entries matching the filter, newest first, with their exact number.
    #[tracing::instrument(skip_all)]
    pub async fn access_log_page(
        &self,
        f: &AccessFilter,
        req: &PageRequest,
    ) -> Result<Page<AccessLogEntry>> {
        self.read_page(
            crate::paging::ListQuery {
                select: ACCESS_LOG_COLUMNS,
                from: "FROM access_log l",
                count_from: None,
                filter: f.conditions(),
                order: crate::paging::Order::by_id("l.seq", true),
            },
            req,
            access_log_entry,
            |e| Cursor::new("", e.seq),
        )
        .await
    }

    /// Checks the chain: with the connection's audit key as [`Db::verify_access_log_from`]
    /// without a checkpoint; without a key, recomputes the plain chain from the first entry
    /// still kept and reports the first broken link.
    pub async fn verify_access_log(&self) -> Result<ChainCheck> {
        match &self.audit_key {
            Some(key) => self.verify_access_log_from(key, None).await,
            None => self.verify_unkeyed_access_log().await,
        }
    }

    async fn verify_unkeyed_access_log(&self) -> Result<ChainCheck> {
        let mut checked = 0u64;
        let mut prev: Option<String> = None;
        let mut after = i64::MIN;
        loop {
            let rows = self.log_page(after).await?;
            if rows.is_empty() {
                break;
            }
            for e in &rows {
                // Older entries may have been removed after their retention: the first kept
                // entry anchors the chain.
                let expected_prev = prev.clone().unwrap_or_else(|| e.prev_hash.clone());
                if e.prev_hash != expected_prev || e.expected_hash(None, &expected_prev) != e.hash {
                    return Ok(ChainCheck::broken(
                        checked,
                        e.seq,
                        format!("regel {} is gewijzigd, verwijderd of ingevoegd", e.seq),
                    ));
                }
                checked += 1;
                prev = Some(e.hash.clone());
                after = e.seq;
            }
        }
        // The head must point at the last entry: a removed tail shows here.
        let (head_seq, head_hash) = self.log_head().await?;
        let expected = prev.unwrap_or_else(|| GENESIS.to_owned());
        if head_hash != expected && !(checked == 0 && head_hash == GENESIS) {
            return Ok(ChainCheck::broken(
                checked,
                head_seq,
                "de kop van het log wijst niet naar de laatste regel".into(),
            ));
        }
        Ok(ChainCheck {
            entries: checked,
            first_broken: None,
            reason: None,
        })
    }

    /// Up to 5000 entries after `after`, in order.
    async fn log_page(&self, after: i64) -> Result<Vec<StoredEntry>> {
        sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM access_log WHERE seq > $1 ORDER BY seq LIMIT 5000"
        ))
        .bind(after)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(StoredEntry::read)
        .collect()
    }

    async fn log_head(&self) -> Result<(i64, String)> {
        let head = sqlx::query("SELECT seq, hash FROM access_log_head WHERE id = 1")
            .fetch_one(self.reader())
            .await?;
        Ok((get_i64(&head, "seq")?, get_string(&head, "hash")?))
    }

    /// Where the log stands now, for an external witness to keep and hand back to
    /// [`Db::verify_access_log_from`] later.
    pub async fn audit_checkpoint(&self) -> Result<Checkpoint> {
        let (seq, hash) = self.log_head().await?;
        Ok(Checkpoint { seq, hash })
    }

    /// Checks the keyed log with `key`: every entry since the chain start carries its keyed
    /// hash and chains to its predecessor; the first entry still kept is the log's first, or
    /// the first after a keyed chain start or purge entry (so removing the oldest entries
    /// shows); the head points at the last entry; and, given a `checkpoint`, the entry it
    /// names is still there with the same hash (so a removed tail with a rolled-back head
    /// shows), unless a keyed purge entry says it was purged.
    pub async fn verify_access_log_from(
        &self,
        key: &AuditKey,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<ChainCheck> {
        // What the log's own keyed entries say; forged or edited ones say nothing.
        let markers: Vec<Marker> = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM access_log WHERE category = $1 AND action IN ($2, $3) ORDER BY seq"
        ))
        .bind(MARKER_CATEGORY)
        .bind(CHAIN_START)
        .bind(PURGE)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(StoredEntry::read)
        .collect::<Result<Vec<_>>>()?
        .iter()
        .filter_map(|e| e.marker(key))
        .collect();
        let keyed_from = markers
            .iter()
            .map(|m| match m {
                Marker::Start { seq, .. } => *seq,
                Marker::Purge { keyed_from, .. } => *keyed_from,
            })
            .min();
        let (head_seq, head_hash) = self.log_head().await?;
        let Some(keyed_from) = keyed_from else {
            return Ok(ChainCheck::broken(
                0,
                head_seq,
                format!(
                    "geen begin van de keten met deze sleutel (id {}) gevonden: het log is vervangen, ingekort of met een andere sleutel geschreven",
                    key.id()
                ),
            ));
        };
        let covers = |seq: i64, prev: &str| {
            (seq == 1 && prev == GENESIS)
                || markers.iter().any(|m| match m {
                    Marker::Start { first, prev: p, .. } => *first == seq && p == prev,
                    Marker::Purge { through, hash, .. } => *through == seq - 1 && hash == prev,
                })
        };
        let mut checked = 0u64;
        let mut first: Option<i64> = None;
        let mut prev: Option<String> = None;
        let mut at_checkpoint = false;
        let mut after = i64::MIN;
        loop {
            let rows = self.log_page(after).await?;
            if rows.is_empty() {
                break;
            }
            for e in &rows {
                let expected_prev = match &prev {
                    Some(p) => p.clone(),
                    None => {
                        if !covers(e.seq, &e.prev_hash) {
                            return Ok(ChainCheck::broken(
                                0,
                                e.seq,
                                format!(
                                    "de regels vóór regel {} zijn verwijderd zonder opschoonregel",
                                    e.seq
                                ),
                            ));
                        }
                        first = Some(e.seq);
                        e.prev_hash.clone()
                    }
                };
                if e.prev_hash != expected_prev {
                    return Ok(ChainCheck::broken(
                        checked,
                        e.seq,
                        format!(
                            "regel {} sluit niet aan op de regel ervoor: er is een regel verwijderd of ingevoegd",
                            e.seq
                        ),
                    ));
                }
                let key_for = (e.seq >= keyed_from).then_some(key);
                if e.expected_hash(key_for, &expected_prev) != e.hash {
                    return Ok(ChainCheck::broken(
                        checked,
                        e.seq,
                        format!(
                            "regel {} is gewijzigd (of zonder de sleutel geschreven)",
                            e.seq
                        ),
                    ));
                }
                if let Some(c) = checkpoint
                    && c.seq == e.seq
                {
                    if c.hash != e.hash {
                        return Ok(ChainCheck::broken(
                            checked,
                            e.seq,
                            format!("regel {} verschilt van het controlepunt", e.seq),
                        ));
                    }
                    at_checkpoint = true;
                }
                checked += 1;
                prev = Some(e.hash.clone());
                after = e.seq;
            }
        }
        if let Some(c) = checkpoint
            && !at_checkpoint
        {
            let purged = first.is_some_and(|f| c.seq < f)
                && markers.iter().any(|m| match m {
                    Marker::Purge { through, hash, .. } => {
                        *through > c.seq || (*through == c.seq && *hash == c.hash)
                    }
                    Marker::Start { .. } => false,
                });
            if !(c.seq == 0 || purged) {
                return Ok(ChainCheck::broken(
                    checked,
                    c.seq,
                    format!(
                        "regel {} van het controlepunt staat niet meer in het log: het log is ingekort of vervangen",
                        c.seq
                    ),
                ));
            }
        }
        // The head must point at the last entry: a removed tail shows here.
        if prev.as_deref() != Some(head_hash.as_str()) || head_seq != after {
            return Ok(ChainCheck::broken(
                checked,
                head_seq,
                "de kop van het log wijst niet naar de laatste regel: er zijn regels aan het eind verwijderd"
                    .into(),
            ));
        }
        Ok(ChainCheck {
            entries: checked,
            first_broken: None,
            reason: None,
        })
    }

    /// Removes entries older than `before` (the retention period); the database refuses to
    /// remove anything younger than five years. With an audit key, only a whole prefix of
    /// the log goes (up to the first entry at or after `before`), and a keyed purge entry
    /// records the last one removed, in the same transaction.
    pub async fn purge_access_log(&self, before: Timestamp) -> Result<u64> {
        let mut tx = self.begin().await?;
        let (head_seq, _, keyed_from) = lock_head(&mut tx).await?;
        let Some(key) = &self.audit_key else {
            refuse_unkeyed(None, keyed_from)?;
            let r = sqlx::query("DELETE FROM access_log WHERE at < $1")
                .bind(ts_text(before))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(r.rows_affected());
        };
        let keyed_from = keyed_from
            .ok_or_else(|| StoreError::Config("the keyed access log has no chain start".into()))?;
        let first_kept = sqlx::query("SELECT MIN(seq) AS seq FROM access_log WHERE at >= $1")
            .bind(ts_text(before))
            .fetch_one(&mut *tx)
            .await?;
        let through = get_opt_i64(&first_kept, "seq")?.map_or(head_seq, |s| s - 1);
        let Some(last) = sqlx::query("SELECT hash FROM access_log WHERE seq = $1")
            .bind(through)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(0);
        };
        let hash = get_string(&last, "hash")?;
        let removed = sqlx::query("DELETE FROM access_log WHERE seq <= $1")
            .bind(through)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let actor = Actor::system("retention", Timestamp::now());
        append_entries(
            &mut tx,
            Some(key),
            &actor,
            &[Entry {
                person: None,
                category: MARKER_CATEGORY,
                action: PURGE,
                outcome: "allowed",
                detail: format!(
                    "{removed} regel(s) opgeschoond tot en met regel {through}; \
                     key={} through={through} hash={hash} keyed_from={keyed_from}",
                    key.id()
                ),
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(removed)
    }
}

/// See `testing::rechain_access_log_without_key`.
#[cfg(feature = "testing")]
pub(crate) async fn rechain_without_key(db: &Db, from: i64, through: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let (head_seq, _, _) = lock_head(&mut tx).await?;
    let rows = sqlx::query(&format!(
        "SELECT {ENTRY_COLUMNS} FROM access_log WHERE seq >= $1 AND seq <= $2 ORDER BY seq"
    ))
    .bind(from)
    .bind(through)
    .fetch_all(&mut *tx)
    .await?;
    let mut prev: Option<String> = None;
    for r in &rows {
        let e = StoredEntry::read(r)?;
        let p = prev.unwrap_or(e.prev_hash.clone());
        let hash = e.expected_hash(None, &p);
        sqlx::query("UPDATE access_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
            .bind(&p)
            .bind(&hash)
            .bind(e.seq)
            .execute(&mut *tx)
            .await?;
        prev = Some(hash);
    }
    if let Some(h) = prev
        && through >= head_seq
    {
        sqlx::query("UPDATE access_log_head SET hash = $1 WHERE id = 1")
            .bind(h)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_created_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        let key = AuditKey::load_or_create(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap().len(), AuditKey::LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(AuditKey::load_or_create(&path).unwrap(), key);
        assert_ne!(AuditKey::generate().unwrap(), key);
    }

    #[test]
    fn a_key_file_of_the_wrong_length_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        std::fs::write(&path, b"too short").unwrap();
        assert!(matches!(
            AuditKey::load_or_create(&path),
            Err(StoreError::Config(_))
        ));
        assert_eq!(std::fs::read(&path).unwrap(), b"too short");
    }

    #[test]
    fn the_key_never_shows_in_debug_output() {
        let key = AuditKey::from_bytes([0xab; 32]);
        let shown = format!(
            "{key:?} {:?}",
            crate::DbOptions::new("sqlite:x").with_audit_key(key.clone())
        );
        assert!(!shown.contains("abab") && !shown.contains("171"), "{shown}");
        assert!(shown.contains(&key.id()));
    }

    #[test]
    fn keyed_and_plain_hashes_differ_and_depend_on_the_key() {
        let actor = Actor::system("test", Timestamp::UNIX_EPOCH);
        let e = Entry {
            person: Some(1),
            category: "file",
            action: "view",
            outcome: "allowed",
            detail: "x".into(),
        };
        let f = EntryFields::of(1, "1970-01-01T00:00:00Z", &actor, &e);
        let a = AuditKey::from_bytes([1; 32]);
        let b = AuditKey::from_bytes([2; 32]);
        let plain = entry_hash(None, GENESIS, &f);
        assert_ne!(plain, entry_hash(Some(&a), GENESIS, &f));
        assert_ne!(
            entry_hash(Some(&a), GENESIS, &f),
            entry_hash(Some(&b), GENESIS, &f)
        );
        assert_eq!(plain.len(), 64);
    }
}
