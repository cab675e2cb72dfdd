//! A project: the registry file, the folder generated paths are relative to, and the registry
//! read and fully checked (its own keys, and the cron schedules and rules of its migrations'
//! definition plans). Every command opens the project once, through [`Project::open`].

use std::path::{Path, PathBuf};

use crate::codes::Code;
use crate::diagnostic::{self, Diagnostic};
use crate::registry::Registry;
use crate::source::SourceFile;

/// The registry file could not be read at all (exit 3 in the binary).
#[derive(Debug)]
pub struct Unreadable {
    pub path: String,
    pub error: std::io::Error,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read {}: {}", self.path, self.error)
    }
}

/// An opened project.
#[derive(Debug)]
pub struct Project {
    /// The registry file as given on the command line.
    pub registry_path: PathBuf,
    /// How diagnostics name the registry file (see [`display_path`]).
    pub registry_name: String,
    /// The folder generated paths are relative to: the registry's folder.
    pub root: PathBuf,
    /// The registry's text, as read.
    pub file: SourceFile,
    /// The checked registry; `None` when it has errors that were not tolerated.
    pub registry: Option<Registry>,
    /// Everything the registry checks found, sorted, tolerated errors included.
    pub diagnostics: Vec<Diagnostic>,
    /// The codes whose errors do not make the registry unusable for this command.
    tolerate: Vec<Code>,
}

impl Project {
    /// Reads and checks the registry at `path`. Errors with a code in `tolerate` do not stop
    /// the registry from being returned: `plan` tolerates `unregistered-subject`, since a
    /// definition waiting for its subject is a migration before checklist step 3.
    pub fn open(path: &Path, tolerate: &[Code]) -> Result<Project, Unreadable> {
        let registry_name = display_path(path);
        let text = std::fs::read_to_string(path).map_err(|error| Unreadable {
            path: registry_name.clone(),
            error,
        })?;
        let file = SourceFile::new(registry_name.clone(), text);
        let (checked, mut diagnostics) = crate::validate::load_registry(file.clone());
        diagnostic::sort(&mut diagnostics);
        let all_tolerated = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .all(|d| tolerate.contains(&d.code));
        let registry = match checked {
            Some(r) => Some(r),
            // The full check stops at tolerated errors; the registry itself is sound.
            None if all_tolerated => crate::registry::load(file.clone()).0,
            None => None,
        };
        Ok(Project {
            registry_path: path.to_path_buf(),
            registry_name,
            root: crate::generate::root_of(path),
            file,
            registry,
            diagnostics,
            tolerate: tolerate.to_vec(),
        })
    }

    /// The diagnostics a command that needs the registry shows: only the warnings (tolerated
    /// codes are the command's to report) when the registry is usable, every diagnostic when not.
    pub fn notes(&self) -> Vec<&Diagnostic> {
        match self.registry {
            Some(_) => self
                .diagnostics
                .iter()
                .filter(|d| !d.is_error() && !self.tolerate.contains(&d.code))
                .collect(),
            None => self.diagnostics.iter().collect(),
        }
    }
}

/// A path as shown in diagnostics: as given, with `./` removed and `/` as separator.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
