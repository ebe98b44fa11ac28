//! The planner against theory and against itself: Erlang B's reference table, the
//! insensitivity of a single loss system to the stay distribution, and what overflow, outflow
//! and sizing must do to a network.

use nabij_planner::erlang::{FixedPointArea, erlang_b, erlang_fixed_point, fewest_places};
use nabij_planner::scenario::{Outflow, Topology};
use nabij_planner::size::size;
use nabij_planner::{Report, RunOptions, Scenario, simulate};

const ERLANG_TABLE: &str = include_str!("data/erlang-b.md");
const RING20: &str = include_str!("data/ring20.json");

/// Rows of a markdown table after its header: the first cell and the numeric cells.
fn table_rows(section: &str) -> (Vec<f64>, Vec<(f64, Vec<f64>)>) {
    let lines: Vec<&str> = section.lines().filter(|l| l.starts_with('|')).collect();
    let cells = |l: &str| -> Vec<String> {
        l.trim_matches('|')
            .split('|')
            .map(|c| c.trim().trim_end_matches('%').to_owned())
            .collect()
    };
    let header: Vec<f64> = cells(lines[0])[1..]
        .iter()
        .map(|c| c.parse().unwrap())
        .collect();
    let rows = lines[2..]
        .iter()
        .map(|l| {
            let c = cells(l);
            (
                c[0].parse().unwrap(),
                c[1..].iter().map(|x| x.parse().unwrap()).collect(),
            )
        })
        .collect();
    (header, rows)
}

#[test]
fn erlang_b_matches_the_reference_table_to_six_digits() {
    let (first, _) = ERLANG_TABLE.split_once("Fewest places").unwrap();
    let (loads, rows) = table_rows(first);
    assert_eq!(rows.len(), 20);
    for (places, values) in rows {
        for (a, expected) in loads.iter().zip(values) {
            let b = erlang_b(*a, places as u32);
            assert!(
                ((b - expected) / expected).abs() < 5e-6,
                "B({a}, {places}) = {b}, table says {expected}"
            );
        }
    }
}

#[test]
fn fewest_places_match_the_reference_table() {
    let (_, second) = ERLANG_TABLE.split_once("Fewest places").unwrap();
    let (targets, rows) = table_rows(second);
    for (load, values) in rows {
        for (target, expected) in targets.iter().zip(values) {
            assert_eq!(
                fewest_places(load, target / 100.0),
                Some(expected as u32),
                "a = {load}, target {target} %"
            );
        }
    }
}

#[test]
fn erlang_b_is_stable_for_hundreds_of_places_and_fractional_loads() {
    let b = erlang_b(480.5, 500);
    assert!(b > 0.0 && b < 0.05, "{b}");
    assert!(erlang_b(2.5, 3) > erlang_b(2.0, 3) && erlang_b(2.5, 3) < erlang_b(3.0, 3));
    assert_eq!(fewest_places(5.0, 0.0), None);
    assert_eq!(fewest_places(0.0, 0.05), Some(0));
}

fn single_area(dist: &str, lambda: f64, places: u32) -> Scenario {
    let mut s = Scenario::from_json(RING20).unwrap();
    s.municipalities.truncate(1);
    s.municipalities[0].lambda = lambda;
    s.municipalities[0].places = places;
    s.topology = Topology::None;
    s.los.dist = dist.into();
    s.run.horizon_days = 20_000.0;
    s.run.replications = 40;
    s
}

fn run(s: &Scenario, threads: usize) -> Report {
    let net = s.network().unwrap();
    simulate(
        &net,
        RunOptions {
            replications: s.run.replications,
            seed: s.run.seed,
            threads,
        },
        &|_| {},
    )
}

#[test]
fn a_single_area_loses_what_erlang_b_says_with_exponential_and_capped_lognormal_stays() {
    // Insensitivity: only the mean of the (capped) stay matters.
    for (dist, places, load) in [
        ("exponential", 5, 4.0),
        ("lognormal", 11, 8.0),
        ("lognormal", 4, 2.0),
    ] {
        let mut s = single_area(dist, 0.0, places);
        let mean = s.effective_mean_stay().unwrap();
        s.municipalities[0].lambda = load / mean;
        let report = run(&s, 0);
        let lost = report.areas[0].measures.no_place;
        let exact = erlang_b(load, places);
        assert!(lost.half_width < 0.01, "{dist}: too wide to tell: {lost:?}");
        assert!(
            lost.covers(exact),
            "{dist}, c = {places}, a = {load}: simulated {lost:?}, Erlang B {exact}"
        );
        // Little's law: the mean occupancy is the carried load.
        let occupancy = report.areas[0].measures.occupancy;
        assert!(
            occupancy.covers(load * (1.0 - exact)),
            "{dist}: occupancy {occupancy:?}"
        );
    }
}

#[test]
fn overflow_lowers_no_place_and_lowers_placement_in_the_own_area() {
    let mut ring = Scenario::from_json(RING20).unwrap();
    ring.run.replications = 30;
    let mut isolated = ring.clone();
    isolated.topology = Topology::None;
    let with = run(&ring, 0).total.measures;
    let without = run(&isolated, 0).total.measures;
    assert!(
        with.no_place.high() < without.no_place.low(),
        "{:?} vs {:?}",
        with.no_place,
        without.no_place
    );
    // Guests take places the own newcomers would have had.
    assert!(
        with.own.high() < without.own.low(),
        "{:?} vs {:?}",
        with.own,
        without.own
    );
    assert!(with.overflowed.mean > 0.0 && without.overflowed.mean == 0.0);
    let shares = with.own.mean + with.overflowed.mean + with.central.mean + with.no_place.mean;
    assert!((shares - 1.0).abs() < 1e-9);
}

#[test]
fn a_central_shelter_catches_what_the_network_cannot() {
    let mut ring = Scenario::from_json(RING20).unwrap();
    ring.run.replications = 20;
    let before = run(&ring, 0).total.measures.no_place.mean;
    ring.central_shelter = Some(nabij_planner::scenario::CentralShelter { places: 10 });
    let report = run(&ring, 0);
    assert!(report.total.measures.no_place.mean < before / 2.0);
    let central = report.central.unwrap();
    assert!(central.measures.guests_per_year.mean > 0.0);
}

#[test]
fn too_few_outflow_homes_silt_the_network_up() {
    let mut base = Scenario::from_json(RING20).unwrap();
    base.run.replications = 20;
    let with_supply = |factor: f64| {
        let mut s = base.clone();
        for m in &mut s.municipalities {
            // Enough homes for every stay that needs one, times `factor`.
            m.outflow_per_year = Some(m.lambda * 365.0 * 0.75 * factor);
        }
        s.outflow = Some(Outflow {
            needs_home_share: 1.0,
            extra_per_year: 0.0,
        });
        run(&s, 0).total.measures
    };
    let free = run(&base, 0).total.measures;
    let ample = with_supply(2.0);
    let short = with_supply(0.8);
    assert_eq!(free.waiting_days.mean, 0.0);
    assert!(ample.mean_stay.mean > free.mean_stay.mean);
    assert!(short.mean_stay.low() > ample.mean_stay.high());
    assert!(short.waiting_days_per_year.low() > ample.waiting_days_per_year.high());
    assert!(short.over_six_months.low() > ample.over_six_months.high());
    assert!(
        short.no_place.low() > free.no_place.high(),
        "silted-up places turn newcomers away"
    );
    // Extra homes per year relieve it.
    let mut relieved = base.clone();
    for m in &mut relieved.municipalities {
        m.outflow_per_year = Some(m.lambda * 365.0 * 0.75 * 0.8);
    }
    relieved.outflow = Some(Outflow {
        needs_home_share: 1.0,
        extra_per_year: 100.0,
    });
    let relieved = run(&relieved, 0).total.measures;
    assert!(relieved.waiting_days_per_year.high() < short.waiting_days_per_year.low());
}

#[test]
fn a_monthly_pattern_moves_arrivals_between_months_not_in_total() {
    let mut s = single_area("exponential", 0.5, 10);
    s.run.replications = 10;
    let flat = run(&s, 0).areas[0].measures.arrivals_per_year;
    let mut pattern = vec![1.0; 12];
    pattern[0] = 2.0;
    pattern[6] = 0.0;
    s.arrival_pattern = Some(pattern);
    let seasonal = run(&s, 0).areas[0].measures;
    assert!(
        seasonal.arrivals_per_year.covers(0.5 * 365.0),
        "{:?}",
        seasonal.arrivals_per_year
    );
    assert!(flat.covers(0.5 * 365.0));
}

#[test]
fn the_same_seed_gives_the_same_result_on_any_number_of_threads() {
    let mut s = Scenario::from_json(RING20).unwrap();
    s.run.replications = 12;
    let one = serde_json::to_string(&run(&s, 1)).unwrap();
    assert_eq!(one, serde_json::to_string(&run(&s, 2)).unwrap());
    assert_eq!(one, serde_json::to_string(&run(&s, 5)).unwrap());
    s.run.seed += 1;
    assert_ne!(one, serde_json::to_string(&run(&s, 1)).unwrap());
}

#[test]
fn sizing_reaches_its_target_with_few_added_places() {
    let mut s = Scenario::from_json(RING20).unwrap();
    s.run.replications = 20;
    let net = s.network().unwrap();
    let options = RunOptions {
        replications: 20,
        seed: s.run.seed,
        threads: 0,
    };
    let target = 0.10;
    let sizing = size(&net, target, options, &|_| {}).unwrap();
    assert!(sizing.reached);
    assert!(sizing.added() > 0);
    // Check afresh with the new places.
    let mut sized = s.clone();
    for (m, places) in sized.municipalities.iter_mut().zip(&sizing.after) {
        m.places = *places;
    }
    let report = run(&sized, 0);
    for area in &report.areas {
        assert!(
            area.measures.not_own.mean <= target,
            "{}: {:?}",
            area.name,
            area.measures.not_own
        );
    }
    // One place fewer anywhere that was raised misses the target somewhere: nothing is wasted.
    let raised = sizing
        .after
        .iter()
        .zip(&sizing.before)
        .position(|(a, b)| a > b)
        .unwrap();
    let mut less = sized.clone();
    less.municipalities[raised].places -= 1;
    let report = run(&less, 0);
    assert!(
        report
            .areas
            .iter()
            .any(|a| a.measures.not_own.mean > target)
    );
}

#[test]
fn the_fixed_point_approximation_agrees_with_erlang_alone_and_roughly_with_the_simulation() {
    let s = Scenario::from_json(RING20).unwrap();
    let mean = s.effective_mean_stay().unwrap();
    let areas = |with_tiers: bool| -> Vec<FixedPointArea> {
        let n = s.municipalities.len();
        s.municipalities
            .iter()
            .enumerate()
            .map(|(i, m)| FixedPointArea {
                load: m.lambda * mean,
                places: m.places,
                tiers: if with_tiers {
                    vec![vec![(i + 1) % n, (i + n - 1) % n]]
                } else {
                    vec![]
                },
            })
            .collect()
    };
    let alone = erlang_fixed_point(&areas(false));
    for (share, m) in alone.iter().zip(&s.municipalities) {
        assert!((share.no_place - erlang_b(m.lambda * mean, m.places)).abs() < 1e-12);
    }
    let approx = erlang_fixed_point(&areas(true));
    let mut sim = s.clone();
    sim.run.replications = 30;
    let report = run(&sim, 0);
    for (i, share) in approx.iter().enumerate() {
        assert!(share.no_place < alone[i].no_place);
        let simulated = report.areas[i].measures.own.mean;
        assert!(
            (share.own - simulated).abs() < 0.05,
            "area {i}: approx {} sim {simulated}",
            share.own
        );
    }
}
