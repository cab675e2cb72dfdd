//! `handoff explain`: a code's section of docs/diagnostics.md; a misspelt code is a usage error
//! with the codes it might mean.

use crate::common::Test;

#[test]
fn explain_prints_the_codes_documentation() {
    let run = Test::repo()
        .args(&["explain", "cron-or-rule"])
        .run()
        .code(0);
    assert!(
        run.stdout.starts_with("## `cron-or-rule`"),
        "{}",
        run.stdout
    );
    let doc = std::fs::read_to_string(crate::common::repo().join("docs/diagnostics.md")).unwrap();
    assert!(
        doc.contains(run.stdout.trim_end()),
        "not the text of docs/diagnostics.md"
    );
}

#[test]
fn explain_without_a_code_lists_them_all() {
    let run = Test::repo().args(&["explain"]).run().code(0);
    assert_eq!(run.stdout.lines().count(), handoff::codes::Code::ALL.len());
    assert!(run.stdout.contains("cron-or-rule"), "{}", run.stdout);
}

#[test]
fn a_misspelt_code_is_a_usage_error_with_a_suggestion() {
    Test::repo()
        .args(&["explain", "cron-or-rul"])
        .run()
        .code(2)
        .stderr_has("did you mean `cron-or-rule`");
}
