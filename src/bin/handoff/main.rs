//! The `handoff` binary: parse the arguments, run the command, exit with its code.
//!
//! Clap stops here: each command is one file owning its `Args` and its `run`, which opens the
//! project through the library and renders what the library returns. The library never prints
//! and knows nothing of clap. Exit codes (exit.rs): 0 clean, 1 problems found, 2 usage error,
//! 3 the tool itself failed.

mod audit;
mod completions;
mod cron;
mod diff;
mod exit;
mod explain;
mod generate;
mod import;
mod init;
mod options;
mod output;
mod plan;
mod plan_evidence;
mod publish;
mod simulate;
mod stream;
mod tap;
mod terminal;
mod test;
mod validate;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exit::{CommandResult, Exit};

#[derive(Debug, Parser)]
#[command(
    name = "handoff",
    version,
    about = "Declarative, checkable hand-off of a service's maintenance work to an automation engine over NATS JetStream",
    after_help = "Exit codes: 0 clean, 1 problems found, 2 usage error, 3 the tool failed."
)]
pub struct Cli {
    /// The registry file (default: `subjects.toml` in the working folder or the nearest parent,
    /// up to the repository's root); generated paths are relative to its folder.
    /// `validate` takes it more than once: definitions checked against several registries.
    #[arg(long, global = true, env = "HANDOFF_REGISTRY", value_name = "PATH")]
    pub registry: Vec<PathBuf>,
    /// Colours in human output: `auto` (when stdout is a terminal; `NO_COLOR` turns them off,
    /// `CLICOLOR_FORCE` on), `always`, `never`.
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    pub color: terminal::ColorArg,
    /// Only the findings: no summary line, no notes on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say on stderr which registry is used and how it was found (--registry, HANDOFF_REGISTRY,
    /// or discovered), and show the registry's warnings in full instead of counting them.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a registry: a minimal, commented `subjects.toml` and the folders generate writes to.
    Init(init::Args),
    /// Render docs, definition drafts, schemas and publisher stubs from the registry.
    Generate(generate::Args),
    /// Lint the registry and definitions: cron, rules, references, parallel-run safety, freshness.
    Validate(validate::Args),
    /// Check the publishing service's source against the registry: trigger sites, publish after commit.
    Audit(audit::Args),
    /// Compare the registry with an older one: breaking changes, version policy, affected definitions.
    Diff(diff::Args),
    /// Explain a cron schedule and preview its next fire times.
    Cron(cron::Args),
    /// Where each migration stands on the cutover checklist, and what blocks it.
    Plan(plan::Args),
    /// Read legacy schedules (crontab, systemd timers) into registry migration entries.
    #[command(subcommand)]
    Import(import::Command),
    /// Ensure or show the JetStream stream.
    #[command(subcommand)]
    Stream(stream::Command),
    /// Publish one event, built and checked exactly as the Python stubs do.
    Publish(publish::Args),
    /// Watch events on the stream and check each envelope against the registry.
    Tap(tap::Args),
    /// What a diagnostic code means, with a bad and a good example.
    Explain(explain::Args),
    /// A shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::Args),
    /// The man page, in roff (`handoff man > handoff.1`).
    Man(completions::ManArgs),
    /// Run the definitions' rule test cases (`<name>.test.yaml`).
    Test(test::Args),
    /// The timeline of what would run in a window: cron and legacy fires, recorded events, doubles.
    Simulate(simulate::Args),
}

impl Command {
    /// The command's name, for messages.
    fn name(&self) -> &'static str {
        match self {
            Command::Init(_) => "init",
            Command::Generate(_) => "generate",
            Command::Validate(_) => "validate",
            Command::Diff(_) => "diff",
            Command::Cron(_) => "cron",
            Command::Plan(_) => "plan",
            Command::Import(_) => "import",
            Command::Stream(_) => "stream",
            Command::Publish(_) => "publish",
            Command::Tap(_) => "tap",
            Command::Audit(_) => "audit",
            Command::Explain(_) => "explain",
            Command::Completions(_) => "completions",
            Command::Man(_) => "man",
            Command::Test(_) => "test",
            Command::Simulate(_) => "simulate",
        }
    }

    /// Whether the command was asked for JSON: its failures are then a JSON document too
    /// (docs/json-output.md).
    fn json(&self) -> bool {
        use options::OutputFormat::Json;
        match self {
            Command::Validate(a) => a.format == Json,
            Command::Audit(a) => a.format == Json,
            Command::Diff(a) => a.format == Json,
            Command::Cron(a) => a.format == Json,
            Command::Plan(a) => a.format == Json,
            Command::Tap(a) => a.format == Json,
            Command::Test(a) => a.format == Json,
            Command::Simulate(a) => a.format == Json,
            _ => false,
        }
    }
}

/// Parses the arguments, runs the command and maps the outcome to an exit code.
fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Clean
            };
            let _ = e.print();
            // Asked for JSON: the usage error is a JSON document on stdout too.
            if code == Exit::Usage && asks_for_json(std::env::args_os().skip(1)) {
                let text = e.render().to_string();
                let message: Vec<&str> = text
                    .lines()
                    .take_while(|l| !l.trim().is_empty())
                    .map(str::trim)
                    .collect();
                let message = message.join(" ");
                let failure = exit::Failure::usage(message.trim_start_matches("error: "));
                let _ = writeln!(std::io::stdout(), "{}", failure.json());
            }
            return code.into();
        }
    };
    let mut cli = cli;
    terminal::init(cli.color, cli.quiet, cli.verbose);
    let (registries, on_command_line) = all_registries(cli.registry, std::env::args_os().skip(1));
    cli.registry = registries;
    options::set_registry_origin(if on_command_line || cli.registry.is_empty() {
        options::Origin::Flag
    } else {
        options::Origin::Env
    });
    let json = cli.command.json();
    let json_lines = matches!(cli.command, Command::Tap(_));
    let mut out = output::Output::new(std::io::stdout().lock());
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    let result = run(cli, &mut out, &mut err);
    // In JSON mode a failure is a JSON document on stdout too, when nothing else was written
    // there (tap writes JSON lines: its failure is one more line).
    if let (Err(f), true) = (&result, json)
        && (out.written == 0 || json_lines)
        && out.error.is_none()
    {
        let _ = writeln!(out, "{}", f.json());
    }
    let _ = out.flush();
    match (out.error, result) {
        // The reader stopped reading (`handoff validate | head -1`): that is its choice, not a
        // failure; end quietly with what the command found.
        (Some(e), Ok(exit)) if e.kind() == std::io::ErrorKind::BrokenPipe => exit.into(),
        (Some(e), Err(f)) if e.kind() == std::io::ErrorKind::BrokenPipe => f.exit.into(),
        // Any other write error means the report was lost: the tool failed.
        (Some(e), _) => {
            let _ = writeln!(err, "handoff: cannot write the output: {e}");
            Exit::Failed.into()
        }
        (None, Ok(exit)) => exit.into(),
        (None, Err(f)) => {
            let _ = writeln!(err, "handoff: {}", f.message);
            f.exit.into()
        }
    }
}

/// Whether the arguments ask for `--format json` (read again when clap rejected them).
fn asks_for_json(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    let mut args = args;
    while let Some(a) = args.next() {
        if a == "--" {
            return false;
        }
        if a == "--format=json" || (a == "--format" && args.next().is_some_and(|v| v == "json")) {
            return true;
        }
    }
    false
}

/// Every `--registry` given, before and after the subcommand, and whether any was given on the
/// command line (else they came from `HANDOFF_REGISTRY`). Clap keeps a global option's values
/// from one level only (`handoff --registry a validate --registry b` parses as `[b]`); the
/// arguments, already checked by clap, are read again for the complete list.
fn all_registries(
    parsed: Vec<PathBuf>,
    args: impl Iterator<Item = std::ffi::OsString>,
) -> (Vec<PathBuf>, bool) {
    let mut found = Vec::new();
    let mut args = args;
    while let Some(a) = args.next() {
        if a == "--" {
            break;
        }
        if a == "--registry" {
            if let Some(v) = args.next() {
                found.push(PathBuf::from(v));
            }
        } else if let Some(v) = a.to_str().and_then(|s| s.strip_prefix("--registry=")) {
            found.push(PathBuf::from(v));
        }
    }
    let on_command_line = !found.is_empty();
    if found.len() > parsed.len() {
        (found, on_command_line)
    } else {
        (parsed, on_command_line)
    }
}

/// Runs a parsed command, writing its report to `out` and notes to `err`.
fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> CommandResult {
    let registries = cli.registry;
    let name = cli.command.name();
    // Every command but validate (and cron, which reads none) works on exactly one registry.
    let registry = |err: &mut dyn Write| options::single(&registries, name, err);
    match cli.command {
        Command::Init(a) => init::run(&registries, a, out),
        Command::Generate(a) => generate::run(&registry(err)?, a, out, err),
        Command::Validate(a) => validate::run(&registries, a, out, err),
        Command::Audit(a) => audit::run(&registry(err)?, a, out, err),
        Command::Diff(a) => diff::run(&registry(err)?, a, out, err),
        Command::Cron(a) => cron::run(a, out),
        Command::Plan(a) => plan::run(&registry(err)?, a, out, err),
        Command::Import(c) => import::run(&registry(err)?, c, out, err),
        Command::Stream(c) => stream::run(&registry(err)?, c, out, err),
        Command::Publish(a) => publish::run(&registry(err)?, a, out, err),
        Command::Tap(a) => tap::run(&registry(err)?, a, out, err),
        Command::Explain(a) => explain::run(a, out),
        Command::Completions(a) => completions::run(a, out),
        Command::Man(a) => completions::man(a, out),
        Command::Test(a) => test::run(&registry(err)?, a, out, err),
        Command::Simulate(a) => simulate::run(&registry(err)?, a, out, err),
    }
}

// A faster allocator: validate allocates many small values on two threads (see docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
