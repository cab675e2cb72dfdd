//! tap's receiving half: the ordered consumer, the connection events, the idle and
//! stream-check clocks, and resuming after a reconnect. It runs as its own task (on the
//! runtime's worker thread when the runtime has one) and hands the messages, in stream order and
//! in batches, to the checking half, which checks, counts and writes them: reading the socket
//! overlaps with checking. Notes for stderr travel in the same channel, so they stay in order
//! with the events.

use std::time::Duration;

use async_nats::Event;
use async_nats::jetstream::{self, consumer, consumer::pull};
use futures::{FutureExt, StreamExt};
use tokio::sync::mpsc::{Sender, UnboundedReceiver};
use tokio::time::Instant;

use super::batch::Batch;
use super::{Options, Stop};

/// What the receiving half sends, in order.
pub(super) enum Item {
    Events(Batch),
    /// A line for stderr (a disconnect, a reconnect, a stream problem).
    Note(String),
}

/// How the receiving half ended.
pub(super) struct End {
    pub stop: Option<Stop>,
    pub reconnects: u64,
}

/// At most this many messages per batch: enough to make the hand-over cheap, few enough that
/// a slow trickle is written at once (a batch is sent as soon as no message is waiting).
const BATCH: usize = 256;

/// The payload size a new batch makes room for (an envelope is a few hundred bytes).
const PAYLOAD: usize = 512;

/// How long without an event before tap asks whether the stream is still available: the
/// ordered consumer recreates itself silently (and forever) when the stream's servers go away.
const CHECK_EVERY: Duration = Duration::from_secs(3);

/// The server's default duplicate window, used when the stream's own cannot be read.
const DEFAULT_WINDOW: Duration = Duration::from_secs(120);

enum Next {
    /// A message was taken into the batch.
    Taken,
    /// The consumer ended (`None`) or failed.
    Ended(Option<pull::OrderedError>),
    Event(Option<Event>),
    Idle,
    /// Time to ask whether the stream is still there (nothing arrived for a while).
    Check,
}

/// The receiving loop's state between turns.
pub(super) struct Receiver {
    js: jetstream::Context,
    events: UnboundedReceiver<Event>,
    opts: Options,
    messages: pull::Ordered,
    tx: Sender<Item>,
    batch: Batch,
    /// Batches the checking half has handed back, emptied, to be filled again.
    spare: UnboundedReceiver<Batch>,
    /// How many events were handed over (what `--count` counts).
    forwarded: u64,
    /// The stream sequence of the last event handed over.
    last_seq: u64,
    disconnected: bool,
    deadline: Option<Instant>,
    next_check: Instant,
    /// The last problem reported about the stream, so that each is said once.
    stream_problem: Option<String>,
    reconnects: u64,
}

impl Receiver {
    /// Opens the consumer (at the start policy) and starts the idle and check clocks; also gives
    /// the stream's duplicate window.
    pub async fn open(
        js: jetstream::Context,
        events: UnboundedReceiver<Event>,
        opts: Options,
        tx: Sender<Item>,
        spare: UnboundedReceiver<Batch>,
    ) -> Result<(Receiver, Duration), String> {
        let (messages, window) = open(&js, &opts, None).await?;
        let now = Instant::now();
        let receiver = Receiver {
            deadline: opts.idle.map(|d| now + d),
            js,
            events,
            opts,
            messages,
            tx,
            batch: Batch::with_capacity(BATCH, PAYLOAD),
            spare,
            forwarded: 0,
            last_seq: 0,
            disconnected: false,
            next_check: now + CHECK_EVERY,
            stream_problem: None,
            reconnects: 0,
        };
        Ok((receiver, window))
    }

    /// Receives until `--count`, the idle deadline, an error, or the checking half hanging up.
    pub async fn run(mut self) -> Result<End, String> {
        let stop = loop {
            if self.opts.count.is_some_and(|n| self.forwarded >= n) {
                break Some(Stop::Count);
            }
            let next = match self.next_message().await {
                Some(next) => next,
                None => break None,
            };
            let sent = match next {
                Next::Idle => break Some(Stop::Idle),
                Next::Check => self.on_check().await,
                Next::Event(e) => self.on_connection(e).await?,
                Next::Taken => true,
                Next::Ended(e) => self.on_end(e).await?,
            };
            if !sent {
                break None;
            }
        };
        self.send_batch().await;
        Ok(End {
            stop,
            reconnects: self.reconnects,
        })
    }

    /// Hands the batch over; false when the checking half is gone.
    async fn send_batch(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let next = match self.spare.try_recv() {
            Ok(spare) => spare,
            Err(_) => Batch::with_capacity(BATCH, PAYLOAD),
        };
        let batch = std::mem::replace(&mut self.batch, next);
        self.tx.send(Item::Events(batch)).await.is_ok()
    }

    /// Says `text` on stderr, after the events before it; false when the checking half is gone.
    async fn say(&mut self, text: String) -> bool {
        self.send_batch().await && self.tx.send(Item::Note(text)).await.is_ok()
    }

    /// The next thing to handle: a message already buffered, or else (after handing over the
    /// batch) whichever of message, connection event, idle deadline or check time comes first.
    /// A message is taken into the batch here, by reference (a JetStream message is a few
    /// hundred bytes, and every move copies them). `None` when the checking half is gone.
    async fn next_message(&mut self) -> Option<Next> {
        if self.batch.len() < BATCH
            && let Some(m) = self.messages.next().now_or_never()
        {
            return Some(self.take(m));
        }
        if !self.batch.is_empty() {
            // Events arrived: restart the idle and check clocks (once per batch, not per event).
            let now = Instant::now();
            self.deadline = self.opts.idle.map(|d| now + d);
            self.next_check = now + CHECK_EVERY;
        }
        if !self.send_batch().await {
            return None;
        }
        let deadline = self.deadline;
        let idle = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        Some(tokio::select! {
            m = self.messages.next() => self.take(m),
            e = self.events.recv() => Next::Event(e),
            () = idle => Next::Idle,
            () = tokio::time::sleep_until(self.next_check) => Next::Check,
        })
    }

    /// Asks whether the stream is still available (unless disconnected), reporting each change.
    async fn on_check(&mut self) -> bool {
        self.next_check = Instant::now() + CHECK_EVERY;
        if self.disconnected {
            return true;
        }
        let stream = &self.opts.stream;
        let problem = match super::super::stream::lookup(&self.js, stream).await {
            Ok(super::super::stream::Live::Present(_)) => None,
            Ok(super::super::stream::Live::Missing) => {
                Some(format!("stream {stream} no longer exists"))
            }
            Ok(super::super::stream::Live::Unavailable(reason)) => {
                Some(super::super::stream::unavailable(stream, &reason))
            }
            Err(e) => Some(e),
        };
        let note = match (&problem, &self.stream_problem) {
            (Some(p), Some(q)) if p == q => None,
            (Some(p), _) => Some(format!("tap: {p}; waiting for it")),
            (None, Some(_)) => Some(format!("tap: stream {stream} is available again")),
            (None, None) => None,
        };
        self.stream_problem = problem;
        match note {
            Some(n) => self.say(n).await,
            None => true,
        }
    }

    /// A connection event: a disconnect is said once; the reconnect after it resumes the
    /// consumer after the last event handed over.
    async fn on_connection(&mut self, event: Option<Event>) -> Result<bool, String> {
        match event {
            Some(Event::Disconnected) if !self.disconnected => {
                self.disconnected = true;
                let note = format!(
                    "tap: disconnected from the server after stream sequence {}; waiting to reconnect",
                    self.last_seq
                );
                Ok(self.say(note).await)
            }
            Some(Event::Connected) if self.disconnected => {
                self.disconnected = false;
                self.reconnects += 1;
                let note = format!(
                    "tap: reconnected; resuming after stream sequence {}",
                    self.last_seq
                );
                if !self.say(note).await {
                    return Ok(false);
                }
                self.resume().await
            }
            _ => Ok(true),
        }
    }

    /// What the consumer yielded: a message joins the batch (the idle and check clocks restart
    /// when the batch is handed over); its end or an error is for [`Self::on_end`].
    fn take(&mut self, m: Option<Result<jetstream::Message, pull::OrderedError>>) -> Next {
        let msg = match m {
            Some(Ok(msg)) => msg,
            Some(Err(e)) => return Next::Ended(Some(e)),
            None => return Next::Ended(None),
        };
        let (seq, stored) = match msg.reply.as_deref().and_then(position) {
            Some((seq, stored)) => (seq, Some(stored)),
            None => (self.last_seq + 1, None),
        };
        if seq > self.last_seq {
            self.last_seq = seq;
            self.forwarded += 1;
            // Copied, and the message (with its JetStream context) dropped here: see `batch`.
            self.batch
                .push(seq, stored, msg.subject.as_str(), &msg.payload);
        }
        Next::Taken
    }

    /// The consumer ended (`None`) or failed: it is recreated.
    async fn on_end(&mut self, error: Option<pull::OrderedError>) -> Result<bool, String> {
        let note = match error {
            None => "tap: the consumer ended; recreating it".to_string(),
            Some(e) => format!("tap: consumer error: {e}; recreating it"),
        };
        if !self.say(note).await {
            return Ok(false);
        }
        self.resume().await
    }

    /// Recreates the consumer after the last event handed over, retrying until it works or the
    /// idle deadline.
    async fn resume(&mut self) -> Result<bool, String> {
        let mut wait = Duration::from_millis(100);
        let mut said = false;
        loop {
            // With --new and nothing counted yet, keep "from now on" rather than replaying.
            let start = if self.last_seq == 0 && self.opts.new_only {
                None
            } else {
                Some(self.last_seq + 1)
            };
            match open(&self.js, &self.opts, start).await {
                Ok((m, _)) => {
                    self.messages = m;
                    return Ok(true);
                }
                Err(e) => {
                    if self.deadline.is_some_and(|d| Instant::now() + wait > d) {
                        return Err(e);
                    }
                    if !said {
                        if !self.say(format!("tap: {e}; retrying")).await {
                            return Ok(false);
                        }
                        said = true;
                    }
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(2));
                }
            }
        }
    }
}

/// The stream sequence and the stored time (nanoseconds) in a JetStream reply subject, read
/// without parsing the rest: `$JS.ACK.<stream>.<consumer>.<delivered>.<seq>.<cseq>.<time>.<pending>`
/// or, since ADR-15, with `<domain>.<account hash>.` before the stream (and more tokens after).
pub(super) fn position(reply: &str) -> Option<(u64, u64)> {
    let rest = reply.strip_prefix("$JS.ACK.")?;
    // Where each of the first nine tokens ends (one pass over the bytes; `split` searched
    // for each dot afresh).
    let mut ends = [0usize; 9];
    let mut n = 0;
    for (i, &c) in rest.as_bytes().iter().enumerate() {
        if c == b'.' {
            ends[n] = i;
            n += 1;
            if n == ends.len() {
                break;
            }
        }
    }
    if n < ends.len() {
        ends[n] = rest.len();
        n += 1;
    }
    let token = |k: usize| match k {
        0 => &rest[..ends[0]],
        _ => &rest[ends[k - 1] + 1..ends[k]],
    };
    let (seq, time) = match n {
        7 => (token(3), token(5)),
        9 => (token(5), token(7)),
        _ => return None,
    };
    Some((seq.parse().ok()?, time.parse().ok()?))
}

/// Creates the ordered consumer, starting at `start` (a stream sequence) or at the policy; also
/// gives the stream's duplicate window.
async fn open(
    js: &jetstream::Context,
    opts: &Options,
    start: Option<u64>,
) -> Result<(pull::Ordered, Duration), String> {
    let (stream, window) = match super::super::stream::lookup(js, &opts.stream).await? {
        super::super::stream::Live::Missing => {
            return Err(format!(
                "stream {} does not exist (run `handoff stream ensure`)",
                opts.stream
            ));
        }
        super::super::stream::Live::Unavailable(reason) => {
            return Err(super::super::stream::unavailable(&opts.stream, &reason));
        }
        // Known to exist: a handle without asking for the info a second time.
        super::super::stream::Live::Present(info) => (
            js.get_stream_no_info(&opts.stream)
                .await
                .map_err(|e| format!("cannot read stream {}: {e}", opts.stream))?,
            match info.config.duplicate_window {
                d if d.is_zero() => DEFAULT_WINDOW,
                d => d,
            },
        ),
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
    let messages = consumer
        .messages()
        .await
        .map_err(|e| format!("cannot read from {}: {e}", opts.stream))?;
    Ok((messages, window))
}

#[cfg(test)]
mod tests {
    use super::position;

    #[test]
    fn reply_subjects_of_both_forms_give_sequence_and_time() {
        assert_eq!(
            position("$JS.ACK.EVENTS.c1.1.4213.4213.1764331200000000000.17"),
            Some((4213, 1_764_331_200_000_000_000))
        );
        assert_eq!(
            position("$JS.ACK.hub.AH9.EVENTS.c1.2.77.75.1764331200000000001.0.r4nd"),
            Some((77, 1_764_331_200_000_000_001))
        );
        assert_eq!(
            position("$JS.ACK.hub.AH9.EVENTS.c1.2.77.75.1764331200000000001.0"),
            Some((77, 1_764_331_200_000_000_001))
        );
        assert_eq!(position("$JS.ACK.EVENTS.c1.1.x.1.5.0"), None);
        assert_eq!(position("$JS.ACK.EVENTS.c1.1.4213.4213.5"), None);
        assert_eq!(position("_INBOX.abc"), None);
        assert_eq!(position("$JS.ACK."), None);
        assert_eq!(position("$JS.ACK.a.b.c.1.d.2.e.f"), None);
        assert_eq!(position("$JS.ACK.a.b.c.1.d.2"), None);
        assert_eq!(position("$JS.ACK.a.b.c.1.d.2.e"), Some((1, 2)));
        assert_eq!(position("$JS.ACK.a.b.c.d.e.1.f.2.g.h.i.j"), Some((1, 2)));
        assert_eq!(position("$JS.ACK.\u{e9}.b.c.1.d.2.e"), Some((1, 2)));
    }
}
