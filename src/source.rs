//! Source files and the positioned value tree both input formats load into.
//!
//! The registry is TOML and definitions are YAML; both are parsed into one [`Node`] tree whose
//! every key and value keeps its byte span, so that a later check can say `file:line:col` for a
//! value that parsed fine (serde-based loaders only give positions for syntax errors). The
//! [`Fields`] reader walks a mapping the way a schema would and collects every problem (unknown
//! key with a suggestion, missing field, wrong type) instead of stopping at the first.

use crate::codes::Code;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use crate::diagnostic::Diagnostic;

/// One input file: its path as shown to the user and its text, with a line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count();
        (line + 1, col + 1)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&e| e - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    /// Byte offset of a 1-based line and 0-based character column.
    pub fn offset_of(&self, line: usize, col0: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        self.text[start..]
            .char_indices()
            .nth(col0)
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    /// A diagnostic located at a byte span of this file, with the code's severity.
    pub fn diagnostic(
        &self,
        code: Code,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        // Spans built as `at..at + 1` may end inside a multi-byte character: widen to whole
        // characters.
        let start = floor_char_boundary(&self.text, span.start.min(self.text.len()));
        let mut end = span.end.clamp(start, self.text.len());
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        let span = start..end;
        let (line, column) = self.line_col(span.start);
        let line_text = self.line_text(line);
        // The caret covers the span as far as it stays on its first line.
        let line_end = self.offset_of(line, line_text.chars().count());
        let end = span.end.min(line_end).max(span.start);
        let end_column = column + self.text[span.start..end].chars().count();
        Diagnostic {
            code,
            severity: code.severity(),
            file: self.path.clone(),
            line,
            column,
            end_column: end_column.max(column + 1),
            message: message.into(),
            help: None,
            source_line: Some(line_text.to_string()),
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A value with the byte span it came from.
#[derive(Debug, Clone)]
pub struct Node {
    pub value: Value,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A TOML date or date-time, kept as written (RFC 3339).
    Datetime(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A mapping key with its span.
#[derive(Debug, Clone)]
pub struct Key {
    pub name: String,
    pub span: Range<usize>,
}

impl Value {
    /// The name of this value's type, as used in "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Str(_) => "a string",
            Value::Datetime(_) => "a date",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a table",
        }
    }
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The span of a string's content, without its quotes, when the source shows them.
    pub fn content_span(&self, file: &SourceFile) -> Range<usize> {
        let raw = file.text.get(self.span.clone()).unwrap_or("");
        let quoted = raw.len() >= 2
            && ((raw.starts_with('"') && raw.ends_with('"'))
                || (raw.starts_with('\'') && raw.ends_with('\'')));
        if quoted {
            self.span.start + 1..self.span.end - 1
        } else {
            self.span.clone()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// TOML
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// YAML
// ---------------------------------------------------------------------------------------------

/// The largest definition file handoff reads, in bytes. Definitions are a few kilobytes; a file
/// a thousand times that is a mistake (a generated dump, a binary), and reading it whole would
/// cost time and memory in proportion (a 50 MB list took 5 s and 1.2 GB).
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// Duplicate keys reported per file; the rest are counted in one last diagnostic.
const MAX_DUPLICATES: usize = 20;

/// Reads a file of at most [`MAX_FILE_BYTES`]. A larger one gives its first `MAX_FILE_BYTES`
/// (as text) and a `file-too-large` diagnostic at the line where reading stopped.
pub fn read_limited(
    path: &std::path::Path,
    shown: &str,
) -> std::io::Result<Result<SourceFile, Box<(SourceFile, Diagnostic)>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() <= MAX_FILE_BYTES {
        let text = String::from_utf8(bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()))?;
        return Ok(Ok(SourceFile::new(shown, text)));
    }
    bytes.truncate(MAX_FILE_BYTES);
    let file = SourceFile::new(shown, String::from_utf8_lossy(&bytes).into_owned());
    let end = file.text.len();
    let start = floor_char_boundary(&file.text, end.saturating_sub(1));
    let d = file
        .diagnostic(
            Code::FileTooLarge,
            start..end,
            format!(
                "the file is larger than {} MiB, the most a definition may be; reading stopped here",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
        .with_help("a definition is one small YAML document: split the file, or remove what does not belong in it");
    Ok(Err(Box::new((file, d))))
}

/// Parses a single YAML document into a positioned tree. Syntax errors, several documents,
/// anchors/aliases and duplicate keys are reported as diagnostics.
pub fn parse_yaml(file: &SourceFile) -> Result<Node, Vec<Diagnostic>> {
    use saphyr_parser::{Event, Parser};

    enum Frame {
        Seq(Vec<Node>, usize),
        /// Entries, start, the key awaiting its value, and each key's first position (so that
        /// the duplicate check is one hash look-up per key, not a search of the earlier keys).
        Map(Vec<(Key, Node)>, usize, Option<Key>, HashMap<String, usize>),
    }

    let mut diags = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0;
    let mut duplicates = 0usize;
    // Markers count characters; a cursor turns them into byte offsets in amortized constant
    // time (a long single-line flow mapping would make a per-line search quadratic).
    let mut cursor = CharCursor::new(&file.text);
    let mut to_byte = |m: saphyr_parser::Marker| cursor.byte(m.index());

    for item in Parser::new_from_str(&file.text) {
        let (event, span) = match item {
            Ok(x) => x,
            Err(e) => {
                let at = to_byte(*e.marker());
                let info = e.info();
                // An unclosed flow collection is usually found lines later; point at its bracket.
                let open = stack.last().map(|f| match f {
                    Frame::Seq(_, s) | Frame::Map(_, s, _, _) => *s,
                });
                let unclosed = open.and_then(|s| {
                    let c = file.text[s..].chars().next()?;
                    (matches!(c, '[' | '{') && file.line_col(s).0 < file.line_col(at).0)
                        .then_some((s, c))
                });
                let d = match unclosed {
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
                };
                diags.push(d);
                return Err(diags);
            }
        };
        let start = to_byte(span.start);
        let end = to_byte(span.end).max(start);
        let node = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents == 2 {
                    diags.push(
                        file.diagnostic(
                            Code::YamlSyntax,
                            start..start + 3,
                            "a definition file holds exactly one YAML document",
                        )
                        .with_help("put each ActivityDefinition in its own file"),
                    );
                }
                continue;
            }
            Event::Alias(_) => {
                diags.push(
                    file.diagnostic(
                        Code::YamlSyntax,
                        start..end.max(start + 1),
                        "YAML aliases are not supported in definitions",
                    )
                    .with_help("write the value out in full"),
                );
                Node {
                    value: Value::Null,
                    span: start..end,
                }
            }
            Event::Scalar(text, style, _, tag) => {
                let value = yaml_scalar(text, style, tag.as_ref());
                let end = scalar_end(file, start, end, style);
                Node {
                    value,
                    span: start..end,
                }
            }
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq(Vec::new(), start));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Map(Vec::new(), start, None, HashMap::new()));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, s)) => Node {
                    value: Value::Seq(items),
                    span: s..end.max(s),
                },
                _ => continue,
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(entries, s, _, _)) => Node {
                    value: Value::Map(entries),
                    span: s..end.max(s),
                },
                _ => continue,
            },
            _ => continue,
        };
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(entries, _, pending, seen)) => match pending.take() {
                None => {
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
                        duplicates += 1;
                    }
                    if let Some(&first) = seen.get(&name).filter(|_| duplicates <= MAX_DUPLICATES) {
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
                    *pending = Some(Key {
                        name,
                        span: node.span,
                    });
                }
                Some(key) => entries.push((key, node)),
            },
        }
    }
    if duplicates > MAX_DUPLICATES {
        let end = file.text.len();
        diags.push(
            file.diagnostic(
                Code::DuplicateKey,
                floor_char_boundary(&file.text, end.saturating_sub(1))..end,
                format!(
                    "{} more duplicate keys are not shown",
                    duplicates - MAX_DUPLICATES
                ),
            )
            .with_help("remove the repeated entries"),
        );
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(root.unwrap_or(Node {
        value: Value::Null,
        span: 0..0,
    }))
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

// ---------------------------------------------------------------------------------------------
// Schema walking
// ---------------------------------------------------------------------------------------------

/// Reads the fields of one mapping, recording which were used, and reports problems into `diags`.
pub struct Fields<'a> {
    pub file: &'a SourceFile,
    pub node: &'a Node,
    entries: &'a [(Key, Node)],
    used: Vec<bool>,
    /// Describes the table in messages, e.g. "`[stream]`" or "`trigger`".
    pub what: String,
}

impl<'a> Fields<'a> {
    /// Starts reading `node` as a mapping; reports a type error and returns `None` otherwise.
    pub fn new(
        file: &'a SourceFile,
        node: &'a Node,
        what: impl Into<String>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Self> {
        let what = what.into();
        match &node.value {
            Value::Map(entries) => Some(Fields {
                file,
                node,
                entries,
                used: vec![false; entries.len()],
                what,
            }),
            other => {
                diags.push(file.diagnostic(
                    Code::WrongType,
                    node.span.clone(),
                    format!("{what} must be a table, found {}", other.kind()),
                ));
                None
            }
        }
    }

    /// The node of an optional field.
    pub fn get(&mut self, name: &str) -> Option<&'a Node> {
        let i = self.entries.iter().position(|(k, _)| k.name == name)?;
        self.used[i] = true;
        Some(&self.entries[i].1)
    }

    /// The key of a field, for pointing at it.
    pub fn key_span(&self, name: &str) -> Option<Range<usize>> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(k, _)| k.span.clone())
    }

    /// The node of a required field; a missing one is reported.
    pub fn require(&mut self, name: &str, diags: &mut Vec<Diagnostic>) -> Option<&'a Node> {
        let node = self.get(name);
        if node.is_none() {
            diags.push(self.missing(name));
        }
        node
    }

    fn missing(&self, name: &str) -> Diagnostic {
        let span = self.node.span.start..self.node.span.start + 1;
        self.file
            .diagnostic(
                Code::MissingField,
                span,
                format!("{} is missing the required field `{name}`", self.what),
            )
            .with_help(format!("add `{name}` to {}", self.what))
    }

    pub fn string(&mut self, name: &str, diags: &mut Vec<Diagnostic>) -> Option<Spanned<String>> {
        let node = self.get(name)?;
        expect_str(self.file, node, name, diags)
    }

    pub fn require_string(
        &mut self,
        name: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Spanned<String>> {
        let node = self.require(name, diags)?;
        expect_str(self.file, node, name, diags)
    }

    pub fn bool(&mut self, name: &str, diags: &mut Vec<Diagnostic>) -> Option<Spanned<bool>> {
        let node = self.get(name)?;
        match node.value {
            Value::Bool(b) => Some(Spanned::new(b, node.span.clone())),
            ref other => {
                diags.push(wrong_type(self.file, node, name, "a boolean", other));
                None
            }
        }
    }

    pub fn string_list(
        &mut self,
        name: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Vec<Spanned<String>>> {
        let node = self.get(name)?;
        let Value::Seq(items) = &node.value else {
            diags.push(wrong_type(
                self.file,
                node,
                name,
                "a list of strings",
                &node.value,
            ));
            return None;
        };
        Some(
            items
                .iter()
                .filter_map(|item| expect_str(self.file, item, name, diags))
                .collect(),
        )
    }

    /// Reports every key that was not read, with a suggestion among `known`.
    pub fn finish(self, known: &[&str], diags: &mut Vec<Diagnostic>) {
        for (i, (key, _)) in self.entries.iter().enumerate() {
            if self.used[i] {
                continue;
            }
            let mut d = self.file.diagnostic(
                Code::UnknownKey,
                key.span.clone(),
                format!("unknown key `{}` in {}", key.name, self.what),
            );
            d.help = Some(match did_you_mean(&key.name, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("expected one of: {}", known.join(", ")),
            });
            diags.push(d);
        }
    }
}

/// A value with the span it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Range<usize>) -> Self {
        Spanned { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

pub fn expect_str(
    file: &SourceFile,
    node: &Node,
    name: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Spanned<String>> {
    match &node.value {
        Value::Str(s) => Some(Spanned::new(s.clone(), node.span.clone())),
        other => {
            diags.push(wrong_type(file, node, name, "a string", other));
            None
        }
    }
}

pub fn wrong_type(
    file: &SourceFile,
    node: &Node,
    name: &str,
    expected: &str,
    found: &Value,
) -> Diagnostic {
    let mut d = file.diagnostic(
        Code::WrongType,
        node.span.clone(),
        format!("`{name}` must be {expected}, found {}", found.kind()),
    );
    if expected == "a string" && !matches!(found, Value::Map(_) | Value::Seq(_)) {
        d.help = Some("put the value in quotes".to_string());
    }
    d
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let word_l = word.to_ascii_lowercase();
    let candidates: Vec<&'c str> = candidates.into_iter().collect();
    // A close typo first (`subject` for `subjects`, not `subject_prefix`), then an abbreviation
    // (`int` for `integer`).
    let close = candidates
        .iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&word_l, &c.to_ascii_lowercase()),
                *c,
            )
        })
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c);
    close.or_else(|| {
        (word_l.len() >= 3)
            .then(|| {
                candidates
                    .iter()
                    .find(|c| c.to_ascii_lowercase().starts_with(&word_l))
                    .copied()
            })
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let f = SourceFile::new("x", "ab\ncdé\nf");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(7), (2, 4));
        assert_eq!(f.line_text(2), "cdé");
    }

    #[test]
    fn spans_inside_a_character_widen_to_it() {
        let f = SourceFile::new("x", "a: \u{2028}é\n");
        let d = f.diagnostic(Code::YamlSyntax, 4..5, "x");
        assert_eq!((d.line, d.column, d.end_column), (1, 4, 5));
    }

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

    #[test]
    fn suggestions_are_close_matches_only() {
        assert_eq!(
            did_you_mean("sumary", ["summary", "since"]),
            Some("summary")
        );
        assert_eq!(did_you_mean("zzz", ["summary", "since"]), None);
        assert_eq!(did_you_mean("int", ["string", "integer"]), Some("integer"));
        assert_eq!(
            did_you_mean("subject", ["subject_prefix", "subjects"]),
            Some("subjects")
        );
    }
}
