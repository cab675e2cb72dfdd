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
    await ev.close()  # waits for the background connect to fail
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

/// Runs `tests/python/SCRIPT STUBS ARGS…` with the test Python; `NATS_URL` = `url` (if any).
fn script(name: &str, url: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(python());
    cmd.arg(repo().join("tests/python").join(name))
        .arg(repo().join("stubs"))
        .args(args)
        .env_remove("NATS_URL")
        .env_remove("HANDOFF_STRICT_EVENTS")
        .env_remove("HANDOFF_NATS_COOLDOWN");
    if let Some(u) = url {
        cmd.env("NATS_URL", u);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Bad input never raises into the caller: a naive datetime (SQLAlchemy `DateTime()`) is taken
/// as UTC, an RFC 3339 string with `+00:00` is accepted (and sent as `…Z`), `datetime.max` with
/// an offset, a raising `repr`, an unhashable enum value, … are logged and dropped.
#[test]
fn attribute_checks_never_raise_naive_datetimes_are_utc() {
    let r = support::finish(
        script("attributes.py", None, &[], &[])
            .output()
            .expect("run python"),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let ok = v["ok"].as_array().unwrap();
    let dropped = v["dropped"].as_array().unwrap();
    assert_eq!(ok.len(), 7, "{v}");
    assert_eq!(dropped.len(), 17, "{v}");
    let logged = r
        .stderr
        .lines()
        .filter(|l| l.contains("dropping org.statehub."))
        .count();
    assert_eq!(logged, dropped.len(), "every drop is logged:\n{}", r.stderr);
}

struct Latency {
    p50: f64,
    p99: f64,
    max: f64,
    close: f64,
    ids: Vec<String>,
    stderr: String,
}

fn latency(url: &str, cooldown: &str, pause: Option<&mut dyn FnMut()>) -> Latency {
    let mut args = vec!["200"];
    if pause.is_some() {
        args.push("100");
    }
    let mut child = script(
        "latency.py",
        Some(url),
        &args,
        &[("HANDOFF_NATS_COOLDOWN", cooldown)],
    )
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .expect("run python");
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    if let Some(pause) = pause {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        assert_eq!(line.trim(), "pause");
        pause();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"go\n").unwrap();
    }
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{rest}{stderr}");
    let v: serde_json::Value =
        serde_json::from_str(rest.trim()).unwrap_or_else(|e| panic!("{e}: {rest}{stderr}"));
    Latency {
        p50: v["p50"].as_f64().unwrap(),
        p99: v["p99"].as_f64().unwrap(),
        max: v["max"].as_f64().unwrap(),
        close: v["close"].as_f64().unwrap(),
        ids: serde_json::from_value(v["ids"].clone()).unwrap(),
        stderr,
    }
}

/// The target is ≤ 1 ms added to the caller (p99 over 200 calls); the bound here is far above
/// it so a loaded machine does not fail the test, yet far below what an inline connect costs
/// (~100 ms against a closed port, ~900 ms against a black hole, on every call with a zero
/// cooldown). The maximum is printed, not bounded: one descheduled call on a busy machine is
/// not the runtime's doing.
/// The figures are printed (`--nocapture`) for docs/nats.md.
#[allow(clippy::print_stderr)]
fn assert_fast(what: &str, l: &Latency) {
    eprintln!(
        "{what}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms, close {:.3} s",
        l.p50, l.p99, l.max, l.close
    );
    assert!(l.p99 <= 20.0, "{what}: p99 {} ms\n{}", l.p99, l.stderr);
    assert!(l.close <= 6.5, "{what}: close() took {} s", l.close);
}

#[test]
fn publishing_never_delays_the_caller_nats_up() {
    let server = NatsServer::start();
    let l = latency(&server.url(), "0", None);
    assert_fast("NATS up", &l);
    // close() flushed every queued publish.
    let r = handoff(
        Some(&server.url()),
        &["tap", "--count", "200", "--timeout", "5s", "--strict"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("tap: 200 events, 200 ok"), "{}", r.stdout);
    for id in &l.ids {
        assert!(r.stdout.contains(id.as_str()), "{id} missing");
    }
}

#[test]
fn publishing_never_delays_the_caller_closed_port() {
    let mut server = NatsServer::start();
    server.stop();
    let l = latency(&server.url(), "0", None);
    assert_fast("closed port, zero cooldown", &l);
    assert!(l.stderr.contains("unavailable"), "{}", l.stderr);
}

#[test]
fn publishing_never_delays_the_caller_black_hole() {
    // Accepts TCP connections (the kernel completes the handshake) and never answers.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("nats://127.0.0.1:{}", hole.local_addr().unwrap().port());
    let l = latency(&url, "0", None);
    assert_fast("black hole, zero cooldown", &l);
    assert!(l.stderr.contains("unavailable"), "{}", l.stderr);
    drop(hole);
}

#[test]
fn publishing_never_delays_the_caller_when_nats_goes_down() {
    let mut server = NatsServer::start();
    let url = server.url();
    let l = latency(&url, "0", Some(&mut || server.stop()));
    assert_fast("NATS down after 100 calls, zero cooldown", &l);
    assert!(l.stderr.contains("unavailable"), "{}", l.stderr);
    // An ack pending when the connection dropped does not hold close() for the ack timeout.
    assert!(l.close < 2.0, "close() took {} s\n{}", l.close, l.stderr);
}

/// The queue is bounded: past MAX_QUEUE (1000) events waiting for a connection, each new event
/// is dropped with a warning; when the connect fails the queued ones are dropped with one line.
#[test]
fn the_queue_is_bounded_and_drops_the_newest_with_a_log_line() {
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("nats://127.0.0.1:{}", hole.local_addr().unwrap().port());
    let code = r#"
import asyncio, logging, sys, time, uuid
from datetime import datetime, timezone
sys.path.insert(0, sys.argv[1])
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
import statehub_events as ev

async def main():
    now = datetime.now(timezone.utc)
    t = time.perf_counter()
    for i in range(1100):
        assert await ev.publish_task_stale(task_id=uuid.uuid4(), last_activity_at=now, stale_days=i)
    print("calls %.3f s" % (time.perf_counter() - t))
    await ev.close()

asyncio.run(main())
"#;
    let out = Command::new(python())
        .args(["-c", code])
        .arg(repo().join("stubs"))
        .env("NATS_URL", &url)
        .env_remove("HANDOFF_STRICT_EVENTS")
        .output()
        .expect("run python");
    let r = support::finish(out);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stderr
            .matches("publish queue full (1000): dropped org.statehub.task.stale")
            .count(),
        100,
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("dropped 1000 queued event(s)"),
        "{}",
        r.stderr
    );
    drop(hole);
}

/// A payload that cannot be sent is refused before the call returns (None, logged), not handed
/// to the background to fail there: a lone surrogate, a string over max_payload (1 MiB).
#[test]
fn unsendable_payloads_are_dropped_before_returning() {
    let server = NatsServer::start();
    let code = r#"
import asyncio, json, logging, sys, uuid
from datetime import datetime, timezone
sys.path.insert(0, sys.argv[1])
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
import statehub_events as ev

async def main():
    now = datetime.now(timezone.utc)
    out = {}
    for name, slug in [("surrogate", "a\udc80b"), ("2MB", "x" * 2_000_000), ("ok", "a/b")]:
        env = await ev.publish_repo_registered(repo_id=uuid.uuid4(), slug=slug, registered_at=now)
        out[name] = None if env is None else env["id"]
    await ev.close()
    print(json.dumps(out))

asyncio.run(main())
"#;
    let out = Command::new(python())
        .args(["-c", code])
        .arg(repo().join("stubs"))
        .env("NATS_URL", server.url())
        .env_remove("HANDOFF_STRICT_EVENTS")
        .output()
        .expect("run python");
    let r = support::finish(out);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert!(v["surrogate"].is_null(), "{v}");
    assert!(v["2MB"].is_null(), "{v}");
    assert!(
        r.stderr.contains("not encodable as UTF-8 JSON"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("over the 1048576-byte max_payload"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("failed"), "{}", r.stderr);
    let id = v["ok"].as_str().unwrap();
    let t = handoff(Some(&server.url()), &["tap", "--timeout", "1s", "--strict"]);
    assert!(t.stdout.contains("tap: 1 event, 1 ok"), "{}", t.stdout);
    assert!(t.stdout.contains(id), "{}", t.stdout);
}

/// No credential of NATS_URL appears in any log line (every logger at DEBUG, stderr captured),
/// whatever characters it holds: raw, percent-encoded, as a token, in a multi-server list.
#[test]
fn no_credential_reaches_a_log_line() {
    let mut server = NatsServer::start();
    server.stop();
    // A closed port, and a server that refuses the credentials (Authorization Violation).
    let auth = ConfServer::start("authorization { user: alice, password: \"right-one\" }\n");
    let secrets = [
        "sEcr3t/sl4sh",
        "bEf0re@aft3r",
        "c0l0n:ins1de",
        "c0mma,ins1de",
        "pErc%41ent",
        "h4sh#t4il",
        "qu3ry?t4il",
        "sp4ce ins1de",
        "ünï✓pässwørd",
        "m1x3d/@:,%#? ✓tail",
    ];
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let mut urls = Vec::new();
    for (s, port) in secrets
        .iter()
        .flat_map(|s| [(*s, server.port), (*s, auth.port)])
    {
        let e = encode(s);
        urls.push(format!("nats://alice:{s}@127.0.0.1:{port}"));
        urls.push(format!("nats://alice:{e}@127.0.0.1:{port}"));
        urls.push(format!("nats://{s}@127.0.0.1:{port}"));
        urls.push(format!(
            "nats://alice:{s}@127.0.0.1:{port}, nats://127.0.0.1:{port}"
        ));
    }
    let r = support::finish(
        script(
            "secrets_in_logs.py",
            None,
            &[&serde_json::to_string(&urls).unwrap()],
            &[],
        )
        .output()
        .expect("run python"),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(&format!("done {}", urls.len())));
    let warnings = r.stderr.matches("unavailable").count();
    assert!(
        warnings >= urls.len(),
        "each URL logs that NATS is unavailable:\n{}",
        r.stderr
    );
    for s in secrets {
        // The whole secret, its encoded form, and every run of 4+ characters between its
        // special characters.
        let mut needles = vec![s.to_string(), encode(s)];
        needles.extend(
            s.split(|c: char| "/@:,%#? ".contains(c))
                .filter(|p| p.chars().count() >= 4)
                .map(str::to_string),
        );
        for n in needles {
            for line in r.stderr.lines() {
                assert!(!line.contains(&n), "{n:?} of {s:?} leaked: {line}");
            }
        }
    }
}

/// A nats-server with a configuration file (`max_payload`, `authorization`): the shared
/// `NatsServer` takes none.
struct ConfServer {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl ConfServer {
    fn start(config: &str) -> ConfServer {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("nats.conf");
        std::fs::write(&conf, config).unwrap();
        let log = dir.path().join("nats.log");
        let child = Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", "-1", "-c"])
            .arg(&conf)
            .arg("-sd")
            .arg(dir.path().join("store"))
            .arg("-l")
            .arg(&log)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run nats-server (apt-get install -y nats-server; scripts/test installs it)");
        let mut server = ConfServer {
            child,
            port: 0,
            _dir: dir,
        };
        let needle = "Listening for client connections on 127.0.0.1:";
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(i) = text.find(needle)
                && text.contains("Server is ready")
            {
                let digits: String = text[i + needle.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                server.port = digits.parse().unwrap();
                return server;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "nats-server did not start:\n{text}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for ConfServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Once connected, the limit is the server's own max_payload (here 4096 bytes), not 1 MiB.
#[test]
fn the_size_check_uses_the_connections_max_payload() {
    let server = ConfServer::start("max_payload: 4096\n");
    let url = format!("nats://127.0.0.1:{}", server.port);
    let code = r#"
import asyncio, json, logging, sys, uuid
from datetime import datetime, timezone
sys.path.insert(0, sys.argv[1])
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
import statehub_events as ev

async def main():
    now = datetime.now(timezone.utc)
    pub = lambda slug: ev.publish_repo_registered(repo_id=uuid.uuid4(), slug=slug, registered_at=now)
    first = await pub("a/b")
    from statehub_events.runtime import _state
    for _ in range(100):  # until the background task has connected (at most 5 s)
        if _state.nc is not None and _state.nc.is_connected and not _state.queue:
            break
        await asyncio.sleep(0.05)
    big = await pub("x" * 5000)
    last = await pub("c/d")
    await ev.close()
    print(json.dumps([first and first["id"], big, last and last["id"]]))

asyncio.run(main())
"#;
    let out = Command::new(python())
        .args(["-c", code])
        .arg(repo().join("stubs"))
        .env("NATS_URL", &url)
        .env_remove("HANDOFF_STRICT_EVENTS")
        .output()
        .expect("run python");
    let r = support::finish(out);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: Vec<Option<String>> = serde_json::from_str(r.stdout.trim()).unwrap();
    assert!(v[0].is_some() && v[1].is_none() && v[2].is_some(), "{v:?}");
    assert!(
        r.stderr.contains("over the 4096-byte max_payload"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("failed"), "{}", r.stderr);
    let t = handoff(Some(&url), &["tap", "--timeout", "1s", "--strict"]);
    assert!(t.stdout.contains("tap: 2 events, 2 ok"), "{}", t.stdout);
}
