//! `handoff validate [PATHS…] [--format human|json|github|sarif] [--deny-warnings]
//! [--workspace FILE]`: one registry, or a workspace of several (`--registry` given more than
//! once, `--workspace FILE`, or `handoff.toml` in the working folder when no `--registry` is
//! given).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::{LINT_FORMATS, OutputFormat};

use handoff::report;
use handoff::validate::{self, Options, Outcome};
use handoff::workspace::{self, Workspace};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Definition files or folders to check (default: the registry's definitions folder).
    pub paths: Vec<PathBuf>,
    #[arg(long, default_value = "human", value_parser = OutputFormat::only(LINT_FORMATS))]
    pub format: OutputFormat,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Templates folder, as for generate (used by the freshness check).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Skip the check that generated files are current.
    #[arg(long)]
    pub no_freshness: bool,
    /// A workspace file listing several registries (default: `handoff.toml` in the working
    /// folder, when no `--registry` is given).
    #[arg(long, value_name = "FILE")]
    pub workspace: Option<PathBuf>,
}

pub fn run(
    registries: &[PathBuf],
    args: Args,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> CommandResult {
    // A path that does not exist is a bad argument, not a failure of the tool.
    if let Some(missing) = args.paths.iter().find(|p| !p.exists()) {
        return Err(Failure::usage(format!(
            "{}: no such file or folder",
            missing.display()
        )));
    }
    let discovered = discover(&args.paths);
    let discovered = discovered.as_path();
    let ws = match (&args.workspace, registries) {
        (Some(_), [_, ..]) => {
            return Err(Failure::usage(
                "give the registries either with --registry or in the --workspace file, not both",
            ));
        }
        (Some(file), []) => Some(load_workspace(file)?),
        (None, [_, _, ..]) => Some((Workspace::from_registries(registries), Vec::new())),
        (None, []) if discovered.is_file() => Some(load_workspace(discovered)?),
        (None, _) => None,
    };
    if let Some((ws, diags)) = ws {
        if crate::terminal::verbose() {
            let how = match (&args.workspace, registries) {
                (Some(file), _) => format!("the workspace {} (--workspace)", file.display()),
                (None, []) => format!("the workspace {}", discovered.display()),
                (None, _) => crate::options::origin_words().to_string(),
            };
            let names: Vec<String> = ws
                .members
                .iter()
                .map(|m| m.path.display().to_string())
                .collect();
            let _ = writeln!(err, "handoff: registries {} ({how})", names.join(", "));
        }
        let opts = workspace::Options {
            paths: args.paths,
            templates: args.templates,
            freshness: !args.no_freshness,
        };
        let outcome = workspace::validate(&ws, diags, &opts).map_err(Failure::tool)?;
        return finish(&outcome, args.format, args.deny_warnings, out, err);
    }
    let registry = crate::options::single(registries, "validate", err)?;
    let registry = registry.as_path();
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
        // The registry's `[lint]` table covers the audit's codes too.
        reg.lint.apply(&mut outcome.diagnostics);
        handoff::diagnostic::sort(&mut outcome.diagnostics);
    }
    finish(&outcome, args.format, args.deny_warnings, out, err)
}

/// The workspace file beside the definitions: `handoff.toml` in the working folder, or beside
/// the first folder given as PATHS.
fn discover(paths: &[PathBuf]) -> PathBuf {
    let here = PathBuf::from(workspace::FILE_NAME);
    if here.is_file() {
        return here;
    }
    paths
        .first()
        .filter(|p| p.is_dir())
        .and_then(|p| p.parent())
        .map(|parent| parent.join(workspace::FILE_NAME))
        .filter(|f| f.is_file())
        .unwrap_or(here)
}

fn load_workspace(
    file: &Path,
) -> Result<(Workspace, Vec<handoff::diagnostic::Diagnostic>), Failure> {
    Workspace::load(file).map_err(Failure::tool)
}

/// Chooses the exit code, then renders the outcome. The verdict stands when the reader has left
/// (`| head -1`); any other failed write is a lost report (exit 3).
fn finish(
    outcome: &Outcome,
    format: OutputFormat,
    deny_warnings: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> CommandResult {
    let summary = report::summarize(&outcome.diagnostics, outcome.files_checked);
    let verdict = if summary.errors > 0 || (deny_warnings && summary.warnings > 0) {
        Exit::Problems
    } else {
        Exit::Clean
    };
    let text = report::render_styled(
        format.report(),
        &outcome.diagnostics,
        outcome.files_checked,
        crate::terminal::style(),
    );
    // GitHub output is annotations alone on stdout; its summary goes to stderr (the job log).
    if matches!(format, OutputFormat::Github) && !crate::terminal::quiet() {
        let _ = writeln!(err, "{}", report::summary_line(summary));
    }
    match out.write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(verdict),
    }
}
