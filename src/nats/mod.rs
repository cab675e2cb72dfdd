//! The NATS side: connecting (with a bounded timeout, credentials kept out of every message),
//! the JetStream stream the registry describes ([`stream`]), publishing one envelope
//! ([`publish`]) and the checked tap consumer ([`tap`]).
//!
//! Only this module is async. Each command builds a current-thread tokio runtime with [`runtime`]
//! and blocks on one of the functions here; everything they need from the registry is passed in.
//!
//! Credentials: async-nats 0.51 ignores `user:password@` and `token@` in a server URL (it only
//! takes them from `ConnectOptions`). [`Connection::new`] therefore takes them out of the URLs
//! itself (percent-decoded), merges them with `--user`/`--password`/`--token`/`--nkey`/`--creds`,
//! and hands async-nats credential-free URLs. Secrets live only in [`Auth`], whose `Debug` is
//! redacted; every URL handoff shows is built from the parsed parts with the secret as `***`.

pub mod publish;
pub mod shared;
pub mod stream;
pub mod tap;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use async_nats::{Client, ConnectOptions, Event, ServerAddr};

/// How the client proves who it is.
#[derive(Clone, Default)]
pub enum Auth {
    #[default]
    None,
    UserPassword {
        user: String,
        password: String,
    },
    Token(String),
    /// An nkey seed (`SU…`), read from `file`.
    NKey {
        seed: String,
        file: PathBuf,
    },
    /// A credentials file (JWT + nkey seed).
    Creds(PathBuf),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::UserPassword { user, .. } => write!(f, "UserPassword({user:?}, ***)"),
            Auth::Token(_) => f.write_str("Token(***)"),
            Auth::NKey { file, .. } => write!(f, "NKey({})", file.display()),
            Auth::Creds(file) => write!(f, "Creds({})", file.display()),
        }
    }
}

/// The credentials given outside the URL (`--user`, `--password`, `--token`, `--nkey`,
/// `--creds`, or their environment variables).
#[derive(Clone, Default)]
pub struct Credentials {
    pub user: Option<String>,
    pub password: Option<String>,
    pub token: Option<String>,
    pub nkey: Option<PathBuf>,
    pub creds: Option<PathBuf>,
}

/// One server of the list, without credentials.
#[derive(Debug, Clone)]
pub struct Server {
    /// What async-nats connects to: the URL with any `userinfo@` removed.
    pub addr: String,
    /// What handoff prints: the URL with the password or token replaced by `***`.
    pub shown: String,
}

/// How to reach the server (from `--server`/`NATS_URL`, the credential options, `--tls`,
/// `--tls-ca`).
#[derive(Debug, Clone)]
pub struct Connection {
    pub servers: Vec<Server>,
    pub auth: Auth,
    pub tls_ca: Option<PathBuf>,
    pub tls: bool,
    /// How long to wait for the server (and for a JetStream API answer) before giving up.
    pub timeout: Duration,
}

/// A URL's parts: `scheme://` (may be empty), the userinfo before the last `@` (if any) and the
/// rest (host, port, path).
struct UrlParts<'a> {
    scheme: &'a str,
    userinfo: Option<&'a str>,
    rest: &'a str,
}

fn url_parts(u: &str) -> UrlParts<'_> {
    let (scheme, after) = match u.find("://") {
        Some(i) => (&u[..i + 3], &u[i + 3..]),
        None => ("", u),
    };
    // A host never holds `@`: everything before the last one is the userinfo, whatever
    // characters an unencoded password put there (`/`, `?`, `#`, `@`, `,`).
    match after.rfind('@') {
        Some(at) => UrlParts {
            scheme,
            userinfo: Some(&after[..at]),
            rest: &after[at + 1..],
        },
        None => UrlParts {
            scheme,
            userinfo: None,
            rest: after,
        },
    }
}

/// Splits a comma-separated server list. A comma inside a URL's userinfo (an unencoded password
/// such as `nats://alice:a,b@host`) does not split: a piece without `://` is glued to the URL
/// before it when that URL has no `@` yet and a later piece (before the next `scheme://`) has one.
fn split_servers(list: &str) -> Vec<String> {
    let pieces: Vec<&str> = list.split(',').collect();
    let mut out: Vec<String> = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        let glue = match out.last() {
            Some(current) if !piece.contains("://") => {
                let after_scheme = current.split_once("://").map_or(current.as_str(), |x| x.1);
                !after_scheme.contains('@')
                    && pieces[i..]
                        .iter()
                        .take_while(|p| !p.contains("://"))
                        .any(|p| p.contains('@'))
            }
            _ => false,
        };
        if glue {
            let current = out.last_mut().expect("checked above");
            current.push(',');
            current.push_str(piece);
        } else {
            out.push((*piece).to_string());
        }
    }
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Percent-decodes URL userinfo (`%2C` → `,`); a `%` not followed by two hex digits stays as is.
fn percent_decode(s: &str) -> Result<String, ()> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ())
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

impl Connection {
    /// Parses the server list and merges the credentials. Errors are usage errors; none of them
    /// quotes a secret.
    pub fn new(
        urls: &str,
        given: Credentials,
        tls_ca: Option<PathBuf>,
        tls: bool,
        timeout: Duration,
    ) -> Result<Connection, String> {
        let mut servers = Vec::new();
        // (user, password) or token found in the URLs, with the first URL that had them.
        let mut from_url: Option<(Auth, String)> = None;
        for u in split_servers(urls) {
            let p = url_parts(&u);
            let addr = format!("{}{}", p.scheme, p.rest);
            let (shown, auth) = match p.userinfo {
                None => (u.clone(), None),
                Some(info) => {
                    let (user, secret) = match info.split_once(':') {
                        Some((user, pass)) => (Some(user), pass),
                        None => (None, info),
                    };
                    let bad = |what: &str| {
                        format!(
                            "the {what} in NATS URL {}{}***@{} is not UTF-8 once percent-decoded",
                            p.scheme,
                            user.map_or(String::new(), |u| format!("{u}:")),
                            p.rest
                        )
                    };
                    match user {
                        Some(user) => (
                            format!("{}{user}:***@{}", p.scheme, p.rest),
                            Some(Auth::UserPassword {
                                user: percent_decode(user).map_err(|()| bad("user"))?,
                                password: percent_decode(secret).map_err(|()| bad("password"))?,
                            }),
                        ),
                        None => (
                            format!("{}***@{}", p.scheme, p.rest),
                            Some(Auth::Token(
                                percent_decode(secret).map_err(|()| bad("token"))?,
                            )),
                        ),
                    }
                }
            };
            if let Some(auth) = auth {
                match &from_url {
                    None => from_url = Some((auth, shown.clone())),
                    Some((first, first_shown)) if !same_auth(first, &auth) => {
                        return Err(format!(
                            "NATS URLs {first_shown} and {shown} carry different credentials; \
                             give one set (or use --user/--password, --token)"
                        ));
                    }
                    Some(_) => {}
                }
            }
            if p.rest.trim().is_empty() {
                return Err(format!("NATS URL {shown} has no host"));
            }
            addr.parse::<ServerAddr>()
                .map_err(|e| format!("invalid NATS URL {shown}: {e}"))?;
            servers.push(Server { addr, shown });
        }
        if servers.is_empty() {
            return Err("no NATS server: set NATS_URL or pass --server URL".into());
        }
        let auth = merge_auth(given, from_url.map(|(a, _)| a))?;
        if let Some(ca) = &tls_ca {
            std::fs::File::open(ca)
                .map_err(|e| format!("cannot read the CA certificate {}: {e}", ca.display()))?;
        }
        Ok(Connection {
            servers,
            auth,
            tls_ca,
            tls,
            timeout,
        })
    }

    /// The servers, comma-separated, with any password or token replaced by `***`: safe to print.
    pub fn display(&self) -> String {
        self.servers
            .iter()
            .map(|s| s.shown.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Every secret this connection holds, for scrubbing text that came from elsewhere.
    fn secrets(&self) -> Vec<&str> {
        match &self.auth {
            Auth::UserPassword { password, .. } => vec![password.as_str()],
            Auth::Token(t) => vec![t.as_str()],
            Auth::NKey { seed, .. } => vec![seed.as_str()],
            Auth::None | Auth::Creds(_) => Vec::new(),
        }
    }

    /// `text` with every secret of this connection replaced by `***`.
    pub fn scrub(&self, text: &str) -> String {
        let mut t = text.to_string();
        for s in self.secrets() {
            if !s.is_empty() {
                t = t.replace(s, "***");
            }
        }
        t
    }
}

fn same_auth(a: &Auth, b: &Auth) -> bool {
    match (a, b) {
        (
            Auth::UserPassword {
                user: u1,
                password: p1,
            },
            Auth::UserPassword {
                user: u2,
                password: p2,
            },
        ) => u1 == u2 && p1 == p2,
        (Auth::Token(a), Auth::Token(b)) => a == b,
        _ => false,
    }
}

/// One way of authenticating: the options (or their environment variables) win over credentials
/// in the URL; two kinds of options at once are a usage error.
fn merge_auth(given: Credentials, from_url: Option<Auth>) -> Result<Auth, String> {
    let mut kinds: Vec<&str> = Vec::new();
    if given.user.is_some() || given.password.is_some() {
        kinds.push("--user/--password");
    }
    if given.token.is_some() {
        kinds.push("--token");
    }
    if given.nkey.is_some() {
        kinds.push("--nkey");
    }
    if given.creds.is_some() {
        kinds.push("--creds");
    }
    if kinds.len() > 1 {
        return Err(format!(
            "{} cannot be used together (check NATS_USER, NATS_PASSWORD, NATS_TOKEN too): give one way to authenticate",
            kinds.join(" and ")
        ));
    }
    if let Some(password) = given.password {
        let user = given.user.ok_or("--password needs --user (or NATS_USER)")?;
        return Ok(Auth::UserPassword { user, password });
    }
    if given.user.is_some() {
        return Err("--user needs --password (or NATS_PASSWORD)".into());
    }
    if let Some(t) = given.token {
        return Ok(Auth::Token(t));
    }
    if let Some(file) = given.nkey {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read the nkey seed file {}: {e}", file.display()))?;
        // The seed is the one line starting with `SU` (user seed); comments may surround it.
        let seed = text
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("SU") && !l.contains(char::is_whitespace))
            .ok_or_else(|| {
                format!(
                    "{} holds no nkey user seed (a line starting with SU)",
                    file.display()
                )
            })?
            .to_string();
        return Ok(Auth::NKey { seed, file });
    }
    if let Some(file) = given.creds {
        std::fs::metadata(&file)
            .map_err(|e| format!("cannot read the credentials file {}: {e}", file.display()))?;
        return Ok(Auth::Creds(file));
    }
    Ok(from_url.unwrap_or_default())
}

/// The longest duration any option takes (a year): larger values are usage errors, not a
/// timer overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 86400);

/// A duration of the grammar in [`crate::duration`] (`2s`, `500ms`, `1.5s`, `1m`, `1h30m`,
/// `30d`), or a bare number of seconds; at most [`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bare_seconds = !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.');
    let parsed = if bare_seconds {
        crate::duration::parse(&format!("{t}s"))
    } else {
        crate::duration::parse(t)
    };
    match parsed {
        Ok(d) if d <= MAX_DURATION => Ok(d),
        Err(crate::duration::Error::Invalid) => {
            Err(format!("`{text}` is not a duration (e.g. 5s, 500ms, 2m)"))
        }
        _ => Err(format!("`{text}` is longer than the limit of 365d")),
    }
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

/// A runtime with one worker thread besides the caller's (`handoff tap`): the client's
/// connection and tap's receiving half run on the worker while the caller checks and writes.
pub fn runtime_with_worker() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// A JetStream context whose API requests (stream info, create, consumers) and awaited publish
/// acks give up after `timeout` (the commands pass the connect timeout, so that an unavailable
/// stream is reported within it; without one async-nats waits 10 s per request).
pub fn jetstream(client: Client, timeout: Duration) -> async_nats::jetstream::Context {
    async_nats::jetstream::ContextBuilder::new()
        .timeout(timeout)
        .build(client)
}

/// Connects, giving up after `conn.timeout`. Errors are one line, with no secret in them.
/// `events` receives the client's connection events (disconnected, reconnected, ...).
pub async fn connect(
    conn: &Connection,
    events: Option<tokio::sync::mpsc::UnboundedSender<Event>>,
) -> Result<Client, String> {
    let shown = conn.display();
    let addrs: Vec<ServerAddr> = conn
        .servers
        .iter()
        .map(|s| {
            s.addr
                .parse::<ServerAddr>()
                .map_err(|e| format!("invalid NATS URL {}: {e}", s.shown))
        })
        .collect::<Result<_, _>>()?;
    let mut opts = ConnectOptions::new()
        .name("handoff")
        .connection_timeout(conn.timeout)
        // async-nats counts the first connect as attempt 1 and waits this long before it too:
        // no wait for it (100 ms on every command otherwise), then 100 ms more per attempt.
        .reconnect_delay_callback(|attempts| {
            Duration::from_millis((100 * attempts.saturating_sub(1) as u64).min(2000))
        });
    match &conn.auth {
        Auth::None => {}
        Auth::UserPassword { user, password } => {
            opts = opts.user_and_password(user.clone(), password.clone());
        }
        Auth::Token(t) => opts = opts.token(t.clone()),
        Auth::NKey { seed, .. } => opts = opts.nkey(seed.clone()),
        Auth::Creds(file) => {
            opts = opts.credentials_file(file).await.map_err(|e| {
                format!(
                    "cannot read the credentials file {}: {}",
                    file.display(),
                    conn.scrub(&e.to_string())
                )
            })?;
        }
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
            conn.scrub(&e.to_string())
        )),
        Err(_) => Err(format!(
            "cannot connect to NATS at {shown}: no answer within {}",
            format_duration(conn.timeout)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(urls: &str) -> Connection {
        Connection::new(
            urls,
            Credentials::default(),
            None,
            false,
            Duration::from_secs(1),
        )
        .unwrap()
    }

    #[test]
    fn credentials_come_out_of_the_urls() {
        let c = conn("nats://alice:s3cret@host:4222");
        assert_eq!(c.display(), "nats://alice:***@host:4222");
        assert_eq!(c.servers[0].addr, "nats://host:4222");
        assert!(matches!(&c.auth, Auth::UserPassword { user, password }
            if user == "alice" && password == "s3cret"));
        let c = conn("nats://tok3n@host");
        assert_eq!(c.display(), "nats://***@host");
        assert!(matches!(&c.auth, Auth::Token(t) if t == "tok3n"));
        assert_eq!(conn("nats://host:4222").display(), "nats://host:4222");
        let c = conn("nats://a:b@h1,nats://h2");
        assert_eq!(c.display(), "nats://a:***@h1,nats://h2");
        assert_eq!(c.servers.len(), 2);
        // Percent-decoded; an unencoded comma, `@`, `/` or `#` stays inside the password.
        let c = conn("nats://alice:p%2C%40%25x@h1:1,nats://h2:2");
        assert!(matches!(&c.auth, Auth::UserPassword { password, .. } if password == "p,@%x"));
        let c = conn("nats://alice:a,b/c@d#e@h1:1,h2:2");
        assert_eq!(c.servers.len(), 2, "{:?}", c.servers);
        assert!(matches!(&c.auth, Auth::UserPassword { password, .. } if password == "a,b/c@d#e"));
        assert_eq!(c.display(), "nats://alice:***@h1:1,h2:2");
        assert_eq!(conn("h1:1,h2:2").servers.len(), 2);
        assert_eq!(c.scrub("bad a,b/c@d#e here"), "bad *** here");
        assert!(!format!("{c:?}").contains("a,b/c@d#e"));
    }

    #[test]
    fn options_win_and_conflicts_are_refused() {
        let given = Credentials {
            user: Some("bob".into()),
            password: Some("pw".into()),
            ..Default::default()
        };
        let c = Connection::new("nats://alice:x@h", given, None, false, Duration::ZERO).unwrap();
        assert!(matches!(&c.auth, Auth::UserPassword { user, .. } if user == "bob"));
        let both = Credentials {
            token: Some("t".into()),
            password: Some("pw".into()),
            user: Some("u".into()),
            ..Default::default()
        };
        assert!(Connection::new("nats://h", both, None, false, Duration::ZERO).is_err());
        let lone = Credentials {
            password: Some("pw".into()),
            ..Default::default()
        };
        assert!(Connection::new("nats://h", lone, None, false, Duration::ZERO).is_err());
        let e = Connection::new(
            "nats://a:pw1x@h1,nats://a:pw2x@h2",
            Credentials::default(),
            None,
            false,
            Duration::ZERO,
        )
        .unwrap_err();
        assert!(!e.contains("pw1x") && !e.contains("pw2x"), "{e}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("365d"), Ok(MAX_DURATION));
        assert!(parse_duration("366d").is_err());
        assert!(parse_duration("99999999999999999999999d").is_err());
        assert!(parse_duration("18446744073709551615s").is_err());
        assert!(parse_duration("soon").is_err());
        assert_eq!(format_duration(Duration::from_secs(30 * 86400)), "30d");
        assert_eq!(format_duration(Duration::from_secs(120)), "2m");
        assert_eq!(format_duration(Duration::ZERO), "0");
    }
}
