// Shared by the store's integration tests: a fresh PostgreSQL database per test.

/// A new, empty PostgreSQL database (migrated), or `None` when no server is configured.
/// Under CI a missing URL or an unreachable server is a failure, never a silent skip.
#[allow(dead_code)]
pub async fn fresh_postgres() -> Option<nabij_store::Db> {
    let base = match std::env::var("NABIJ_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must run the PostgreSQL suite: set NABIJ_TEST_POSTGRES_URL"
            );
            eprintln!("NABIJ_TEST_POSTGRES_URL not set: PostgreSQL story skipped locally");
            return None;
        }
    };
    Some(
        nabij_store::testing::fresh_postgres_db(&base)
            .await
            .expect("PostgreSQL reachable"),
    )
}
