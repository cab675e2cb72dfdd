//! Terminal manners: `--color auto|always|never`, `NO_COLOR`, `CLICOLOR_FORCE`, `-q/--quiet`.
//! The tests' stdout is a pipe, so `auto` means no colours unless forced.

use crate::common;

use common::{Run, Test, fixture};

const ESC: &str = "\u{1b}[";

/// `handoff ARGS` on the cron-dst-gap case (one warning) with `env`.
fn on_warning(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut test = Test::tree(&fixture("base")).overlay(&fixture("cases/cron-dst-gap/bad"));
    for (k, v) in env {
        test = test.env(k, v);
    }
    test.args(args).run()
}

#[test]
fn color_always_colours_the_human_output_and_never_does_not() {
    let always = on_warning(&["validate", "--no-freshness", "--color", "always"], &[]);
    assert!(always.stdout.contains(ESC), "{}", always.stdout);
    assert!(always.stdout.contains("warning[cron-dst-gap]"));
    // A global option: before the command too.
    let before = on_warning(&["--color=always", "validate", "--no-freshness"], &[]);
    assert_eq!(before.stdout, always.stdout);
    for args in [
        &["validate", "--no-freshness", "--color", "never"][..],
        &["validate", "--no-freshness"],
    ] {
        let run = on_warning(args, &[("CLICOLOR_FORCE", "")]);
        assert!(!run.stdout.contains(ESC), "{args:?}: {}", run.stdout);
        assert!(run.stdout.contains("warning[cron-dst-gap]"));
    }
}

#[test]
fn no_color_and_clicolor_force_decide_auto() {
    let args = ["validate", "--no-freshness"];
    let forced = on_warning(&args, &[("CLICOLOR_FORCE", "1")]);
    assert!(forced.stdout.contains(ESC), "{}", forced.stdout);
    let off = on_warning(&args, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!off.stdout.contains(ESC), "{}", off.stdout);
    let never = on_warning(
        &["validate", "--no-freshness", "--color", "never"],
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(!never.stdout.contains(ESC), "{}", never.stdout);
    // An explicit `--color always` wins over NO_COLOR.
    let always = on_warning(
        &["validate", "--no-freshness", "--color", "always"],
        &[("NO_COLOR", "1")],
    );
    assert!(always.stdout.contains(ESC), "{}", always.stdout);
}

#[test]
fn machine_formats_are_never_coloured() {
    for format in ["json", "github", "sarif"] {
        let run = on_warning(
            &[
                "validate",
                "--no-freshness",
                "--color",
                "always",
                "--format",
                format,
            ],
            &[],
        );
        assert!(!run.stdout.contains(ESC), "{format}: {}", run.stdout);
    }
}

#[test]
fn quiet_prints_only_the_findings() {
    let run = on_warning(&["validate", "--no-freshness", "-q"], &[]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("warning[cron-dst-gap]"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("handoff: "), "{}", run.stdout);
    let github = on_warning(
        &[
            "validate",
            "--no-freshness",
            "--quiet",
            "--format",
            "github",
        ],
        &[],
    );
    assert_eq!(github.stdout.lines().count(), 1, "{}", github.stdout);
    // Without findings, nothing at all.
    let clean = Test::tree(&fixture("base"))
        .overlay(&fixture("cases/cron-dst-gap/good"))
        .args(&["-q", "validate", "--no-freshness"])
        .run();
    assert_eq!((clean.code, clean.stdout.as_str()), (0, ""));
    // generate's note on stderr is a note.
    let generate = Test::tree(&fixture("base"))
        .args(&["generate", "--quiet"])
        .run();
    assert_eq!(generate.code, 0, "{}", generate.stderr);
    assert_eq!(generate.stderr, "");
}

/// A copy of this repository whose registry has one warning: the consistency sweep's planned
/// schedule restricts both day fields (cron-or-rule at subjects.toml).
fn registry_with_a_warning() -> tempfile::TempDir {
    let tmp = crate::common::repo_copy();
    let path = tmp.path().join("subjects.toml");
    let text = crate::common::read(&path);
    let changed = text.replacen("cron = \"*/15 * * * *\"", "cron = \"0 0 13 * 5\"", 1);
    assert_ne!(text, changed, "the registry changed shape");
    std::fs::write(path, changed).unwrap();
    tmp
}

#[test]
fn registry_warnings_belong_to_validate() {
    let tmp = registry_with_a_warning();
    let dir = tmp.path();
    let run = |args: &[&str]| Test::in_dir(dir).args(args).run();
    // validate reports it, once, as a diagnostic.
    let validate = run(&["validate", "--no-freshness"]);
    assert_eq!(
        validate.stdout.matches("warning[cron-or-rule]").count(),
        1,
        "{}",
        validate.stdout
    );
    assert!(
        validate.stdout.contains("--> subjects.toml:"),
        "{}",
        validate.stdout
    );
    assert!(
        !validate.stderr.contains("cron-or-rule"),
        "{}",
        validate.stderr
    );
    // The other commands say so in one line, and never show the warning itself.
    let line = "handoff: subjects.toml has 1 warning; `handoff validate` shows it (or -v here)\n";
    let window = ["--from", "2026-11-16", "--to", "2026-11-17"];
    let mut simulate = vec!["simulate"];
    simulate.extend(window);
    for args in [
        &["generate", "--check"][..],
        &["plan"],
        &["test"],
        &simulate,
        &["audit"],
        &["diff", "--against", "subjects.toml"],
        &["plan", "--format", "json"],
    ] {
        let r = run(args);
        assert_eq!(r.stderr.matches(line).count(), 1, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("cron-or-rule"), "{args:?}: {}", r.stderr);
        assert!(!r.stdout.contains("cron-or-rule"), "{args:?}: {}", r.stdout);
        // -v shows it in full, once; -q not at all.
        let mut verbose = vec!["-v"];
        verbose.extend(args);
        let v = run(&verbose);
        assert_eq!(
            v.stderr.matches("warning[cron-or-rule]").count(),
            1,
            "{args:?}: {}",
            v.stderr
        );
        assert!(!v.stderr.contains(line), "{args:?}: {}", v.stderr);
        let mut quiet = vec!["-q"];
        quiet.extend(args);
        let q = run(&quiet);
        assert!(!q.stderr.contains("warning"), "{args:?}: {}", q.stderr);
    }
    // A registry with errors stops the command, and shows why in full.
    let broken =
        crate::common::read(&dir.join("subjects.toml")).replacen("version = ", "versoin = ", 1);
    std::fs::write(dir.join("subjects.toml"), broken).unwrap();
    let r = run(&["plan"]).code(1);
    assert!(r.stderr.contains("error[unknown-key]"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("subjects.toml has errors; nothing was done"),
        "{}",
        r.stderr
    );
}

#[test]
fn verbose_says_which_registry_and_how_it_was_found() {
    let tmp = crate::common::repo_copy();
    let dir = tmp.path();
    let sub = dir.join("definitions");
    let first_line = |run: Run| run.stderr.lines().next().unwrap_or("").to_string();
    let here = Test::in_dir(dir).args(&["-v", "plan"]).run().code(0);
    assert_eq!(
        first_line(here),
        "handoff: registry subjects.toml (found in the working folder)"
    );
    let canonical = std::fs::canonicalize(dir).unwrap();
    let above = Test::in_dir(&sub)
        .args(&["plan", "--verbose"])
        .run()
        .code(0);
    assert_eq!(
        first_line(above),
        format!(
            "handoff: registry ../subjects.toml (found in a parent folder, {})",
            canonical.display()
        )
    );
    let flag = Test::in_dir(&sub)
        .args(&["-v", "--registry", "../subjects.toml", "test"])
        .run()
        .code(0);
    assert_eq!(
        first_line(flag),
        "handoff: registry ../subjects.toml (from --registry)"
    );
    let env = Test::in_dir(&sub)
        .env("HANDOFF_REGISTRY", "../subjects.toml")
        .args(&["-v", "validate", "--no-freshness"])
        .run()
        .code(0);
    assert_eq!(
        first_line(env),
        "handoff: registry ../subjects.toml (from HANDOFF_REGISTRY)"
    );
    std::fs::copy(dir.join("subjects.toml"), dir.join("other.toml")).unwrap();
    let two = Test::in_dir(dir)
        .args(&[
            "-v",
            "validate",
            "--no-freshness",
            "--registry",
            "subjects.toml",
            "--registry",
            "other.toml",
        ])
        .run();
    assert!(
        two.stderr
            .starts_with("handoff: registries subjects.toml, other.toml (from --registry)\n"),
        "{}",
        two.stderr
    );
    // Without -v, nothing is said; -v and -q contradict each other (exit 2).
    let plain = Test::in_dir(dir).args(&["plan"]).run().code(0);
    assert!(
        !plain.stderr.contains("handoff: registry"),
        "{}",
        plain.stderr
    );
    Test::in_dir(dir).args(&["-v", "-q", "plan"]).run().code(2);
}
