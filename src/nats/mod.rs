//! The NATS side: connecting (with a bounded timeout and redacted URLs), the JetStream stream
//! the registry describes ([`stream`]), publishing one envelope ([`publish`]) and the checked
//! tap consumer ([`tap`]).
//!
//! Only this module is async. Each command builds a current-thread tokio runtime with [`runtime`]
//! and blocks on one of the functions here; everything they need from the registry is passed in.

pub mod publish;
pub mod shared;
pub mod stream;
pub mod tap;

use std::path::PathBuf;
use std::time::Duration;

use async_nats::{Client, ConnectOptions, Event, ServerAddr};

/// How to reach the server (from `--server`/`NATS_URL`, `--creds`, `--tls`, `--tls-ca`).
#[derive(Debug, Clone)]
pub struct Connection {
    /// One URL, or several separated by commas; `user:password@` allowed.
    pub url: String,
    pub creds: Option<PathBuf>,
    pub tls_ca: Option<PathBuf>,
    pub tls: bool,
    /// How long to wait for the server before giving up.
    pub timeout: Duration,
}

impl Connection {
    /// The URL with any password or token replaced by `***`, safe to print.
    pub fn display(&self) -> String {
        redact(&self.url)
    }
}

/// Replaces the password (or a lone token) in each `scheme://user:password@host` URL with `***`.
pub fn redact(urls: &str) -> String {
    urls.split(',')
        .map(|u| {
            let u = u.trim();
            let (scheme, rest) = match u.find("://") {
                Some(i) => (&u[..i + 3], &u[i + 3..]),
                None => ("", u),
            };
            match rest.rfind('@') {
                Some(at) => {
                    let creds = &rest[..at];
                    let host = &rest[at + 1..];
                    match creds.split_once(':') {
                        Some((user, _)) => format!("{scheme}{user}:***@{host}"),
                        None => format!("{scheme}***@{host}"),
                    }
                }
                None => u.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// `2s`, `500ms`, `1.5s`, `1m`, `1h`, `30d`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (e.g. 5s, 500ms, 2m)"))?;
    let scale = match unit.trim() {
        "ms" => 0.001,
        "" | "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        _ => return Err(format!("`{text}` is not a duration (e.g. 5s, 500ms, 2m)")),
    };
    Ok(Duration::from_secs_f64(n * scale))
}

/// A duration the way the registry writes one: `30d`, `2m`, `90s`, `0` (unbounded).
pub fn format_duration(d: Duration) -> String {
    let s = d.as_secs();
    if d.subsec_nanos() != 0 {
        return format!("{}ms", d.as_millis());
    }
    match s {
        0 => "0".into(),
        s if s % 86400 == 0 => format!("{}d", s / 86400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// A current-thread tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// Connects, giving up after `conn.timeout`. Errors are one line, with the password redacted.
/// `events` receives the client's connection events (disconnected, reconnected, ...).
pub async fn connect(
    conn: &Connection,
    events: Option<tokio::sync::mpsc::UnboundedSender<Event>>,
) -> Result<Client, String> {
    let shown = conn.display();
    let addrs: Vec<ServerAddr> = conn
        .url
        .split(',')
        .map(|u| {
            u.trim()
                .parse::<ServerAddr>()
                .map_err(|e| format!("invalid NATS URL {}: {e}", redact(u)))
        })
        .collect::<Result<_, _>>()?;
    let mut opts = ConnectOptions::new()
        .name("handoff")
        .connection_timeout(conn.timeout)
        .reconnect_delay_callback(|attempts| {
            Duration::from_millis((100 * attempts as u64).min(2000))
        });
    if let Some(creds) = &conn.creds {
        opts = opts
            .credentials_file(creds)
            .await
            .map_err(|e| format!("cannot read credentials {}: {e}", creds.display()))?;
    }
    if let Some(ca) = &conn.tls_ca {
        opts = opts.add_root_certificates(ca.clone()).require_tls(true);
    }
    if conn.tls {
        opts = opts.require_tls(true);
    }
    if let Some(tx) = events {
        opts = opts.event_callback(move |e| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(e);
            }
        });
    }
    match tokio::time::timeout(conn.timeout, opts.connect(addrs)).await {
        Ok(Ok(client)) => Ok(client),
        Ok(Err(e)) => Err(format!(
            "cannot connect to NATS at {shown}: {}",
            redact_text(&e.to_string(), &conn.url)
        )),
        Err(_) => Err(format!(
            "cannot connect to NATS at {shown}: no answer within {}",
            format_duration(conn.timeout)
        )),
    }
}

/// Removes any password of `urls` that an error message might quote.
fn redact_text(text: &str, urls: &str) -> String {
    let mut t = text.to_string();
    for u in urls.split(',') {
        if let Some(rest) = u.split_once("://").map(|(_, r)| r)
            && let Some(at) = rest.rfind('@')
        {
            let creds = &rest[..at];
            let secret = creds.split_once(':').map_or(creds, |(_, p)| p);
            if !secret.is_empty() {
                t = t.replace(secret, "***");
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("nats://alice:s3cret@host:4222"),
            "nats://alice:***@host:4222"
        );
        assert_eq!(redact("nats://tok3n@host"), "nats://***@host");
        assert_eq!(redact("nats://host:4222"), "nats://host:4222");
        assert_eq!(
            redact("nats://a:b@h1,nats://h2"),
            "nats://a:***@h1,nats://h2"
        );
        assert_eq!(
            redact_text("bad s3cret here", "nats://alice:s3cret@h"),
            "bad *** here"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("soon").is_err());
        assert_eq!(format_duration(Duration::from_secs(30 * 86400)), "30d");
        assert_eq!(format_duration(Duration::from_secs(120)), "2m");
        assert_eq!(format_duration(Duration::ZERO), "0");
    }
}
