//! `handoff generate`: renders everything the registry implies — the subject doc, the cutover
//! doc, ActivityDefinition drafts, JSON Schemas and the Python publisher package — and writes
//! it atomically, or (`--check`) compares it with what is on disk.
//!
//! Every generated file carries a seal, `handoff:sha256=<hex>`, the hash of its own content. A
//! file whose content no longer matches its seal was edited by hand: generate never overwrites
//! it without `--force`. Drafts in definitions/ are scaffolds: once edited they belong to their
//! author, and deleting the seal line adopts them for good.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value as J, json};
use sha2::{Digest, Sha256};

use crate::plan;
use crate::registry::{AttrType, Instruction, Migration, Registry, StepState, Subject};
use crate::schema;

pub const SEAL: &str = "handoff:sha256=";
const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Always regenerated (unless edited by hand).
    Generated,
    /// A scaffold: regenerated while untouched, kept once edited.
    Draft,
}

/// One file generate produces: a path relative to the registry's folder and its full content.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub path: String,
    pub content: String,
    pub kind: Kind,
}

/// What happened (or would happen) to one artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Written,
    Unchanged,
    /// An edited draft left as it is.
    KeptEdited,
    /// A draft without a seal: adopted by its author, never touched.
    Adopted,
    /// A generated file edited by hand, not overwritten (no `--force`).
    RefusedEdited,
    /// (`--check`) exists but differs from what generate would write.
    Stale,
    /// (`--check`) does not exist.
    Missing,
    /// (`--check`) an edited draft or generated file.
    Edited,
}

impl Outcome {
    /// Whether this outcome fails `generate` (or `generate --check`).
    pub fn is_problem(self) -> bool {
        matches!(
            self,
            Outcome::RefusedEdited | Outcome::Stale | Outcome::Missing | Outcome::Edited
        )
    }

    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Written => "written",
            Outcome::Unchanged => "unchanged",
            Outcome::KeptEdited => "kept: edited by hand (use --force to overwrite)",
            Outcome::Adopted => "kept: adopted (no handoff seal)",
            Outcome::RefusedEdited => {
                "not overwritten: edited by hand since it was generated (use --force)"
            }
            Outcome::Stale => "stale: differs from what `handoff generate` writes",
            Outcome::Missing => "missing: run `handoff generate`",
            Outcome::Edited => {
                "edited by hand: carry the change into subjects.toml and run `handoff generate --force`"
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct FileOutcome {
    pub path: String,
    pub outcome: Outcome,
}

/// Computes the hash of `content` with its seal's hex zeroed, and writes it into the seal.
pub fn seal(content: &str) -> String {
    let hash = hash_unsealed(content);
    content.replacen(&format!("{SEAL}{ZERO_HASH}"), &format!("{SEAL}{hash}"), 1)
}

fn hash_unsealed(content: &str) -> String {
    let zeroed = match content.find(SEAL) {
        Some(i) => {
            let start = i + SEAL.len();
            let end = (start + 64).min(content.len());
            format!("{}{ZERO_HASH}{}", &content[..start], &content[end..])
        }
        None => content.to_string(),
    };
    let digest = Sha256::digest(zeroed.as_bytes());
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `Some(true)` when the file's seal matches its content, `Some(false)` when it was edited,
/// `None` when it carries no seal.
pub fn seal_intact(content: &str) -> Option<bool> {
    let i = content.find(SEAL)?;
    let recorded = content.get(i + SEAL.len()..i + SEAL.len() + 64)?;
    Some(recorded == hash_unsealed(content))
}

/// Everything generate produces from the registry, in a fixed order.
pub fn artifacts(reg: &Registry, templates: Option<&Path>) -> Result<Vec<Artifact>, String> {
    use rayon::prelude::*;
    let env = crate::render::environment(templates)?;
    let out = &reg.output;
    let ctx = context(reg, &env)?;
    // Converted once: each render would otherwise convert the whole context again.
    let ctx_value = minijinja::Value::from_serialize(&ctx);

    let schema_rel = relative(
        &out.definitions,
        &format!("{}/activity-definition.schema.json", out.schemas),
    );
    let mut list = Vec::new();
    for (m, mv) in reg
        .migrations
        .iter()
        .zip(ctx["migrations"].as_array().into_iter().flatten())
    {
        let content = crate::render::render(
            &env,
            "definition.yaml.j2",
            &json!({ "registry": ctx["registry"], "migration": mv, "schema_path": schema_rel, "sealed": true }),
        )?;
        list.push(Artifact {
            path: format!("{}/{}.yaml", out.definitions, m.definition.name.value),
            content: seal(&content),
            kind: Kind::Draft,
        });
    }

    let rendered: Vec<(String, &str)> = vec![
        (out.subjects_doc.clone(), "nats-event-subjects.md.j2"),
        (out.migration_doc.clone(), "cron-migration.md.j2"),
        (format!("{}/__init__.py", out.python), "__init__.py.j2"),
        (format!("{}/publishers.py", out.python), "publishers.py.j2"),
        (format!("{}/runtime.py", out.python), "runtime.py.j2"),
        (format!("{}/py.typed", out.python), "py.typed.j2"),
    ];
    let mut rendered: Vec<Artifact> = rendered
        .into_par_iter()
        .map(|(path, template)| {
            crate::render::render(&env, template, &ctx_value).map(|c| Artifact {
                path,
                content: seal(&c),
                kind: Kind::Generated,
            })
        })
        .collect::<Result<_, _>>()?;
    let python = rendered.split_off(2);
    list.append(&mut rendered);

    let schemas: Vec<Artifact> = reg
        .subjects
        .par_iter()
        .map(|s| Artifact {
            path: format!("{}/{}.schema.json", out.schemas, s.subject.value),
            content: json_file(schema::envelope(reg, s)),
            kind: Kind::Generated,
        })
        .collect();
    list.extend(schemas);
    list.push(Artifact {
        path: format!("{}/activity-definition.schema.json", out.schemas),
        content: json_file(schema::activity_definition(reg)),
        kind: Kind::Generated,
    });
    list.push(Artifact {
        path: format!("{}/subjects.schema.json", out.schemas),
        content: json_file(schema::registry()),
        kind: Kind::Generated,
    });
    list.extend(python);
    Ok(list)
}

/// A JSON file with the seal in its `$comment`.
fn json_file(mut schema: J) -> String {
    if let J::Object(map) = &mut schema {
        let mut with_comment = serde_json::Map::new();
        with_comment.insert(
            "$comment".into(),
            J::String(format!(
                "Generated by handoff from subjects.toml; do not edit, run `handoff generate`. {SEAL}{ZERO_HASH}"
            )),
        );
        for (k, v) in std::mem::take(map) {
            with_comment.insert(k, v);
        }
        *map = with_comment;
    }
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    seal(&text)
}

/// A path to `to` relative to the folder `from_dir` (both relative to the same root).
pub fn relative(from_dir: &str, to: &str) -> String {
    let from: Vec<&str> = from_dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let to_parts: Vec<&str> = to
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

/// Writes artifacts under `root`. Edited files are kept unless `force`.
pub fn write(root: &Path, artifacts: &[Artifact], force: bool) -> Result<Vec<FileOutcome>, String> {
    let mut outcomes = Vec::new();
    for a in artifacts {
        let path = root.join(&a.path);
        let outcome = match std::fs::read_to_string(&path) {
            Ok(existing) if existing == a.content => Outcome::Unchanged,
            Ok(existing) => match (seal_intact(&existing), a.kind, force) {
                (_, _, true) | (Some(true), _, _) => {
                    write_atomic(&path, &a.content)?;
                    Outcome::Written
                }
                (None, Kind::Draft, false) => Outcome::Adopted,
                (_, Kind::Draft, false) => Outcome::KeptEdited,
                (_, Kind::Generated, false) => Outcome::RefusedEdited,
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                write_atomic(&path, &a.content)?;
                Outcome::Written
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        outcomes.push(FileOutcome {
            path: a.path.clone(),
            outcome,
        });
    }
    Ok(outcomes)
}

/// Compares artifacts with the files under `root`, writing nothing.
pub fn check(root: &Path, artifacts: &[Artifact]) -> Result<Vec<FileOutcome>, String> {
    let mut outcomes = Vec::new();
    for a in artifacts {
        let path = root.join(&a.path);
        let outcome = match std::fs::read_to_string(&path) {
            Ok(existing) if existing == a.content => Outcome::Unchanged,
            Ok(existing) => match (seal_intact(&existing), a.kind) {
                (None, Kind::Draft) => Outcome::Adopted,
                (Some(false), _) | (None, Kind::Generated) => Outcome::Edited,
                (Some(true), _) => Outcome::Stale,
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Outcome::Missing,
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        outcomes.push(FileOutcome {
            path: a.path.clone(),
            outcome,
        });
    }
    Ok(outcomes)
}

/// Writes through a temporary file in the same folder and a rename, so a reader never sees a
/// half-written file.
pub fn write_atomic(path: &Path, content: &str) -> Result<(), String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, content.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| format!("cannot write {}: {}", path.display(), e.error))?;
    Ok(())
}

/// Where the registry's folder is, for resolving output paths.
pub fn root_of(registry_path: &Path) -> PathBuf {
    match registry_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

// ---------------------------------------------------------------------------------------------
// Template context
// ---------------------------------------------------------------------------------------------

/// The data every template sees: `registry`, `subjects`, `migrations`.
pub fn context(reg: &Registry, env: &minijinja::Environment) -> Result<J, String> {
    use rayon::prelude::*;
    let subjects: Vec<J> = reg
        .subjects
        .par_iter()
        .map(|s| subject_view(reg, s))
        .collect();
    let registry = json!({
        "path": reg.file.path,
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
        },
        "envelope": { "version": reg.envelope.version, "publisher": reg.envelope.publisher },
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
    Ok(json!({ "registry": registry, "subjects": subjects, "migrations": migrations }))
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

fn subject_view(reg: &Registry, s: &Subject) -> J {
    let attributes: Vec<J> = s
        .attributes
        .iter()
        .map(|a| {
            let (py_type, py_convert) = match &a.ty {
                AttrType::String => ("str".to_string(), "str"),
                AttrType::Integer => ("int".to_string(), "int"),
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
            json!({
                "name": a.name,
                "type": a.ty.name(),
                "type_text": match &a.ty {
                    AttrType::Enum(v) => format!("enum: {}", v.join(", ")),
                    t => t.name().to_string(),
                },
                "values": match &a.ty { AttrType::Enum(v) => v.clone(), _ => Vec::new() },
                "required": a.required,
                "description": a.description,
                "example": a.example,
                "example_json": serde_json::to_string(&a.example).unwrap_or_default(),
                "py_type": py_type,
                "py_convert": py_convert,
            })
        })
        .collect();
    let mut sorted = attributes.clone();
    // Python keyword arguments: required ones first, then optional ones, each in registry order.
    sorted.sort_by_key(|a| !a["required"].as_bool().unwrap_or(false));
    let sample = sample_envelope(reg, s);
    json!({
        "subject": s.subject.value,
        "entity": s.entity(&reg.subject_prefix),
        "event": s.event(),
        "since": s.since,
        "summary": s.summary,
        "trigger_site": s.trigger_site,
        "fires": s.fires,
        "anchor": s.subject.value.replace('.', "-"),
        "publisher_fn": s.publisher_fn(&reg.subject_prefix),
        "attributes": attributes,
        "py_params": sorted,
        "sample_envelope": serde_json::to_string_pretty(&sample).unwrap_or_default(),
        "schema_file": format!("{}.schema.json", s.subject.value),
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
                "title": step.title(),
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
            "cron": d.cron.as_ref().map(|c| c.value.clone()),
            "cron_words": status.definition_words,
            "timezone": d.timezone.value,
            "events": d.events.iter().map(|e| e.value.clone()).collect::<Vec<_>>(),
            "when": d.when.value,
            "requires": d.requires.iter().map(|r| r.value.clone()).collect::<Vec<_>>(),
            "instruction": instruction,
            "idempotency": { "key": d.idempotency_key, "mechanism": d.idempotency_mechanism },
            "file": format!("{}/{}.yaml", reg.output.definitions, d.name.value),
        },
        "steps": steps,
        "next_step": status.next_step.map(|s| json!({"number": s.number(), "title": s.title()})),
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
