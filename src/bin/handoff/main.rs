//! The `handoff` binary: parse the arguments, run the command, exit with its code.
//!
//! Clap stops here: each command is one file owning its `Args` and its `run`, which opens the
//! project through the library and renders what the library returns. The library never prints
//! and knows nothing of clap. Exit codes (exit.rs): 0 clean, 1 problems found, 2 usage error,
//! 3 the tool itself failed.

mod cron;
mod exit;
mod generate;
mod import;
mod options;
mod plan;
mod publish;
mod simulate;
mod stream;
mod tap;
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
    /// The registry file; generated paths are relative to its folder.
    #[arg(
        long,
        global = true,
        env = "HANDOFF_REGISTRY",
        default_value = "subjects.toml"
    )]
    pub registry: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render docs, definition drafts, schemas and publisher stubs from the registry.
    Generate(generate::Args),
    /// Lint the registry and definitions: cron, rules, references, parallel-run safety, freshness.
    Validate(validate::Args),
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
    /// Run the definitions' rule test cases (`<name>.test.yaml`).
    Test(test::Args),
    /// The timeline of what would run in a window: cron and legacy fires, recorded events, doubles.
    Simulate(simulate::Args),
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
            return code.into();
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    let result = run(cli, &mut out, &mut err);
    let _ = out.flush();
    match result {
        Ok(exit) => exit.into(),
        Err(f) => {
            let _ = writeln!(err, "handoff: {}", f.message);
            f.exit.into()
        }
    }
}

/// Runs a parsed command, writing its report to `out` and notes to `err`.
fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> CommandResult {
    let registry = cli.registry;
    match cli.command {
        Command::Generate(a) => generate::run(&registry, a, out, err),
        Command::Validate(a) => validate::run(&registry, a, out, err),
        Command::Cron(a) => cron::run(a, out),
        Command::Plan(a) => plan::run(&registry, a, out, err),
        Command::Import(c) => import::run(&registry, c, out, err),
        Command::Stream(c) => stream::run(&registry, c, out, err),
        Command::Publish(a) => publish::run(&registry, a, out, err),
        Command::Tap(a) => tap::run(&registry, a, out, err),
        Command::Test(a) => test::run(&registry, a, out, err),
        Command::Simulate(a) => simulate::run(&registry, a, out, err),
    }
}

// A faster allocator: validate allocates many small values on two threads (see docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
