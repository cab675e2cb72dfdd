//! The hand-over between tap's two halves: a batch of messages, their subjects and payloads
//! copied into two buffers of the batch's own.
//!
//! The receiving half copies what the checking half needs out of each message and drops the
//! message at once, on its own thread. So every allocation async-nats makes for a message (the
//! subject, the reply subject, the JetStream context's clone) is freed on the thread that made it,
//! and no payload keeps a reference into the client's read buffer (which async-nats can then
//! reuse instead of allocating anew). The checking half hands each batch back, emptied, for the
//! receiving half to fill again: after the first few, a batch costs no allocation at all (one
//! that grew for large payloads is dropped instead, see [`Batch::oversized`]).

/// The most buffer space a batch keeps for reuse.
const KEEP_BYTES: usize = 512 * 1024;

/// One message's place in the batch.
#[derive(Debug, Clone, Copy)]
struct Entry {
    seq: u64,
    stored: Option<u64>,
    /// Where its subject ends in `subjects` (it starts where the previous one ends).
    subject_end: usize,
    /// Where its payload ends in `payloads`.
    payload_end: usize,
}

/// Messages in stream order: sequence, stored time, subject and payload.
#[derive(Debug, Default)]
pub(super) struct Batch {
    entries: Vec<Entry>,
    subjects: String,
    payloads: Vec<u8>,
}

/// One message of a batch, as the checking half reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Received<'a> {
    /// The stream sequence.
    pub seq: u64,
    /// When the server stored it (nanoseconds since the epoch), from the reply subject.
    pub stored: Option<u64>,
    pub subject: &'a str,
    pub payload: &'a [u8],
}

impl Batch {
    /// An empty batch with room for `messages` of about `payload` bytes each.
    pub fn with_capacity(messages: usize, payload: usize) -> Batch {
        Batch {
            entries: Vec::with_capacity(messages),
            subjects: String::with_capacity(messages * 32),
            payloads: Vec::with_capacity(messages * payload),
        }
    }

    pub fn push(&mut self, seq: u64, stored: Option<u64>, subject: &str, payload: &[u8]) {
        self.subjects.push_str(subject);
        self.payloads.extend_from_slice(payload);
        self.entries.push(Entry {
            seq,
            stored,
            subject_end: self.subjects.len(),
            payload_end: self.payloads.len(),
        });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether its buffers grew well past a batch of envelopes (large payloads came through):
    /// such a batch is dropped after use rather than reused, so that a burst of large messages
    /// does not stay allocated in every batch in circulation.
    pub fn oversized(&self) -> bool {
        self.subjects.capacity() + self.payloads.capacity() > KEEP_BYTES
    }

    /// Empties the batch, keeping its buffers.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.subjects.clear();
        self.payloads.clear();
    }

    /// The messages in order.
    pub fn iter(&self) -> impl Iterator<Item = Received<'_>> {
        let (mut subject_at, mut payload_at) = (0, 0);
        self.entries.iter().map(move |e| {
            let r = Received {
                seq: e.seq,
                stored: e.stored,
                subject: &self.subjects[subject_at..e.subject_end],
                payload: &self.payloads[payload_at..e.payload_end],
            };
            (subject_at, payload_at) = (e.subject_end, e.payload_end);
            r
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_come_back_in_order_and_intact() {
        let mut b = Batch::with_capacity(2, 4);
        b.push(7, Some(70), "org.a.é", b"{\"x\":1}");
        b.push(8, None, "", b"");
        b.push(9, Some(90), "org.b", &[0xff, 0]);
        assert_eq!(b.len(), 3);
        let got: Vec<Received<'_>> = b.iter().collect();
        assert_eq!(
            got,
            [
                Received {
                    seq: 7,
                    stored: Some(70),
                    subject: "org.a.é",
                    payload: b"{\"x\":1}"
                },
                Received {
                    seq: 8,
                    stored: None,
                    subject: "",
                    payload: b""
                },
                Received {
                    seq: 9,
                    stored: Some(90),
                    subject: "org.b",
                    payload: &[0xff, 0]
                },
            ]
        );
        b.clear();
        assert!(b.is_empty());
        assert_eq!(b.iter().count(), 0);
        b.push(10, None, "org.c", b"{}");
        assert_eq!(
            b.iter().next().map(|r| (r.seq, r.subject)),
            Some((10, "org.c"))
        );
    }

    #[test]
    fn a_batch_that_grew_for_large_payloads_is_not_kept() {
        let mut b = Batch::with_capacity(256, 512);
        assert!(!b.oversized());
        b.push(1, None, "org.a", &vec![b'x'; 1 << 20]);
        b.clear();
        assert!(b.oversized());
    }
}
