//! A large TOML document read in pieces, in parallel, with exactly the result of reading it
//! whole — or no result, and then it is read whole.
//!
//! The `toml` parser lexes a whole document into tokens and events before building it: about
//! 20 bytes of memory per byte of text (a 6 MB registry of 10,000 subjects peaked at ~200 MiB),
//! on one thread. A registry is mostly one long array of tables (`[[subjects]]`), whose elements
//! do not depend on each other, so it is cut before lines that open an element of a top-level
//! array of tables (`[[key]]` at the start of a line), the pieces are parsed on their own, and
//! the results are joined. Why that is the document's meaning, or nothing:
//!
//! - A cut inside a multi-line string or a multi-line array leaves the piece before it
//!   unterminated, which fails to parse: then the whole document is parsed (a piece that parses
//!   ends between two expressions, where the whole document's parser is too, lexing the same
//!   bytes).
//! - Each piece after the first starts with a table header, so its top-level keys all come from
//!   headers: `[[key]]` makes an array of tables, whose elements (with the sub-tables that
//!   follow them in the piece) are appended in order, as the whole document's parser appends
//!   them; any other key found in two pieces (a table extended or defined twice, `[a.b]` after
//!   `[a]`, a sub-table of an element in an earlier piece) makes the join give up, and the whole
//!   document is parsed: it decides what is valid, and its errors are the ones reported.
//! - Spans are moved by where the piece starts, so they are the whole document's spans: the
//!   array's span is its first header, as the `toml` crate gives it.

use std::collections::HashMap;

use rayon::prelude::*;
use toml::de::DeTable;

use super::toml_table;
use crate::source::{Key, Node, Value};

/// Documents shorter than this are parsed whole: pieces gain nothing there.
pub const MIN_LEN: usize = 256 * 1024;
/// About how long each piece is.
pub const PIECE_LEN: usize = 64 * 1024;

/// The document parsed in pieces of about `piece_len` bytes, or `None` when it cannot be cut,
/// a piece does not parse or the pieces cannot be joined exactly (then parse it whole).
pub fn parse(text: &str, piece_len: usize) -> Option<Node> {
    let cuts = cuts(text, piece_len);
    if cuts.len() < 3 {
        return None;
    }
    let pieces: Vec<Option<Vec<(Key, Node)>>> = cuts
        .par_windows(2)
        .map(|w| {
            let doc = DeTable::parse(&text[w[0]..w[1]]).ok()?;
            match toml_table(doc.get_ref(), w[0]).ok()? {
                Value::Map(entries) => Some(entries),
                _ => None,
            }
        })
        .collect();
    let mut joined: Vec<(Key, Node)> = Vec::new();
    // Where each top-level key is in `joined`, and whether it is an array of tables.
    let mut index: HashMap<String, (usize, bool)> = HashMap::new();
    for piece in pieces {
        for (key, node) in piece? {
            match index.get(&key.name) {
                None => {
                    let tables = matches!(node.value, Value::Seq(_)) && from_header(text, &key);
                    index.insert(key.name.clone(), (joined.len(), tables));
                    joined.push((key, node));
                }
                Some(&(at, true)) => match (&mut joined[at].1.value, node.value) {
                    (Value::Seq(elements), Value::Seq(more)) => elements.extend(more),
                    _ => return None,
                },
                Some(&(_, false)) => return None,
            }
        }
    }
    Some(Node {
        value: Value::Map(joined),
        span: 0..text.len(),
    })
}

/// Whether a top-level key was written in an array-of-tables header (`[[key]]`, `[[ key ]]`),
/// not as `key = [...]`: the first piece may hold both, every later piece only headers.
fn from_header(text: &str, key: &Key) -> bool {
    text[..key.span.start]
        .trim_end_matches([' ', '\t'])
        .ends_with("[[")
}

/// Where the pieces start and end: 0, cuts at least `piece_len` apart, each before a line that
/// opens an element of a top-level array of tables, and the text's length.
fn cuts(text: &str, piece_len: usize) -> Vec<usize> {
    let mut cuts = vec![0];
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if line_start - cuts[cuts.len() - 1] >= piece_len && opens_array_element(line) {
            cuts.push(line_start);
        }
        line_start += line.len();
    }
    cuts.push(text.len());
    cuts
}

/// `[[key]]` with a bare key at the very start of the line, then only blanks or a comment.
fn opens_array_element(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("[[") else {
        return false;
    };
    let key_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        .count();
    let Some(after) = rest[key_len..].strip_prefix("]]") else {
        return false;
    };
    let after = after.trim_start_matches([' ', '\t']);
    key_len > 0 && (after.is_empty() || after.starts_with(['#', '\n']) || after == "\r\n")
}

#[cfg(test)]
mod tests;
