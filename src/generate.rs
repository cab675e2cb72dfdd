//! `handoff generate`: renders everything the registry implies — the subject doc, the cutover
//! doc, ActivityDefinition drafts, JSON Schemas and the Python publisher package — and writes
//! it atomically, or (`--check`) compares it with what is on disk.
//!
//! Every generated file carries a seal, `handoff:sha256=<hex>`, the hash of its own content. A
//! file whose content no longer matches its seal was edited by hand: generate never overwrites
//! it without `--force`. Drafts in definitions/ are scaffolds: once edited they belong to their
//! author, and deleting the seal line adopts them for good. Seals are checked on text with
//! line endings and a byte-order mark normalised, so a CRLF checkout is not an edit.
//!
//! `.handoff-manifest`, beside the registry, records every file generate owns, so files it
//! generated for a since renamed subject or migration, or an old `[output]` path, are found as
//! orphans (and removed by `--prune` while unedited). Output paths are resolved through
//! symbolic links and refused outside the registry's folder; temporary files are named
//! `.handoff-tmp-*` and cleaned by the next run; every file is tried, and the outcomes say
//! exactly which were and were not written.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value as J, json};
use sha2::{Digest, Sha256};

use crate::plan;
use crate::registry::{AttrType, Instruction, Migration, Registry, StepState, Subject};
use crate::schema;

pub const SEAL: &str = "handoff:sha256=";
const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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

/// Everything generate produces from the registry, in a fixed order.
pub fn artifacts(reg: &Registry, templates: Option<&Path>) -> Result<Vec<Artifact>, String> {
    use rayon::prelude::*;
    let env = crate::render::environment(templates)?;
    let out = &reg.output;
    let ctx = context(reg, &env)?;
    // Converted once: each render would otherwise convert the whole context again.
    let ctx_value = minijinja::Value::from_serialize(&ctx);
    let label = registry_label(&reg.file.path);

    let schema_rel = relative(
        &out.definitions,
        &format!("{}/activity-definition.schema.json", out.schemas),
    );
    let test_schema_rel = relative(
        &out.definitions,
        &format!("{}/activity-definition-test.schema.json", out.schemas),
    );
    let mut list = Vec::new();
    for (m, mv) in reg
        .migrations
        .iter()
        .zip(ctx["migrations"].as_array().into_iter().flatten())
    {
        let content = crate::render::render(
            &env,
            "definition.yaml.j2",
            &json!({ "registry": ctx["registry"], "migration": mv, "schema_path": schema_rel, "sealed": true }),
        )?;
        list.push(Artifact {
            path: format!("{}/{}.yaml", out.definitions, m.definition.name.value),
            content: seal(&content),
            kind: Kind::Draft,
        });
        // Its starter test cases (`handoff test`), a draft too: kept once edited.
        list.push(Artifact {
            path: format!(
                "{}/{}{}",
                out.definitions,
                m.definition.name.value,
                crate::testcase::SUFFIX
            ),
            content: crate::testcase::starter(reg, m, &test_schema_rel),
            kind: Kind::Draft,
        });
    }

    let rendered: Vec<(String, &str)> = vec![
        (out.subjects_doc.clone(), "nats-event-subjects.md.j2"),
        (out.migration_doc.clone(), "cron-migration.md.j2"),
        (format!("{}/__init__.py", out.python), "__init__.py.j2"),
        (format!("{}/publishers.py", out.python), "publishers.py.j2"),
        (format!("{}/runtime.py", out.python), "runtime.py.j2"),
        (format!("{}/py.typed", out.python), "py.typed.j2"),
    ];
    let mut rendered: Vec<Artifact> = rendered
        .into_par_iter()
        .map(|(path, template)| {
            crate::render::render(&env, template, &ctx_value).map(|c| Artifact {
                path,
                content: seal(&c),
                kind: Kind::Generated,
            })
        })
        .collect::<Result<_, _>>()?;
    let python = rendered.split_off(2);
    list.append(&mut rendered);

    let schemas: Vec<Artifact> = reg
        .subjects
        .par_iter()
        .map(|s| Artifact {
            path: format!("{}/{}.schema.json", out.schemas, s.subject.value),
            content: json_file(schema::envelope(reg, s), &label),
            kind: Kind::Generated,
        })
        .collect();
    list.extend(schemas);
    list.push(Artifact {
        path: format!("{}/activity-definition.schema.json", out.schemas),
        content: json_file(schema::activity_definition(reg), &label),
        kind: Kind::Generated,
    });
    list.push(Artifact {
        path: format!("{}/activity-definition-test.schema.json", out.schemas),
        content: json_file(crate::testcase::schema(reg), &label),
        kind: Kind::Generated,
    });
    list.push(Artifact {
        path: format!("{}/subjects.schema.json", out.schemas),
        content: json_file(schema::registry(), &label),
        kind: Kind::Generated,
    });
    list.extend(python);
    Ok(list)
}

/// A JSON file with the seal in its `$comment`.
fn json_file(mut schema: J, registry: &str) -> String {
    if let J::Object(map) = &mut schema {
        let mut with_comment = serde_json::Map::new();
        with_comment.insert(
            "$comment".into(),
            J::String(format!(
                "Generated by handoff from {registry}; do not edit, run `handoff generate`. {SEAL}{ZERO_HASH}"
            )),
        );
        for (k, v) in std::mem::take(map) {
            with_comment.insert(k, v);
        }
        *map = with_comment;
    }
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    seal(&text)
}

/// A path to `to` relative to the folder `from_dir` (both relative to the same root).
pub fn relative(from_dir: &str, to: &str) -> String {
    let from: Vec<&str> = from_dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let to_parts: Vec<&str> = to
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

/// The file, beside the registry, that lists every file generate owns: what it writes now and
/// orphans it wrote earlier and has not removed. It is how generate finds orphans after a
/// subject is renamed or an `[output]` path changes.
pub const MANIFEST: &str = ".handoff-manifest";

/// Temporary files are named with this prefix, so leftovers of an interrupted run are
/// recognisable; the next `generate` removes them.
pub const TMP_PREFIX: &str = ".handoff-tmp-";

/// What `write` and `check` do.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Overwrite files edited by hand (and non-UTF-8 files at generated paths).
    pub force: bool,
    /// Remove unedited orphans.
    pub prune: bool,
}

/// What is at a generated path.
enum Existing {
    Missing,
    /// Normalised text (see [`normalise`]).
    Text(String),
    NotUtf8,
    Error(String),
}

fn read_existing(path: &Path) -> Existing {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Existing::Text(normalise(&text)),
            Err(_) => Existing::NotUtf8,
        },
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Existing::Missing
        }
        Err(e) => Existing::Error(e.to_string()),
    }
}

/// Whether `rel` (relative to `root`) stays inside `root` once symbolic links are resolved:
/// the deepest part of the path that exists is resolved and must lie under the resolved root.
/// `Err` names where it leads.
fn inside(root: &Path, rel: &str) -> Result<(), String> {
    let Ok(real_root) = std::fs::canonicalize(root) else {
        return Ok(());
    };
    let mut probe = root.join(rel);
    loop {
        if std::fs::symlink_metadata(&probe).is_ok() {
            return match std::fs::canonicalize(&probe) {
                Ok(real) if real.starts_with(&real_root) => Ok(()),
                Ok(real) => Err(format!("it leads to {}", real.display())),
                // A dangling link: where it points is not known to be inside.
                Err(e) => Err(format!("cannot resolve {}: {e}", probe.display())),
            };
        }
        if !probe.pop() {
            return Ok(());
        }
    }
}

/// The manifest's text: a header with a seal, then one path per line, sorted.
pub fn manifest_content(paths: &std::collections::BTreeSet<String>) -> String {
    let mut text = format!(
        "# Files handoff generate owns (generated from the registry, or orphans not yet removed).\n# Do not edit: `handoff generate` keeps it, `handoff generate --prune` removes orphans. {SEAL}{ZERO_HASH}\n"
    );
    for p in paths {
        text.push_str(p);
        text.push('\n');
    }
    seal(&text)
}

/// Paths listed in the manifest (only well-formed relative paths are believed).
fn read_manifest(root: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(root.join(MANIFEST)) else {
        return Vec::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| crate::registry::is_output_path(l) && *l != MANIFEST)
        .map(str::to_string)
        .collect()
}

/// Files that look generated (a seal near the top) in the folders generate writes to, so
/// orphans are found even without a manifest (a repository generated by an older handoff).
fn sealed_files_in(root: &Path, dirs: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            if !e.file_type().is_ok_and(|t| t.is_file()) || name.starts_with('.') {
                continue;
            }
            let rel = format!("{dir}/{name}");
            if !crate::registry::is_output_path(&rel) {
                continue;
            }
            let mut head = Vec::new();
            if let Ok(f) = std::fs::File::open(e.path()) {
                let _ = std::io::Read::read_to_end(&mut std::io::Read::take(f, 2048), &mut head);
            }
            if String::from_utf8_lossy(&head).contains(SEAL) {
                out.push(rel);
            }
        }
    }
    out
}

/// Folders whose sealed files generate owns: the drafts, the schemas and the Python package.
fn owned_dirs(artifacts: &[Artifact]) -> Vec<String> {
    let mut dirs: Vec<String> = artifacts
        .iter()
        .filter(|a| !a.path.ends_with(".md"))
        .filter_map(|a| a.path.rsplit_once('/').map(|(d, _)| d.to_string()))
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

/// Orphans: files the manifest (or a seal in an owned folder) says generate wrote, that the
/// registry no longer produces and that still exist with a seal.
fn orphans(root: &Path, artifacts: &[Artifact]) -> Vec<(String, Outcome)> {
    let current: std::collections::BTreeSet<&str> =
        artifacts.iter().map(|a| a.path.as_str()).collect();
    let dirs = owned_dirs(artifacts);
    let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
    let mut candidates: Vec<String> = read_manifest(root);
    // Without a manifest (a tree generated by an older handoff), sealed files in the owned
    // folders stand in for it. With one, it is the record: no need to open every file.
    if !root.join(MANIFEST).exists() {
        candidates.extend(sealed_files_in(root, &dirs));
    }
    candidates.sort();
    candidates.dedup();
    candidates
        .into_iter()
        .filter(|p| !current.contains(p.as_str()) && p != MANIFEST)
        .filter(|p| inside(root, p).is_ok())
        .filter_map(|p| match read_existing(&root.join(&p)) {
            Existing::Text(t) => match seal_intact(&t) {
                Some(true) => Some((p, Outcome::Orphan)),
                Some(false) => Some((p, Outcome::OrphanEdited)),
                // Its seal was deleted: adopted by its author, no longer ours.
                None => None,
            },
            Existing::NotUtf8 | Existing::Error(_) => Some((p, Outcome::OrphanEdited)),
            Existing::Missing => None,
        })
        .collect()
}

/// Removes `.handoff-tmp-*` files an interrupted run left in the output folders. Returns the
/// paths removed (relative to `root`).
fn clean_leftovers(root: &Path, artifacts: &[Artifact]) -> Vec<String> {
    let mut dirs: Vec<&str> = artifacts
        .iter()
        .map(|a| a.path.rsplit_once('/').map_or("", |(d, _)| d))
        .collect();
    dirs.push("");
    dirs.sort_unstable();
    dirs.dedup();
    let mut removed = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with(TMP_PREFIX)
                && e.file_type().is_ok_and(|t| t.is_file())
                && std::fs::remove_file(e.path()).is_ok()
            {
                removed.push(if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                });
            }
        }
    }
    removed
}

/// The manifest as an artifact: every current artifact plus the orphans that remain.
fn manifest_artifact(artifacts: &[Artifact], remaining_orphans: &[String]) -> Artifact {
    let mut paths: std::collections::BTreeSet<String> =
        artifacts.iter().map(|a| a.path.clone()).collect();
    paths.extend(remaining_orphans.iter().cloned());
    Artifact {
        path: MANIFEST.to_string(),
        content: manifest_content(&paths),
        kind: Kind::Generated,
    }
}

/// What writing (or checking) `a` would do, before any write.
fn assess(root: &Path, a: &Artifact, force: bool) -> FileOutcome {
    if let Err(e) = inside(root, &a.path) {
        return FileOutcome::new(&a.path, Outcome::Outside).with_detail(e);
    }
    let outcome = match read_existing(&root.join(&a.path)) {
        Existing::Missing => Outcome::Missing,
        Existing::Text(existing) if existing == a.content => Outcome::Unchanged,
        Existing::Text(existing) => match (seal_intact(&existing), a.kind, force) {
            (_, _, true) | (Some(true), _, _) => Outcome::Stale,
            (None, Kind::Draft, false) => Outcome::Adopted,
            (Some(false), Kind::Draft, false) => Outcome::KeptEdited,
            (_, Kind::Generated, false) => Outcome::Edited,
        },
        Existing::NotUtf8 if force => Outcome::Stale,
        Existing::NotUtf8 => Outcome::NotUtf8,
        Existing::Error(e) => return FileOutcome::new(&a.path, Outcome::Unreadable).with_detail(e),
    };
    FileOutcome::new(&a.path, outcome)
}

/// Writes artifacts under `root`, and the manifest. Files edited by hand are kept unless
/// `force`; orphans are reported, and removed when unedited and `prune`. Every file is tried:
/// one that cannot be written is reported as `Failed` and the others are still written, so the
/// outcomes say exactly what was and was not written. Leftover temporary files of an
/// interrupted run are removed first.
pub fn write(root: &Path, artifacts: &[Artifact], opts: WriteOptions) -> Vec<FileOutcome> {
    clean_leftovers(root, artifacts);
    let mut outcomes = Vec::new();
    let mut remaining = Vec::new();
    let mut orphan_outcomes = Vec::new();
    for (path, outcome) in orphans(root, artifacts) {
        let o = match outcome {
            Outcome::Orphan if opts.prune => match std::fs::remove_file(root.join(&path)) {
                Ok(()) => {
                    remove_empty_parents(root, &path);
                    FileOutcome::new(&path, Outcome::Pruned)
                }
                Err(e) => {
                    remaining.push(path.clone());
                    FileOutcome::new(&path, Outcome::Failed)
                        .with_detail(format!("cannot remove: {e}"))
                }
            },
            other => {
                remaining.push(path.clone());
                FileOutcome::new(&path, other)
            }
        };
        orphan_outcomes.push(o);
    }
    let manifest = manifest_artifact(artifacts, &remaining);
    for a in artifacts.iter().chain(std::iter::once(&manifest)) {
        let assessed = assess(root, a, opts.force);
        let o = match assessed.outcome {
            Outcome::Missing | Outcome::Stale => {
                match write_atomic(&root.join(&a.path), &a.content) {
                    Ok(()) => FileOutcome::new(&a.path, Outcome::Written),
                    Err(e) => FileOutcome::new(&a.path, Outcome::Failed).with_detail(e),
                }
            }
            _ => assessed,
        };
        outcomes.push(o);
    }
    outcomes.extend(orphan_outcomes);
    outcomes
}

/// Removes the folders a pruned orphan leaves empty (an old `[output]` folder), up to `root`.
fn remove_empty_parents(root: &Path, rel: &str) {
    let mut dir = rel;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        // `remove_dir` fails on a folder that is not empty, which ends the walk.
        if std::fs::remove_dir(root.join(parent)).is_err() {
            break;
        }
        dir = parent;
    }
}

/// Compares artifacts (and the manifest) with the files under `root`, writing nothing; lists
/// orphans.
pub fn check(root: &Path, artifacts: &[Artifact]) -> Vec<FileOutcome> {
    let found = orphans(root, artifacts);
    let remaining: Vec<String> = found.iter().map(|(p, _)| p.clone()).collect();
    let manifest = manifest_artifact(artifacts, &remaining);
    let mut outcomes: Vec<FileOutcome> = artifacts
        .iter()
        .chain(std::iter::once(&manifest))
        .map(|a| assess(root, a, false))
        .collect();
    outcomes.extend(found.into_iter().map(|(p, o)| FileOutcome::new(&p, o)));
    outcomes
}

/// Writes through a temporary file (`.handoff-tmp-*`) in the same folder and a rename, so a
/// reader never sees a half-written file.
pub fn write_atomic(path: &Path, content: &str) -> Result<(), String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, content.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| format!("cannot write {}: {}", path.display(), e.error))?;
    Ok(())
}

/// Where the registry's folder is, for resolving output paths.
pub fn root_of(registry_path: &Path) -> PathBuf {
    match registry_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

// ---------------------------------------------------------------------------------------------
// Template context
// ---------------------------------------------------------------------------------------------

/// The data every template sees: `registry`, `subjects`, `migrations`.
pub fn context(reg: &Registry, env: &minijinja::Environment) -> Result<J, String> {
    use rayon::prelude::*;
    let subjects: Vec<J> = reg
        .subjects
        .par_iter()
        .map(|s| subject_view(reg, s))
        .collect();
    let registry = json!({
        "path": registry_label(&reg.file.path),
        "version": reg.version,
        "subject_prefix": reg.subject_prefix,
        "stream": {
            "name": reg.stream.name,
            "subjects": reg.stream.subjects,
            "retention": reg.stream.retention,
            "storage": reg.stream.storage,
            "max_age": reg.stream.max_age.text,
            "max_age_seconds": reg.stream.max_age.seconds,
            "duplicate_window": reg.stream.duplicate_window.text,
            "duplicate_window_seconds": reg.stream.duplicate_window.seconds,
        },
        "envelope": { "version": reg.envelope.version, "publisher": reg.envelope.publisher },
        "contexts": reg.contexts.iter().map(|c| json!({"name": c.name, "description": c.description})).collect::<Vec<_>>(),
        "output": {
            "subjects_doc": reg.output.subjects_doc,
            "migration_doc": reg.output.migration_doc,
            "definitions": reg.output.definitions,
            "schemas": reg.output.schemas,
            "python": reg.output.python,
            "python_package": reg.output.python.rsplit('/').next().unwrap_or("events"),
            "schemas_from_subjects_doc": relative(parent(&reg.output.subjects_doc), &reg.output.schemas),
        },
    });
    let mut migrations = Vec::new();
    for m in &reg.migrations {
        let mut mv = migration_view(reg, m);
        let schema_rel = relative(
            &reg.output.definitions,
            &format!("{}/activity-definition.schema.json", reg.output.schemas),
        );
        let draft = crate::render::render(
            env,
            "definition.yaml.j2",
            &json!({ "registry": registry, "migration": mv, "schema_path": schema_rel, "sealed": false }),
        )?;
        let longest = draft.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        mv["draft"] = J::String(draft);
        mv["draft_fence"] = J::String("`".repeat(longest.max(2) + 1));
        migrations.push(mv);
    }
    Ok(json!({ "registry": registry, "subjects": subjects, "migrations": migrations }))
}

/// How generated files name the registry they come from: its file name, whatever the working
/// directory or the spelling of the path (`subjects.toml`, `./subjects.toml`,
/// `handoff/subjects.toml` all give `subjects.toml`), so the output does not depend on how
/// handoff was invoked. A file name with anything but letters, digits, `.`, `_` and `-` is
/// written as `the registry`: paths never reach generated code.
pub fn registry_label(path: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or_default();
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if plain {
        name.to_string()
    } else {
        "the registry".to_string()
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// A deterministic sample envelope for a subject: the attributes' examples, a stable id.
pub fn sample_envelope(reg: &Registry, s: &Subject) -> J {
    let digest = Sha256::digest(s.subject.as_bytes());
    let h: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    // Shape it as a version-4 UUID so it passes the envelope schema.
    let id = format!(
        "{}-{}-4{}-{}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        ["8", "9", "a", "b"][usize::from(digest[8] & 3)],
        &h[17..20],
        &h[20..32]
    );
    let timestamp = s
        .attributes
        .iter()
        .find(|a| a.ty == AttrType::Timestamp)
        .and_then(|a| a.example.as_str().map(str::to_string))
        .unwrap_or_else(|| "2026-01-01T00:00:00Z".to_string());
    let attributes: serde_json::Map<String, J> = s
        .attributes
        .iter()
        .map(|a| (a.name.clone(), a.example.clone()))
        .collect();
    json!({
        "id": id,
        "type": s.subject.value,
        "version": reg.envelope.version,
        "timestamp": timestamp,
        "publisher": reg.envelope.publisher,
        "attributes": attributes,
    })
}

fn subject_view(reg: &Registry, s: &Subject) -> J {
    let attributes: Vec<J> = s
        .attributes
        .iter()
        .map(|a| {
            let (py_type, py_convert) = match &a.ty {
                AttrType::String => ("str".to_string(), "str"),
                AttrType::Integer => ("int".to_string(), "int"),
                AttrType::Boolean => ("bool".to_string(), "bool"),
                AttrType::Timestamp => ("Union[str, datetime]".to_string(), "timestamp"),
                AttrType::Uuid => ("Union[str, UUID]".to_string(), "uuid"),
                AttrType::Enum(values) => (
                    format!(
                        "Literal[{}]",
                        values
                            .iter()
                            .map(|v| crate::render::py_str(v))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "enum",
                ),
            };
            json!({
                "name": a.name,
                "type": a.ty.name(),
                "type_text": match &a.ty {
                    AttrType::Enum(v) => format!("enum: {}", v.join(", ")),
                    t => t.name().to_string(),
                },
                "values": match &a.ty { AttrType::Enum(v) => v.clone(), _ => Vec::new() },
                "required": a.required,
                "description": a.description,
                "example": a.example,
                "example_json": serde_json::to_string(&a.example).unwrap_or_default(),
                "py_type": py_type,
                "py_convert": py_convert,
            })
        })
        .collect();
    let mut sorted = attributes.clone();
    // Python keyword arguments: required ones first, then optional ones, each in registry order.
    sorted.sort_by_key(|a| !a["required"].as_bool().unwrap_or(false));
    let sample = sample_envelope(reg, s);
    json!({
        "subject": s.subject.value,
        "entity": s.entity(&reg.subject_prefix),
        "event": s.event(),
        "since": s.since,
        "summary": s.summary,
        "trigger_site": s.trigger_site,
        "fires": s.fires,
        "anchor": s.subject.value.replace('.', "-"),
        "publisher_fn": s.publisher_fn(&reg.subject_prefix),
        "attributes": attributes,
        "py_params": sorted,
        "sample_envelope": serde_json::to_string_pretty(&sample).unwrap_or_default(),
        "schema_file": format!("{}.schema.json", s.subject.value),
    })
}

fn migration_view(reg: &Registry, m: &Migration) -> J {
    let d = &m.definition;
    let status = plan::status(reg, m, None, None);
    let steps: Vec<J> = m
        .cutover
        .steps
        .iter()
        .map(|(step, state, _)| {
            json!({
                "number": step.number(),
                "key": step.key(),
                "title": step.title(),
                "state": match state { StepState::Done(_) => "done", StepState::Pending => "pending", StepState::NotApplicable => "n/a" },
                "date": match state { StepState::Done(date) => date.to_string(), _ => String::new() },
                "mark": match state { StepState::Done(_) => "x", StepState::NotApplicable => "-", StepState::Pending => " " },
            })
        })
        .collect();
    let instruction = match &d.instruction {
        Instruction::Shell {
            command,
            workdir,
            timeout,
        } => json!({
            "kind": "shell", "command": command, "workdir": workdir, "timeout": timeout,
        }),
        Instruction::Workflow {
            name,
            task_queue,
            input,
        } => json!({
            "kind": "workflow", "name": name, "task_queue": task_queue,
            "input": input, "input_json": serde_json::to_string(input).unwrap_or_default(),
        }),
    };
    json!({
        "name": m.name.value,
        "summary": m.summary,
        "legacy": {
            "schedule": m.legacy.schedule.as_ref().map(|s| s.value.clone()),
            "timezone": m.legacy.timezone,
            "systemd_timer": m.legacy.systemd_timer,
            "command": m.legacy.command,
            "notes": m.legacy.notes,
            "words": status.legacy_words,
            "next_fires": status.legacy_preview,
            "preview_from": status.preview_from,
        },
        "side_effects": m.side_effects.iter().map(|se| json!({
            "name": se.name.value,
            "description": se.description,
            "by": se.by.name(),
            "creates_work": se.creates_work,
            "idempotent": se.idempotent,
            "mechanism": se.mechanism,
            "key": se.key,
        })).collect::<Vec<_>>(),
        "definition": {
            "name": d.name.value,
            "owner": d.owner,
            "description": d.description,
            "cron": d.cron.as_ref().map(|c| c.value.clone()),
            "cron_words": status.definition_words,
            "timezone": d.timezone.value,
            "events": d.events.iter().map(|e| e.value.clone()).collect::<Vec<_>>(),
            "when": d.when.value,
            "requires": d.requires.iter().map(|r| r.value.clone()).collect::<Vec<_>>(),
            "instruction": instruction,
            "idempotency": { "key": d.idempotency_key, "mechanism": d.idempotency_mechanism },
            "file": format!("{}/{}.yaml", reg.output.definitions, d.name.value),
        },
        "steps": steps,
        "next_step": status.next_step.map(|s| json!({"number": s.number(), "title": s.title()})),
        "blockers": status.blockers.iter().map(|b| json!({"step": b.step.number(), "message": b.message})).collect::<Vec<_>>(),
        "parallel_run": status.parallel_run.as_ref().map(|p| json!({
            "start": p.start.to_string(),
            "earliest_disable": p.earliest_disable.to_string(),
            "window_days": p.window_days,
            "legacy_fires": p.legacy_fires,
            "definition_fires": p.definition_fires,
            "same_minute": p.same_minute,
        })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_is_named_by_its_plain_file_name_only() {
        assert_eq!(registry_label("subjects.toml"), "subjects.toml");
        assert_eq!(registry_label("./handoff//subjects.toml"), "subjects.toml");
        assert_eq!(registry_label("/abs/path/registry.toml"), "registry.toml");
        assert_eq!(
            registry_label("x\nimport os\n#/subjects.toml"),
            "subjects.toml"
        );
        assert_eq!(registry_label("dir/sub\njects.toml"), "the registry");
        assert_eq!(registry_label("dir/a b.toml"), "the registry");
        assert_eq!(registry_label(""), "the registry");
    }

    #[test]
    fn crlf_and_bom_do_not_break_a_seal() {
        let sealed = seal(&format!("a\n# {SEAL}{ZERO_HASH}\nb\n"));
        assert_eq!(seal_intact(&sealed), Some(true));
        assert_eq!(seal_intact(&sealed.replace('\n', "\r\n")), Some(true));
        assert_eq!(seal_intact(&format!("\u{feff}{sealed}")), Some(true));
        assert_eq!(seal_intact(&sealed.replace('b', "c")), Some(false));
    }
}
