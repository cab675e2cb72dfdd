//! The [`Fields`] reader: one mapping read the way a schema would, every problem collected
//! (missing field, wrong type, unknown key with a suggestion).

use std::ops::Range;

use super::{Key, Node, SourceFile, Spanned, Value};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;

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
