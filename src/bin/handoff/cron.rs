//! `handoff cron EXPR [--tz ZONE] [--from RFC3339] [--next N] [--format human|json]`

use std::io::Write;

use serde_json::json;

use clap::Args as ClapArgs;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::SimpleFormat;
use handoff::cron;
use handoff::diagnostic::Diagnostic;
use handoff::report::{self, Format};
use handoff::source::SourceFile;
use handoff::validate::place;

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The schedule, e.g. "*/15 * * * *" or @daily.
    pub expr: String,
    /// IANA time zone the schedule runs in.
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// Preview fire times strictly after this instant (RFC 3339; default: now).
    #[arg(long)]
    pub from: Option<String>,
    /// How many fire times to preview.
    #[arg(long, default_value_t = 5)]
    pub next: usize,
    #[arg(long, value_enum, default_value_t)]
    pub format: SimpleFormat,
}

pub fn run(args: Args, out: &mut dyn Write) -> CommandResult {
    // Diagnostics point into the expression as if it were a one-line file named `<expr>`.
    let file = SourceFile::new("<expr>", args.expr.clone());
    let tz_file = SourceFile::new("<tz>", args.tz.clone());
    let mut diags: Vec<Diagnostic> = Vec::new();
    let tz = match cron::parse_timezone(&args.tz) {
        Ok(tz) => Some(tz),
        Err(f) => {
            diags.push(place(&tz_file, &(0..args.tz.len()), true, f));
            None
        }
    };
    let parsed = match cron::parse(&args.expr) {
        Ok(p) => Some(p),
        Err(findings) => {
            diags.extend(
                findings
                    .into_iter()
                    .map(|f| place(&file, &(0..args.expr.len()), true, f)),
            );
            None
        }
    };
    let from = match &args.from {
        None => handoff::clock::now(),
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
        .map(|f| place(&file, &(0..args.expr.len()), true, f))
        .collect();
    warnings.extend(
        parsed
            .schedule
            .dst_findings(&tz, from, 1)
            .into_iter()
            .map(|f| place(&file, &(0..args.expr.len()), true, f)),
    );
    let next = parsed.schedule.upcoming(from, &tz, args.next);
    let utc = |t: &jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let local = |t: &jiff::Timestamp| {
        t.to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%d %H:%M %Z (%:z)")
            .to_string()
    };
    match args.format {
        SimpleFormat::Json => {
            let value = json!({
                "expr": args.expr,
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
            let _ = writeln!(out, "{}: {}", args.expr, parsed.schedule.describe());
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
