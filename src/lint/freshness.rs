//! Freshness of generated files, as `generate --check` reports it.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::generate;
use crate::registry::Registry;

use super::Options;

/// Stale, orphaned or unreadable generated files. `reported` are the diagnostics found so far:
/// a file that cannot be read is reported once.
pub(super) fn check_freshness(
    reg: &Registry,
    opts: &Options,
    reported: &[Diagnostic],
) -> Result<Vec<Diagnostic>, String> {
    let templates = crate::render::override_dir(opts.templates.as_deref(), &opts.root);
    let artifacts = generate::artifacts(reg, templates.as_deref())?;
    let mut out: Vec<Diagnostic> = Vec::new();
    for o in generate::check(&opts.root, &artifacts) {
        if !o.outcome.is_problem() {
            continue;
        }
        let shown = crate::project::display_path(&opts.root.join(&o.path));
        let code = code_of(&o.outcome);
        // A definition file that cannot be read is already reported by the walk.
        if code == Code::Io
            && reported
                .iter()
                .chain(out.iter())
                .any(|d| d.code == Code::Io && d.file == shown)
        {
            continue;
        }
        out.push(Diagnostic::file_level(code, shown, o.message()).with_help(o.outcome.help()));
    }
    Ok(out)
}

fn code_of(outcome: &generate::Outcome) -> Code {
    match outcome {
        generate::Outcome::Orphan | generate::Outcome::OrphanEdited => Code::OrphanGenerated,
        generate::Outcome::NotUtf8 | generate::Outcome::Unreadable => Code::Io,
        _ => Code::StaleGenerated,
    }
}
