//! The one reporter: renders diagnostics as human text (rustc style), JSON, GitHub workflow
//! annotations or SARIF 2.1.0. It returns strings; the binary decides where they go.

use serde::Serialize;
use serde_json::json;

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::char_to_byte;

/// The version of handoff's JSON output formats: the `version` field of every JSON document
/// (and of every JSON line of `tap`). It changes when a field is removed or changes meaning;
/// added fields do not change it. The shapes: docs/json-output.md, docs/schemas/output/.
pub const JSON_VERSION: u32 = 1;

/// The public home of the project, set in Cargo.toml (`repository`) and nowhere else.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The page of a code's section in docs/diagnostics.md, at [`REPOSITORY`]: SARIF's `helpUri`.
pub fn help_uri(code: Code) -> String {
    format!(
        "{REPOSITORY}/blob/main/docs/diagnostics.md#{}",
        code.docs_anchor()
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Github,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub files: usize,
}

pub fn summarize(diags: &[Diagnostic], files: usize) -> Summary {
    Summary {
        errors: diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count(),
        warnings: diags
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count(),
        files,
    }
}

/// How text output looks. The library never looks at the terminal: the binary decides (from
/// `--color`, `NO_COLOR`, `CLICOLOR_FORCE` and whether stdout is a terminal) and passes this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours in human output (annotate-snippets' styled renderer).
    pub color: bool,
    /// The closing `handoff: N errors, …` line of human and github output (off with `--quiet`).
    pub summary: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: false,
            summary: true,
        }
    }
}

/// Renders diagnostics in `format`, plain, with the summary line. `files` is how many files were
/// checked.
pub fn render(format: Format, diags: &[Diagnostic], files: usize) -> String {
    render_styled(format, diags, files, Style::default())
}

/// [`render`] with a [`Style`]: colours (human output only) and whether the summary line ends it
/// (human only: GitHub output is annotations alone, JSON carries its counts, SARIF has none).
pub fn render_styled(format: Format, diags: &[Diagnostic], files: usize, style: Style) -> String {
    let counts = summarize(diags, files);
    let summary = style.summary.then_some(counts);
    match format {
        Format::Human => human(diags, summary, style.color),
        Format::Json => json_report(diags, counts),
        // Only workflow commands on stdout: the binary puts the summary on stderr.
        Format::Github => github(diags, None),
        Format::Sarif => sarif(diags),
    }
}

/// One diagnostic in rustc's style: `error[code]: message`, `--> file:line:col`, the source line
/// with a caret under the span, and a `help:` line.
pub fn human_one(d: &Diagnostic) -> String {
    human_one_styled(d, false)
}

/// [`human_one`], with ANSI colours when `color`.
pub fn human_one_styled(d: &Diagnostic, color: bool) -> String {
    use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
    let (level, word) = match d.severity {
        Severity::Error => (Level::ERROR, "error"),
        Severity::Warning => (Level::WARNING, "warning"),
    };
    let (Some(line), true) = (&d.source_line, d.line > 0) else {
        // A problem with a file as a whole (or with input that is not a file): no snippet.
        // Coloured as annotate-snippets colours a title: bold, red or yellow; help bold.
        let (title, bold, reset) = match (color, d.severity) {
            (false, _) => ("", "", ""),
            (true, Severity::Error) => ("\x1b[1m\x1b[91m", "\x1b[1m", "\x1b[0m"),
            (true, Severity::Warning) => ("\x1b[1m\x1b[33m", "\x1b[1m", "\x1b[0m"),
        };
        let mut out = format!(
            "{title}{word}[{}]{reset}{bold}: {}{reset}
  --> {}",
            d.code, d.message, d.file
        );
        if let Some(help) = &d.help {
            out.push_str(&format!("\n{bold}help{reset}: {help}"));
        }
        return out;
    };
    let start = char_to_byte(line, d.column.saturating_sub(1));
    // An empty span (a problem at the end of a line) still gets one caret.
    let end = char_to_byte(line, d.end_column.saturating_sub(1)).max(start);
    let mut groups: Vec<Group> = vec![
        level
            .primary_title(d.message.as_str())
            .id(d.code.name())
            .element(
                Snippet::source(line.as_str())
                    .line_start(d.line)
                    .path(d.file.as_str())
                    .annotation(AnnotationKind::Primary.span(start..end)),
            ),
    ];
    if let Some(help) = &d.help {
        groups.push(Group::with_title(
            Level::HELP.secondary_title(help.as_str()),
        ));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.render(&groups)
}

fn human(diags: &[Diagnostic], s: Option<Summary>, color: bool) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&human_one_styled(d, color));
        out.push_str("\n\n");
    }
    if let Some(s) = s {
        out.push_str(&summary_line(s));
        out.push('\n');
    }
    out
}

/// `handoff: 2 errors, 1 warning in 3 files` or `handoff: 3 files checked, no problems`.
pub fn summary_line(s: Summary) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if s.errors == 0 && s.warnings == 0 {
        format!("handoff: {} checked, no problems", plural(s.files, "file"))
    } else {
        format!(
            "handoff: {}, {} in {} checked",
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            plural(s.files, "file")
        )
    }
}

fn json_report(diags: &[Diagnostic], s: Summary) -> String {
    let value = json!({ "version": JSON_VERSION, "diagnostics": diags, "summary": s });
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}

/// GitHub workflow commands: `::error file=PATH,line=N,col=M::message`.
fn github(diags: &[Diagnostic], s: Option<Summary>) -> String {
    let mut out = String::new();
    for d in diags {
        let cmd = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = format!("file={}", gh_property(&d.file));
        if d.line > 0 {
            props.push_str(&format!(",line={},col={}", d.line, d.column));
            if d.end_column > d.column {
                props.push_str(&format!(",endColumn={}", d.end_column));
            }
        }
        props.push_str(&format!(
            ",title={}",
            gh_property(&format!("handoff {}", d.code))
        ));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!("::{cmd} {props}::{}\n", gh_data(&message)));
    }
    if let Some(s) = s {
        out.push_str(&summary_line(s));
        out.push('\n');
    }
    out
}

fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// SARIF 2.1.0, as GitHub code scanning accepts it.
fn sarif(diags: &[Diagnostic]) -> String {
    let mut rule_ids: Vec<Code> = diags.iter().map(|d| d.code).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<_> = rule_ids
        .iter()
        .map(|id| {
            json!({
                "id": id.name(),
                "name": id.name(),
                "shortDescription": { "text": id.summary() },
                "help": { "text": format!("See docs/diagnostics.md, section `{id}`.") },
                "helpUri": help_uri(*id),
            })
        })
        .collect();
    let results: Vec<_> = diags
        .iter()
        .map(|d| {
            let mut physical = json!({
                "artifactLocation": { "uri": d.file.replace('\\', "/") }
            });
            if d.line > 0 {
                physical["region"] = json!({
                    "startLine": d.line,
                    "startColumn": d.column,
                    "endColumn": d.end_column.max(d.column + 1),
                });
            }
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(" (help: ");
                text.push_str(help);
                text.push(')');
            }
            json!({
                "ruleId": d.code,
                "ruleIndex": rule_ids.iter().position(|r| *r == d.code).unwrap_or(0),
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": { "text": text },
                "locations": [ { "physicalLocation": physical } ],
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "handoff",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn sample() -> Diagnostic {
        let f = SourceFile::new("subjects.toml", "[stream]\nnmae = \"X\"\n");
        f.diagnostic(Code::UnknownKey, 9..13, "unknown key `nmae` in `[stream]`")
            .with_help("did you mean `name`?")
    }

    #[test]
    fn human_points_at_the_span() {
        let out = human_one(&sample());
        assert!(
            out.contains("error[unknown-key]: unknown key `nmae`"),
            "{out}"
        );
        assert!(out.contains("subjects.toml:2:1"), "{out}");
        assert!(out.contains("^^^^"), "{out}");
        assert!(out.contains("help: did you mean `name`?"), "{out}");
    }

    #[test]
    fn file_level_findings_have_no_snippet() {
        let d = Diagnostic::file_level(Code::StaleGenerated, "docs/x.md", "stale")
            .with_help("run `handoff generate`");
        assert_eq!(
            human_one(&d),
            "error[stale-generated]: stale\n  --> docs/x.md\nhelp: run `handoff generate`"
        );
    }

    #[test]
    fn github_escapes_messages() {
        let mut d = sample();
        d.message = "a: b, 100%\nnext".into();
        let out = render(Format::Github, &[d], 1);
        assert!(
            out.starts_with("::error file=subjects.toml,line=2,col=1,endColumn=5,title=handoff unknown-key::a: b, 100%25%0Anext"),
            "{out}"
        );
    }

    #[test]
    fn sarif_has_rules_and_regions() {
        let out = render(Format::Sarif, &[sample()], 1);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(v["runs"][0]["results"][0]["ruleId"], "unknown-key");
        assert_eq!(
            v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
            2
        );
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"][0]["id"],
            "unknown-key"
        );
    }
}
