//! TOML (the registry) into the positioned tree, with toml_edit's spans.

use std::ops::Range;

use super::{Key, Node, SourceFile, Value};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;

/// Parses TOML into a positioned tree. A syntax error becomes one diagnostic.
pub fn parse_toml(file: &SourceFile) -> Result<Node, Box<Diagnostic>> {
    let doc = toml_edit::Document::parse(file.text.as_str()).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim().to_string();
        Box::new(
            file.diagnostic(Code::TomlSyntax, span, format!("invalid TOML: {message}"))
                .with_help("fix the TOML syntax; see https://toml.io for the format"),
        )
    })?;
    Ok(toml_table(doc.as_table(), 0..file.text.len()))
}

fn toml_table(table: &toml_edit::Table, fallback: Range<usize>) -> Node {
    let span = table.span().unwrap_or(fallback.clone());
    let mut entries = Vec::new();
    for (name, item) in table.iter() {
        let key_span = table
            .key(name)
            .and_then(|k| k.span())
            .unwrap_or(span.clone());
        entries.push((
            Key {
                name: name.to_string(),
                span: key_span.clone(),
            },
            toml_item(item, key_span),
        ));
    }
    Node {
        value: Value::Map(entries),
        span,
    }
}

fn toml_item(item: &toml_edit::Item, fallback: Range<usize>) -> Node {
    match item {
        toml_edit::Item::None => Node {
            value: Value::Null,
            span: fallback,
        },
        toml_edit::Item::Value(v) => toml_value(v, fallback),
        toml_edit::Item::Table(t) => toml_table(t, fallback),
        toml_edit::Item::ArrayOfTables(a) => {
            let span = a.span().unwrap_or(fallback.clone());
            let items = a.iter().map(|t| toml_table(t, fallback.clone())).collect();
            Node {
                value: Value::Seq(items),
                span,
            }
        }
    }
}

fn toml_value(v: &toml_edit::Value, fallback: Range<usize>) -> Node {
    use toml_edit::Value as V;
    let span = v.span().unwrap_or(fallback.clone());
    let value = match v {
        V::String(s) => Value::Str(s.value().clone()),
        V::Integer(i) => Value::Int(*i.value()),
        V::Float(f) => Value::Float(*f.value()),
        V::Boolean(b) => Value::Bool(*b.value()),
        V::Datetime(d) => Value::Datetime(d.value().to_string()),
        V::Array(a) => Value::Seq(a.iter().map(|x| toml_value(x, span.clone())).collect()),
        V::InlineTable(t) => {
            let entries = t
                .iter()
                .map(|(name, val)| {
                    let key_span = t.key(name).and_then(|k| k.span()).unwrap_or(span.clone());
                    (
                        Key {
                            name: name.to_string(),
                            span: key_span.clone(),
                        },
                        toml_value(val, key_span),
                    )
                })
                .collect();
            Value::Map(entries)
        }
    };
    Node { value, span }
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
