//! Test cases for definitions' rules: the `<name>.test.yaml` files `handoff test` runs.
//!
//! A case file sits beside its definition (`definitions/<name>.test.yaml` tests
//! `definitions/<name>.yaml`; a top-level `definition:` names another). Each case gives a trigger
//! (an event subject with attributes — missing ones filled from the registry's examples — or a
//! cron fire time), context values (or `null` for an absent one) and the expected outcome:
//! `fires`, `skips`, `skips: missing-context` or `error`. [`run`] evaluates every case with
//! [`crate::eval`] and returns results a runner prints; definitions without a case file are
//! evaluated on their subjects' registry examples instead, and those that never fire on them are
//! noted. The format is documented in docs/activity-definition.md; [`schema`] is its JSON Schema.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value as J, json};

use crate::codes::Code;
use crate::cron;
use crate::definition::{self, Definition};
use crate::diagnostic::Diagnostic;
use crate::eval::{self, ContextValues, EventValue, Outcome, Rule};
use crate::registry::{Migration, Registry, node_to_json, subject_matches};
use crate::source::{Fields, Node, SourceFile, Value, parse_yaml};

/// How a case file's name ends.
pub const SUFFIX: &str = ".test.yaml";

/// Whether `path` names a case file (`*.test.yaml` / `*.test.yml`).
pub fn is_case_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".test.yaml") || name.ends_with(".test.yml")
}

/// What a case expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Expect {
    Fires,
    Skips,
    MissingContext,
    Error,
}

impl Expect {
    pub fn label(self) -> &'static str {
        match self {
            Expect::Fires => "fires",
            Expect::Skips => "skips",
            Expect::MissingContext => "skips: missing-context",
            Expect::Error => "error",
        }
    }

    fn of(outcome: &Outcome) -> Expect {
        match outcome {
            Outcome::Fires => Expect::Fires,
            Outcome::Skips => Expect::Skips,
            Outcome::MissingContext(_) => Expect::MissingContext,
            Outcome::Error(_) => Expect::Error,
        }
    }
}

/// A case's trigger.
#[derive(Debug, Clone)]
pub enum Trigger {
    /// A cron fire at this instant (RFC 3339 as written, parsed).
    Cron { at: Timestamp, text: String },
    /// An event on `subject`; attributes override the registry's examples (`null` removes one).
    Event {
        subject: String,
        attributes: serde_json::Map<String, J>,
        timestamp: Option<String>,
    },
}

/// One case, as read.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub span: Range<usize>,
    pub trigger: Trigger,
    /// Context values; `None` is an explicitly absent context.
    pub context: BTreeMap<String, Option<J>>,
    pub expect: Expect,
}

/// A case file, as read.
#[derive(Debug, Clone)]
pub struct CaseFile {
    pub file: SourceFile,
    /// The definition tested: `definition:`, else the file name without `.test.yaml`.
    pub definition: String,
    pub cases: Vec<Case>,
}

const TOP_KEYS: &[&str] = &["definition", "cases"];
const CASE_KEYS: &[&str] = &["name", "trigger", "context", "expect"];
const TRIGGER_KEYS: &[&str] = &["cron", "event", "attributes", "timestamp"];

/// Parses one case file. Shape problems are diagnostics at their line and column.
pub fn parse(file: &SourceFile) -> (Option<CaseFile>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = match parse_yaml(file) {
        Ok(root) => root,
        Err(d) => return (None, d),
    };
    let Some(mut top) = Fields::new(file, &root, "the case file", &mut diags) else {
        return (None, diags);
    };
    let stem = Path::new(&file.path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml")
        .trim_end_matches(".test")
        .to_string();
    let definition = top
        .string("definition", &mut diags)
        .map(|s| s.value)
        .unwrap_or(stem);
    let mut cases = Vec::new();
    if let Some(list) = top.require("cases", &mut diags) {
        match &list.value {
            Value::Seq(items) => {
                for item in items {
                    if let Some(case) = parse_case(file, item, &mut diags) {
                        cases.push(case);
                    }
                }
            }
            other => diags.push(crate::source::wrong_type(
                file,
                list,
                "cases",
                "a list of cases",
                other,
            )),
        }
    }
    top.finish(TOP_KEYS, &mut diags);
    let ok = !diags.iter().any(Diagnostic::is_error);
    (
        ok.then(|| CaseFile {
            file: file.clone(),
            definition,
            cases,
        }),
        diags,
    )
}

fn parse_case(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Option<Case> {
    let mut f = Fields::new(file, node, "a case", diags)?;
    let name = f.require_string("name", diags);
    let trigger = f
        .require("trigger", diags)
        .and_then(|t| parse_trigger(file, t, diags));
    let mut context = BTreeMap::new();
    if let Some(c) = f.get("context") {
        match &c.value {
            Value::Map(entries) => {
                for (k, v) in entries {
                    let value = match v.value {
                        Value::Null => None,
                        _ => Some(node_to_json(v)),
                    };
                    context.insert(k.name.clone(), value);
                }
            }
            Value::Null => {}
            other => diags.push(crate::source::wrong_type(
                file,
                c,
                "context",
                "a table of context names to values",
                other,
            )),
        }
    }
    let expect = f.require("expect", diags).and_then(|e| {
        let text = match &e.value {
            Value::Str(s) => Some(s.trim().to_string()),
            Value::Map(entries) if entries.len() == 1 => entries[0]
                .1
                .as_str()
                .map(|v| format!("{}: {}", entries[0].0.name, v.trim())),
            _ => None,
        };
        let parsed = match text.as_deref() {
            Some("fires") => Some(Expect::Fires),
            Some("skips") => Some(Expect::Skips),
            Some("skips: missing-context") => Some(Expect::MissingContext),
            Some("error") => Some(Expect::Error),
            _ => None,
        };
        if parsed.is_none() {
            diags.push(
                file.diagnostic(
                    Code::InvalidValue,
                    e.span.clone(),
                    "`expect` must be `fires`, `skips`, `skips: missing-context` or `error`",
                )
                .with_help("quote the missing-context form: `expect: \"skips: missing-context\"`"),
            );
        }
        parsed
    });
    f.finish(CASE_KEYS, diags);
    Some(Case {
        name: name?.value,
        span: node.span.clone(),
        trigger: trigger?,
        context,
        expect: expect?,
    })
}

fn parse_trigger(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Option<Trigger> {
    let mut f = Fields::new(file, node, "`trigger`", diags)?;
    let cron_at = f.string("cron", diags);
    let event = f.string("event", diags);
    let attributes = f.get("attributes").map(|a| (a, node_to_json(a)));
    let timestamp = f.string("timestamp", diags);
    f.finish(TRIGGER_KEYS, diags);
    match (cron_at, event) {
        (Some(at), None) => {
            if attributes.is_some() || timestamp.is_some() {
                diags.push(file.diagnostic(
                    Code::InvalidValue,
                    node.span.clone(),
                    "a cron trigger has no `attributes` or `timestamp`",
                ));
            }
            match at.value.parse::<Timestamp>() {
                Ok(t) => Some(Trigger::Cron {
                    at: t,
                    text: at.value.clone(),
                }),
                Err(e) => {
                    diags.push(
                        file.diagnostic(
                            Code::InvalidValue,
                            at.span.clone(),
                            format!("`cron` must be an RFC 3339 fire time: {e}"),
                        )
                        .with_help("e.g. `cron: \"2026-11-16T03:00:00Z\"`"),
                    );
                    None
                }
            }
        }
        (None, Some(subject)) => {
            let attributes = match attributes {
                None => serde_json::Map::new(),
                Some((_, J::Object(m))) => m,
                Some((n, _)) => {
                    diags.push(crate::source::wrong_type(
                        file,
                        n,
                        "attributes",
                        "a table of attribute values",
                        &n.value,
                    ));
                    return None;
                }
            };
            if let Some(ts) = &timestamp
                && !crate::registry::is_utc_timestamp(&ts.value)
            {
                diags.push(file.diagnostic(
                    Code::InvalidValue,
                    ts.span.clone(),
                    "`timestamp` must be a UTC RFC 3339 date-time (…Z)",
                ));
            }
            Some(Trigger::Event {
                subject: subject.value,
                attributes,
                timestamp: timestamp.map(|t| t.value),
            })
        }
        (Some(_), Some(_)) | (None, None) => {
            diags.push(
                file.diagnostic(
                    Code::InvalidValue,
                    node.span.clone(),
                    "a case's `trigger` needs exactly one of `cron` (a fire time) and `event` (a subject)",
                )
                .with_help("`trigger: {cron: \"2026-11-16T03:00:00Z\"}` or `trigger: {event: <prefix>.<entity>.<event>}` (a subject of the registry)"),
            );
            None
        }
    }
}

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
    let invalid = |mut r: CaseResult, m: String| {
        r.message = Some(m);
        r
    };
    let Some(def) = def else {
        return invalid(
            result,
            format!(
                "no valid definition `{}` found beside the case file",
                cf.definition
            ),
        );
    };
    for name in case.context.keys() {
        if reg.context(name).is_none() {
            return invalid(
                result,
                format!("context `{name}` is not declared in the registry"),
            );
        }
    }
    let event = match &case.trigger {
        Trigger::Cron { at, text } => {
            let Some(c) = &def.trigger.cron else {
                return invalid(result, "the definition has no cron trigger".to_string());
            };
            let (Ok(parsed), Ok(tz)) = (
                cron::parse(&c.value),
                cron::parse_timezone(&def.trigger.timezone.value),
            ) else {
                return invalid(
                    result,
                    "the definition's cron trigger is invalid".to_string(),
                );
            };
            let fires =
                parsed
                    .schedule
                    .fires_between(*at, *at + jiff::SignedDuration::from_secs(1), &tz);
            if fires.is_empty() {
                let next = parsed
                    .schedule
                    .upcoming(*at, &tz, 1)
                    .first()
                    .map(|t| format!("; the next fire is {}", t.strftime("%Y-%m-%dT%H:%M:%SZ")))
                    .unwrap_or_default();
                return invalid(
                    result,
                    format!(
                        "`{}` ({}) does not fire at {text}{next}",
                        c.value, def.trigger.timezone.value
                    ),
                );
            }
            EventValue::cron_fire()
        }
        Trigger::Event {
            subject,
            attributes,
            timestamp,
        } => {
            let Some(s) = reg.subject(subject) else {
                return invalid(result, format!("`{subject}` is not a registered subject"));
            };
            if !def
                .trigger
                .events
                .iter()
                .any(|p| subject_matches(&p.value, subject))
            {
                return invalid(
                    result,
                    format!("the definition is not triggered by `{subject}`"),
                );
            }
            let envelope = eval::example_envelope(reg, s, attributes, timestamp.as_deref());
            let problems = crate::envelope::check(
                reg,
                subject,
                &serde_json::to_vec(&envelope).unwrap_or_default(),
            );
            if let Some(p) = problems.problems.first() {
                return invalid(result, format!("the event is not valid: {p}"));
            }
            EventValue::from_envelope(&envelope, Some(s))
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
        Err(e) => return invalid(result, format!("the rule cannot be evaluated: {e}")),
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

fn example_context_json(when: &str) -> BTreeMap<String, J> {
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

// ---------------------------------------------------------------------------------------------
// Starter case files (generate)

/// The starter case file `generate` drafts for a migration's definition: one case per
/// triggering subject's registry example (and for a cron trigger its first fire), with the
/// required contexts set to the values the rule compares them with, plus one case per required
/// context left absent. Each expectation is what the rule does today, so the starter passes;
/// the author then adds the cases that matter. Carries the draft seal line (kept once edited).
pub fn starter(reg: &Registry, m: &Migration, schema_path: &str) -> String {
    let d = &m.definition;
    let requires: Vec<String> = d.rule.requires.iter().map(|r| r.value.clone()).collect();
    let rule = Rule::compile(&d.rule.when.value, &requires).ok();
    let context = example_context_json(&d.rule.when.value);
    let context_value = ContextValues::new(context.clone());
    let outcome_of = |event: &EventValue, ctx: &ContextValues| match &rule {
        Some(r) => Expect::of(&r.evaluate(Some(event), ctx)),
        None => Expect::Error,
    };
    let mut out = String::new();
    out.push_str(&format!("# yaml-language-server: $schema={schema_path}\n"));
    out.push_str(&format!(
        "# Test cases for {}, drafted by handoff from {} (migration {}); run with `handoff test`.\n",
        d.name.value,
        crate::generate::registry_label(&reg.file.path),
        m.name.value
    ));
    out.push_str("# Each expectation records what the rule does today on the registry's examples: review them,\n# add the cases that matter. handoff keeps this draft in step until it is edited; an edited\n# file is never overwritten (`--force` does). Delete the seal line below to adopt it for good.\n");
    out.push_str(&format!("# {}{}\n", crate::generate::SEAL, "0".repeat(64)));
    out.push_str("cases:\n");
    let yaml = |v: &J| serde_json::to_string(v).unwrap_or_default();
    let context_lines = |ctx: &BTreeMap<String, J>, absent: Option<&str>| {
        let mut s = String::new();
        if ctx.is_empty() && absent.is_none() {
            return s;
        }
        s.push_str("    context:\n");
        for (k, v) in ctx {
            if Some(k.as_str()) == absent {
                s.push_str(&format!("      {}: null\n", yaml(&J::String(k.clone()))));
            } else {
                s.push_str(&format!(
                    "      {}: {}\n",
                    yaml(&J::String(k.clone())),
                    yaml(v)
                ));
            }
        }
        if let Some(a) = absent
            && !ctx.contains_key(a)
        {
            s.push_str(&format!(
                "      {}: null\n",
                yaml(&J::String(a.to_string()))
            ));
        }
        s
    };
    let mut triggers: Vec<(String, String, EventValue)> = Vec::new();
    if let Some(schedule) = &d.trigger.cron
        && let (Ok(parsed), Ok(tz)) = (
            cron::parse(&schedule.value),
            cron::parse_timezone(&d.trigger.timezone.value),
        )
    {
        let from = crate::plan::status(reg, m, None, None).preview_from;
        let from: Timestamp = from.parse().unwrap_or(Timestamp::UNIX_EPOCH);
        let before = from - jiff::SignedDuration::from_secs(1);
        if let Some(first) = parsed.schedule.upcoming(before, &tz, 1).first() {
            let at = first.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
            triggers.push((
                format!("cron fire at {at}"),
                format!("    trigger:\n      cron: \"{at}\"\n"),
                EventValue::cron_fire(),
            ));
        }
    }
    for pattern in &d.trigger.events {
        for s in reg.matching(&pattern.value) {
            let envelope = eval::example_envelope(reg, s, &serde_json::Map::new(), None);
            triggers.push((
                format!("{} with the registry's example attributes", s.subject.value),
                format!("    trigger:\n      event: {}\n", s.subject.value),
                EventValue::from_envelope(&envelope, Some(s)),
            ));
        }
    }
    for (name, trigger, event) in &triggers {
        let expect = outcome_of(event, &context_value);
        out.push_str(&format!("  - name: {}\n", yaml(&J::String(name.clone()))));
        out.push_str(trigger);
        out.push_str(&context_lines(&context, None));
        out.push_str(&format!("    expect: {}\n", expect_yaml(expect)));
    }
    if let Some((name, trigger, event)) = triggers.first() {
        for r in &requires {
            let mut ctx = context.clone();
            ctx.remove(r);
            let ctx_value = ContextValues::new(ctx.clone());
            let expect = outcome_of(event, &ctx_value);
            out.push_str(&format!(
                "  - name: {}\n",
                yaml(&J::String(format!("{name}, {r} absent")))
            ));
            out.push_str(trigger);
            out.push_str(&context_lines(&context, Some(r)));
            out.push_str(&format!("    expect: {}\n", expect_yaml(expect)));
        }
    }
    if triggers.is_empty() {
        out.push_str("  []\n");
    }
    crate::generate::seal(&out)
}

/// `fires`, `skips`, `error`, or the quoted `"skips: missing-context"`.
fn expect_yaml(e: Expect) -> String {
    match e {
        Expect::MissingContext => format!("\"{}\"", e.label()),
        other => other.label().to_string(),
    }
}

/// The JSON Schema of case files (`docs/schemas/activity-definition-test.schema.json`).
pub fn schema(reg: &Registry) -> J {
    let subjects: Vec<&str> = reg
        .subjects
        .iter()
        .map(|s| s.subject.value.as_str())
        .collect();
    let contexts: Vec<&str> = reg.contexts.iter().map(|c| c.name.as_str()).collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "handoff test cases for an ActivityDefinition",
        "description": "Cases `handoff test` runs against the definition beside this file (docs/activity-definition.md#test-cases).",
        "type": "object",
        "additionalProperties": false,
        "required": ["cases"],
        "properties": {
            "definition": {"type": "string", "description": "The definition tested (default: this file's name without .test.yaml)."},
            "cases": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name", "trigger", "expect"],
                    "properties": {
                        "name": {"type": "string"},
                        "trigger": {
                            "oneOf": [
                                {
                                    "type": "object",
                                    "additionalProperties": false,
                                    "required": ["cron"],
                                    "properties": {"cron": {"type": "string", "format": "date-time", "description": "A fire time of the definition's schedule."}}
                                },
                                {
                                    "type": "object",
                                    "additionalProperties": false,
                                    "required": ["event"],
                                    "properties": {
                                        "event": {"enum": subjects},
                                        "attributes": {"type": "object", "description": "Overrides of the registry's example attributes; null leaves one out."},
                                        "timestamp": {"type": "string", "format": "date-time"}
                                    }
                                }
                            ]
                        },
                        "context": {
                            "type": ["object", "null"],
                            "propertyNames": {"enum": contexts},
                            "description": "Context values by name; null (or leaving one out) is an absent context."
                        },
                        "expect": {
                            "oneOf": [
                                {"enum": ["fires", "skips", "skips: missing-context", "error"]},
                                {"type": "object", "additionalProperties": false, "required": ["skips"], "properties": {"skips": {"const": "missing-context"}}}
                            ]
                        }
                    }
                }
            }
        }
    })
}
