//! The template context: the registry, its subjects and its migrations as the templates see
//! them.

use std::sync::{Arc, OnceLock};

use minijinja::Value;
use minijinja::value::{Enumerator, Object};
use serde::Serialize;
use serde_json::{Value as J, json};
use sha2::{Digest, Sha256};

use crate::plan;
use crate::registry::{AttrType, Attribute, Instruction, Migration, Registry, StepState, Subject};

use super::relative;

/// The data every template sees -- `registry`, `subjects`, `migrations` -- as minijinja values.
/// Each subject is a [`SubjectView`], whose fields are computed as templates read them. The
/// `registry` and `migrations` views are returned as JSON too: drafts are rendered from them.
pub fn context_value(
    reg: &Registry,
    env: &minijinja::Environment,
) -> Result<(J, J, minijinja::Value), String> {
    let shared = Arc::new(Shared {
        subjects: Arc::clone(&reg.subjects),
        prefix: reg.subject_prefix.clone(),
        envelope_version: reg.envelope.version.clone(),
        publisher: reg.envelope.publisher.clone(),
    });
    let subjects: Vec<Value> = (0..reg.subjects.len())
        .map(|k| {
            Value::from_object(SubjectView {
                shared: Arc::clone(&shared),
                k,
                publisher_fn: OnceLock::new(),
                attributes: OnceLock::new(),
                py_params: OnceLock::new(),
            })
        })
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
    serde_json::to_value(sample_of(&reg.envelope.version, &reg.envelope.publisher, s))
        .unwrap_or_default()
}

/// A sample envelope as the subject doc shows it: typed and written straight to text (the doc
/// shows one per subject).
#[derive(Serialize)]
struct Sample<'a> {
    id: String,
    #[serde(rename = "type")]
    ty: &'a str,
    version: &'a str,
    timestamp: &'a str,
    publisher: &'a str,
    attributes: Examples<'a>,
}

/// Each attribute's example, by name, in registry order.
struct Examples<'a>(&'a [Attribute]);

impl Serialize for Examples<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for a in self.0 {
            map.serialize_entry(&a.name, &a.example)?;
        }
        map.end()
    }
}

fn sample_of<'a>(version: &'a str, publisher: &'a str, s: &'a Subject) -> Sample<'a> {
    use std::fmt::Write as _;
    let digest = Sha256::digest(s.subject.as_bytes());
    let mut h = String::with_capacity(32);
    for b in &digest[..16] {
        let _ = write!(h, "{b:02x}");
    }
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
        .and_then(|a| a.example.as_str())
        .unwrap_or("2026-01-01T00:00:00Z");
    Sample {
        id,
        ty: &s.subject.value,
        version,
        timestamp,
        publisher,
        attributes: Examples(&s.attributes),
    }
}

/// What every subject's view reads of the registry: the subjects (shared with the registry,
/// not copied) and the few registry-wide values a view uses.
#[derive(Debug)]
struct Shared {
    subjects: Arc<Vec<Subject>>,
    prefix: String,
    envelope_version: String,
    publisher: String,
}

/// A subject as the templates see it. Each field is computed when a template reads it, so the
/// context holds no copy of the subjects (built whole, the views of 10,000 subjects took
/// ~50 MB, and a fifth of generate's CPU as JSON).
#[derive(Debug)]
struct SubjectView {
    shared: Arc<Shared>,
    k: usize,
    /// Kept once computed: templates sort the subjects by it (`sort(attribute="publisher_fn")`
    /// reads it twice per comparison).
    publisher_fn: OnceLock<Value>,
    /// The attribute views, in registry order and as `py_params` orders them: kept once built
    /// (the Python module reads each list several times per subject).
    attributes: OnceLock<Value>,
    py_params: OnceLock<Value>,
}

pub(super) const SUBJECT_FIELDS: &[&str] = &[
    "subject",
    "entity",
    "event",
    "since",
    "summary",
    "trigger_site",
    "fires",
    "anchor",
    "publisher_fn",
    "attributes",
    "py_params",
    "sample_envelope",
    "schema_file",
    "deprecated",
];

impl SubjectView {
    fn subject(&self) -> &Subject {
        &self.shared.subjects[self.k]
    }

    fn attribute(&self, j: usize) -> Value {
        Value::from_object(AttributeView {
            shared: Arc::clone(&self.shared),
            k: self.k,
            j,
        })
    }
}

impl Object for SubjectView {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let s = self.subject();
        let prefix = &self.shared.prefix;
        Some(match key.as_str()? {
            "subject" => Value::from(s.subject.value.as_str()),
            "entity" => Value::from(s.entity(prefix)),
            "event" => Value::from(s.event()),
            "since" => Value::from(s.since.as_str()),
            "summary" => Value::from(s.summary.as_str()),
            "trigger_site" => Value::from(s.trigger_site.value.as_str()),
            "fires" => Value::from(s.fires.as_str()),
            "anchor" => Value::from(s.subject.value.replace('.', "-")),
            "publisher_fn" => self
                .publisher_fn
                .get_or_init(|| Value::from(s.publisher_fn(prefix)))
                .clone(),
            "attributes" => self
                .attributes
                .get_or_init(|| {
                    Value::from(
                        (0..s.attributes.len())
                            .map(|j| self.attribute(j))
                            .collect::<Vec<_>>(),
                    )
                })
                .clone(),
            // Python keyword arguments: required ones first, then optional ones, each in
            // registry order.
            "py_params" => self
                .py_params
                .get_or_init(|| {
                    let (required, optional): (Vec<usize>, Vec<usize>) =
                        (0..s.attributes.len()).partition(|&j| s.attributes[j].required);
                    Value::from(
                        required
                            .into_iter()
                            .chain(optional)
                            .map(|j| self.attribute(j))
                            .collect::<Vec<_>>(),
                    )
                })
                .clone(),
            "sample_envelope" => {
                let sh = &self.shared;
                let sample = sample_of(&sh.envelope_version, &sh.publisher, s);
                Value::from(serde_json::to_string_pretty(&sample).unwrap_or_default())
            }
            "schema_file" => Value::from(format!("{}.schema.json", s.subject.value)),
            "deprecated" => deprecation_view(s.deprecated.as_ref()),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(SUBJECT_FIELDS)
    }
}

/// An attribute of a subject as the templates see it, computed as it is read.
#[derive(Debug)]
struct AttributeView {
    shared: Arc<Shared>,
    k: usize,
    j: usize,
}

pub(super) const ATTRIBUTE_FIELDS: &[&str] = &[
    "name",
    "type",
    "type_text",
    "values",
    "required",
    "description",
    "example",
    "example_json",
    "py_type",
    "py_convert",
    "deprecated",
];

impl Object for AttributeView {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let a = &self.shared.subjects[self.k].attributes[self.j];
        Some(match key.as_str()? {
            "name" => Value::from(a.name.as_str()),
            "type" => Value::from(a.ty.name()),
            "type_text" => match &a.ty {
                AttrType::Enum(v) => Value::from(format!("enum: {}", v.join(", "))),
                t => Value::from(t.name()),
            },
            "values" => match &a.ty {
                AttrType::Enum(v) => Value::from(v.clone()),
                _ => Value::from(Vec::<Value>::new()),
            },
            "required" => Value::from(a.required),
            "description" => Value::from(a.description.as_str()),
            "example" => Value::from_serialize(&a.example),
            "example_json" => Value::from(serde_json::to_string(&a.example).unwrap_or_default()),
            "py_type" => match &a.ty {
                AttrType::String => Value::from("str"),
                AttrType::Integer => Value::from("int"),
                AttrType::Number => Value::from("float"),
                AttrType::Boolean => Value::from("bool"),
                AttrType::Timestamp => Value::from("Union[str, datetime]"),
                AttrType::Uuid => Value::from("Union[str, UUID]"),
                AttrType::Enum(values) => Value::from(format!(
                    "Literal[{}]",
                    values
                        .iter()
                        .map(|v| crate::render::py_str(v))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            },
            "py_convert" => Value::from(match &a.ty {
                AttrType::String => "str",
                AttrType::Integer => "int",
                AttrType::Number => "float",
                AttrType::Boolean => "bool",
                AttrType::Timestamp => "timestamp",
                AttrType::Uuid => "uuid",
                AttrType::Enum(_) => "enum",
            }),
            "deprecated" => deprecation_view(a.deprecated.as_ref()),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(ATTRIBUTE_FIELDS)
    }
}

/// `deprecated` of a subject or attribute for the templates: none, or its version, reason and
/// replacement.
fn deprecation_view(d: Option<&crate::registry::Deprecation>) -> Value {
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
