//! Checking a received envelope against the registry (`handoff tap`, for every event): the hot
//! path deserializes into borrowed fields (attribute values too, see `attr`) and allocates only
//! for the list of attributes and for problems.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde_json::Value as J;

use super::Problem;
use super::attr::AttrValue;
use crate::registry::{AttrType, Registry, Subject, is_utc_timestamp};

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
struct Attrs<'a>(Option<Vec<(Cow<'a, str>, AttrValue<'a>)>>);

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
                    let value: AttrValue<'de> = a.next_value()?;
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

/// The UUID's 128 bits (any case), or `None` if it is not a UUID in its hyphenated form (what
/// `registry::is_uuid` accepts), parsed once.
pub fn uuid_bits(s: &str) -> Option<u128> {
    if s.len() != 36 {
        return None;
    }
    uuid::Uuid::try_parse(s).ok().map(|u| u.as_u128())
}

/// Checks one received message (its NATS subject and payload) against the registry.
pub fn check(reg: &Registry, subject: &str, payload: &[u8]) -> Checked {
    checked(reg, subject, serde_json::from_slice::<Top>(payload))
}

/// As [`check`], for a payload already parsed as JSON (`tap --match` parses each payload once,
/// for this check and for the rules).
pub fn check_value(reg: &Registry, subject: &str, payload: &J) -> Checked {
    checked(reg, subject, Top::deserialize(payload))
}

fn checked(reg: &Registry, subject: &str, parsed: Result<Top<'_>, serde_json::Error>) -> Checked {
    let mut out = Checked::default();
    let registered = reg.subject(subject);
    if registered.is_none() {
        out.problems
            .push(Problem::UnregisteredSubject(subject.to_string()));
    }
    let raw = match parsed {
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

fn check_attributes(s: &Subject, attrs: &[(Cow<'_, str>, AttrValue<'_>)], p: &mut Vec<Problem>) {
    for a in &s.attributes {
        match attrs.iter().find(|(k, _)| *k == a.name) {
            None if a.required => p.push(Problem::MissingAttribute(a.name.clone())),
            None => {}
            Some((_, value)) => {
                if !value.is(&a.ty) {
                    let expected = a.ty.expectation();
                    let found = short(&value.to_json());
                    p.push(match (&a.ty, value) {
                        (AttrType::Enum(_), AttrValue::Str(_)) => Problem::EnumValue {
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
