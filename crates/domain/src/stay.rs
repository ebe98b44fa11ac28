//! Stays (verblijven) and the six-month clock: planned end, milestones, extensions,
//! ready to move on, and exit with its destination class.

use crate::RuleViolation;
use crate::code_enum;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

code_enum! {
    /// The milestones of every stay.
    Milestone {
        RecoveryPlan = "plan",
        Evaluation = "evaluation",
        ExitPreparation = "exit_preparation",
    }
}

impl Milestone {
    /// When the milestone falls due, counted from the start of the stay.
    pub fn due(self, start: Date) -> Date {
        let span = match self {
            Milestone::RecoveryPlan => 14.days(),
            Milestone::Evaluation => 3.months(),
            Milestone::ExitPreparation => 5.months(),
        };
        start.saturating_add(span)
    }

    /// The latest start date for which this milestone, when not done, is due soon or
    /// overdue on `today`: lists select pressing milestones by start date, so an index can.
    pub fn pressing_if_started_by(self, today: Date) -> Date {
        let limit = today.saturating_add(DUE_SOON_DAYS.days());
        // Adding months clamps at month ends, so step to the exact edge from a close guess.
        let mut start = limit.saturating_sub(match self {
            Milestone::RecoveryPlan => 14.days(),
            Milestone::Evaluation => 3.months(),
            Milestone::ExitPreparation => 5.months(),
        });
        while self.due(start) > limit {
            start = start.saturating_sub(1.day());
        }
        while let Some(next) = start.tomorrow().ok().filter(|d| self.due(*d) <= limit) {
            start = next;
        }
        start
    }
}

/// A milestone is "due soon" this many days before its date.
pub const DUE_SOON_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MilestoneStatus {
    Done {
        #[schemars(with = "crate::schema::IsoDate")]
        on: Date,
    },
    Upcoming {
        #[schemars(with = "crate::schema::IsoDate")]
        due: Date,
    },
    DueSoon {
        #[schemars(with = "crate::schema::IsoDate")]
        due: Date,
    },
    Overdue {
        #[schemars(with = "crate::schema::IsoDate")]
        due: Date,
    },
    /// The stay ended before the milestone fell due.
    NotReached {
        #[schemars(with = "crate::schema::IsoDate")]
        due: Date,
    },
}

impl MilestoneStatus {
    pub fn of(milestone: Milestone, start: Date, done_on: Option<Date>, today: Date) -> Self {
        let due = milestone.due(start);
        match done_on {
            Some(on) => MilestoneStatus::Done { on },
            None if today > due => MilestoneStatus::Overdue { due },
            None if days_between(today, due) <= DUE_SOON_DAYS => MilestoneStatus::DueSoon { due },
            None => MilestoneStatus::Upcoming { due },
        }
    }

    /// The status for a stay that may have ended: after exit the clock stops, and milestones
    /// that fell due after the exit were never reached.
    pub fn of_stay(
        milestone: Milestone,
        start: Date,
        done_on: Option<Date>,
        exit: Option<Date>,
        today: Date,
    ) -> Self {
        match exit {
            Some(e) if done_on.is_none() && milestone.due(start) >= e => {
                MilestoneStatus::NotReached {
                    due: milestone.due(start),
                }
            }
            Some(e) => Self::of(milestone, start, done_on, e.min(today)),
            None => Self::of(milestone, start, done_on, today),
        }
    }

    pub fn is_open_and_pressing(self) -> bool {
        matches!(
            self,
            MilestoneStatus::DueSoon { .. } | MilestoneStatus::Overdue { .. }
        )
    }
}

/// Planned end of a stay: start plus the maximum stay of the kind of home.
pub fn planned_end(start: Date, max_stay_months: i8) -> Date {
    start.saturating_add((max_stay_months as i64).months())
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    (b - a).get_days() as i64
}

/// Where the clock of a stay stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StayClock {
    /// Day of the stay, the first day being 1.
    pub day: i64,
    /// Days until the planned end; negative when past it.
    pub days_left: i64,
    pub overdue: bool,
    /// Days waiting for housing: from ready-to-move-on until exit or today.
    pub waiting_for_housing_days: i64,
}

impl StayClock {
    pub fn of(
        start: Date,
        planned_end: Date,
        ready_on: Option<Date>,
        exit: Option<Date>,
        today: Date,
    ) -> Self {
        let until = exit.unwrap_or(today);
        StayClock {
            day: days_between(start, until) + 1,
            days_left: days_between(until, planned_end),
            overdue: exit.is_none() && today > planned_end,
            waiting_for_housing_days: ready_on.map(|r| days_between(r, until).max(0)).unwrap_or(0),
        }
    }
}

code_enum! {
    /// Where a person went at exit.
    Destination {
        OwnRentedHome = "own_rented_home",
        OwnLeaseViaFlip = "own_lease_via_flip",
        FamilyOrFriends = "family_or_friends",
        ProtectedHousing = "protected_housing",
        Clinic = "clinic",
        Detention = "detention",
        CentralShelter = "central_shelter",
        OtherTemporary = "other_temporary",
        Street = "street",
        Unknown = "unknown",
        Deceased = "deceased",
    }
}

code_enum! {
    DestinationClass {
        Permanent = "permanent",
        Institutional = "institutional",
        Temporary = "temporary",
        HomelessOrUnknown = "homeless_unknown",
        Deceased = "deceased",
    }
}

impl Destination {
    pub fn class(self) -> DestinationClass {
        use Destination::*;
        match self {
            OwnRentedHome | OwnLeaseViaFlip | FamilyOrFriends => DestinationClass::Permanent,
            ProtectedHousing | Clinic | Detention => DestinationClass::Institutional,
            CentralShelter | OtherTemporary => DestinationClass::Temporary,
            Street | Unknown => DestinationClass::HomelessOrUnknown,
            Deceased => DestinationClass::Deceased,
        }
    }

    /// A home of one's own (counted in the "own home" measure).
    pub fn is_own_home(self) -> bool {
        matches!(
            self,
            Destination::OwnRentedHome | Destination::OwnLeaseViaFlip
        )
    }
}

/// An extension of a stay: an explicit, counted decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionDecision {
    pub decided_by: String,
    pub reason: String,
    pub new_end: Date,
}

/// The longest one extension may add, so a stay never silently becomes open-ended.
pub const MAX_EXTENSION_MONTHS: i64 = 6;

impl ExtensionDecision {
    pub fn validate(
        decided_by: &str,
        reason: &str,
        new_end: Date,
        current_end: Date,
        today: Date,
    ) -> Result<Self, Vec<RuleViolation>> {
        let mut errors = Vec::new();
        let decided_by = decided_by.trim();
        let reason = reason.trim();
        if decided_by.is_empty() {
            errors.push(RuleViolation::new(
                "decided_by",
                "vul in wie het besluit nam",
            ));
        }
        if let Err(e) = crate::limits::check(
            "decided_by",
            decided_by,
            crate::limits::EXTENSION_DECIDED_BY,
        ) {
            errors.push(e);
        }
        if let Err(e) = crate::limits::check("reason", reason, crate::limits::EXTENSION_REASON) {
            errors.push(e);
        }
        if reason.chars().count() < 10 {
            errors.push(RuleViolation::new(
                "reason",
                "geef een reden van minstens 10 tekens: waarom is langer nodig?",
            ));
        }
        if new_end <= current_end {
            errors.push(RuleViolation::new(
                "new_end",
                format!(
                    "de nieuwe einddatum moet na de huidige ({}) liggen",
                    crate::labels::date(current_end)
                ),
            ));
        } else if new_end > current_end.saturating_add(MAX_EXTENSION_MONTHS.months()) {
            errors.push(RuleViolation::new(
                "new_end",
                "een verlenging is hooguit 6 maanden; neem daarna opnieuw een besluit",
            ));
        } else if new_end < today {
            errors.push(RuleViolation::new(
                "new_end",
                "de nieuwe einddatum ligt in het verleden",
            ));
        }
        if errors.is_empty() {
            Ok(Self {
                decided_by: decided_by.to_string(),
                reason: reason.to_string(),
                new_end,
            })
        } else {
            Err(errors)
        }
    }
}

/// Checks an exit: on or after the start (and after ready-to-move-on if set), not in the future.
pub fn validate_exit(
    start: Date,
    exit_date: Date,
    today: Date,
    reason: &str,
) -> Result<(), Vec<RuleViolation>> {
    let mut errors = Vec::new();
    if exit_date < start {
        errors.push(RuleViolation::new(
            "exit_date",
            format!(
                "de vertrekdatum ligt vóór het begin van het verblijf ({})",
                crate::labels::date(start)
            ),
        ));
    }
    if exit_date > today {
        errors.push(RuleViolation::new(
            "exit_date",
            "de vertrekdatum ligt in de toekomst; registreer het vertrek op de dag zelf",
        ));
    }
    if reason.chars().count() > crate::limits::EXIT_REASON {
        errors.push(RuleViolation::new("reason", "maximaal 1000 tekens"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks a ready-to-move-on date: within the stay, not in the future.
pub fn validate_ready_on(start: Date, ready_on: Date, today: Date) -> Result<(), RuleViolation> {
    if ready_on < start {
        Err(RuleViolation::new(
            "ready_on",
            "de datum ligt vóór het begin van het verblijf",
        ))
    } else if ready_on > today {
        Err(RuleViolation::new(
            "ready_on",
            "uitstroomklaar registreer je vanaf de dag dat het zo is, niet vooruit",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pressing_by_start_date_matches_the_status() {
        let today = jiff::civil::date(2026, 3, 31);
        for m in Milestone::ALL {
            let edge = m.pressing_if_started_by(today);
            let mut start = today.saturating_sub(400.days());
            while start <= today {
                let pressing = MilestoneStatus::of(*m, start, None, today).is_open_and_pressing();
                assert_eq!(pressing, start <= edge, "{m:?} started {start}");
                start = start.tomorrow().unwrap();
            }
        }
    }
    use jiff::civil::date;

    #[test]
    fn six_months_from_the_start() {
        assert_eq!(planned_end(date(2026, 1, 15), 6), date(2026, 7, 15));
        // Month ends clamp instead of spilling into the next month.
        assert_eq!(planned_end(date(2026, 8, 31), 6), date(2027, 2, 28));
    }

    #[test]
    fn milestones_fall_due_at_two_weeks_three_and_five_months() {
        let start = date(2026, 1, 1);
        assert_eq!(Milestone::RecoveryPlan.due(start), date(2026, 1, 15));
        assert_eq!(Milestone::Evaluation.due(start), date(2026, 4, 1));
        assert_eq!(Milestone::ExitPreparation.due(start), date(2026, 6, 1));
    }

    #[test]
    fn milestone_status_moves_from_upcoming_to_overdue() {
        let start = date(2026, 1, 1);
        let s = |today| MilestoneStatus::of(Milestone::RecoveryPlan, start, None, today);
        assert!(matches!(
            s(date(2026, 1, 2)),
            MilestoneStatus::Upcoming { .. }
        ));
        assert!(matches!(
            s(date(2026, 1, 8)),
            MilestoneStatus::DueSoon { .. }
        ));
        assert!(matches!(
            s(date(2026, 1, 15)),
            MilestoneStatus::DueSoon { .. }
        ));
        assert!(matches!(
            s(date(2026, 1, 16)),
            MilestoneStatus::Overdue { .. }
        ));
        let done = MilestoneStatus::of(
            Milestone::RecoveryPlan,
            start,
            Some(date(2026, 1, 20)),
            date(2026, 3, 1),
        );
        assert_eq!(
            done,
            MilestoneStatus::Done {
                on: date(2026, 1, 20)
            }
        );
    }

    #[test]
    fn after_exit_a_later_milestone_is_not_reached_and_nothing_becomes_overdue() {
        let start = date(2026, 1, 1);
        let exit = Some(date(2026, 2, 1));
        let today = date(2026, 12, 1);
        assert_eq!(
            MilestoneStatus::of_stay(Milestone::Evaluation, start, None, exit, today),
            MilestoneStatus::NotReached {
                due: date(2026, 4, 1)
            }
        );
        // The plan was due on 15 Jan and not made before the exit on 1 Feb: overdue at exit.
        assert!(matches!(
            MilestoneStatus::of_stay(Milestone::RecoveryPlan, start, None, exit, today),
            MilestoneStatus::Overdue { .. }
        ));
    }

    #[test]
    fn clock_counts_days_and_waiting_for_housing() {
        let start = date(2026, 1, 1);
        let end = planned_end(start, 6);
        let c = StayClock::of(start, end, None, None, date(2026, 1, 1));
        assert_eq!((c.day, c.overdue), (1, false));
        assert_eq!(c.days_left, 181);
        let c = StayClock::of(start, end, Some(date(2026, 6, 1)), None, date(2026, 7, 10));
        assert!(c.overdue);
        assert_eq!(c.days_left, -9);
        assert_eq!(c.waiting_for_housing_days, 39);
        // After exit the clock stops.
        let c = StayClock::of(
            start,
            end,
            Some(date(2026, 6, 1)),
            Some(date(2026, 6, 11)),
            date(2027, 1, 1),
        );
        assert!(!c.overdue);
        assert_eq!(c.waiting_for_housing_days, 10);
        assert_eq!(c.day, 162);
    }

    #[test]
    fn extension_must_move_the_end_forward_with_a_reason() {
        let cur = date(2026, 7, 1);
        let today = date(2026, 6, 20);
        let ok = ExtensionDecision::validate(
            "J. de Vries",
            "wacht op sleutel woning",
            date(2026, 8, 1),
            cur,
            today,
        );
        assert_eq!(ok.unwrap().new_end, date(2026, 8, 1));
        let err =
            ExtensionDecision::validate("", "kort", date(2026, 6, 1), cur, today).unwrap_err();
        let fields: Vec<_> = err.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["decided_by", "reason", "new_end"]);
        let too_long =
            ExtensionDecision::validate("X", "een goede reden hier", date(2027, 2, 1), cur, today);
        assert_eq!(too_long.unwrap_err()[0].field, "new_end");
        let wordy = ExtensionDecision::validate(
            &"J".repeat(crate::limits::EXTENSION_DECIDED_BY + 1),
            &"r".repeat(crate::limits::EXTENSION_REASON + 1),
            date(2026, 8, 1),
            cur,
            today,
        )
        .unwrap_err();
        let fields: Vec<_> = wordy
            .iter()
            .map(|e| (e.field, e.message.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("decided_by", "hoogstens 120 tekens"),
                ("reason", "hoogstens 1000 tekens")
            ]
        );
    }

    #[test]
    fn destination_classes() {
        assert_eq!(
            Destination::OwnLeaseViaFlip.class(),
            DestinationClass::Permanent
        );
        assert_eq!(Destination::Clinic.class(), DestinationClass::Institutional);
        assert_eq!(
            Destination::CentralShelter.class(),
            DestinationClass::Temporary
        );
        assert_eq!(
            Destination::Street.class(),
            DestinationClass::HomelessOrUnknown
        );
        assert_eq!(Destination::Deceased.class(), DestinationClass::Deceased);
        for d in Destination::ALL {
            assert_eq!(Destination::parse(d.code()), Some(*d));
        }
    }

    #[test]
    fn exit_dates_are_checked() {
        let start = date(2026, 1, 1);
        assert!(validate_exit(start, date(2026, 2, 1), date(2026, 3, 1), "").is_ok());
        assert_eq!(
            validate_exit(start, date(2025, 12, 1), date(2026, 3, 1), "").unwrap_err()[0].field,
            "exit_date"
        );
        assert!(validate_exit(start, date(2026, 4, 1), date(2026, 3, 1), "").is_err());
    }
}
