//! Diagnostics are data: every problem handoff finds is a [`Diagnostic`] with a stable code, a
//! severity, a position and a message. The library never prints them; `report` renders them.

use std::ops::Range;

use crate::codes::Code;

use serde::Serialize;

/// How bad a finding is. Errors fail a run; warnings fail it only with `--deny-warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A problem found inside one string (a cron expression, a rule's `when` expression) before it is
/// placed in a file. `span` is a byte range inside that string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub span: Range<usize>,
}

impl Finding {
    /// A finding with the code's severity.
    pub fn new(code: Code, span: Range<usize>, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: code.severity(),
            message: message.into(),
            help: None,
            span,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A problem at a position in a file. This is the one shape every check produces; the reporter
/// renders it as human text, JSON, GitHub annotations or SARIF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub file: String,
    /// 1-based line; 0 when the problem concerns a whole file.
    pub line: usize,
    /// 1-based column in characters; 0 when the problem concerns a whole file.
    pub column: usize,
    /// 1-based column just past the span on its first line.
    pub end_column: usize,
    pub message: String,
    pub help: Option<String>,
    /// The text of `line`, for rendering a snippet.
    #[serde(skip)]
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// A problem with a file as a whole (missing, unreadable, stale).
    pub fn file_level(code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            file: file.into(),
            line: 0,
            column: 0,
            end_column: 0,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file, position and code, so output is deterministic.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.code, &b.message))
    });
}
