//! `handoff generate [--check] [--force] [--prune] [--templates DIR]`

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::require;
use handoff::generate::{self, Outcome, WriteOptions};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Write nothing; list stale or missing files and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
    /// Overwrite files edited by hand.
    #[arg(long, conflicts_with = "check")]
    pub force: bool,
    /// Remove orphans: files generate wrote earlier that the registry no longer produces
    /// (unless edited by hand).
    #[arg(long, conflicts_with = "check")]
    pub prune: bool,
    /// Templates folder overriding the embedded templates (default: templates/ beside the registry).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

pub fn run(registry: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> CommandResult {
    let (project, reg) = require(registry, &[], err)?;
    let root = project.root;
    let templates = handoff::render::override_dir(args.templates.as_deref(), &root);
    let generator = generate::Generator::new(&reg, templates.as_deref()).map_err(Failure::tool)?;
    let outcomes = if args.check {
        generate::check(&root, &generator)
    } else {
        generate::write(
            &root,
            &generator,
            WriteOptions {
                force: args.force,
                prune: args.prune,
            },
        )
    }
    .map_err(Failure::tool)?;

    let count = |f: &dyn Fn(Outcome) -> bool| outcomes.iter().filter(|o| f(o.outcome)).count();
    // The lines are written at once: standard output is flushed at every line break, and a
    // fresh generate at 10,000 subjects has 10,000 lines to say.
    let mut report = String::new();
    for o in &outcomes {
        use std::fmt::Write as _;
        let shown = handoff::project::display_path(&root.join(&o.path));
        let _ = match o.outcome {
            Outcome::Unchanged => Ok(()),
            Outcome::Written => writeln!(report, "wrote {shown}"),
            Outcome::Pruned => writeln!(report, "removed {shown} (orphan)"),
            other => match other.help() {
                "" => writeln!(report, "{shown}: {}", o.message()),
                help => writeln!(report, "{shown}: {} ({help})", o.message()),
            },
        };
    }
    out.write_all(report.as_bytes())?;
    let failed = count(&|o| o == Outcome::Failed);
    let problems = count(&|o| o.is_problem());
    let kept = count(&|o| matches!(o, Outcome::KeptEdited | Outcome::Adopted));
    let orphans = count(&Outcome::is_orphan);
    let files = outcomes.len() - count(&|o| o.is_orphan() || o == Outcome::Pruned);
    let mut parts = Vec::new();
    if args.check {
        parts.push(format!(
            "{} of {files} generated files current",
            count(&|o| o == Outcome::Unchanged)
        ));
    } else {
        parts.push(format!("{} written", count(&|o| o == Outcome::Written)));
        parts.push(format!("{} unchanged", count(&|o| o == Outcome::Unchanged)));
    }
    if kept > 0 {
        parts.push(format!(
            "{kept} kept as their authors' (edited or adopted drafts)"
        ));
    }
    let not_current = problems - orphans - failed;
    if not_current > 0 {
        parts.push(format!(
            "{not_current} {}",
            if args.check {
                "not current"
            } else {
                "not overwritten"
            }
        ));
    }
    if orphans > 0 {
        parts.push(format!("{orphans} orphans"));
    }
    let pruned = count(&|o| o == Outcome::Pruned);
    if pruned > 0 {
        parts.push(format!("{pruned} orphans removed"));
    }
    if failed > 0 {
        parts.push(format!("{failed} not written"));
    }
    if !crate::terminal::quiet() {
        let _ = writeln!(err, "handoff: {}", parts.join(", "));
    }
    Ok(if failed > 0 {
        Exit::Failed
    } else if problems > 0 {
        Exit::Problems
    } else {
        Exit::Clean
    })
}
