//! The tap: an ephemeral ordered consumer on the stream, every message checked against the
//! registry, one line (or JSON object) per event, and a summary at the end.
//!
//! It survives a server restart: on a disconnect it says so, and once the client is connected
//! again it recreates its consumer from the stream sequence after the last event it counted,
//! so nothing is lost or counted twice (events at or below that sequence are skipped).
//!
//! Two halves: `receive` reads the consumer (and the connection events) as a task of its own,
//! this file checks, counts and writes; with a worker thread in the runtime
//! ([`super::runtime_with_worker`]) reading the socket overlaps with checking. An id repeated
//! within the stream's duplicate window is reported (`recent`); older ids are forgotten.

mod batch;
mod receive;
mod recent;

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use async_nats::Event;
use async_nats::jetstream;
use serde::Serialize;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::mpsc::{Receiver, UnboundedReceiver, UnboundedSender};

use recent::RecentIds;

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

/// Runs the tap until `--count` or `--timeout`, writing events to `out` and connection notes to
/// `err`. Without either it runs until the process is stopped. The receiving half runs as a task
/// of its own (see `receive`); this one checks, counts and writes, in stream order.
pub async fn run(
    js: jetstream::Context,
    events: UnboundedReceiver<Event>,
    reg: &Registry,
    opts: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Summary, String> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let (spare_tx, spare_rx) = tokio::sync::mpsc::unbounded_channel();
    let (receiver, window) =
        receive::Receiver::open(js, events, opts.clone(), tx, spare_rx).await?;
    let task = tokio::spawn(receiver.run());
    let mut tap = Tap::new(reg, opts, out, err, window);
    if let Err(e) = tap.consume(&mut rx, &spare_tx).await {
        // A write error: stop receiving now (it may be waiting for a message that never comes).
        task.abort();
        return Err(e);
    }
    let end = task
        .await
        .map_err(|e| format!("tap's receiving task failed: {e}"))??;
    tap.summary.stop = end.stop;
    tap.summary.reconnects = end.reconnects;
    tap.finish()
}

/// The error for a failed write to the tap output.
fn io(e: std::io::Error) -> String {
    format!("cannot write the tap output: {e}")
}

/// Output is written to the sink in pieces of about this size.
const OUT_CHUNK: usize = 64 * 1024;

/// The checking half's state.
struct Tap<'a> {
    reg: &'a Registry,
    opts: &'a Options,
    /// The output not yet written to `sink`: lines are formatted straight into it.
    out: Vec<u8>,
    sink: &'a mut dyn Write,
    err: &'a mut dyn Write,
    summary: Summary,
    seen: RecentIds,
    /// The stored time of the last event that had one (for one that has none).
    last_stored: u64,
    /// Each event of the batch at hand, checked (reused from batch to batch).
    checked: Vec<(envelope::Checked, u64)>,
    /// With `--match` or `--format json`: each event's payload parsed as JSON.
    values: Vec<Option<serde_json::Value>>,
    /// The `--match` part of a human line.
    line: String,
}

impl<'a> Tap<'a> {
    fn new(
        reg: &'a Registry,
        opts: &'a Options,
        sink: &'a mut dyn Write,
        err: &'a mut dyn Write,
        window: Duration,
    ) -> Tap<'a> {
        Tap {
            reg,
            opts,
            out: Vec::with_capacity(OUT_CHUNK + 4096),
            sink,
            err,
            summary: Summary::default(),
            seen: RecentIds::new(window),
            last_stored: 0,
            checked: Vec::new(),
            values: Vec::new(),
            line: String::new(),
        }
    }

    /// Handles what the receiving half sends until it ends, flushing the output whenever
    /// nothing is waiting; each batch goes back to the receiving half through `spare`, emptied.
    async fn consume(
        &mut self,
        rx: &mut Receiver<receive::Item>,
        spare: &UnboundedSender<batch::Batch>,
    ) -> Result<(), String> {
        loop {
            let item = match rx.try_recv() {
                Ok(item) => item,
                Err(TryRecvError::Disconnected) => return Ok(()),
                Err(TryRecvError::Empty) => {
                    self.flush()?;
                    match rx.recv().await {
                        Some(item) => item,
                        None => return Ok(()),
                    }
                }
            };
            match item {
                receive::Item::Events(mut batch) => {
                    self.events(&batch)?;
                    batch.clear();
                    // The receiving half may have finished: then the batch is simply dropped.
                    if !batch.oversized() {
                        let _ = spare.send(batch);
                    }
                }
                receive::Item::Note(text) => {
                    self.flush()?;
                    let _ = writeln!(self.err, "{text}");
                }
            }
        }
    }

    /// A batch of events, in three passes: every envelope checked (with `--match` or `--format
    /// json` the payload is parsed as JSON once, for the check and for the rest); every id
    /// looked up in the duplicate-id table, in one tight loop, so that the table's cache misses
    /// overlap instead of stalling one event at a time; each event counted, matched (with
    /// `--match`) and written, in order.
    fn events(&mut self, batch: &batch::Batch) -> Result<(), String> {
        let opts = self.opts;
        let parse = opts.matcher.is_some() || opts.json;
        self.checked.clear();
        self.values.clear();
        for r in batch.iter() {
            let stored = r.stored.unwrap_or(self.last_stored);
            self.last_stored = stored;
            let checked = if parse {
                let value = serde_json::from_slice::<serde_json::Value>(r.payload).ok();
                let checked = match &value {
                    Some(v) => envelope::check_value(self.reg, r.subject, v),
                    None => envelope::check(self.reg, r.subject, r.payload),
                };
                self.values.push(value);
                checked
            } else {
                envelope::check(self.reg, r.subject, r.payload)
            };
            self.checked.push((checked, stored));
        }
        for (checked, stored) in &mut self.checked {
            if let Some(id) = checked.id
                && self.seen.seen_before(id, *stored)
            {
                checked.problems.push(Problem::DuplicateId(uuid_text(id)));
            }
        }
        let mut checked = std::mem::take(&mut self.checked);
        let mut values = std::mem::take(&mut self.values).into_iter();
        for (r, (c, _)) in batch.iter().zip(&checked) {
            self.count(c);
            self.write(r.seq, r.subject, c, values.next().flatten())?;
        }
        checked.clear();
        self.checked = checked;
        Ok(())
    }

    /// Counts one checked event.
    fn count(&mut self, checked: &envelope::Checked) {
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
    }

    /// Runs the `--match` hook and writes the event's line (or JSON object).
    fn write(
        &mut self,
        seq: u64,
        subject: &str,
        checked: &envelope::Checked,
        value: Option<serde_json::Value>,
    ) -> Result<(), String> {
        let opts = self.opts;
        let (event, matches) = match (&opts.matcher, opts.json) {
            (None, false) => (None, None),
            (matcher, json) => {
                crate::matching::tap_hook(matcher.as_deref(), self.reg, subject, value, json)
            }
        };
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
            self.out.push(b'\n');
        } else {
            human_line(&mut self.out, seq, subject, checked);
            if let Some(m) = &matches {
                self.line.clear();
                crate::matching::describe_into(&mut self.line, m);
                self.out.extend_from_slice("  → ".as_bytes());
                self.out.extend_from_slice(self.line.as_bytes());
                self.out.push(b'\n');
            }
        }
        if self.out.len() >= OUT_CHUNK {
            self.sink.write_all(&self.out).map_err(io)?;
            self.out.clear();
        }
        Ok(())
    }

    /// Writes out what is buffered, and flushes the sink.
    fn flush(&mut self) -> Result<(), String> {
        if !self.out.is_empty() {
            self.sink.write_all(&self.out).map_err(io)?;
            self.out.clear();
        }
        self.sink.flush().map_err(io)
    }

    /// Flushes the output and hands back the summary.
    fn finish(mut self) -> Result<Summary, String> {
        self.flush()?;
        Ok(self.summary)
    }
}

/// `#12 ok org.example.repo.registered 5d1c…` or `#13 INVALID subject id: problem [code]; …`,
/// appended to `line`.
fn human_line(line: &mut Vec<u8>, seq: u64, subject: &str, c: &envelope::Checked) {
    let mut buf = uuid::Uuid::encode_buffer();
    let id = match c.id {
        Some(bits) => &*uuid::Uuid::from_u128(bits)
            .hyphenated()
            .encode_lower(&mut buf),
        None => "-",
    };
    if c.is_ok() {
        // The common line, without the formatting machinery (a tenth of tap's time otherwise).
        line.push(b'#');
        push_u64(line, seq);
        line.extend_from_slice(b" ok ");
        line.extend_from_slice(subject.as_bytes());
        line.push(b' ');
        line.extend_from_slice(id.as_bytes());
        line.push(b'\n');
    } else {
        // Writing to a Vec cannot fail.
        let _ = write!(line, "#{seq} INVALID {subject} {id}:");
        for (i, p) in c.problems.iter().enumerate() {
            let sep = if i == 0 { " " } else { "; " };
            let _ = write!(line, "{sep}{p} [{}]", p.code());
        }
        line.push(b'\n');
    }
}

/// Appends `n` in decimal.
fn push_u64(line: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    line.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::push_u64;

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 4213, 1_000_000, u64::MAX] {
            let mut s = b"#".to_vec();
            push_u64(&mut s, n);
            assert_eq!(s, format!("#{n}").into_bytes());
        }
    }
}
