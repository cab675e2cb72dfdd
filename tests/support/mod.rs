//! A private nats-server per test, and helpers the NATS tests share.
//!
//! `NatsServer::start()` runs `nats-server -js -a 127.0.0.1 -p -1 -sd <tmpdir>` with a log and
//! pid file in its own temporary folder, reads the port from the log, and on drop kills the
//! server by its pid and removes the folder. `restart()` brings it back on the same port and
//! store. A missing `nats-server` or Python fails the test with a clear message: nothing skips.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub struct NatsServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
    pid: u32,
    /// The `-c` config file, if started from one.
    config: Option<PathBuf>,
}

impl NatsServer {
    pub fn start() -> NatsServer {
        let dir = tempfile::tempdir().expect("create a temporary folder for nats-server");
        let (child, pid, port) = spawn(dir.path(), None, None);
        NatsServer {
            port,
            dir,
            child: Some(child),
            pid,
            config: None,
        }
    }

    /// A server started from a config file: `config` is the file's body, in which `{dir}`
    /// stands for the server's own temporary folder (for certificates, the store, ...). Files
    /// `files` (name, contents) are written into that folder first. The client port is chosen
    /// by the server (`-p -1`) unless the config sets `listen`.
    pub fn start_with_config(config: &str, files: &[(&str, &[u8])]) -> NatsServer {
        let dir = tempfile::tempdir().expect("create a temporary folder for nats-server");
        for (name, body) in files {
            std::fs::write(dir.path().join(name), body).unwrap();
        }
        let path = dir.path().join("nats.conf");
        std::fs::write(
            &path,
            config.replace("{dir}", &dir.path().display().to_string()),
        )
        .unwrap();
        let (child, pid, port) = spawn(dir.path(), None, Some(&path));
        NatsServer {
            port,
            dir,
            child: Some(child),
            pid,
            config: Some(path),
        }
    }

    /// The server's temporary folder.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "log"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap_or_default())
            .collect()
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// Stops the server (by its pid) and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.pid.to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                match child.try_wait() {
                    Ok(Some(_)) => break,
                    _ if Instant::now() > deadline => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break;
                    }
                    _ => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        }
    }

    /// Starts the server again on the same port with the same store.
    pub fn restart(&mut self) {
        self.stop();
        let config = self.config.clone();
        let (child, pid, port) = spawn(self.dir.path(), Some(self.port), config.as_deref());
        assert_eq!(port, self.port);
        self.child = Some(child);
        self.pid = pid;
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
    }
}

// The child is waited for in `NatsServer::stop` (or on a failed start, below).
#[allow(clippy::zombie_processes)]
fn spawn(dir: &Path, port: Option<u16>, config: Option<&Path>) -> (Child, u32, u16) {
    let log = dir.join(format!("nats-{}.log", port.unwrap_or(0)));
    let pidfile = dir.join("nats.pid");
    let _ = std::fs::remove_file(&pidfile);
    let port_arg = port.map_or("-1".to_string(), |p| p.to_string());
    let mut cmd = Command::new("nats-server");
    if let Some(c) = config {
        cmd.arg("-c").arg(c);
    }
    let child = cmd
        .args(["-js", "-a", "127.0.0.1", "-p", &port_arg, "-sd"])
        .arg(dir.join("store"))
        .arg("-l")
        .arg(&log)
        .arg("-P")
        .arg(&pidfile)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run nats-server ({e}): the NATS tests need it on PATH \
                 (Debian: apt-get install -y nats-server; scripts/test installs it)"
            )
        });
    let deadline = Instant::now() + Duration::from_secs(15);
    let needle = "Listening for client connections on 127.0.0.1:";
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(i) = text.find(needle) {
            let rest = &text[i + needle.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let (Ok(port), Ok(pid)) = (
                digits.parse::<u16>(),
                std::fs::read_to_string(&pidfile)
                    .unwrap_or_default()
                    .trim()
                    .parse::<u32>(),
            ) && text.contains("Server is ready")
            {
                return (child, pid, port);
            }
        }
        if Instant::now() > deadline {
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
            panic!("nats-server did not start within 15 s; its log:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub use crate::common::{Run, python, repo};

/// `handoff ARGS` against this repository's registry, with `NATS_URL` = `url` (if any), on the
/// real clock (envelopes carry the time they are published).
pub fn handoff(url: Option<&str>, args: &[&str]) -> Run {
    handoff_test(url, args).run()
}

pub fn handoff_cmd(url: Option<&str>, args: &[&str]) -> Command {
    handoff_test(url, args).command()
}

fn handoff_test(url: Option<&str>, args: &[&str]) -> crate::common::Test {
    let t = crate::common::Test::repo().real_clock().args(args);
    match url {
        Some(u) => t.nats(u),
        None => t,
    }
}

pub fn finish(out: Output) -> Run {
    Run::from_output(out)
}

/// `handoff publish` of a valid `org.statehub.repo.registered` (this repository's registry).
pub const PUBLISH_REPO: [&str; 8] = [
    "publish",
    "org.statehub.repo.registered",
    "--attr",
    "repo_id=5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91",
    "--attr",
    "slug=the-custodian/state-hub",
    "--attr",
    "registered_at=2026-11-02T09:14:27Z",
];

pub fn publish_repo(url: &str, id: Option<&str>) -> Run {
    let mut args = PUBLISH_REPO.to_vec();
    if let Some(id) = id {
        args.extend(["--id", id]);
    }
    handoff(Some(url), &args)
}

/// Runs an async block on a fresh current-thread runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// The JSON objects of tap's `--format json` output.
pub fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// A TCP port free on loopback right now (for cluster routes, which need known ports).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A CA and a server certificate for 127.0.0.1 / localhost, made with `openssl` in `dir`:
/// `ca.pem`, `server.pem`, `server-key.pem`; and a second, unrelated CA `other-ca.pem`.
pub fn make_certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap_or_else(|e| panic!("cannot run openssl ({e}): the TLS tests need it"));
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    for ca in ["ca", "other-ca"] {
        run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN=handoff test {ca}"),
            "-keyout",
            &format!("{ca}-key.pem"),
            "-out",
            &format!("{ca}.pem"),
        ]);
    }
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server-key.pem",
        "-out",
        "server.csr",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca-key.pem",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.pem",
    ]);
}

/// Waits until the JetStream API at `url` answers (a cluster has elected its meta leader).
pub fn wait_for_jetstream(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ok = block_on(async {
            let Ok(Ok(client)) =
                tokio::time::timeout(Duration::from_secs(2), async_nats::connect(url)).await
            else {
                return false;
            };
            // The account info request answers without an error once a cluster has a leader.
            let reply = tokio::time::timeout(
                Duration::from_secs(1),
                client.request("$JS.API.INFO", "".into()),
            )
            .await;
            matches!(reply, Ok(Ok(m))
                if !String::from_utf8_lossy(&m.payload).contains("\"error\""))
        });
        if ok {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "JetStream at {url} not ready in 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl NatsServer {
    /// Kills the server at once (SIGKILL, as a crash), by its pid.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-KILL", &self.pid.to_string()])
                .status();
            let _ = child.wait();
        }
    }
}

/// Three nats-servers in one JetStream cluster on loopback (`server_name` n1..n3, routes on
/// free ports, each with its own store and an HTTP monitor for `/connz`).
pub struct NatsCluster {
    pub nodes: Vec<NatsServer>,
    /// The monitoring port of each node.
    pub http: Vec<u16>,
}

impl NatsCluster {
    pub fn start() -> NatsCluster {
        let routes: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let http: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let route_list = routes
            .iter()
            .map(|p| format!("nats-route://127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(", ");
        let nodes: Vec<NatsServer> = (0..3)
            .map(|i| {
                NatsServer::start_with_config(
                    &format!(
                        "server_name: n{}\nhttp: \"127.0.0.1:{}\"\n\
                         cluster {{ name: c1, listen: \"127.0.0.1:{}\", routes: [{route_list}] }}\n",
                        i + 1,
                        http[i],
                        routes[i]
                    ),
                    &[],
                )
            })
            .collect();
        for n in &nodes {
            wait_for_jetstream(&n.url());
        }
        NatsCluster { nodes, http }
    }

    /// All the nodes' URLs, comma-separated.
    pub fn urls(&self) -> String {
        self.urls_except(usize::MAX)
    }

    /// The URLs of every node but `skip`.
    pub fn urls_except(&self, skip: usize) -> String {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, n)| n.url())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The index of the node named `name` (`n1` → 0).
    pub fn index(name: &str) -> usize {
        name.trim_start_matches('n').parse::<usize>().unwrap() - 1
    }

    /// Which running node has a client connection named `name`.
    pub fn node_with_client(&self, name: &str) -> Option<usize> {
        (0..self.nodes.len()).find(|&i| {
            self.nodes[i].is_running()
                && http_get(self.http[i], "/connz").contains(&format!("\"name\": \"{name}\""))
        })
    }
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        for n in &mut self.nodes {
            n.kill();
        }
    }
}

/// A plain HTTP GET on loopback; the body ("" when the server does not answer).
pub fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    );
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    body
}
