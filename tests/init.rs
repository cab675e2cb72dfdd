//! `handoff init` and finding the registry from anywhere inside a project.

use crate::common::Test;

/// An empty folder (no `.git` above it in the temporary tree, so discovery may climb to `/`;
/// the system's temporary folder holds no `subjects.toml`).
fn empty() -> Test {
    let tmp = tempfile::tempdir().unwrap();
    Test::tree(tmp.path())
}

#[test]
fn init_then_generate_then_validate_exit_0() {
    let t = empty().args(&["init", "--prefix", "org.billing", "--publisher", "billing"]);
    let run = t.run().code(0);
    for want in [
        "handoff generate",
        "handoff validate",
        "handoff stream ensure",
    ] {
        assert!(run.stdout.contains(want), "{want}: {}", run.stdout);
    }
    let dir = t.dir().to_path_buf();
    let text = std::fs::read_to_string(dir.join("subjects.toml")).unwrap();
    assert!(
        text.starts_with("#:schema ./docs/schemas/subjects.schema.json\n"),
        "{text}"
    );
    assert!(text.contains("python = \"stubs/billing_events\""), "{text}");
    assert!(text.contains("subject_prefix = \"org.billing\""), "{text}");
    assert!(dir.join("definitions").is_dir() && dir.join("docs/schemas").is_dir());
    Test::in_dir(&dir).args(&["generate"]).run().code(0);
    assert!(dir.join("stubs/billing_events/publishers.py").is_file());
    assert!(dir.join("docs/schemas/subjects.schema.json").is_file());
    Test::in_dir(&dir).args(&["validate"]).run().code(0);
    Test::in_dir(&dir)
        .args(&["generate", "--check"])
        .run()
        .code(0);
    // A second init refuses to overwrite: exit 2, the file untouched.
    Test::in_dir(&dir)
        .args(&["init", "--prefix", "org.other"])
        .run()
        .code(2)
        .stderr_has("exists already");
    assert_eq!(
        std::fs::read_to_string(dir.join("subjects.toml")).unwrap(),
        text
    );
    drop(t);
}

#[test]
fn init_defaults_are_neutral() {
    let t = empty().args(&["init"]);
    t.run().code(0);
    let text = std::fs::read_to_string(t.dir().join("subjects.toml")).unwrap();
    assert!(text.contains("subject_prefix = \"org.example\""), "{text}");
    assert!(text.contains("name = \"ACTIVITY_EVENTS\""), "{text}");
    assert!(!text.contains("statehub"), "{text}");
    // The publisher is named from the (temporary) folder; `[names].service` repeats it.
    let publisher = text
        .split("\npublisher = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    assert!(
        text.contains(&format!("[names]\nservice = \"{publisher}\"\n")),
        "{text}"
    );
    Test::in_dir(t.dir()).args(&["generate"]).run().code(0);
    Test::in_dir(t.dir()).args(&["validate"]).run().code(0);
    // The generated documents take their wording from `[names]`, not from this repository.
    for doc in ["docs/nats-event-subjects.md", "docs/cron-migration.md"] {
        let written = std::fs::read_to_string(t.dir().join(doc)).unwrap();
        let lower = written.to_lowercase();
        for hub in ["state hub", "state-hub", "statehub", "activity-core"] {
            assert!(!lower.contains(hub), "{doc} says {hub}: {written}");
        }
    }
    let subjects = std::fs::read_to_string(t.dir().join("docs/nats-event-subjects.md")).unwrap();
    assert!(
        subjects.contains(&format!(
            "ActivityDefinitions run by the automation engine\nreact to them; {publisher} itself never creates work"
        )),
        "{subjects}"
    );
}

#[test]
fn init_rejects_a_bad_prefix_and_writes_nothing() {
    let t = empty().args(&["init", "--prefix", "Org.Billing"]);
    t.run().code(2).stderr_has("--prefix");
    assert!(!t.dir().join("subjects.toml").exists());
}

#[test]
fn commands_find_the_registry_from_a_subfolder() {
    let t = empty()
        .file(".git/HEAD", "ref: refs/heads/main\n")
        .file("app/api/.keep", "")
        .args(&["init", "--prefix", "org.billing", "--publisher", "billing"]);
    t.run().code(0);
    Test::in_dir(t.dir()).args(&["generate"]).run().code(0);
    let sub = t.dir().join("app/api");
    Test::in_dir(&sub).args(&["validate"]).run().code(0);
    Test::in_dir(&sub).args(&["plan"]).run().code(0);
    // Discovery stops at the repository's root: a nested repository does not see it.
    let nested = t.dir().join("vendor/lib");
    std::fs::create_dir_all(nested.join(".git")).unwrap();
    Test::in_dir(&nested)
        .args(&["validate"])
        .run()
        .code(3)
        .stderr_has("handoff init");
}

#[test]
fn no_registry_says_how_to_make_one() {
    let t = empty().args(&["validate"]);
    t.run()
        .code(3)
        .stderr_has("no subjects.toml")
        .stderr_has("handoff init");
    // An explicit --registry is used as given, never discovered.
    empty()
        .args(&["--registry", "elsewhere.toml", "plan"])
        .run()
        .code(3)
        .stderr_has("elsewhere.toml");
}

#[test]
fn subject_prefix_is_required_with_a_suggestion() {
    let t = empty().args(&[
        "init",
        "--prefix",
        "org.billing",
        "--publisher",
        "billing-api",
    ]);
    t.run().code(0);
    let path = t.dir().join("subjects.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace("subject_prefix = \"org.billing\"\n", "")
        .replace("python = \"stubs/billing_api_events\"\n", "");
    std::fs::write(&path, text).unwrap();
    let run = Test::in_dir(t.dir())
        .args(&["validate", "--no-freshness"])
        .run()
        .code(1);
    assert!(
        run.stdout.contains("missing-field")
            && run.stdout.contains("subjects.toml:1:1")
            && run
                .stdout
                .contains("add `subject_prefix = \"org.billing\"` at the top of the registry"),
        "{}",
        run.stdout
    );
    // With the prefix back, the Python package's default is named from the publisher.
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replacen(
        "version = \"1.0\"\n",
        "version = \"1.0\"\nsubject_prefix = \"org.billing\"\n",
        1,
    );
    std::fs::write(&path, text).unwrap();
    Test::in_dir(t.dir()).args(&["generate"]).run().code(0);
    assert!(
        t.dir()
            .join("stubs/billing_api_events/publishers.py")
            .is_file()
    );
    Test::in_dir(t.dir()).args(&["validate"]).run().code(0);
}

#[test]
fn init_writes_where_registry_points_and_notes_a_registry_above() {
    let t = empty().file(".git/HEAD", "ref: refs/heads/main\n").args(&[
        "--registry",
        "svc/billing/subjects.toml",
        "init",
        "--prefix",
        "org.billing",
    ]);
    let run = t.run().code(0);
    assert!(
        run.stdout
            .contains("handoff --registry svc/billing/subjects.toml generate")
            && run.stdout.contains("svc/billing/definitions/"),
        "{}",
        run.stdout
    );
    // The publisher is named from the registry's folder.
    let text = std::fs::read_to_string(t.dir().join("svc/billing/subjects.toml")).unwrap();
    assert!(text.contains("publisher = \"billing\""), "{text}");
    let sub = t.dir().join("svc/billing");
    Test::in_dir(&sub).args(&["generate"]).run().code(0);
    Test::in_dir(&sub.join("definitions"))
        .args(&["validate"])
        .run()
        .code(0);
    // A registry inside that project's folder: init says which one commands will use.
    let nested = sub.join("tools");
    std::fs::create_dir_all(&nested).unwrap();
    Test::in_dir(&nested)
        .args(&["init"])
        .run()
        .code(0)
        .stdout_has("note: ")
        .stdout_has("billing/subjects.toml is a registry too");
}

/// The acceptance, end to end on a project `init` wrote: no `--registry` (discovered)
/// and no `--subject` (tap watches the registry's `<prefix>.>`), against a private nats-server.
#[test]
fn an_init_project_publishes_and_taps_with_no_subject() {
    let server = crate::support::NatsServer::start();
    let t = empty().args(&["init", "--prefix", "org.billing", "--publisher", "billing"]);
    t.run().code(0);
    let dir = t.dir().to_path_buf();
    Test::in_dir(&dir).args(&["generate"]).run().code(0);
    let nats = |args: &[&str]| Test::in_dir(&dir).nats(&server.url()).args(args).run();
    nats(&["stream", "ensure"]).code(0);
    nats(&[
        "publish",
        "org.billing.example.created",
        "--attr",
        "example_id=5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91",
    ])
    .code(0);
    let run = nats(&["tap", "--count", "1", "--timeout", "10s", "--strict"]).code(0);
    assert!(
        run.stdout.starts_with("#1 ok org.billing.example.created "),
        "{}{}",
        run.stdout,
        run.stderr
    );
}
