//! Parse errors as `rule-syntax` findings, placed at the error in the expression.

use std::ops::Range;

use cel::{ParseError, ParseErrors};

use crate::codes::Code;
use crate::diagnostic::Finding;

pub(super) fn syntax_finding(src: &str, errors: &ParseErrors) -> Finding {
    // After a syntax error the parser also visits the broken tree, which adds errors such as
    // "Incomplete `IndexContext`!" that say nothing to a user: prefer any other one.
    let internal = |e: &&ParseError| e.msg.starts_with("Incomplete ") || e.msg.starts_with("No `");
    let Some(first) = errors
        .errors
        .iter()
        .find(|e| !internal(e))
        .or(errors.errors.first())
    else {
        return Finding::new(
            Code::RuleSyntax,
            0..src.len(),
            "`rule.when` is not valid CEL",
        );
    };
    let span = error_span(src, first);
    let (line, column) = first.pos;
    let detail = first
        .msg
        .strip_prefix("Syntax error: ")
        .unwrap_or(&first.msg)
        .replace("<EOF>", "end of expression");
    let mut message = if src.trim().is_empty() {
        "`rule.when` is empty".to_string()
    } else if detail.contains("Recursion limit of") {
        format!(
            "`rule.when` is nested too deeply for the CEL parser (line {line}, column {column})"
        )
    } else {
        format!("`rule.when` is not valid CEL: {detail} (line {line}, column {column})")
    };
    let more = errors.errors.len() - 1;
    if more > 0 {
        message.push_str(&format!(
            " (and {more} more error{})",
            if more == 1 { "" } else { "s" }
        ));
    }
    let single_equals = src[span.clone()] == *"="
        && !src[..span.start].ends_with(['=', '!', '<', '>'])
        && !src[span.end..].starts_with('=');
    let help = if single_equals {
        "CEL compares with `==`; a single `=` is not an operator"
    } else {
        "write a CEL boolean expression over `event` and `context`, e.g. \
         `event.attributes.status == \"done\" && context[\"svc.health\"].ok`; \
         CEL uses `&&`, `||`, `!`, `==` and quoted string literals"
    };
    Finding::new(Code::RuleSyntax, span, message).with_help(help)
}

/// The byte span of a parse error: the node it is about when known, else the character (or the
/// identifier/number) at its line:column.
fn error_span(src: &str, error: &ParseError) -> Range<usize> {
    if error.expr_id != 0
        && let Some(info) = &error.source_info
        && let Some((start, stop)) = info.offset_for(error.expr_id)
    {
        let start = (start as usize).min(src.len());
        let end = (stop as usize + 1).clamp(start, src.len());
        if src.is_char_boundary(start) && src.is_char_boundary(end) {
            return start..end;
        }
    }
    // Syntax errors come from the ANTLR lexer/parser, whose columns count characters; errors
    // raised while expanding macros count bytes.
    let chars = error.msg.starts_with("Syntax error");
    let start = line_col_to_offset(src, error.pos.0, error.pos.1, chars);
    start..token_end(src, start)
}

/// Byte offset of 1-based `line`:`column` (clamped to the source).
fn line_col_to_offset(src: &str, line: isize, column: isize, column_in_chars: bool) -> usize {
    let index = crate::source::LineIndex::new(src);
    let line = line.max(1) as usize;
    let col = (column.max(1) - 1) as usize;
    if column_in_chars {
        index.offset_of(src, line, col)
    } else {
        index.offset_of_byte_column(src, line, col)
    }
}

/// The end of the token starting at `start`: the whole identifier or number, else one character.
fn token_end(src: &str, start: usize) -> usize {
    let rest = &src[start..];
    let word = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(rest.len(), |(i, _)| i);
    if word > 0 {
        start + word
    } else {
        start + rest.chars().next().map_or(0, char::len_utf8)
    }
}
