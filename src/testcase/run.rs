//! Running case files: reading definitions and cases, evaluating each case's trigger and
//! context with [`crate::eval`], and noting definitions without cases that never fire on their
//! subjects' registry examples.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value as J, json};

use super::{Case, CaseFile, Expect, SUFFIX, Trigger, is_case_file, parse};
use crate::codes::Code;
use crate::cron;
use crate::definition::{self, Definition};
use crate::diagnostic::Diagnostic;
use crate::eval::{self, ContextValues, EventValue, Outcome, Rule};
use crate::registry::{Registry, subject_matches};
use crate::source::SourceFile;

/// The result of one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub definition: String,
    pub name: String,
    pub expected: &'static str,
    /// `fires`, `skips`, `skips: missing-context`, `error`, or `invalid` for a case that could
    /// not be run (see `message`).
    pub got: &'static str,
    /// The outcome in words (the error or the missing context), or why the case is invalid.
    pub message: Option<String>,
    pub passed: bool,
    /// The sub-expression values that decided the outcome, for failed cases.
    pub values: Vec<(String, String)>,
}

/// A note on a definition without a case file, from its subjects' registry examples.
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub file: String,
    pub definition: String,
    pub message: String,
}

/// Everything `handoff test` found.
#[derive(Debug, Default)]
pub struct Report {
    pub results: Vec<CaseResult>,
    pub notes: Vec<Note>,
    /// Unreadable definitions or case files (shape errors), rules that cannot be evaluated.
    pub diagnostics: Vec<Diagnostic>,
    /// How many definition and case files were read.
    pub files: usize,
}

impl Report {
    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| !r.passed).count()
    }
}

/// Runs the cases under `paths` (files or folders; default: the registry's definitions folder,
/// relative to `root`).
pub fn run(reg: &Registry, root: &Path, paths: &[PathBuf]) -> Result<Report, String> {
    let defaults = [root.join(&reg.output.definitions)];
    let paths: &[PathBuf] = if paths.is_empty() { &defaults } else { paths };
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut files).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        } else if p.is_file() {
            files.push(p.clone());
            // A definition given alone brings its case file; a case file its definition.
            let sibling = if is_case_file(p) {
                definition_sibling(p)
            } else {
                case_sibling(p)
            };
            if let Some(s) = sibling.filter(|s| s.is_file()) {
                files.push(s);
            }
        } else {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    files.sort();
    files.dedup();
    let (case_paths, def_paths): (Vec<PathBuf>, Vec<PathBuf>) =
        files.into_iter().partition(|p| is_case_file(p));

    let mut report = Report {
        files: case_paths.len() + def_paths.len(),
        ..Report::default()
    };
    let mut definitions: BTreeMap<String, (String, Definition)> = BTreeMap::new();
    for p in &def_paths {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        let file = SourceFile::new(crate::project::display_path(p), text);
        let (def, diags) = definition::parse(&file);
        report
            .diagnostics
            .extend(diags.into_iter().filter(Diagnostic::is_error));
        if let Some(def) = def
            && let Some(name) = def.name.as_ref().map(|n| n.value.clone())
        {
            if let Some(d) = uncompilable_rule(&file, &def) {
                report.diagnostics.push(d);
            }
            definitions.insert(name, (file.path.clone(), def));
        }
    }
    let mut tested = std::collections::BTreeSet::new();
    for p in &case_paths {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        let file = SourceFile::new(crate::project::display_path(p), text);
        let (cases, diags) = parse(&file);
        report
            .diagnostics
            .extend(diags.into_iter().filter(Diagnostic::is_error));
        let Some(cases) = cases else { continue };
        tested.insert(cases.definition.clone());
        let def = definitions.get(&cases.definition).map(|(_, d)| d);
        for case in &cases.cases {
            report.results.push(run_case(reg, &cases, case, def));
        }
    }
    for (name, (path, def)) in &definitions {
        if !tested.contains(name) {
            report.notes.extend(example_notes(reg, path, def));
        }
    }
    Ok(report)
}

/// A rule that cannot be evaluated, as a diagnostic at its position in the definition file
/// (at the error inside the expression when the file holds it verbatim).
fn uncompilable_rule(file: &SourceFile, def: &Definition) -> Option<Diagnostic> {
    let when = def.rule.when.as_ref()?;
    let requires: Vec<String> = def.rule.requires.iter().map(|r| r.value.clone()).collect();
    let error = Rule::compile(&when.value, &requires).err()?;
    let span = match crate::rule::analyze(&when.value) {
        Err(finding) if def.when_exact => {
            when.span.start + finding.span.start
                ..when.span.start + finding.span.end.max(finding.span.start + 1)
        }
        _ => when.span.clone(),
    };
    Some(file.diagnostic(
        Code::RuleSyntax,
        span,
        format!("`rule.when` cannot be evaluated: {error}"),
    ))
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            files.push(path);
        }
    }
    Ok(())
}

fn case_sibling(def: &Path) -> Option<PathBuf> {
    let stem = def.file_stem()?.to_str()?;
    Some(def.with_file_name(format!("{stem}{SUFFIX}")))
}

fn definition_sibling(case: &Path) -> Option<PathBuf> {
    let name = case.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".test.yaml")
        .or_else(|| name.strip_suffix(".test.yml"))?;
    Some(case.with_file_name(format!("{stem}.yaml")))
}

/// The context values of a case, without the absent ones.
fn context_values(case: &Case) -> ContextValues {
    ContextValues::new(
        case.context
            .iter()
            .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v)))
            .collect(),
    )
}

fn run_case(reg: &Registry, cf: &CaseFile, case: &Case, def: Option<&Definition>) -> CaseResult {
    let (line, column) = cf.file.line_col(case.span.start);
    let mut result = CaseResult {
        file: cf.file.path.clone(),
        line,
        column,
        definition: cf.definition.clone(),
        name: case.name.clone(),
        expected: case.expect.label(),
        got: "invalid",
        message: None,
        passed: false,
        values: Vec::new(),
    };
    let prepared = checked_definition(reg, cf, case, def).and_then(|def| {
        let event = trigger_event(reg, def, &case.trigger)?;
        Ok((def, event))
    });
    let (def, event) = match prepared {
        Ok(p) => p,
        Err(m) => {
            result.message = Some(m);
            return result;
        }
    };
    let when = def
        .rule
        .when
        .as_ref()
        .map(|w| w.value.as_str())
        .unwrap_or("true");
    let requires: Vec<String> = def.rule.requires.iter().map(|r| r.value.clone()).collect();
    let rule = match Rule::compile(when, &requires) {
        Ok(r) => r,
        Err(e) => {
            result.message = Some(format!("the rule cannot be evaluated: {e}"));
            return result;
        }
    };
    let context = context_values(case);
    let outcome = rule.evaluate(Some(&event), &context);
    result.got = outcome.label();
    result.message = match &outcome {
        Outcome::Fires | Outcome::Skips => None,
        other => Some(other.describe()),
    };
    result.passed = Expect::of(&outcome) == case.expect;
    if !result.passed {
        result.values = rule.explain(Some(&event), &context);
    }
    result
}

/// The case's definition, once it is found and the case's contexts are declared; otherwise
/// why the case is invalid.
fn checked_definition<'d>(
    reg: &Registry,
    cf: &CaseFile,
    case: &Case,
    def: Option<&'d Definition>,
) -> Result<&'d Definition, String> {
    let Some(def) = def else {
        return Err(format!(
            "no valid definition `{}` found beside the case file",
            cf.definition
        ));
    };
    for name in case.context.keys() {
        if reg.context(name).is_none() {
            return Err(format!("context `{name}` is not declared in the registry"));
        }
    }
    Ok(def)
}

/// The event a case's trigger gives the rule; otherwise why the case is invalid.
fn trigger_event(
    reg: &Registry,
    def: &Definition,
    trigger: &Trigger,
) -> Result<EventValue, String> {
    match trigger {
        Trigger::Cron { at, text } => cron_fire_event(def, *at, text),
        Trigger::Event {
            subject,
            attributes,
            timestamp,
        } => {
            let Some(s) = reg.subject(subject) else {
                return Err(format!("`{subject}` is not a registered subject"));
            };
            if !def
                .trigger
                .events
                .iter()
                .any(|p| subject_matches(&p.value, subject))
            {
                return Err(format!("the definition is not triggered by `{subject}`"));
            }
            let envelope = eval::example_envelope(reg, s, attributes, timestamp.as_deref());
            let problems = crate::envelope::check(
                reg,
                subject,
                &serde_json::to_vec(&envelope).unwrap_or_default(),
            );
            if let Some(p) = problems.problems.first() {
                return Err(format!("the event is not valid: {p}"));
            }
            Ok(EventValue::from_envelope(&envelope, Some(s)))
        }
    }
}

/// The cron fire a case's `cron:` trigger names, when the definition's schedule fires then;
/// otherwise why the case is invalid.
fn cron_fire_event(def: &Definition, at: Timestamp, text: &str) -> Result<EventValue, String> {
    let Some(c) = &def.trigger.cron else {
        return Err("the definition has no cron trigger".to_string());
    };
    let (Ok(parsed), Ok(tz)) = (
        cron::parse(&c.value),
        cron::parse_timezone(&def.trigger.timezone.value),
    ) else {
        return Err("the definition's cron trigger is invalid".to_string());
    };
    let fires = parsed
        .schedule
        .fires_between(at, at + jiff::SignedDuration::from_secs(1), &tz);
    if fires.is_empty() {
        let next = parsed
            .schedule
            .upcoming(at, &tz, 1)
            .first()
            .map(|t| format!("; the next fire is {}", t.strftime("%Y-%m-%dT%H:%M:%SZ")))
            .unwrap_or_default();
        return Err(format!(
            "`{}` ({}) does not fire at {text}{next}",
            c.value, def.trigger.timezone.value
        ));
    }
    Ok(EventValue::cron_fire())
}

/// For a definition without a case file: its outcome on each triggering subject's registry
/// example; a note when it fires on none of them (or fails to evaluate).
fn example_notes(reg: &Registry, path: &str, def: &Definition) -> Vec<Note> {
    if def.trigger.events.is_empty() {
        return Vec::new();
    }
    let when = def
        .rule
        .when
        .as_ref()
        .map(|w| w.value.as_str())
        .unwrap_or("true");
    let requires: Vec<String> = def.rule.requires.iter().map(|r| r.value.clone()).collect();
    let Ok(rule) = Rule::compile(when, &requires) else {
        return Vec::new();
    };
    let context = example_context(when);
    let mut outcomes = Vec::new();
    for pattern in &def.trigger.events {
        for s in reg.matching(&pattern.value) {
            let envelope = eval::example_envelope(reg, s, &serde_json::Map::new(), None);
            let event = EventValue::from_envelope(&envelope, Some(s));
            // Required contexts are taken as present with the values the rule compares them with.
            let outcome = rule.evaluate(Some(&event), &context);
            outcomes.push((s.subject.value.clone(), outcome));
        }
    }
    let mut notes = Vec::new();
    if !outcomes.is_empty() && !outcomes.iter().any(|(_, o)| *o == Outcome::Fires) {
        let detail = outcomes
            .iter()
            .map(|(s, o)| format!("{s}: {}", o.describe()))
            .collect::<Vec<_>>()
            .join("; ");
        notes.push(Note {
            file: path.to_string(),
            definition: def.name.as_ref().map_or_else(String::new, |n| n.value.clone()),
            message: format!(
                "never fires on its subjects' registry examples ({detail}); add a case file ({}) to test it on other events",
                case_sibling(Path::new(path))
                    .map(|p| crate::project::display_path(&p))
                    .unwrap_or_default()
            ),
        });
    }
    notes
}

/// Context values built from what the rule compares them with: for `context["a"].b.c == "x"`,
/// `{"a": {"b": {"c": "x"}}}`. Contexts the rule reads without an equality get `{}`.
pub fn example_context(when: &str) -> ContextValues {
    ContextValues::new(example_context_json(when))
}

pub(super) fn example_context_json(when: &str) -> BTreeMap<String, J> {
    let mut values: BTreeMap<String, J> = BTreeMap::new();
    let Ok(analysis) = crate::rule::analyze(when) else {
        return values;
    };
    for p in &analysis.paths {
        let Some(name) = crate::rule::context_name(&p.path) else {
            continue;
        };
        let entry = values.entry(name.to_string()).or_insert_with(|| json!({}));
        let literal = p
            .compared_with
            .iter()
            .find(|c| c.op == "==" || c.op == "in")
            .and_then(|c| literal_json(&c.literal_text));
        let rest = &p.path[2..];
        if rest.is_empty() {
            if let Some(v) = literal {
                *entry = v;
            }
            continue;
        }
        let mut cur = entry;
        for (i, seg) in rest.iter().enumerate() {
            if !cur.is_object() {
                break;
            }
            let last = i + 1 == rest.len();
            let obj = cur.as_object_mut().expect("checked");
            if last {
                obj.insert(seg.clone(), literal.clone().unwrap_or(J::Null));
                break;
            }
            cur = obj.entry(seg.clone()).or_insert_with(|| json!({}));
        }
    }
    values
}

fn literal_json(text: &str) -> Option<J> {
    if let Ok(v) = serde_json::from_str::<J>(text) {
        return Some(v);
    }
    // A single-quoted CEL string.
    text.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .map(|t| J::String(t.to_string()))
}
