//! The access log detects tampering by someone who has the database but not the audit key.

use crate::helpers::*;
use jiff::Timestamp;
use nabij_domain::access::{AuditAction, DataCategory};
use nabij_domain::ids::PersonId;
use nabij_store::audit::{Access, Actor, AuditKey, ChainCheck, Checkpoint};
use nabij_store::testing::{raw_execute, raw_strings, rechain_access_log_without_key};
use nabij_store::{Backend, Db, DbOptions, StoreError};

pub fn key() -> AuditKey {
    AuditKey::from_bytes(*b"nabij test audit key, 32 bytes!!")
}

pub fn keyed(o: DbOptions) -> DbOptions {
    o.with_audit_key(key())
}

/// Runs `$test(url: String)` on a fresh SQLite file and a fresh PostgreSQL database, for
/// tests that connect more than once.
macro_rules! on_both_urls {
    ($test:ident) => {
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                super::$test(format!("sqlite:{}", dir.path().join("t.db").display())).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(url) = nabij_store::testing::postgres_url_from_env().await {
                    super::$test(url).await;
                }
            }
        }
    };
}

async fn connect(url: &str, key: Option<AuditKey>) -> Db {
    let mut o = DbOptions::new(url);
    o.audit_key = key;
    Db::connect(&o).await.unwrap()
}

fn at(s: &str) -> Actor {
    let mut a = Actor::system("test", s.parse::<Timestamp>().unwrap());
    a.username = "coördinator".into();
    a
}

/// Logs `n` views by an actor at `when`.
async fn views(db: &Db, when: &str, n: i64) {
    for i in 0..n {
        db.log_access(
            &at(when),
            &[Access::new(
                PersonId(1 + i),
                DataCategory::File,
                AuditAction::View,
                "/personen/1",
            )],
        )
        .await
        .unwrap();
    }
}

/// Takes away the triggers that keep the log append-only, as someone with the database can.
async fn drop_guards(db: &Db) {
    let drops: &[&str] = match db.backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER access_log_no_update",
            "DROP TRIGGER access_log_keeps_five_years",
            "DROP TRIGGER access_log_head_no_delete",
            "DROP TRIGGER access_log_head_one_row",
            "DROP TRIGGER access_log_head_forward",
        ],
        Backend::Postgres => &[
            "DROP TRIGGER access_log_append_only ON access_log",
            "DROP TRIGGER access_log_head_forward ON access_log_head",
        ],
    };
    for sql in drops {
        raw_execute(db, sql).await.unwrap();
    }
}

async fn hash_of(db: &Db, seq: i64) -> String {
    raw_strings(
        db,
        &format!("SELECT hash FROM access_log WHERE seq = {seq}"),
    )
    .await
    .unwrap()
    .remove(0)
}

fn assert_broken(check: &ChainCheck, seq: i64, words: &str) {
    assert_eq!(check.first_broken, Some(seq), "{check:?}");
    let reason = check.reason.as_deref().unwrap_or("");
    assert!(reason.contains(words), "{check:?}");
}

async fn ok(db: &Db, checkpoint: Option<&Checkpoint>) -> ChainCheck {
    let check = db.verify_access_log_from(&key(), checkpoint).await.unwrap();
    assert_eq!(check.first_broken, None, "{check:?}");
    check
}

async fn an_untampered_keyed_log_verifies(db: Db) {
    // The chain start is the first entry of a fresh keyed log.
    assert_eq!(ok(&db, None).await.entries, 1);
    let w = world(&db).await;
    views(&db, "2026-03-02T11:00:00Z", 3).await;
    // A placement: on SQLite written by the placement writer, which must key its entry too.
    db.place(
        &nabij_store::stays::NewStay {
            referral: Some(w.referral),
            person: w.person,
            home: w.home,
            places: vec![w.place],
            start: jiff::civil::date(2026, 3, 2),
            planned_end: jiff::civil::date(2026, 9, 2),
            placed_at: now(),
            proximity: nabij_domain::placement::Proximity::OwnMunicipality,
            distance_km: 0.0,
        },
        &actor(),
    )
    .await
    .unwrap();
    let check = ok(&db, None).await;
    assert_eq!(check.entries, 1 + 2 + 3 + 1);
    assert_eq!(db.verify_access_log().await.unwrap(), check);
    // Another key does not verify it.
    let other = AuditKey::from_bytes([9; 32]);
    let check = db.verify_access_log_from(&other, None).await.unwrap();
    assert!(check.reason.unwrap().contains("andere sleutel"));
    // The log's own entries are readable like any other.
    let log = db.access_log(&Default::default(), 100).await.unwrap();
    assert_eq!(log.last().unwrap().action, "chain_start");
}
crate::on_both!(an_untampered_keyed_log_verifies, crate::access_log::keyed);

async fn a_checkpoint_taken_earlier_is_found_later(db: Db) {
    views(&db, "2026-03-02T11:00:00Z", 3).await;
    let checkpoint = db.audit_checkpoint().await.unwrap();
    assert_eq!(checkpoint.seq, 4);
    // The witness keeps it as JSON.
    let json = serde_json::to_string(&checkpoint).unwrap();
    let kept: Checkpoint = serde_json::from_str(&json).unwrap();
    assert_eq!(kept, checkpoint);
    views(&db, "2026-03-02T12:00:00Z", 3).await;
    assert_eq!(ok(&db, Some(&kept)).await.entries, 7);
    // A checkpoint that does not match the log is reported.
    let forged = Checkpoint {
        seq: 4,
        hash: hash_of(&db, 3).await,
    };
    let check = db
        .verify_access_log_from(&key(), Some(&forged))
        .await
        .unwrap();
    assert_broken(&check, 4, "controlepunt");
    let ahead = Checkpoint {
        seq: 8,
        hash: kept.hash.clone(),
    };
    let check = db
        .verify_access_log_from(&key(), Some(&ahead))
        .await
        .unwrap();
    assert_broken(&check, 8, "niet meer in het log");
}
crate::on_both!(
    a_checkpoint_taken_earlier_is_found_later,
    crate::access_log::keyed
);

/// (a) Removing the oldest entries, with or without an earlier purge.
async fn removing_the_oldest_entries_is_detected(db: Db) {
    views(&db, "2026-03-02T11:00:00Z", 5).await;
    drop_guards(&db).await;
    raw_execute(&db, "DELETE FROM access_log WHERE seq <= 3")
        .await
        .unwrap();
    // The chain start went with them: nothing made with the key says where the log begins.
    let check = db.verify_access_log_from(&key(), None).await.unwrap();
    assert_broken(&check, 6, "geen begin");
    // The same through the everyday check.
    assert!(db.verify_access_log().await.unwrap().first_broken.is_some());
}
crate::on_both!(
    removing_the_oldest_entries_is_detected,
    crate::access_log::keyed
);

/// (b) Removing the newest entries and rolling the head back to the last one kept.
async fn removing_the_tail_and_rolling_back_the_head_is_detected(db: Db) {
    views(&db, "2026-03-02T11:00:00Z", 5).await;
    let checkpoint = db.audit_checkpoint().await.unwrap();
    let kept = hash_of(&db, 3).await;
    // The database refuses it…
    for sql in [
        format!("UPDATE access_log_head SET seq = 3, hash = '{kept}' WHERE id = 1"),
        "DELETE FROM access_log_head".to_owned(),
        format!("INSERT INTO access_log_head (id, seq, hash) VALUES (2, 3, '{kept}')"),
    ] {
        assert!(raw_execute(&db, &sql).await.is_err(), "{sql} was allowed");
    }
    // …until its triggers are gone.
    drop_guards(&db).await;
    raw_execute(&db, "DELETE FROM access_log WHERE seq > 3")
        .await
        .unwrap();
    let check = db.verify_access_log_from(&key(), None).await.unwrap();
    assert_broken(&check, 6, "kop van het log");
    raw_execute(
        &db,
        &format!("UPDATE access_log_head SET seq = 3, hash = '{kept}' WHERE id = 1"),
    )
    .await
    .unwrap();
    // Now the log looks like an older one; the witness's checkpoint shows what is missing.
    let check = db
        .verify_access_log_from(&key(), Some(&checkpoint))
        .await
        .unwrap();
    assert_broken(&check, 6, "niet meer in het log");
}
crate::on_both!(
    removing_the_tail_and_rolling_back_the_head_is_detected,
    crate::access_log::keyed
);

/// (c) Editing an entry and recomputing the rest of the chain.
async fn editing_an_entry_and_rechaining_is_detected(db: Db) {
    views(&db, "2026-03-02T11:00:00Z", 5).await;
    drop_guards(&db).await;
    raw_execute(
        &db,
        "UPDATE access_log SET username = 'iemand anders' WHERE seq = 3",
    )
    .await
    .unwrap();
    rechain_access_log_without_key(&db, 3, i64::MAX)
        .await
        .unwrap();
    let check = db.verify_access_log_from(&key(), None).await.unwrap();
    assert_broken(&check, 3, "gewijzigd");
    assert_eq!(check.entries, 2);
}
crate::on_both!(
    editing_an_entry_and_rechaining_is_detected,
    crate::access_log::keyed
);

/// A log written before the key: the key's chain start covers it, a purge of it verifies,
/// and checkpoints from before the purge still check out.
async fn a_purge_with_its_marker_verifies(url: String) {
    let before_key = connect(&url, None).await;
    views(&before_key, "2015-01-01T10:00:00Z", 5).await;
    let old_checkpoint = before_key.audit_checkpoint().await.unwrap();
    before_key.close().await;

    let db = connect(&url, Some(key())).await;
    assert_eq!(ok(&db, Some(&old_checkpoint)).await.entries, 6);
    views(&db, "2026-03-02T11:00:00Z", 2).await;
    let checkpoint = db.audit_checkpoint().await.unwrap();
    let cutoff: Timestamp = "2020-01-01T00:00:00Z".parse().unwrap();
    assert_eq!(db.purge_access_log(cutoff).await.unwrap(), 5);
    assert_eq!(
        db.purge_access_log(cutoff).await.unwrap(),
        0,
        "nothing left to purge"
    );
    // Chain start, two views, the purge entry.
    assert_eq!(ok(&db, Some(&checkpoint)).await.entries, 4);
    ok(&db, Some(&old_checkpoint)).await;
    let purge = &db.access_log(&Default::default(), 1).await.unwrap()[0];
    assert_eq!(purge.action, "purge");
    assert!(purge.detail.contains("through=5"), "{}", purge.detail);

    // Reconnecting with the same key keeps the chain; removing entries past the purge shows.
    db.close().await;
    let db = connect(&url, Some(key())).await;
    ok(&db, None).await;
    drop_guards(&db).await;
    raw_execute(&db, "DELETE FROM access_log WHERE seq = 6")
        .await
        .unwrap();
    let check = db.verify_access_log_from(&key(), None).await.unwrap();
    assert_broken(&check, 7, "zonder opschoonregel");
    db.close().await;
}
on_both_urls!(a_purge_with_its_marker_verifies);

/// Entries written before the key cannot be rewritten either: the chain start's keyed hash
/// covers the last of them.
async fn entries_from_before_the_key_are_covered_by_it(url: String) {
    let before_key = connect(&url, None).await;
    views(&before_key, "2026-01-01T10:00:00Z", 4).await;
    before_key.close().await;
    let db = connect(&url, Some(key())).await;
    views(&db, "2026-03-02T11:00:00Z", 2).await;
    ok(&db, None).await;
    drop_guards(&db).await;
    raw_execute(&db, "UPDATE access_log SET detail = 'niets' WHERE seq = 2")
        .await
        .unwrap();
    // Rechaining only the old part leaves the chain start pointing at the old hash…
    rechain_access_log_without_key(&db, 2, 4).await.unwrap();
    let check = db.verify_access_log_from(&key(), None).await.unwrap();
    assert_broken(&check, 5, "sluit niet aan");
    // …and rechaining on past it leaves no chain start made with the key.
    rechain_access_log_without_key(&db, 2, i64::MAX)
        .await
        .unwrap();
    let check = db.verify_access_log_from(&key(), None).await.unwrap();
    assert!(check.reason.unwrap().contains("geen begin"));
    db.close().await;
}
on_both_urls!(entries_from_before_the_key_are_covered_by_it);

/// Once keyed, the log takes no entries nobody can verify, and no other key.
async fn a_keyed_log_takes_only_its_own_key(url: String) {
    let db = connect(&url, Some(key())).await;
    db.close().await;
    let without = connect(&url, None).await;
    let refused = without
        .log_access(
            &at("2026-03-02T11:00:00Z"),
            &[Access::new(
                PersonId(1),
                DataCategory::File,
                AuditAction::View,
                "/",
            )],
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Config(_))), "{refused:?}");
    without.close().await;
    let mut other = DbOptions::new(&url);
    other.audit_key = Some(AuditKey::from_bytes([9; 32]));
    let refused = Db::connect(&other).await;
    assert!(matches!(refused, Err(StoreError::Config(_))), "{refused:?}");
}
on_both_urls!(a_keyed_log_takes_only_its_own_key);
