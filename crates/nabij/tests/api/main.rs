//! API and page tests through a spawned app on a fresh database (one test binary).

/// Runs a test on SQLite and on PostgreSQL (which CI requires to be there).
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                super::$name(spawn_app().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(app) = spawn_app_postgres().await {
                    super::$name(app).await;
                }
            }
        }
    };
}

#[path = "../common/mod.rs"]
mod common;
mod guidance;
mod hardening;
mod helpers;
mod homes;
mod intake_and_placement;
mod lists;
mod omklap_sequences;
mod outflow;
mod pages;
mod privacy;
mod reports;
mod server;
mod stays;
mod volunteers;
