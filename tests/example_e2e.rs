//! The example publisher (examples/state-hub) end to end: a real nats-server and the FastAPI app
//! under uvicorn, both on loopback random ports. Registering a repo publishes a valid
//! `org.statehub.repo.registered` (seen by `handoff tap --strict`); a request whose transaction
//! rolls back publishes nothing; with NATS stopped requests still succeed promptly.
//!
//! Needs the Python of `HANDOFF_TEST_PYTHON` (scripts/test installs
//! examples/state-hub/requirements.txt into .venv); without it the test fails, saying so.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{self, NatsServer, handoff, python, repo};

/// The Python that runs the example, checked for the example's packages.
fn example_python() -> std::path::PathBuf {
    let p = python();
    let out = Command::new(&p)
        .args(["-c", "import fastapi, uvicorn, sqlalchemy, aiosqlite, nats"])
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{} lacks the example's packages (pip install -r examples/state-hub/requirements.txt; \
         scripts/test does this): {}",
        p.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    p
}

struct App {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl App {
    fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_app(nats_url: &str) -> App {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let example = repo().join("examples/state-hub");
    let log = std::fs::File::create(dir.path().join("uvicorn.log")).unwrap();
    let child = Command::new(example_python())
        .args(["-m", "uvicorn", "api.main:app", "--host", "127.0.0.1"])
        .args(["--port", &port.to_string()])
        .current_dir(&example)
        .env(
            "PYTHONPATH",
            format!("{}:{}", repo().join("stubs").display(), example.display()),
        )
        .env("NATS_URL", nats_url)
        .env(
            "STATEHUB_DATABASE_URL",
            format!("sqlite+aiosqlite:///{}/hub.db", dir.path().display()),
        )
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start uvicorn");
    let mut app = App {
        child,
        port,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok((200, _)) = request(port, "GET", "/health", "") {
            return app;
        }
        let exited = app.exited();
        assert!(
            Instant::now() < deadline && !exited,
            "the example app did not start (exited: {exited}); its log:\n{}",
            std::fs::read_to_string(app._dir.path().join("uvicorn.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One HTTP/1.1 request: status and body.
fn request(port: u16, method: &str, path: &str, json: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((status, body))
}

/// The events tap sees within `timeout`, as JSON objects.
fn events(url: &str, count: &str, timeout: &str) -> (i32, Vec<serde_json::Value>, String) {
    let r = handoff(
        Some(url),
        &[
            "tap",
            "--count",
            count,
            "--timeout",
            timeout,
            "--strict",
            "--format",
            "json",
        ],
    );
    let events = support::json_lines(&r.stdout)
        .into_iter()
        .filter(|v| v.get("subject").is_some())
        .collect();
    (r.code, events, format!("{}{}", r.stdout, r.stderr))
}

#[test]
fn the_example_publishes_after_commit_and_never_breaks_a_request() {
    let mut server = NatsServer::start();
    let url = server.url();
    let r = handoff(Some(&url), &["stream", "ensure"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let app = start_app(&url);

    // Registering a repo publishes one valid event.
    let (status, body) = request(
        app.port,
        "POST",
        "/repos/",
        r#"{"slug":"the-custodian/state-hub"}"#,
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    let (code, seen, out) = events(&url, "1", "10s");
    assert_eq!(code, 0, "{out}");
    assert_eq!(seen.len(), 1, "{out}");
    assert_eq!(seen[0]["subject"], "org.statehub.repo.registered", "{out}");

    // The same slug again: the commit fails, the transaction rolls back, nothing is published.
    let (status, body) = request(
        app.port,
        "POST",
        "/repos/",
        r#"{"slug":"the-custodian/state-hub"}"#,
    )
    .unwrap();
    assert_eq!(status, 409, "{body}");
    std::thread::sleep(Duration::from_millis(1500));
    let (_, seen, out) = events(&url, "2", "2s");
    assert_eq!(seen.len(), 1, "a rolled-back request published:\n{out}");

    // NATS down: the request still succeeds, promptly.
    server.stop();
    let started = Instant::now();
    let (status, body) = request(
        app.port,
        "POST",
        "/repos/",
        r#"{"slug":"the-custodian/other"}"#,
    )
    .unwrap();
    let took = started.elapsed();
    assert_eq!(status, 201, "{body}");
    assert!(
        took < Duration::from_secs(3),
        "the request took {took:?} with NATS down"
    );
    drop(app);
}
