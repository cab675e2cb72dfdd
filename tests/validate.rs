//! `handoff validate` on this repository's own tree: clean as committed; faults put into its
//! definitions are each reported at the right file and line, in json and github formats.

use crate::common;

use common::{handoff, read, repo, repo_copy};

#[test]
fn this_repository_validates_clean() {
    let run = handoff(&repo(), &["validate", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("no problems"), "{}", run.stdout);
}

const SWEEP: &str = "definitions/the-custodian.state-hub-consistency-sweep.yaml";
const CLEANUP: &str = "definitions/the-custodian.state-hub-stale-task-cleanup.yaml";

/// (what the fault is, file, text to replace, replacement, expected code, expected line)
const FAULTS: &[(&str, &str, &str, &str, &str, usize)] = &[
    (
        "a bad cron field",
        SWEEP,
        "schedule: \"*/15 * * * *\"",
        "schedule: \"*/15 24 * * *\"",
        "cron-out-of-range",
        15,
    ),
    (
        "a misspelled subject",
        SWEEP,
        "  cron:\n",
        "  events:\n    - org.statehub.task.stal\n  cron:\n",
        "unregistered-subject",
        15,
    ),
    (
        "an unknown key",
        SWEEP,
        "  owner: \"the-custodian\"",
        "  ownr: \"the-custodian\"",
        "unknown-key",
        10,
    ),
    (
        "broken YAML",
        SWEEP,
        "kind: ActivityDefinition",
        "kind: [ActivityDefinition",
        "yaml-syntax",
        7,
    ),
    (
        "a duplicate name",
        CLEANUP,
        "name: the-custodian.state-hub-stale-task-cleanup",
        "name: the-custodian.state-hub-consistency-sweep",
        "duplicate-name",
        9,
    ),
    (
        "an attribute the subjects don't have",
        SWEEP,
        "  when: \"context[\\\"state-hub.health\\\"].status == \\\"ok\\\"\"",
        "  when: 'has(event.attributes.stale_dayz) && context[\"state-hub.health\"].status == \"ok\"'",
        "unknown-attribute",
        20,
    ),
];

#[test]
fn faults_in_this_repositorys_definitions_are_reported_where_they_are() {
    for (what, file, from, to, code, line) in FAULTS {
        let tmp = repo_copy();
        let path = tmp.path().join(file);
        let mut text = read(&path);
        assert!(
            text.contains(from),
            "{what}: fixture text not found in {file}"
        );
        text = text.replacen(from, to, 1);
        // The unknown-attribute fault needs an event trigger to read attributes from.
        if *code == "unknown-attribute" {
            text = text.replacen(
                "  cron:\n",
                "  events:\n    - org.statehub.task.stale\n  cron:\n",
                1,
            );
        }
        std::fs::write(&path, text).unwrap();

        let json = handoff(
            tmp.path(),
            &["validate", "--no-freshness", "--format", "json"],
        );
        assert_eq!(json.code, 1, "{what}: {}", json.stdout);
        let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        let diags = v["diagnostics"].as_array().unwrap();
        let hit = diags
            .iter()
            .find(|d| d["code"] == *code)
            .unwrap_or_else(|| panic!("{what}: no {code} in {diags:#?}"));
        // duplicate-name is reported on the second file in path order.
        let expected_file = if *code == "duplicate-name" {
            CLEANUP.max(SWEEP)
        } else {
            file
        };
        assert_eq!(hit["file"], *expected_file, "{what}");
        assert_eq!(hit["line"], *line, "{what}: {hit:#}");
        assert!(v["summary"]["errors"].as_u64().unwrap() >= 1);

        let gh = handoff(
            tmp.path(),
            &["validate", "--no-freshness", "--format", "github"],
        );
        assert_eq!(gh.code, 1);
        let prefix = format!("::error file={expected_file},line={line},");
        assert!(
            gh.stdout
                .lines()
                .any(|l| l.starts_with(&prefix) && l.contains(&format!("title=handoff {code}::"))),
            "{what}: {}",
            gh.stdout
        );
        // Only workflow commands on stdout; the summary goes to the job log on stderr.
        assert!(
            gh.stdout.lines().all(|l| l.starts_with("::")),
            "{what}: {}",
            gh.stdout
        );
        assert!(gh.stderr.contains(" error"), "{what}: {}", gh.stderr);
    }
}

#[test]
fn a_cron_fault_points_at_the_field() {
    let tmp = repo_copy();
    let path = tmp.path().join(SWEEP);
    std::fs::write(
        &path,
        read(&path).replace("\"*/15 * * * *\"", "\"*/15 24 * * *\""),
    )
    .unwrap();
    let run = handoff(
        tmp.path(),
        &["validate", "--no-freshness", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "cron-out-of-range")
        .unwrap()
        .clone();
    // `    schedule: "*/15 24 * * *"` on line 15: the hour field `24` is columns 21-22.
    assert_eq!(
        (
            d["line"].as_u64(),
            d["column"].as_u64(),
            d["end_column"].as_u64()
        ),
        (Some(15), Some(21), Some(23)),
        "{d:#}"
    );
}

#[test]
fn stale_generated_files_are_reported() {
    let tmp = repo_copy();
    std::fs::remove_file(tmp.path().join("docs/cron-migration.md")).unwrap();
    let run = handoff(tmp.path(), &["validate", "--format", "json"]);
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "stale-generated");
    assert_eq!(d["file"], "docs/cron-migration.md");
    assert_eq!(d["line"], 0);
    // --no-freshness skips that check.
    assert_eq!(handoff(tmp.path(), &["validate", "--no-freshness"]).code, 0);
}

#[test]
fn sarif_output_is_a_sarif_2_1_0_log() {
    let tmp = repo_copy();
    let path = tmp.path().join(SWEEP);
    std::fs::write(
        &path,
        read(&path).replace("\"*/15 * * * *\"", "\"*/15 24 * * *\""),
    )
    .unwrap();
    let run = handoff(
        tmp.path(),
        &["validate", "--no-freshness", "--format", "sarif"],
    );
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs[0]["tool"]["driver"]["name"], "handoff");
    let results = runs[0]["results"].as_array().unwrap();
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "cron-out-of-range")
        .unwrap();
    assert_eq!(result["level"], "error");
    let rule_index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(
        runs[0]["tool"]["driver"]["rules"][rule_index]["id"],
        "cron-out-of-range"
    );
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], SWEEP);
    assert_eq!(loc["region"]["startLine"], 15);
    assert_eq!(loc["region"]["startColumn"], 21);
}

#[test]
fn exit_codes() {
    let tmp = repo_copy();
    // Usage error: 2.
    assert_eq!(
        handoff(tmp.path(), &["validate", "--format", "xml"]).code,
        2
    );
    assert_eq!(handoff(tmp.path(), &["frobnicate"]).code, 2);
    // The tool cannot run (no registry): 3.
    let empty = tempfile::tempdir().unwrap();
    let run = handoff(empty.path(), &["validate"]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("no subjects.toml") && run.stderr.contains("handoff init"),
        "{}",
        run.stderr
    );
    // A warning alone exits 0, and 1 with --deny-warnings.
    let path = tmp.path().join(SWEEP);
    std::fs::write(
        &path,
        read(&path).replace("  requires:\n    - \"state-hub.health\"\n", ""),
    )
    .unwrap();
    let warn = handoff(
        tmp.path(),
        &["validate", "--no-freshness", "--format", "json"],
    );
    assert_eq!(warn.code, 0, "{}", warn.stdout);
    assert!(warn.stdout.contains("unrequired-context"));
    assert_eq!(
        handoff(
            tmp.path(),
            &["validate", "--no-freshness", "--deny-warnings"]
        )
        .code,
        1
    );
}

#[test]
fn paths_limit_the_check_to_those_files() {
    let tmp = repo_copy();
    let path = tmp.path().join(CLEANUP);
    std::fs::write(
        &path,
        read(&path).replace("kind: ActivityDefinition", "kind: [x"),
    )
    .unwrap();
    assert_eq!(
        handoff(tmp.path(), &["validate", "--no-freshness", SWEEP]).code,
        0
    );
    assert_eq!(
        handoff(tmp.path(), &["validate", "--no-freshness", CLEANUP]).code,
        1
    );
}

/// After a subject is renamed, the old subject's schema is an orphan: validate says so, on that
/// file, as `orphan-generated`.
#[test]
fn orphaned_generated_files_are_reported() {
    let tmp = repo_copy();
    let reg = read(&tmp.path().join("subjects.toml"))
        .replace("org.statehub.task.stale", "org.statehub.task.overdue");
    std::fs::write(tmp.path().join("subjects.toml"), reg).unwrap();
    assert_eq!(handoff(tmp.path(), &["generate"]).code, 1);
    let run = handoff(tmp.path(), &["validate", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "orphan-generated".to_string(),
            "docs/schemas/org.statehub.task.stale.schema.json".to_string()
        )],
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("generate --prune"), "{}", run.stdout);
}

/// A generated path holding bytes that are not UTF-8 is one diagnostic on that file; the
/// other findings are still reported and validate does not fail as a tool (exit 3).
#[test]
fn a_non_utf8_generated_file_is_a_diagnostic_not_a_tool_failure() {
    let tmp = repo_copy();
    std::fs::write(
        tmp.path().join("docs/schemas/subjects.schema.json"),
        b"{\"\xff\xfe\"}\n",
    )
    .unwrap();
    std::fs::remove_file(tmp.path().join("docs/cron-migration.md")).unwrap();
    let run = handoff(tmp.path(), &["validate", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<(&str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["file"].as_str().unwrap()))
        .collect();
    assert!(
        found.contains(&("io", "docs/schemas/subjects.schema.json")),
        "{found:?}"
    );
    assert!(
        found.contains(&("stale-generated", "docs/cron-migration.md")),
        "{found:?}"
    );

    let check = handoff(tmp.path(), &["generate", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(
        check
            .stdout
            .contains("subjects.schema.json: not UTF-8 text"),
        "{}",
        check.stdout
    );
    // generate leaves it (it is not what handoff wrote) but writes the rest; --force replaces it.
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("wrote docs/cron-migration.md"),
        "{}",
        run.stdout
    );
    assert_eq!(handoff(tmp.path(), &["generate", "--force"]).code, 0);
    assert_eq!(handoff(tmp.path(), &["validate"]).code, 0);
}

/// `definition-drift` points at the field that differs and shows what is there and what the
/// registry expects (not at `metadata.name`), and its advice agrees with generate's.
#[test]
fn drift_shows_found_and_expected_values_at_the_differing_field() {
    let tmp = repo_copy();
    let path = tmp.path().join(CLEANUP);
    std::fs::write(
        &path,
        read(&path).replace("timeout: \"30m\"", "timeout: \"45m\""),
    )
    .unwrap();
    let run = handoff(tmp.path(), &["validate", "--format", "json"]);
    assert_eq!(run.code, 0, "a warning only: {}", run.stdout);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let d = v["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{}", run.stdout);
    assert_eq!(d[0]["code"], "definition-drift");
    assert_eq!(d[0]["line"], 25, "{}", run.stdout);
    assert_eq!(d[0]["column"], 15, "{}", run.stdout);
    let message = d[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`instruction.shell.timeout` is `45m` here but `30m` in migration"),
        "{message}"
    );
    // generate keeps the edited draft without calling it a problem, as validate does.
    let generate = handoff(tmp.path(), &["generate"]);
    assert_eq!(generate.code, 0, "{}", generate.stdout);
}

/// A report that cannot be written is a failure of the tool (exit 3, a message on stderr), not a
/// clean run.
#[test]
fn an_unwritable_report_exits_3() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["validate", "--no-freshness"])
        .current_dir(repo())
        .env_remove("HANDOFF_REGISTRY")
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("cannot write the output"), "{stderr}");
}

/// A reader that stops early (`handoff validate | head -1`) ends the run quietly: no message,
/// no panic, the command's own exit code.
#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["validate", "--no-freshness", "--format", "json"])
        .current_dir(repo())
        .env_remove("HANDOFF_REGISTRY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end before the child writes anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

/// An absurdly large definition file is not read whole: a positioned `file-too-large` error at
/// the line where reading stopped, quickly.
#[test]
fn a_huge_definition_file_is_refused_at_the_limit() {
    let tmp = repo_copy();
    let path = tmp.path().join("definitions/huge.yaml");
    let text: String = "- an item of a very long list\n".repeat(20 * 1024 * 1024 / 30);
    std::fs::write(&path, text).unwrap();
    let started = std::time::Instant::now();
    let run = handoff(
        tmp.path(),
        &[
            "validate",
            "--no-freshness",
            "--format",
            "json",
            "definitions/huge.yaml",
        ],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let d = &json["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "file-too-large");
    // 1 MiB of 30-byte lines: reading stops on line 34,953.
    assert_eq!(d[0]["line"], 1024 * 1024 / 30 + 1, "{:?}", d[0]);
}

/// Runs `handoff ARGS` in `dir`, killing it after `limit`: `None` if it had to be killed.
fn handoff_within(
    dir: &std::path::Path,
    args: &[&str],
    limit: std::time::Duration,
) -> Option<(i32, String)> {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(dir)
        .env_remove("HANDOFF_REGISTRY")
        .env("HANDOFF_NOW", common::NOW)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some((status.code().unwrap_or(-1), reader.join().unwrap()));
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

const WALK_LIMIT: std::time::Duration = std::time::Duration::from_secs(20);

/// Symbolic links in the definitions folder are not followed: links to `.` and `..` neither
/// loop nor repeat files (each file was read 41 times, with 80 false `duplicate-name` errors, and
/// two such links ran for minutes), and a link to a folder outside the repository is not read.
#[test]
fn the_definitions_walk_follows_no_symbolic_links() {
    let tmp = repo_copy();
    let defs = tmp.path().join("definitions");
    std::os::unix::fs::symlink(".", defs.join("a")).unwrap();
    std::os::unix::fs::symlink("..", defs.join("b")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.yaml"),
        "password: hunter2-outside-the-repository\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), defs.join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.yaml"), defs.join("s.yaml")).unwrap();
    let (code, stdout) = handoff_within(
        tmp.path(),
        &["validate", "--no-freshness", "--format", "json"],
        WALK_LIMIT,
    )
    .expect("validate finishes");
    assert_eq!(code, 0, "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["diagnostics"], serde_json::json!([]), "{stdout}");
    // The registry and the two definitions, each once.
    assert_eq!(json["summary"]["files"], 3, "{stdout}");
    assert!(!stdout.contains("hunter2"));
}

/// Hidden folders and files ignored by `.gitignore` are not linted: `handoff validate .` does not
/// read `.github/workflows/ci.yml`.
#[test]
fn the_definitions_walk_skips_hidden_and_ignored_files() {
    let tmp = repo_copy();
    let workflows = tmp.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(workflows.join("ci.yml"), "on: push\njobs: {}\n").unwrap();
    std::fs::write(tmp.path().join(".gitignore"), "scratch/\n").unwrap();
    std::fs::create_dir_all(tmp.path().join("definitions/scratch")).unwrap();
    std::fs::write(tmp.path().join("definitions/scratch/x.yaml"), "a: [\n").unwrap();
    std::fs::write(tmp.path().join("definitions/.draft.yaml"), "a: [\n").unwrap();
    for args in [
        &["validate", "--no-freshness", "--format", "json"][..],
        &["validate", "--no-freshness", "--format", "json", "."][..],
    ] {
        let run = handoff(tmp.path(), args);
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(!run.stdout.contains("ci.yml"), "{}", run.stdout);
        assert!(!run.stdout.contains("scratch"), "{}", run.stdout);
        assert!(!run.stdout.contains("draft"), "{}", run.stdout);
    }
}

/// Only regular files are read: a FIFO named `*.yaml` (a read would block forever) is skipped
/// in a folder and refused, with exit 3, when named on the command line.
#[test]
fn a_fifo_named_yaml_does_not_block() {
    let tmp = repo_copy();
    let fifo = tmp.path().join("definitions/pipe.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let (code, stdout) = handoff_within(
        tmp.path(),
        &["validate", "--no-freshness", "--format", "json"],
        WALK_LIMIT,
    )
    .expect("validate finishes");
    assert_eq!(code, 0, "{stdout}");
    let (code, _) = handoff_within(
        tmp.path(),
        &["validate", "--no-freshness", "definitions/pipe.yaml"],
        WALK_LIMIT,
    )
    .expect("validate finishes");
    assert_eq!(code, 3);
}

/// Comparing an enum attribute with a value outside its set is constant: an error (exit 1), not
/// a warning.
#[test]
fn an_enum_compared_with_a_value_outside_its_set_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_tree(&common::fixture("base"), tmp.path());
    common::copy_tree(&common::fixture("cases/enum-value/bad"), tmp.path());
    let run = handoff(
        tmp.path(),
        &["validate", "--no-freshness", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "enum-value");
    assert_eq!(d["severity"], "error");
    assert!(
        d["message"].as_str().unwrap().contains("always false"),
        "{d}"
    );
}

/// A shape error (a bad `metadata.name`, a bad `timeout`) no longer hides the other checks of
/// the same file: its cron, subjects, rule and file name are checked in the same run, and a
/// second file with the same (invalid) name is still a duplicate.
#[test]
fn shape_errors_do_not_hide_the_other_checks() {
    let tmp = repo_copy();
    let path = tmp.path().join(SWEEP);
    let text = read(&path)
        .replace(
            "name: the-custodian.state-hub-consistency-sweep",
            "name: The_Custodian.Sweep",
        )
        .replace("timeout: \"10m\"", "timeout: \"ten minutes\"")
        .replace("\"*/15 * * * *\"", "\"*/15 24 * * *\"")
        .replace(
            "  cron:\n",
            "  events:\n    - org.statehub.task.stal\n  cron:\n",
        )
        .replace("\"state-hub.health\"\n", "\"state-hub.healthy\"\n");
    std::fs::write(&path, &text).unwrap();
    std::fs::write(tmp.path().join("definitions/copy.yaml"), &text).unwrap();
    let run = handoff(
        tmp.path(),
        &["validate", "--no-freshness", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == SWEEP)
        .map(|d| format!("{} {}", d["code"].as_str().unwrap(), d["line"]))
        .collect();
    for expected in [
        "invalid-name 9",
        "name-mismatch 9",
        "unregistered-subject 15",
        "cron-out-of-range 17",
        "unknown-context 22",
        "invalid-value 27",
    ] {
        assert!(found.iter().any(|f| f == expected), "{expected}: {found:?}");
    }
    let dup = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "duplicate-name")
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert_eq!(dup["file"], SWEEP, "{dup}");
}

/// A `has()` test guards only the reads evaluated where it is known true: on a cron+event
/// definition, `has(a) || event.attributes.b == ...` reads `b` exactly when the test failed.
#[test]
fn a_presence_test_guards_only_its_own_side() {
    let def = |when: &str| {
        format!(
            "apiVersion: activity-core/v1\nkind: ActivityDefinition\nmetadata:\n  name: the-custodian.follow-up\ntrigger:\n  cron:\n    schedule: \"0 9 * * *\"\n  events:\n    - org.statehub.workstream.completed\nrule:\n  when: '{when}'\ninstruction:\n  workflow:\n    name: CreateFollowUp\n    taskQueue: maintenance\n"
        )
    };
    for (when, expected) in [
        (
            r#"has(event.attributes.open_task_count) || event.attributes.previous_status == "active""#,
            vec!["cron-reads-event 11:51"],
        ),
        (
            r#"has(event.attributes.open_task_count) && event.attributes.previous_status == "active""#,
            vec![],
        ),
        (
            r#"event.attributes.previous_status == "active" && has(event.attributes.open_task_count)"#,
            vec!["cron-reads-event 11:10"],
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        common::copy_tree(&common::fixture("base"), tmp.path());
        std::fs::create_dir_all(tmp.path().join("definitions")).unwrap();
        std::fs::write(
            tmp.path().join("definitions/the-custodian.follow-up.yaml"),
            def(when),
        )
        .unwrap();
        let run = handoff(
            tmp.path(),
            &["validate", "--no-freshness", "--format", "json"],
        );
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let found: Vec<String> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                format!(
                    "{} {}:{}",
                    d["code"].as_str().unwrap(),
                    d["line"],
                    d["column"]
                )
            })
            .collect();
        assert_eq!(found, expected, "{when}");
    }
}

/// While the registry has errors, a definition is still checked on its own: its cron and its
/// rule's syntax.
#[test]
fn an_invalid_registry_does_not_hide_a_definitions_own_errors() {
    let tmp = repo_copy();
    let reg = tmp.path().join("subjects.toml");
    std::fs::write(
        &reg,
        read(&reg).replacen("[stream]", "[stream]\nbogus = 1", 1),
    )
    .unwrap();
    let path = tmp.path().join(SWEEP);
    let text = read(&path)
        .replace("\"*/15 * * * *\"", "\"*/15 24 * * *\"")
        .replace("].status == \\\"ok\\\"", "].status = \\\"ok\\\"");
    std::fs::write(&path, text).unwrap();
    let run = handoff(
        tmp.path(),
        &["validate", "--no-freshness", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["cron-out-of-range", "rule-syntax", "unknown-key"],
        "{}",
        run.stdout
    );
}

/// A definition path that does not exist is a usage error (exit 2), not a failure of the tool.
#[test]
fn a_missing_path_is_a_usage_error() {
    let run = handoff(&repo(), &["validate", "missing.yaml"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("missing.yaml: no such file or folder"),
        "{}",
        run.stderr
    );
}

/// One `--format` list for every command; each accepts only what it can write (a usage error
/// otherwise), and its `--help` lists exactly those.
#[test]
fn each_command_accepts_only_the_formats_it_writes() {
    for (args, bad) in [
        (&["validate"][..], "markdown"),
        (&["plan"][..], "sarif"),
        (&["cron", "0 3 * * *"][..], "github"),
        (&["diff", "--against", "subjects.toml"][..], "sarif"),
    ] {
        let mut with: Vec<&str> = args.to_vec();
        with.extend(["--format", bad]);
        let run = handoff(&repo(), &with);
        assert_eq!(run.code, 2, "{with:?}: {}", run.stderr);
        assert!(run.stderr.contains("possible values"), "{}", run.stderr);
    }
    let help = handoff(&repo(), &["plan", "--help"]).stdout;
    assert!(help.contains("[possible values: human, json]"), "{help}");
}
