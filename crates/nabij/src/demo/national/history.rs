//! Years of history, simulated day by day over the whole network: referrals come in (new
//! people and people coming back), are placed in the nearest free place (own neighbourhood,
//! own municipality, then the nearest municipalities), stay, are extended, get ready to move
//! on and leave; places are blocked for repairs now and then.
//!
//! The rules the database keeps hold by construction: a place holds one stay (or block) per
//! night, a person has at most one stay running, and a stay lies within the service dates of
//! its home and places (a stay in a home that closes ends when it closes).

use super::Size;
use super::geography::Geography;
use super::homes::{Home, Place};
use crate::demo::{FIRST_M, FIRST_W, LAST, Rng, SITUATIONS, pick_destination};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use nabij_app::seed::{BulkBlock, BulkExtension, BulkPerson, BulkReferral, BulkStay};
use nabij_domain::home::HomeKind;
use nabij_domain::person::Gender;
use nabij_domain::placement::Proximity;
use nabij_domain::referral::{ReferralSource, ReferralState, Urgency};
use nabij_domain::stay::{Destination, DestinationClass, Milestone, planned_end};

/// What the simulation wrote.
#[derive(Debug, Default)]
pub struct History {
    pub persons: Vec<BulkPerson>,
    pub referrals: Vec<BulkReferral>,
    pub stays: Vec<BulkStay>,
    pub blocks: Vec<BulkBlock>,
}

const BLOCK_REASONS: &[&str] = &[
    "Lekkage badkamer",
    "Schilderwerk",
    "Schimmel in slaapkamer",
    "Nieuwe vloer",
    "Ongedierte bestrijding",
    "Cv-ketel kapot",
    "Brandschade keuken",
];

const EXTENSION_REASONS: &[&str] = &[
    "Woning toegezegd, sleutel volgt; uitstroom zonder tussenstap",
    "Wacht op plek beschermd wonen; indicatie afgegeven",
    "Schuldhulp loopt; urgentie aangevraagd",
    "Herstel na ziekenhuisopname; verhuizen nu niet verantwoord",
];

const DECIDERS: &[&str] = &[
    "Coördinator Ria Hoekstra",
    "Teamleider Jeroen Smits",
    "Coördinator Aylin Demir",
];

const CLOSE_REASONS: &[&str] = &[
    "Tijdelijk bij familie in de regio; nazorg via sociaal team",
    "Doorverwezen naar de maatschappelijke opvang van de centrumgemeente",
    "Zelf een kamer gevonden",
];

/// The state of one person during the simulation.
struct Who {
    /// The first day the person can be referred again.
    free_from: i32,
    deceased: bool,
}

/// Calendar of the history: day 0 is `start`, day `days` is today.
struct Calendar {
    start: Date,
    days: i32,
    dates: Vec<Date>,
    midnights: Vec<Timestamp>,
    now: Timestamp,
}

impl Calendar {
    fn new(today: Date, days: i32, now: Timestamp, tz: &TimeZone) -> Calendar {
        let start = today.saturating_sub((days as i64).days());
        let dates: Vec<Date> = (0..=days)
            .map(|t| start.saturating_add((t as i64).days()))
            .collect();
        let midnights = dates
            .iter()
            .map(|d| {
                tz.to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
                    .unwrap_or(now)
            })
            .collect();
        Calendar {
            start,
            days,
            dates,
            midnights,
            now,
        }
    }

    fn date(&self, t: i32) -> Date {
        match usize::try_from(t).ok().and_then(|i| self.dates.get(i)) {
            Some(d) => *d,
            None => self.start.saturating_add((t as i64).days()),
        }
    }

    /// The day `d` falls on.
    fn day(&self, d: Date) -> i32 {
        (d - self.start).get_days()
    }

    /// `minutes` after local midnight of day `t` (0 ≤ t ≤ today), never after now.
    fn at(&self, t: i32, minutes: i64) -> Timestamp {
        let midnight = self.midnights[t.clamp(0, self.days) as usize];
        let at = midnight
            .saturating_add(minutes.minutes())
            .unwrap_or(midnight);
        at.min(self.now - 1.minutes())
    }
}

pub struct Network<'a> {
    pub geo: &'a Geography,
    pub homes: &'a [Home],
    pub places: &'a [Place],
    /// Organisation of every file, and partners that refer some people.
    pub provider: i64,
    pub partners: &'a [i64],
}

/// Runs the history up to `today` (`now`, Dutch time).
pub fn simulate(
    net: &Network<'_>,
    size: &Size,
    today: Date,
    now: Timestamp,
    tz: &TimeZone,
    rng: &mut Rng,
) -> History {
    let cal = Calendar::new(today, size.days(), now, tz);
    let days = cal.days;
    let geo = net.geo;
    let mut out = History::default();
    // Homes by neighbourhood and by municipality.
    let mut in_buurt: Vec<Vec<usize>> = vec![Vec::new(); geo.buurten.len()];
    let mut in_muni: Vec<Vec<usize>> = vec![Vec::new(); geo.municipalities.len()];
    for h in net.homes {
        in_buurt[h.buurt].push(h.index);
        in_muni[h.municipality].push(h.index);
    }
    let service: Vec<(i32, i32)> = net
        .places
        .iter()
        .map(|p| p.service(&net.homes[p.home]))
        .collect();
    // The first night each place is free again (after a stay or a block).
    let mut free_from: Vec<i32> = vec![i32::MIN; net.places.len()];
    // New people come from municipalities by size; returning people from their own.
    let weights: Vec<f64> = geo
        .municipalities
        .iter()
        .map(|m| m.population.max(500.0).powf(0.7))
        .collect();
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut sum = 0.0;
    for w in &weights {
        sum += w;
        cumulative.push(sum);
    }
    let arrivals_per_day = size.stays as f64 / days as f64 / 0.95;
    let new_share = size.persons as f64 / (size.stays as f64 / 0.95);
    let mut who: Vec<Who> = Vec::new();
    // People whose stay ended on a day: the pool of quick returns.
    let mut left_on: Vec<Vec<usize>> = vec![Vec::new(); days as usize + 1];
    // Referrals waiting for the day a coordinator places them.
    let horizon = days as usize + 16;
    let mut waiting: Vec<Vec<usize>> = vec![Vec::new(); horizon];
    let blocks_per_day = net.places.len() as f64 / 1500.0;

    for t in 0..=days {
        // Repairs: a free place is blocked for a while.
        for _ in 0..rng.poisson(blocks_per_day) {
            let p = rng.below(net.places.len());
            let (from, until) = service[p];
            if t < from || t >= until || free_from[p] > t {
                continue;
            }
            let open_ended = t > days - 90 && rng.chance(0.03);
            let length = 2 + rng.below(28) as i32;
            free_from[p] = if open_ended { i32::MAX } else { t + length };
            out.blocks.push(BulkBlock {
                place_id: p as i64 + 1,
                from: cal.date(t),
                until: (!open_ended).then(|| cal.date(t + length - 1)),
                reason: rng.pick(BLOCK_REASONS).to_string(),
                created_at: cal.at(t, 8 * 60 + 30),
            });
        }
        // Today's referrals.
        for _ in 0..rng.poisson(arrivals_per_day) {
            let received = cal.at(t, 8 * 60 + rng.below(14 * 60) as i64);
            let person = match choose_person(rng, &who, &left_on, t, new_share) {
                Some(p) => p,
                None => {
                    // A new person's file is made with their first referral.
                    let x = rng.f64() * sum;
                    let muni = cumulative
                        .partition_point(|c| *c < x)
                        .min(weights.len() - 1);
                    let mut p = new_person(rng, net, muni, received);
                    p.id = out.persons.len() as i64 + 1;
                    out.persons.push(p);
                    who.push(Who {
                        free_from: 0,
                        deceased: false,
                    });
                    out.persons.len() - 1
                }
            };
            who[person].free_from = i32::MAX;
            let violence = out.persons[person].needs_women_only;
            let source = *rng.pick(ReferralSource::ALL);
            let referred_by = (source == ReferralSource::Municipality && rng.chance(0.1))
                .then(|| net.partners.first().copied())
                .flatten();
            let referral = BulkReferral {
                id: out.referrals.len() as i64 + 1,
                person_id: person as i64 + 1,
                organisation_id: net.provider,
                referred_by,
                source,
                urgency: *rng.pick(&[
                    Urgency::Normal,
                    Urgency::Normal,
                    Urgency::High,
                    Urgency::Crisis,
                ]),
                situation: rng
                    .pick(if violence {
                        &SITUATIONS[7..]
                    } else {
                        &SITUATIONS[..7]
                    })
                    .to_string(),
                received_at: received,
                state: ReferralState::Received,
                closed_at: None,
                close_reason: None,
                no_place: None,
            };
            let r = out.referrals.len();
            out.referrals.push(referral);
            // A few are withdrawn before anyone places them.
            if rng.chance(0.03) {
                let closed = (received + 3.hours()).min(cal.now - 1.minutes());
                if cal.day(tz.to_datetime(closed).date()) == t {
                    let rr = &mut out.referrals[r];
                    rr.state = ReferralState::Withdrawn;
                    rr.closed_at = Some(closed);
                    rr.close_reason = Some(rng.pick(CLOSE_REASONS).to_string());
                    who[person].free_from = t + 1;
                    continue;
                }
            }
            // Mostly placed the same day; some wait a few days.
            let delay = if rng.chance(0.82) {
                0
            } else {
                1 + rng.poisson(1.5).min(12)
            };
            waiting[t as usize + delay].push(r);
        }
        // Today's placements.
        let today_waiting = std::mem::take(&mut waiting[t as usize]);
        for r in today_waiting {
            let person = (out.referrals[r].person_id - 1) as usize;
            let received = out.referrals[r].received_at;
            let received_day = cal.day(tz.to_datetime(received).date());
            let at = if received_day == t {
                (received + (20 + rng.below(200) as i64).minutes()).min(cal.at(t, 23 * 60 + 59))
            } else {
                cal.at(t, 9 * 60 + rng.below(8 * 60) as i64)
            };
            let p = &out.persons[person];
            let found = find_place(net, &in_buurt, &in_muni, &service, &free_from, p, t);
            let own_area = matches!(
                found,
                Some((
                    _,
                    _,
                    Proximity::OwnNeighbourhood | Proximity::OwnMunicipality,
                    _
                ))
            );
            if !own_area {
                out.referrals[r].no_place = Some((p.own_municipality_id, at));
            }
            let Some((home, taken, proximity, distance_km)) = found else {
                let rr = &mut out.referrals[r];
                rr.state = ReferralState::AdvisedElsewhere;
                rr.closed_at = Some(at);
                rr.close_reason = Some(CLOSE_REASONS[1].to_string());
                who[person].free_from = t + 1;
                continue;
            };
            let h = &net.homes[home];
            let start = cal.date(t);
            // How long the stay lasts, by kind of home; no longer than its places serve.
            let (mean, cv) = match h.kind {
                HomeKind::Pitstop => (45.0, 0.9),
                HomeKind::CentralShelter => (30.0, 1.0),
                HomeKind::ShelterHome => (120.0, 0.6),
                HomeKind::FlipHome => (200.0, 0.5),
            };
            let los = (rng.lognormal(mean * size.length_of_stay, cv).round() as i32).clamp(1, 420);
            let served_until = taken
                .iter()
                .map(|p| service[*p].1)
                .min()
                .unwrap_or(i32::MAX);
            let mut end_day = t.saturating_add(los);
            let mut destination = pick_destination(rng, h.kind);
            let mut reason = String::new();
            if end_day > served_until {
                end_day = served_until;
                destination = Destination::OtherTemporary;
                reason = "Huis gesloten of plek buiten gebruik; elders opgevangen".into();
            }
            for p in &taken {
                free_from[*p] = end_day;
            }
            let exited = end_day <= days;
            let end = cal.date(end_day);
            let first_end = planned_end(start, h.kind.default_max_stay_months());
            // Extensions: decided ten days before the planned end, while the stay runs.
            let mut planned = first_end;
            let mut extensions = Vec::new();
            if end > planned && rng.chance(0.75) {
                let decided_by = rng.pick(DECIDERS).to_string();
                let why = rng.pick(EXTENSION_REASONS).to_string();
                // Some running stays still wait for the decision: overdue now (omklap
                // stays run 24 months and are rarely overdue). Draws nothing.
                let undecided = !exited && h.kind != HomeKind::FlipHome && start.day() % 3 == 0;
                for _ in 0..3 {
                    let decided = planned.saturating_sub(10.days());
                    let new_end = end
                        .saturating_add(14.days())
                        .min(planned.saturating_add(3.months()));
                    if undecided || decided > today || new_end <= planned {
                        break;
                    }
                    extensions.push(BulkExtension {
                        decided_by: decided_by.clone(),
                        reason: why.clone(),
                        previous_end: planned,
                        new_end,
                        decided_at: cal.at(cal.day(decided), 10 * 60 + 15),
                    });
                    planned = new_end;
                    if end <= planned {
                        break;
                    }
                }
            }
            // Milestones done around their date while the stay ran.
            let last_day = if exited { end } else { today };
            let mut done = [None; 3];
            for (k, m) in Milestone::ALL.iter().enumerate() {
                let due = m.due(start);
                let (reached, chance) = if exited {
                    (due < end, 0.93)
                } else {
                    (due <= today, 0.8)
                };
                if reached && rng.chance(chance) {
                    let late = rng.below(9) as i64 - 3;
                    done[k] = Some(due.saturating_add(late.days()).max(start).min(last_day));
                }
            }
            let ready_on = if exited {
                (destination.class() == DestinationClass::Permanent)
                    .then(|| end.saturating_sub((rng.below(40) as i64).days()))
                    .filter(|d| *d > start)
            } else {
                (t < days && rng.chance(0.12))
                    .then(|| cal.date(t + 1 + rng.below((days - t) as usize) as i32))
            };
            if destination == Destination::Deceased && exited {
                who[person].deceased = true;
            }
            who[person].free_from = end_day;
            if exited {
                left_on[end_day as usize].push(person);
            }
            let rr = &mut out.referrals[r];
            rr.state = ReferralState::Placed;
            rr.closed_at = Some(at);
            out.stays.push(BulkStay {
                id: out.stays.len() as i64 + 1,
                person_id: person as i64 + 1,
                home_id: home as i64 + 1,
                referral_id: Some(rr.id),
                places: taken.iter().map(|p| *p as i64 + 1).collect(),
                start,
                planned_end: planned,
                placed_at: at,
                proximity,
                distance_km,
                ready_on,
                exit: exited.then_some((end, destination, reason)),
                plan_done_on: done[0],
                evaluation_done_on: done[1],
                exit_preparation_done_on: done[2],
                extensions,
            });
        }
    }
    out
}

/// Someone coming back (some within two weeks of leaving, some later), or `None` for a
/// new person.
fn choose_person(
    rng: &mut Rng,
    who: &[Who],
    left_on: &[Vec<usize>],
    t: i32,
    new_share: f64,
) -> Option<usize> {
    if who.is_empty() || rng.chance(new_share) {
        return None;
    }
    let free = |p: usize| !who[p].deceased && who[p].free_from <= t;
    if rng.chance(0.3) && t > 0 {
        for _ in 0..4 {
            let day = (t - 1 - rng.below(14) as i32).max(0) as usize;
            if !left_on[day].is_empty() {
                let p = *rng.pick(&left_on[day]);
                if free(p) {
                    return Some(p);
                }
            }
        }
    }
    (0..8).map(|_| rng.below(who.len())).find(|p| free(*p))
}

fn new_person(rng: &mut Rng, net: &Network<'_>, muni: usize, created: Timestamp) -> BulkPerson {
    let m = &net.geo.municipalities[muni];
    let buurt = *rng.pick(&m.buurten);
    let woman = rng.chance(0.35);
    let violence = woman && rng.chance(0.15);
    BulkPerson {
        id: 0,
        organisation_id: net.provider,
        first_name: rng.pick(if woman { FIRST_W } else { FIRST_M }).to_string(),
        last_name: rng.pick(LAST).to_string(),
        gender: if woman { Gender::Woman } else { Gender::Man },
        date_of_birth: Date::new(
            1950 + rng.below(55) as i16,
            1 + rng.below(12) as i8,
            1 + rng.below(28) as i8,
        )
        .ok(),
        phone: Some(format!("06-{:08}", rng.next_u64() % 100_000_000)),
        household_size: if rng.chance(0.05) { 2 } else { 1 },
        needs_accessible: rng.chance(0.05),
        needs_pets: rng.chance(0.06),
        needs_women_only: violence,
        own_municipality_id: muni as i64 + 1,
        own_neighbourhood_id: Some(buurt as i64 + 1),
        avoid_neighbourhoods: if violence {
            vec![buurt as i64 + 1]
        } else {
            vec![]
        },
        created_at: created,
    }
}

/// The home a coordinator would pick: the best free one in the own neighbourhood, else in
/// the own municipality, else in the nearest municipality with room; small homes before the
/// central shelter, then the nearest. Returns the home, the places taken, proximity and
/// distance.
fn find_place(
    net: &Network<'_>,
    in_buurt: &[Vec<usize>],
    in_muni: &[Vec<usize>],
    service: &[(i32, i32)],
    free_from: &[i32],
    p: &BulkPerson,
    t: i32,
) -> Option<(usize, Vec<usize>, Proximity, f64)> {
    let buurt = p.own_neighbourhood_id.map(|b| (b - 1) as usize)?;
    let muni = (p.own_municipality_id - 1) as usize;
    let here = net.geo.buurten[buurt].point;
    let need = p.household_size as usize;
    let fits = |h: &Home| {
        (!h.rules.women_only || p.gender == Gender::Woman)
            && (h.rules.accessible || !p.needs_accessible)
            && (h.rules.pets_allowed || !p.needs_pets)
            && !p.avoid_neighbourhoods.contains(&(h.buurt as i64 + 1))
    };
    let free = |h: &Home| -> Option<Vec<usize>> {
        let v: Vec<usize> = h
            .places
            .iter()
            .copied()
            .filter(|&pl| {
                let (from, until) = service[pl];
                from <= t && t < until && free_from[pl] <= t
            })
            .take(need)
            .collect();
        (v.len() == need).then_some(v)
    };
    let best = |homes: &mut dyn Iterator<Item = usize>| {
        // (central shelter, metres), home, places, distance.
        type Choice = ((bool, u64), usize, Vec<usize>, f64);
        let mut best: Option<Choice> = None;
        for i in homes {
            let h = &net.homes[i];
            if !fits(h) {
                continue;
            }
            let d = here.distance_km(h.point);
            let key = (
                h.kind == HomeKind::CentralShelter,
                (d * 1000.0).round() as u64,
            );
            if best.as_ref().is_some_and(|b| b.0 <= key) {
                continue;
            }
            if let Some(places) = free(h) {
                best = Some((key, i, places, d));
            }
        }
        best.map(|b| (b.1, b.2, b.3))
    };
    if let Some((h, pl, d)) = best(&mut in_buurt[buurt].iter().copied()) {
        return Some((h, pl, Proximity::OwnNeighbourhood, d));
    }
    if let Some((h, pl, d)) = best(
        &mut in_muni[muni]
            .iter()
            .copied()
            .filter(|h| net.homes[*h].buurt != buurt),
    ) {
        return Some((h, pl, Proximity::OwnMunicipality, d));
    }
    for &other in &net.geo.municipalities[muni].nearest {
        if let Some((h, pl, d)) = best(&mut in_muni[other].iter().copied()) {
            return Some((h, pl, Proximity::Elsewhere, d));
        }
    }
    None
}
