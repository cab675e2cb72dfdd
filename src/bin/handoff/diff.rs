//! `handoff diff --against REF [--definitions DIR]… [--format human|json|github|markdown]`:
//! the changes from an old registry (a file or a git revision) to the current one, classified
//! by rule (docs/breaking.md), the version policy, and the definitions each breaking change
//! affects. Exit 1 when the policy is violated, 0 otherwise.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::OutputFormat;
use handoff::codes::Code;
use handoff::diff::{self, git, render};
use handoff::registry;
use handoff::report::{self, Format};
use handoff::source::SourceFile;

/// The formats `diff` writes.
const DIFF_FORMATS: &[OutputFormat] = &[
    OutputFormat::Human,
    OutputFormat::Json,
    OutputFormat::Github,
    OutputFormat::Markdown,
];

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The old registry: a file, or a git revision (`main`, `HEAD~1`, `origin/main:path/subjects.toml`).
    #[arg(long, value_name = "REF")]
    pub against: String,
    /// Another folder of definitions to search for uses of what changed (repeatable).
    #[arg(long = "definitions", value_name = "DIR")]
    pub definitions: Vec<PathBuf>,
    #[arg(long, default_value = "human", value_parser = OutputFormat::only(DIFF_FORMATS))]
    pub format: OutputFormat,
}

pub fn run(registry: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> CommandResult {
    let project = crate::options::open(registry, &[])?;
    // A registry whose only errors are subjects outside its (narrowed) stream filter is still
    // compared, so the narrowing is reported by its rule; the errors make the diff fail.
    let lenient = [Code::SubjectOutsideStream];
    let new_has_errors = project.diagnostics.iter().any(|d| d.is_error());
    let new = match &project.registry {
        Some(r) => Some(r.clone()),
        None if project
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .all(|d| lenient.contains(&d.code)) =>
        {
            registry::load_tolerating(project.file.clone(), &lenient).0
        }
        None => None,
    };
    // Errors are why the diff fails: shown in full. Warnings alone belong to validate.
    if new_has_errors {
        let _ = write!(
            err,
            "{}",
            report::render(Format::Human, &project.diagnostics, 1)
        );
    } else {
        crate::options::registry_warnings(&project.registry_name, &project.diagnostics, err);
    }
    let Some(new) = new else {
        return Err(Failure {
            exit: Exit::Problems,
            message: format!("{} has errors; nothing was compared", project.registry_name),
        });
    };
    let old = git::read(&args.against, registry).map_err(|e| match e {
        git::Error::NotFound(m) => Failure::usage(m),
        git::Error::Failed(m) => Failure::tool(m),
    })?;
    let (old_reg, diags) = registry::load(SourceFile::new(old.name.clone(), old.text));
    let Some(old_reg) = old_reg else {
        let _ = write!(err, "{}", report::render(Format::Human, &diags, 1));
        return Err(Failure {
            exit: Exit::Problems,
            message: format!(
                "the old registry ({}) has errors; nothing was compared",
                old.name
            ),
        });
    };
    for d in &args.definitions {
        if !d.is_dir() {
            return Err(Failure::usage(format!(
                "--definitions {}: no such folder",
                d.display()
            )));
        }
    }
    let mut folders = vec![project.root.join(&new.output.definitions)];
    folders.extend(args.definitions);
    let result = diff::diff(old.name, &old_reg, &new, &folders);
    let format = match args.format {
        OutputFormat::Json => render::Format::Json,
        OutputFormat::Github => render::Format::Github,
        OutputFormat::Markdown => render::Format::Markdown,
        // Not in DIFF_FORMATS: sarif is refused by the parser.
        OutputFormat::Human | OutputFormat::Sarif => render::Format::Human,
    };
    write!(out, "{}", render::render(format, &result))?;
    Ok(if result.fails() || new_has_errors {
        Exit::Problems
    } else {
        Exit::Clean
    })
}
