//! The unit tests, a file per role (`syntax` covers `parse` and `macros`).

mod day_rule;
mod dst;
mod explain;
mod schedule;
mod suggest;
mod syntax;
mod timezone;

use std::ops::Range;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::parse::split_fields;
use super::{parse, parse_timezone};
use crate::codes::Code;
use crate::diagnostic::Finding;

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
