//! `handoff cron EXPR [--tz ZONE] [--from RFC3339] [--next N] [--format human|json]`

use std::io::Write;

use serde_json::json;

use clap::Args as ClapArgs;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::{OutputFormat, REPORT_FORMATS};
use handoff::cron;
use handoff::diagnostic::Diagnostic;
use handoff::report;
use handoff::source::SourceFile;
use handoff::validate::place;

/// The most fire times `handoff cron --next` previews; larger values are a usage error (exit 2).
pub const MAX_NEXT: u64 = 10_000;

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The schedule, e.g. "*/15 * * * *" or @daily. Unquoted fields are joined with spaces
    /// (`handoff cron 0 3 * * *`), and a leading `-` is read as part of the expression.
    #[arg(allow_hyphen_values = true, value_name = "EXPR")]
    pub expr: String,
    /// The remaining fields when the expression is not quoted.
    #[arg(value_name = "FIELDS", hide = true)]
    pub fields: Vec<String>,
    /// IANA time zone the schedule runs in.
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// Preview fire times strictly after this instant (RFC 3339; default: now).
    #[arg(long)]
    pub from: Option<String>,
    /// How many fire times to preview (1 to 10000).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=MAX_NEXT))]
    pub next: u64,
    #[arg(long, default_value = "human", value_parser = OutputFormat::only(REPORT_FORMATS))]
    pub format: OutputFormat,
}

pub fn run(args: Args, out: &mut dyn Write) -> CommandResult {
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
        None => handoff::clock::now(),
        Some(s) => s
            .parse::<jiff::Timestamp>()
            .map_err(|e| Failure::usage(format!("--from `{s}` is not an RFC 3339 instant: {e}")))?,
    };
    // A bad `--tz` is a bad argument (exit 2), shown as a diagnostic beside any in the expression.
    let exit = if tz.is_none() {
        Exit::Usage
    } else {
        Exit::Problems
    };
    let (Some(parsed), Some(tz)) = (parsed, tz) else {
        let format = args.format.report();
        write!(
            out,
            "{}",
            report::render_styled(format, &diags, 1, crate::terminal::style())
        )?;
        return Ok(exit);
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
        OutputFormat::Json => {
            let value = json!({
                "version": handoff::report::JSON_VERSION,
                "expr": expr,
                "tz": args.tz,
                "description": parsed.schedule.describe(),
                "from": utc(&from),
                "next": next.iter().map(utc).collect::<Vec<_>>(),
                "next_local": next.iter().map(|t| t.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()).collect::<Vec<_>>(),
                "warnings": warnings,
            });
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            )?;
        }
        // REPORT_FORMATS: human (here) or json.
        _ => {
            writeln!(out, "{}: {}", expr, parsed.schedule.describe())?;
            writeln!(out, "time zone: {}", args.tz)?;
            for d in &warnings {
                writeln!(
                    out,
                    "{}\n",
                    report::human_one_styled(d, crate::terminal::style().color)
                )?;
            }
            if next.is_empty() {
                writeln!(out, "no fire times found")?;
            } else {
                writeln!(out, "next {} fire times after {}:", next.len(), utc(&from))?;
                for t in &next {
                    writeln!(out, "  {}  {}", utc(t), local(t))?;
                }
            }
        }
    }
    Ok(Exit::Clean)
}
