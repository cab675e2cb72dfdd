//! Standard 5-field cron, as Vixie cron and cronie run it: a strict parser whose findings point at
//! the offending field, a plain-English explainer, and a fire-time calculator with cronie's DST
//! behaviour.
//!
//! # Syntax
//!
//! Fields: minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 (`jan`-`dec`), day-of-week 0-7
//! (`sun`-`sat`; 0 and 7 are both Sunday). Names are three letters, case-insensitive. Each field
//! is a list `a,b` of values, ranges `a-b`, and steps `*/n` or `a-b/n`. A step on a single value
//! (`5/10`), a reversed range (`5-1`) and the extensions `L W # ? H ~` are rejected. The macros
//! `@yearly @annually @monthly @weekly @daily @midnight @hourly` are accepted (case-sensitive, as
//! cronie); `@reboot` is rejected because it names no time.
//!
//! # Day rule
//!
//! As in cronie, a day field is "restricted" when its text does not start with `*`. When
//! day-of-month AND day-of-week are both restricted, a day matches if EITHER matches (the POSIX OR
//! rule: `0 0 13 * 5` fires on every 13th and on every Friday). Otherwise both must match, which
//! makes the unrestricted one irrelevant. `*/2` starts with `*`, so cronie counts it as
//! unrestricted and ANDs it with a restricted other day field; croniter ORs it. handoff follows
//! cronie and warns (`cron-step-or-rule`).
//!
//! # Time zones and DST (cronie's rules)
//!
//! Fire times are computed in the schedule's time zone. A job is *fixed-time* when neither its
//! minute nor its hour field starts with `*` (cronie's `MIN_STAR`/`HR_STAR` flags: `30 2`,
//! `0 1-3`, `0,30 9`), and *wildcard* otherwise (`*/15 *`, `0 *`).
//!
//! - Spring forward (a gap): a fixed-time job runs right after the jump (at the transition
//!   instant), once for each of its times the jump skipped, because cronie's catch-up runs its
//!   job search once per missed minute (`0,30 2` runs twice); a wildcard job skips the missing
//!   times. After a jump of more than 180 minutes cronie does no catch-up, so nothing runs.
//! - Fall back (an overlap): a fixed-time job whose time occurs twice runs once, in the first
//!   pass; a wildcard job runs in both passes.
//!
//! This is what cronie's main loop does when it finds the local clock jumped by less than three
//! hours (`cron.c`, "wakeupKind" 2 and 0). It applies in the daemon's own zone; handoff assumes
//! the daemon runs in the schedule's zone (a `CRON_TZ` job in another zone is not modelled).
//!
//! # Layout
//!
//! A file per role, in the order a schedule meets them: `parse` (fields, list items, values;
//! `macros` for `@daily` and friends) builds a `Field` (`field`) for each of the five fields;
//! `day_rule` combines the two day fields; `suggest` says what to write instead (each suggestion
//! passes its own check); `schedule` finds fire times, by cronie's DST rules in `dst`; `explain`
//! says it in words; `timezone` looks up zone names.

mod day_rule;
mod dst;
mod explain;
mod field;
mod macros;
mod parse;
mod schedule;
mod suggest;
mod timezone;

#[cfg(test)]
mod tests;

pub use parse::{Parsed, parse};
pub use schedule::Schedule;
pub use timezone::parse_timezone;
