//! An attribute value as received, borrowed from the payload where it can be: what the type
//! check needs, without building a `serde_json::Value` (an allocation per string attribute, on
//! tap's hot path). Arrays and objects, never of an attribute type, are kept as a `Value` for the
//! problem's message.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value as J};

use crate::registry::{AttrType, is_utc_timestamp, is_uuid};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum AttrValue<'a> {
    /// A string, borrowed when it has no escapes.
    Str(Cow<'a, str>),
    /// A number, as `serde_json` reads it (an integer when it fits `i64` or `u64`).
    Number(Number),
    Bool(bool),
    Null,
    /// An array or an object.
    Other(J),
}

impl AttrValue<'_> {
    /// Whether the value is of the attribute type: [`AttrType::check`]'s answer, without a
    /// `Value` (`tests::agrees_with_the_registry_check` holds the two together).
    pub fn is(&self, ty: &AttrType) -> bool {
        match (ty, self) {
            (AttrType::String, AttrValue::Str(_)) => true,
            (AttrType::Integer, AttrValue::Number(n)) => n.is_i64() || n.is_u64(),
            (AttrType::Number, AttrValue::Number(_)) => true,
            (AttrType::Boolean, AttrValue::Bool(_)) => true,
            (AttrType::Timestamp, AttrValue::Str(s)) => is_utc_timestamp(s),
            (AttrType::Uuid, AttrValue::Str(s)) => is_uuid(s),
            (AttrType::Enum(values), AttrValue::Str(s)) => values.iter().any(|v| v == s),
            _ => false,
        }
    }

    /// The value as JSON (for a problem's message).
    pub fn to_json(&self) -> J {
        match self {
            AttrValue::Str(s) => J::String(s.to_string()),
            AttrValue::Number(n) => J::Number(n.clone()),
            AttrValue::Bool(b) => J::Bool(*b),
            AttrValue::Null => J::Null,
            AttrValue::Other(v) => v.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for AttrValue<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AttrValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<AttrValue<'de>, E> {
                Ok(AttrValue::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<AttrValue<'de>, E> {
                Ok(AttrValue::Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<AttrValue<'de>, E> {
                Ok(AttrValue::Str(Cow::Owned(v)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<AttrValue<'de>, E> {
                Ok(AttrValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<AttrValue<'de>, E> {
                Ok(AttrValue::Number(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<AttrValue<'de>, E> {
                Ok(AttrValue::Number(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<AttrValue<'de>, E> {
                // As `serde_json::Value` does: a float that is not finite becomes null.
                Ok(Number::from_f64(v).map_or(AttrValue::Null, AttrValue::Number))
            }
            fn visit_unit<E>(self) -> Result<AttrValue<'de>, E> {
                Ok(AttrValue::Null)
            }
            fn visit_none<E>(self) -> Result<AttrValue<'de>, E> {
                Ok(AttrValue::Null)
            }
            fn visit_some<D: de::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<AttrValue<'de>, D::Error> {
                AttrValue::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<AttrValue<'de>, A::Error> {
                J::deserialize(SeqAccessDeserializer::new(a)).map(AttrValue::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<AttrValue<'de>, A::Error> {
                J::deserialize(MapAccessDeserializer::new(a)).map(AttrValue::Other)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn types() -> Vec<AttrType> {
        vec![
            AttrType::String,
            AttrType::Integer,
            AttrType::Number,
            AttrType::Boolean,
            AttrType::Timestamp,
            AttrType::Uuid,
            AttrType::Enum(vec!["open".into(), "clos\u{e9}d".into(), "a\"b".into()]),
        ]
    }

    /// JSON texts of every kind, including the edges of the number grammar.
    const TEXTS: &[&str] = &[
        r#""plain""#,
        r#""open""#,
        r#""clos\u00e9d""#,
        r#""closéd""#,
        r#""a\"b""#,
        r#""line\nbreak \\ \/ \ud83d\ude00""#,
        r#""2026-11-26T12:00:00Z""#,
        r#""2026-11-26T12:00:00.123456789Z""#,
        r#""2026-11-26 12:00:00Z""#,
        r#""2026-11-26T12:00:00+01:00""#,
        r#""5D1C2F0E-8A4B-4C37-9D0E-2F6B1A7C3E91""#,
        r#""5d1c2f0e8a4b4c379d0e2f6b1a7c3e91""#,
        r#""5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e9\u0031""#,
        r#""""#,
        "0",
        "-0",
        "42",
        "-42",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "2.5",
        "1e3",
        "1E-3",
        "-0.0",
        "true",
        "false",
        "null",
        "[]",
        "[1,\"x\",{\"a\":null}]",
        "{}",
        r#"{"b":1,"a":[true],"b":2}"#,
    ];

    #[test]
    fn agrees_with_the_registry_check() {
        for text in TEXTS {
            let value: J = serde_json::from_str(text).unwrap();
            let attr: AttrValue<'_> = serde_json::from_str(text).unwrap();
            let from_value = AttrValue::deserialize(&value).unwrap();
            assert_eq!(attr, from_value, "{text}");
            assert_eq!(attr.to_json(), value, "{text}");
            for ty in types() {
                assert_eq!(attr.is(&ty), ty.check(&value).is_ok(), "{text} as {ty:?}");
            }
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let text = r#"["caf\u00e9 ünïcödé", "plain ünïcödé", "tab\t"]"#;
        let (escaped, plain, tab): (AttrValue<'_>, AttrValue<'_>, AttrValue<'_>) =
            serde_json::from_str(text).unwrap();
        assert!(matches!(&escaped, AttrValue::Str(Cow::Owned(s)) if s == "café ünïcödé"));
        assert!(matches!(
            &plain,
            AttrValue::Str(Cow::Borrowed("plain ünïcödé"))
        ));
        assert!(matches!(&tab, AttrValue::Str(Cow::Owned(s)) if s == "tab\t"));
    }

    #[test]
    fn nested_values_keep_their_order_and_last_duplicate() {
        let attr: AttrValue<'_> = serde_json::from_str(r#"{"b":1,"a":[true],"b":2}"#).unwrap();
        assert_eq!(attr.to_json().to_string(), r#"{"b":2,"a":[true]}"#);
        assert_eq!(attr, AttrValue::Other(json!({"b": 2, "a": [true]})));
    }
}
