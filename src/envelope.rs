//! The event envelope: building one from the registry (what `handoff publish` and the Python
//! stubs send) and checking a received message against the registry (what `handoff tap` does
//! for every event).
//!
//! The envelope is `{"id", "type", "version", "timestamp", "publisher", "attributes"}`: a UUID, the
//! subject, the registry's envelope version and publisher, a UTC RFC 3339 timestamp, and the
//! subject's attributes. [`check`] is the tap hot path: it deserializes into borrowed fields and
//! allocates only for the attribute values and for the problems it finds.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde_json::Value as J;

use crate::registry::{AttrType, Registry, Subject, is_utc_timestamp, is_uuid};

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

// ---------------------------------------------------------------------------------------------
// Building (publish)
// ---------------------------------------------------------------------------------------------

/// Why an envelope could not be built from `KEY=VALUE` arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// The subject is not registered; `suggestion` is the closest registered one.
    UnknownSubject {
        subject: String,
        suggestion: Option<String>,
    },
    /// An argument without `=`.
    BadArgument(String),
    /// The same attribute given twice.
    RepeatedAttribute(String),
    /// `--id` is not a UUID.
    BadId(String),
    /// An attribute problem (missing, unknown, mistyped).
    Attribute(Problem),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::UnknownSubject { subject, .. } => {
                write!(f, "subject `{subject}` is not registered")
            }
            BuildError::BadArgument(a) => write!(f, "`--attr {a}` is not of the form KEY=VALUE"),
            BuildError::RepeatedAttribute(a) => write!(f, "attribute `{a}` is given twice"),
            BuildError::BadId(id) => write!(f, "`--id {id}` is not a UUID"),
            BuildError::Attribute(p) => write!(f, "{p}"),
        }
    }
}

/// Parses one `--attr` value according to the attribute's declared type.
pub fn parse_value(ty: &AttrType, text: &str) -> Result<J, String> {
    let value = match ty {
        AttrType::Integer => match text.trim().parse::<i64>() {
            Ok(n) => J::from(n),
            Err(_) => return Err(ty.expectation()),
        },
        AttrType::Boolean => match text {
            "true" => J::Bool(true),
            "false" => J::Bool(false),
            _ => return Err("`true` or `false`".into()),
        },
        _ => J::String(text.to_string()),
    };
    ty.check(&value)?;
    Ok(value)
}

/// The envelope for `subject` with attributes from `KEY=VALUE` strings, built exactly as the
/// Python stubs build it (key order, microsecond UTC timestamp). Every problem is returned.
pub fn build(
    reg: &Registry,
    subject: &str,
    attrs: &[String],
    id: Option<&str>,
    now: jiff::Timestamp,
) -> Result<J, Vec<BuildError>> {
    let Some(s) = reg.subject(subject) else {
        let suggestion = reg
            .subjects
            .iter()
            .map(|s| (strsim::levenshtein(&s.subject, subject), &s.subject.value))
            .filter(|(d, _)| *d <= 6)
            .min_by_key(|(d, _)| *d)
            .map(|(_, s)| s.clone());
        return Err(vec![BuildError::UnknownSubject {
            subject: subject.to_string(),
            suggestion,
        }]);
    };
    let mut errors = Vec::new();
    let mut given: Vec<(&str, &str)> = Vec::new();
    for a in attrs {
        match a.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                if given.iter().any(|(g, _)| *g == k) {
                    errors.push(BuildError::RepeatedAttribute(k.to_string()));
                } else {
                    given.push((k, v));
                }
            }
            _ => errors.push(BuildError::BadArgument(a.clone())),
        }
    }
    let id = match id {
        Some(id) if is_uuid(id) => id.to_ascii_lowercase(),
        Some(id) => {
            errors.push(BuildError::BadId(id.to_string()));
            String::new()
        }
        None => uuid::Uuid::new_v4().to_string(),
    };
    let mut attributes = serde_json::Map::new();
    for attr in &s.attributes {
        match given.iter().find(|(k, _)| *k == attr.name) {
            Some((_, text)) => match parse_value(&attr.ty, text) {
                Ok(v) => {
                    attributes.insert(attr.name.clone(), v);
                }
                Err(expected) => errors.push(BuildError::Attribute(Problem::AttributeType {
                    name: attr.name.clone(),
                    expected,
                    found: format!("{text:?}"),
                })),
            },
            None if attr.required => errors.push(BuildError::Attribute(Problem::MissingAttribute(
                attr.name.clone(),
            ))),
            None => {}
        }
    }
    for (k, _) in &given {
        if s.attribute(k).is_none() {
            errors.push(BuildError::Attribute(Problem::UnknownAttribute(
                k.to_string(),
            )));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut env = serde_json::Map::new();
    env.insert("id".into(), J::String(id));
    env.insert("type".into(), J::String(s.subject.value.clone()));
    env.insert("version".into(), J::String(reg.envelope.version.clone()));
    env.insert("timestamp".into(), J::String(timestamp(now)));
    env.insert(
        "publisher".into(),
        J::String(reg.envelope.publisher.clone()),
    );
    env.insert("attributes".into(), J::Object(attributes));
    Ok(J::Object(env))
}

/// `2026-11-26T12:00:00.000000Z`: what Python's `strftime("%Y-%m-%dT%H:%M:%S.%fZ")` writes.
pub fn timestamp(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string()
}

// ---------------------------------------------------------------------------------------------
// Checking (tap)
// ---------------------------------------------------------------------------------------------

/// A field that must be a string: borrowed when it has no escapes.
#[derive(Debug)]
enum Str<'a> {
    S(Cow<'a, str>),
    /// Present but not a string.
    Other,
}

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str::S(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str::S(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str::S(Cow::Owned(v)))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Str<'de>, E> {
                Ok(Str::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Str<'de>, E> {
                Ok(Str::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Str<'de>, E> {
                Ok(Str::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Str<'de>, E> {
                Ok(Str::Other)
            }
            fn visit_unit<E>(self) -> Result<Str<'de>, E> {
                Ok(Str::Other)
            }
            fn visit_none<E>(self) -> Result<Str<'de>, E> {
                Ok(Str::Other)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Str<'de>, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Str::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Str<'de>, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Str::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// The attributes object: its entries in order, or `None` when it is not an object.
#[derive(Debug)]
struct Attrs<'a>(Option<Vec<(Cow<'a, str>, J)>>);

impl<'de> Deserialize<'de> for Attrs<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Attrs<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Attrs<'de>, A::Error> {
                let mut v = Vec::with_capacity(a.size_hint().unwrap_or(6));
                while let Some(k) = a.next_key::<Str<'de>>()? {
                    let value: J = a.next_value()?;
                    if let Str::S(k) = k {
                        v.push((k, value));
                    }
                }
                Ok(Attrs(Some(v)))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Attrs<'de>, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Attrs(None))
            }
            fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Attrs<'de>, E> {
                Ok(Attrs(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Attrs<'de>, E> {
                Ok(Attrs(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Attrs<'de>, E> {
                Ok(Attrs(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Attrs<'de>, E> {
                Ok(Attrs(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Attrs<'de>, E> {
                Ok(Attrs(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Attrs<'de>, E> {
                Ok(Attrs(None))
            }
            fn visit_unit<E>(self) -> Result<Attrs<'de>, E> {
                Ok(Attrs(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// The envelope as received: every field optional and of any JSON type.
#[derive(Debug, Default)]
struct Raw<'a> {
    id: Option<Str<'a>>,
    ty: Option<Str<'a>>,
    version: Option<Str<'a>>,
    timestamp: Option<Str<'a>>,
    publisher: Option<Str<'a>>,
    attributes: Option<Attrs<'a>>,
    unknown: Vec<String>,
}

/// Either the envelope object or "some other JSON value".
struct Top<'a>(Option<Raw<'a>>);

impl<'de> Deserialize<'de> for Top<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Top<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Top<'de>, A::Error> {
                let mut raw = Raw::default();
                while let Some(k) = a.next_key::<Str<'de>>()? {
                    let Str::S(k) = k else {
                        a.next_value::<IgnoredAny>()?;
                        continue;
                    };
                    match &*k {
                        "id" => raw.id = Some(a.next_value()?),
                        "type" => raw.ty = Some(a.next_value()?),
                        "version" => raw.version = Some(a.next_value()?),
                        "timestamp" => raw.timestamp = Some(a.next_value()?),
                        "publisher" => raw.publisher = Some(a.next_value()?),
                        "attributes" => raw.attributes = Some(a.next_value()?),
                        _ => {
                            a.next_value::<IgnoredAny>()?;
                            raw.unknown.push(k.into_owned());
                        }
                    }
                }
                Ok(Top(Some(raw)))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Top<'de>, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Top(None))
            }
            fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Top<'de>, E> {
                Ok(Top(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Top<'de>, E> {
                Ok(Top(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Top<'de>, E> {
                Ok(Top(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Top<'de>, E> {
                Ok(Top(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Top<'de>, E> {
                Ok(Top(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Top<'de>, E> {
                Ok(Top(None))
            }
            fn visit_unit<E>(self) -> Result<Top<'de>, E> {
                Ok(Top(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// What [`check`] found in one message.
#[derive(Debug, Default)]
pub struct Checked {
    /// The envelope's id as a number, when it is a UUID (for repeated-id detection).
    pub id: Option<u128>,
    /// Every problem, in a fixed order (envelope fields first, then attributes).
    pub problems: Vec<Problem>,
}

impl Checked {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The UUID's 128 bits (any case), or `None` if it is not a UUID.
pub fn uuid_bits(s: &str) -> Option<u128> {
    if !is_uuid(s) {
        return None;
    }
    let mut n: u128 = 0;
    for c in s.bytes() {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => continue,
        };
        n = (n << 4) | u128::from(d);
    }
    Some(n)
}

/// Checks one received message (its NATS subject and payload) against the registry.
pub fn check(reg: &Registry, subject: &str, payload: &[u8]) -> Checked {
    let mut out = Checked::default();
    let registered = reg.subject(subject);
    if registered.is_none() {
        out.problems
            .push(Problem::UnregisteredSubject(subject.to_string()));
    }
    let raw = match serde_json::from_slice::<Top>(payload) {
        Ok(Top(Some(raw))) => raw,
        Ok(Top(None)) => {
            out.problems.push(Problem::NotObject);
            return out;
        }
        Err(e) => {
            out.problems.push(Problem::NotJson(e.to_string()));
            return out;
        }
    };
    let field = |problems: &mut Vec<Problem>, name: &'static str, v: &Option<Str<'_>>| -> bool {
        match v {
            None => {
                problems.push(Problem::MissingField(name));
                false
            }
            Some(Str::Other) => {
                problems.push(Problem::FieldType {
                    field: name,
                    expected: "a string",
                });
                false
            }
            Some(Str::S(_)) => true,
        }
    };
    let p = &mut out.problems;
    if field(p, "id", &raw.id)
        && let Some(Str::S(id)) = &raw.id
    {
        match uuid_bits(id) {
            Some(bits) => out.id = Some(bits),
            None => p.push(Problem::BadId(id.to_string())),
        }
    }
    if field(p, "type", &raw.ty)
        && let Some(Str::S(ty)) = &raw.ty
        && ty != subject
    {
        p.push(Problem::TypeMismatch {
            found: ty.to_string(),
            subject: subject.to_string(),
        });
    }
    if field(p, "version", &raw.version)
        && let Some(Str::S(v)) = &raw.version
        && *v != reg.envelope.version
    {
        p.push(Problem::WrongVersion {
            found: v.to_string(),
            expected: reg.envelope.version.clone(),
        });
    }
    if field(p, "timestamp", &raw.timestamp)
        && let Some(Str::S(ts)) = &raw.timestamp
        && !is_utc_timestamp(ts)
    {
        p.push(Problem::BadTimestamp(ts.to_string()));
    }
    if field(p, "publisher", &raw.publisher)
        && let Some(Str::S(v)) = &raw.publisher
        && *v != reg.envelope.publisher
    {
        p.push(Problem::WrongPublisher {
            found: v.to_string(),
            expected: reg.envelope.publisher.clone(),
        });
    }
    for k in raw.unknown {
        p.push(Problem::UnknownField(k));
    }
    match raw.attributes {
        None => p.push(Problem::MissingField("attributes")),
        Some(Attrs(None)) => p.push(Problem::FieldType {
            field: "attributes",
            expected: "an object",
        }),
        Some(Attrs(Some(attrs))) => {
            if let Some(s) = registered {
                check_attributes(s, &attrs, p);
            }
        }
    }
    out
}

fn check_attributes(s: &Subject, attrs: &[(Cow<'_, str>, J)], p: &mut Vec<Problem>) {
    for a in &s.attributes {
        match attrs.iter().find(|(k, _)| *k == a.name) {
            None if a.required => p.push(Problem::MissingAttribute(a.name.clone())),
            None => {}
            Some((_, value)) => {
                if let Err(expected) = a.ty.check(value) {
                    let found = short(value);
                    p.push(match (&a.ty, value) {
                        (AttrType::Enum(_), J::String(_)) => Problem::EnumValue {
                            name: a.name.clone(),
                            found,
                            expected,
                        },
                        _ => Problem::AttributeType {
                            name: a.name.clone(),
                            expected,
                            found,
                        },
                    });
                }
            }
        }
    }
    for (k, _) in attrs {
        if s.attribute(k).is_none() {
            p.push(Problem::UnknownAttribute(k.to_string()));
        }
    }
}

/// A JSON value as shown in a problem, cut to 60 characters.
fn short(v: &J) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(59).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

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
        assert!(parse_value(&AttrType::Timestamp, "2026-01-01").is_err());
    }
}
