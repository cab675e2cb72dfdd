//! One case per diagnostic code: `tests/fixtures/cases/<case>/bad` must produce exactly the
//! diagnostics listed in its `expect.txt` (`code path:line:col`, one per line), and the corrected
//! twin `good` must be clean. A case without its own subjects.toml uses tests/fixtures/base.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{copy_tree, fixture, handoff, read};

fn run_validate(tree: &Path) -> (i32, Vec<String>, String) {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("base"), tmp.path());
    copy_tree(tree, tmp.path());
    let _ = std::fs::remove_file(tmp.path().join("expect.txt"));
    let run = handoff(
        tmp.path(),
        &["validate", "--no-freshness", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}):\n{}\n{}",
            tree.display(),
            run.stdout,
            run.stderr
        )
    });
    let found = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}:{}",
                d["code"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"]
            )
        })
        .collect();
    (run.code, found, run.stdout)
}

fn cases() -> Vec<std::path::PathBuf> {
    let mut cases: Vec<_> = std::fs::read_dir(fixture("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_case_reports_exactly_its_expected_diagnostics_and_its_twin_is_clean() {
    let mut failures = Vec::new();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let expected: BTreeSet<String> = read(&case.join("bad/expect.txt"))
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        let (code, found, out) = run_validate(&case.join("bad"));
        let found: BTreeSet<String> = found.into_iter().collect();
        if found != expected {
            failures.push(format!(
                "{name}/bad: expected {expected:?}\n  found {found:?}\n{out}"
            ));
        }
        let has_error = expected.iter().any(|e| {
            let code = e.split(' ').next().unwrap();
            handoff::codes::severity(code) == Some(handoff::diagnostic::Severity::Error)
        });
        if has_error && code != 1 {
            failures.push(format!("{name}/bad: exit {code}, expected 1"));
        }
        let (code, found, out) = run_validate(&case.join("good"));
        if code != 0 || !found.is_empty() {
            failures.push(format!(
                "{name}/good: exit {code}, diagnostics {found:?}\n{out}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every code validate can emit has a case that triggers it.
#[test]
fn every_code_has_a_case() {
    let mut covered = BTreeSet::new();
    for case in cases() {
        for line in read(&case.join("bad/expect.txt")).lines() {
            if let Some(code) = line.split_whitespace().next() {
                covered.insert(code.to_string());
            }
        }
    }
    // Covered by their own tests: `stale-generated` and `file-too-large` (tests/validate.rs),
    // `io` (an unreadable file cannot be made as root).
    let elsewhere = ["stale-generated", "io", "file-too-large"];
    let missing: Vec<&str> = handoff::codes::validate_codes()
        .iter()
        .map(|c| c.0)
        .filter(|c| !covered.contains(*c) && !elsewhere.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fixture case: {missing:?}"
    );
}
