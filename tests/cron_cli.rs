//! `handoff cron EXPR`: words, next fire times, JSON shape, and the same diagnostics as validate.

use crate::common;

use common::{handoff, repo};

#[test]
fn json_lists_the_next_fire_times_in_utc() {
    let run = handoff(
        &repo(),
        &[
            "cron",
            "0 9 * * 1-5",
            "--tz",
            "America/New_York",
            "--from",
            "2026-11-27T00:00:00Z",
            "--next",
            "3",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["expr"], "0 9 * * 1-5");
    assert_eq!(v["tz"], "America/New_York");
    // Friday 2026-11-27 09:00 EST = 14:00Z, then Monday and Tuesday.
    assert_eq!(
        v["next"],
        serde_json::json!([
            "2026-11-27T14:00:00Z",
            "2026-11-30T14:00:00Z",
            "2026-12-01T14:00:00Z"
        ])
    );
}

#[test]
fn human_output_explains_the_or_rule() {
    let run = handoff(
        &repo(),
        &[
            "cron",
            "0 0 13 * 5",
            "--from",
            "2026-11-01T00:00:00Z",
            "--next",
            "4",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("cron-or-rule"), "{}", run.stdout);
    // Fridays 6, 13 (also the 13th), 20, 27 November 2026.
    for day in [
        "2026-11-06T00:00:00Z",
        "2026-11-13T00:00:00Z",
        "2026-11-20T00:00:00Z",
        "2026-11-27T00:00:00Z",
    ] {
        assert!(run.stdout.contains(day), "{day} missing:\n{}", run.stdout);
    }
}

#[test]
fn invalid_and_never_firing_expressions_exit_1_with_diagnostics() {
    for (expr, code) in [
        ("0 24 * * *", "cron-out-of-range"),
        ("0 0 30 2 *", "cron-never-fires"),
        ("@reboot", "cron-reboot"),
    ] {
        let run = handoff(&repo(), &["cron", expr, "--format", "json"]);
        assert_eq!(run.code, 1, "{expr}: {}", run.stdout);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(v["diagnostics"][0]["code"], code, "{expr}: {}", run.stdout);
    }
    // A bad --tz is a bad argument: exit 2, with the positioned diagnostic.
    let run = handoff(&repo(), &["cron", "*/15 * * * *", "--tz", "Mars/Olympus"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("cron-unknown-timezone"),
        "{}",
        run.stdout
    );
    // A bad --from is a usage error.
    assert_eq!(
        handoff(&repo(), &["cron", "* * * * *", "--from", "yesterday"]).code,
        2
    );
}

#[test]
fn an_expression_starting_with_a_hyphen_is_the_expression_not_an_option() {
    // Before: clap read `-1 * * * *` as an unknown option (exit 2). Now it is the expression,
    // and the parser reports what is wrong with it (exit 1, cron-syntax at column 1).
    let run = handoff(&repo(), &["cron", "-1 * * * *", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["code"], "cron-syntax", "{}", run.stdout);
    assert_eq!(v["diagnostics"][0]["column"], 1, "{}", run.stdout);
}

#[test]
fn unquoted_fields_are_joined_and_options_still_work_after_them() {
    let run = handoff(
        &repo(),
        &[
            "cron",
            "0",
            "3",
            "*",
            "*",
            "*",
            "--from",
            "2026-01-01T00:00:00Z",
            "--next",
            "1",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["expr"], "0 3 * * *");
    assert_eq!(v["next"], serde_json::json!(["2026-01-01T03:00:00Z"]));
}

#[test]
fn next_is_bounded_and_says_so_in_help() {
    // Before: `--next 100000000000` had no limit and ran out of memory.
    for n in ["0", "10001", "100000000000"] {
        let run = handoff(&repo(), &["cron", "* * * * *", "--next", n]);
        assert_eq!(run.code, 2, "--next {n}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("1..=10000"), "{}", run.stderr);
    }
    let run = handoff(
        &repo(),
        &[
            "cron",
            "* * * * *",
            "--next",
            "10000",
            "--from",
            "2026-01-01T00:00:00Z",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["next"].as_array().unwrap().len(), 10000);
    let help = handoff(&repo(), &["cron", "--help"]);
    assert!(help.stdout.contains("1 to 10000"), "{}", help.stdout);
}
