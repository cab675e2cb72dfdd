//! The event envelope: building one from the registry (what `handoff publish` and the Python
//! stubs send) and checking a received message against the registry (what `handoff tap` does
//! for every event).
//!
//! The envelope is `{"id", "type", "version", "timestamp", "publisher", "attributes"}`: a UUID, the
//! subject, the registry's envelope version and publisher, a UTC RFC 3339 timestamp, and the
//! subject's attributes. [`check`] is the tap hot path: it deserializes into borrowed fields and
//! allocates only for the attribute values and for the problems it finds.
//!
//! One file per role: `build.rs` makes an envelope from `KEY=VALUE` arguments (`handoff
//! publish`), `check.rs` checks a received one (`handoff tap`); both report [`Problem`]s.

mod attr;
mod build;
mod check;

pub use build::{BuildError, build, parse_value, timestamp};
pub use check::{Checked, check, check_value, uuid_bits};

use std::fmt;

/// The envelope's fields, in the order they are written.
pub const FIELDS: [&str; 6] = [
    "id",
    "type",
    "version",
    "timestamp",
    "publisher",
    "attributes",
];

/// One thing wrong with a received (or about to be sent) event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The payload is not JSON at all (the parser's message).
    NotJson(String),
    /// JSON, but not an object.
    NotObject,
    /// A required envelope field is absent.
    MissingField(&'static str),
    /// An envelope field of the wrong JSON type (`expected` says what it must be).
    FieldType {
        field: &'static str,
        expected: &'static str,
    },
    /// A top-level field the envelope does not have.
    UnknownField(String),
    /// `id` is not a UUID.
    BadId(String),
    /// `type` is not the subject the event was published on.
    TypeMismatch { found: String, subject: String },
    /// `version` is not the registry's envelope version.
    WrongVersion { found: String, expected: String },
    /// `publisher` is not the registry's publisher.
    WrongPublisher { found: String, expected: String },
    /// `timestamp` is not a UTC RFC 3339 date-time.
    BadTimestamp(String),
    /// Published on a subject nobody registered.
    UnregisteredSubject(String),
    /// A required attribute is absent.
    MissingAttribute(String),
    /// An attribute the subject does not declare.
    UnknownAttribute(String),
    /// An attribute value of the wrong type.
    AttributeType {
        name: String,
        expected: String,
        found: String,
    },
    /// An enum attribute's value outside its list.
    EnumValue {
        name: String,
        found: String,
        expected: String,
    },
    /// An id seen before on this tap (a re-publish the stream did not de-duplicate).
    DuplicateId(String),
}

impl Problem {
    /// A stable code for the problem (the `code` of tap's JSON output; see docs/nats.md).
    pub fn code(&self) -> &'static str {
        match self {
            Problem::NotJson(_) => "not-json",
            Problem::NotObject => "not-object",
            Problem::MissingField(_) => "missing-envelope-field",
            Problem::FieldType { .. } => "field-type",
            Problem::UnknownField(_) => "unknown-field",
            Problem::BadId(_) => "bad-id",
            Problem::TypeMismatch { .. } => "type-mismatch",
            Problem::WrongVersion { .. } => "wrong-version",
            Problem::WrongPublisher { .. } => "wrong-publisher",
            Problem::BadTimestamp(_) => "bad-timestamp",
            Problem::UnregisteredSubject(_) => "unregistered-subject",
            Problem::MissingAttribute(_) => "missing-attribute",
            Problem::UnknownAttribute(_) => "undeclared-attribute",
            Problem::AttributeType { .. } => "wrong-attribute-type",
            Problem::EnumValue { .. } => "value-not-in-enum",
            Problem::DuplicateId(_) => "duplicate-id",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NotJson(e) => write!(f, "not JSON: {e}"),
            Problem::NotObject => write!(f, "not a JSON object"),
            Problem::MissingField(field) => write!(f, "missing envelope field `{field}`"),
            Problem::FieldType { field, expected } => {
                write!(f, "envelope field `{field}` must be {expected}")
            }
            Problem::UnknownField(field) => write!(f, "unknown envelope field `{field}`"),
            Problem::BadId(id) => write!(f, "`id` {id:?} is not a UUID"),
            Problem::TypeMismatch { found, subject } => {
                write!(f, "`type` is {found:?} but the subject is {subject:?}")
            }
            Problem::WrongVersion { found, expected } => {
                write!(f, "`version` is {found:?}, the registry says {expected:?}")
            }
            Problem::WrongPublisher { found, expected } => {
                write!(
                    f,
                    "`publisher` is {found:?}, the registry says {expected:?}"
                )
            }
            Problem::BadTimestamp(ts) => {
                write!(f, "`timestamp` {ts:?} is not a UTC RFC 3339 date-time")
            }
            Problem::UnregisteredSubject(s) => write!(f, "subject `{s}` is not registered"),
            Problem::MissingAttribute(a) => write!(f, "missing required attribute `{a}`"),
            Problem::UnknownAttribute(a) => {
                write!(
                    f,
                    "unknown attribute `{a}` (the subject does not declare it)"
                )
            }
            Problem::AttributeType {
                name,
                expected,
                found,
            } => write!(f, "attribute `{name}` must be {expected}, got {found}"),
            Problem::EnumValue {
                name,
                found,
                expected,
            } => write!(f, "attribute `{name}` is {found}, must be {expected}"),
            Problem::DuplicateId(id) => write!(f, "id {id} was seen before"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{AttrType, Registry};
    use crate::source::SourceFile;
    use serde_json::Value as J;

    fn registry() -> Registry {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/subjects.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let (reg, diags) = crate::validate::load_registry(SourceFile::new("subjects.toml", text));
        reg.unwrap_or_else(|| panic!("registry invalid: {diags:?}"))
    }

    const SUBJECT: &str = "org.statehub.repo.registered";

    fn good() -> String {
        r#"{"id":"5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91","type":"org.statehub.repo.registered","version":"1.0","timestamp":"2026-11-02T09:14:27.123456Z","publisher":"state-hub","attributes":{"repo_id":"5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91","slug":"a/b","registered_at":"2026-11-02T09:14:27Z"}}"#.to_string()
    }

    fn codes(c: &Checked) -> Vec<&'static str> {
        c.problems.iter().map(Problem::code).collect()
    }

    #[test]
    fn a_good_envelope_has_no_problems() {
        let reg = registry();
        let c = check(&reg, SUBJECT, good().as_bytes());
        assert!(c.is_ok(), "{:?}", c.problems);
        assert_eq!(c.id, uuid_bits("5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91"));
    }

    #[test]
    fn escaped_strings_are_read() {
        let reg = registry();
        let text = good().replace("\"slug\":\"a/b\"", "\"slug\":\"a\\/b\\u00e9\"");
        assert!(check(&reg, SUBJECT, text.as_bytes()).is_ok());
    }

    #[test]
    fn not_json_and_not_object() {
        let reg = registry();
        assert_eq!(codes(&check(&reg, SUBJECT, b"hello")), ["not-json"]);
        assert_eq!(codes(&check(&reg, SUBJECT, b"[1,2]")), ["not-object"]);
        assert_eq!(codes(&check(&reg, SUBJECT, b"\"x\"")), ["not-object"]);
        assert_eq!(
            codes(&check(&reg, "org.nobody.x", b"{}"))[0],
            "unregistered-subject"
        );
    }

    #[test]
    fn envelope_field_problems() {
        let reg = registry();
        let text = good()
            .replace(
                "\"type\":\"org.statehub.repo.registered\"",
                "\"type\":\"org.statehub.task.stale\"",
            )
            .replace("\"version\":\"1.0\"", "\"version\":2")
            .replace("2026-11-02T09:14:27.123456Z", "2026-11-02 09:14:27")
            .replace(
                "\"publisher\":\"state-hub\"",
                "\"publisher\":\"other\",\"extra\":1",
            )
            .replace(
                "\"id\":\"5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91\"",
                "\"id\":\"nope\"",
            );
        let c = check(&reg, SUBJECT, text.as_bytes());
        assert_eq!(
            codes(&c),
            [
                "bad-id",
                "type-mismatch",
                "field-type",
                "bad-timestamp",
                "wrong-publisher",
                "unknown-field"
            ]
        );
        let c = check(&reg, SUBJECT, b"{}");
        assert_eq!(
            codes(&c),
            [
                "missing-envelope-field",
                "missing-envelope-field",
                "missing-envelope-field",
                "missing-envelope-field",
                "missing-envelope-field",
                "missing-envelope-field"
            ]
        );
    }

    #[test]
    fn attribute_problems() {
        let reg = registry();
        let text = good()
            .replace("\"slug\":\"a/b\"", "\"slug\":42,\"colour\":\"red\"")
            .replace(",\"registered_at\":\"2026-11-02T09:14:27Z\"", "");
        let c = check(&reg, SUBJECT, text.as_bytes());
        assert_eq!(
            codes(&c),
            [
                "wrong-attribute-type",
                "missing-attribute",
                "undeclared-attribute"
            ]
        );
        assert_eq!(
            c.problems[0].to_string(),
            "attribute `slug` must be a string, got 42"
        );

        let enum_event = r#"{"id":"9b2e4d61-0c3f-4a8e-b5d7-1e6f2a9c4b83","type":"org.statehub.decision.resolved","version":"1.0","timestamp":"2026-11-21T11:42:10Z","publisher":"state-hub","attributes":{"decision_id":"9b2e4d61-0c3f-4a8e-b5d7-1e6f2a9c4b83","resolution":"maybe","resolved_by":"x","resolved_at":"2026-11-21T11:42:10Z"}}"#;
        let c = check(
            &reg,
            "org.statehub.decision.resolved",
            enum_event.as_bytes(),
        );
        assert_eq!(codes(&c), ["value-not-in-enum"]);
        let c = check(
            &reg,
            "org.statehub.decision.resolved",
            enum_event.replace("\"maybe\"", "3").as_bytes(),
        );
        assert_eq!(codes(&c), ["wrong-attribute-type"]);
    }

    #[test]
    fn build_parses_values_by_type_and_matches_check() {
        let reg = registry();
        let now: jiff::Timestamp = "2026-11-26T12:00:00Z".parse().unwrap();
        let attrs = [
            "workstream_id=c0a8012e-5b7d-4e1f-a3c2-6d9e8f7a1b24",
            "title=Hand over",
            "domain=custodian",
            "previous_status=active",
            "open_task_count=3",
            "completed_at=2026-11-20T16:05:00Z",
        ]
        .map(String::from);
        let env = build(
            &reg,
            "org.statehub.workstream.completed",
            &attrs,
            Some("C0A8012E-5B7D-4E1F-A3C2-6D9E8F7A1B24"),
            now,
        )
        .unwrap();
        assert_eq!(env["timestamp"], "2026-11-26T12:00:00.000000Z");
        assert_eq!(env["attributes"]["open_task_count"], 3);
        assert_eq!(env["id"], "c0a8012e-5b7d-4e1f-a3c2-6d9e8f7a1b24");
        let keys: Vec<_> = env.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, FIELDS);
        let bytes = serde_json::to_vec(&env).unwrap();
        let c = check(&reg, "org.statehub.workstream.completed", &bytes);
        assert!(c.is_ok(), "{:?}", c.problems);
    }

    #[test]
    fn build_reports_every_problem() {
        let reg = registry();
        let now = jiff::Timestamp::UNIX_EPOCH;
        let attrs = [
            "workstream_id=nope",
            "open_task_count=many",
            "previous_status=gone",
            "colour=red",
            "noequals",
        ]
        .map(String::from);
        let errs = build(
            &reg,
            "org.statehub.workstream.completed",
            &attrs,
            Some("x"),
            now,
        )
        .unwrap_err();
        let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(text.contains(&"`--attr noequals` is not of the form KEY=VALUE".into()));
        assert!(text.contains(&"`--id x` is not a UUID".into()));
        assert!(text.contains(&"missing required attribute `title`".into()));
        assert!(
            text.contains(&"unknown attribute `colour` (the subject does not declare it)".into())
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("attribute `open_task_count` must be an integer"))
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("attribute `previous_status` must be one of"))
        );
        let errs = build(&reg, "org.statehub.repo.registerd", &[], None, now).unwrap_err();
        assert_eq!(
            errs,
            [BuildError::UnknownSubject {
                subject: "org.statehub.repo.registerd".into(),
                suggestion: Some("org.statehub.repo.registered".into())
            }]
        );
    }

    #[test]
    fn booleans_and_integers_parse() {
        assert_eq!(parse_value(&AttrType::Boolean, "true"), Ok(J::Bool(true)));
        assert!(parse_value(&AttrType::Boolean, "yes").is_err());
        assert_eq!(parse_value(&AttrType::Integer, "-4"), Ok(J::from(-4)));
        assert!(parse_value(&AttrType::Integer, "2.5").is_err());
        assert_eq!(parse_value(&AttrType::Number, "-4"), Ok(J::from(-4)));
        assert_eq!(parse_value(&AttrType::Number, " 2.5"), Ok(J::from(2.5)));
        assert_eq!(parse_value(&AttrType::Number, "1e-3"), Ok(J::from(0.001)));
        for bad in [
            "NaN",
            "inf",
            "-infinity",
            "1e999",
            "two",
            "",
            "0x10",
            "true",
        ] {
            assert_eq!(
                parse_value(&AttrType::Number, bad),
                Err("a number (e.g. `2.5`)".to_string()),
                "{bad}"
            );
        }
        assert!(parse_value(&AttrType::Timestamp, "2026-01-01").is_err());
    }
}
