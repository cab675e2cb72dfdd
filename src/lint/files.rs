//! Finding and reading definition files, each parsed and checked on its own.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::codes::Code;
use crate::definition::{self, Definition};
use crate::diagnostic::Diagnostic;
use crate::plan::DefinitionState;
use crate::registry::Registry;
use crate::source::{SourceFile, Spanned};

use super::check_definition;
use super::suppress::FileComments;

/// One definition file after its own checks: what the checks across files need, nothing more.
/// The file's text and tree are dropped once it is checked, unless a migration of the registry
/// targets the definition (drift and parallel-run safety compare them with the registry).
pub(super) struct Checked {
    pub path: String,
    /// The definition's name, if it has one.
    pub name: Option<Spanned<String>>,
    /// The file and its definition, kept only for a definition a migration targets (boxed: a
    /// definition is large, and most files keep none).
    pub kept: Option<Box<(SourceFile, Definition)>>,
    /// The file parsed as a definition without errors of its own shape.
    pub shape_ok: bool,
    pub diags: Vec<Diagnostic>,
    /// Its suppression comments, when it has any.
    pub comments: Option<Box<FileComments>>,
    /// The definition's name (the file's stem when it has none) and whether it is valid.
    pub state: (String, DefinitionState),
}

/// Lists the YAML files under the given paths, sorted.
///
/// Folders are walked with the `ignore` crate, as `git` would see them: hidden files and
/// folders and whatever `.gitignore` / `.ignore` files exclude are skipped (even outside a git
/// checkout; the user's global git configuration is not read, so results do not depend on the
/// machine). Symbolic links are not followed, so a link cannot loop or lead outside the
/// repository; only regular files are listed (a FIFO named `x.yaml` would block a read). A path
/// given explicitly is taken as given, but must be a regular file or a folder.
pub fn definition_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("{}: no such file or folder", p.display()),
            _ => format!("cannot read {}: {e}", p.display()),
        })?;
        if meta.is_dir() {
            walk(p, &mut files)?;
        } else if meta.is_file() {
            files.push(p.clone());
        } else {
            return Err(format!("{}: not a regular file or folder", p.display()));
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    // Not sorted while walking: `definition_files` sorts the whole list. (The walker's own sort
    // rebuilds an entry's file name from its path on every comparison: a few percent of
    // validate at 50,000 files, all of it before the files are checked in parallel.)
    let walker = ignore::WalkBuilder::new(dir)
        .follow_links(false)
        .hidden(true)
        .git_ignore(true)
        .require_git(false)
        .git_global(false)
        .build();
    let mut errors = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        let regular = entry.file_type().is_some_and(|t| t.is_file());
        // Case files (`*.test.yaml`) beside the definitions are `handoff test`'s.
        if regular
            && matches!(
                entry.path().extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            )
            && !crate::testcase::is_case_file(entry.path())
        {
            files.push(entry.into_path());
        }
    }
    // One error, the same whatever order the folders list their entries in.
    match errors.into_iter().min() {
        Some(e) => Err(format!("cannot list {}: {e}", dir.display())),
        None => Ok(()),
    }
}

/// Checks every file on its own. Files are checked in parallel; the workers get roomy stacks
/// because the CEL parser recurses deeply on nested expressions.
pub(super) fn check_files(files: &[PathBuf], registry: Option<&Registry>) -> Vec<Checked> {
    let check_all = || -> Vec<Checked> {
        files
            .par_iter()
            .map(|path| check_file(path, registry))
            .collect()
    };
    match crate::stack::deep_pool() {
        Some(pool) => pool.install(check_all),
        None => check_all(),
    }
}

fn check_file(path: &Path, registry: Option<&Registry>) -> Checked {
    let shown = crate::project::display_path(path);
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let file = match crate::source::read_limited(path, &shown) {
        Ok(Ok(file)) => file,
        Ok(Err(too_large)) => {
            let (file, d) = *too_large;
            return finish(file, stem, (None, false), vec![d], registry);
        }
        Err(e) => {
            let d = Diagnostic::file_level(Code::Io, shown.clone(), format!("cannot read: {e}"));
            let file = SourceFile::new(shown, String::new());
            return finish(file, stem, (None, false), vec![d], registry);
        }
    };
    let (def, mut diags) = definition::parse(&file);
    let shape_ok = def.is_some() && !diags.iter().any(Diagnostic::is_error);
    if let Some(def) = &def {
        diags.extend(check_definition(&file, &stem, def, registry));
    }
    finish(file, stem, (def, shape_ok), diags, registry)
}

/// What is kept of a checked file (see [`Checked`]): `parsed` is its definition, if it parsed,
/// and whether its shape is right.
fn finish(
    file: SourceFile,
    stem: String,
    parsed: (Option<Definition>, bool),
    diags: Vec<Diagnostic>,
    registry: Option<&Registry>,
) -> Checked {
    let (def, shape_ok) = parsed;
    let comments = comments_of(&file);
    // What suppressions silence does not make a definition invalid.
    let errors = comments
        .as_ref()
        .map_or_else(
            || FileComments::default().effective(registry, &diags),
            |c| c.effective(registry, &diags),
        )
        .iter()
        .filter(|d| d.is_error())
        .count();
    let name = def.as_ref().and_then(|d| d.name.clone());
    let state = if errors == 0 && shape_ok {
        DefinitionState::Valid
    } else {
        DefinitionState::Invalid(errors.max(1))
    };
    let targeted = |n: &Spanned<String>| {
        registry.is_some_and(|r| {
            r.migrations
                .iter()
                .any(|m| m.definition.name.value == n.value)
        })
    };
    let path = file.path.clone();
    let kept = match (&name, def) {
        (Some(n), Some(def)) if targeted(n) => Some(Box::new((file, def))),
        _ => None,
    };
    Checked {
        path,
        state: (name.as_ref().map_or(stem, |n| n.value.clone()), state),
        name,
        kept,
        shape_ok,
        diags,
        comments,
    }
}

fn comments_of(file: &SourceFile) -> Option<Box<FileComments>> {
    let c = FileComments::of(file);
    (!c.is_empty()).then(|| Box::new(c))
}
