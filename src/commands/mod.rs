//! One file per subcommand. Each turns its arguments into library calls and renders the result;
//! nothing below `commands` knows about clap.

pub mod cron;
pub mod generate;
pub mod import;
pub mod plan;
pub mod publish;
pub mod stream;
pub mod tap;
pub mod validate;

use std::io::Write;
use std::path::Path;

use crate::cli::Failure;
use crate::diagnostic::{self, Diagnostic};
use crate::registry::Registry;
use crate::report::{self, Format};
use crate::source::SourceFile;

/// Reads a file, mapping failure to exit 3 with the path in the message.
pub fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure::tool(format!("cannot read {}: {e}", path.display())))
}

/// The registry, validated, or its diagnostics rendered to `err` (`Err(None)`: exit 1).
pub fn load_registry(path: &Path) -> Result<(Option<Registry>, Vec<Diagnostic>), Failure> {
    let text = read(path)?;
    let file = SourceFile::new(display_path(path), text);
    let (registry, mut diags) = crate::validate::load_registry(file);
    diagnostic::sort(&mut diags);
    Ok((registry, diags))
}

/// The registry for commands that need a valid one: its warnings go to `err`; an invalid
/// registry's diagnostics go to `err` too and end the command with exit 1.
pub fn require_registry(path: &Path, err: &mut dyn Write) -> Result<Registry, Failure> {
    let (registry, diags) = load_registry(path)?;
    let shown: Vec<Diagnostic> = match &registry {
        Some(_) => diags.into_iter().filter(|d| !d.is_error()).collect(),
        None => diags,
    };
    if !shown.is_empty() {
        let _ = write!(err, "{}", report::render(Format::Human, &shown, 1));
    }
    registry.ok_or_else(|| Failure {
        exit: crate::cli::Exit::Problems,
        message: format!("{} has errors; nothing was done", display_path(path)),
    })
}

/// A path as shown in diagnostics: as given, with `./` removed.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
