//! The `number` attribute type end to end: a registry declaring one generates a JSON Schema of
//! type `number`, `publish` parses `--attr` values as numbers, and `tap` accepts any JSON number
//! for it (integers included) and reports a string or a bool as a wrong attribute type.

use crate::support;

use support::{NatsServer, block_on, handoff};

/// This repository's registry with a `number` attribute `ratio` added to `task.stale`.
fn registry_with_number() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(support::repo().join("subjects.toml"))
        .unwrap()
        .replacen(
            "[subjects.attributes.stale_days]",
            "[subjects.attributes.ratio]\ntype = \"number\"\nrequired = false\ndescription = \"A share.\"\nexample = 0.5\n\n[subjects.attributes.stale_days]",
            1,
        );
    let path = dir.path().join("subjects.toml");
    std::fs::write(&path, text).unwrap();
    let shown = path.display().to_string();
    (dir, shown)
}

const STALE: [&str; 6] = [
    "--attr",
    "task_id=e4b1a7c9-2d3f-4c6e-9a8b-0f1d2c3b4a56",
    "--attr",
    "last_activity_at=2026-10-12T13:20:00Z",
    "--attr",
    "stale_days=45",
];

#[test]
fn a_number_attribute_is_published_tapped_and_typed() {
    let (dir, registry) = registry_with_number();
    let run = |url: Option<&str>, args: &[&str]| {
        let mut all = vec!["--registry", registry.as_str()];
        all.extend_from_slice(args);
        handoff(url, &all)
    };
    let r = run(None, &["generate"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.path()
                .join("docs/schemas/org.statehub.task.stale.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let ratio = &schema["properties"]["attributes"]["properties"]["ratio"];
    assert_eq!(ratio["type"], "number", "{schema}");

    let server = NatsServer::start();
    let url = server.url();
    assert_eq!(run(Some(&url), &["stream", "ensure"]).code, 0);
    let publish = |value: &str| {
        let attr = format!("ratio={value}");
        let mut args = vec![
            "publish",
            "org.statehub.task.stale",
            "--attr",
            attr.as_str(),
        ];
        args.extend_from_slice(&STALE);
        run(Some(&url), &args)
    };
    for bad in ["half", "NaN", "true"] {
        let r = publish(bad);
        assert_eq!(r.code, 1, "{bad}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("attribute `ratio` must be a number"),
            "{bad}: {}",
            r.stderr
        );
    }
    for good in ["0.25", "3", "-1e-3"] {
        let r = publish(good);
        assert_eq!(r.code, 0, "{good}: {}{}", r.stdout, r.stderr);
    }
    // Another client's events: an integer is a number, a string and a bool are not.
    block_on(async {
        let js = async_nats::jetstream::new(async_nats::connect(&url).await.unwrap());
        for ratio in [
            serde_json::json!(7),
            serde_json::json!("0.5"),
            serde_json::json!(false),
        ] {
            let event = serde_json::json!({
                "id": uuid::Uuid::new_v4().to_string(),
                "type": "org.statehub.task.stale",
                "version": "1.0",
                "timestamp": "2026-11-02T09:14:27Z",
                "publisher": "state-hub",
                "attributes": {
                    "task_id": "e4b1a7c9-2d3f-4c6e-9a8b-0f1d2c3b4a56",
                    "last_activity_at": "2026-10-12T13:20:00Z",
                    "stale_days": 45,
                    "ratio": ratio,
                }
            });
            let bytes = serde_json::to_vec(&event).unwrap();
            js.publish("org.statehub.task.stale", bytes.into())
                .await
                .unwrap()
                .await
                .unwrap();
        }
    });
    let r = run(Some(&url), &["tap", "--timeout", "1s", "--strict"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("tap: 6 events, 4 ok, 2 invalid (wrong-attribute-type: 2)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("#5 INVALID"), "{}", r.stdout);
    assert!(r.stdout.contains("#6 INVALID"), "{}", r.stdout);
}
