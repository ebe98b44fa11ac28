//! Erlang B: the share of newcomers who find every place taken in a loss system with Poisson
//! arrivals, whatever the distribution of the length of stay (insensitivity).

/// Loss probability with `places` places and offered load `load` = λ·E[S] (any load ≥ 0, also
/// fractional). Uses the recursion B(c) = a·B(c−1) / (c + a·B(c−1)), which stays within
/// [0, 1] at every step and so is stable for thousands of places.
pub fn erlang_b(load: f64, places: u32) -> f64 {
    if load <= 0.0 {
        return if places == 0 { 1.0 } else { 0.0 };
    }
    let mut b = 1.0;
    for c in 1..=places {
        let ab = load * b;
        b = ab / (f64::from(c) + ab);
    }
    b
}

/// Fewest places for which the loss probability is at or under `target` (0 < target < 1).
/// Returns `None` when the target is not a share in (0, 1) or the load is not finite.
pub fn fewest_places(load: f64, target: f64) -> Option<u32> {
    if !(target > 0.0 && target < 1.0 && load.is_finite() && load >= 0.0) {
        return None;
    }
    if load == 0.0 {
        return Some(0);
    }
    let mut b = 1.0;
    let mut c = 0u32;
    while b > target {
        c += 1;
        let ab = load * b;
        b = ab / (f64::from(c) + ab);
    }
    Some(c)
}

/// One area in the Erlang fixed-point approximation.
#[derive(Debug, Clone)]
pub struct FixedPointArea {
    /// Offered load of the area's own newcomers, λ·E[S].
    pub load: f64,
    pub places: u32,
    /// Where the area's newcomers go when it is full: tiers of neighbours tried in order, the
    /// overflow of a tier spread evenly over its members.
    pub tiers: Vec<Vec<usize>>,
}

/// Result of the Erlang fixed-point approximation for one area.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedPointShare {
    /// Probability that the area is full, with the guests it receives counted in its load.
    pub blocking: f64,
    /// Share of the area's own newcomers placed in the area.
    pub own: f64,
    /// Share of the area's own newcomers placed with a neighbour.
    pub overflowed: f64,
    /// Share of the area's own newcomers who find no place in any allowed area.
    pub no_place: f64,
}

/// **Approximation.** The Erlang fixed point (reduced-load approximation) for a network with
/// overflow: each area sees its own load plus the overflow of its neighbours, treated as if it
/// were Poisson, and its blocking is Erlang B of that total; iterated until it settles.
/// Overflow traffic is burstier than Poisson, so this tends to understate losses; the
/// simulation is the reference, this is a quick first estimate.
pub fn erlang_fixed_point(areas: &[FixedPointArea]) -> Vec<FixedPointShare> {
    let n = areas.len();
    let mut blocking: Vec<f64> = areas.iter().map(|a| erlang_b(a.load, a.places)).collect();
    for _ in 0..1_000 {
        let mut offered: Vec<f64> = areas.iter().map(|a| a.load).collect();
        for (i, area) in areas.iter().enumerate() {
            let mut spill = area.load * blocking[i];
            for tier in &area.tiers {
                if tier.is_empty() {
                    continue;
                }
                let share = spill / tier.len() as f64;
                for &k in tier {
                    offered[k] += share;
                }
                spill *= tier.iter().map(|&k| blocking[k]).product::<f64>();
            }
        }
        let mut change: f64 = 0.0;
        for i in 0..n {
            let next = erlang_b(offered[i], areas[i].places);
            // Damped update: the plain iteration can oscillate between two states.
            let damped = 0.5 * blocking[i] + 0.5 * next;
            change = change.max((damped - blocking[i]).abs());
            blocking[i] = damped;
        }
        if change < 1e-12 {
            break;
        }
    }
    areas
        .iter()
        .enumerate()
        .map(|(i, area)| {
            let b = blocking[i];
            let beyond: f64 = area
                .tiers
                .iter()
                .map(|tier| tier.iter().map(|&k| blocking[k]).product::<f64>())
                .product();
            FixedPointShare {
                blocking: b,
                own: 1.0 - b,
                overflowed: b * (1.0 - beyond),
                no_place: b * beyond,
            }
        })
        .collect()
}

/// The fixed-point approximation for a simulated network: each area's load is λ·E[min(S, cap)]
/// and its tiers are its overflow neighbours. The choice rule (nearest or most free) is
/// approximated by spreading overflow evenly over a tier. **Approximation**, see
/// [`erlang_fixed_point`].
pub fn fixed_point_of(net: &crate::Network) -> Vec<FixedPointShare> {
    let mean = net.los.capped_mean();
    let areas: Vec<FixedPointArea> = net
        .areas
        .iter()
        .map(|a| FixedPointArea {
            load: a.lambda * mean,
            places: a.places,
            tiers: a
                .tiers
                .iter()
                .map(|t| t.iter().map(|&k| usize::from(k)).collect())
                .collect(),
        })
        .collect();
    erlang_fixed_point(&areas)
}
