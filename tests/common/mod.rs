//! Helpers shared by the CLI tests: run the built binary, copy fixture trees.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The instant the CLI tests run at.
pub const NOW: &str = "2026-11-26T12:00:00Z";

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `handoff ARGS` in `dir`.
pub fn handoff(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(dir)
        .env_remove("HANDOFF_REGISTRY")
        .env_remove("NATS_URL")
        // A fixed "now": DST warnings, plan's default date and cron's previews depend on it.
        .env("HANDOFF_NOW", NOW)
        .output()
        .expect("run handoff");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
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

/// A temporary copy of this repository's registry and everything generated from it.
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
    tmp
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}
