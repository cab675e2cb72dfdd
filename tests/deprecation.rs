//! Deprecations reach the generated files: the subject document and the publisher's docstring
//! say since when, why and what to use instead; the JSON Schemas carry the `deprecated`
//! annotation. (The warnings `validate`
//! gives are the fixture cases `deprecated-subject` and `deprecated-attribute`.)

use crate::common::{fixture, handoff, read};

fn generated(case: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("cases").join(case).join("bad/subjects.toml"),
        tmp.path().join("subjects.toml"),
    )
    .unwrap();
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    tmp
}

#[test]
fn a_deprecated_subject_is_marked_in_the_docs_and_its_schema() {
    let tmp = generated("deprecated-subject");
    let doc = read(&tmp.path().join("docs/nats-event-subjects.md"));
    assert!(
        doc.contains(
            "- **Since:** 1.0\n- **Deprecated since 1.1:** Registration is now reported as org.statehub.repo.added. Use `org.statehub.repo.added` instead.\n- **Publisher stub:**"
        ),
        "{doc}"
    );
    // Only that subject. (The package is named from the publisher, `state-hub`.)
    assert_eq!(doc.matches("Deprecated since").count(), 1);
    let stub = read(&tmp.path().join("stubs/state_hub_events/publishers.py"));
    assert!(
        stub.contains(
            "    Fires: After commit.\n\n    Deprecated since 1.1: Registration is now reported as org.statehub.repo.added. Use ``org.statehub.repo.added`` instead.\n\n    Call only after"
        ),
        "{stub}"
    );
    assert_eq!(stub.matches("Deprecated since").count(), 1);
    let schema: serde_json::Value = serde_json::from_str(&read(
        &tmp.path()
            .join("docs/schemas/org.statehub.repo.registered.schema.json"),
    ))
    .unwrap();
    assert_eq!(schema["deprecated"], true);
    let other: serde_json::Value = serde_json::from_str(&read(
        &tmp.path()
            .join("docs/schemas/org.statehub.repo.added.schema.json"),
    ))
    .unwrap();
    assert!(other.get("deprecated").is_none());
}

#[test]
fn a_deprecated_attribute_is_marked_in_the_table_and_its_schema() {
    let tmp = generated("deprecated-attribute");
    let doc = read(&tmp.path().join("docs/nats-event-subjects.md"));
    assert!(
        doc.contains(
            "| `slug` | string | yes | **Deprecated since 1.1:** Slugs change when a repository moves; use its id. Use `repo_id` instead. Slug. | `\"a/b\"` |"
        ),
        "{doc}"
    );
    let schema: serde_json::Value = serde_json::from_str(&read(
        &tmp.path()
            .join("docs/schemas/org.statehub.repo.registered.schema.json"),
    ))
    .unwrap();
    let attrs = &schema["properties"]["attributes"]["properties"];
    assert_eq!(attrs["slug"]["deprecated"], true);
    assert!(attrs["repo_id"].get("deprecated").is_none());
    // What generate wrote is current.
    let run = handoff(tmp.path(), &["generate", "--check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}
