//! Nabij's capacity planner. A municipality's homes form a loss system: a newcomer who finds
//! no free place does not queue but goes elsewhere. This crate answers how many places and
//! outflow homes keep the promise of a place in the own area:
//!
//! - [`erlang`]: exact Erlang B, the fewest places for a target, and the Erlang fixed-point
//!   approximation for networks with overflow;
//! - [`sim`]: a discrete-event simulation of the whole network with overflow, a central
//!   shelter and the outflow constraint, in parallel replications with deterministic seeds;
//! - [`size`]: the fewest added places that bring every area to a target;
//! - [`calibrate`]: a scenario estimated from the history of stays (Kaplan–Meier);
//! - [`scenario`]: the readable scenario file all of this runs on.
//!
//! Pure: no I/O, no clock.

pub mod calibrate;
pub mod erlang;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod size;

pub use report::{AreaReport, Estimate, Measures, Report};
pub use scenario::{Scenario, ScenarioError};
pub use sim::{Network, RunOptions, simulate};
