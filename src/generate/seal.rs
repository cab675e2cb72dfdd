//! Seals: the hash of a generated file's own content, written into the file, so a hand edit
//! is recognised.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

pub const SEAL: &str = "handoff:sha256=";
pub(super) const ZERO_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// Line endings and a byte-order mark as a checkout may have changed them: `\r\n` becomes
/// `\n` and a leading BOM is dropped, so a draft checked out on Windows still matches its seal.
pub fn normalise(text: &str) -> String {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        .replace("\r\n", "\n")
}

/// Computes the hash of `content` with its seal's hex zeroed, and writes it into the seal.
pub fn seal(content: &str) -> String {
    let hash = hash_unsealed(content);
    content.replacen(&format!("{SEAL}{ZERO_HASH}"), &format!("{SEAL}{hash}"), 1)
}

fn hash_unsealed(content: &str) -> String {
    let zeroed = match content.find(SEAL) {
        Some(i) => {
            let start = i + SEAL.len();
            let end = (start + 64).min(content.len());
            format!("{}{ZERO_HASH}{}", &content[..start], &content[end..])
        }
        None => content.to_string(),
    };
    let digest = Sha256::digest(zeroed.as_bytes());
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `Some(true)` when the file's seal matches its content, `Some(false)` when it was edited,
/// `None` when it carries no seal.
pub fn seal_intact(content: &str) -> Option<bool> {
    let content = &normalise(content);
    let i = content.find(SEAL)?;
    let recorded = content.get(i + SEAL.len()..i + SEAL.len() + 64)?;
    Some(recorded == hash_unsealed(content))
}
