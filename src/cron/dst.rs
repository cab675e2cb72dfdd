//! cronie's DST rules (`cron.c`: a fixed-time job caught up after a spring-forward jump of at most
//! three hours, run once in a fall-back overlap; a wildcard job skips the gap and runs in both
//! passes), and the findings about the times they affect: `cron-dst-gap`, `cron-dst-overlap`, and
//! how the runs differ from systemd's and from a `CRON_TZ` job's.

use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use super::explain::words_list;
use super::schedule::Schedule;
use crate::codes::Code;
use crate::diagnostic::Finding;

impl Schedule {
    /// The instants a selected civil minute fires at in `tz`, by cronie's DST rules.
    pub(super) fn instants(&self, civil: DateTime, tz: &TimeZone) -> Instants {
        match tz.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => {
                Instants(offset.to_timestamp(civil).ok(), None)
            }
            AmbiguousOffset::Gap { before, after } => {
                // cronie's catch-up covers jumps of 6 to 180 minutes ("medium"); after a larger
                // jump it runs only the current minute's jobs.
                let jump = i64::from(after.seconds()) - i64::from(before.seconds());
                if !self.is_fixed_time() || jump > 180 * 60 {
                    return Instants(None, None);
                }
                // Runs once, right after the jump. Read with the later offset, the civil time is
                // an instant before the transition; the transition follows it.
                let Ok(early) = after.to_timestamp(civil) else {
                    return Instants(None, None);
                };
                Instants(tz.following(early).next().map(|t| t.timestamp()), None)
            }
            AmbiguousOffset::Fold { before, after } => {
                let first = before.to_timestamp(civil).ok();
                if self.is_fixed_time() {
                    Instants(first, None)
                } else {
                    Instants(first, after.to_timestamp(civil).ok())
                }
            }
        }
    }

    /// The selected civil minutes inside each DST gap or overlap of `tz` in the `years` years
    /// after `from`.
    fn dst_changes(&self, tz: &TimeZone, from: Timestamp, years: i16) -> Vec<DstChange> {
        let until = from
            .checked_add(SignedDuration::from_hours(
                24 * 366 * i64::from(years.max(0)),
            ))
            .unwrap_or(Timestamp::MAX);
        let mut out = Vec::new();
        for transition in tz.following(from) {
            let t = transition.timestamp();
            if t > until {
                break;
            }
            let (old, new) = (offset_before(tz, t), transition.offset());
            let (old_civil, new_civil) = (old.to_datetime(t), new.to_datetime(t));
            let (lo, hi) = (old_civil.min(new_civil), old_civil.max(new_civil));
            let mut times = Vec::new();
            let mut cursor = lo;
            while let Some(c) = self.next_civil(cursor, hi.year()) {
                if c >= hi {
                    break;
                }
                times.push(c.strftime("%H:%M").to_string());
                let Ok(next) = c.checked_add(SignedDuration::from_mins(1)) else {
                    break;
                };
                cursor = next;
            }
            if !times.is_empty() {
                out.push(DstChange {
                    gap: new > old,
                    date: lo.strftime("%Y-%m-%d").to_string(),
                    times,
                    before: (old_civil.strftime("%H:%M").to_string(), old),
                    after: (new_civil.strftime("%H:%M").to_string(), new),
                });
            }
        }
        out
    }

    /// Where this schedule, run by cronie in `tz`, does not do what systemd's `OnCalendar=` with
    /// the same times did, for the DST changes in the `years` years after `from`: systemd skips
    /// a local time that does not exist and fires a repeated local time once, while cronie runs
    /// a fixed-time job after the jump and a wildcard job in both passes. One sentence per date.
    pub fn differs_from_systemd(&self, tz: &TimeZone, from: Timestamp, years: i16) -> Vec<String> {
        let fixed = self.is_fixed_time();
        self.dst_changes(tz, from, years)
            .into_iter()
            .filter(|c| c.gap == fixed)
            .map(|DstChange { gap, date, times, .. }| {
                let n = times.len();
                let list = words_list(&times, "and");
                if gap {
                    format!(
                        "on {date} {list} {} not exist: systemd skipped {}, cron runs the job right after the jump{}",
                        if n == 1 { "does" } else { "do" },
                        if n == 1 { "it" } else { "them" },
                        if n == 1 { String::new() } else { format!(" ({n} times)") }
                    )
                } else {
                    format!(
                        "on {date} {list} {} twice: systemd fired once, cron runs the job in both passes",
                        if n == 1 { "happens" } else { "happen" }
                    )
                }
            })
            .collect()
    }

    /// Where this schedule, as handoff runs it in `tz` (cronie's catch-up in the daemon's own
    /// zone), differs from cronie running it as a `CRON_TZ` job: cronie checks such a job minute
    /// by minute in its zone, so a fixed time in a gap does not run and a fixed time in an
    /// overlap runs twice. Wildcard schedules behave the same either way. One sentence per date.
    pub fn differs_as_cron_tz_job(
        &self,
        tz: &TimeZone,
        from: Timestamp,
        years: i16,
    ) -> Vec<String> {
        if !self.is_fixed_time() {
            return Vec::new();
        }
        self.dst_changes(tz, from, years)
            .into_iter()
            .map(|DstChange { gap, date, times, .. }| {
                let n = times.len();
                let list = words_list(&times, "and");
                if gap {
                    format!(
                        "on {date} {list} {} not exist: cronie skipped {} for a CRON_TZ job; the definition runs right after the jump",
                        if n == 1 { "does" } else { "do" },
                        if n == 1 { "it" } else { "them" },
                    )
                } else {
                    format!(
                        "on {date} {list} {} twice: cronie ran a CRON_TZ job both times; the definition runs once",
                        if n == 1 { "happens" } else { "happen" }
                    )
                }
            })
            .collect()
    }

    /// Warnings for a fixed-time schedule whose times fall into a DST gap (`cron-dst-gap`) or
    /// repeat in a DST overlap (`cron-dst-overlap`) of `tz`, for the transitions in the `years`
    /// years after `from`. Each finding names the dates and what cronie does then. Wildcard
    /// schedules (minute or hour starting with `*`) get none: skipping or repeating is their
    /// expected behaviour.
    pub fn dst_findings(&self, tz: &TimeZone, from: Timestamp, years: i16) -> Vec<Finding> {
        if !self.is_fixed_time() || years <= 0 {
            return Vec::new();
        }
        let zone = tz.iana_name().unwrap_or("the time zone");
        let span = self.minute.span.start..self.hour.span.end;
        let (mut gaps, mut overlaps) = (Vec::new(), Vec::new());
        let mut gap_runs = 0;
        for change in self.dst_changes(tz, from, years) {
            let count = change.times.len();
            let times = words_list(&change.times, "and");
            let date = &change.date;
            let ((old_civil, old), (new_civil, new)) = (&change.before, &change.after);
            if change.gap {
                gaps.push(format!(
                    "{times} {} not exist on {date} (clocks jump from {old_civil} to {new_civil})",
                    if count == 1 { "does" } else { "do" },
                ));
                gap_runs = gap_runs.max(count);
            } else {
                overlaps.push(format!(
                    "{times} happens twice on {date} (clocks go back from {old_civil} {} to {new_civil} {})",
                    show_offset(*old),
                    show_offset(*new)
                ));
            }
        }
        let mut out = Vec::new();
        if !gaps.is_empty() {
            out.push(
                Finding::new(
                    Code::CronDstGap,
                    span.clone(),
                    format!(
                        "in {zone}, {}: cronie runs the job {}right after the jump",
                        gaps.join("; "),
                        if gap_runs > 1 {
                            "once for each missing time, all "
                        } else {
                            "once, "
                        }
                    ),
                )
                .with_help("if that run matters, schedule it outside the DST change hours, or use a time zone without DST such as UTC"),
            );
        }
        if !overlaps.is_empty() {
            out.push(
                Finding::new(
                    Code::CronDstOverlap,
                    span,
                    format!(
                        "in {zone}, {}: cronie runs the job only the first time, at the earlier offset",
                        overlaps.join("; ")
                    ),
                )
                .with_help("if that matters, schedule it outside the DST change hours, or use a time zone without DST such as UTC"),
            );
        }
        out
    }
}

/// The selected times inside one DST change: a gap (spring forward) or an overlap (fall back),
/// its local date, and the local clock (with its offset) just before and after it.
struct DstChange {
    gap: bool,
    date: String,
    times: Vec<String>,
    before: (String, Offset),
    after: (String, Offset),
}

/// The instants of one civil minute: the first (or only) one, and the second pass of a
/// fall-back overlap.
pub(super) struct Instants(pub(super) Option<Timestamp>, pub(super) Option<Timestamp>);

impl IntoIterator for Instants {
    type Item = Timestamp;
    type IntoIter = std::iter::Flatten<std::array::IntoIter<Option<Timestamp>, 2>>;

    fn into_iter(self) -> Self::IntoIter {
        [self.0, self.1].into_iter().flatten()
    }
}

/// `+02:00`, `-05:00`, `+05:30`.
fn show_offset(offset: Offset) -> String {
    let secs = offset.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// The offset in force just before the transition at `t`.
pub(super) fn offset_before(tz: &TimeZone, t: Timestamp) -> Offset {
    tz.to_offset(t.checked_sub(SignedDuration::from_nanos(1)).unwrap_or(t))
}
