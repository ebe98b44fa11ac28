//! The report measures against a deliberately simple reference: a seeded history of a few
//! thousand stays is written through the store (SQLite always, PostgreSQL when
//! `NABIJ_TEST_POSTGRES_URL` is set); the reports read it back through their indexed
//! period queries and add it up; the reference recomputes every measure from what was
//! written, with nested loops and occupancy night by night.
//!
//! Edge cases written on purpose: stays crossing the period's borders, a home opened
//! mid-period, a home closed and a place retired, returns after exactly 14 days (not a
//! return) and 15 days (a return), a stay of exactly six calendar months and one a day
//! longer, and a stay starting on 29 February 2024.

use jiff::civil::{Date, date};
use jiff::{Timestamp, ToSpan};
use nabij_domain::geo::GeoPoint;
use nabij_domain::home::{HomeKind, HouseRules};
use nabij_domain::ids::*;
use nabij_domain::measures::{At, Facts, HomeInfo, RETURN_MONTHS, Tally, tally};
use nabij_domain::period::{Month, Period};
use nabij_domain::person::{Gender, HouseholdSize, Needs};
use nabij_domain::placement::Proximity;
use nabij_domain::referral::{ReferralSource, Urgency};
use nabij_domain::stay::{Destination, DestinationClass, ExtensionDecision};
use nabij_store::homes::NewHome;
use nabij_store::persons::NewPerson;
use nabij_store::referrals::NewReferral;
use nabij_store::reports::FactScope;
use nabij_store::stays::NewStay;
use nabij_store::testing::{raw_execute, raw_strings};
use nabij_store::{Db, DbOptions};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

const TODAY: Date = date(2026, 3, 2);

/// A small portable generator: the same history on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent as i64
    }
}

#[derive(Debug, Clone)]
struct HomeRec {
    id: i64,
    municipality: i64,
    kind: HomeKind,
    opened: Date,
    closed: Option<Date>,
}

#[derive(Debug, Clone)]
struct PlaceRec {
    id: i64,
    home: i64,
    opened: Date,
    retired: Option<Date>,
}

#[derive(Debug, Clone)]
struct StayRec {
    person: i64,
    home: i64,
    place: i64,
    start: Date,
    planned_end: Date,
    /// (received, placed) of the referral, when placed after one.
    referral: Option<(Timestamp, Timestamp)>,
    proximity: Proximity,
    distance_km: f64,
    ready_on: Option<Date>,
    exit: Option<(Date, Destination)>,
    extensions: Vec<Date>,
}

#[derive(Default)]
struct World {
    homes: Vec<HomeRec>,
    places: Vec<PlaceRec>,
    stays: Vec<StayRec>,
    /// (place, from, until inclusive)
    blocks: Vec<(i64, Date, Option<Date>)>,
    /// (municipality, when)
    no_place: Vec<(i64, Timestamp)>,
}

fn tz() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap()
}

fn noon(d: Date) -> Timestamp {
    tz().to_timestamp(d.to_datetime(jiff::civil::time(12, 0, 0, 0)))
        .unwrap()
}

fn actor(at: Timestamp) -> nabij_store::audit::Actor {
    nabij_store::audit::Actor::system("reference", at)
}

fn person(first: &str, m: MunicipalityId) -> NewPerson {
    NewPerson {
        organisation_id: 1,
        first_name: first.into(),
        last_name: "Referentie".into(),
        gender: Gender::Woman,
        date_of_birth: None,
        bsn: None,
        phone: None,
        household: HouseholdSize::new(1).unwrap(),
        needs: Needs::default(),
        own_municipality: m,
        own_neighbourhood: None,
        avoid: vec![],
    }
}

const DESTINATIONS: [Destination; 6] = [
    Destination::OwnRentedHome,
    Destination::OwnLeaseViaFlip,
    Destination::FamilyOrFriends,
    Destination::Clinic,
    Destination::CentralShelter,
    Destination::Street,
];

struct Writer<'a> {
    db: &'a Db,
    world: World,
    rng: Rng,
    municipalities: Vec<MunicipalityId>,
    /// Persons free for a new stay: (person, municipality, last exit).
    returning: Vec<(i64, MunicipalityId, Date)>,
    names: usize,
}

impl Writer<'_> {
    async fn home(
        &mut self,
        m: usize,
        kind: HomeKind,
        places: usize,
        opened: Date,
        closed: Option<Date>,
    ) -> i64 {
        let muni = self.municipalities[m];
        self.names += 1;
        let n = self
            .db
            .create_neighbourhood(
                muni,
                None,
                &format!("Buurt {}", self.names),
                GeoPoint {
                    lat: 52.0,
                    lon: 5.0,
                },
            )
            .await
            .unwrap();
        let id = self
            .db
            .create_home(
                &NewHome {
                    organisation_id: 1,
                    name: format!("Huis {:03}", self.names),
                    kind,
                    address: "Straat 1".into(),
                    neighbourhood: n,
                    point: None,
                    rules: HouseRules::default(),
                    max_stay_months: 6,
                    landlord: None,
                    places,
                    opened_on: Some(opened),
                },
                noon(opened),
            )
            .await
            .unwrap()
            .0;
        if let Some(c) = closed {
            raw_execute(
                self.db,
                &format!("UPDATE homes SET closed_on = '{c}' WHERE id = {id}"),
            )
            .await
            .unwrap();
        }
        self.world.homes.push(HomeRec {
            id,
            municipality: muni.0,
            kind,
            opened,
            closed,
        });
        let ids = raw_strings(
            self.db,
            &format!("SELECT CAST(id AS TEXT) FROM places WHERE home_id = {id} ORDER BY id"),
        )
        .await
        .unwrap();
        for p in ids {
            self.world.places.push(PlaceRec {
                id: p.parse().unwrap(),
                home: id,
                opened,
                retired: None,
            });
        }
        id
    }

    async fn retire(&mut self, place: i64, on: Date) {
        raw_execute(
            self.db,
            &format!("UPDATE places SET retired_on = '{on}' WHERE id = {place}"),
        )
        .await
        .unwrap();
        self.world
            .places
            .iter_mut()
            .find(|p| p.id == place)
            .unwrap()
            .retired = Some(on);
    }

    /// Writes one stay as the app would: referral (or a return without one), placement,
    /// extensions, ready to move on, exit.
    #[allow(clippy::too_many_arguments)]
    async fn stay(
        &mut self,
        home: i64,
        place: i64,
        start: Date,
        exit: Option<(Date, Destination)>,
        returner: Option<(i64, MunicipalityId)>,
        ready_on: Option<Date>,
        extensions: usize,
    ) {
        let muni = self
            .world
            .homes
            .iter()
            .find(|h| h.id == home)
            .unwrap()
            .municipality;
        let (person, referral, times) = match returner {
            Some((p, _)) => (PersonId(p), None, None),
            None => {
                self.names += 1;
                let received = noon(start) - self.rng.below(40).hours();
                let placed = noon(start) + self.rng.below(3).hours();
                let m = MunicipalityId(muni);
                let (p, r) = self
                    .db
                    .create_referral(
                        &person(&format!("P{}", self.names), m),
                        &NewReferral {
                            organisation_id: 1,
                            referred_by: None,
                            source: ReferralSource::SocialTeam,
                            urgency: Urgency::High,
                            situation: "Referentie".into(),
                        },
                        received,
                        &actor(received),
                    )
                    .await
                    .unwrap();
                if self.rng.chance(10) {
                    let m = self.municipalities
                        [self.rng.below(self.municipalities.len() as u64) as usize];
                    let at = received + self.rng.below(5).minutes();
                    self.db.record_no_place(r, m, at).await.unwrap();
                    self.world.no_place.push((m.0, at));
                }
                (p, Some(r), Some((received, placed)))
            }
        };
        let proximity = [
            Proximity::OwnNeighbourhood,
            Proximity::OwnMunicipality,
            Proximity::Elsewhere,
        ][self.rng.below(3) as usize];
        let distance_km = [0.5, 4.0, 10.0, 10.5, 25.0][self.rng.below(5) as usize];
        let planned = start.saturating_add(6.months());
        let id = self
            .db
            .place(
                &NewStay {
                    referral,
                    person,
                    home: HomeId(home),
                    places: vec![PlaceId(place)],
                    start,
                    planned_end: planned,
                    placed_at: times.map_or(noon(start), |t| t.1),
                    proximity,
                    distance_km,
                },
                &actor(noon(start)),
            )
            .await
            .unwrap_or_else(|e| panic!("placing on {start} in place {place}: {e}"));
        let mut planned_end = planned;
        let mut decided = Vec::new();
        for i in 0..extensions {
            let on = start.saturating_add((10 + 20 * i as i64).days());
            planned_end = planned_end.saturating_add(1.months());
            self.db
                .extend_stay(
                    id,
                    &ExtensionDecision {
                        decided_by: "coördinator".into(),
                        reason: "nog geen woning".into(),
                        new_end: planned_end,
                    },
                    &actor(noon(on)),
                )
                .await
                .unwrap();
            decided.push(on);
        }
        if let Some(r) = ready_on {
            self.db.set_ready_on(id, r, &actor(noon(r))).await.unwrap();
        }
        if let Some((d, dest)) = exit {
            self.db
                .exit_stay(id, d, dest, "vertrek", &actor(noon(d)))
                .await
                .unwrap();
            if dest.class() == DestinationClass::Permanent {
                self.returning.push((person.0, MunicipalityId(muni), d));
            }
        }
        self.world.stays.push(StayRec {
            person: person.0,
            home,
            place,
            start,
            planned_end,
            referral: times,
            proximity,
            distance_km,
            ready_on,
            exit,
            extensions: decided,
        });
    }

    /// Back-to-back stays on one place from `from` until `until` (or today), the last one
    /// still running now and then.
    async fn fill(&mut self, home: i64, place: i64, from: Date, until: Option<Date>) {
        let end = until.unwrap_or(TODAY.tomorrow().unwrap());
        let mut start = from.saturating_add((self.rng.below(20)).days());
        while start < end && start <= TODAY {
            let length = 1 + self.rng.below(200);
            let exit = start.saturating_add(length.days());
            // A returner: someone who left for a home of their own some time before.
            let returner = if self.rng.chance(30) {
                self.returning
                    .iter()
                    .position(|r| r.2 < start)
                    .map(|i| self.returning.swap_remove(i))
                    .map(|r| (r.0, r.1))
            } else {
                None
            };
            let extensions = if self.rng.chance(15) {
                1 + self.rng.below(2) as usize
            } else {
                0
            };
            if exit >= end || exit > TODAY {
                // Still running (only while the home and place are in service).
                if until.is_none() {
                    self.stay(home, place, start, None, returner, None, extensions)
                        .await;
                }
                break;
            }
            let dest = DESTINATIONS[self.rng.below(DESTINATIONS.len() as u64) as usize];
            let ready = self
                .rng
                .chance(40)
                .then(|| start.saturating_add((length / 2).days()));
            self.stay(
                home,
                place,
                start,
                Some((exit, dest)),
                returner,
                ready,
                extensions,
            )
            .await;
            start = exit.saturating_add((self.rng.below(25)).days());
        }
    }
}

async fn write_history(db: &Db) -> World {
    let region = db.create_region("Referentie").await.unwrap();
    let mut municipalities = Vec::new();
    for (i, name) in ["Aalst", "Beek", "Cuijk", "Delft"].iter().enumerate() {
        municipalities.push(
            db.create_municipality(
                Some(region),
                Some(&format!("GM900{i}")),
                name,
                GeoPoint {
                    lat: 52.0,
                    lon: 5.0,
                },
            )
            .await
            .unwrap(),
        );
    }
    let mut w = Writer {
        db,
        world: World::default(),
        rng: Rng(0x9E37_79B9_7F4A_7C15),
        municipalities,
        returning: Vec::new(),
        names: 0,
    };
    let kinds = [
        HomeKind::Pitstop,
        HomeKind::ShelterHome,
        HomeKind::FlipHome,
        HomeKind::CentralShelter,
    ];
    let history = date(2021, 1, 1);
    for i in 0..40 {
        let kind = kinds[i % kinds.len()];
        let places = 2 + i % 3;
        // Home 5 opens in the middle of 2025; home 6 closes early in 2025.
        let (opened, closed) = match i {
            5 => (date(2025, 6, 17), None),
            6 => (history, Some(date(2025, 2, 11))),
            _ => (history, None),
        };
        let home = w.home(i % 4, kind, places, opened, closed).await;
        let ids: Vec<i64> = w
            .world
            .places
            .iter()
            .filter(|p| p.home == home)
            .map(|p| p.id)
            .collect();
        for (j, place) in ids.iter().enumerate() {
            // One place of home 7 is retired in the autumn of 2025.
            let until = if i == 7 && j == 0 {
                let on = date(2025, 10, 3);
                w.retire(*place, on).await;
                Some(on)
            } else {
                closed
            };
            w.fill(home, *place, opened, until).await;
        }
    }

    // Edge cases on a home of their own.
    let edge = w.home(0, HomeKind::Pitstop, 4, history, None).await;
    let p: Vec<i64> = w
        .world
        .places
        .iter()
        .filter(|p| p.home == edge)
        .map(|p| p.id)
        .collect();
    // Left for a home of their own; back after exactly 14 days (no return) and 15 (a return).
    let m = w.municipalities[0];
    w.stay(
        edge,
        p[0],
        date(2024, 11, 1),
        Some((date(2025, 1, 10), Destination::OwnRentedHome)),
        None,
        None,
        0,
    )
    .await;
    w.stay(
        edge,
        p[1],
        date(2024, 11, 1),
        Some((date(2025, 1, 10), Destination::OwnRentedHome)),
        None,
        None,
        0,
    )
    .await;
    let n = w.world.stays.len();
    let (a, b) = (w.world.stays[n - 2].person, w.world.stays[n - 1].person);
    w.returning.retain(|r| r.0 != a && r.0 != b);
    w.stay(
        edge,
        p[0],
        date(2025, 1, 24),
        Some((date(2025, 2, 1), Destination::Clinic)),
        Some((a, m)),
        None,
        0,
    )
    .await;
    w.stay(
        edge,
        p[1],
        date(2025, 1, 25),
        Some((date(2025, 2, 1), Destination::Clinic)),
        Some((b, m)),
        None,
        0,
    )
    .await;
    // Exactly six calendar months, and one day more.
    w.stay(
        edge,
        p[0],
        date(2025, 3, 15),
        Some((date(2025, 9, 15), Destination::FamilyOrFriends)),
        None,
        None,
        0,
    )
    .await;
    w.stay(
        edge,
        p[1],
        date(2025, 3, 15),
        Some((date(2025, 9, 16), Destination::FamilyOrFriends)),
        None,
        None,
        0,
    )
    .await;
    // 29 February 2024: six months later is 29 August 2024.
    w.stay(
        edge,
        p[2],
        date(2024, 2, 29),
        Some((date(2024, 8, 29), Destination::Street)),
        None,
        None,
        0,
    )
    .await;
    w.stay(
        edge,
        p[3],
        date(2024, 2, 29),
        Some((date(2024, 8, 30), Destination::Street)),
        None,
        None,
        0,
    )
    .await;

    // Blocks: closed and open-ended, overlapping each other and stays.
    let mut rng = Rng(42);
    let places = w.world.places.clone();
    for _ in 0..40 {
        let p = &places[rng.below(places.len() as u64) as usize];
        let from = date(2024, 1, 1).saturating_add(rng.below(800).days());
        let until = (!rng.chance(20)).then(|| from.saturating_add(rng.below(60).days()));
        db.block_place(PlaceId(p.id), from, until, "onderhoud", noon(from))
            .await
            .unwrap();
        w.world.blocks.push((p.id, from, until));
    }
    let n = w.world.blocks.len();
    let (p0, f0, _) = w.world.blocks[0];
    db.block_place(
        PlaceId(p0),
        f0,
        Some(f0.saturating_add(5.days())),
        "dubbel",
        noon(f0),
    )
    .await
    .unwrap();
    w.world
        .blocks
        .push((p0, f0, Some(f0.saturating_add(5.days()))));
    assert_eq!(w.world.blocks.len(), n + 1);
    w.world
}

// ------------------------------------------------------------------------------------
// The reference: straight from the definitions, as slowly as it likes.
// ------------------------------------------------------------------------------------

fn days_in_month(y: i16, m: i8) -> i8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// The same day `months` calendar months later, or the last day of that month.
fn months_later(d: Date, months: i64) -> Date {
    let total = d.year() as i64 * 12 + (d.month() as i64 - 1) + months;
    let (y, m) = ((total / 12) as i16, (total % 12 + 1) as i8);
    date(y, m, d.day().min(days_in_month(y, m)))
}

fn day_count(a: Date, b: Date) -> i64 {
    let mut n = 0;
    let mut d = a;
    while d < b {
        d = d.tomorrow().unwrap();
        n += 1;
    }
    n
}

fn reference<K: Hash + Eq>(
    w: &World,
    period: &Period,
    municipality: Option<i64>,
    key: impl Fn(At) -> Option<K>,
) -> HashMap<K, Tally> {
    let tz = tz();
    let mut out: HashMap<K, Tally> = HashMap::new();
    let home = |id: i64| w.homes.iter().find(|h| h.id == id).unwrap();
    let at = |h: i64, d: Option<Date>| {
        let h = home(h);
        At {
            home: Some(h.id),
            municipality: h.municipality,
            kind: Some(h.kind),
            month: d.map(Month::of),
        }
    };
    let in_scope = |h: i64| municipality.is_none_or(|m| home(h).municipality == m);
    for s in &w.stays {
        if !in_scope(s.home) {
            continue;
        }
        if let Some((received, placed)) = s.referral
            && period.from <= s.start
            && s.start <= period.to
            && let Some(k) = key(at(s.home, Some(s.start)))
        {
            let t = out.entry(k).or_default();
            t.hours_to_place
                .push(placed.duration_since(received).as_secs_f64() / 3600.0);
            t.placed_same_day +=
                (tz.to_datetime(received).date() == tz.to_datetime(placed).date()) as i64;
            t.own_neighbourhood += (s.proximity == Proximity::OwnNeighbourhood) as i64;
            t.own_municipality += (s.proximity != Proximity::Elsewhere) as i64;
            t.within_10_km += (s.distance_km <= 10.0) as i64;
        }
        if let Some((exit, dest)) = s.exit
            && period.from <= exit
            && exit <= period.to
            && let Some(k) = key(at(s.home, Some(exit)))
        {
            let t = out.entry(k).or_default();
            t.exits += 1;
            t.stay_days.push(day_count(s.start, exit) as f64);
            t.within_six_months += (exit <= months_later(s.start, 6)) as i64;
            let class = dest.class();
            let i = DestinationClass::ALL
                .iter()
                .position(|c| *c == class)
                .unwrap();
            t.exits_by_class[i] += 1;
            t.to_own_home += matches!(
                dest,
                Destination::OwnRentedHome | Destination::OwnLeaseViaFlip
            ) as i64;
            if let Some(r) = s.ready_on {
                t.waiting_days.push(day_count(r, exit) as f64);
            }
            if class == DestinationClass::Permanent {
                for (i, months) in RETURN_MONTHS.into_iter().enumerate() {
                    let horizon = months_later(exit, months);
                    if horizon > TODAY {
                        continue;
                    }
                    t.returns[i].1 += 1;
                    let back = w.stays.iter().any(|o| {
                        o.person == s.person && day_count(exit, o.start) > 14 && o.start <= horizon
                    });
                    t.returns[i].0 += back as i64;
                }
            }
        }
        for d in &s.extensions {
            if period.contains(*d)
                && let Some(k) = key(at(s.home, Some(*d)))
            {
                out.entry(k).or_default().extensions += 1;
            }
        }
        if s.exit.is_none()
            && s.planned_end < TODAY
            && let Some(k) = key(at(s.home, None))
        {
            out.entry(k).or_default().overdue_now += 1;
        }
    }
    for (m, when) in &w.no_place {
        let d = tz.to_datetime(*when).date();
        if municipality.is_some_and(|x| x != *m) || !period.contains(d) {
            continue;
        }
        let a = At {
            home: None,
            municipality: *m,
            kind: None,
            month: Some(Month::of(d)),
        };
        if let Some(k) = key(a) {
            out.entry(k).or_default().no_place += 1;
        }
    }
    // Occupancy, night by night.
    let mut on_place: HashMap<i64, Vec<&StayRec>> = HashMap::new();
    for s in &w.stays {
        on_place.entry(s.place).or_default().push(s);
    }
    for p in &w.places {
        if !in_scope(p.home) {
            continue;
        }
        let h = home(p.home);
        let mut d = period.from;
        while d <= period.to && d <= TODAY {
            let in_service = h.opened <= d
                && h.closed.is_none_or(|c| d < c)
                && p.opened <= d
                && p.retired.is_none_or(|r| d < r);
            let blocked = w
                .blocks
                .iter()
                .any(|(bp, f, u)| *bp == p.id && *f <= d && u.is_none_or(|u| d <= u));
            if in_service && !blocked {
                let held = w
                    .stays
                    .iter()
                    .any(|s| s.place == p.id && s.start <= d && s.exit.is_none_or(|(e, _)| d < e));
                if let Some(k) = key(at(p.home, Some(d))) {
                    let t = out.entry(k).or_default();
                    t.available_nights += 1;
                    t.occupied_nights += held as i64;
                }
            }
            d = d.tomorrow().unwrap();
        }
    }
    out
}

/// A tally with its samples in order, so two tallies compare by content.
fn sorted(t: Option<&Tally>) -> Tally {
    let mut t = t.cloned().unwrap_or_default();
    for v in [&mut t.hours_to_place, &mut t.stay_days, &mut t.waiting_days] {
        v.sort_by(f64::total_cmp);
    }
    t
}

fn same<K: Hash + Eq + std::fmt::Debug + Clone>(
    what: &str,
    got: &HashMap<K, Tally>,
    want: &HashMap<K, Tally>,
) {
    let keys: HashSet<&K> = got.keys().chain(want.keys()).collect();
    assert!(!keys.is_empty(), "{what}: nothing to compare");
    for k in keys {
        assert_eq!(
            sorted(got.get(k)),
            sorted(want.get(k)),
            "{what}, group {k:?}"
        );
    }
}

/// A grouping of the report, as a key per fact.
type Key = dyn Fn(At) -> Option<String>;

async fn compare(db: &Db, w: &World, period: Period, municipality: Option<i64>) {
    let tz = tz();
    let midnight = |d: Date| {
        tz.to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .unwrap()
    };
    let scope = FactScope {
        organisation: 1,
        municipality,
        period: &period,
        from_ts: midnight(period.from),
        end_ts: midnight(period.end()),
        today: TODAY,
        tz: &tz,
    };
    let facts: Facts = db.report_facts(&scope).await.unwrap();
    let homes: HashMap<i64, HomeInfo> = db
        .report_homes(1, municipality)
        .await
        .unwrap()
        .into_iter()
        .map(|h| {
            (
                h.id,
                HomeInfo {
                    municipality: h.municipality_id,
                    kind: h.kind,
                },
            )
        })
        .collect();
    let what = format!("{period:?} {municipality:?}");
    let got = |key: &Key| tally(&facts, &homes, &period, TODAY, key);
    let want = |key: &Key| reference(w, &period, municipality, key);
    let keys: [(&str, &Key); 5] = [
        ("whole", &|_| Some(String::new())),
        ("municipality", &|a| Some(a.municipality.to_string())),
        ("kind", &|a| a.kind.map(|k| k.code().to_string())),
        ("home", &|a| a.home.map(|h| h.to_string())),
        ("month", &|a| a.month.map(|m| m.key())),
    ];
    for (name, key) in keys {
        same(&format!("{what} per {name}"), &got(key), &want(key));
    }
    // Occupancy per municipality per month, as the chart shows it.
    let key = |a: At| a.month.map(|m| format!("{}-{}", a.municipality, m.key()));
    same(
        &format!("{what} per municipality and month"),
        &got(&key),
        &want(&key),
    );
}

async fn check(db: Db) {
    let w = write_history(&db).await;
    assert!(w.stays.len() > 1500, "{} stays", w.stays.len());
    let periods = [
        // The last 12 months as the preset gives them, and the 12 before.
        Period::new(date(2025, 4, 1), TODAY).unwrap(),
        Period::new(date(2024, 4, 1), date(2025, 3, 2)).unwrap(),
        // Leap year 2024, and an odd range crossing a year boundary and running past today.
        Period::new(date(2024, 1, 1), date(2024, 12, 31)).unwrap(),
        Period::new(date(2024, 12, 17), date(2026, 4, 9)).unwrap(),
    ];
    let aalst = w.homes[0].municipality;
    for p in periods {
        compare(&db, &w, p, None).await;
    }
    compare(&db, &w, periods[0], Some(aalst)).await;

    // The edge cases came out as defined.
    let edge = w.homes.last().unwrap().id;
    let edge_only: HashMap<i64, HomeInfo> = [(
        edge,
        HomeInfo {
            municipality: w.homes.last().unwrap().municipality,
            kind: HomeKind::Pitstop,
        },
    )]
    .into();
    let tz = tz();
    let midnight = |d: Date| {
        tz.to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .unwrap()
    };
    let window = Period::new(date(2025, 1, 1), date(2025, 1, 31)).unwrap();
    let facts = db
        .report_facts(&FactScope {
            organisation: 1,
            municipality: None,
            period: &window,
            from_ts: midnight(window.from),
            end_ts: midnight(window.end()),
            today: TODAY,
            tz: &tz,
        })
        .await
        .unwrap();
    let t = tally(&facts, &edge_only, &window, TODAY, |_| Some(()))
        .remove(&())
        .unwrap();
    // Two exits home on 10 January 2025: one back after 14 days (no return), one after 15.
    assert_eq!(t.returns[0], (1, 2), "{t:?}");
    let six = Period::new(date(2025, 9, 1), date(2025, 9, 30)).unwrap();
    let facts = db
        .report_facts(&FactScope {
            organisation: 1,
            municipality: None,
            period: &six,
            from_ts: midnight(six.from),
            end_ts: midnight(six.end()),
            today: TODAY,
            tz: &tz,
        })
        .await
        .unwrap();
    let t = tally(&facts, &edge_only, &six, TODAY, |_| Some(()))
        .remove(&())
        .unwrap();
    // Exactly six calendar months counts as within six months; a day more does not.
    assert_eq!((t.exits, t.within_six_months), (2, 1), "{t:?}");
    let leap = Period::new(date(2024, 8, 1), date(2024, 8, 31)).unwrap();
    let facts = db
        .report_facts(&FactScope {
            organisation: 1,
            municipality: None,
            period: &leap,
            from_ts: midnight(leap.from),
            end_ts: midnight(leap.end()),
            today: TODAY,
            tz: &tz,
        })
        .await
        .unwrap();
    let t = tally(&facts, &edge_only, &leap, TODAY, |_| Some(()))
        .remove(&())
        .unwrap();
    // From 29 February 2024: out on 29 August is within six months, on the 30th not.
    assert_eq!((t.exits, t.within_six_months), (2, 1), "{t:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measures_match_the_reference_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("r.db").display());
    let db = Db::connect(&DbOptions::new(url)).await.unwrap();
    check(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measures_match_the_reference_on_postgres() {
    if let Some(db) = nabij_store::testing::postgres_from_env().await {
        check(db).await;
    }
}
