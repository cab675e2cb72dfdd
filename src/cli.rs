//! The command line: clap types stop here; each subcommand lives in `commands/`.
//!
//! Exit codes: 0 clean, 1 problems found, 2 usage error, 3 the tool itself failed.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;
use crate::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "handoff",
    version,
    about = "Declarative, checkable hand-off of maintenance work from a state hub to activity-core over NATS JetStream",
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
    Generate(GenerateArgs),
    /// Lint the registry and definitions: cron, rules, references, parallel-run safety, freshness.
    Validate(ValidateArgs),
    /// Explain a cron schedule and preview its next fire times.
    Cron(CronArgs),
    /// Where each migration stands on the cutover checklist, and what blocks it.
    Plan(PlanArgs),
    /// Read legacy schedules (crontab, systemd timers) into registry migration entries.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Ensure or show the JetStream stream.
    #[command(subcommand)]
    Stream(StreamCommand),
    /// Publish one event, built and checked exactly as the Python stubs do.
    Publish(PublishArgs),
    /// Watch events on the stream and check each envelope against the registry.
    Tap(TapArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Write nothing; list stale or missing files and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
    /// Overwrite files edited by hand.
    #[arg(long, conflicts_with = "check")]
    pub force: bool,
    /// Templates folder overriding the embedded templates (default: templates/ beside the registry).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum FormatArg {
    #[default]
    Human,
    Json,
    Github,
    Sarif,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Github => Format::Github,
            FormatArg::Sarif => Format::Sarif,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum SimpleFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Definition files or folders to check (default: the registry's definitions folder).
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: FormatArg,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Templates folder, as for generate (used by the freshness check).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Skip the check that generated files are current.
    #[arg(long)]
    pub no_freshness: bool,
}

#[derive(Debug, Args)]
pub struct CronArgs {
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

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The date to plan at (YYYY-MM-DD; default: today, UTC).
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: SimpleFormat,
    /// Exit 1 when any migration's next step is blocked.
    #[arg(long)]
    pub fail_on_blocked: bool,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a crontab file.
    Crontab(ImportCrontabArgs),
    /// Import a systemd timer (and its service).
    Systemd(ImportSystemdArgs),
}

#[derive(Debug, Args)]
pub struct ImportCrontabArgs {
    pub file: PathBuf,
    /// The system crontab form (/etc/crontab, /etc/cron.d): a user field before the command.
    #[arg(long)]
    pub system: bool,
    /// The machine's local time zone, which jobs without CRON_TZ ran in (default: assume UTC, noted).
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
    /// Add the entries to the registry instead of printing them.
    #[arg(long)]
    pub write: bool,
    /// Namespace of the drafted definition names, `<namespace>.<job>` (default: the one the
    /// registry's migrations share, else `imported`).
    #[arg(long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportSystemdArgs {
    /// The .timer unit.
    pub timer: PathBuf,
    /// The .service unit (default: the timer's Unit=, or the same name beside it).
    pub service: Option<PathBuf>,
    /// The machine's local time zone, which OnCalendar= without a zone ran in (default: assume UTC, noted).
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
    /// Add the entry to the registry instead of printing it.
    #[arg(long)]
    pub write: bool,
    /// Namespace of the drafted definition name, as for `import crontab`.
    #[arg(long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
}

/// Connection options shared by the NATS commands.
#[derive(Debug, Args, Clone)]
pub struct NatsArgs {
    /// NATS server URL (user:password@ allowed); defaults to $NATS_URL.
    #[arg(long = "server", env = "NATS_URL", value_name = "URL")]
    pub server: Option<String>,
    /// A NATS credentials file.
    #[arg(long, value_name = "FILE")]
    pub creds: Option<PathBuf>,
    /// A CA certificate to trust for TLS (enables TLS).
    #[arg(long, value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,
    /// Require TLS.
    #[arg(long)]
    pub tls: bool,
    /// How long to wait for the server (e.g. 2s, 500ms).
    #[arg(long, default_value = "2s", value_name = "DURATION")]
    pub connect_timeout: String,
}

#[derive(Debug, Subcommand)]
pub enum StreamCommand {
    /// Create the stream if missing; report differences from the registry if it exists.
    Ensure(StreamEnsureArgs),
    /// Print the live stream configuration beside the registry's.
    Show(StreamShowArgs),
}

#[derive(Debug, Args)]
pub struct StreamEnsureArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Update an existing stream to the registry's configuration.
    #[arg(long)]
    pub update: bool,
}

#[derive(Debug, Args)]
pub struct StreamShowArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The subject, e.g. org.statehub.repo.registered.
    pub subject: String,
    /// An attribute, KEY=VALUE (repeatable); the value is parsed by the attribute's type.
    #[arg(long = "attr", value_name = "KEY=VALUE")]
    pub attrs: Vec<String>,
    /// The envelope id (default: a new UUID v4).
    #[arg(long)]
    pub id: Option<String>,
    #[command(flatten)]
    pub nats: NatsArgs,
}

#[derive(Debug, Args)]
pub struct TapArgs {
    /// Subject filter (a single NATS pattern).
    #[arg(long, default_value = "org.statehub.>")]
    pub subject: String,
    /// Only events published from now on (default: replay what the stream retains).
    #[arg(long)]
    pub new: bool,
    /// Stop after N events.
    #[arg(long)]
    pub count: Option<u64>,
    /// Stop after this long without an event (e.g. 5s).
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: SimpleFormat,
    /// Exit 1 if any event was invalid.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub nats: NatsArgs,
}

/// What a command ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Clean = 0,
    Problems = 1,
    Usage = 2,
    Failed = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// A failure of the tool itself (exit 3), or a usage problem (exit 2), with its message.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn tool(message: impl Into<String>) -> Self {
        Failure {
            exit: Exit::Failed,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            exit: Exit::Usage,
            message: message.into(),
        }
    }
}

pub type CommandResult = Result<Exit, Failure>;

/// Parses the arguments, runs the command and maps the outcome to an exit code.
pub fn main() -> ExitCode {
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
    let mut out = Output::new(std::io::stdout().lock());
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    let result = run(cli, &mut out, &mut err);
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

/// Standard output that remembers its first write error, so that every command's report is
/// checked in one place: after an error, further writes fail the same way without touching the
/// stream, and `main` turns the error into exit 3 (or a quiet end for a closed pipe).
pub struct Output<W> {
    inner: W,
    pub error: Option<std::io::Error>,
}

impl<W: Write> Output<W> {
    pub fn new(inner: W) -> Self {
        Output { inner, error: None }
    }

    fn check<T>(&mut self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result
            && e.kind() != std::io::ErrorKind::Interrupted
            && self.error.is_none()
        {
            self.error = Some(std::io::Error::new(e.kind(), e.to_string()));
        }
        result
    }

    fn failed(&self) -> Option<std::io::Error> {
        self.error
            .as_ref()
            .map(|e| std::io::Error::new(e.kind(), e.to_string()))
    }
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(e) = self.failed() {
            return Err(e);
        }
        let result = self.inner.write(buf);
        self.check(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(e) = self.failed() {
            return Err(e);
        }
        let result = self.inner.flush();
        self.check(result)
    }
}

/// Runs a parsed command, writing its report to `out` and notes to `err`.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> CommandResult {
    let registry = cli.registry;
    match cli.command {
        Command::Generate(a) => commands::generate::run(&registry, a, out, err),
        Command::Validate(a) => commands::validate::run(&registry, a, out, err),
        Command::Cron(a) => commands::cron::run(a, out),
        Command::Plan(a) => commands::plan::run(&registry, a, out, err),
        Command::Import(c) => commands::import::run(&registry, c, out, err),
        Command::Stream(c) => commands::stream::run(&registry, c, out, err),
        Command::Publish(a) => commands::publish::run(&registry, a, out, err),
        Command::Tap(a) => commands::tap::run(&registry, a, out, err),
    }
}
