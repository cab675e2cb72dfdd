//! A second opinion: on thousands of random standard expressions (fixed seed, UTC), handoff's
//! cron engine and the `croner` crate (POSIX mode) agree on the next fire times. Day fields are
//! generated as `*`, values, lists or ranges, never `*/n`: for `*/n` with the other day field
//! restricted, cronie (which handoff follows) and croner disagree by design.

use chrono::{TimeZone as _, Utc};
use croner::parser::{CronParser, Seconds, Year};

use crate::common::Rng;

fn field(rng: &mut Rng, lo: u64, hi: u64, steps: bool) -> String {
    let span = hi - lo + 1;
    match rng.below(if steps { 6 } else { 4 }) {
        0 => "*".to_string(),
        1 => (lo + rng.below(span)).to_string(),
        2 => {
            let a = lo + rng.below(span);
            let b = a + rng.below(hi - a + 1);
            format!("{a}-{b}")
        }
        3 => {
            let mut v: Vec<u64> = (0..1 + rng.below(3))
                .map(|_| lo + rng.below(span))
                .collect();
            v.sort_unstable();
            v.dedup();
            v.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
        }
        4 => format!("*/{}", 1 + rng.below(span / 2)),
        _ => {
            let a = lo + rng.below(span / 2);
            format!("{a}-{hi}/{}", 1 + rng.below(span / 3 + 1))
        }
    }
}

#[test]
fn agrees_with_croner_on_random_expressions() {
    let parser = CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .build();
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let mut checked = 0;
    let mut failures = Vec::new();
    for _ in 0..3000 {
        let expr = format!(
            "{} {} {} {} {}",
            field(&mut rng, 0, 59, true),
            field(&mut rng, 0, 23, true),
            field(&mut rng, 1, 28, false),
            field(&mut rng, 1, 12, true),
            field(&mut rng, 0, 7, false),
        );
        let Ok(ours) = handoff::cron::parse(&expr) else {
            continue;
        };
        let theirs = parser
            .parse(&expr)
            .unwrap_or_else(|e| panic!("croner rejects {expr}: {e}"));
        let start_secs = 1_767_225_600 + rng.below(3 * 365 * 86_400) as i64; // 2026-01-01 + up to 3 years
        let mut ours_t = jiff::Timestamp::from_second(start_secs).unwrap();
        let mut theirs_t = Utc.timestamp_opt(start_secs, 0).unwrap();
        for _ in 0..5 {
            let a = ours
                .schedule
                .next_after(ours_t, &jiff::tz::TimeZone::UTC)
                .unwrap();
            let b = theirs.find_next_occurrence(&theirs_t, false).unwrap();
            if a.as_second() != b.timestamp() {
                failures.push(format!("{expr} after {ours_t}: handoff {a}, croner {b}"));
                break;
            }
            ours_t = a;
            theirs_t = b;
        }
        checked += 1;
    }
    assert!(checked > 2000, "only {checked} expressions were valid");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
