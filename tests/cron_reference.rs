//! The cron engine against a reference implementation: tests/data/cron_reference.json holds
//! expressions, time zones, start instants and the next fire times croniter computed (or, for
//! fixed times inside DST changes, cronie's documented behaviour; see the `note` of those rows
//! and tests/data/gen_cron_reference.py, which regenerates the file).

use handoff::cron;

#[test]
fn the_engine_agrees_with_the_reference_table() {
    let table: serde_json::Value =
        serde_json::from_str(include_str!("data/cron_reference.json")).unwrap();
    let rows = table.as_array().unwrap();
    assert!(rows.len() >= 50, "the table has {} rows", rows.len());
    let mut failures = Vec::new();
    for row in rows {
        let expr = row["expr"].as_str().unwrap();
        let tz = cron::parse_timezone(row["tz"].as_str().unwrap()).unwrap();
        let from: jiff::Timestamp = row["from"].as_str().unwrap().parse().unwrap();
        let expected: Vec<&str> = row["next"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let schedule = cron::parse(expr)
            .unwrap_or_else(|e| panic!("{expr}: {e:?}"))
            .schedule;
        let got: Vec<String> = schedule
            .upcoming(from, &tz, expected.len())
            .iter()
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            .collect();
        if got != expected {
            failures.push(format!(
                "{expr} in {} from {}: expected {expected:?}, got {got:?} ({})",
                row["tz"], row["from"], row["source"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
