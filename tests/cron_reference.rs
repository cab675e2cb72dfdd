//! The cron engine against a reference table: tests/data/cron_reference.json holds expressions,
//! time zones, start instants and the next fire times that croniter computed, or, for fixed-time
//! jobs in a fall-back overlap where croniter differs from cronie, cronie's behaviour (those rows
//! say so in `source` and `note`). tests/data/gen_cron_reference.py regenerates the table; this
//! test needs only the committed JSON.

use handoff::cron;
use jiff::{SignedDuration, Timestamp};

struct Row {
    expr: String,
    tz: String,
    from: Timestamp,
    next: Vec<String>,
    source: String,
}

fn rows() -> Vec<Row> {
    let table: serde_json::Value =
        serde_json::from_str(include_str!("data/cron_reference.json")).expect("valid JSON");
    let text = |v: &serde_json::Value, key: &str| -> String {
        v[key]
            .as_str()
            .unwrap_or_else(|| panic!("row without `{key}`: {v}"))
            .to_string()
    };
    table
        .as_array()
        .expect("an array of rows")
        .iter()
        .map(|v| Row {
            expr: text(v, "expr"),
            tz: text(v, "tz"),
            from: text(v, "from").parse().expect("an RFC 3339 instant"),
            next: v["next"]
                .as_array()
                .expect("`next` is an array")
                .iter()
                .map(|t| t.as_str().expect("a time").to_string())
                .collect(),
            source: text(v, "source"),
        })
        .collect()
}

fn utc(t: &Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[test]
fn the_table_covers_what_it_should() {
    let rows = rows();
    assert!(rows.len() >= 60, "the table has only {} rows", rows.len());
    for tz in [
        "UTC",
        "America/New_York",
        "Europe/Berlin",
        "Australia/Sydney",
        "Asia/Kolkata",
    ] {
        assert!(rows.iter().any(|r| r.tz == tz), "no row in {tz}");
    }
    for expr in [
        "0 0 13 * 5",
        "0 0 1-7 * 1",
        "0 12 * * 7",
        "0 12 * * 0",
        "0 9 * * mon-fri",
        "0 0 1 jan,jul *",
        "*/15 * * * *",
        "5-50/10 * * * *",
        "0 */6 * * *",
        "0 0 29 2 *",
        "0 0 31 * *",
        "0 0 30 * *",
        "@hourly",
    ] {
        assert!(rows.iter().any(|r| r.expr == expr), "no row for `{expr}`");
    }
    assert!(rows.iter().any(|r| r.source.starts_with("cronie")));
}

#[test]
fn upcoming_agrees_with_the_reference_table() {
    let mut failures = Vec::new();
    for row in rows() {
        let tz = cron::parse_timezone(&row.tz).unwrap_or_else(|f| panic!("{}: {f:?}", row.tz));
        let schedule = cron::parse(&row.expr)
            .unwrap_or_else(|e| panic!("`{}` does not parse: {e:?}", row.expr))
            .schedule;
        let got: Vec<String> = schedule
            .upcoming(row.from, &tz, row.next.len())
            .iter()
            .map(utc)
            .collect();
        if got != row.next {
            failures.push(format!(
                "`{}` in {} after {}: expected {:?}, got {got:?} (expected from {})",
                row.expr,
                row.tz,
                utc(&row.from),
                row.next,
                row.source
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fires_between_agrees_with_the_reference_table() {
    let mut failures = Vec::new();
    for row in rows() {
        let tz = cron::parse_timezone(&row.tz).unwrap();
        let schedule = cron::parse(&row.expr).unwrap().schedule;
        let last: Timestamp = row.next.last().unwrap().parse().unwrap();
        // Fires fall on whole minutes: [from + 1 s, last + 1 s) holds exactly the fires after
        // `from` up to and including `last`.
        let one = SignedDuration::from_secs(1);
        let got: Vec<String> = schedule
            .fires_between(row.from + one, last + one, &tz)
            .iter()
            .map(utc)
            .collect();
        if got != row.next {
            failures.push(format!(
                "`{}` in {} after {}: expected {:?}, got {got:?}",
                row.expr,
                row.tz,
                utc(&row.from),
                row.next
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
