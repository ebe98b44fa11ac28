//! The work Nabij does by itself while the server runs: a pass right away (catching up on
//! whatever fell due while the server was down), then one every interval.
//! - Acute signals nobody acknowledged within their norm escalate to the coordinators
//!   ([`crate::signals::escalate`]).
//! - The day after an accepted offer's key date the stay ends, dated on the key date
//!   ([`crate::outflow::make_due_moves`]).

use crate::App;

/// Runs every job once every `every`, for as long as the server runs. A job that fails is
/// logged and tried again at the next tick; it does not hold up the other.
pub async fn run(app: App, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = crate::signals::escalate(&app).await {
            tracing::error!(error = %e, "escalation pass failed; trying again at the next tick");
        }
        if let Err(e) = crate::outflow::make_due_moves(&app).await {
            tracing::error!(error = %e, "moves on the key date failed; trying again at the next tick");
        }
    }
}
