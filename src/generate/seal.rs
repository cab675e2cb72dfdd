//! Seals: what a generated file records about itself, so that a hand edit is recognised and a
//! current file is recognised without rendering it again.
//!
//! A template marks the seal's place with `handoff:sha256=` and 64 zeros. A generated file
//! carries there
//!
//! ```text
//! handoff:sha256=<content digest> inputs=<inputs digest>
//! ```
//!
//! - the *inputs digest* (SHA-256) covers everything that decided the file's content: the build
//!   of handoff (its version and a digest of its sources, templates and locked dependencies,
//!   computed by build.rs), the registry's file name and exact text, the text of every template
//!   (embedded or overridden) and the file's path. Same inputs, same build: same content.
//! - the *content digest* (SHA-256) covers the whole file with its own 64 hex digits zeroed,
//!   the inputs digest included. A file whose content no longer matches it was edited.
//!
//! So a file whose content digest holds and whose inputs digest is the one the current inputs
//! give is exactly what generate would write, and is verified by reading it, without rendering.
//! Any other file is rendered and compared. A seal of an older handoff (`handoff:sha256=` alone)
//! is still checked for hand edits; the file is then rendered and compared.
//!
//! The content digest is not a signature: an edit that also recomputes the digest is not
//! recognised as an edit (as with any checksum).

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

pub const SEAL: &str = "handoff:sha256=";
/// What follows the content digest when the seal records its inputs.
pub const INPUTS: &str = " inputs=";
pub(super) const ZERO_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// Line endings and a byte-order mark as a checkout may have changed them: `\r\n` becomes
/// `\n` and a leading BOM is dropped, so a draft checked out on Windows still matches its seal.
pub fn normalise(text: &str) -> String {
    normalised(text).into_owned()
}

/// [`normalise`], borrowing the text when it needs no change (a generated file of megabytes is
/// then not copied).
fn normalised(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    }
}

/// [`normalise`] of text read from a file, kept as it is when it needs no change.
pub(super) fn normalise_owned(text: String) -> String {
    match normalised(&text) {
        std::borrow::Cow::Borrowed(same) if same.len() == text.len() => text,
        changed => changed.into_owned(),
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 of `parts`, each prefixed with its length (so no two lists of parts collide), as hex.
pub(super) fn digest_of(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    hex(&h.finalize())
}

/// Where the seal is: the byte range of its content digest's 64 hex digits, and of the inputs
/// digest's when it records one.
struct Place {
    content: std::ops::Range<usize>,
    inputs: Option<std::ops::Range<usize>>,
}

fn place(text: &str) -> Option<Place> {
    let start = text.find(SEAL)? + SEAL.len();
    let content = start..start + 64;
    text.get(content.clone())?;
    let inputs_start = content.end + INPUTS.len();
    let inputs = (text.get(content.end..inputs_start) == Some(INPUTS))
        .then_some(inputs_start..inputs_start + 64)
        .filter(|r| {
            text.get(r.clone())
                .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
        });
    Some(Place { content, inputs })
}

/// The content digest of `text`: SHA-256 of the text with the seal's content digest zeroed.
fn content_digest(text: &str, p: &Place) -> String {
    let mut h = Sha256::new();
    h.update(&text.as_bytes()[..p.content.start]);
    h.update(ZERO_HASH.as_bytes());
    h.update(&text.as_bytes()[p.content.end..]);
    hex(&h.finalize())
}

/// Seals `content` (whose seal placeholder, if any, is `handoff:sha256=` and 64 zeros) without
/// an inputs digest: the content digest only (the manifest, and drafts rendered on their own).
pub fn seal(content: &str) -> String {
    let mut out = content.to_string();
    seal_in_place(&mut out);
    out
}

/// Writes the content digest into the seal of `text`, in place (the digest has the
/// placeholder's length).
fn seal_in_place(text: &mut String) {
    if let Some(p) = place(text) {
        let digest = content_digest(text, &p);
        text.replace_range(p.content, &digest);
    }
}

/// Seals `content` with the inputs digest `inputs` (64 hex digits): the placeholder (or an
/// existing seal) becomes `handoff:sha256=<content digest> inputs=<inputs>`. Content without a
/// seal (a template override that left it out) is returned as it is. The text is sealed in
/// place, not copied (a generated file can be megabytes).
pub fn seal_with_inputs(mut content: String, inputs: &str) -> String {
    let Some(p) = place(&content) else {
        return content;
    };
    content.replace_range(p.content.clone(), ZERO_HASH);
    match p.inputs {
        Some(r) => content.replace_range(r, inputs),
        None => content.insert_str(p.content.end, &format!("{INPUTS}{inputs}")),
    }
    seal_in_place(&mut content);
    content
}

/// `Some(true)` when the file's seal matches its content, `Some(false)` when it was edited,
/// `None` when it carries no seal.
pub fn seal_intact(content: &str) -> Option<bool> {
    let content = &*normalised(content);
    let p = place(content)?;
    Some(content[p.content.clone()] == content_digest(content, &p))
}

/// What a (normalised) file's seal says.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Sealed<'a> {
    /// No seal.
    None,
    /// The content no longer matches its seal: edited.
    Broken,
    /// The content matches its seal; the inputs digest it records, if any.
    Intact(Option<&'a str>),
}

pub(super) fn read_seal(text: &str) -> Sealed<'_> {
    let Some(p) = place(text) else {
        return Sealed::None;
    };
    if text[p.content.clone()] != content_digest(text, &p) {
        return Sealed::Broken;
    }
    Sealed::Intact(p.inputs.map(|r| &text[r]))
}

/// Whether two sealed texts are the same but for their seals' digests (an intact file written
/// from other inputs, or by another build, with the same content).
pub fn same_but_seal(a: &str, b: &str) -> bool {
    match (place(a), place(b)) {
        (Some(pa), Some(pb)) => {
            let end_a = pa.inputs.map_or(pa.content.end, |r| r.end);
            let end_b = pb.inputs.map_or(pb.content.end, |r| r.end);
            a[..pa.content.start] == b[..pb.content.start] && a[end_a..] == b[end_b..]
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "# head handoff:sha256=0000000000000000000000000000000000000000000000000000000000000000\nbody\n";

    #[test]
    fn a_seal_with_inputs_is_intact_and_records_them() {
        let inputs = "ab".repeat(32);
        let sealed = seal_with_inputs(T.to_string(), &inputs);
        assert!(sealed.contains(&format!("{INPUTS}{inputs}\nbody")));
        assert_eq!(seal_intact(&sealed), Some(true));
        assert_eq!(read_seal(&sealed), Sealed::Intact(Some(inputs.as_str())));
        // Resealing with other inputs replaces them.
        let other = "cd".repeat(32);
        let resealed = seal_with_inputs(sealed.clone(), &other);
        assert_eq!(read_seal(&resealed), Sealed::Intact(Some(other.as_str())));
        assert!(same_but_seal(&sealed, &resealed));
        assert!(same_but_seal(&seal(T), &resealed));
    }

    #[test]
    fn an_edit_anywhere_breaks_the_seal() {
        let sealed = seal_with_inputs(T.to_string(), &"ab".repeat(32));
        assert_eq!(read_seal(&sealed.replace("body", "bodY")), Sealed::Broken);
        // The inputs digest is covered by the content digest.
        let i = sealed.find(INPUTS).unwrap() + INPUTS.len();
        let mut forged = sealed.clone();
        forged.replace_range(i..i + 1, "f");
        assert_eq!(read_seal(&forged), Sealed::Broken);
        assert!(!same_but_seal(&sealed, &sealed.replace("body", "bodY")));
    }

    #[test]
    fn old_seals_still_verify() {
        let old = seal(T);
        assert_eq!(read_seal(&old), Sealed::Intact(None));
        assert_eq!(read_seal("no seal here\n"), Sealed::None);
        assert_eq!(seal_intact(&old.replacen("body", "edited", 1)), Some(false));
    }
}
