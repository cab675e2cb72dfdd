//! Cron schedules and time zones, in definition files and in the registry's migrations.

use crate::cron;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Spanned};

use super::place;

/// Parses a time zone name; reports it when unknown.
pub(super) fn check_timezone(
    file: &SourceFile,
    tz: &Spanned<String>,
    exact: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<jiff::tz::TimeZone> {
    match cron::parse_timezone(tz) {
        Ok(z) => Some(z),
        Err(f) => {
            diags.push(place(file, &tz.span, exact, f));
            None
        }
    }
}

/// Checks a cron expression; with a time zone, also warns about fixed times in DST gaps/overlaps.
pub(super) fn check_cron(
    file: &SourceFile,
    expr: &Spanned<String>,
    exact: bool,
    tz: Option<&jiff::tz::TimeZone>,
) -> Vec<Diagnostic> {
    let span = expr.span.clone();
    match cron::parse(expr) {
        Err(findings) => findings
            .into_iter()
            .map(|f| place(file, &span, exact, f))
            .collect(),
        Ok(parsed) => {
            let mut out: Vec<Diagnostic> = parsed
                .warnings
                .into_iter()
                .map(|f| place(file, &span, exact, f))
                .collect();
            if let Some(tz) = tz {
                for f in parsed.schedule.dst_findings(tz, crate::clock::now(), 1) {
                    out.push(place(file, &span, exact, f));
                }
            }
            out
        }
    }
}
