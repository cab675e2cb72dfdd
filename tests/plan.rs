//! `handoff plan`: this repository (a parallel run in progress, a migration before landing),
//! fixture registries in other checklist states (blocked, missing or failing definitions), both
//! formats, and `--fail-on-blocked`.

mod common;

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
    // follow-up: at step 3; a side effect without idempotency blocks its parallel run later.
    let follow = migration(&v, "follow-up");
    assert_eq!(follow["next_step"]["key"], "subject_documented");
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
