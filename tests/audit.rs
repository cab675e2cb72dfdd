//! `handoff audit`: this repository's example publisher is clean; a tree with one mistake of
//! each kind gets one error each at the right file:line in every format; exit codes; `validate`
//! includes the audit; hostile files never crash it.

use std::path::Path;

use crate::common::{copy_tree, fixture, handoff, read, repo};

/// A copy of examples/state-hub with `edit(relative path, old, new)` applied.
fn example_with(edits: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("examples/state-hub"), tmp.path());
    for (file, old, new) in edits {
        let path = tmp.path().join(file);
        let text = read(&path);
        assert!(text.contains(old), "{file} does not contain {old:?}");
        std::fs::write(&path, text.replacen(old, new, 1)).unwrap();
    }
    tmp
}

fn line_of(dir: &Path, file: &str, needle: &str) -> usize {
    read(&dir.join(file))
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in {file}"))
        + 1
}

#[test]
fn the_example_publisher_is_clean() {
    let run = handoff(&repo(), &["audit", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("no problems"), "{}", run.stdout);
}

/// The five mistakes of the acceptance list, one per file.
fn five_mistakes() -> tempfile::TempDir {
    example_with(&[
        // A router publishes before it commits.
        (
            "api/routers/repos.py",
            "    session.add(repo)\n",
            "    session.add(repo)\n    await publish_repo_registered(repo_id=repo.id, slug=repo.slug, registered_at=repo.registered_at)\n",
        ),
        // A trigger-site function that never publishes.
        (
            "api/routers/workstreams.py",
            "    if completing:\n        await publish_workstream_completed(",
            "    if completing:\n        print(",
        ),
        // An un-awaited publisher.
        (
            "api/routers/decisions.py",
            "    await publish_decision_resolved(",
            "    publish_decision_resolved(",
        ),
        // An unregistered literal subject.
        (
            "api/routers/domain_goals.py",
            "    await session.commit()\n    return {\"id\": g.id}",
            "    await session.commit()\n    await statehub_events.publish_event(\"org.statehub.domain.goal.created\", {})\n    return {\"id\": g.id}",
        ),
        // A router importing temporalio.
        (
            "api/routers/domain_goals.py",
            "from typing import Optional\n",
            "from typing import Optional\n\nimport statehub_events\nfrom temporalio.client import Client\n",
        ),
    ])
}

fn expected_errors(dir: &Path) -> Vec<(String, String, usize)> {
    let mut v = vec![
        (
            "publish-before-commit",
            "api/routers/repos.py",
            line_of(dir, "api/routers/repos.py", "await publish_repo_registered"),
        ),
        (
            "publish-missing",
            "api/routers/workstreams.py",
            line_of(
                dir,
                "api/routers/workstreams.py",
                "async def update_workstream",
            ),
        ),
        (
            "publish-not-awaited",
            "api/routers/decisions.py",
            line_of(
                dir,
                "api/routers/decisions.py",
                "    publish_decision_resolved(",
            ),
        ),
        (
            "unknown-published-subject",
            "api/routers/domain_goals.py",
            line_of(dir, "api/routers/domain_goals.py", "goal.created"),
        ),
        (
            "forbidden-module",
            "api/routers/domain_goals.py",
            line_of(dir, "api/routers/domain_goals.py", "temporalio"),
        ),
    ]
    .into_iter()
    .map(|(c, f, l)| (c.to_string(), f.to_string(), l))
    .collect::<Vec<_>>();
    v.sort();
    v
}

#[test]
fn one_error_per_mistake_in_json() {
    let tree = five_mistakes();
    let src = tree.path().to_str().unwrap();
    let run = handoff(&repo(), &["audit", "--source", src, "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut found: Vec<(String, String, usize)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap();
            let rel = file.split_once(&format!("{src}/")).map_or(file, |(_, r)| r);
            (
                d["code"].as_str().unwrap().to_string(),
                rel.to_string(),
                d["line"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    found.sort();
    assert_eq!(found, expected_errors(tree.path()), "{}", run.stdout);
    assert_eq!(json["summary"]["errors"], 5);
}

#[test]
fn one_error_per_mistake_in_github_annotations() {
    let tree = five_mistakes();
    let src = tree.path().to_str().unwrap();
    let run = handoff(&repo(), &["audit", "--source", src, "--format", "github"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let annotations: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 5, "{}", run.stdout);
    for (code, file, line) in expected_errors(tree.path()) {
        let want = format!("::error file={src}/{file},line={line},");
        assert!(
            annotations
                .iter()
                .any(|a| a.starts_with(&want) && a.contains(&format!("handoff {code}::"))),
            "no {code} annotation at {file}:{line}:\n{}",
            run.stdout
        );
    }
}

#[test]
fn validate_includes_the_audit() {
    let tmp = crate::common::repo_copy();
    copy_tree(
        &repo().join("examples/state-hub"),
        &tmp.path().join("examples/state-hub"),
    );
    let clean = handoff(tmp.path(), &["validate"]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    let repos = tmp.path().join("examples/state-hub/api/routers/repos.py");
    let text = read(&repos).replace(
        "    await publish_repo_registered(",
        "    publish_repo_registered(",
    );
    std::fs::write(&repos, text).unwrap();
    let run = handoff(tmp.path(), &["validate", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("\"publish-not-awaited\""),
        "{}",
        run.stdout
    );
    // Without the source folder, validate does what it did before.
    std::fs::remove_dir_all(tmp.path().join("examples/state-hub")).unwrap();
    let run = handoff(tmp.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn exit_codes() {
    // No `[source]` and no --source: a usage error.
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("base"), tmp.path());
    let run = handoff(tmp.path(), &["audit"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("--source"), "{}", run.stderr);
    // A source folder that does not exist: the tool cannot run.
    let run = handoff(tmp.path(), &["audit", "--source", "no/such/dir"]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    // Warnings fail only with --deny-warnings.
    let tree = example_with(&[(
        "api/routers/repos.py",
        "    return {\"id\": repo.id, \"slug\": repo.slug}",
        "    await statehub_events.publish_event(SUBJECT, {})\n    return {\"id\": repo.id, \"slug\": repo.slug}",
    )]);
    let src = tree.path().to_str().unwrap();
    let run = handoff(&repo(), &["audit", "--source", src]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("unverifiable-subject"),
        "{}",
        run.stdout
    );
    let run = handoff(&repo(), &["audit", "--source", src, "--deny-warnings"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn hostile_files_are_diagnostics() {
    let tree = tempfile::tempdir().unwrap();
    let dir = tree.path().join("api/routers");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("repos.py"), format!("x = {}", "[".repeat(200_000))).unwrap();
    std::fs::write(dir.join("workstreams.py"), [0xff, 0xfe, 0x00, b'(']).unwrap();
    std::fs::write(
        dir.join("decisions.py"),
        "async def resolve_decision_action(:\n",
    )
    .unwrap();
    let run = handoff(
        &repo(),
        &[
            "audit",
            "--source",
            tree.path().to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"python-syntax"), "{codes:?}");
    assert!(codes.contains(&"io"), "{codes:?}");
    // The unreadable and unparsable trigger-site files are not also "missing" their functions.
    let missing: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "trigger-site-missing")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(
        missing
            .iter()
            .all(|m| m.contains("domain_goals.py") || m.contains("cleanup_stale_tasks.py")),
        "{missing:?}"
    );
}

/// A tree of its own: the base registry with `[source]` options.
fn small_tree(source_toml: &str, repos_py: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("cases/publish-missing/good"), tmp.path());
    let reg = read(&tmp.path().join("subjects.toml"));
    let reg = reg.replace("[source]\nroot = \"service\"\n", source_toml);
    std::fs::write(tmp.path().join("subjects.toml"), reg).unwrap();
    std::fs::write(tmp.path().join("service/api/routers/repos.py"), repos_py).unwrap();
    tmp
}

const IMPORT_REPOS: &str = "from statehub_events import publish_repo_registered\n\n\n\
async def register_repo(body, db):\n    await db.save(body)\n    await publish_repo_registered(slug=body.slug)\n\n\n\
async def import_repos(bodies, db):\n    for body in bodies:\n        await db.save(body)\n        await publish_repo_registered(slug=body.slug)\n";

fn codes(dir: &Path) -> Vec<String> {
    let run = handoff(dir, &["audit", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {}", d["code"].as_str().unwrap(), d["line"]))
        .collect()
}

#[test]
fn commit_calls_and_extra_sites_come_from_the_registry() {
    // `db.save` is not a commit by default: both publishes come before any commit, and
    // import_repos publishes outside the trigger site.
    let tree = small_tree("[source]\nroot = \"service\"\n", IMPORT_REPOS);
    assert_eq!(
        codes(tree.path()),
        [
            "publish-before-commit 6",
            "publish-before-commit 12",
            "published-elsewhere 12"
        ]
    );
    // `db.save` declared a commit call (besides `<x>.commit()`, which workstreams.py uses), and
    // import_repos listed as a further site: clean.
    let tree = small_tree(
        "[source]\nroot = \"service\"\ncommit = [\"commit\", \"db.save\"]\n\n[source.extra_sites]\n\
         \"org.statehub.repo.registered\" = [\"api/routers/repos.py:import_repos\"]\n",
        IMPORT_REPOS,
    );
    assert_eq!(codes(tree.path()), Vec::<String>::new());
    // A forbidden module of the registry's own, besides temporalio.
    let tree = small_tree(
        "[source]\nroot = \"service\"\ncommit = [\"commit\", \"db.save\"]\nforbidden_modules = [\"celery\"]\n\n\
         [source.extra_sites]\n\"org.statehub.repo.registered\" = [\"api/routers/repos.py:import_repos\"]\n",
        &format!("import celery.app\n{IMPORT_REPOS}"),
    );
    assert_eq!(codes(tree.path()), ["forbidden-module 1"]);
}

#[test]
fn source_table_mistakes_are_registry_diagnostics() {
    let tree = small_tree(
        "[source]\nroot = \"service\"\ncommit = [\"db save\"]\nincldue = [\"x\"]\n",
        IMPORT_REPOS,
    );
    let run = handoff(
        tree.path(),
        &["validate", "--no-freshness", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("\"invalid-value\""), "{}", run.stdout);
    assert!(
        run.stdout.contains("did you mean `include`?"),
        "{}",
        run.stdout
    );
}

#[test]
fn one_result_per_mistake_in_sarif() {
    let tree = five_mistakes();
    let src = tree.path().to_str().unwrap();
    let run = handoff(&repo(), &["audit", "--source", src, "--format", "sarif"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let mut rules: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    rules.sort_unstable();
    let expected: Vec<String> = expected_errors(tree.path())
        .into_iter()
        .map(|(c, _, _)| c)
        .collect();
    assert_eq!(rules, expected, "{}", run.stdout);
}
