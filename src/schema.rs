//! JSON Schemas (draft 2020-12) generated from the registry: one per subject's envelope, one for
//! the ActivityDefinition format and one for subjects.toml itself. They are data, so they are
//! built here as JSON values rather than through text templates.

use serde::Serialize;
use serde_json::{Value as J, json};

use crate::definition::{API_VERSION, KIND};
use crate::registry::{AttrType, Attribute, Registry, Step, Subject};

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The envelope schema of one subject, attributes included. A typed document, written
/// straight to text by serde: generate writes one per subject (10,000 files at 10,000 subjects),
/// and building each as a JSON tree first cost more than writing it.
#[derive(Serialize)]
pub struct EnvelopeSchema<'a> {
    /// Where the file comes from (set by generate, which seals it there).
    #[serde(rename = "$comment", skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(rename = "$schema")]
    schema: &'static str,
    #[serde(rename = "$id")]
    id: String,
    title: String,
    description: &'a str,
    #[serde(rename = "type")]
    ty: &'static str,
    #[serde(rename = "additionalProperties")]
    additional_properties: bool,
    required: [&'static str; 6],
    properties: EnvelopeProperties<'a>,
    /// JSON Schema's `deprecated` annotation: editors and validators can flag its use.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    deprecated: bool,
}

#[derive(Serialize)]
struct EnvelopeProperties<'a> {
    id: Property<'a>,
    #[serde(rename = "type")]
    ty: Const<'a>,
    version: Const<'a>,
    timestamp: Property<'a>,
    publisher: Const<'a>,
    attributes: Attributes<'a>,
}

/// `{"const": value}`, with a description when it has one.
#[derive(Serialize)]
struct Const<'a> {
    #[serde(rename = "const")]
    value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'static str>,
}

/// A typed value: an envelope field or an attribute.
#[derive(Serialize)]
struct Property<'a> {
    #[serde(rename = "type")]
    ty: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pattern: Option<&'static str>,
    #[serde(rename = "enum", skip_serializing_if = "Option::is_none")]
    values: Option<&'a [String]>,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    examples: Option<[&'a J; 1]>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    deprecated: bool,
}

#[derive(Serialize)]
struct Attributes<'a> {
    #[serde(rename = "type")]
    ty: &'static str,
    #[serde(rename = "additionalProperties")]
    additional_properties: bool,
    required: Vec<&'a str>,
    properties: Named<'a>,
}

/// Attributes by name, in registry order (names are unique: they are the keys of a TOML
/// table).
struct Named<'a>(Vec<(&'a str, Property<'a>)>);

impl Serialize for Named<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, property) in &self.0 {
            map.serialize_entry(name, property)?;
        }
        map.end()
    }
}

/// The envelope schema of one subject, attributes included.
pub fn envelope<'a>(reg: &'a Registry, s: &'a Subject) -> EnvelopeSchema<'a> {
    let subject = s.subject.value.as_str();
    EnvelopeSchema {
        comment: None,
        schema: DRAFT,
        id: format!("urn:handoff:envelope:{subject}"),
        title: format!("{subject} envelope"),
        description: &s.summary,
        ty: "object",
        additional_properties: false,
        required: crate::envelope::FIELDS,
        properties: EnvelopeProperties {
            id: Property {
                format: Some("uuid"),
                ..Property::of(
                    "string",
                    "Unique event id; also sent as the Nats-Msg-Id header.",
                )
            },
            ty: Const {
                value: subject,
                description: Some("The subject the event is published on."),
            },
            version: Const {
                value: &reg.envelope.version,
                description: None,
            },
            timestamp: Property {
                format: Some("date-time"),
                pattern: Some("Z$"),
                ..Property::of("string", "When the event was built (UTC, RFC 3339).")
            },
            publisher: Const {
                value: &reg.envelope.publisher,
                description: None,
            },
            attributes: Attributes {
                ty: "object",
                additional_properties: false,
                required: s
                    .attributes
                    .iter()
                    .filter(|a| a.required)
                    .map(|a| a.name.as_str())
                    .collect(),
                properties: Named(
                    s.attributes
                        .iter()
                        .map(|a| (a.name.as_str(), attribute(a)))
                        .collect(),
                ),
            },
        },
        deprecated: s.deprecated.is_some(),
    }
}

impl<'a> Property<'a> {
    fn of(ty: &'static str, description: &'a str) -> Self {
        Property {
            ty,
            format: None,
            pattern: None,
            values: None,
            description,
            examples: None,
            deprecated: false,
        }
    }
}

fn attribute(a: &Attribute) -> Property<'_> {
    let typed = |ty| Property::of(ty, &a.description);
    let property = match &a.ty {
        AttrType::String => typed("string"),
        AttrType::Integer => typed("integer"),
        AttrType::Number => typed("number"),
        AttrType::Boolean => typed("boolean"),
        AttrType::Timestamp => Property {
            format: Some("date-time"),
            pattern: Some("Z$"),
            ..typed("string")
        },
        AttrType::Uuid => Property {
            format: Some("uuid"),
            ..typed("string")
        },
        AttrType::Enum(values) => Property {
            values: Some(values),
            ..typed("string")
        },
    };
    Property {
        examples: Some([&a.example]),
        deprecated: a.deprecated.is_some(),
        ..property
    }
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
