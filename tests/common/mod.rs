//! The test harness: run the built binary on a tree with a [`Test`] builder, copy fixture
//! trees, a seeded random generator. tests/support adds private nats-servers on top of it.
#![allow(dead_code)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The instant the CLI tests run at.
pub const NOW: &str = "2026-11-26T12:00:00Z";

/// What a run of the binary printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn code(self, want: i32) -> Run {
        assert_eq!(
            self.code, want,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(self, text: &str) -> Run {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}:\n{}",
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(self, text: &str) -> Run {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr
        );
        self
    }
}

/// One run of the binary: where (a folder, or a temporary tree built from fixtures and
/// overlays), with which arguments, environment and clock.
///
/// ```ignore
/// Test::tree(&fixture("base")).file("definitions/x.yaml", "...").args(&["validate"]).run().code(1);
/// ```
pub struct Test {
    dir: PathBuf,
    tmp: Option<tempfile::TempDir>,
    args: Vec<OsString>,
    env: Vec<(String, String)>,
    now: Option<&'static str>,
}

impl Test {
    /// A run in `dir` (this repository's folder with [`Test::repo`]).
    pub fn in_dir(dir: &Path) -> Test {
        Test {
            dir: dir.to_path_buf(),
            tmp: None,
            args: Vec::new(),
            env: Vec::new(),
            now: Some(NOW),
        }
    }

    pub fn repo() -> Test {
        Test::in_dir(&repo())
    }

    /// A run in a temporary copy of `tree`.
    pub fn tree(tree: &Path) -> Test {
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(tree, tmp.path());
        Test {
            dir: tmp.path().to_path_buf(),
            tmp: Some(tmp),
            ..Test::in_dir(tree)
        }
    }

    /// Copies `tree` over the temporary tree.
    pub fn overlay(self, tree: &Path) -> Test {
        assert!(self.tmp.is_some(), "overlay needs Test::tree");
        copy_tree(tree, &self.dir);
        self
    }

    /// Writes one file (folders created) in the temporary tree.
    pub fn file(self, rel: &str, text: &str) -> Test {
        assert!(self.tmp.is_some(), "file needs Test::tree");
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub fn args(mut self, args: &[&str]) -> Test {
        self.args.extend(args.iter().map(OsString::from));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Publish and tap against a NATS server (`NATS_URL`).
    pub fn nats(self, url: &str) -> Test {
        self.env("NATS_URL", url)
    }

    /// Run with the real clock instead of the fixed [`NOW`].
    pub fn real_clock(mut self) -> Test {
        self.now = None;
        self
    }

    /// The folder the run happens in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_handoff"));
        cmd.args(&self.args).current_dir(&self.dir);
        for var in [
            "HANDOFF_REGISTRY",
            "HANDOFF_NOW",
            "NATS_URL",
            "NATS_USER",
            "NATS_PASSWORD",
            "NATS_TOKEN",
            "NO_COLOR",
            "CLICOLOR_FORCE",
        ] {
            cmd.env_remove(var);
        }
        // A fixed "now": DST warnings, plan's default date and cron's previews depend on it.
        if let Some(now) = self.now {
            cmd.env("HANDOFF_NOW", now);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self) -> Run {
        Run::from_output(self.command().output().expect("run handoff"))
    }
}

/// Runs `handoff ARGS` in `dir`.
pub fn handoff(dir: &Path, args: &[&str]) -> Run {
    Test::in_dir(dir).args(args).run()
}

/// A small deterministic generator (xorshift), so failures reproduce from their seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The Python the stub tests run: `$HANDOFF_TEST_PYTHON`, else `<repo>/.venv/bin/python`; a
/// missing one fails the test with what to do (nothing is skipped).
pub fn python() -> PathBuf {
    let p = std::env::var_os("HANDOFF_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/bin/python"));
    let ok = Command::new(&p)
        .args(["-c", "import nats"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "no Python with nats-py at {} (set HANDOFF_TEST_PYTHON, or run scripts/test, which \
         makes .venv with the pinned packages)",
        p.display()
    );
    p
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Copies a folder tree (files and folders only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// A temporary copy of this repository's registry and everything generated from it, with the
/// seals refreshed: the committed files are current, but their seals may record an earlier
/// build of handoff (see src/generate/seal.rs), which `generate` would rewrite.
pub fn repo_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("subjects.toml"),
        tmp.path().join("subjects.toml"),
    )
    .unwrap();
    for dir in ["docs", "definitions", "stubs"] {
        copy_tree(&repo().join(dir), &tmp.path().join(dir));
    }
    std::fs::copy(
        repo().join(".handoff-manifest"),
        tmp.path().join(".handoff-manifest"),
    )
    .unwrap();
    let refreshed = handoff(tmp.path(), &["--quiet", "generate"]);
    assert_eq!(
        refreshed.code, 0,
        "{}{}",
        refreshed.stdout, refreshed.stderr
    );
    tmp
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// `text` with the seal's digests replaced by placeholders: they depend on the build of handoff.
pub fn mask_seal(text: &str) -> String {
    let mut out = text.to_string();
    for (marker, placeholder) in [
        (handoff::generate::SEAL, "<content digest>"),
        (handoff::generate::INPUTS, "<inputs digest>"),
    ] {
        if let Some(i) = out.find(marker) {
            let start = i + marker.len();
            if out.get(start..start + 64).is_some() {
                out.replace_range(start..start + 64, placeholder);
            }
        }
    }
    out
}
