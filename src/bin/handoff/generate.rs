//! `handoff generate [--check] [--force] [--templates DIR]`

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::require;
use handoff::generate::{self, Outcome};

#[derive(Debug, ClapArgs)]
pub struct Args {
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

pub fn run(registry: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> CommandResult {
    let (project, reg) = require(registry, &[], err)?;
    let root = project.root;
    let templates = handoff::render::override_dir(args.templates.as_deref(), &root);
    let artifacts = generate::artifacts(&reg, templates.as_deref()).map_err(Failure::tool)?;
    let outcomes = if args.check {
        generate::check(&root, &artifacts)
    } else {
        generate::write(&root, &artifacts, args.force)
    }
    .map_err(Failure::tool)?;

    let mut problems = 0;
    for o in &outcomes {
        let shown = root.join(&o.path);
        let shown = handoff::project::display_path(&shown);
        match o.outcome {
            Outcome::Unchanged => {}
            Outcome::Written => {
                let _ = writeln!(out, "wrote {shown}");
            }
            other => {
                if other.is_problem() {
                    problems += 1;
                }
                let _ = writeln!(out, "{shown}: {}", other.describe());
            }
        }
    }
    let written = outcomes
        .iter()
        .filter(|o| o.outcome == Outcome::Written)
        .count();
    if args.check {
        if problems == 0 {
            let _ = writeln!(
                err,
                "handoff: {} generated files are current",
                outcomes.len()
            );
        } else {
            let _ = writeln!(
                err,
                "handoff: {problems} of {} generated files are not current; run `handoff generate`",
                outcomes.len()
            );
        }
    } else {
        let _ = writeln!(
            err,
            "handoff: {written} written, {} unchanged, {problems} not overwritten",
            outcomes
                .iter()
                .filter(|o| o.outcome == Outcome::Unchanged)
                .count()
        );
    }
    Ok(if problems > 0 {
        Exit::Problems
    } else {
        Exit::Clean
    })
}
