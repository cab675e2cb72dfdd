//! Cutover planning: where each migration stands on the protocol's eight-step checklist, what
//! blocks its next step, and what its parallel run looks like. `handoff plan` prints this model;
//! docs/cron-migration.md is rendered from the same model (without the date-dependent parts),
//! so the document and the command never disagree.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::cron;
use crate::registry::{Migration, Registry, SideEffect, SideEffectBy, Step, StepState};

/// The parallel run lasts at least this many days before the legacy job may be disabled.
pub const PARALLEL_RUN_DAYS: i64 = 7;

/// Where the fire-time preview in the generated doc starts when a migration records no date:
/// a fixed instant keeps the document deterministic.
pub const DEFAULT_PREVIEW_FROM: &str = "2026-01-01T00:00:00Z";

#[derive(Debug, Clone, Serialize)]
pub struct Blocker {
    /// The step this blocks.
    pub step: Step,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParallelRun {
    pub start: Date,
    /// start + 7 days: the first day the legacy job may be disabled.
    pub earliest_disable: Date,
    pub window_days: i64,
    /// Fires of the legacy schedule within [start, start + 7 days) in the legacy timezone;
    /// `None` when the legacy job has no cron schedule (a systemd timer only).
    pub legacy_fires: Option<usize>,
    /// Fires of the definition's cron schedule within the same window; `None` for event triggers.
    pub definition_fires: Option<usize>,
    /// Fires of both in the same minute: the double-fire exposure.
    pub same_minute: Option<usize>,
    /// Days elapsed at `--at`, when given.
    pub days_elapsed: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub next_step: Option<Step>,
    pub blockers: Vec<Blocker>,
    pub parallel_run: Option<ParallelRun>,
    pub legacy_words: Option<String>,
    pub definition_words: Option<String>,
    /// Start of the fire-time preview (RFC 3339).
    pub preview_from: String,
    /// The legacy schedule's next fires after `preview_from` (UTC, RFC 3339).
    pub legacy_preview: Vec<String>,
}

/// Whether a side effect may run on both sides at once: declared idempotent, with a mechanism.
/// The one judgement behind `plan`'s parallel-run blockers and `validate`'s `parallel-run-unsafe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParallelRunSafety {
    Safe,
    /// Declared idempotent, but no mechanism says how.
    NoMechanism,
    NotIdempotent,
    /// No idempotency declaration yet.
    Undeclared,
}

impl ParallelRunSafety {
    pub fn of(se: &SideEffect) -> Self {
        match (se.idempotent, &se.mechanism) {
            (Some(true), Some(_)) => Self::Safe,
            (Some(true), None) => Self::NoMechanism,
            (Some(false), _) => Self::NotIdempotent,
            (None, _) => Self::Undeclared,
        }
    }
}

/// What the checks of a definition file found, for `plan` (validate supplies it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefinitionState {
    Missing,
    Invalid(usize),
    Valid,
}

/// Computes a migration's status. `definition` and `at` add the blockers that depend on the
/// definitions folder and on today's date; without them the status is deterministic.
pub fn status(
    reg: &Registry,
    m: &Migration,
    definition: Option<DefinitionState>,
    at: Option<Date>,
) -> Status {
    let mut blockers = side_effect_blockers(m);
    blockers.extend(definition_blockers(reg, m, definition));
    let schedules = Schedules::of(m);
    let parallel_run = parallel_run(m, &schedules, at, &mut blockers);
    let preview_from = preview_from(m, &schedules.legacy_tz);
    let legacy_preview = schedules
        .legacy
        .as_ref()
        .map(|s| {
            s.upcoming(preview_from, &schedules.legacy_tz, 5)
                .iter()
                .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                .collect()
        })
        .unwrap_or_default();
    blockers.sort_by_key(|b| b.step);
    Status {
        next_step: m.cutover.next_step(),
        blockers,
        parallel_run,
        legacy_words: schedules.legacy.as_ref().map(|s| s.describe()),
        definition_words: schedules.definition.as_ref().map(|s| s.describe()),
        preview_from: preview_from.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        legacy_preview,
    }
}

/// Side effects must be declared idempotent, with a mechanism, before the parallel run.
fn side_effect_blockers(m: &Migration) -> Vec<Blocker> {
    let mut blockers = Vec::new();
    for se in &m.side_effects {
        let who = match se.by {
            SideEffectBy::Legacy => "the legacy job",
            SideEffectBy::Definition => "the definition",
            SideEffectBy::Both => "both sides",
        };
        let problem = match ParallelRunSafety::of(se) {
            ParallelRunSafety::Safe => continue,
            ParallelRunSafety::NoMechanism => "is declared idempotent but names no mechanism",
            ParallelRunSafety::NotIdempotent => {
                "is not idempotent; fix that before running both sides"
            }
            ParallelRunSafety::Undeclared => "has no idempotency declaration",
        };
        blockers.push(Blocker {
            step: Step::ParallelRun,
            message: format!("side effect `{}` (by {who}) {problem}", se.name.value),
        });
    }
    blockers
}

/// What the definition still lacks: an idempotency declaration, declared side effects,
/// registered event subjects, and a definition file that exists and validates.
fn definition_blockers(
    reg: &Registry,
    m: &Migration,
    definition: Option<DefinitionState>,
) -> Vec<Blocker> {
    let mut blockers = Vec::new();
    // The definition must say how a repeated fire is harmless before both sides run.
    let d = &m.definition;
    if d.idempotency.is_placeholder() {
        blockers.push(Blocker {
            step: Step::ParallelRun,
            message: format!(
                "definition {} has no idempotency declaration yet (its key or mechanism is a TODO)",
                d.name.value
            ),
        });
    }
    if m.side_effects.is_empty()
        && *m.cutover.state(Step::SideEffectsIdentified) == StepState::Pending
    {
        blockers.push(Blocker {
            step: Step::SideEffectsIdentified,
            message: "no side effects are declared: list what the job changes and whether it creates work".to_string(),
        });
    }
    // Event triggers need registered subjects, documented and wired.
    for e in &d.trigger.events {
        if reg.matching(e).is_empty() {
            blockers.push(Blocker {
                step: Step::SubjectDocumented,
                message: format!("event trigger `{}` is not a registered subject", e.value),
            });
        }
    }
    match definition {
        Some(DefinitionState::Missing) => blockers.push(Blocker {
            step: Step::DefinitionLanded,
            message: format!(
                "definition file {}/{}.yaml is missing (run `handoff generate`)",
                reg.output.definitions, d.name.value
            ),
        }),
        Some(DefinitionState::Invalid(n)) => blockers.push(Blocker {
            step: Step::DefinitionLanded,
            message: format!(
                "definition {} fails validation ({n} error{}; run `handoff validate`)",
                d.name.value,
                if n == 1 { "" } else { "s" }
            ),
        }),
        _ => {}
    }
    blockers
}

/// Both sides' parsed schedules and time zones (UTC when a zone does not parse).
struct Schedules {
    legacy_tz: TimeZone,
    legacy: Option<cron::Schedule>,
    definition_tz: TimeZone,
    definition: Option<cron::Schedule>,
}

impl Schedules {
    fn of(m: &Migration) -> Self {
        let parsed = |s: &Option<crate::source::Spanned<String>>| {
            s.as_ref()
                .and_then(|s| cron::parse(s).ok())
                .map(|p| p.schedule)
        };
        Schedules {
            legacy_tz: cron::parse_timezone(&m.legacy.timezone).unwrap_or(TimeZone::UTC),
            legacy: parsed(&m.legacy.schedule),
            definition_tz: cron::parse_timezone(&m.definition.trigger.timezone)
                .unwrap_or(TimeZone::UTC),
            definition: parsed(&m.definition.trigger.cron),
        }
    }
}

/// The parallel run, when one is recorded, with the blockers on disabling the legacy job.
fn parallel_run(
    m: &Migration,
    schedules: &Schedules,
    at: Option<Date>,
    blockers: &mut Vec<Blocker>,
) -> Option<ParallelRun> {
    let cut = &m.cutover;
    let StepState::Done(start) = cut.state(Step::ParallelRun) else {
        // Disabling the legacy job without a parallel run skips the protocol's safety week.
        if let StepState::Done(disabled) = cut.state(Step::LegacyDisabled) {
            blockers.push(Blocker {
                step: Step::LegacyDisabled,
                message: format!(
                    "the legacy job is recorded as disabled on {disabled}, but no parallel run is recorded (set `parallel_run` to the date both sides started)"
                ),
            });
        }
        return None;
    };
    let start = *start;
    let earliest_disable = start
        .checked_add(jiff::Span::new().days(PARALLEL_RUN_DAYS))
        .unwrap_or(start);
    let (legacy_fires, definition_fires, same_minute) =
        fires_in_window(schedules, start, earliest_disable);
    let days_elapsed = at.map(|at| days_between(start, at));
    if let Some(b) = disable_blocker(m, start, earliest_disable, at, days_elapsed) {
        blockers.push(b);
    }
    Some(ParallelRun {
        start,
        earliest_disable,
        window_days: PARALLEL_RUN_DAYS,
        legacy_fires,
        definition_fires,
        same_minute,
        days_elapsed,
    })
}

/// Fires of the legacy schedule, of the definition's, and of both in the same minute, from
/// `start` to `end` (days in the legacy time zone).
fn fires_in_window(
    schedules: &Schedules,
    start: Date,
    end: Date,
) -> (Option<usize>, Option<usize>, Option<usize>) {
    let tz = &schedules.legacy_tz;
    let instant = |d: Date| d.to_zoned_datetime(tz.clone()).map(|z| z.timestamp()).ok();
    let (Some(ws), Some(we)) = (instant(start), instant(end)) else {
        return (None, None, None);
    };
    // fires_between is inclusive of the start instant: a fire at 00:00 on the start day
    // belongs to the window.
    let before = ws - jiff::SignedDuration::from_secs(1);
    let l: Option<Vec<jiff::Timestamp>> = schedules
        .legacy
        .as_ref()
        .map(|s| s.fires_between(before, we, tz));
    let d: Option<Vec<jiff::Timestamp>> = schedules
        .definition
        .as_ref()
        .map(|s| s.fires_between(before, we, &schedules.definition_tz));
    let same_minute = match (&l, &d) {
        (Some(l), Some(d)) => {
            let minutes: std::collections::BTreeSet<i64> =
                l.iter().map(|t| t.as_second().div_euclid(60)).collect();
            Some(
                d.iter()
                    .filter(|t| minutes.contains(&t.as_second().div_euclid(60)))
                    .count(),
            )
        }
        _ => None,
    };
    (
        l.as_ref().map(Vec::len),
        d.as_ref().map(Vec::len),
        same_minute,
    )
}

/// What stands in the way of disabling the legacy job during a parallel run from `start`.
fn disable_blocker(
    m: &Migration,
    start: Date,
    earliest_disable: Date,
    at: Option<Date>,
    days_elapsed: Option<i64>,
) -> Option<Blocker> {
    let message = match (m.cutover.state(Step::LegacyDisabled), days_elapsed) {
        // Recorded as disabled before the week was over: the record is the problem.
        (StepState::Done(disabled), _) if days_between(start, *disabled) < PARALLEL_RUN_DAYS => {
            format!(
                "the legacy job is recorded as disabled on {disabled}, {} days into the parallel run; it may be disabled from {earliest_disable} (at least {PARALLEL_RUN_DAYS} days after {start})",
                days_between(start, *disabled)
            )
        }
        (StepState::Pending, Some(days)) if days < 0 => format!(
            "the parallel run is recorded to start on {start}, {} days after {}; the legacy job may be disabled from {earliest_disable}",
            -days,
            at.map(|d| d.to_string()).unwrap_or_default()
        ),
        (StepState::Pending, Some(days)) if days < PARALLEL_RUN_DAYS => format!(
            "the parallel run has lasted {days} of {PARALLEL_RUN_DAYS} days; the legacy job may be disabled from {earliest_disable}"
        ),
        _ => return None,
    };
    Some(Blocker {
        step: Step::LegacyDisabled,
        message,
    })
}

/// Where the fire-time preview starts: at the parallel run, else at the latest recorded date,
/// so the generated document does not change from one day to the next.
fn preview_from(m: &Migration, legacy_tz: &TimeZone) -> jiff::Timestamp {
    let cut = &m.cutover;
    let anchor_date = match cut.state(Step::ParallelRun) {
        StepState::Done(d) => Some(*d),
        _ => cut
            .steps
            .iter()
            .filter_map(|(_, s, _)| match s {
                StepState::Done(d) => Some(*d),
                _ => None,
            })
            .max(),
    };
    anchor_date
        .and_then(|d| d.to_zoned_datetime(legacy_tz.clone()).ok())
        .map(|z| z.timestamp())
        .unwrap_or_else(|| {
            DEFAULT_PREVIEW_FROM
                .parse()
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        })
}

/// Whether a blocker stands in the way of the migration's next step or any step before it.
/// When every step is recorded as done, any blocker left is a record that cannot be right (for
/// example the legacy job disabled before the parallel run lasted its week), so all of them count.
pub fn blocking_now(status: &Status) -> Vec<&Blocker> {
    match status.next_step {
        Some(next) => status.blockers.iter().filter(|b| b.step <= next).collect(),
        None => status.blockers.iter().collect(),
    }
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
fn days_between(from: Date, to: Date) -> i64 {
    (to - from).get_days() as i64
}
