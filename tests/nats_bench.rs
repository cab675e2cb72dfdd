//! The tap throughput benchmark's shape, as a test so it always runs (small N, no speed
//! assertion): `handoff tap --count N` as a whole process and `tap --match` with 100
//! definitions, beside a bare async-nats ordered-consumer read loop, on a private server on
//! loopback. The figures in docs/benchmarks.md come from `scripts/bench-tap`, which times whole
//! processes (the bare loop is `examples/bare_tap.rs`); `HANDOFF_BENCH_N` sets N here.

use crate::support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use futures::StreamExt;
use support::{NatsServer, block_on, handoff, handoff_cmd};

fn n() -> u64 {
    std::env::var("HANDOFF_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000)
}

/// A small valid envelope (~260 bytes).
fn envelope(i: u64) -> Vec<u8> {
    format!(
        r#"{{"id":"{}","type":"org.statehub.task.stale","version":"1.0","timestamp":"2026-11-26T12:00:00.000000Z","publisher":"state-hub","attributes":{{"task_id":"e4b1a7c9-2d3f-4c6e-9a8b-0f1d2c3b4a56","last_activity_at":"2026-10-12T13:20:00Z","stale_days":{}}}}}"#,
        uuid::Uuid::from_u128(0x1000_0000_0000_4000_8000_0000_0000_0000 | u128::from(i)).hyphenated(),
        i % 100
    )
    .into_bytes()
}

#[test]
#[allow(clippy::print_stderr)] // the figures are the point
fn tap_throughput() {
    let n = n();
    let server = NatsServer::start();
    let url = server.url();
    assert_eq!(handoff(Some(&url), &["stream", "ensure"]).code, 0);

    let (publish_secs, bare_secs) = block_on(async {
        let client = async_nats::connect(&url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let t = Instant::now();
        let mut acks = futures::stream::FuturesOrdered::new();
        for i in 0..n {
            let ack = js
                .publish("org.statehub.task.stale", envelope(i).into())
                .await
                .unwrap();
            acks.push_back(ack.into_future());
            if acks.len() >= 256 {
                acks.next().await.unwrap().unwrap();
            }
        }
        while let Some(a) = acks.next().await {
            a.unwrap();
        }
        let publish_secs = t.elapsed().as_secs_f64();

        // The bare read loop: an ordered pull consumer, nothing but counting.
        let t = Instant::now();
        let stream = js.get_stream("ACTIVITY_EVENTS").await.unwrap();
        let consumer = stream
            .create_consumer(async_nats::jetstream::consumer::pull::OrderedConfig {
                filter_subject: "org.statehub.>".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let mut messages = consumer.messages().await.unwrap();
        let mut count = 0;
        let mut bytes = 0;
        while count < n {
            let m = tokio::time::timeout(Duration::from_secs(10), messages.next())
                .await
                .expect("bare loop stalled")
                .unwrap()
                .unwrap();
            bytes += m.payload.len();
            count += 1;
        }
        assert!(bytes > 0);
        (publish_secs, t.elapsed().as_secs_f64())
    });

    let out = tempfile::NamedTempFile::new().unwrap();
    let t = Instant::now();
    let status = handoff_cmd(
        Some(&url),
        &[
            "tap",
            "--count",
            &n.to_string(),
            "--timeout",
            "10s",
            "--strict",
        ],
    )
    .stdout(out.reopen().unwrap())
    .stderr(Stdio::inherit())
    .status()
    .unwrap();
    let tap_secs = t.elapsed().as_secs_f64();
    assert_eq!(status.code(), Some(0));
    let text = std::fs::read_to_string(out.path()).unwrap();
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!("tap: {n} events, {n} ok, 0 invalid")),
        "{last}"
    );
    // The same events through `tap --match` with 100 definitions, all triggered by the subject
    // of every envelope (org.statehub.task.stale): the worst case, 100 evaluations per envelope.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        support::repo().join("subjects.toml"),
        dir.path().join("subjects.toml"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("definitions")).unwrap();
    for i in 0..100 {
        std::fs::write(
            dir.path().join(format!("definitions/bench.definition-{i}.yaml")),
            format!(
                "apiVersion: activity-core/v1\nkind: ActivityDefinition\nmetadata:\n  name: bench.definition-{i}\ntrigger:\n  events:\n    - {}\nrule:\n  when: 'has(event.attributes.stale_days) && event.attributes.stale_days > {} && context[\"state-hub.health\"].status == \"ok\"'\n  requires:\n    - state-hub.health\ninstruction:\n  shell:\n    command: /bin/true\n",
                "org.statehub.task.stale",
                i % 100
            ),
        )
        .unwrap();
    }
    let registry = dir.path().join("subjects.toml");
    let out = tempfile::NamedTempFile::new().unwrap();
    let t = Instant::now();
    let status = handoff_cmd(
        Some(&url),
        &[
            "--registry",
            registry.to_str().unwrap(),
            "tap",
            "--match",
            "--context",
            r#"state-hub.health={"status":"ok"}"#,
            "--count",
            &n.to_string(),
            "--timeout",
            "10s",
            "--strict",
        ],
    )
    .stdout(out.reopen().unwrap())
    .stderr(Stdio::inherit())
    .status()
    .unwrap();
    let match_secs = t.elapsed().as_secs_f64();
    assert_eq!(status.code(), Some(0));
    let text = std::fs::read_to_string(out.path()).unwrap();
    assert!(
        text.lines()
            .last()
            .unwrap_or_default()
            .starts_with(&format!("tap: {n} events, {n} ok, 0 invalid")),
        "{}",
        text.lines().last().unwrap_or_default()
    );
    // Every envelope lists its 100 definitions; stale_days = i % 100 decides which fire (none
    // for the first, whose stale_days is 0).
    let second = text.lines().nth(1).unwrap_or_default();
    assert!(
        second.starts_with("  → skips: bench.definition-0, bench.definition-1, "),
        "{second}"
    );
    assert_eq!(second.matches("bench.definition-").count(), 100);

    let rate = |s: f64| n as f64 / s;
    eprintln!(
        "bench-tap: handoff tap --match, 100 definitions all triggered by every envelope {:.0} msg/s ({:.2} s)",
        rate(match_secs),
        match_secs
    );
    eprintln!(
        "bench-tap: N={n} ({} bytes each); publish (256 acks in flight) {:.0} msg/s; \
         bare async-nats ordered read loop {:.0} msg/s; handoff tap --count N (whole process, \
         validating) {:.0} msg/s ({:.2} s)",
        envelope(0).len(),
        rate(publish_secs),
        rate(bare_secs),
        rate(tap_secs),
        tap_secs
    );
}
