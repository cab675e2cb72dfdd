//! `handoff tap`: the checked replacement for `nats sub '<subject_prefix>.>'`.

use std::io::Write;
use std::path::Path;

use clap::Args as ClapArgs;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::{NatsArgs, OutputFormat, REPORT_FORMATS};
use handoff::nats::{self, tap};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Subject filter, a single NATS pattern (default: `<subject_prefix>.>` of the registry).
    #[arg(long, value_name = "PATTERN")]
    pub subject: Option<String>,
    /// Only events published from now on (default: replay what the stream retains).
    #[arg(long)]
    pub new: bool,
    /// Stop after N events.
    #[arg(long)]
    pub count: Option<u64>,
    /// Stop after this long without an event (e.g. 5s).
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    #[arg(long, default_value = "human", value_parser = OutputFormat::only(REPORT_FORMATS))]
    pub format: OutputFormat,
    /// Exit 1 if any event was invalid.
    #[arg(long)]
    pub strict: bool,
    /// Also show which definitions (in the definitions folder) fire, skip or error on each event.
    #[arg(long = "match")]
    pub match_definitions: bool,
    /// A context value the rules see with --match, NAME=JSON (repeatable); others are absent.
    #[arg(
        long = "context",
        value_name = "NAME=JSON",
        requires = "match_definitions"
    )]
    pub context: Vec<String>,
    #[command(flatten)]
    pub nats: NatsArgs,
}

pub fn run(registry: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> CommandResult {
    let (project, reg) = crate::options::require(registry, &[], err)?;
    let matcher = if args.match_definitions {
        Some(std::sync::Arc::new(crate::simulate::matcher(
            &project,
            &reg,
            &args.context,
            err,
        )?))
    } else {
        None
    };
    let conn = crate::options::connection(&args.nats)?;
    let idle = args
        .timeout
        .as_deref()
        .map(nats::parse_duration)
        .transpose()
        .map_err(|e| Failure::usage(format!("--timeout: {e}")))?;
    // Every registered subject lies under the prefix: by default watch all of them.
    let filter = args
        .subject
        .clone()
        .unwrap_or_else(|| format!("{}.>", reg.subject_prefix));
    if filter.trim().is_empty() || filter.contains(char::is_whitespace) {
        return Err(Failure::usage(format!(
            "--subject {filter:?} is not a NATS subject pattern"
        )));
    }
    let opts = tap::Options {
        stream: reg.stream.name.clone(),
        filter,
        new_only: args.new,
        count: args.count,
        idle,
        json: matches!(args.format, OutputFormat::Json),
        matcher,
    };
    let rt = nats::runtime_with_worker().map_err(Failure::tool)?;
    let summary = rt
        .block_on(async {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            let client = nats::connect(&conn, Some(tx)).await?;
            tap::run(
                nats::jetstream(client, conn.timeout),
                rx,
                &reg,
                &opts,
                out,
                err,
            )
            .await
        })
        .map_err(Failure::tool)?;
    let line = summary.line(idle);
    if opts.json {
        let _ = writeln!(err, "{line}");
    } else {
        writeln!(out, "{line}")?;
    }
    Ok(if args.strict && summary.invalid > 0 {
        Exit::Problems
    } else {
        Exit::Clean
    })
}
