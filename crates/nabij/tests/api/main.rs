//! API and page tests through a spawned app on a fresh database (one test binary).

mod helpers;
mod intake_and_placement;
mod pages;
mod stays;
