//! A timer and its service read into a job: the schedule translated and merged, the settings
//! cron does not carry noted, the command taken from the service, DST differences reported.

use std::ops::Range;

use super::{Translated, Unit, merge, translate};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::import::{Found, Job, name_from_command};
use crate::source::SourceFile;

/// Reads a timer (and its service) into a job, or problems saying why it cannot be imported.
/// `OnCalendar=` without a time zone ran in the machine's local one: `local_tz` when known
/// (`--timezone`), else UTC is assumed and noted on the entry.
pub fn read(timer: &SourceFile, service: Option<&SourceFile>, local_tz: Option<&str>) -> Found {
    let mut found = Found::default();
    match read_job(timer, service, local_tz, &mut found.problems) {
        Ok(job) => found.jobs.push(job),
        Err(problem) => found.problems.push(*problem),
    }
    found
}

/// The job of a timer and its service. `Err` is the problem that stops the import (boxed: a
/// diagnostic is large); `problems` gets the ones that do not (DST).
fn read_job(
    timer: &SourceFile,
    service: Option<&SourceFile>,
    local_tz: Option<&str>,
    problems: &mut Vec<Diagnostic>,
) -> Result<Job, Box<Diagnostic>> {
    let unit = Unit::parse(&timer.text);
    let monotonic = monotonic_lines(&unit);
    let calendars = unit.values("Timer", "OnCalendar");
    let merged = schedule(timer, &calendars, &monotonic)?;
    let mut notes = timer_notes(&unit, &monotonic);
    let timer_name = timer
        .path
        .rsplit('/')
        .next()
        .unwrap_or(&timer.path)
        .to_string();
    let command = service_command(timer, service, &mut notes)?;
    if merged.timezone.is_none() && local_tz.is_none() {
        notes.push("OnCalendar= names no time zone: systemd ran it in the machine's local time zone, assumed UTC here; check it (or import with --tz)".to_string());
    }
    let expr = merged.expr();
    if let Err(findings) = crate::cron::parse(&expr) {
        return Err(Box::new(timer.diagnostic(
            Code::ImportUntranslatable,
            line_span(timer, calendars[0].1),
            format!(
                "the translation `{expr}` is not valid cron: {}",
                findings[0].message
            ),
        )));
    }
    let timezone = merged
        .timezone
        .or_else(|| local_tz.map(str::to_string))
        .unwrap_or_else(|| "UTC".to_string());
    let at = line_span(timer, calendars[0].1);
    dst_differences(timer, at, &expr, &timezone, problems, &mut notes);
    Ok(Job {
        name: name_from_command(&command),
        schedule: expr,
        timezone,
        systemd_timer: Some(timer_name),
        command,
        notes,
        origin: timer.path.clone(),
    })
}

/// The span of a line of the timer (at least one character).
fn line_span(timer: &SourceFile, line: usize) -> Range<usize> {
    let start = timer.offset_of(line, 0);
    let len = timer.line_text(line).len().max(1);
    start..start + len
}

/// The monotonic timer lines (`OnBootSec=15min`), with their lines.
fn monotonic_lines(unit: &Unit) -> Vec<(String, usize)> {
    [
        "OnBootSec",
        "OnStartupSec",
        "OnActiveSec",
        "OnUnitActiveSec",
        "OnUnitInactiveSec",
    ]
    .iter()
    .flat_map(|k| {
        unit.values("Timer", k)
            .into_iter()
            .map(move |(v, l)| (format!("{k}={v}"), l))
    })
    .collect()
}

/// The `OnCalendar=` lines translated and merged into one cron schedule.
fn schedule(
    timer: &SourceFile,
    calendars: &[(String, usize)],
    monotonic: &[(String, usize)],
) -> Result<Translated, Box<Diagnostic>> {
    if calendars.is_empty() {
        let (span, message) = match monotonic.first() {
            Some((m, line)) => (
                line_span(timer, *line),
                format!(
                    "`{m}` is a monotonic timer (relative to boot or to the last run): cron cannot express it"
                ),
            ),
            None => (0..1, "the timer has no OnCalendar= line".to_string()),
        };
        return Err(Box::new(timer
            .diagnostic(Code::ImportUntranslatable, span, message)
            .with_help("give the job a calendar schedule, or keep it as a systemd timer and trigger the definition by an event")));
    }
    let mut translated = Vec::new();
    for (spec, line) in calendars {
        match translate(spec) {
            Ok(t) => translated.push(t),
            Err(why) => {
                return Err(Box::new(timer
                    .diagnostic(
                        Code::ImportUntranslatable,
                        line_span(timer, *line),
                        format!("`OnCalendar={spec}` has no exact cron equivalent: {why}"),
                    )
                    .with_help(
                        "rewrite the schedule by hand in the registry, or simplify the timer first",
                    )));
            }
        }
    }
    merge(&translated).map_err(|why| {
        Box::new(
            timer
                .diagnostic(
                    Code::ImportUntranslatable,
                    line_span(timer, calendars[0].1),
                    format!("the timer has no exact cron equivalent: {why}"),
                )
                .with_help(
                    "split it into one migration per schedule, or rewrite the schedule by hand",
                ),
        )
    })
}

/// Notes on the timer settings cron does not carry, and the ignored monotonic lines.
fn timer_notes(unit: &Unit, monotonic: &[(String, usize)]) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for key in [
        "RandomizedDelaySec",
        "Persistent",
        "AccuracySec",
        "WakeSystem",
        "FixedRandomDelay",
    ] {
        if let Some(v) = unit.last("Timer", key) {
            let meaning = match key {
                "RandomizedDelaySec" => {
                    "the legacy job started up to this much later than scheduled"
                }
                "Persistent" => {
                    "missed runs were caught up after downtime; the automation engine's catch-up policy decides now"
                }
                "AccuracySec" => "the legacy job could start this much late",
                _ => "not carried over",
            };
            notes.push(format!("{key}={v} ({meaning})"));
        }
    }
    for (m, _) in monotonic {
        notes.push(format!("{m} ignored (monotonic)"));
    }
    notes
}

/// The service's command (its last `ExecStart=`), noting its user, folder and environment.
fn service_command(
    timer: &SourceFile,
    service: Option<&SourceFile>,
    notes: &mut Vec<String>,
) -> Result<String, Box<Diagnostic>> {
    let Some(service) = service else {
        return Err(Box::new(
            timer
                .diagnostic(
                    Code::ImportUntranslatable,
                    0..1,
                    "the timer's service was not found, so there is no command to import",
                )
                .with_help("pass the .service file as the second argument"),
        ));
    };
    let svc = Unit::parse(&service.text);
    let exec = svc.values("Service", "ExecStart");
    let Some((command, _)) = exec.last() else {
        return Err(Box::new(service.diagnostic(
            Code::ImportUntranslatable,
            0..1,
            "the service has no ExecStart= line",
        )));
    };
    if exec.len() > 1 {
        notes.push(format!(
            "the service has {} ExecStart= lines (Type=oneshot); only the last is the command",
            exec.len()
        ));
    }
    let command = command
        .trim_start_matches(['-', '@', ':', '+', '!'])
        .to_string();
    if let Some(user) = svc.last("Service", "User") {
        notes.push(format!("runs as user {user}"));
    }
    if let Some(dir) = svc.last("Service", "WorkingDirectory") {
        notes.push(format!("WorkingDirectory={dir}"));
    }
    for key in ["Environment", "EnvironmentFile"] {
        for (v, _) in svc.values("Service", key) {
            notes.push(format!("{key}={v} (the service's environment)"));
        }
    }
    Ok(command)
}

/// systemd and cron disagree at DST changes: say where, with the dates.
fn dst_differences(
    timer: &SourceFile,
    at: Range<usize>,
    expr: &str,
    timezone: &str,
    problems: &mut Vec<Diagnostic>,
    notes: &mut Vec<String>,
) {
    let (Ok(parsed), Ok(tz)) = (
        crate::cron::parse(expr),
        crate::cron::parse_timezone(timezone),
    ) else {
        return;
    };
    let differences = parsed
        .schedule
        .differs_from_systemd(&tz, crate::clock::now(), 1);
    if !differences.is_empty() {
        problems.push(
            timer
                .diagnostic(
                    Code::ImportDst, at,
                    format!(
                        "in {timezone}, `{expr}` changes meaning at DST changes: {}",
                        differences.join("; ")
                    ),
                )
                .with_help("check those runs after the cutover, or schedule outside the DST change hours (or in UTC)"),
        );
        notes.push(format!(
            "DST: cron differs from the timer in {timezone} ({})",
            differences.join("; ")
        ));
    }
}
