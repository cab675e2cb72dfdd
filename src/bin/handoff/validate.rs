//! `handoff validate [PATHS…] [--format human|json|github|sarif] [--deny-warnings]`

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::FormatArg;

use handoff::report;
use handoff::validate::{self, Options};

#[derive(Debug, ClapArgs)]
pub struct Args {
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

pub fn run(
    registry: &Path,
    args: Args,
    out: &mut dyn Write,
    _err: &mut dyn Write,
) -> CommandResult {
    let project = crate::options::open(registry, &[])?;
    let opts = Options {
        root: project.root.clone(),
        paths: args.paths,
        templates: args.templates,
        freshness: !args.no_freshness,
    };
    let outcome = validate::validate(
        registry,
        project.registry.as_ref(),
        project.diagnostics,
        &opts,
    )
    .map_err(Failure::tool)?;
    let mut outcome = outcome;
    // With `[source]` configured and its folder present, the audit runs too: one CI command.
    if let Some(reg) = &project.registry
        && let Some((root, cfg)) = crate::audit::source_root(&project.root, reg, None)
        && root.is_dir()
    {
        let audited = handoff::audit::audit(reg, &root, &cfg).map_err(|e| Failure::tool(e.0))?;
        outcome.diagnostics.extend(audited.diagnostics);
        outcome.files_checked += audited.files_checked;
        handoff::diagnostic::sort(&mut outcome.diagnostics);
    }
    let format = args.format.into();
    let _ = write!(
        out,
        "{}",
        report::render(format, &outcome.diagnostics, outcome.files_checked)
    );
    let summary = report::summarize(&outcome.diagnostics, outcome.files_checked);
    Ok(
        if summary.errors > 0 || (args.deny_warnings && summary.warnings > 0) {
            Exit::Problems
        } else {
            Exit::Clean
        },
    )
}
