//! YAML (definitions) into the positioned tree, from saphyr-parser's events; duplicate keys,
//! aliases and extra documents are reported here.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser};

use super::{Key, Node, SourceFile, Value, floor_char_boundary};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;

/// Duplicate keys reported per file; the rest are counted in one last diagnostic.
const MAX_DUPLICATES: usize = 20;

/// Parses a single YAML document into a positioned tree. Syntax errors, several documents,
/// anchors/aliases and duplicate keys are reported as diagnostics.
pub fn parse_yaml(file: &SourceFile) -> Result<Node, Vec<Diagnostic>> {
    let mut tree = Tree::new(file);
    // Markers count characters; a cursor turns them into byte offsets in amortized constant
    // time (a long single-line flow mapping would make a per-line search quadratic).
    let mut cursor = CharCursor::new(&file.text);
    for item in Parser::new_from_str(&file.text) {
        let (event, span) = match item {
            Ok(x) => x,
            Err(e) => {
                let at = cursor.byte(e.marker().index());
                let d = tree.syntax_error(at, e.info());
                tree.diags.push(d);
                return Err(tree.diags);
            }
        };
        let start = cursor.byte(span.start.index());
        let end = cursor.byte(span.end.index()).max(start);
        if let Some(node) = tree.event(event, start, end) {
            tree.add(node);
        }
    }
    tree.finish()
}

/// A collection being read.
enum Frame {
    Seq(Vec<Node>, usize),
    /// Entries, start, the key awaiting its value, and each key's first position (so that
    /// the duplicate check is one hash look-up per key, not a search of the earlier keys).
    Map(Vec<(Key, Node)>, usize, Option<Key>, HashMap<String, usize>),
}

/// The tree under construction: open collections, the root once complete, and the problems.
struct Tree<'f> {
    file: &'f SourceFile,
    diags: Vec<Diagnostic>,
    stack: Vec<Frame>,
    root: Option<Node>,
    documents: usize,
    duplicates: usize,
}

impl<'f> Tree<'f> {
    fn new(file: &'f SourceFile) -> Self {
        Tree {
            file,
            diags: Vec::new(),
            stack: Vec::new(),
            root: None,
            documents: 0,
            duplicates: 0,
        }
    }

    /// The diagnostic of a parser error at byte `at`.
    fn syntax_error(&self, at: usize, info: &str) -> Diagnostic {
        let file = self.file;
        // An unclosed flow collection is usually found lines later; point at its bracket.
        let open = self.stack.last().map(|f| match f {
            Frame::Seq(_, s) | Frame::Map(_, s, _, _) => *s,
        });
        let unclosed = open.and_then(|s| {
            let c = file.text[s..].chars().next()?;
            (matches!(c, '[' | '{') && file.line_col(s).0 < file.line_col(at).0).then_some((s, c))
        });
        match unclosed {
            Some((s, c)) => {
                let close = if c == '[' { ']' } else { '}' };
                let (line, _) = file.line_col(at);
                file.diagnostic(
                    Code::YamlSyntax,
                    s..s + 1,
                    format!("invalid YAML: this `{c}` is never closed (the parser stopped on line {line}: {info})"),
                )
                .with_help(format!("close it with `{close}`, or quote the value if the `{c}` is text"))
            }
            None => file
                .diagnostic(
                    Code::YamlSyntax,
                    at..at + 1,
                    format!("invalid YAML: {info}"),
                )
                .with_help("fix the YAML syntax (indentation, a missing `:` or quote)"),
        }
    }

    /// The node an event completes, if any (starting a collection completes none).
    fn event(&mut self, event: Event<'_>, start: usize, end: usize) -> Option<Node> {
        let file = self.file;
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents == 2 {
                    self.diags.push(
                        file.diagnostic(
                            Code::YamlSyntax,
                            start..start + 3,
                            "a definition file holds exactly one YAML document",
                        )
                        .with_help("put each ActivityDefinition in its own file"),
                    );
                }
                None
            }
            Event::Alias(_) => {
                self.diags.push(
                    file.diagnostic(
                        Code::YamlSyntax,
                        start..end.max(start + 1),
                        "YAML aliases are not supported in definitions",
                    )
                    .with_help("write the value out in full"),
                );
                Some(Node {
                    value: Value::Null,
                    span: start..end,
                })
            }
            Event::Scalar(text, style, _, tag) => {
                let value = yaml_scalar(text, style, tag.as_ref());
                let end = scalar_end(file, start, end, style);
                Some(Node {
                    value,
                    span: start..end,
                })
            }
            Event::SequenceStart(..) => {
                self.stack.push(Frame::Seq(Vec::new(), start));
                None
            }
            Event::MappingStart(..) => {
                self.stack
                    .push(Frame::Map(Vec::new(), start, None, HashMap::new()));
                None
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq(items, s)) => Some(Node {
                    value: Value::Seq(items),
                    span: s..end.max(s),
                }),
                _ => None,
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map(entries, s, _, _)) => Some(Node {
                    value: Value::Map(entries),
                    span: s..end.max(s),
                }),
                _ => None,
            },
            _ => None,
        }
    }

    /// Puts a complete node where it belongs: the root, a list item, a mapping's key or value.
    fn add(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(entries, _, pending, seen)) => match pending.take() {
                None => {
                    let key = key(self.file, node, seen, &mut self.duplicates, &mut self.diags);
                    *pending = Some(key);
                }
                Some(key) => entries.push((key, node)),
            },
        }
    }

    /// The root, or every problem found.
    fn finish(mut self) -> Result<Node, Vec<Diagnostic>> {
        let file = self.file;
        if self.duplicates > MAX_DUPLICATES {
            let end = file.text.len();
            self.diags.push(
                file.diagnostic(
                    Code::DuplicateKey,
                    floor_char_boundary(&file.text, end.saturating_sub(1))..end,
                    format!(
                        "{} more duplicate keys are not shown",
                        self.duplicates - MAX_DUPLICATES
                    ),
                )
                .with_help("remove the repeated entries"),
            );
        }
        if !self.diags.is_empty() {
            return Err(self.diags);
        }
        Ok(self.root.unwrap_or(Node {
            value: Value::Null,
            span: 0..0,
        }))
    }
}

/// A mapping key read from its node; a repeated key is reported (up to [`MAX_DUPLICATES`]).
fn key(
    file: &SourceFile,
    node: Node,
    seen: &mut HashMap<String, usize>,
    duplicates: &mut usize,
    diags: &mut Vec<Diagnostic>,
) -> Key {
    let name = match &node.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Null => "null".to_string(),
        _ => {
            diags.push(file.diagnostic(
                Code::YamlSyntax,
                node.span.clone(),
                "mapping keys must be plain scalars",
            ));
            String::new()
        }
    };
    if seen.contains_key(&name) {
        *duplicates += 1;
    }
    if let Some(&first) = seen.get(&name).filter(|_| *duplicates <= MAX_DUPLICATES) {
        let (line, _) = file.line_col(first);
        diags.push(
            file.diagnostic(
                Code::DuplicateKey,
                node.span.clone(),
                format!("duplicate key `{name}` (first defined on line {line})"),
            )
            .with_help("remove one of the two entries"),
        );
    } else {
        seen.insert(name.clone(), node.span.start);
    }
    Key {
        name,
        span: node.span,
    }
}

/// Byte offsets of character indexes, for indexes that mostly grow.
struct CharCursor<'t> {
    text: &'t str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'t> CharCursor<'t> {
    fn new(text: &'t str) -> Self {
        CharCursor {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    fn byte(&mut self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.text.len());
        }
        if index < self.chars {
            self.chars = 0;
            self.bytes = 0;
        }
        for c in self.text[self.bytes..].chars() {
            if self.chars == index {
                break;
            }
            self.chars += 1;
            self.bytes += c.len_utf8();
        }
        self.bytes
    }
}

/// saphyr's scalar spans can stop short of a closing quote or run into trailing spaces;
/// clamp them to the scalar's own text on its first line.
fn scalar_end(
    file: &SourceFile,
    start: usize,
    end: usize,
    style: saphyr_parser::ScalarStyle,
) -> usize {
    use saphyr_parser::ScalarStyle;
    // Only the scalar's own text is looked at: scanning to the end of its line for every scalar
    // would be quadratic on a long single-line flow collection.
    let rest = &file.text[start..];
    match style {
        ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted => {
            let q = if style == ScalarStyle::DoubleQuoted {
                '"'
            } else {
                '\''
            };
            // Find the closing quote on the same line (skipping escapes for double quotes).
            let mut prev_escape = false;
            for (i, c) in rest.char_indices().skip(1).take_while(|&(_, c)| c != '\n') {
                if c == q && !prev_escape {
                    if q == '\'' && rest[i + 1..].starts_with('\'') {
                        continue;
                    }
                    return start + i + 1;
                }
                prev_escape = q == '"' && c == '\\' && !prev_escape;
            }
            end.max(start)
        }
        ScalarStyle::Plain => {
            let own = &file.text[start..end.max(start)];
            let trimmed = own.split('\n').next().unwrap_or("").trim_end();
            start + trimmed.len().max(1)
        }
        _ => end.max(start),
    }
}

fn yaml_scalar(
    text: Cow<'_, str>,
    style: saphyr_parser::ScalarStyle,
    tag: Option<&Cow<'_, saphyr_parser::Tag>>,
) -> Value {
    use saphyr::Scalar;
    match Scalar::parse_from_cow_and_metadata(text.clone(), style, tag) {
        Some(Scalar::Null) => Value::Null,
        Some(Scalar::Boolean(b)) => Value::Bool(b),
        Some(Scalar::Integer(i)) => Value::Int(i),
        Some(Scalar::FloatingPoint(f)) => Value::Float(f.into_inner()),
        Some(Scalar::String(s)) => Value::Str(s.into_owned()),
        None => Value::Str(text.into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_spans_point_at_values() {
        let f = SourceFile::new("d.yaml", "a: 1\nb:\n  c: \"x y\"\n  d: plain text  \n");
        let root = parse_yaml(&f).unwrap();
        let Value::Map(entries) = &root.value else {
            panic!()
        };
        let Value::Map(inner) = &entries[1].1.value else {
            panic!()
        };
        let c = &inner[0].1;
        assert_eq!(&f.text[c.span.clone()], "\"x y\"");
        assert_eq!(&f.text[inner[1].1.span.clone()], "plain text");
        assert_eq!(f.line_col(inner[1].0.span.start), (4, 3));
    }

    #[test]
    fn yaml_duplicate_keys_are_reported() {
        let f = SourceFile::new("d.yaml", "a: 1\na: 2\n");
        let diags = parse_yaml(&f).unwrap_err();
        assert_eq!(diags[0].code, Code::DuplicateKey);
        assert_eq!((diags[0].line, diags[0].column), (2, 1));
    }

    #[test]
    fn yaml_syntax_error_is_positioned() {
        let f = SourceFile::new("d.yaml", "a: [1, 2\nb: 3\n");
        let diags = parse_yaml(&f).unwrap_err();
        assert_eq!(diags[0].code, Code::YamlSyntax);
    }
}
