//! JSON Schemas (draft 2020-12) generated from the registry: one per subject's envelope, one for
//! the ActivityDefinition format and one for subjects.toml itself. They are data, so they are
//! built here as JSON values rather than through text templates.

use serde_json::{Value as J, json};

use crate::definition::{API_VERSION, KIND};
use crate::registry::{AttrType, Registry, Step, Subject};

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The envelope schema of one subject, attributes included.
pub fn envelope(reg: &Registry, s: &Subject) -> J {
    let mut properties = serde_json::Map::new();
    let mut required = Vec::new();
    for a in &s.attributes {
        let mut schema = attribute(&a.ty, &a.description, &a.example);
        if a.deprecated.is_some() {
            // JSON Schema's `deprecated` annotation: editors and validators can flag its use.
            schema["deprecated"] = J::Bool(true);
        }
        properties.insert(a.name.clone(), schema);
        if a.required {
            required.push(J::String(a.name.clone()));
        }
    }
    let mut schema = json!({
        "$schema": DRAFT,
        "$id": format!("urn:handoff:envelope:{}", s.subject.value),
        "title": format!("{} envelope", s.subject.value),
        "description": s.summary,
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "type", "version", "timestamp", "publisher", "attributes"],
        "properties": {
            "id": { "type": "string", "format": "uuid", "description": "Unique event id; also sent as the Nats-Msg-Id header." },
            "type": { "const": s.subject.value, "description": "The subject the event is published on." },
            "version": { "const": reg.envelope.version },
            "timestamp": { "type": "string", "format": "date-time", "pattern": "Z$", "description": "When the event was built (UTC, RFC 3339)." },
            "publisher": { "const": reg.envelope.publisher },
            "attributes": {
                "type": "object",
                "additionalProperties": false,
                "required": required,
                "properties": properties,
            },
        },
    });
    if s.deprecated.is_some() {
        schema["deprecated"] = J::Bool(true);
    }
    schema
}

fn attribute(ty: &AttrType, description: &str, example: &J) -> J {
    let mut s = match ty {
        AttrType::String => json!({ "type": "string" }),
        AttrType::Integer => json!({ "type": "integer" }),
        AttrType::Number => json!({ "type": "number" }),
        AttrType::Boolean => json!({ "type": "boolean" }),
        AttrType::Timestamp => json!({ "type": "string", "format": "date-time", "pattern": "Z$" }),
        AttrType::Uuid => json!({ "type": "string", "format": "uuid" }),
        AttrType::Enum(values) => json!({ "type": "string", "enum": values }),
    };
    s["description"] = J::String(description.to_string());
    s["examples"] = json!([example]);
    s
}

/// The ActivityDefinition format, with the registry's subjects as known event subjects.
pub fn activity_definition(reg: &Registry) -> J {
    let subjects: Vec<&str> = reg.subjects.iter().map(|s| s.subject.as_str()).collect();
    let contexts: Vec<&str> = reg.contexts.iter().map(|c| c.name.as_str()).collect();
    json!({
        "$schema": DRAFT,
        "$id": "urn:handoff:activity-definition",
        "title": "ActivityDefinition",
        "description": "activity-core's declarative maintenance activity: trigger, rule, instruction. See docs/activity-definition.md.",
        "type": "object",
        "additionalProperties": false,
        "required": ["apiVersion", "kind", "metadata", "trigger", "rule", "instruction"],
        "properties": {
            "apiVersion": { "const": API_VERSION },
            "kind": { "const": KIND },
            "metadata": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name"],
                "properties": {
                    "name": { "type": "string", "pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?$", "description": "namespace.name; also the file name without .yaml" },
                    "owner": { "type": "string" },
                    "description": { "type": "string" },
                    "migration": { "type": "string", "description": "The registry migration this definition comes from." },
                },
            },
            "trigger": {
                "type": "object",
                "additionalProperties": false,
                "minProperties": 1,
                "properties": {
                    "cron": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["schedule"],
                        "properties": {
                            "schedule": { "type": "string", "description": "Standard 5-field cron, or @hourly/@daily/@weekly/@monthly/@yearly." },
                            "timezone": { "type": "string", "default": "UTC", "description": "IANA time zone." },
                        },
                    },
                    "events": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "string",
                            "anyOf": [ { "enum": subjects }, { "pattern": "[*>]" } ],
                        },
                    },
                },
            },
            "rule": {
                "type": "object",
                "additionalProperties": false,
                "required": ["when"],
                "properties": {
                    "when": { "type": "string", "description": "CEL over `event` and `context`." },
                    "requires": { "type": "array", "items": { "type": "string", "anyOf": [ { "enum": contexts }, { "type": "string" } ] } },
                },
            },
            "instruction": {
                "type": "object",
                "oneOf": [
                    {
                        "additionalProperties": false,
                        "required": ["shell"],
                        "properties": { "shell": {
                            "type": "object",
                            "additionalProperties": false,
                            "required": ["command"],
                            "properties": {
                                "command": { "type": "string" },
                                "workdir": { "type": "string" },
                                "timeout": { "type": "string", "pattern": "^([0-9]+[smhd])+$" },
                            },
                        } },
                    },
                    {
                        "additionalProperties": false,
                        "required": ["workflow"],
                        "properties": { "workflow": {
                            "type": "object",
                            "additionalProperties": false,
                            "required": ["name", "taskQueue"],
                            "properties": {
                                "name": { "type": "string" },
                                "taskQueue": { "type": "string" },
                                "input": { "type": "object" },
                            },
                        } },
                    },
                ],
            },
            "idempotency": {
                "type": "object",
                "additionalProperties": false,
                "required": ["key", "mechanism"],
                "properties": {
                    "key": { "type": "string" },
                    "mechanism": { "type": "string" },
                },
            },
        },
    })
}

/// The registry format (subjects.toml), for editors with TOML schema support.
pub fn registry() -> J {
    let string = json!({ "type": "string" });
    json!({
        "$schema": DRAFT,
        "$id": "urn:handoff:registry",
        "title": "handoff registry (subjects.toml)",
        "description": "See docs/registry.md.",
        "type": "object",
        "additionalProperties": false,
        "required": ["version", "subject_prefix", "stream", "envelope", "subjects"],
        "properties": {
            "version": string,
            "subject_prefix": string,
            "stream": registry_stream(),
            "envelope": {
                "type": "object", "additionalProperties": false, "required": ["version", "publisher"],
                "properties": { "version": string, "publisher": string },
            },
            "names": {
                "type": "object", "additionalProperties": false,
                "description": "How generated documents and `handoff plan` name the publishing service and the automation engine, as the words read mid-sentence.",
                "properties": {
                    "service": { "type": "string", "minLength": 1, "default": "the publishing service" },
                    "engine": { "type": "string", "minLength": 1, "default": "the automation engine" },
                },
            },
            "output": {
                "type": "object", "additionalProperties": false,
                "properties": {
                    "subjects_doc": string, "migration_doc": string, "definitions": string,
                    "schemas": string, "python": string,
                },
            },
            "contexts": {
                "type": "object",
                "additionalProperties": {
                    "type": "object", "additionalProperties": false, "required": ["description"],
                    "properties": { "description": string },
                },
            },
            "subjects": { "type": "array", "items": registry_subject() },
            "migrations": { "type": "array", "items": registry_migration() },
            "source": registry_source(),
            "lint": registry_lint(),
        },
    })
}

/// `[stream]`.
fn registry_stream() -> J {
    let string = json!({ "type": "string" });
    json!({
        "type": "object", "additionalProperties": false, "required": ["name", "subjects"],
        "properties": {
            "name": string,
            "subjects": { "type": "array", "items": string },
            "retention": { "enum": ["limits", "interest", "workqueue"] },
            "storage": { "enum": ["file", "memory"] },
            "max_age": string,
            "duplicate_window": string,
            "replicas": { "type": "integer", "minimum": 1, "maximum": 5 },
        },
    })
}

/// One `[[subjects]]` entry with its attributes.
fn registry_subject() -> J {
    let string = json!({ "type": "string" });
    let attribute = json!({
        "type": "object", "additionalProperties": false,
        "required": ["type", "required", "description", "example"],
        "properties": {
            "type": { "enum": AttrType::NAMES },
            "values": { "type": "array", "items": string },
            "required": { "type": "boolean" },
            "description": string,
            "example": {},
            "deprecated": string, "deprecated_reason": string, "replaced_by": string,
        },
    });
    json!({
        "type": "object", "additionalProperties": false,
        "required": ["subject", "since", "summary", "trigger_site", "fires"],
        "properties": {
            "subject": string, "since": string, "summary": string,
            "trigger_site": string, "fires": string,
            "deprecated": string, "deprecated_reason": string, "replaced_by": string,
            "attributes": { "type": "object", "additionalProperties": attribute },
        },
    })
}

/// One `[[migrations]]` entry.
fn registry_migration() -> J {
    let string = json!({ "type": "string" });
    let date_or_na =
        json!({ "anyOf": [ { "type": "string", "format": "date" }, { "const": "n/a" } ] });
    let steps: serde_json::Map<String, J> = Step::ALL
        .iter()
        .map(|s| (s.key().to_string(), date_or_na.clone()))
        .collect();
    let side_effect = json!({
        "type": "object", "additionalProperties": false,
        "required": ["name", "description", "creates_work"],
        "properties": {
            "name": string, "description": string,
            "by": { "enum": ["legacy", "definition", "both"] },
            "creates_work": { "type": "boolean" },
            "idempotent": { "type": "boolean" },
            "mechanism": string, "key": string,
        },
    });
    json!({
        "type": "object", "additionalProperties": false,
        "required": ["name", "summary", "legacy", "definition"],
        "properties": {
            "name": string,
            "summary": string,
            "legacy": {
                "type": "object", "additionalProperties": false, "required": ["command"],
                "properties": {
                    "schedule": string, "timezone": string, "systemd_timer": string,
                    "command": string, "notes": { "type": "array", "items": string },
                },
            },
            "side_effects": { "type": "array", "items": side_effect },
            "definition": { "type": "object" },
            "cutover": { "type": "object", "additionalProperties": false, "properties": steps },
            "subjects": { "type": "array", "items": string },
        },
    })
}

/// `[source]`, for `audit`.
fn registry_source() -> J {
    let string = json!({ "type": "string" });
    json!({
        "type": "object", "additionalProperties": false, "required": ["root"],
        "properties": {
            "root": string,
            "include": { "type": "array", "items": string },
            "exclude": { "type": "array", "items": string },
            "commit": { "type": "array", "items": string },
            "forbidden_modules": { "type": "array", "items": string },
            "extra_sites": {
                "type": "object",
                "additionalProperties": { "type": "array", "items": string },
            },
            "scope": string,
        },
    })
}

/// `[lint]`: codes ignored everywhere, and severity overrides (warning and error only).
fn registry_lint() -> J {
    let names: Vec<&str> = crate::codes::Code::ALL.iter().map(|c| c.name()).collect();
    json!({
        "type": "object", "additionalProperties": false,
        "properties": {
            "ignore": { "type": "array", "items": { "enum": names } },
            "severity": {
                "type": "object",
                "propertyNames": { "enum": names },
                "additionalProperties": { "enum": ["error", "warning"] },
            },
        },
    })
}
