//! Every suggestion passes the check it is offered for: each diagnostic of the fixture cases
//! whose help is a concrete replacement is applied to a fresh copy of the bad tree, and validate
//! runs again.

use std::path::{Path, PathBuf};

use crate::common::{Test, fixture, read};

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<_> = std::fs::read_dir(fixture("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// A concrete replacement a diagnostic's help offers: text for the diagnostic's span, a whole
/// line, or a new file name. Help that gives advice rather than a replacement gives `None`.
#[derive(Debug)]
enum Fix {
    /// Replaces the span's text; for a quoted YAML/TOML value, the text inside the quotes.
    Span(String),
    /// Replaces the span's text exactly, quotes included (`compare with 0, without quotes`).
    Exact(String),
    Line(String),
    RenameFile(String),
}

/// The text between the first pair of backticks (or double quotes) after `prefix`, when the
/// help starts with it.
fn quoted_after(help: &str, prefix: &str, quote: char) -> Option<String> {
    let rest = help.strip_prefix(prefix)?.strip_prefix(quote)?;
    let end = rest.find(quote)?;
    Some(rest[..end].to_string())
}

fn fix_of(help: &str) -> Option<Fix> {
    let span = |x: String| Some(Fix::Span(x));
    if let Some(x) = quoted_after(help, "did you mean ", '`') {
        return span(x);
    }
    if let Some(x) = quoted_after(help, "did you mean ", '"') {
        return span(format!("\"{x}\""));
    }
    if let Some(x) = quoted_after(help, "compare with the string ", '"') {
        return span(format!("\"{x}\""));
    }
    if let Some(rest) = help.strip_prefix("compare with ")
        && let Some(x) = rest.strip_suffix(", without quotes")
    {
        return Some(Fix::Exact(x.trim_start_matches("the number ").to_string()));
    }
    // `compare with timestamp("…") instead of a string` replaces the string literal.
    if let Some(rest) = help.strip_prefix("compare with timestamp(")
        && let Some(x) = rest.strip_suffix(" instead of a string")
    {
        return Some(Fix::Exact(format!("timestamp({x}")));
    }
    for prefix in [
        "use snake_case: ",
        "rename it, e.g. ",
        "use lowercase letters, digits and dashes: ",
        "rename the definition to ",
        "use lowercase tokens separated by dots, e.g. ",
        "write a range: ",
    ] {
        if let Some(x) = quoted_after(help, prefix, '`') {
            return span(x);
        }
    }
    if let Some(x) = quoted_after(help, "rename the file to ", '`') {
        return Some(Fix::RenameFile(x));
    }
    if let Some(x) = quoted_after(help, "write ", '`') {
        // `write `key: value`` gives the whole line.
        return Some(if x.contains(": ") {
            Fix::Line(x)
        } else {
            Fix::Span(x)
        });
    }
    None
}

/// Applies a fix for the diagnostic `d` to the tree at `root`; returns the file the diagnostic's
/// place is in afterwards.
fn apply(root: &Path, d: &serde_json::Value, fix: &Fix) -> String {
    let file = d["file"].as_str().unwrap().to_string();
    let path = root.join(&file);
    let line = d["line"].as_u64().unwrap() as usize;
    let (start, end) = (
        d["column"].as_u64().unwrap() as usize - 1,
        d["end_column"].as_u64().unwrap() as usize - 1,
    );
    match fix {
        Fix::RenameFile(name) => {
            let to = path.with_file_name(name);
            std::fs::rename(&path, &to).unwrap();
            to.strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        }
        Fix::Span(text) | Fix::Exact(text) | Fix::Line(text) => {
            let source = read(&path);
            let mut lines: Vec<String> = source.lines().map(str::to_string).collect();
            let chars: Vec<char> = lines[line - 1].chars().collect();
            lines[line - 1] = match fix {
                Fix::Span(_) | Fix::Exact(_) => {
                    let (mut start, mut end) = (start, end.min(chars.len()));
                    // A suggestion for a quoted value replaces what is inside the quotes.
                    let quoted = matches!(fix, Fix::Span(_))
                        && end >= start + 2
                        && matches!(chars[start], '"' | '\'')
                        && chars[end - 1] == chars[start]
                        && !text.starts_with(chars[start]);
                    if quoted {
                        start += 1;
                        end -= 1;
                    }
                    let before: String = chars[..start].iter().collect();
                    let after: String = chars[end..].iter().collect();
                    format!("{before}{text}{after}")
                }
                _ => {
                    let indent: String = chars.iter().take_while(|c| **c == ' ').collect();
                    format!("{indent}{text}")
                }
            };
            std::fs::write(&path, lines.join("\n") + "\n").unwrap();
            file
        }
    }
}

/// The diagnostics of a validate run on `tree` (already assembled), as JSON values.
fn diagnostics_in(tree: &Path) -> Vec<serde_json::Value> {
    let run = Test::in_dir(tree)
        .args(&["validate", "--no-freshness", "--format", "json"])
        .run();
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", run.stdout, run.stderr));
    json["diagnostics"].as_array().unwrap().clone()
}

/// Every suggestion passes the check it is offered for: in every fixture case, each diagnostic
/// whose help is a concrete replacement (`did you mean `x`?`, `rename the file to ...`,
/// `write ...`) is applied to a fresh copy of the bad tree, and validate is run again: that
/// code must be gone from that place.
#[test]
fn every_concrete_suggestion_passes_its_own_check() {
    let mut failures = Vec::new();
    let mut applied = 0;
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let assemble = || {
            let test = Test::tree(&fixture("base")).overlay(&case.join("bad"));
            let _ = std::fs::remove_file(test.dir().join("expect.txt"));
            test
        };
        let tree = assemble();
        let before = diagnostics_in(tree.dir());
        let errors =
            |ds: &[serde_json::Value]| ds.iter().filter(|d| d["severity"] == "error").count();
        for d in &before {
            let Some(fix) = d["help"].as_str().and_then(fix_of) else {
                continue;
            };
            let code = d["code"].as_str().unwrap();
            let fixed = assemble();
            let file = apply(fixed.dir(), d, &fix);
            applied += 1;
            let again = diagnostics_in(fixed.dir());
            // The code is gone from that place, the fix broke no syntax there, and it made no
            // more errors than it removed.
            let left = again.iter().find(|a| {
                (a["code"] == code || a["code"].as_str().unwrap().ends_with("-syntax"))
                    && a["file"] == file.as_str()
                    && a["line"] == d["line"]
            });
            if left.is_some() || errors(&again) > errors(&before) {
                failures.push(format!(
                    "{name}: {code} at {}:{} suggested {fix:?}; after applying it:\n  {left:?}\n  {} errors before, {} after",
                    d["file"], d["line"], errors(&before), errors(&again)
                ));
            }
        }
    }
    assert!(applied >= 15, "only {applied} suggestions were applied");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
