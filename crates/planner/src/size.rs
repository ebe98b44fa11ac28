//! Sizing: the fewest added places such that every area's share of newcomers without a place
//! in their own area is at or under a target.
//!
//! The search starts from a lower bound: with overflow an area also hosts its neighbours'
//! newcomers, so it needs at least the places Erlang B gives for its own load. From there it
//! simulates and adds one place at a time where the target is missed by most, always with the
//! same seeds, until every area meets it.

use crate::erlang::fewest_places;
use crate::report::Report;
use crate::sim::{Network, RunOptions, simulate};

#[derive(Debug, Clone)]
pub struct Sizing {
    pub target: f64,
    /// Places per area before and after.
    pub before: Vec<u32>,
    pub after: Vec<u32>,
    /// The simulation of the network with the added places.
    pub report: Report,
    /// Simulations run in the search.
    pub evaluations: u32,
    /// False when the search stopped at its limit before every area met the target.
    pub reached: bool,
}

impl Sizing {
    pub fn added(&self) -> u32 {
        self.after.iter().sum::<u32>() - self.before.iter().sum::<u32>()
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SizingError {
    #[error("het doel moet een aandeel tussen 0 en 1 zijn, zoals 0,05")]
    Target,
}

/// The most places the search adds beyond the Erlang lower bound.
const MAX_STEPS: u32 = 2_000;

pub fn size(
    net: &Network,
    target: f64,
    options: RunOptions,
    progress: &(dyn Fn(u32) + Sync),
) -> Result<Sizing, SizingError> {
    if !(target > 0.0 && target < 1.0) {
        return Err(SizingError::Target);
    }
    let mean_stay = net.los.capped_mean();
    let before: Vec<u32> = net.areas.iter().map(|a| a.places).collect();
    let mut trial = net.clone();
    for area in &mut trial.areas {
        let bound = fewest_places(area.lambda * mean_stay, target).unwrap_or(0);
        area.places = area.places.max(bound);
    }
    let mut evaluations = 0;
    loop {
        let report = simulate(&trial, options, &|_| {});
        evaluations += 1;
        progress(evaluations);
        let worst = report
            .areas
            .iter()
            .enumerate()
            .map(|(i, a)| (i, a.measures.not_own.mean - target))
            .filter(|(_, excess)| *excess > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let Some((i, _)) = worst else {
            return Ok(Sizing {
                target,
                before,
                after: places(&trial),
                report,
                evaluations,
                reached: true,
            });
        };
        if evaluations > MAX_STEPS {
            return Ok(Sizing {
                target,
                before,
                after: places(&trial),
                report,
                evaluations,
                reached: false,
            });
        }
        trial.areas[i].places += 1;
    }
}

fn places(net: &Network) -> Vec<u32> {
    net.areas.iter().map(|a| a.places).collect()
}
