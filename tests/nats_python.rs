//! The generated Python stubs, run by a real Python with nats-py, against a real nats-server.

use crate::support;

use std::process::Command;

use support::{NatsServer, handoff, python, repo};

fn run_script(url: Option<&str>, mode: &str) -> support::Run {
    let mut cmd = Command::new(python());
    cmd.arg(repo().join("tests/python/publish_events.py"))
        .arg(repo().join("stubs"))
        .arg(mode)
        .env("HANDOFF_STRICT_EVENTS", "1")
        .env_remove("NATS_URL");
    if let Some(u) = url {
        cmd.env("NATS_URL", u);
    }
    support::finish(cmd.output().expect("run python"))
}

#[test]
fn generated_stubs_publish_events_tap_sees_as_valid() {
    let server = NatsServer::start();
    let url = server.url();
    // No stream yet: the runtime creates it on first publish.
    let r = run_script(Some(&url), "publish");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let ids: Vec<String> = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(ids.len(), 5);
    let r = handoff(
        Some(&url),
        &["tap", "--count", "5", "--timeout", "5s", "--strict"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for id in &ids {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.contains(" ok ") && l.ends_with(id.as_str())),
            "{id} not seen as ok:\n{}",
            r.stdout
        );
    }
    let r = handoff(Some(&url), &["stream", "ensure"]);
    assert_eq!(
        r.code, 0,
        "the runtime's stream matches the registry: {}",
        r.stdout
    );
}

#[test]
fn without_nats_url_publishing_is_a_logged_no_op() {
    let r = run_script(None, "timing");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("NATS_URL unset: not publishing"),
        "{}",
        r.stderr
    );
    let durations: Vec<f64> = serde_json::from_str(r.stdout.trim()).unwrap();
    assert!(durations.iter().all(|d| *d < 0.1), "{durations:?}");
}

#[test]
fn a_dead_server_returns_within_a_second_and_never_raises() {
    let mut server = NatsServer::start();
    server.stop();
    let url = format!("nats://user:pa55word@127.0.0.1:{}", server.port);
    let r = run_script(Some(&url), "timing");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let d: Vec<f64> = serde_json::from_str(r.stdout.trim()).unwrap();
    assert!(d[0] < 1.0, "first call took {} s", d[0]);
    assert!(
        d[1] < 0.05 && d[2] < 0.05,
        "cooldown calls were slow: {d:?}"
    );
    assert!(d[3] < 1.0, "close took {} s", d[3]);
    assert!(r.stderr.contains("unavailable"), "{}", r.stderr);
    assert!(!r.stderr.contains("pa55word"), "{}", r.stderr);
}

#[test]
fn the_runtime_reconnects_after_the_cooldown() {
    let mut server = NatsServer::start();
    let url = server.url();
    server.stop();
    let script = r#"
import asyncio, json, sys, uuid
from datetime import datetime, timezone
sys.path.insert(0, sys.argv[1])
import statehub_events as ev

async def main():
    first = await ev.publish_task_stale(task_id=uuid.uuid4(), last_activity_at=datetime.now(timezone.utc), stale_days=1)
    print("down", flush=True)
    sys.stdin.readline()
    await asyncio.sleep(0.3)  # past the cooldown
    second = await ev.publish_task_stale(task_id=uuid.uuid4(), last_activity_at=datetime.now(timezone.utc), stale_days=2)
    await ev.close()
    print(json.dumps([first["id"], second["id"]]))

asyncio.run(main())
"#;
    let mut child = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(repo().join("stubs"))
        .env("NATS_URL", &url)
        .env("HANDOFF_NATS_COOLDOWN", "0.2")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line.trim(), "down");
    server.restart();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"go\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids: Vec<String> = serde_json::from_str(rest.trim()).unwrap();
    let r = handoff(Some(&url), &["tap", "--timeout", "1s", "--strict"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        !r.stdout.contains(&ids[0]),
        "the first event was dropped: {}",
        r.stdout
    );
    assert!(r.stdout.contains(&ids[1]), "{}", r.stdout);
    assert!(r.stdout.contains("tap: 1 event, 1 ok"), "{}", r.stdout);
}
