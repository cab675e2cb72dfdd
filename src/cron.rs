//! Standard 5-field cron, as Vixie cron / cronie run it: a strict parser that points at the
//! offending field, an explainer, and a fire-time calculator with cronie's DST behaviour.
//!
//! Fields: minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 (`jan`-`dec`), day-of-week 0-7
//! (`sun`-`sat`; 0 and 7 are Sunday). Lists `a,b`, ranges `a-b`, steps `*/n` and `a-b/n`, and the
//! macros `@yearly @annually @monthly @weekly @daily @midnight @hourly`.
//!
//! Day rule (cronie): when the day-of-month and day-of-week fields both start with something
//! other than `*`, a day matches if EITHER matches; otherwise both must (`*/2` counts as `*`
//! here, which croniter disagrees with: handoff warns).
//!
//! DST (cronie): a job is "wildcard" when its minute or hour field starts with `*`, "fixed"
//! otherwise. In a spring-forward gap a fixed job runs once, right after the jump; a wildcard job
//! skips the missing times. In a fall-back overlap a fixed job runs once (the first pass); a
//! wildcard job runs in both passes.

use std::ops::Range;

use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ToSpan};

use crate::diagnostic::{Finding, Severity};
use crate::source::did_you_mean;

/// Every code this module emits.
pub const CODES: &[(&str, Severity, &str)] = &[
    (
        "cron-field-count",
        Severity::Error,
        "A schedule does not have exactly 5 fields (seconds or year fields are not standard cron).",
    ),
    (
        "cron-syntax",
        Severity::Error,
        "A field is malformed (an empty list item, a dangling `-` or `/`).",
    ),
    (
        "cron-out-of-range",
        Severity::Error,
        "A value is outside its field's range.",
    ),
    (
        "cron-unknown-name",
        Severity::Error,
        "A name is not a month or day-of-week name, or is in the wrong field.",
    ),
    (
        "cron-bad-step",
        Severity::Error,
        "A step is zero or not a number.",
    ),
    (
        "cron-step-on-value",
        Severity::Error,
        "A step on a single value (`5/10`), which cronie rejects.",
    ),
    (
        "cron-reversed-range",
        Severity::Error,
        "A range whose start is after its end (`5-1`).",
    ),
    (
        "cron-nonstandard",
        Severity::Error,
        "Non-standard syntax: `L`, `W`, `#`, `?`, `H`, `~`.",
    ),
    (
        "cron-reboot",
        Severity::Error,
        "`@reboot` has no times: meaningless as a definition's schedule.",
    ),
    (
        "cron-unknown-macro",
        Severity::Error,
        "An `@` macro cron does not have.",
    ),
    (
        "cron-never-fires",
        Severity::Error,
        "A schedule that parses but never fires (`0 0 30 2 *`).",
    ),
    (
        "cron-unknown-timezone",
        Severity::Error,
        "A time zone that is not in the IANA database.",
    ),
    (
        "cron-or-rule",
        Severity::Warning,
        "Day-of-month and day-of-week both restricted: a day matches if EITHER matches.",
    ),
    (
        "cron-step-or-rule",
        Severity::Warning,
        "A `*/n` day field with the other day field restricted: cron implementations disagree.",
    ),
    (
        "cron-step-too-large",
        Severity::Warning,
        "A step larger than its range selects only the first value.",
    ),
    (
        "cron-dst-gap",
        Severity::Warning,
        "A fixed time that does not exist on a spring-forward day of the time zone.",
    ),
    (
        "cron-dst-overlap",
        Severity::Warning,
        "A fixed time that occurs twice on a fall-back day of the time zone.",
    ),
];

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MONTH_WORDS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAY_WORDS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Minute,
    Hour,
    Dom,
    Month,
    Dow,
}

impl Kind {
    const ALL: [Kind; 5] = [Kind::Minute, Kind::Hour, Kind::Dom, Kind::Month, Kind::Dow];

    fn name(self) -> &'static str {
        match self {
            Kind::Minute => "minute",
            Kind::Hour => "hour",
            Kind::Dom => "day-of-month",
            Kind::Month => "month",
            Kind::Dow => "day-of-week",
        }
    }

    /// The range values may be written in (day-of-week accepts 7 for Sunday).
    fn bounds(self) -> (u32, u32) {
        match self {
            Kind::Minute => (0, 59),
            Kind::Hour => (0, 23),
            Kind::Dom => (1, 31),
            Kind::Month => (1, 12),
            Kind::Dow => (0, 7),
        }
    }

    fn names(self) -> &'static [&'static str] {
        match self {
            Kind::Month => &MONTHS,
            Kind::Dow => &DAYS,
            _ => &[],
        }
    }

    fn range_text(self) -> &'static str {
        match self {
            Kind::Minute => "0-59",
            Kind::Hour => "0-23",
            Kind::Dom => "1-31",
            Kind::Month => "1-12 or jan-dec",
            Kind::Dow => "0-7 or sun-sat (0 and 7 are Sunday)",
        }
    }
}

/// One parsed field: the set of values it selects and how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    bits: u64,
    /// The field's text starts with `*` (cronie's DOM_STAR / DOW_STAR / MIN_STAR / HR_STAR).
    star: bool,
    /// The field is `*` or `*/n`.
    step: Option<u32>,
    text: String,
}

impl Field {
    fn has(&self, v: u32) -> bool {
        self.bits & (1u64 << v) != 0
    }

    fn values(&self) -> Vec<u32> {
        (0..64).filter(|v| self.has(*v)).collect()
    }

    /// The next selected value >= v, if any.
    fn next_from(&self, v: u32) -> Option<u32> {
        if v >= 64 {
            return None;
        }
        let rest = self.bits >> v;
        (rest != 0).then(|| v + rest.trailing_zeros())
    }
}

/// A parsed, validated schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    expr: String,
    minute: Field,
    hour: Field,
    dom: Field,
    month: Field,
    dow: Field,
    /// The macro it was written as, if any.
    macro_name: Option<&'static str>,
}

/// A schedule with the warnings its expression deserves.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub schedule: Schedule,
    pub warnings: Vec<Finding>,
}

const MACROS: &[(&str, &str)] = &[
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@monthly", "0 0 1 * *"),
    ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
];

/// Parses a standard cron expression, reporting every error in it (each spanning the offending
/// field or token, as byte offsets into `expr`).
pub fn parse(expr: &str) -> Result<Parsed, Vec<Finding>> {
    let whole = 0..expr.len().max(1);
    let trimmed = expr.trim();
    if trimmed.is_empty() {
        return Err(vec![
            Finding::error("cron-field-count", whole, "the schedule is empty").with_help(
                "write 5 fields: minute hour day-of-month month day-of-week, e.g. `0 3 * * *`",
            ),
        ]);
    }
    if trimmed.starts_with('@') {
        let start = expr.find('@').unwrap_or(0);
        let span = start..start + trimmed.len();
        if trimmed == "@reboot" {
            return Err(vec![
                Finding::error("cron-reboot", span, "`@reboot` runs at boot, not at a time: it is not a schedule for a definition")
                    .with_help("give the times it should run at, e.g. `@daily` or `0 3 * * *`; use an event trigger to react to a start-up"),
            ]);
        }
        return match MACROS.iter().find(|(m, _)| *m == trimmed) {
            Some((name, fields)) => {
                let mut parsed = parse_fields(fields, &(0..0))?;
                parsed.schedule.expr = expr.to_string();
                parsed.schedule.macro_name = Some(name);
                Ok(parsed)
            }
            None => {
                let names = MACROS.iter().map(|(m, _)| *m).chain(["@reboot"]);
                let help = match did_you_mean(trimmed, names) {
                    Some(s) if s != "@reboot" => format!("did you mean `{s}`? (macros are lowercase)"),
                    _ => "use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or 5 fields".to_string(),
                };
                Err(vec![
                    Finding::error(
                        "cron-unknown-macro",
                        span,
                        format!("`{trimmed}` is not a cron macro"),
                    )
                    .with_help(help),
                ])
            }
        };
    }
    let mut parsed = parse_fields(expr, &whole)?;
    parsed.schedule.expr = expr.to_string();
    Ok(parsed)
}

/// Splits on whitespace, keeping each field's byte span.
fn split_fields(expr: &str) -> Vec<(&str, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in expr.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((&expr[s..i], s..i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((&expr[s..], s..expr.len()));
    }
    out
}

/// `spans_of` is the span to use for whole-expression findings of a macro (empty: real spans).
fn parse_fields(expr: &str, whole: &Range<usize>) -> Result<Parsed, Vec<Finding>> {
    let fields = split_fields(expr);
    if fields.len() != 5 {
        let n = fields.len();
        let message = match n {
            6 | 7 => format!(
                "the schedule has {n} fields; standard cron has 5 (a seconds or year field is not standard cron)"
            ),
            _ => format!(
                "the schedule has {n} field{}; standard cron has 5",
                if n == 1 { "" } else { "s" }
            ),
        };
        return Err(vec![
            Finding::error("cron-field-count", whole.clone(), message)
                .with_help("write minute hour day-of-month month day-of-week, e.g. `*/15 * * * *`"),
        ]);
    }
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut parsed = Vec::new();
    for (kind, (text, span)) in Kind::ALL.into_iter().zip(&fields) {
        parsed.push(parse_field(
            kind,
            text,
            span.start,
            &mut errors,
            &mut warnings,
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut it = parsed.into_iter();
    let mut next = || it.next().expect("five fields");
    let schedule = Schedule {
        expr: expr.to_string(),
        minute: next(),
        hour: next(),
        dom: next(),
        month: next(),
        dow: next(),
        macro_name: None,
    };
    let day_span = fields[2].1.start..fields[4].1.end;
    if !schedule.dom.star && !schedule.dow.star {
        warnings.push(
            Finding::warning(
                "cron-or-rule",
                day_span.clone(),
                format!(
                    "day-of-month and day-of-week are both restricted, so a day matches if EITHER matches: this fires {} and {}",
                    schedule.dom_words(),
                    schedule.dow_words()
                ),
            )
            .with_help("that is standard cron (POSIX); to require both, keep one day field `*` and check the other in the rule"),
        );
    } else if (schedule.dom.step.is_some() && schedule.dom.text != "*" && !schedule.dow.star)
        || (schedule.dow.step.is_some() && schedule.dow.text != "*" && !schedule.dom.star)
    {
        warnings.push(
            Finding::warning(
                "cron-step-or-rule",
                day_span,
                "a `*/n` day field with the other day field restricted: cronie requires both to match, croniter either; handoff follows cronie",
            )
            .with_help("write the stepped field as a range (`1-31/2` instead of `*/2`) to get the OR rule everywhere, or make the other day field `*`"),
        );
    }
    if let Some(f) = schedule.never_fires_reason() {
        return Err(vec![
            Finding::error("cron-never-fires", fields[2].1.start..fields[3].1.end, f)
                .with_help("check the day and the month: no month has that day"),
        ]);
    }
    if schedule
        .next_civil(DateTime::constant(2000, 1, 1, 0, 0, 0, 0), 2032)
        .is_none()
    {
        return Err(vec![Finding::error(
            "cron-never-fires",
            whole.clone(),
            "the schedule never fires",
        )]);
    }
    Ok(Parsed { schedule, warnings })
}

fn parse_field(
    kind: Kind,
    text: &str,
    offset: usize,
    errors: &mut Vec<Finding>,
    warnings: &mut Vec<Finding>,
) -> Field {
    let (lo, hi) = kind.bounds();
    let mut bits = 0u64;
    let mut step_of_star = None;
    let mut pos = 0;
    for item in text.split(',') {
        let span = offset + pos..offset + pos + item.len();
        pos += item.len() + 1;
        if item.is_empty() {
            errors.push(
                Finding::error(
                    "cron-syntax",
                    span.start..span.start + 1,
                    format!("empty list item in the {} field", kind.name()),
                )
                .with_help("remove the extra `,`"),
            );
            continue;
        }
        if let Some(i) = item.find(['L', 'W', '#', '?', 'H', '~', 'l', 'w']) {
            // `w` / `l` may be part of a name (`wed`, `jul`); only flag them outside a name.
            let c = item.as_bytes()[i] as char;
            let in_name = item[..i].ends_with(|ch: char| ch.is_ascii_alphabetic())
                || item[i + 1..].starts_with(|ch: char| ch.is_ascii_alphabetic());
            if c.is_ascii_uppercase() || !in_name {
                if !(c.is_ascii_lowercase() || (c == 'W' || c == 'L') && in_name) {
                    let what = match c.to_ascii_uppercase() {
                        'L' => "`L` (last)",
                        'W' => "`W` (nearest weekday)",
                        '#' => "`#` (nth weekday)",
                        '?' => "`?` (no specific value)",
                        'H' => "`H` (hashed value)",
                        _ => "`~` (random value)",
                    };
                    errors.push(
                        Finding::error(
                            "cron-nonstandard",
                            offset + (span.start - offset) + i..offset + (span.start - offset) + i + 1,
                            format!("{what} in the {} field is not standard cron", kind.name()),
                        )
                        .with_help(match c {
                            '?' => "write `*` instead".to_string(),
                            _ => "use plain values, ranges, lists and steps; express the rest in the rule".to_string(),
                        }),
                    );
                    continue;
                }
            }
        }
        let (base, step) = match item.split_once('/') {
            Some((b, s)) => (b, Some((s, span.start + b.len() + 1))),
            None => (item, None),
        };
        let step = match step {
            None => None,
            Some((s, at)) => match s.parse::<u32>() {
                Ok(0) => {
                    errors.push(
                        Finding::error(
                            "cron-bad-step",
                            at..at + s.len(),
                            "a step of 0 selects nothing",
                        )
                        .with_help("use a step of 1 or more"),
                    );
                    continue;
                }
                Ok(n) if s.bytes().all(|b| b.is_ascii_digit()) => Some((n, at..at + s.len())),
                _ => {
                    let end = (at + s.len()).max(at + 1);
                    errors.push(
                        Finding::error(
                            "cron-bad-step",
                            at - 1..end,
                            format!("`/{s}` is not a step"),
                        )
                        .with_help("a step is a positive whole number: `*/15`, `0-30/10`"),
                    );
                    continue;
                }
            },
        };
        let (a, b) = if base == "*" {
            (lo, if kind == Kind::Dow { 6 } else { hi })
        } else {
            let (first, second) = match base.split_once('-') {
                Some((x, y)) => (x, Some(y)),
                None => (base, None),
            };
            let first_span = span.start..span.start + first.len();
            let Some(x) = value(kind, first, first_span, errors) else {
                continue;
            };
            match second {
                None => {
                    if let Some((n, step_span)) = &step {
                        let max = if kind == Kind::Dow { 6 } else { hi };
                        errors.push(
                            Finding::error(
                                "cron-step-on-value",
                                span.start..step_span.end,
                                format!("`{item}` steps from a single value, which standard cron rejects"),
                            )
                            .with_help(format!("write a range: `{first}-{max}/{n}`")),
                        );
                        continue;
                    }
                    (x, x)
                }
                Some(y) => {
                    let y_start = span.start + first.len() + 1;
                    let Some(y_val) = value(kind, y, y_start..y_start + y.len(), errors) else {
                        continue;
                    };
                    (x, y_val)
                }
            }
        };
        // Day-of-week 7 is Sunday; a range ending at 7 (`5-7`) is Friday to Sunday.
        let (a, b) = (a, b);
        if a > b {
            let max = if kind == Kind::Dow { 6 } else { hi };
            let min = lo;
            let b_shown = if kind == Kind::Dow && b == 7 { 0 } else { b };
            errors.push(
                Finding::error(
                    "cron-reversed-range",
                    span.start..span.start + base.len(),
                    format!("the range `{base}` runs backwards ({a} is after {b_shown}); cron does not wrap around"),
                )
                .with_help(format!("write it as two ranges: `{a}-{max},{min}-{b_shown}`")),
            );
            continue;
        }
        let step_n = step.as_ref().map_or(1, |(n, _)| *n);
        if let Some((n, step_span)) = &step {
            if *n > b - a && b > a || (*n > b - a && base == "*") {
                warnings.push(
                    Finding::warning(
                        "cron-step-too-large",
                        step_span.clone(),
                        format!(
                            "the step {n} is larger than the {} range {a}-{b}: `{item}` selects only {a}",
                            kind.name()
                        ),
                    )
                    .with_help(format!("write `{a}` if that is meant")),
                );
            }
            if base == "*" {
                step_of_star = Some(*n);
            }
        }
        let mut v = a;
        while v <= b {
            let stored = if kind == Kind::Dow && v == 7 { 0 } else { v };
            bits |= 1u64 << stored;
            v += step_n;
        }
    }
    Field {
        bits,
        star: text.starts_with('*'),
        step: if text == "*" {
            Some(1)
        } else {
            step_of_star.filter(|_| !text.contains(','))
        },
        text: text.to_string(),
    }
}

fn value(kind: Kind, text: &str, span: Range<usize>, errors: &mut Vec<Finding>) -> Option<u32> {
    let (lo, hi) = kind.bounds();
    if text.is_empty() {
        errors.push(
            Finding::error(
                "cron-syntax",
                span.start.saturating_sub(1)..span.start.max(1),
                format!("a value is missing in the {} field", kind.name()),
            )
            .with_help("a range is `a-b`, e.g. `1-5`"),
        );
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<u32>() {
            Ok(v) if (lo..=hi).contains(&v) => Some(v),
            _ => {
                errors.push(
                    Finding::error(
                        "cron-out-of-range",
                        span,
                        format!(
                            "{} {text} is out of range: the {} field takes {}",
                            kind.name(),
                            kind.name(),
                            kind.range_text()
                        ),
                    )
                    .with_help(match kind {
                        Kind::Hour if text == "24" => "midnight is hour 0".to_string(),
                        Kind::Minute if text == "60" => {
                            "the minutes of an hour are 0-59".to_string()
                        }
                        Kind::Dow => "0 or 7 is Sunday, 1 Monday ... 6 Saturday".to_string(),
                        _ => format!("use a value in {}", kind.range_text()),
                    }),
                );
                None
            }
        };
    }
    if text.bytes().all(|b| b.is_ascii_alphabetic()) {
        let lower = text.to_ascii_lowercase();
        if let Some(i) = kind.names().iter().position(|n| *n == lower) {
            return Some(if kind == Kind::Month {
                i as u32 + 1
            } else {
                i as u32
            });
        }
        let (other, other_field) = match kind {
            Kind::Month => (&DAYS[..], "day-of-week"),
            _ => (&MONTHS[..], "month"),
        };
        let message = if other.contains(&lower.as_str()) {
            format!(
                "`{text}` is a {other_field} name, not valid in the {} field",
                kind.name()
            )
        } else {
            format!("`{text}` is not a valid name in the {} field", kind.name())
        };
        let help = match did_you_mean(&lower, kind.names().iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the {} field takes {}", kind.name(), kind.range_text()),
        };
        errors.push(Finding::error("cron-unknown-name", span, message).with_help(help));
        return None;
    }
    errors.push(
        Finding::error(
            "cron-syntax",
            span,
            format!("`{text}` is not a value of the {} field", kind.name()),
        )
        .with_help(format!(
            "the {} field takes {}",
            kind.name(),
            kind.range_text()
        )),
    );
    None
}

// ---------------------------------------------------------------------------------------------
// Matching and fire times
// ---------------------------------------------------------------------------------------------

impl Schedule {
    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// cronie's "fixed time" job: neither the minute nor the hour field starts with `*`.
    pub fn is_fixed_time(&self) -> bool {
        !self.minute.star && !self.hour.star
    }

    fn day_matches(&self, date: Date) -> bool {
        let dom = self.dom.has(date.day() as u32);
        let dow = self.dow.has(date.weekday().to_sunday_zero_offset() as u32);
        if self.dom.star || self.dow.star {
            dom && dow
        } else {
            dom || dow
        }
    }

    /// The first civil minute at or after `from` that the fields select, up to `last_year`.
    fn next_civil(&self, from: DateTime, last_year: i16) -> Option<DateTime> {
        let mut date = from.date();
        let mut hour = from.hour() as u32;
        let mut minute = from.minute() as u32;
        loop {
            if date.year() > last_year {
                return None;
            }
            if !self.month.has(date.month() as u32) {
                date = date.first_of_month().checked_add(1.month()).ok()?;
                hour = 0;
                minute = 0;
                continue;
            }
            if !self.day_matches(date) {
                date = date.tomorrow().ok()?;
                hour = 0;
                minute = 0;
                continue;
            }
            let Some(h) = self.hour.next_from(hour).filter(|h| *h < 24) else {
                date = date.tomorrow().ok()?;
                hour = 0;
                minute = 0;
                continue;
            };
            if h != hour {
                hour = h;
                minute = 0;
            }
            match self.minute.next_from(minute).filter(|m| *m < 60) {
                Some(m) => return Some(date.at(hour as i8, m as i8, 0, 0)),
                None => {
                    hour += 1;
                    minute = 0;
                    if hour > 23 {
                        date = date.tomorrow().ok()?;
                        hour = 0;
                    }
                }
            }
        }
    }

    /// The instants a matching civil minute fires at in `tz`, by cronie's DST rules.
    fn instants(&self, civil: DateTime, tz: &TimeZone) -> Vec<Timestamp> {
        match tz.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => {
                offset.to_timestamp(civil).ok().into_iter().collect()
            }
            AmbiguousOffset::Gap { before, .. } => {
                if !self.is_fixed_time() {
                    return Vec::new();
                }
                // Runs once right after the jump: at the transition itself.
                let Ok(inside) = before.to_timestamp(civil) else {
                    return Vec::new();
                };
                tz.preceding(inside.checked_add(1.second()).unwrap_or(inside))
                    .next()
                    .map(|t| t.timestamp())
                    .into_iter()
                    .collect()
            }
            AmbiguousOffset::Fold { before, after } => {
                let first = before.to_timestamp(civil).ok();
                let second = after.to_timestamp(civil).ok();
                if self.is_fixed_time() {
                    first.into_iter().collect()
                } else {
                    first.into_iter().chain(second).collect()
                }
            }
        }
    }

    /// The first fire strictly after `after`.
    pub fn next_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        // Civil time is not monotonic across a fall-back overlap, so start a little before the
        // civil time of `after` and keep the earliest instant found after it.
        let lookback = tz
            .to_offset(after)
            .to_datetime(after)
            .checked_sub(3.hours())
            .ok()?;
        let last_year = lookback.year().saturating_add(9);
        let mut best: Option<Timestamp> = None;
        let mut cursor = truncate_to_minute(lookback);
        while let Some(civil) = self.next_civil(cursor, last_year) {
            if let Some(b) = best
                && civil > tz.to_offset(b).to_datetime(b).checked_add(3.hours()).ok()?
            {
                break;
            }
            for t in self.instants(civil, tz) {
                if t > after && best.is_none_or(|b| t < b) {
                    best = Some(t);
                }
            }
            cursor = civil.checked_add(1.minute()).ok()?;
        }
        best
    }

    /// The next `n` fires strictly after `after`.
    pub fn upcoming(&self, after: Timestamp, tz: &TimeZone, n: usize) -> Vec<Timestamp> {
        let mut out = Vec::with_capacity(n);
        let mut t = after;
        while out.len() < n {
            match self.next_after(t, tz) {
                Some(next) => {
                    out.push(next);
                    t = next;
                }
                None => break,
            }
        }
        out
    }

    /// Every fire in `(start, end)`, in order.
    pub fn fires_between(&self, start: Timestamp, end: Timestamp, tz: &TimeZone) -> Vec<Timestamp> {
        let (Ok(from), Ok(to)) = (
            tz.to_offset(start)
                .to_datetime(start)
                .checked_sub(3.hours()),
            tz.to_offset(end).to_datetime(end).checked_add(3.hours()),
        ) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut cursor = truncate_to_minute(from);
        while let Some(civil) = self.next_civil(cursor, to.year())
            && civil <= to
        {
            out.extend(
                self.instants(civil, tz)
                    .into_iter()
                    .filter(|t| *t > start && *t < end),
            );
            let Ok(next) = civil.checked_add(1.minute()) else {
                break;
            };
            cursor = next;
        }
        out.sort();
        out.dedup();
        out
    }

    /// Warnings for fixed times that fall in a DST gap or repeat in an overlap of `tz`, within
    /// `years` years after `from`. One finding per kind, naming the first date.
    pub fn dst_findings(&self, tz: &TimeZone, from: Timestamp, years: i16) -> Vec<Finding> {
        if !self.is_fixed_time() {
            return Vec::new();
        }
        let span = 0..self.expr.len();
        let Ok(until) = from.checked_add(jiff::SignedDuration::from_hours(
            24 * 366 * i64::from(years),
        )) else {
            return Vec::new();
        };
        let (mut gap, mut overlap) = (None::<Finding>, None::<Finding>);
        for transition in tz.following(from) {
            let t = transition.timestamp();
            if t > until || (gap.is_some() && overlap.is_some()) {
                break;
            }
            let before = tz.to_offset(t.checked_sub(1.second()).unwrap_or(t));
            let after = transition.offset();
            let (lo, hi) = (before.to_datetime(t), after.to_datetime(t));
            let (start, end, is_gap) = if hi > lo {
                (lo, hi, true)
            } else {
                (hi, lo, false)
            };
            let Some(civil) = self
                .next_civil(start, start.year() + 1)
                .filter(|c| *c < end)
            else {
                continue;
            };
            let when = civil.strftime("%Y-%m-%d %H:%M");
            let zone = tz.iana_name().unwrap_or("the time zone");
            if is_gap && gap.is_none() {
                gap = Some(
                    Finding::warning(
                        "cron-dst-gap",
                        span.clone(),
                        format!(
                            "{when} does not exist in {zone}: clocks jump from {} to {}; the job runs once right after the jump",
                            lo.strftime("%H:%M"),
                            hi.strftime("%H:%M")
                        ),
                    )
                    .with_help("schedule it outside the DST change hours, or in UTC"),
                );
            } else if !is_gap && overlap.is_none() {
                overlap = Some(
                    Finding::warning(
                        "cron-dst-overlap",
                        span.clone(),
                        format!(
                            "{when} occurs twice in {zone} (clocks go back from {} to {}); the job runs only the first time",
                            lo.strftime("%H:%M"),
                            hi.strftime("%H:%M")
                        ),
                    )
                    .with_help("schedule it outside the DST change hours, or in UTC"),
                );
            }
        }
        gap.into_iter().chain(overlap).collect()
    }

    fn never_fires_reason(&self) -> Option<String> {
        // Only when the day-of-month alone decides (day-of-week `*`).
        if self.dom.star || !self.dow.star || self.dow.bits & 0x7f != 0x7f {
            return None;
        }
        let max_day = |m: u32| match m {
            2 => 29,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let months = self.month.values();
        let possible = months
            .iter()
            .any(|m| self.dom.values().iter().any(|d| *d <= max_day(*m)));
        if possible {
            return None;
        }
        Some(
            format!(
                "the schedule never fires: {} {} no such day",
                words_list(
                    &months
                        .iter()
                        .map(|m| MONTH_WORDS[*m as usize - 1].to_string())
                        .collect::<Vec<_>>(),
                    "and"
                ),
                if months.len() == 1 { "has" } else { "have" }
            ) + &format!(" as {}", self.dom_words().trim_start_matches("on ")),
        )
    }
}

fn truncate_to_minute(dt: DateTime) -> DateTime {
    dt.date().at(dt.hour(), dt.minute(), 0, 0)
}

// ---------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------

fn words_list(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

/// Groups consecutive values into "a through b" runs (of three or more).
fn runs(values: &[u32], name: impl Fn(u32) -> String) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let mut j = i;
        while j + 1 < values.len() && values[j + 1] == values[j] + 1 {
            j += 1;
        }
        if j - i >= 2 {
            out.push(format!("{} through {}", name(values[i]), name(values[j])));
        } else {
            out.extend(values[i..=j].iter().map(|v| name(*v)));
        }
        i = j + 1;
    }
    out
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, x) if x != 11 => "st",
        (2, x) if x != 12 => "nd",
        (3, x) if x != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

impl Schedule {
    fn dom_words(&self) -> String {
        let values = self.dom.values();
        let list = words_list(&runs(&values, ordinal), "and");
        format!("on the {list} of the month")
    }

    fn dow_words(&self) -> String {
        let values = self.dow.values();
        let days = runs(&values, |d| DAY_WORDS[d as usize].to_string());
        if values.len() == 1 {
            format!("on every {}", days[0])
        } else {
            format!("on {}", words_list(&days, "and"))
        }
    }

    fn time_words(&self) -> String {
        let minutes = self.minute.values();
        let hours = self.hour.values();
        let every_n = |f: &Field, unit: &str| match f.step {
            Some(1) => format!("every {unit}"),
            Some(n) => format!("every {n} {unit}s"),
            None => unreachable!(),
        };
        match (self.minute.step, self.hour.step) {
            (Some(_), Some(1)) => every_n(&self.minute, "minute"),
            (Some(_), _) if hours.len() <= 3 => format!(
                "{} during the hour{} starting {}",
                every_n(&self.minute, "minute"),
                if hours.len() == 1 { "" } else { "s" },
                words_list(
                    &hours
                        .iter()
                        .map(|h| format!("{h:02}:00"))
                        .collect::<Vec<_>>(),
                    "and"
                )
            ),
            (None, Some(1)) => format!(
                "at minute{} {} of every hour",
                if minutes.len() == 1 { "" } else { "s" },
                words_list(&runs(&minutes, |m| m.to_string()), "and")
            ),
            (None, Some(n)) => format!(
                "at minute{} {} of every {n}{} hour",
                if minutes.len() == 1 { "" } else { "s" },
                words_list(&runs(&minutes, |m| m.to_string()), "and"),
                match n {
                    2 => "nd",
                    3 => "rd",
                    _ => "th",
                }
            ),
            _ if minutes.len() * hours.len() <= 6 => {
                let times: Vec<String> = hours
                    .iter()
                    .flat_map(|h| minutes.iter().map(move |m| format!("{h:02}:{m:02}")))
                    .collect();
                format!("at {}", words_list(&times, "and"))
            }
            _ => format!(
                "at minute{} {} past hour{} {}",
                if minutes.len() == 1 { "" } else { "s" },
                words_list(&runs(&minutes, |m| m.to_string()), "and"),
                if hours.len() == 1 { "" } else { "s" },
                words_list(&runs(&hours, |h| h.to_string()), "and")
            ),
        }
    }

    /// The schedule in plain English.
    pub fn describe(&self) -> String {
        let time = self.time_words();
        let day = match (self.dom.text.as_str() == "*", self.dow.text.as_str() == "*") {
            (true, true) => {
                if self.minute.step.is_some() || self.hour.step.is_some() {
                    String::new()
                } else {
                    "every day".to_string()
                }
            }
            (true, false) => self.dow_words(),
            (false, true) => self.dom_words(),
            _ if !self.dom.star && !self.dow.star => {
                format!("{} and {}", self.dom_words(), self.dow_words())
            }
            _ => format!(
                "{}, if that day is also {}",
                self.dom_words(),
                self.dow_words().trim_start_matches("on ")
            ),
        };
        let month = if self.month.text == "*" {
            String::new()
        } else {
            format!(
                "in {}",
                words_list(
                    &runs(&self.month.values(), |m| MONTH_WORDS[m as usize - 1]
                        .to_string()),
                    "and"
                )
            )
        };
        let mut out = [time, day, month]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(m) = self.macro_name {
            out = format!("{out} ({m})");
        }
        out
    }
}

/// Looks up an IANA time zone; an unknown one is a `cron-unknown-timezone` finding.
pub fn parse_timezone(name: &str) -> Result<TimeZone, Finding> {
    if let Ok(tz) = TimeZone::get(name) {
        return Ok(tz);
    }
    let names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
    let help = match did_you_mean(name, names.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "use an IANA name such as `UTC`, `Europe/Berlin` or `America/New_York`".to_string(),
    };
    Err(Finding::error(
        "cron-unknown-timezone",
        0..name.len().max(1),
        format!("`{name}` is not an IANA time zone"),
    )
    .with_help(help))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn next(expr: &str, tz: &str, from: &str, n: usize) -> Vec<String> {
        let s = parse(expr)
            .unwrap_or_else(|e| panic!("{expr}: {e:?}"))
            .schedule;
        s.upcoming(utc(from), &TimeZone::get(tz).unwrap(), n)
            .iter()
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            .collect()
    }

    fn err(expr: &str) -> Finding {
        parse(expr)
            .err()
            .unwrap_or_else(|| panic!("{expr} parsed"))
            .remove(0)
    }

    fn warn(expr: &str) -> Vec<&'static str> {
        parse(expr)
            .unwrap()
            .warnings
            .iter()
            .map(|w| w.code)
            .collect()
    }

    #[test]
    fn or_rule() {
        assert_eq!(
            next("0 0 13 * 5", "UTC", "2026-11-01T00:00:00Z", 5),
            [
                "2026-11-06T00:00:00Z",
                "2026-11-13T00:00:00Z",
                "2026-11-20T00:00:00Z",
                "2026-11-27T00:00:00Z",
                "2026-12-04T00:00:00Z"
            ]
        );
        assert_eq!(warn("0 0 13 * 5"), ["cron-or-rule"]);
    }

    #[test]
    fn sunday_is_0_and_7() {
        assert_eq!(
            next("0 12 * * 7", "UTC", "2026-11-26T00:00:00Z", 1),
            next("0 12 * * 0", "UTC", "2026-11-26T00:00:00Z", 1)
        );
        assert_eq!(
            next("0 12 * * sun", "UTC", "2026-11-26T00:00:00Z", 1),
            ["2026-11-29T12:00:00Z"]
        );
        assert_eq!(
            next("0 12 * * 5-7", "UTC", "2026-11-26T00:00:00Z", 3),
            [
                "2026-11-27T12:00:00Z",
                "2026-11-28T12:00:00Z",
                "2026-11-29T12:00:00Z"
            ]
        );
    }

    #[test]
    fn errors_point_at_their_token() {
        let e = err("0 24 * * *");
        assert_eq!((e.code, e.span.clone()), ("cron-out-of-range", 2..4));
        let e = err("*/0 * * * *");
        assert_eq!((e.code, e.span.clone()), ("cron-bad-step", 2..3));
        let e = err("5/10 * * * *");
        assert_eq!(e.code, "cron-step-on-value");
        assert_eq!(e.help.as_deref(), Some("write a range: `5-59/10`"));
        let e = err("0 0 * * 5-1");
        assert_eq!((e.code, e.span.clone()), ("cron-reversed-range", 8..11));
        assert_eq!(e.help.as_deref(), Some("write it as two ranges: `5-6,0-1`"));
        let e = err("0 0 L * *");
        assert_eq!((e.code, e.span.clone()), ("cron-nonstandard", 4..5));
        let e = err("0 0 * * 5#3");
        assert_eq!((e.code, e.span.clone()), ("cron-nonstandard", 9..10));
        let e = err("0 0 ? * *");
        assert_eq!(e.code, "cron-nonstandard");
        assert_eq!(err("0 0 0 * * *").code, "cron-field-count");
        assert_eq!(err("0 0 * *").code, "cron-field-count");
        assert_eq!(err("@reboot").code, "cron-reboot");
        let e = err("@Daily");
        assert_eq!(
            (e.code, e.help.as_deref()),
            (
                "cron-unknown-macro",
                Some("did you mean `@daily`? (macros are lowercase)")
            )
        );
        let e = err("0 0 * * thr");
        assert_eq!(
            (e.code, e.span.clone(), e.help.as_deref()),
            ("cron-unknown-name", 8..11, Some("did you mean `thu`?"))
        );
        let e = err("0 0 * mon *");
        assert!(e.message.contains("day-of-week name"), "{}", e.message);
        assert_eq!(err("0 0 30 2 *").code, "cron-never-fires");
        assert_eq!(err("0 0 31 4,6,9,11 *").code, "cron-never-fires");
        assert_eq!(err("1,,2 * * * *").code, "cron-syntax");
        // Every error at once.
        assert_eq!(parse("60 24 32 13 8").unwrap_err().len(), 5);
    }

    #[test]
    fn names_are_case_insensitive_and_wednesday_is_not_w() {
        assert!(parse("0 9 * JAN,Jul Wed").is_ok());
        assert!(parse("0 9 * * mon-fri").is_ok());
    }

    #[test]
    fn warnings() {
        assert_eq!(warn("*/60 * * * *"), ["cron-step-too-large"]);
        assert_eq!(warn("0 0 */2 * 1"), ["cron-step-or-rule"]);
        assert!(warn("*/15 * * * *").is_empty());
        assert!(warn("0 0 1-7 * *").is_empty());
    }

    #[test]
    fn leap_days_and_month_ends() {
        assert_eq!(
            next("0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z", 2),
            ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]
        );
        assert_eq!(
            next("0 0 31 * *", "UTC", "2026-11-26T00:00:00Z", 2),
            ["2026-12-31T00:00:00Z", "2027-01-31T00:00:00Z"]
        );
    }

    #[test]
    fn dst_gap_and_overlap_follow_cronie() {
        // New York springs forward 2027-03-14 02:00 -> 03:00 (07:00Z).
        assert_eq!(
            next("30 2 * * *", "America/New_York", "2027-03-13T12:00:00Z", 2),
            ["2027-03-14T07:00:00Z", "2027-03-15T06:30:00Z"]
        );
        // A wildcard job skips the missing hour.
        assert_eq!(
            next(
                "*/30 * * * *",
                "America/New_York",
                "2027-03-14T06:31:00Z",
                2
            ),
            ["2027-03-14T07:00:00Z", "2027-03-14T07:30:00Z"]
        );
        // Falls back 2026-11-01 02:00 -> 01:00: a fixed job once, a wildcard job twice.
        assert_eq!(
            next("30 1 * * *", "America/New_York", "2026-11-01T04:00:00Z", 2),
            ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]
        );
        assert_eq!(
            next("30 * * * *", "America/New_York", "2026-11-01T05:00:00Z", 3),
            [
                "2026-11-01T05:30:00Z",
                "2026-11-01T06:30:00Z",
                "2026-11-01T07:30:00Z"
            ]
        );
        let s = parse("30 2 * * *").unwrap().schedule;
        let f = s.dst_findings(
            &TimeZone::get("Europe/Berlin").unwrap(),
            utc("2026-11-26T00:00:00Z"),
            1,
        );
        assert_eq!(
            f.iter().map(|f| f.code).collect::<Vec<_>>(),
            ["cron-dst-gap", "cron-dst-overlap"]
        );
        assert!(
            f[0].message.contains("2027-03-28 02:30"),
            "{}",
            f[0].message
        );
        assert!(
            s.dst_findings(&TimeZone::UTC, utc("2026-11-26T00:00:00Z"), 1)
                .is_empty()
        );
    }

    #[test]
    fn fires_between_counts_a_week() {
        let s = parse("*/15 * * * *").unwrap().schedule;
        let n = s
            .fires_between(
                utc("2026-11-16T00:00:00Z") - jiff::SignedDuration::from_secs(1),
                utc("2026-11-23T00:00:00Z"),
                &TimeZone::UTC,
            )
            .len();
        assert_eq!(n, 7 * 96);
    }

    #[test]
    fn descriptions() {
        let d = |e: &str| parse(e).unwrap().schedule.describe();
        assert_eq!(d("*/15 * * * *"), "every 15 minutes");
        assert_eq!(d("0 3 * * *"), "at 03:00 every day");
        assert_eq!(d("0 9 * * 1-5"), "at 09:00 on Monday through Friday");
        assert_eq!(
            d("0 0 13 * 5"),
            "at 00:00 on the 13th of the month and on every Friday"
        );
        assert_eq!(d("@hourly"), "at minute 0 of every hour (@hourly)");
        assert_eq!(
            d("0 0 1 1,7 *"),
            "at 00:00 on the 1st of the month in January and July"
        );
    }
}
