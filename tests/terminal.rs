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
