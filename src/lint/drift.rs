//! Drift: a definition file that differs from its migration's plan in the registry. Each
//! difference is reported at the differing field, with the value found there and the value the
//! registry expects.

use std::ops::Range;

use crate::codes::Code;
use crate::definition::Definition;
use crate::diagnostic::Diagnostic;
use crate::registry::{self, Instruction};
use crate::source::SourceFile;

/// Differences between a definition and its migration's plan in the registry, each at the
/// differing field with the value found there and the value the registry expects.
pub(super) fn drift(
    file: &SourceFile,
    def: &Definition,
    m: &registry::Migration,
) -> Vec<Diagnostic> {
    let plan = &m.definition;
    let mut out = Vec::new();
    let mut differ = |what: &str, found: String, expected: String, span: Range<usize>| {
        out.push(drift_diagnostic(file, m, what, &found, &expected, span));
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
    let (found, expected) = (&def.trigger, &plan.trigger);
    let (cron, plan_cron) = (found.cron_value(), expected.cron_value());
    if cron != plan_cron {
        let span = found
            .cron
            .as_ref()
            .map_or(def.trigger_span.clone(), |c| c.span.clone());
        differ("the cron schedule", shown(cron), shown(plan_cron), span);
    }
    if cron.is_some() && plan_cron.is_some() && found.timezone.value != expected.timezone.value {
        differ(
            "the cron time zone",
            shown(Some(&found.timezone.value)),
            shown(Some(&expected.timezone.value)),
            found.timezone.span.clone(),
        );
    }
    let (events, plan_events) = (found.event_values(), expected.event_values());
    if events != plan_events {
        // At the first event that differs, or the trigger when there is none.
        let span = found
            .events
            .iter()
            .zip(plan_events.iter().map(Some).chain(std::iter::repeat(None)))
            .find(|(e, p)| Some(&e.value.as_str()) != *p)
            .or_else(|| found.events.last().map(|e| (e, None)))
            .map_or(def.trigger_span.clone(), |(e, _)| e.span.clone());
        differ("the event trigger", list(&events), list(&plan_events), span);
    }
    if let Some(w) = &def.rule.when
        && w.value != plan.rule.when.value
    {
        differ(
            "the rule",
            shown(Some(&w.value)),
            shown(Some(&plan.rule.when.value)),
            w.span.clone(),
        );
    }
    if let Some(instruction) = &def.instruction
        && *instruction != plan.instruction
    {
        let fallback = def
            .name
            .as_ref()
            .map_or(def.trigger_span.clone(), |n| n.span.clone());
        for (field, found, expected) in instruction_differences(instruction, &plan.instruction) {
            let span = yaml_span(file, &field).unwrap_or_else(|| fallback.clone());
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

/// One field that differs from the registry's plan.
fn drift_diagnostic(
    file: &SourceFile,
    m: &registry::Migration,
    what: &str,
    found: &str,
    expected: &str,
    span: Range<usize>,
) -> Diagnostic {
    file.diagnostic(
        Code::DefinitionDrift,
        span,
        format!(
            "{what} is {found} here but {expected} in migration `{}` in the registry",
            m.name.value
        ),
    )
    .with_help("carry the change into the registry, so the docs and the cutover plan follow it")
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
