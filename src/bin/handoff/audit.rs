//! `handoff audit [--source DIR] [--format human|json|github|sarif] [--deny-warnings]`

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::{LINT_FORMATS, OutputFormat};

use handoff::audit::{self, config::SourceConfig};
use handoff::registry::Registry;
use handoff::report;

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The service's source folder (overrides `[source] root`).
    #[arg(long, value_name = "DIR")]
    pub source: Option<PathBuf>,
    #[arg(long, default_value = "human", value_parser = OutputFormat::only(LINT_FORMATS))]
    pub format: OutputFormat,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

pub fn run(registry: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> CommandResult {
    let (project, reg) = crate::options::require(registry, &[], err)?;
    let Some((root, cfg)) = source_root(&project.root, &reg, args.source.as_deref()) else {
        return Err(Failure::usage(format!(
            "no source to audit: add a `[source]` table with `root` to {} or pass --source DIR",
            project.registry_name
        )));
    };
    let mut outcome = audit::audit(&reg, &root, &cfg).map_err(|e| Failure::tool(e.0))?;
    reg.lint.apply(&mut outcome.diagnostics);
    write!(
        out,
        "{}",
        report::render_styled(
            args.format.report(),
            &outcome.diagnostics,
            outcome.files_checked,
            crate::terminal::style(),
        )
    )?;
    let summary = report::summarize(&outcome.diagnostics, outcome.files_checked);
    // GitHub output is annotations alone on stdout; its summary goes to stderr (the job log).
    if matches!(args.format, OutputFormat::Github) && !crate::terminal::quiet() {
        let _ = writeln!(err, "{}", report::summary_line(summary));
    }
    Ok(
        if summary.errors > 0 || (args.deny_warnings && summary.warnings > 0) {
            Exit::Problems
        } else {
            Exit::Clean
        },
    )
}

/// The source folder to audit and its configuration: `--source` over `[source] root`
/// (relative to the registry's folder).
pub fn source_root(
    project_root: &Path,
    reg: &Registry,
    over: Option<&Path>,
) -> Option<(PathBuf, SourceConfig)> {
    match (over, &reg.source) {
        (Some(dir), Some(cfg)) => Some((dir.to_path_buf(), cfg.clone())),
        (Some(dir), None) => Some((
            dir.to_path_buf(),
            SourceConfig::with_root(&dir.to_string_lossy()),
        )),
        (None, Some(cfg)) => Some((project_root.join(&cfg.root.value), cfg.clone())),
        (None, None) => None,
    }
}
