//! `handoff validate [PATHS…] [--format human|json|github|sarif] [--deny-warnings]`

use std::io::Write;
use std::path::Path;

use crate::cli::{CommandResult, Exit, Failure, ValidateArgs};
use crate::commands::load_registry;
use crate::report;
use crate::validate::{self, Options};

pub fn run(
    registry: &Path,
    args: ValidateArgs,
    out: &mut dyn Write,
    _err: &mut dyn Write,
) -> CommandResult {
    let (reg, diags) = load_registry(registry)?;
    let opts = Options {
        root: crate::generate::root_of(registry),
        paths: args.paths,
        templates: args.templates,
        freshness: !args.no_freshness,
    };
    let outcome =
        validate::validate(registry, reg.as_ref(), diags, &opts).map_err(Failure::tool)?;
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
