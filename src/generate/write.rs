//! Writing generated files atomically, checking them against disk, and the manifest that finds
//! orphans.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::artifacts::{Generator, Planned};
use super::atomic::{write_atomic, write_new};
use super::seal::{
    SEAL, Sealed, ZERO_HASH, normalise_owned, read_seal, same_but_seal, seal, seal_intact,
};
use super::{Artifact, FileOutcome, Kind, Outcome, TMP_PREFIX};

/// The file, beside the registry, that lists every file generate owns: what it writes now and
/// orphans it wrote earlier and has not removed. It is how generate finds orphans after a
/// subject is renamed or an `[output]` path changes.
pub const MANIFEST: &str = ".handoff-manifest";

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
    /// Normalised text (see [`normalise`](super::normalise)).
    Text(String),
    NotUtf8,
    Error(String),
}

fn read_existing(path: &Path) -> Existing {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Existing::Text(normalise_owned(text)),
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

/// Resolves paths under the registry's folder through symbolic links, remembering the folders it
/// resolved (a run checks thousands of files in a handful of folders).
struct Resolver<'a> {
    root: &'a Path,
    real_root: Option<PathBuf>,
    dirs: Mutex<HashMap<PathBuf, std::io::Result<PathBuf>>>,
    /// Folders found to be inside the root: a missing file in one of them is inside too, without
    /// looking at the folder again (10,000 schemas share one folder).
    inside: Mutex<std::collections::HashSet<PathBuf>>,
    /// What each output folder held when first looked at (see [`Resolver::look`]).
    listings: Mutex<HashMap<String, std::sync::Arc<Listing>>>,
}

/// An output folder, listed once: whether it is inside the root and, when it could be read,
/// what kind of entry each name is.
struct Listing {
    inside: Result<(), String>,
    /// `None` when the folder could not be listed (or its entries' kinds are not known).
    entries: Option<HashMap<std::ffi::OsString, Entry>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// A regular file, not a symbolic link: inside the root when its folder is.
    File,
    /// A symbolic link, a folder, or anything else: looked at closely.
    Other,
}

impl<'a> Resolver<'a> {
    fn new(root: &'a Path) -> Self {
        Resolver {
            root,
            real_root: std::fs::canonicalize(root).ok(),
            dirs: Mutex::new(HashMap::new()),
            inside: Mutex::new(std::collections::HashSet::new()),
            listings: Mutex::new(HashMap::new()),
        }
    }

    /// What is at `rel` (relative to the root), or `Err` naming where it leads when it resolves
    /// outside the root. Each folder is listed once, so a name its listing does not hold is
    /// missing without looking it up, and a regular file is read without first asking what it
    /// is: at 10,000 subjects that is 20,000 fewer lookups. Anything else (a symbolic link, a
    /// folder, a folder that cannot be listed) is resolved as before. Like any look before a
    /// write, it can be overtaken by another process: a file created after the listing is
    /// still replaced atomically (see `atomic`).
    fn look(&self, rel: &str) -> Result<Existing, String> {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let listing = self.listing(dir);
        listing.inside.clone()?;
        match listing
            .entries
            .as_ref()
            .map(|e| e.get(std::ffi::OsStr::new(name)))
        {
            Some(None) => return Ok(Existing::Missing),
            Some(Some(Entry::File)) => return Ok(read_existing(&self.root.join(rel))),
            Some(Some(Entry::Other)) | None => {}
        }
        self.inside(rel)?;
        Ok(read_existing(&self.root.join(rel)))
    }

    /// The listing of the folder `dir` (relative to the root; `""` is the root), made on first
    /// use.
    fn listing(&self, dir: &str) -> std::sync::Arc<Listing> {
        let mut listings = self.listings.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = listings.get(dir) {
            return std::sync::Arc::clone(l);
        }
        let inside = if dir.is_empty() {
            Ok(())
        } else {
            self.inside(dir)
        };
        let entries = match std::fs::read_dir(self.root.join(dir)) {
            Ok(read) => read
                .map(|e| {
                    let e = e.ok()?;
                    let kind = match e.file_type().ok()? {
                        t if t.is_file() => Entry::File,
                        _ => Entry::Other,
                    };
                    Some((e.file_name(), kind))
                })
                .collect(),
            // A folder not there yet holds nothing.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(HashMap::new()),
            Err(_) => None,
        };
        let listing = std::sync::Arc::new(Listing { inside, entries });
        listings.insert(dir.to_string(), std::sync::Arc::clone(&listing));
        listing
    }

    /// `canonicalize(path)` for a path that exists: a path that is not itself a symbolic link
    /// is its folder's real path and its name, the folder's looked up once.
    fn real(&self, path: &Path, meta: &std::fs::Metadata) -> std::io::Result<PathBuf> {
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return std::fs::canonicalize(path);
        };
        if meta.file_type().is_symlink() || parent.as_os_str().is_empty() {
            return std::fs::canonicalize(path);
        }
        let mut dirs = self.dirs.lock().unwrap_or_else(|e| e.into_inner());
        let dir = dirs
            .entry(parent.to_path_buf())
            .or_insert_with(|| std::fs::canonicalize(parent));
        match dir {
            Ok(d) => Ok(d.join(name)),
            Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
        }
    }

    /// Whether `rel` (relative to the root) stays inside the root once symbolic links are
    /// resolved: the deepest part of the path that exists is resolved and must lie under the
    /// resolved root. `Err` names where it leads.
    fn inside(&self, rel: &str) -> Result<(), String> {
        let Some(real_root) = &self.real_root else {
            return Ok(());
        };
        let mut probe = self.root.join(rel);
        let mut is_folder = false;
        loop {
            let known = || {
                let inside = self.inside.lock().unwrap_or_else(|e| e.into_inner());
                inside.contains(&probe)
            };
            if is_folder && known() {
                return Ok(());
            }
            if let Ok(meta) = std::fs::symlink_metadata(&probe) {
                return match self.real(&probe, &meta) {
                    Ok(real) if real.starts_with(real_root) => {
                        if meta.is_dir() {
                            let mut inside = self.inside.lock().unwrap_or_else(|e| e.into_inner());
                            inside.insert(probe);
                        }
                        Ok(())
                    }
                    Ok(real) => Err(format!("it leads to {}", real.display())),
                    // A dangling link: where it points is not known to be inside.
                    Err(e) => Err(format!("cannot resolve {}: {e}", probe.display())),
                };
            }
            if !probe.pop() {
                return Ok(());
            }
            is_folder = true;
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
fn owned_dirs(artifacts: &[Planned]) -> Vec<String> {
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
fn orphans(resolver: &Resolver, artifacts: &[Planned]) -> Vec<(String, Outcome)> {
    let root = resolver.root;
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
        .filter_map(|p| match resolver.look(&p).ok()? {
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
fn clean_leftovers(root: &Path, artifacts: &[Planned]) -> Vec<String> {
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
fn manifest_artifact(artifacts: &[Planned], remaining_orphans: &[String]) -> Artifact {
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
fn assess(resolver: &Resolver, a: &Artifact, force: bool) -> FileOutcome {
    let existing = match resolver.look(&a.path) {
        Ok(existing) => existing,
        Err(e) => return FileOutcome::new(&a.path, Outcome::Outside).with_detail(e),
    };
    let outcome = match existing {
        Existing::Missing => Outcome::Missing,
        Existing::Text(existing) => compare(&existing, a, force, false),
        Existing::NotUtf8 if force => Outcome::Stale,
        Existing::NotUtf8 => Outcome::NotUtf8,
        Existing::Error(e) => return FileOutcome::new(&a.path, Outcome::Unreadable).with_detail(e),
    };
    FileOutcome::new(&a.path, outcome)
}

/// An existing text file against what generate writes there. `check`: a file that differs only
/// in its seal's digests (written by another build of handoff, or from inputs that changed
/// without changing it) is current; `generate` rewrites it so its seal records today's inputs.
fn compare(existing: &str, a: &Artifact, force: bool, check: bool) -> Outcome {
    if existing == a.content {
        return Outcome::Unchanged;
    }
    match (read_seal(existing), a.kind, force) {
        (Sealed::Intact(_), _, false) if check && same_but_seal(existing, &a.content) => {
            Outcome::Unchanged
        }
        (_, _, true) | (Sealed::Intact(_), _, _) => Outcome::Stale,
        (Sealed::None, Kind::Draft, false) => Outcome::Adopted,
        (Sealed::Broken, Kind::Draft, false) => Outcome::KeptEdited,
        (_, Kind::Generated, false) => Outcome::Edited,
    }
}

/// What writing (or, with `check`, checking) the planned file `i` finds, rendering it only when
/// its seal does not show it current and the outcome depends on its content. Returns the
/// rendered file when it is to be written.
fn assess_planned(
    resolver: &Resolver,
    generator: &Generator,
    i: usize,
    force: bool,
    check: bool,
) -> Result<(FileOutcome, Option<Artifact>), String> {
    let p = &generator.planned()[i];
    let existing = match resolver.look(&p.path) {
        Err(e) => {
            return Ok((
                FileOutcome::new(&p.path, Outcome::Outside).with_detail(e),
                None,
            ));
        }
        Ok(existing) => existing,
    };
    let existing = match existing {
        Existing::Text(t) => t,
        Existing::Missing if check => {
            return Ok((FileOutcome::new(&p.path, Outcome::Missing), None));
        }
        Existing::Missing => {
            return Ok((
                FileOutcome::new(&p.path, Outcome::Missing),
                Some(generator.render(i)?),
            ));
        }
        Existing::NotUtf8 if force && !check => {
            return Ok((
                FileOutcome::new(&p.path, Outcome::Stale),
                Some(generator.render(i)?),
            ));
        }
        Existing::NotUtf8 => return Ok((FileOutcome::new(&p.path, Outcome::NotUtf8), None)),
        Existing::Error(e) => {
            return Ok((
                FileOutcome::new(&p.path, Outcome::Unreadable).with_detail(e),
                None,
            ));
        }
    };
    // Current: intact, and written from today's inputs by this build.
    let outcome = match (read_seal(&existing), p.kind, force) {
        (Sealed::Intact(Some(recorded)), _, _) if recorded == generator.inputs_of(&p.path) => {
            Some(Outcome::Unchanged)
        }
        // Edited by hand: kept whatever generate would write now.
        (Sealed::Broken, Kind::Draft, false) => Some(Outcome::KeptEdited),
        (Sealed::Broken, Kind::Generated, false) => Some(Outcome::Edited),
        _ => None,
    };
    if let Some(o) = outcome {
        return Ok((FileOutcome::new(&p.path, o), None));
    }
    let a = generator.render(i)?;
    let o = compare(&existing, &a, force, check);
    let write = matches!(o, Outcome::Stale) && !check;
    Ok((FileOutcome::new(&p.path, o), write.then_some(a)))
}

/// Writes the files of `generator` under `root`, and the manifest. Files edited by hand are kept
/// unless `force`; orphans are reported, and removed when unedited and `prune`. Every file is
/// tried: one that cannot be written is reported as `Failed` and the others are still written,
/// so the outcomes say exactly what was and was not written. Leftover temporary files of an
/// interrupted run are removed first. Files are rendered only when they are not current, and
/// written as they are rendered. `Err` when a template cannot be rendered.
pub fn write(
    root: &Path,
    generator: &Generator,
    opts: WriteOptions,
) -> Result<Vec<FileOutcome>, String> {
    let planned = generator.planned();
    clean_leftovers(root, planned);
    let resolver = Resolver::new(root);
    let mut remaining = Vec::new();
    let mut orphan_outcomes = Vec::new();
    for (path, outcome) in orphans(&resolver, planned) {
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
    // Each file is written by the thread that rendered it. (Written one at a time, through a
    // temporary name and a rename, they were faster: two threads renaming in one folder
    // contended for its lock. New files no longer take that lock but once, to be linked, and
    // writing in turn was then the slower: 0.58 s against 0.53 s at 10,000 subjects.)
    let written = |(o, a): (FileOutcome, Option<Artifact>)| match a {
        Some(a) => {
            let path = root.join(&a.path);
            let result = if o.outcome == Outcome::Missing {
                write_new(&path, &a.content)
            } else {
                write_atomic(&path, &a.content)
            };
            match result {
                Ok(()) => FileOutcome::new(&a.path, Outcome::Written),
                Err(e) => FileOutcome::new(&a.path, Outcome::Failed).with_detail(e),
            }
        }
        None => o,
    };
    let mut outcomes = in_parallel(planned, |i| {
        assess_planned(&resolver, generator, i, opts.force, false).map(written)
    })?;
    let manifest = manifest_artifact(planned, &remaining);
    let assessed = assess(&resolver, &manifest, opts.force);
    outcomes.push(match assessed.outcome {
        Outcome::Missing | Outcome::Stale => written((assessed, Some(manifest))),
        _ => assessed,
    });
    outcomes.extend(orphan_outcomes);
    Ok(outcomes)
}

/// `f` of every planned file, in parallel, the results in planned order. The files rendered from
/// the whole registry (a document or module of megabytes at 10,000 subjects, each a long task)
/// are done one after the other by the first thread to start, while the others take the rest
/// from a shared queue; that thread then joins them. So the long tasks start at once (one left
/// to the end would keep a thread busy while the others idle) and no two of them hold their
/// megabytes at the same time (two at once took generate from 116 to 140 MiB).
fn in_parallel<T: Send>(
    planned: &[Planned],
    f: impl Fn(usize) -> Result<T, String> + Sync,
) -> Result<Vec<T>, String> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let (long, short): (Vec<usize>, Vec<usize>) =
        (0..planned.len()).partition(|&i| planned[i].whole_registry());
    let long_taken = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let done: Vec<Vec<(usize, Result<T, String>)>> = rayon::broadcast(|_| {
        let mut mine = Vec::new();
        let mut run = |i: usize| {
            let result = f(i);
            if result.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            mine.push((i, result));
        };
        if !long_taken.swap(true, Ordering::Relaxed) {
            for &i in &long {
                if failed.load(Ordering::Relaxed) {
                    break;
                }
                run(i);
            }
        }
        while !failed.load(Ordering::Relaxed) {
            let Some(&i) = short.get(next.fetch_add(1, Ordering::Relaxed)) else {
                break;
            };
            run(i);
        }
        mine
    });
    let mut all: Vec<(usize, Result<T, String>)> = done.into_iter().flatten().collect();
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, t)| t).collect()
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

/// Compares the files of `generator` (and the manifest) with the files under `root`, writing
/// nothing; lists orphans. A file whose seal shows it current is read, not rendered. `Err` when
/// a template cannot be rendered.
pub fn check(root: &Path, generator: &Generator) -> Result<Vec<FileOutcome>, String> {
    let planned = generator.planned();
    let resolver = Resolver::new(root);
    let found = orphans(&resolver, planned);
    let remaining: Vec<String> = found.iter().map(|(p, _)| p.clone()).collect();
    let mut outcomes = in_parallel(planned, |i| {
        assess_planned(&resolver, generator, i, false, true).map(|(o, _)| o)
    })?;
    outcomes.push(assess(
        &resolver,
        &manifest_artifact(planned, &remaining),
        false,
    ));
    outcomes.extend(found.into_iter().map(|(p, o)| FileOutcome::new(&p, o)));
    Ok(outcomes)
}
