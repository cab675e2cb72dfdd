//! `handoff stream`, `publish` and `tap` against a real nats-server (one per test).

use crate::support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use support::{NatsServer, block_on, handoff, handoff_cmd, json_lines, publish_repo};

const ID: &str = "0b5a7c9e-1f2d-4e3a-8b6c-9d0e1f2a3b4c";

#[test]
fn stream_ensure_creates_then_reports_drift_and_updates() {
    let server = NatsServer::start();
    let url = server.url();
    let r = handoff(Some(&url), &["stream", "show"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("does not exist"), "{}", r.stdout);

    let r = handoff(Some(&url), &["stream", "ensure"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("created stream ACTIVITY_EVENTS"),
        "{}",
        r.stdout
    );
    let r = handoff(Some(&url), &["stream", "ensure"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("matches the registry"), "{}", r.stdout);

    // Someone changes the live stream: max_age 1d, duplicate window 1m.
    block_on(async {
        let client = async_nats::connect(&url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let mut s = js.get_stream("ACTIVITY_EVENTS").await.unwrap();
        let mut config = s.info().await.unwrap().config.clone();
        config.max_age = Duration::from_secs(86400);
        config.duplicate_window = Duration::from_secs(60);
        js.update_stream(config).await.unwrap();
    });
    let r = handoff(Some(&url), &["stream", "ensure"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("differs from the registry in 2 fields"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("max_age: live 1d, registry 30d"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("duplicate_window: live 1m, registry 2m"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("nothing changed"), "{}", r.stdout);
    // Nothing changed without --update.
    let r = handoff(Some(&url), &["stream", "show"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.lines().any(|l| l.contains("max_age")
            && l.contains("1d")
            && l.contains("30d")
            && l.contains("(differs)")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .lines()
            .any(|l| l.contains("subjects") && !l.contains("(differs)")),
        "{}",
        r.stdout
    );

    let r = handoff(Some(&url), &["stream", "ensure", "--update"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("updated stream ACTIVITY_EVENTS"),
        "{}",
        r.stdout
    );
    let r = handoff(Some(&url), &["stream", "ensure"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("matches the registry"), "{}", r.stdout);
}

#[test]
fn acceptance_publish_then_tap_strict_then_malformed() {
    let server = NatsServer::start();
    let url = server.url();
    assert_eq!(handoff(Some(&url), &["stream", "ensure"]).code, 0);
    let r = publish_repo(&url, None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("sequence 1"), "{}", r.stdout);
    let r = handoff(
        Some(&url),
        &["tap", "--count", "1", "--timeout", "5s", "--strict"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("#1 ok org.statehub.repo.registered "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("tap: 1 event, 1 ok, 0 invalid; stopped: --count reached"),
        "{}",
        r.stdout
    );

    block_on(async {
        let client = async_nats::connect(&url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        js.publish("org.statehub.repo.registered", "not json".into())
            .await
            .unwrap()
            .await
            .unwrap();
    });
    let r = handoff(Some(&url), &["tap", "--timeout", "1s", "--strict"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("#2 INVALID org.statehub.repo.registered -: not JSON"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("tap: 2 events, 1 ok, 1 invalid (not-json: 1); stopped: no event for 1s"),
        "{}",
        r.stdout
    );
    // Without --strict the same run is clean.
    let r = handoff(Some(&url), &["tap", "--timeout", "1s"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

fn envelope(ty: &str, timestamp: &str, slug: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "type": ty,
        "version": "1.0",
        "timestamp": timestamp,
        "publisher": "state-hub",
        "attributes": {
            "repo_id": "5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91",
            "slug": slug,
            "registered_at": "2026-11-02T09:14:27Z"
        }
    }))
    .unwrap()
}

#[test]
fn malformed_events_from_another_client_are_each_reported() {
    let server = NatsServer::start();
    let url = server.url();
    assert_eq!(handoff(Some(&url), &["stream", "ensure"]).code, 0);
    let subject = "org.statehub.repo.registered";
    let good_ts = "2026-11-02T09:14:27.000001Z";
    let messages: Vec<(&str, Vec<u8>)> = vec![
        (subject, envelope(subject, good_ts, "a/b".into())),
        (subject, envelope(subject, good_ts, 42.into())),
        (
            subject,
            envelope("org.statehub.task.stale", good_ts, "a/b".into()),
        ),
        (subject, envelope(subject, "yesterday", "a/b".into())),
        (subject, b"{not json".to_vec()),
        (
            "org.statehub.nobody.happened",
            envelope("org.statehub.nobody.happened", good_ts, "a/b".into()),
        ),
    ];
    block_on(async {
        let client = async_nats::connect(&url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        for (s, payload) in messages {
            js.publish(s, payload.into()).await.unwrap().await.unwrap();
        }
    });
    let r = handoff(
        Some(&url),
        &["tap", "--timeout", "2s", "--strict", "--format", "json"],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let events = json_lines(&r.stdout);
    assert_eq!(events.len(), 6, "{}", r.stdout);
    let codes: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            e["problems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["code"].as_str().unwrap().to_string())
                .collect()
        })
        .collect();
    assert_eq!(codes[0], Vec::<String>::new());
    assert_eq!(events[0]["ok"], true);
    assert_eq!(codes[1], ["wrong-attribute-type"]);
    assert_eq!(codes[2], ["type-mismatch"]);
    assert_eq!(codes[3], ["bad-timestamp"]);
    assert_eq!(codes[4], ["not-json"]);
    assert_eq!(codes[5], ["unregistered-subject"]);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["seq"], i as u64 + 1);
    }
    assert!(
        r.stderr.contains("tap: 6 events, 1 ok, 5 invalid"),
        "{}",
        r.stderr
    );
    // --subject narrows the consumer to one pattern.
    let r = handoff(
        Some(&url),
        &[
            "tap",
            "--timeout",
            "1s",
            "--subject",
            "org.statehub.nobody.>",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("tap: 1 event, 0 ok, 1 invalid (unregistered-subject: 1)"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_republished_id_is_deduplicated() {
    let server = NatsServer::start();
    let url = server.url();
    // No stream yet: publish creates it first.
    let r = publish_repo(&url, Some(ID));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("was missing; created it"), "{}", r.stderr);
    assert!(
        r.stdout
            .contains(&format!("id {ID} → stream ACTIVITY_EVENTS sequence 1")),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("duplicate"), "{}", r.stdout);
    let r = publish_repo(&url, Some(ID));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("sequence 1 (duplicate"), "{}", r.stdout);
    let r = handoff(Some(&url), &["tap", "--timeout", "1s", "--strict"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("tap: 1 event, 1 ok"), "{}", r.stdout);

    // The same id sent without the dedupe header gets through; tap flags it.
    block_on(async {
        let client = async_nats::connect(&url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let mut env: serde_json::Value = serde_json::from_slice(&envelope(
            "org.statehub.repo.registered",
            "2026-11-02T09:14:27Z",
            "a/b".into(),
        ))
        .unwrap();
        env["id"] = ID.into();
        js.publish(
            "org.statehub.repo.registered",
            serde_json::to_vec(&env).unwrap().into(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    });
    let r = handoff(Some(&url), &["tap", "--timeout", "1s", "--strict"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains(&format!("id {ID} was seen before [duplicate-id]")),
        "{}",
        r.stdout
    );
}

/// tap remembers an id for the live stream's duplicate window, on the server's clock, as the
/// server does: a repeat within the window is flagged, one after it is not.
#[test]
fn tap_forgets_ids_older_than_the_streams_duplicate_window() {
    let server = NatsServer::start();
    let url = server.url();
    assert_eq!(handoff(Some(&url), &["stream", "ensure"]).code, 0);
    block_on(async {
        let client = async_nats::connect(&url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let mut s = js.get_stream("ACTIVITY_EVENTS").await.unwrap();
        let mut config = s.info().await.unwrap().config.clone();
        config.duplicate_window = Duration::from_secs(1);
        js.update_stream(config).await.unwrap();
        let mut env: serde_json::Value = serde_json::from_slice(&envelope(
            "org.statehub.repo.registered",
            "2026-11-02T09:14:27Z",
            "a/b".into(),
        ))
        .unwrap();
        env["id"] = ID.into();
        let body = serde_json::to_vec(&env).unwrap();
        // Without the dedupe header, so the server stores all three.
        for pause in [0, 0, 1500] {
            tokio::time::sleep(Duration::from_millis(pause)).await;
            js.publish("org.statehub.repo.registered", body.clone().into())
                .await
                .unwrap()
                .await
                .unwrap();
        }
    });
    let r = handoff(Some(&url), &["tap", "--timeout", "1s"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("#1 ok "), "{}", r.stdout);
    assert!(
        lines[1].starts_with("#2 INVALID ") && lines[1].ends_with("[duplicate-id]"),
        "{}",
        r.stdout
    );
    assert!(lines[2].starts_with("#3 ok "), "{}", r.stdout);
    assert!(
        r.stdout.contains("tap: 3 events, 2 ok, 1 invalid"),
        "{}",
        r.stdout
    );
}

#[test]
fn publish_validation_failures_send_nothing() {
    let server = NatsServer::start();
    let url = server.url();
    assert_eq!(handoff(Some(&url), &["stream", "ensure"]).code, 0);
    let cases: &[&[&str]] = &[
        &["publish", "org.statehub.repo.registerd", "--attr", "slug=a"],
        &[
            "publish",
            "org.statehub.repo.registered",
            "--attr",
            "slug=a",
        ],
        &[
            "publish",
            "org.statehub.workstream.completed",
            "--attr",
            "workstream_id=c0a8012e-5b7d-4e1f-a3c2-6d9e8f7a1b24",
            "--attr",
            "title=t",
            "--attr",
            "domain=d",
            "--attr",
            "previous_status=finished",
            "--attr",
            "open_task_count=two",
            "--attr",
            "completed_at=2026-11-20T16:05:00Z",
            "--attr",
            "colour=red",
        ],
        &[
            "publish",
            "org.statehub.repo.registered",
            "--attr",
            "repo_id=5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91",
            "--attr",
            "slug=a",
            "--attr",
            "registered_at=2026-11-02T09:14:27Z",
            "--id",
            "not-a-uuid",
        ],
    ];
    let expected = [
        vec![
            "error[publish-unknown-subject]",
            "did you mean `org.statehub.repo.registered`?",
        ],
        vec![
            "missing required attribute `repo_id`",
            "missing required attribute `registered_at`",
            "add --attr repo_id=",
        ],
        vec![
            "attribute `previous_status` must be one of",
            "attribute `open_task_count` must be an integer",
            "unknown attribute `colour`",
        ],
        vec!["`--id not-a-uuid` is not a UUID"],
    ];
    for (args, want) in cases.iter().zip(expected) {
        let r = handoff(Some(&url), args);
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        for w in want {
            assert!(
                r.stderr.contains(w),
                "{args:?}: missing {w:?} in\n{}",
                r.stderr
            );
        }
        assert!(r.stderr.contains("nothing was published"), "{}", r.stderr);
    }
    let r = handoff(Some(&url), &["tap", "--timeout", "500ms"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("tap: 0 events"), "{}", r.stdout);
    // Values are parsed by type: integers and enums become JSON numbers and strings.
    let r = handoff(
        Some(&url),
        &[
            "publish",
            "org.statehub.workstream.completed",
            "--attr",
            "workstream_id=c0a8012e-5b7d-4e1f-a3c2-6d9e8f7a1b24",
            "--attr",
            "title=t",
            "--attr",
            "domain=d",
            "--attr",
            "previous_status=active",
            "--attr",
            "open_task_count=2",
            "--attr",
            "completed_at=2026-11-20T16:05:00Z",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = handoff(Some(&url), &["tap", "--timeout", "500ms", "--strict"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn an_unreachable_server_is_one_line_and_exit_3_within_the_timeout() {
    // A port nothing listens on: start a server, note its port, stop it.
    let mut server = NatsServer::start();
    server.stop();
    let url = format!("nats://alice:s3cr3t@127.0.0.1:{}", server.port);
    for args in [
        &["stream", "ensure"][..],
        &["stream", "show"],
        &["tap", "--count", "1"],
        &[
            "publish",
            "org.statehub.repo.registered",
            "--attr",
            "repo_id=5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91",
            "--attr",
            "slug=a",
            "--attr",
            "registered_at=2026-11-02T09:14:27Z",
        ],
    ] {
        let t = Instant::now();
        let r = handoff(Some(&url), args);
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "{args:?} took {:?}",
            t.elapsed()
        );
        assert_eq!(r.code, 3, "{args:?}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr
                .starts_with("handoff: cannot connect to NATS at nats://alice:***@127.0.0.1:"),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("s3cr3t") && !r.stdout.contains("s3cr3t"));
    }
    // No server at all is a usage error.
    let r = handoff(None, &["tap"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("set NATS_URL or pass --server"),
        "{}",
        r.stderr
    );
}

#[test]
fn tap_survives_a_server_restart_without_losing_or_double_counting() {
    let mut server = NatsServer::start();
    let url = server.url();
    assert_eq!(handoff(Some(&url), &["stream", "ensure"]).code, 0);
    for _ in 0..3 {
        assert_eq!(publish_repo(&url, None).code, 0);
    }
    let mut child = handoff_cmd(
        Some(&url),
        &[
            "tap",
            "--count",
            "6",
            "--timeout",
            "30s",
            "--format",
            "json",
            "--strict",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while lines.len() < 3 {
        lines.push(
            rx.recv_timeout(Duration::from_secs(10))
                .expect("tap printed the first events"),
        );
    }
    server.restart();
    for _ in 0..3 {
        let r = publish_repo(&url, None);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    }
    let deadline = Instant::now() + Duration::from_secs(40);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("tap did not finish after the restart; lines so far: {lines:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    lines.extend(rx.try_iter());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(0), "{lines:?}\n{stderr}");
    let events = json_lines(&lines.join("\n"));
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6], "{stderr}");
    assert!(
        stderr.contains("tap: disconnected from the server"),
        "{stderr}"
    );
    assert!(
        stderr.contains("tap: reconnected; resuming after stream sequence 3"),
        "{stderr}"
    );
    assert!(
        stderr.contains("tap: 6 events, 6 ok, 0 invalid"),
        "{stderr}"
    );
}

/// Passwords with every character a URL or a list gives a meaning to.
const HOSTILE: &[&str] = &[
    "pa,ss,word",
    "a/b@c:d@e",
    "100%25%zz%",
    "hash#and?query=1&x",
    "with space inside",
    "ünïcödé-密码-🔑",
    "-starts-with-dash,",
    "@:/,%#? all of them",
];

/// `text` percent-encoded for a URL's userinfo (everything but unreserved characters).
fn pct(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A nats-server config string literal.
fn quoted(text: &str) -> String {
    assert!(!text.contains(['"', '\\', '$']), "{text}");
    format!("\"{text}\"")
}

fn assert_no_secret(r: &support::Run, secret: &str) {
    for form in [secret.to_string(), pct(secret)] {
        assert!(
            !r.stdout.contains(&form) && !r.stderr.contains(&form),
            "the secret {secret:?} appears in the output:\n{}{}",
            r.stdout,
            r.stderr
        );
    }
}

fn run_with(url: &str, env: &[(&str, &str)], args: &[&str]) -> support::Run {
    let mut cmd = handoff_cmd(Some(url), args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    support::finish(cmd.output().unwrap())
}

#[test]
fn user_and_password_from_the_url_the_options_and_the_environment() {
    let users: Vec<String> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{{user: u{i}, password: {}}}", quoted(p)))
        .collect();
    let server = NatsServer::start_with_config(
        &format!("authorization {{ users: [{}] }}\n", users.join(", ")),
        &[],
    );
    let host = format!("127.0.0.1:{}", server.port);
    // Without credentials the server refuses (exit 3).
    let r = handoff(Some(&format!("nats://{host}")), &["stream", "show"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.to_lowercase().contains("authorization"),
        "{}",
        r.stderr
    );
    let r = run_with(
        &format!("nats://{host}"),
        &[("NATS_USER", "u0"), ("NATS_PASSWORD", HOSTILE[0])],
        &["stream", "ensure"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for (i, password) in HOSTILE.iter().enumerate() {
        let user = format!("u{i}");
        let wrong = format!("{password}x");
        // stream show: exit 0 once connected, exit 3 when refused.
        // (URL, environment, extra arguments, exit code, the secret sent)
        type Case<'a> = (String, Vec<(&'a str, &'a str)>, Vec<&'a str>, i32, &'a str);
        let cases: Vec<Case> = vec![
            (
                format!("nats://{user}:{}@{host}", pct(password)),
                vec![],
                vec![],
                0,
                password,
            ),
            (
                format!("nats://{user}:{}@{host}", pct(&wrong)),
                vec![],
                vec![],
                3,
                &wrong,
            ),
            (
                format!("nats://{host}"),
                vec![("NATS_USER", &user), ("NATS_PASSWORD", password)],
                vec![],
                0,
                password,
            ),
            (
                format!("nats://{host}"),
                vec![("NATS_USER", &user), ("NATS_PASSWORD", &wrong)],
                vec![],
                3,
                &wrong,
            ),
            (
                format!("nats://{host}"),
                vec![],
                vec!["--user", &user, "--password", password],
                0,
                password,
            ),
            (
                format!("nats://{host}"),
                vec![],
                vec!["--user", &user, "--password", &wrong],
                3,
                &wrong,
            ),
        ];
        for (url, env, extra, code, secret) in &cases {
            let mut args = vec!["stream", "show"];
            args.extend(extra.iter().copied());
            let r = run_with(url, env, &args);
            assert_eq!(r.code, *code, "{url} {env:?}: {}{}", r.stdout, r.stderr);
            if *code == 0 {
                assert!(
                    r.stdout.contains("stream ACTIVITY_EVENTS on"),
                    "{}",
                    r.stdout
                );
            } else {
                assert!(
                    r.stderr.to_lowercase().contains("authorization"),
                    "{}",
                    r.stderr
                );
            }
            assert_no_secret(&r, secret);
            assert_no_secret(&r, password);
        }
        // An unencoded password in the URL works too when it holds no `%`.
        if !password.contains('%') {
            let url = format!("nats://{user}:{password}@{host}");
            let r = handoff(Some(&url), &["stream", "show"]);
            assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
            assert_no_secret(&r, password);
            // ... also in a list of servers, and as `--server`.
            let list = format!("{url},nats://{host}");
            let r = run_with(&list, &[], &["stream", "show"]);
            assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
            assert_no_secret(&r, password);
            let r = handoff(None, &["stream", "show", "--server", &list]);
            assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
            assert_no_secret(&r, password);
        }
        // publish and tap succeed with it, and say nothing of it.
        let env = [("NATS_USER", user.as_str()), ("NATS_PASSWORD", *password)];
        let url = format!("nats://{host}");
        let r = run_with(&url, &env, &["stream", "ensure"]);
        assert!(r.code == 0, "{}{}", r.stdout, r.stderr);
        assert_no_secret(&r, password);
        let r = run_with(
            &url,
            &env,
            &[
                "publish",
                "org.statehub.repo.registered",
                "--attr",
                "repo_id=5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91",
                "--attr",
                "slug=a",
                "--attr",
                "registered_at=2026-11-02T09:14:27Z",
            ],
        );
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert_no_secret(&r, password);
        let r = run_with(
            &url,
            &env,
            &["tap", "--timeout", "100ms", "--connect-timeout", "2s"],
        );
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert_no_secret(&r, password);
    }
    // The environment never shows in --help.
    let r = run_with(
        "nats://u0:pa,ss,word@h",
        &[
            ("NATS_PASSWORD", "pa,ss,word"),
            ("NATS_TOKEN", "pa,ss,word"),
        ],
        &["tap", "--help"],
    );
    assert_eq!(r.code, 0);
    assert_no_secret(&r, "pa,ss,word");
}

#[test]
fn tokens_from_the_url_the_option_and_the_environment() {
    let token = "t0k,en/with@odd#chars";
    let server = NatsServer::start_with_config(
        &format!("authorization {{ token: {} }}\n", quoted(token)),
        &[],
    );
    let host = format!("127.0.0.1:{}", server.port);
    let plain = format!("nats://{host}");
    let url_token = format!("nats://{}@{host}", pct(token));
    let wrong_url = format!("nats://{}x@{host}", pct(token));
    for (url, env, extra, code) in [
        (url_token.as_str(), vec![], vec![], 1),
        (wrong_url.as_str(), vec![], vec![], 3),
        (plain.as_str(), vec![("NATS_TOKEN", token)], vec![], 1),
        (plain.as_str(), vec![("NATS_TOKEN", "nope")], vec![], 3),
        (plain.as_str(), vec![], vec!["--token", token], 1),
        (plain.as_str(), vec![], vec![], 3),
    ] {
        let mut args = vec!["stream", "show"];
        args.extend(extra);
        let r = run_with(url, &env, &args);
        assert_eq!(r.code, code, "{url} {env:?}: {}{}", r.stdout, r.stderr);
        assert_no_secret(&r, token);
    }
}

#[test]
fn an_nkey_seed_file() {
    let user = nkeys::KeyPair::new_user();
    let server = NatsServer::start_with_config(
        &format!(
            "authorization {{ users: [{{nkey: {}}}] }}\n",
            user.public_key()
        ),
        &[],
    );
    let dir = tempfile::tempdir().unwrap();
    let seed_file = dir.path().join("user.nk");
    let seed = user.seed().unwrap();
    std::fs::write(&seed_file, format!("{seed}\n")).unwrap();
    let other = dir.path().join("other.nk");
    std::fs::write(&other, nkeys::KeyPair::new_user().seed().unwrap()).unwrap();
    let url = server.url();
    let seed_arg = seed_file.display().to_string();
    let r = handoff(Some(&url), &["stream", "ensure", "--nkey", &seed_arg]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_no_secret(&r, &seed);
    let r = handoff(
        Some(&url),
        &["stream", "show", "--nkey", &other.display().to_string()],
    );
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let r = handoff(Some(&url), &["stream", "show"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    // A missing or empty seed file is named (exit 2).
    let missing = dir.path().join("missing.nk").display().to_string();
    let r = handoff(Some(&url), &["stream", "show", "--nkey", &missing]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(&missing), "{}", r.stderr);
    let r = handoff(Some(&url), &["stream", "show", "--creds", &missing]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(&missing), "{}", r.stderr);
    // Two ways at once is a usage error.
    let r = handoff(
        Some(&url),
        &["stream", "show", "--nkey", &seed_arg, "--token", "x"],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
}

#[test]
fn durations_too_long_for_a_timer_are_usage_errors() {
    for args in [
        &[
            "stream",
            "show",
            "--connect-timeout",
            "99999999999999999999999d",
        ][..],
        &["tap", "--timeout", "18446744073709551615s"],
        &["tap", "--timeout", "366d"],
    ] {
        let r = handoff(Some("nats://127.0.0.1:1"), args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("longer than the limit of 365d"),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    let r = handoff(
        Some("nats://127.0.0.1:1"),
        &["stream", "show", "--connect-timeout", "0s"],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("must be longer than 0"), "{}", r.stderr);
}

#[test]
fn tap_watches_the_registrys_prefix_by_default() {
    let server = NatsServer::start();
    let url = server.url();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(support::repo().join("subjects.toml"))
        .unwrap()
        .replace("org.statehub", "org.billing")
        .replace("subjects = [\"org.>\"]", "subjects = [\"org.billing.>\"]");
    let registry = dir.path().join("subjects.toml");
    std::fs::write(&registry, text).unwrap();
    let reg = registry.display().to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["--registry", reg.as_str()];
        all.extend_from_slice(args);
        handoff(Some(&url), &all)
    };
    let r = run(&["stream", "ensure"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run(&[
        "publish",
        "org.billing.repo.registered",
        "--attr",
        "repo_id=5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91",
        "--attr",
        "slug=a",
        "--attr",
        "registered_at=2026-11-02T09:14:27Z",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run(&["tap", "--count", "1", "--timeout", "5s", "--strict"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("#1 ok org.billing.repo.registered "),
        "{}",
        r.stdout
    );
}

#[test]
fn tls_with_a_ca_a_tls_url_a_wrong_ca_and_a_missing_ca_file() {
    let certs = tempfile::tempdir().unwrap();
    support::make_certificates(certs.path());
    let file = |n: &str| certs.path().join(n).display().to_string();
    let server = NatsServer::start_with_config(
        &format!(
            "tls {{ cert_file: \"{}\", key_file: \"{}\", timeout: 2 }}\n",
            file("server.pem"),
            file("server-key.pem")
        ),
        &[],
    );
    let plain = server.url();
    let tls_url = format!("tls://127.0.0.1:{}", server.port);
    let ca = file("ca.pem");
    let r = handoff(
        Some(&plain),
        &["stream", "ensure", "--tls", "--tls-ca", &ca],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = handoff(Some(&plain), &["stream", "show", "--tls-ca", &ca]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = handoff(Some(&tls_url), &["stream", "show", "--tls-ca", &ca]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(&tls_url), "{}", r.stdout);
    // A CA that did not sign the server's certificate, or none: refused quickly, exit 3.
    for args in [
        &["stream", "show", "--tls-ca", &file("other-ca.pem")][..],
        &["stream", "show", "--tls"],
    ] {
        let t = Instant::now();
        let r = handoff(Some(&tls_url), args);
        assert_eq!(r.code, 3, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr
                .starts_with("handoff: cannot connect to NATS at tls://"),
            "{}",
            r.stderr
        );
    }
    // A missing CA file is named (exit 2), before any connection.
    let missing = file("nope.pem");
    let r = handoff(Some(&tls_url), &["stream", "show", "--tls-ca", &missing]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(&missing), "{}", r.stderr);
}

/// This repository's registry with `[stream] replicas = 3`, in a temporary folder.
fn registry_r3() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(support::repo().join("subjects.toml"))
        .unwrap()
        .replacen(
            "duplicate_window = \"2m\"",
            "duplicate_window = \"2m\"\nreplicas = 3",
            1,
        );
    let path = dir.path().join("subjects.toml");
    std::fs::write(&path, text).unwrap();
    let shown = path.display().to_string();
    (dir, shown)
}

/// The stream leader's node index, from `stream show`'s cluster line.
fn stream_leader(urls: &str) -> usize {
    let r = handoff(Some(urls), &["stream", "show"]);
    let line = r
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("cluster c1: leader "))
        .unwrap_or_else(|| panic!("no cluster line: {}{}", r.stdout, r.stderr));
    let name = line.trim_start()["cluster c1: leader ".len()..]
        .split(|c: char| c == ',' || c.is_whitespace())
        .next()
        .unwrap();
    support::NatsCluster::index(name)
}

#[test]
fn cluster_r3_stream_tap_survives_a_node_and_a_publish_is_stored_once() {
    let mut cluster = support::NatsCluster::start();
    let urls = cluster.urls();
    let (_dir, r3) = registry_r3();
    let with_r3 = |url: &str, args: &[&str]| {
        let mut all = vec!["--registry", r3.as_str()];
        all.extend_from_slice(args);
        handoff(Some(url), &all)
    };
    let r = with_r3(&urls, &["stream", "ensure"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("replicas 3)"), "{}", r.stdout);
    let r = with_r3(&urls, &["stream", "ensure"]);
    assert!(r.stdout.contains("matches the registry"), "{}", r.stdout);
    // The live stream really has three copies; a registry asking for one reports the drift.
    let r = handoff(Some(&urls), &["stream", "show"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.contains("replicas") && l.contains(" 3 ") && l.contains("1  (differs)")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("cluster c1: leader n"), "{}", r.stdout);
    let r = handoff(Some(&urls), &["stream", "ensure"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("replicas: live 3, registry 1"),
        "{}",
        r.stdout
    );

    // tap with all three URLs; kill the node it is connected to.
    for _ in 0..3 {
        let r = publish_repo(&urls, None);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    }
    let mut child = handoff_cmd(
        Some(&urls),
        &[
            "tap",
            "--count",
            "6",
            "--timeout",
            "30s",
            "--format",
            "json",
            "--strict",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while lines.len() < 3 {
        lines.push(
            rx.recv_timeout(Duration::from_secs(10))
                .expect("tap printed the first events"),
        );
    }
    let tapped = cluster
        .node_with_client("handoff")
        .expect("the tap is connected to one node");
    cluster.nodes[tapped].kill();
    let rest = cluster.urls_except(tapped);
    for _ in 0..3 {
        let r = handoff(
            Some(&rest),
            &[
                "publish",
                "org.statehub.repo.registered",
                "--attr",
                "repo_id=5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91",
                "--attr",
                "slug=a",
                "--attr",
                "registered_at=2026-11-02T09:14:27Z",
                "--connect-timeout",
                "15s",
            ],
        );
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    }
    let deadline = Instant::now() + Duration::from_secs(40);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("tap did not finish after the node was killed; lines so far: {lines:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    lines.extend(rx.try_iter());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(0), "{lines:?}\n{stderr}");
    let events = json_lines(&lines.join("\n"));
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6], "{stderr}");
    assert!(
        stderr.contains("tap: 6 events, 6 ok, 0 invalid"),
        "{stderr}"
    );

    // Publish an id, kill the stream's leader, publish the same id again: stored once.
    let rest_nodes: Vec<usize> = (0..3).filter(|&i| i != tapped).collect();
    let r = publish_repo(&rest, Some(ID));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("sequence 7"), "{}", r.stdout);
    let leader = stream_leader(&rest);
    assert!(rest_nodes.contains(&leader));
    // Bring the first killed node back so that two of three stay up after killing the leader.
    cluster.nodes[tapped].restart();
    support::wait_for_jetstream(&cluster.nodes[tapped].url());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = handoff(Some(&urls), &["stream", "show"]);
        if r.stdout
            .lines()
            .any(|l| l.contains("cluster c1: leader") && l.matches("(current)").count() == 2)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the restarted node did not catch up: {}{}",
            r.stdout,
            r.stderr
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    cluster.nodes[leader].kill();
    let left = cluster.urls_except(leader);
    let r = handoff(
        Some(&left),
        &[
            "publish",
            "org.statehub.repo.registered",
            "--attr",
            "repo_id=5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91",
            "--attr",
            "slug=the-custodian/state-hub",
            "--attr",
            "registered_at=2026-11-02T09:14:27Z",
            "--id",
            ID,
            "--connect-timeout",
            "15s",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("sequence 7 (duplicate"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    let r = handoff(Some(&left), &["stream", "show"]);
    assert!(
        r.stdout.contains("messages: 7 "),
        "{}{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn cluster_an_unavailable_stream_is_never_created_over() {
    let mut cluster = support::NatsCluster::start();
    let urls = cluster.urls();
    let r = handoff(Some(&urls), &["stream", "ensure"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("replicas 1)"), "{}", r.stdout);
    let holder = stream_leader(&urls);
    let rest = cluster.urls_except(holder);
    // A tap already running (on another node) says so when the stream goes away.
    let mut tap = handoff_cmd(Some(&rest), &["tap", "--timeout", "60s"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = tap.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Give the tap time to create its consumer before the node goes.
    std::thread::sleep(Duration::from_millis(500));
    cluster.nodes[holder].kill();
    let said = rx.recv_timeout(Duration::from_secs(15));
    if said.is_err() {
        let _ = tap.kill();
        let _ = tap.wait();
    }
    let said = said.expect("tap said nothing within 15 s of the stream going away");
    assert!(
        said.starts_with("tap: stream ACTIVITY_EVENTS is unavailable")
            && said.ends_with("; waiting for it"),
        "{said}"
    );
    let publish = [
        "publish",
        "org.statehub.repo.registered",
        "--attr",
        "repo_id=5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91",
        "--attr",
        "slug=a",
        "--attr",
        "registered_at=2026-11-02T09:14:27Z",
        "--connect-timeout",
        "1s",
    ];
    for args in [
        &publish[..],
        &["stream", "ensure", "--connect-timeout", "1s"],
        &["stream", "show", "--connect-timeout", "1s"],
        &["tap", "--timeout", "5s", "--connect-timeout", "1s"],
    ] {
        let t = Instant::now();
        let r = handoff(Some(&rest), args);
        assert_eq!(r.code, 3, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "{args:?} took {:?}",
            t.elapsed()
        );
        assert!(
            r.stderr.contains("stream ACTIVITY_EVENTS is unavailable"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("created") && !r.stdout.contains("created"));
    }
    // The node comes back: the stream is there with nothing lost, and nothing was created;
    // the running tap says so.
    cluster.nodes[holder].restart();
    let said = rx.recv_timeout(Duration::from_secs(20));
    let _ = tap.kill();
    let _ = tap.wait();
    assert_eq!(
        said.as_deref(),
        Ok("tap: stream ACTIVITY_EVENTS is available again")
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = handoff(Some(&urls), &["stream", "ensure"]);
        if r.code == 0 {
            assert!(r.stdout.contains("matches the registry"), "{}", r.stdout);
            break;
        }
        assert!(Instant::now() < deadline, "{}{}", r.stdout, r.stderr);
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// base64url without padding, as JWTs use.
fn b64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// A NATS JWT (v2) for `subject`, signed by `issuer`.
fn jwt(issuer: &nkeys::KeyPair, subject: &str, name: &str, nats: serde_json::Value) -> String {
    let header = b64url(br#"{"typ":"JWT","alg":"ed25519-nkey"}"#);
    let claims = serde_json::json!({
        // Any unique id will do for the server.
        "jti": format!("{name}-{}", &subject[..8]),
        "iat": 1_700_000_000u64,
        "iss": issuer.public_key(),
        "name": name,
        "sub": subject,
        "nats": nats,
    });
    let body = b64url(claims.to_string().as_bytes());
    let signed = format!("{header}.{body}");
    let sig = issuer.sign(signed.as_bytes()).unwrap();
    format!("{signed}.{}", b64url(&sig))
}

#[test]
fn a_credentials_file_against_a_server_in_operator_mode() {
    let operator = nkeys::KeyPair::new_operator();
    let account = nkeys::KeyPair::new_account();
    let user = nkeys::KeyPair::new_user();
    let op_jwt = jwt(
        &operator,
        &operator.public_key(),
        "op",
        serde_json::json!({"type": "operator", "version": 2}),
    );
    let unlimited = serde_json::json!({
        "subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1,
        "wildcards": true, "conn": -1, "leaf": -1,
        "mem_storage": -1, "disk_storage": -1, "streams": -1, "consumer": -1,
    });
    let acct_jwt = jwt(
        &operator,
        &account.public_key(),
        "app",
        serde_json::json!({"type": "account", "version": 2, "limits": unlimited}),
    );
    let user_jwt = jwt(
        &account,
        &user.public_key(),
        "handoff",
        serde_json::json!({"type": "user", "version": 2, "pub": {}, "sub": {},
            "subs": -1, "data": -1, "payload": -1}),
    );
    // JetStream in operator mode needs a system account.
    let system = nkeys::KeyPair::new_account();
    let sys_jwt = jwt(
        &operator,
        &system.public_key(),
        "SYS",
        serde_json::json!({"type": "account", "version": 2}),
    );
    let server = NatsServer::start_with_config(
        &format!(
            "operator: \"{op_jwt}\"\nsystem_account: {sys}\nresolver: MEMORY\n\
             resolver_preload: {{ {acct}: \"{acct_jwt}\", {sys}: \"{sys_jwt}\" }}\n",
            acct = account.public_key(),
            sys = system.public_key(),
        ),
        &[],
    );
    let dir = tempfile::tempdir().unwrap();
    let seed = user.seed().unwrap();
    let creds = dir.path().join("user.creds");
    std::fs::write(
        &creds,
        format!(
            "-----BEGIN NATS USER JWT-----\n{user_jwt}\n------END NATS USER JWT------\n\n\
             ************************* IMPORTANT *************************\n\
             NKEY Seed printed below can be used to sign and prove identity.\n\n\
             -----BEGIN USER NKEY SEED-----\n{seed}\n------END USER NKEY SEED------\n"
        ),
    )
    .unwrap();
    let url = server.url();
    let creds_arg = creds.display().to_string();
    let r = handoff(Some(&url), &["stream", "ensure", "--creds", &creds_arg]);
    assert_eq!(r.code, 0, "{}{}\n{}", r.stdout, r.stderr, server.log());
    assert_no_secret(&r, &seed);
    let r = publish_repo(&url, None);
    assert_eq!(r.code, 3, "without credentials: {}{}", r.stdout, r.stderr);
    // A user the account did not sign is refused.
    let stranger = nkeys::KeyPair::new_user();
    let other = dir.path().join("other.creds");
    std::fs::write(
        &other,
        std::fs::read_to_string(&creds)
            .unwrap()
            .replace(&seed, &stranger.seed().unwrap()),
    )
    .unwrap();
    let r = handoff(
        Some(&url),
        &["stream", "show", "--creds", &other.display().to_string()],
    );
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
}
