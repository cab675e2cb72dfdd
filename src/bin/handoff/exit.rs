//! How a command ends: an exit code, or a failure with its message.
//!
//! Exit codes: 0 clean, 1 problems found, 2 usage error, 3 the tool itself failed.

use std::process::ExitCode;

/// What a command ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Clean = 0,
    Problems = 1,
    Usage = 2,
    Failed = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// A failure of the tool itself (exit 3), or a usage problem (exit 2), with its message.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn tool(message: impl Into<String>) -> Self {
        Failure {
            exit: Exit::Failed,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// The failure as the JSON document a `--format json` run writes on stdout
    /// (docs/schemas/output/error.schema.json): `{"version": 1, "error": {"kind", "exit",
    /// "message"}}`, on one line (a JSON line after tap's records).
    pub fn json(&self) -> String {
        let kind = match self.exit {
            Exit::Problems => "problems",
            Exit::Usage => "usage",
            // A failure always has a non-zero exit; Clean is a closed pipe, never rendered.
            Exit::Failed | Exit::Clean => "failed",
        };
        let doc = serde_json::json!({
            "version": handoff::report::JSON_VERSION,
            "error": { "kind": kind, "exit": self.exit as u8, "message": self.message },
        });
        doc.to_string()
    }
}

pub type CommandResult = Result<Exit, Failure>;

/// A report that could not be written stops the command. `main` reports the error the output
/// recorded: exit 3 for a lost report; a reader that left (a closed pipe) is its choice, not a
/// failure, so that ends quietly with 0 — unless the command had reached its verdict already
/// (validate writes its report last and keeps its exit code).
impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure {
            exit: if e.kind() == std::io::ErrorKind::BrokenPipe {
                Exit::Clean
            } else {
                Exit::Failed
            },
            message: format!("cannot write the output: {e}"),
        }
    }
}
