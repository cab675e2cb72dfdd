//! `handoff plan`: this repository (a parallel run in progress, a migration before landing),
//! fixture registries in other checklist states (blocked, missing or failing definitions), both
//! formats, and `--fail-on-blocked`.

use crate::common;

use common::{copy_tree, fixture, handoff, read, repo, repo_copy};

fn json(dir: &std::path::Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["plan", "--format", "json"];
    all.extend_from_slice(args);
    let run = handoff(dir, &all);
    let v = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    (run.code, v)
}

fn migration<'v>(v: &'v serde_json::Value, name: &str) -> &'v serde_json::Value {
    v["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap()
}

#[test]
fn this_repository_during_the_parallel_run() {
    // Four days into the consistency sweep's parallel run.
    let (code, v) = json(&repo(), &["--at", "2026-11-20"]);
    assert_eq!(code, 0);
    assert_eq!(v["at"], "2026-11-20");
    let sweep = migration(&v, "consistency-sweep");
    assert_eq!(sweep["next_step"]["key"], "legacy_disabled");
    assert_eq!(sweep["blocked"], true);
    assert_eq!(sweep["blockers"][0]["step"], "legacy_disabled");
    assert!(
        sweep["blockers"][0]["message"]
            .as_str()
            .unwrap()
            .contains("4 of 7 days")
    );
    let run = &sweep["parallel_run"];
    assert_eq!(run["start"], "2026-11-16");
    assert_eq!(run["earliest_disable"], "2026-11-23");
    assert_eq!(run["days_elapsed"], 4);
    // */15 on both sides for seven days: 96 a day, every one in the same minute.
    assert_eq!(
        (
            run["legacy_fires"].as_u64(),
            run["definition_fires"].as_u64(),
            run["same_minute"].as_u64()
        ),
        (Some(672), Some(672), Some(672))
    );
    assert_eq!(sweep["steps"][5]["state"], "running");
    assert_eq!(sweep["definition"]["state"], "valid");

    let cleanup = migration(&v, "stale-task-cleanup");
    assert_eq!(cleanup["next_step"]["number"], 5);
    assert_eq!(cleanup["blocked"], false);
    assert_eq!(v["summary"]["blocked"], 1);

    // --fail-on-blocked turns a blocked migration into exit 1; a week later nothing blocks.
    assert_eq!(
        handoff(
            &repo(),
            &["plan", "--at", "2026-11-20", "--fail-on-blocked"]
        )
        .code,
        1
    );
    let (code, later) = json(&repo(), &["--at", "2026-11-26", "--fail-on-blocked"]);
    assert_eq!(code, 0);
    assert_eq!(migration(&later, "consistency-sweep")["blocked"], false);
}

#[test]
fn human_output_is_a_table_per_migration() {
    let run = handoff(&repo(), &["plan", "--at", "2026-11-20"]);
    assert_eq!(run.code, 0);
    let out = &run.stdout;
    assert!(
        out.starts_with("Cutover plan at 2026-11-20 (2 migrations)"),
        "{out}"
    );
    assert!(out.contains("consistency-sweep → the-custodian.state-hub-consistency-sweep"));
    assert!(out.contains("   6  Old cron and new definition run in parallel for one week (both idempotent)  running   2026-11-16"), "{out}");
    assert!(out.contains("parallel run: started 2026-11-16, 4 of 7 days so far; legacy may be disabled from 2026-11-23"), "{out}");
    assert!(
        out.contains("legacy 672, definition 672, in the same minute 672"),
        "{out}"
    );
    assert!(out.contains("blocked at step 7:"), "{out}");
    assert!(out.contains("1 of 2 migrations blocked"), "{out}");
}

#[test]
fn the_default_date_is_today() {
    // The CLI tests pin "now" to 2026-11-26.
    let (_, v) = json(&repo(), &[]);
    assert_eq!(v["at"], common::NOW[..10]);
}

#[test]
fn blockers_of_a_fixture_registry() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("snapshot"), tmp.path());
    assert_eq!(handoff(tmp.path(), &["generate"]).code, 0);
    let (_, v) = json(tmp.path(), &["--at", "2026-10-22"]);
    // follow-up: step 3 has no date, but its subject is registered and the generated document
    // is current, so the evidence verifies it and step 4 is next; a side effect without
    // idempotency blocks its parallel run later.
    let follow = migration(&v, "follow-up");
    assert_eq!(follow["steps"][2]["evidence"]["kind"], "verified");
    assert_eq!(follow["next_step"]["key"], "publish_wired");
    assert_eq!(follow["blocked"], false);
    let blockers = follow["blockers"].as_array().unwrap();
    assert!(
        blockers.iter().any(|b| b["step"] == "parallel_run"
            && b["message"]
                .as_str()
                .unwrap()
                .contains("`notify` (by the legacy job) has no idempotency declaration")),
        "{blockers:?}"
    );
    assert!(follow["parallel_run"].is_null());
    // nightly: two days into its parallel run in Europe/Berlin, across the fall-back night of
    // 2026-10-25, when 02:30 happens twice but a fixed-time job runs once.
    let nightly = migration(&v, "nightly");
    assert_eq!(nightly["blocked"], true);
    let run = &nightly["parallel_run"];
    assert_eq!(
        (
            run["legacy_fires"].as_u64(),
            run["definition_fires"].as_u64(),
            run["same_minute"].as_u64()
        ),
        (Some(7), Some(7), Some(7))
    );
}

#[test]
fn a_spring_forward_gap_counts_one_run_per_missed_fixed_minute() {
    // cronie's catch-up after the 2027-03-28 jump in Europe/Berlin (02:00 -> 03:00) starts
    // `0,30 2 * * *` twice, right after the jump; the definition's schedule is read the same way.
    // The week 2027-03-24..31 therefore has 14 fires on each side, all in the same minute.
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("snapshot"), tmp.path());
    let path = tmp.path().join("subjects.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace(
            "schedule = \"30 2 * * *\"\ntimezone = \"Europe/Berlin\"",
            "schedule = \"0,30 2 * * *\"\ntimezone = \"Europe/Berlin\"",
        )
        .replace(
            "cron = \"30 2 * * *\"\ntimezone = \"Europe/Berlin\"",
            "cron = \"0,30 2 * * *\"\ntimezone = \"Europe/Berlin\"",
        )
        .replace("parallel_run = 2026-10-20", "parallel_run = 2027-03-24");
    assert!(text.contains("0,30 2 * * *") && text.contains("2027-03-24"));
    std::fs::write(&path, text).unwrap();
    assert_eq!(handoff(tmp.path(), &["generate"]).code, 0);
    let (_, v) = json(tmp.path(), &["--at", "2027-03-26"]);
    let run = &migration(&v, "nightly")["parallel_run"];
    assert_eq!(
        (
            run["legacy_fires"].as_u64(),
            run["definition_fires"].as_u64(),
            run["same_minute"].as_u64()
        ),
        (Some(14), Some(14), Some(14)),
        "{run}"
    );
}

#[test]
fn a_missing_or_failing_definition_blocks_landing() {
    let tmp = repo_copy();
    let cleanup = tmp
        .path()
        .join("definitions/the-custodian.state-hub-stale-task-cleanup.yaml");
    std::fs::write(
        &cleanup,
        read(&cleanup).replace("kind: ActivityDefinition", "kind: Activity"),
    )
    .unwrap();
    let (_, v) = json(tmp.path(), &["--at", "2026-11-26"]);
    let m = migration(&v, "stale-task-cleanup");
    assert_eq!(m["definition"]["state"], "invalid");
    assert_eq!(m["blocked"], true);
    assert!(
        m["blockers"][0]["message"]
            .as_str()
            .unwrap()
            .contains("fails validation"),
        "{m:#}"
    );

    std::fs::remove_file(&cleanup).unwrap();
    let (code, v) = json(tmp.path(), &["--at", "2026-11-26", "--fail-on-blocked"]);
    assert_eq!(code, 1);
    let m = migration(&v, "stale-task-cleanup");
    assert_eq!(m["definition"]["state"], "missing");
    assert!(
        m["blockers"][0]["message"]
            .as_str()
            .unwrap()
            .contains("is missing"),
        "{m:#}"
    );
}

#[test]
fn a_bad_date_is_a_usage_error() {
    assert_eq!(handoff(&repo(), &["plan", "--at", "next tuesday"]).code, 2);
}

/// The plan fixture: one migration in each checklist state, planned at 2026-11-24.
const STATES: &str = "tests/fixtures/plan/subjects.toml";

/// Compares with a committed expectation; `UPDATE_EXPECT=1` rewrites it instead.
fn expect(name: &str, actual: &str) {
    let path = fixture("plan/expected").join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    assert_eq!(actual, read(&path), "{name} (UPDATE_EXPECT=1 rewrites it)");
}

#[test]
fn each_checklist_state_in_both_formats() {
    let human = handoff(
        &repo(),
        &["--registry", STATES, "plan", "--at", "2026-11-24"],
    );
    assert_eq!(human.code, 0, "{}", human.stderr);
    expect("plan.txt", &human.stdout);
    let run = handoff(
        &repo(),
        &[
            "--registry",
            STATES,
            "plan",
            "--at",
            "2026-11-24",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    expect("plan.json", &run.stdout);

    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let state = |name: &str| {
        let m = migration(&v, name);
        (
            m["next_step"]["number"].as_u64(),
            m["blocked"].as_bool().unwrap(),
            m["definition"]["state"].as_str().unwrap().to_string(),
        )
    };
    let blocking = |name: &str| -> Vec<String> {
        migration(&v, name)["blockers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["blocks_next_step"] == true)
            .map(|b| b["message"].as_str().unwrap().to_string())
            .collect()
    };
    // Just imported: step 1, no side effects declared.
    assert_eq!(state("fresh-import"), (Some(1), true, "valid".into()));
    assert!(blocking("fresh-import")[0].contains("no side effects are declared"));
    // An event upgrade waiting for its subject; its definition fails validation for the same
    // reason, and its side effects are not ready for a parallel run.
    assert_eq!(state("event-upgrade"), (Some(3), true, "invalid".into()));
    assert_eq!(
        blocking("event-upgrade"),
        ["event trigger `org.statehub.repo.archived` is not a registered subject"]
    );
    let later = migration(&v, "event-upgrade")["blockers"].to_string();
    assert!(later.contains("`open-ticket` (by both sides) is not idempotent"));
    assert!(
        later.contains("`log` (by the legacy job) is declared idempotent but names no mechanism")
    );
    // Ready to land, without its definition file.
    assert_eq!(
        state("definition-missing"),
        (Some(5), true, "missing".into())
    );
    // Four days into the parallel run, across no DST change: one fire a day on each side.
    assert_eq!(state("parallel-run"), (Some(7), true, "valid".into()));
    let run = &migration(&v, "parallel-run")["parallel_run"];
    assert_eq!(run["start"], "2026-11-20");
    assert_eq!(run["earliest_disable"], "2026-11-27");
    assert_eq!(run["days_elapsed"], 4);
    assert_eq!(
        (
            run["legacy_fires"].as_u64(),
            run["definition_fires"].as_u64(),
            run["same_minute"].as_u64()
        ),
        (Some(7), Some(7), Some(7))
    );
    // The week is over: nothing blocks disabling; */10 and */15 meet twice an hour.
    assert_eq!(state("ready-to-disable"), (Some(7), false, "valid".into()));
    let run = &migration(&v, "ready-to-disable")["parallel_run"];
    assert_eq!(
        (
            run["legacy_fires"].as_u64(),
            run["definition_fires"].as_u64(),
            run["same_minute"].as_u64()
        ),
        (Some(1008), Some(672), Some(336))
    );
    // Recorded as disabled two days in: every step is done, and that record blocks.
    assert_eq!(state("disabled-too-early"), (None, true, "valid".into()));
    assert!(blocking("disabled-too-early")[0].contains("2 days into the parallel run"));
    assert!(migration(&v, "disabled-too-early")["parallel_run"]["legacy_fires"].is_null());
    // Done.
    assert_eq!(state("complete"), (None, false, "valid".into()));
    assert_eq!(v["summary"]["blocked"], 5);

    let ci = handoff(
        &repo(),
        &[
            "--registry",
            STATES,
            "plan",
            "--at",
            "2026-11-24",
            "--fail-on-blocked",
        ],
    );
    assert_eq!(ci.code, 1);
}

#[test]
fn a_parallel_run_that_has_not_started_yet() {
    let (_, v) = json(&repo(), &["--at", "2026-11-13"]);
    let sweep = migration(&v, "consistency-sweep");
    assert_eq!(sweep["parallel_run"]["days_elapsed"], -3);
    assert!(
        sweep["blockers"][0]["message"]
            .as_str()
            .unwrap()
            .contains("recorded to start on 2026-11-16, 3 days after 2026-11-13")
    );
    let human = handoff(&repo(), &["plan", "--at", "2026-11-13"]);
    assert!(
        human.stdout.contains(
            "parallel run: starts 2026-11-16 (in 3 days); legacy may be disabled from 2026-11-23"
        ),
        "{}",
        human.stdout
    );
}

#[test]
fn other_registry_errors_still_stop_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("plan"), tmp.path());
    let registry = tmp.path().join("subjects.toml");
    std::fs::write(
        &registry,
        read(&registry).replace("schedule = \"0 5 * * *\"", "schedule = \"0 25 * * *\""),
    )
    .unwrap();
    let run = handoff(tmp.path(), &["plan", "--at", "2026-11-24"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("error[cron-out-of-range]"),
        "{}",
        run.stderr
    );
}
