//! `handoff test` (rule test cases), `handoff simulate` and starter case files from generate.

use crate::common::{handoff, read, repo_copy};

fn yaml_to_json(text: &str) -> serde_json::Value {
    let file = handoff::source::SourceFile::new("case.test.yaml", text);
    let node = handoff::source::parse_yaml(&file).expect("YAML");
    handoff::registry::node_to_json(&node)
}

const SWEEP: &str = "definitions/the-custodian.state-hub-consistency-sweep";

/// An event-triggered definition in a copy of this repository, with a case file.
fn with_event_definition(dir: &std::path::Path, when: &str, requires: &[&str], cases: &str) {
    let requires = if requires.is_empty() {
        String::new()
    } else {
        format!(
            "  requires:\n{}",
            requires
                .iter()
                .map(|r| format!("    - {r}\n"))
                .collect::<String>()
        )
    };
    let def = format!(
        "apiVersion: activity-core/v1\nkind: ActivityDefinition\nmetadata:\n  name: the-custodian.goal-triage\ntrigger:\n  events:\n    - org.statehub.domain.goal.activated\n    - org.statehub.task.stale\nrule:\n  when: '{when}'\n{requires}instruction:\n  shell:\n    command: echo triage\n"
    );
    std::fs::write(dir.join("definitions/the-custodian.goal-triage.yaml"), def).unwrap();
    if !cases.is_empty() {
        std::fs::write(
            dir.join("definitions/the-custodian.goal-triage.test.yaml"),
            cases,
        )
        .unwrap();
    }
}

#[test]
fn this_repositorys_starter_cases_pass() {
    let tmp = repo_copy();
    let run = handoff(tmp.path(), &["test"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("test result: ok. 4 passed; 0 failed"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_failing_case_prints_expected_got_and_values_and_exits_1() {
    let tmp = repo_copy();
    let cases = r#"cases:
  - name: healthy hub
    trigger: {cron: "2026-11-16T00:15:00Z"}
    context:
      state-hub.health: {status: degraded}
    expect: fires
  - name: hub down
    trigger: {cron: "2026-11-16T00:30:00Z"}
    expect: {skips: missing-context}
"#;
    std::fs::write(tmp.path().join(format!("{SWEEP}.test.yaml")), cases).unwrap();
    let run = handoff(tmp.path(), &["test"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let s = &run.stdout;
    assert!(
        s.contains("---- definitions/the-custodian.state-hub-consistency-sweep.test.yaml:2:5 the-custodian.state-hub-consistency-sweep › healthy hub ----"),
        "{s}"
    );
    assert!(s.contains("  expected: fires\n  got:      skips\n"), "{s}");
    assert!(
        s.contains(r#"    context["state-hub.health"].status = "degraded""#),
        "{s}"
    );
    assert!(s.contains("hub down ... ok"), "{s}");
    assert!(s.contains("test result: FAILED. 3 passed; 1 failed"), "{s}");

    let json = handoff(tmp.path(), &["test", "--format", "json"]);
    assert_eq!(json.code, 1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["summary"]["failed"], 1);
    let failed = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["passed"] == false)
        .unwrap();
    assert_eq!(failed["expected"], "fires");
    assert_eq!(failed["got"], "skips");
    assert_eq!(failed["line"], 2);
}

#[test]
fn hidden_case_shapes_give_the_expected_outcomes() {
    let tmp = repo_copy();
    let cases = r#"cases:
  - name: high priority fires
    trigger:
      event: org.statehub.domain.goal.activated
      attributes: {priority: 1}
    context: {state-hub.health: {status: ok}}
    expect: fires
  - name: low priority skips
    trigger:
      event: org.statehub.domain.goal.activated
      attributes: {priority: 5}
    context: {state-hub.health: {status: ok}}
    expect: skips
  - name: no priority skips through the has() guard
    trigger:
      event: org.statehub.domain.goal.activated
      attributes: {priority: null}
    context: {state-hub.health: {status: ok}}
    expect: skips
  - name: stale task over threshold
    trigger:
      event: org.statehub.task.stale
      attributes: {stale_days: 60}
    context: {state-hub.health: {status: ok}}
    expect: fires
  - name: hub down
    trigger: {event: org.statehub.task.stale}
    expect: "skips: missing-context"
"#;
    with_event_definition(
        tmp.path(),
        r#"context["state-hub.health"].status == "ok" && ((has(event.attributes.priority) && event.attributes.priority <= 2) || (has(event.attributes.stale_days) && event.attributes.stale_days >= 30))"#,
        &["state-hub.health"],
        cases,
    );
    let run = handoff(tmp.path(), &["test"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("test result: ok. 9 passed; 0 failed"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_evaluation_error_is_reported_as_an_error_not_false() {
    let tmp = repo_copy();
    let cases = r#"cases:
  - name: unguarded optional attribute
    trigger:
      event: org.statehub.domain.goal.activated
      attributes: {priority: null}
    expect: skips
"#;
    with_event_definition(tmp.path(), "event.attributes.priority <= 2", &[], cases);
    let run = handoff(
        tmp.path(),
        &["test", "definitions/the-custodian.goal-triage.test.yaml"],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("  expected: skips\n  got:      error: no such key `priority`\n"),
        "{}",
        run.stdout
    );
    // Only the named case file (and its definition) ran.
    assert!(run.stdout.contains("0 passed; 1 failed"), "{}", run.stdout);
}

#[test]
fn invalid_cases_are_failures_with_the_reason() {
    let tmp = repo_copy();
    let cases = r#"cases:
  - name: not a fire time
    trigger: {cron: "2026-11-16T00:07:00Z"}
    context: {state-hub.health: {status: ok}}
    expect: fires
  - name: not a trigger of this definition
    trigger: {event: org.statehub.task.stale}
    expect: fires
  - name: undeclared context
    trigger: {cron: "2026-11-16T00:15:00Z"}
    context: {nope: 1}
    expect: fires
"#;
    std::fs::write(tmp.path().join(format!("{SWEEP}.test.yaml")), cases).unwrap();
    let run = handoff(tmp.path(), &["test"]);
    assert_eq!(run.code, 1);
    let s = &run.stdout;
    assert!(s.contains("invalid case: `*/15 * * * *` (UTC) does not fire at 2026-11-16T00:07:00Z; the next fire is 2026-11-16T00:15:00Z"), "{s}");
    assert!(
        s.contains("invalid case: the definition is not triggered by `org.statehub.task.stale`"),
        "{s}"
    );
    assert!(
        s.contains("invalid case: context `nope` is not declared in the registry"),
        "{s}"
    );
}

#[test]
fn shape_errors_are_positioned_diagnostics() {
    let tmp = repo_copy();
    let cases = "cases:\n  - name: x\n    trigger: {cron: \"2026-11-16T00:15:00Z\"}\n    expect: maybe\n    extra: 1\n";
    std::fs::write(tmp.path().join(format!("{SWEEP}.test.yaml")), cases).unwrap();
    let run = handoff(tmp.path(), &["test"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("the-custodian.state-hub-consistency-sweep.test.yaml:4:13"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("unknown key `extra`"), "{}", run.stdout);
}

#[test]
fn without_case_files_definitions_that_never_fire_on_examples_are_noted() {
    let tmp = repo_copy();
    with_event_definition(tmp.path(), "event.attributes.stale_days > 1000", &[], "");
    let run = handoff(tmp.path(), &["test"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("info: definitions/the-custodian.goal-triage.yaml: the-custodian.goal-triage never fires on its subjects' registry examples (org.statehub.domain.goal.activated: error: no such key `stale_days`; org.statehub.task.stale: skips)"),
        "{}",
        run.stdout
    );
    with_event_definition(
        tmp.path(),
        "event.attributes.stale_days > 10 || event.attributes.priority < 3",
        &[],
        "",
    );
    let run = handoff(tmp.path(), &["test"]);
    assert!(!run.stdout.contains("info:"), "{}", run.stdout);
}

#[test]
fn generate_keeps_an_edited_case_file() {
    let tmp = repo_copy();
    let path = tmp.path().join(format!("{SWEEP}.test.yaml"));
    let edited = read(&path).replace("expect: fires", "expect: fires # reviewed");
    std::fs::write(&path, &edited).unwrap();
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(read(&path), edited);
    assert!(
        run.stdout.contains("test.yaml: kept: draft edited by hand"),
        "{}",
        run.stdout
    );
    // A deleted one comes back.
    std::fs::remove_file(&path).unwrap();
    handoff(tmp.path(), &["generate"]);
    assert!(read(&path).contains("cases:"));
}

#[test]
fn starter_case_files_validate_against_their_schema() {
    let repo = crate::common::repo();
    let schema: serde_json::Value = serde_json::from_str(&read(
        &repo.join("docs/schemas/activity-definition-test.schema.json"),
    ))
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for name in [
        "the-custodian.state-hub-consistency-sweep",
        "the-custodian.state-hub-stale-task-cleanup",
    ] {
        let text = read(&repo.join(format!("definitions/{name}.test.yaml")));
        let value = yaml_to_json(&text);
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
    let bad = yaml_to_json(
        "cases:\n  - name: x\n    trigger: {cron: now, event: x}\n    expect: maybe\n",
    );
    assert!(!validator.is_valid(&bad));
}
