//! Options and helpers several commands share: output formats, the NATS connection options,
//! and opening the project for commands that need a usable registry.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use handoff::codes::Code;
use handoff::diagnostic::Diagnostic;
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

/// Where the registries given came from: `--registry`, or `HANDOFF_REGISTRY` (clap reads both
/// into one list; main tells them apart and records it here once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Env,
}

static ORIGIN: std::sync::OnceLock<Origin> = std::sync::OnceLock::new();

pub fn set_registry_origin(origin: Origin) {
    let _ = ORIGIN.set(origin);
}

/// How the given registries were named, for `-v`.
pub fn origin_words() -> &'static str {
    match ORIGIN.get() {
        Some(Origin::Env) => "from HANDOFF_REGISTRY",
        _ => "from --registry",
    }
}

/// The one registry of a command that works on one: the discovered one when none was given
/// ([`discover`]), a usage error (exit 2) when several were. With `-v`, says on `err` which
/// file it is and how it was found.
pub fn single(
    registries: &[PathBuf],
    command: &str,
    err: &mut dyn Write,
) -> Result<PathBuf, Failure> {
    let (path, how) = match registries {
        [] => {
            let found = discover()?;
            let how = if found.parent().is_some_and(|p| p.as_os_str().is_empty()) {
                "found in the working folder".to_string()
            } else {
                let abs = std::fs::canonicalize(&found).unwrap_or_else(|_| found.clone());
                format!(
                    "found in a parent folder, {}",
                    abs.parent().unwrap_or(&abs).display()
                )
            };
            (found, how)
        }
        [one] => (one.clone(), origin_words().to_string()),
        many => {
            return Err(Failure::usage(format!(
                "`handoff {command}` works on one registry, but --registry was given {} times; only `handoff validate` takes several",
                many.len()
            )));
        }
    };
    if crate::terminal::verbose() {
        let _ = writeln!(err, "handoff: registry {} ({how})", path.display());
    }
    Ok(path)
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

/// The project of a command that needs a usable registry. The registry's warnings belong to
/// `validate`: here they are one line on `err` pointing there (in full with `-v`, nothing with
/// `-q`), so no run shows a warning twice. An invalid registry's diagnostics go to `err` in
/// full, since they are why the command stops (exit 1).
pub fn require(
    path: &Path,
    tolerate: &[Code],
    err: &mut dyn Write,
) -> Result<(Project, Registry), Failure> {
    let mut project = open(path, tolerate)?;
    let shown: Vec<_> = project.notes().into_iter().cloned().collect();
    match project.registry.take() {
        Some(reg) => {
            registry_warnings(&project.registry_name, &shown, err);
            Ok((project, reg))
        }
        None => {
            let _ = write!(err, "{}", report::render(Format::Human, &shown, 1));
            Err(Failure {
                exit: Exit::Problems,
                message: format!("{} has errors; nothing was done", project.registry_name),
            })
        }
    }
}

/// The warnings of a usable registry, for a command other than `validate`: `handoff:
/// subjects.toml has 2 warnings; `handoff validate` shows them` (the diagnostics themselves
/// with `-v`; nothing with `-q`).
pub fn registry_warnings(name: &str, warnings: &[Diagnostic], err: &mut dyn Write) {
    if warnings.is_empty() || crate::terminal::quiet() {
        return;
    }
    if crate::terminal::verbose() {
        let style = report::Style {
            color: false,
            summary: false,
        };
        let _ = write!(
            err,
            "{}",
            report::render_styled(Format::Human, warnings, 1, style)
        );
        return;
    }
    let n = warnings.len();
    let (noun, them) = if n == 1 {
        ("warning", "it")
    } else {
        ("warnings", "them")
    };
    let _ = writeln!(
        err,
        "handoff: {name} has {n} {noun}; `handoff validate` shows {them} (or -v here)"
    );
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
