//! Which definitions fire on an envelope: the definitions folder loaded once, each rule compiled
//! once, and for every registered subject the definitions its events trigger, so that an
//! envelope costs one JSON parse, one conversion and one evaluation per triggered definition.
//! `handoff tap --match` calls [`Matcher::evaluate`] for every live envelope; `handoff simulate`
//! uses it for recorded events.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value as J;

use crate::definition::{self, Definition};
use crate::diagnostic::Diagnostic;
use crate::eval::{ContextValues, EventValue, Outcome, Rule};
use crate::registry::{Registry, subject_matches};
use crate::source::SourceFile;

/// Definitions with the path of their file.
pub type Loaded = Vec<(String, Definition)>;

/// The definitions under `dir` (sorted by path; case files skipped), and the diagnostics of
/// those that do not parse.
pub fn load_definitions(dir: &Path) -> Result<(Loaded, Vec<Diagnostic>), String> {
    let mut files = Vec::new();
    walk(dir, &mut files).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    files.sort();
    let mut defs = Vec::new();
    let mut diags = Vec::new();
    for p in files {
        let text =
            std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        let file = SourceFile::new(crate::project::display_path(&p), text);
        let (def, d) = definition::parse(&file);
        diags.extend(d.into_iter().filter(Diagnostic::is_error));
        if let Some(def) = def {
            defs.push((file.path.clone(), def));
        }
    }
    Ok((defs, diags))
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
            files.push(path);
        }
    }
    Ok(())
}

/// `NAME=JSON` (`--context service.health='{"status":"ok"}'`); a value that is not JSON is taken
/// as a string.
pub fn parse_context_arg(arg: &str) -> Result<(String, J), String> {
    let (name, value) = arg
        .split_once('=')
        .ok_or_else(|| format!("--context `{arg}` is not NAME=JSON"))?;
    if name.trim().is_empty() {
        return Err(format!("--context `{arg}` has no name"));
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| J::String(value.to_string()));
    Ok((name.trim().to_string(), value))
}

/// A definition ready to evaluate.
#[derive(Debug)]
pub struct Compiled {
    pub name: String,
    pub file: String,
    pub definition: Definition,
    /// `None` when the rule cannot be evaluated (the reason is in `error`).
    pub rule: Option<Rule>,
    pub error: Option<String>,
    /// For each path of the rule's fast path, its index in [`Matcher`]'s shared path table.
    path_ids: Vec<usize>,
    /// The first required context the matcher's context lacks (decided once, in
    /// [`Matcher::new`]).
    missing: Option<String>,
}

impl Compiled {
    pub fn new(file: String, definition: Definition) -> Compiled {
        let when = definition
            .rule
            .when
            .as_ref()
            .map(|w| w.value.as_str())
            .unwrap_or("true");
        let requires: Vec<String> = definition
            .rule
            .requires
            .iter()
            .map(|r| r.value.clone())
            .collect();
        let (rule, error) = match Rule::compile(when, &requires) {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e.0)),
        };
        Compiled {
            name: definition
                .name
                .as_ref()
                .map_or_else(|| file.clone(), |n| n.value.clone()),
            file,
            definition,
            rule,
            error,
            path_ids: Vec::new(),
            missing: None,
        }
    }

    /// The rule's outcome on `event` (a cron fire passes [`EventValue::cron_fire`]).
    pub fn evaluate(&self, event: &EventValue, context: &ContextValues) -> Outcome {
        match &self.rule {
            Some(r) => r.evaluate(Some(event), context),
            None => Outcome::Error(format!(
                "the rule cannot be evaluated: {}",
                self.error.as_deref().unwrap_or("")
            )),
        }
    }
}

/// One definition's outcome on one envelope (borrowing the definition's name from the matcher).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict<'m> {
    pub definition: &'m str,
    /// `fires`, `skips`, `skips: missing-context` or `error`.
    pub outcome: &'static str,
    /// The missing context or the error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The outcome's index in [`GROUPS`] (what [`describe_into`] groups by, without comparing
    /// strings).
    #[serde(skip)]
    group: u8,
}

/// The outcomes' labels in the order tap's human line lists them: fires, skips, skips with a
/// missing context, error.
const GROUPS: [&str; 4] = ["fires", "skips", "skips (missing context)", "error"];

impl<'m> Verdict<'m> {
    fn new(definition: &'m str, outcome: &Outcome) -> Verdict<'m> {
        Verdict {
            definition,
            group: match outcome {
                Outcome::Fires => 0,
                Outcome::Skips => 1,
                Outcome::MissingContext(_) => 2,
                Outcome::Error(_) => 3,
            },
            outcome: outcome.label(),
            message: match outcome {
                Outcome::MissingContext(name) => Some(name.clone()),
                Outcome::Error(m) => Some(m.clone()),
                _ => None,
            },
        }
    }
}

/// The definitions, the contexts, and which definitions each registered subject triggers.
#[derive(Debug)]
pub struct Matcher {
    pub definitions: Vec<Compiled>,
    pub context: ContextValues,
    by_subject: HashMap<String, Vec<usize>>,
    /// Every distinct path the definitions' fast paths read: resolved at most once per envelope
    /// however many definitions read it.
    paths: Vec<crate::eval::fast::Path>,
}

/// What [`Matcher::evaluate`] gives for one envelope.
#[derive(Debug, Default)]
pub struct Matched<'m> {
    /// The payload as JSON, when it is a JSON object.
    pub envelope: Option<J>,
    /// One per definition the subject triggers, in definition order.
    pub verdicts: Vec<Verdict<'m>>,
}

impl Matcher {
    pub fn new(
        reg: &Registry,
        definitions: Vec<(String, Definition)>,
        context: BTreeMap<String, J>,
    ) -> Matcher {
        let mut definitions: Vec<Compiled> = definitions
            .into_iter()
            .map(|(file, def)| Compiled::new(file, def))
            .collect();
        let mut paths: Vec<crate::eval::fast::Path> = Vec::new();
        let mut index: HashMap<crate::eval::fast::Path, usize> = HashMap::new();
        let context = ContextValues::new(context);
        for d in &mut definitions {
            let Some(rule) = &d.rule else { continue };
            d.missing = rule.missing_context(&context).map(str::to_string);
            d.path_ids = rule
                .fast_paths()
                .iter()
                .map(|p| {
                    *index.entry(p.clone()).or_insert_with(|| {
                        paths.push(p.clone());
                        paths.len() - 1
                    })
                })
                .collect();
        }
        let mut by_subject: HashMap<String, Vec<usize>> = HashMap::new();
        for s in reg.subjects.iter() {
            let list: Vec<usize> = definitions
                .iter()
                .enumerate()
                .filter(|(_, d)| {
                    d.definition
                        .trigger
                        .events
                        .iter()
                        .any(|p| subject_matches(&p.value, &s.subject.value))
                })
                .map(|(i, _)| i)
                .collect();
            by_subject.insert(s.subject.value.clone(), list);
        }
        Matcher {
            definitions,
            context,
            by_subject,
            paths,
        }
    }

    /// The definitions `subject` triggers.
    pub fn triggered_by(&self, subject: &str) -> impl Iterator<Item = &Compiled> {
        self.by_subject
            .get(subject)
            .into_iter()
            .flatten()
            .map(|&i| &self.definitions[i])
    }

    /// Evaluates every definition `subject` triggers on `payload`. A payload that is not a JSON
    /// object triggers nothing (tap reports it as invalid).
    pub fn evaluate(&self, reg: &Registry, subject: &str, payload: &[u8]) -> Matched<'_> {
        let Ok(envelope @ J::Object(_)) = serde_json::from_slice::<J>(payload) else {
            return Matched::default();
        };
        let verdicts = self.evaluate_envelope(reg, subject, &envelope);
        Matched {
            envelope: Some(envelope),
            verdicts,
        }
    }

    /// As [`Matcher::evaluate`], for an envelope already parsed.
    pub fn evaluate_envelope(
        &self,
        reg: &Registry,
        subject: &str,
        envelope: &J,
    ) -> Vec<Verdict<'_>> {
        let Some(list) = self.by_subject.get(subject).filter(|l| !l.is_empty()) else {
            return Vec::new();
        };
        let event = EventValue::from_envelope(envelope, reg.subject(subject));
        let (ev, cx) = Rule::values(Some(&event), &self.context);
        let mut cache: Vec<Option<Option<&dyn cel::common::value::Val>>> =
            vec![None; self.paths.len()];
        list.iter()
            .map(|&i| {
                let d = &self.definitions[i];
                let outcome = match (&d.rule, &d.missing) {
                    (Some(_), Some(missing)) => Outcome::MissingContext(missing.clone()),
                    (Some(rule), None) => {
                        let mut resolve = |j: usize| {
                            let g = d.path_ids[j];
                            *cache[g].get_or_insert_with(|| {
                                crate::eval::fast::resolve(&self.paths[g], ev, cx)
                            })
                        };
                        rule.evaluate_resolved_with_context(
                            Some(&event),
                            &self.context,
                            &mut resolve,
                        )
                    }
                    (None, _) => d.evaluate(&event, &self.context),
                };
                Verdict::new(&d.name, &outcome)
            })
            .collect()
    }
}

/// `fires: a, b; skips: c; skips (missing context): d (x absent); error: e (no such key `x`)`,
/// or a note that no definition is triggered by the subject. For tap's human output.
pub fn describe(verdicts: &[Verdict]) -> String {
    let mut s = String::new();
    describe_into(&mut s, verdicts);
    s
}

/// [`describe`], appended to `out` (tap's line buffer) without intermediate strings.
pub fn describe_into(out: &mut String, verdicts: &[Verdict]) {
    if verdicts.is_empty() {
        out.push_str("no definition is triggered by this subject");
        return;
    }
    let mut first_group = true;
    for (group, label) in GROUPS.iter().enumerate() {
        let mut first = true;
        for v in verdicts.iter().filter(|v| usize::from(v.group) == group) {
            if first {
                if !first_group {
                    out.push_str("; ");
                }
                out.push_str(label);
                out.push_str(": ");
                first = false;
                first_group = false;
            } else {
                out.push_str(", ");
            }
            out.push_str(v.definition);
            match (&v.message, v.outcome) {
                (Some(m), "error") => {
                    out.push_str(" (");
                    out.push_str(m);
                    out.push(')');
                }
                (Some(m), _) => {
                    out.push_str(" (");
                    out.push_str(m);
                    out.push_str(" absent)");
                }
                _ => {}
            }
        }
    }
}

/// `handoff tap`'s hook, per envelope, given the payload parsed as JSON (`None` when it is not
/// JSON): the envelope (for `--format json`, so its output replays in `handoff simulate
/// --events`) and, with `--match`, every triggered definition's verdict. A payload that is not
/// a JSON object triggers nothing.
pub fn tap_hook<'m>(
    matcher: Option<&'m Matcher>,
    reg: &Registry,
    subject: &str,
    envelope: Option<J>,
    json: bool,
) -> (Option<J>, Option<Vec<Verdict<'m>>>) {
    let envelope = envelope.filter(J::is_object);
    let verdicts = matcher.map(|m| match &envelope {
        Some(e) => m.evaluate_envelope(reg, subject, e),
        None => Vec::new(),
    });
    (envelope.filter(|_| json), verdicts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Definitions sharing paths get, through the per-envelope path cache, exactly what each
    /// rule gives alone.
    #[test]
    fn shared_path_resolution_gives_what_each_rule_gives_alone() {
        let reg = crate::registry::load(SourceFile::new(
            "subjects.toml",
            include_str!("../subjects.toml"),
        ))
        .0
        .unwrap();
        let rules = [
            "event.attributes.stale_days > 10",
            "event.attributes.stale_days > 50 || !has(event.attributes.workstream_id)",
            r#"context["state-hub.health"].status == "ok" && event.attributes.stale_days > 10"#,
            "event.attributes.workstream_id == 3",
            "event.attributes.nope == 1",
            "event.attributes.stale_days + 1 > 10",
        ];
        let defs: Loaded = rules
            .iter()
            .enumerate()
            .map(|(i, when)| {
                let text = format!(
                    "apiVersion: activity-core/v1\nkind: ActivityDefinition\nmetadata:\n  name: t.d{i}\ntrigger:\n  events:\n    - org.statehub.task.stale\nrule:\n  when: '{when}'\ninstruction:\n  shell:\n    command: x\n"
                );
                let file = SourceFile::new(format!("t.d{i}.yaml"), text);
                (file.path.clone(), definition::parse(&file).0.unwrap())
            })
            .collect();
        for ctx in [json!({}), json!({"state-hub.health": {"status": "ok"}})] {
            let ctx: BTreeMap<String, J> = ctx
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let matcher = Matcher::new(&reg, defs.clone(), ctx);
            for attrs in [
                json!({"stale_days": 45}),
                json!({"stale_days": 3, "workstream_id": null}),
            ] {
                let s = reg.subject("org.statehub.task.stale").unwrap();
                let env = crate::eval::example_envelope(&reg, s, attrs.as_object().unwrap(), None);
                let verdicts = matcher.evaluate_envelope(&reg, "org.statehub.task.stale", &env);
                let event = EventValue::from_envelope(&env, Some(s));
                let alone: Vec<Verdict> = matcher
                    .definitions
                    .iter()
                    .map(|d| {
                        Verdict::new(
                            &d.name,
                            &d.rule
                                .as_ref()
                                .unwrap()
                                .evaluate_interpreted(Some(&event), &matcher.context),
                        )
                    })
                    .collect();
                assert_eq!(verdicts, alone);
            }
        }
    }
}
