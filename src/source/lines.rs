//! The one line index of the crate: byte offsets to 1-based lines and columns counted in
//! characters, and back. [`SourceFile`](super::SourceFile) keeps one; the report renderer and
//! the rule parser's error positions use the same functions.

use std::ops::Range;

/// Where each line of a text starts.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = text[start..floor_char_boundary(text, offset)]
            .chars()
            .count();
        (line + 1, col + 1)
    }

    /// The byte range of a 1-based line without its `\n` (a `\r` before it stays), if the text
    /// has that line.
    pub fn line_span(&self, text: &str, line: usize) -> Option<Range<usize>> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).map_or(text.len(), |&e| e - 1);
        Some(start..end)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let span = self.line_span(text, line).expect("a line of the text");
        text[span].trim_end_matches('\r')
    }

    /// Byte offset of a 1-based line and 0-based character column; a column past the line's
    /// end gives the end of the line, a line past the text's end the end of the text.
    pub fn offset_of(&self, text: &str, line: usize, col0: usize) -> usize {
        match self.line_span(text, line.max(1)) {
            Some(span) => span.start + char_to_byte(&text[span], col0),
            None => text.len(),
        }
    }

    /// Like [`offset_of`](Self::offset_of), for a column counted in bytes (rounded down to a
    /// character boundary).
    pub fn offset_of_byte_column(&self, text: &str, line: usize, col0: usize) -> usize {
        match self.line_span(text, line.max(1)) {
            Some(span) => floor_char_boundary(text, (span.start + col0).min(span.end)),
            None => text.len(),
        }
    }
}

/// Byte offset of the 0-based character `chars` of `s` (`s.len()` past its end).
pub fn char_to_byte(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}

/// The largest character boundary at or before byte `i`.
pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_positions_round_trip() {
        let text = "ab\r\ncdé\nf";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), (1, 1));
        assert_eq!(index.line_col(text, 4), (2, 1));
        assert_eq!(index.line_col(text, 8), (2, 4));
        assert_eq!(index.line_text(text, 1), "ab");
        assert_eq!(index.offset_of(text, 2, 2), 6);
        assert_eq!(index.offset_of(text, 2, 3), 8, "end of the line");
        assert_eq!(index.offset_of(text, 2, 99), 8, "clamped to the line");
        assert_eq!(index.offset_of(text, 9, 0), text.len());
        assert_eq!(index.offset_of_byte_column(text, 2, 3), 6, "inside `é`");
        assert_eq!(char_to_byte("cdé", 3), 4);
        assert_eq!(floor_char_boundary("é", 1), 0);
    }
}
