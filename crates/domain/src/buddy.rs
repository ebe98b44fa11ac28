//! Buddies (maatjes): screening, suggestions for one resident, the best assignment of all
//! waiting residents at once, and the rhythm of check-ins (domain.md §5).

use crate::code_enum;
use crate::geo::GeoPoint;
use crate::labels::Label;
use jiff::ToSpan;
use jiff::civil::Date;
use pathfinding::prelude::{Matrix, kuhn_munkres};

/// Default years a VOG certificate counts from its screening date.
pub const VOG_YEARS: u8 = 3;
/// The coordinator sees who expires within this many days.
pub const VOG_WARNING_DAYS: i64 = 30;
/// Default weeks between check-ins of a match.
pub const CHECK_IN_WEEKS: u8 = 4;

code_enum! {
    /// What a buddy likes doing, and what a resident would like to do with one.
    Interest {
        Sport = "sport",
        Music = "music",
        Cooking = "cooking",
        Walking = "walking",
        Creative = "creative",
        Paperwork = "paperwork",
        Language = "language",
        Games = "games",
        Nature = "nature",
        Other = "other",
    }
}

code_enum! {
    /// Why a resident and a buddy meet.
    MatchPurpose {
        Hobby = "hobby",
        Paperwork = "paperwork",
        Company = "company",
    }
}

code_enum! {
    /// Whether a buddy takes part now.
    BuddyStatus {
        Active = "active",
        Paused = "paused",
    }
}

/// A set of interests, stored as a bit per [`Interest`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Interests(pub u16);

impl Interests {
    pub fn of(list: &[Interest]) -> Self {
        Interests(list.iter().fold(0, |acc, i| acc | Self::bit(*i)))
    }

    fn bit(i: Interest) -> u16 {
        1 << Interest::ALL.iter().position(|x| *x == i).unwrap_or(0)
    }

    pub fn contains(self, i: Interest) -> bool {
        self.0 & Self::bit(i) != 0
    }

    pub fn and(self, other: Interests) -> Interests {
        Interests(self.0 & other.0)
    }

    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Interest> {
        Interest::ALL
            .iter()
            .copied()
            .filter(move |i| self.contains(*i))
    }

    /// Comma-separated codes, as stored: `cooking,walking`.
    pub fn codes(self) -> String {
        self.iter()
            .map(Interest::code)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads stored codes; unknown codes are skipped.
    pub fn from_codes(s: &str) -> Self {
        Self::of(
            &s.split(',')
                .filter_map(|c| Interest::parse(c.trim()))
                .collect::<Vec<_>>(),
        )
    }
}

/// The date a VOG certificate screened on `screened_on` stops counting.
pub fn vog_expires(screened_on: Date, years: u8) -> Date {
    screened_on
        .checked_add(i64::from(years).years())
        .unwrap_or(Date::MAX)
}

/// The VOG still counts on `today`.
pub fn vog_valid(screened_on: Date, years: u8, today: Date) -> bool {
    today < vog_expires(screened_on, years)
}

/// The VOG still counts today but stops within [`VOG_WARNING_DAYS`].
pub fn vog_expiring_soon(screened_on: Date, years: u8, today: Date) -> bool {
    let expires = vog_expires(screened_on, years);
    today < expires
        && expires
            <= today
                .checked_add(VOG_WARNING_DAYS.days())
                .unwrap_or(Date::MAX)
}

/// When the next check-in of a match is due: `every_weeks` after the last one (or the start).
pub fn check_in_due(last_or_start: Date, every_weeks: u8) -> Date {
    last_or_start
        .checked_add((i64::from(every_weeks) * 7).days())
        .unwrap_or(Date::MAX)
}

/// The check-in is overdue on `today`.
pub fn check_in_overdue(last_or_start: Date, every_weeks: u8, today: Date) -> bool {
    today > check_in_due(last_or_start, every_weeks)
}

/// The check-in moments of one match that fell due up to `until` (exclusive), each with
/// whether a check-in came in time: a moment falls due `every_weeks` after the start or the
/// check-in before it; a check-in by then meets it. A moment that passes without one is
/// missed, and the next falls due a rhythm later (or a rhythm after the late check-in).
/// No moment falls due after the match ended.
pub fn check_in_moments(
    started_on: Date,
    ended_on: Option<Date>,
    every_weeks: u8,
    check_ins: &[Date],
    until: Date,
) -> Vec<(Date, bool)> {
    let every = every_weeks.max(1);
    let last = ended_on.map_or(until, |e| e.tomorrow().unwrap_or(e).min(until));
    let mut out = Vec::new();
    let mut due = check_in_due(started_on, every);
    let mut next = check_ins
        .iter()
        .copied()
        .filter(|c| *c >= started_on)
        .peekable();
    while due < last {
        match next.peek().copied() {
            Some(c) if c <= due => {
                out.push((due, true));
                // More check-ins by the same moment meet it once; the rhythm runs on from
                // the latest of them.
                let mut latest = c;
                while let Some(d) = next.next_if(|d| *d <= due) {
                    latest = d;
                }
                due = check_in_due(latest, every);
            }
            Some(c) if c < last => {
                out.push((due, false));
                next.next();
                due = check_in_due(c, every);
            }
            _ => {
                out.push((due, false));
                due = check_in_due(due, every);
            }
        }
    }
    out
}

/// Why a buddy can take no new match today, in Dutch; `None` when they can.
pub fn blocked(
    status: BuddyStatus,
    vog_screened_on: Option<Date>,
    vog_years: u8,
    active_matches: u32,
    capacity: u32,
    today: Date,
) -> Option<String> {
    if status == BuddyStatus::Paused {
        return Some("dit maatje staat op pauze".into());
    }
    match vog_screened_on {
        None => return Some("van dit maatje is geen VOG bekend".into()),
        Some(d) if !vog_valid(d, vog_years, today) => {
            return Some(format!(
                "de VOG van dit maatje is verlopen op {}",
                crate::labels::date(vog_expires(d, vog_years))
            ));
        }
        Some(_) => {}
    }
    if active_matches >= capacity {
        return Some(format!(
            "dit maatje heeft al {active_matches} koppeling(en), het maximum"
        ));
    }
    None
}

/// What a resident would like from a buddy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wish {
    pub purpose: MatchPurpose,
    pub interests: Interests,
    /// Where the resident lives (the house).
    pub location: GeoPoint,
}

/// A buddy who can take a new match.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub id: i64,
    pub interests: Interests,
    /// The middle of the buddy's home area.
    pub location: GeoPoint,
    /// How many more matches they can take.
    pub free_slots: u32,
}

/// How well a buddy fits a wish.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub buddy: i64,
    pub score: i64,
    pub purpose_fits: bool,
    pub shared: Interests,
    pub km: f64,
}

const HOBBIES: &[Interest] = &[
    Interest::Sport,
    Interest::Music,
    Interest::Cooking,
    Interest::Walking,
    Interest::Creative,
    Interest::Games,
    Interest::Nature,
];

/// Whether a buddy's interests serve the purpose: paperwork needs a buddy who likes
/// paperwork, a hobby a shared hobby; company anyone can give.
pub fn purpose_fits(purpose: MatchPurpose, wish: Interests, buddy: Interests) -> bool {
    match purpose {
        MatchPurpose::Paperwork => buddy.contains(Interest::Paperwork),
        MatchPurpose::Hobby => HOBBIES
            .iter()
            .any(|h| wish.contains(*h) && buddy.contains(*h)),
        MatchPurpose::Company => true,
    }
}

/// The score of a buddy for a wish: 40 for fitting the purpose, 15 per shared interest, and
/// up to 30 for being near (2 less per kilometre).
pub fn fit(wish: &Wish, c: &Candidate) -> Fit {
    let shared = wish.interests.and(c.interests);
    let purpose_fits = purpose_fits(wish.purpose, wish.interests, c.interests);
    let km = wish.location.distance_km(c.location);
    let near = (30.0 - 2.0 * km).max(0.0).round() as i64;
    let score = if purpose_fits { 40 } else { 0 } + 15 * i64::from(shared.len()) + near;
    Fit {
        buddy: c.id,
        score,
        purpose_fits,
        shared,
        km,
    }
}

/// Why a buddy is suggested, in one Dutch sentence.
pub fn explain(purpose: MatchPurpose, f: &Fit) -> String {
    let purpose = if f.purpose_fits {
        format!("Past bij het doel {}", purpose.label())
    } else {
        format!("Past niet bij het doel {}", purpose.label())
    };
    let shared = match f.shared.len() {
        0 => "deelt geen interesses".to_owned(),
        1 => format!(
            "deelt de interesse {}",
            f.shared.iter().map(|i| i.label()).collect::<String>()
        ),
        n => format!(
            "deelt {n} interesses ({})",
            f.shared
                .iter()
                .map(|i| i.label())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let km = format!("{:.1}", f.km).replace('.', ",");
    format!("{purpose}, {shared} en woont op {km} km afstand.")
}

/// The best `n` buddies for a wish, best first (ties: nearer, then lower id).
pub fn suggest(wish: &Wish, candidates: &[Candidate], n: usize) -> Vec<Fit> {
    let mut fits: Vec<Fit> = candidates
        .iter()
        .filter(|c| c.free_slots > 0)
        .map(|c| fit(wish, c))
        .collect();
    let key = |a: &Fit, b: &Fit| {
        b.score
            .cmp(&a.score)
            .then(a.km.total_cmp(&b.km))
            .then(a.buddy.cmp(&b.buddy))
    };
    if fits.len() > n {
        fits.select_nth_unstable_by(n, key);
        fits.truncate(n);
    }
    fits.sort_by(key);
    fits
}

/// A proposed pair: the index of the wish and of the candidate, and its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub wish: usize,
    pub buddy: usize,
    pub score: i64,
}

/// Pairs all waiting residents with free buddies at once so that the total score is
/// highest (Kuhn–Munkres); a buddy with `k` free slots takes part as `k` slots. Pairs that
/// score nothing are left out: better no buddy than one who fits in no way.
pub fn best_assignment(wishes: &[Wish], candidates: &[Candidate]) -> Vec<Pair> {
    let slots: Vec<usize> = candidates
        .iter()
        .enumerate()
        .flat_map(|(i, c)| std::iter::repeat_n(i, c.free_slots as usize))
        .collect();
    if wishes.is_empty() || slots.is_empty() {
        return Vec::new();
    }
    // Each resident×buddy score once: a buddy's slots share one column of scores.
    let scores: Vec<i64> = wishes
        .iter()
        .flat_map(|w| candidates.iter().map(move |c| fit(w, c).score.max(0)))
        .collect();
    let per_wish = candidates.len();
    let weight = |w: usize, s: usize| scores[w * per_wish + slots[s]];
    let transposed = wishes.len() > slots.len();
    let (rows, cols) = if transposed {
        (slots.len(), wishes.len())
    } else {
        (wishes.len(), slots.len())
    };
    let mut data = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        if transposed {
            data.extend((0..cols).map(|c| weight(c, r)));
        } else {
            data.extend((0..cols).map(|c| weight(r, c)));
        }
    }
    let Ok(matrix) = Matrix::from_vec(rows, cols, data) else {
        return Vec::new();
    };
    let (_, assignment) = kuhn_munkres(&matrix);
    let mut pairs: Vec<Pair> = assignment
        .into_iter()
        .enumerate()
        .map(|(r, c)| {
            let (w, s) = if transposed { (c, r) } else { (r, c) };
            Pair {
                wish: w,
                buddy: slots[s],
                score: matrix[(r, c)],
            }
        })
        .filter(|p| p.score > 0)
        .collect();
    pairs.sort_by_key(|p| p.wish);
    pairs
}

/// Pairs each wish in turn with the best free slot left: the baseline the best assignment
/// must match or beat.
pub fn greedy_assignment(wishes: &[Wish], candidates: &[Candidate]) -> Vec<Pair> {
    let mut free: Vec<u32> = candidates.iter().map(|c| c.free_slots).collect();
    let mut pairs = Vec::new();
    for (w, wish) in wishes.iter().enumerate() {
        let best = candidates
            .iter()
            .enumerate()
            .filter(|(i, _)| free[*i] > 0)
            .map(|(i, c)| (i, fit(wish, c).score))
            .filter(|(_, s)| *s > 0)
            .max_by_key(|(i, s)| (*s, std::cmp::Reverse(*i)));
        if let Some((i, score)) = best {
            free[i] -= 1;
            pairs.push(Pair {
                wish: w,
                buddy: i,
                score,
            });
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn check_in_moments_count_on_time_late_and_missed() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let start = d("2026-01-01");
        // Every 2 weeks: due 15 Jan (met on 10 Jan), then 24 Jan (met late, on 30 Jan),
        // then 13 Feb and 27 Feb (both missed), up to 1 March.
        assert_eq!(
            check_in_moments(
                start,
                None,
                2,
                &[d("2026-01-10"), d("2026-01-30")],
                d("2026-03-01"),
            ),
            vec![
                (d("2026-01-15"), true),
                (d("2026-01-24"), false),
                (d("2026-02-13"), false),
                (d("2026-02-27"), false),
            ]
        );
        // Two check-ins by one moment meet it once, and the rhythm runs from the later one;
        // after the match ended nothing falls due.
        assert_eq!(
            check_in_moments(
                start,
                Some(d("2026-01-20")),
                2,
                &[d("2026-01-03"), d("2026-01-12")],
                d("2026-06-01"),
            ),
            vec![(d("2026-01-15"), true)]
        );
        // Nothing falls due before the first rhythm has passed.
        assert!(check_in_moments(start, None, 4, &[], d("2026-01-29")).is_empty());
        assert_eq!(
            check_in_moments(start, None, 4, &[], d("2026-01-30")),
            vec![(d("2026-01-29"), false)]
        );
    }

    fn p(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint { lat, lon }
    }

    const HOME: GeoPoint = GeoPoint {
        lat: 52.37,
        lon: 4.89,
    };

    fn cand(id: i64, interests: &[Interest], km_east: f64, slots: u32) -> Candidate {
        // One degree of longitude at 52.37° N is about 68 km.
        Candidate {
            id,
            interests: Interests::of(interests),
            location: p(HOME.lat, HOME.lon + km_east / 68.0),
            free_slots: slots,
        }
    }

    #[test]
    fn interests_round_trip_through_their_codes() {
        let i = Interests::of(&[Interest::Cooking, Interest::Walking]);
        assert_eq!(i.codes(), "cooking,walking");
        assert_eq!(Interests::from_codes("cooking, walking,unknown"), i);
        assert_eq!(i.len(), 2);
    }

    #[test]
    fn vog_expires_after_the_policy_years_and_warns_thirty_days_ahead() {
        let screened = date(2023, 3, 1);
        assert_eq!(vog_expires(screened, 3), date(2026, 3, 1));
        assert!(vog_valid(screened, 3, date(2026, 2, 28)));
        assert!(!vog_valid(screened, 3, date(2026, 3, 1)));
        assert!(vog_expiring_soon(screened, 3, date(2026, 1, 30)));
        assert!(!vog_expiring_soon(screened, 3, date(2026, 1, 29)));
        assert!(!vog_expiring_soon(screened, 3, date(2026, 3, 1)));
        assert!(vog_valid(screened, 5, date(2027, 6, 1)));
    }

    #[test]
    fn a_buddy_is_blocked_with_a_reason() {
        let today = date(2026, 6, 1);
        let ok = Some(date(2025, 1, 1));
        assert_eq!(blocked(BuddyStatus::Active, ok, 3, 0, 1, today), None);
        assert!(
            blocked(BuddyStatus::Paused, ok, 3, 0, 1, today)
                .unwrap()
                .contains("pauze")
        );
        let expired = blocked(BuddyStatus::Active, Some(date(2023, 1, 1)), 3, 0, 1, today);
        assert_eq!(
            expired.as_deref(),
            Some("de VOG van dit maatje is verlopen op 1 jan 2026")
        );
        assert!(
            blocked(BuddyStatus::Active, ok, 3, 2, 2, today)
                .unwrap()
                .contains("maximum")
        );
        assert!(blocked(BuddyStatus::Active, None, 3, 0, 1, today).is_some());
    }

    #[test]
    fn check_ins_fall_due_every_n_weeks() {
        let start = date(2026, 5, 1);
        assert_eq!(check_in_due(start, 4), date(2026, 5, 29));
        assert!(!check_in_overdue(start, 4, date(2026, 5, 29)));
        assert!(check_in_overdue(start, 4, date(2026, 5, 30)));
        assert!(!check_in_overdue(start, 6, date(2026, 5, 30)));
    }

    #[test]
    fn suggestions_rank_purpose_then_interests_then_distance() {
        let wish = Wish {
            purpose: MatchPurpose::Paperwork,
            interests: Interests::of(&[Interest::Paperwork, Interest::Cooking]),
            location: HOME,
        };
        let cs = [
            cand(1, &[Interest::Cooking], 1.0, 1),
            cand(2, &[Interest::Paperwork, Interest::Cooking], 4.0, 1),
            cand(3, &[Interest::Paperwork], 1.0, 1),
            cand(4, &[Interest::Paperwork, Interest::Cooking], 2.0, 1),
            cand(5, &[Interest::Paperwork, Interest::Cooking], 0.5, 0),
        ];
        let ranked: Vec<i64> = suggest(&wish, &cs, 10).iter().map(|f| f.buddy).collect();
        // 5 is full; 4 beats 2 on distance; 3 fits the purpose with one interest.
        assert_eq!(ranked, vec![4, 2, 3, 1]);
        assert_eq!(suggest(&wish, &cs, 2).len(), 2);
        let best = suggest(&wish, &cs, 1)[0];
        assert_eq!(
            explain(MatchPurpose::Paperwork, &best),
            "Past bij het doel administratie, deelt 2 interesses (koken, administratie) en woont op 2,0 km afstand."
        );
        let last = fit(&wish, &cs[0]);
        assert_eq!(
            explain(MatchPurpose::Paperwork, &last),
            "Past niet bij het doel administratie, deelt de interesse koken en woont op 1,0 km afstand."
        );
    }

    #[test]
    fn a_buddy_with_two_slots_takes_two_residents() {
        let w = |i: Interest| Wish {
            purpose: MatchPurpose::Hobby,
            interests: Interests::of(&[i]),
            location: HOME,
        };
        let wishes = [w(Interest::Music), w(Interest::Music), w(Interest::Sport)];
        let cs = [
            cand(1, &[Interest::Music], 1.0, 2),
            cand(2, &[Interest::Sport], 1.0, 1),
        ];
        let pairs = best_assignment(&wishes, &cs);
        assert_eq!(
            pairs.iter().map(|p| (p.wish, p.buddy)).collect::<Vec<_>>(),
            vec![(0, 0), (1, 0), (2, 1)]
        );
        // More residents than slots: the best ones are served.
        let pairs = best_assignment(&wishes, &cs[1..]);
        assert_eq!(
            pairs.iter().map(|p| (p.wish, p.buddy)).collect::<Vec<_>>(),
            vec![(2, 0)]
        );
        assert!(best_assignment(&[], &cs).is_empty());
    }

    #[test]
    fn greedy_can_lose_where_the_optimum_does_not() {
        // Greedy gives the paperwork buddy to the first resident, who would also be happy
        // with company; the second one needs paperwork help.
        let wishes = [
            Wish {
                purpose: MatchPurpose::Company,
                interests: Interests::of(&[Interest::Paperwork]),
                location: HOME,
            },
            Wish {
                purpose: MatchPurpose::Paperwork,
                interests: Interests::default(),
                location: HOME,
            },
        ];
        let cs = [
            cand(1, &[Interest::Paperwork], 0.0, 1),
            cand(2, &[], 0.0, 1),
        ];
        let total = |ps: &[Pair]| ps.iter().map(|p| p.score).sum::<i64>();
        assert!(total(&best_assignment(&wishes, &cs)) > total(&greedy_assignment(&wishes, &cs)));
    }

    fn interests() -> impl Strategy<Value = Interests> {
        (0u16..(1 << Interest::ALL.len())).prop_map(Interests)
    }

    fn purpose() -> impl Strategy<Value = MatchPurpose> {
        prop::sample::select(MatchPurpose::ALL)
    }

    fn point() -> impl Strategy<Value = GeoPoint> {
        (52.0f64..52.3, 4.5f64..5.0).prop_map(|(lat, lon)| p(lat, lon))
    }

    proptest! {
        #[test]
        fn the_best_assignment_is_never_worse_than_greedy(
            wishes in prop::collection::vec((purpose(), interests(), point()), 0..12),
            cands in prop::collection::vec((interests(), point(), 0u32..3), 0..10),
        ) {
            let wishes: Vec<Wish> = wishes
                .into_iter()
                .map(|(purpose, interests, location)| Wish { purpose, interests, location })
                .collect();
            let cands: Vec<Candidate> = cands
                .into_iter()
                .enumerate()
                .map(|(i, (interests, location, free_slots))| Candidate {
                    id: i as i64, interests, location, free_slots,
                })
                .collect();
            let best = best_assignment(&wishes, &cands);
            let greedy = greedy_assignment(&wishes, &cands);
            let total = |ps: &[Pair]| ps.iter().map(|p| p.score).sum::<i64>();
            prop_assert!(total(&best) >= total(&greedy));
            // Each resident at most once, each buddy within their slots.
            let mut per_wish = vec![0; wishes.len()];
            let mut per_buddy = vec![0u32; cands.len()];
            for p in &best {
                per_wish[p.wish] += 1;
                per_buddy[p.buddy] += 1;
                prop_assert_eq!(p.score, fit(&wishes[p.wish], &cands[p.buddy]).score);
            }
            prop_assert!(per_wish.iter().all(|n| *n <= 1));
            prop_assert!(per_buddy.iter().zip(&cands).all(|(n, c)| *n <= c.free_slots));
        }
    }
}
