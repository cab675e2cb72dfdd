//! Reading the old registry for `--against REF`: a file, or a git revision read with `git show`
//! (`main`, `HEAD~1` read the registry's own path at that revision; `origin/main:path/x.toml`
//! names the path itself, relative to the repository's root).

use std::path::Path;
use std::process::Command;

/// The old registry's text and how to name it.
#[derive(Debug)]
pub struct Old {
    pub name: String,
    pub text: String,
}

/// Why `REF` could not be read.
#[derive(Debug)]
pub enum Error {
    /// Neither a file nor a revision git knows (a usage error).
    NotFound(String),
    /// git could not be run, or the file could not be read (the tool failed).
    Failed(String),
}

/// Reads `reference` as a file if one exists at that path, else as a git revision.
pub fn read(reference: &str, registry: &Path) -> Result<Old, Error> {
    let as_file = Path::new(reference);
    if as_file.is_file() {
        return std::fs::read_to_string(as_file)
            .map(|text| Old {
                name: crate::project::display_path(as_file),
                text,
            })
            .map_err(|e| Error::Failed(format!("cannot read {reference}: {e}")));
    }
    let dir = match registry.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name = registry
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "subjects.toml".into());
    let (object, name) = if reference.contains(':') {
        (reference.to_string(), reference.to_string())
    } else {
        (
            format!("{reference}:./{file_name}"),
            format!("{file_name}@{reference}"),
        )
    };
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["show", "--no-textconv", &object])
        .output()
        .map_err(|e| Error::Failed(format!("cannot run git to read {object}: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Error::NotFound(format!(
            "`{reference}` is not a file, and git cannot read `{object}`: {}",
            stderr.trim()
        )));
    }
    String::from_utf8(output.stdout)
        .map(|text| Old { name, text })
        .map_err(|_| Error::Failed(format!("{object} is not UTF-8 text")))
}
