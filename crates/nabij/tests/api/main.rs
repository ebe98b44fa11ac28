//! API and page tests through a spawned app on a fresh database (one test binary).

#[path = "../common/mod.rs"]
mod common;
mod helpers;
mod intake_and_placement;
mod pages;
mod privacy;
mod server;
mod stays;
