//! "Now", for the checks and defaults that depend on the date (DST warnings look a year ahead,
//! `plan` defaults to today, `cron` previews from now). `HANDOFF_NOW` (an RFC 3339 instant)
//! pins it, so output can be reproduced — the tests use it.

use jiff::Timestamp;

pub fn now() -> Timestamp {
    std::env::var("HANDOFF_NOW")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(Timestamp::now)
}
