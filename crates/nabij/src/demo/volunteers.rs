//! The demo's volunteers: house rules and numbers for the main resident, buddies (one VOG
//! expiring soon, one expired, one paused), wishes, matches with check-ins (one overdue),
//! and signals in every state, one of them escalated. Written through the use cases, at the
//! moments the demo's clock is set to.

use anyhow::Result;
use jiff::{SignedDuration, Timestamp, ToSpan};
use nabij_app::buddies::{BuddyForm, CheckInForm, MatchForm, WishForm};
use nabij_app::signals::SignalInput;
use nabij_app::{App, Caller};
use nabij_domain::access::Role;
use nabij_domain::ids::*;

/// The demo accounts a volunteer acts as: (user, username, display name).
pub(crate) struct Volunteers {
    pub main_resident: Option<UserId>,
    pub buddy: Option<UserId>,
    pub professional: Option<UserId>,
}

fn as_user(id: UserId, username: &str, name: &str, role: Role) -> Caller {
    let org = OrganisationId(crate::demo::PROVIDER);
    Caller::user(id, username, name, role, org, org, "lokaal", "nabij demo")
}

const BUDDIES: &[(&str, &[&str], i64, i64, &str)] = &[
    // (name, interests, hours per week, capacity, VOG: "fresh" | "soon" | "expired" | "paused")
    (
        "Kees Verbeek",
        &["paperwork", "cooking", "walking"],
        3,
        2,
        "fresh",
    ),
    ("Annemarie Bos", &["music", "creative"], 2, 1, "fresh"),
    (
        "Youssef El Idrissi",
        &["sport", "walking", "games"],
        4,
        2,
        "soon",
    ),
    ("Ineke de Graaf", &["language", "paperwork"], 2, 1, "fresh"),
    ("Ruud Kramer", &["nature", "walking"], 2, 1, "expired"),
    ("Lotte Smit", &["cooking", "music"], 3, 1, "paused"),
    ("Daan Visser", &["games", "sport"], 2, 1, "fresh"),
    (
        "Naima Ouali",
        &["creative", "language", "cooking"],
        3,
        2,
        "fresh",
    ),
];

/// Seeds the volunteers' data; the clock ends at `now`.
pub(crate) async fn seed(
    app: &App,
    sys: &Caller,
    now: Timestamp,
    pitstop: Option<HomeId>,
    neighbourhoods: &[NeighbourhoodId],
    accounts: Volunteers,
) -> Result<()> {
    let clock = app.clock().clone();
    let at = |hours_ago: i64| now - SignedDuration::from_hours(hours_ago);
    let today = clock.tz().to_datetime(now).date();
    clock.set(at(24 * 400));
    if let Some(home) = pitstop {
        nabij_app::volunteers::set_home_notes(
            app,
            sys,
            home,
            "Rust in huis na 22:00.\nGeen alcohol of drugs in de gemeenschappelijke ruimtes.\n\
             Koken op volgorde van het schema in de keuken; zelf afwassen.\nBezoek tot 21:00, niet blijven slapen.",
            "Coördinator overdag: 030-1234567\nBereikbaarheidsdienst (avond, nacht, weekend): 030-7654321\n\
             Huisarts (spoed): 0348-123456",
        )
        .await?;
    }

    // The registry, with the screening dates the story needs.
    let mut buddies = Vec::new();
    for (i, (name, interests, hours, capacity, vog)) in BUDDIES.iter().enumerate() {
        let screened = match *vog {
            "soon" => today.saturating_sub(3.years()).saturating_add(12.days()),
            "expired" => today.saturating_sub(3.years()).saturating_sub(20.days()),
            _ => today.saturating_sub((420 + 37 * i as i64).days()),
        };
        let form = BuddyForm {
            name: (*name).into(),
            phone: String::new(),
            interests: interests.iter().map(|s| (*s).into()).collect(),
            neighbourhood_id: neighbourhoods[i % neighbourhoods.len().max(1)].0,
            hours_per_week: *hours,
            availability: [
                "dinsdagavond",
                "zaterdag",
                "doordeweeks overdag",
                "zondagmiddag",
            ][i % 4]
                .into(),
            capacity: *capacity,
            status: if *vog == "paused" { "paused" } else { "active" }.into(),
            vog_screened_on: screened.to_string(),
            user_id: if i == 0 {
                accounts.buddy.map(|u| u.0)
            } else {
                None
            },
        };
        buddies.push(nabij_app::buddies::register(app, sys, &form).await?);
    }

    // Wishes of today's residents; the first three matched weeks ago.
    clock.set(at(24 * 70));
    let residents = nabij_app::buddies::current_residents(app, sys).await?;
    let wishes: &[(&str, &[&str])] = &[
        ("paperwork", &["cooking"]),
        ("hobby", &["walking", "sport"]),
        ("company", &["music"]),
        ("hobby", &["creative"]),
        ("paperwork", &["language"]),
        ("company", &["games"]),
        ("hobby", &["cooking", "music"]),
    ];
    for ((person, _), (purpose, interests)) in residents.iter().zip(wishes.iter()) {
        let form = WishForm {
            purpose: (*purpose).into(),
            interests: interests.iter().map(|s| (*s).into()).collect(),
        };
        nabij_app::buddies::set_wish(app, sys, *person, &form).await?;
    }
    let plan: &[(usize, usize, i64)] = &[(0, 0, 60), (1, 0, 45), (2, 2, 50)];
    let mut matches = Vec::new();
    for (r, b, days_ago) in plan {
        let Some((person, _)) = residents.get(*r) else {
            continue;
        };
        clock.set(at(24 * days_ago));
        let m = nabij_app::buddies::create_match(
            app,
            sys,
            &MatchForm {
                person_id: person.0,
                buddy_id: buddies[*b],
                purpose: String::new(),
                check_in_weeks: Some(if *r == 2 { 2 } else { 4 }),
            },
        )
        .await?;
        matches.push(m);
    }
    if let Some(m) = matches.get(1) {
        nabij_app::buddies::set_contact_agreement(app, sys, *m, true).await?;
    }
    // Kees logs check-ins on time; Youssef's match (no account) has none: overdue.
    if let Some(buddy) = accounts.buddy {
        let kees = as_user(buddy, "maatje", "Kees Verbeek", Role::Buddy);
        for (m, days) in matches.iter().take(2).zip([30i64, 9]) {
            clock.set(at(24 * days));
            nabij_app::buddies::check_in(
                app,
                &kees,
                *m,
                &CheckInForm {
                    went: if days > 20 { "okay" } else { "good" }.into(),
                    hours: "2".into(),
                    note: String::new(),
                },
            )
            .await?;
        }
    }

    // Signals in every state, filed by the main resident of Pitstop Woerden.
    if let Some(main) = accounts.main_resident {
        let hb = as_user(main, "hoofdbewoner", "Marloes Vink", Role::MainResident);
        let (choices, _) = nabij_app::signals::choices(app, &hb).await?;
        let person = |i: usize| {
            choices
                .iter()
                .filter(|c| c.about.starts_with("person:"))
                .nth(i)
                .or_else(|| choices.first())
                .map(|c| c.about.clone())
        };
        let house = choices
            .iter()
            .find(|c| c.about.starts_with("house:"))
            .map(|c| c.about.clone());
        let professional = accounts
            .professional
            .map(|p| as_user(p, "begeleider", "Sander de Wit", Role::Professional));
        let signals: &[(i64, Option<String>, &str, &str, &str)] = &[
            (
                24 * 5,
                person(0),
                "wellbeing",
                "normal",
                "Ze eet nauwelijks en blijft de hele dag op haar kamer.",
            ),
            (
                72,
                person(1),
                "conflict",
                "acute",
                "Harde ruzie in de keuken, er werd met spullen gegooid.",
            ),
            (
                26,
                person(2),
                "rent_debt",
                "high",
                "Er ligt een stapel aanmaningen op de mat.",
            ),
            (
                30,
                person(0),
                "absence",
                "normal",
                "Al sinds gisterochtend niet thuis geweest.",
            ),
            (
                2,
                house.clone(),
                "safety",
                "low",
                "De rookmelder op de overloop piept, batterij leeg.",
            ),
            (
                0,
                person(1),
                "substance_use",
                "acute",
                "Hij lijkt onder invloed en is erg onrustig.",
            ),
        ];
        let mut ids = Vec::new();
        for (hours_ago, about, category, urgency, text) in signals {
            let Some(about) = about else { continue };
            let filed = at(*hours_ago) - SignedDuration::from_mins(20);
            clock.set(filed);
            let id = nabij_app::signals::file(
                app,
                &hb,
                &SignalInput {
                    about: about.clone(),
                    category: (*category).into(),
                    urgency: (*urgency).into(),
                    text: (*text).into(),
                },
            )
            .await?;
            ids.push((id, filed));
        }
        let handle = |id: i64| handle(app, sys, professional.as_ref(), id);
        // 0: closed with a note; 1: escalated, then acknowledged; 2: acknowledged;
        // 3: escalated and still waiting; 4: received; 5: acute, on the dashboard.
        if let Some((id, filed)) = ids.first().copied() {
            clock.set(filed + SignedDuration::from_hours(3));
            if let Some(who) = handle(id).await? {
                clock.set(filed + SignedDuration::from_hours(26));
                nabij_app::signals::close(
                    app,
                    &who,
                    id,
                    "Gesprek gehad; huisarts ingeschakeld en afspraken over eten gemaakt.",
                )
                .await?;
            }
        }
        if let Some((id, filed)) = ids.get(1).copied() {
            clock.set(filed + SignedDuration::from_mins(75));
            nabij_app::signals::escalate(app).await?;
            clock.set(filed + SignedDuration::from_mins(95));
            handle(id).await?;
        }
        if let Some((id, filed)) = ids.get(2).copied() {
            clock.set(filed + SignedDuration::from_hours(2));
            handle(id).await?;
        }
    }
    clock.set(now);
    // Whatever passed its norm meanwhile escalates, as the server would have done.
    nabij_app::signals::escalate(app).await?;
    Ok(())
}

/// Acknowledges a signal as its professional when it is theirs, else as the coordinator;
/// answers who did.
async fn handle(
    app: &App,
    sys: &Caller,
    professional: Option<&Caller>,
    id: i64,
) -> Result<Option<Caller>> {
    if let Some(p) = professional
        && nabij_app::signals::acknowledge(app, p, id).await.is_ok()
    {
        return Ok(Some(p.clone()));
    }
    nabij_app::signals::acknowledge(app, sys, id).await?;
    Ok(Some(sys.clone()))
}
