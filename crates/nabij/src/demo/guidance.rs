//! Guidance and recovery in the small demo: plans whose first goal meets the plan
//! milestone, and (see [`fill`]) episodes with flexing intensity, contacts and ZRM
//! trajectories that mostly improve.

use nabij_app::guidance::GoalInput;
use nabij_app::{App, Caller};
use nabij_domain::ids::PersonId;

/// Goals a recovery plan starts with: (domain, title, agreed actions, who does it).
const FIRST_GOALS: &[(&str, &str, &str, &str)] = &[
    (
        "housing",
        "Een eigen woning vinden",
        "Inschrijven bij de woningcorporatie en urgentie aanvragen",
        "person",
    ),
    (
        "finances",
        "Schulden op een rij",
        "Samen met de begeleider een overzicht maken en schuldhulp aanvragen",
        "professional",
    ),
    (
        "social_network",
        "Contact met familie herstellen",
        "Wekelijks bellen met zus; maatje helpt met een bezoek",
        "buddy",
    ),
];

/// Records the first goal of a person's recovery plan, today.
pub(crate) async fn first_goal(app: &App, sys: &Caller, person: PersonId) -> anyhow::Result<()> {
    let k = (person.0 as usize) % FIRST_GOALS.len();
    let (domain, title, actions, owner) = FIRST_GOALS[k];
    let input = GoalInput {
        title: title.into(),
        domain: domain.into(),
        status: "in_progress".into(),
        target_date: String::new(),
        actions: actions.into(),
        owner: owner.into(),
    };
    nabij_app::guidance::add_goal(app, sys, person, &input)
        .await
        .map_err(|e| anyhow::anyhow!("goal: {e:?}"))?;
    Ok(())
}

/// A small deterministic generator for this part of the demo, so the rest of the history
/// keeps its own sequence.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const CONTACT_TEXTS: &[(&str, &str)] = &[
    (
        "home_visit",
        "Huisbezoek: gesproken over de week, post samen doorgenomen.",
    ),
    (
        "phone",
        "Telefonisch contact: afspraak bij de gemeente bevestigd.",
    ),
    (
        "partner_meeting",
        "Overleg met sociaal team over schuldhulp en inkomen.",
    ),
    (
        "home_visit",
        "Huisbezoek: woningzoekprofiel bijgewerkt, twee reacties verstuurd.",
    ),
    ("other", "Samen naar de huisarts geweest."),
    ("phone", "Gebeld over de huurtoeslag; formulier ligt klaar."),
];

/// Episodes with flexing intensity, weekly contacts (a working note now and then, a
/// correction), extra goals and ZRM assessments every three months that mostly improve, for
/// the persons the demo professional guides; and for a few former residents guidance with
/// aftercare, one of whom resumes. Runs with the clock at `now` and leaves it there.
pub(crate) async fn fill(
    app: &App,
    sys: &Caller,
    clients: &[(PersonId, jiff::civil::Date)],
    former: &[(PersonId, jiff::civil::Date, jiff::civil::Date)],
    professional: nabij_domain::ids::UserId,
    now: jiff::Timestamp,
) -> anyhow::Result<()> {
    use jiff::ToSpan;
    use nabij_app::guidance::{
        AssessmentInput, ContactInput, EndInput, EpisodeInput, IntensityInput,
    };
    let tz = app.clock().tz().clone();
    let today = tz.to_datetime(now).date();
    let at = |d: jiff::civil::Date| {
        tz.to_timestamp(d.to_datetime(jiff::civil::Time::constant(10, 0, 0, 0)))
            .unwrap_or(now)
    };
    let mut mix = Mix(0x6E61_6269_6A00_0011);
    app.clock().set(now);
    for (person, start) in clients {
        let hours = 2 + mix.below(5);
        nabij_app::guidance::change_intensity(
            app,
            sys,
            *person,
            &IntensityInput {
                on: start.to_string(),
                hours_per_week: hours.to_string(),
                reason: "Start van de begeleiding".into(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("intensity start: {e:?}"))?;
        let flex = start.saturating_add(((20 + mix.below(30)) as i64).days());
        if flex < today {
            nabij_app::guidance::change_intensity(
                app,
                sys,
                *person,
                &IntensityInput {
                    on: flex.to_string(),
                    hours_per_week: (hours.saturating_sub(1 + mix.below(2))).to_string(),
                    reason: "Het gaat beter: minder uren nodig".into(),
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("intensity flex: {e:?}"))?;
        }
        // ZRM at intake, then every three months, mostly improving.
        let mut level: [i64; 13] = std::array::from_fn(|_| 1 + mix.below(3) as i64);
        let mut on = start.saturating_add(3.days());
        let mut moment = "intake";
        while on <= today {
            let scores = nabij_domain::guidance::ZrmDomain::ALL
                .iter()
                .zip(level.iter())
                .map(|(d, s)| (d.code().to_string(), *s))
                .collect();
            nabij_app::guidance::add_assessment(
                app,
                sys,
                *person,
                &AssessmentInput {
                    assessed_on: on.to_string(),
                    moment: moment.into(),
                    scores,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("zrm: {e:?}"))?;
            for s in level.iter_mut() {
                let r = mix.below(10);
                *s = (*s
                    + if r < 6 {
                        1
                    } else if r < 9 {
                        0
                    } else {
                        -1
                    })
                .clamp(1, 5);
            }
            moment = "periodic";
            on = on.saturating_add(3.months());
        }
        // Weekly contacts, newest last; a working note now and then, and one correction.
        let mut day = start.saturating_add(1.days());
        let mut first = None;
        let mut n = 0;
        while day < today {
            let (kind, text) = CONTACT_TEXTS[mix.below(CONTACT_TEXTS.len() as u64) as usize];
            let id = nabij_app::guidance::add_contact(
                app,
                sys,
                *person,
                &ContactInput {
                    date: day.to_string(),
                    time: format!("{:02}:{:02}", 9 + mix.below(8), 15 * mix.below(4)),
                    kind: kind.into(),
                    text: text.into(),
                    working_note: n % 5 == 4,
                    corrects_id: None,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("contact: {e:?}"))?;
            first.get_or_insert(id);
            n += 1;
            day = day.saturating_add(((5 + mix.below(5)) as i64).days());
        }
        if let Some(first) = first {
            nabij_app::guidance::add_contact(
                app,
                sys,
                *person,
                &ContactInput {
                    date: today.to_string(),
                    // Now: the correction is the latest entry.
                    time: String::new(),
                    kind: "other".into(),
                    text: "Correctie: het eerste gesprek was bij de gemeente, niet bij de bank."
                        .into(),
                    working_note: false,
                    corrects_id: Some(first),
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("correction: {e:?}"))?;
        }
    }
    // Former residents: guidance from their start, aftercare after the exit; the first
    // whose aftercare has ended resumes.
    let mut resumed = false;
    for (person, start, exit) in former {
        app.clock().set(at(*start));
        let started = nabij_app::guidance::start(
            app,
            sys,
            *person,
            &EpisodeInput {
                professional_id: Some(professional.0),
                hours_per_week: (3 + mix.below(3)).to_string(),
                reason: "Start van de begeleiding".into(),
            },
        )
        .await;
        if started.is_err() {
            continue;
        }
        app.clock().set(at(*exit));
        let until = exit.saturating_add(2.months());
        // A person who came back into shelter has no aftercare to record.
        let aftercare = nabij_app::guidance::end(
            app,
            sys,
            *person,
            &EndInput {
                ended_on: until.to_string(),
                aftercare: "true".into(),
            },
        )
        .await;
        if aftercare.is_err() {
            continue;
        }
        if !resumed && until < today.saturating_sub(14.days()) {
            app.clock().set(now);
            resumed = nabij_app::guidance::resume(
                app,
                sys,
                *person,
                &EpisodeInput {
                    professional_id: None,
                    hours_per_week: "2".into(),
                    reason: "Vraagt opnieuw om hulp bij de huur".into(),
                },
            )
            .await
            .is_ok();
        }
    }
    app.clock().set(now);
    Ok(())
}
