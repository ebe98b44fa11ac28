//! Buddies at national scale: the best assignment of 1,000 waiting residents over 1,000
//! free buddy slots, and the suggestions for one resident among 10,000 buddies.
//! Run with `cargo bench -p nabij-domain --bench buddies`.

use nabij_domain::buddy::{
    Candidate, Interest, Interests, MatchPurpose, Wish, best_assignment, suggest,
};
use nabij_domain::geo::GeoPoint;

fn main() {
    divan::main();
}

/// Deterministic pseudo-random numbers (SplitMix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn point(&mut self) -> GeoPoint {
        GeoPoint {
            lat: 50.8 + self.next() * 2.6,
            lon: 3.4 + self.next() * 3.6,
        }
    }

    fn interests(&mut self) -> Interests {
        let list: Vec<Interest> = Interest::ALL
            .iter()
            .copied()
            .filter(|_| self.next() < 0.3)
            .collect();
        Interests::of(&list)
    }
}

fn wishes(n: usize, rng: &mut Rng) -> Vec<Wish> {
    (0..n)
        .map(|_| Wish {
            purpose: MatchPurpose::ALL[(rng.next() * 3.0) as usize % 3],
            interests: rng.interests(),
            location: rng.point(),
        })
        .collect()
}

/// `n` buddies; with `two_slots`, half of them can take two matches.
fn buddies(n: usize, rng: &mut Rng, two_slots: bool) -> Vec<Candidate> {
    (0..n)
        .map(|i| Candidate {
            id: i as i64,
            interests: rng.interests(),
            location: rng.point(),
            free_slots: if two_slots && i % 2 == 0 { 2 } else { 1 },
        })
        .collect()
}

/// 1,000 waiting residents and 1,000 free slots: 667 buddies, every other one with two.
#[divan::bench(sample_count = 10)]
fn best_assignment_1000_by_1000(bencher: divan::Bencher) {
    let mut rng = Rng(7);
    let ws = wishes(1_000, &mut rng);
    let cs = buddies(667, &mut rng, true);
    let slots: u32 = cs.iter().map(|c| c.free_slots).sum();
    assert!((1_000..=1_001).contains(&slots), "{slots} slots");
    bencher.bench(|| best_assignment(divan::black_box(&ws), divan::black_box(&cs)));
}

#[divan::bench]
fn suggestions_among_10000_buddies(bencher: divan::Bencher) {
    let mut rng = Rng(11);
    let w = wishes(1, &mut rng)[0];
    let cs = buddies(10_000, &mut rng, false);
    bencher.bench(|| suggest(divan::black_box(&w), divan::black_box(&cs), 10));
}
