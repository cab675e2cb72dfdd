//! `plan` takes its evidence from code and hosts: a legacy job still installed after its
//! recorded disable date blocks (crontab and systemd); step 4 is verified only by a clean audit
//! of the example publisher; step 8 reads the scope document.

use std::path::Path;

use crate::common::{copy_tree, handoff, read, repo, repo_copy};

/// This repository's registry, generated files and example publisher, in a temporary folder.
fn project() -> tempfile::TempDir {
    let tmp = repo_copy();
    copy_tree(
        &repo().join("examples/state-hub"),
        &tmp.path().join("examples/state-hub"),
    );
    tmp
}

fn edit(path: &Path, old: &str, new: &str) {
    let text = read(path);
    assert!(text.contains(old), "{} lacks {old:?}", path.display());
    std::fs::write(path, text.replacen(old, new, 1)).unwrap();
}

fn plan_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["plan", "--at", "2026-11-26", "--format", "json"];
    args.extend_from_slice(extra);
    let run = handoff(dir, &args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn migration<'v>(v: &'v serde_json::Value, name: &str) -> &'v serde_json::Value {
    v["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap()
}

fn step(m: &serde_json::Value, number: usize) -> &serde_json::Value {
    &m["steps"][number - 1]
}

#[test]
fn a_legacy_job_still_in_the_crontab_after_its_disable_date_blocks() {
    let tmp = project();
    // The sweep is recorded as disabled on 2026-11-24, after its week of parallel run.
    edit(
        &tmp.path().join("subjects.toml"),
        "parallel_run = 2026-11-16\n",
        "parallel_run = 2026-11-16\nlegacy_disabled = 2026-11-24\n",
    );
    let crontab = tmp.path().join("crontab");
    std::fs::write(
        &crontab,
        "MAILTO=ops\n*/15 * * * * cd /srv/state-hub && .venv/bin/python scripts/consistency_check.py\n",
    )
    .unwrap();
    let v = plan_json(tmp.path(), &["--crontab", "crontab"]);
    let sweep = migration(&v, "consistency-sweep");
    assert_eq!(sweep["blocked"], true, "{sweep:#}");
    assert_eq!(step(sweep, 7)["evidence"]["kind"], "failed");
    let blocker = sweep["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["step"] == "legacy_disabled")
        .expect("a step 7 blocker");
    let message = blocker["message"].as_str().unwrap();
    assert!(
        message.contains("recorded as done on 2026-11-24")
            && message.contains("still installed (crontab:2)"),
        "{message}"
    );
    let ci = handoff(
        tmp.path(),
        &[
            "plan",
            "--at",
            "2026-11-26",
            "--crontab",
            "crontab",
            "--fail-on-blocked",
        ],
    );
    assert_eq!(ci.code, 1, "{}", ci.stdout);
    assert!(
        ci.stdout
            .contains("NOT verified: the legacy job is still installed (crontab:2)"),
        "{}",
        ci.stdout
    );

    // Gone from the crontab: verified, nothing blocks.
    std::fs::write(&crontab, "MAILTO=ops\n").unwrap();
    let v = plan_json(tmp.path(), &["--crontab", "crontab"]);
    let sweep = migration(&v, "consistency-sweep");
    assert_eq!(step(sweep, 7)["evidence"]["kind"], "verified", "{sweep:#}");
    assert_eq!(sweep["blocked"], false, "{sweep:#}");
    // Not recorded as disabled, and gone before the week is over (at 2026-11-20, four days
    // in): not done, a blocker.
    edit(
        &tmp.path().join("subjects.toml"),
        "legacy_disabled = 2026-11-24\n",
        "",
    );
    let run = handoff(
        tmp.path(),
        &[
            "plan",
            "--at",
            "2026-11-20",
            "--format",
            "json",
            "--crontab",
            "crontab",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let sweep = migration(&v, "consistency-sweep");
    assert_ne!(step(sweep, 7)["state"], "done", "{sweep:#}");
    assert!(
        sweep["blockers"].as_array().unwrap().iter().any(|b| b["message"]
            .as_str()
            .unwrap()
            .contains("not installed in the crontabs given, but the parallel run started on 2026-11-16 has lasted 4 of 7 days")),
        "{sweep:#}"
    );
    // Without host evidence a pending step has nothing to show, and a recorded date is only
    // declared.
    let v = plan_json(tmp.path(), &[]);
    assert!(step(migration(&v, "consistency-sweep"), 7)["evidence"].is_null());
    edit(
        &tmp.path().join("subjects.toml"),
        "parallel_run = 2026-11-16\n",
        "parallel_run = 2026-11-16\nlegacy_disabled = 2026-11-24\n",
    );
    let v = plan_json(tmp.path(), &[]);
    assert_eq!(
        step(migration(&v, "consistency-sweep"), 7)["evidence"]["kind"],
        "declared"
    );
}

#[test]
fn a_systemd_timer_is_looked_for_in_the_unit_folder() {
    let tmp = project();
    let units = tmp.path().join("units");
    std::fs::create_dir_all(units.join("timers.target.wants")).unwrap();
    std::fs::write(
        units.join("timers.target.wants/statehub-stale-task-cleanup.timer"),
        "[Timer]\nOnCalendar=*-*-* 03:00:00\n",
    )
    .unwrap();
    let v = plan_json(tmp.path(), &["--systemd-dir", "units"]);
    let cleanup = migration(&v, "stale-task-cleanup");
    let e = &step(cleanup, 7)["evidence"];
    assert_eq!(e["kind"], "failed", "{cleanup:#}");
    assert!(
        e["by"]
            .as_str()
            .unwrap()
            .contains("units/timers.target.wants/statehub-stale-task-cleanup.timer"),
        "{e}"
    );
    // Not recorded as disabled yet: evidence, but no blocker.
    assert!(
        !cleanup["blockers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["step"] == "legacy_disabled"),
        "{cleanup:#}"
    );
    std::fs::remove_dir_all(units.join("timers.target.wants")).unwrap();
    let v = plan_json(tmp.path(), &["--systemd-dir", "units"]);
    let cleanup = migration(&v, "stale-task-cleanup");
    assert_eq!(
        step(cleanup, 7)["evidence"]["kind"],
        "verified",
        "{cleanup:#}"
    );
}

#[test]
fn publish_wired_is_verified_only_by_a_clean_audit() {
    let tmp = project();
    let v = plan_json(tmp.path(), &[]);
    let cleanup = migration(&v, "stale-task-cleanup");
    assert_eq!(step(cleanup, 3)["evidence"]["kind"], "verified");
    let e = &step(cleanup, 4)["evidence"];
    assert_eq!(e["kind"], "verified", "{cleanup:#}");
    assert!(
        e["by"]
            .as_str()
            .unwrap()
            .contains("scripts/cleanup_stale_tasks.py:cancel_stale_task after commit"),
        "{e}"
    );
    assert_eq!(cleanup["blocked"], false);

    // The script now publishes before it commits: the recorded date is contradicted.
    let script = tmp
        .path()
        .join("examples/state-hub/scripts/cleanup_stale_tasks.py");
    edit(
        &script,
        "    task.status = \"canceled\"\n    await session.commit()\n",
        "    task.status = \"canceled\"\n",
    );
    edit(
        &script,
        "        stale_days=(now - last).days,\n    )\n",
        "        stale_days=(now - last).days,\n    )\n    await session.commit()\n",
    );
    let v = plan_json(tmp.path(), &[]);
    let cleanup = migration(&v, "stale-task-cleanup");
    assert_eq!(
        step(cleanup, 4)["evidence"]["kind"],
        "failed",
        "{cleanup:#}"
    );
    assert_eq!(cleanup["blocked"], true);
    let blocker = cleanup["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["step"] == "publish_wired")
        .expect("a step 4 blocker");
    let message = blocker["message"].as_str().unwrap();
    assert!(
        message.contains("recorded as done on 2026-11-10")
            && message.contains("examples/state-hub/scripts/cleanup_stale_tasks.py:")
            && message.contains("before the transaction commits"),
        "{message}"
    );
}

#[test]
fn scope_updated_reads_the_often_used_with_section() {
    let tmp = project();
    let v = plan_json(tmp.path(), &[]);
    let cleanup = migration(&v, "stale-task-cleanup");
    assert_eq!(
        step(cleanup, 8)["evidence"]["kind"],
        "verified",
        "{cleanup:#}"
    );
    assert_eq!(step(cleanup, 8)["state"], "done");
    let other = tmp.path().join("OTHER.md");
    std::fs::write(&other, "# Scope\n\n## Often used with\n\n- nothing yet\n").unwrap();
    let v = plan_json(tmp.path(), &["--scope", "OTHER.md"]);
    let cleanup = migration(&v, "stale-task-cleanup");
    let e = &step(cleanup, 8)["evidence"];
    assert_eq!(e["kind"], "failed", "{e}");
    assert!(
        e["by"]
            .as_str()
            .unwrap()
            .contains("does not mention the handoff"),
        "{e}"
    );
    assert_ne!(step(cleanup, 8)["state"], "done");
}
