//! `handoff import crontab FILE [--system] [--write]` and
//! `handoff import systemd UNIT.timer [UNIT.service] [--write]`

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args as ClapArgs, Subcommand};

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::{read, require_registry};
use handoff::import::{self, Found, Placement};
use handoff::project::display_path;
use handoff::report::{self, Format};
use handoff::source::SourceFile;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import a crontab file.
    Crontab(CrontabArgs),
    /// Import a systemd timer (and its service).
    Systemd(SystemdArgs),
}

#[derive(Debug, ClapArgs)]
pub struct CrontabArgs {
    pub file: PathBuf,
    /// The system crontab form (/etc/crontab, /etc/cron.d): a user field before the command.
    #[arg(long)]
    pub system: bool,
    /// The machine's local time zone, which jobs without CRON_TZ ran in (default: assume UTC,
    /// noted). `--timezone` is an older spelling.
    #[arg(long = "tz", visible_alias = "timezone", value_name = "ZONE")]
    pub tz: Option<String>,
    /// Add the entries to the registry instead of printing them.
    #[arg(long)]
    pub write: bool,
    /// Namespace of the drafted definition names, `<namespace>.<job>` (default: the one the
    /// registry's migrations share, else `imported`).
    #[arg(long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
}

#[derive(Debug, ClapArgs)]
pub struct SystemdArgs {
    /// The .timer unit.
    pub timer: PathBuf,
    /// The .service unit (default: the timer's Unit=, or the same name beside it).
    pub service: Option<PathBuf>,
    /// The machine's local time zone, which OnCalendar= without a zone ran in (default: assume
    /// UTC, noted). `--timezone` is an older spelling.
    #[arg(long = "tz", visible_alias = "timezone", value_name = "ZONE")]
    pub tz: Option<String>,
    /// Add the entry to the registry instead of printing it.
    #[arg(long)]
    pub write: bool,
    /// Namespace of the drafted definition name, as for `import crontab`.
    #[arg(long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
}

pub fn run(
    registry: &Path,
    command: Command,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> CommandResult {
    let reg = require_registry(registry, err)?;
    let namespace = match &command {
        Command::Crontab(a) => a.namespace.clone(),
        Command::Systemd(a) => a.namespace.clone(),
    };
    let namespace = match namespace {
        Some(ns) if handoff::registry::is_definition_name(&format!("{ns}.job")) => ns,
        Some(ns) => {
            return Err(Failure::usage(format!(
                "--namespace `{ns}` is not a definition namespace (lowercase letters, digits and dashes)"
            )));
        }
        None => import::default_namespace(&reg),
    };
    let timezone = match &command {
        Command::Crontab(a) => a.tz.clone(),
        Command::Systemd(a) => a.tz.clone(),
    };
    if let Some(tz) = &timezone
        && let Err(f) = handoff::cron::parse_timezone(tz)
    {
        return Err(Failure::usage(format!("--tz `{tz}`: {}", f.message)));
    }
    let (found, write) = match command {
        Command::Crontab(a) => {
            let file = SourceFile::new(display_path(&a.file), read(&a.file)?);
            (
                import::crontab::read(&file, a.system, timezone.as_deref()),
                a.write,
            )
        }
        Command::Systemd(a) => {
            let timer = SourceFile::new(display_path(&a.timer), read(&a.timer)?);
            let service_path = match a.service {
                Some(p) => Some(p),
                None => service_beside(&a.timer, &timer.text),
            };
            let service = match &service_path {
                Some(p) => Some(SourceFile::new(display_path(p), read(p)?)),
                None => None,
            };
            (
                import::systemd::read(&timer, service.as_ref(), timezone.as_deref()),
                a.write,
            )
        }
    };
    finish(registry, &reg, found, &namespace, write, out, err)
}

/// The service a timer activates: its `Unit=`, else the timer's own name with `.service`,
/// looked up beside the timer.
fn service_beside(timer: &Path, text: &str) -> Option<PathBuf> {
    let unit = import::systemd::Unit::parse(text);
    let name = unit.last("Timer", "Unit").unwrap_or_else(|| {
        let stem = timer.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        format!("{stem}.service")
    });
    let path = timer.parent().unwrap_or(Path::new(".")).join(name);
    path.is_file().then_some(path)
}

fn finish(
    registry: &Path,
    reg: &handoff::registry::Registry,
    found: Found,
    namespace: &str,
    write: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> CommandResult {
    if !found.problems.is_empty() {
        let _ = write!(err, "{}", report::render(Format::Human, &found.problems, 1));
    }
    let placements = import::place(reg, &found.jobs, namespace);
    let mut entries = Vec::new();
    for (job, placement) in found.jobs.iter().zip(&placements) {
        match placement {
            Placement::Existing(name) => {
                let _ = writeln!(
                    err,
                    "handoff: {} is already in the registry as migration `{name}`; not imported again",
                    job.origin
                );
            }
            Placement::Repeated(name) => {
                let _ = writeln!(
                    err,
                    "handoff: {} repeats the job imported as `{name}`; imported once",
                    job.origin
                );
            }
            Placement::New(name) => entries.push(import::entry(job, name, namespace)),
        }
    }
    let already = placements
        .iter()
        .filter(|p| !matches!(p, Placement::New(_)))
        .count();
    if entries.is_empty() {
        // Everything importable is in the registry already: importing again is a no-op.
        if already > 0 {
            return Ok(Exit::Clean);
        }
        let _ = writeln!(err, "handoff: nothing could be imported");
        return Ok(Exit::Problems);
    }
    let text = entries.join("\n");
    if !write {
        write!(out, "{text}")?;
        let _ = writeln!(
            err,
            "handoff: {} migration entr{} (add them with --write)",
            entries.len(),
            if entries.len() == 1 { "y" } else { "ies" }
        );
    } else {
        let current = read(registry)?;
        let updated = import::write::insert(&current, &text)
            .map_err(|e| Failure::tool(format!("cannot parse {}: {e}", display_path(registry))))?;
        // Only write a registry that still loads.
        let (ok, diags) = handoff::validate::load_registry(SourceFile::new(
            display_path(registry),
            updated.clone(),
        ));
        if ok.is_none() {
            let _ = write!(err, "{}", report::render(Format::Human, &diags, 1));
            return Err(Failure::tool(
                "the imported entries would make the registry invalid; nothing was written",
            ));
        }
        handoff::generate::write_atomic(registry, &updated).map_err(Failure::tool)?;
        writeln!(
            out,
            "added {} migration entr{} to {}; run `handoff generate` to draft the definitions",
            entries.len(),
            if entries.len() == 1 { "y" } else { "ies" },
            display_path(registry)
        )?;
    }
    // Lines that could not be imported were reported; exit 1 is for "nothing imported".
    Ok(Exit::Clean)
}
