//! Guidance and recovery of the national history: an episode per stay led by one of 400
//! professionals, with its intensity, about four contacts per stay (2,000,000), a first goal,
//! ZRM assessments for a quarter of the stays (intake, every three months, exit; about
//! 300,000) that mostly improve, aftercare after some exits and a few resumptions.
//! Person 1's file holds 2,000 contacts (the benchmark's long file).

use super::{Rng, local};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use nabij_app::guidance::{
    BulkAssessment, BulkContact, BulkEpisode, BulkGoal, BulkGuidance, BulkProfessional,
};
use nabij_app::seed::BulkData;
use nabij_domain::guidance::{ContactKind, GoalOwner, GoalStatus, ZrmDomain, ZrmMoment};

/// Professionals of the national demo, and the first id they take.
pub const PROFESSIONALS: i64 = 400;
pub const FIRST_PROFESSIONAL_ID: i64 = 10_000;
/// Contacts in the long file of person 1.
pub const LONG_FILE: usize = 2_000;

const TEXTS: &[(ContactKind, &str)] = &[
    (
        ContactKind::HomeVisit,
        "Huisbezoek: week besproken, post doorgenomen.",
    ),
    (
        ContactKind::Phone,
        "Gebeld over de afspraak bij de gemeente.",
    ),
    (
        ContactKind::PartnerMeeting,
        "Overleg met sociaal team over inkomen.",
    ),
    (
        ContactKind::HomeVisit,
        "Woningzoekprofiel bijgewerkt, reacties verstuurd.",
    ),
    (ContactKind::Other, "Samen naar de huisarts."),
];

const GOALS: &[(ZrmDomain, &str, GoalOwner)] = &[
    (
        ZrmDomain::Housing,
        "Een eigen woning vinden",
        GoalOwner::Person,
    ),
    (
        ZrmDomain::Finances,
        "Schulden op een rij",
        GoalOwner::Professional,
    ),
    (
        ZrmDomain::SocialNetwork,
        "Contact met familie herstellen",
        GoalOwner::Buddy,
    ),
    (
        ZrmDomain::WorkEducation,
        "Dagbesteding vinden",
        GoalOwner::Person,
    ),
];

/// Builds the guidance of `data`'s history up to `today`.
pub fn generate(
    data: &BulkData,
    provider: i64,
    today: Date,
    tz: &TimeZone,
    rng: &mut Rng,
) -> BulkGuidance {
    let mut out = BulkGuidance {
        professionals: (0..PROFESSIONALS)
            .map(|i| BulkProfessional {
                id: FIRST_PROFESSIONAL_ID + i,
                organisation_id: provider,
                username: format!("begeleider{:03}", i + 1),
                display_name: format!("Begeleider {}", i + 1),
            })
            .collect(),
        ..Default::default()
    };
    // The last stay of each person: only after it can guidance resume.
    let mut last_stay = std::collections::HashMap::new();
    for s in &data.stays {
        last_stay.insert(s.person_id, s.id);
    }
    let mut next_episode = data.stays.iter().map(|s| s.id).max().unwrap_or(0) + 1;
    for s in &data.stays {
        let lead = FIRST_PROFESSIONAL_ID + s.person_id % PROFESSIONALS;
        let author = format!("Begeleider {}", s.person_id % PROFESSIONALS + 1);
        let exit = s.exit.as_ref().map(|e| e.0);
        let end = exit.unwrap_or(today);
        let aftercare = exit.is_some() && rng.chance(0.12);
        let (aftercare_from, ended_on) = match exit {
            Some(x) if aftercare => (Some(x), Some(x.saturating_add(3.months()))),
            other => (None, other),
        };
        let hours = 2 + rng.below(6) as i64;
        let mut intensity = vec![(s.start, hours * 4, "Start van de begeleiding".to_string())];
        let flex = s.start.saturating_add(((20 + rng.below(40)) as i64).days());
        if flex < end {
            intensity.push((
                flex,
                (hours - 1).max(1) * 4,
                "Het gaat beter: minder uren".to_string(),
            ));
        }
        out.episodes.push(BulkEpisode {
            id: s.id,
            person_id: s.person_id,
            lead_professional_id: lead,
            started_on: s.start,
            aftercare_from,
            ended_on,
            resumes_episode_id: None,
            intensity,
        });
        // Contacts through the stay; person 1 has the long file.
        let span = (end - s.start).get_days().max(1) as usize;
        let n = if s.person_id == 1 && last_stay.get(&1) == Some(&s.id) {
            LONG_FILE
        } else {
            2 + rng.below(5)
        };
        for k in 0..n {
            let day = s
                .start
                .saturating_add((((k * span) / n) as i64 + 1).min(span as i64).days());
            let (kind, text) = TEXTS[rng.below(TEXTS.len())];
            out.contacts.push(BulkContact {
                person_id: s.person_id,
                episode_id: Some(s.id),
                at: local(tz, day.min(today), 9 + (k % 8) as i8),
                kind,
                text: text.to_string(),
                working_note: k % 6 == 5,
                author_name: author.clone(),
            });
        }
        if s.plan_done_on.is_some() || s.start.saturating_add(14.days()) <= today {
            let (domain, title, owner) = GOALS[rng.below(GOALS.len())];
            let recorded = s.plan_done_on.unwrap_or(s.start.saturating_add(10.days()));
            out.goals.push(BulkGoal {
                person_id: s.person_id,
                domain,
                title: title.to_string(),
                status: if exit.is_some() {
                    GoalStatus::Achieved
                } else {
                    GoalStatus::InProgress
                },
                target_date: Some(recorded.saturating_add(3.months())),
                actions: "Afspraken staan in het contactlog".to_string(),
                owner,
                recorded_on: recorded,
            });
        }
        // ZRM for about a quarter of the stays.
        if rng.chance(0.26) {
            let mut level: [u8; 13] = std::array::from_fn(|_| 1 + rng.below(3) as u8);
            let mut on = s.start.saturating_add(3.days());
            let mut moment = ZrmMoment::Intake;
            while on < end && on <= today {
                out.assessments.push(BulkAssessment {
                    person_id: s.person_id,
                    assessed_on: on,
                    moment,
                    scores: level,
                });
                for l in level.iter_mut() {
                    let r = rng.below(10);
                    *l = match r {
                        0..=5 => (*l + 1).min(5),
                        9 => (*l - 1).max(1),
                        _ => *l,
                    };
                }
                moment = ZrmMoment::Periodic;
                on = on.saturating_add(3.months());
            }
            if let Some(x) = exit
                && x > s.start.saturating_add(3.days())
            {
                out.assessments.push(BulkAssessment {
                    person_id: s.person_id,
                    assessed_on: x,
                    moment: ZrmMoment::Exit,
                    scores: level,
                });
            }
        }
        // A few former residents resume guidance after their last stay.
        if let Some(guidance_end) = ended_on
            && last_stay.get(&s.person_id) == Some(&s.id)
            && rng.chance(0.02)
        {
            let start = guidance_end.saturating_add(((30 + rng.below(120)) as i64).days());
            if start < today {
                let until = start.saturating_add(2.months());
                out.episodes.push(BulkEpisode {
                    id: next_episode,
                    person_id: s.person_id,
                    lead_professional_id: lead,
                    started_on: start,
                    aftercare_from: None,
                    ended_on: (until < today).then_some(until),
                    resumes_episode_id: Some(s.id),
                    intensity: vec![(start, 8, "Hervat op eigen verzoek".to_string())],
                });
                next_episode += 1;
            }
        }
    }
    out
}
