//! The tap: an ephemeral ordered consumer on the stream, every message checked against the
//! registry, one line (or JSON object) per event, and a summary at the end.
//!
//! It survives a server restart: on a disconnect it says so, and once the client is connected
//! again it recreates its consumer from the stream sequence after the last event it counted,
//! so nothing is lost or counted twice (events at or below that sequence are skipped).

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::time::Duration;

use async_nats::Event;
use async_nats::jetstream::{self, consumer, consumer::pull};
use futures::{FutureExt, StreamExt};
use serde::Serialize;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use crate::envelope::{self, Problem};
use crate::registry::Registry;

#[derive(Debug, Clone)]
pub struct Options {
    pub stream: String,
    /// One NATS subject pattern.
    pub filter: String,
    /// Only events published from now on.
    pub new_only: bool,
    /// Stop after this many events.
    pub count: Option<u64>,
    /// Stop after this long without an event.
    pub idle: Option<Duration>,
    pub json: bool,
    /// `--match`: the definitions evaluated on every envelope (crate::matching).
    pub matcher: Option<std::sync::Arc<crate::matching::Matcher>>,
}

/// Why the tap stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Count,
    Idle,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub events: u64,
    pub ok: u64,
    pub invalid: u64,
    /// How many events had each problem code.
    pub problems: BTreeMap<&'static str, u64>,
    pub reconnects: u64,
    pub stop: Option<Stop>,
}

impl Summary {
    /// `tap: 3 events, 2 ok, 1 invalid (not-json: 1); stopped: --count reached`
    pub fn line(&self, idle: Option<Duration>) -> String {
        let mut s = format!(
            "tap: {} event{}, {} ok, {} invalid",
            self.events,
            if self.events == 1 { "" } else { "s" },
            self.ok,
            self.invalid
        );
        if !self.problems.is_empty() {
            let list: Vec<String> = self
                .problems
                .iter()
                .map(|(c, n)| format!("{c}: {n}"))
                .collect();
            s.push_str(&format!(" ({})", list.join(", ")));
        }
        if self.reconnects > 0 {
            s.push_str(&format!(", {} reconnect(s)", self.reconnects));
        }
        match (self.stop, idle) {
            (Some(Stop::Count), _) => s.push_str("; stopped: --count reached"),
            (Some(Stop::Idle), Some(d)) => s.push_str(&format!(
                "; stopped: no event for {}",
                super::format_duration(d)
            )),
            _ => {}
        }
        s
    }
}

#[derive(Serialize)]
struct JsonProblem {
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct JsonEvent<'a> {
    /// The JSON output's version, on every line (docs/json-output.md).
    version: u32,
    seq: u64,
    subject: &'a str,
    id: Option<String>,
    ok: bool,
    problems: Vec<JsonProblem>,
    /// The envelope, when the payload is a JSON object (replayable by `handoff simulate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<serde_json::Value>,
    /// With `--match`: each triggered definition's outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    matches: Option<Vec<crate::matching::Verdict<'a>>>,
}

/// The id as a UUID string.
fn uuid_text(bits: u128) -> String {
    uuid::Uuid::from_u128(bits).hyphenated().to_string()
}

/// Creates the ordered consumer, starting at `start` (a stream sequence) or at the policy.
async fn open(
    js: &jetstream::Context,
    opts: &Options,
    start: Option<u64>,
) -> Result<pull::Ordered, String> {
    let stream = match super::stream::lookup(js, &opts.stream).await? {
        super::stream::Live::Missing => {
            return Err(format!(
                "stream {} does not exist (run `handoff stream ensure`)",
                opts.stream
            ));
        }
        super::stream::Live::Unavailable(reason) => {
            return Err(super::stream::unavailable(&opts.stream, &reason));
        }
        // Known to exist: a handle without asking for the info a second time.
        super::stream::Live::Present(_) => js
            .get_stream_no_info(&opts.stream)
            .await
            .map_err(|e| format!("cannot read stream {}: {e}", opts.stream))?,
    };
    let deliver_policy = match start {
        Some(s) => consumer::DeliverPolicy::ByStartSequence { start_sequence: s },
        None if opts.new_only => consumer::DeliverPolicy::New,
        None => consumer::DeliverPolicy::All,
    };
    let consumer = stream
        .create_consumer(pull::OrderedConfig {
            filter_subject: opts.filter.clone(),
            deliver_policy,
            ..Default::default()
        })
        .await
        .map_err(|e| format!("cannot create a consumer on {}: {e}", opts.stream))?;
    consumer
        .messages()
        .await
        .map_err(|e| format!("cannot read from {}: {e}", opts.stream))
}

// Lives for one loop turn on the stack; boxing the message would allocate per event.
#[allow(clippy::large_enum_variant)]
enum Next {
    Message(Option<Result<jetstream::Message, pull::OrderedError>>),
    Event(Option<Event>),
    Idle,
    /// Time to ask whether the stream is still there (nothing arrived for a while).
    Check,
}

/// How long without an event before tap asks whether the stream is still available: the
/// ordered consumer recreates itself silently (and forever) when the stream's servers go away.
const CHECK_EVERY: Duration = Duration::from_secs(3);

/// Runs the tap until `--count` or `--timeout`, writing events to `out` and connection notes to
/// `err`. Without either it runs until the process is stopped.
pub async fn run(
    js: jetstream::Context,
    events: UnboundedReceiver<Event>,
    reg: &Registry,
    opts: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Summary, String> {
    let mut tap = Tap::open(js, events, reg, opts, out, err).await?;
    loop {
        if tap.count_reached() {
            break;
        }
        match tap.next_message().await? {
            Next::Idle => {
                tap.on_idle();
                break;
            }
            Next::Check => tap.on_check().await?,
            Next::Event(e) => tap.on_connection(e).await?,
            Next::Message(m) => tap.on_message(m).await?,
        }
    }
    tap.finish()
}

/// The error for a failed write to the tap output.
fn io(e: std::io::Error) -> String {
    format!("cannot write the tap output: {e}")
}

/// The tap loop's state between turns.
struct Tap<'a> {
    js: jetstream::Context,
    events: UnboundedReceiver<Event>,
    reg: &'a Registry,
    opts: &'a Options,
    out: std::io::BufWriter<&'a mut dyn Write>,
    err: &'a mut dyn Write,
    messages: pull::Ordered,
    summary: Summary,
    seen: HashSet<u128>,
    /// The stream sequence of the last event counted.
    last_seq: u64,
    disconnected: bool,
    deadline: Option<Instant>,
    line: String,
    next_check: Instant,
    /// The last problem reported about the stream, so that each is said once.
    stream_problem: Option<String>,
}

impl<'a> Tap<'a> {
    /// Opens the consumer (at the start policy) and starts the idle and check clocks.
    async fn open(
        js: jetstream::Context,
        events: UnboundedReceiver<Event>,
        reg: &'a Registry,
        opts: &'a Options,
        out: &'a mut dyn Write,
        err: &'a mut dyn Write,
    ) -> Result<Self, String> {
        let out = std::io::BufWriter::with_capacity(64 * 1024, out);
        let messages = open(&js, opts, None).await?;
        let deadline = opts.idle.map(|d| Instant::now() + d);
        let next_check = Instant::now() + CHECK_EVERY;
        Ok(Tap {
            js,
            events,
            reg,
            opts,
            out,
            err,
            messages,
            summary: Summary::default(),
            seen: HashSet::new(),
            last_seq: 0,
            disconnected: false,
            deadline,
            line: String::with_capacity(256),
            next_check,
            stream_problem: None,
        })
    }

    /// Whether `--count` events have been counted (and if so, records why the tap stops).
    fn count_reached(&mut self) -> bool {
        if self.opts.count.is_some_and(|n| self.summary.events >= n) {
            self.summary.stop = Some(Stop::Count);
            return true;
        }
        false
    }

    /// The next thing to handle: a message already buffered, or else (after flushing the
    /// output) whichever of message, connection event, idle deadline or check time comes first.
    async fn next_message(&mut self) -> Result<Next, String> {
        if let Some(m) = self.messages.next().now_or_never() {
            return Ok(Next::Message(m));
        }
        self.out.flush().map_err(io)?;
        let deadline = self.deadline;
        let idle = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        Ok(tokio::select! {
            m = self.messages.next() => Next::Message(m),
            e = self.events.recv() => Next::Event(e),
            () = idle => Next::Idle,
            () = tokio::time::sleep_until(self.next_check) => Next::Check,
        })
    }

    /// No event before the `--timeout` deadline.
    fn on_idle(&mut self) {
        self.summary.stop = Some(Stop::Idle);
    }

    /// Asks whether the stream is still available (unless disconnected), reporting each change.
    async fn on_check(&mut self) -> Result<(), String> {
        self.next_check = Instant::now() + CHECK_EVERY;
        if self.disconnected {
            return Ok(());
        }
        let stream = &self.opts.stream;
        let problem = match super::stream::lookup(&self.js, stream).await {
            Ok(super::stream::Live::Present(_)) => None,
            Ok(super::stream::Live::Missing) => Some(format!("stream {stream} no longer exists")),
            Ok(super::stream::Live::Unavailable(reason)) => {
                Some(super::stream::unavailable(stream, &reason))
            }
            Err(e) => Some(e),
        };
        match (&problem, &self.stream_problem) {
            (Some(p), Some(q)) if p == q => {}
            (Some(p), _) => {
                self.out.flush().map_err(io)?;
                let _ = writeln!(self.err, "tap: {p}; waiting for it");
            }
            (None, Some(_)) => {
                let _ = writeln!(self.err, "tap: stream {stream} is available again");
            }
            (None, None) => {}
        }
        self.stream_problem = problem;
        Ok(())
    }

    /// A connection event: a disconnect is said once; the reconnect after it resumes the
    /// consumer after the last event counted.
    async fn on_connection(&mut self, event: Option<Event>) -> Result<(), String> {
        match event {
            Some(Event::Disconnected) if !self.disconnected => {
                self.disconnected = true;
                self.out.flush().map_err(io)?;
                let _ = writeln!(
                    self.err,
                    "tap: disconnected from the server after stream sequence {}; waiting to reconnect",
                    self.last_seq
                );
            }
            Some(Event::Connected) if self.disconnected => {
                self.disconnected = false;
                self.summary.reconnects += 1;
                let _ = writeln!(
                    self.err,
                    "tap: reconnected; resuming after stream sequence {}",
                    self.last_seq
                );
                self.resume().await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Recreates the consumer after the last event counted.
    async fn resume(&mut self) -> Result<(), String> {
        self.messages = reopen(
            &self.js,
            self.opts,
            self.last_seq,
            self.deadline,
            &mut *self.err,
        )
        .await?;
        Ok(())
    }

    /// What the consumer yielded: an end or an error recreates it; a message is checked,
    /// counted and written, and restarts the idle and check clocks.
    async fn on_message(
        &mut self,
        m: Option<Result<jetstream::Message, pull::OrderedError>>,
    ) -> Result<(), String> {
        let msg = match m {
            None => {
                let _ = writeln!(self.err, "tap: the consumer ended; recreating it");
                return self.resume().await;
            }
            Some(Err(e)) => {
                let _ = writeln!(self.err, "tap: consumer error: {e}; recreating it");
                return self.resume().await;
            }
            Some(Ok(msg)) => msg,
        };
        let seq = match msg.info() {
            Ok(info) => info.stream_sequence,
            Err(_) => self.last_seq + 1,
        };
        if seq <= self.last_seq {
            return Ok(());
        }
        self.last_seq = seq;
        let subject = msg.subject.as_str();
        let checked = self.check(subject, &msg.payload);
        self.write(seq, subject, &msg.payload, &checked)?;
        let now = Instant::now();
        self.deadline = self.opts.idle.map(|d| now + d);
        self.next_check = now + CHECK_EVERY;
        Ok(())
    }

    /// Checks one event against the registry (and for a repeated id), and counts it.
    fn check(&mut self, subject: &str, payload: &[u8]) -> envelope::Checked {
        let mut checked = envelope::check(self.reg, subject, payload);
        if let Some(id) = checked.id
            && !self.seen.insert(id)
        {
            checked.problems.push(Problem::DuplicateId(uuid_text(id)));
        }
        let summary = &mut self.summary;
        summary.events += 1;
        if checked.is_ok() {
            summary.ok += 1;
        } else {
            summary.invalid += 1;
            let mut codes: Vec<&'static str> = checked.problems.iter().map(Problem::code).collect();
            codes.sort_unstable();
            codes.dedup();
            for c in codes {
                *summary.problems.entry(c).or_default() += 1;
            }
        }
        checked
    }

    /// Runs the `--match` hook and writes the event's line (or JSON object).
    fn write(
        &mut self,
        seq: u64,
        subject: &str,
        payload: &[u8],
        checked: &envelope::Checked,
    ) -> Result<(), String> {
        let opts = self.opts;
        let (event, matches) = crate::matching::tap_hook(
            opts.matcher.as_deref(),
            self.reg,
            subject,
            payload,
            opts.json,
        );
        self.line.clear();
        if opts.json {
            let ev = JsonEvent {
                version: crate::report::JSON_VERSION,
                seq,
                subject,
                id: checked.id.map(uuid_text),
                ok: checked.is_ok(),
                problems: checked
                    .problems
                    .iter()
                    .map(|p| JsonProblem {
                        code: p.code(),
                        message: p.to_string(),
                    })
                    .collect(),
                event,
                matches,
            };
            serde_json::to_writer(&mut self.out, &ev).map_err(|e| io(e.into()))?;
            self.out.write_all(b"\n").map_err(io)?;
        } else {
            human_line(&mut self.line, seq, subject, checked);
            if let Some(m) = &matches {
                self.line.push_str("  → ");
                crate::matching::describe_into(&mut self.line, m);
                self.line.push('\n');
            }
            self.out.write_all(self.line.as_bytes()).map_err(io)?;
        }
        Ok(())
    }

    /// Flushes the output and hands back the summary.
    fn finish(mut self) -> Result<Summary, String> {
        self.out.flush().map_err(io)?;
        Ok(self.summary)
    }
}

/// `#12 ok org.statehub.repo.registered 5d1c…` or `#13 INVALID subject id: problem [code]; …`.
fn human_line(line: &mut String, seq: u64, subject: &str, c: &envelope::Checked) {
    use std::fmt::Write as _;
    let id = c.id.map_or_else(|| "-".to_string(), uuid_text);
    if c.is_ok() {
        let _ = writeln!(line, "#{seq} ok {subject} {id}");
    } else {
        let _ = write!(line, "#{seq} INVALID {subject} {id}:");
        for (i, p) in c.problems.iter().enumerate() {
            let sep = if i == 0 { " " } else { "; " };
            let _ = write!(line, "{sep}{p} [{}]", p.code());
        }
        line.push('\n');
    }
}

/// Recreates the consumer after `last_seq`, retrying until it works or the idle deadline.
async fn reopen(
    js: &jetstream::Context,
    opts: &Options,
    last_seq: u64,
    deadline: Option<Instant>,
    err: &mut dyn Write,
) -> Result<pull::Ordered, String> {
    let mut wait = Duration::from_millis(100);
    let mut said = false;
    loop {
        // With --new and nothing counted yet, keep "from now on" rather than replaying.
        let start = if last_seq == 0 && opts.new_only {
            None
        } else {
            Some(last_seq + 1)
        };
        match open(js, opts, start).await {
            Ok(m) => return Ok(m),
            Err(e) => {
                if deadline.is_some_and(|d| Instant::now() + wait > d) {
                    return Err(e);
                }
                if !said {
                    let _ = writeln!(err, "tap: {e}; retrying");
                    said = true;
                }
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(2));
            }
        }
    }
}
