//! Building an envelope from the registry, exactly as the Python stubs do (`handoff publish`).

use std::fmt;

use serde_json::Value as J;

use super::Problem;
use crate::registry::{AttrType, Registry, is_uuid};

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
        // An integer stays one (`3`, as the Python stubs send it); anything else must be a
        // finite decimal number (`2.5`, `1e-3`): JSON has no NaN or infinity.
        AttrType::Number => match text.trim().parse::<i64>() {
            Ok(n) => J::from(n),
            Err(_) => match text
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
            {
                Some(n)
                    if text
                        .trim()
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) =>
                {
                    J::Number(n)
                }
                _ => return Err(format!("{} (e.g. `2.5`)", ty.expectation())),
            },
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
