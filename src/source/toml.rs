//! TOML (the registry) into the positioned tree, with the spans of the `toml` crate's borrowed
//! document (`DeTable`): it keeps no formatting, so it takes a fraction of the memory of an
//! editable document (toml_edit's took ~40 bytes per byte of registry). A large registry is
//! read in pieces (`chunked`), in parallel, with the same result as reading it whole.

mod chunked;

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Key, Node, SourceFile, Value};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;

/// Parses TOML into a positioned tree. A syntax error becomes one diagnostic.
pub fn parse_toml(file: &SourceFile) -> Result<Node, Box<Diagnostic>> {
    let error = |span: Range<usize>, message: &str| {
        Box::new(
            file.diagnostic(
                Code::TomlSyntax,
                span,
                format!("invalid TOML: {}", message.trim()),
            )
            .with_help("fix the TOML syntax; see https://toml.io for the format"),
        )
    };
    if file.text.len() >= chunked::MIN_LEN
        && let Some(node) = chunked::parse(&file.text, chunked::PIECE_LEN)
    {
        return Ok(node);
    }
    let doc = DeTable::parse(file.text.as_str())
        .map_err(|e| error(e.span().unwrap_or(0..0), e.message()))?;
    let value = toml_table(doc.get_ref(), 0).map_err(|(span, m)| error(span, &m))?;
    Ok(Node {
        value,
        span: 0..file.text.len(),
    })
}

type Converted<T> = Result<T, (Range<usize>, String)>;

/// The table as a map; every span is moved by `at` (where the parsed text starts in the file).
fn toml_table(table: &DeTable, at: usize) -> Converted<Value> {
    let mut entries = Vec::with_capacity(table.len());
    for (k, v) in table {
        entries.push((
            Key {
                name: k.get_ref().to_string(),
                span: shift(k.span(), at),
            },
            toml_value(v, at)?,
        ));
    }
    Ok(Value::Map(entries))
}

fn shift(span: Range<usize>, at: usize) -> Range<usize> {
    span.start + at..span.end + at
}

fn toml_value(v: &Spanned<DeValue>, at: usize) -> Converted<Node> {
    let span = shift(v.span(), at);
    let value = match v.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => Value::Int(
            i64::from_str_radix(i.as_str(), i.radix())
                .map_err(|_| (span.clone(), "integer number overflowed".to_string()))?,
        ),
        DeValue::Float(f) => Value::Float(
            f.as_str()
                .parse()
                .map_err(|_| (span.clone(), "invalid floating-point number".to_string()))?,
        ),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(a) => Value::Seq(
            a.iter()
                .map(|v| toml_value(v, at))
                .collect::<Converted<_>>()?,
        ),
        DeValue::Table(t) => toml_table(t, at)?,
    };
    Ok(Node { value, span })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_spans_point_at_keys_and_values() {
        let f = SourceFile::new("s.toml", "[stream]\nname = \"X\"\n");
        let root = parse_toml(&f).unwrap();
        let Value::Map(entries) = &root.value else {
            panic!()
        };
        let Value::Map(inner) = &entries[0].1.value else {
            panic!()
        };
        assert_eq!(f.line_col(inner[0].0.span.start), (2, 1));
        assert_eq!(&f.text[inner[0].1.span.clone()], "\"X\"");
    }
}
