//! `handoff generate`: renders everything the registry implies — the subject doc, the cutover
//! doc, ActivityDefinition drafts, JSON Schemas and the Python publisher package — and writes
//! it atomically, or (`--check`) compares it with what is on disk.
//!
//! Every generated file carries a seal, `handoff:sha256=<hex> inputs=<hex>`: the hash of its
//! own content and the hash of the inputs it was generated from (see `seal`). A file whose
//! content no longer matches its seal was edited by hand: generate never overwrites it without
//! `--force`. A file whose seal holds and records today's inputs is current without being
//! rendered: `--check` and `validate` read such files and render only the others. Drafts in definitions/ are scaffolds: once edited they belong to their
//! author, and deleting the seal line adopts them for good. Seals are checked on text with
//! line endings and a byte-order mark normalised, so a CRLF checkout is not an edit.
//!
//! `.handoff-manifest`, beside the registry, records every file generate owns, so files it
//! generated for a since renamed subject or migration, or an old `[output]` path, are found as
//! orphans (and removed by `--prune` while unedited). Output paths are resolved through
//! symbolic links and refused outside the registry's folder; temporary files are named
//! `.handoff-tmp-*` and cleaned by the next run (on Linux, new files have no temporary name:
//! see `atomic`); every file is tried, and the outcomes say
//! exactly which were and were not written.
//!
//! `artifacts` plans the files of a registry and renders them on demand (a [`Generator`]),
//! through the template context `views` builds; `seal` computes and checks seals; `write`
//! writes, checks and prunes them, with the manifest.

mod artifacts;
mod atomic;
mod seal;
#[cfg(test)]
mod tests;
mod views;
mod write;

use std::path::{Path, PathBuf};

pub use artifacts::{Generator, Planned, artifacts, relative};
pub use atomic::{TMP_PREFIX, write_atomic};
pub use seal::{INPUTS, SEAL, normalise, same_but_seal, seal, seal_intact, seal_with_inputs};
pub use views::{registry_label, sample_envelope};
pub use write::{MANIFEST, WriteOptions, check, manifest_content, write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Always regenerated (unless edited by hand).
    Generated,
    /// A scaffold: regenerated while untouched, kept once edited.
    Draft,
}

/// One file generate produces: a path relative to the registry's folder and its full content.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub path: String,
    pub content: String,
    pub kind: Kind,
}

/// What happened (or would happen) to one generated file. `generate` and `generate --check`
/// use the same outcomes and the same words, so they never contradict each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Written,
    Unchanged,
    /// A draft edited by hand: it belongs to its author now and is left as it is. Not a
    /// problem; `definition-drift` reports how it differs from the registry.
    KeptEdited,
    /// A draft without a seal: adopted by its author, never touched.
    Adopted,
    /// A generated (non-draft) file edited by hand: not overwritten without `--force`.
    Edited,
    /// (`--check`) exists but differs from what generate would write.
    Stale,
    /// (`--check`) does not exist.
    Missing,
    /// The file at a generated path is not UTF-8 text: not read, not overwritten (`--force`
    /// replaces it).
    NotUtf8,
    /// The file at a generated path could not be read.
    Unreadable,
    /// The path resolves (through a symbolic link) outside the registry's folder: refused.
    Outside,
    /// Writing failed (`detail` says why); the file is as it was.
    Failed,
    /// A file generate wrote earlier that the registry no longer produces, unedited:
    /// `--prune` removes it.
    Orphan,
    /// An orphan edited by hand: never removed by handoff.
    OrphanEdited,
    /// An orphan removed by `--prune`.
    Pruned,
}

impl Outcome {
    /// Whether this outcome fails `generate` (or `generate --check`).
    pub fn is_problem(self) -> bool {
        matches!(
            self,
            Outcome::Edited
                | Outcome::Stale
                | Outcome::Missing
                | Outcome::NotUtf8
                | Outcome::Unreadable
                | Outcome::Outside
                | Outcome::Failed
                | Outcome::Orphan
                | Outcome::OrphanEdited
        )
    }

    /// Whether the file is an orphan (validate reports those as `orphan-generated`).
    pub fn is_orphan(self) -> bool {
        matches!(self, Outcome::Orphan | Outcome::OrphanEdited)
    }

    /// What the outcome means, in the same words for `generate`, `--check` and `validate`.
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Written => "written",
            Outcome::Unchanged => "unchanged",
            Outcome::KeptEdited => {
                "kept: draft edited by hand, it is yours now (`handoff generate --force` replaces it)"
            }
            Outcome::Adopted => "kept: adopted (no handoff seal)",
            Outcome::Edited => "not overwritten: edited by hand since it was generated",
            Outcome::Stale => "stale: differs from what `handoff generate` writes",
            Outcome::Missing => "missing",
            Outcome::NotUtf8 => "not UTF-8 text: not read and not overwritten",
            Outcome::Unreadable => "cannot be read",
            Outcome::Outside => "refused: the path resolves outside the registry's folder",
            Outcome::Failed => "not written",
            Outcome::Orphan => "orphan: generated earlier, but the registry no longer produces it",
            Outcome::OrphanEdited => "orphan edited by hand: the registry no longer produces it",
            Outcome::Pruned => "removed (orphan)",
        }
    }

    /// What to do about it.
    pub fn help(self) -> &'static str {
        match self {
            Outcome::Stale | Outcome::Missing => "run `handoff generate` and commit the result",
            Outcome::Edited => {
                "carry the change into subjects.toml, then run `handoff generate --force`"
            }
            Outcome::NotUtf8 => {
                "the file is not what handoff wrote (check its encoding); `handoff generate --force` rewrites it"
            }
            Outcome::Outside => {
                "a folder on the way is a symbolic link leaving the registry's folder; replace it with a real folder"
            }
            Outcome::Orphan => "run `handoff generate --prune` to remove it",
            Outcome::OrphanEdited => {
                "delete it, or delete its seal line to keep it as your own file"
            }
            Outcome::KeptEdited => {
                "delete its seal line to adopt it, or run `handoff generate --force` to replace it"
            }
            Outcome::Unreadable | Outcome::Failed => "check the file's permissions",
            Outcome::Written | Outcome::Unchanged | Outcome::Adopted | Outcome::Pruned => "",
        }
    }
}

#[derive(Debug, Clone)]
pub struct FileOutcome {
    pub path: String,
    pub outcome: Outcome,
    /// The underlying error, for `Unreadable`, `Failed` and `Outside`.
    pub detail: Option<String>,
}

impl FileOutcome {
    fn new(path: &str, outcome: Outcome) -> Self {
        FileOutcome {
            path: path.to_string(),
            outcome,
            detail: None,
        }
    }

    fn with_detail(mut self, detail: String) -> Self {
        self.detail = Some(detail);
        self
    }

    /// `describe()` with the detail, if any.
    pub fn message(&self) -> String {
        match &self.detail {
            Some(d) => format!("{}: {d}", self.outcome.describe()),
            None => self.outcome.describe().to_string(),
        }
    }
}

/// Where the registry's folder is, for resolving output paths.
pub fn root_of(registry_path: &Path) -> PathBuf {
    match registry_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
