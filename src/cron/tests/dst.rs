use super::*;

#[test]
fn dst_follows_cronie() {
    // New York springs forward 2027-03-14 02:00 EST -> 03:00 EDT (07:00Z).
    assert_eq!(
        next("30 2 * * *", "America/New_York", "2027-03-13T12:00:00Z", 2),
        ["2027-03-14T07:00:00Z", "2027-03-15T06:30:00Z"]
    );
    // A wildcard job skips the missing times.
    assert_eq!(
        next(
            "*/30 * * * *",
            "America/New_York",
            "2027-03-14T06:31:00Z",
            2
        ),
        ["2027-03-14T07:00:00Z", "2027-03-14T07:30:00Z"]
    );
    // `*/15 2 * * *` is a wildcard job for cronie (the minute field starts with `*`).
    assert_eq!(
        next(
            "*/15 2 * * *",
            "America/New_York",
            "2027-03-13T12:00:00Z",
            1
        ),
        ["2027-03-15T06:00:00Z"]
    );
    // Falls back 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z): fixed once, wildcard twice.
    assert_eq!(
        next("30 1 * * *", "America/New_York", "2026-11-01T04:00:00Z", 2),
        ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]
    );
    assert_eq!(
        next("30 * * * *", "America/New_York", "2026-11-01T05:00:00Z", 3),
        [
            "2026-11-01T05:30:00Z",
            "2026-11-01T06:30:00Z",
            "2026-11-01T07:30:00Z"
        ]
    );
    // Starting inside the second pass.
    assert_eq!(
        next(
            "*/20 * * * *",
            "America/New_York",
            "2026-11-01T06:10:00Z",
            3
        ),
        [
            "2026-11-01T06:20:00Z",
            "2026-11-01T06:40:00Z",
            "2026-11-01T07:00:00Z"
        ]
    );
}

#[test]
fn a_gap_with_several_fixed_minutes_runs_once_per_missed_minute() {
    // cronie's catch-up (`cron.c`, wakeupKind `medium`) runs its job search once per missed
    // minute, so `0,30 2` starts twice right after the 2027-03-14 jump (07:00Z).
    let from = "2027-03-13T12:00:00Z";
    assert_eq!(
        next("0,30 2 * * *", "America/New_York", from, 3),
        [
            "2027-03-14T07:00:00Z",
            "2027-03-14T07:00:00Z",
            "2027-03-15T06:00:00Z"
        ]
    );
    // 03:00 itself is a third run at the same instant.
    assert_eq!(
        next("0,30 2,3 * * *", "America/New_York", from, 4),
        [
            "2027-03-14T07:00:00Z",
            "2027-03-14T07:00:00Z",
            "2027-03-14T07:00:00Z",
            "2027-03-14T07:30:00Z"
        ]
    );
    // fires_between counts the same runs, including for a window starting at the jump.
    let s = parse("0,30 2 * * *").unwrap().schedule;
    let ny = tz("America/New_York");
    let day = s.fires_between(
        utc("2027-03-14T00:00:00Z"),
        utc("2027-03-15T00:00:00Z"),
        &ny,
    );
    assert_eq!(show(&day), ["2027-03-14T07:00:00Z", "2027-03-14T07:00:00Z"]);
    let at = s.fires_between(
        utc("2027-03-14T07:00:00Z"),
        utc("2027-03-14T07:01:00Z"),
        &ny,
    );
    assert_eq!(at.len(), 2);
    // `upcoming` never exceeds n, even mid-catch-up.
    assert_eq!(next("0,30 2 * * *", "America/New_York", from, 1).len(), 1);
    // The warning says so.
    let f = s.dst_findings(&ny, utc("2026-11-26T00:00:00Z"), 1);
    assert!(
        f[0].message
            .contains("02:00 and 02:30 do not exist on 2027-03-14")
            && f[0].message.contains("once for each missing time"),
        "{}",
        f[0].message
    );
    // A jump of more than 3 hours is cronie's "clock jumped": the missed times do not run.
    // Samoa skipped 2011-12-30 entirely (a 24-hour jump).
    assert_eq!(
        next("0 12 30 12 *", "Pacific/Apia", "2011-12-29T00:00:00Z", 1),
        ["2012-12-29T22:00:00Z"]
    );
}

#[test]
fn dst_findings_name_the_dates() {
    let s = parse("30 2 * * *").unwrap().schedule;
    let f = s.dst_findings(&tz("Europe/Berlin"), utc("2026-11-26T00:00:00Z"), 1);
    assert_eq!(
        f.iter()
            .map(|f| (f.code, f.span.clone()))
            .collect::<Vec<_>>(),
        [(Code::CronDstGap, 0..4), (Code::CronDstOverlap, 0..4)]
    );
    assert_eq!(f[0].severity, crate::diagnostic::Severity::Warning);
    assert_eq!(
        f[0].message,
        "in Europe/Berlin, 02:30 does not exist on 2027-03-28 (clocks jump from 02:00 to 03:00): cronie runs the job once, right after the jump"
    );
    assert_eq!(
        f[1].message,
        "in Europe/Berlin, 02:30 happens twice on 2027-10-31 (clocks go back from 03:00 +02:00 to 02:00 +01:00): cronie runs the job only the first time, at the earlier offset"
    );
    let two_years = s.dst_findings(&tz("Europe/Berlin"), utc("2026-11-26T00:00:00Z"), 2);
    assert!(two_years[0].message.contains("2027-03-28"));
    assert!(two_years[0].message.contains("2028-03-26"));
    // New York's overlap is 01:00-02:00: 02:30 only meets the gap.
    let f = s.dst_findings(&tz("America/New_York"), utc("2026-11-26T00:00:00Z"), 1);
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("2027-03-14"));
    // Clean twins: outside the change hours, wildcard jobs, zones without DST.
    let none = |expr: &str, zone: &str| {
        parse(expr)
            .unwrap()
            .schedule
            .dst_findings(&tz(zone), utc("2026-11-26T00:00:00Z"), 1)
    };
    assert!(none("30 4 * * *", "Europe/Berlin").is_empty());
    assert!(none("30 * * * *", "Europe/Berlin").is_empty());
    assert!(none("30 2 * * *", "UTC").is_empty());
    assert!(none("30 2 * * *", "Asia/Kolkata").is_empty());
    // A day that never has a transition.
    assert!(none("30 2 15 * *", "Europe/Berlin").is_empty());
    // Macro spans are the macro.
    let f = parse("@daily").unwrap().schedule.dst_findings(
        &tz("America/Santiago"),
        utc("2026-01-01T00:00:00Z"),
        1,
    );
    assert!(f.iter().all(|f| f.span == (0..6)), "{f:?}");
}
