//! Source files and the positioned value tree both input formats load into.
//!
//! The registry is TOML and definitions are YAML; both are parsed into one [`Node`] tree whose
//! every key and value keeps its byte span, so that a later check can say `file:line:col` for a
//! value that parsed fine (serde-based loaders only give positions for syntax errors). The
//! [`Fields`] reader walks a mapping the way a schema would and collects every problem (unknown
//! key with a suggestion, missing field, wrong type) instead of stopping at the first.
//!
//! One file per role: `lines.rs` (the one line index: byte offsets to lines and columns in
//! characters, and back), `toml.rs` and `yaml.rs` (the two parsers), `fields.rs` (shape checks
//! and suggestions).

mod fields;
mod lines;
mod toml;
mod yaml;

pub use fields::{Fields, did_you_mean, expect_str, wrong_type};
pub(crate) use lines::floor_char_boundary;
pub use lines::{LineIndex, char_to_byte};
pub use toml::parse_toml;
pub use yaml::parse_yaml;

use crate::codes::Code;
use std::ops::Range;

use crate::diagnostic::Diagnostic;

/// One input file: its path as shown to the user and its text, with a line index built the
/// first time a position is asked for (most files are read without a problem to point at: a
/// 6 MB registry's index took 9 ms of a run that needed none of it).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    lines: std::sync::OnceLock<LineIndex>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        SourceFile {
            path: path.into(),
            text,
            lines: std::sync::OnceLock::new(),
        }
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines().line_col(&self.text, offset)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        self.lines().line_text(&self.text, line)
    }

    /// Byte offset of a 1-based line and 0-based character column (clamped to the line).
    pub fn offset_of(&self, line: usize, col0: usize) -> usize {
        self.lines().offset_of(&self.text, line, col0)
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

/// The largest definition file handoff reads, in bytes. Definitions are a few kilobytes; a file
/// a thousand times that is a mistake (a generated dump, a binary), and reading it whole would
/// cost time and memory in proportion (a 50 MB list took 5 s and 1.2 GB).
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

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
}
