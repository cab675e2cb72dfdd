//! Parsing an expression: split into fields, each field into list items, each item into values,
//! ranges and steps. Every error is collected, each with the span of the offending field or token.

use std::ops::Range;

use super::field::{Field, Kind};
use super::macros::parse_macro;
use super::schedule::Schedule;
use super::suggest::{did_you_mean, field_count, reversed};
use crate::codes::Code;
use crate::diagnostic::Finding;

/// A schedule and the warnings its expression deserves.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub schedule: Schedule,
    pub warnings: Vec<Finding>,
}

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
pub(super) fn split_fields(expr: &str) -> Vec<(&str, Range<usize>)> {
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

/// A list item being parsed: its field, its text, and where it starts in the expression.
#[derive(Clone, Copy)]
struct Item<'a> {
    kind: Kind,
    text: &'a str,
    start: usize,
}

impl Item<'_> {
    /// The span of `len` bytes from byte `i` of the item.
    fn at(&self, i: usize, len: usize) -> Range<usize> {
        self.start + i..self.start + i + len
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
    let it = Item {
        kind,
        text: item,
        start: span.start,
    };
    if let Err(f) = check_characters(it) {
        errors.push(f);
        return None;
    }
    let (base, step_text) = match item.split_once('/') {
        Some((b, s)) => (b, Some(s)),
        None => (item, None),
    };
    let step = match step_text.map(|s| parse_step(it, base, s)) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(f)) => {
            errors.push(f);
            return None;
        }
    };
    let uses_names = base.bytes().any(|b| b.is_ascii_alphabetic());
    let (lo, hi) = if base == "*" {
        (kind.bounds().0, kind.max())
    } else {
        parse_range(it, base, step, uses_names, errors)?
    };
    if let Some(n) = step {
        warnings.extend(step_too_large(it, base, (lo, hi), n, uses_names));
    }
    Some((lo, hi, step.unwrap_or(1)))
}

/// Rejects the extensions of other crons and any character standard cron does not use.
fn check_characters(it: Item) -> Result<(), Finding> {
    let item = it.text;
    if let Some(f) = nonstandard(it.kind, item, it.start) {
        return Err(f);
    }
    if let Some(i) = item.find(|c: char| !(c.is_ascii_alphanumeric() || "*-/".contains(c))) {
        let len = item[i..].chars().next().map_or(1, char::len_utf8);
        return Err(Finding::new(
            Code::CronSyntax,
            it.at(i, len),
            format!("`{}` is not allowed in a cron field", &item[i..i + len]),
        )
        .with_help(
            "a field is a list (`,`) of values, ranges (`a-b`) and steps (`*/n`, `a-b/n`)",
        ));
    }
    Ok(())
}

/// The step `s` after the `/` of an item whose range part is `base`.
fn parse_step(it: Item, base: &str, s: &str) -> Result<u32, Finding> {
    let (kind, item) = (it.kind, it.text);
    let s_at = it.at(base.len() + 1, s.len());
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Finding::new(
            Code::CronBadStep,
            if s.is_empty() {
                it.at(base.len(), 1)
            } else {
                s_at
            },
            format!("`/{s}` is not a step: a step is a positive whole number"),
        )
        .with_help("write e.g. `*/15` or `0-30/10`"));
    }
    let n = s.parse::<u32>().unwrap_or(u32::MAX);
    if n == 0 {
        return Err(
            Finding::new(Code::CronBadStep, s_at, "a step of 0 selects nothing")
                .with_help("use a step of 1 or more"),
        );
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
        return Err(Finding::new(
            Code::CronBadStep,
            it.at(0, item.len()),
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
        }));
    }
    Ok(n)
}

/// The first and last value of `base`, a value `v` or a range `a-b` (not `*`), pushing errors.
fn parse_range(
    it: Item,
    base: &str,
    step: Option<u32>,
    uses_names: bool,
    errors: &mut Vec<Finding>,
) -> Option<(u32, u32)> {
    let (kind, item) = (it.kind, it.text);
    let (first, second) = match base.split_once('-') {
        Some((x, y)) => (x, Some(y)),
        None => (base, None),
    };
    if first.is_empty() || second.is_some_and(str::is_empty) {
        let dash = first.len();
        errors.push(
            Finding::new(
                Code::CronSyntax,
                it.at(dash, 1),
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
                it.at(0, base.len()),
                format!("`{base}` is not a value or a range"),
            )
            .with_help("a range is two values, `a-b`; `*` stands alone or with a step, `*/n`"),
        );
        return None;
    }
    let a = value(kind, first, it.at(0, first.len()), errors);
    let b = second.map(|y| value(kind, y, it.at(first.len() + 1, y.len()), errors));
    match (a, b) {
        (Some(a), None) => {
            if let Some(n) = step {
                let range = format!("{first}-{}/{n}", kind.show(kind.max(), uses_names));
                errors.push(
                    Finding::new(
                        Code::CronStepOnValue,
                        it.at(0, item.len()),
                        format!(
                            "`{item}` puts a step on a single value, which standard cron rejects"
                        ),
                    )
                    .with_help(format!("write a range: `{range}` (every {n} from {first})")),
                );
                return None;
            }
            Some((a, a))
        }
        (Some(a), Some(Some(b))) => {
            // cronie (`entry.c`, `get_range`) reads a range ending in 0 without a step as
            // ending in 7: `fri-sun`, `5-0` = Friday-Sunday. Only in day-of-week is that
            // what the writer meant (0 and 7 are both Sunday); elsewhere it is an error.
            if kind == Kind::Dow && b == 0 && a > b && step.is_none() {
                return Some((a, 7));
            }
            if a > b {
                errors.push(reversed(
                    kind,
                    base,
                    a,
                    b,
                    step,
                    uses_names,
                    // The suggestion carries the step, so it replaces the whole item.
                    it.at(0, item.len()),
                ));
                return None;
            }
            Some((a, b))
        }
        _ => None,
    }
}

/// `cron-step-too-large`: a step wider than the range `lo`-`hi` it steps through.
fn step_too_large(
    it: Item,
    base: &str,
    (lo, hi): (u32, u32),
    n: u32,
    uses_names: bool,
) -> Option<Finding> {
    let (kind, item) = (it.kind, it.text);
    let width = hi - lo;
    if n <= width.max(1) {
        return None;
    }
    // The suggestion replaces the whole item (`*/60` by `0`), so the finding covers it.
    Some(
        Finding::new(
            Code::CronStepTooLarge,
            it.at(0, item.len()),
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
    )
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
pub(super) fn value(
    kind: Kind,
    text: &str,
    span: Range<usize>,
    errors: &mut Vec<Finding>,
) -> Option<u32> {
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
        let help = match did_you_mean(&lower, kind.names()) {
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
