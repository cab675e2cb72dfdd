//! Source positions: the parser places each node on one token, so the extent of a path, a call
//! or a literal is found by reading the source from there (skipping comments and strings).

use std::ops::Range;

use cel::common::ast::operators;
use cel::common::ast::{CallExpr, Expr, IdedExpr};

use super::walk::Walker;

impl Walker<'_> {
    /// The byte span of the token the parser placed node `id` on.
    pub(super) fn token_span(&self, id: u64) -> Option<Range<usize>> {
        let (start, stop) = self.info.offset_for(id)?;
        let (start, end) = (start as usize, stop as usize + 1);
        (start < end
            && end <= self.src.len()
            && self.src.is_char_boundary(start)
            && self.src.is_char_boundary(end))
        .then_some(start..end)
    }

    /// `name(...)` for a global call whose node sits on its `(`.
    pub(super) fn global_call_span(&self, id: u64) -> Option<Range<usize>> {
        let open = self.token_span(id)?.start;
        let close = matching_close(self.src, open)?;
        let before = self.src[..open].trim_end();
        let name_start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_ascii_alphanumeric() || c == '_')
            .last()
            .map(|(i, _)| i)?;
        Some(name_start..close + 1)
    }

    /// The method name of a receiver call, whose node sits on its `(`.
    pub(super) fn method_name_span(&self, call: &CallExpr) -> Option<Range<usize>> {
        // The call's own id is not kept on `CallExpr`; find the name after the receiver.
        let target = call.target.as_deref()?;
        let receiver_end = self.expr_end(target)?;
        let dot = skip_trivia_and(self.src, receiver_end, &[')']);
        if !self.src[dot..].starts_with('.') {
            return None;
        }
        let start = skip_trivia_and(self.src, dot + 1, &[]);
        let end = ident_end(self.src, dot + 1)?;
        (self.src[start..end] == *call.func_name).then_some(start..end)
    }

    /// Where the expression `e` ends, for the node kinds a method receiver commonly is.
    pub(super) fn expr_end(&self, e: &IdedExpr) -> Option<usize> {
        if let Some(path) = self.path_of(e) {
            return Some(path.span.end);
        }
        if let Some(lit) = self.literal_of(e) {
            return Some(lit.span.end);
        }
        match &e.expr {
            Expr::Ident(_) => Some(self.token_span(e.id)?.end),
            Expr::Select(select) if !select.test => ident_end(self.src, self.token_span(e.id)?.end),
            Expr::Call(call) if call.func_name == operators::INDEX => {
                Some(matching_close(self.src, self.token_span(e.id)?.start)? + 1)
            }
            Expr::Call(call) if call.target.is_some() || !call.func_name.contains('_') => {
                // A call's node sits on its `(`.
                Some(matching_close(self.src, self.token_span(e.id)?.start)? + 1)
            }
            // A macro's expansion sits on the `(` of the macro call.
            Expr::Comprehension(_) => {
                Some(matching_close(self.src, self.token_span(e.id)?.start)? + 1)
            }
            _ => None,
        }
    }
}

/// Skips whitespace, `//` comments and any of `extra` from `at`.
pub(super) fn skip_trivia_and(src: &str, mut at: usize, extra: &[char]) -> usize {
    loop {
        let rest = &src[at..];
        if rest.starts_with("//") {
            at += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        match rest.chars().next() {
            Some(c) if c.is_whitespace() || extra.contains(&c) => at += c.len_utf8(),
            _ => return at,
        }
    }
}

/// The end of the identifier (or backtick-escaped identifier) after `at`, skipping trivia.
pub(super) fn ident_end(src: &str, at: usize) -> Option<usize> {
    let start = skip_trivia_and(src, at, &[]);
    let rest = &src[start..];
    if let Some(quoted) = rest.strip_prefix('`') {
        return quoted.find('`').map(|i| start + i + 2);
    }
    let len = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(rest.len(), |(i, _)| i);
    (len > 0).then_some(start + len)
}

/// The byte offset of the bracket closing the one at `open` (`(`, `[` or `{`), skipping string
/// literals and comments.
pub(super) fn matching_close(src: &str, open: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    if !matches!(bytes.get(open), Some(b'(' | b'[' | b'{')) {
        return None;
    }
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i += src[i..].find('\n').unwrap_or(src.len() - i);
                continue;
            }
            b'"' | b'\'' => {
                i = string_end(src, i)?;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The offset just past the string literal whose opening quote is at `at` (handles raw
/// `r"..."` prefixes by looking back, and triple-quoted strings).
fn string_end(src: &str, at: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    let quote = bytes[at];
    let raw = src[..at]
        .bytes()
        .rev()
        .take_while(u8::is_ascii_alphabetic)
        .any(|b| b == b'r' || b == b'R');
    let triple = bytes.get(at + 1) == Some(&quote) && bytes.get(at + 2) == Some(&quote);
    let mut i = at + if triple { 3 } else { 1 };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' && !raw {
            i += 2;
            continue;
        }
        if b == quote {
            if !triple {
                return Some(i + 1);
            }
            if bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote) {
                return Some(i + 3);
            }
        }
        i += 1;
    }
    None
}
