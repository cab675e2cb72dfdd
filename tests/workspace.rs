//! Workspaces: one definitions folder validated against two publishers' registries (this
//! repository's state hub registry and a billing service's), given as `--registry` twice or in
//! `handoff.toml`; subject clashes; a second service's definition checked against its own
//! attributes; freshness only for the registry that owns its outputs here.

use std::path::Path;

use crate::common::{copy_tree, handoff, read, repo};

const BILLING: &str = r#"version = "1.0"
subject_prefix = "org.billing"

[stream]
name = "ACTIVITY_EVENTS"
subjects = ["org.>"]

[envelope]
version = "1.0"
publisher = "billing"

[[subjects]]
subject = "org.billing.invoice.paid"
since = "1.0"
summary = "An invoice was paid."
trigger_site = "billing/invoices.py:mark_paid"
fires = "After the payment commits."

[subjects.attributes.invoice_id]
type = "uuid"
required = true
description = "The invoice."
example = "5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91"

[subjects.attributes.amount_cents]
type = "integer"
required = true
description = "Amount paid, in cents."
example = 1200
"#;

const THANK_YOU: &str = r#"apiVersion: activity-core/v1
kind: ActivityDefinition
metadata:
  name: billing.thank-you
trigger:
  events:
    - org.billing.invoice.paid
rule:
  when: 'event.attributes.amount_cents > 10000'
instruction:
  workflow:
    name: ThankYou
    taskQueue: billing
"#;

/// A definitions repository: the state hub's registry with everything it generates (it owns
/// its outputs here: its manifest is present) at the root, billing's registry vendored under
/// `billing/` without its outputs, and a definition of each.
fn tree(dir: &Path) {
    std::fs::copy(repo().join("subjects.toml"), dir.join("subjects.toml")).unwrap();
    std::fs::copy(
        repo().join(".handoff-manifest"),
        dir.join(".handoff-manifest"),
    )
    .unwrap();
    for d in ["docs", "definitions", "stubs"] {
        copy_tree(&repo().join(d), &dir.join(d));
    }
    std::fs::create_dir(dir.join("billing")).unwrap();
    std::fs::write(dir.join("billing/subjects.toml"), BILLING).unwrap();
    std::fs::write(dir.join("definitions/billing.thank-you.yaml"), THANK_YOU).unwrap();
}

fn json(stdout: &str) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let mut out: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}:{}",
                d["code"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"]
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn two_registries_by_option_and_by_workspace_file_are_clean() {
    let tmp = tempfile::tempdir().unwrap();
    tree(tmp.path());
    let args = [
        "--registry",
        "subjects.toml",
        "--registry",
        "billing/subjects.toml",
        "validate",
        "--deny-warnings",
    ];
    let run = handoff(tmp.path(), &args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // 2 registries and 3 definitions.
    assert!(
        run.stdout.contains("5 files checked, no problems"),
        "{}",
        run.stdout
    );
    // The same registry twice, spelt differently, is one registry.
    let run = handoff(
        tmp.path(),
        &[
            "--registry",
            "subjects.toml",
            "--registry",
            "./subjects.toml",
            "--registry",
            "billing/subjects.toml",
            "validate",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Before and after the subcommand, `=` or not: both count.
    let run = handoff(
        tmp.path(),
        &[
            "--registry",
            "subjects.toml",
            "validate",
            "--registry=billing/subjects.toml",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("5 files checked, no problems"),
        "{}",
        run.stdout
    );
    let run = handoff(
        tmp.path(),
        &[
            "--registry",
            "subjects.toml",
            "plan",
            "--registry",
            "billing/subjects.toml",
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    // The single registry alone does not know billing's subject.
    let run = handoff(tmp.path(), &["validate", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        json(&run.stdout),
        ["unregistered-subject definitions/billing.thank-you.yaml:7:7"]
    );
    // The same with a workspace file (found in the working folder when no --registry is given).
    std::fs::write(
        tmp.path().join("handoff.toml"),
        "[[registries]]\npath = \"subjects.toml\"\n\n[[registries]]\npath = \"billing/subjects.toml\"\n",
    )
    .unwrap();
    let run = handoff(tmp.path(), &["validate", "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("6 files checked, no problems"),
        "{}",
        run.stdout
    );
    // ... or given from elsewhere.
    let run = handoff(
        &tmp.path().join("billing"),
        &["validate", "--workspace", "../handoff.toml"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // ... or found beside the definitions folder given.
    let run = handoff(&tmp.path().join("billing"), &["validate", "../definitions"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("6 files checked, no problems"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_second_services_definitions_are_checked_against_its_attributes() {
    let tmp = tempfile::tempdir().unwrap();
    tree(tmp.path());
    let def = tmp.path().join("definitions/billing.thank-you.yaml");
    std::fs::write(
        &def,
        read(&def).replace(
            "event.attributes.amount_cents > 10000",
            "event.attributes.amount_cent > 1 || event.attributes.amount_cents == \"5\"",
        ),
    )
    .unwrap();
    let run = handoff(
        tmp.path(),
        &[
            "--registry",
            "subjects.toml",
            "--registry",
            "billing/subjects.toml",
            "validate",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        json(&run.stdout),
        [
            "attribute-type definitions/billing.thank-you.yaml:9:79",
            "unknown-attribute definitions/billing.thank-you.yaml:9:10",
        ]
    );
    assert!(
        run.stdout.contains("did you mean `amount_cents`?"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_subject_registered_twice_is_a_clash_naming_both_files() {
    let tmp = tempfile::tempdir().unwrap();
    tree(tmp.path());
    let clash = BILLING.replace(
        "subject_prefix = \"org.billing\"",
        "subject_prefix = \"org\"",
    ) + "\n[[subjects]]\nsubject = \"org.statehub.task.stale\"\nsince = \"1.0\"\nsummary = \"x\"\ntrigger_site = \"a.py:b\"\nfires = \"x\"\n";
    std::fs::write(tmp.path().join("billing/subjects.toml"), clash).unwrap();
    let run = handoff(
        tmp.path(),
        &[
            "--registry",
            "subjects.toml",
            "--registry",
            "billing/subjects.toml",
            "validate",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "error[subject-clash]: subject `org.statehub.task.stale` is also registered in subjects.toml:"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--> billing/subjects.toml:"),
        "{}",
        run.stdout
    );
}

#[test]
fn freshness_is_checked_only_where_a_registry_owns_its_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    tree(tmp.path());
    let args = [
        "--registry",
        "subjects.toml",
        "--registry",
        "billing/subjects.toml",
        "validate",
        "--format",
        "json",
    ];
    // The state hub owns its outputs here: an edited generated file is reported.
    let doc = tmp.path().join("docs/nats-event-subjects.md");
    std::fs::write(&doc, read(&doc) + "\nedited\n").unwrap();
    let run = handoff(tmp.path(), &args);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        json(&run.stdout),
        ["stale-generated docs/nats-event-subjects.md:0:0"]
    );
    // A workspace file can say a registry does not own its outputs here.
    std::fs::write(
        tmp.path().join("handoff.toml"),
        "[[registries]]\npath = \"subjects.toml\"\nowns_outputs = false\n\n[[registries]]\npath = \"billing/subjects.toml\"\n",
    )
    .unwrap();
    let run = handoff(tmp.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn workspace_file_errors_are_positioned_and_usage_is_checked() {
    let tmp = tempfile::tempdir().unwrap();
    tree(tmp.path());
    std::fs::write(
        tmp.path().join("handoff.toml"),
        "[[registries]]\npath = \"subjects.toml\"\n\n[[registries]]\npaht = \"billing/subjects.toml\"\n\n[[registries]]\npath = \"nowhere/subjects.toml\"\n\n[[registries]]\npath = \"subjects.toml\"\n",
    )
    .unwrap();
    let run = handoff(tmp.path(), &["validate", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let found = json(&run.stdout);
    assert!(
        found.contains(&"unknown-key handoff.toml:5:1".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"duplicate-name handoff.toml:11:8".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"io handoff.toml:8:8".to_string()),
        "{found:?}"
    );
    // Other commands work on one registry.
    let run = handoff(
        tmp.path(),
        &["--registry", "a.toml", "--registry", "b.toml", "plan"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`handoff plan` works on one registry"),
        "{}",
        run.stderr
    );
    let run = handoff(
        tmp.path(),
        &[
            "--registry",
            "subjects.toml",
            "validate",
            "--workspace",
            "handoff.toml",
        ],
    );
    assert_eq!(run.code, 2);
    // A single --registry ignores handoff.toml, as before.
    let run = handoff(
        tmp.path(),
        &[
            "--registry",
            "subjects.toml",
            "validate",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        json(&run.stdout),
        ["unregistered-subject definitions/billing.thank-you.yaml:7:7"]
    );
}
