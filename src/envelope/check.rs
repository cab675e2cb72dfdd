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
    // UTF-8 checked once for the whole payload, not string by string as `from_slice` does; a
    // payload that is not UTF-8 is parsed as bytes, for serde_json's positioned error.
    let parsed = match std::str::from_utf8(payload) {
        Ok(text) => serde_json::from_str::<Top>(text),
        Err(_) => serde_json::from_slice::<Top>(payload),
    };
    checked(reg, subject, parsed)
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
            Some((_, value)) if !value.is(&a.ty) => {
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
            Some(_) => {}
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

    /// `check` reads a UTF-8 payload with `from_str` (no second UTF-8 check per string) and any
    /// other with `from_slice`: the outcome is what `from_slice` alone gives, problems and
    /// serde_json's messages included.
    #[test]
    fn checks_as_from_slice_does() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/subjects.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let reg = crate::validate::load_registry(SourceFile::new("subjects.toml", text))
            .0
            .unwrap();
        let good = r#"{"id":"5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91","type":"org.statehub.repo.registered","version":"1.0","timestamp":"2026-11-02T09:14:27Z","publisher":"state-hub","attributes":{"repo_id":"5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91","slug":"caf\u00e9/\u00fcber","registered_at":"2026-11-02T09:14:27Z"}}"#;
        let payloads: Vec<Vec<u8>> = vec![
            good.into(),
            good.replace("caf\\u00e9", "café").into(),
            good.replace('/', "\\\"").into(),
            b"".to_vec(),
            b"{\"id\":".to_vec(),
            b"{\"id\":\"x\"} trailing".to_vec(),
            b"{\"a\":\"\xff\"}".to_vec(),
            b"{\"id\":\"\xff\"}".to_vec(),
            b"{\"a\":\"caf\xc3\xa9\",}".to_vec(),
            b"\xef\xbb\xbf{}".to_vec(),
            b"{\"id\":\"\\ud800\"}".to_vec(),
            b"{\"attributes\":{\"slug\":\"\xc3\"}}".to_vec(),
            b"[1,2,\"\xff\"]".to_vec(),
        ];
        for p in &payloads {
            let subject = "org.statehub.repo.registered";
            let now = check(&reg, subject, p);
            let before = checked(&reg, subject, serde_json::from_slice::<Top>(p));
            assert_eq!(
                now.problems,
                before.problems,
                "{}",
                String::from_utf8_lossy(p)
            );
            assert_eq!(now.id, before.id);
        }
        assert!(check(&reg, "org.statehub.repo.registered", good.as_bytes()).is_ok());
    }
}
