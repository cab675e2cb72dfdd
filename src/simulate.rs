//! What would run in a window: the fires of cron-triggered definitions and of the registry's
//! legacy schedules (each in its time zone, with cronie's DST behaviour: the same
//! `Schedule::fires_between` that `plan` counts with), and the definitions triggered by recorded
//! events (`handoff tap --format json` lines). Each definition fire carries its rule's outcome
//! under the given contexts. For each migration, a definition fire in a minute in which the
//! legacy job also fires is a double fire: both are marked, and counted as `plan` counts
//! `same_minute`.
//!
//! Model: a legacy job runs until the date its migration records `legacy_disabled` (00:00 in
//! its time zone), then no more; definitions in the folder run throughout the window.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::Value as J;

use crate::cron;
use crate::eval::{EventValue, Outcome};
use crate::matching::Matcher;
use crate::registry::{Migration, Registry, Step, StepState};

/// What fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A legacy cron job of a registry migration.
    Legacy,
    /// A definition, on its cron schedule or on a recorded event.
    Definition,
}

/// One fire on the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub at: Timestamp,
    pub kind: Kind,
    /// The definition's name, or the legacy job's migration.
    pub name: String,
    /// The migration this fire belongs to, when any.
    pub migration: Option<String>,
    /// `cron` or `event`.
    pub trigger: &'static str,
    /// The schedule (cron) or the subject (event).
    pub source: String,
    pub timezone: Option<String>,
    /// The recorded event's id.
    pub event_id: Option<String>,
    /// The rule's outcome (definitions only): `fires`, `skips`, `skips: missing-context`, `error`.
    pub outcome: Option<&'static str>,
    pub message: Option<String>,
    /// Legacy and definition of one migration fire in the same minute.
    pub double: bool,
}

/// Per migration, over the window (the same counts `plan` gives for its parallel-run week).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MigrationCounts {
    pub migration: String,
    pub definition: String,
    pub legacy_fires: Option<usize>,
    pub definition_fires: Option<usize>,
    /// Definition fires in a minute in which the legacy job also fires.
    pub same_minute: Option<usize>,
}

#[derive(Debug, Default, Serialize)]
pub struct Simulation {
    pub entries: Vec<Entry>,
    pub migrations: Vec<MigrationCounts>,
    /// Things the simulation could not model (a systemd timer, an unparsable event line).
    pub notes: Vec<String>,
}

/// A recorded event: one line of `handoff tap --format json` (its `event` field) or a bare
/// envelope.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub line: usize,
    pub subject: String,
    pub envelope: J,
    pub at: Timestamp,
}

/// Reads JSON lines of recorded events; lines that carry no usable envelope are notes.
pub fn read_events(text: &str) -> (Vec<Recorded>, Vec<String>) {
    let mut events = Vec::new();
    let mut notes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: J = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                notes.push(format!("events line {n}: not JSON ({e}); skipped"));
                continue;
            }
        };
        let envelope = match value.get("event") {
            Some(e @ J::Object(_)) => e.clone(),
            _ if value.get("attributes").is_some() => value.clone(),
            _ => {
                notes.push(format!(
                    "events line {n}: no envelope (record with `handoff tap --format json`); skipped"
                ));
                continue;
            }
        };
        let subject = value
            .get("subject")
            .or_else(|| envelope.get("type"))
            .and_then(J::as_str)
            .map(str::to_string);
        let at = envelope
            .get("timestamp")
            .and_then(J::as_str)
            .and_then(|t| t.parse::<Timestamp>().ok());
        match (subject, at) {
            (Some(subject), Some(at)) => events.push(Recorded {
                line: n,
                subject,
                envelope,
                at,
            }),
            _ => notes.push(format!(
                "events line {n}: no subject or no valid timestamp; skipped"
            )),
        }
    }
    (events, notes)
}

/// Simulates `[from, to)`.
pub fn simulate(
    reg: &Registry,
    matcher: &Matcher,
    from: Timestamp,
    to: Timestamp,
    events: &[Recorded],
) -> Simulation {
    let mut sim = Simulation::default();
    let def_fires = definition_cron_fires(reg, matcher, from, to, &mut sim);
    for m in &reg.migrations {
        legacy_fires(m, from, to, &def_fires, &mut sim);
    }
    event_fires(reg, matcher, from, to, events, &mut sim);
    sim.entries
        .sort_by(|a, b| (a.at, a.kind, &a.name).cmp(&(b.at, b.kind, &b.name)));
    sim
}

/// The definitions' cron fires in `[from, to)`, as entries; returns the indices of each
/// definition's entries, by definition name.
fn definition_cron_fires(
    reg: &Registry,
    matcher: &Matcher,
    from: Timestamp,
    to: Timestamp,
    sim: &mut Simulation,
) -> BTreeMap<String, Vec<usize>> {
    let cron_event = EventValue::cron_fire();
    let mut def_fires: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for d in &matcher.definitions {
        let Some(c) = &d.definition.trigger.cron else {
            continue;
        };
        let (Ok(parsed), Ok(tz)) = (
            cron::parse(&c.value),
            cron::parse_timezone(&d.definition.trigger.timezone.value),
        ) else {
            sim.notes.push(format!(
                "{}: its cron trigger is invalid (run `handoff validate`); not simulated",
                d.file
            ));
            continue;
        };
        // One evaluation: a cron fire binds the same (empty) event every time.
        let outcome = d.evaluate(&cron_event, &matcher.context);
        let migration = migration_of(reg, d);
        for at in parsed.schedule.fires_between(from, to, &tz) {
            def_fires
                .entry(d.name.clone())
                .or_default()
                .push(sim.entries.len());
            sim.entries.push(definition_entry(
                at,
                d.name.clone(),
                migration.clone(),
                "cron",
                c.value.clone(),
                Some(d.definition.trigger.timezone.value.clone()),
                None,
                &outcome,
            ));
        }
    }
    def_fires
}

/// A migration's legacy fires in `[from, to)` (until the legacy job was disabled), as entries,
/// with the doubles against its definition's cron fires marked, and its counts.
fn legacy_fires(
    m: &Migration,
    from: Timestamp,
    to: Timestamp,
    def_fires: &BTreeMap<String, Vec<usize>>,
    sim: &mut Simulation,
) {
    let def_name = m.definition.name.value.clone();
    let Some(schedule) = &m.legacy.schedule else {
        if m.legacy.systemd_timer.is_some() {
            sim.notes.push(format!(
                "migration {}: the legacy job is a systemd timer; its fires are not simulated",
                m.name.value
            ));
        }
        sim.migrations.push(MigrationCounts {
            migration: m.name.value.clone(),
            definition: def_name.clone(),
            legacy_fires: None,
            definition_fires: def_fires.get(&def_name).map(Vec::len),
            same_minute: None,
        });
        return;
    };
    let tz = cron::parse_timezone(&m.legacy.timezone).unwrap_or(TimeZone::UTC);
    let Ok(parsed) = cron::parse(schedule) else {
        return;
    };
    let legacy_end = match m.cutover.state(Step::LegacyDisabled) {
        StepState::Done(date) => date
            .to_zoned_datetime(tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or(to)
            .min(to),
        _ => to,
    };
    let legacy = if legacy_end > from {
        parsed.schedule.fires_between(from, legacy_end, &tz)
    } else {
        Vec::new()
    };
    let (same, def_minutes) = mark_doubles(sim, def_fires.get(&def_name), &legacy);
    for at in &legacy {
        sim.entries.push(Entry {
            at: *at,
            kind: Kind::Legacy,
            name: m.name.value.clone(),
            migration: Some(m.name.value.clone()),
            trigger: "cron",
            source: schedule.value.clone(),
            timezone: Some(m.legacy.timezone.clone()),
            event_id: None,
            outcome: None,
            message: None,
            double: def_minutes.contains(&minute(*at)),
        });
    }
    sim.migrations.push(MigrationCounts {
        migration: m.name.value.clone(),
        definition: def_name.clone(),
        legacy_fires: Some(legacy.len()),
        definition_fires: def_fires.get(&def_name).map(Vec::len),
        same_minute: def_fires.contains_key(&def_name).then_some(same),
    });
}

/// Marks as doubles the definition's cron entries (at `indices`) in a minute the legacy job
/// also fires; returns how many, and their minutes.
fn mark_doubles(
    sim: &mut Simulation,
    indices: Option<&Vec<usize>>,
    legacy: &[Timestamp],
) -> (usize, BTreeSet<i64>) {
    let minutes: BTreeSet<i64> = legacy.iter().map(|t| minute(*t)).collect();
    let mut def_minutes = BTreeSet::new();
    let mut same = 0;
    for &i in indices.into_iter().flatten() {
        let e = &mut sim.entries[i];
        if e.trigger == "cron" && minutes.contains(&minute(e.at)) {
            e.double = true;
            same += 1;
            def_minutes.insert(minute(e.at));
        }
    }
    (same, def_minutes)
}

/// The definitions the recorded events in `[from, to)` trigger, as entries.
fn event_fires(
    reg: &Registry,
    matcher: &Matcher,
    from: Timestamp,
    to: Timestamp,
    events: &[Recorded],
    sim: &mut Simulation,
) {
    for ev in events.iter().filter(|e| e.at >= from && e.at < to) {
        let id = ev
            .envelope
            .get("id")
            .and_then(J::as_str)
            .map(str::to_string);
        let event = EventValue::from_envelope(&ev.envelope, reg.subject(&ev.subject));
        for d in matcher.triggered_by(&ev.subject) {
            let outcome = d.evaluate(&event, &matcher.context);
            let migration = migration_of(reg, d);
            sim.entries.push(definition_entry(
                ev.at,
                d.name.clone(),
                migration,
                "event",
                ev.subject.clone(),
                None,
                id.clone(),
                &outcome,
            ));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn definition_entry(
    at: Timestamp,
    name: String,
    migration: Option<String>,
    trigger: &'static str,
    source: String,
    timezone: Option<String>,
    event_id: Option<String>,
    outcome: &Outcome,
) -> Entry {
    Entry {
        at,
        kind: Kind::Definition,
        name,
        migration,
        trigger,
        source,
        timezone,
        event_id,
        outcome: Some(outcome.label()),
        message: match outcome {
            Outcome::MissingContext(c) => Some(format!("`{c}` is absent")),
            Outcome::Error(m) => Some(m.clone()),
            _ => None,
        },
        double: false,
    }
}

fn migration_of(reg: &Registry, d: &crate::matching::Compiled) -> Option<String> {
    d.definition
        .migration
        .as_ref()
        .map(|m| m.value.clone())
        .or_else(|| {
            reg.migrations
                .iter()
                .find(|m| m.definition.name.value == d.name)
                .map(|m| m.name.value.clone())
        })
}

fn minute(t: Timestamp) -> i64 {
    t.as_second().div_euclid(60)
}
