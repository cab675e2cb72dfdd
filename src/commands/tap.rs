//! `handoff tap`: the checked replacement for `nats sub 'org.statehub.>'`.

use std::io::Write;
use std::path::Path;

use crate::cli::{CommandResult, Exit, Failure, SimpleFormat, TapArgs};
use crate::nats::{self, tap};

pub fn run(
    registry: &Path,
    args: TapArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> CommandResult {
    let reg = super::require_registry(registry, err)?;
    let conn = super::publish::connection(&args.nats)?;
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
        json: matches!(args.format, SimpleFormat::Json),
    };
    let rt = nats::runtime().map_err(Failure::tool)?;
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
        let _ = writeln!(out, "{line}");
    }
    Ok(if args.strict && summary.invalid > 0 {
        Exit::Problems
    } else {
        Exit::Clean
    })
}
