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
use std::path::Path;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value as J;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::eval::Outcome;
use crate::registry::node_to_json;
use crate::source::{Fields, Node, SourceFile, Value, parse_yaml};

mod run;
mod starter;

pub use run::{CaseResult, Note, Report, example_context, run};
pub use starter::{schema, starter};

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
