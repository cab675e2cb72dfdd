//! A parsed schedule: the civil minutes it selects, and when it fires in a time zone (the next
//! fire, the next `n`, every fire in a window), by the DST rules in `dst`.

use jiff::civil::{self, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::dst::offset_before;
use super::field::Field;

/// How far `next_after` looks ahead. A day-of-month/day-of-week AND (`0 0 29 2 */7`, Sunday the
/// 29th of February) can be 40 years apart around a non-leap century year.
const HORIZON_YEARS: i16 = 50;

/// A parsed, validated standard cron schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub(super) expr: String,
    pub(super) minute: Field,
    pub(super) hour: Field,
    pub(super) dom: Field,
    pub(super) month: Field,
    pub(super) dow: Field,
    /// The macro it was written as (`@daily`), if any.
    pub(super) macro_name: Option<&'static str>,
}

impl Schedule {
    /// The expression as written.
    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// Whether every minute `other` selects is also selected by `self` (compared field by field;
    /// `false` when either uses the day OR rule, which a field comparison cannot decide).
    pub fn covers(&self, other: &Schedule) -> bool {
        if self.uses_or_rule() || other.uses_or_rule() {
            return false;
        }
        // With at most one restricted day field each, a day matches when both fields do.
        [
            (&self.minute, &other.minute),
            (&self.hour, &other.hour),
            (&self.dom, &other.dom),
            (&self.month, &other.month),
            (&self.dow, &other.dow),
        ]
        .iter()
        .all(|(a, b)| b.bits & !a.bits == 0)
    }

    /// cronie's fixed-time job: neither the minute nor the hour field starts with `*`.
    pub fn is_fixed_time(&self) -> bool {
        !self.minute.star && !self.hour.star
    }

    /// The first civil minute at or after `from` (seconds ignored) that the fields select, in a
    /// year up to `last_year`. Skips whole months, days and hours that do not match.
    pub(super) fn next_civil(&self, from: DateTime, last_year: i16) -> Option<DateTime> {
        let (mut y, mut mo, mut d) = (from.year(), from.month() as u32, from.day() as u32);
        let (mut h, mut mi) = (from.hour() as u32, from.minute() as u32);
        loop {
            if y > last_year.min(9999) {
                return None;
            }
            if !self.month.has(mo) || d > civil::date(y, mo as i8, 1).days_in_month() as u32 {
                (d, h, mi) = (1, 0, 0);
                mo += 1;
                if mo > 12 {
                    (y, mo) = (y.checked_add(1)?, 1);
                }
                continue;
            }
            if !self.day_matches(y, mo, d) {
                (d, h, mi) = (d + 1, 0, 0);
                continue;
            }
            match self.hour.next_from(h).filter(|v| *v < 24) {
                None => {
                    (d, h, mi) = (d + 1, 0, 0);
                    continue;
                }
                Some(nh) if nh != h => (h, mi) = (nh, 0),
                Some(_) => {}
            }
            match self.minute.next_from(mi).filter(|v| *v < 60) {
                Some(m) => {
                    return civil::DateTime::new(y, mo as i8, d as i8, h as i8, m as i8, 0, 0).ok();
                }
                None => (h, mi) = (h + 1, 0),
            }
        }
    }

    /// The first instant after `after` among the selected civil minutes from `from` on, counting
    /// only each minute's first pass (its only instant outside a fall-back overlap). Those
    /// instants grow with the civil time, so the first one found is the earliest.
    fn scan_first(
        &self,
        from: DateTime,
        after: Timestamp,
        tz: &TimeZone,
        last_year: i16,
    ) -> Option<Timestamp> {
        let mut cursor = from;
        loop {
            let civil = self.next_civil(cursor, last_year)?;
            if let Some(t) = self.instants(civil, tz).0.filter(|t| *t > after) {
                return Some(t);
            }
            cursor = civil.checked_add(SignedDuration::from_mins(1)).ok()?;
        }
    }

    /// The first second-pass instant after `after` in the fall-back overlap of the transition at
    /// `t` (only wildcard jobs have them).
    fn scan_second(&self, t: Timestamp, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let (old, new) = (offset_before(tz, t), tz.to_offset(t));
        if new >= old || self.is_fixed_time() {
            return None;
        }
        let (lo, hi) = (new.to_datetime(t), old.to_datetime(t));
        let mut cursor = truncate_to_minute(lo);
        loop {
            let civil = self.next_civil(cursor, hi.year())?;
            if civil >= hi {
                return None;
            }
            if let Some(x) = self.instants(civil, tz).1.filter(|x| *x > after) {
                return Some(x);
            }
            cursor = civil.checked_add(SignedDuration::from_mins(1)).ok()?;
        }
    }

    /// The first fire strictly after `after`, or `None` if there is none within 50 years.
    pub fn next_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let start = tz.to_datetime(after);
        let last_year = start.year().saturating_add(HORIZON_YEARS).min(9999);
        let mut best = self.scan_first(truncate_to_minute(start), after, tz, last_year);
        // Second passes of fall-back overlaps: the one `after` may be in, and those before `best`.
        let just_after = after
            .checked_add(SignedDuration::from_nanos(1))
            .unwrap_or(after);
        let folds = tz
            .preceding(just_after)
            .take(1)
            .chain(tz.following(after))
            .map(|transition| transition.timestamp());
        for t in folds {
            if best.is_some_and(|b| t > b) || tz.to_datetime(t).year() > last_year {
                break;
            }
            if let Some(x) = self.scan_second(t, after, tz) {
                best = Some(best.map_or(x, |b| b.min(x)));
            }
        }
        best
    }

    /// The next `n` fires strictly after `after`. An instant appears once per run: after a
    /// spring-forward jump a fixed-time job starts once per selected missed minute, all at the
    /// transition (`0,30 2 * * *` runs twice at 03:00 in America/New_York), as in `fires_between`.
    pub fn upcoming(&self, after: Timestamp, tz: &TimeZone, n: usize) -> Vec<Timestamp> {
        let mut out = Vec::with_capacity(n.min(1024));
        let mut t = after;
        while out.len() < n {
            let Some(next) = self.next_after(t, tz) else {
                break;
            };
            let runs = match next.checked_add(SignedDuration::from_nanos(1)) {
                Ok(end) => self.fires_between(next, end, tz).len().max(1),
                Err(_) => 1,
            };
            out.extend(std::iter::repeat_n(next, runs.min(n - out.len())));
            t = next;
        }
        out
    }

    /// Every fire in the half-open window `[start, end)`, in order, once per run: the same
    /// instant appears several times when cronie's catch-up after a spring-forward jump starts a
    /// fixed-time job for several missed minutes. One pass over the civil minutes of the window:
    /// a week of `* * * * *` is about 10,000 cheap steps.
    pub fn fires_between(&self, start: Timestamp, end: Timestamp, tz: &TimeZone) -> Vec<Timestamp> {
        if end <= start {
            return Vec::new();
        }
        // The civil range the window covers under every offset in force during it.
        let (mut lo, mut hi) = (tz.to_datetime(start), tz.to_datetime(end));
        // A transition exactly at `start` counts: its gap's fixed times fire at `start`.
        let just_before = start
            .checked_sub(SignedDuration::from_nanos(1))
            .unwrap_or(start);
        for transition in tz.following(just_before) {
            let t = transition.timestamp();
            if t >= end {
                break;
            }
            for c in [
                offset_before(tz, t).to_datetime(t),
                transition.offset().to_datetime(t),
            ] {
                lo = lo.min(c);
                hi = hi.max(c);
            }
        }
        let mut out = Vec::new();
        let mut cursor = truncate_to_minute(lo);
        while let Some(civil) = self.next_civil(cursor, hi.year()) {
            if civil > hi {
                break;
            }
            out.extend(
                self.instants(civil, tz)
                    .into_iter()
                    .filter(|t| *t >= start && *t < end),
            );
            let Ok(next) = civil.checked_add(SignedDuration::from_mins(1)) else {
                break;
            };
            cursor = next;
        }
        out.sort();
        out
    }
}

fn truncate_to_minute(dt: DateTime) -> DateTime {
    dt.date().at(dt.hour(), dt.minute(), 0, 0)
}
