//! The national demo's volunteers: buddies across the country (some with a VOG expiring
//! soon, some expired, some paused), wishes of residents, matches from the best assignment
//! with check-ins (some overdue), and signals in every state, escalated ones included.
//! Deterministic for a seed; written through the use cases.

use super::{local, stream};
use anyhow::Result;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use nabij_app::buddies::{BuddyForm, MatchForm, WishForm};
use nabij_app::signals::SignalInput;
use nabij_app::{App, Caller};

const FIRST: &[&str] = &[
    "Anouk", "Bas", "Carla", "Dirk", "Esra", "Frank", "Gerda", "Hamid", "Iris", "Joost", "Karin",
    "Levi", "Mila", "Nico", "Olga", "Pieter", "Rachida", "Sem", "Tineke", "Umut", "Vera", "Wim",
];
const LAST: &[&str] = &[
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Kaya",
    "Yilmaz",
    "El Amrani",
];
const INTERESTS: &[&str] = &[
    "sport",
    "music",
    "cooking",
    "walking",
    "creative",
    "paperwork",
    "language",
    "games",
    "nature",
];
const PURPOSES: &[&str] = &["hobby", "paperwork", "company"];
const CATEGORIES: &[&str] = &[
    "wellbeing",
    "conflict",
    "substance_use",
    "absence",
    "rent_debt",
    "safety",
    "other",
];
const URGENCIES: &[&str] = &["low", "normal", "normal", "high", "acute"];

fn pick_some(rng: &mut crate::demo::Rng, n: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for _ in 0..n {
        let i = (*rng.pick(INTERESTS)).to_string();
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// How many of each the national demo holds.
pub struct Counts {
    pub buddies: usize,
    pub wishes: usize,
    pub signals: usize,
}

/// Seeds the volunteers over `neighbourhoods`; the clock ends at `now`.
pub async fn seed(
    app: &App,
    sys: &Caller,
    seed: u64,
    now: Timestamp,
    tz: &TimeZone,
    neighbourhoods: &[i64],
    counts: &Counts,
) -> Result<()> {
    let clock = app.clock().clone();
    let today = tz.to_datetime(now).date();
    let mut rng = stream(seed, "volunteers");
    let day = |d: Date, hour: i8| local(tz, d, hour);
    if neighbourhoods.is_empty() {
        return Ok(());
    }

    // Buddies, registered over the last two years.
    clock.set(day(today.saturating_sub(730.days()), 10));
    for i in 0..counts.buddies {
        let vog = match rng.below(20) {
            0 => today
                .saturating_sub(3.years())
                .saturating_add((1 + rng.below(29) as i64).days()),
            1 => today
                .saturating_sub(3.years())
                .saturating_sub((1 + rng.below(200) as i64).days()),
            _ => today.saturating_sub((731 + rng.below(300) as i64).days()),
        };
        let n = 1 + rng.below(3);
        let form = BuddyForm {
            name: format!("{} {}", rng.pick(FIRST), rng.pick(LAST)),
            phone: format!("06-{:08}", rng.below(100_000_000)),
            interests: pick_some(&mut rng, n),
            neighbourhood_id: *rng.pick(neighbourhoods),
            hours_per_week: 1 + rng.below(6) as i64,
            availability: ["avonden", "weekend", "doordeweeks overdag"][i % 3].into(),
            capacity: 1 + (rng.below(10) == 0) as i64,
            status: if rng.below(20) == 0 {
                "paused"
            } else {
                "active"
            }
            .into(),
            vog_screened_on: vog.to_string(),
            user_id: None,
        };
        nabij_app::buddies::register(app, sys, &form).await?;
    }

    // Wishes of residents staying now, recorded some weeks ago.
    clock.set(day(today.saturating_sub(120.days()), 10));
    let residents = nabij_app::buddies::current_residents(app, sys).await?;
    let step = (residents.len() / counts.wishes.max(1)).max(1);
    for (person, _) in residents.iter().step_by(step).take(counts.wishes) {
        let n = 1 + rng.below(3);
        let form = WishForm {
            purpose: (*rng.pick(PURPOSES)).into(),
            interests: pick_some(&mut rng, n),
        };
        nabij_app::buddies::set_wish(app, sys, *person, &form).await?;
    }

    // The best assignment, confirmed for most pairs on different days; check-ins since.
    let proposal = nabij_app::buddies::best_assignment(app, sys).await?;
    for pair in proposal.iter() {
        if rng.below(5) == 0 {
            continue; // left waiting for the coordinator to decide
        }
        let start = today.saturating_sub((14 + rng.below(100) as i64).days());
        clock.set(day(start, 11));
        let weeks = [2i64, 4, 4, 6][rng.below(4)];
        let Ok(id) = nabij_app::buddies::create_match(
            app,
            sys,
            &MatchForm {
                person_id: pair.person_id.0,
                buddy_id: pair.buddy_id,
                purpose: pair.purpose.code().into(),
                check_in_weeks: Some(weeks),
            },
        )
        .await
        else {
            continue;
        };
        // Mostly on time; one in five falls behind.
        let behind = rng.below(5) == 0;
        let mut on = start;
        loop {
            let gap = if behind {
                weeks * 7 + 10
            } else {
                weeks * 7 - rng.below(5) as i64
            };
            on = on.saturating_add(gap.days());
            if on > today {
                break;
            }
            clock.set(day(on, 18));
            let went = ["good", "good", "okay", "difficult"][rng.below(4)];
            nabij_app::buddies::seed_check_in(app, sys, id, on, went, 1 + rng.below(3) as i64)
                .await?;
        }
    }

    // Signals about residents over the last three months, handled or not.
    let mut filed = Vec::new();
    for _ in 0..counts.signals {
        let Some((person, _)) = residents.get(rng.below(residents.len().max(1))) else {
            break;
        };
        let at = now - SignedDuration::from_mins(30 + rng.below(90 * 24 * 60) as i64);
        filed.push((at, *person));
    }
    filed.sort_by_key(|(at, p)| (*at, p.0));
    let mut handled = Vec::new();
    for (at, person) in filed {
        clock.set(at);
        let urgency = *rng.pick(URGENCIES);
        let id = nabij_app::signals::file(
            app,
            sys,
            &SignalInput {
                about: format!("person:{}", person.0),
                category: (*rng.pick(CATEGORIES)).into(),
                urgency: urgency.into(),
                text: "Signaal uit de landelijke demo: zorgen gemeld door de hoofdbewoner.".into(),
            },
        )
        .await?;
        // Most are picked up: in time, late (after escalating) or not yet.
        let delay = match rng.below(10) {
            0 => None,
            1 | 2 => Some(SignedDuration::from_hours(80)),
            _ => Some(SignedDuration::from_mins(10 + rng.below(60) as i64)),
        };
        if let Some(d) = delay {
            handled.push((at + d, id, rng.below(3) != 0));
        }
    }
    handled.sort_by_key(|(at, id, _)| (*at, *id));
    for (at, id, close) in handled {
        if at > now {
            continue;
        }
        clock.set(at);
        nabij_app::signals::escalate(app).await?;
        if nabij_app::signals::acknowledge(app, sys, id).await.is_ok() && close {
            clock.set(at + SignedDuration::from_hours(20).min(now.duration_since(at)));
            nabij_app::signals::close(app, sys, id, "Opgepakt en besproken met de bewoner.")
                .await?;
        }
    }
    clock.set(now);
    nabij_app::signals::escalate(app).await?;
    Ok(())
}
