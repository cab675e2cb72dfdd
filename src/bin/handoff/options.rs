//! Options and helpers several commands share: output formats, the NATS connection options,
//! and opening the project for commands that need a usable registry.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use handoff::codes::Code;
use handoff::nats;
use handoff::project::Project;
use handoff::registry::Registry;
use handoff::report::{self, Format};

use crate::exit::{Exit, Failure};

/// `--format`: one list of output formats for every command; each command accepts the ones it
/// can write (its `--help` lists them), through [`OutputFormat::only`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    #[default]
    Human,
    Json,
    Github,
    Sarif,
    Markdown,
}

/// The formats of the linting commands (validate, audit).
pub const LINT_FORMATS: &[OutputFormat] = &[
    OutputFormat::Human,
    OutputFormat::Json,
    OutputFormat::Github,
    OutputFormat::Sarif,
];

/// The formats of the reporting commands (cron, plan, tap, test, simulate).
pub const REPORT_FORMATS: &[OutputFormat] = &[OutputFormat::Human, OutputFormat::Json];

impl OutputFormat {
    /// A parser for `--format` that accepts only `allowed`.
    pub fn only(
        allowed: &'static [OutputFormat],
    ) -> impl clap::builder::TypedValueParser<Value = OutputFormat> {
        use clap::builder::TypedValueParser as _;
        clap::builder::PossibleValuesParser::new(
            allowed.iter().filter_map(ValueEnum::to_possible_value),
        )
        .map(|name| OutputFormat::from_str(&name, true).unwrap_or_default())
    }

    /// The diagnostics renderer's format. The linting commands accept no `markdown`
    /// ([`LINT_FORMATS`]); it would render as human text.
    pub fn report(self) -> Format {
        match self {
            OutputFormat::Human | OutputFormat::Markdown => Format::Human,
            OutputFormat::Json => Format::Json,
            OutputFormat::Github => Format::Github,
            OutputFormat::Sarif => Format::Sarif,
        }
    }
}

/// Reads a file, mapping failure to exit 3 with the path in the message.
pub fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure::tool(format!("cannot read {}: {e}", path.display())))
}

/// The one registry of a command that works on one: the discovered one when none was given
/// ([`discover`]), a usage error (exit 2) when several were.
pub fn single(registries: &[PathBuf], command: &str) -> Result<PathBuf, Failure> {
    match registries {
        [] => discover(),
        [one] => Ok(one.clone()),
        many => Err(Failure::usage(format!(
            "`handoff {command}` works on one registry, but --registry was given {} times; only `handoff validate` takes several",
            many.len()
        ))),
    }
}

/// `subjects.toml` in the working folder or the nearest parent, not above the repository's root
/// (a folder holding `.git`). None: exit 3, saying where it looked and how to make one.
pub fn discover() -> Result<PathBuf, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::tool(format!("cannot read the working folder: {e}")))?;
    handoff::init::discover(&cwd).map_err(|searched| {
        let last = searched.last().unwrap_or(&cwd);
        let place = if searched.len() > 1 {
            format!("{} or its parents up to {}", cwd.display(), last.display())
        } else {
            cwd.display().to_string()
        };
        Failure::tool(format!(
            "no registry: no subjects.toml in {place}; create one with `handoff init --prefix org.example --publisher NAME`, or give --registry PATH (or HANDOFF_REGISTRY)"
        ))
    })
}

/// Opens the project (exit 3 when the registry cannot be read).
pub fn open(path: &Path, tolerate: &[Code]) -> Result<Project, Failure> {
    Project::open(path, tolerate).map_err(|e| Failure::tool(e.to_string()))
}

/// The project of a command that needs a usable registry: its warnings go to `err`; an invalid
/// registry's diagnostics go to `err` too and end the command with exit 1.
pub fn require(
    path: &Path,
    tolerate: &[Code],
    err: &mut dyn Write,
) -> Result<(Project, Registry), Failure> {
    let mut project = open(path, tolerate)?;
    let shown: Vec<_> = project.notes().into_iter().cloned().collect();
    if !shown.is_empty() {
        let _ = write!(err, "{}", report::render(Format::Human, &shown, 1));
    }
    match project.registry.take() {
        Some(reg) => Ok((project, reg)),
        None => Err(Failure {
            exit: Exit::Problems,
            message: format!("{} has errors; nothing was done", project.registry_name),
        }),
    }
}

/// The registry for commands that need a valid one (see [`require`]).
pub fn require_registry(path: &Path, err: &mut dyn Write) -> Result<Registry, Failure> {
    require(path, &[], err).map(|(_, reg)| reg)
}

/// Connection options shared by the NATS commands.
#[derive(Debug, Args, Clone)]
pub struct NatsArgs {
    /// NATS server URL(s), comma-separated; `user:password@` and `token@` are used (percent-decoded);
    /// defaults to $NATS_URL.
    #[arg(
        long = "server",
        env = "NATS_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub server: Option<String>,
    /// User name (with --password).
    #[arg(long, env = "NATS_USER", value_name = "USER", hide_env_values = true)]
    pub user: Option<String>,
    /// Password (with --user); prefer NATS_PASSWORD over the command line.
    #[arg(
        long,
        env = "NATS_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    pub password: Option<String>,
    /// Authentication token; prefer NATS_TOKEN over the command line.
    #[arg(
        long,
        env = "NATS_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    pub token: Option<String>,
    /// A file holding an nkey user seed (`SU…`).
    #[arg(long, value_name = "FILE")]
    pub nkey: Option<PathBuf>,
    /// A NATS credentials file (JWT + nkey seed).
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

/// The connection the NATS commands' shared options describe (exit 2 without a server, for a
/// bad URL or duration, conflicting credentials or an unreadable key, credentials or CA file).
pub fn connection(a: &NatsArgs) -> Result<nats::Connection, Failure> {
    let url = a
        .server
        .clone()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| Failure::usage("no NATS server: set NATS_URL or pass --server URL"))?;
    let timeout = nats::parse_duration(&a.connect_timeout)
        .map_err(|e| Failure::usage(format!("--connect-timeout: {e}")))?;
    if timeout.is_zero() {
        return Err(Failure::usage(
            "--connect-timeout: must be longer than 0 (e.g. 2s)",
        ));
    }
    let given = nats::Credentials {
        user: a.user.clone(),
        password: a.password.clone(),
        token: a.token.clone(),
        nkey: a.nkey.clone(),
        creds: a.creds.clone(),
    };
    nats::Connection::new(&url, given, a.tls_ca.clone(), a.tls, timeout).map_err(Failure::usage)
}
