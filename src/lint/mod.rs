//! `validate`: the CI linter. Checks the registry, every definition file, the references
//! between them, parallel-run safety and the freshness of generated files, and returns every
//! problem as a [`Diagnostic`].
//!
//! One file per check: `files` finds and reads definition files, `cron` checks schedules and
//! time zones, `references` what definitions name, `rule` the rules against their triggers,
//! `names` definition names, `drift` definitions against the registry's plans, `parallel_run`
//! idempotency during the parallel run, `freshness` the generated files.

mod cron;
mod drift;
mod files;
mod freshness;
mod names;
mod parallel_run;
mod references;
mod rule;
mod suppress;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::definition::Definition;
use crate::diagnostic::{self, Diagnostic, Finding};
use crate::plan::DefinitionState;
use crate::registry::{self, Migration, Registry, Step};
use crate::source::SourceFile;

use files::Checked;
pub use files::definition_files;
pub(crate) use freshness::generated_problems;
use references::triggering_subjects;
use rule::RuleScope;

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The registry's folder; generated paths are relative to it.
    pub root: PathBuf,
    /// Definition files or folders; empty means the registry's definitions folder.
    pub paths: Vec<PathBuf>,
    pub templates: Option<PathBuf>,
    /// Whether to check that generated files are current.
    pub freshness: bool,
}

/// The result of a validate run.
#[derive(Debug, Default)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub files_checked: usize,
    /// Per definition name: missing, invalid or valid (for `plan`).
    pub definitions: BTreeMap<String, DefinitionState>,
}

/// Places a finding from inside a string value into the file. `exact` says whether the value's
/// span maps character for character onto the string; otherwise the whole value is pointed at.
pub fn place(file: &SourceFile, value_span: &Range<usize>, exact: bool, f: Finding) -> Diagnostic {
    let span = if exact {
        let start = (value_span.start + f.span.start).min(value_span.end);
        let end = (value_span.start + f.span.end)
            .min(value_span.end)
            .max(start);
        start..end
    } else {
        value_span.clone()
    };
    let mut d = file.diagnostic(f.code, span, f.message);
    d.help = f.help;
    d
}

/// Loads the registry and runs the checks that need the cron and rule engines on it.
pub fn load_registry(file: SourceFile) -> (Option<Registry>, Vec<Diagnostic>) {
    let (reg, mut diags) = registry::load(file.clone());
    let Some(reg) = reg else {
        return (None, diags);
    };
    let more: Vec<Diagnostic> = reg
        .migrations
        .iter()
        .flat_map(|m| check_plan(&file, &reg, m))
        .collect();
    let errors = more.iter().any(Diagnostic::is_error);
    diags.extend(more);
    if errors {
        (None, diags)
    } else {
        (Some(reg), diags)
    }
}

/// The checks of a migration's legacy schedule and definition plan in the registry.
fn check_plan(file: &SourceFile, reg: &Registry, m: &Migration) -> Vec<Diagnostic> {
    let plan = &m.definition;
    let trigger = &plan.trigger;
    let mut out = references::check_references(file, reg, &trigger.events, &plan.rule.requires);
    if let Some(s) = &m.legacy.schedule {
        out.extend(cron::check_cron(file, s, true, None));
    }
    let tz_ok = cron::check_timezone(file, &trigger.timezone, true, &mut out);
    if let Some(c) = &trigger.cron {
        out.extend(cron::check_cron(file, c, true, tz_ok.as_ref()));
    }
    let scope = RuleScope {
        file,
        when: &plan.rule.when,
        exact: true,
        triggers: triggering_subjects(reg, trigger.event_values().into_iter()),
        has_cron: trigger.cron.is_some(),
        has_events: !trigger.events.is_empty(),
        requires: Some(plan.rule.required_names()),
    };
    out.extend(scope.check());
    out
}

/// The checks of one parsed definition that need only the registry.
pub fn check_definition(
    file: &SourceFile,
    stem: &str,
    def: &Definition,
    registry: Option<&Registry>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(name) = &def.name
        && name.value != stem
    {
        out.push(names::name_mismatch(file, name, stem));
    }
    let trigger = &def.trigger;
    if let Some(c) = &trigger.cron {
        let tz = cron::check_timezone(file, &trigger.timezone, true, &mut out);
        out.extend(cron::check_cron(file, c, def.cron_exact, tz.as_ref()));
    }
    let Some(reg) = registry else {
        // Without a valid registry, the rule can still be parsed.
        if let Some(when) = &def.rule.when
            && let Err(f) = crate::rule::analyze(when)
        {
            out.push(place(file, &when.span, def.when_exact, f));
        }
        return out;
    };
    out.extend(references::check_references(
        file,
        reg,
        &trigger.events,
        &def.rule.requires,
    ));
    if let Some(when) = &def.rule.when {
        let scope = RuleScope {
            file,
            when,
            exact: def.when_exact,
            triggers: triggering_subjects(reg, trigger.event_values().into_iter()),
            has_cron: trigger.cron.is_some(),
            has_events: !trigger.events.is_empty(),
            requires: def.requires_known.then(|| def.rule.required_names()),
        };
        out.extend(scope.check());
    }
    out.extend(references::check_migration(
        file,
        reg,
        def.migration.as_ref(),
    ));
    out
}

/// Validates definitions against a registry (already loaded: its diagnostics are passed in).
pub fn validate(
    registry_path: &Path,
    registry: Option<&Registry>,
    registry_diags: Vec<Diagnostic>,
    opts: &Options,
) -> Result<Outcome, String> {
    let _ = registry_path;
    let files = definition_files(&definition_paths(registry, opts))?;
    let checked = files::check_files(&files, registry);
    let mut out = Outcome {
        diagnostics: registry_diags,
        files_checked: 1 + files.len(),
        ..Outcome::default()
    };
    out.diagnostics
        .extend(checked.iter().flat_map(|c| c.diags.iter().cloned()));
    let (by_name, duplicates) = names::by_name(&checked);
    out.diagnostics.extend(duplicates);
    out.definitions = checked.iter().map(|c| c.state.clone()).collect();
    if let Some(reg) = registry {
        check_migrations(reg, &by_name, opts.paths.is_empty(), &mut out);
        if opts.freshness {
            let stale = freshness::check_freshness(reg, opts, &out.diagnostics)?;
            out.diagnostics.extend(stale);
        }
    }
    drop(by_name);
    let comments = checked
        .into_iter()
        .filter_map(|c| c.comments.map(|c| *c))
        .collect();
    suppress::apply(comments, registry, &mut out.diagnostics);
    diagnostic::sort(&mut out.diagnostics);
    Ok(out)
}

/// The paths given, or else the registry's definitions folder when it exists.
fn definition_paths(registry: Option<&Registry>, opts: &Options) -> Vec<PathBuf> {
    if !opts.paths.is_empty() {
        return opts.paths.clone();
    }
    let dir = match registry {
        Some(r) => opts.root.join(&r.output.definitions),
        None => opts.root.join("definitions"),
    };
    if dir.is_dir() { vec![dir] } else { Vec::new() }
}

/// Each migration against its definition file: the file must exist (when the whole folder is
/// checked), must not drift from the plan, and must be safe to run in parallel once the
/// migration is at its parallel run.
fn check_migrations(
    reg: &Registry,
    by_name: &HashMap<&str, &Checked>,
    whole_folder: bool,
    out: &mut Outcome,
) {
    for m in &reg.migrations {
        let name = m.definition.name.as_str();
        match by_name.get(name) {
            None => {
                if whole_folder && !out.definitions.contains_key(name) {
                    out.definitions
                        .insert(name.to_string(), DefinitionState::Missing);
                    out.diagnostics.push(names::missing_definition(reg, m));
                }
            }
            // Comparing with the registry waits until the definition's shape is right: a
            // field left unread by a shape error would only differ falsely.
            Some(c) if !c.shape_ok => {}
            Some(c) => {
                let Some((file, def)) = c.kept.as_deref() else {
                    continue;
                };
                out.diagnostics.extend(drift::drift(file, def, m));
                if m.cutover.at_or_past(Step::ParallelRun) {
                    out.diagnostics
                        .extend(parallel_run::parallel_run(&reg.file, file, def, m));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Code;

    #[test]
    fn place_maps_inner_spans() {
        let f = SourceFile::new("d.yaml", "schedule: \"0 0 32 * *\"\n");
        let d = place(
            &f,
            &(11..21),
            true,
            Finding::new(Code::CronOutOfRange, 4..6, "x"),
        );
        assert_eq!((d.line, d.column, d.end_column), (1, 16, 18));
    }
}
