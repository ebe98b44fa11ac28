//! Ranking every free place for one referral over a national-scale network:
//! 5,000 homes with 20,000 places. Run with `cargo bench -p nabij-domain`.

use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_domain::ids::*;
use nabij_domain::person::{Gender, HouseholdSize, Needs};
use nabij_domain::placement::{HomeAvailability, PlacementRequest, rank_free_places};

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
}

/// 5,000 homes of 4 places each over 350 municipalities with 12 neighbourhoods each;
/// about a quarter of the places occupied.
fn network() -> Vec<HomeAvailability> {
    let mut rng = Rng(42);
    (0..5_000)
        .map(|i| {
            let muni = i % 350;
            let buurt = muni * 12 + (i / 350) % 12;
            let free = (0..4)
                .filter(|_| rng.next() > 0.25)
                .map(|p| PlaceId(i * 4 + p))
                .collect();
            HomeAvailability {
                home: HomeId(i),
                home_name: format!("Huis {i}").into(),
                kind: if i % 97 == 0 {
                    HomeKind::CentralShelter
                } else {
                    HomeKind::Pitstop
                },
                rules: HouseRules {
                    women_only: i % 23 == 0,
                    accessible: i % 5 == 0,
                    pets_allowed: i % 7 == 0,
                },
                municipality: MunicipalityId(muni),
                municipality_name: format!("Gemeente {muni}").into(),
                neighbourhood: NeighbourhoodId(buurt),
                neighbourhood_name: format!("Buurt {buurt}").into(),
                point: GeoPoint {
                    lat: 50.8 + rng.next() * 2.6,
                    lon: 3.4 + rng.next() * 3.6,
                },
                total_places: 4,
                max_stay_months: 6,
                free_places: free,
            }
        })
        .collect()
}

fn request() -> PlacementRequest {
    PlacementRequest {
        household: HouseholdSize::new(1).unwrap(),
        gender: Gender::Man,
        needs: Needs::default(),
        own_municipality: MunicipalityId(17),
        own_neighbourhood: Some(NeighbourhoodId(17 * 12 + 3)),
        own_point: GeoPoint {
            lat: 52.1,
            lon: 5.1,
        },
        avoid: vec![],
    }
}

#[divan::bench(sample_count = 200)]
fn rank_5000_homes_20000_places(bencher: divan::Bencher) {
    let homes = network();
    let req = request();
    bencher.bench(|| rank_free_places(divan::black_box(&req), divan::black_box(&homes)));
}

#[divan::bench(sample_count = 200)]
fn rank_household_of_three_needing_access(bencher: divan::Bencher) {
    let homes = network();
    let mut req = request();
    req.household = HouseholdSize::new(3).unwrap();
    req.needs.accessible = true;
    bencher.bench(|| rank_free_places(divan::black_box(&req), divan::black_box(&homes)));
}

/// The people ready to move on in a national-scale network: about 2,000 running stays ready
/// over 350 municipalities (the national demo has 1,900), households of one to four, some
/// with needs.
fn ready_persons() -> Vec<nabij_domain::outflow::ReadyPerson> {
    let mut rng = Rng(7);
    let today = jiff::civil::date(2026, 12, 1);
    (0..2_000)
        .map(|i| {
            let muni = (rng.next() * 350.0) as i64;
            nabij_domain::outflow::ReadyPerson {
                person: PersonId(i),
                household_size: 1 + (rng.next() * 4.0) as i64,
                needs: Needs {
                    accessible: rng.next() < 0.1,
                    pets: rng.next() < 0.1,
                    women_only: false,
                },
                own_municipality: MunicipalityId(muni),
                own_neighbourhood: Some(NeighbourhoodId(muni * 12 + (rng.next() * 12.0) as i64)),
                ready_on: today.saturating_sub(jiff::ToSpan::days((rng.next() * 400.0) as i64)),
            }
        })
        .collect()
}

/// Ranking the ready persons for one offered home, each explained in a sentence.
#[divan::bench(sample_count = 200)]
fn rank_2000_ready_for_one_offer(bencher: divan::Bencher) {
    let ready = ready_persons();
    let home = nabij_domain::outflow::OfferedHome {
        rooms: 2,
        accessible: true,
        pets_allowed: true,
        municipality: MunicipalityId(17),
        neighbourhood: Some(NeighbourhoodId(17 * 12 + 3)),
    };
    let today = jiff::civil::date(2026, 12, 1);
    bencher.bench(|| nabij_domain::outflow::rank_ready(&home, &ready, today));
}
