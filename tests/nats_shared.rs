//! `stream ensure` for a second publisher on the shared stream, against a real nats-server:
//! the state hub creates `ACTIVITY_EVENTS` on `org.>`; a billing service (prefix `org.billing`)
//! naming the same stream is recognised as sharing it (its filter never narrowed, even with
//! `--update`); one naming another stream over an overlapping filter gets an error naming both.

use crate::support;

use support::{NatsServer, block_on, handoff};

fn billing(dir: &std::path::Path, name: &str, subjects: &str, max_age: &str) -> String {
    let path = dir.join(format!("{name}-{}.toml", subjects.len()));
    std::fs::write(
        &path,
        format!(
            r#"version = "1.0"
subject_prefix = "org.billing"

[stream]
name = "{name}"
subjects = {subjects}
max_age = "{max_age}"

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
"#
        ),
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

fn live(url: &str, name: &str) -> Option<(Vec<String>, std::time::Duration)> {
    block_on(async {
        let client = async_nats::connect(url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let mut s = js.get_stream(name).await.ok()?;
        let info = s.info().await.unwrap();
        Some((info.config.subjects.clone(), info.config.max_age))
    })
}

#[test]
fn a_second_publisher_shares_the_stream_and_a_conflicting_one_is_named() {
    let server = NatsServer::start();
    let url = server.url();
    let tmp = tempfile::tempdir().unwrap();
    // The state hub (this repository's registry) creates the shared stream.
    let r = handoff(Some(&url), &["stream", "ensure"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("created stream ACTIVITY_EVENTS"),
        "{}",
        r.stdout
    );

    // Billing with the same stream name and filter: its stream, and it says it is shared.
    let same = billing(tmp.path(), "ACTIVITY_EVENTS", r#"["org.>"]"#, "30d");
    let r = handoff(Some(&url), &["--registry", &same, "stream", "ensure"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("stream ACTIVITY_EVENTS on"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("matches the registry"), "{}", r.stdout);
    assert!(
        r.stdout.contains("note: its filter org.> also captures subjects outside this registry's prefix org.billing: other publishers can share it"),
        "{}",
        r.stdout
    );

    // Billing naming the stream with only its own prefix: the live org.> covers it.
    let own = billing(tmp.path(), "ACTIVITY_EVENTS", r#"["org.billing.>"]"#, "30d");
    let r = handoff(Some(&url), &["--registry", &own, "stream", "ensure"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("is a shared stream: its filter org.> covers this registry's org.billing.> (prefix org.billing)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("its other fields match the registry"),
        "{}",
        r.stdout
    );

    // A differing field is reported; --update applies it but never narrows the filter.
    let longer = billing(
        tmp.path(),
        "ACTIVITY_EVENTS",
        r#"["org.billing.>" ]"#,
        "60d",
    );
    let r = handoff(Some(&url), &["--registry", &longer, "stream", "ensure"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("max_age: live 30d, registry 60d"),
        "{}",
        r.stdout
    );
    let r = handoff(
        Some(&url),
        &["--registry", &longer, "stream", "ensure", "--update"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let (subjects, max_age) = live(&url, "ACTIVITY_EVENTS").unwrap();
    assert_eq!(subjects, ["org.>"]);
    assert_eq!(max_age, std::time::Duration::from_secs(60 * 86400));

    // Another stream over an overlapping filter: an error naming both streams and the fix,
    // and nothing created.
    let other = billing(tmp.path(), "BILLING_EVENTS", r#"["org.billing.>"]"#, "30d");
    let r = handoff(Some(&url), &["--registry", &other, "stream", "ensure"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("stream BILLING_EVENTS (subjects org.billing.>) cannot be created on"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("stream ACTIVITY_EVENTS there already captures org.>"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("set `[stream] name = \"ACTIVITY_EVENTS\"` and `subjects = [\"org.>\"]`"),
        "{}",
        r.stderr
    );
    assert!(live(&url, "BILLING_EVENTS").is_none());

    // A filter that overlaps nothing gets its own stream.
    let apart = tmp.path().join("apart.toml");
    std::fs::write(
        &apart,
        std::fs::read_to_string(&other)
            .unwrap()
            .replace("org.billing", "com.billing")
            .replace("[\"com.billing.>\"]", "[\"com.>\"]"),
    )
    .unwrap();
    let r = handoff(
        Some(&url),
        &["--registry", apart.to_str().unwrap(), "stream", "ensure"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("created stream BILLING_EVENTS"),
        "{}",
        r.stdout
    );
}

/// `publish` creates a missing stream as `stream ensure` does, so it names a stream of another
/// name whose filter overlaps instead of passing on the server's bare refusal, and creates
/// nothing.
#[test]
fn publish_names_an_overlapping_stream_instead_of_creating_its_own() {
    let server = NatsServer::start();
    let url = server.url();
    let tmp = tempfile::tempdir().unwrap();
    let other = billing(tmp.path(), "BILLING_EVENTS", r#"["org.billing.>"]"#, "30d");
    let r = handoff(Some(&url), &["--registry", &other, "stream", "ensure"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = handoff(Some(&url), &support::PUBLISH_REPO);
    assert_ne!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(
            "no stream captures it, and stream ACTIVITY_EVENTS (subjects org.>) cannot be created because stream BILLING_EVENTS already captures org.billing.>"
        ),
        "{}",
        r.stderr
    );
    assert!(live(&url, "ACTIVITY_EVENTS").is_none());
}
