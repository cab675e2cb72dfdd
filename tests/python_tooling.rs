//! The generated Python package passes `mypy --strict`, `ruff check` and `ruff format --check`
//! (configuration: tests/python/ruff.toml), ships `py.typed`, and a consumer importing from it
//! type-checks. Run with the virtualenv's Python (`HANDOFF_TEST_PYTHON`, set by scripts/test,
//! which installs the pinned mypy and ruff); a missing tool fails the test with what to do.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{copy_tree, fixture, handoff, repo};

fn python() -> PathBuf {
    let p = std::env::var_os("HANDOFF_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/bin/python"));
    for module in ["mypy", "ruff"] {
        let ok = Command::new(&p)
            .args(["-m", module, "--version"])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "no {module} for the Python at {} (set HANDOFF_TEST_PYTHON to the virtualenv's python; \
             `bash scripts/test` creates .venv with the pinned nats-py, mypy and ruff)",
            p.display()
        );
    }
    p
}

/// `python -m ARGS…` in `dir`; panics with its output unless it exits 0.
fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(python())
        .arg("-m")
        .args(args)
        .current_dir(dir)
        .env("MYPY_CACHE_DIR", dir.join(".mypy_cache"))
        .env("RUFF_CACHE_DIR", dir.join(".ruff_cache"))
        .output()
        .expect("run python");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "`{}` failed:\n{text}", args.join(" "));
    text
}

/// Generates the package from `registry_dir` into a temporary copy; returns (tmp, package parent, name).
fn generated(registry_dir: &Path, python_out: &str) -> (tempfile::TempDir, PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(registry_dir, tmp.path());
    let run = handoff(tmp.path(), &["generate", "--force"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (parent, name) = python_out.rsplit_once('/').unwrap_or((".", python_out));
    let parent = tmp.path().join(parent);
    (tmp, parent, name.to_string())
}

fn check_package(parent: &Path, package: &str) {
    assert!(
        parent.join(package).join("py.typed").is_file(),
        "py.typed is generated"
    );
    let config = repo().join("tests/python/ruff.toml");
    let config = config.to_str().unwrap();
    let out = run_ok(parent, &["mypy", "--strict", package]);
    assert!(out.contains("Success: no issues found"), "{out}");
    run_ok(
        parent,
        &["ruff", "check", "--no-cache", "--config", config, package],
    );
    run_ok(
        parent,
        &[
            "ruff",
            "format",
            "--check",
            "--no-cache",
            "--config",
            config,
            package,
        ],
    );
}

#[test]
fn this_repositorys_package_passes_mypy_strict_and_ruff() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("subjects.toml"),
        tmp.path().join("subjects.toml"),
    )
    .unwrap();
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let parent = tmp.path().join("stubs");
    check_package(&parent, "statehub_events");

    // A consumer: names imported from the package type-check (static __all__), and a misuse
    // does not (so the check above is not vacuous).
    std::fs::write(
        parent.join("consumer.py"),
        "from datetime import datetime\n\
         from uuid import uuid4\n\n\
         from statehub_events import close, publish_repo_registered, publish_event\n\n\n\
         async def main() -> None:\n\
         \x20   env = await publish_repo_registered(repo_id=uuid4(), slug=\"a/b\", registered_at=datetime.now())\n\
         \x20   if env is not None:\n\
         \x20       print(env[\"id\"])\n\
         \x20   ok: bool = await publish_event(\"org.statehub.repo.registered\", {})\n\
         \x20   print(ok)\n\
         \x20   await close()\n",
    )
    .unwrap();
    run_ok(&parent, &["mypy", "--strict", "consumer.py"]);
    std::fs::write(
        parent.join("misuse.py"),
        "from statehub_events import publish_task_stale\n\n\n\
         async def main() -> None:\n\
         \x20   await publish_task_stale(task_id=\"x\", last_activity_at=\"y\", stale_days=\"3\")\n",
    )
    .unwrap();
    let out = Command::new(python())
        .args(["-m", "mypy", "--strict", "misuse.py"])
        .current_dir(&parent)
        .env("MYPY_CACHE_DIR", parent.join(".mypy_cache"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success() && text.contains("stale_days"),
        "mypy accepted a str for an int attribute:\n{text}"
    );
}

/// The snapshot registry has a subject without attributes, long enums and a `number`
/// attribute: still clean. A number takes an int or a float, not a str, in mypy's eyes; and at
/// run time a bool, a str or a non-finite float is refused.
#[test]
fn the_snapshot_registrys_package_passes_mypy_strict_and_ruff() {
    let (_tmp, parent, name) = generated(&fixture("snapshot"), "py/hub_events");
    check_package(&parent, &name);
    let call = |ratio: &str| {
        format!(
            "from uuid import uuid4\n\n\
             from {name} import publish_workstream_completed\n\n\n\
             async def main() -> None:\n\
             \x20   await publish_workstream_completed(\n\
             \x20       workstream_id=uuid4(), open_task_count=1, completed_at=\"2026-11-20T16:05:00Z\", completion_ratio={ratio}\n\
             \x20   )\n"
        )
    };
    std::fs::write(parent.join("ints.py"), call("1")).unwrap();
    std::fs::write(parent.join("floats.py"), call("0.5")).unwrap();
    run_ok(&parent, &["mypy", "--strict", "ints.py", "floats.py"]);
    std::fs::write(parent.join("strings.py"), call("\"0.5\"")).unwrap();
    let out = Command::new(python())
        .args(["-m", "mypy", "--strict", "strings.py"])
        .current_dir(&parent)
        .env("MYPY_CACHE_DIR", parent.join(".mypy_cache"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success() && text.contains("completion_ratio"),
        "mypy accepted a str for a number attribute:\n{text}"
    );
    let script = format!(
        "from {name}.publishers import check_attributes\n\
         base = {{'workstream_id': 'c0a8012e-5b7d-4e1f-a3c2-6d9e8f7a1b24', 'open_task_count': 1, 'completed_at': '2026-11-20T16:05:00Z'}}\n\
         for v in [0, 0.75, -3, 10**300]:\n\
         \x20   assert check_attributes('org.statehub.workstream.completed', dict(base, completion_ratio=v)) == [], v\n\
         for v in [True, '0.5', float('nan'), float('inf'), 10**400]:\n\
         \x20   problems = check_attributes('org.statehub.workstream.completed', dict(base, completion_ratio=v))\n\
         \x20   assert problems and 'completion_ratio' in problems[0], (v, problems)\n\
         print('ok')\n"
    );
    std::fs::write(parent.join("number_check.py"), script).unwrap();
    assert_eq!(run_ok(&parent, &["number_check"]).trim(), "ok");
}

/// Registry text with blank lines, trailing spaces and indentation lands in docstrings in the
/// form ruff format gives them (no whitespace-only lines, no trailing blanks).
#[test]
fn multi_line_registry_text_in_docstrings_stays_ruff_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let registry = std::fs::read_to_string(repo().join("subjects.toml")).unwrap();
    let line = registry
        .lines()
        .find(|l| l.starts_with("fires = "))
        .expect("a fires line");
    let edited = registry.replacen(
        line,
        r#"fires = "Once per new repository.\n\nAfter the commit.  \n  Indented, with a tab\there.\t\n""#,
        1,
    );
    assert_ne!(edited, registry);
    std::fs::write(tmp.path().join("subjects.toml"), edited).unwrap();
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    check_package(&tmp.path().join("stubs"), "statehub_events");
}
