//! `[[migrations]]`: the legacy job, its side effects, the planned ActivityDefinition (with its
//! instruction, also read for definition files) and the cutover checklist.

use crate::model::{Idempotency, Rule, Trigger};
use std::ops::Range;

use super::load::array_of_tables;
use super::names::{check_definition_name, check_migration_name};
use super::subjects::node_to_json;
use super::{
    Cutover, DefinitionPlan, Instruction, Legacy, Migration, SideEffect, SideEffectBy, Step,
    StepState,
};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::{Fields, Node, SourceFile, Spanned, Value, wrong_type};

const MIGRATION_KEYS: &[&str] = &[
    "name",
    "summary",
    "legacy",
    "side_effects",
    "definition",
    "cutover",
    "subjects",
];

pub(super) fn migration(
    file: &SourceFile,
    node: &Node,
    prefix: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Migration> {
    let mut f = Fields::new(file, node, "a `[[migrations]]` entry", diags)?;
    let name = f.require_string("name", diags);
    if let Some(n) = &name {
        check_migration_name(file, n, diags);
    }
    let summary = f.require_string("summary", diags);
    let legacy = f
        .require("legacy", diags)
        .and_then(|n| legacy(file, n, diags));
    let side_effects = f
        .get("side_effects")
        .map(|n| array_of_tables(file, n, "side_effects", diags, side_effect))
        .unwrap_or_default();
    let definition = f
        .require("definition", diags)
        .and_then(|n| definition_plan(file, n, prefix, diags));
    let cutover = match f.get("cutover") {
        Some(n) => cutover(file, n, diags),
        None => Cutover {
            steps: Step::ALL
                .iter()
                .map(|s| (*s, StepState::Pending, None))
                .collect(),
        },
    };
    let subjects = f.string_list("subjects", diags).unwrap_or_default();
    f.finish(MIGRATION_KEYS, diags);
    Some(Migration {
        subjects,
        name: name?,
        summary: summary?.value,
        legacy: legacy?,
        side_effects,
        definition: definition?,
        cutover,
    })
}

fn legacy(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Option<Legacy> {
    let mut f = Fields::new(file, node, "`legacy`", diags)?;
    let schedule = f.string("schedule", diags);
    let timezone = f
        .string("timezone", diags)
        .map_or_else(|| "UTC".to_string(), |t| t.value);
    let systemd_timer = f.string("systemd_timer", diags).map(|s| s.value);
    let command = f.require_string("command", diags);
    let notes = f
        .string_list("notes", diags)
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.value)
        .collect();
    if schedule.is_none() && systemd_timer.is_none() {
        diags.push(
            file.diagnostic(
                Code::MissingField,
                node.span.start..node.span.start + 1,
                "`legacy` needs a `schedule` (cron expression) or a `systemd_timer` unit",
            )
            .with_help("add `schedule = \"0 3 * * *\"` or `systemd_timer = \"name.timer\"`"),
        );
    }
    f.finish(
        &["schedule", "timezone", "systemd_timer", "command", "notes"],
        diags,
    );
    Some(Legacy {
        schedule,
        timezone,
        systemd_timer,
        command: command?.value,
        notes,
    })
}

fn side_effect(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Option<SideEffect> {
    let mut f = Fields::new(file, node, "a `[[migrations.side_effects]]` entry", diags)?;
    let name = f.require_string("name", diags);
    let description = f.require_string("description", diags);
    let by = match f.string("by", diags) {
        None => Some(SideEffectBy::Both),
        Some(v) => match v.as_str() {
            "legacy" => Some(SideEffectBy::Legacy),
            "definition" => Some(SideEffectBy::Definition),
            "both" => Some(SideEffectBy::Both),
            other => {
                diags.push(
                    file.diagnostic(
                        Code::InvalidValue,
                        v.span.clone(),
                        format!("`by = \"{other}\"` is not a side-effect owner"),
                    )
                    .with_help("expected one of: legacy, definition, both"),
                );
                None
            }
        },
    };
    let creates_work = f.bool("creates_work", diags).map(|b| b.value);
    if creates_work.is_none() && f.get("creates_work").is_none() {
        diags.push(
            file.diagnostic(
                Code::MissingField,
                node.span.start..node.span.start + 1,
                "a side effect must say whether it creates work (`creates_work`)",
            )
            .with_help("add `creates_work = true` if it creates a task, an issue or a ticket"),
        );
    }
    let idempotent = f.bool("idempotent", diags).map(|b| b.value);
    let mechanism = f.string("mechanism", diags).map(|s| s.value);
    let key = f.string("key", diags).map(|s| s.value);
    f.finish(
        &[
            "name",
            "description",
            "by",
            "creates_work",
            "idempotent",
            "mechanism",
            "key",
        ],
        diags,
    );
    Some(SideEffect {
        name: name?,
        description: description?.value,
        by: by?,
        creates_work: creates_work.unwrap_or(false),
        idempotent,
        mechanism,
        key,
    })
}

const DEFINITION_KEYS: &[&str] = &[
    "name",
    "owner",
    "description",
    "trigger",
    "rule",
    "instruction",
    "idempotency",
];

/// `prefix` is the registry's subject prefix, for help texts.
fn definition_plan(
    file: &SourceFile,
    node: &Node,
    prefix: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<DefinitionPlan> {
    let mut f = Fields::new(file, node, "`definition`", diags)?;
    let name = f.require_string("name", diags);
    if let Some(n) = &name {
        check_definition_name(file, n, diags);
    }
    let owner = f.require_string("owner", diags);
    let description = f.require_string("description", diags);

    let mut cron = None;
    let mut timezone = None;
    let mut events = Vec::new();
    if let Some(t) = f.require("trigger", diags)
        && let Some(mut tf) = Fields::new(file, t, "`definition.trigger`", diags)
    {
        cron = tf.string("cron", diags);
        timezone = tf.string("timezone", diags);
        events = tf.string_list("events", diags).unwrap_or_default();
        if cron.is_none() && events.is_empty() {
            diags.push(
                file.diagnostic(
                    Code::MissingTrigger,
                    t.span.start..t.span.start + 1,
                    "the definition has no trigger",
                )
                .with_help(format!(
                    "add `cron = \"...\"` and/or `events = [\"{prefix}.<entity>.<event>\"]`"
                )),
            );
        }
        tf.finish(&["cron", "timezone", "events"], diags);
    }
    let timezone = timezone
        .unwrap_or_else(|| Spanned::new("UTC".to_string(), node.span.start..node.span.start));

    let mut when = None;
    let mut requires = Vec::new();
    if let Some(r) = f.require("rule", diags)
        && let Some(mut rf) = Fields::new(file, r, "`definition.rule`", diags)
    {
        when = rf.require_string("when", diags);
        requires = rf.string_list("requires", diags).unwrap_or_default();
        rf.finish(&["when", "requires"], diags);
    }

    let instruction = f
        .require("instruction", diags)
        .and_then(|n| instruction(file, n, "`definition.instruction`", diags));

    let mut idempotency = (None, None);
    if let Some(i) = f.require("idempotency", diags)
        && let Some(mut idf) = Fields::new(file, i, "`definition.idempotency`", diags)
    {
        idempotency = (
            idf.require_string("key", diags),
            idf.require_string("mechanism", diags),
        );
        idf.finish(&["key", "mechanism"], diags);
    }
    f.finish(DEFINITION_KEYS, diags);
    Some(DefinitionPlan {
        name: name?,
        owner: owner?.value,
        description: description?.value,
        trigger: Trigger {
            cron,
            timezone,
            events,
        },
        rule: Rule {
            when: when?,
            requires,
        },
        instruction: instruction?,
        idempotency: Idempotency {
            key: idempotency.0?.value,
            mechanism: idempotency.1?.value,
        },
    })
}

/// Reads an instruction table: exactly one of `shell` or `workflow`. Shared with definitions.
pub fn instruction(
    file: &SourceFile,
    node: &Node,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Instruction> {
    let mut f = Fields::new(file, node, what, diags)?;
    let shell = f.get("shell");
    let workflow = f.get("workflow");
    f.finish(&["shell", "workflow"], diags);
    match (shell, workflow) {
        (Some(_), Some(w)) => {
            let span = f_key_or(file, node, w);
            diags.push(
                file.diagnostic(
                    Code::InstructionCount,
                    span,
                    "an instruction has exactly one of `shell` or `workflow`, found both",
                )
                .with_help(
                    "keep one of them; split the work into two definitions if both are needed",
                ),
            );
            None
        }
        (None, None) => {
            diags.push(
                file.diagnostic(
                    Code::InstructionCount,
                    node.span.start..node.span.start + 1,
                    "the instruction has neither `shell` nor `workflow`",
                )
                .with_help(
                    "add `shell: {command: ...}` or `workflow: {name: ..., taskQueue: ...}`",
                ),
            );
            None
        }
        (Some(s), None) => shell_instruction(file, s, diags),
        (None, Some(w)) => workflow_instruction(file, w, diags),
    }
}

/// `instruction.shell`: a command, optional `workdir` and `timeout` (a positive duration).
fn shell_instruction(
    file: &SourceFile,
    s: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<Instruction> {
    let mut sf = Fields::new(file, s, "`shell`", diags)?;
    let command = sf.require_string("command", diags);
    let workdir = sf.string("workdir", diags).map(|s| s.value);
    let timeout = sf.string("timeout", diags);
    if let Some(t) = &timeout
        && crate::duration::parse(t).map_or(true, |d| d.is_zero())
    {
        diags.push(
            file.diagnostic(
                Code::InvalidValue,
                t.span.clone(),
                format!("`{}` is not a timeout", t.value),
            )
            .with_help("write a positive duration: `90s`, `10m`, `1h`"),
        );
    }
    sf.finish(&["command", "workdir", "timeout"], diags);
    Some(Instruction::Shell {
        command: command?.value,
        workdir,
        timeout: timeout.map(|t| t.value),
    })
}

/// `instruction.workflow`: a Temporal workflow, its task queue and input.
fn workflow_instruction(
    file: &SourceFile,
    w: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<Instruction> {
    let mut wf = Fields::new(file, w, "`workflow`", diags)?;
    let name = wf.require_string("name", diags);
    let task_queue = wf
        .get("taskQueue")
        .or_else(|| wf.get("task_queue"))
        .and_then(|n| crate::source::expect_str(file, n, "taskQueue", diags));
    if task_queue.is_none()
        && wf.key_span("taskQueue").is_none()
        && wf.key_span("task_queue").is_none()
    {
        diags.push(
            file.diagnostic(
                Code::MissingField,
                w.span.start..w.span.start + 1,
                "`workflow` is missing the required field `taskQueue`",
            )
            .with_help("add the Temporal task queue, e.g. `taskQueue: maintenance`"),
        );
    }
    let input = match wf.get("input") {
        Some(n) => match node_to_json(n) {
            serde_json::Value::Object(m) => m,
            _ => {
                diags.push(wrong_type(file, n, "input", "a table", &n.value));
                serde_json::Map::new()
            }
        },
        None => serde_json::Map::new(),
    };
    wf.finish(&["name", "taskQueue", "task_queue", "input"], diags);
    Some(Instruction::Workflow {
        name: name?.value,
        task_queue: task_queue?.value,
        input,
    })
}

fn f_key_or(_file: &SourceFile, parent: &Node, child: &Node) -> Range<usize> {
    if let Value::Map(entries) = &parent.value
        && let Some((k, _)) = entries.iter().find(|(_, v)| std::ptr::eq(v, child))
    {
        return k.span.clone();
    }
    child.span.clone()
}

fn cutover(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Cutover {
    let mut steps = Vec::new();
    let Some(mut f) = Fields::new(file, node, "`cutover`", diags) else {
        return Cutover {
            steps: Step::ALL
                .iter()
                .map(|s| (*s, StepState::Pending, None))
                .collect(),
        };
    };
    for step in Step::ALL {
        let state = match f.get(step.key()) {
            None => (StepState::Pending, None),
            Some(n) => {
                let state = match &n.value {
                    Value::Datetime(d) => match d.parse::<jiff::civil::Date>() {
                        Ok(date) => StepState::Done(date),
                        Err(_) => {
                            diags.push(
                                file.diagnostic(
                                    Code::InvalidValue,
                                    n.span.clone(),
                                    format!("`{d}` is not a plain date"),
                                )
                                .with_help("write the date the step was done, e.g. `2026-11-16`"),
                            );
                            StepState::Pending
                        }
                    },
                    Value::Str(s) if s == "n/a" => StepState::NotApplicable,
                    Value::Bool(false) => StepState::Pending,
                    other => {
                        diags.push(
                            wrong_type(file, n, step.key(), "a date (`2026-11-16`) or \"n/a\"", other)
                                .with_help("write the date the step was done, `\"n/a\"` if it does not apply, or leave it out while pending"),
                        );
                        StepState::Pending
                    }
                };
                (state, Some(n.span.clone()))
            }
        };
        steps.push((step, state.0, state.1));
    }
    let keys: Vec<&str> = Step::ALL.iter().map(|s| s.key()).collect();
    f.finish(&keys, diags);
    Cutover { steps }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::parse_yaml;

    /// A shell timeout is any positive duration of the one grammar.
    #[test]
    fn shell_timeouts_are_positive_durations() {
        for (timeout, ok) in [
            ("30m", true),
            ("1h30m", true),
            ("500ms", true),
            ("1.5s", true),
            ("0", false),
            ("0s", false),
            ("soon", false),
            ("10", false),
        ] {
            let text = format!("shell:\n  command: sweep\n  timeout: \"{timeout}\"\n");
            let file = SourceFile::new("d.yaml", text);
            let node = parse_yaml(&file).unwrap();
            let mut diags = Vec::new();
            let found = instruction(&file, &node, "`instruction`", &mut diags);
            assert_eq!(diags.is_empty(), ok, "{timeout}: {diags:?}");
            assert!(found.is_some(), "{timeout}");
            if !ok {
                assert_eq!(diags[0].message, format!("`{timeout}` is not a timeout"));
            }
        }
    }
}
