//! Rules that run: `handoff test` (rule test cases), starter case files from generate,
//! `handoff simulate` (counts against `plan`) and `handoff tap --match` on a private nats-server.

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

/// For every migration whose parallel run plan counts, simulate over that week (from 00:00 in
/// the legacy job's zone) and compare the counts.
fn simulate_matches_plan(dir: &std::path::Path) -> usize {
    let plan = handoff(dir, &["plan", "--at", "2026-11-24", "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_str(&plan.stdout).expect("plan json");
    let mut compared = 0;
    for m in plan["migrations"].as_array().unwrap() {
        let run = &m["parallel_run"];
        if run.is_null() || run["legacy_fires"].is_null() {
            continue;
        }
        let tz = m["legacy"]["timezone"].as_str().unwrap();
        let tz = jiff::tz::TimeZone::get(tz).unwrap();
        let start: jiff::civil::Date = run["start"].as_str().unwrap().parse().unwrap();
        let end: jiff::civil::Date = run["earliest_disable"].as_str().unwrap().parse().unwrap();
        let at = |d: jiff::civil::Date| {
            d.to_zoned_datetime(tz.clone())
                .unwrap()
                .timestamp()
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        };
        let sim = handoff(
            dir,
            &[
                "simulate",
                "--from",
                &at(start),
                "--to",
                &at(end),
                "--format",
                "json",
            ],
        );
        assert_eq!(sim.code, 0, "{}", sim.stderr);
        let sim: serde_json::Value = serde_json::from_str(&sim.stdout).unwrap();
        let name = m["name"].as_str().unwrap();
        let counts = sim["migrations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["migration"] == name)
            .unwrap_or_else(|| panic!("{name} in {sim}"));
        // A legacy job recorded as disabled inside the week stops there in the simulation;
        // plan counts the whole week.
        let disabled = m["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|st| st["key"] == "legacy_disabled")
            .and_then(|st| st["date"].as_str());
        if disabled.is_some_and(|d| d < run["earliest_disable"].as_str().unwrap()) {
            continue;
        }
        for key in ["legacy_fires", "definition_fires", "same_minute"] {
            assert_eq!(counts[key], run[key], "{name}: {key}");
        }
        // The timeline holds exactly those fires, the doubles marked.
        let entries = sim["entries"].as_array().unwrap();
        let of = |kind: &str, double: bool| {
            entries
                .iter()
                .filter(|e| {
                    e["migration"] == name && e["kind"] == kind && (!double || e["double"] == true)
                })
                .count()
        };
        // (A definition triggered by events only has no fires: `null` in plan.)
        let n = |key: &str| run[key].as_u64().unwrap_or(0) as usize;
        assert_eq!(of("legacy", false), n("legacy_fires"), "{name}");
        assert_eq!(of("definition", false), n("definition_fires"), "{name}");
        assert_eq!(of("definition", true), n("same_minute"), "{name}");
        compared += 1;
    }
    compared
}

#[test]
fn simulate_counts_match_plan_on_this_repository() {
    let tmp = repo_copy();
    assert_eq!(simulate_matches_plan(tmp.path()), 1);
    let run = handoff(
        tmp.path(),
        &["simulate", "--from", "2026-11-16", "--to", "2026-11-23"],
    );
    assert_eq!(run.code, 0);
    let s = &run.stdout;
    assert!(
        s.contains("consistency-sweep → the-custodian.state-hub-consistency-sweep: legacy 672, definition 672, in the same minute 672"),
        "{s}"
    );
    assert!(
        s.contains("\n2026-11-16 Mon: 97 legacy, 97 definition fires, 97 double\n"),
        "{s}"
    );
    assert!(
        s.contains("  00:15  legacy      consistency-sweep  `*/15 * * * *` (UTC)  DOUBLE\n"),
        "{s}"
    );
    assert!(s.contains("  00:15  definition  the-custodian.state-hub-consistency-sweep  cron `*/15 * * * *`: skips: missing-context (`state-hub.health` is absent)  DOUBLE\n"), "{s}");
}

#[test]
fn simulate_counts_match_plan_on_the_plan_fixture() {
    let tmp = tempfile::tempdir().unwrap();
    crate::common::copy_tree(&crate::common::fixture("plan"), tmp.path());
    // parallel-run (Europe/Berlin), ready-to-disable (*/10 against */15: 336 of 1008 legacy
    // fires share a minute) and complete; the others have no legacy schedule or no parallel run.
    assert_eq!(simulate_matches_plan(tmp.path()), 3);
}

#[test]
fn simulate_evaluates_rules_with_contexts_and_follows_dst() {
    let tmp = repo_copy();
    let run = handoff(
        tmp.path(),
        &[
            "simulate",
            "--from",
            "2026-11-16T02:00:00Z",
            "--to",
            "2026-11-16T04:00:00Z",
            "--context",
            r#"state-hub.health={"status":"ok"}"#,
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["summary"]["definition_fires"], 9, "{v}");
    assert_eq!(v["summary"]["definition_runs"], 9);
    // A Berlin-time legacy schedule across the spring-forward night: 02:30 does not exist, so
    // cronie runs it right after the jump (03:00 CEST = 01:00Z).
    let reg = read(&tmp.path().join("subjects.toml")).replace(
        "schedule = \"0 3 * * *\"\ntimezone = \"UTC\"",
        "schedule = \"30 2 * * *\"\ntimezone = \"Europe/Berlin\"",
    );
    assert!(reg.contains("Europe/Berlin"), "the registry changed shape");
    std::fs::write(tmp.path().join("subjects.toml"), reg).unwrap();
    let run = handoff(
        tmp.path(),
        &[
            "simulate",
            "--from",
            "2027-03-28T00:00:00Z",
            "--to",
            "2027-03-29T00:00:00Z",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let legacy: Vec<&str> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "legacy" && e["migration"] == "stale-task-cleanup")
        .map(|e| e["at"].as_str().unwrap())
        .collect();
    assert_eq!(legacy, vec!["2027-03-28T01:00:00Z"]);
}

#[test]
fn simulate_replays_recorded_events() {
    let tmp = repo_copy();
    with_event_definition(tmp.path(), "event.attributes.stale_days >= 30", &[], "");
    let events = [
        r#"{"seq":1,"subject":"org.statehub.task.stale","id":"e4b1a7c9-2d3f-4c6e-9a8b-0f1d2c3b4a56","ok":true,"problems":[],"event":{"id":"e4b1a7c9-2d3f-4c6e-9a8b-0f1d2c3b4a56","type":"org.statehub.task.stale","version":"1.0","timestamp":"2026-11-16T10:00:00Z","publisher":"state-hub","attributes":{"task_id":"e4b1a7c9-2d3f-4c6e-9a8b-0f1d2c3b4a56","last_activity_at":"2026-10-12T13:20:00Z","stale_days":45}}}"#,
        r#"{"seq":2,"subject":"org.statehub.task.stale","id":"e4b1a7c9-2d3f-4c6e-9a8b-0f1d2c3b4a57","ok":true,"problems":[],"event":{"id":"e4b1a7c9-2d3f-4c6e-9a8b-0f1d2c3b4a57","type":"org.statehub.task.stale","version":"1.0","timestamp":"2026-11-16T11:00:00Z","publisher":"state-hub","attributes":{"task_id":"e4b1a7c9-2d3f-4c6e-9a8b-0f1d2c3b4a57","last_activity_at":"2026-10-12T13:20:00Z","stale_days":3}}}"#,
        r#"{"seq":3,"subject":"org.statehub.task.stale","id":null,"ok":false,"problems":[]}"#,
        "not json",
    ];
    std::fs::write(tmp.path().join("events.jsonl"), events.join("\n")).unwrap();
    let run = handoff(
        tmp.path(),
        &[
            "simulate",
            "--from",
            "2026-11-16T09:00:00Z",
            "--to",
            "2026-11-16T12:00:00Z",
            "--events",
            "events.jsonl",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let s = &run.stdout;
    assert!(s.contains("  10:00  definition  the-custodian.goal-triage  event org.statehub.task.stale e4b1a7c9-2d3f-4c6e-9a8b-0f1d2c3b4a56: fires\n"), "{s}");
    assert!(s.contains("  11:00  definition  the-custodian.goal-triage  event org.statehub.task.stale e4b1a7c9-2d3f-4c6e-9a8b-0f1d2c3b4a57: skips\n"), "{s}");
    assert!(s.contains("note: events line 3: no envelope"), "{s}");
    assert!(s.contains("note: events line 4: not JSON"), "{s}");
}

#[test]
fn simulate_usage_errors_exit_2() {
    let tmp = repo_copy();
    for args in [
        &["simulate", "--from", "yesterday", "--to", "2026-11-23"][..],
        &["simulate", "--from", "2026-11-23", "--to", "2026-11-16"],
        &["simulate", "--from", "2026-01-01", "--to", "2028-01-01"],
        &[
            "simulate",
            "--from",
            "2026-11-16",
            "--to",
            "2026-11-17",
            "--context",
            "novalue",
        ],
    ] {
        assert_eq!(handoff(tmp.path(), args).code, 2, "{args:?}");
    }
}

const REPO_RULE: &str = r#"apiVersion: activity-core/v1
kind: ActivityDefinition
metadata:
  name: the-custodian.repo-onboarding
trigger:
  events:
    - org.statehub.repo.registered
rule:
  when: 'context["state-hub.health"].status == "ok" && event.attributes.slug.startsWith("the-custodian/")'
  requires:
    - state-hub.health
instruction:
  shell:
    command: echo onboard
"#;

#[test]
fn tap_match_lists_the_definitions_each_published_event_fires() {
    let server = crate::support::NatsServer::start();
    let url = server.url();
    let tmp = repo_copy();
    with_event_definition(
        tmp.path(),
        "(has(event.attributes.priority) && event.attributes.priority <= 2) || (has(event.attributes.stale_days) && event.attributes.stale_days >= 30)",
        &[],
        "",
    );
    std::fs::write(
        tmp.path()
            .join("definitions/the-custodian.repo-onboarding.yaml"),
        REPO_RULE,
    )
    .unwrap();
    let task = |days: &'static str| {
        vec![
            "publish",
            "org.statehub.task.stale",
            "--attr",
            "task_id=e4b1a7c9-2d3f-4c6e-9a8b-0f1d2c3b4a56",
            "--attr",
            "last_activity_at=2026-10-12T13:20:00Z",
            "--attr",
            days,
        ]
    };
    let publishes: Vec<Vec<&str>> = vec![
        task("stale_days=45"),
        task("stale_days=3"),
        vec![
            "publish",
            "org.statehub.domain.goal.activated",
            "--attr",
            "goal_id=3f7a9c2d-6e1b-4d85-8a0f-b4c6e2d9a157",
            "--attr",
            "domain=custodian",
            "--attr",
            "title=x",
            "--attr",
            "activated_at=2026-11-03T08:00:00Z",
        ],
        vec![
            "publish",
            "org.statehub.repo.registered",
            "--attr",
            "repo_id=5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91",
            "--attr",
            "slug=the-custodian/state-hub",
            "--attr",
            "registered_at=2026-11-02T09:14:27Z",
        ],
    ];
    for mut args in publishes {
        args.extend(["--server", &url]);
        let r = handoff(tmp.path(), &args);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    }
    let ok = r#"state-hub.health={"status":"ok"}"#;
    let tap = |extra: &[&str]| {
        let mut args = vec![
            "tap",
            "--match",
            "--count",
            "4",
            "--timeout",
            "5s",
            "--server",
            &url,
        ];
        args.extend(extra);
        handoff(tmp.path(), &args)
    };
    let run = tap(&["--context", ok]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 9, "{}", run.stdout);
    assert!(
        lines[0].starts_with("#1 ok org.statehub.task.stale "),
        "{}",
        run.stdout
    );
    assert_eq!(lines[1], "  → fires: the-custodian.goal-triage");
    assert_eq!(lines[3], "  → skips: the-custodian.goal-triage");
    assert_eq!(lines[5], "  → skips: the-custodian.goal-triage");
    assert_eq!(lines[7], "  → fires: the-custodian.repo-onboarding");

    // Without the context, the rule that requires it skips cleanly; json carries the same.
    let run = tap(&["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let events: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 4);
    assert_eq!(
        events[0]["matches"],
        serde_json::json!([{"definition": "the-custodian.goal-triage", "outcome": "fires"}])
    );
    assert_eq!(
        events[3]["matches"],
        serde_json::json!([{"definition": "the-custodian.repo-onboarding", "outcome": "skips: missing-context", "message": "state-hub.health"}])
    );
    assert_eq!(events[0]["event"]["attributes"]["stale_days"], 45);

    // What tap recorded replays in simulate.
    std::fs::write(tmp.path().join("recorded.jsonl"), &run.stdout).unwrap();
    let ts = events[0]["event"]["timestamp"].as_str().unwrap();
    let day: String = ts[..10].to_string();
    let next: jiff::civil::Date = day
        .parse::<jiff::civil::Date>()
        .unwrap()
        .tomorrow()
        .unwrap();
    let sim = handoff(
        tmp.path(),
        &[
            "simulate",
            "--from",
            &day,
            "--to",
            &next.to_string(),
            "--events",
            "recorded.jsonl",
            "--context",
            ok,
            "--format",
            "json",
        ],
    );
    assert_eq!(sim.code, 0, "{}", sim.stderr);
    let v: serde_json::Value = serde_json::from_str(&sim.stdout).unwrap();
    let fired: Vec<&str> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["trigger"] == "event" && e["outcome"] == "fires")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        fired,
        ["the-custodian.goal-triage", "the-custodian.repo-onboarding"]
    );
}

#[test]
fn tap_context_without_match_is_a_usage_error() {
    let tmp = repo_copy();
    let r = handoff(
        tmp.path(),
        &["tap", "--context", "a=1", "--server", "nats://127.0.0.1:1"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn a_rule_that_cannot_be_evaluated_is_a_positioned_error() {
    let tmp = repo_copy();
    let cases =
        "cases:\n  - name: any\n    trigger: {event: org.statehub.task.stale}\n    expect: fires\n";
    with_event_definition(tmp.path(), "event.attributes.stale_days >", &[], cases);
    let run = handoff(tmp.path(), &["test"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    // `  when: '` is 9 columns: the expression starts at column 10, the error at its end.
    assert!(
        run.stdout
            .contains("definitions/the-custodian.goal-triage.yaml:10:"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("`rule.when` cannot be evaluated"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("invalid case: the rule cannot be evaluated"),
        "{}",
        run.stdout
    );
}
