//! Suggestions: what to write instead of a misspelt name, an extra field or a reversed range.
//! Each suggestion offered passes its own check (the tests parse every one).

use std::ops::Range;

use super::field::Kind;
use super::parse::parse;
use crate::codes::Code;
use crate::diagnostic::Finding;

/// The candidate `word` most likely meant: one it starts with (`thurs` → `thu`), or one within a
/// small edit distance (`thr` → `thu`, `fir` → `fri`).
pub(super) fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
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
        .map(|c| (strsim::osa_distance(&w, &c.to_ascii_lowercase()), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A suggested expression is offered only when it is itself a clean schedule: it parses, with no
/// warnings.
fn passes(text: &str) -> bool {
    parse(text).is_ok_and(|p| p.warnings.is_empty())
}

/// `cron-field-count`, with the field to remove when the expression has a seconds (first) or
/// year (last) field and what remains passes.
pub(super) fn field_count(expr: &str, fields: &[(&str, Range<usize>)]) -> Finding {
    let n = fields.len();
    let join = |fs: &[(&str, Range<usize>)]| fs.iter().map(|f| f.0).collect::<Vec<_>>().join(" ");
    let looks_like_year = |text: &str| {
        text.split([',', '-', '/'])
            .any(|v| v.len() == 4 && v.parse::<u32>().is_ok_and(|y| y >= 1970))
    };
    let whole = fields[0].1.start..fields[n - 1].1.end;
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

/// A reversed range `a-b` (a > b), with the wrapped form as the suggestion.
pub(super) fn reversed(
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
