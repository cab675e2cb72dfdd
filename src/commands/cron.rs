//! `handoff cron EXPR [--tz ZONE] [--from RFC3339] [--next N] [--format human|json]`

use std::io::Write;

use serde_json::json;

use crate::cli::{CommandResult, CronArgs, Exit, Failure, SimpleFormat};
use crate::cron;
use crate::diagnostic::Diagnostic;
use crate::report::{self, Format};
use crate::source::SourceFile;
use crate::validate::place;

pub fn run(args: CronArgs, out: &mut dyn Write) -> CommandResult {
    // Unquoted fields arrive as several arguments: `handoff cron 0 3 * * *`.
    let expr = std::iter::once(&args.expr)
        .chain(&args.fields)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    // Diagnostics point into the expression as if it were a one-line file named `<expr>`.
    let file = SourceFile::new("<expr>", expr.clone());
    let tz_file = SourceFile::new("<tz>", args.tz.clone());
    let mut diags: Vec<Diagnostic> = Vec::new();
    let tz = match cron::parse_timezone(&args.tz) {
        Ok(tz) => Some(tz),
        Err(f) => {
            diags.push(place(&tz_file, &(0..args.tz.len()), true, f));
            None
        }
    };
    let parsed = match cron::parse(&expr) {
        Ok(p) => Some(p),
        Err(findings) => {
            diags.extend(
                findings
                    .into_iter()
                    .map(|f| place(&file, &(0..expr.len()), true, f)),
            );
            None
        }
    };
    let from = match &args.from {
        None => crate::clock::now(),
        Some(s) => s
            .parse::<jiff::Timestamp>()
            .map_err(|e| Failure::usage(format!("--from `{s}` is not an RFC 3339 instant: {e}")))?,
    };
    let (Some(parsed), Some(tz)) = (parsed, tz) else {
        let format = match args.format {
            SimpleFormat::Human => Format::Human,
            SimpleFormat::Json => Format::Json,
        };
        let _ = write!(out, "{}", report::render(format, &diags, 1));
        return Ok(Exit::Problems);
    };
    let mut warnings: Vec<Diagnostic> = parsed
        .warnings
        .iter()
        .cloned()
        .map(|f| place(&file, &(0..expr.len()), true, f))
        .collect();
    warnings.extend(
        parsed
            .schedule
            .dst_findings(&tz, from, 1)
            .into_iter()
            .map(|f| place(&file, &(0..expr.len()), true, f)),
    );
    let next =
        parsed
            .schedule
            .upcoming(from, &tz, usize::try_from(args.next).unwrap_or(usize::MAX));
    let utc = |t: &jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let local = |t: &jiff::Timestamp| {
        t.to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%d %H:%M %Z (%:z)")
            .to_string()
    };
    match args.format {
        SimpleFormat::Json => {
            let value = json!({
                "expr": expr,
                "tz": args.tz,
                "description": parsed.schedule.describe(),
                "from": utc(&from),
                "next": next.iter().map(utc).collect::<Vec<_>>(),
                "next_local": next.iter().map(|t| t.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()).collect::<Vec<_>>(),
                "warnings": warnings,
            });
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
        SimpleFormat::Human => {
            let _ = writeln!(out, "{}: {}", expr, parsed.schedule.describe());
            let _ = writeln!(out, "time zone: {}", args.tz);
            for d in &warnings {
                let _ = writeln!(out, "{}\n", report::human_one(d));
            }
            if next.is_empty() {
                let _ = writeln!(out, "no fire times found");
            } else {
                let _ = writeln!(out, "next {} fire times after {}:", next.len(), utc(&from));
                for t in &next {
                    let _ = writeln!(out, "  {}  {}", utc(t), local(t));
                }
            }
        }
    }
    Ok(Exit::Clean)
}
