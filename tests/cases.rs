//! One case per diagnostic code, one test per case: `tests/fixtures/cases/<case>/bad` must
//! produce exactly the diagnostics listed in its `expect.txt` (`code path:line:col`, one per line,
//! compared as a multiset so a diagnostic reported twice is caught), its human output is
//! snapshotted (tests/snapshots/cases__<case>.snap), and the corrected twin `good` must be
//! clean. A case without its own subjects.toml uses tests/fixtures/base.
//!
//! Run one case: `cargo test --test cases -- cron-or-rule`.

#[path = "common/mod.rs"]
mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{Run, Test, fixture, read};
use libtest_mimic::{Arguments, Failed, Trial};

/// A run of `handoff ARGS` on the case's tree over the base project, in a temporary folder.
fn on_case(tree: &Path, args: &[&str]) -> Run {
    let test = Test::tree(&fixture("base")).overlay(tree);
    let _ = std::fs::remove_file(test.dir().join("expect.txt"));
    test.args(args).run()
}

/// `validate --format json` on a tree: exit code, `code file:line:col` of each diagnostic
/// (sorted, duplicates kept), and the raw output.
fn run_validate(tree: &Path) -> Result<(i32, Vec<String>, String), Failed> {
    let run = on_case(tree, &["validate", "--no-freshness", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).map_err(|e| {
        format!(
            "{}: not JSON ({e}):\n{}\n{}",
            tree.display(),
            run.stdout,
            run.stderr
        )
    })?;
    let mut found: Vec<String> = json["diagnostics"]
        .as_array()
        .ok_or("no diagnostics array")?
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}:{}",
                d["code"].as_str().unwrap_or("?"),
                d["file"].as_str().unwrap_or("?"),
                d["line"],
                d["column"]
            )
        })
        .collect();
    found.sort();
    Ok((run.code, found, run.stdout))
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<_> = std::fs::read_dir(fixture("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

fn expected(case: &Path) -> Vec<String> {
    let mut lines: Vec<String> = read(&case.join("bad/expect.txt"))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

fn bad(case: &Path) -> Result<(), Failed> {
    let name = case.file_name().unwrap().to_string_lossy().to_string();
    let expected = expected(case);
    let (code, found, out) = run_validate(&case.join("bad"))?;
    if found != expected {
        return Err(format!("expected {expected:?}\n   found {found:?}\n{out}").into());
    }
    let has_error = expected.iter().any(|e| {
        let code = e.split(' ').next().unwrap_or("");
        handoff::codes::Code::from_name(code).map(|c| c.severity())
            == Some(handoff::diagnostic::Severity::Error)
    });
    if has_error && code != 1 {
        return Err(format!("exit {code}, expected 1").into());
    }
    // The human rendering, as a user sees it.
    let run = on_case(&case.join("bad"), &["validate", "--no-freshness"]);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(common::repo().join("tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(format!("cases__{name}"), run.stdout));
    Ok(())
}

fn good(case: &Path) -> Result<(), Failed> {
    let (code, found, out) = run_validate(&case.join("good"))?;
    if code != 0 || !found.is_empty() {
        return Err(format!("exit {code}, diagnostics {found:?}\n{out}").into());
    }
    Ok(())
}

/// Every code validate can emit has a case that triggers it.
fn every_code_has_a_case() -> Result<(), Failed> {
    let mut covered = BTreeSet::new();
    for case in cases() {
        for line in read(&case.join("bad/expect.txt")).lines() {
            if let Some(code) = line.split_whitespace().next() {
                covered.insert(code.to_string());
            }
        }
    }
    // Covered by their own tests: `stale-generated` and `orphan-generated` (tests/validate.rs;
    // cases run with --no-freshness), `io` (an unreadable file cannot be made as root; a
    // non-UTF-8 generated file is in tests/validate.rs), `file-too-large` (tests/validate.rs).
    let elsewhere = [
        "stale-generated",
        "orphan-generated",
        "io",
        "file-too-large",
    ];
    let missing: Vec<&str> = handoff::codes::Code::ALL
        .iter()
        .filter(|c| c.is_validate())
        .map(|c| c.name())
        .filter(|c| !covered.contains(*c) && !elsewhere.contains(c))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("codes without a fixture case: {missing:?}").into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = vec![Trial::test("every_code_has_a_case", every_code_has_a_case)];
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let c = case.clone();
        trials.push(Trial::test(format!("{name}::bad"), move || bad(&c)));
        trials.push(Trial::test(format!("{name}::good"), move || good(&case)));
    }
    libtest_mimic::run(&args, trials).exit();
}
