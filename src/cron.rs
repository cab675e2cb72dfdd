//! Standard 5-field cron, as Vixie cron and cronie run it: a strict parser whose findings point at
//! the offending field, a plain-English explainer, and a fire-time calculator with cronie's DST
//! behaviour.
//!
//! # Syntax
//!
//! Fields: minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 (`jan`-`dec`), day-of-week 0-7
//! (`sun`-`sat`; 0 and 7 are both Sunday). Names are three letters, case-insensitive. Each field
//! is a list `a,b` of values, ranges `a-b`, and steps `*/n` or `a-b/n`. A step on a single value
//! (`5/10`), a reversed range (`5-1`) and the extensions `L W # ? H ~` are rejected. The macros
//! `@yearly @annually @monthly @weekly @daily @midnight @hourly` are accepted (case-sensitive, as
//! cronie); `@reboot` is rejected because it names no time.
//!
//! # Day rule
//!
//! As in cronie, a day field is "restricted" when its text does not start with `*`. When
//! day-of-month AND day-of-week are both restricted, a day matches if EITHER matches (the POSIX OR
//! rule: `0 0 13 * 5` fires on every 13th and on every Friday). Otherwise both must match, which
//! makes the unrestricted one irrelevant. `*/2` starts with `*`, so cronie counts it as
//! unrestricted and ANDs it with a restricted other day field; croniter ORs it. handoff follows
//! cronie and warns (`cron-step-or-rule`).
//!
//! # Time zones and DST (cronie's rules)
//!
//! Fire times are computed in the schedule's time zone. A job is *fixed-time* when neither its
//! minute nor its hour field starts with `*` (cronie's `MIN_STAR`/`HR_STAR` flags: `30 2`,
//! `0 1-3`, `0,30 9`), and *wildcard* otherwise (`*/15 *`, `0 *`).
//!
//! - Spring forward (a gap): a fixed-time job runs right after the jump (at the transition
//!   instant), once for each of its times the jump skipped, because cronie's catch-up runs its
//!   job search once per missed minute (`0,30 2` runs twice); a wildcard job skips the missing
//!   times. After a jump of more than 180 minutes cronie does no catch-up, so nothing runs.
//! - Fall back (an overlap): a fixed-time job whose time occurs twice runs once, in the first
//!   pass; a wildcard job runs in both passes.
//!
//! This is what cronie's main loop does when it finds the local clock jumped by less than three
//! hours (`cron.c`, "wakeupKind" 2 and 0). It applies in the daemon's own zone; handoff assumes
//! the daemon runs in the schedule's zone (a `CRON_TZ` job in another zone is not modelled).

use crate::codes::Code;
use std::ops::Range;

use jiff::civil::{self, DateTime};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use crate::diagnostic::Finding;

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

const MACROS: &[(&str, &str)] = &[
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@monthly", "0 0 1 * *"),
    ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
];

/// How far `next_after` looks ahead. A day-of-month/day-of-week AND (`0 0 29 2 */7`, Sunday the
/// 29th of February) can be 40 years apart around a non-leap century year.
const HORIZON_YEARS: i16 = 50;

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

    /// The values that may be written (day-of-week accepts 7 for Sunday).
    fn bounds(self) -> (u32, u32) {
        match self {
            Kind::Minute => (0, 59),
            Kind::Hour => (0, 23),
            Kind::Dom => (1, 31),
            Kind::Month => (1, 12),
            Kind::Dow => (0, 7),
        }
    }

    /// The last distinct value (`*` in day-of-week is 0-6).
    fn max(self) -> u32 {
        match self {
            Kind::Dow => 6,
            _ => self.bounds().1,
        }
    }

    fn names(self) -> &'static [&'static str] {
        match self {
            Kind::Month => &MONTHS,
            Kind::Dow => &DAYS,
            _ => &[],
        }
    }

    fn name_value(self, i: usize) -> u32 {
        match self {
            Kind::Month => i as u32 + 1,
            _ => i as u32,
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

    /// Writes a value back, as a name when the user wrote names.
    fn show(self, v: u32, names: bool) -> String {
        match (self, names) {
            (Kind::Month, true) => MONTHS[(v as usize).clamp(1, 12) - 1].to_string(),
            (Kind::Dow, true) => DAYS[v as usize % 7].to_string(),
            _ => v.to_string(),
        }
    }
}

/// One parsed field.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    /// Bit `v` is set when value `v` is selected (day-of-week 7 is stored as 0).
    bits: u64,
    /// The text starts with `*` (cronie's `*_STAR` flags).
    star: bool,
    /// The whole field is `*` (`Some(1)`) or `*/n` (`Some(n)`).
    every: Option<u32>,
    span: Range<usize>,
}

impl Field {
    fn has(&self, v: u32) -> bool {
        v < 64 && self.bits & (1u64 << v) != 0
    }

    fn values(&self) -> Vec<u32> {
        (0..64).filter(|v| self.has(*v)).collect()
    }

    /// The first selected value >= `v`.
    fn next_from(&self, v: u32) -> Option<u32> {
        if v >= 64 {
            return None;
        }
        let rest = self.bits >> v;
        (rest != 0).then(|| v + rest.trailing_zeros())
    }

    fn is_all(&self) -> bool {
        self.every == Some(1)
    }
}

/// A parsed, validated standard cron schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    expr: String,
    minute: Field,
    hour: Field,
    dom: Field,
    month: Field,
    dow: Field,
    /// The macro it was written as (`@daily`), if any.
    macro_name: Option<&'static str>,
}

/// A schedule and the warnings its expression deserves.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub schedule: Schedule,
    pub warnings: Vec<Finding>,
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// Parses a standard 5-field cron expression or macro. On failure, returns every error found
/// (each spanning the offending field or token, as byte offsets into `expr`); on success, the
/// schedule and its warnings.
pub fn parse(expr: &str) -> Result<Parsed, Vec<Finding>> {
    let fields = split_fields(expr);
    let Some((first, first_span)) = fields.first().cloned() else {
        return Err(vec![
            Finding::new(Code::CronFieldCount, 0..expr.len(), "the schedule is empty").with_help(
                "write 5 fields: minute hour day-of-month month day-of-week, e.g. `0 3 * * *`",
            ),
        ]);
    };
    if first.starts_with('@') {
        return parse_macro(expr, first, first_span, &fields[1..]);
    }
    if fields.len() != 5 {
        return Err(vec![field_count(expr, &fields)]);
    }
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let parsed: Vec<Field> = Kind::ALL
        .into_iter()
        .zip(&fields)
        .map(|(kind, (text, span))| {
            parse_field(kind, text, span.clone(), &mut errors, &mut warnings)
        })
        .collect();
    let Ok([minute, hour, dom, month, dow]) = <[Field; 5]>::try_from(parsed) else {
        unreachable!("five fields make five parsed fields")
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let schedule = Schedule {
        expr: expr.to_string(),
        minute,
        hour,
        dom,
        month,
        dow,
        macro_name: None,
    };
    if let Some(finding) = schedule.never_fires() {
        return Err(vec![finding]);
    }
    warnings.extend(schedule.day_rule_warning());
    Ok(Parsed { schedule, warnings })
}

/// Splits on spaces and tabs, keeping each field's byte span.
fn split_fields(expr: &str) -> Vec<(&str, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in expr.char_indices() {
        match (c == ' ' || c == '\t' || c == '\n' || c == '\r', start) {
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

fn parse_macro(
    expr: &str,
    name: &str,
    span: Range<usize>,
    rest: &[(&str, Range<usize>)],
) -> Result<Parsed, Vec<Finding>> {
    let known = name == "@reboot" || MACROS.iter().any(|(m, _)| *m == name);
    if let Some((_, first_extra)) = rest.first() {
        let extra = first_extra.start..rest[rest.len() - 1].1.end;
        if name == "@every" {
            return Err(vec![every(&expr[extra.clone()], span.start..extra.end)]);
        }
        if known {
            return Err(vec![
                Finding::new(
                    Code::CronSyntax,
                    extra,
                    format!("`{name}` stands alone: nothing may follow a macro"),
                )
                .with_help(format!("write `{name}` alone, or 5 fields")),
            ]);
        }
    }
    if name == "@reboot" {
        return Err(vec![
            Finding::new(
                Code::CronReboot,
                span,
                "`@reboot` runs when the cron daemon starts, not at a time: it is not a schedule for a definition",
            )
            .with_help("give the times it should run at, e.g. `@daily` or `0 3 * * *`; react to a start-up with an event trigger instead"),
        ]);
    }
    let Some((macro_name, fields)) = MACROS.iter().find(|(m, _)| *m == name) else {
        let candidates: Vec<&str> = MACROS.iter().map(|(m, _)| *m).collect();
        let help = match suggest(name, &candidates) {
            Some(s) if s != name.to_ascii_lowercase() => format!("did you mean `{s}`?"),
            Some(s) => format!("did you mean `{s}`? (macros are lowercase)"),
            None => {
                "use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or 5 fields"
                    .to_string()
            }
        };
        return Err(vec![
            Finding::new(
                Code::CronUnknownMacro,
                span,
                format!("`{name}` is not a cron macro"),
            )
            .with_help(help),
        ]);
    };
    let mut parsed = parse(fields).expect("the macros are valid");
    let s = &mut parsed.schedule;
    s.expr = expr.to_string();
    s.macro_name = Some(macro_name);
    for f in [
        &mut s.minute,
        &mut s.hour,
        &mut s.dom,
        &mut s.month,
        &mut s.dow,
    ] {
        f.span = span.clone();
    }
    Ok(parsed)
}

/// `@every DURATION` (robfig/cron, Go): intervals counted from when the scheduler started, which
/// standard cron cannot express. When the interval divides the hour or the day evenly, the
/// clock-aligned schedule is offered; otherwise no concrete replacement.
fn every(duration: &str, span: Range<usize>) -> Finding {
    let minutes = go_duration_minutes(duration.trim());
    let equivalent = match minutes {
        Some(1) => Some("* * * * *".to_string()),
        Some(m) if m < 60 && 60u64.is_multiple_of(m) => Some(format!("*/{m} * * * *")),
        Some(60) => Some("0 * * * *".to_string()),
        Some(m) if m.is_multiple_of(60) && m < 1440 && 1440u64.is_multiple_of(m) => {
            Some(format!("0 */{} * * *", m / 60))
        }
        Some(1440) => Some("0 0 * * *".to_string()),
        _ => None,
    };
    let help = match equivalent {
        Some(e) => format!(
            "write `{e}`, which runs at the same interval aligned to the clock (not to when the scheduler started)"
        ),
        None => "standard cron has no intervals: write the times it should run at as 5 fields, minute hour day-of-month month day-of-week".to_string(),
    };
    Finding::new(
        Code::CronUnknownMacro,
        span,
        format!("`@every {}` is not standard cron: it counts intervals from when the scheduler started (robfig/cron)", duration.trim()),
    )
    .with_help(help)
}

/// A Go duration (`1h`, `30m`, `1h30m`, `90s`) in whole minutes; `None` when it is not one or
/// is not a whole number of minutes.
fn go_duration_minutes(text: &str) -> Option<u64> {
    let mut seconds: u64 = 0;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let factor = match &rest[..unit] {
            "h" => 3600,
            "m" => 60,
            "s" => 1,
            _ => return None,
        };
        seconds = seconds.checked_add(n.checked_mul(factor)?)?;
        rest = &rest[unit..];
    }
    (seconds > 0 && seconds.is_multiple_of(60)).then_some(seconds / 60)
}

fn field_count(expr: &str, fields: &[(&str, Range<usize>)]) -> Finding {
    let n = fields.len();
    let join = |fs: &[(&str, Range<usize>)]| fs.iter().map(|f| f.0).collect::<Vec<_>>().join(" ");
    let looks_like_year = |text: &str| {
        text.split([',', '-', '/'])
            .any(|v| v.len() == 4 && v.parse::<u32>().is_ok_and(|y| y >= 1970))
    };
    let whole = fields[0].1.start..fields[n - 1].1.end;
    // A suggestion is offered only when it is itself a clean schedule.
    let passes = |text: &str| parse(text).is_ok_and(|p| p.warnings.is_empty());
    match n {
        6 => {
            let without_first = join(&fields[1..]);
            let without_last = join(&fields[..5]);
            let first_ok = passes(&without_first);
            let last_ok = passes(&without_last);
            // A year (`2027`) is a year field; otherwise the first field is read as seconds
            // (Quartz, Spring, croner), unless only dropping the last one leaves a valid
            // schedule (`0 9 * * MON-FRI *`: dropping `0` would shift every field).
            let choice = match (first_ok, last_ok) {
                (_, true) if looks_like_year(fields[5].0) => {
                    Some(("year (last)", 5, without_last))
                }
                (true, _) => Some(("seconds (first)", 0, without_first)),
                (false, true) => Some(("year (last)", 5, without_last)),
                (false, false) => None,
            };
            let message = "the schedule has 6 fields; standard cron has 5 (minute hour day-of-month month day-of-week): seconds or year fields are not standard cron";
            match choice {
                Some((which, i, rest)) => {
                    Finding::new(Code::CronFieldCount, fields[i].1.clone(), message).with_help(
                        format!("this looks like a {which} field: remove it, e.g. `{rest}`"),
                    )
                }
                None => Finding::new(Code::CronFieldCount, whole, message).with_help(
                    "remove the seconds (first) or year (last) field and check what remains: write 5 fields minute hour day-of-month month day-of-week",
                ),
            }
        }
        7 => {
            let rest = join(&fields[1..6]);
            let help = if passes(&rest) {
                format!("remove the seconds (first) and year (last) fields, e.g. `{rest}`")
            } else {
                "remove the seconds (first) and year (last) fields and check what remains: write 5 fields minute hour day-of-month month day-of-week".to_string()
            };
            Finding::new(
                Code::CronFieldCount,
                whole,
                "the schedule has 7 fields; standard cron has 5 (minute hour day-of-month month day-of-week): seconds or year fields are not standard cron",
            )
            .with_help(help)
        }
        _ => Finding::new(
            Code::CronFieldCount,
            if expr.trim().is_empty() { 0..expr.len() } else { whole },
            format!(
                "the schedule has {n} field{}; standard cron has 5: minute hour day-of-month month day-of-week",
                if n == 1 { "" } else { "s" }
            ),
        )
        .with_help("write 5 fields separated by spaces, e.g. `*/15 * * * *` or `0 3 * * 1-5`"),
    }
}

/// Parses one field, pushing errors and warnings. The returned field is meaningful only when no
/// error was pushed.
fn parse_field(
    kind: Kind,
    text: &str,
    span: Range<usize>,
    errors: &mut Vec<Finding>,
    warnings: &mut Vec<Finding>,
) -> Field {
    let mut bits = 0u64;
    let mut every = None;
    let mut pos = span.start;
    let items: Vec<&str> = text.split(',').collect();
    for item in &items {
        let item_span = pos..pos + item.len();
        pos += item.len() + 1;
        if item.is_empty() {
            // Point at the stray comma: the one after the empty item, or before it at the end.
            let comma = if item_span.start < span.end {
                item_span.start
            } else {
                item_span.start - 1
            };
            errors.push(
                Finding::new(
                    Code::CronSyntax,
                    comma..comma + 1,
                    format!("empty list item in the {} field", kind.name()),
                )
                .with_help("remove the extra `,`"),
            );
            continue;
        }
        if let Some((lo, hi, step)) = parse_item(kind, item, item_span, errors, warnings) {
            let mut v = lo;
            while v <= hi {
                bits |= 1u64 << (if kind == Kind::Dow && v == 7 { 0 } else { v });
                v = v.saturating_add(step);
            }
            if items.len() == 1 && item.starts_with('*') && (step == 1 || step <= hi - lo) {
                every = Some(step);
            }
        }
    }
    Field {
        bits,
        star: text.starts_with('*'),
        every,
        span,
    }
}

/// Parses `*`, `v`, `a-b`, `*/n` or `a-b/n` into (first, last, step).
fn parse_item(
    kind: Kind,
    item: &str,
    span: Range<usize>,
    errors: &mut Vec<Finding>,
    warnings: &mut Vec<Finding>,
) -> Option<(u32, u32, u32)> {
    let at = |i: usize, len: usize| span.start + i..span.start + i + len;
    if let Some(f) = nonstandard(kind, item, span.start) {
        errors.push(f);
        return None;
    }
    if let Some(i) = item.find(|c: char| !(c.is_ascii_alphanumeric() || "*-/".contains(c))) {
        let len = item[i..].chars().next().map_or(1, char::len_utf8);
        errors.push(
            Finding::new(
                Code::CronSyntax,
                at(i, len),
                format!("`{}` is not allowed in a cron field", &item[i..i + len]),
            )
            .with_help(
                "a field is a list (`,`) of values, ranges (`a-b`) and steps (`*/n`, `a-b/n`)",
            ),
        );
        return None;
    }
    let (base, step_text) = match item.split_once('/') {
        Some((b, s)) => (b, Some(s)),
        None => (item, None),
    };
    let step = match step_text {
        None => None,
        Some(s) => {
            let s_at = at(base.len() + 1, s.len());
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                errors.push(
                    Finding::new(
                        Code::CronBadStep,
                        if s.is_empty() {
                            at(base.len(), 1)
                        } else {
                            s_at
                        },
                        format!("`/{s}` is not a step: a step is a positive whole number"),
                    )
                    .with_help("write e.g. `*/15` or `0-30/10`"),
                );
                return None;
            }
            let n = s.parse::<u32>().unwrap_or(u32::MAX);
            if n == 0 {
                errors.push(
                    Finding::new(Code::CronBadStep, s_at, "a step of 0 selects nothing")
                        .with_help("use a step of 1 or more"),
                );
                return None;
            }
            // cronie rejects steps that overflow its `int` (`*/4294967296` wraps to 0) and only
            // warns about the others; a step wider than the whole field can only select the
            // first value, so handoff rejects it outright.
            let (first, last) = kind.bounds();
            let size = last - first + 1;
            if n > size {
                let start = if base == "*" {
                    first.to_string()
                } else {
                    base.split('-').next().unwrap_or(base).to_string()
                };
                // The suggestion replaces the whole item, so offer it only when it is a value.
                let start_ok = value(kind, &start, 0..0, &mut Vec::new()).is_some();
                errors.push(
                    Finding::new(
                        Code::CronBadStep,
                        at(0, item.len()),
                        format!(
                            "the step {s} is larger than the {} field, which has {size} values ({})",
                            kind.name(),
                            kind.range_text()
                        ),
                    )
                    .with_help(if start_ok {
                        format!(
                            "write `{start}` if only the first value is meant, or use a step of at most {size}"
                        )
                    } else {
                        format!("use a step of at most {size}")
                    }),
                );
                return None;
            }
            Some((n, s_at))
        }
    };
    let uses_names = base.bytes().any(|b| b.is_ascii_alphabetic());
    let (lo, hi) = if base == "*" {
        (kind.bounds().0, kind.max())
    } else {
        let (first, second) = match base.split_once('-') {
            Some((x, y)) => (x, Some(y)),
            None => (base, None),
        };
        if first.is_empty() || second.is_some_and(str::is_empty) {
            let dash = first.len();
            errors.push(
                Finding::new(
                    Code::CronSyntax,
                    at(dash, 1),
                    format!("a value is missing in the {} field: `{base}`", kind.name()),
                )
                .with_help("a range is two values, `a-b`, e.g. `1-5`"),
            );
            return None;
        }
        if first == "*" || second.is_some_and(|y| y.contains(['-', '*'])) {
            errors.push(
                Finding::new(
                    Code::CronSyntax,
                    at(0, base.len()),
                    format!("`{base}` is not a value or a range"),
                )
                .with_help("a range is two values, `a-b`; `*` stands alone or with a step, `*/n`"),
            );
            return None;
        }
        let a = value(kind, first, at(0, first.len()), errors);
        let b = second.map(|y| value(kind, y, at(first.len() + 1, y.len()), errors));
        match (a, b) {
            (Some(a), None) => {
                if let Some((n, _)) = &step {
                    let range = format!("{first}-{}/{n}", kind.show(kind.max(), uses_names));
                    errors.push(
                        Finding::new(
                            Code::CronStepOnValue,
                            at(0, item.len()),
                            format!("`{item}` puts a step on a single value, which standard cron rejects"),
                        )
                        .with_help(format!("write a range: `{range}` (every {n} from {first})")),
                    );
                    return None;
                }
                (a, a)
            }
            (Some(a), Some(Some(b))) => {
                // cronie (`entry.c`, `get_range`) reads a range ending in 0 without a step as
                // ending in 7: `fri-sun`, `5-0` = Friday-Sunday. Only in day-of-week is that
                // what the writer meant (0 and 7 are both Sunday); elsewhere it is an error.
                if kind == Kind::Dow && b == 0 && a > b && step.is_none() {
                    return Some((a, 7, 1));
                }
                if a > b {
                    errors.push(reversed(
                        kind,
                        base,
                        a,
                        b,
                        step.as_ref().map(|s| s.0),
                        uses_names,
                        // The suggestion carries the step, so it replaces the whole item.
                        at(0, item.len()),
                    ));
                    return None;
                }
                (a, b)
            }
            _ => return None,
        }
    };
    let n = step.as_ref().map_or(1, |s| s.0);
    if let Some((n, _)) = &step {
        let width = hi - lo;
        if *n > width.max(1) {
            // The suggestion replaces the whole item (`*/60` by `0`), so the finding covers it.
            warnings.push(
                Finding::new(
                    Code::CronStepTooLarge,
                    at(0, item.len()),
                    format!(
                        "the step {n} is larger than the {} range {}: `{item}` selects only {}",
                        kind.name(),
                        if base == "*" {
                            format!("{lo}-{hi}")
                        } else {
                            base.to_string()
                        },
                        kind.show(lo, uses_names),
                    ),
                )
                .with_help(format!(
                    "write `{}` if that is meant, or use a smaller step",
                    kind.show(lo, uses_names)
                )),
            );
        }
    }
    Some((lo, hi, n))
}

/// A reversed range `a-b` (a > b), with the wrapped form as the suggestion.
fn reversed(
    kind: Kind,
    base: &str,
    a: u32,
    b: u32,
    step: Option<u32>,
    names: bool,
    span: Range<usize>,
) -> Finding {
    let part = |x: u32, y: u32| {
        let s = if x == y {
            kind.show(x, names)
        } else {
            format!("{}-{}", kind.show(x, names), kind.show(y, names))
        };
        match step {
            // A step wider than the part selects only its first value (and would warn).
            Some(n) if n > y - x => kind.show(x, names),
            Some(n) if x != y => format!("{s}/{n}"),
            _ => s,
        }
    };
    let lo = kind.bounds().0;
    // Writing the two halves with the same step is exact only when the step lands on the
    // field's first value after the wrap (`50-10/5`); otherwise list the values.
    let halves_exact = step.is_none_or(|n| (kind.max() + 1 - a).is_multiple_of(n));
    let suggestion = if kind == Kind::Dow && a == 7 {
        // 7 is Sunday, which is also 0: `7-2` means Sunday through Tuesday.
        part(0, b)
    } else if halves_exact {
        format!("{},{}", part(a, kind.max()), part(lo, b))
    } else {
        let n = step.unwrap_or(1);
        let cycle = kind.max() + 1 - lo;
        let (mut v, mut out) = (a, Vec::new());
        // Positions along the wrapped range a..=max, lo..=b.
        let length = (kind.max() - a) + (b - lo) + 1;
        let mut walked = 0;
        while walked <= length {
            out.push(kind.show(v, names));
            walked += n;
            v = lo + (v - lo + n) % cycle;
        }
        out.join(",")
    };
    let message = if b == 0 && step.is_none() {
        // cronie turns a range ending in 0 into one ending in 7 in every field: `5-0` = 5-7.
        format!(
            "the range `{base}` runs backwards ({} is after {}): cronie reads it as `{}-7`, other crons as nothing or a wrap-around",
            kind.show(a, names),
            kind.show(b, names),
            kind.show(a, names),
        )
    } else {
        format!(
            "the range `{base}` runs backwards ({} is after {}): cron does not wrap around, so it would select nothing",
            kind.show(a, names),
            kind.show(b, names)
        )
    };
    Finding::new(Code::CronReversedRange, span, message).with_help(format!("write `{suggestion}`"))
}

/// `L`, `W`, `#`, `?`, `H`, `~` and friends, which some crons accept and standard cron does not.
fn nonstandard(kind: Kind, item: &str, offset: usize) -> Option<Finding> {
    let bytes = item.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_alphabetic() {
            let end = bytes[i..]
                .iter()
                .position(|b| !b.is_ascii_alphabetic())
                .map_or(bytes.len(), |n| i + n);
            let word = item[i..end].to_ascii_uppercase();
            let what = match word.as_str() {
                "L" => Some((
                    "`L` (last)",
                    "cron cannot say \"last\": fire on the candidate days (e.g. 28-31) and check the date in the rule",
                )),
                "W" | "LW" => Some((
                    "`W` (nearest weekday)",
                    "cron cannot say \"nearest weekday\": fire on the candidate days and check the weekday in the rule",
                )),
                "H" => Some(("`H` (hashed value, Jenkins)", "pick a fixed value instead")),
                _ => None,
            };
            if let Some((what, help)) = what {
                return Some(
                    Finding::new(
                        Code::CronNonstandard,
                        offset + i..offset + end,
                        format!("{what} in the {} field is not standard cron", kind.name()),
                    )
                    .with_help(help),
                );
            }
            i = end;
            continue;
        }
        let what = match c {
            b'#' => Some((
                "`#` (nth weekday)",
                "cron cannot say \"the 2nd Monday\": fire on days 8-14 with day-of-week `*` and check the weekday in the rule",
            )),
            b'?' => Some(("`?` (no specific value, Quartz)", "write `*` instead")),
            b'~' => Some(("`~` (random value, cronie)", "pick a fixed value instead")),
            b'(' | b')' => Some((
                "`(`…`)` (hashed range, Jenkins)",
                "pick a fixed value instead",
            )),
            _ => None,
        };
        if let Some((what, help)) = what {
            return Some(
                Finding::new(
                    Code::CronNonstandard,
                    offset + i..offset + i + 1,
                    format!("{what} in the {} field is not standard cron", kind.name()),
                )
                .with_help(help),
            );
        }
        i += 1;
    }
    None
}

/// One value: a number in range, or a name of this field.
fn value(kind: Kind, text: &str, span: Range<usize>, errors: &mut Vec<Finding>) -> Option<u32> {
    let (lo, hi) = kind.bounds();
    if text.is_empty() {
        errors.push(
            Finding::new(
                Code::CronSyntax,
                span.start.saturating_sub(1)..span.start + 1,
                format!("a value is missing in the {} field", kind.name()),
            )
            .with_help("a range is two values, `a-b`, e.g. `1-5`"),
        );
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let v = text.parse::<u32>().unwrap_or(u32::MAX);
        if (lo..=hi).contains(&v) {
            return Some(v);
        }
        let help = match (kind, v) {
            (Kind::Hour, 24) => "midnight is hour 0".to_string(),
            (Kind::Minute, 60) => {
                "the minutes of an hour are 0-59; minute 0 is the top of the hour".to_string()
            }
            (Kind::Dow, _) => "0 or 7 is Sunday, 1 Monday ... 6 Saturday".to_string(),
            (Kind::Dom, 0) | (Kind::Month, 0) => format!("{}s start at 1", kind.name()),
            _ => format!("use a value in {}", kind.range_text()),
        };
        errors.push(
            Finding::new(
                Code::CronOutOfRange,
                span,
                format!(
                    "{} {text} is out of range: the {} field takes {}",
                    kind.name(),
                    kind.name(),
                    kind.range_text()
                ),
            )
            .with_help(help),
        );
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_alphabetic()) {
        let lower = text.to_ascii_lowercase();
        if let Some(i) = kind.names().iter().position(|n| *n == lower) {
            return Some(kind.name_value(i));
        }
        let other = [Kind::Month, Kind::Dow]
            .into_iter()
            .find(|k| *k != kind && k.names().contains(&lower.as_str()));
        let message = match other {
            Some(k) => format!(
                "`{text}` is a {} name, not valid in the {} field",
                k.name(),
                kind.name()
            ),
            None if kind.names().is_empty() => format!(
                "`{text}` is not a value of the {} field, which takes numbers only",
                kind.name()
            ),
            None => format!("`{text}` is not a {} name", kind.name()),
        };
        let help = match suggest(&lower, kind.names()) {
            Some(s) if other.is_none() => format!("did you mean `{s}`?"),
            _ => format!("the {} field takes {}", kind.name(), kind.range_text()),
        };
        errors.push(Finding::new(Code::CronUnknownName, span, message).with_help(help));
        return None;
    }
    errors.push(
        Finding::new(
            Code::CronSyntax,
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

/// The candidate `word` most likely meant: one it starts with (`thurs` → `thu`), or one within a
/// small edit distance (`thr` → `thu`, `fir` → `fri`).
fn suggest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let w = word.to_ascii_lowercase();
    if let Some(c) = candidates
        .iter()
        .find(|c| c.len() >= 3 && w.starts_with(&c.to_ascii_lowercase()))
    {
        return Some(c);
    }
    let limit = if w.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .iter()
        .map(|c| (edit_distance(&w, &c.to_ascii_lowercase()), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

fn days_in_month(year: i16, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Schedule {
    /// The day-of-month/day-of-week findings: the OR rule, and `*/n` against a restricted field.
    fn day_rule_warning(&self) -> Option<Finding> {
        let text = |f: &Field| &self.expr[f.span.clone()];
        if !self.dom.star && !self.dow.star {
            let (dom, dow) = (self.dom.values(), self.dow.values());
            let message = if dom.len() == 1 && dow.len() == 1 {
                let (d, w) = (ordinal(dom[0]), DAY_WORDS[dow[0] as usize]);
                format!(
                    "`{}` fires on every {d} of the month AND on every {w} (POSIX OR rule), not on {w} the {d}",
                    self.expr.trim()
                )
            } else {
                format!(
                    "`{}` fires {} AND {} (POSIX OR rule), not only on days that match both fields",
                    self.expr.trim(),
                    self.dom_words(),
                    self.dow_words()
                )
            };
            return Some(
                Finding::new(
                    Code::CronOrRule,
                    self.dom.span.start..self.dow.span.end,
                    message,
                )
                .with_help(format!(
                    "cron cannot require both: to fire only on days that match both, use `{}` and check the weekday in the rule",
                    self.with_fields(None, Some("*"))
                )),
            );
        }
        let (stepped, other) = if self.dom.star && !self.dom.is_all() && !self.dow.star {
            (&self.dom, &self.dow)
        } else if self.dow.star && !self.dow.is_all() && !self.dom.star {
            (&self.dow, &self.dom)
        } else {
            return None;
        };
        let (stepped_kind, other_kind) = if std::ptr::eq(stepped, &self.dom) {
            (Kind::Dom, Kind::Dow)
        } else {
            (Kind::Dow, Kind::Dom)
        };
        let (lo, hi) = (stepped_kind.bounds().0, stepped_kind.max());
        let rewritten = text(stepped).replacen('*', &format!("{lo}-{hi}"), 1);
        Some(
            Finding::new(
                Code::CronStepOrRule,
                stepped.span.clone(),
                format!(
                    "`{}` in the {} field starts with `*`, so cronie treats the field as unrestricted and requires the {} field `{}` to match too (AND); croniter and others treat it as restricted and fire when EITHER matches (OR)",
                    text(stepped),
                    stepped_kind.name(),
                    other_kind.name(),
                    text(other)
                ),
            )
            .with_help(format!(
                "handoff follows cronie (AND); write `{rewritten}` to get the OR rule in every implementation, or make the {} field `*`",
                other_kind.name()
            )),
        )
    }

    /// The expression with the day-of-month and/or day-of-week field replaced.
    fn with_fields(&self, dom: Option<&str>, dow: Option<&str>) -> String {
        let t = |f: &Field| self.expr[f.span.clone()].to_string();
        [
            t(&self.minute),
            t(&self.hour),
            dom.map_or_else(|| t(&self.dom), str::to_string),
            t(&self.month),
            dow.map_or_else(|| t(&self.dow), str::to_string),
        ]
        .join(" ")
    }

    /// `cron-never-fires` when no selected month has any selected day (AND rule only: with the OR
    /// rule, the day-of-week alone fires every week).
    fn never_fires(&self) -> Option<Finding> {
        if !self.dom.star && !self.dow.star {
            return None;
        }
        let months = self.month.values();
        let max = |m: u32| days_in_month(2000, m);
        if months
            .iter()
            .any(|m| self.dom.values().iter().any(|d| *d <= max(*m)))
        {
            return None;
        }
        let days = words_list(
            &self
                .dom
                .values()
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>(),
            "or",
        );
        let month_names: Vec<String> = months
            .iter()
            .map(|m| MONTH_WORDS[*m as usize - 1].to_string())
            .collect();
        Some(
            Finding::new(
                Code::CronNeverFires,
                self.dom.span.start..self.month.span.end,
                format!(
                    "`{}` never fires: {} {} no day {days}",
                    self.expr.trim(),
                    words_list(&month_names, "and"),
                    if months.len() == 1 { "has" } else { "have" }
                ),
            )
            .with_help("pick days that exist in the chosen months: February has at most 29 days; April, June, September and November have 30"),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Fire times
// ---------------------------------------------------------------------------------------------

impl Schedule {
    /// The expression as written.
    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// cronie's fixed-time job: neither the minute nor the hour field starts with `*`.
    /// Whether every minute `other` selects is also selected by `self` (compared field by field;
    /// `false` when either uses the day OR rule, which a field comparison cannot decide).
    pub fn covers(&self, other: &Schedule) -> bool {
        let or_rule = |s: &Schedule| !s.dom.star && !s.dow.star;
        if or_rule(self) || or_rule(other) {
            return false;
        }
        // With at most one restricted day field each, a day matches when both fields do.
        [
            (&self.minute, &other.minute),
            (&self.hour, &other.hour),
            (&self.dom, &other.dom),
            (&self.month, &other.month),
            (&self.dow, &other.dow),
        ]
        .iter()
        .all(|(a, b)| b.bits & !a.bits == 0)
    }

    pub fn is_fixed_time(&self) -> bool {
        !self.minute.star && !self.hour.star
    }

    fn day_matches(&self, year: i16, month: u32, day: u32) -> bool {
        let dom = self.dom.has(day);
        if self.dom.is_all() && self.dow.is_all() {
            return true;
        }
        let Ok(date) = civil::Date::new(year, month as i8, day as i8) else {
            return false;
        };
        let weekday = date.weekday().to_sunday_zero_offset() as u32;
        let dow = self.dow.has(weekday);
        if self.dom.star || self.dow.star {
            dom && dow
        } else {
            dom || dow
        }
    }

    /// The first civil minute at or after `from` (seconds ignored) that the fields select, in a
    /// year up to `last_year`. Skips whole months, days and hours that do not match.
    fn next_civil(&self, from: DateTime, last_year: i16) -> Option<DateTime> {
        let (mut y, mut mo, mut d) = (from.year(), from.month() as u32, from.day() as u32);
        let (mut h, mut mi) = (from.hour() as u32, from.minute() as u32);
        loop {
            if y > last_year.min(9999) {
                return None;
            }
            if !self.month.has(mo) || d > days_in_month(y, mo) {
                (d, h, mi) = (1, 0, 0);
                mo += 1;
                if mo > 12 {
                    (y, mo) = (y.checked_add(1)?, 1);
                }
                continue;
            }
            if !self.day_matches(y, mo, d) {
                (d, h, mi) = (d + 1, 0, 0);
                continue;
            }
            match self.hour.next_from(h).filter(|v| *v < 24) {
                None => {
                    (d, h, mi) = (d + 1, 0, 0);
                    continue;
                }
                Some(nh) if nh != h => (h, mi) = (nh, 0),
                Some(_) => {}
            }
            match self.minute.next_from(mi).filter(|v| *v < 60) {
                Some(m) => {
                    return civil::DateTime::new(y, mo as i8, d as i8, h as i8, m as i8, 0, 0).ok();
                }
                None => (h, mi) = (h + 1, 0),
            }
        }
    }

    /// The instants a selected civil minute fires at in `tz`, by cronie's DST rules.
    fn instants(&self, civil: DateTime, tz: &TimeZone) -> Instants {
        match tz.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => {
                Instants(offset.to_timestamp(civil).ok(), None)
            }
            AmbiguousOffset::Gap { before, after } => {
                // cronie's catch-up covers jumps of 6 to 180 minutes ("medium"); after a larger
                // jump it runs only the current minute's jobs.
                let jump = i64::from(after.seconds()) - i64::from(before.seconds());
                if !self.is_fixed_time() || jump > 180 * 60 {
                    return Instants(None, None);
                }
                // Runs once, right after the jump. Read with the later offset, the civil time is
                // an instant before the transition; the transition follows it.
                let Ok(early) = after.to_timestamp(civil) else {
                    return Instants(None, None);
                };
                Instants(tz.following(early).next().map(|t| t.timestamp()), None)
            }
            AmbiguousOffset::Fold { before, after } => {
                let first = before.to_timestamp(civil).ok();
                if self.is_fixed_time() {
                    Instants(first, None)
                } else {
                    Instants(first, after.to_timestamp(civil).ok())
                }
            }
        }
    }

    /// The first instant after `after` among the selected civil minutes from `from` on, counting
    /// only each minute's first pass (its only instant outside a fall-back overlap). Those
    /// instants grow with the civil time, so the first one found is the earliest.
    fn scan_first(
        &self,
        from: DateTime,
        after: Timestamp,
        tz: &TimeZone,
        last_year: i16,
    ) -> Option<Timestamp> {
        let mut cursor = from;
        loop {
            let civil = self.next_civil(cursor, last_year)?;
            if let Some(t) = self.instants(civil, tz).0.filter(|t| *t > after) {
                return Some(t);
            }
            cursor = civil.checked_add(SignedDuration::from_mins(1)).ok()?;
        }
    }

    /// The first second-pass instant after `after` in the fall-back overlap of the transition at
    /// `t` (only wildcard jobs have them).
    fn scan_second(&self, t: Timestamp, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let (old, new) = (offset_before(tz, t), tz.to_offset(t));
        if new >= old || self.is_fixed_time() {
            return None;
        }
        let (lo, hi) = (new.to_datetime(t), old.to_datetime(t));
        let mut cursor = truncate_to_minute(lo);
        loop {
            let civil = self.next_civil(cursor, hi.year())?;
            if civil >= hi {
                return None;
            }
            if let Some(x) = self.instants(civil, tz).1.filter(|x| *x > after) {
                return Some(x);
            }
            cursor = civil.checked_add(SignedDuration::from_mins(1)).ok()?;
        }
    }

    /// The first fire strictly after `after`, or `None` if there is none within 50 years.
    pub fn next_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let start = tz.to_datetime(after);
        let last_year = start.year().saturating_add(HORIZON_YEARS).min(9999);
        let mut best = self.scan_first(truncate_to_minute(start), after, tz, last_year);
        // Second passes of fall-back overlaps: the one `after` may be in, and those before `best`.
        let just_after = after
            .checked_add(SignedDuration::from_nanos(1))
            .unwrap_or(after);
        let folds = tz
            .preceding(just_after)
            .take(1)
            .chain(tz.following(after))
            .map(|transition| transition.timestamp());
        for t in folds {
            if best.is_some_and(|b| t > b) || tz.to_datetime(t).year() > last_year {
                break;
            }
            if let Some(x) = self.scan_second(t, after, tz) {
                best = Some(best.map_or(x, |b| b.min(x)));
            }
        }
        best
    }

    /// The next `n` fires strictly after `after`. An instant appears once per run: after a
    /// spring-forward jump a fixed-time job starts once per selected missed minute, all at the
    /// transition (`0,30 2 * * *` runs twice at 03:00 in America/New_York), as in `fires_between`.
    pub fn upcoming(&self, after: Timestamp, tz: &TimeZone, n: usize) -> Vec<Timestamp> {
        let mut out = Vec::with_capacity(n.min(1024));
        let mut t = after;
        while out.len() < n {
            let Some(next) = self.next_after(t, tz) else {
                break;
            };
            let runs = match next.checked_add(SignedDuration::from_nanos(1)) {
                Ok(end) => self.fires_between(next, end, tz).len().max(1),
                Err(_) => 1,
            };
            out.extend(std::iter::repeat_n(next, runs.min(n - out.len())));
            t = next;
        }
        out
    }

    /// Every fire in the half-open window `[start, end)`, in order, once per run: the same
    /// instant appears several times when cronie's catch-up after a spring-forward jump starts a
    /// fixed-time job for several missed minutes. One pass over the civil minutes of the window:
    /// a week of `* * * * *` is about 10,000 cheap steps.
    pub fn fires_between(&self, start: Timestamp, end: Timestamp, tz: &TimeZone) -> Vec<Timestamp> {
        if end <= start {
            return Vec::new();
        }
        // The civil range the window covers under every offset in force during it.
        let (mut lo, mut hi) = (tz.to_datetime(start), tz.to_datetime(end));
        // A transition exactly at `start` counts: its gap's fixed times fire at `start`.
        let just_before = start
            .checked_sub(SignedDuration::from_nanos(1))
            .unwrap_or(start);
        for transition in tz.following(just_before) {
            let t = transition.timestamp();
            if t >= end {
                break;
            }
            for c in [
                offset_before(tz, t).to_datetime(t),
                transition.offset().to_datetime(t),
            ] {
                lo = lo.min(c);
                hi = hi.max(c);
            }
        }
        let mut out = Vec::new();
        let mut cursor = truncate_to_minute(lo);
        while let Some(civil) = self.next_civil(cursor, hi.year()) {
            if civil > hi {
                break;
            }
            out.extend(
                self.instants(civil, tz)
                    .into_iter()
                    .filter(|t| *t >= start && *t < end),
            );
            let Ok(next) = civil.checked_add(SignedDuration::from_mins(1)) else {
                break;
            };
            cursor = next;
        }
        out.sort();
        out
    }

    /// The selected civil minutes inside each DST gap or overlap of `tz` in the `years` years
    /// after `from`.
    fn transition_times(&self, tz: &TimeZone, from: Timestamp, years: i16) -> Vec<Change> {
        let until = from
            .checked_add(SignedDuration::from_hours(
                24 * 366 * i64::from(years.max(0)),
            ))
            .unwrap_or(Timestamp::MAX);
        let mut out = Vec::new();
        for transition in tz.following(from) {
            let t = transition.timestamp();
            if t > until {
                break;
            }
            let (old, new) = (offset_before(tz, t), transition.offset());
            let (old_civil, new_civil) = (old.to_datetime(t), new.to_datetime(t));
            let (lo, hi) = (old_civil.min(new_civil), old_civil.max(new_civil));
            let mut times = Vec::new();
            let mut cursor = lo;
            while let Some(c) = self.next_civil(cursor, hi.year()) {
                if c >= hi {
                    break;
                }
                times.push(c.strftime("%H:%M").to_string());
                let Ok(next) = c.checked_add(SignedDuration::from_mins(1)) else {
                    break;
                };
                cursor = next;
            }
            if !times.is_empty() {
                out.push(Change {
                    gap: new > old,
                    date: lo.strftime("%Y-%m-%d").to_string(),
                    times,
                    before: (old_civil.strftime("%H:%M").to_string(), old),
                    after: (new_civil.strftime("%H:%M").to_string(), new),
                });
            }
        }
        out
    }

    /// Where this schedule, run by cronie in `tz`, does not do what systemd's `OnCalendar=` with
    /// the same times did, for the DST changes in the `years` years after `from`: systemd skips
    /// a local time that does not exist and fires a repeated local time once, while cronie runs
    /// a fixed-time job after the jump and a wildcard job in both passes. One sentence per date.
    pub fn differs_from_systemd(&self, tz: &TimeZone, from: Timestamp, years: i16) -> Vec<String> {
        let fixed = self.is_fixed_time();
        self.transition_times(tz, from, years)
            .into_iter()
            .filter(|c| c.gap == fixed)
            .map(|Change { gap, date, times, .. }| {
                let n = times.len();
                let list = words_list(&times, "and");
                if gap {
                    format!(
                        "on {date} {list} {} not exist: systemd skipped {}, cron runs the job right after the jump{}",
                        if n == 1 { "does" } else { "do" },
                        if n == 1 { "it" } else { "them" },
                        if n == 1 { String::new() } else { format!(" ({n} times)") }
                    )
                } else {
                    format!(
                        "on {date} {list} {} twice: systemd fired once, cron runs the job in both passes",
                        if n == 1 { "happens" } else { "happen" }
                    )
                }
            })
            .collect()
    }

    /// Where this schedule, as handoff runs it in `tz` (cronie's catch-up in the daemon's own
    /// zone), differs from cronie running it as a `CRON_TZ` job: cronie checks such a job minute
    /// by minute in its zone, so a fixed time in a gap does not run and a fixed time in an
    /// overlap runs twice. Wildcard schedules behave the same either way. One sentence per date.
    pub fn differs_as_cron_tz_job(
        &self,
        tz: &TimeZone,
        from: Timestamp,
        years: i16,
    ) -> Vec<String> {
        if !self.is_fixed_time() {
            return Vec::new();
        }
        self.transition_times(tz, from, years)
            .into_iter()
            .map(|Change { gap, date, times, .. }| {
                let n = times.len();
                let list = words_list(&times, "and");
                if gap {
                    format!(
                        "on {date} {list} {} not exist: cronie skipped {} for a CRON_TZ job; the definition runs right after the jump",
                        if n == 1 { "does" } else { "do" },
                        if n == 1 { "it" } else { "them" },
                    )
                } else {
                    format!(
                        "on {date} {list} {} twice: cronie ran a CRON_TZ job both times; the definition runs once",
                        if n == 1 { "happens" } else { "happen" }
                    )
                }
            })
            .collect()
    }

    /// Warnings for a fixed-time schedule whose times fall into a DST gap (`cron-dst-gap`) or
    /// repeat in a DST overlap (`cron-dst-overlap`) of `tz`, for the transitions in the `years`
    /// years after `from`. Each finding names the dates and what cronie does then. Wildcard
    /// schedules (minute or hour starting with `*`) get none: skipping or repeating is their
    /// expected behaviour.
    pub fn dst_findings(&self, tz: &TimeZone, from: Timestamp, years: i16) -> Vec<Finding> {
        if !self.is_fixed_time() || years <= 0 {
            return Vec::new();
        }
        let zone = tz.iana_name().unwrap_or("the time zone");
        let span = self.minute.span.start..self.hour.span.end;
        let (mut gaps, mut overlaps) = (Vec::new(), Vec::new());
        let mut gap_runs = 0;
        for change in self.transition_times(tz, from, years) {
            let count = change.times.len();
            let times = words_list(&change.times, "and");
            let date = &change.date;
            let ((old_civil, old), (new_civil, new)) = (&change.before, &change.after);
            if change.gap {
                gaps.push(format!(
                    "{times} {} not exist on {date} (clocks jump from {old_civil} to {new_civil})",
                    if count == 1 { "does" } else { "do" },
                ));
                gap_runs = gap_runs.max(count);
            } else {
                overlaps.push(format!(
                    "{times} happens twice on {date} (clocks go back from {old_civil} {} to {new_civil} {})",
                    show_offset(*old),
                    show_offset(*new)
                ));
            }
        }
        let mut out = Vec::new();
        if !gaps.is_empty() {
            out.push(
                Finding::new(
                    Code::CronDstGap,
                    span.clone(),
                    format!(
                        "in {zone}, {}: cronie runs the job {}right after the jump",
                        gaps.join("; "),
                        if gap_runs > 1 {
                            "once for each missing time, all "
                        } else {
                            "once, "
                        }
                    ),
                )
                .with_help("if that run matters, schedule it outside the DST change hours, or use a time zone without DST such as UTC"),
            );
        }
        if !overlaps.is_empty() {
            out.push(
                Finding::new(
                    Code::CronDstOverlap,
                    span,
                    format!(
                        "in {zone}, {}: cronie runs the job only the first time, at the earlier offset",
                        overlaps.join("; ")
                    ),
                )
                .with_help("if that matters, schedule it outside the DST change hours, or use a time zone without DST such as UTC"),
            );
        }
        out
    }
}

/// The selected times inside one DST change: a gap (spring forward) or an overlap (fall back),
/// its local date, and the local clock (with its offset) just before and after it.
struct Change {
    gap: bool,
    date: String,
    times: Vec<String>,
    before: (String, Offset),
    after: (String, Offset),
}

/// The instants of one civil minute: the first (or only) one, and the second pass of a
/// fall-back overlap.
struct Instants(Option<Timestamp>, Option<Timestamp>);

impl IntoIterator for Instants {
    type Item = Timestamp;
    type IntoIter = std::iter::Flatten<std::array::IntoIter<Option<Timestamp>, 2>>;

    fn into_iter(self) -> Self::IntoIter {
        [self.0, self.1].into_iter().flatten()
    }
}

/// `+02:00`, `-05:00`, `+05:30`.
fn show_offset(offset: Offset) -> String {
    let secs = offset.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// The offset in force just before the transition at `t`.
fn offset_before(tz: &TimeZone, t: Timestamp) -> Offset {
    tz.to_offset(t.checked_sub(SignedDuration::from_nanos(1)).unwrap_or(t))
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

/// Groups consecutive values into "a through b" runs of three or more.
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

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

impl Schedule {
    /// "on day 13 of the month", "on days 1 through 7 of the month", "on every 2nd day of the
    /// month".
    fn dom_words(&self) -> String {
        let values = self.dom.values();
        if let Some(n) = self.dom.every.filter(|n| *n > 1) {
            let days = || {
                words_list(
                    &values.iter().map(u32::to_string).collect::<Vec<_>>(),
                    "and",
                )
            };
            return if values.len() <= 6 {
                format!("on every {} day of the month (days {})", ordinal(n), days())
            } else {
                format!("on every {} day of the month", ordinal(n))
            };
        }
        let list = words_list(&runs(&values, |v| v.to_string()), "and");
        format!("on {} {list} of the month", plural(values.len(), "day"))
    }

    /// Weekdays Monday first: "Monday through Friday", "Saturday and Sunday".
    fn weekdays(&self, last: &str) -> String {
        let monday_first: Vec<u32> = self.dow.values().iter().map(|v| (v + 6) % 7).collect();
        let mut sorted = monday_first;
        sorted.sort_unstable();
        words_list(
            &runs(&sorted, |k| DAY_WORDS[(k as usize + 1) % 7].to_string()),
            last,
        )
    }

    /// "on every Friday", "on Monday through Friday".
    fn dow_words(&self) -> String {
        let values = self.dow.values();
        if values.len() == 1 {
            format!("on every {}", DAY_WORDS[values[0] as usize])
        } else {
            format!("on {}", self.weekdays("and"))
        }
    }

    fn time_words(&self) -> String {
        let (minutes, hours) = (self.minute.values(), self.hour.values());
        let hhmm = |h: u32, m: u32| format!("{h:02}:{m:02}");
        let minute_list = || words_list(&runs(&minutes, |m| m.to_string()), "and");
        let hour_list = || words_list(&runs(&hours, |h| h.to_string()), "and");
        if let Some(n) = self.minute.every {
            let every = match n {
                1 => "every minute".to_string(),
                n => format!("every {n} minutes"),
            };
            if self.hour.is_all() {
                return every;
            }
            let last_minute = *minutes.last().unwrap_or(&0);
            let contiguous = hours.windows(2).all(|w| w[1] == w[0] + 1);
            return if contiguous {
                format!(
                    "{every} from {} through {}",
                    hhmm(hours[0], minutes[0]),
                    hhmm(*hours.last().unwrap_or(&0), last_minute)
                )
            } else {
                format!(
                    "{every} during {} {}",
                    plural(hours.len(), "hour"),
                    hour_list()
                )
            };
        }
        let at_minutes = format!("at {} {}", plural(minutes.len(), "minute"), minute_list());
        if self.hour.is_all() {
            return format!("{at_minutes} of every hour");
        }
        if minutes.len() * hours.len() <= 6 {
            let times: Vec<String> = hours
                .iter()
                .flat_map(|h| minutes.iter().map(move |m| hhmm(*h, *m)))
                .collect();
            return format!("at {}", words_list(&times, "and"));
        }
        match self.hour.every {
            Some(n) => format!("{at_minutes} of every {} hour", ordinal(n)),
            None => format!(
                "{at_minutes} of {} {}",
                plural(hours.len(), "hour"),
                hour_list()
            ),
        }
    }

    fn day_words(&self) -> String {
        match (self.dom.is_all(), self.dow.is_all()) {
            (true, true) => String::new(),
            (true, false) => self.dow_words(),
            (false, true) => self.dom_words(),
            _ if !self.dom.star && !self.dow.star => {
                format!("{} and {}", self.dom_words(), self.dow_words())
            }
            _ => {
                let dow = self.dow.values();
                let day = if dow.len() == 1 {
                    format!("a {}", DAY_WORDS[dow[0] as usize])
                } else {
                    self.weekdays("or")
                };
                format!("{} if it is {day}", self.dom_words())
            }
        }
    }

    fn month_words(&self) -> String {
        if self.month.is_all() {
            return String::new();
        }
        let names = runs(&self.month.values(), |m| {
            MONTH_WORDS[m as usize - 1].to_string()
        });
        format!("in {}", words_list(&names, "and"))
    }

    /// The schedule in plain English: "every 15 minutes", "at 03:00 every day", "at 09:00 on
    /// Monday through Friday", "at 00:00 on day 13 of the month and on every Friday".
    pub fn describe(&self) -> String {
        let time = self.time_words();
        let mut day = self.day_words();
        // "at 03:00" needs "every day"; "every 15 minutes" and "at minute 0 of every hour" do not.
        let at_times = self.minute.every.is_none() && !self.hour.is_all() && time.contains(':');
        if day.is_empty() && at_times {
            day = "every day".to_string();
        }
        let mut out = [time, day, self.month_words()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(m) = self.macro_name {
            out.push_str(&format!(" ({m})"));
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Time zones
// ---------------------------------------------------------------------------------------------

/// Looks up an IANA time zone name (`UTC`, `Europe/Berlin`); an unknown one is a
/// `cron-unknown-timezone` finding spanning the whole name, with a did-you-mean when one is close.
pub fn parse_timezone(name: &str) -> Result<TimeZone, Finding> {
    if !name.trim().is_empty()
        && let Ok(tz) = TimeZone::get(name)
    {
        return Ok(tz);
    }
    let names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
    let lower = name.trim().to_ascii_lowercase();
    let wanted_city = lower.rsplit('/').next().map(|c| c.replace(' ', "_"));
    let by_city = names.iter().find(|n| {
        n.rsplit('/')
            .next()
            .is_some_and(|city| Some(city.to_ascii_lowercase()) == wanted_city)
    });
    let close = || {
        names
            .iter()
            .map(|n| (edit_distance(&lower, &n.to_ascii_lowercase()), n))
            .filter(|(d, n)| *d <= (n.len() / 5).clamp(1, 3))
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n)
    };
    let help = match by_city.or_else(close) {
        Some(s) if !lower.is_empty() => format!("did you mean `{s}`?"),
        _ => "use an IANA time zone name such as `UTC`, `Europe/Berlin` or `America/New_York`"
            .to_string(),
    };
    Err(Finding::new(
        Code::CronUnknownTimezone,
        0..name.len(),
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

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn show(ts: &[Timestamp]) -> Vec<String> {
        ts.iter()
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            .collect()
    }

    fn next(expr: &str, zone: &str, from: &str, n: usize) -> Vec<String> {
        let s = parse(expr)
            .unwrap_or_else(|e| panic!("{expr}: {e:?}"))
            .schedule;
        show(&s.upcoming(utc(from), &tz(zone), n))
    }

    fn errors(expr: &str) -> Vec<Finding> {
        parse(expr)
            .err()
            .unwrap_or_else(|| panic!("`{expr}` parsed"))
    }

    /// The only error of `expr`: its code and the text its span covers.
    fn error(expr: &str) -> (Code, &str, Finding) {
        let mut all = errors(expr);
        assert_eq!(all.len(), 1, "{expr}: {all:?}");
        let f = all.remove(0);
        (f.code, &expr[f.span.clone()], f)
    }

    fn warnings(expr: &str) -> Vec<Finding> {
        parse(expr)
            .unwrap_or_else(|e| panic!("{expr}: {e:?}"))
            .warnings
    }

    fn clean(expr: &str) {
        assert!(warnings(expr).is_empty(), "{expr}: {:?}", warnings(expr));
    }

    /// An example of every cron code.
    const EXAMPLES: &[(Code, &str)] = &[
        (Code::CronFieldCount, "0 0 * *"),
        (Code::CronSyntax, "0,,30 * * * *"),
        (Code::CronOutOfRange, "0 24 * * *"),
        (Code::CronUnknownName, "0 0 * * thr"),
        (Code::CronBadStep, "*/0 * * * *"),
        (Code::CronStepOnValue, "5/10 * * * *"),
        (Code::CronReversedRange, "0 0 * * 5-1"),
        (Code::CronNonstandard, "0 0 L * *"),
        (Code::CronReboot, "@reboot"),
        (Code::CronUnknownMacro, "@Daily"),
        (Code::CronNeverFires, "0 0 30 2 *"),
        (Code::CronOrRule, "0 0 13 * 5"),
        (Code::CronStepOrRule, "0 0 */2 * 1"),
        (Code::CronStepTooLarge, "*/60 * * * *"),
    ];

    #[test]
    fn every_cron_code_has_an_example_of_its_severity() {
        let cron: Vec<Code> = Code::ALL
            .iter()
            .copied()
            .filter(|c| c.area() == crate::codes::Area::Cron)
            .collect();
        for code in &cron {
            assert!(code.name().starts_with("cron-"), "{code}");
        }
        for (code, expr) in EXAMPLES {
            let found: Vec<Finding> = match parse(expr) {
                Ok(p) => p.warnings,
                Err(e) => e,
            };
            assert!(found.iter().any(|f| f.code == *code), "{expr}: {found:?}");
            for f in found {
                assert_eq!(f.code.severity(), f.severity, "{f:?}");
            }
        }
        let listed: Vec<Code> = EXAMPLES.iter().map(|e| e.0).collect();
        for code in cron {
            assert!(
                listed.contains(&code)
                    || [
                        Code::CronUnknownTimezone,
                        Code::CronDstGap,
                        Code::CronDstOverlap
                    ]
                    .contains(&code),
                "no example for {code}"
            );
        }
    }

    #[test]
    fn field_count() {
        let (code, text, f) = error("0 0 * *");
        assert_eq!((code, text), (Code::CronFieldCount, "0 0 * *"));
        assert!(f.message.contains("4 fields"), "{}", f.message);
        let (code, text, f) = error("0 */15 * * * *");
        assert_eq!((code, text), (Code::CronFieldCount, "0"));
        assert!(
            f.message
                .contains("seconds or year fields are not standard cron")
        );
        assert_eq!(
            f.help.as_deref(),
            Some("this looks like a seconds (first) field: remove it, e.g. `*/15 * * * *`")
        );
        let (code, text, _) = error("0 0 * * * 2027");
        assert_eq!((code, text), (Code::CronFieldCount, "2027"));
        let (code, text, f) = error(" 0 0 12 * * * 2027");
        assert_eq!((code, text), (Code::CronFieldCount, "0 0 12 * * * 2027"));
        assert!(f.help.unwrap().contains("`0 12 * * *`"));
        let f = errors("").remove(0);
        assert_eq!((f.code, f.span), (Code::CronFieldCount, 0..0));
        assert!(f.message.contains("empty"));
        assert_eq!(errors("  ")[0].span, 0..2);
        // Clean twins: surrounding and repeated blanks are fine.
        clean("  0  0 *\t* *  ");
        assert_eq!(
            next("  0  0 *\t* *  ", "UTC", "2026-11-26T12:00:00Z", 1),
            ["2026-11-27T00:00:00Z"]
        );
    }

    #[test]
    fn out_of_range() {
        let (code, text, f) = error("0 24 * * *");
        assert_eq!((code, text), (Code::CronOutOfRange, "24"));
        assert_eq!(
            f.message,
            "hour 24 is out of range: the hour field takes 0-23"
        );
        assert_eq!(f.help.as_deref(), Some("midnight is hour 0"));
        assert_eq!(error("60 * * * *").1, "60");
        assert_eq!(error("0 0 0 * *").1, "0");
        assert_eq!(error("0 0 * 0 *").1, "0");
        assert_eq!(error("0 0 * * 1-8").1, "8");
        assert_eq!(error("0 0 * * 99999999999999").1, "99999999999999");
        assert!(parse("59 23 31 12 7").is_ok());
        assert!(parse("0 0 1 1 0").is_ok());
    }

    #[test]
    fn every_error_at_once() {
        let all = errors("60 24 32 13 8");
        let spans: Vec<(Code, Range<usize>)> =
            all.iter().map(|f| (f.code, f.span.clone())).collect();
        assert_eq!(
            spans,
            [
                (Code::CronOutOfRange, 0..2),
                (Code::CronOutOfRange, 3..5),
                (Code::CronOutOfRange, 6..8),
                (Code::CronOutOfRange, 9..11),
                (Code::CronOutOfRange, 12..13)
            ]
        );
        let codes: Vec<Code> = errors("*/0 1-x L,5/2 foo 5-1")
            .iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(
            codes,
            [
                Code::CronBadStep,
                Code::CronUnknownName,
                Code::CronNonstandard,
                Code::CronStepOnValue,
                Code::CronUnknownName,
                Code::CronReversedRange
            ]
        );
    }

    #[test]
    fn names() {
        let (code, text, f) = error("0 0 * * thr");
        assert_eq!((code, text), (Code::CronUnknownName, "thr"));
        assert_eq!(f.help.as_deref(), Some("did you mean `thu`?"));
        assert_eq!(
            error("0 9 * * mon-fir").2.help.as_deref(),
            Some("did you mean `fri`?")
        );
        assert_eq!(
            error("0 0 * * tuesday").2.help.as_deref(),
            Some("did you mean `tue`?")
        );
        assert_eq!(
            error("0 0 1 sept *").2.help.as_deref(),
            Some("did you mean `sep`?")
        );
        let (code, text, f) = error("0 0 * mon *");
        assert_eq!((code, text), (Code::CronUnknownName, "mon"));
        assert_eq!(
            f.message,
            "`mon` is a day-of-week name, not valid in the month field"
        );
        let (_, text, f) = error("0 0 * * jan");
        assert_eq!(text, "jan");
        assert!(f.message.contains("month name"));
        let (_, text, f) = error("0 noon * * *");
        assert_eq!(text, "noon");
        assert!(f.message.contains("numbers only"), "{}", f.message);
        assert!(error("0 0 * * xyz").2.help.unwrap().contains("sun-sat"));
        // Clean twins: any case, ranges and lists of names.
        clean("0 9 * JAN,Jul Wed");
        clean("0 9 * * MON-fri");
        clean("0 0 * jan-dec/3 sun,sat");
    }

    #[test]
    fn steps() {
        let (code, text, f) = error("*/0 * * * *");
        assert_eq!((code, text), (Code::CronBadStep, "0"));
        assert_eq!(f.message, "a step of 0 selects nothing");
        assert_eq!(error("0-30/0 * * * *").1, "0");
        assert_eq!(error("*/x * * * *").1, "x");
        assert_eq!(error("*/ * * * *").1, "/");
        let (code, text, f) = error("5/10 * * * *");
        assert_eq!((code, text), (Code::CronStepOnValue, "5/10"));
        assert_eq!(
            f.help.as_deref(),
            Some("write a range: `5-59/10` (every 10 from 5)")
        );
        let (_, text, f) = error("0 0 * * mon/2");
        assert_eq!(text, "mon/2");
        assert_eq!(
            f.help.as_deref(),
            Some("write a range: `mon-sat/2` (every 2 from mon)")
        );
        // Clean twins.
        clean("*/15 * * * *");
        clean("5-59/10 * * * *");
        clean("*/59 * * * *");
        clean("0 */23 * * *");
        clean("0 0 * * */6");
    }

    #[test]
    fn step_too_large() {
        let w = warnings("*/60 * * * *");
        assert_eq!(w.len(), 1);
        assert_eq!(
            (w[0].code, w[0].span.clone()),
            (Code::CronStepTooLarge, 0..4)
        );
        assert!(w[0].message.contains("selects only 0"), "{}", w[0].message);
        let w = warnings("0-10/20 * * * *");
        assert_eq!(
            (w[0].code, w[0].span.clone()),
            (Code::CronStepTooLarge, 0..7)
        );
        let w = warnings("0 0 * * */7");
        assert_eq!(
            (w[0].code, w[0].span.clone()),
            (Code::CronStepTooLarge, 8..11)
        );
        // It still means the first value.
        assert_eq!(
            next("*/60 * * * *", "UTC", "2026-11-26T10:00:00Z", 2),
            ["2026-11-26T11:00:00Z", "2026-11-26T12:00:00Z"]
        );
        clean("0-10/10 * * * *");
        clean("5-5/1 * * * *");
    }

    #[test]
    fn reversed_ranges_get_the_wrapped_form() {
        let (code, text, f) = error("0 0 * * 5-1");
        assert_eq!((code, text), (Code::CronReversedRange, "5-1"));
        assert_eq!(f.help.as_deref(), Some("write `5-6,0-1`"));
        let (_, text, f) = error("0 22-2 * * *");
        assert_eq!(text, "22-2");
        assert_eq!(f.help.as_deref(), Some("write `22-23,0-2`"));
        assert_eq!(
            error("0 0 * * fri-mon").2.help.as_deref(),
            Some("write `fri-sat,sun-mon`")
        );
        // Outside day-of-week a range ending in 0 is still reversed; the message says how
        // cronie reads it (`5-7`).
        let (_, text, f) = error("5-0 * * * *");
        assert_eq!(text, "5-0");
        assert!(
            f.message.contains("cronie reads it as `5-7`"),
            "{}",
            f.message
        );
        assert_eq!(f.help.as_deref(), Some("write `5-59,0`"));
        // With a step cronie does not turn the 0 into 7 either.
        assert_eq!(
            error("0 0 * * fri-sun/2").2.help.as_deref(),
            Some("write `fri,sun`")
        );
        assert_eq!(error("0 0 * * 7-2").2.help.as_deref(), Some("write `0-2`"));
        assert_eq!(
            error("50-10/5 * * * *").2.help.as_deref(),
            Some("write `50-59/5,0-10/5`")
        );
        assert_eq!(
            error("0 0 * nov-feb *").2.help.as_deref(),
            Some("write `nov-dec,jan-feb`")
        );
        clean("0 0 * * 5-7");
        clean("0 22-23,0-2 * * *");
        assert!(parse("0 0 * * 5-6,0-1").is_ok());
    }

    #[test]
    fn day_of_week_ranges_ending_in_sunday_zero_are_friday_to_sunday() {
        // cronie's `get_range`: a range ending in 0 (no step) ends in 7. Real crontabs use it.
        for expr in [
            "0 0 * * fri-sun",
            "0 0 * * 5-0",
            "0 0 * * FRI-SUN",
            "0 0 * * 5-7",
        ] {
            clean(expr);
            assert_eq!(
                next(expr, "UTC", "2026-11-26T00:00:00Z", 4),
                [
                    "2026-11-27T00:00:00Z",
                    "2026-11-28T00:00:00Z",
                    "2026-11-29T00:00:00Z",
                    "2026-12-04T00:00:00Z"
                ],
                "{expr}"
            );
        }
        for expr in ["0 0 * * sat-sun", "0 0 * * 6-0"] {
            clean(expr);
            assert_eq!(
                next(expr, "UTC", "2026-11-26T00:00:00Z", 2),
                ["2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z"],
                "{expr}"
            );
        }
        assert_eq!(
            parse("0 0 * * fri-sun").unwrap().schedule.describe(),
            "at 00:00 on Friday through Sunday"
        );
        // 7-0 is Sunday alone.
        assert_eq!(
            next("0 0 * * 7-0", "UTC", "2026-11-26T00:00:00Z", 1),
            ["2026-11-29T00:00:00Z"]
        );
    }

    #[test]
    fn steps_wider_than_the_field_are_rejected() {
        // Before: clamped, firing at minute 0. cronie rejects these.
        for (expr, text) in [
            ("*/99999999999999999999 * * * *", "*/99999999999999999999"),
            ("*/4294967296 * * * *", "*/4294967296"),
            ("*/61 * * * *", "*/61"),
            ("0 */25 * * *", "*/25"),
            ("0 0 1-5/32 * *", "1-5/32"),
            ("0 0 * */13 *", "*/13"),
            ("0 0 * * */9", "*/9"),
        ] {
            let (code, got, f) = error(expr);
            assert_eq!((code, got), (Code::CronBadStep, text), "{expr}");
            assert!(f.message.contains("larger than the"), "{}", f.message);
        }
        // The suggestion (the first value) replaces the item and passes.
        let f = error("*/4294967296 * * * *").2;
        assert_eq!(
            f.help.as_deref(),
            Some("write `0` if only the first value is meant, or use a step of at most 60")
        );
        clean("0 * * * *");
        // Up to the field's size it stays cronie's warning.
        assert_eq!(warnings("*/60 * * * *")[0].code, Code::CronStepTooLarge);
        assert_eq!(warnings("0 */24 * * *")[0].code, Code::CronStepTooLarge);
    }

    #[test]
    fn field_count_suggestions_keep_the_meaning_and_pass() {
        // The trailing field is the extra one: dropping the first would shift every field.
        let (_, text, f) = error("0 9 * * MON-FRI *");
        assert_eq!(text, "*");
        assert_eq!(
            f.help.as_deref(),
            Some("this looks like a year (last) field: remove it, e.g. `0 9 * * MON-FRI`")
        );
        clean("0 9 * * MON-FRI");
        // Seconds first when both readings are valid.
        assert_eq!(
            error("0 0 9 * * *").2.help.as_deref(),
            Some("this looks like a seconds (first) field: remove it, e.g. `0 9 * * *`")
        );
        // No concrete replacement when neither reading is valid.
        let f = error("0 99 * * * *").2;
        assert!(!f.help.as_deref().unwrap().contains('`'), "{:?}", f.help);
        let f = error("* * * * * --next 5").2;
        assert!(!f.help.as_deref().unwrap().contains('`'), "{:?}", f.help);
        // Every concrete suggestion parses cleanly.
        for expr in [
            "0 9 * * MON-FRI *",
            "0 0 9 * * *",
            "0 */15 * * * *",
            "0 0 * * * 2027",
            "0 0 12 * * * 2027",
            "@every 1h",
            "@every 15m",
            "@every 2h",
            "@every 24h",
            "@every 1m",
        ] {
            let help = error(expr).2.help.unwrap();
            let suggested = help
                .split('`')
                .nth(1)
                .unwrap_or_else(|| panic!("{expr}: {help}"));
            clean(suggested);
        }
    }

    #[test]
    fn every_suggested_replacement_passes_the_check() {
        // A help that offers text to write (`write `X``, `did you mean `X``, `e.g. `X``) offers
        // a whole expression or a replacement for the finding's span; either must parse cleanly.
        let bad = [
            "5/10 * * * *",
            "0 0 * * mon/2",
            "0 0 * * 5-1",
            "0 22-2 * * *",
            "0 0 * * fri-mon",
            "0 0 * * 7-2",
            "50-10/5 * * * *",
            "0 0 * nov-feb *",
            "5-0 * * * *",
            "0 0 * * fri-sun/2",
            "0 0 * * sat-sun/3",
            "0 0 * * 6-1/2",
            "0 0 * * 6-0/2",
            "0 0 * * 7-0/2",
            "0 5-0/2 * * *",
            "50-10/7 * * * *",
            "*/61 * * * *",
            "0 */25 * * *",
            "0 0 */32 * *",
            "0 0 * */13 *",
            "0 0 * * */9",
            "0 0 * * mon-fri/9",
            "0 24 * * *",
            "0 0 * * thurs",
            "0 0 * * fir",
            "0 0 * jnu *",
            "@Daily",
            "@dayly",
            "@every 1h",
            "@every 15m",
            "@daily 5 *",
            "0 9 * * MON-FRI *",
            "0 0 9 * * *",
            "0 0 * * * 2027",
            "0 0 12 * * * 2027",
            "0 0 30 2 *",
        ];
        let mut checked = 0;
        for expr in bad {
            let Err(findings) = parse(expr) else {
                panic!("{expr} parses")
            };
            for f in findings {
                let help = f.help.clone().unwrap_or_default();
                let Some(offer) = ["write `", "did you mean `", "e.g. `", "write a range: `"]
                    .iter()
                    .find_map(|p| help.split_once(p).map(|(_, rest)| rest))
                    .and_then(|rest| rest.split('`').next())
                else {
                    continue;
                };
                let candidate = if split_fields(offer).len() >= 5 || offer.starts_with('@') {
                    offer.to_string()
                } else {
                    format!("{}{offer}{}", &expr[..f.span.start], &expr[f.span.end..])
                };
                // `@daily` alone is the offer for `@daily 5 *`.
                let candidate = if f.code == Code::CronSyntax && offer.starts_with('@') {
                    offer.to_string()
                } else {
                    candidate
                };
                match parse(&candidate) {
                    Ok(p) => assert!(
                        p.warnings.is_empty(),
                        "{expr}: `{candidate}` warns {:?}",
                        p.warnings
                    ),
                    Err(e) => panic!(
                        "{expr}: help {help:?} gives `{candidate}`: {}",
                        e[0].message
                    ),
                }
                checked += 1;
            }
        }
        assert!(checked >= 30, "{checked}");
        // The wrapped form of a stepped range lists the values when the halves cannot share it.
        assert_eq!(
            error("50-10/7 * * * *").2.help.as_deref(),
            Some("write `50,57,4`")
        );
        assert_eq!(
            error("0 0 * * fri-sun/2").2.help.as_deref(),
            Some("write `fri,sun`")
        );
    }

    #[test]
    fn every_intervals_get_a_clock_aligned_equivalent_or_none() {
        for (expr, want) in [
            ("@every 1h", Some("0 * * * *")),
            ("@every 60m", Some("0 * * * *")),
            ("@every 15m", Some("*/15 * * * *")),
            ("@every 6h", Some("0 */6 * * *")),
            ("@every 24h", Some("0 0 * * *")),
            ("@every 1m", Some("* * * * *")),
            ("@every 90m", None),
            ("@every 7m", None),
            ("@every 1d", None),
            ("@every 30s", None),
        ] {
            let (code, text, f) = error(expr);
            assert_eq!((code, text), (Code::CronUnknownMacro, expr), "{expr}");
            let help = f.help.unwrap();
            // Never the old nonsense "write `@every` alone".
            assert!(!help.contains("@every"), "{expr}: {help}");
            match want {
                Some(w) => assert!(help.starts_with(&format!("write `{w}`")), "{expr}: {help}"),
                None => assert!(!help.contains('`'), "{expr}: {help}"),
            }
        }
        // A known macro followed by more text still says it stands alone.
        assert_eq!(
            error("@daily 5 *").2.help.as_deref(),
            Some("write `@daily` alone, or 5 fields")
        );
    }

    #[test]
    fn nonstandard_syntax() {
        for (expr, token) in [
            ("0 0 L * *", "L"),
            ("0 0 * * 5L", "L"),
            ("0 0 15W * *", "W"),
            ("0 0 LW * *", "LW"),
            ("0 0 * * 5#3", "#"),
            ("0 0 ? * *", "?"),
            ("0 0 * * ?", "?"),
            ("0~30 * * * *", "~"),
            ("H * * * *", "H"),
            ("H/15 * * * *", "H"),
        ] {
            let (code, text, f) = error(expr);
            assert_eq!((code, text), (Code::CronNonstandard, token), "{expr}");
            assert!(f.message.contains("not standard cron"), "{}", f.message);
        }
        assert_eq!(
            error("0 0 ? * *").2.help.as_deref(),
            Some("write `*` instead")
        );
        // Names that contain those letters are fine.
        clean("0 0 * jul,apr wed,thu");
        let (code, text, _) = error("1.5 * * * *");
        assert_eq!((code, text), (Code::CronSyntax, "."));
    }

    #[test]
    fn malformed_fields() {
        let (code, text, f) = error("0,,30 * * * *");
        assert_eq!(
            (code, &*f.span.start.to_string(), text),
            (Code::CronSyntax, "2", ",")
        );
        assert_eq!(error("0, * * * *").2.span, 1..2);
        assert_eq!(error(",0 * * * *").2.span, 0..1);
        assert_eq!(error("1- * * * *").1, "-");
        assert_eq!(error("-1 * * * *").1, "-");
        assert_eq!(error("1-2-3 * * * *").1, "1-2-3");
        assert_eq!(error("*-5 * * * *").1, "*-5");
        assert_eq!(error("0 0 1-5/2/3 * *").0, Code::CronBadStep);
        clean("0,30 * * * *");
    }

    #[test]
    fn macros() {
        let (code, text, f) = error("@reboot");
        assert_eq!((code, text), (Code::CronReboot, "@reboot"));
        assert!(f.help.unwrap().contains("@daily"));
        let (code, text, f) = error("@Daily");
        assert_eq!((code, text), (Code::CronUnknownMacro, "@Daily"));
        assert_eq!(
            f.help.as_deref(),
            Some("did you mean `@daily`? (macros are lowercase)")
        );
        assert_eq!(
            error(" @dayly").2.help.as_deref(),
            Some("did you mean `@daily`?")
        );
        assert_eq!(error(" @dayly").2.span, 1..7);
        assert!(error("@every").2.help.unwrap().contains("@hourly"));
        let (code, text, _) = error("@daily 5 *");
        assert_eq!((code, text), (Code::CronSyntax, "5 *"));
        for (m, same) in [
            ("@yearly", "0 0 1 1 *"),
            ("@annually", "0 0 1 1 *"),
            ("@monthly", "0 0 1 * *"),
            ("@weekly", "0 0 * * 0"),
            ("@daily", "0 0 * * *"),
            ("@midnight", "0 0 * * *"),
            ("@hourly", "0 * * * *"),
        ] {
            clean(m);
            let a = parse(m).unwrap().schedule;
            assert_eq!(a.expr(), m);
            assert_eq!(
                next(m, "UTC", "2026-11-26T10:30:00Z", 3),
                next(same, "UTC", "2026-11-26T10:30:00Z", 3)
            );
        }
    }

    #[test]
    fn never_fires() {
        let (code, text, f) = error("0 0 30 2 *");
        assert_eq!((code, text), (Code::CronNeverFires, "30 2"));
        assert_eq!(
            f.message,
            "`0 0 30 2 *` never fires: February has no day 30"
        );
        let (code, text, f) = error("0 0 31 4,6,9,11 *");
        assert_eq!((code, text), (Code::CronNeverFires, "31 4,6,9,11"));
        assert!(
            f.message
                .contains("April, June, September and November have no day 31")
        );
        assert_eq!(error("0 0 30,31 feb */2").0, Code::CronNeverFires);
        // Clean twins: leap days exist, and with the OR rule the weekday still fires.
        clean("0 0 29 2 *");
        clean("0 0 31 3,4 *");
        assert!(parse("0 0 30 2 1").is_ok());
    }

    #[test]
    fn or_rule_is_explained() {
        let w = warnings("0 0 13 * 5");
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].code, w[0].span.clone()), (Code::CronOrRule, 4..10));
        assert_eq!(
            w[0].message,
            "`0 0 13 * 5` fires on every 13th of the month AND on every Friday (POSIX OR rule), not on Friday the 13th"
        );
        assert!(w[0].help.as_deref().unwrap().contains("`0 0 13 * *`"));
        let w = warnings("0 0 1-7 * 1");
        assert_eq!(
            w[0].message,
            "`0 0 1-7 * 1` fires on days 1 through 7 of the month AND on every Monday (POSIX OR rule), not only on days that match both fields"
        );
        clean("0 0 13 * *");
        clean("0 0 * * 5");
        clean("0 0 1-7 * *");
        // Both day fields starting with `*`: nothing to warn about.
        clean("0 0 */2 * */3");
    }

    #[test]
    fn step_or_rule_warns_and_follows_cronie() {
        let w = warnings("0 0 */2 * 1");
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].code, w[0].span.clone()), (Code::CronStepOrRule, 4..7));
        assert!(w[0].help.as_deref().unwrap().contains("`1-31/2`"));
        let w = warnings("0 0 1 * */2");
        assert_eq!(
            (w[0].code, w[0].span.clone()),
            (Code::CronStepOrRule, 8..11)
        );
        assert!(w[0].help.as_deref().unwrap().contains("`0-6/2`"));
        // cronie ANDs: odd days of the month that are Mondays (2026-11: the 9th, 23rd).
        assert_eq!(
            next("0 0 */2 * 1", "UTC", "2026-11-01T00:00:00Z", 3),
            [
                "2026-11-09T00:00:00Z",
                "2026-11-23T00:00:00Z",
                "2026-12-07T00:00:00Z"
            ]
        );
        // The range spelling is restricted: the OR rule (and the OR-rule warning).
        assert_eq!(warnings("0 0 1-31/2 * 1")[0].code, Code::CronOrRule);
        clean("0 0 */2 * *");
    }

    #[test]
    fn the_or_rule_and_sunday() {
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
        let sunday = next("0 12 * * 0", "UTC", "2026-11-26T00:00:00Z", 3);
        assert_eq!(next("0 12 * * 7", "UTC", "2026-11-26T00:00:00Z", 3), sunday);
        assert_eq!(
            next("0 12 * * sun", "UTC", "2026-11-26T00:00:00Z", 3),
            sunday
        );
        assert_eq!(sunday[0], "2026-11-29T12:00:00Z");
    }

    #[test]
    fn leap_days_and_far_schedules_terminate() {
        assert_eq!(
            next("0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z", 2),
            ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]
        );
        // 2100 is not a leap year.
        assert_eq!(
            next("0 0 29 2 *", "UTC", "2096-03-01T00:00:00Z", 1),
            ["2104-02-29T00:00:00Z"]
        );
        // The 29th of February on a Sunday (AND: day-of-week starts with `*`): years apart.
        let got = next("0 0 29 2 */7", "UTC", "2033-01-01T00:00:00Z", 1);
        let d: jiff::civil::Date = got[0][..10].parse().unwrap();
        assert_eq!((d.month(), d.day()), (2, 29));
        assert_eq!(d.weekday(), jiff::civil::Weekday::Sunday);
        assert!(d.year() > 2040, "{d}");
        // Near the end of time, nothing is found rather than a panic.
        let s = parse("0 0 29 2 *").unwrap().schedule;
        assert_eq!(s.next_after(Timestamp::MAX, &TimeZone::UTC), None);
        assert_eq!(
            s.next_after(utc("9999-03-01T00:00:00Z"), &TimeZone::UTC),
            None
        );
    }

    #[test]
    fn dst_follows_cronie() {
        // New York springs forward 2027-03-14 02:00 EST -> 03:00 EDT (07:00Z).
        assert_eq!(
            next("30 2 * * *", "America/New_York", "2027-03-13T12:00:00Z", 2),
            ["2027-03-14T07:00:00Z", "2027-03-15T06:30:00Z"]
        );
        // A wildcard job skips the missing times.
        assert_eq!(
            next(
                "*/30 * * * *",
                "America/New_York",
                "2027-03-14T06:31:00Z",
                2
            ),
            ["2027-03-14T07:00:00Z", "2027-03-14T07:30:00Z"]
        );
        // `*/15 2 * * *` is a wildcard job for cronie (the minute field starts with `*`).
        assert_eq!(
            next(
                "*/15 2 * * *",
                "America/New_York",
                "2027-03-13T12:00:00Z",
                1
            ),
            ["2027-03-15T06:00:00Z"]
        );
        // Falls back 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z): fixed once, wildcard twice.
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
        // Starting inside the second pass.
        assert_eq!(
            next(
                "*/20 * * * *",
                "America/New_York",
                "2026-11-01T06:10:00Z",
                3
            ),
            [
                "2026-11-01T06:20:00Z",
                "2026-11-01T06:40:00Z",
                "2026-11-01T07:00:00Z"
            ]
        );
    }

    #[test]
    fn a_gap_with_several_fixed_minutes_runs_once_per_missed_minute() {
        // cronie's catch-up (`cron.c`, wakeupKind `medium`) runs its job search once per missed
        // minute, so `0,30 2` starts twice right after the 2027-03-14 jump (07:00Z).
        let from = "2027-03-13T12:00:00Z";
        assert_eq!(
            next("0,30 2 * * *", "America/New_York", from, 3),
            [
                "2027-03-14T07:00:00Z",
                "2027-03-14T07:00:00Z",
                "2027-03-15T06:00:00Z"
            ]
        );
        // 03:00 itself is a third run at the same instant.
        assert_eq!(
            next("0,30 2,3 * * *", "America/New_York", from, 4),
            [
                "2027-03-14T07:00:00Z",
                "2027-03-14T07:00:00Z",
                "2027-03-14T07:00:00Z",
                "2027-03-14T07:30:00Z"
            ]
        );
        // fires_between counts the same runs, including for a window starting at the jump.
        let s = parse("0,30 2 * * *").unwrap().schedule;
        let ny = tz("America/New_York");
        let day = s.fires_between(
            utc("2027-03-14T00:00:00Z"),
            utc("2027-03-15T00:00:00Z"),
            &ny,
        );
        assert_eq!(show(&day), ["2027-03-14T07:00:00Z", "2027-03-14T07:00:00Z"]);
        let at = s.fires_between(
            utc("2027-03-14T07:00:00Z"),
            utc("2027-03-14T07:01:00Z"),
            &ny,
        );
        assert_eq!(at.len(), 2);
        // `upcoming` never exceeds n, even mid-catch-up.
        assert_eq!(next("0,30 2 * * *", "America/New_York", from, 1).len(), 1);
        // The warning says so.
        let f = s.dst_findings(&ny, utc("2026-11-26T00:00:00Z"), 1);
        assert!(
            f[0].message
                .contains("02:00 and 02:30 do not exist on 2027-03-14")
                && f[0].message.contains("once for each missing time"),
            "{}",
            f[0].message
        );
        // A jump of more than 3 hours is cronie's "clock jumped": the missed times do not run.
        // Samoa skipped 2011-12-30 entirely (a 24-hour jump).
        assert_eq!(
            next("0 12 30 12 *", "Pacific/Apia", "2011-12-29T00:00:00Z", 1),
            ["2012-12-29T22:00:00Z"]
        );
    }

    #[test]
    fn dst_findings_name_the_dates() {
        let s = parse("30 2 * * *").unwrap().schedule;
        let f = s.dst_findings(&tz("Europe/Berlin"), utc("2026-11-26T00:00:00Z"), 1);
        assert_eq!(
            f.iter()
                .map(|f| (f.code, f.span.clone()))
                .collect::<Vec<_>>(),
            [(Code::CronDstGap, 0..4), (Code::CronDstOverlap, 0..4)]
        );
        assert_eq!(f[0].severity, crate::diagnostic::Severity::Warning);
        assert_eq!(
            f[0].message,
            "in Europe/Berlin, 02:30 does not exist on 2027-03-28 (clocks jump from 02:00 to 03:00): cronie runs the job once, right after the jump"
        );
        assert_eq!(
            f[1].message,
            "in Europe/Berlin, 02:30 happens twice on 2027-10-31 (clocks go back from 03:00 +02:00 to 02:00 +01:00): cronie runs the job only the first time, at the earlier offset"
        );
        let two_years = s.dst_findings(&tz("Europe/Berlin"), utc("2026-11-26T00:00:00Z"), 2);
        assert!(two_years[0].message.contains("2027-03-28"));
        assert!(two_years[0].message.contains("2028-03-26"));
        // New York's overlap is 01:00-02:00: 02:30 only meets the gap.
        let f = s.dst_findings(&tz("America/New_York"), utc("2026-11-26T00:00:00Z"), 1);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("2027-03-14"));
        // Clean twins: outside the change hours, wildcard jobs, zones without DST.
        let none = |expr: &str, zone: &str| {
            parse(expr)
                .unwrap()
                .schedule
                .dst_findings(&tz(zone), utc("2026-11-26T00:00:00Z"), 1)
        };
        assert!(none("30 4 * * *", "Europe/Berlin").is_empty());
        assert!(none("30 * * * *", "Europe/Berlin").is_empty());
        assert!(none("30 2 * * *", "UTC").is_empty());
        assert!(none("30 2 * * *", "Asia/Kolkata").is_empty());
        // A day that never has a transition.
        assert!(none("30 2 15 * *", "Europe/Berlin").is_empty());
        // Macro spans are the macro.
        let f = parse("@daily").unwrap().schedule.dst_findings(
            &tz("America/Santiago"),
            utc("2026-01-01T00:00:00Z"),
            1,
        );
        assert!(f.iter().all(|f| f.span == (0..6)), "{f:?}");
    }

    #[test]
    fn fires_between_is_half_open_and_fast() {
        let s = parse("*/15 * * * *").unwrap().schedule;
        let week = s.fires_between(
            utc("2026-11-16T00:00:00Z"),
            utc("2026-11-23T00:00:00Z"),
            &TimeZone::UTC,
        );
        assert_eq!(week.len(), 7 * 96);
        assert_eq!(week[0], utc("2026-11-16T00:00:00Z"));
        let every = parse("* * * * *").unwrap().schedule;
        let started = std::time::Instant::now();
        let n = every
            .fires_between(
                utc("2026-10-20T00:00:00Z"),
                utc("2026-11-03T00:00:00Z"),
                &tz("America/New_York"),
            )
            .len();
        // 14 days of minutes; the fall-back hour adds 60 more.
        assert_eq!(n, 14 * 1440);
        assert!(started.elapsed().as_secs() < 5);
        assert!(
            s.fires_between(
                utc("2026-11-23T00:00:00Z"),
                utc("2026-11-16T00:00:00Z"),
                &TimeZone::UTC
            )
            .is_empty()
        );
    }

    /// A small fixed-seed generator, so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    #[test]
    fn upcoming_and_fires_between_agree_across_dst() {
        let zones = [
            "America/New_York",
            "Europe/Berlin",
            "Australia/Sydney",
            "Australia/Lord_Howe",
            "America/Santiago",
        ];
        let minutes = ["*", "*/20", "0", "30", "0,30", "15-45/15", "59"];
        let hours = ["*", "*/3", "0", "1", "2", "3", "1-3", "0,2"];
        let days = ["*", "*", "1", "1-7", "*/2", "29-31"];
        let dows = ["*", "*", "0", "1-5", "6,0"];
        let mut rng = Rng(0x0dd_c0ffee);
        for _ in 0..300 {
            let expr = format!(
                "{} {} {} * {}",
                minutes[rng.below(minutes.len() as u64) as usize],
                hours[rng.below(hours.len() as u64) as usize],
                days[rng.below(days.len() as u64) as usize],
                dows[rng.below(dows.len() as u64) as usize],
            );
            let zone = tz(zones[rng.below(zones.len() as u64) as usize]);
            let s = parse(&expr).unwrap().schedule;
            // Start a few days before a transition.
            let from = utc("2026-03-01T00:00:00Z")
                + SignedDuration::from_hours(rng.below(24 * 365) as i64);
            let Some(t) = zone.following(from).next() else {
                continue;
            };
            let start = t.timestamp() - SignedDuration::from_hours(30);
            let end = t.timestamp() + SignedDuration::from_hours(30);
            let window = s.fires_between(start, end, &zone);
            let one = SignedDuration::from_nanos(1);
            // Same runs, including repeated instants after a spring-forward jump.
            let walked: Vec<Timestamp> = s
                .upcoming(start - one, &zone, window.len() + 1)
                .into_iter()
                .filter(|n| *n < end)
                .collect();
            assert_eq!(
                show(&walked),
                show(&window),
                "{expr} in {zone:?} near {t:?}"
            );
        }
    }

    #[test]
    fn descriptions() {
        let d = |e: &str| parse(e).unwrap().schedule.describe();
        assert_eq!(d("*/15 * * * *"), "every 15 minutes");
        assert_eq!(d("* * * * *"), "every minute");
        assert_eq!(d("0 3 * * *"), "at 03:00 every day");
        assert_eq!(d("0 9 * * 1-5"), "at 09:00 on Monday through Friday");
        assert_eq!(d("0 9 * * mon-fri"), "at 09:00 on Monday through Friday");
        assert_eq!(
            d("0 0 13 * 5"),
            "at 00:00 on day 13 of the month and on every Friday"
        );
        assert_eq!(d("0 12 * * 0,6"), "at 12:00 on Saturday and Sunday");
        assert_eq!(d("0 12 * * 5-7"), "at 12:00 on Friday through Sunday");
        assert_eq!(d("@hourly"), "at minute 0 of every hour (@hourly)");
        assert_eq!(d("*/60 * * * *"), "at minute 0 of every hour");
        assert_eq!(
            d("5-50/10 * * * *"),
            "at minutes 5, 15, 25, 35 and 45 of every hour"
        );
        assert_eq!(
            d("0 */6 * * *"),
            "at 00:00, 06:00, 12:00 and 18:00 every day"
        );
        assert_eq!(d("0 */2 * * *"), "at minute 0 of every 2nd hour");
        assert_eq!(
            d("*/15 9-17 * * 1-5"),
            "every 15 minutes from 09:00 through 17:45 on Monday through Friday"
        );
        assert_eq!(
            d("0 0 1 1,7 *"),
            "at 00:00 on day 1 of the month in January and July"
        );
        assert_eq!(
            d("0 0 1 jan-mar *"),
            "at 00:00 on day 1 of the month in January through March"
        );
        assert_eq!(
            d("0 0 */2 * 1"),
            "at 00:00 on every 2nd day of the month if it is a Monday"
        );
        assert_eq!(d("30 6 1,15 * *"), "at 06:30 on days 1 and 15 of the month");
        assert_eq!(
            d("0 0 29 2 *"),
            "at 00:00 on day 29 of the month in February"
        );
    }

    #[test]
    fn time_zones() {
        assert_eq!(
            parse_timezone("Europe/Berlin").unwrap(),
            tz("Europe/Berlin")
        );
        assert!(parse_timezone("UTC").is_ok());
        let f = parse_timezone("Europe/Berlinn").unwrap_err();
        assert_eq!((f.code, f.span.clone()), (Code::CronUnknownTimezone, 0..14));
        assert_eq!(f.help.as_deref(), Some("did you mean `Europe/Berlin`?"));
        assert_eq!(
            parse_timezone("Kolkata").unwrap_err().help.as_deref(),
            Some("did you mean `Asia/Kolkata`?")
        );
        assert_eq!(
            parse_timezone("New York").unwrap_err().help.as_deref(),
            Some("did you mean `America/New_York`?")
        );
        let f = parse_timezone("").unwrap_err();
        assert_eq!(f.span, 0..0);
        assert!(f.help.unwrap().contains("IANA"));
        assert_eq!(
            parse_timezone("America/Kolkata")
                .unwrap_err()
                .help
                .as_deref(),
            Some("did you mean `Asia/Kolkata`?")
        );
        assert!(parse_timezone("Mars/Olympus_Mons").is_err());
    }
}
