//! The ids tap has seen within the stream's duplicate window, for the `duplicate-id` check.
//!
//! The server rejects a message whose `Nats-Msg-Id` it stored less than `duplicate_window` ago
//! and forgets an id once it is that old. A repeated envelope id that reaches tap within the
//! window therefore went past the server's de-duplication (published without the header, or with
//! another one); a repeat after the window is a legitimate re-publish the server accepted too.
//! So tap remembers an id for the window, measured on the server's clock (each message's stored
//! time, from its reply subject), and forgets it after: memory is bounded by the window, not by
//! how long tap runs.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Ids seen within the last `window` (nanoseconds on the server's clock).
///
/// One hash probe per event: an id found there counts only if it is younger than the window, so
/// forgetting is exact at every look-up; the table is swept (ids a window old or more dropped)
/// whenever it has grown by a quarter since the last sweep, which keeps it within a quarter more
/// than the ids of one window, at a cost spread over the inserts (each sweep visits five ids per
/// id inserted since the last). Sweeping at twice the size let the table, and its growth, reach
/// twice a window's ids: 20 MiB more at 180,000 ids a second with a 1 s window.
#[derive(Debug)]
pub struct RecentIds {
    window: u64,
    /// Each remembered id and when it was stored.
    stored: HashMap<Id, u64, IdHash>,
    /// Sweep when the table reaches this many ids.
    sweep_at: usize,
}

/// The smallest table worth sweeping.
const MIN_SWEEP: usize = 1024;

impl RecentIds {
    pub fn new(window: Duration) -> RecentIds {
        RecentIds {
            window: u64::try_from(window.as_nanos()).unwrap_or(u64::MAX),
            stored: HashMap::with_hasher(IdHash::new()),
            sweep_at: MIN_SWEEP,
        }
    }

    /// Records `id`, stored at `at` (nanoseconds since the epoch, server clock); true when the
    /// same id was stored less than the window before (a duplicate the server should have
    /// rejected). A repeat keeps the first time, as the server does; an id a full window old or
    /// more is forgotten (the server's rule: an id whose age reaches the window is dropped), so
    /// it counts as new, from `at`.
    pub fn seen_before(&mut self, id: u128, at: u64) -> bool {
        let window = self.window;
        let young = |t: u64| at.saturating_sub(t) < window;
        match self.stored.entry(Id::new(id)) {
            Entry::Occupied(mut e) => {
                if young(*e.get()) {
                    return true;
                }
                e.insert(at);
            }
            Entry::Vacant(e) => {
                e.insert(at);
                if self.stored.len() >= self.sweep_at {
                    self.stored.retain(|_, t| young(*t));
                    let live = self.stored.len();
                    self.sweep_at = (live + live / 4).max(MIN_SWEEP);
                }
            }
        }
        false
    }

    /// How many ids are held (the remembered ones and those not yet swept).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.stored.len()
    }
}

/// An id as two words: 24 bytes a table entry with its time instead of 32 (a `u128` is aligned
/// to 16 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Id([u64; 2]);

impl Id {
    fn new(id: u128) -> Id {
        Id([id as u64, (id >> 64) as u64])
    }
}

impl std::hash::Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u128(u128::from(self.0[0]) | u128::from(self.0[1]) << 64);
    }
}

/// Hashing for random 128-bit ids: one folded multiply with a per-process key (SipHash was a
/// fifteenth of tap's profile; the ids are UUIDs, mostly random already).
#[derive(Debug, Clone, Copy)]
struct IdHash(u64);

impl IdHash {
    fn new() -> IdHash {
        IdHash(std::hash::RandomState::new().build_hasher().finish() | 1)
    }
}

impl BuildHasher for IdHash {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher {
            key: self.0,
            state: 0,
        }
    }
}

#[derive(Debug)]
struct IdHasher {
    key: u64,
    state: u64,
}

fn fold(a: u64, b: u64) -> u64 {
    let m = u128::from(a) * u128::from(b);
    (m as u64) ^ ((m >> 64) as u64)
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.state = fold(self.state ^ x ^ self.key, 0x9E37_79B9_7F4A_7C15);
    }
    fn write_u128(&mut self, x: u128) {
        self.state = fold(
            (x as u64) ^ self.key,
            ((x >> 64) as u64) ^ 0x9E37_79B9_7F4A_7C15,
        );
    }
    fn finish(&self) -> u64 {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn a_repeat_within_the_window_is_a_duplicate() {
        let mut ids = RecentIds::new(Duration::from_secs(120));
        assert!(!ids.seen_before(1, 1000 * S));
        assert!(!ids.seen_before(2, 1001 * S));
        assert!(ids.seen_before(1, 1100 * S));
        // Just under the window after the first time: still remembered.
        assert!(ids.seen_before(1, 1120 * S - 1));
    }

    #[test]
    fn an_id_a_full_window_old_is_forgotten() {
        let mut ids = RecentIds::new(Duration::from_secs(120));
        assert!(!ids.seen_before(1, 1000 * S));
        assert!(!ids.seen_before(2, 1060 * S));
        // Exactly one window after id 1: the server has forgotten it, so has tap.
        assert!(!ids.seen_before(1, 1120 * S));
        // id 2 is 60 s old: still a duplicate.
        assert!(ids.seen_before(2, 1120 * S));
        // The repeat of 1 counts from its own time now.
        assert!(ids.seen_before(1, 1239 * S));
        assert!(!ids.seen_before(1, 1240 * S));
    }

    #[test]
    fn memory_is_bounded_by_the_window() {
        // 1,000 ids a second for an hour, with a 10 s window: never more than a quarter over
        // 10 s worth held (the sweep's slack), and every id forgotten once it is 10 s old.
        let mut ids = RecentIds::new(Duration::from_secs(10));
        let mut most = 0;
        for i in 0..3_600_000u64 {
            assert!(!ids.seen_before(u128::from(i) << 64 | 7, i * (S / 1000)));
            most = most.max(ids.len());
        }
        assert!(most <= 12_500, "{most} ids held");
        assert!(most >= 10_000, "{most} ids held");
        // An id from 9.999 s ago is still a duplicate; one from 10 s ago is not.
        let last = 3_599_999u64;
        assert!(ids.seen_before(u128::from(last - 9_999) << 64 | 7, last * (S / 1000)));
        assert!(!ids.seen_before(u128::from(last - 10_000) << 64 | 7, last * (S / 1000)));
    }

    #[test]
    fn each_id_is_judged_by_its_own_time_even_out_of_order() {
        let mut ids = RecentIds::new(Duration::from_secs(5));
        assert!(!ids.seen_before(1, 100 * S));
        assert!(!ids.seen_before(2, 50 * S));
        assert!(ids.seen_before(1, 101 * S));
        assert!(ids.seen_before(2, 54 * S));
        // 54 s after its time: forgotten, though it arrived after id 1.
        assert!(!ids.seen_before(2, 104 * S));
        // A clock that goes back never makes an id old.
        assert!(ids.seen_before(1, 99 * S));
    }

    #[test]
    fn an_entry_is_three_words() {
        assert_eq!(std::mem::size_of::<(Id, u64)>(), 24);
        assert_eq!(Id::new(u128::MAX - 1).0, [u64::MAX - 1, u64::MAX]);
    }

    #[test]
    fn the_hash_spreads_ids_that_differ_in_either_half() {
        let h = IdHash::new();
        let hash = |x: u128| {
            let mut s = h.build_hasher();
            s.write_u128(x);
            s.finish()
        };
        let mut seen = std::collections::HashSet::new();
        for i in 1..1000u128 {
            assert!(seen.insert(hash(i)));
            assert!(seen.insert(hash(i << 64)));
        }
    }
}
