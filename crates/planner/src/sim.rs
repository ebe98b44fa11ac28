//! Discrete-event simulation of the loss network: newcomers arrive per area as a Poisson
//! stream, take a free place in their own area, else overflow to a neighbour, else the central
//! shelter, else find no place. A stay lasts its length of stay (capped at the maximum stay);
//! with an outflow constraint it then waits, keeping its place, until an outflow home in the
//! own area comes free.
//!
//! Every replication has its own generator seeded from (seed, replication number), and the
//! replications are combined in their own order, so a seed gives the same result on any
//! number of threads.

use crate::report::{RepMeasures, Report};
use crate::scenario::SIX_MONTHS_DAYS;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Exp1, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

/// Which neighbour takes an overflowing newcomer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// Within the nearest tier that has room, the neighbour with the most free places (ties:
    /// the first listed).
    #[default]
    MostFree,
    /// The first neighbour in order of distance that has a free place.
    Nearest,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NetworkArea {
    pub name: String,
    pub places: u32,
    /// Newcomers per day.
    pub lambda: f64,
    /// Outflow homes per day; `None` when stays end as soon as they are ready.
    pub outflow_per_day: Option<f64>,
    /// Neighbours to overflow to, tier by tier.
    pub tiers: Vec<Vec<u16>>,
}

/// Length of stay in days, capped at the maximum stay.
#[derive(Debug, Clone, PartialEq)]
pub enum LengthOfStay {
    Exponential {
        mean: f64,
        cap: f64,
    },
    Lognormal {
        mu: f64,
        sigma: f64,
        cap: f64,
    },
    /// Values at equally spaced probabilities from 0 to 1, interpolated linearly.
    Empirical {
        quantiles: Vec<f64>,
        cap: f64,
    },
}

impl LengthOfStay {
    pub fn exponential(mean: f64, cap: f64) -> Self {
        LengthOfStay::Exponential { mean, cap }
    }

    /// A lognormal with the given mean and coefficient of variation (before the cap).
    pub fn lognormal(mean: f64, cv: f64, cap: f64) -> Self {
        let sigma2 = (1.0 + cv * cv).ln();
        LengthOfStay::Lognormal {
            mu: mean.ln() - sigma2 / 2.0,
            sigma: sigma2.sqrt(),
            cap,
        }
    }

    pub fn empirical(quantiles: Vec<f64>, cap: f64) -> Self {
        LengthOfStay::Empirical { quantiles, cap }
    }

    pub fn cap(&self) -> f64 {
        match self {
            LengthOfStay::Exponential { cap, .. }
            | LengthOfStay::Lognormal { cap, .. }
            | LengthOfStay::Empirical { cap, .. } => *cap,
        }
    }

    #[inline]
    fn sample<R: Rng>(&self, rng: &mut R) -> f64 {
        let s = match self {
            LengthOfStay::Exponential { mean, .. } => mean * rng.sample::<f64, _>(Exp1),
            LengthOfStay::Lognormal { mu, sigma, .. } => {
                (mu + sigma * rng.sample::<f64, _>(StandardNormal)).exp()
            }
            LengthOfStay::Empirical { quantiles, .. } => {
                let x = rng.random::<f64>() * (quantiles.len() - 1) as f64;
                let k = (x as usize).min(quantiles.len() - 2);
                let f = x - k as f64;
                quantiles[k] + f * (quantiles[k + 1] - quantiles[k])
            }
        };
        s.min(self.cap())
    }

    /// E[min(S, cap)] in days, the mean that sets the offered load.
    pub fn capped_mean(&self) -> f64 {
        match self {
            LengthOfStay::Exponential { mean, cap } => mean * (1.0 - (-cap / mean).exp()),
            LengthOfStay::Lognormal { mu, sigma, cap } => {
                // E[min(S,c)] = e^{μ+σ²/2}·Φ((ln c − μ − σ²)/σ) + c·(1 − Φ((ln c − μ)/σ))
                let z = (cap.ln() - mu) / sigma;
                (mu + sigma * sigma / 2.0).exp() * normal_cdf(z - sigma)
                    + cap * (1.0 - normal_cdf(z))
            }
            LengthOfStay::Empirical { quantiles, cap } => {
                // The mean of the piecewise-linear quantile function, each piece capped.
                let pieces = (quantiles.len() - 1) as f64;
                quantiles
                    .windows(2)
                    .map(|w| capped_segment_mean(w[0], w[1], *cap))
                    .sum::<f64>()
                    / pieces
            }
        }
    }
}

/// Mean of min(X, cap) for X uniform on [a, b].
fn capped_segment_mean(a: f64, b: f64, cap: f64) -> f64 {
    if b <= cap {
        (a + b) / 2.0
    } else if a >= cap {
        cap
    } else {
        let below = (cap - a) / (b - a);
        below * (a + cap) / 2.0 + (1.0 - below) * cap
    }
}

/// Standard normal distribution function (Abramowitz–Stegun 7.1.26 on erf, error < 1.5e-7).
pub(crate) fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// Everything the engine needs, checked: build it with [`crate::Scenario::network`].
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub areas: Vec<NetworkArea>,
    pub choice: Choice,
    /// 0 when there is no central shelter.
    pub central_places: u32,
    pub los: LengthOfStay,
    /// Monthly factors on the arrival rates.
    pub pattern: Option<[f64; 12]>,
    /// Share of stays that wait for an outflow home when their area has an outflow supply.
    pub needs_home_share: f64,
    pub horizon: f64,
    pub warmup: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    pub replications: u32,
    pub seed: u64,
    /// 0: as many as the machine has cores.
    pub threads: usize,
}

/// Days at which each month starts in a 365-day year.
const MONTH_START: [f64; 13] = [
    0.0, 31.0, 59.0, 90.0, 120.0, 151.0, 181.0, 212.0, 243.0, 273.0, 304.0, 334.0, 365.0,
];

fn month_of(t: f64) -> usize {
    let day = t % 365.0;
    MONTH_START[1..]
        .partition_point(|&start| start <= day)
        .min(11)
}

/// Every place in the network is a slot; a stay occupies one. The slots' data lives in
/// arrays indexed by slot, and the queue holds only (time, slot).
struct Slots {
    start: Vec<f64>,
    own: Vec<u16>,
    waits_for_home: Vec<bool>,
    in_use: Vec<bool>,
    /// The area each slot belongs to (the central shelter being the last area).
    area: Vec<u16>,
    /// Free slots per area, as a stack in `free_slots[offset[a] .. offset[a] + free[a]]`.
    free_slots: Vec<u32>,
    offset: Vec<usize>,
}

impl Slots {
    fn new(capacity: &[u32]) -> Self {
        let total: usize = capacity.iter().map(|c| *c as usize).sum();
        let mut area = Vec::with_capacity(total);
        let mut offset = Vec::with_capacity(capacity.len());
        for (a, c) in capacity.iter().enumerate() {
            offset.push(area.len());
            area.extend(std::iter::repeat_n(a as u16, *c as usize));
        }
        Slots {
            start: vec![0.0; total],
            own: vec![0; total],
            waits_for_home: vec![false; total],
            in_use: vec![false; total],
            area,
            free_slots: (0..total as u32).collect(),
            offset,
        }
    }
}

/// The stays' next changes, in a calendar queue: a ring of buckets, each covering a short
/// stretch of time. Every entry lies within one maximum stay of now, and there are about as
/// many buckets as places, so a bucket holds one or two entries and taking the earliest is
/// close to constant time (a heap costs a walk down its levels on every event).
struct Queue {
    buckets: Vec<Vec<(f64, u32)>>,
    mask: u64,
    per_day: f64,
    /// The bucket number (not wrapped) the search for the earliest entry starts from.
    current: u64,
    len: usize,
    /// The earliest entry, once found: (time, slot, position in its bucket).
    earliest: Option<(f64, u32, usize)>,
}

impl Queue {
    fn new(places: usize, span_days: f64) -> Self {
        let buckets = places.next_power_of_two().max(16);
        Queue {
            buckets: vec![Vec::new(); buckets],
            mask: buckets as u64 - 1,
            per_day: buckets as f64 / span_days.max(1.0),
            current: 0,
            len: 0,
            earliest: None,
        }
    }

    #[inline]
    fn bucket_of(&self, time: f64) -> u64 {
        (time * self.per_day) as u64
    }

    #[inline]
    fn push(&mut self, time: f64, slot: usize) {
        let k = self.bucket_of(time);
        let bucket = &mut self.buckets[(k & self.mask) as usize];
        bucket.push((time, slot as u32));
        let entry = Some((time, slot as u32, bucket.len() - 1));
        self.len += 1;
        if k < self.current {
            // Earlier than where the search stood: it is the earliest of all.
            self.current = k;
            self.earliest = entry;
        } else if self.earliest.is_some_and(|(t, ..)| time < t) {
            self.earliest = entry;
        }
    }

    /// The earliest entry: (time, slot).
    #[inline]
    fn peek(&mut self) -> Option<(f64, usize)> {
        if self.len == 0 {
            return None;
        }
        loop {
            if let Some((t, slot, _)) = self.earliest {
                return Some((t, slot as usize));
            }
            let k = self.current;
            let bucket = &self.buckets[(k & self.mask) as usize];
            let mut best: Option<(f64, u32, usize)> = None;
            for (pos, &(t, slot)) in bucket.iter().enumerate() {
                if self.bucket_of(t) == k && best.is_none_or(|(b, ..)| t < b) {
                    best = Some((t, slot, pos));
                }
            }
            match best {
                Some(found) => self.earliest = Some(found),
                None => self.current += 1,
            }
        }
    }

    /// Removes the entry `peek` gave.
    #[inline]
    fn pop(&mut self) {
        if let Some((t, _, pos)) = self.earliest.take() {
            let k = self.bucket_of(t);
            self.buckets[(k & self.mask) as usize].swap_remove(pos);
            self.len -= 1;
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Waiting {
    ready: f64,
    slot: u32,
}

/// Counters of one replication, per area; the central shelter is the last entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct AreaCounters {
    pub arrivals: u64,
    pub own: u64,
    pub overflowed: u64,
    pub central: u64,
    pub no_place: u64,
    pub guests: u64,
    pub occupied_days: f64,
    pub full_days: f64,
    pub ended: u64,
    pub stay_days: f64,
    pub over_six_months: u64,
    pub waiting_days: f64,
}

/// The result of one replication.
#[derive(Debug, Clone)]
pub(crate) struct Replication {
    pub counters: Vec<AreaCounters>,
    pub events: u64,
}

/// Seed of replication `rep`: SplitMix64 of the run's seed and the replication number.
fn replication_seed(seed: u64, rep: u32) -> u64 {
    let mut z = seed ^ (u64::from(rep).wrapping_add(1)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct State<'n> {
    net: &'n Network,
    rng: Xoshiro256PlusPlus,
    free: Vec<u32>,
    capacity: Vec<u32>,
    /// Since when each area has had no free place (valid while it has none).
    full_since: Vec<f64>,
    counters: Vec<AreaCounters>,
    slots: Slots,
    queue: Queue,
    waiting: Vec<VecDeque<Waiting>>,
    events: u64,
}

impl<'n> State<'n> {
    fn new(net: &'n Network, seed: u64) -> Self {
        let mut capacity: Vec<u32> = net.areas.iter().map(|a| a.places).collect();
        capacity.push(net.central_places);
        State {
            net,
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            free: capacity.clone(),
            full_since: vec![0.0; capacity.len()],
            counters: vec![AreaCounters::default(); capacity.len()],
            slots: Slots::new(&capacity),
            queue: Queue::new(capacity.iter().map(|c| *c as usize).sum(), net.los.cap()),
            capacity,
            waiting: vec![VecDeque::new(); net.areas.len()],
            events: 0,
        }
    }

    /// Days of `[from, to]` after the warm-up.
    #[inline]
    fn counted_days(&self, from: f64, to: f64) -> f64 {
        (to - from.max(self.net.warmup)).max(0.0)
    }

    /// Takes a free slot of `area` for a stay of a newcomer from `own` until `until`.
    #[inline]
    fn place_in(&mut self, area: usize, own: usize, t: f64, until: f64, waits_for_home: bool) {
        self.free[area] -= 1;
        if self.free[area] == 0 {
            self.full_since[area] = t;
        }
        let slot =
            self.slots.free_slots[self.slots.offset[area] + self.free[area] as usize] as usize;
        self.slots.start[slot] = t;
        self.slots.own[slot] = own as u16;
        self.slots.waits_for_home[slot] = waits_for_home;
        self.slots.in_use[slot] = true;
        self.queue.push(until, slot);
    }

    /// Frees `slot` at `t`, adding the days it was occupied (after the warm-up).
    #[inline]
    fn release(&mut self, slot: usize, t: f64) {
        let area = usize::from(self.slots.area[slot]);
        let occupied = self.counted_days(self.slots.start[slot], t);
        if self.free[area] == 0 {
            self.counters[area].full_days += self.counted_days(self.full_since[area], t);
        }
        self.counters[area].occupied_days += occupied;
        self.slots.in_use[slot] = false;
        self.slots.free_slots[self.slots.offset[area] + self.free[area] as usize] = slot as u32;
        self.free[area] += 1;
    }

    /// The neighbour an overflowing newcomer of `own` goes to, if any has room.
    fn overflow_target(&self, own: usize) -> Option<usize> {
        let tiers = &self.net.areas[own].tiers;
        match self.net.choice {
            Choice::Nearest => tiers
                .iter()
                .flatten()
                .map(|&k| usize::from(k))
                .find(|&k| self.free[k] > 0),
            Choice::MostFree => tiers.iter().find_map(|tier| {
                let mut best: Option<usize> = None;
                for &k in tier {
                    let k = usize::from(k);
                    if self.free[k] > 0 && best.is_none_or(|b| self.free[k] > self.free[b]) {
                        best = Some(k);
                    }
                }
                best
            }),
        }
    }

    fn arrive(&mut self, own: usize, t: f64) {
        self.events += 1;
        let counted = t >= self.net.warmup;
        let central = self.net.areas.len();
        let placed = if self.free[own] > 0 {
            if counted {
                self.counters[own].own += 1;
            }
            Some(own)
        } else if let Some(k) = self.overflow_target(own) {
            if counted {
                self.counters[own].overflowed += 1;
                self.counters[k].guests += 1;
            }
            Some(k)
        } else if self.free[central] > 0 {
            if counted {
                self.counters[own].central += 1;
                self.counters[central].guests += 1;
            }
            Some(central)
        } else {
            if counted {
                self.counters[own].no_place += 1;
            }
            None
        };
        if counted {
            self.counters[own].arrivals += 1;
        }
        let Some(placed) = placed else { return };
        let los = self.net.los.sample(&mut self.rng);
        let waits_for_home = self.net.areas[own].outflow_per_day.is_some()
            && (self.net.needs_home_share >= 1.0
                || self.rng.random::<f64>() < self.net.needs_home_share);
        self.place_in(placed, own, t, t + los, waits_for_home);
    }

    /// The stay in `slot` ends at `t`; it was ready to move on at `ready`.
    fn end_stay(&mut self, slot: usize, ready: f64, t: f64) {
        self.events += 1;
        let start = self.slots.start[slot];
        let own = usize::from(self.slots.own[slot]);
        self.release(slot, t);
        if t >= self.net.warmup {
            let c = &mut self.counters[own];
            c.ended += 1;
            let days = t - start;
            c.stay_days += days;
            if days > SIX_MONTHS_DAYS {
                c.over_six_months += 1;
            }
            c.waiting_days += t - ready;
        }
    }

    fn run(mut self) -> Replication {
        let net = self.net;
        let horizon = net.horizon;
        let lambda: Vec<f64> = net.areas.iter().map(|a| a.lambda).collect();
        let arrivals = Stream::new(&lambda);
        let peak = net
            .pattern
            .map_or(1.0, |p| p.iter().copied().fold(0.0, f64::max));
        let outflow_rates: Vec<f64> = net
            .areas
            .iter()
            .map(|a| a.outflow_per_day.unwrap_or(0.0))
            .collect();
        let outflow = Stream::new(&outflow_rates);

        let mut next_arrival = arrivals.next_after(0.0, peak, &mut self.rng);
        let mut next_outflow = outflow.next_after(0.0, 1.0, &mut self.rng);
        loop {
            let (next_stay, slot) = self.queue.peek().unwrap_or((f64::INFINITY, 0));
            let t = next_arrival.min(next_stay).min(next_outflow);
            if t > horizon {
                break;
            }
            if t == next_stay {
                self.queue.pop();
                if self.slots.waits_for_home[slot] {
                    // Ready to move on: keeps the place until an outflow home comes.
                    let own = usize::from(self.slots.own[slot]);
                    self.waiting[own].push_back(Waiting {
                        ready: t,
                        slot: slot as u32,
                    });
                } else {
                    self.end_stay(slot, t, t);
                }
            } else if t == next_arrival {
                let accept = match net.pattern {
                    None => true,
                    Some(p) => self.rng.random::<f64>() * peak < p[month_of(t)],
                };
                if accept {
                    let own = arrivals.pick(&mut self.rng);
                    self.arrive(own, t);
                }
                next_arrival = arrivals.next_after(t, peak, &mut self.rng);
            } else {
                let area = outflow.pick(&mut self.rng);
                if let Some(w) = self.waiting[area].pop_front() {
                    self.end_stay(w.slot as usize, w.ready, t);
                }
                next_outflow = outflow.next_after(t, 1.0, &mut self.rng);
            }
        }
        // Stays still running, and areas still full, count up to the horizon.
        for slot in 0..self.slots.in_use.len() {
            if self.slots.in_use[slot] {
                let area = usize::from(self.slots.area[slot]);
                self.counters[area].occupied_days +=
                    self.counted_days(self.slots.start[slot], horizon);
            }
        }
        for area in 0..self.capacity.len() {
            if self.free[area] == 0 {
                self.counters[area].full_days += self.counted_days(self.full_since[area], horizon);
            }
        }
        Replication {
            counters: self.counters,
            events: self.events,
        }
    }
}

/// A superposition of Poisson streams: the time of the next event, and whose it is.
struct Stream {
    total: f64,
    /// Walker's alias table: column `i` is `i` with probability `keep[i]`, else `alias[i]`.
    keep: Vec<f64>,
    alias: Vec<u32>,
}

impl Stream {
    /// Builds the alias table (Vose's method) so that picking costs one draw and one lookup.
    fn new(rates: &[f64]) -> Self {
        let n = rates.len();
        let total: f64 = rates.iter().sum();
        let mut keep: Vec<f64> = rates
            .iter()
            .map(|r| {
                if total > 0.0 {
                    r * n as f64 / total
                } else {
                    1.0
                }
            })
            .collect();
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| keep[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            alias[s] = l as u32;
            keep[l] -= 1.0 - keep[s];
            if keep[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // What is left is 1 up to rounding.
        for i in small.into_iter().chain(large) {
            keep[i] = 1.0;
        }
        Stream { total, keep, alias }
    }

    #[inline]
    fn next_after<R: Rng>(&self, t: f64, factor: f64, rng: &mut R) -> f64 {
        if self.total <= 0.0 {
            return f64::INFINITY;
        }
        t + rng.sample::<f64, _>(Exp1) / (self.total * factor)
    }

    #[inline]
    fn pick<R: Rng>(&self, rng: &mut R) -> usize {
        let n = self.keep.len();
        let x = rng.random::<f64>() * n as f64;
        let i = (x as usize).min(n - 1);
        if x - (i as f64) < self.keep[i] {
            i
        } else {
            self.alias[i] as usize
        }
    }
}

/// Runs one replication; exposed for the benchmark and tests.
pub(crate) fn replicate(net: &Network, seed: u64, rep: u32) -> Replication {
    State::new(net, replication_seed(seed, rep)).run()
}

/// Runs the replications on `threads` threads and combines them. `progress` is told how many
/// replications are done after each one finishes.
pub fn simulate(net: &Network, options: RunOptions, progress: &(dyn Fn(u32) + Sync)) -> Report {
    let reps = options.replications as usize;
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(reps.max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Replication>>> = Mutex::new(vec![None; reps]);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let rep = next.fetch_add(1, AtomicOrdering::Relaxed);
                    if rep >= reps {
                        break;
                    }
                    let result = replicate(net, options.seed, rep as u32);
                    results.lock().expect("no replication panics")[rep] = Some(result);
                    let finished = done.fetch_add(1, AtomicOrdering::Relaxed) + 1;
                    progress(finished as u32);
                }
            });
        }
    });
    let replications: Vec<Replication> = results
        .into_inner()
        .expect("no replication panics")
        .into_iter()
        .map(|r| r.expect("every replication ran"))
        .collect();
    let years = (net.horizon - net.warmup) / 365.0;
    let per_rep: Vec<RepMeasures> = replications
        .iter()
        .map(|r| RepMeasures::of(net, &r.counters, net.horizon - net.warmup, years))
        .collect();
    Report::combine(net, &per_rep, replications.iter().map(|r| r.events).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_pick_in_proportion_to_their_rates() {
        let stream = Stream::new(&[1.0, 0.0, 3.0, 4.0]);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let mut counts = [0u32; 4];
        for _ in 0..80_000 {
            counts[stream.pick(&mut rng)] += 1;
        }
        assert_eq!(counts[1], 0);
        for (i, expected) in [(0, 10_000.0), (2, 30_000.0), (3, 40_000.0)] {
            assert!(
                (f64::from(counts[i]) - expected).abs() < 600.0,
                "{counts:?}"
            );
        }
    }

    #[test]
    fn months_of_the_year() {
        assert_eq!(month_of(0.0), 0);
        assert_eq!(month_of(30.9), 0);
        assert_eq!(month_of(31.0), 1);
        assert_eq!(month_of(364.9), 11);
        assert_eq!(month_of(365.0 + 59.5), 2);
    }

    #[test]
    fn capped_means() {
        let ln = LengthOfStay::lognormal(120.0, 0.5, 182.5);
        assert!(
            (ln.capped_mean() - 112.938_629).abs() < 1e-3,
            "{}",
            ln.capped_mean()
        );
        let ex = LengthOfStay::exponential(100.0, 1e9);
        assert!((ex.capped_mean() - 100.0).abs() < 1e-9);
        let emp = LengthOfStay::empirical(vec![0.0, 100.0, 300.0], 200.0);
        // Half uniform on [0,100] (mean 50), half on [100,300] capped at 200 (mean 175).
        assert!((emp.capped_mean() - 112.5).abs() < 1e-9);
    }

    #[test]
    fn normal_cdf_is_accurate() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(-1.0) - 0.158_655_25).abs() < 1e-6);
    }
}
