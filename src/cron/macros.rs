//! The macros (`@daily`, `@hourly`, ...), `@reboot`, and `@every` from robfig/cron.

use std::ops::Range;

use super::parse::{Parsed, parse};
use super::suggest::did_you_mean;
use crate::codes::Code;
use crate::diagnostic::Finding;

/// The macros cronie accepts (case-sensitive) and the fields each stands for.
const MACROS: &[(&str, &str)] = &[
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@monthly", "0 0 1 * *"),
    ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
];

/// Parses a macro, `name` (the first field, starting with `@`), followed by the fields `rest`.
pub(super) fn parse_macro(
    expr: &str,
    name: &str,
    span: Range<usize>,
    rest: &[(&str, Range<usize>)],
) -> Result<Parsed, Vec<Finding>> {
    let known = name == "@reboot" || MACROS.iter().any(|(m, _)| *m == name);
    if let Some((_, first_extra)) = rest.first() {
        let extra = first_extra.start..rest[rest.len() - 1].1.end;
        if name == "@every" {
            return Err(vec![every_interval(
                &expr[extra.clone()],
                span.start..extra.end,
            )]);
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
        let help = match did_you_mean(name, &candidates) {
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
fn every_interval(duration: &str, span: Range<usize>) -> Finding {
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
