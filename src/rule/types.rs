//! The types of literals, and which fit which declared attribute types.

/// The static type of a literal a path is compared with / a value's type as the linter sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    String,
    Int,
    Uint,
    Double,
    Bool,
    Null,
    Timestamp,
    List,
    Map,
    Unknown,
}

impl ValueType {
    /// The CEL name of the type, for messages.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::Int => "int",
            ValueType::Uint => "uint",
            ValueType::Double => "double",
            ValueType::Bool => "bool",
            ValueType::Null => "null",
            ValueType::Timestamp => "timestamp",
            ValueType::List => "list",
            ValueType::Map => "map",
            ValueType::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for ValueType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Is a literal of `lit` comparable with an attribute declared as `declared` (`"string"`,
/// `"integer"`, `"number"`, `"boolean"`, `"timestamp"`, `"uuid"`, `"enum"`)?
///
/// UUIDs travel as strings and are bound as strings, so string literals fit them; a timestamp is
/// bound as a CEL timestamp, so only a `timestamp("...")` literal fits it (CEL has no ordering
/// between a timestamp and a string: the comparison would be an evaluation error); an integer or
/// a number fits `Int`, `Uint` and `Double` literals (CEL compares numbers across types); `null`
/// fits everything (attributes may be optional). A literal of
/// unknown type, or an attribute type this function does not know, is given the benefit of the
/// doubt.
pub fn compatible(declared: &str, lit: ValueType) -> bool {
    use ValueType as V;
    if matches!(lit, V::Null | V::Unknown) {
        return true;
    }
    match declared {
        "string" | "enum" | "uuid" => lit == V::String,
        "timestamp" => lit == V::Timestamp,
        "integer" | "number" => matches!(lit, V::Int | V::Uint | V::Double),
        "boolean" => lit == V::Bool,
        _ => true,
    }
}
