//! The demo data shows every part of the core loop.

use nabij_domain::stay::DestinationClass;
use nabij_store::referrals::ReferralFilter;
use nabij_store::{Db, DbOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_history_covers_the_core_loop_and_is_deterministic() {
    let now = "2026-11-23T14:00:00Z".parse().unwrap();
    let mut summaries = Vec::new();
    let mut passwords = Vec::new();
    for _ in 0..2 {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&DbOptions::new(format!(
            "sqlite:{}",
            dir.path().join("d.db").display()
        )))
        .await
        .unwrap();
        // The demo runs every step through the use cases, at the moment it happened.
        let app = nabij_app::App::new(db.clone(), nabij_app::Clock::fixed(now));
        let s = nabij::demo::seed(&app, 2026).await.unwrap();
        let facts = db.stay_facts(1).await.unwrap();
        let classes: std::collections::HashSet<_> = facts
            .iter()
            .filter_map(|f| f.exit.map(|(_, d)| d.class()))
            .collect();
        for c in DestinationClass::ALL {
            assert!(classes.contains(c), "no exit to {c:?}");
        }
        assert!(
            facts.iter().any(|f| f.extensions > 0),
            "some stays were extended"
        );
        assert!(
            facts
                .iter()
                .any(|f| f.ready_on.is_some() && f.exit.is_none()),
            "someone waits for housing now"
        );
        let first = facts.iter().map(|f| f.start).min().unwrap();
        assert!(
            first <= jiff::civil::date(2024, 12, 1),
            "about two years of history"
        );
        let open = db.referrals(1, ReferralFilter::Open, 50).await.unwrap();
        assert!(
            open.iter().any(|r| r.person_name == "Erik Kramer"),
            "a breach to show"
        );
        assert!(
            !db.no_place_counts(1, "2024-01-01T00:00:00Z".parse().unwrap())
                .await
                .unwrap()
                .is_empty()
        );
        let homes = db.homes(1).await.unwrap();
        assert!(
            homes
                .iter()
                .any(|h| h.landlord.as_deref() == Some("Dunavie")),
            "the Katwijk omklapwoning"
        );
        assert_eq!(
            homes
                .iter()
                .filter(|h| h.name.starts_with("Pitstop "))
                .count(),
            5
        );
        // One account per role, each able to sign in with the printed password.
        let roles: Vec<_> = s.users.iter().map(|(r, _, _)| *r).collect();
        assert_eq!(roles, nabij_domain::access::Role::ALL);
        for (_, username, password) in &s.users {
            let user = db.user_by_username(username).await.unwrap().unwrap();
            assert!(nabij_app::secrets::verify_password(
                password,
                Some(&user.password_hash)
            ));
        }
        // The history's changes are in the access log, and its chain holds.
        let check = db.verify_access_log().await.unwrap();
        assert!(
            check.entries > 1000 && check.first_broken.is_none(),
            "{check:?}"
        );
        summaries.push((s.referrals, s.stays, s.active_stays));
        passwords.push(s.users.clone());
    }
    assert_eq!(
        summaries[0], summaries[1],
        "same seed and date, same history"
    );
    // No two demo installations share a password.
    for (a, b) in passwords[0].iter().zip(&passwords[1]) {
        assert_ne!(a.2, b.2, "demo password of {} is the same twice", a.1);
    }
}
