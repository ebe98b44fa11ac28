//! Measures (§7): what "experimenting and improving" looks at. Pure functions over plain
//! records; the store fetches the records, the web layer shows the numbers.

use crate::placement::Proximity;
use crate::stay::{Destination, DestinationClass, days_between};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

/// Median, 90th percentile and mean of a sample; `None` fields for an empty sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Summary {
    pub count: usize,
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub mean: Option<f64>,
}

impl Summary {
    pub fn of(mut values: Vec<f64>) -> Self {
        values.retain(|v| v.is_finite());
        if values.is_empty() {
            return Summary::default();
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        Summary {
            count: n,
            median: Some(quantile(&values, 0.5)),
            p90: Some(quantile(&values, 0.9)),
            mean: Some(values.iter().sum::<f64>() / n as f64),
        }
    }
}

/// Linear-interpolated quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Share `part / whole`, `None` when there is nothing to divide.
pub fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// One placement as the measures see it.
#[derive(Debug, Clone, Copy)]
pub struct PlacementFact {
    pub received: jiff::Timestamp,
    pub placed: jiff::Timestamp,
    pub received_on: Date,
    pub placed_on: Date,
    pub proximity: Proximity,
    pub distance_km: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PlacementMeasures {
    /// Hours from referral to placement.
    pub hours_to_place: Summary,
    pub placed_same_day: Option<f64>,
    pub own_neighbourhood: Option<f64>,
    pub own_municipality: Option<f64>,
    pub within_10_km: Option<f64>,
}

pub fn placement_measures(facts: &[PlacementFact]) -> PlacementMeasures {
    let n = facts.len();
    let count = |f: &dyn Fn(&PlacementFact) -> bool| facts.iter().filter(|x| f(x)).count();
    PlacementMeasures {
        hours_to_place: Summary::of(
            facts
                .iter()
                .map(|f| f.placed.duration_since(f.received).as_secs_f64() / 3600.0)
                .collect(),
        ),
        placed_same_day: share(count(&|f| f.placed_on == f.received_on), n),
        own_neighbourhood: share(count(&|f| f.proximity == Proximity::OwnNeighbourhood), n),
        own_municipality: share(count(&|f| f.proximity != Proximity::Elsewhere), n),
        within_10_km: share(count(&|f| f.distance_km <= 10.0), n),
    }
}

/// One stay as the measures see it.
#[derive(Debug, Clone, Copy)]
pub struct StayFact {
    pub person: i64,
    pub start: Date,
    pub planned_end: Date,
    pub ready_on: Option<Date>,
    pub exit: Option<(Date, Destination)>,
    pub extensions: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StayMeasures {
    /// Days from start to exit, ended stays only.
    pub length_of_stay_days: Summary,
    pub exits_within_six_months: Option<f64>,
    pub extensions: usize,
    pub stays_with_extension: usize,
    pub overdue_now: usize,
    /// Exits per destination class, in the order of [`DestinationClass::ALL`].
    pub exits_by_class: Vec<(DestinationClass, usize)>,
    pub exits_to_own_home: Option<f64>,
    /// Days from ready-to-move-on until exit (or today for those still waiting).
    pub waiting_for_housing_days: Summary,
    /// Of exits to a permanent destination at least N months ago: share back within N months.
    pub returns: Vec<(i64, Option<f64>, usize)>,
}

/// A new stay counts as a return when it starts more than this many days after the exit.
pub const RETURN_GAP_DAYS: i64 = 14;

/// The windows of the returns measure, in calendar months after the exit.
pub const RETURN_MONTHS: [i64; 3] = [6, 12, 24];

/// Whether `person` started a stay more than [`RETURN_GAP_DAYS`] after `exit` and at most
/// `months` calendar months after it. `starts` is sorted by person and start date: one
/// binary search, never a scan.
pub fn returned_within(starts: &[(i64, Date)], person: i64, exit: Date, months: i64) -> bool {
    let earliest = exit.saturating_add((RETURN_GAP_DAYS + 1).days());
    let i = starts.partition_point(|&(p, d)| (p, d) < (person, earliest));
    starts
        .get(i)
        .is_some_and(|&(p, d)| p == person && d <= exit.saturating_add(months.months()))
}

/// Whether a stay ended within six calendar months of its start: on or before the same day
/// of the month six months later (the last day of that month when it has no such day).
pub fn within_six_months(start: Date, exit: Date) -> bool {
    exit <= start.saturating_add(6.months())
}

pub fn stay_measures(stays: &[StayFact], today: Date) -> StayMeasures {
    let ended: Vec<_> = stays
        .iter()
        .filter_map(|s| s.exit.map(|(d, dest)| (s, d, dest)))
        .collect();
    let within_six = ended
        .iter()
        .filter(|(s, d, _)| within_six_months(s.start, *d))
        .count();
    let exits_by_class = DestinationClass::ALL
        .iter()
        .map(|c| (*c, ended.iter().filter(|(_, _, d)| d.class() == *c).count()))
        .collect();
    let mut starts: Vec<(i64, Date)> = stays.iter().map(|s| (s.person, s.start)).collect();
    starts.sort_unstable();
    let returns = RETURN_MONTHS
        .into_iter()
        .map(|months| {
            let (mut back, mut observable) = (0, 0);
            for (s, d, dest) in &ended {
                if dest.class() != DestinationClass::Permanent
                    || d.saturating_add(months.months()) > today
                {
                    continue;
                }
                observable += 1;
                if returned_within(&starts, s.person, *d, months) {
                    back += 1;
                }
            }
            (months, share(back, observable), observable)
        })
        .collect();
    StayMeasures {
        length_of_stay_days: Summary::of(
            ended
                .iter()
                .map(|(s, d, _)| days_between(s.start, *d) as f64)
                .collect(),
        ),
        exits_within_six_months: share(within_six, ended.len()),
        extensions: stays.iter().map(|s| s.extensions).sum(),
        stays_with_extension: stays.iter().filter(|s| s.extensions > 0).count(),
        overdue_now: stays
            .iter()
            .filter(|s| s.exit.is_none() && today > s.planned_end)
            .count(),
        exits_to_own_home: share(
            ended.iter().filter(|(_, _, d)| d.is_own_home()).count(),
            ended.len(),
        ),
        exits_by_class,
        waiting_for_housing_days: Summary::of(
            stays
                .iter()
                .filter_map(|s| {
                    let r = s.ready_on?;
                    let until = s.exit.map(|e| e.0).unwrap_or(today);
                    Some(days_between(r, until).max(0) as f64)
                })
                .collect(),
        ),
        returns,
    }
}

/// Nights of `[from, to)` that fall inside `[period_from, period_to)`.
pub fn nights_in_period(from: Date, to: Date, period_from: Date, period_to: Date) -> i64 {
    let a = from.max(period_from);
    let b = to.min(period_to);
    days_between(a, b).max(0)
}

/// Occupancy: occupied place-nights / available place-nights (blocked nights excluded).
pub fn occupancy(occupied_nights: i64, place_nights: i64, blocked_nights: i64) -> Option<f64> {
    let available = place_nights - blocked_nights;
    (available > 0).then(|| occupied_nights as f64 / available as f64)
}

// ---------------------------------------------------------------------------------------
// Report measures by municipality, kind of home, home and month.
//
// The store fetches a period's narrow facts (numbers, dates and codes, no names); one pass
// here adds them up per group in a `Tally`; each measure is one function of a tally
// ([`MEASURES`]), so a new measure is one function and one entry there.
// ---------------------------------------------------------------------------------------

use crate::home::HomeKind;
use crate::period::{Month, Period, nights_per_month};
use crate::table::Cell;
use std::collections::HashMap;
use std::hash::Hash;

/// Where a home is and what kind it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HomeInfo {
    pub municipality: i64,
    pub kind: HomeKind,
}

/// A placement whose stay started in the period.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub home: i64,
    pub start: Date,
    /// Hours from referral to placement.
    pub hours: f64,
    pub same_day: bool,
    pub proximity: Proximity,
    pub distance_km: f64,
}

/// A stay that ended in the period.
#[derive(Debug, Clone, Copy)]
pub struct Ended {
    pub person: i64,
    pub home: i64,
    pub start: Date,
    pub ready_on: Option<Date>,
    pub exit: Date,
    pub destination: Destination,
}

/// A place's service and what happened on it; all intervals `[from, until)`.
#[derive(Debug, Clone, Copy)]
pub struct PlaceSpan {
    pub place: i64,
    pub home: i64,
    /// The later of the place's and the home's opening.
    pub from: Date,
    /// The earlier of the place's retirement and the home's closing, if any.
    pub until: Option<Date>,
}

/// An interval on one place: a stay holding it, or a block (its exclusive end is the day
/// after the block's inclusive `until_date`; open blocks and stays end at `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct OnPlace {
    pub place: i64,
    pub from: Date,
    pub until: Option<Date>,
}

/// Everything a report over one period needs, as fetched by the store.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub placed: Vec<Placed>,
    pub ended: Vec<Ended>,
    /// Starts of stays after the period's first day, of persons with a permanent exit in
    /// the period: `(person, start)` sorted.
    pub later_starts: Vec<(i64, Date)>,
    /// Extension decisions in the period: `(home, date)`.
    pub extensions: Vec<(i64, Date)>,
    /// Stays running past their planned end today: their homes.
    pub overdue_now: Vec<i64>,
    /// *Geen plek in eigen gebied*: `(municipality, date)`.
    pub no_place: Vec<(i64, Date)>,
    pub places: Vec<PlaceSpan>,
    pub held: Vec<OnPlace>,
    pub blocks: Vec<OnPlace>,
}

/// Where a fact belongs: the grouping key of a breakdown is read from this.
#[derive(Debug, Clone, Copy)]
pub struct At {
    pub home: Option<i64>,
    pub municipality: i64,
    pub kind: Option<HomeKind>,
    /// `None` for a fact about today (stays overdue now).
    pub month: Option<Month>,
}

/// The sums of one group; the measures are functions of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub hours_to_place: Vec<f64>,
    pub placed_same_day: i64,
    pub own_neighbourhood: i64,
    pub own_municipality: i64,
    pub within_10_km: i64,
    pub no_place: i64,
    pub occupied_nights: i64,
    pub available_nights: i64,
    pub exits: i64,
    pub stay_days: Vec<f64>,
    pub within_six_months: i64,
    /// In the order of [`DestinationClass::ALL`].
    pub exits_by_class: [i64; 5],
    pub to_own_home: i64,
    pub waiting_days: Vec<f64>,
    /// Per [`RETURN_MONTHS`]: (back in shelter, exits to a permanent destination observed).
    pub returns: [(i64, i64); 3],
    pub extensions: i64,
    pub overdue_now: i64,
}

/// Occupied and available place-nights per home and month of `period` (nights after
/// `today` are not counted). Available: nights the place is in service and not blocked.
/// Occupied: available nights on which a stay holds the place.
pub fn place_nights(
    facts: &Facts,
    period: &Period,
    today: Date,
) -> HashMap<(i64, usize), (i64, i64)> {
    let end = period.end().min(today.tomorrow().unwrap_or(today));
    let window = Period {
        from: period.from,
        to: end.yesterday().unwrap_or(end),
    };
    let mut out: HashMap<(i64, usize), (i64, i64)> = HashMap::new();
    if end <= period.from {
        return out;
    }
    let mut blocks = facts.blocks.clone();
    let mut held = facts.held.clone();
    blocks.sort_unstable();
    held.sort_unstable();
    let by_place = |v: &[OnPlace], place: i64| -> std::ops::Range<usize> {
        let a = v.partition_point(|x| x.place < place);
        let b = v.partition_point(|x| x.place <= place);
        a..b
    };
    for p in &facts.places {
        let from = p.from.max(period.from);
        let until = p.until.map_or(end, |u| u.min(end));
        if from >= until {
            continue;
        }
        let clip = |x: &OnPlace| (x.from.max(from), x.until.map_or(until, |u| u.min(until)));
        let blocked = merged(blocks[by_place(&blocks, p.place)].iter().map(clip));
        let holding = merged(held[by_place(&held, p.place)].iter().map(clip));
        let mut add = |i: usize, available: i64, occupied: i64| {
            let e = out.entry((p.home, i)).or_default();
            e.0 += occupied;
            e.1 += available;
        };
        nights_per_month(from, until, &window, |i, n| add(i, n, 0));
        for &(a, b) in &blocked {
            nights_per_month(a, b, &window, |i, n| add(i, -n, 0));
        }
        for &(a, b) in &holding {
            nights_per_month(a, b, &window, |i, n| add(i, 0, n));
        }
        // Nights both held and blocked are not available, so not occupied either.
        for (a, b) in intersections(&holding, &blocked) {
            nights_per_month(a, b, &window, |i, n| add(i, 0, -n));
        }
    }
    out
}

/// Sorted, non-empty intervals merged where they overlap or touch.
fn merged(spans: impl Iterator<Item = (Date, Date)>) -> Vec<(Date, Date)> {
    let mut v: Vec<(Date, Date)> = spans.filter(|(a, b)| a < b).collect();
    v.sort_unstable();
    let mut out: Vec<(Date, Date)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// The overlaps of two sorted lists of disjoint intervals (a linear merge).
fn intersections(x: &[(Date, Date)], y: &[(Date, Date)]) -> Vec<(Date, Date)> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < x.len() && j < y.len() {
        let a = x[i].0.max(y[j].0);
        let b = x[i].1.min(y[j].1);
        if a < b {
            out.push((a, b));
        }
        if x[i].1 < y[j].1 { i += 1 } else { j += 1 }
    }
    out
}

/// Adds up the facts per group. `key` says which group a fact belongs to (`None`: none
/// shown, e.g. a no-place event in a table per home). Facts of homes not in `homes` (other
/// municipalities under a filter) are left out; no-place events are taken as fetched.
pub fn tally<K: Hash + Eq>(
    facts: &Facts,
    homes: &HashMap<i64, HomeInfo>,
    period: &Period,
    today: Date,
    key: impl Fn(At) -> Option<K>,
) -> HashMap<K, Tally> {
    let nights = place_nights(facts, period, today);
    tally_with(facts, &nights, homes, period, today, key)
}

/// Occupied and available place-nights per (home, month index), as [`place_nights`]
/// gives them: computed once when a report adds up several groupings.
pub type PlaceNights = HashMap<(i64, usize), (i64, i64)>;

/// [`tally`] with the place-nights computed already.
pub fn tally_with<K: Hash + Eq>(
    facts: &Facts,
    nights: &PlaceNights,
    homes: &HashMap<i64, HomeInfo>,
    period: &Period,
    today: Date,
    key: impl Fn(At) -> Option<K>,
) -> HashMap<K, Tally> {
    let mut out: HashMap<K, Tally> = HashMap::new();
    let at_home = |home: i64, d: Option<Date>| {
        homes.get(&home).map(|h| At {
            home: Some(home),
            municipality: h.municipality,
            kind: Some(h.kind),
            month: d.map(Month::of),
        })
    };

    for p in &facts.placed {
        if let Some(t) = slot(&mut out, (at_home(p.home, Some(p.start))).and_then(&key)) {
            t.hours_to_place.push(p.hours);
            t.placed_same_day += p.same_day as i64;
            t.own_neighbourhood += (p.proximity == Proximity::OwnNeighbourhood) as i64;
            t.own_municipality += (p.proximity != Proximity::Elsewhere) as i64;
            t.within_10_km += (p.distance_km <= 10.0) as i64;
        }
    }
    for e in &facts.ended {
        let Some(t) = slot(&mut out, at_home(e.home, Some(e.exit)).and_then(&key)) else {
            continue;
        };
        t.exits += 1;
        t.stay_days.push(days_between(e.start, e.exit) as f64);
        t.within_six_months += within_six_months(e.start, e.exit) as i64;
        let class = e.destination.class();
        if let Some(i) = DestinationClass::ALL.iter().position(|c| *c == class) {
            t.exits_by_class[i] += 1;
        }
        t.to_own_home += e.destination.is_own_home() as i64;
        if let Some(r) = e.ready_on {
            t.waiting_days.push(days_between(r, e.exit).max(0) as f64);
        }
        if class == DestinationClass::Permanent {
            for (i, months) in RETURN_MONTHS.into_iter().enumerate() {
                if e.exit.saturating_add(months.months()) <= today {
                    t.returns[i].1 += 1;
                    if returned_within(&facts.later_starts, e.person, e.exit, months) {
                        t.returns[i].0 += 1;
                    }
                }
            }
        }
    }
    for &(home, d) in &facts.extensions {
        if let Some(t) = slot(&mut out, (at_home(home, Some(d))).and_then(&key)) {
            t.extensions += 1;
        }
    }
    for &home in &facts.overdue_now {
        if let Some(t) = slot(&mut out, (at_home(home, None)).and_then(&key)) {
            t.overdue_now += 1;
        }
    }
    for &(municipality, d) in &facts.no_place {
        let at = At {
            home: None,
            municipality,
            kind: None,
            month: Some(Month::of(d)),
        };
        if let Some(t) = slot(&mut out, (Some(at)).and_then(&key)) {
            t.no_place += 1;
        }
    }
    let months = period.months();
    for (&(home, i), &(occupied, available)) in nights {
        if let Some(t) = slot(
            &mut out,
            (at_home(home, months.get(i).map(|m| m.first_day()))).and_then(&key),
        ) {
            t.occupied_nights += occupied;
            t.available_nights += available;
        }
    }
    out
}

impl Tally {
    /// Adds another group's sums to this one: a coarser grouping from finer ones, which is
    /// what one pass over the facts per grouping would give (the samples in another order,
    /// which no measure of a sample depends on).
    pub fn absorb(&mut self, o: &Tally) {
        // Every field named: a new one does not compile until it is added up here too.
        let Tally {
            hours_to_place,
            placed_same_day,
            own_neighbourhood,
            own_municipality,
            within_10_km,
            no_place,
            occupied_nights,
            available_nights,
            exits,
            stay_days,
            within_six_months,
            exits_by_class,
            to_own_home,
            waiting_days,
            returns,
            extensions,
            overdue_now,
        } = o;
        self.hours_to_place.extend_from_slice(hours_to_place);
        self.placed_same_day += placed_same_day;
        self.own_neighbourhood += own_neighbourhood;
        self.own_municipality += own_municipality;
        self.within_10_km += within_10_km;
        self.no_place += no_place;
        self.occupied_nights += occupied_nights;
        self.available_nights += available_nights;
        self.exits += exits;
        self.stay_days.extend_from_slice(stay_days);
        self.within_six_months += within_six_months;
        for (a, b) in self.exits_by_class.iter_mut().zip(exits_by_class) {
            *a += b;
        }
        self.to_own_home += to_own_home;
        self.waiting_days.extend_from_slice(waiting_days);
        for (a, b) in self.returns.iter_mut().zip(returns) {
            a.0 += b.0;
            a.1 += b.1;
        }
        self.extensions += extensions;
        self.overdue_now += overdue_now;
    }
}

fn slot<K: Hash + Eq>(out: &mut HashMap<K, Tally>, key: Option<K>) -> Option<&mut Tally> {
    key.map(|k| out.entry(k).or_default())
}

/// One measure: its anchor on the definitions page, its Dutch name, its definition and how
/// it is read from a tally.
pub struct Measure {
    pub id: &'static str,
    pub name: &'static str,
    pub definition: &'static str,
    pub cell: fn(&Tally) -> Cell,
}

fn median_of(v: &[f64], decimals: u8) -> Cell {
    Cell::figure(quantile_of(v, 0.5), v.len(), decimals)
}

/// The quantile [`Summary::of`] gives (linear interpolation between the two nearest ranks
/// of the finite values), found by selection in linear time instead of a full sort: a
/// report asks for medians of a hundred thousand values per grouping.
pub fn quantile_of(values: &[f64], q: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    let pos = q * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let (_, a, rest) = v.select_nth_unstable_by(lo, f64::total_cmp);
    let a = *a;
    // The next rank up is the least of the values above the selected one.
    let b = if hi == lo {
        a
    } else {
        rest.iter().copied().min_by(f64::total_cmp).unwrap_or(a)
    };
    Some(a + (b - a) * (pos - lo as f64))
}

/// The mean of whole numbers (days): their sum is exact in any order, so this equals
/// [`Summary::of`]'s mean without sorting.
fn mean_of_whole(values: &[f64]) -> Option<f64> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn class_share(t: &Tally, class: DestinationClass) -> Cell {
    let i = DestinationClass::ALL
        .iter()
        .position(|c| *c == class)
        .unwrap_or(0);
    Cell::share(t.exits_by_class[i], t.exits)
}

/// Every measure of domain.md §7 that has data, in the order the reports show them.
pub const MEASURES: &[Measure] = &[
    Measure {
        id: "plaatsingen",
        name: "Plaatsingen",
        definition: "Het aantal verblijven dat in de periode begon na een aanmelding.",
        cell: |t| Cell::count(t.hours_to_place.len()),
    },
    Measure {
        id: "tijd-tot-plaatsing",
        name: "Tijd tot plaatsing, mediaan (uur)",
        definition: "Uren van de ontvangst van de aanmelding tot de plaatsing; de middelste waarde van de plaatsingen in de periode.",
        cell: |t| median_of(&t.hours_to_place, 1),
    },
    Measure {
        id: "tijd-tot-plaatsing-p90",
        name: "Tijd tot plaatsing, 90e percentiel (uur)",
        definition: "Binnen zoveel uur was 90% van de plaatsingen in de periode gedaan.",
        cell: |t| {
            Cell::figure(
                quantile_of(&t.hours_to_place, 0.9),
                t.hours_to_place.len(),
                1,
            )
        },
    },
    Measure {
        id: "dezelfde-dag",
        name: "Dezelfde dag geplaatst",
        definition: "Aandeel van de plaatsingen op de dag dat de aanmelding binnenkwam.",
        cell: |t| Cell::share(t.placed_same_day, t.hours_to_place.len()),
    },
    Measure {
        id: "eigen-buurt",
        name: "In de eigen buurt",
        definition: "Aandeel van de plaatsingen in een huis in de eigen buurt van de persoon.",
        cell: |t| Cell::share(t.own_neighbourhood, t.hours_to_place.len()),
    },
    Measure {
        id: "eigen-gemeente",
        name: "In de eigen gemeente",
        definition: "Aandeel van de plaatsingen in de eigen gemeente (de eigen buurt telt mee).",
        cell: |t| Cell::share(t.own_municipality, t.hours_to_place.len()),
    },
    Measure {
        id: "binnen-10-km",
        name: "Binnen 10 km",
        definition: "Aandeel van de plaatsingen op hoogstens 10 km van het midden van de eigen buurt.",
        cell: |t| Cell::share(t.within_10_km, t.hours_to_place.len()),
    },
    Measure {
        id: "geen-plek",
        name: "Geen plek in eigen gebied",
        definition: "Hoe vaak bij een aanmelding niets vrij was in de eigen gemeente van de persoon; geteld bij die gemeente en de maand waarin het gebeurde.",
        cell: |t| Cell::count(t.no_place),
    },
    Measure {
        id: "bezetting",
        name: "Bezetting",
        definition: "Bezette plek-nachten gedeeld door beschikbare plek-nachten. Een plek is beschikbaar vanaf de opening van plek en huis tot hun sluiting of buitengebruikstelling, behalve de nachten dat de plek geblokkeerd is (de einddatum van een blokkade telt mee). Nachten na vandaag tellen niet.",
        cell: |t| Cell::share(t.occupied_nights, t.available_nights),
    },
    Measure {
        id: "vertrekken",
        name: "Vertrekken",
        definition: "Het aantal verblijven dat in de periode eindigde.",
        cell: |t| Cell::count(t.exits),
    },
    Measure {
        id: "verblijfsduur",
        name: "Verblijfsduur, mediaan (dagen)",
        definition: "Dagen van begin tot vertrek van de verblijven die in de periode eindigden; de middelste waarde.",
        cell: |t| median_of(&t.stay_days, 0),
    },
    Measure {
        id: "verblijfsduur-gemiddeld",
        name: "Verblijfsduur, gemiddeld (dagen)",
        definition: "Dagen van begin tot vertrek van de verblijven die in de periode eindigden; het gemiddelde.",
        cell: |t| Cell::figure(mean_of_whole(&t.stay_days), t.stay_days.len(), 1),
    },
    Measure {
        id: "binnen-6-maanden",
        name: "Vertrokken binnen 6 maanden",
        definition: "Aandeel van de vertrekken binnen zes kalendermaanden na het begin: op of vóór dezelfde dag zes maanden later (bestaat die dag niet, dan de laatste dag van die maand; begin 29 februari 2024 telt tot en met 29 augustus 2024). Een verblijf van precies zes kalendermaanden telt mee, een dag langer niet.",
        cell: |t| Cell::share(t.within_six_months, t.exits),
    },
    Measure {
        id: "verlengingen",
        name: "Verlengingen",
        definition: "Het aantal besluiten tot verlenging in de periode.",
        cell: |t| Cell::count(t.extensions),
    },
    Measure {
        id: "over-einddatum",
        name: "Nu over de einddatum",
        definition: "Lopende verblijven die vandaag voorbij hun geplande einddatum zijn (hangt niet van de periode af).",
        cell: |t| Cell::count(t.overdue_now),
    },
    Measure {
        id: "uitstroom-permanent",
        name: "Uitstroom naar permanent",
        definition: "Aandeel van de vertrekken naar een eigen huurwoning, een eigen huurcontract via omklap of familie of vrienden.",
        cell: |t| class_share(t, DestinationClass::Permanent),
    },
    Measure {
        id: "uitstroom-instelling",
        name: "Uitstroom naar instelling",
        definition: "Aandeel van de vertrekken naar beschermd wonen of andere zorg, een kliniek of detentie.",
        cell: |t| class_share(t, DestinationClass::Institutional),
    },
    Measure {
        id: "uitstroom-tijdelijk",
        name: "Uitstroom naar tijdelijk",
        definition: "Aandeel van de vertrekken naar centrale opvang of een andere tijdelijke plek.",
        cell: |t| class_share(t, DestinationClass::Temporary),
    },
    Measure {
        id: "uitstroom-dakloos",
        name: "Uitstroom dakloos of onbekend",
        definition: "Aandeel van de vertrekken naar straat of naar een onbekende bestemming.",
        cell: |t| class_share(t, DestinationClass::HomelessOrUnknown),
    },
    Measure {
        id: "eigen-woning",
        name: "Naar een eigen woning (incl. omklap)",
        definition: "Aandeel van de vertrekken naar een eigen huurwoning of een eigen huurcontract via omklap.",
        cell: |t| Cell::share(t.to_own_home, t.exits),
    },
    Measure {
        id: "terugkeer-6",
        name: "Terug binnen 6 maanden",
        definition: "Van de vertrekken in de periode naar een permanente bestemming die minstens 6 kalendermaanden geleden zijn: het aandeel met een nieuw verblijf dat meer dan 14 dagen na het vertrek begon (na precies 14 dagen is het geen terugkeer, na 15 wel) en uiterlijk 6 kalendermaanden erna.",
        cell: |t| Cell::share(t.returns[0].0, t.returns[0].1),
    },
    Measure {
        id: "terugkeer-12",
        name: "Terug binnen 12 maanden",
        definition: "Als terug binnen 6 maanden, met 12 kalendermaanden; alleen vertrekken van minstens 12 maanden geleden tellen.",
        cell: |t| Cell::share(t.returns[1].0, t.returns[1].1),
    },
    Measure {
        id: "terugkeer-24",
        name: "Terug binnen 24 maanden",
        definition: "Als terug binnen 6 maanden, met 24 kalendermaanden; alleen vertrekken van minstens 24 maanden geleden tellen.",
        cell: |t| Cell::share(t.returns[2].0, t.returns[2].1),
    },
    Measure {
        id: "wachten-op-woning",
        name: "Wachten op woning, mediaan (dagen)",
        definition: "Dagen van uitstroomklaar tot vertrek, van de vertrekken in de periode die uitstroomklaar waren; de middelste waarde.",
        cell: |t| median_of(&t.waiting_days, 0),
    },
];

/// The cells of a tally, one per measure in the order of [`MEASURES`].
pub fn measure_cells(t: &Tally) -> Vec<Cell> {
    MEASURES.iter().map(|m| (m.cell)(t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn summary_median_p90_mean() {
        let s = Summary::of((1..=10).map(f64::from).collect());
        assert_eq!(s.count, 10);
        assert_eq!(s.median, Some(5.5));
        assert!((s.p90.unwrap() - 9.1).abs() < 1e-9);
        assert_eq!(s.mean, Some(5.5));
        assert_eq!(Summary::of(vec![]).median, None);
    }

    #[test]
    fn selected_quantiles_equal_the_sorted_ones() {
        let mut x: u64 = 7;
        for n in [1usize, 2, 3, 10, 11, 101, 1000] {
            let v: Vec<f64> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x % 5000) as f64 / 7.0
                })
                .collect();
            let s = Summary::of(v.clone());
            assert_eq!(quantile_of(&v, 0.5), s.median, "median of {n}");
            assert_eq!(quantile_of(&v, 0.9), s.p90, "p90 of {n}");
            let whole: Vec<f64> = v.iter().map(|d| d.floor()).collect();
            assert_eq!(mean_of_whole(&whole), Summary::of(whole.clone()).mean);
        }
        assert_eq!(quantile_of(&[], 0.5), None);
        assert_eq!(quantile_of(&[f64::NAN, 2.0], 0.5), Some(2.0));
    }

    #[test]
    fn placement_shares() {
        let t = |h: i64| jiff::Timestamp::from_second(1_700_000_000 + h * 3600).unwrap();
        let d = date(2026, 1, 1);
        let f = |p, km, hours: i64, same| PlacementFact {
            received: t(0),
            placed: t(hours),
            received_on: d,
            placed_on: if same { d } else { date(2026, 1, 2) },
            proximity: p,
            distance_km: km,
        };
        let m = placement_measures(&[
            f(Proximity::OwnNeighbourhood, 0.5, 1, true),
            f(Proximity::OwnMunicipality, 3.0, 2, true),
            f(Proximity::Elsewhere, 12.0, 30, false),
            f(Proximity::Elsewhere, 8.0, 3, true),
        ]);
        assert_eq!(m.own_neighbourhood, Some(0.25));
        assert_eq!(m.own_municipality, Some(0.5));
        assert_eq!(m.within_10_km, Some(0.75));
        assert_eq!(m.placed_same_day, Some(0.75));
        assert_eq!(m.hours_to_place.median, Some(2.5));
    }

    #[test]
    fn stays_exits_and_returns() {
        let s = |person, start: Date, exit: Option<(Date, Destination)>, ready: Option<Date>| {
            StayFact {
                person,
                start,
                planned_end: start.saturating_add(6.months()),
                ready_on: ready,
                exit,
                extensions: 0,
            }
        };
        let today = date(2026, 1, 1);
        let stays = [
            s(
                1,
                date(2024, 1, 1),
                Some((date(2024, 3, 1), Destination::OwnRentedHome)),
                Some(date(2024, 2, 20)),
            ),
            s(
                1,
                date(2024, 5, 1),
                Some((date(2024, 6, 1), Destination::Clinic)),
                None,
            ),
            s(
                2,
                date(2024, 1, 1),
                Some((date(2024, 9, 1), Destination::Street)),
                None,
            ),
            s(3, date(2025, 9, 1), None, Some(date(2025, 12, 1))),
        ];
        let m = stay_measures(&stays, today);
        assert_eq!(m.length_of_stay_days.count, 3);
        assert_eq!(m.exits_within_six_months, Some(2.0 / 3.0));
        assert_eq!(m.overdue_now, 0);
        assert_eq!(m.exits_to_own_home, Some(1.0 / 3.0));
        let perm = m
            .exits_by_class
            .iter()
            .find(|c| c.0 == DestinationClass::Permanent)
            .unwrap();
        assert_eq!(perm.1, 1);
        // Person 1 went home on 1 Mar 2024 and was back on 1 May: a return within 6 months.
        assert_eq!(m.returns[0], (6, Some(1.0), 1));
        // Waiting for housing: 10 days (ended) and 31 days (still waiting).
        assert_eq!(m.waiting_for_housing_days.count, 2);
        assert_eq!(m.waiting_for_housing_days.mean, Some(20.5));
    }

    #[test]
    fn occupancy_excludes_blocked_nights() {
        assert_eq!(
            nights_in_period(
                date(2026, 1, 10),
                date(2026, 2, 10),
                date(2026, 2, 1),
                date(2026, 3, 1)
            ),
            9
        );
        assert_eq!(
            nights_in_period(
                date(2026, 3, 10),
                date(2026, 4, 10),
                date(2026, 2, 1),
                date(2026, 3, 1)
            ),
            0
        );
        assert_eq!(occupancy(50, 100, 20), Some(0.625));
        assert_eq!(occupancy(0, 10, 10), None);
    }

    #[test]
    fn a_return_starts_more_than_fourteen_days_after_the_exit() {
        let exit = date(2025, 1, 10);
        let starts = vec![
            (1, date(2025, 1, 24)),
            (2, date(2025, 1, 25)),
            (3, date(2025, 7, 11)),
        ];
        assert!(
            !returned_within(&starts, 1, exit, 6),
            "after exactly 14 days"
        );
        assert!(returned_within(&starts, 2, exit, 6), "after 15 days");
        // Six calendar months after 10 January is 10 July: the 11th is too late.
        assert!(!returned_within(&starts, 3, exit, 6));
        assert!(returned_within(&starts, 3, exit, 12));
        assert!(!returned_within(&starts, 4, exit, 24));
    }

    #[test]
    fn six_calendar_months_from_the_start_day() {
        assert!(within_six_months(date(2025, 3, 15), date(2025, 9, 15)));
        assert!(!within_six_months(date(2025, 3, 15), date(2025, 9, 16)));
        assert!(within_six_months(date(2024, 2, 29), date(2024, 8, 29)));
        assert!(!within_six_months(date(2024, 2, 29), date(2024, 8, 30)));
        // 31 August + 6 months: the last day of February.
        assert!(within_six_months(date(2023, 8, 31), date(2024, 2, 29)));
        assert!(!within_six_months(date(2023, 8, 31), date(2024, 3, 1)));
    }

    #[test]
    fn place_nights_from_opening_to_retirement_without_blocked_nights() {
        let period = Period::new(date(2026, 1, 1), date(2026, 2, 28)).unwrap();
        let facts = Facts {
            places: vec![
                // Opened on 20 January, retired on 10 February.
                PlaceSpan {
                    place: 1,
                    home: 7,
                    from: date(2026, 1, 20),
                    until: Some(date(2026, 2, 10)),
                },
            ],
            // Held from before the period to 25 January; blocked 24-26 January (inclusive).
            held: vec![OnPlace {
                place: 1,
                from: date(2025, 12, 1),
                until: Some(date(2026, 1, 25)),
            }],
            blocks: vec![
                OnPlace {
                    place: 1,
                    from: date(2026, 1, 24),
                    until: Some(date(2026, 1, 27)),
                },
                // Overlapping the first: counted once.
                OnPlace {
                    place: 1,
                    from: date(2026, 1, 25),
                    until: Some(date(2026, 1, 26)),
                },
            ],
            ..Facts::default()
        };
        let n = place_nights(&facts, &period, date(2026, 12, 31));
        // January: 12 nights in service (20-31), 3 blocked; held 20-24, of which the 24th
        // is blocked: 4 occupied. February: 9 nights (1-9).
        assert_eq!(n[&(7, 0)], (4, 9));
        assert_eq!(n[&(7, 1)], (0, 9));
        // Nights after today do not count.
        let n = place_nights(&facts, &period, date(2026, 1, 21));
        assert_eq!(n[&(7, 0)], (2, 2));
        assert!(!n.contains_key(&(7, 1)));
    }

    #[test]
    fn a_tally_groups_facts_by_their_home() {
        let homes: HashMap<i64, HomeInfo> = [
            (
                1,
                HomeInfo {
                    municipality: 10,
                    kind: HomeKind::Pitstop,
                },
            ),
            (
                2,
                HomeInfo {
                    municipality: 20,
                    kind: HomeKind::ShelterHome,
                },
            ),
        ]
        .into();
        let period = Period::new(date(2026, 1, 1), date(2026, 1, 31)).unwrap();
        let ended = |home, dest| Ended {
            person: home,
            home,
            start: date(2025, 12, 1),
            ready_on: Some(date(2026, 1, 1)),
            exit: date(2026, 1, 11),
            destination: dest,
        };
        let facts = Facts {
            ended: vec![
                ended(1, Destination::OwnRentedHome),
                ended(2, Destination::Street),
                // A home outside the scope is left out.
                ended(3, Destination::Street),
            ],
            no_place: vec![(30, date(2026, 1, 5))],
            overdue_now: vec![2],
            ..Facts::default()
        };
        let t = tally(&facts, &homes, &period, date(2026, 2, 1), |a| {
            Some(a.municipality)
        });
        assert_eq!(t[&10].exits, 1);
        assert_eq!(t[&10].to_own_home, 1);
        assert_eq!(t[&10].waiting_days, vec![10.0]);
        assert_eq!(t[&20].exits_by_class[3], 1);
        assert_eq!(t[&20].overdue_now, 1);
        assert_eq!(t[&30].no_place, 1);
        let by_month = tally(&facts, &homes, &period, date(2026, 2, 1), |a| a.month);
        // Overdue-now belongs to no month.
        assert_eq!(by_month.values().map(|t| t.overdue_now).sum::<i64>(), 0);
        let cells = measure_cells(&t[&10]);
        assert_eq!(cells.len(), MEASURES.len());
    }
}
