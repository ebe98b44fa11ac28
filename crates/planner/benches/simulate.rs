//! The reference run of `ring20.json`: 100 replications of 3,650 days (365 warm-up), on one
//! thread and on every core. Throughput is in events (arrivals + departures, warm-up
//! included) per second.

use divan::counter::ItemsCount;
use nabij_planner::{RunOptions, Scenario, simulate};

fn main() {
    divan::main();
}

const RING20: &str = include_str!("../tests/data/ring20.json");

fn reference(threads: usize, bencher: divan::Bencher) {
    let scenario = Scenario::from_json(RING20).expect("ring20 parses");
    let net = scenario.network().expect("ring20 is valid");
    let options = RunOptions {
        replications: 100,
        seed: scenario.run.seed,
        threads,
    };
    let events = simulate(&net, options, &|_| {}).events;
    bencher
        .counter(ItemsCount::new(events))
        .bench(|| simulate(divan::black_box(&net), options, &|_| {}));
}

#[divan::bench(sample_count = 20)]
fn ring20_one_core(bencher: divan::Bencher) {
    reference(1, bencher);
}

#[divan::bench(sample_count = 20)]
fn ring20_all_cores(bencher: divan::Bencher) {
    reference(0, bencher);
}
