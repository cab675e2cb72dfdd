//! Suppressions, applied once after every check ran: `# handoff: ignore[code, …]` at the end of
//! a finding's line or alone on the line above it, `# handoff: ignore-file[code, …]` anywhere in a
//! definition file, and the registry's `[lint]` table (codes ignored everywhere, severities
//! overridden). A comment that suppresses nothing is reported (`unused-suppression`), and so is
//! a name that is not a code (`suppression-unknown-code`).

use std::collections::HashMap;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::registry::{Lint, Registry};
use crate::source::{SourceFile, Spanned};

/// One code named in one suppression comment.
#[derive(Debug)]
struct Suppression {
    code: Code,
    /// The comment's 1-based line.
    line: usize,
    /// The whole file rather than the line and the next.
    file_wide: bool,
    /// The comment stands alone on its line, so it also covers the next line.
    alone: bool,
    /// Where the code is written, for `unused-suppression`.
    at: Diagnostic,
    used: bool,
}

impl Suppression {
    fn covers(&self, d: &Diagnostic) -> bool {
        d.code == self.code
            && (self.file_wide || d.line == self.line || (self.alone && d.line == self.line + 1))
    }
}

/// The suppression comments of one file, and diagnostics for names that are not codes.
fn comments(file: &SourceFile) -> (Vec<Suppression>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    let mut offset = 0;
    for (i, line) in file.text.split_inclusive('\n').enumerate() {
        if let Some((file_wide, codes)) = directive(line) {
            for (start, name) in codes {
                let span = offset + start..offset + start + name.len();
                let name = Spanned::new(name.to_string(), span.clone());
                match Code::from_name(&name.value) {
                    Some(code) => found.push(Suppression {
                        code,
                        line: i + 1,
                        file_wide,
                        alone: line.trim_start().starts_with('#'),
                        at: file.diagnostic(
                            Code::UnusedSuppression,
                            span,
                            format!("this suppression of `{}` suppresses nothing", name.value),
                        )
                        .with_help(
                            "remove the code from the comment (and the comment when it names no other)",
                        ),
                        used: false,
                    }),
                    None => unknown.push(crate::registry::lint::unknown_code(file, &name)),
                }
            }
        }
        offset += line.len();
    }
    (found, unknown)
}

/// `# handoff: ignore[a, b]` or `# handoff: ignore-file[a]` in a line: whether it is file-wide,
/// and each code with its byte offset in the line. The `#` must start a YAML comment (the
/// line's start or after a space).
fn directive(line: &str) -> Option<(bool, Vec<(usize, &str)>)> {
    let mut search = 0;
    while let Some(rel) = line[search..].find('#') {
        let hash = search + rel;
        search = hash + 1;
        if hash > 0 && !line[..hash].ends_with([' ', '\t']) {
            continue;
        }
        let rest = line[hash + 1..].trim_start();
        let Some(rest) = rest.strip_prefix("handoff:") else {
            continue;
        };
        let rest = rest.trim_start();
        let (file_wide, rest) = if let Some(r) = rest.strip_prefix("ignore-file[") {
            (true, r)
        } else if let Some(r) = rest.strip_prefix("ignore[") {
            (false, r)
        } else {
            continue;
        };
        let inner_start = line.len() - rest.len();
        let close = rest.find(']')?;
        let mut codes = Vec::new();
        let mut at = inner_start;
        for part in rest[..close].split(',') {
            let lead = part.len() - part.trim_start().len();
            let name = part.trim();
            if !name.is_empty() {
                codes.push((at + lead, name));
            }
            at += part.len() + 1;
        }
        return Some((file_wide, codes));
    }
    None
}

/// The suppression comments of one definition file, read once while the file is checked (the
/// file itself is not kept).
#[derive(Debug, Default)]
pub(super) struct FileComments {
    path: String,
    found: Vec<Suppression>,
    /// Names in the comments that are not codes.
    unknown: Vec<Diagnostic>,
}

impl FileComments {
    pub(super) fn of(file: &SourceFile) -> Self {
        let (found, unknown) = comments(file);
        FileComments {
            path: file.path.clone(),
            found,
            unknown,
        }
    }

    /// Whether the file has no suppression comment at all (nothing to keep).
    pub(super) fn is_empty(&self) -> bool {
        self.found.is_empty() && self.unknown.is_empty()
    }

    /// One file's diagnostics as they will be reported: without what its comments and the
    /// registry's `[lint]` suppress, at the registry's severities (for `plan`'s verdict on the
    /// definition). Reports nothing itself: [`apply`] does.
    pub(super) fn effective(
        &self,
        registry: Option<&Registry>,
        diags: &[Diagnostic],
    ) -> Vec<Diagnostic> {
        let mut kept: Vec<Diagnostic> = diags
            .iter()
            .filter(|d| !self.found.iter().any(|s| s.covers(d)))
            .cloned()
            .collect();
        if let Some(reg) = registry {
            reg.lint.apply(&mut kept);
        }
        kept
    }
}

/// Applies the comments of the definition files (see [`FileComments`]) and the registry's
/// `[lint]` table to `diags`.
pub(super) fn apply(
    files: Vec<FileComments>,
    registry: Option<&Registry>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut by_file: HashMap<String, Vec<Suppression>> = HashMap::new();
    let mut extra = Vec::new();
    for file in files {
        extra.extend(file.unknown);
        if !file.found.is_empty() {
            by_file.insert(file.path, file.found);
        }
    }
    diags.retain(|d| {
        let Some(sups) = by_file.get_mut(d.file.as_str()) else {
            return true;
        };
        let mut suppressed = false;
        for s in sups.iter_mut().filter(|s| s.covers(d)) {
            s.used = true;
            suppressed = true;
        }
        !suppressed
    });
    let ignored_anyway = |c: Code| registry.is_some_and(|r| r.lint.ignore.contains(&c));
    for sups in by_file.into_values() {
        extra.extend(
            sups.into_iter()
                .filter(|s| !s.used && !ignored_anyway(s.code))
                .map(|s| s.at),
        );
    }
    diags.extend(extra);
    if let Some(reg) = registry {
        Lint::apply(&reg.lint, diags);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        assert_eq!(
            directive("    schedule: \"30 2 * * *\"  # handoff: ignore[cron-dst-gap]\n"),
            Some((false, vec![(46, "cron-dst-gap")]))
        );
        assert_eq!(
            directive("# handoff: ignore-file[a, b-c]"),
            Some((true, vec![(23, "a"), (26, "b-c")]))
        );
        assert_eq!(directive("url: http://x#handoff: ignore[a]"), None);
        assert_eq!(directive("# a comment"), None);
    }

    #[test]
    fn line_and_next_line() {
        let f = SourceFile::new("d.yaml", "# handoff: ignore[cron-or-rule]\nx: 1\ny: 2\n");
        let mut diags = vec![
            f.diagnostic(Code::CronOrRule, 32..33, "x"),
            f.diagnostic(Code::CronOrRule, 37..38, "y"),
        ];
        apply(vec![FileComments::of(&f)], None, &mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, 3);
        assert_eq!(diags[0].code, Code::CronOrRule);
    }

    #[test]
    fn a_trailing_comment_covers_its_own_line_only() {
        let f = SourceFile::new("d.yaml", "x: 1 # handoff: ignore[cron-or-rule]\ny: 2\n");
        let mut diags = vec![f.diagnostic(Code::CronOrRule, 37..38, "y")];
        apply(vec![FileComments::of(&f)], None, &mut diags);
        let codes: Vec<_> = diags.iter().map(|d| (d.code, d.line)).collect();
        assert_eq!(
            codes,
            vec![(Code::CronOrRule, 2), (Code::UnusedSuppression, 1)]
        );
    }

    #[test]
    fn unused_and_unknown() {
        let f = SourceFile::new(
            "d.yaml",
            "x: 1 # handoff: ignore-file[cron-or-rule, cron-dts-gap]\n",
        );
        let mut diags = Vec::new();
        apply(vec![FileComments::of(&f)], None, &mut diags);
        let codes: Vec<_> = diags.iter().map(|d| (d.code, d.column)).collect();
        assert_eq!(
            codes,
            vec![
                (Code::SuppressionUnknownCode, 43),
                (Code::UnusedSuppression, 29)
            ]
        );
        assert_eq!(
            diags[0].help.as_deref(),
            Some("did you mean `cron-dst-gap`?")
        );
    }

    /// `plan` sees what `validate` reports: a suppressed error does not make a definition
    /// invalid, and an error raised by `[lint.severity]` does.
    #[test]
    fn definition_states_follow_the_suppressions() {
        use crate::plan::DefinitionState;
        let base = include_str!("../../tests/fixtures/base/subjects.toml");
        let definition = include_str!(
            "../../tests/fixtures/cases/cron-dst-gap/good/definitions/the-custodian.sweep.yaml"
        )
        .replace("\"30 3 * * *\"", "\"0 0 13 * 5\"");
        let state = |comment: &str| {
            let dir = tempfile::tempdir().unwrap();
            let defs = dir.path().join("definitions");
            std::fs::create_dir(&defs).unwrap();
            std::fs::write(
                defs.join("the-custodian.sweep.yaml"),
                format!("{definition}{comment}"),
            )
            .unwrap();
            let text = format!("{base}\n[lint.severity]\ncron-or-rule = \"error\"\n");
            let (reg, diags) = super::super::load_registry(SourceFile::new("subjects.toml", text));
            assert!(reg.is_some(), "{diags:?}");
            let opts = super::super::Options {
                root: dir.path().to_path_buf(),
                paths: vec![defs],
                templates: None,
                freshness: false,
            };
            let out = super::super::validate(
                std::path::Path::new("subjects.toml"),
                reg.as_ref(),
                diags,
                &opts,
            )
            .unwrap();
            let codes: Vec<Code> = out.diagnostics.iter().map(|d| d.code).collect();
            (out.definitions["the-custodian.sweep"], codes)
        };
        assert_eq!(
            state(""),
            (DefinitionState::Invalid(1), vec![Code::CronOrRule])
        );
        assert_eq!(
            state("# handoff: ignore-file[cron-or-rule]\n"),
            (DefinitionState::Valid, vec![])
        );
    }
}
