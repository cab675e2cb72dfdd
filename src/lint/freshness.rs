//! Freshness of generated files, as `generate --check` reports it.

use std::path::Path;

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
    let mut out: Vec<Diagnostic> = Vec::new();
    for d in generated_problems(reg, &opts.root, opts.templates.as_deref())? {
        // A definition file that cannot be read is already reported by the walk.
        if d.code == Code::Io
            && reported
                .iter()
                .chain(out.iter())
                .any(|r| r.code == Code::Io && r.file == d.file)
        {
            continue;
        }
        out.push(d);
    }
    Ok(out)
}

/// Every stale, orphaned or unreadable generated file of one registry whose generated paths are
/// relative to `root`, as `generate --check` sees them (a workspace checks its registries with
/// it too).
pub(crate) fn generated_problems(
    reg: &Registry,
    root: &Path,
    templates: Option<&Path>,
) -> Result<Vec<Diagnostic>, String> {
    let templates = crate::render::override_dir(templates, root);
    let generator = generate::Generator::new(reg, templates.as_deref())?;
    let mut out = Vec::new();
    for o in generate::check(root, &generator)? {
        if !o.outcome.is_problem() {
            continue;
        }
        let shown = crate::project::display_path(&root.join(&o.path));
        out.push(
            Diagnostic::file_level(code_of(&o.outcome), shown, o.message())
                .with_help(o.outcome.help()),
        );
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
