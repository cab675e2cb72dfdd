//! `[lint]`: registry-level suppressions and severity overrides for `validate`.
//!
//! ```toml
//! [lint]
//! ignore = ["cron-dst-overlap"]
//!
//! [lint.severity]
//! cron-or-rule = "error"
//! ```

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{Fields, Node, SourceFile, Spanned, Value, expect_str, wrong_type};

/// The `[lint]` table: codes never reported, and codes reported at another severity.
#[derive(Debug, Clone, Default)]
pub struct Lint {
    pub ignore: Vec<Code>,
    pub severity: Vec<(Code, Severity)>,
}

impl Lint {
    /// Applies the table to diagnostics: overrides severities, then drops ignored codes.
    pub fn apply(&self, diags: &mut Vec<Diagnostic>) {
        for d in diags.iter_mut() {
            if let Some((_, s)) = self.severity.iter().find(|(c, _)| *c == d.code) {
                d.severity = *s;
            }
        }
        diags.retain(|d| !self.ignore.contains(&d.code));
    }
}

/// A diagnostic for a code name that is not a code, with the closest names.
pub fn unknown_code(file: &SourceFile, name: &Spanned<String>) -> Diagnostic {
    let mut d = file.diagnostic(
        Code::SuppressionUnknownCode,
        name.span.clone(),
        format!("`{}` is not a diagnostic code", name.value),
    );
    let similar = crate::explain::similar(&name.value);
    d.help = Some(match similar.first() {
        Some(c) => format!("did you mean `{}`?", c.name()),
        None => "`handoff explain` lists every code".to_string(),
    });
    d
}

pub(super) fn lint(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Lint {
    let mut out = Lint::default();
    let Some(mut f) = Fields::new(file, node, "`[lint]`", diags) else {
        return out;
    };
    for name in f.string_list("ignore", diags).unwrap_or_default() {
        match Code::from_name(&name.value) {
            Some(c) => out.ignore.push(c),
            None => diags.push(unknown_code(file, &name)),
        }
    }
    if let Some(table) = f.get("severity") {
        out.severity = severities(file, table, diags);
    }
    f.finish(&["ignore", "severity"], diags);
    out
}

/// `[lint.severity]`: `code = "error" | "warning"`.
fn severities(
    file: &SourceFile,
    node: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(Code, Severity)> {
    let Value::Map(entries) = &node.value else {
        diags.push(wrong_type(file, node, "severity", "a table", &node.value));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        let name = Spanned::new(key.name.clone(), key.span.clone());
        let Some(code) = Code::from_name(&name.value) else {
            diags.push(unknown_code(file, &name));
            continue;
        };
        let Some(level) = expect_str(file, value, &key.name, diags) else {
            continue;
        };
        let severity = match level.value.as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            other => {
                diags.push(
                    file.diagnostic(
                        Code::WrongType,
                        level.span.clone(),
                        format!("severity `{other}` must be \"error\" or \"warning\""),
                    )
                    .with_help("write \"error\" or \"warning\""),
                );
                continue;
            }
        };
        out.push((code, severity));
    }
    out
}
