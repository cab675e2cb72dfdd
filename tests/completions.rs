//! `handoff completions bash` loads in bash and completes subcommands; `handoff man` renders
//! with `man -l`.

use std::process::Command;

use crate::common::Test;

#[test]
fn bash_completion_loads_and_completes_subcommands() {
    let script = Test::repo()
        .args(&["completions", "bash"])
        .run()
        .code(0)
        .stdout;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("handoff.bash");
    std::fs::write(&path, script).unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(handoff val); COMP_CWORD=1; COMP_LINE='handoff val'; \
             COMP_POINT=${{#COMP_LINE}}; _handoff handoff val handoff; echo \"${{COMPREPLY[@]}}\"",
            path.display()
        ))
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "validate");
}

#[test]
fn the_man_page_renders() {
    let roff = Test::repo().args(&["man"]).run().code(0).stdout;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("handoff.1");
    std::fs::write(&path, roff).unwrap();
    let out = Command::new("man")
        .arg("-l")
        .arg(&path)
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .output()
        .expect("run man (Debian: apt-get install man-db; scripts/test installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("NAME") && text.contains("validate"), "{text}");
}
