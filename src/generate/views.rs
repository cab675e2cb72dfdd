//! The template context: the registry, its subjects and its migrations as the templates see
//! them.

use serde_json::{Value as J, json};
use sha2::{Digest, Sha256};

use crate::plan;
use crate::registry::{AttrType, Instruction, Migration, Registry, StepState, Subject};

use super::relative;

/// The data every template sees -- `registry`, `subjects`, `migrations` -- as minijinja values.
/// The subjects' views are built as minijinja values directly (as JSON, the views of 10,000
/// subjects took ~200 MB; JSON converted one by one, a fifth of generate's CPU), and a
/// subject's `py_params` shares its `attributes`' values. The `registry` and `migrations`
/// views are returned as JSON too: drafts are rendered from them.
pub fn context_value(
    reg: &Registry,
    env: &minijinja::Environment,
) -> Result<(J, J, minijinja::Value), String> {
    use minijinja::Value;
    use rayon::prelude::*;
    let subjects: Vec<Value> = reg
        .subjects
        .par_iter()
        .map(|s| subject_view(reg, s))
        .collect();
    let (registry, migrations) = registry_and_migrations(reg, env)?;
    let value = Value::from_iter([
        ("registry", Value::from_serialize(&registry)),
        ("subjects", Value::from(subjects)),
        ("migrations", Value::from_serialize(&migrations)),
    ]);
    Ok((registry, migrations, value))
}

/// The `registry` and `migrations` parts of the context.
fn registry_and_migrations(reg: &Registry, env: &minijinja::Environment) -> Result<(J, J), String> {
    let registry = json!({
        "path": registry_label(&reg.file.path),
        "version": reg.version,
        "subject_prefix": reg.subject_prefix,
        "stream": {
            "name": reg.stream.name,
            "subjects": reg.stream.subjects,
            "retention": reg.stream.retention,
            "storage": reg.stream.storage,
            "max_age": reg.stream.max_age.text,
            "max_age_seconds": reg.stream.max_age.seconds,
            "duplicate_window": reg.stream.duplicate_window.text,
            "duplicate_window_seconds": reg.stream.duplicate_window.seconds,
            "replicas": reg.stream.replicas,
        },
        "envelope": { "version": reg.envelope.version, "publisher": reg.envelope.publisher },
        "names": { "service": reg.names.service, "engine": reg.names.engine },
        "contexts": reg.contexts.iter().map(|c| json!({"name": c.name, "description": c.description})).collect::<Vec<_>>(),
        "output": {
            "subjects_doc": reg.output.subjects_doc,
            "migration_doc": reg.output.migration_doc,
            "definitions": reg.output.definitions,
            "schemas": reg.output.schemas,
            "python": reg.output.python,
            "python_package": reg.output.python.rsplit('/').next().unwrap_or("events"),
            "schemas_from_subjects_doc": relative(parent(&reg.output.subjects_doc), &reg.output.schemas),
        },
    });
    let mut migrations = Vec::new();
    for m in &reg.migrations {
        let mut mv = migration_view(reg, m);
        let schema_rel = relative(
            &reg.output.definitions,
            &format!("{}/activity-definition.schema.json", reg.output.schemas),
        );
        let draft = crate::render::render(
            env,
            "definition.yaml.j2",
            &json!({ "registry": registry, "migration": mv, "schema_path": schema_rel, "sealed": false }),
        )?;
        let longest = draft.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        mv["draft"] = J::String(draft);
        mv["draft_fence"] = J::String("`".repeat(longest.max(2) + 1));
        migrations.push(mv);
    }
    Ok((registry, J::Array(migrations)))
}

/// How generated files name the registry they come from: its file name, whatever the working
/// directory or the spelling of the path (`subjects.toml`, `./subjects.toml`,
/// `handoff/subjects.toml` all give `subjects.toml`), so the output does not depend on how
/// handoff was invoked. A file name with anything but letters, digits, `.`, `_` and `-` is
/// written as `the registry`: paths never reach generated code.
pub fn registry_label(path: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or_default();
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if plain {
        name.to_string()
    } else {
        "the registry".to_string()
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// A deterministic sample envelope for a subject: the attributes' examples, a stable id.
pub fn sample_envelope(reg: &Registry, s: &Subject) -> J {
    let digest = Sha256::digest(s.subject.as_bytes());
    let h: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    // Shape it as a version-4 UUID so it passes the envelope schema.
    let id = format!(
        "{}-{}-4{}-{}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        ["8", "9", "a", "b"][usize::from(digest[8] & 3)],
        &h[17..20],
        &h[20..32]
    );
    let timestamp = s
        .attributes
        .iter()
        .find(|a| a.ty == AttrType::Timestamp)
        .and_then(|a| a.example.as_str().map(str::to_string))
        .unwrap_or_else(|| "2026-01-01T00:00:00Z".to_string());
    let attributes: serde_json::Map<String, J> = s
        .attributes
        .iter()
        .map(|a| (a.name.clone(), a.example.clone()))
        .collect();
    json!({
        "id": id,
        "type": s.subject.value,
        "version": reg.envelope.version,
        "timestamp": timestamp,
        "publisher": reg.envelope.publisher,
        "attributes": attributes,
    })
}

/// A subject as the templates see it.
fn subject_view(reg: &Registry, s: &Subject) -> minijinja::Value {
    use minijinja::Value;
    let attributes: Vec<Value> = s.attributes.iter().map(attribute_view).collect();
    // Python keyword arguments: required ones first, then optional ones, each in registry order
    // (the same values as `attributes`, shared).
    let py_params: Vec<Value> = (s.attributes.iter().zip(&attributes))
        .filter(|(a, _)| a.required)
        .chain(
            s.attributes
                .iter()
                .zip(&attributes)
                .filter(|(a, _)| !a.required),
        )
        .map(|(_, v)| v.clone())
        .collect();
    let sample = sample_envelope(reg, s);
    Value::from_iter([
        ("subject", Value::from(s.subject.value.as_str())),
        ("entity", Value::from(s.entity(&reg.subject_prefix))),
        ("event", Value::from(s.event())),
        ("since", Value::from(s.since.as_str())),
        ("summary", Value::from(s.summary.as_str())),
        ("trigger_site", Value::from(s.trigger_site.value.as_str())),
        ("fires", Value::from(s.fires.as_str())),
        ("anchor", Value::from(s.subject.value.replace('.', "-"))),
        (
            "publisher_fn",
            Value::from(s.publisher_fn(&reg.subject_prefix)),
        ),
        ("attributes", Value::from(attributes)),
        ("py_params", Value::from(py_params)),
        (
            "sample_envelope",
            Value::from(serde_json::to_string_pretty(&sample).unwrap_or_default()),
        ),
        (
            "schema_file",
            Value::from(format!("{}.schema.json", s.subject.value)),
        ),
        ("deprecated", deprecation_view(s.deprecated.as_ref())),
    ])
}

fn attribute_view(a: &crate::registry::Attribute) -> minijinja::Value {
    use minijinja::Value;
    let (py_type, py_convert) = match &a.ty {
        AttrType::String => ("str".to_string(), "str"),
        AttrType::Integer => ("int".to_string(), "int"),
        AttrType::Number => ("float".to_string(), "float"),
        AttrType::Boolean => ("bool".to_string(), "bool"),
        AttrType::Timestamp => ("Union[str, datetime]".to_string(), "timestamp"),
        AttrType::Uuid => ("Union[str, UUID]".to_string(), "uuid"),
        AttrType::Enum(values) => (
            format!(
                "Literal[{}]",
                values
                    .iter()
                    .map(|v| crate::render::py_str(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "enum",
        ),
    };
    let (type_text, values) = match &a.ty {
        AttrType::Enum(v) => (format!("enum: {}", v.join(", ")), v.clone()),
        t => (t.name().to_string(), Vec::new()),
    };
    Value::from_iter([
        ("name", Value::from(a.name.as_str())),
        ("type", Value::from(a.ty.name())),
        ("type_text", Value::from(type_text)),
        ("values", Value::from(values)),
        ("required", Value::from(a.required)),
        ("description", Value::from(a.description.as_str())),
        ("example", Value::from_serialize(&a.example)),
        (
            "example_json",
            Value::from(serde_json::to_string(&a.example).unwrap_or_default()),
        ),
        ("py_type", Value::from(py_type)),
        ("py_convert", Value::from(py_convert)),
        ("deprecated", deprecation_view(a.deprecated.as_ref())),
    ])
}

/// `deprecated` of a subject or attribute for the templates: none, or its version, reason and
/// replacement.
fn deprecation_view(d: Option<&crate::registry::Deprecation>) -> minijinja::Value {
    use minijinja::Value;
    d.map_or(Value::from(()), |d| {
        Value::from_iter([
            ("version", Value::from(d.version.as_str())),
            ("reason", Value::from(d.reason.as_str())),
            (
                "replaced_by",
                d.replaced_by
                    .as_ref()
                    .map_or(Value::from(()), |r| Value::from(r.value.as_str())),
            ),
        ])
    })
}

fn migration_view(reg: &Registry, m: &Migration) -> J {
    let d = &m.definition;
    let status = plan::status(reg, m, None, None);
    let steps: Vec<J> = m
        .cutover
        .steps
        .iter()
        .map(|(step, state, _)| {
            json!({
                "number": step.number(),
                "key": step.key(),
                "title": step.title(&reg.names),
                "state": match state { StepState::Done(_) => "done", StepState::Pending => "pending", StepState::NotApplicable => "n/a" },
                "date": match state { StepState::Done(date) => date.to_string(), _ => String::new() },
                "mark": match state { StepState::Done(_) => "x", StepState::NotApplicable => "-", StepState::Pending => " " },
            })
        })
        .collect();
    let instruction = match &d.instruction {
        Instruction::Shell {
            command,
            workdir,
            timeout,
        } => json!({
            "kind": "shell", "command": command, "workdir": workdir, "timeout": timeout,
        }),
        Instruction::Workflow {
            name,
            task_queue,
            input,
        } => json!({
            "kind": "workflow", "name": name, "task_queue": task_queue,
            "input": input, "input_json": serde_json::to_string(input).unwrap_or_default(),
        }),
    };
    json!({
        "name": m.name.value,
        "summary": m.summary,
        "legacy": {
            "schedule": m.legacy.schedule.as_ref().map(|s| s.value.clone()),
            "timezone": m.legacy.timezone,
            "systemd_timer": m.legacy.systemd_timer,
            "command": m.legacy.command,
            "notes": m.legacy.notes,
            "words": status.legacy_words,
            "next_fires": status.legacy_preview,
            "preview_from": status.preview_from,
        },
        "side_effects": m.side_effects.iter().map(|se| json!({
            "name": se.name.value,
            "description": se.description,
            "by": se.by.name(),
            "creates_work": se.creates_work,
            "idempotent": se.idempotent,
            "mechanism": se.mechanism,
            "key": se.key,
        })).collect::<Vec<_>>(),
        "definition": {
            "name": d.name.value,
            "owner": d.owner,
            "description": d.description,
            "cron": d.trigger.cron_value(),
            "cron_words": status.definition_words,
            "timezone": d.trigger.timezone.value,
            "events": d.trigger.event_values(),
            "when": d.rule.when.value,
            "requires": d.rule.required_names(),
            "instruction": instruction,
            "idempotency": { "key": d.idempotency.key, "mechanism": d.idempotency.mechanism },
            "file": format!("{}/{}.yaml", reg.output.definitions, d.name.value),
        },
        "steps": steps,
        "next_step": status.next_step.map(|s| json!({"number": s.number(), "title": s.title(&reg.names)})),
        "blockers": status.blockers.iter().map(|b| json!({"step": b.step.number(), "message": b.message})).collect::<Vec<_>>(),
        "parallel_run": status.parallel_run.as_ref().map(|p| json!({
            "start": p.start.to_string(),
            "earliest_disable": p.earliest_disable.to_string(),
            "window_days": p.window_days,
            "legacy_fires": p.legacy_fires,
            "definition_fires": p.definition_fires,
            "same_minute": p.same_minute,
        })),
    })
}
