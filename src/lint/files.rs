//! Finding and reading definition files, each parsed and checked on its own.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::codes::Code;
use crate::definition::{self, Definition};
use crate::diagnostic::Diagnostic;
use crate::registry::Registry;
use crate::source::SourceFile;

use super::check_definition;

/// One definition file after its own checks.
pub(super) struct Checked {
    pub path: String,
    pub stem: String,
    pub file: SourceFile,
    pub definition: Option<Definition>,
    /// The file parsed as a definition without errors of its own shape.
    pub shape_ok: bool,
    pub diags: Vec<Diagnostic>,
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
    let walker = ignore::WalkBuilder::new(dir)
        .follow_links(false)
        .hidden(true)
        .git_ignore(true)
        .require_git(false)
        .git_global(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
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
    Ok(())
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
            return Checked {
                file,
                diags: vec![d],
                path: shown,
                stem,
                definition: None,
                shape_ok: false,
            };
        }
        Err(e) => {
            return Checked {
                file: SourceFile::new(shown.clone(), String::new()),
                diags: vec![Diagnostic::file_level(
                    Code::Io,
                    shown.clone(),
                    format!("cannot read: {e}"),
                )],
                path: shown,
                stem,
                definition: None,
                shape_ok: false,
            };
        }
    };
    let (def, mut diags) = definition::parse(&file);
    let shape_ok = def.is_some() && !diags.iter().any(Diagnostic::is_error);
    if let Some(def) = &def {
        diags.extend(check_definition(&file, &stem, def, registry));
    }
    Checked {
        path: shown,
        stem,
        file,
        definition: def,
        shape_ok,
        diags,
    }
}
