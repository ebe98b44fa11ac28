//! Guidance and recovery (domain.md §3.6, §4): guidance episodes whose intensity flexes with
//! the situation, the contact log, the recovery plan and its goals, and the ZRM
//! (Zelfredzaamheid-Matrix, 2017 edition) with its progress per domain.

use crate::RuleViolation;
use crate::code_enum;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

/// The most hours per week an episode's intensity can be.
pub const MAX_HOURS_PER_WEEK: f64 = 40.0;
/// Days a professional keeps access to a file after the episode ended, unless configured.
pub const DEFAULT_ACCESS_AFTER_END_DAYS: i64 = 30;
/// Months between periodic ZRM assessments, unless configured.
pub const DEFAULT_ZRM_INTERVAL_MONTHS: i32 = 3;
/// Days without a contact after which the caseload flags a client.
pub const NO_CONTACT_DAYS: i64 = 14;

code_enum! {
    /// The 13 life domains of the ZRM 2017, in the matrix's order.
    ZrmDomain {
        Finances = "finances",
        WorkEducation = "work_education",
        TimeUse = "time_use",
        Housing = "housing",
        DomesticRelations = "domestic_relations",
        MentalHealth = "mental_health",
        PhysicalHealth = "physical_health",
        SubstanceUse = "substance_use",
        BasicAdl = "basic_adl",
        InstrumentalAdl = "instrumental_adl",
        SocialNetwork = "social_network",
        SocialParticipation = "social_participation",
        Justice = "justice",
    }
}

code_enum! {
    /// Why an assessment was made.
    ZrmMoment {
        Intake = "intake",
        Periodic = "periodic",
        Exit = "exit",
    }
}

code_enum! {
    /// The state of a goal of the recovery plan.
    GoalStatus {
        Open = "open",
        InProgress = "in_progress",
        Achieved = "achieved",
        Stopped = "stopped",
    }
}

code_enum! {
    /// Who carries out a goal's actions.
    GoalOwner {
        Person = "person",
        Professional = "professional",
        Buddy = "buddy",
    }
}

code_enum! {
    /// How a contact took place.
    ContactKind {
        HomeVisit = "home_visit",
        Phone = "phone",
        PartnerMeeting = "partner_meeting",
        Other = "other",
    }
}

impl GoalStatus {
    /// Still to be worked on: open or in progress.
    pub fn is_open(self) -> bool {
        matches!(self, GoalStatus::Open | GoalStatus::InProgress)
    }
}

/// The Dutch name of a ZRM level, 1 to 5.
pub fn level_name(score: u8) -> &'static str {
    match score {
        1 => "acute problematiek",
        2 => "niet zelfredzaam",
        3 => "beperkt zelfredzaam",
        4 => "voldoende zelfredzaam",
        5 => "volledig zelfredzaam",
        _ => "onbekend",
    }
}

/// A ZRM score from 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Score(u8);

impl Score {
    pub fn new(score: i64) -> Option<Score> {
        (1..=5).contains(&score).then_some(Score(score as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn name(self) -> &'static str {
        level_name(self.0)
    }
}

/// The 13 scores of one assessment, in [`ZrmDomain::ALL`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scores(pub [Score; 13]);

impl Scores {
    /// Reads 13 raw scores; each one outside 1–5 is an error naming its domain's field.
    pub fn parse(raw: &[Option<i64>; 13]) -> Result<Scores, Vec<RuleViolation>> {
        let mut errors = Vec::new();
        let mut out = [Score(1); 13];
        for (i, d) in ZrmDomain::ALL.iter().enumerate() {
            match raw[i].and_then(Score::new) {
                Some(s) => out[i] = s,
                None => errors.push(RuleViolation::new(
                    d.code(),
                    "kies een score van 1 (acute problematiek) tot 5 (volledig zelfredzaam)",
                )),
            }
        }
        if errors.is_empty() {
            Ok(Scores(out))
        } else {
            Err(errors)
        }
    }

    pub fn of(&self, domain: ZrmDomain) -> Score {
        let i = ZrmDomain::ALL
            .iter()
            .position(|d| *d == domain)
            .expect("every domain is listed");
        self.0[i]
    }

    /// The mean score over the 13 domains.
    pub fn mean(&self) -> f64 {
        self.0.iter().map(|s| s.0 as f64).sum::<f64>() / 13.0
    }
}

/// Change per domain from a first assessment to a later one: positive is more self-reliant.
pub fn progress(from: &Scores, to: &Scores) -> [i8; 13] {
    std::array::from_fn(|i| to.0[i].0 as i8 - from.0[i].0 as i8)
}

/// Progress of a person: from the latest intake assessment to the latest assessment. That
/// is the exit assessment when guidance ended with one. A resumption has no new intake, so
/// after one the assessments made since count from the intake before it; a new episode with
/// its own intake starts again from that intake. Without any intake, from the first
/// assessment. `None` until there is an assessment after the start. Assessments are given
/// oldest first.
pub fn progress_of(assessments: &[(Date, ZrmMoment, Scores)]) -> Option<[i8; 13]> {
    let start = assessments
        .iter()
        .rposition(|a| a.1 == ZrmMoment::Intake)
        .unwrap_or(0);
    let last = assessments.len().checked_sub(1)?;
    (start < last).then(|| progress(&assessments[start].2, &assessments[last].2))
}

/// When the next assessment is due, or `None` when none is.
///
/// While guidance runs (`running`: its start, and whether it resumes an earlier episode):
/// `interval_months` after the latest assessment made in it, and none once its exit
/// assessment is made. Before any assessment in it: a new episode's intake is due at its
/// start, unless an intake was taken less than `interval_months` before it; a resumption
/// has no new intake, so its first periodic assessment is due `interval_months` after it.
/// Without running guidance: after the latest, unless that
/// was the exit.
pub fn assessment_due(
    latest: Option<(Date, ZrmMoment)>,
    running: Option<RunningGuidance>,
    interval_months: i32,
) -> Option<Date> {
    let after = |d: Date| d.saturating_add(interval_months.months());
    match (running, latest) {
        (None, Some((on, moment))) => (moment != ZrmMoment::Exit).then(|| after(on)),
        (None, None) => None,
        (Some(r), Some((on, moment))) if on >= r.since => {
            (moment != ZrmMoment::Exit).then(|| after(on))
        }
        // An intake taken shortly before guidance starts (at the intake interview, say) is
        // this episode's intake: less than one interval before its start, and after any
        // earlier guidance ended. An older one belongs to earlier guidance, and a new
        // intake is due.
        (Some(r), Some((on, ZrmMoment::Intake)))
            if !r.resumes && after(on) > r.since && r.previous_end.is_none_or(|end| on > end) =>
        {
            Some(after(on))
        }
        (Some(r), _) if r.resumes => Some(after(r.since)),
        (Some(r), _) => Some(r.since),
    }
}

/// Guidance running on a day, as far as the assessments due depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunningGuidance {
    pub since: Date,
    /// It resumes an earlier episode, so it has no intake of its own.
    pub resumes: bool,
    /// When the person's guidance before it ended, if they had any.
    pub previous_end: Option<Date>,
}

/// Checks an intensity in hours per week: 0 to 40.
pub fn check_hours(hours: f64) -> Result<f64, RuleViolation> {
    if !hours.is_finite() || hours < 0.0 {
        return Err(RuleViolation::new(
            "hours_per_week",
            "de intensiteit kan niet lager zijn dan 0 uur per week",
        ));
    }
    if hours > MAX_HOURS_PER_WEEK {
        return Err(RuleViolation::new(
            "hours_per_week",
            "de intensiteit is hoogstens 40 uur per week",
        ));
    }
    Ok((hours * 4.0).round() / 4.0)
}

/// One change of an episode's intensity: from `on`, `hours` per week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntensityChange {
    pub on: Date,
    pub hours: f64,
}

/// A period of one intensity: `[from, until)`, `until` open for the current one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntensityPeriod {
    pub from: Date,
    pub until: Option<Date>,
    pub hours: f64,
}

/// Whether a new change on `on` may be added to the history: not before the episode started,
/// not before the latest change (a change on the same day replaces that day's intensity), and
/// not after the episode ended.
pub fn check_intensity_date(
    history: &[IntensityChange],
    start: Date,
    end: Option<Date>,
    on: Date,
) -> Result<(), RuleViolation> {
    if on < start {
        return Err(RuleViolation::new(
            "on",
            "de datum ligt voor het begin van de begeleiding",
        ));
    }
    if end.is_some_and(|e| on > e) {
        return Err(RuleViolation::new(
            "on",
            "de datum ligt na het einde van de begeleiding",
        ));
    }
    if history.iter().any(|c| c.on > on) {
        return Err(RuleViolation::new(
            "on",
            "er is al een latere wijziging; een wijziging gaat vooruit in de tijd",
        ));
    }
    Ok(())
}

/// The periods of an intensity history: sorted by date, one per change, a later change on the
/// same day wins; consecutive periods touch and never overlap.
pub fn periods(changes: &[IntensityChange]) -> Vec<IntensityPeriod> {
    let mut sorted: Vec<IntensityChange> = changes.to_vec();
    // Stable: for equal dates the order of recording stays, and the last one wins.
    sorted.sort_by_key(|c| c.on);
    let mut deduped: Vec<IntensityChange> = Vec::with_capacity(sorted.len());
    for c in sorted {
        match deduped.last_mut() {
            Some(last) if last.on == c.on => *last = c,
            _ => deduped.push(c),
        }
    }
    let mut out = Vec::with_capacity(deduped.len());
    for (i, c) in deduped.iter().enumerate() {
        out.push(IntensityPeriod {
            from: c.on,
            until: deduped.get(i + 1).map(|n| n.on),
            hours: c.hours,
        });
    }
    out
}

/// The intensity in force on a day, if the history has begun by then.
pub fn hours_on(changes: &[IntensityChange], day: Date) -> Option<f64> {
    periods(changes)
        .into_iter()
        .rev()
        .find(|p| p.from <= day)
        .map(|p| p.hours)
}

/// Whether a professional of an episode may still open the file on `today`: while the
/// episode (or its aftercare) runs, and up to `grace_days` after it ended.
pub fn episode_grants_access(ended_on: Option<Date>, today: Date, grace_days: i64) -> bool {
    match ended_on {
        None => true,
        Some(end) => today <= end.saturating_add(grace_days.days()),
    }
}

/// The 2-week "plan" milestone: met on the day the first goal was recorded; a date recorded
/// before goals existed (`plan_done_on`) stays.
pub fn plan_done_on(recorded_done_on: Option<Date>, first_goal_on: Option<Date>) -> Option<Date> {
    recorded_done_on.or(first_goal_on)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn scores(v: [u8; 13]) -> Scores {
        Scores(v.map(Score))
    }

    #[test]
    fn thirteen_domains_with_five_named_levels() {
        assert_eq!(ZrmDomain::ALL.len(), 13);
        assert_eq!(level_name(1), "acute problematiek");
        assert_eq!(level_name(5), "volledig zelfredzaam");
        assert!(Score::new(0).is_none());
        assert!(Score::new(6).is_none());
        assert_eq!(Score::new(3).unwrap().name(), "beperkt zelfredzaam");
    }

    #[test]
    fn a_score_outside_one_to_five_names_its_domain() {
        let mut raw = [Some(3); 13];
        raw[3] = Some(6);
        raw[12] = None;
        let errors = Scores::parse(&raw).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field, "housing");
        assert_eq!(errors[1].field, "justice");
    }

    #[test]
    fn progress_runs_from_intake_to_the_latest_also_after_a_resumption() {
        let a = (date(2026, 1, 1), ZrmMoment::Intake, scores([2; 13]));
        let b = (date(2026, 4, 1), ZrmMoment::Periodic, scores([3; 13]));
        let c = (date(2026, 6, 1), ZrmMoment::Exit, scores([4; 13]));
        // Guidance resumed after the exit, and the person was assessed again.
        let d = (date(2026, 9, 1), ZrmMoment::Periodic, scores([1; 13]));
        assert_eq!(progress_of(&[a]), None);
        assert_eq!(progress_of(&[a, b]), Some([1; 13]));
        assert_eq!(progress_of(&[a, b, c]), Some([2; 13]));
        assert_eq!(progress_of(&[a, b, c, d]), Some([-1; 13]));
        // A new episode with its own intake starts again from it.
        let e = (date(2027, 3, 1), ZrmMoment::Intake, scores([2; 13]));
        let f = (date(2027, 6, 1), ZrmMoment::Periodic, scores([5; 13]));
        assert_eq!(progress_of(&[a, b, c, d, e]), None);
        assert_eq!(progress_of(&[a, b, c, d, e, f]), Some([3; 13]));
        // Without an intake: from the first.
        assert_eq!(progress_of(&[b, c]), Some([1; 13]));
        assert_eq!(progress_of(&[]), None);
    }

    fn running(since: Date, resumes: bool) -> Option<RunningGuidance> {
        Some(RunningGuidance {
            since,
            resumes,
            previous_end: None,
        })
    }

    #[test]
    fn an_assessment_is_due_at_the_start_then_each_interval_also_after_a_resumption() {
        let start = date(2026, 1, 10);
        let new = running(start, false);
        // No assessment yet: the intake is due when guidance starts; without guidance, none.
        assert_eq!(assessment_due(None, new, 3), Some(start));
        assert_eq!(assessment_due(None, None, 3), None);
        // Then every interval after the latest.
        let intake = (date(2026, 1, 12), ZrmMoment::Intake);
        assert_eq!(
            assessment_due(Some(intake), new, 3),
            Some(date(2026, 4, 12))
        );
        // The exit assessment of this episode ends the series, also in aftercare.
        let exit = (date(2026, 6, 1), ZrmMoment::Exit);
        assert_eq!(assessment_due(Some(exit), new, 3), None);
        assert_eq!(assessment_due(Some(exit), None, 3), None);
        // A resumption has no new intake: the periodic assessments go on from it, whether
        // or not the earlier episode ended with an exit assessment.
        let resumed = date(2026, 9, 1);
        let again = running(resumed, true);
        assert_eq!(
            assessment_due(Some(exit), again, 3),
            Some(date(2026, 12, 1))
        );
        assert_eq!(
            assessment_due(Some(intake), again, 3),
            Some(date(2026, 12, 1))
        );
        // A new episode after an earlier one starts with its own intake, due at once.
        assert_eq!(
            assessment_due(Some(exit), running(resumed, false), 3),
            Some(resumed)
        );
        // An intake taken at the intake interview, days before guidance starts, counts as
        // its intake; one from earlier guidance, an interval or more before, does not.
        let interview = (date(2026, 1, 7), ZrmMoment::Intake);
        assert_eq!(
            assessment_due(Some(interview), new, 3),
            Some(date(2026, 4, 7))
        );
        let long_ago = (date(2025, 10, 10), ZrmMoment::Intake);
        assert_eq!(assessment_due(Some(long_ago), new, 3), Some(start));
        let periodic_before = (date(2026, 1, 7), ZrmMoment::Periodic);
        assert_eq!(assessment_due(Some(periodic_before), new, 3), Some(start));
        // Nor does the intake of earlier guidance that ended after it, however recent.
        let after_earlier = Some(RunningGuidance {
            previous_end: Some(date(2026, 1, 8)),
            ..new.unwrap()
        });
        assert_eq!(
            assessment_due(Some(interview), after_earlier, 3),
            Some(start)
        );
    }

    #[test]
    fn intensity_changes_go_forward_in_time() {
        let start = date(2026, 1, 1);
        let h = [IntensityChange {
            on: date(2026, 2, 1),
            hours: 4.0,
        }];
        assert!(check_intensity_date(&h, start, None, date(2026, 1, 15)).is_err());
        assert!(check_intensity_date(&h, start, None, date(2026, 2, 1)).is_ok());
        assert!(check_intensity_date(&h, start, None, date(2025, 12, 1)).is_err());
        assert!(check_intensity_date(&h, start, Some(date(2026, 3, 1)), date(2026, 4, 1)).is_err());
        assert_eq!(hours_on(&h, date(2026, 1, 31)), None);
        assert_eq!(hours_on(&h, date(2026, 5, 1)), Some(4.0));
    }

    #[test]
    fn hours_are_between_zero_and_forty() {
        assert!(check_hours(-0.5).is_err());
        assert!(check_hours(40.5).is_err());
        assert!(check_hours(f64::NAN).is_err());
        assert_eq!(check_hours(2.3).unwrap(), 2.25);
        assert_eq!(check_hours(0.0).unwrap(), 0.0);
    }

    #[test]
    fn access_ends_thirty_days_after_the_episode() {
        let end = date(2026, 3, 1);
        assert!(episode_grants_access(None, date(2030, 1, 1), 30));
        assert!(episode_grants_access(Some(end), date(2026, 3, 31), 30));
        assert!(!episode_grants_access(Some(end), date(2026, 4, 1), 30));
    }

    #[test]
    fn the_plan_milestone_is_the_first_goal_unless_already_recorded() {
        let first_goal = Some(date(2026, 1, 10));
        assert_eq!(plan_done_on(None, None), None);
        assert_eq!(plan_done_on(None, first_goal), first_goal);
        assert_eq!(
            plan_done_on(Some(date(2026, 1, 5)), first_goal),
            Some(date(2026, 1, 5))
        );
    }

    proptest! {
        #[test]
        fn progress_is_the_difference_and_reverses(a in prop::array::uniform13(1u8..=5), b in prop::array::uniform13(1u8..=5)) {
            let (sa, sb) = (scores(a), scores(b));
            let forward = progress(&sa, &sb);
            let back = progress(&sb, &sa);
            for i in 0..13 {
                prop_assert_eq!(forward[i], -back[i]);
                prop_assert!((-4..=4).contains(&forward[i]));
                prop_assert_eq!(sa.0[i].0 as i8 + forward[i], sb.0[i].0 as i8);
            }
            prop_assert_eq!(progress(&sa, &sa), [0; 13]);
        }

        #[test]
        fn intensity_periods_never_overlap(days in prop::collection::vec((0i32..400, 0u8..=40), 0..30)) {
            let base = date(2026, 1, 1);
            let changes: Vec<_> = days.iter().map(|(d, h)| IntensityChange { on: base.saturating_add(d.days()), hours: *h as f64 }).collect();
            let ps = periods(&changes);
            for w in ps.windows(2) {
                prop_assert!(w[0].from < w[1].from);
                prop_assert_eq!(w[0].until, Some(w[1].from));
            }
            if let Some(last) = ps.last() {
                prop_assert_eq!(last.until, None);
            }
            // Each day has exactly the hours of the latest change on or before it.
            for (d, _) in &days {
                let day = base.saturating_add(d.days());
                let last_that_day = changes.iter().rev().find(|c| c.on == day).unwrap().hours;
                prop_assert_eq!(hours_on(&changes, day), Some(last_that_day));
            }
        }

        #[test]
        fn accepted_changes_keep_the_history_ordered(days in prop::collection::vec(0i32..400, 0..30)) {
            let start = date(2026, 1, 1);
            let mut history: Vec<IntensityChange> = Vec::new();
            for d in days {
                let on = start.saturating_add(d.days());
                if check_intensity_date(&history, start, None, on).is_ok() {
                    history.push(IntensityChange { on, hours: 1.0 });
                }
            }
            prop_assert!(history.windows(2).all(|w| w[0].on <= w[1].on));
        }
    }
}
