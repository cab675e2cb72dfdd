//! Suppressions: `# handoff: ignore[…]` on or above a finding's line, `ignore-file[…]`, and the
//! registry's `[lint]` table (codes ignored everywhere, severity overrides).

use crate::common;

use common::{Run, Test, fixture, read};

const DEF: &str = "definitions/the-custodian.sweep.yaml";

/// `validate --format json` on the base project with the cron-dst-gap case's definition, its
/// text passed through `edit`, and `lint` appended to the registry.
fn validate(edit: impl Fn(&str) -> String, lint: &str) -> (Run, serde_json::Value) {
    let bad = fixture("cases/cron-dst-gap/bad");
    let definition = edit(&read(&bad.join(DEF)));
    let registry = read(&fixture("base/subjects.toml")) + lint;
    let run = Test::tree(&fixture("base"))
        .file(DEF, &definition)
        .file("subjects.toml", &registry)
        .args(&["validate", "--no-freshness", "--format", "json"])
        .run();
    let json = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:?}"));
    (run, json)
}

fn codes(json: &serde_json::Value) -> Vec<(String, String, u64)> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

const SCHEDULE: &str = "    schedule: \"30 2 * * *\"\n";

#[test]
fn without_a_suppression_the_finding_is_reported() {
    let (run, json) = validate(str::to_string, "");
    assert_eq!(run.code, 0);
    assert_eq!(codes(&json), [("cron-dst-gap".into(), "warning".into(), 8)]);
}

#[test]
fn a_comment_on_the_line_above_suppresses_the_finding() {
    let (run, json) = validate(
        |t| {
            t.replace(
                SCHEDULE,
                &format!("    # handoff: ignore[cron-dst-gap]\n{SCHEDULE}"),
            )
        },
        "",
    );
    assert_eq!((run.code, codes(&json)), (0, vec![]));
}

#[test]
fn a_file_wide_comment_suppresses_the_finding_and_another_code_is_unused() {
    let (run, json) = validate(
        |t| format!("{t}# handoff: ignore-file[cron-or-rule, cron-dst-gap]\n"),
        "",
    );
    assert_eq!(run.code, 0);
    assert_eq!(
        codes(&json),
        [("unused-suppression".into(), "warning".into(), 18)]
    );
    assert!(
        json["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`cron-or-rule`")
    );
}

#[test]
fn a_comment_two_lines_above_does_not_suppress() {
    let (_, json) = validate(
        |t| {
            t.replace(
                SCHEDULE,
                &format!("    # handoff: ignore[cron-dst-gap]\n    # a note\n{SCHEDULE}"),
            )
        },
        "",
    );
    let found: Vec<String> = codes(&json).into_iter().map(|c| c.0).collect();
    assert!(
        found.contains(&"unused-suppression".to_string()),
        "{found:?}"
    );
}

#[test]
fn the_registry_can_ignore_a_code_everywhere() {
    let (run, json) = validate(str::to_string, "\n[lint]\nignore = [\"cron-dst-gap\"]\n");
    assert_eq!((run.code, codes(&json)), (0, vec![]));
    // A comment suppressing a code the registry ignores anyway is not reported as unused.
    let (_, json) = validate(
        |t| {
            t.replace(
                "\"30 2 * * *\"",
                "\"30 3 * * *\"  # handoff: ignore[cron-dst-gap]",
            )
        },
        "\n[lint]\nignore = [\"cron-dst-gap\"]\n",
    );
    assert_eq!(codes(&json), vec![]);
}

#[test]
fn the_registry_can_raise_a_warning_to_an_error() {
    let (run, json) = validate(
        str::to_string,
        "\n[lint.severity]\ncron-dst-gap = \"error\"\n",
    );
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), [("cron-dst-gap".into(), "error".into(), 8)]);
}

#[test]
fn unknown_codes_and_severities_in_the_registry_are_errors() {
    let (run, json) = validate(
        str::to_string,
        "\n[lint]\nignore = [\"cron-dts-gap\"]\n\n[lint.severity]\ncron-or-rul = \"error\"\ncron-or-rule = \"fatal\"\n",
    );
    assert_eq!(run.code, 1);
    let d: Vec<_> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == "subjects.toml")
        .map(|d| {
            format!(
                "{} {}",
                d["code"].as_str().unwrap(),
                d["help"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        d,
        [
            "suppression-unknown-code did you mean `cron-dst-gap`?",
            "suppression-unknown-code did you mean `cron-or-rule`?",
            "wrong-type write \"error\" or \"warning\"",
        ],
        "{json:#}"
    );
}
