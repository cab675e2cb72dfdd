//! What an adopter copies into CI: the pre-commit hooks (.pre-commit-hooks.yaml), run by
//! pre-commit itself, and the composite GitHub Action (action.yml), whose scripts run here
//! outside GitHub.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Run, python, read, repo};
use handoff::source::{SourceFile, parse_yaml};

fn yaml(path: &Path) -> serde_json::Value {
    let file = SourceFile::new(path.display().to_string(), read(path));
    let node = parse_yaml(&file).unwrap_or_else(|d| panic!("{}: {d:?}", path.display()));
    handoff::registry::node_to_json(&node)
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// A new project as an adopter starts one (`handoff init`, `handoff generate`), in git, with one
/// definition that validate rejects (an unknown key) and generated files that are current.
fn adopter_project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let handoff = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
            .args(args)
            .current_dir(dir)
            .env_remove("HANDOFF_REGISTRY")
            .output()
            .unwrap();
        let run = Run::from_output(out);
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
    };
    git(dir, &["init", "-q"]);
    handoff(&["init", "--prefix", "org.billing", "--publisher", "billing"]);
    handoff(&["generate"]);
    // `handoff init` drafts no migration: a definition written by hand, with a misspelt key.
    let def = dir.join("definitions/billing.nightly.yaml");
    std::fs::write(
        &def,
        "apiVersion: activity-core/v1\nkind: ActivityDefinition\nmetadata:\n  name: billing.nightly\ntrigger:\n  cron:\n    schedule: \"0 3 * * *\"\nrule:\n  when: \"true\"\ninstruction:\n  shell:\n    command: echo hi\n    timeoutt: 5m\n",
    )
    .unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "project"]);
    tmp
}

/// `pre-commit try-repo` of this repository runs both hooks as defined: pre-commit builds
/// handoff with `cargo install --path` (language: rust) from the repository's HEAD commit
/// (uncommitted changes are not seen; pre-commit copies tracked changes into a shadow commit),
/// then runs them on the project: validate fails on the bad definition, generate --check passes.
///
/// The build goes to this repository's target folder (`CARGO_TARGET_DIR`): CI builds the release
/// binary first (.ci/run), so only the handoff crate itself is compiled again (pre-commit's copy
/// of the sources is newer than the artifacts); measured 1.5 to 3.5 minutes on 2 shared cores.
/// Without a release build beforehand, the first run compiles every dependency too.
/// Where this repository's builds go: `CARGO_TARGET_DIR` when set, else `target/`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"))
}

#[test]
fn pre_commit_runs_the_hooks() {
    let pre_commit = python().with_file_name("pre-commit");
    assert!(
        pre_commit.is_file(),
        "no pre-commit beside {} (scripts/test installs the pinned version)",
        python().display()
    );
    let project = adopter_project();
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(&pre_commit)
        .args([
            "try-repo",
            repo().to_str().unwrap(),
            "--all-files",
            "--color",
            "never",
        ])
        .current_dir(project.path())
        .env("PRE_COMMIT_HOME", home.path())
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("HANDOFF_REGISTRY")
        .output()
        .unwrap();
    let run = Run::from_output(out);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let passed_or_failed = |name: &str| {
        run.stdout
            .lines()
            .find(|l| l.starts_with(name) && l.contains(".."))
            .map(|l| l.rsplit('.').next().unwrap_or("").to_string())
    };
    assert_eq!(
        passed_or_failed("handoff validate").as_deref(),
        Some("Failed"),
        "{}",
        run.stdout
    );
    assert_eq!(
        passed_or_failed("handoff generate --check").as_deref(),
        Some("Passed"),
        "{}",
        run.stdout
    );
    // The hook ran the real binary: its diagnostic is in the output.
    assert!(run.stdout.contains("error[unknown-key]"), "{}", run.stdout);
    assert!(run.stdout.contains("timeoutt"), "{}", run.stdout);
}

#[test]
fn the_hook_manifest_declares_both_hooks() {
    let hooks = yaml(&repo().join(".pre-commit-hooks.yaml"));
    let hooks = hooks.as_array().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["handoff-validate", "handoff-generate-check"]);
    for h in hooks {
        assert_eq!(h["language"], "rust");
        assert_eq!(h["pass_filenames"], false);
    }
    assert_eq!(hooks[0]["entry"], "handoff validate");
    assert_eq!(hooks[1]["entry"], "handoff generate --check");
    // pre-commit's own check of a hook manifest.
    let out = Command::new(python().with_file_name("pre-commit"))
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// The scripts of action.yml's steps, by step name.
fn action_scripts() -> (serde_json::Value, Vec<(String, String)>) {
    let action = yaml(&repo().join("action.yml"));
    let steps = action["runs"]["steps"].as_array().unwrap().clone();
    let scripts = steps
        .iter()
        .filter_map(|s| {
            let run = s["run"].as_str()?;
            assert_eq!(s["shell"], "bash", "a composite run step names its shell");
            Some((s["name"].as_str().unwrap().to_string(), run.to_string()))
        })
        .collect();
    (action, scripts)
}

#[test]
fn the_action_is_composite_with_declared_inputs_and_a_cached_binary() {
    let (action, scripts) = action_scripts();
    assert_eq!(action["runs"]["using"], "composite");
    let text = read(&repo().join("action.yml"));
    // Every `inputs.X` used is declared.
    let declared = action["inputs"].as_object().unwrap();
    for part in text.split("inputs.").skip(1) {
        let name: String = part
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        assert!(
            declared.contains_key(&name),
            "inputs.{name} is not declared"
        );
    }
    for key in ["registry", "version", "args", "working-directory"] {
        assert!(declared.contains_key(key), "no input {key}");
    }
    let steps = action["runs"]["steps"].as_array().unwrap();
    let cache = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/cache@"))
        })
        .expect("a cache step");
    assert_eq!(cache["with"]["path"], "~/.cargo/bin/handoff");
    // Each script is valid bash.
    for (name, script) in &scripts {
        let out = Command::new("bash")
            .args(["-n", "-c", script])
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {out:?}");
    }
    // The install step installs with the lock file, from the action's own sources by default.
    let install = &scripts
        .iter()
        .find(|(n, _)| n == "Install handoff")
        .unwrap()
        .1;
    assert!(
        install.contains("install --locked --path \"$ACTION_PATH\""),
        "{install}"
    );
}

fn run_script(script: &str, dir: &Path, env: &[(&str, &Path)], vars: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new("bash");
    cmd.args(["-e", "-c", script]).current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    Run::from_output(cmd.output().unwrap())
}

#[test]
fn the_action_scripts_run_outside_github() {
    let (_, scripts) = action_scripts();
    let script = |name: &str| scripts.iter().find(|(n, _)| n == name).unwrap().1.clone();
    let tmp = tempfile::tempdir().unwrap();
    let output = tmp.path().join("github_output");
    let path_file = tmp.path().join("github_path");
    // The cache key: OS, architecture, a hash of the action's sources, the version.
    let key = run_script(
        &script("Cache key"),
        tmp.path(),
        &[("ACTION_PATH", &repo()), ("GITHUB_OUTPUT", &output)],
        &[
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ARCH", "X64"),
            ("VERSION", ""),
        ],
    )
    .code(0);
    let written = read(&output);
    let line = written.lines().next().unwrap_or_default();
    let hash = line
        .strip_prefix("key=handoff-Linux-X64-")
        .and_then(|r| r.strip_suffix("-self"))
        .unwrap_or_else(|| panic!("{written}{}", key.stderr));
    assert_eq!(hash.len(), 16);
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
    // The install step reads the repository from Cargo.toml, the one place that names it.
    let install = script("Install handoff");
    let repo_line = install
        .lines()
        .find(|l| l.trim().starts_with("repo="))
        .unwrap();
    let found = run_script(
        &format!("{}\nprintf %s \"$repo\"", repo_line.trim()),
        tmp.path(),
        &[("ACTION_PATH", &repo())],
        &[],
    )
    .code(0);
    assert_eq!(found.stdout, env!("CARGO_PKG_REPOSITORY"));
    // The validate step, with the installed binary in ~/.cargo/bin: annotations, exit 1.
    let home = tmp.path().join("home");
    std::fs::create_dir_all(home.join(".cargo/bin")).unwrap();
    std::os::unix::fs::symlink(
        PathBuf::from(env!("CARGO_BIN_EXE_handoff")),
        home.join(".cargo/bin/handoff"),
    )
    .unwrap();
    let project = adopter_project();
    let run = run_script(
        &script("handoff validate"),
        project.path(),
        &[("HOME", &home), ("GITHUB_PATH", &path_file)],
        &[
            ("REGISTRY", "subjects.toml"),
            ("ARGS", "--deny-warnings definitions"),
        ],
    )
    .code(1);
    assert!(
        run.stdout.starts_with("::error file=definitions/"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains("title=handoff unknown-key"),
        "{}",
        run.stdout
    );
    assert_eq!(
        read(&path_file).trim(),
        home.join(".cargo/bin").display().to_string()
    );
}
