//! docs/registry.md's minimal complete registry is real: `generate`, `validate` and
//! `generate --check` exit 0 on it as written, and it is minimal, as the page says: leaving out
//! any one of its keys makes `validate` fail. Its reference tables name every key the loader
//! accepts, with a Required column.

use crate::common::{handoff, read, repo};

/// The first ```toml fence after the "A minimal complete registry" heading.
fn minimal_example() -> String {
    let doc = read(&repo().join("docs/registry.md"));
    let section = doc
        .split("\n## A minimal complete registry\n")
        .nth(1)
        .expect("docs/registry.md has the section");
    let body = section
        .split("```toml\n")
        .nth(1)
        .expect("a toml fence in it");
    body.split("\n```").next().unwrap().to_string() + "\n"
}

#[test]
fn the_minimal_registry_generates_and_validates() {
    let text = minimal_example();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("subjects.toml"), &text).unwrap();
    for args in [&["generate"][..], &["validate"], &["generate", "--check"]] {
        let run = handoff(tmp.path(), args);
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
    }
    // The generated stubs are named from the publisher, the documents use the neutral names.
    assert!(
        tmp.path()
            .join("stubs/billing_events/publishers.py")
            .is_file()
    );
    let doc = read(&tmp.path().join("docs/nats-event-subjects.md"));
    assert!(
        doc.contains("events the publishing service publishes"),
        "{doc}"
    );
}

#[test]
fn every_key_of_the_minimal_registry_is_required() {
    let text = minimal_example();
    let keys: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(" = "))
        .map(|(i, _)| i)
        .collect();
    assert!(keys.len() >= 15, "{text}");
    let tmp = tempfile::tempdir().unwrap();
    for i in keys {
        let without: Vec<&str> = text
            .lines()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, l)| l)
            .collect();
        std::fs::write(tmp.path().join("subjects.toml"), without.join("\n")).unwrap();
        let run = handoff(tmp.path(), &["validate", "--no-freshness"]);
        let line = text.lines().nth(i).unwrap();
        assert_eq!(
            run.code, 1,
            "without `{line}`: {}{}",
            run.stdout, run.stderr
        );
        assert!(
            run.stdout.contains("error["),
            "without `{line}`: {}",
            run.stdout
        );
    }
}

/// Each key the loader accepts appears in docs/registry.md as a table row (`| `key` |`) of a
/// table with a Required column.
#[test]
fn the_reference_tables_name_every_key_with_required() {
    let doc = read(&repo().join("docs/registry.md"));
    let keys = [
        "version",
        "subject_prefix",
        "[stream]",
        "[envelope]",
        "[names]",
        "[output]",
        "[[subjects]]",
        "[[migrations]]",
        "[source]",
        "[lint]",
        "subjects_doc",
        "migration_doc",
        "definitions",
        "schemas",
        "python",
        "name",
        "subjects",
        "retention",
        "storage",
        "max_age",
        "duplicate_window",
        "replicas",
        "publisher",
        "service",
        "engine",
        "description",
        "subject",
        "since",
        "summary",
        "trigger_site",
        "fires",
        "deprecated",
        "deprecated_reason",
        "replaced_by",
        "type",
        "values",
        "required",
        "example",
        "[migrations.legacy]",
        "[[migrations.side_effects]]",
        "[migrations.definition]",
        "[migrations.cutover]",
        "schedule",
        "timezone",
        "systemd_timer",
        "command",
        "notes",
        "by",
        "creates_work",
        "idempotent",
        "mechanism",
        "key",
        "owner",
        "trigger",
        "trigger.cron",
        "trigger.timezone",
        "trigger.events",
        "rule",
        "rule.when",
        "rule.requires",
        "instruction",
        "instruction.shell",
        "instruction.workflow",
        "root",
        "include",
        "exclude",
        "commit",
        "forbidden_modules",
        "scope",
        "[source.extra_sites]",
        "ignore",
        "[lint.severity]",
    ];
    for key in keys {
        let row = format!("\n| `{key}` |");
        let at = doc
            .find(&row)
            .or_else(|| doc.find(&format!("\n| `{key}`,")))
            .unwrap_or_else(|| panic!("no row for `{key}` in docs/registry.md"));
        let table_head = doc[..at]
            .rfind("\n| Key |")
            .or_else(|| doc[..at].rfind("\n| Attribute key |"));
        let head_line = doc[table_head.unwrap() + 1..].lines().next().unwrap();
        assert!(
            head_line.contains("| Required |"),
            "`{key}`: its table has no Required column: {head_line}"
        );
    }
}
