//! `validate`: the CI linter. Checks the registry, every definition file, the references
//! between them, parallel-run safety and the freshness of generated files, and returns every
//! problem as a [`Diagnostic`].

use crate::codes::Code;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::cron;
use crate::definition::{self, Definition};
use crate::diagnostic::{self, Diagnostic, Finding};
use crate::generate;
use crate::plan::DefinitionState;
use crate::registry::{self, AttrType, Instruction, Registry, Step, Subject};
use crate::rule::{self, ValueType};
use crate::source::{SourceFile, did_you_mean};

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
    let mut more = Vec::new();
    for m in &reg.migrations {
        more.extend(check_references(
            &file,
            &reg,
            &m.definition.events,
            &m.definition.requires,
        ));
        if let Some(s) = &m.legacy.schedule {
            more.extend(check_cron(&file, s, true, None));
        }
        let tz_ok = check_timezone(&file, &m.definition.timezone, true, &mut more);
        if let Some(c) = &m.definition.cron {
            more.extend(check_cron(&file, c, true, tz_ok.as_ref()));
        }
        let when = &m.definition.when;
        let triggers =
            triggering_subjects(&reg, m.definition.events.iter().map(|e| e.value.as_str()));
        let requires: Vec<&str> = m
            .definition
            .requires
            .iter()
            .map(|r| r.value.as_str())
            .collect();
        more.extend(check_rule(
            &file,
            when,
            true,
            &triggers,
            m.definition.cron.is_some(),
            !m.definition.events.is_empty(),
            &requires,
        ));
    }
    let errors = more.iter().any(Diagnostic::is_error);
    diags.extend(more);
    if errors {
        (None, diags)
    } else {
        (Some(reg), diags)
    }
}

fn check_timezone(
    file: &SourceFile,
    tz: &crate::source::Spanned<String>,
    exact: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<jiff::tz::TimeZone> {
    match cron::parse_timezone(tz) {
        Ok(z) => Some(z),
        Err(f) => {
            diags.push(place(file, &tz.span, exact, f));
            None
        }
    }
}

/// Checks a cron expression; with a time zone, also warns about fixed times in DST gaps/overlaps.
fn check_cron(
    file: &SourceFile,
    expr: &crate::source::Spanned<String>,
    exact: bool,
    tz: Option<&jiff::tz::TimeZone>,
) -> Vec<Diagnostic> {
    let span = expr.span.clone();
    match cron::parse(expr) {
        Err(findings) => findings
            .into_iter()
            .map(|f| place(file, &span, exact, f))
            .collect(),
        Ok(parsed) => {
            let mut out: Vec<Diagnostic> = parsed
                .warnings
                .into_iter()
                .map(|f| place(file, &span, exact, f))
                .collect();
            if let Some(tz) = tz {
                for f in parsed.schedule.dst_findings(tz, crate::clock::now(), 1) {
                    out.push(place(file, &span, exact, f));
                }
            }
            out
        }
    }
}

/// The registered subjects an event trigger list can deliver.
fn triggering_subjects<'r>(
    reg: &'r Registry,
    events: impl Iterator<Item = &'r str>,
) -> Vec<&'r Subject> {
    let mut out: Vec<&Subject> = Vec::new();
    for e in events {
        for s in reg.matching(e) {
            if !out.iter().any(|x| std::ptr::eq(*x, s)) {
                out.push(s);
            }
        }
    }
    out
}

/// Checks a rule's `when` against the subjects that can trigger it.
fn check_rule(
    file: &SourceFile,
    when: &crate::source::Spanned<String>,
    exact: bool,
    triggers: &[&Subject],
    has_cron: bool,
    has_events: bool,
    requires: &[&str],
) -> Vec<Diagnostic> {
    let analysis = match rule::analyze(when) {
        Ok(a) => a,
        Err(f) => return vec![place(file, &when.span, exact, f)],
    };
    let mut out = Vec::new();
    let guarded = analysis.paths.iter().any(|p| p.presence_test);
    let at = |span: &Range<usize>| -> Range<usize> {
        if exact {
            when.span.start + span.start..when.span.start + span.end
        } else {
            when.span.clone()
        }
    };
    for p in &analysis.paths {
        if p.path.first().map(String::as_str) == Some("event") {
            if has_events && triggers.is_empty() {
                // Its event subjects are unregistered (reported on their own): nothing to check.
                continue;
            }
            if triggers.is_empty() || (has_cron && !guarded) {
                let message = if triggers.is_empty() {
                    "the rule reads `event`, but the definition has only a cron trigger: there is no event when it fires".to_string()
                } else {
                    "the rule reads `event`, but the cron trigger fires without an event"
                        .to_string()
                };
                out.push(
                    file.diagnostic(Code::CronReadsEvent, at(&p.span), message)
                        .with_help("guard it with `has(event.attributes.x)`, move it to an event-only definition, or read `context` instead"),
                );
                if triggers.is_empty() {
                    continue;
                }
            }
            if let Some(field) = p.path.get(1)
                && !crate::envelope::FIELDS.contains(&field.as_str())
            {
                out.push(
                    file.diagnostic(
                        Code::UnknownEnvelopeField,
                        at(&p.span),
                        format!("the envelope has no field `{field}`"),
                    )
                    .with_help(
                        match did_you_mean(field, crate::envelope::FIELDS.iter().copied()) {
                            Some(f) => format!("did you mean `event.{f}`?"),
                            None => format!(
                                "its fields are {}; attributes are under `event.attributes`",
                                crate::envelope::FIELDS.join(", ")
                            ),
                        },
                    ),
                );
                continue;
            }
            let Some(attr) = rule::attribute_name(&p.path) else {
                continue;
            };
            for s in triggers {
                match s.attribute(attr) {
                    None => {
                        let known: Vec<&str> =
                            s.attributes.iter().map(|a| a.name.as_str()).collect();
                        out.push(
                            file.diagnostic(
                                Code::UnknownAttribute,
                                at(&p.span),
                                format!("`{}` has no attribute `{attr}`", s.subject.value),
                            )
                            .with_help(
                                match did_you_mean(attr, known.iter().copied()) {
                                    Some(k) => format!("did you mean `{k}`?"),
                                    None => format!("its attributes are: {}", known.join(", ")),
                                },
                            ),
                        );
                    }
                    Some(a) => {
                        for c in &p.compared_with {
                            if !rule::compatible(a.ty.name(), c.literal_type) {
                                out.push(
                                    file.diagnostic(
                                        Code::AttributeType,
                                        at(&c.span),
                                        format!(
                                            "`{attr}` is {} on `{}`, but is compared with {} {}",
                                            article(a.ty.name()),
                                            s.subject.value,
                                            article(c.literal_type.name()),
                                            c.literal_text
                                        ),
                                    )
                                    .with_help(suggest_literal(&a.ty, &c.literal_text)),
                                );
                            } else if let (AttrType::Enum(values), ValueType::String) =
                                (&a.ty, c.literal_type)
                            {
                                let lit = c.literal_text.trim_matches(|ch| ch == '"' || ch == '\'');
                                if !values.iter().any(|v| v == lit) {
                                    out.push(
                                        file.diagnostic(
                                            Code::EnumValue,
                                            at(&c.span),
                                            format!(
                                                "`{attr}` on `{}` is never {}",
                                                s.subject.value, c.literal_text
                                            ),
                                        )
                                        .with_help(
                                            match did_you_mean(
                                                lit,
                                                values.iter().map(String::as_str),
                                            ) {
                                                Some(v) => format!("did you mean \"{v}\"?"),
                                                None => {
                                                    format!("its values are: {}", values.join(", "))
                                                }
                                            },
                                        ),
                                    );
                                }
                            }
                        }
                    }
                }
            }
        } else if let Some(name) = rule::context_name(&p.path)
            && !requires.contains(&name)
            && !p.presence_test
        {
            out.push(
                file.diagnostic(
                    Code::UnrequiredContext,
                    at(&p.span),
                    format!("the rule reads context `{name}` but does not list it in `requires`"),
                )
                .with_help(format!(
                    "add `{name}` to `requires` so the rule skips cleanly when it is absent"
                )),
            );
        }
    }
    out
}

fn article(word: &str) -> String {
    let an = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {word}", if an { "an" } else { "a" })
}

fn suggest_literal(ty: &AttrType, literal: &str) -> String {
    let bare = literal.trim_matches(|c| c == '"' || c == '\'');
    match ty {
        AttrType::Integer if bare.parse::<i64>().is_ok() => {
            format!("compare with the number {bare}, without quotes")
        }
        AttrType::Boolean if bare == "true" || bare == "false" => {
            format!("compare with {bare}, without quotes")
        }
        AttrType::String | AttrType::Uuid | AttrType::Timestamp | AttrType::Enum(_) => {
            format!("compare with the string \"{bare}\"")
        }
        _ => format!("compare with {}", ty.expectation()),
    }
}

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

struct Checked {
    path: String,
    stem: String,
    file: SourceFile,
    definition: Option<Definition>,
    diags: Vec<Diagnostic>,
}

/// Lists the YAML files under the given paths, sorted.
pub fn definition_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut files).map_err(|e| format!("cannot list {}: {e}", p.display()))?;
        } else if p.exists() {
            files.push(p.clone());
        } else {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) && !crate::testcase::is_case_file(&path)
        {
            // Case files (`*.test.yaml`) beside the definitions are `handoff test`'s.
            files.push(path);
        }
    }
    Ok(())
}

/// Validates definitions against a registry (already loaded: its diagnostics are passed in).
pub fn validate(
    registry_path: &Path,
    registry: Option<&Registry>,
    registry_diags: Vec<Diagnostic>,
    opts: &Options,
) -> Result<Outcome, String> {
    let mut out = Outcome {
        diagnostics: registry_diags,
        files_checked: 1,
        ..Outcome::default()
    };
    let whole_folder = opts.paths.is_empty();
    let paths = if whole_folder {
        let dir = match registry {
            Some(r) => opts.root.join(&r.output.definitions),
            None => opts.root.join("definitions"),
        };
        if dir.is_dir() { vec![dir] } else { Vec::new() }
    } else {
        opts.paths.clone()
    };
    let files = definition_files(&paths)?;
    out.files_checked += files.len();

    // Files are checked in parallel; the workers get roomy stacks because the CEL parser
    // recurses deeply on nested expressions.
    let check_all = || -> Vec<Checked> {
        files
            .par_iter()
            .map(|path| check_file(path, registry))
            .collect()
    };
    let checked = match rayon::ThreadPoolBuilder::new()
        .stack_size(32 * 1024 * 1024)
        .build()
    {
        Ok(pool) => pool.install(check_all),
        Err(_) => check_all(),
    };

    // Cross-file checks: unique names, migration links, parallel-run safety.
    let mut by_name: HashMap<&str, &Checked> = HashMap::new();
    for c in &checked {
        out.diagnostics.extend(c.diags.iter().cloned());
        let Some(def) = &c.definition else { continue };
        if let Some(first) = by_name.get(def.name.as_str()) {
            out.diagnostics.push(
                c.file
                    .diagnostic(
                        Code::DuplicateName,
                        def.name.span.clone(),
                        format!(
                            "definition `{}` is also defined in {}",
                            def.name.value, first.path
                        ),
                    )
                    .with_help("names are unique across all definition files"),
            );
        } else {
            by_name.insert(def.name.as_str(), c);
        }
    }
    for c in &checked {
        let errors = c.diags.iter().filter(|d| d.is_error()).count();
        let name = c
            .definition
            .as_ref()
            .map_or_else(|| c.stem.clone(), |d| d.name.value.clone());
        out.definitions.insert(
            name,
            if errors == 0 && c.definition.is_some() {
                DefinitionState::Valid
            } else {
                DefinitionState::Invalid(errors.max(1))
            },
        );
    }

    if let Some(reg) = registry {
        let reg_file = &reg.file;
        for m in &reg.migrations {
            let name = m.definition.name.as_str();
            match by_name.get(name) {
                None => {
                    if whole_folder && !out.definitions.contains_key(name) {
                        out.definitions
                            .insert(name.to_string(), DefinitionState::Missing);
                        out.diagnostics.push(
                            reg_file
                                .diagnostic(
                                    Code::MigrationWithoutDefinition,
                                    m.definition.name.span.clone(),
                                    format!(
                                        "migration `{}` targets `{name}`, but {}/{name}.yaml does not exist",
                                        m.name.value, reg.output.definitions
                                    ),
                                )
                                .with_help("run `handoff generate` to draft it"),
                        );
                    }
                }
                Some(c) => {
                    let def = c.definition.as_ref().expect("indexed definitions parsed");
                    out.diagnostics.extend(drift(&c.file, def, m));
                    if m.cutover.at_or_past(Step::ParallelRun) {
                        out.diagnostics
                            .extend(parallel_run(reg_file, &c.file, def, m));
                    }
                }
            }
        }
        // Freshness of generated files, as `generate --check` reports it.
        if !opts.freshness {
            diagnostic::sort(&mut out.diagnostics);
            return Ok(out);
        }
        let templates = crate::render::override_dir(opts.templates.as_deref(), &opts.root);
        let artifacts = generate::artifacts(reg, templates.as_deref())?;
        for o in generate::check(&opts.root, &artifacts) {
            if !o.outcome.is_problem() {
                continue;
            }
            let shown = crate::project::display_path(&opts.root.join(&o.path));
            let code = match o.outcome {
                generate::Outcome::Orphan | generate::Outcome::OrphanEdited => {
                    Code::OrphanGenerated
                }
                generate::Outcome::NotUtf8 | generate::Outcome::Unreadable => Code::Io,
                _ => Code::StaleGenerated,
            };
            // A definition file that cannot be read is already reported by the walk above.
            if code == Code::Io
                && out
                    .diagnostics
                    .iter()
                    .any(|d| d.code == Code::Io && d.file == shown)
            {
                continue;
            }
            out.diagnostics
                .push(Diagnostic::file_level(code, shown, o.message()).with_help(o.outcome.help()));
        }
    }
    let _ = registry_path;
    diagnostic::sort(&mut out.diagnostics);
    Ok(out)
}

fn check_file(path: &Path, registry: Option<&Registry>) -> Checked {
    let shown = crate::project::display_path(path);
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            return Checked {
                file: SourceFile::new(shown.clone(), String::new()),
                diags: vec![Diagnostic::file_level(
                    Code::Io,
                    shown.clone(),
                    format!("cannot read: {e}"),
                )],
                path: shown,
                stem,
                definition: None,
            };
        }
    };
    let file = SourceFile::new(shown.clone(), text);
    let (def, mut diags) = definition::parse(&file);
    if let Some(def) = &def {
        diags.extend(check_definition(&file, &stem, def, registry));
    }
    Checked {
        path: shown,
        stem,
        file,
        definition: def,
        diags,
    }
}

/// The checks of one parsed definition that need only the registry.
pub fn check_definition(
    file: &SourceFile,
    stem: &str,
    def: &Definition,
    registry: Option<&Registry>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if def.name.value != stem {
        out.push(
            file.diagnostic(
                Code::NameMismatch,
                def.name.span.clone(),
                format!(
                    "definition `{}` is in a file named `{stem}.yaml`",
                    def.name.value
                ),
            )
            .with_help(format!(
                "rename the file to `{}.yaml`, or the definition to `{stem}`",
                def.name.value
            )),
        );
    }
    let tz = def
        .cron
        .as_ref()
        .and_then(|c| check_timezone(file, &c.timezone, true, &mut out));
    if let Some(c) = &def.cron {
        out.extend(check_cron(file, &c.schedule, c.exact, tz.as_ref()));
    }
    let Some(reg) = registry else {
        return out;
    };
    out.extend(check_references(file, reg, &def.events, &def.requires));
    if let Some(when) = &def.when {
        let triggers = triggering_subjects(reg, def.events.iter().map(|e| e.value.as_str()));
        let requires: Vec<&str> = def.requires.iter().map(|r| r.value.as_str()).collect();
        out.extend(check_rule(
            file,
            when,
            def.when_exact,
            &triggers,
            def.cron.is_some(),
            !def.events.is_empty(),
            &requires,
        ));
    }
    if let Some(m) = &def.migration
        && reg.migration(m).is_none()
    {
        let known: Vec<&str> = reg.migrations.iter().map(|m| m.name.as_str()).collect();
        out.push(
            file.diagnostic(
                Code::DefinitionWithoutMigration,
                m.span.clone(),
                format!("migration `{}` is not in the registry", m.value),
            )
            .with_help(match did_you_mean(m, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => {
                    "add the migration to the registry, or remove `metadata.migration`".to_string()
                }
            }),
        );
    }
    out
}

/// Event subjects must be registered (a pattern must match at least one) and lie inside the
/// stream's filter; required contexts must be declared. Shared by definition files and the
/// registry's own definition plans.
fn check_references(
    file: &SourceFile,
    reg: &Registry,
    events: &[crate::source::Spanned<String>],
    requires: &[crate::source::Spanned<String>],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for e in events {
        if reg.matching(e).is_empty() {
            let known: Vec<&str> = reg.subjects.iter().map(|s| s.subject.as_str()).collect();
            out.push(
                file.diagnostic(
                    Code::UnregisteredSubject,
                    e.span.clone(),
                    format!("event subject `{}` is not registered", e.value),
                )
                .with_help(match did_you_mean(e, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if e.contains(['*', '>']) => {
                        "the pattern matches no registered subject".to_string()
                    }
                    None => format!("register it in {} first (checklist step 3)", reg.file.path),
                }),
            );
        } else if !reg.in_stream(e) {
            out.push(
                file.diagnostic(
                    Code::SubjectOutsideStream,
                    e.span.clone(),
                    format!(
                        "`{}` reaches outside the stream's filter {:?}",
                        e.value, reg.stream.subjects
                    ),
                )
                .with_help("narrow the pattern to the stream's subjects"),
            );
        }
    }
    for r in requires {
        if reg.context(r).is_none() {
            let known: Vec<&str> = reg.contexts.iter().map(|c| c.name.as_str()).collect();
            out.push(
                file.diagnostic(
                    Code::UnknownContext,
                    r.span.clone(),
                    format!("context `{}` is not declared in the registry", r.value),
                )
                .with_help(match did_you_mean(r, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known contexts: {}", known.join(", ")),
                }),
            );
        }
    }
    out
}

/// Differences between a definition and its migration's plan in the registry, each at the
/// differing field with the value found there and the value the registry expects.
fn drift(file: &SourceFile, def: &Definition, m: &registry::Migration) -> Vec<Diagnostic> {
    let plan = &m.definition;
    let mut out = Vec::new();
    let mut differ = |what: &str, found: String, expected: String, span: Range<usize>| {
        out.push(
            file.diagnostic(
                Code::DefinitionDrift,
                span,
                format!(
                    "{what} is {found} here but {expected} in migration `{}` in the registry",
                    m.name.value
                ),
            )
            .with_help(
                "carry the change into the registry, so the docs and the cutover plan follow it",
            ),
        );
    };
    let shown = |v: Option<&str>| v.map_or_else(|| "absent".to_string(), |v| format!("`{v}`"));
    let list = |v: &[&str]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let cron = def.cron.as_ref().map(|c| c.schedule.value.as_str());
    let plan_cron = plan.cron.as_ref().map(|c| c.value.as_str());
    if cron != plan_cron {
        let span = def
            .cron
            .as_ref()
            .map_or(def.trigger_span.clone(), |c| c.schedule.span.clone());
        differ("the cron schedule", shown(cron), shown(plan_cron), span);
    }
    if let Some(c) = &def.cron
        && plan_cron.is_some()
        && c.timezone.value != plan.timezone.value
    {
        differ(
            "the cron time zone",
            shown(Some(&c.timezone.value)),
            shown(Some(&plan.timezone.value)),
            c.timezone.span.clone(),
        );
    }
    let events: Vec<&str> = def.events.iter().map(|e| e.value.as_str()).collect();
    let plan_events: Vec<&str> = plan.events.iter().map(|e| e.value.as_str()).collect();
    if events != plan_events {
        // At the first event that differs, or the trigger when there is none.
        let span = def
            .events
            .iter()
            .zip(plan_events.iter().map(Some).chain(std::iter::repeat(None)))
            .find(|(e, p)| Some(&e.value.as_str()) != *p)
            .or_else(|| def.events.last().map(|e| (e, None)))
            .map_or(def.trigger_span.clone(), |(e, _)| e.span.clone());
        differ("the event trigger", list(&events), list(&plan_events), span);
    }
    if let Some(w) = &def.when
        && w.value != plan.when.value
    {
        differ(
            "the rule",
            shown(Some(&w.value)),
            shown(Some(&plan.when.value)),
            w.span.clone(),
        );
    }
    if def.instruction != plan.instruction {
        for (field, found, expected) in instruction_differences(&def.instruction, &plan.instruction)
        {
            let span = yaml_span(file, &field).unwrap_or_else(|| def.name.span.clone());
            let what = format!("`{}`", field.join("."));
            differ(
                &what,
                shown(found.as_deref()),
                shown(expected.as_deref()),
                span,
            );
        }
    }
    out
}

/// The instruction fields that differ: (YAML path, found, expected).
fn instruction_differences(
    found: &Instruction,
    expected: &Instruction,
) -> Vec<(Vec<&'static str>, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    let mut field = |path: Vec<&'static str>, f: Option<String>, e: Option<String>| {
        if f != e {
            out.push((path, f, e));
        }
    };
    match (found, expected) {
        (
            Instruction::Shell {
                command,
                workdir,
                timeout,
            },
            Instruction::Shell {
                command: c2,
                workdir: w2,
                timeout: t2,
            },
        ) => {
            field(
                vec!["instruction", "shell", "command"],
                Some(command.clone()),
                Some(c2.clone()),
            );
            field(
                vec!["instruction", "shell", "workdir"],
                workdir.clone(),
                w2.clone(),
            );
            field(
                vec!["instruction", "shell", "timeout"],
                timeout.clone(),
                t2.clone(),
            );
        }
        (
            Instruction::Workflow {
                name,
                task_queue,
                input,
            },
            Instruction::Workflow {
                name: n2,
                task_queue: q2,
                input: i2,
            },
        ) => {
            field(
                vec!["instruction", "workflow", "name"],
                Some(name.clone()),
                Some(n2.clone()),
            );
            field(
                vec!["instruction", "workflow", "taskQueue"],
                Some(task_queue.clone()),
                Some(q2.clone()),
            );
            let json = |m: &serde_json::Map<String, serde_json::Value>| {
                serde_json::to_string(m).unwrap_or_default()
            };
            field(
                vec!["instruction", "workflow", "input"],
                Some(json(input)),
                Some(json(i2)),
            );
        }
        (f, e) => {
            let kind = |i: &Instruction| match i {
                Instruction::Shell { .. } => "shell",
                Instruction::Workflow { .. } => "workflow",
            };
            out.push((
                vec!["instruction"],
                Some(kind(f).to_string()),
                Some(kind(e).to_string()),
            ));
        }
    }
    out
}

/// The span of the value at a key path in a YAML file (or of the deepest key that exists).
fn yaml_span(file: &SourceFile, path: &[&str]) -> Option<Range<usize>> {
    let root = crate::source::parse_yaml(file).ok()?;
    let mut node = &root;
    let mut span = None;
    for key in path {
        let crate::source::Value::Map(entries) = &node.value else {
            break;
        };
        let Some((k, v)) = entries.iter().find(|(k, _)| k.name == *key) else {
            break;
        };
        span = Some(k.span.clone());
        node = v;
    }
    if span.is_some() && !matches!(node.value, crate::source::Value::Map(_)) {
        return Some(node.content_span(file));
    }
    span
}

/// A migration at or past its parallel run: every side effect and the definition must be
/// declared idempotent, with a mechanism.
fn parallel_run(
    reg_file: &SourceFile,
    def_file: &SourceFile,
    def: &Definition,
    m: &registry::Migration,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for se in &m.side_effects {
        let problem = match (se.idempotent, &se.mechanism) {
            (Some(true), Some(_)) => continue,
            (Some(true), None) => "is declared idempotent without a mechanism",
            (Some(false), _) => "is not idempotent",
            (None, _) => "has no idempotency declaration",
        };
        out.push(
            reg_file
                .diagnostic(
                    Code::ParallelRunUnsafe,
                    se.name.span.clone(),
                    format!(
                        "migration `{}` is at its parallel run, but side effect `{}` (by {}) {problem}",
                        m.name.value,
                        se.name.value,
                        se.by.name()
                    ),
                )
                .with_help("both sides fire during the parallel run: make the side effect idempotent and say how (`idempotent = true`, `mechanism = \"...\"`)"),
        );
    }
    if def.idempotency.is_none() {
        out.push(
            def_file
                .diagnostic(
                    Code::ParallelRunUnsafe,
                    def.name.span.clone(),
                    format!("migration `{}` is at its parallel run, but this definition declares no `idempotency`", m.name.value),
                )
                .with_help("add `idempotency: {key: ..., mechanism: ...}` saying how a repeated fire is made harmless"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
