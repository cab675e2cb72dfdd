//! docs/diagnostics.md has one section per diagnostic code, with a bad example, what handoff says
//! about it, and the corrected example. The examples are not written by hand: they are the
//! fixture cases of tests/fixtures/cases, run through the real binary. Everything below the
//! marker line is rebuilt here and compared with the committed file;
//! `UPDATE_DIAGNOSTICS_DOC=1 cargo test --test diagnostics_doc` rewrites it.

use crate::common;

use std::path::Path;

use common::{copy_tree, fixture, handoff, mask_seal, read, repo};

const MARKER: &str =
    "<!-- Below this line: rebuilt from tests/fixtures/cases by tests/diagnostics_doc.rs. -->";

struct Example {
    file: String,
    bad: String,
    good: String,
    rendered: String,
    /// When the fix leaves the reported file as it is: the files the good tree adds or changes
    /// (path, content), shown in full as the fix.
    added: Vec<(String, String)>,
}

/// Every file under `dir`, as paths relative to it, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// The files `good` adds to `bad` or changes, with their content (`expect.txt` aside).
fn added_files(bad: &Path, good: &Path) -> Vec<(String, String)> {
    files_under(good)
        .into_iter()
        .filter(|f| f != "expect.txt")
        .filter_map(|f| {
            let text = read(&good.join(&f));
            let before = std::fs::read_to_string(bad.join(&f)).ok();
            (before.as_deref() != Some(text.as_str())).then(|| (f, text.trim_end().to_string()))
        })
        .collect()
}

/// Lines `line - 2 ..= line + 2` (1-based) of `text`.
fn around(text: &str, line: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = line.saturating_sub(3);
    let end = (line + 2).min(lines.len());
    lines[start..end].join("\n").trim_matches('\n').to_string()
}

fn run_human(tree: &Path) -> String {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("base"), tmp.path());
    copy_tree(tree, tmp.path());
    let _ = std::fs::remove_file(tmp.path().join("expect.txt"));
    handoff(tmp.path(), &["validate", "--no-freshness"]).stdout
}

/// The lines that differ between two texts, with two lines of context, as a small excerpt.
fn excerpt(text: &str, other: &str) -> String {
    let a: Vec<&str> = text.lines().collect();
    let b: Vec<&str> = other.lines().collect();
    let first = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let last_a = a.len()
        - a.iter()
            .rev()
            .zip(b.iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
    let start = first.saturating_sub(2);
    let end = (last_a.max(first + 1) + 2).min(a.len());
    a[start..end].join("\n")
}

fn example(code: &str) -> Option<Example> {
    let mut cases: Vec<_> = std::fs::read_dir(fixture("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    // The case named after the code first, then any case that triggers it.
    cases.sort_by_key(|c| c.file_name().unwrap() != code);
    for case in cases {
        let expect = read(&case.join("bad/expect.txt"));
        let Some(line) = expect
            .lines()
            .find(|l| l.split_whitespace().next() == Some(code))
        else {
            continue;
        };
        let location = line.split_whitespace().nth(1).unwrap();
        let file = location.split(':').next().unwrap().to_string();
        let bad_path = case.join("bad").join(&file);
        let bad_text = if bad_path.exists() {
            read(&bad_path)
        } else {
            read(&fixture("base").join(&file))
        };
        let good_path = case.join("good").join(&file);
        let good_text = if good_path.exists() {
            read(&good_path)
        } else if fixture("base").join(&file).exists()
            && !case.join("good").join("subjects.toml").exists()
            && file == "subjects.toml"
        {
            read(&fixture("base").join(&file))
        } else {
            String::new()
        };
        let output = run_human(&case.join("bad"));
        let rendered = output
            .split("\n\n")
            .find(|block| block.contains(&format!("[{code}]")) && block.contains(location))
            .unwrap_or_default()
            .trim_end()
            .to_string();
        let mut added = Vec::new();
        let (bad, good) = if good_text.is_empty() {
            (
                excerpt(&bad_text, ""),
                "(the file is removed or renamed; see the case's good/ tree)".to_string(),
            )
        } else if good_text == bad_text {
            // The fix is elsewhere (a file the good tree adds): show the reported lines, then it.
            added = added_files(&case.join("bad"), &case.join("good"));
            assert!(!added.is_empty(), "{}: good/ fixes nothing", case.display());
            let line: usize = location.split(':').nth(1).unwrap().parse().unwrap();
            (around(&bad_text, line), String::new())
        } else {
            (
                excerpt(&bad_text, &good_text),
                excerpt(&good_text, &bad_text),
            )
        };
        return Some(Example {
            file,
            bad,
            good,
            rendered,
            added,
        });
    }
    None
}

/// The fence language of a file.
fn lang_of(file: &str) -> &'static str {
    if file.ends_with(".toml") {
        "toml"
    } else if file.ends_with(".py") {
        "python"
    } else {
        "yaml"
    }
}

fn fence(lang: &str, body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let f = "`".repeat(longest.max(2) + 1);
    format!("{f}{lang}\n{body}\n{f}\n")
}

#[test]
fn diagnostics_doc_matches_the_fixture_cases() {
    let path = repo().join("docs/diagnostics.md");
    let current = read(&path);
    let head = current.split(MARKER).next().unwrap().trim_end().to_string();
    let mut body = String::new();
    for code in handoff::codes::Code::ALL {
        let (code, severity, summary) = (code.name(), code.severity(), code.summary());
        body.push_str(&format!("\n## `{code}`\n\n"));
        let sev = match severity {
            handoff::diagnostic::Severity::Error => "error",
            handoff::diagnostic::Severity::Warning => "warning",
        };
        body.push_str(&format!("*{sev}* — {summary}\n"));
        match example(code) {
            Some(ex) => {
                let lang = lang_of(&ex.file);
                body.push_str(&format!("\nBad (`{}`):\n\n", ex.file));
                body.push_str(&fence(lang, &ex.bad));
                body.push_str("\nhandoff says:\n\n");
                body.push_str(&fence("text", &ex.rendered));
                if ex.added.is_empty() {
                    body.push_str("\nGood:\n\n");
                    body.push_str(&fence(lang, &ex.good));
                }
                for (path, text) in &ex.added {
                    body.push_str(&format!(
                        "\nGood: `{}` stays as it is, and `{path}` is added:\n\n",
                        ex.file
                    ));
                    body.push_str(&fence(lang_of(path), text));
                }
            }
            None if code.starts_with("publish-") => body.push_str(
                "\nReported by `handoff publish` before anything is sent (see [nats.md](nats.md)); tested in `tests/nats_cli.rs`.\n",
            ),
            None if code.starts_with("import-") => body.push_str(
                "\nReported by `handoff import` with the line or unit it concerns (see [import.md](import.md)); tested in `tests/import.rs`.\n",
            ),
            None => body.push_str(
                "\nNo fixture case can trigger it (see `tests/cases.rs`); it is tested in `tests/validate.rs`.\n",
            ),
        }
    }
    let expected = format!("{head}\n\n{MARKER}\n{body}");
    if std::env::var_os("UPDATE_DIAGNOSTICS_DOC").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    assert!(
        current == expected,
        "docs/diagnostics.md is out of date: run UPDATE_DIAGNOSTICS_DOC=1 cargo test --test suite diagnostics_doc"
    );
}

/// The fix docs/diagnostics.md shows for `migration-without-definition` is the one its help
/// names: `handoff generate` on the bad tree writes exactly the good tree's draft, and the tree
/// then validates clean.
#[test]
fn migration_without_definition_is_fixed_by_generate() {
    let case = fixture("cases/migration-without-definition");
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("base"), tmp.path());
    copy_tree(&case.join("bad"), tmp.path());
    std::fs::remove_file(tmp.path().join("expect.txt")).unwrap();
    let before = handoff(tmp.path(), &["validate", "--no-freshness"]);
    assert!(
        before.stdout.contains("run `handoff generate` to draft it"),
        "{}",
        before.stdout
    );
    assert_eq!(handoff(tmp.path(), &["generate"]).code, 0);
    let draft = "definitions/the-custodian.sweep.yaml";
    assert_eq!(
        mask_seal(&read(&tmp.path().join(draft))),
        mask_seal(&read(&case.join("good").join(draft)))
    );
    let after = handoff(tmp.path(), &["validate"]);
    assert_eq!(after.code, 0, "{}{}", after.stdout, after.stderr);
}
